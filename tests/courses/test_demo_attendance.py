"""The demo shows attendance (issue 5): a mark for every enrolled student at
every class of the current term held before today, mostly present, each
with its audit row; leave requests pending, approved and refused; two
students absent three times in a row, reported to their campus admin.
A second seed writes nothing."""

from io import StringIO

import pytest
from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from courses import demo_attendance
from courses.demo_content import (
    DEMO_CAMPUS_ADMIN_PHONE,
    DEMO_STUDENT_PHONE,
)
from courses.models import (
    Attendance,
    AttendanceLogEntry,
    ClassSession,
    Enrolment,
    LeaveRequest,
)
from courses.services.absence_flags import absence_streaks
from courses.services.attendance_stats import attendance_rate, counted_attendance
from lms.accounts.models import User
from lms.notifications.models import Notification

S = Attendance.Status


@pytest.fixture(scope="module")
def seeded(demo_seeded):
    """The demo, seeded once for the module (``demo_seeded``)."""


@pytest.fixture
def term(seeded, db):
    return demo_attendance._current_term()


def past_sessions(term):
    return demo_attendance._past_sessions(term, timezone.now())


def test_every_enrolled_student_has_a_mark_at_every_past_class(term):
    sessions = past_sessions(term)
    assert sessions.count() > 50
    expected = sum(
        Enrolment.objects.filter(section_id=session.section_id,
                                 status=Enrolment.Status.ENROLLED).count()
        for session in sessions.filter(pk__in=sessions.order_by("pk").values("pk")[:30]))
    got = Attendance.objects.filter(session__in=sessions.order_by("pk").values("pk")[:30]).count()
    assert got == expected
    assert not Attendance.objects.filter(
        session__section__term=term, session__status=ClassSession.Status.CANCELLED).exists()
    assert not Attendance.objects.filter(session__starts_at__date__gte=timezone.localdate(),
                                         method=Attendance.Method.TAP).exists()


def test_mostly_present_some_late_absent_and_on_leave(term):
    records = counted_attendance(sections=term.sections.all())
    total = attendance_rate(records=records)
    shares = {status: total[status] / (total["counted"] + total["leave"])
              for status in ("present", "late", "absent", "leave")}

    assert 0.8 < total["rate"] < 0.97
    assert 0.75 < shares["present"] < 0.92
    assert 0.02 < shares["late"] < 0.09
    assert 0.02 < shares["absent"] < 0.12
    assert 0.01 < shares["leave"] < 0.06


def test_each_mark_and_leave_decision_has_its_audit_row(term):
    marks = Attendance.objects.filter(session__section__term=term)
    logged = AttendanceLogEntry.objects.filter(action="courses.attendance.mark",
                                               session__section__term=term)
    assert logged.count() == marks.count()
    entry = logged.filter(data__to="late").select_related("user").first()
    assert entry.user is not None and entry.label
    decided = LeaveRequest.objects.filter(session__section__term=term).exclude(
        status__in=[LeaveRequest.Status.PENDING, LeaveRequest.Status.WITHDRAWN])
    assert AttendanceLogEntry.objects.filter(
        action__in=["courses.leave.approve", "courses.leave.refuse"],
        session__section__term=term).count() == decided.count()


def test_leave_requests_of_every_kind_and_approved_leave_is_a_leave_mark(term):
    requests = LeaveRequest.objects.filter(session__section__term=term)
    by_status = dict(requests.values_list("status").annotate(n=Count("pk")))

    assert by_status[LeaveRequest.Status.APPROVED] > 10
    assert by_status[LeaveRequest.Status.REFUSED] >= 2
    assert by_status[LeaveRequest.Status.PENDING] >= 2
    approved_past = requests.filter(status=LeaveRequest.Status.APPROVED,
                                    session__starts_at__lt=timezone.now())
    leave_mark = Attendance.objects.filter(session=OuterRef("session"),
                                           person=OuterRef("person"), status=S.LEAVE)
    assert not approved_past.filter(~Exists(leave_mark)).exists()
    assert all(r.created_at < r.decided_at < r.session.starts_at
               for r in approved_past.select_related("session")[:50])
    mother = User.objects.get(phone=DEMO_STUDENT_PHONE)
    assert requests.filter(person=mother, status=LeaveRequest.Status.PENDING,
                           session__starts_at__gt=timezone.now()).exists()


def test_two_students_absent_three_times_in_a_row_reported_to_their_campus_admin(term):
    streaks = absence_streaks()
    admin = User.objects.get(phone=DEMO_CAMPUS_ADMIN_PHONE)

    assert len(streaks) == 2
    notices = Notification.objects.filter(recipient=admin,
                                          dedupe_key__in=[s.dedupe_key for s in streaks])
    assert notices.count() == 2
    for streak in streaks:
        notice = notices.get(dedupe_key=streak.dedupe_key)
        assert User.objects.get(pk=streak.person_id).display_name in notice.body


def test_a_second_seed_writes_nothing(term):
    before = (Attendance.objects.count(), LeaveRequest.objects.count(),
              AttendanceLogEntry.objects.count(), Notification.objects.count())
    out = StringIO()

    demo_attendance.seed(out)

    after = (Attendance.objects.count(), LeaveRequest.objects.count(),
             AttendanceLogEntry.objects.count(), Notification.objects.count())
    assert after == before
    assert "this run 0 marks, 0 past leave requests, 0 coming ones, 0 absence notices" in \
        out.getvalue()


