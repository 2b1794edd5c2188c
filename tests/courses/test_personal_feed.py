"""A person's private calendar feed (/calendars/me/<token>.ics): only their
own enrolled classes, cancelled sessions marked, private headers, and a
renewed link makes the old URL 404."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from courses.models import CalendarToken, ClassSession, Enrolment
from courses.services.calendar_tokens import calendar_token_get_or_create, calendar_token_renew
from tests.factories import ProfileFactory

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    return f.catalogue_world()


def enrol(person, section, status=Enrolment.Status.ENROLLED):
    """An enrolment row as the service leaves it (test data only)."""
    return Enrolment.objects.create(person=person, section=section, status=status,
                                    acted_by=person)


def session_on(section, days: int, **fields):
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + datetime.timedelta(days=days)
    return ClassSession.objects.create(
        section=section, origin_date=day,
        starts_at=datetime.datetime.combine(day, datetime.time(14), tz),
        ends_at=datetime.datetime.combine(day, datetime.time(16), tz), **fields)


def feed(client, token: str):
    return client.get(reverse("courses:personal_ics", args=[token]))


def summaries(response) -> list[str]:
    calendar = Calendar.from_ical(response.content)
    return sorted(str(event["SUMMARY"]) for event in calendar.events)


def test_the_feed_has_the_persons_enrolled_sessions_and_nobody_elses(world, client):
    student = ProfileFactory(real_name="王秀英").user
    other = ProfileFactory(real_name="李建国").user
    enrol(student, world["calligraphy_1"])
    enrol(student, world["painting_1"], status=Enrolment.Status.WAITLISTED)
    enrol(other, world["singing_2"])
    session_on(world["painting_1"], 3)
    session_on(world["singing_2"], 4)
    token = calendar_token_get_or_create(person=student).token

    response = feed(client, token)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    calendar.validate()
    assert "王秀英" in str(calendar["X-WR-CALNAME"])
    events = calendar.events
    # The two calligraphy sessions (one cancelled); not the waiting-list
    # class, not the other person's.
    assert len(events) == 2
    assert all("书法入门班" in str(e["SUMMARY"]) for e in events)
    statuses = sorted(str(e["STATUS"]) for e in events)
    assert statuses == ["CANCELLED", "CONFIRMED"]
    assert all("丽水市莲都区丽青路88号" in str(e["LOCATION"]) for e in events)
    assert all("书画室" in str(e["LOCATION"]) for e in events)


def test_a_withdrawn_class_leaves_the_feed(world, client):
    student = ProfileFactory().user
    enrolment = enrol(student, world["calligraphy_1"])
    token = calendar_token_get_or_create(person=student).token
    assert len(Calendar.from_ical(feed(client, token).content).events) == 2

    enrolment.status = Enrolment.Status.WITHDRAWN
    enrolment.save()

    calendar = Calendar.from_ical(feed(client, token).content)
    assert calendar.events == []
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]


def test_the_feed_is_private_and_not_indexed(world, client):
    student = ProfileFactory().user
    token = calendar_token_get_or_create(person=student).token

    response = feed(client, token)

    cache_control = response["Cache-Control"]
    assert "private" in cache_control and "no-store" in cache_control
    assert "noindex" in response["X-Robots-Tag"]


def test_an_unknown_token_is_404(world, client):
    assert feed(client, "not-a-real-token").status_code == 404


def test_renewing_the_link_makes_the_old_url_404(world, client):
    student = ProfileFactory().user
    enrol(student, world["calligraphy_1"])
    old = calendar_token_get_or_create(person=student).token

    new = calendar_token_renew(person=student).token

    assert new != old
    assert feed(client, old).status_code == 404
    assert feed(client, new).status_code == 200
    assert CalendarToken.objects.filter(person=student).count() == 1


def test_tokens_are_long_random_and_stable_until_renewed(world):
    student = ProfileFactory().user
    first = calendar_token_get_or_create(person=student)
    again = calendar_token_get_or_create(person=student)
    other = calendar_token_get_or_create(person=ProfileFactory().user)

    assert first.token == again.token
    assert len(first.token) >= 43
    assert first.token != other.token


def test_renew_without_a_token_makes_one(world):
    student = ProfileFactory().user
    assert calendar_token_renew(person=student).token
    assert CalendarToken.objects.filter(person=student).count() == 1


def test_the_feed_reads_the_same_number_of_queries_for_one_and_five_classes(world, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    student = ProfileFactory().user
    token = calendar_token_get_or_create(person=student).token
    enrol(student, world["calligraphy_1"])
    feed(client, token)  # Wagtail's and Django's own caches warm, as in production
    with CaptureQueriesContext(connection) as one:
        feed(client, token)
    for key in ("painting_1", "singing_1", "singing_2", "closed"):
        enrol(student, world[key])
        session_on(world[key], 5)
    with CaptureQueriesContext(connection) as five:
        assert len(Calendar.from_ical(feed(client, token).content).events) == 6
    assert len(five) == len(one)
