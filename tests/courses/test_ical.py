"""Calendar feeds: what a calendar app reads back from the served .ics."""

import datetime
import zoneinfo
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from icalendar import Calendar
from wagtail.models import Site

from courses.ical import session_location
from courses.models import ClassSession, Section
from courses.services.session_changes import session_cancel, session_move
from courses.services.sessions import sessions_generate
from tests.factories import ProfileFactory

from . import factories as f

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BEFORE_TERM = datetime.datetime(2026, 9, 1, 8, 0, tzinfo=SHANGHAI)
HOST = "school.localhost"
OTHER_HOST = "other.localhost"


@pytest.fixture
def world():
    home, campuses, catalogue = f.school_tree()
    Site.objects.create(hostname=HOST, port=80, root_page=home, site_name="丽水市老年大学")
    other_home, _, _ = f.school_tree("丽水市老干部党校", "dangxiao")
    Site.objects.create(hostname=OTHER_HOST, port=80, root_page=other_home, site_name="党校")
    liandu = f.campus(campuses, "莲都校区", address="丽水市莲都区丽青路88号", phone="0578-2123456")
    longquan = f.campus(campuses, "龙泉分校", address="龙泉市剑川大道1号")
    room = f.room(liandu, "201教室", floor=2, step_free=False, lift=True)
    other_room = f.room(liandu, "书画室")
    term = f.TermFactory(school=home, start_date=datetime.date(2026, 9, 28),
                         end_date=datetime.date(2026, 10, 25))
    calligraphy = f.course(catalogue, "书法入门班")
    section = f.section(course_page=calligraphy, term=term, campus_page=liandu, room=room,
                        slots=((1, "09:00", "11:00"),))  # Tuesdays: 4 sessions
    section.teachers.add(ProfileFactory(real_name="王书法").user)
    draft = f.section(course_page=calligraphy, term=term, campus_page=liandu, name="2班",
                      status=Section.Status.DRAFT, slots=((3, "14:00", "16:00"),))
    elsewhere = f.section(course_page=calligraphy, term=term, campus_page=longquan, name="3班")
    for sec in (section, draft, elsewhere):
        sessions_generate(section=sec, now=BEFORE_TERM)
    return {"home": home, "liandu": liandu, "longquan": longquan, "room": room,
            "other_room": other_room, "term": term, "section": section, "draft": draft,
            "elsewhere": elsewhere, "calligraphy": calligraphy}


def fetch(client, url, host=HOST):
    response = client.get(url, HTTP_HOST=host)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    return response.content


def section_feed(client, section):
    return fetch(client, reverse("courses:section_ics", args=[section.pk]))


def events_by_uid(content: bytes) -> dict:
    return {str(e["UID"]): e for e in Calendar.from_ical(content).events}


def test_a_section_feed_has_every_session_in_local_time(world, client):
    content = section_feed(client, world["section"])
    calendar = Calendar.from_ical(content)
    calendar.validate()
    assert str(calendar["VERSION"]) == "2.0"
    assert calendar["PRODID"]
    assert str(calendar["X-WR-CALNAME"]) == "书法入门班 1班"
    assert str(calendar["X-WR-TIMEZONE"]) == "Asia/Shanghai"
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]
    assert calendar.get_missing_tzids() == set()

    sessions = list(world["section"].sessions.order_by("starts_at"))
    assert len(sessions) == 4
    events = calendar.events
    assert len(events) == len(sessions)
    for event, session in zip(events, sessions, strict=True):
        assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
        assert event.start == session.starts_at
        assert event.start.utcoffset() == datetime.timedelta(hours=8)
        assert event.start.strftime("%H:%M") == "09:00"
        assert event.end == session.ends_at
        assert str(event["UID"]) == f"session-{session.pk}@{HOST}"
        assert str(event["SUMMARY"]) == "书法入门班 1班"
        assert str(event["STATUS"]) == "CONFIRMED"
        assert event["SEQUENCE"] == 0
        assert event["DTSTAMP"] and event["LAST-MODIFIED"]
        assert "丽水市莲都区丽青路88号" in str(event["LOCATION"])
        assert "201教室" in str(event["LOCATION"])
        description = str(event["DESCRIPTION"])
        assert "王书法" in description
        catalogue = world["calligraphy"].get_parent().specific
        link = catalogue.get_full_url() + f"sections/{world['section'].pk}/"
        assert link in description
        assert str(event["URL"]) == link
        assert "0578-2123456" in description
    # The link opens the section's page.
    assert client.get(urlsplit(link).path, HTTP_HOST=HOST).status_code == 200


def test_the_feed_is_valid_rfc5545_text(world, client):
    content = section_feed(client, world["section"])
    assert content.startswith(b"BEGIN:VCALENDAR\r\n")
    assert content.endswith(b"END:VCALENDAR\r\n")
    lines = content.split(b"\r\n")[:-1]
    assert all(len(line) <= 75 for line in lines)  # folded at 75 octets
    assert b"\n" not in content.replace(b"\r\n", b"")
    # VTIMEZONE comes before the events that use it.
    assert content.index(b"BEGIN:VTIMEZONE") < content.index(b"BEGIN:VEVENT")
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in content
    assert b"\r\nX-PUBLISHED-TTL:PT6H\r\n" in content


def test_uids_are_stable_across_fetches(world, client):
    first = section_feed(client, world["section"])
    second = section_feed(client, world["section"])
    assert events_by_uid(first).keys() == events_by_uid(second).keys()
    assert first == second  # nothing changed, nothing differs


def test_a_cancelled_session_stays_with_status_cancelled_and_a_higher_sequence(world, client):
    before = section_feed(client, world["section"])
    session = world["section"].sessions.order_by("starts_at")[1]
    session_cancel(session=session, reason="老师生病", now=BEFORE_TERM)
    after = events_by_uid(section_feed(client, world["section"]))
    assert after.keys() == events_by_uid(before).keys()
    event = after[f"session-{session.pk}@{HOST}"]
    assert str(event["STATUS"]) == "CANCELLED"
    assert event["SEQUENCE"] > 0
    assert "老师生病" in str(event["DESCRIPTION"])
    others = [e for uid, e in after.items() if uid != f"session-{session.pk}@{HOST}"]
    assert {str(e["STATUS"]) for e in others} == {"CONFIRMED"}


def test_a_moved_session_keeps_its_uid_with_new_times_and_room(world, client):
    session = world["section"].sessions.order_by("starts_at").first()
    uid = f"session-{session.pk}@{HOST}"
    old = events_by_uid(section_feed(client, world["section"]))[uid]
    new_start = datetime.datetime(2026, 10, 2, 14, 0, tzinfo=SHANGHAI)
    session_move(session=session, starts_at=new_start,
                 ends_at=new_start + datetime.timedelta(hours=2), room=world["other_room"],
                 reason="教室维修", now=BEFORE_TERM)
    event = events_by_uid(section_feed(client, world["section"]))[uid]
    assert event.start == new_start
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert event["SEQUENCE"] > old["SEQUENCE"]
    assert str(event["STATUS"]) == "CONFIRMED"
    assert "书画室" in str(event["LOCATION"])
    assert "教室维修" in str(event["DESCRIPTION"])


@pytest.mark.parametrize("status", [Section.Status.DRAFT, Section.Status.CANCELLED])
def test_a_section_that_is_not_public_is_404(world, client, status):
    Section.objects.filter(pk=world["section"].pk).update(status=status)
    url = reverse("courses:section_ics", args=[world["section"].pk])
    assert client.get(url, HTTP_HOST=HOST).status_code == 404


def test_a_section_of_an_unpublished_term_is_404(world, client):
    world["term"].is_published = False
    world["term"].save()
    url = reverse("courses:section_ics", args=[world["section"].pk])
    assert client.get(url, HTTP_HOST=HOST).status_code == 404


def test_a_section_is_not_served_on_another_schools_site(world, client):
    url = reverse("courses:section_ics", args=[world["section"].pk])
    assert client.get(url, HTTP_HOST=OTHER_HOST).status_code == 404


def test_a_campus_feed_has_the_public_sessions_at_that_campus(world, client):
    content = fetch(client, reverse("courses:campus_ics", args=[world["liandu"].pk]))
    calendar = Calendar.from_ical(content)
    public = ClassSession.objects.filter(section=world["section"])
    assert {str(e["UID"]) for e in calendar.events} == {
        f"session-{s.pk}@{HOST}" for s in public
    }
    assert str(calendar["X-WR-CALNAME"]) == "莲都校区"
    assert [tz.tz_name for tz in calendar.timezones] == ["Asia/Shanghai"]


def test_a_campus_feed_for_one_term(world, client):
    url = reverse("courses:campus_ics", args=[world["liandu"].pk])
    content = fetch(client, f"{url}?term={world['term'].pk}")
    assert len(Calendar.from_ical(content).events) == 4
    later = f.TermFactory(school=world["home"], start_date=datetime.date(2027, 3, 1),
                          end_date=datetime.date(2027, 6, 30))
    empty = Calendar.from_ical(fetch(client, f"{url}?term={later.pk}"))
    assert empty.events == []
    assert [tz.tz_name for tz in empty.timezones] == ["Asia/Shanghai"]
    hidden = f.TermFactory(school=world["home"], is_published=False)
    assert client.get(f"{url}?term={hidden.pk}", HTTP_HOST=HOST).status_code == 404
    assert client.get(f"{url}?term=x", HTTP_HOST=HOST).status_code == 404


def test_an_unpublished_campus_and_another_schools_campus_are_404(world, client):
    url = reverse("courses:campus_ics", args=[world["liandu"].pk])
    assert client.get(url, HTTP_HOST=OTHER_HOST).status_code == 404
    world["liandu"].unpublish()
    assert client.get(url, HTTP_HOST=HOST).status_code == 404


def test_a_campus_feed_costs_a_fixed_number_of_queries(world, client,
                                                       django_assert_max_num_queries):
    url = reverse("courses:campus_ics", args=[world["liandu"].pk])
    client.get(url, HTTP_HOST=HOST)  # warm the site cache
    for n in range(2, 6):
        f.section(course_page=world["calligraphy"], term=world["term"],
                  campus_page=world["liandu"], name=f"{n}0班", slots=((4, "09:00", "10:00"),))
    for sec in Section.objects.filter(name__endswith="0班"):
        sessions_generate(section=sec, now=BEFORE_TERM)
    with django_assert_max_num_queries(20):
        content = fetch(client, url)
    assert len(Calendar.from_ical(content).events) == 4 + 4 * 4


def test_location_without_a_room_is_campus_and_address():
    campus = type("C", (), {"title": "莲都校区", "address": "丽青路88号"})()
    section = type("S", (), {"campus": campus, "room": None})()
    session = type("X", (), {"section": section, "room": None})()
    assert session_location(session) == "莲都校区，丽青路88号"
