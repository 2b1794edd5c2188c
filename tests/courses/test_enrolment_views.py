"""Enrolling on the site: the section page's one button, the enrol POST, the
result page in plain words, withdrawing and accepting an offered place;
who may see and do what (someone else's enrolment is 404, a family member
without an active link is refused), and that a repeated submit changes
nothing."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, EnrolmentLogEntry, Section
from courses.services.enrolment import EnrolmentBusy
from lms.accounts.models import ProxyLink
from tests.courses.enrolment_fixtures import enrolled_row, make_world, person, proxy_link
from tests.factories import UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db

Status = Enrolment.Status


def open_windows(term, **fields):
    """Enrolment open now (the views use the real clock)."""
    now = timezone.now()
    term.renewal_opens_at = term.renewal_closes_at = None
    term.enrolment_opens_at = now - dt.timedelta(days=1)
    term.enrolment_closes_at = now + dt.timedelta(days=10)
    for name, value in fields.items():
        setattr(term, name, value)
    term.save()


def site_world():
    """``make_world`` served on the test client's host, enrolment open now,
    two seats in the main class, a student."""
    world = make_world(capacity=2)
    f.school_site(world["home"])
    open_windows(world["term"])
    world["student"] = person("王秀英")
    return world


@pytest.fixture
def world():
    return site_world()


def section_path(section) -> str:
    return f"/courses/sections/{section.pk}/"


def enrol_url(section) -> str:
    return reverse("courses:enrol", args=[section.pk])


def result_url(enrolment) -> str:
    return reverse("courses:enrolment_result", args=[enrolment.pk])


def post_enrol(client, section, **data):
    return client.post(enrol_url(section), data)


def text(response) -> str:
    return response.content.decode()


# --- the enrol POST and the result page ----------------------------------------

def test_a_visitor_who_is_not_logged_in_is_sent_to_log_in_and_back(client, world):
    response = post_enrol(client, world["section"])

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=/courses/sections/" in response["Location"]
    assert not Enrolment.objects.exists()


def test_a_student_enrols_and_reads_the_result_in_plain_words(client, english, world):
    client.force_login(world["student"])

    response = post_enrol(client, world["section"])

    enrolment = Enrolment.objects.get()
    assert response.status_code == 303
    assert response["Location"] == result_url(enrolment)
    assert enrolment.person == world["student"]
    assert enrolment.status == Status.ENROLLED
    assert enrolment.acted_by == world["student"]
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = text(page)
    assert "You are enrolled" in html
    assert "You have a place in 书法入门班 · 1班." in html
    assert "丽水市莲都区丽青路88号" in html
    assert "书画室" in html
    assert "Every Tuesday" in html
    assert reverse("courses:my_classes") in html
    assert reverse("courses:enrolment_withdraw", args=[enrolment.pk]) in html


def test_the_result_page_speaks_chinese_by_default(client, world):
    client.force_login(world["student"])
    response = post_enrol(client, world["section"])

    html = text(client.get(response["Location"]))

    assert "上课时间" in html and "上课地点" in html
    assert 'lang="zh-CN"' in html


def test_a_repeated_submit_changes_nothing(client, world):
    client.force_login(world["student"])
    first = post_enrol(client, world["section"])
    second = post_enrol(client, world["section"])

    assert second.status_code == 303
    assert second["Location"] == first["Location"]
    assert Enrolment.objects.count() == 1
    assert EnrolmentLogEntry.objects.count() == 1


def test_a_full_class_puts_the_student_on_the_waiting_list_with_their_place(
        client, english, world):
    for name in ("李建国", "张桂兰"):
        enrolled_row(person(name), world["section"])
    enrolled_row(person("刘志强"), world["section"], status=Status.WAITLISTED,
                 queued_at=timezone.now() - dt.timedelta(hours=1))
    client.force_login(world["student"])

    response = post_enrol(client, world["section"])

    enrolment = Enrolment.objects.get(person=world["student"])
    assert enrolment.status == Status.WAITLISTED
    html = text(client.get(response["Location"]))
    assert "You are number 2 on the waiting list for 书法入门班 · 1班." in html


def test_a_lottery_class_takes_a_request_with_a_ticket_and_the_draw_date(
        client, english, world):
    Section.objects.filter(pk=world["section"].pk).update(enrolment_mode=Section.Mode.LOTTERY)
    client.force_login(world["student"])

    response = post_enrol(client, world["section"])

    enrolment = Enrolment.objects.get()
    assert enrolment.status == Status.APPLIED and enrolment.ticket
    html = text(client.get(response["Location"]))
    assert "Your request is in" in html
    assert enrolment.ticket in html
    closes = timezone.localtime(world["term"].enrolment_closes_at)
    assert str(closes.year) in html and "after requests close on" in html


def test_a_refusal_says_why_and_saves_nothing(client, english, world):
    client.force_login(world["student"])
    post_enrol(client, world["clashing"])  # Tuesday 10:00, clashes with the 9:00 class

    response = post_enrol(client, world["section"])

    assert response.status_code == 200
    html = text(response)
    assert "We could not enrol you" in html
    assert "You could not be enrolled in 书法入门班 · 1班, because:" in html
    assert not Enrolment.objects.filter(section=world["section"]).exists()


def test_before_the_window_opens_the_refusal_gives_the_date(client, english, world):
    open_windows(world["term"], enrolment_opens_at=timezone.now() + dt.timedelta(days=3))
    client.force_login(world["student"])

    response = post_enrol(client, world["section"])

    assert response.status_code == 200
    assert "Enrolment for this class opens on" in text(response)
    assert not Enrolment.objects.exists()


def test_a_busy_moment_asks_to_try_again_with_a_retry_button(client, english, world,
                                                             monkeypatch):
    def busy(**kwargs):
        raise EnrolmentBusy()

    monkeypatch.setattr("courses.views.enrolment.enrolment_create", busy)
    client.force_login(world["student"])

    response = post_enrol(client, world["section"], preference="2")

    assert response.status_code == 200
    html = text(response)
    assert "Many people are enrolling right now. Please try again in a moment." in html
    assert f'action="{enrol_url(world["section"])}"' in html
    assert 'name="preference" value="2"' in html
    assert "Try again" in html
    assert not Enrolment.objects.exists()


def test_an_unknown_class_is_404(client, world):
    client.force_login(world["student"])
    assert client.post(reverse("courses:enrol", args=[999999])).status_code == 404
    # also when the person chosen is not one the user may act for
    assert client.post(reverse("courses:enrol", args=[999999]),
                       {"person": "999998"}).status_code == 404


def test_get_is_not_allowed_on_the_enrol_url(client, world):
    client.force_login(world["student"])
    assert client.get(enrol_url(world["section"])).status_code == 405


# --- acting for someone else ---------------------------------------------------------

def test_a_family_member_with_an_active_link_enrols_the_student(client, english, world):
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    proxy_link(world["student"], family, relation="女儿")
    client.force_login(family)

    response = post_enrol(client, world["section"], person=str(world["student"].pk))

    enrolment = Enrolment.objects.get()
    assert response.status_code == 303
    assert enrolment.person == world["student"]
    assert enrolment.acted_by == family
    assert enrolment.source == Enrolment.Source.PROXY
    html = text(client.get(response["Location"]))
    assert "王秀英 has a place in 书法入门班 · 1班." in html


@pytest.mark.parametrize("status", [ProxyLink.Status.PENDING, ProxyLink.Status.ENDED])
def test_a_family_member_without_an_active_link_is_refused(client, english, world, status):
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    ProxyLink.objects.create(student=world["student"], proxy=family, status=status)
    client.force_login(family)

    response = post_enrol(client, world["section"], person=str(world["student"].pk))

    assert response.status_code == 200
    assert "You cannot enrol for this person." in text(response)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("value", ["999999", "abc", "-1"])
def test_an_unknown_person_is_refused_in_plain_words(client, english, world, value):
    client.force_login(world["student"])

    response = post_enrol(client, world["section"], person=value)

    assert response.status_code == 200
    assert "You cannot enrol for this person." in text(response)
    assert not Enrolment.objects.exists()


# --- who may open a result -------------------------------------------------------

def test_someone_elses_result_is_404(client, world):
    enrolment = enrolled_row(world["student"], world["section"])
    client.force_login(person("李建国"))

    assert client.get(result_url(enrolment)).status_code == 404


def test_the_family_member_and_staff_may_open_the_result(client, world):
    enrolment = enrolled_row(world["student"], world["section"])
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    proxy_link(world["student"], family)
    client.force_login(family)
    assert client.get(result_url(enrolment)).status_code == 200

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get(result_url(enrolment)).status_code == 200


def test_the_result_needs_a_login(client, world):
    enrolment = enrolled_row(world["student"], world["section"])
    response = client.get(result_url(enrolment))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


# --- withdraw and offers ------------------------------------------------------------

def test_withdrawing_asks_first_then_frees_the_place_for_the_waiting_list(
        client, english, world):
    client.force_login(world["student"])
    enrolment = Enrolment.objects.get(pk=post_enrol(client, world["section"])["Location"]
                                      .rstrip("/").rsplit("/", 1)[1])
    enrolled_row(person("李建国"), world["section"])
    waiting = enrolled_row(person("张桂兰"), world["section"], status=Status.WAITLISTED,
                           queued_at=timezone.now())
    url = reverse("courses:enrolment_withdraw", args=[enrolment.pk])

    confirm = client.get(url)
    assert confirm.status_code == 200
    assert "Withdraw from 书法入门班 · 1班?" in text(confirm)
    assert "Yes, withdraw" in text(confirm)
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ENROLLED  # nothing happens on GET

    response = client.post(url)

    assert response.status_code == 303
    enrolment.refresh_from_db()
    waiting.refresh_from_db()
    assert enrolment.status == Status.WITHDRAWN
    assert waiting.status == Status.ENROLLED
    assert "You have withdrawn from 书法入门班 · 1班." in text(client.get(response["Location"]))

    again = client.post(url)
    assert again.status_code == 303
    assert EnrolmentLogEntry.objects.filter(
        enrolment=enrolment, action="courses.enrolment.withdraw").count() == 1


def test_someone_elses_enrolment_cannot_be_withdrawn(client, world):
    enrolment = enrolled_row(world["student"], world["section"])
    client.force_login(person("李建国"))
    url = reverse("courses:enrolment_withdraw", args=[enrolment.pk])

    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    enrolment.refresh_from_db()
    assert enrolment.status == Status.ENROLLED


def test_an_offered_place_is_accepted_from_the_result_page(client, english, world):
    open_windows(world["term"], offer_hours=24)
    leaving = person("李建国")
    leaving_row = enrolled_row(leaving, world["section"])
    enrolled_row(person("张桂兰"), world["section"])
    waiting = enrolled_row(world["student"], world["section"], status=Status.WAITLISTED,
                           queued_at=timezone.now())
    client.force_login(leaving)
    client.post(reverse("courses:enrolment_withdraw", args=[leaving_row.pk]))
    waiting.refresh_from_db()
    assert waiting.status == Status.OFFERED

    client.force_login(world["student"])
    html = text(client.get(result_url(waiting)))
    accept_url = reverse("courses:offer_accept", args=[waiting.pk])
    assert "A place is free" in html
    assert f'action="{accept_url}"' in html

    response = client.post(accept_url)

    assert response.status_code == 303
    waiting.refresh_from_db()
    assert waiting.status == Status.ENROLLED
    assert "You are enrolled" in text(client.get(response["Location"]))


def test_an_expired_offer_says_so(client, english, world):
    waiting = enrolled_row(world["student"], world["section"], status=Status.OFFERED,
                           offer_expires_at=timezone.now() - dt.timedelta(minutes=1))
    client.force_login(world["student"])

    response = client.post(reverse("courses:offer_accept", args=[waiting.pk]), follow=True)

    waiting.refresh_from_db()
    assert waiting.status == Status.WITHDRAWN
    assert response.status_code == 200
    assert "Withdrawn" in text(response)


# --- queries -----------------------------------------------------------------------------

def enrol_queries(client, section, who, monkeypatch) -> tuple[int, int]:
    """(all queries of the enrol POST, those made inside the service)."""
    from courses.services import enrolment as service

    inside = []
    real = service.enrolment_create

    def counted(**kwargs):
        before = len(connection.queries)
        try:
            return real(**kwargs)
        finally:
            inside.append(len(connection.queries) - before)

    monkeypatch.setattr("courses.views.enrolment.enrolment_create", counted)
    client.force_login(who)
    with CaptureQueriesContext(connection) as captured:
        response = post_enrol(client, section)
    assert response.status_code == 303
    return len(captured), inside[0]


def test_the_enrol_post_makes_a_fixed_number_of_queries(client, world, monkeypatch):
    """However many people already hold a place: the view adds two
    queries (session, user) to the service's own, and no page tree
    lookup."""
    big = f.section(course_page=world["singing"], term=world["term"], campus_page=world["campus"],
                    name="3班", capacity=200, slots=((3, "09:00", "11:00"),))
    small = f.section(course_page=world["singing"], term=world["term"],
                      campus_page=world["campus"], name="4班", capacity=200,
                      slots=((4, "09:00", "11:00"),))
    Enrolment.objects.bulk_create(
        Enrolment(person=person(f"学员{n}"), section=big, status=Status.ENROLLED)
        for n in range(40)
    )
    enrol_queries(client, world["other"], person("预热"), monkeypatch)  # warm Django's caches

    few, few_service = enrol_queries(client, small, person("甲"), monkeypatch)
    many, many_service = enrol_queries(client, big, person("乙"), monkeypatch)

    assert few == many
    assert few - few_service == many - many_service == VIEW_QUERIES


VIEW_QUERIES = 2
