"""Weekly attendance per campus on the Wagtail admin dashboard: a line chart
drawn on the server as inline SVG (one line per campus, the last
``WEEKS`` weeks on the x axis, 50–100 % on the y axis, 0–100 % when some
week was lower), with a title, a
description and a short text summary for screen readers.

The numbers are ``courses.services.attendance_stats.weekly_campus_rates``
over the classes the user may view (a teacher: their classes, a campus
admin: their campuses'); people who may view no class get no panel."""

import datetime
from dataclasses import dataclass, field

from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.components import Component

from courses.models import CampusPage
from courses.services.attendance_stats import weekly_campus_rates

from .attendance_reports import report_allowed, visible_sections

WEEKS = 12
WIDTH, HEIGHT = 720, 280
LEFT, RIGHT, TOP, BOTTOM = 48, 16, 16, 36
# Colour-blind-safe colours (Okabe–Ito, then Tol's), each dark enough on
# white; after them the dash patterns tell lines apart.
COLOURS = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#8C6D00", "#56449A", "#1F6E8C",
           "#AA3377", "#4B6F2A", "#B5475A"]
DASHES = ["", "6 4", "2 3"]
# The y axis starts at 50 % (attendance seldom falls lower), or at 0 when
# some week did.
Y_FLOOR = 50


@dataclass
class Series:
    campus: str
    colour: str
    dash: str
    points: list = field(default_factory=list)  # (x, y, week, percent)
    path: str = ""
    attended: int = 0
    counted: int = 0

    @property
    def average(self) -> float | None:
        return round(100 * self.attended / self.counted, 1) if self.counted else None

    @property
    def latest(self):
        return self.points[-1] if self.points else None


def _x(index: int) -> float:
    return round(LEFT + index * (WIDTH - LEFT - RIGHT) / (WEEKS - 1), 1)


def _y(percent: float, floor: int) -> float:
    return round(TOP + (100 - percent) * (HEIGHT - TOP - BOTTOM) / (100 - floor), 1)


def _floor(rows) -> int:
    lowest = min((100 * row["rate"] for row in rows if row["rate"] is not None), default=100)
    return Y_FLOOR if lowest >= Y_FLOOR else 0


def weekly_chart(user, *, now: datetime.datetime | None = None) -> dict:
    """The chart's geometry and words for ``user``: ``weeks`` (x, label),
    ``y_ticks`` (y, label), ``series`` (one per campus with attendance in
    these weeks, ordered as the campus tree)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    monday = today - datetime.timedelta(days=today.weekday())
    weeks = [monday - datetime.timedelta(weeks=WEEKS - 1 - n) for n in range(WEEKS)]
    index = {week: n for n, week in enumerate(weeks)}
    rows = list(weekly_campus_rates(sections=visible_sections(user), weeks=WEEKS, now=now))
    campuses = CampusPage.objects.filter(pk__in={row["campus"] for row in rows}).order_by("path")
    series = {}
    for n, campus in enumerate(campuses):
        series[campus.pk] = Series(campus=campus.title, colour=COLOURS[n % len(COLOURS)],
                                   dash=DASHES[(n // len(COLOURS)) % len(DASHES)])
    floor = _floor(rows)
    for row in rows:  # campuses × weeks: a few hundred at most
        line = series[row["campus"]]
        line.attended += row["attended"]
        line.counted += row["counted"]
        week = timezone.localdate(row["week"]) if isinstance(row["week"], datetime.datetime) \
            else row["week"]
        if row["rate"] is None or week not in index:
            continue
        percent = round(100 * row["rate"], 1)
        line.points.append((_x(index[week]), _y(percent, floor), week, percent))
    for line in series.values():
        line.points.sort()
        line.path = " ".join(f"{'M' if n == 0 else 'L'}{x},{y}"
                             for n, (x, y, _week, _p) in enumerate(line.points))
    return {
        "width": WIDTH, "height": HEIGHT, "left": LEFT, "right": WIDTH - RIGHT,
        "bottom": HEIGHT - BOTTOM,
        "weeks": [(_x(n), formats.date_format(week, "n/j")) for n, week in enumerate(weeks)],
        "y_ticks": [(_y(tick, floor), f"{tick}%")
                    for tick in range(floor, 101, 10 if floor >= Y_FLOOR else 25)],
        "series": list(series.values()),
        "first_week": weeks[0], "last_week": weeks[-1],
    }


class WeeklyAttendancePanel(Component):
    """The dashboard panel (``construct_homepage_panels``)."""

    name = "weekly_attendance"
    template_name = "courses/admin/attendance/dashboard_chart.html"
    order = 120
    heading = _("Weekly attendance per campus")

    def __init__(self, request):
        self.request = request

    def get_context_data(self, parent_context):
        context = super().get_context_data(parent_context)
        context.update(weekly_chart(self.request.user), heading=self.heading)
        return context


def homepage_panels(request, panels) -> None:
    """Add the chart for staff who may view classes."""
    if report_allowed(request.user):
        panels.append(WeeklyAttendancePanel(request))
