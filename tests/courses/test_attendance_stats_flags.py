"""Three absences in a row without leave are flagged to the campus admins of
the class's campus by a celery beat job, once per streak."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Attendance, ClassSession, Enrolment, LeaveRequest
from courses.services.absence_flags import absence_streaks
from courses.tasks import flag_absence_streaks
from lms.notifications.models import Notification
from tests.courses.attendance_world import make_world, session_on

pytestmark = pytest.mark.django_db

S = Attendance.Status


def mark(session, who, status):
    return Attendance.objects.create(session=session, person=who, status=status,
                                     method=Attendance.Method.TAP)


@pytest.fixture
def w():
    w = make_world(students=3)
    w.past = [session_on(w.section, w.today - dt.timedelta(days=n)) for n in range(20, 10, -1)]
    # Enrolled when the term began, before these sessions.
    Enrolment.objects.filter(section=w.section).update(enrolled_at=dt.datetime.combine(
        w.term.start_date, dt.time(8), timezone.get_current_timezone()))
    return w


def readmit(w, who, before):
    """``who`` lost their place and got it back on the morning of ``before``."""
    who.enrolments.filter(section=w.section).update(status=Enrolment.Status.WITHDRAWN)
    return Enrolment.objects.create(person=who, section=w.section,
                                    status=Enrolment.Status.ENROLLED,
                                    enrolled_at=before.starts_at - dt.timedelta(hours=2))


def marks(w, who, statuses):
    for session, status in zip(w.past, statuses, strict=False):
        if status:
            mark(session, who, status)


def notices(user):
    return Notification.objects.filter(recipient=user, dedupe_key__startswith="courses.absent3")


def test_three_absences_in_a_row_notify_the_campus_admin_once(w):
    marks(w, w.student, [S.PRESENT, S.ABSENT, S.ABSENT, S.ABSENT])

    assert flag_absence_streaks() == 1
    assert flag_absence_streaks() == 0

    notice = notices(w.campus_admin).get()
    assert w.student.display_name in notice.title
    assert "书法入门班" in notice.title
    assert notice.url.endswith(f"section={w.section.pk}&by=person")
    assert not notices(w.far_admin).exists()
    assert not notices(w.teacher).exists()
    assert not Notification.objects.filter(recipient=w.student).exists()


def test_a_fourth_absence_is_the_same_streak_and_a_new_streak_is_flagged_again(w):
    marks(w, w.student, [S.ABSENT, S.ABSENT, S.ABSENT])
    assert flag_absence_streaks() == 1

    mark(w.past[3], w.student, S.ABSENT)
    assert flag_absence_streaks() == 0

    marks(w, w.student, [None, None, None, None, S.PRESENT, S.ABSENT, S.ABSENT, S.ABSENT])
    assert flag_absence_streaks() == 1
    assert notices(w.campus_admin).count() == 2


def test_two_absences_or_a_break_by_leave_or_lateness_are_not_flagged(w):
    first, second, third = w.students
    marks(w, first, [S.ABSENT, S.ABSENT, S.PRESENT, S.ABSENT, S.ABSENT])
    marks(w, second, [S.ABSENT, S.ABSENT, S.LEAVE, S.ABSENT])
    marks(w, third, [S.ABSENT, S.LATE, S.ABSENT, S.ABSENT])

    assert absence_streaks() == []
    assert flag_absence_streaks() == 0


def test_an_absence_with_approved_leave_does_not_count(w):
    marks(w, w.student, [S.ABSENT, S.ABSENT, S.ABSENT])
    LeaveRequest.objects.create(person=w.student, session=w.past[1], reason="看病",
                                status=LeaveRequest.Status.APPROVED, decided_by=w.teacher,
                                decided_at=timezone.now())

    assert absence_streaks() == []


def test_unmarked_and_cancelled_sessions_neither_break_nor_count(w):
    marks(w, w.student, [S.ABSENT, None, S.ABSENT, S.ABSENT, S.ABSENT])
    other = w.students[1]
    marks(w, other, [S.ABSENT, S.ABSENT, S.ABSENT])
    ClassSession.objects.filter(pk=w.past[2].pk).update(status=ClassSession.Status.CANCELLED)

    streaks = absence_streaks()

    assert [(s.person_id, s.last_session_id) for s in streaks] == [(w.student.pk, w.past[4].pk)]


def test_a_student_who_left_the_class_is_not_flagged(w):
    marks(w, w.student, [S.ABSENT, S.ABSENT, S.ABSENT])
    w.student.enrolments.update(status="withdrawn")

    assert absence_streaks() == []


def test_absences_before_a_readmission_do_not_count(w):
    marks(w, w.student, [S.ABSENT, S.ABSENT])
    readmit(w, w.student, before=w.past[4])
    mark(w.past[4], w.student, S.ABSENT)
    mark(w.past[5], w.student, S.ABSENT)

    assert absence_streaks() == []
    assert flag_absence_streaks() == 0


def test_a_new_streak_after_a_readmission_is_flagged_again(w):
    marks(w, w.student, [S.ABSENT, S.ABSENT, S.ABSENT])
    assert flag_absence_streaks() == 1

    readmit(w, w.student, before=w.past[5])
    for session in w.past[5:8]:
        mark(session, w.student, S.ABSENT)

    assert [s.last_session_id for s in absence_streaks()] == [w.past[7].pk]
    assert flag_absence_streaks() == 1
    assert notices(w.campus_admin).count() == 2


def test_the_job_runs_on_a_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["courses.flag_absence_streaks"]

    assert entry["task"] == "courses.flag_absence_streaks"
    assert flag_absence_streaks.name == "courses.flag_absence_streaks"
