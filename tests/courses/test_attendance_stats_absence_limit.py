"""The optional per-term rule: N absences without leave from one class give
the place to the waiting list (the next person is enrolled), once; approved
leave, lateness and terms without a limit give nothing away."""

import datetime as dt
import logging

import pytest
from django.conf import settings
from django.utils import timezone

from courses.models import Attendance, ClassSession, Enrolment, EnrolmentLogEntry, LeaveRequest
from courses.services import absence_limit
from courses.services.absence_limit import absence_limit_release, over_absence_limit
from courses.services.enrolment import EnrolmentBusy
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
    # Enrolled when the term began, before the sessions below.
    Enrolment.objects.filter(section=w.section).update(enrolled_at=term_start(w))
    w.past = [session_on(w.section, w.today - dt.timedelta(days=n)) for n in range(12, 6, -1)]
    w.section.capacity = 2
    w.section.save()
    w.waiting = person("候补学员")
    enrol(w.waiting, w.section, status=Enrolment.Status.WAITLISTED)
    return w


def term_start(w):
    return dt.datetime.combine(w.term.start_date, dt.time(8), timezone.get_current_timezone())


def status_of(who, section):
    """The status of the person's latest enrolment in the class."""
    return Enrolment.objects.filter(person=who, section=section).latest("pk").status


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


def test_a_readmitted_student_starts_afresh(w, django_capture_on_commit_callbacks):
    for session in w.past[:3]:
        mark(session, w.student, S.ABSENT)
    first_run = w.past[3].starts_at + dt.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert absence_limit_release(now=first_run) == 1
    assert status_of(w.student, w.section) == Enrolment.Status.WITHDRAWN

    # The campus admin gives the place back an hour later (a new enrolment).
    w.section.capacity = 3
    w.section.save()
    Enrolment.objects.create(person=w.student, section=w.section,
                             status=Enrolment.Status.ENROLLED,
                             enrolled_at=first_run + dt.timedelta(hours=1))
    mark(w.past[3], w.student, S.ABSENT)  # that morning, before coming back
    assert release_absent_places() == 0
    assert status_of(w.student, w.section) == Enrolment.Status.ENROLLED

    mark(w.past[4], w.student, S.ABSENT)
    mark(w.past[5], w.student, S.ABSENT)
    assert over_absence_limit() == []
    mark(session_on(w.section, w.today - dt.timedelta(days=5)), w.student, S.ABSENT)
    assert release_absent_places() == 1
    assert status_of(w.student, w.section) == Enrolment.Status.WITHDRAWN


def test_an_absence_counts_a_day_after_the_class_so_that_leave_can_still_be_approved(w):
    for session in w.past[:2]:
        mark(session, w.student, S.ABSENT)
    now = timezone.now()
    recent = ClassSession.objects.create(
        section=w.section, origin_date=timezone.localdate(now), room=w.section.room,
        starts_at=now - dt.timedelta(hours=3), ends_at=now - dt.timedelta(hours=1))
    mark(recent, w.student, S.ABSENT)

    assert over_absence_limit(now=now) == []
    assert over_absence_limit(now=now + dt.timedelta(hours=23)) == []  # ended a day ago
    assert over_absence_limit(now=now + dt.timedelta(hours=25)) == [
        (w.student.pk, w.section.pk, 3)]

    # The leave is approved the next morning: nothing is given away.
    LeaveRequest.objects.create(person=w.student, session=recent, reason="发烧",
                                status=LeaveRequest.Status.APPROVED, decided_by=w.teacher,
                                decided_at=now + dt.timedelta(hours=16))
    assert absence_limit_release(now=now + dt.timedelta(hours=25)) == 0
    assert status_of(w.student, w.section) == Enrolment.Status.ENROLLED


def test_a_busy_class_does_not_stop_the_others(w, monkeypatch, caplog):
    other = w.students[1]
    enrol(other, w.elsewhere)
    Enrolment.objects.filter(section=w.elsewhere).update(enrolled_at=term_start(w))
    elsewhere = [session_on(w.elsewhere, w.today - dt.timedelta(days=n)) for n in (12, 11, 10)]
    for session in w.past[:3]:
        mark(session, w.student, S.ABSENT)
    for session in elsewhere:
        mark(session, other, S.ABSENT)
    withdraw = absence_limit.enrolment_withdraw

    def busy_in_the_first_class(*, enrolment, **kwargs):
        if enrolment.section_id == w.section.pk:
            raise EnrolmentBusy()
        return withdraw(enrolment=enrolment, **kwargs)

    monkeypatch.setattr(absence_limit, "enrolment_withdraw", busy_in_the_first_class)
    with caplog.at_level(logging.WARNING, logger="courses.services.absence_limit"):
        assert release_absent_places() == 1

    assert status_of(w.student, w.section) == Enrolment.Status.ENROLLED
    assert status_of(other, w.elsewhere) == Enrolment.Status.WITHDRAWN
    assert f"Class {w.section.pk} busy" in caplog.text

    monkeypatch.setattr(absence_limit, "enrolment_withdraw", withdraw)
    assert release_absent_places() == 1  # the next run
    assert status_of(w.student, w.section) == Enrolment.Status.WITHDRAWN


def test_the_job_runs_on_a_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["courses.release_absent_places"]
    assert entry["task"] == release_absent_places.name == "courses.release_absent_places"
