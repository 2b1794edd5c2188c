"""My classes (/my/classes/): the term's timetable of the person and of
each student they act for, with addresses, rooms, states and the next
sessions; the private calendar link and its renewal; the same number of
queries for one class and for five."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import CalendarToken, ClassSession, Enrolment
from lms.accounts.models import ProxyLink
from tests.courses.enrolment_fixtures import enrolled_row, make_world, person, proxy_link

from . import factories as f

pytestmark = pytest.mark.django_db

Status = Enrolment.Status
URL = "/my/classes/"


@pytest.fixture
def world():
    """The autumn term running now, with a session of the main class next week."""
    world = make_world(capacity=2)
    f.school_site(world["home"])
    today = timezone.localdate()
    term = world["term"]
    term.start_date, term.end_date = today - dt.timedelta(days=30), today + dt.timedelta(days=60)
    term.enrolment_closes_at = timezone.now() + dt.timedelta(days=5)
    term.save()
    world["student"] = person("王秀英")
    world["next_session"] = session(world["section"], days=7)
    return world


def session(section, days: int, **fields):
    tz = timezone.get_current_timezone()
    day = timezone.localdate() + dt.timedelta(days=days)
    return ClassSession.objects.create(
        section=section, origin_date=day,
        starts_at=dt.datetime.combine(day, dt.time(9), tz),
        ends_at=dt.datetime.combine(day, dt.time(11), tz), **fields)


def page(client) -> str:
    response = client.get(URL)
    assert response.status_code == 200
    return response.content.decode()


def test_my_classes_needs_a_login(client, world):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_timetable_shows_when_where_room_teacher_and_state(client, english, world):
    enrolment = enrolled_row(world["student"], world["section"])
    world["section"].teachers.add(person("周文华", birth_date=dt.date(1970, 1, 1)))
    enrolled_row(person("李建国"), world["other"])
    enrolled_row(person("张桂兰"), world["other"])
    enrolled_row(world["student"], world["other"], status=Status.WAITLISTED,
                 queued_at=timezone.now())
    client.force_login(world["student"])

    html = page(client)

    assert "My classes in 2026年秋季学期" in html
    assert "书法入门班 · 1班" in html and "声乐基础班 · 1班" in html
    assert "Every Tuesday morning 9:00–11:00" in html
    assert "丽水市莲都区丽青路88号" in html
    assert "书画室 · Ground floor, step-free" in html
    assert "周文华" in html
    assert "Enrolled" in html
    assert "Waiting list: number 1" in html
    assert reverse("courses:enrolment_withdraw", args=[enrolment.pk]) in html
    assert f"/courses/sections/{world['section'].pk}/" in html
    # The next sessions, with dates.
    day = timezone.localtime(world["next_session"].starts_at)
    assert "Next classes" in html
    assert f"{day.year}" in html and "9:00–11:00" in html


def test_a_request_shows_the_draw_and_the_ticket(client, english, world):
    enrolled_row(world["student"], world["section"], status=Status.APPLIED, ticket="K7Q2D9")
    client.force_login(world["student"])

    html = page(client)

    assert "Request received" in html
    assert "The lottery is after requests close on" in html
    assert "K7Q2D9" in html


def test_an_offered_place_can_be_accepted_here(client, english, world):
    enrolment = enrolled_row(world["student"], world["section"], status=Status.OFFERED,
                             offer_expires_at=timezone.now() + dt.timedelta(hours=20))
    client.force_login(world["student"])

    html = page(client)

    assert "A place is kept until" in html
    assert f'action="{reverse("courses:offer_accept", args=[enrolment.pk])}"' in html


def test_withdrawn_classes_are_not_listed(client, english, world):
    enrolled_row(world["student"], world["section"], status=Status.WITHDRAWN)
    client.force_login(world["student"])

    html = page(client)

    assert "书法入门班 · 1班" not in html
    assert "You have no classes this term yet." in html


def test_a_family_member_sees_their_parents_classes_below_their_own(client, english, world):
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    proxy_link(world["student"], family)
    stranger = person("李建国")
    ProxyLink.objects.create(student=stranger, proxy=family, status=ProxyLink.Status.PENDING)
    enrolled_row(world["student"], world["section"])
    enrolled_row(stranger, world["other"])
    client.force_login(family)

    html = page(client)

    assert "You have no classes this term yet." in html
    assert "Classes of 王秀英 in 2026年秋季学期" in html
    assert html.index("You have no classes") < html.index("Classes of 王秀英")
    assert "书法入门班 · 1班" in html
    assert "声乐基础班" not in html  # a pending link shows nothing


def test_nobody_elses_classes_are_shown(client, english, world):
    enrolled_row(person("李建国"), world["section"])
    client.force_login(world["student"])

    html = page(client)

    assert "书法入门班 · 1班" not in html


def test_the_calendar_card_gives_the_private_link(client, english, world):
    client.force_login(world["student"])

    html = page(client)

    token = CalendarToken.objects.get(person=world["student"]).token
    feed = reverse("courses:personal_ics", args=[token])
    assert f"http://testserver{feed}" in html
    assert f"webcal://testserver{feed}" in html
    assert "Get a new link" in html
    assert client.get(URL).content.decode().count(token) == html.count(token)  # same link


def test_renewing_the_calendar_link_revokes_the_old_one(client, english, world):
    client.force_login(world["student"])
    page(client)
    old = CalendarToken.objects.get(person=world["student"]).token

    response = client.post(reverse("courses:calendar_renew"), follow=True)

    new = CalendarToken.objects.get(person=world["student"]).token
    assert new != old
    html = response.content.decode()
    assert "You have a new calendar link." in html
    assert new in html and old not in html
    assert client.get(reverse("courses:personal_ics", args=[old])).status_code == 404
    assert client.get(reverse("courses:personal_ics", args=[new])).status_code == 200


def test_renewing_needs_a_post(client, world):
    client.force_login(world["student"])
    assert client.get(reverse("courses:calendar_renew")).status_code == 405


def test_the_page_is_in_chinese_by_default(client, world):
    enrolled_row(world["student"], world["section"])
    client.force_login(world["student"])

    html = page(client)

    assert "上课时间" in html and "上课地点" in html and "近期上课安排" in html


def queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        page(client)
    return len(captured)


def test_the_same_number_of_queries_for_one_and_five_classes(client, world):
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    proxy_link(world["student"], family)
    enrolled_row(family, world["section"])
    enrolled_row(world["student"], world["other"], status=Status.WAITLISTED,
                 queued_at=timezone.now())
    client.force_login(family)
    page(client)  # the calendar token is made, Django's caches warm
    one = queries(client)

    extra = [f.section(course_page=world["singing"], term=world["term"],
                       campus_page=world["campus"], name=f"{n}班", room=world["room"],
                       slots=((n % 7, "18:00", "19:00"),)) for n in range(3, 7)]
    for sec in extra:
        enrolled_row(family, sec)
        session(sec, days=3)
        sec.teachers.add(person("老师", birth_date=dt.date(1970, 1, 1)))
    enrolled_row(world["student"], world["clashing"], status=Status.WAITLISTED,
                 queued_at=timezone.now())

    assert queries(client) == one
