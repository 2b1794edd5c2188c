"""Terms: holidays and make-up working days imported from an .ics file, and
sessions regenerated when a term's days change."""

import datetime
import re

import icalendar
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from courses.models import Section, Term, TermDay
from courses.services.sessions import sessions_generate

# A summary that marks a make-up working day (调休上班). "调休" alone is a
# make-up day; "调休放假" or "放假" is a holiday.
MAKEUP_MARKERS = ("补班", "上班", "调休")
HOLIDAY_MARKERS = ("放假", "休假", "假期", "休息")

_WEEKDAY_CHARS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
_WEEKDAY_NAMED = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")


def _is_makeup(summary: str) -> bool:
    if "补班" in summary or "上班" in summary:
        return True
    return "调休" in summary and not any(marker in summary for marker in HOLIDAY_MARKERS)


def _named_weekday(summary: str, day: datetime.date) -> int | None:
    """The weekday whose timetable a make-up day follows, if its summary
    names one (``（周五课表）``, ``按星期五上课``). The day's own weekday is
    ignored: ``9月27日（周日）上班`` names the date, not the timetable."""
    for char in _WEEKDAY_NAMED.findall(summary):
        weekday = _WEEKDAY_CHARS[char]
        if weekday != day.weekday():
            return weekday
    return None


def _default_weekday(day: datetime.date, holidays: list[datetime.date]) -> int:
    """Friday for a make-up day before its nearest holiday, Monday after it
    (and Monday when there is no holiday to go by). Editors correct it in
    the term form when the official notice says otherwise."""
    if holidays:
        nearest = min(holidays, key=lambda holiday: (abs((holiday - day).days), holiday))
        if day < nearest:
            return 4
    return 0


def _event_dates(event) -> list[datetime.date]:
    """The dates an event covers. All-day events end the day before DTEND
    (RFC 5545); a timed event covers the dates it touches."""
    start, end = event.start, event.end
    if isinstance(start, datetime.datetime):
        first = start.date()
        last = (end - datetime.timedelta(microseconds=1)).date() if end > start else first
    else:
        first = start
        last = end - datetime.timedelta(days=1) if end > start else start
    if (last - first).days > 366:
        raise ValueError("event longer than a year")
    return [first + datetime.timedelta(days=n) for n in range((last - first).days + 1)]


def _parse(data: bytes) -> tuple[dict, list[datetime.date]]:
    """``{date: (kind, name, named weekday or None)}`` for every date the
    file marks, and every holiday date in it. Raises ``ValidationError``."""
    try:
        calendar = icalendar.Calendar.from_ical(data)
        events = list(calendar.walk("VEVENT"))
        if calendar.name != "VCALENDAR":
            raise ValueError("not a calendar")
        days: dict[datetime.date, tuple[str, str, int | None]] = {}
        for event in events:
            summary = str(event.get("summary", "")).strip()
            makeup = _is_makeup(summary)
            for day in _event_dates(event):
                if makeup:
                    days[day] = (TermDay.Kind.MAKEUP, summary, _named_weekday(summary, day))
                elif day not in days:  # a make-up day wins over a holiday
                    days[day] = (TermDay.Kind.HOLIDAY, summary, None)
    except (ValueError, KeyError, TypeError, AttributeError, UnicodeError) as error:
        raise ValidationError(
            _("This file is not a calendar we can read (.ics). Nothing was imported."),
            code="invalid_ics",
        ) from error
    if not events:
        raise ValidationError(
            _("This calendar holds no events. Nothing was imported."), code="no_events"
        )
    holidays = sorted(day for day, (kind, _n, _w) in days.items() if kind == TermDay.Kind.HOLIDAY)
    return days, holidays


def term_days_import_ics(*, term: Term, data: bytes) -> dict:
    """Import holidays and make-up working days from an .ics calendar (such
    as a national public-holiday calendar) into ``term``.

    Each all-day event (possibly spanning several days) becomes a holiday
    for each of its dates inside the term. An event whose summary contains
    补班, 上班 or 调休 (but not 放假) is a make-up working day instead; the
    weekday whose classes it holds is the one its summary names (``周五课表``),
    otherwise Friday if it falls before the nearest holiday and Monday if
    after. An existing day keeps a weekday an editor chose if the file does
    not name one. Dates outside the term are skipped.

    Idempotent: an existing day on the same date is updated, never
    duplicated; importing the same file twice changes nothing. Atomic: a
    malformed file raises ``ValidationError`` (with a message for the
    editor) and nothing is saved. Returns counts
    ``{"created", "updated", "unchanged", "skipped"}``. Sessions are not
    regenerated here: call ``term_sessions_regenerate`` afterwards.
    """
    days, holidays = _parse(data)
    holidays += list(
        TermDay.objects.filter(term=term, kind=TermDay.Kind.HOLIDAY).values_list("date", flat=True)
    )
    counts = {"created": 0, "updated": 0, "unchanged": 0, "skipped": 0}
    with transaction.atomic():
        existing = {day.date: day for day in TermDay.objects.select_for_update().filter(term=term)}
        for date, (kind, name, weekday) in sorted(days.items()):
            if not term.start_date <= date <= term.end_date:
                counts["skipped"] += 1
                continue
            current = existing.get(date)
            if kind == TermDay.Kind.MAKEUP and weekday is None:
                if current is not None and current.kind == kind:
                    weekday = current.follows_weekday  # an editor's choice stands
                else:
                    weekday = _default_weekday(date, holidays)
            name = name[: TermDay._meta.get_field("name").max_length]
            if current is None:
                day = TermDay(term=term, date=date, kind=kind, name=name, follows_weekday=weekday)
                day.full_clean()
                day.save()
                counts["created"] += 1
            elif (current.kind, current.name, current.follows_weekday) == (kind, name, weekday):
                counts["unchanged"] += 1
            else:
                current.kind, current.name, current.follows_weekday = kind, name, weekday
                current.full_clean()
                current.save()
                counts["updated"] += 1
    return counts


def term_sessions_regenerate(*, term: Term) -> dict:
    """Regenerate the sessions of every section of ``term`` that is not
    cancelled (after its dates, holidays or make-up days changed). Past
    sessions are never touched (see ``sessions_generate``). Returns the
    summed counts ``{"created", "updated", "deleted"}``."""
    totals = {"created": 0, "updated": 0, "deleted": 0}
    sections = Section.objects.filter(term=term).exclude(status=Section.Status.CANCELLED)
    for section in sections.select_related("term", "room"):
        for key, value in sessions_generate(section=section).items():
            totals[key] += value
    return totals
