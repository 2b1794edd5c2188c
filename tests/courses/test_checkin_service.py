"""The QR check-in write: present or late by the time of the scan, one
check-in per person and session (a second one changes nothing, even later
on), an absent or leave mark turned into present, and the attendance
service's refusals."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses.models import Attendance, AttendanceLogEntry
from courses.services.attendance import attendance_mark
from courses.services.checkin import LATE_AFTER, attendance_check_in, checkin_status
from tests.courses.attendance_world import make_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def after_start(w, minutes):
    return w.session.starts_at + dt.timedelta(minutes=minutes)


def test_late_is_more_than_a_quarter_of_an_hour_after_the_start():
    start = dt.datetime(2026, 11, 27, 1, 0, tzinfo=dt.UTC)
    assert dt.timedelta(minutes=15) == LATE_AFTER
    assert checkin_status(starts_at=start, arrived_at=start - dt.timedelta(minutes=20)) == "present"
    assert checkin_status(starts_at=start, arrived_at=start + LATE_AFTER) == "present"
    assert checkin_status(starts_at=start, arrived_at=start + LATE_AFTER
                          + dt.timedelta(seconds=1)) == "late"


def test_a_check_in_is_recorded_once_and_never_changed_by_a_later_one(w):
    record, changed = attendance_check_in(session=w.session, person=w.student,
                                          arrived_at=after_start(w, 5), now=after_start(w, 5))
    assert changed and (record.status, record.method, record.recorded_by) == (
        "present", "qr", w.student)
    again, changed = attendance_check_in(session=w.session, person=w.student,
                                         arrived_at=after_start(w, 40), now=after_start(w, 40))
    assert not changed and again.pk == record.pk
    assert Attendance.objects.get().status == "present"
    assert AttendanceLogEntry.objects.count() == 1


@pytest.mark.parametrize("before", ["absent", "leave"])
def test_a_scan_turns_absent_or_leave_into_attended(w, before):
    attendance_mark(session=w.session, person=w.student, status=before, actor=w.teacher,
                    now=after_start(w, 0))
    record, changed = attendance_check_in(session=w.session, person=w.student,
                                          arrived_at=after_start(w, 20), now=after_start(w, 20))
    assert changed and (record.status, record.method) == ("late", "qr")
    entry = AttendanceLogEntry.objects.order_by("-pk").first()
    assert (entry.user, entry.data["from"], entry.data["to"]) == (w.student, before, "late")


@pytest.mark.parametrize(("session_name", "person_name", "code"), [
    ("cancelled", "student", "cancelled"),
    ("tomorrow", "student", "future"),
    ("session", "outsider", "not_enrolled"),
])
def test_the_attendance_service_refusals_hold(w, session_name, person_name, code):
    with pytest.raises(ValidationError) as raised:
        attendance_check_in(session=getattr(w, session_name), person=getattr(w, person_name),
                            arrived_at=after_start(w, 1), now=after_start(w, 1))
    assert raised.value.code == code
    assert not Attendance.objects.exists()
