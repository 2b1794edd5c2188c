"""The catalogue's list of classes: one page of cards and the number found,
in three plain SQL queries.

This is the busiest read of the site (every filter combination a visitor
tries is a page that has to be rendered), so it does not go through the
ORM: compiling the filtered, annotated queryset cost more than running it.
The query selects exactly what ``CourseIndexPage.public_sections`` (that
is, ``courses.selectors.catalog_sections`` of live course and campus
pages) selects, in the same order; tests/courses/test_catalogue_cards.py
compares the two on every filter. Seats are counted from enrolment rows
(``Enrolment.SEATED``), as everywhere else; a card says how many of the
seats left are kept for new students (``Section.reserved_for_new``), the
same for every visitor (the page is cached for everyone).
"""

import datetime
from dataclasses import dataclass
from decimal import Decimal
from html import escape

from django.db import connection
from django.utils.safestring import SafeString
from django.utils.translation import get_language, gettext, ngettext

from courses.models import (
    CampusPage,
    CoursePage,
    Department,
    Enrolment,
    Room,
    Section,
    SectionSlot,
    Term,
)
from courses.selectors import PARTS_OF_DAY, PUBLIC_STATUSES, Availability, _availability
from lms.accounts.models import Profile, User


@dataclass(frozen=True)
class SectionCard:
    """What a catalogue card shows, as text ready for the page (the template
    only escapes and places it)."""

    url: str
    title: str
    name: str
    slots: tuple[str, ...]
    campus: str
    room: str | None
    teachers: str
    seats: str
    fee: str


def cards_html(cards: list[SectionCard], *, teacher_label: str) -> SafeString:
    """The ``<li>`` of each card, escaped, as courses/includes/section_card.html
    writes a class (with an ``h3`` title): made here in one pass, escaping
    with the standard library (what Django's ``escape`` does, without its
    lazy-string checks per value), because a template loop over twenty
    cards cost more than the rest of the page's data."""
    label = escape(str(teacher_label))
    return SafeString("\n".join(
        '<li class="card section-card">\n'
        f'  <h3 class="card-title"><a href="{escape(card.url)}">{escape(card.title)} · '
        f"{escape(card.name)}</a></h3>\n"
        f"  {''.join(f'<p>{escape(slot)}</p>' for slot in card.slots)}\n"
        f'  <p class="meta">{escape(card.campus)}'
        f"{'' if card.room is None else ' · ' + escape(card.room)}</p>\n"
        f'  <p class="meta">{label} {escape(card.teachers)}</p>\n'
        f'  <p><span class="badge">{escape(card.seats)}</span> · {escape(card.fee)}</p>\n'
        "</li>"
        for card in cards
    ))


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    from wagtail.models import Page

    return {
        "section": q(Section._meta.db_table), "term": q(Term._meta.db_table),
        "course": q(CoursePage._meta.db_table), "page": q(Page._meta.db_table),
        "campus": q(CampusPage._meta.db_table), "department": q(Department._meta.db_table),
        "room": q(Room._meta.db_table), "enrolment": q(Enrolment._meta.db_table),
        "slot": q(SectionSlot._meta.db_table),
        "teachers": q(Section.teachers.through._meta.db_table),
        "user": q(User._meta.db_table), "profile": q(Profile._meta.db_table),
    }


def _where(*, school, term=None, campus=None, department=None, weekday=None,
           part_of_day=None, level=None, has_seats=False) -> tuple[str, list]:
    """The WHERE clause of ``catalog_sections`` (the same filters, the same
    meaning) over live course and campus pages, and its parameters."""
    t = _tables()
    seated = ", ".join(["%s"] * len(Enrolment.SEATED))
    enrolled = (f"(SELECT COUNT(*) FROM {t['enrolment']} e "
                f"WHERE e.section_id = s.id AND e.status IN ({seated}))")
    clauses = [
        "t.school_id = %s", "t.is_published = %s",
        f"s.status IN ({', '.join(['%s'] * len(PUBLIC_STATUSES))})",
        "cp.live = %s", "mp.live = %s",
    ]
    params: list = [school.pk, True, *PUBLIC_STATUSES, True, True]
    if term is not None:
        clauses.append("s.term_id = %s")
        params.append(getattr(term, "pk", term))
    if campus is not None:
        clauses.append("s.campus_id = %s")
        params.append(campus.pk)
    if department is not None:
        clauses.append("c.department_id = %s")
        params.append(department.pk)
    if level:
        clauses.append("c.level = %s")
        params.append(level)
    slot_clauses, slot_params = [], []
    if weekday is not None:
        slot_clauses.append("weekday = %s")
        slot_params.append(weekday)
    if part_of_day in PARTS_OF_DAY:
        start, end = PARTS_OF_DAY[part_of_day]
        adapt = connection.ops.adapt_timefield_value
        slot_clauses += ["start_time >= %s", "start_time < %s"]
        slot_params += [adapt(start), adapt(end)]
    if slot_clauses:
        clauses.append(f"s.id IN (SELECT section_id FROM {t['slot']} "
                       f"WHERE {' AND '.join(slot_clauses)})")
        params += slot_params
    if has_seats:
        clauses.append(f"s.status = %s AND s.capacity - {enrolled} > 0")
        params += [Section.Status.OPEN, *Enrolment.SEATED]
    return " AND ".join(clauses), params


def catalogue_cards(*, school, filters: dict, start: int, stop: int,
                    url_of) -> tuple[list[SectionCard], int]:
    """The cards of the classes ``start``..``stop`` (0-based, ``stop``
    excluded) that ``school``'s catalogue lists with ``filters`` (the
    keyword arguments of ``catalog_sections``), and how many it lists in
    all. ``url_of(pk)`` gives a class's page URL. Three queries however
    many classes there are (the rows with their count, their weekly times,
    their teachers); four when the page is past the end."""
    t = _tables()
    where, params = _where(school=school, **filters)
    seated = ", ".join(["%s"] * len(Enrolment.SEATED))
    joins = (
        f"FROM {t['section']} s "
        f"INNER JOIN {t['term']} t ON t.id = s.term_id "
        f"INNER JOIN {t['course']} c ON c.page_ptr_id = s.course_id "
        f"INNER JOIN {t['page']} cp ON cp.id = s.course_id "
        f"INNER JOIN {t['department']} d ON d.id = c.department_id "
        f"INNER JOIN {t['page']} mp ON mp.id = s.campus_id "
        f"LEFT OUTER JOIN {t['room']} r ON r.id = s.room_id "
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.id, s.name, s.status, s.capacity, s.fee, cp.title, mp.title, "
            "s.room_id, r.name, "
            f"(SELECT COUNT(*) FROM {t['enrolment']} e "
            f"WHERE e.section_id = s.id AND e.status IN ({seated})), "
            # New students seated, only where places are kept for them.
            "s.reserved_for_new, CASE WHEN s.reserved_for_new > 0 THEN "
            f"(SELECT COUNT(*) FROM {t['enrolment']} e "
            f"WHERE e.section_id = s.id AND e.status IN ({seated}) "
            "AND e.is_new_student = %s) ELSE 0 END, "
            f"COUNT(*) OVER () {joins} WHERE {where} "
            "ORDER BY d.sort_order, cp.title, s.name, s.id "
            f"LIMIT {int(stop - start)} OFFSET {int(start)}",
            [*Enrolment.SEATED, *Enrolment.SEATED, True, *params],
        )
        rows = cursor.fetchall()
        if not rows:
            if not start:
                return [], 0
            cursor.execute(f"SELECT COUNT(*) {joins} WHERE {where}", params)
            return [], cursor.fetchone()[0]
        ids = [row[0] for row in rows]
        marks = ", ".join(["%s"] * len(ids))
        cursor.execute(
            f"SELECT section_id, weekday, start_time, end_time FROM {t['slot']} "
            f"WHERE section_id IN ({marks}) ORDER BY weekday, start_time", ids,
        )
        slot_rows = cursor.fetchall()
        cursor.execute(
            f"SELECT st.section_id, p.real_name, u.last_name, u.first_name "
            f"FROM {t['teachers']} st INNER JOIN {t['user']} u ON u.id = st.user_id "
            f"LEFT OUTER JOIN {t['profile']} p ON p.user_id = u.id "
            f"WHERE st.section_id IN ({marks}) ORDER BY st.id", ids,
        )
        teacher_rows = cursor.fetchall()
    return _cards(rows, slot_rows, teacher_rows, url_of), rows[0][-1]


class _Words:
    """The phrases of the cards in one language, looked up once per
    language and process (translations do not change while it runs)."""

    def __init__(self):
        self.weekdays = [gettext("Every Monday"), gettext("Every Tuesday"),
                         gettext("Every Wednesday"), gettext("Every Thursday"),
                         gettext("Every Friday"), gettext("Every Saturday"),
                         gettext("Every Sunday")]
        self.parts = {"morning": gettext("morning"), "afternoon": gettext("afternoon"),
                      "evening": gettext("evening")}
        self.to_be_announced = gettext("Teacher to be announced")
        self.full = gettext("Full — you can join the waiting list")
        self.closed = gettext("Enrolment closed")
        self.free = gettext("Free")
        self.fee = gettext("%(fee)s yuan per term")
        self._seats: dict[tuple[int, int], str] = {}

    def seats_left(self, n: int, kept: int = 0) -> str:
        """As courses/includes/seats.html says it (``kept``: of the ``n``
        seats left, those kept for new students)."""
        key = (n, kept)
        if key not in self._seats:
            if not kept:
                text = ngettext("%(seats)s seat left", "%(seats)s seats left", n)
            elif kept >= n:
                text = ngettext("%(seats)s seat left, kept for new students",
                                "%(seats)s seats left, all kept for new students", n)
            else:
                text = ngettext("%(seats)s seat left (%(kept)s of them kept for new students)",
                                "%(seats)s seats left (%(kept)s of them kept for new students)",
                                n)
            self._seats[key] = text % {"seats": n, "kept": kept}
        return self._seats[key]


_words: dict[str, _Words] = {}


def _words_now() -> _Words:
    language = get_language() or ""
    if language not in _words:
        _words[language] = _Words()
    return _words[language]


def _fee(value) -> str:
    """A fee as ``floatformat(fee, "-2")`` writes it: 120, 120.50."""
    fee = Decimal(str(value)).quantize(Decimal("0.01"))
    return str(fee.to_integral_value()) if fee == fee.to_integral_value() else str(fee)


def _cards(rows, slot_rows, teacher_rows, url_of) -> list[SectionCard]:
    from courses.models.sections import part_of_day

    words = _words_now()
    slots: dict[int, list[str]] = {row[0]: [] for row in rows}
    for section_id, weekday, start, end in slot_rows:
        start, end = _time(start), _time(end)
        day = words.weekdays[weekday] if 0 <= weekday < 6 else words.weekdays[6]
        slots[section_id].append(f"{day} {words.parts[part_of_day(start)]} "
                                 f"{start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}")
    teachers: dict[int, list[str]] = {row[0]: [] for row in rows}
    for section_id, real_name, last_name, first_name in teacher_rows:
        # The public sees a teacher's name, never their phone number or e-mail.
        name = real_name or f"{last_name}{first_name}".strip()
        if name:
            teachers[section_id].append(name)
    cards = []
    for (pk, name, status, capacity, fee, title, campus, room_id, room, enrolled, reserved,
         enrolled_new, _total) in rows:
        availability: Availability = _availability(_Row(status, capacity, reserved), enrolled,
                                                   enrolled_new)
        if availability.state == "open":
            seats = words.seats_left(availability.seats_left, availability.kept)
        elif availability.state == "full":
            seats = words.full
        else:
            seats = words.closed
        cards.append(SectionCard(
            url=url_of(pk), title=title, name=name, slots=tuple(slots[pk]), campus=campus,
            room=room if room_id is not None else None,
            teachers="、".join(teachers[pk]) or words.to_be_announced, seats=seats,
            fee=words.fee % {"fee": _fee(fee)} if fee else words.free,
        ))
    return cards


@dataclass(frozen=True)
class _Row:
    status: str
    capacity: int
    reserved_for_new: int


def _time(value) -> datetime.time:
    # SQLite gives times back as text, PostgreSQL as times.
    return value if isinstance(value, datetime.time) else datetime.time.fromisoformat(value)
