"""Cancelling and moving one class session: validated, revision bumped,
``session_changed`` sent once after commit, nothing saved when refused."""

import datetime
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from icalendar import Calendar

from courses.ical import section_calendar
from courses.models import ClassSession, Section
from courses.services.session_changes import session_cancel, session_move
from courses.services.sessions import sessions_generate
from courses.signals import session_changed
from tests.factories import UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
NOW = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)


def at(day, hour, minute=0):
    return datetime.datetime(2026, 10, day, hour, minute, tzinfo=SHANGHAI)


@pytest.fixture
def world():
    home, campuses, catalogue = f.school_tree()
    liandu, longquan = f.campus(campuses, "莲都校区"), f.campus(campuses, "龙泉分校")
    room, hall = f.room(liandu, "101教室"), f.room(liandu, "大礼堂")
    far_room = f.room(longquan, "龙泉201")
    term = f.TermFactory(school=home, start_date=datetime.date(2026, 9, 28),
                         end_date=datetime.date(2026, 10, 25))
    teacher, other_teacher = UserFactory(), UserFactory()
    calligraphy = f.section(course_page=f.course(catalogue, "书法入门班"), term=term,
                            campus_page=liandu, room=room,
                            slots=((1, "09:00", "11:00"),))  # Tuesdays
    calligraphy.teachers.add(teacher)
    # Thursdays 09:00 in the hall, taught by the same teacher.
    singing = f.section(course_page=f.course(catalogue, "声乐班"), term=term,
                        campus_page=liandu, room=hall, slots=((3, "09:00", "11:00"),))
    singing.teachers.add(teacher)
    # Wednesdays 14:00 in room 101, another teacher.
    dance = f.section(course_page=f.course(catalogue, "舞蹈班"), term=term,
                      campus_page=liandu, room=room, slots=((2, "14:00", "16:00"),))
    dance.teachers.add(other_teacher)
    for sec in (calligraphy, singing, dance):
        sessions_generate(section=sec, now=NOW)
    session = calligraphy.sessions.get(starts_at=at(6, 9))
    return {"session": session, "section": calligraphy, "room": room, "hall": hall,
            "far_room": far_room, "teacher": teacher, "singing": singing, "dance": dance}


@pytest.fixture
def received():
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    session_changed.connect(receiver)
    yield calls
    session_changed.disconnect(receiver)


def feed_event(section, session):
    for event in Calendar.from_ical(section_calendar(section)).events:
        if str(event["UID"]).startswith(f"session-{session.pk}@"):
            return event
    raise AssertionError("session not in the feed")


def test_cancelling_bumps_the_revision_and_changes_the_feed(world):
    session = world["session"]
    assert str(feed_event(world["section"], session)["STATUS"]) == "CONFIRMED"
    saved = session_cancel(session=session, reason="老师生病", now=NOW)
    session.refresh_from_db()
    assert session.status == ClassSession.Status.CANCELLED
    assert session.change_note == "老师生病"
    assert session.sequence == saved.sequence == 1
    event = feed_event(world["section"], session)
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] == 1


def test_moving_bumps_the_revision_and_changes_the_feed(world):
    session = world["session"]
    session_move(session=session, starts_at=at(7, 9), ends_at=at(7, 11),
                 room=world["hall"], reason="教室维修", now=NOW)
    session.refresh_from_db()
    assert (session.starts_at, session.ends_at, session.room) == (at(7, 9), at(7, 11),
                                                                  world["hall"])
    assert session.moved and session.sequence == 1 and session.change_note == "教室维修"
    event = feed_event(world["section"], session)
    assert event.start == at(7, 9)
    assert event["SEQUENCE"] == 1


def test_a_move_without_a_room_keeps_the_room(world):
    session = world["session"]
    session_move(session=session, starts_at=at(6, 13), ends_at=at(6, 15), reason="调课",
                 now=NOW)
    session.refresh_from_db()
    assert session.room == world["room"] and session.starts_at == at(6, 13)


def test_moving_twice_bumps_twice_and_regenerating_keeps_it(world):
    session = world["session"]
    session_move(session=session, starts_at=at(6, 13), ends_at=at(6, 15), reason="调课", now=NOW)
    session_move(session=session, starts_at=at(6, 15), ends_at=at(6, 17), reason="再调", now=NOW)
    sessions_generate(section=world["section"], now=NOW)
    session.refresh_from_db()
    assert session.sequence == 2 and session.starts_at == at(6, 15)


def test_the_signal_fires_once_after_commit(world, received, django_capture_on_commit_callbacks):
    actor = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=world["session"], reason="停电", actor=actor, now=NOW)
        assert received == []  # not before the commit
    assert len(received) == 1
    assert received[0]["change"] == "cancelled"
    assert received[0]["session"].pk == world["session"].pk
    assert received[0]["session"].status == ClassSession.Status.CANCELLED
    assert received[0]["actor"] == actor


def test_the_move_signal_says_moved(world, received, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        session_move(session=world["session"], starts_at=at(6, 13), ends_at=at(6, 15),
                     reason="调课", now=NOW)
    assert [(r["change"], r["actor"]) for r in received] == [("moved", None)]


def test_no_signal_and_no_change_when_the_transaction_rolls_back(
    world, received, django_capture_on_commit_callbacks
):
    class Boom(Exception):
        pass

    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(Boom),
        transaction.atomic(),
    ):
        session_cancel(session=world["session"], reason="停电", now=NOW)
        raise Boom
    assert callbacks == []
    assert received == []
    world["session"].refresh_from_db()
    assert world["session"].status == ClassSession.Status.SCHEDULED
    assert world["session"].sequence == 0


def refused(world, code, **changes):
    """The move is refused with ``code``; the session and the signal are untouched."""
    session = world["session"]
    before = ClassSession.objects.values().get(pk=session.pk)
    calls = []

    def receiver(sender, **kwargs):
        calls.append(kwargs)

    session_changed.connect(receiver)
    try:
        arguments = {"session": session, "starts_at": at(6, 13), "ends_at": at(6, 15),
                     "reason": "调课", "now": NOW, **changes}
        with pytest.raises(ValidationError) as excinfo:
            session_move(**arguments)
    finally:
        session_changed.disconnect(receiver)
    assert code in [e.code for e in excinfo.value.error_list]
    assert ClassSession.objects.values().get(pk=session.pk) == before
    assert calls == []
    return excinfo.value


def test_a_move_must_end_after_it_starts(world):
    refused(world, "ends_before_start", starts_at=at(6, 15), ends_at=at(6, 13))
    refused(world, "ends_before_start", starts_at=at(6, 15), ends_at=at(6, 15))


def test_a_move_into_the_past_is_refused(world):
    refused(world, "past", starts_at=NOW - datetime.timedelta(days=1),
            ends_at=NOW - datetime.timedelta(days=1, hours=-2))


def test_a_session_that_has_started_cannot_change(world):
    started = at(6, 9, 30)
    refused(world, "started", now=started)
    with pytest.raises(ValidationError):
        session_cancel(session=world["session"], reason="晚了", now=started)
    world["session"].refresh_from_db()
    assert world["session"].status == ClassSession.Status.SCHEDULED


def test_a_cancelled_session_cannot_be_moved_or_cancelled_again(world):
    session_cancel(session=world["session"], reason="停电", now=NOW)
    refused(world, "cancelled")
    with pytest.raises(ValidationError):
        session_cancel(session=world["session"], reason="停电", now=NOW)
    world["session"].refresh_from_db()
    assert world["session"].sequence == 1


def test_the_room_must_belong_to_the_sections_campus(world):
    refused(world, "room_elsewhere", room=world["far_room"])


def test_a_room_clash_is_refused_with_a_clear_message(world):
    # Wednesday 7 October 14:00–16:00: 舞蹈班 is in room 101.
    error = refused(world, "clash", starts_at=at(7, 15), ends_at=at(7, 17))
    assert any("舞蹈班" in message and "101教室" in message for message in error.messages)


def test_a_teacher_clash_is_refused_with_a_clear_message(world):
    # Thursday 8 October 09:00–11:00: the same teacher has 声乐班 in the hall.
    error = refused(world, "clash", starts_at=at(8, 10), ends_at=at(8, 12))
    assert any("声乐班" in message for message in error.messages)


def test_cancelled_sessions_and_sections_do_not_clash(world):
    dance_session = world["dance"].sessions.get(starts_at=at(7, 14))
    session_cancel(session=dance_session, reason="停课", now=NOW)
    Section.objects.filter(pk=world["singing"].pk).update(status=Section.Status.CANCELLED)
    session_move(session=world["session"], starts_at=at(7, 15), ends_at=at(7, 17),
                 reason="调课", now=NOW)
    session_move(session=world["session"], starts_at=at(8, 10), ends_at=at(8, 12),
                 reason="再调", now=NOW)
    world["session"].refresh_from_db()
    assert world["session"].sequence == 2


def test_back_to_back_is_not_a_clash(world):
    session_move(session=world["session"], starts_at=at(7, 12), ends_at=at(7, 14),
                 reason="调课", now=NOW)
    world["session"].refresh_from_db()
    assert world["session"].ends_at == at(7, 14)


def test_an_empty_reason_or_no_change_is_refused(world):
    refused(world, "no_reason", reason="  ")
    refused(world, "unchanged", starts_at=at(6, 9), ends_at=at(6, 11))
    with pytest.raises(ValidationError):
        session_cancel(session=world["session"], reason="", now=NOW)


def test_naive_times_are_refused(world):
    refused(world, "naive_time", starts_at=datetime.datetime(2026, 10, 6, 13),  # noqa: DTZ001
            ends_at=datetime.datetime(2026, 10, 6, 15))  # noqa: DTZ001
