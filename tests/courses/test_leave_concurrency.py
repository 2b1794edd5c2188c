"""Approving leave while the teacher taps "present" for the same student
(she came after all) keeps her present, with real threads on the database
of the run.

First the race is shown to exist with the attendance row read without its
lock (on PostgreSQL: the approval decides on the mark it read before the
teacher's tap, and writes leave over "present"), then the lock is shown to
close it: the approval decides after locking the row, whether it is held
up before or after taking the lock."""

import itertools
import threading
import time
import uuid

import pytest
from django.utils import timezone

from courses.models import Attendance, AttendanceLogEntry, LeaveRequest
from courses.services import attendance as service
from courses.services.attendance import attendance_mark
from courses.services.leave import leave_request_decide
from tests.courses.test_attendance_concurrency import make_world, run_together

pytestmark = pytest.mark.django_db(transaction=True)

# Set in the approval's thread only: the teacher's tap is never held up.
_approval = threading.local()
PAUSE = 0.5


def _held_up() -> bool:
    return getattr(_approval, "slow", False)


def world_with_pending_leave():
    """Today's class; the student was marked absent at the start of the
    roll call and has a pending leave request for it."""
    w = make_world()
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    w.leave = LeaveRequest.objects.create(session=w.session, person=w.student,
                                          reason="去医院复查", requested_by=w.student)
    return w


def approve_and_tap(w):
    """The campus admin approves (held up by ``PAUSE`` in the attendance
    service) while the teacher taps "present" a moment later."""

    def approve():
        _approval.slow = True
        return leave_request_decide(leave_request=w.leave, approve=True, actor=w.campus_admin)

    def tap_present():
        time.sleep(PAUSE / 5)
        return attendance_mark(session=w.session, person=w.student, status="present",
                               actor=w.teacher, tap_id=uuid.uuid4())

    _results, errors = run_together([approve, tap_present])
    assert not errors


def final_status(w) -> str:
    return Attendance.objects.get(session=w.session, person=w.student).status


@pytest.mark.postgres
def test_without_the_row_lock_an_approval_writes_leave_over_present(monkeypatch):
    w = world_with_pending_leave()

    def unlocked_read(session, person):
        record = Attendance.objects.filter(session_id=session.pk, person_id=person.pk).first()
        if _held_up():
            time.sleep(PAUSE)  # the teacher's tap is saved meanwhile
        return record

    monkeypatch.setattr(service, "_lock_record", unlocked_read)
    approve_and_tap(w)
    assert final_status(w) == "leave"  # the race exists: the lock below is what closes it


@pytest.mark.parametrize("pause", ["before the lock", "after the lock"])
def test_approving_leave_while_the_teacher_taps_present_keeps_her_present(monkeypatch, pause):
    w = world_with_pending_leave()
    lock_record = service._lock_record

    def slow_lock(session, person):
        if _held_up() and pause == "before the lock":
            time.sleep(PAUSE)
        record = lock_record(session, person)
        if _held_up() and pause == "after the lock":
            time.sleep(PAUSE)
        return record

    monkeypatch.setattr(service, "_lock_record", slow_lock)
    approve_and_tap(w)
    assert final_status(w) == "present"
    w.leave.refresh_from_db()
    assert w.leave.status == "approved" and w.leave.decided_at <= timezone.now()
    # The audit trail tells the same story: each change starts where the
    # last one ended, and the last one is the teacher's "present".
    trail = list(AttendanceLogEntry.objects.filter(person=w.student, data__has_key="to")
                 .order_by("id").values_list("data", flat=True))
    assert trail[-1]["to"] == "present"
    assert all(after["from"] == before["to"] for before, after in itertools.pairwise(trail))
