"""The dashboard's weekly attendance chart: an SVG picture drawn on the
server with one line per campus the user may see, a title and description,
and a text summary for screen readers."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from courses.admin.attendance_chart import homepage_panels, weekly_chart
from courses.models import Attendance
from lms.accounts import roles
from tests.courses.attendance_world import enrol, person, session_on
from tests.courses.test_attendance_stats_report import mark, staff
from tests.courses.test_attendance_stats_report import w as report_world

pytestmark = pytest.mark.django_db

S = Attendance.Status
w = report_world


def chart_html(client, user):
    client.force_login(user)
    html = client.get(reverse("wagtailadmin_home")).content.decode()
    match = re.search(r'<svg viewBox[^>]*role="img".*?</svg>', html, re.S)
    return html, match.group(0) if match else ""


def test_a_school_admin_sees_one_line_per_campus(client, w):
    html, svg = chart_html(client, w.school_admin)

    assert svg.count('class="attendance-series"') == 2
    assert 'data-series-count="2"' in svg
    assert 'aria-labelledby="weekly-attendance-title weekly-attendance-desc"' in svg
    assert "<title id=\"weekly-attendance-title\">Weekly attendance per campus</title>" in svg
    assert 'data-campus="莲都校区"' in svg and 'data-campus="龙泉分校"' in svg
    assert "w-sr-only" in html and "60.0% over these weeks" in html


def test_a_campus_admin_and_a_teacher_see_only_their_campus(client, w):
    _html, svg = chart_html(client, w.campus_admin)
    assert svg.count('class="attendance-series"') == 1
    assert 'data-campus="莲都校区"' in svg and "龙泉分校" not in svg

    _html, svg = chart_html(client, w.other_teacher)
    assert svg.count('class="attendance-series"') == 1
    assert 'data-campus="龙泉分校"' in svg


def test_the_points_sit_at_the_weeks_rates(w):
    chart = weekly_chart(w.school_admin)

    liandu = next(line for line in chart["series"] if line.campus == "莲都校区")
    weeks = {week: percent for _x, _y, week, percent in liandu.points}
    # Per session: first student then second (leave is not counted).
    counts = {9: (2, 2), 8: (1, 2), 7: (0, 1)}
    expected = {}
    for n, (attended, counted) in counts.items():
        day = w.today - dt.timedelta(days=n)
        monday = day - dt.timedelta(days=day.weekday())
        a, c = expected.get(monday, (0, 0))
        expected[monday] = (a + attended, c + counted)
    assert weeks == {week: round(100 * a / c, 1) for week, (a, c) in expected.items()}
    assert liandu.average == 60.0
    assert all(chart["left"] <= x <= chart["right"] for x, _y, _w, _p in liandu.points)


def test_a_campus_without_attendance_these_weeks_has_no_line(client, w):
    old = session_on(w.elsewhere, w.today - dt.timedelta(weeks=20))
    newcomer = person("新学员")
    enrol(newcomer, w.elsewhere)
    mark(old, newcomer, S.ABSENT)
    Attendance.objects.filter(person=w.far_student).delete()

    _html, svg = chart_html(client, w.school_admin)

    assert svg.count('class="attendance-series"') == 1


def test_no_panel_for_someone_who_may_not_view_classes(client, w):
    nobody = staff(person("编辑"), roles.SCHOOL_ADMIN)
    nobody.groups.clear()
    nobody.is_superuser = False
    nobody.save()

    class Request:
        user = nobody

    panels = []
    homepage_panels(Request(), panels)
    assert panels == []


def test_the_y_axis_starts_at_half_unless_a_week_was_lower(w):
    Attendance.objects.update(status=S.PRESENT)
    chart = weekly_chart(w.school_admin)
    assert [label for _y, label in chart["y_ticks"]] == ["50%", "60%", "70%", "80%", "90%",
                                                         "100%"]

    Attendance.objects.update(status=S.ABSENT)
    chart = weekly_chart(w.school_admin)
    assert [label for _y, label in chart["y_ticks"]] == ["0%", "25%", "50%", "75%", "100%"]
    zero = next(y for y, label in chart["y_ticks"] if label == "0%")
    assert all(y == zero for line in chart["series"] for _x, y, _w, _p in line.points)


def test_a_campus_with_only_leave_these_weeks_is_summed_up_in_words(client, w):
    Attendance.objects.filter(person=w.far_student).update(status=S.LEAVE)

    html, svg = chart_html(client, w.school_admin)

    summary = re.search(r'<ul class="w-sr-only">(.*?)</ul>', html, re.S).group(1)
    lines = [" ".join(item.split()) for item in re.findall(r"<li>(.*?)</li>", summary, re.S)]
    assert lines[0].startswith("莲都校区: ") and "60.0% over these weeks" in lines[0]
    assert lines[1] == "龙泉分校: no attendance rate in these weeks, only leave."
    assert "% in the week of ;" not in html
    assert 'd=""' not in svg
