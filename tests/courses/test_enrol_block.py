"""The "how to enrol" block of a section page for a logged-in person: one
main button (enrol / join the waiting list / request a place), or their
state in the class, or why there is no button; "enrol for" lists the
people they may act for, themself first. The anonymous (cached) page holds
none of it."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, LotteryDraw, Section
from lms.accounts.models import ProxyLink
from tests.courses.enrolment_fixtures import enrolled_row, person, proxy_link
from tests.courses.test_enrolment_views import (
    enrol_url,
    open_windows,
    section_path,
    site_world,
    text,
)

pytestmark = pytest.mark.django_db

Status = Enrolment.Status


@pytest.fixture
def world():
    return site_world()


def enrol_block(client, section) -> str:
    html = text(client.get(section_path(section)))
    start = html.index('id="enrol-heading"')
    return html[start:html.index("</section>", start)]


def test_the_section_page_shows_one_enrol_button(client, english, world):
    client.force_login(world["student"])

    block = enrol_block(client, world["section"])

    assert f'action="{enrol_url(world["section"])}"' in block
    assert block.count("button-primary") == 1
    assert ">Enrol</button>" in block
    assert "csrfmiddlewaretoken" in block
    assert "Enrol for" not in block  # nobody else to enrol for


def test_a_full_class_offers_the_waiting_list(client, english, world):
    for name in ("李建国", "张桂兰"):
        enrolled_row(person(name), world["section"])
    client.force_login(world["student"])

    assert "Join the waiting list</button>" in enrol_block(client, world["section"])


def test_a_lottery_class_offers_to_request_a_place(client, english, world):
    Section.objects.filter(pk=world["section"].pk).update(enrolment_mode=Section.Mode.LOTTERY)
    client.force_login(world["student"])

    block = enrol_block(client, world["section"])

    assert "Request a place (lottery after" in block


def test_after_the_draw_a_lottery_class_fills_first_come(client, english, world):
    Section.objects.filter(pk=world["section"].pk).update(enrolment_mode=Section.Mode.LOTTERY)
    LotteryDraw.objects.create(term=world["term"], status=LotteryDraw.Status.PUBLISHED,
                               seed="x", seed_digest="y", algorithm="test")
    client.force_login(world["student"])

    assert ">Enrol</button>" in enrol_block(client, world["section"])


def test_an_enrolled_student_sees_their_state_not_a_button(client, english, world):
    enrolment = enrolled_row(world["student"], world["section"])
    client.force_login(world["student"])

    block = enrol_block(client, world["section"])

    assert "You are enrolled in this class." in block
    assert reverse("courses:my_classes") in block
    assert reverse("courses:enrolment_withdraw", args=[enrolment.pk]) in block
    assert enrol_url(world["section"]) not in block


def test_a_waiting_student_sees_their_place(client, english, world):
    enrolled_row(world["student"], world["section"], status=Status.WAITLISTED,
                 queued_at=timezone.now())
    client.force_login(world["student"])

    assert "You are number 1 on the waiting list." in enrol_block(client, world["section"])


def test_before_the_window_the_page_says_when_it_opens(client, english, world):
    open_windows(world["term"], enrolment_opens_at=timezone.now() + dt.timedelta(days=3))
    client.force_login(world["student"])

    block = enrol_block(client, world["section"])

    assert "Enrolment opens on" in block
    assert enrol_url(world["section"]) not in block


def test_a_family_member_chooses_whom_to_enrol_for_themself_first(client, english, world):
    family = person("王小红", birth_date=dt.date(1985, 1, 1))
    proxy_link(world["student"], family)
    other = person("李建国")
    ProxyLink.objects.create(student=other, proxy=family, status=ProxyLink.Status.PENDING)
    client.force_login(family)

    block = enrol_block(client, world["section"])

    assert "Enrol for" in block
    assert block.count('type="radio" name="person"') == 2
    assert block.index(f'value="{family.pk}" checked') < block.index(
        f'value="{world["student"].pk}"')
    assert "Myself (王小红)" in block and "王秀英" in block
    assert "李建国" not in block  # a pending link gives no choice


def test_the_anonymous_page_has_no_personal_enrol_block(client, english, world):
    html = text(client.get(section_path(world["section"])))

    assert "Log in to enrol" in html
    assert enrol_url(world["section"]) not in html




def test_in_the_renewal_window_only_last_terms_students_get_the_button(client, english, world):
    now = timezone.now()
    open_windows(world["term"], renewal_opens_at=now - dt.timedelta(days=1),
                 renewal_closes_at=now + dt.timedelta(days=2),
                 enrolment_opens_at=now + dt.timedelta(days=3))
    enrolled_row(world["student"], world["last_run"])
    newcomer = person("李建国")

    client.force_login(newcomer)
    block = enrol_block(client, world["section"])
    assert "students of this class last term can keep their place" in block
    assert enrol_url(world["section"]) not in block  # no button promising a refusal

    client.force_login(world["student"])
    assert "Keep my place</button>" in enrol_block(client, world["section"])


# --- places kept for new students -------------------------------------------------


def seats_badge(client, section) -> str:
    html = text(client.get(section_path(section)))
    start = html.index('id="seats-heading"')
    start = html.index('class="badge">', start) + len('class="badge">')
    return html[start:html.index("</span>", start)].strip()


@pytest.fixture
def kept(world):
    """Five seats, two kept for new students, one taken by a returning
    student; the student has had a class here before (last term)."""
    Section.objects.filter(pk=world["section"].pk).update(capacity=5, reserved_for_new=2)
    enrolled_row(person("李建国"), world["section"], is_new_student=False)
    enrolled_row(world["student"], world["last_run"])
    return world


def test_everyone_reads_how_many_seats_are_kept_for_new_students(client, english, kept):
    assert seats_badge(client, kept["section"]) == "4 seats left (2 of them kept for new students)"
    assert "people who have not taken a class at this school before" in text(
        client.get(section_path(kept["section"])))
    client.force_login(person("新学员"))  # never had a class here: may take any seat
    assert seats_badge(client, kept["section"]) == "4 seats left (2 of them kept for new students)"
    assert ">Enrol</button>" in enrol_block(client, kept["section"])


def test_a_returning_student_reads_only_the_seats_they_can_take(client, english, kept):
    client.force_login(kept["student"])

    assert seats_badge(client, kept["section"]) == "2 seats left for you"
    assert ">Enrol</button>" in enrol_block(client, kept["section"])


def test_once_only_kept_seats_are_left_a_returning_student_is_offered_the_waiting_list(
        client, english, kept):
    for name in ("张桂兰", "刘志强"):
        enrolled_row(person(name), kept["section"], is_new_student=False)
    assert seats_badge(client, kept["section"]) == "2 seats left, all kept for new students"
    client.force_login(kept["student"])

    assert seats_badge(client, kept["section"]) == (
        "The seats left are kept for new students — you can join the waiting list")
    block = enrol_block(client, kept["section"])
    assert "Join the waiting list</button>" in block
    assert "The seats left are kept for new students. Join the waiting list" in block
    client.post(enrol_url(kept["section"]), {"person": kept["student"].pk})
    assert Enrolment.objects.get(person=kept["student"], section=kept["section"]).status == (
        Status.WAITLISTED)  # what the page promised


def test_a_new_student_taking_a_kept_seat_leaves_fewer_kept(client, english, kept):
    enrolled_row(person("新来的"), kept["section"], is_new_student=True)
    assert seats_badge(client, kept["section"]) == "3 seats left (1 of them kept for new students)"
