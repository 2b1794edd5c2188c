"""The demo shows attendance (issue 5): a mark for every enrolled student at
every class of the current term held before today, mostly present, each
with its audit row; leave requests pending, approved and refused; two
students absent three times in a row, reported to their campus admin;
the demo teacher has a class open for roll call and check-in today, at
any time of day. A second seed writes nothing."""

import datetime
from io import StringIO

import pytest
from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils import timezone

from courses import demo_attendance
from courses.attendance_selectors import sessions_on
from courses.demo_content import (
    DEMO_CAMPUS_ADMIN_PHONE,
    DEMO_STUDENT_PHONE,
    DEMO_TEACHER_PHONE,
)
from courses.models import (
    Attendance,
    AttendanceLogEntry,
    ClassSession,
    Enrolment,
    LeaveRequest,
    Section,
)
from courses.services.absence_flags import absence_streaks
from courses.services.attendance_stats import attendance_rate, counted_attendance
from courses.services.checkin import attendance_check_in
from courses.services.checkin_tokens import checkin_open, checkin_token_check, checkin_token_make
from courses.services.session_changes import session_move_clashes
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
    assert ("this run 0 marks, 0 past leave requests, 0 coming ones, 0 absence notices, "
            "no make-up class added today") in out.getvalue()




# --- Today's class: the demo teacher always has one to call ------------------------
# His classes (周一、周三 08:30 and 14:00, 周二、周五 14:00, 周六 08:30) on
# days of the demo term, at fixed times: 11 December 2026 is a Friday.

def at(day: int, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime(2026, 12, day, hour, minute, tzinfo=timezone.get_current_timezone())


def hm(value: datetime.datetime) -> str:
    return f"{timezone.localtime(value):%H:%M}"


@pytest.fixture
def teacher(term):
    return User.objects.get(phone=DEMO_TEACHER_PHONE)


def his_sessions(teacher, day: datetime.date):
    return [s for s in sessions_on(teacher, day) if s.section.teachers.filter(pk=teacher.pk)
            and s.status == ClassSession.Status.SCHEDULED]


def test_in_the_morning_a_make_up_class_with_the_demo_student_starts_within_minutes(
        term, teacher):
    now = at(11, 10, 14)

    session = demo_attendance.today_class_ensure(term=term, now=now)

    # Its room, 书画二室, is free from 10:30 (a class there ends then).
    assert (hm(session.starts_at), hm(session.ends_at)) == ("10:30", "12:30")
    assert session.slot is None and session.change_note == "补课"
    assert session.origin_date == datetime.date(2026, 12, 11)
    assert str(session.section) == "书法入门班 周一、周三下午班"
    assert session.section.term == term and session.room.name == "书画二室"
    assert checkin_open(starts_at=session.starts_at, ends_at=session.ends_at, now=now)
    assert Enrolment.objects.filter(section=session.section, person__phone=DEMO_STUDENT_PHONE,
                                    status=Enrolment.Status.ENROLLED).exists()


def test_the_teacher_sees_it_among_the_days_classes_with_his_students_to_call(
        client, term, teacher):
    session = demo_attendance.today_class_ensure(term=term, now=at(11, 10, 14))
    client.force_login(teacher)

    day = client.get(reverse("courses:roll_call_today") + "?day=2026-12-11").content.decode()
    roll = client.get(reverse("courses:roll_call", args=[session.pk])).content.decode()

    assert "书法入门班 · 周一、周三下午班" in day and "10:30–12:30" in day
    assert reverse("courses:roll_call", args=[session.pk]) in day
    enrolled = User.objects.filter(enrolments__section=session.section,
                                   enrolments__status=Enrolment.Status.ENROLLED)
    assert enrolled.count() > 20
    assert all(person.display_name in roll for person in enrolled)
    assert "王秀英" in roll


def test_the_demo_student_checks_in_by_qr_code_at_the_make_up_class(term, teacher):
    now = at(11, 10, 14)
    session = demo_attendance.today_class_ensure(term=term, now=now)
    mother = User.objects.get(phone=DEMO_STUDENT_PHONE)

    token = checkin_token_make(session_id=session.pk, now=now)
    checkin_token_check(token, session_id=session.pk, starts_at=session.starts_at,
                        ends_at=session.ends_at, now=now)
    record, changed = attendance_check_in(session=session, person=mother, arrived_at=now,
                                          now=now)

    assert changed and record.status == S.PRESENT and record.method == Attendance.Method.QR


@pytest.mark.parametrize("now", [
    at(11, 10, 14),  # Friday morning: nothing of his until 14:00
    at(11, 13, 0),  # half an hour before his 14:00 class opens
    at(11, 13, 40),  # his 14:00 class is open for check-in
    at(12, 8, 10),  # Saturday: his 08:30 class is open
    at(13, 6, 5),  # Sunday, early
    at(13, 23, 50),  # Sunday, late in the evening
    at(14, 0, 0),  # Monday, at midnight
    at(14, 10, 29),  # Monday, just before his 08:30 class ends
])
def test_at_any_time_of_day_he_has_a_class_today_open_for_roll_call_and_check_in(
        term, teacher, now):
    demo_attendance.today_class_ensure(term=term, now=now)

    today = his_sessions(teacher, timezone.localdate(now))
    assert any(checkin_open(starts_at=s.starts_at, ends_at=s.ends_at, now=now) for s in today)
    for session in today:
        assert timezone.localdate(session.starts_at) == timezone.localdate(now)
        others = [o for o in today if o.pk != session.pk]
        assert not any(o.starts_at < session.ends_at and session.starts_at < o.ends_at
                       for o in others), f"{session} overlaps another of his classes"


def test_cut_short_to_end_when_his_own_class_begins(term, teacher):
    session = demo_attendance.today_class_ensure(term=term, now=at(11, 13, 0))

    assert (hm(session.starts_at), hm(session.ends_at)) == ("13:00", "14:00")


def test_no_make_up_class_when_one_of_his_classes_is_open_already(term, teacher):
    before = ClassSession.objects.count()

    assert demo_attendance.today_class_ensure(term=term, now=at(12, 8, 10)) is None
    assert ClassSession.objects.count() == before


def test_late_in_the_evening_it_started_earlier_and_runs_until_midnight(term, teacher):
    now = at(13, 23, 50)

    session = demo_attendance.today_class_ensure(term=term, now=now)

    assert (hm(session.starts_at), hm(session.ends_at)) == ("22:00", "00:00")
    assert session.ends_at == at(14, 0, 0)
    assert session in sessions_on(teacher, datetime.date(2026, 12, 13))
    assert checkin_open(starts_at=session.starts_at, ends_at=session.ends_at, now=now)


def test_another_room_of_the_campus_when_the_class_room_is_taken(term, teacher):
    section = demo_attendance._current_term().sections.get(
        teachers=teacher, name="周一、周三下午班")
    other = Section.objects.filter(term=term, campus=section.campus).exclude(
        teachers=teacher).first()
    ClassSession.objects.create(section=other, origin_date=datetime.date(2026, 12, 11),
                                starts_at=at(11, 10), ends_at=at(11, 11, 30),
                                room=section.room, change_note="补课")

    session = demo_attendance.today_class_ensure(term=term, now=at(11, 10, 14))

    assert session.section == section
    assert session.room is not None and session.room != section.room
    assert session.room.name.startswith("书画")  # where calligraphy and painting are taught
    assert session.room.campus_id == section.campus_id
    assert not session_move_clashes(session=session, starts_at=session.starts_at,
                                     ends_at=session.ends_at, room=session.room,
                                     teacher_ids=[teacher.pk])


def test_seeding_again_the_same_day_adds_nothing_and_a_later_day_adds_its_own(term, teacher):
    first = demo_attendance.today_class_ensure(term=term, now=at(11, 10, 14))
    count = ClassSession.objects.count()

    assert demo_attendance.today_class_ensure(term=term, now=at(11, 10, 14)) is None
    assert demo_attendance.today_class_ensure(term=term, now=at(11, 16, 30)) is None
    assert ClassSession.objects.count() == count
    later = demo_attendance.today_class_ensure(term=term, now=at(12, 11, 0))

    assert later is not None and later.pk != first.pk
    assert (later.origin_date, hm(later.starts_at)) == (datetime.date(2026, 12, 12), "11:00")


def test_the_coming_leave_requests_leave_the_make_up_class_alone(term, teacher):
    now = at(11, 10, 14)
    session = demo_attendance.today_class_ensure(term=term, now=now)

    demo_attendance.coming_leave_ensure(term=term, now=now)

    assert demo_attendance.coming_leave_ensure(term=term, now=now) == 0
    assert not LeaveRequest.objects.filter(session=session).exists()


def test_the_seed_says_when_the_make_up_class_starts(term, teacher):
    out = StringIO()

    demo_attendance.seed(out, now=at(11, 10, 14))

    assert "a make-up class today at 10:30" in out.getvalue()
