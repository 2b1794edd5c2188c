"""Attendance rates with small exact numbers: (present + late) over
(present + late + absent); leave is left out, cancelled and future sessions
never count, a person with nothing counted has no rate (not 0)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from courses.models import Attendance, ClassSession
from courses.services.attendance_stats import (
    attendance_rate,
    attendance_rates,
    counted_attendance,
    weekly_campus_rates,
)
from tests.courses.attendance_world import enrol, make_world, person, session_on

pytestmark = pytest.mark.django_db

S = Attendance.Status


def mark(session, who, status):
    return Attendance.objects.create(session=session, person=who, status=status,
                                     method=Attendance.Method.TAP)


@pytest.fixture
def w():
    """Main class (莲都, teacher 周文华): A present, late, absent, leave (2/3);
    B present, present, present, absent (3/4); C only leave (no rate).
    The class elsewhere (龙泉): D present once (1/1). A cancelled session
    and a session next week carry marks that must not count."""
    w = make_world(students=3)
    a, b, c = w.students
    days = [w.today - dt.timedelta(days=n) for n in (10, 9, 8, 7)]
    past = [session_on(w.section, day) for day in days]
    for session, status in zip(past, [S.PRESENT, S.LATE, S.ABSENT, S.LEAVE], strict=True):
        mark(session, a, status)
    for session, status in zip(past, [S.PRESENT, S.PRESENT, S.PRESENT, S.ABSENT], strict=True):
        mark(session, b, status)
    mark(past[0], c, S.LEAVE)
    cancelled = session_on(w.section, w.today - dt.timedelta(days=6),
                           status=ClassSession.Status.CANCELLED)
    mark(cancelled, a, S.ABSENT)
    mark(cancelled, b, S.PRESENT)
    next_week = session_on(w.section, w.today + dt.timedelta(days=7))
    mark(next_week, a, S.ABSENT)
    d = person("学员D")
    enrol(d, w.elsewhere)
    far = session_on(w.elsewhere, w.today - dt.timedelta(days=8))
    mark(far, d, S.PRESENT)
    w.a, w.b, w.c, w.d = a, b, c, d
    return w


def rates(by, **kwargs):
    return {row["key"]: row for row in attendance_rates(by=by, **kwargs)}


def test_a_students_rate_leaves_out_leave_cancelled_and_future_sessions(w):
    by_person = rates("person")

    a = by_person[w.a.pk]
    assert (a["present"], a["late"], a["leave"], a["absent"]) == (1, 1, 1, 1)
    assert a["counted"] == 3 and a["rate"] == pytest.approx(2 / 3)
    assert by_person[w.b.pk]["rate"] == pytest.approx(3 / 4)
    assert by_person[w.d.pk]["rate"] == 1.0


def test_someone_only_on_leave_has_no_rate_rather_than_zero(w):
    c = rates("person")[w.c.pk]

    assert c["leave"] == 1 and c["counted"] == 0
    assert c["rate"] is None


def test_rates_per_class_teacher_campus_and_term(w):
    assert rates("section")[w.section.pk]["rate"] == pytest.approx(5 / 7)
    assert rates("section")[w.elsewhere.pk]["rate"] == 1.0
    assert rates("teacher")[w.teacher.pk]["rate"] == pytest.approx(5 / 7)
    assert rates("teacher")[w.other_teacher.pk]["counted"] == 1
    assert rates("campus")[w.campus.pk]["rate"] == pytest.approx(5 / 7)
    assert rates("campus")[w.far_campus.pk]["rate"] == 1.0
    term = rates("term")[w.term.pk]
    assert (term["attended"], term["counted"]) == (6, 8)
    assert term["rate"] == pytest.approx(0.75)


def test_a_class_with_two_teachers_counts_for_both(w):
    w.section.teachers.add(w.other_teacher)

    by_teacher = rates("teacher")

    assert by_teacher[w.teacher.pk]["counted"] == 7
    assert by_teacher[w.other_teacher.pk]["counted"] == 8


def test_rates_are_scoped_to_the_sections_given(w):
    from courses.models import Section

    mine = Section.objects.filter(pk=w.elsewhere.pk)

    assert set(rates("person", sections=mine)) == {w.d.pk}
    total = attendance_rate(records=counted_attendance(sections=mine))
    assert (total["attended"], total["counted"], total["rate"]) == (1, 1, 1.0)


def test_one_query_per_grouping_however_many_rows(w):
    with CaptureQueriesContext(connection) as queries:
        rows = list(attendance_rates(by="person"))
    assert len(rows) == 4 and len(queries) == 1


def test_nothing_counted_gives_no_rate(w):
    total = attendance_rate(records=Attendance.objects.none())

    assert total["counted"] == 0 and total["rate"] is None


def test_weekly_rates_per_campus_group_by_local_week(w):
    now = timezone.now()
    rows = list(weekly_campus_rates(weeks=4, now=now))

    by_campus = {}
    for row in rows:
        by_campus.setdefault(row["campus"], []).append(row)
    main = by_campus[w.campus.pk]
    assert sum(row["counted"] for row in main) == 7
    assert sum(row["attended"] for row in main) == 5
    assert len({row["week"] for row in rows}) == len({
        day - dt.timedelta(days=day.weekday())
        for day in [w.today - dt.timedelta(days=n) for n in (10, 9, 8, 7)]})
    assert all(timezone.localtime(row["week"]).weekday() == 0 for row in rows)
