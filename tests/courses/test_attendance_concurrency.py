"""A tap is applied once however often it arrives at the same moment (a
phone retrying on a weak connection while the first request is still
running), with real threads on the database of the run.

First the race is shown to exist with the row lock turned off (on
PostgreSQL: both requests read the record before either writes, and the
tap is applied twice), then the lock is shown to close it: exactly one
audit row per tap, one record per person, and an audit trail whose
"from" is always the previous "to"."""

import itertools
import threading
import time
import uuid

import pytest
from django.db import connections

from courses.models import Attendance, AttendanceLogEntry
from courses.services import attendance as service
from courses.services.attendance import attendance_mark
from courses.services.locking import LockBusy
from tests.courses.attendance_world import make_world as _make_world
from tests.courses.test_enrolment_concurrency import restore_page_tree_root

pytestmark = pytest.mark.django_db(transaction=True)

THREADS = 12


def make_world():
    restore_page_tree_root()
    return _make_world()


def run_together(jobs):
    """Run each job in its own thread, all released at once; a busy lock
    is retried as the phone would. Returns (results, errors)."""
    barrier = threading.Barrier(len(jobs))
    results, errors = [], []

    def worker(job):
        try:
            barrier.wait(timeout=60)
            for _try in range(50):
                try:
                    results.append(job())
                    return
                except LockBusy:
                    time.sleep(0.05)
            errors.append(RuntimeError("still busy after 50 tries"))
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool)
    return results, errors


def same_tap(w, tap, status="present"):
    return [lambda: attendance_mark(session=w.session, person=w.student, status=status,
                                    actor=w.teacher, tap_id=tap)
            for _ in range(THREADS)]


def unlocked_read(session, person):
    """The record read without a lock, with a pause that lets every
    request read it before any writes (the race made visible)."""
    record = Attendance.objects.filter(session_id=session.pk, person_id=person.pk).first()
    time.sleep(0.2)
    return record


@pytest.mark.postgres
def test_without_the_row_lock_a_retried_tap_is_applied_twice(monkeypatch):
    w = make_world()
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    monkeypatch.setattr(service, "_lock_record", unlocked_read)
    _results, errors = run_together(same_tap(w, uuid.uuid4()))
    assert not errors
    applied = AttendanceLogEntry.objects.filter(person=w.student, data__to="present").count()
    assert applied > 1  # the race exists: the lock below is what closes it


def test_a_tap_arriving_many_times_at_once_is_applied_once():
    w = make_world()
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    tap = uuid.uuid4()
    results, errors = run_together(same_tap(w, tap))
    assert not errors
    assert sum(changed for _record, changed in results) == 1
    assert AttendanceLogEntry.objects.filter(person=w.student, data__tap=str(tap)).count() == 1
    assert Attendance.objects.get(person=w.student).status == "present"


def test_first_taps_at_once_make_one_record_and_one_audit_row():
    w = make_world()
    results, errors = run_together(same_tap(w, uuid.uuid4(), status="late"))
    assert not errors
    assert Attendance.objects.filter(session=w.session, person=w.student).count() == 1
    assert sum(changed for _record, changed in results) == 1
    assert AttendanceLogEntry.objects.filter(person=w.student).count() == 1


def test_different_taps_at_once_leave_a_consistent_audit_trail():
    w = make_world()
    statuses = ["present", "late", "absent", "leave"] * (THREADS // 4)
    jobs = [(lambda s=s: attendance_mark(session=w.session, person=w.student, status=s,
                                         actor=w.teacher, tap_id=uuid.uuid4()))
            for s in statuses]
    _results, errors = run_together(jobs)
    assert not errors
    trail = list(AttendanceLogEntry.objects.filter(person=w.student).order_by("id")
                 .values_list("data", flat=True))
    assert trail[0]["from"] is None
    for before, after in itertools.pairwise(trail):
        assert after["from"] == before["to"]
    assert Attendance.objects.get(person=w.student).status == trail[-1]["to"]
