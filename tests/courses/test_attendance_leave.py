"""Leave requests (请假): asked before the class, once; approved or refused
by staff; approval marks the attendance as leave (not an absence) and the
student is told; withdrawn before the class."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from courses.models import Attendance, AttendanceLogEntry, LeaveRequest
from courses.services.attendance import attendance_mark
from courses.services.leave import (
    leave_request_create,
    leave_request_decide,
    leave_request_withdraw,
)
from lms.notifications.models import Notification
from tests.courses.attendance_world import make_world
from tests.courses.enrolment_fixtures import proxy_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def early(day):
    """07:00 on ``day``: before its 09:00 class."""
    return dt.datetime.combine(day, dt.time(7), timezone.get_current_timezone())


def ask(w, session=None, **kwargs):
    kwargs.setdefault("reason", "去医院复查")
    kwargs.setdefault("actor", w.student)
    return leave_request_create(session=session or w.tomorrow, person=w.student,
                                now=kwargs.pop("now", timezone.now()), **kwargs)


def test_a_student_asks_leave_for_a_coming_class(w):
    _request, created = ask(w, reason="  去医院\n复查 ")
    assert created
    row = LeaveRequest.objects.get()
    assert (row.person, row.session, row.reason, row.status, row.requested_by) == (
        w.student, w.tomorrow, "去医院 复查", "pending", w.student)
    entry = AttendanceLogEntry.objects.get()
    assert (entry.action, entry.person_id, entry.session_id) == (
        "courses.leave.request", w.student.pk, w.tomorrow.pk)


def test_asking_twice_keeps_one_request(w):
    first, _ = ask(w)
    second, created = ask(w, reason="另一个理由")
    assert not created and second.pk == first.pk
    assert LeaveRequest.objects.count() == 1
    assert LeaveRequest.objects.get().reason == "去医院复查"


@pytest.mark.parametrize(("case", "code"), [
    ("empty reason", "no_reason"),
    ("long reason", "reason_too_long"),
    ("started", "started"),
    ("cancelled", "cancelled"),
    ("not enrolled", "not_enrolled"),
])
def test_leave_is_refused_with_a_reason_and_nothing_saved(w, case, code):
    kwargs = {"session": w.tomorrow}
    if case == "empty reason":
        kwargs["reason"] = "   "
    elif case == "long reason":
        kwargs["reason"] = "病" * 201
    elif case == "started":
        kwargs["session"] = w.yesterday
    elif case == "cancelled":
        kwargs["session"] = w.cancelled
        kwargs["now"] = early(w.today)
    with pytest.raises(ValidationError) as refused:
        if case == "not enrolled":
            leave_request_create(session=w.tomorrow, person=w.outsider, reason="有事",
                                 actor=w.outsider)
        else:
            ask(w, **kwargs)
    assert refused.value.code == code
    assert not LeaveRequest.objects.exists()


def test_approval_marks_leave_and_tells_the_student(w, django_capture_on_commit_callbacks):
    request, _ = ask(w)
    with django_capture_on_commit_callbacks(execute=True):
        decided, changed = leave_request_decide(leave_request=request, approve=True,
                                                actor=w.teacher)
    assert changed and decided.status == "approved" and decided.decided_by == w.teacher
    mark = Attendance.objects.get(session=w.tomorrow, person=w.student)
    assert (mark.status, mark.method) == ("leave", "leave")
    notice = Notification.objects.get(recipient=w.student)
    assert notice.kind == "leave_decision"
    assert "书法入门班" in notice.title
    actions = set(AttendanceLogEntry.objects.values_list("action", flat=True))
    assert actions == {"courses.leave.request", "courses.leave.approve",
                       "courses.attendance.mark"}


def test_approving_twice_changes_nothing_and_notifies_once(w, django_capture_on_commit_callbacks):
    request, _ = ask(w)
    with django_capture_on_commit_callbacks(execute=True):
        leave_request_decide(leave_request=request, approve=True, actor=w.teacher)
        _again, changed = leave_request_decide(leave_request=request, approve=True,
                                               actor=w.campus_admin)
    assert not changed
    assert LeaveRequest.objects.get().decided_by == w.teacher
    assert Notification.objects.filter(recipient=w.student).count() == 1


def test_refusal_marks_nothing_and_tells_the_student_and_the_family_member(
        w, django_capture_on_commit_callbacks):
    daughter = make_daughter(w)
    request, _ = leave_request_create(session=w.tomorrow, person=w.student, reason="家里有事",
                                      actor=daughter)
    with django_capture_on_commit_callbacks(execute=True):
        leave_request_decide(leave_request=request, approve=False, actor=w.campus_admin)
    assert LeaveRequest.objects.get().status == "refused"
    assert not Attendance.objects.exists()
    assert Notification.objects.get(recipient=w.student).kind == "leave_decision"
    assert w.student.display_name in Notification.objects.get(recipient=daughter).body
    with pytest.raises(ValidationError) as refused:
        leave_request_decide(leave_request=request, approve=True, actor=w.teacher)
    assert refused.value.code == "decided"


def make_daughter(w):
    from tests.courses.attendance_world import person

    daughter = person("王女儿")
    proxy_link(w.student, daughter)
    return daughter


def test_leave_approved_after_the_class_turns_an_absence_into_leave(w):
    request, _ = ask(w, session=w.session, now=early(w.today))
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    leave_request_decide(leave_request=request, approve=True, actor=w.teacher)
    assert Attendance.objects.get(session=w.session, person=w.student).status == "leave"


def test_leave_approved_for_someone_who_came_keeps_them_present(w):
    request, _ = ask(w, session=w.session, now=early(w.today))
    attendance_mark(session=w.session, person=w.student, status="present", actor=w.teacher)
    leave_request_decide(leave_request=request, approve=True, actor=w.teacher)
    assert Attendance.objects.get(session=w.session, person=w.student).status == "present"


def test_withdrawing_an_approved_request_removes_its_leave_mark(w):
    request, _ = ask(w)
    leave_request_decide(leave_request=request, approve=True, actor=w.teacher)
    withdrawn, changed = leave_request_withdraw(leave_request=request, actor=w.student)
    assert changed and withdrawn.status == "withdrawn"
    assert not Attendance.objects.exists()
    assert AttendanceLogEntry.objects.filter(action="courses.leave.withdraw").exists()
    # A new request may be made again (the old one is no longer live).
    _new, created = ask(w)
    assert created


def test_a_request_cannot_be_withdrawn_once_the_class_started(w):
    request, _ = ask(w, session=w.session, now=early(w.today))
    with pytest.raises(ValidationError) as refused:
        leave_request_withdraw(leave_request=request, actor=w.student,
                               now=early(w.today) + dt.timedelta(hours=3))
    assert refused.value.code == "started"
    assert LeaveRequest.objects.get().status == "pending"
