"""Marking attendance: every status, the same tap twice, corrections with a
reason after the class day, refusals that save nothing, the audit row and
the ``attendance_changed`` signal after commit."""

import datetime as dt
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Attendance, AttendanceLogEntry, Enrolment
from courses.services.attendance import attendance_mark
from courses.signals import attendance_changed
from tests.courses.attendance_world import make_world

pytestmark = pytest.mark.django_db

Status = Attendance.Status


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    attendance_changed.connect(receiver)
    yield calls
    attendance_changed.disconnect(receiver)


def noon(day):
    return dt.datetime.combine(day, dt.time(12), timezone.get_current_timezone())


@pytest.mark.parametrize("status", ["present", "late", "leave", "absent"])
def test_each_status_is_recorded_with_an_audit_row(w, status, django_capture_on_commit_callbacks,
                                                   received):
    with django_capture_on_commit_callbacks(execute=True):
        _record, changed = attendance_mark(session=w.session, person=w.student, status=status,
                                          actor=w.teacher, tap_id=uuid.uuid4(),
                                          now=noon(w.today))
    assert changed
    row = Attendance.objects.get(session=w.session, person=w.student)
    assert (row.status, row.method, row.recorded_by) == (status, "tap", w.teacher)
    entry = AttendanceLogEntry.objects.get(person=w.student, session=w.session)
    assert entry.action == "courses.attendance.mark"
    assert entry.user_id == w.teacher.pk
    assert entry.data["from"] is None and entry.data["to"] == status
    assert len(received) == 1
    assert received[0]["old_status"] is None and received[0]["new_status"] == status
    assert received[0]["person"] == w.student and received[0]["session"].pk == w.session.pk


def test_the_same_tap_sent_twice_is_applied_once(w, received, django_capture_on_commit_callbacks):
    tap = uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        attendance_mark(session=w.session, person=w.student, status="present", actor=w.teacher,
                        tap_id=tap, now=noon(w.today))
        # The teacher then taps "late" ...
        attendance_mark(session=w.session, person=w.student, status="late", actor=w.teacher,
                        tap_id=uuid.uuid4(), now=noon(w.today))
        # ... and the last tap's retry arrives again: nothing changes.
        late_tap = Attendance.objects.get().last_tap
        _record, changed = attendance_mark(session=w.session, person=w.student, status="late",
                                          actor=w.teacher, tap_id=late_tap, now=noon(w.today))
    assert not changed
    assert Attendance.objects.get().status == "late"
    assert AttendanceLogEntry.objects.filter(person=w.student).count() == 2
    assert [c["new_status"] for c in received] == ["present", "late"]


def test_an_earlier_tap_arriving_late_is_not_applied_again(w, received,
                                                          django_capture_on_commit_callbacks):
    # Tap A (present), then tap B (absent); A's retry, held up on a weak
    # connection, arrives last: the teacher's latest tap stands.
    tap_a, tap_b = uuid.uuid4(), uuid.uuid4()
    with django_capture_on_commit_callbacks(execute=True):
        for tap, status in [(tap_a, "present"), (tap_b, "absent"), (tap_a, "present")]:
            _record, changed = attendance_mark(
                session=w.session, person=w.student, status=status, actor=w.teacher,
                tap_id=tap, now=noon(w.today))
    assert not changed
    assert Attendance.objects.get().status == "absent"
    assert AttendanceLogEntry.objects.filter(person=w.student).count() == 2
    assert [c["new_status"] for c in received] == ["present", "absent"]


def test_a_retried_first_tap_does_not_write_a_second_row_or_audit(w):
    tap = str(uuid.uuid4())
    first = attendance_mark(session=w.session, person=w.student, status="absent",
                            actor=w.teacher, tap_id=tap, now=noon(w.today))
    again = attendance_mark(session=w.session, person=w.student, status="absent",
                            actor=w.teacher, tap_id=tap, now=noon(w.today))
    assert first[1] and not again[1]
    assert Attendance.objects.count() == 1
    assert AttendanceLogEntry.objects.count() == 1


def test_changing_a_mark_on_the_day_needs_no_reason(w):
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher,
                    now=noon(w.today))
    record, changed = attendance_mark(session=w.session, person=w.student, status="late",
                                      actor=w.teacher, now=noon(w.today))
    assert changed and record.status == "late" and record.method == "tap"
    entry = AttendanceLogEntry.objects.order_by("-id").first()
    assert entry.data["from"] == "absent" and entry.data["to"] == "late"


def test_a_correction_after_the_class_day_needs_a_reason(w, received,
                                                         django_capture_on_commit_callbacks):
    attendance_mark(session=w.yesterday, person=w.student, status="absent", actor=w.teacher,
                    now=noon(w.today - dt.timedelta(days=1)))
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=w.yesterday, person=w.student, status="present",
                        actor=w.campus_admin, now=noon(w.today))
    assert refused.value.code == "reason_needed"
    assert Attendance.objects.get().status == "absent"

    with django_capture_on_commit_callbacks(execute=True):
        record, changed = attendance_mark(
            session=w.yesterday, person=w.student, status="present", actor=w.campus_admin,
            reason="  学员在签到表上签了名  ", now=noon(w.today))
    assert changed
    assert (record.status, record.method, record.recorded_by) == (
        "present", "correction", w.campus_admin)
    entry = AttendanceLogEntry.objects.order_by("-id").first()
    assert entry.action == "courses.attendance.correct"
    assert entry.user_id == w.campus_admin.pk
    assert entry.data == {"from": "absent", "to": "present", "method": "correction",
                          "reason": "学员在签到表上签了名", "tap": ""}
    assert received[-1]["old_status"] == "absent" and received[-1]["new_status"] == "present"


def test_a_first_mark_after_the_day_needs_no_reason(w):
    record, changed = attendance_mark(session=w.yesterday, person=w.student, status="present",
                                      actor=w.teacher, method="register", now=noon(w.today))
    assert changed and record.method == "register"


def test_a_future_session_cannot_be_marked(w):
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=w.tomorrow, person=w.student, status="present",
                        actor=w.teacher, now=noon(w.today))
    assert refused.value.code == "future"
    assert not Attendance.objects.exists()


def test_a_cancelled_session_cannot_be_marked(w):
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=w.cancelled, person=w.student, status="present",
                        actor=w.teacher, now=noon(w.today))
    assert refused.value.code == "cancelled"
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("enrolment_status", [None, "waitlisted", "withdrawn"])
def test_only_enrolled_students_can_be_marked(w, enrolment_status):
    if enrolment_status:
        Enrolment.objects.create(person=w.outsider, section=w.section, status=enrolment_status)
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=w.session, person=w.outsider, status="present",
                        actor=w.teacher, now=noon(w.today))
    assert refused.value.code == "not_enrolled"
    assert not Attendance.objects.exists()
    assert not AttendanceLogEntry.objects.exists()


def test_a_student_who_left_later_keeps_a_correctable_mark(w):
    attendance_mark(session=w.yesterday, person=w.student, status="absent", actor=w.teacher,
                    now=noon(w.today - dt.timedelta(days=1)))
    Enrolment.objects.filter(person=w.student).update(status="withdrawn")
    record, changed = attendance_mark(session=w.yesterday, person=w.student, status="leave",
                                      actor=w.campus_admin, reason="补交假条",
                                      now=noon(w.today))
    assert changed and record.status == "leave"


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"status": "asleep"}, "status"),
    ({"status": "present", "method": "telepathy"}, "method"),
    ({"status": "present", "tap_id": "not-a-uuid"}, "tap_id"),
    ({"status": "present", "method": "correction"}, "reason_needed"),
])
def test_bad_input_is_refused_and_saves_nothing(w, kwargs, code):
    with pytest.raises(ValidationError) as refused:
        attendance_mark(session=w.session, person=w.student, actor=w.teacher,
                        now=noon(w.today), **kwargs)
    assert refused.value.code == code
    assert not Attendance.objects.exists()


def test_the_service_refuses_to_run_inside_another_transaction(w):
    from django.db import transaction

    # Durable: a caller's transaction could roll back after the signal.
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        attendance_mark(session=w.session, person=w.student, status="present",
                        actor=w.teacher, now=noon(w.today))
    assert not Attendance.objects.exists()


def test_the_audit_row_reads_well_in_wagtails_history(w):
    from django.utils import translation
    from wagtail.log_actions import registry

    attendance_mark(session=w.session, person=w.student, status="late", actor=w.teacher,
                    now=noon(w.today))
    entry = AttendanceLogEntry.objects.get()
    assert w.student.display_name in entry.label and "书法入门班" in entry.label
    assert list(registry.get_logs_for_instance(Attendance.objects.get())) == [entry]
    with translation.override("en"):
        assert entry.message == "Attendance recorded"
        assert registry.get_action_label("courses.leave.approve") == "Leave approved"
