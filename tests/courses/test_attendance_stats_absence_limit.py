"""The optional per-term rule: N absences without leave from one class give
the place to the waiting list (the next person is enrolled), once; approved
leave, lateness and terms without a limit give nothing away."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Attendance, Enrolment, EnrolmentLogEntry, LeaveRequest
from courses.services.absence_limit import over_absence_limit
from courses.tasks import release_absent_places
from tests.courses.attendance_world import enrol, make_world, person, session_on

pytestmark = pytest.mark.django_db

S = Attendance.Status


def mark(session, who, status):
    Attendance.objects.create(session=session, person=who, status=status,
                              method=Attendance.Method.TAP)


@pytest.fixture
def w():
    w = make_world(students=2)
    w.term.absence_limit = 3
    w.term.save()
    w.past = [session_on(w.section, w.today - dt.timedelta(days=n)) for n in range(12, 6, -1)]
    w.section.capacity = 2
    w.section.save()
    w.waiting = person("候补学员")
    enrol(w.waiting, w.section, status=Enrolment.Status.WAITLISTED)
    return w


def status_of(who, section):
    return Enrolment.objects.get(person=who, section=section).status


def test_the_third_absence_gives_the_place_to_the_waiting_list(w, django_capture_on_commit_callbacks):
    for session in w.past[:2]:
        mark(session, w.student, S.ABSENT)
    mark(w.past[2], w.student, S.PRESENT)
    assert release_absent_places() == 0

    mark(w.past[4], w.student, S.ABSENT)
    with django_capture_on_commit_callbacks(execute=True):
        assert release_absent_places() == 1

    assert status_of(w.student, w.section) == Enrolment.Status.WITHDRAWN
    assert status_of(w.waiting, w.section) == Enrolment.Status.ENROLLED
    entry = EnrolmentLogEntry.objects.filter(action="courses.enrolment.withdraw").get()
    assert entry.user is None and "3" in entry.data["reason"]
    assert release_absent_places() == 0


def test_approved_leave_and_lateness_do_not_count(w):
    for session in w.past[:3]:
        mark(session, w.student, S.ABSENT)
    LeaveRequest.objects.create(person=w.student, session=w.past[0], reason="住院",
                                status=LeaveRequest.Status.APPROVED, decided_by=w.teacher,
                                decided_at=timezone.now())
    for session in w.past[:4]:
        mark(session, w.students[1], S.LATE if session != w.past[0] else S.LEAVE)

    assert over_absence_limit() == []
    assert release_absent_places() == 0
    assert status_of(w.student, w.section) == Enrolment.Status.ENROLLED


def test_a_term_without_a_limit_gives_nothing_away(w):
    w.term.absence_limit = None
    w.term.save()
    for session in w.past:
        mark(session, w.student, S.ABSENT)

    assert release_absent_places() == 0
    assert status_of(w.student, w.section) == Enrolment.Status.ENROLLED


def test_the_job_runs_on_a_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["courses.release_absent_places"]
    assert entry["task"] == release_absent_places.name == "courses.release_absent_places"
