"""Sessions are generated from the weekly slots across the term, minus
holidays, plus make-up days; regenerating never touches past sessions."""

import datetime
import zoneinfo

import pytest
from django.utils import timezone

from courses.models import ClassSession, TermDay
from courses.services.sessions import sessions_generate

from . import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BEFORE_TERM = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)


@pytest.fixture
def setup():
    home, campuses, catalogue = f.school_tree()
    place = f.campus(campuses)
    term = f.TermFactory(school=home, start_date=datetime.date(2026, 9, 28),
                         end_date=datetime.date(2026, 10, 18))
    sec = f.section(course_page=f.course(catalogue), term=term, campus_page=place,
                    slots=((3, "09:00", "11:00"),))  # Thursdays
    return term, sec


def local_dates(sec):
    return [timezone.localtime(s.starts_at).date() for s in sec.sessions.order_by("starts_at")]


def test_one_session_per_slot_per_week(setup):
    _, sec = setup
    sessions_generate(section=sec, now=BEFORE_TERM)
    assert local_dates(sec) == [datetime.date(2026, 10, d) for d in (1, 8, 15)]
    first = sec.sessions.order_by("starts_at").first()
    assert timezone.localtime(first.starts_at).time() == datetime.time(9, 0)
    assert timezone.localtime(first.ends_at).time() == datetime.time(11, 0)


def test_holidays_are_skipped_and_make_up_days_follow_their_weekday(setup):
    term, sec = setup
    TermDay.objects.create(term=term, date=datetime.date(2026, 10, 1), name="国庆节")
    # Saturday 10 October works as a Thursday (调休).
    TermDay.objects.create(term=term, date=datetime.date(2026, 10, 10),
                           kind=TermDay.Kind.MAKEUP, follows_weekday=3, name="国庆调休")
    sessions_generate(section=sec, now=BEFORE_TERM)
    assert local_dates(sec) == [datetime.date(2026, 10, d) for d in (8, 10, 15)]


def test_generating_twice_changes_nothing(setup):
    _, sec = setup
    assert sessions_generate(section=sec, now=BEFORE_TERM)["created"] == 3
    assert sessions_generate(section=sec, now=BEFORE_TERM) == {"created": 0, "updated": 0, "deleted": 0}
    assert sec.sessions.count() == 3


def test_a_timetable_change_moves_future_sessions_only(setup):
    _, sec = setup
    sessions_generate(section=sec, now=BEFORE_TERM)
    past = sec.sessions.order_by("starts_at").first()
    # After the first session the class moves from Thursday to Tuesday afternoon.
    after_first = datetime.datetime(2026, 10, 2, 12, 0, tzinfo=SHANGHAI)
    sec.slots.update(weekday=1, start_time="14:00", end_time="16:00")
    counts = sessions_generate(section=sec, now=after_first)
    past.refresh_from_db()
    assert past.starts_at == datetime.datetime(2026, 10, 1, 9, 0, tzinfo=SHANGHAI)
    assert local_dates(sec) == [datetime.date(2026, 10, d) for d in (1, 6, 13)]
    assert counts == {"created": 2, "updated": 0, "deleted": 2}


def test_a_cancelled_or_moved_session_survives_regeneration(setup):
    _, sec = setup
    sessions_generate(section=sec, now=BEFORE_TERM)
    cancelled, moved, _ = sec.sessions.order_by("starts_at")
    cancelled.status = ClassSession.Status.CANCELLED
    cancelled.save()
    moved.moved = True
    moved.starts_at += datetime.timedelta(days=1)
    moved.ends_at += datetime.timedelta(days=1)
    moved.save()
    sec.slots.update(weekday=1)
    sessions_generate(section=sec, now=BEFORE_TERM)
    assert ClassSession.objects.filter(pk=cancelled.pk, status="cancelled").exists()
    assert ClassSession.objects.filter(pk=moved.pk, moved=True).exists()
