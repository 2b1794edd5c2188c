"""The public result page of a lottery class: before the draw the seed's
digest and the date; after publishing the seed, the digests and every
ticket in draw order, without names or phone numbers; "find my ticket"
without JavaScript; 404 for a class that has no lottery."""

import pytest
from django.urls import reverse

from courses.models import Enrolment, Section
from courses.services.lottery import lottery_announce, lottery_draw, lottery_publish
from tests.courses.lottery_factories import lottery_world, requests
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Enrolment.Status


@pytest.fixture
def world():
    return lottery_world(capacity=3)


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def page(client, section, **query):
    return client.get(reverse("courses:lottery_result", args=[section.pk]), query)


@pytest.fixture
def published(world, staff):
    rows = requests(world["a"], 7)
    draw = lottery_announce(term=world["term"], actor=staff)
    draw = lottery_publish(draw=lottery_draw(draw=draw, actor=staff), actor=staff)
    return draw, rows


def test_a_published_draw_shows_the_seed_digests_and_every_ticket_in_order(
        english, world, published):
    draw, _rows = published

    response = page(english, world["a"])

    html = response.content.decode()
    assert response.status_code == 200
    for text in (draw.seed, draw.seed_digest, draw.inputs_digest, "sha256-rank-v1"):
        assert text in html
    entries = list(draw.entries.filter(section=world["a"]).order_by("rank"))
    positions = [html.index(f'id="ticket-{e.ticket}"') for e in entries]
    assert positions == sorted(positions) and len(positions) == 7
    assert entries[0].score[:12] in html
    assert "Drawn: 3" in html and "On the waiting list: 4" in html


def test_the_page_shows_no_names_or_phone_numbers(english, world, published):
    _draw, rows = published

    html = page(english, world["a"]).content.decode()

    for row in rows:
        assert row.person.profile.real_name not in html
        assert row.person.phone[3:] not in html


def test_find_my_ticket_answers_a_winner_in_plain_words(english, world, published):
    winner = Enrolment.objects.filter(section=world["a"], status=S.ENROLLED).first()

    html = page(english, world["a"], ticket=f" {winner.ticket.lower()} ").content.decode()

    assert f"Ticket {winner.ticket} was drawn" in html
    assert "<mark>" in html


def test_find_my_ticket_tells_a_waiting_ticket_its_place_on_the_list(english, world, published):
    second = (Enrolment.objects.filter(section=world["a"], status=S.WAITLISTED)
              .order_by("queue_rank")[1])

    html = page(english, world["a"], ticket=second.ticket).content.decode()

    assert f"Ticket {second.ticket} was not drawn" in html
    assert "It was number 2 on the waiting list" in html


def test_an_unknown_ticket_is_answered_plainly(english, world, published):
    html = page(english, world["a"], ticket="ZZZZZZ").content.decode()

    assert "We did not find ticket ZZZZZZ in this draw" in html


def test_before_the_draw_the_page_shows_the_digest_and_the_date_not_the_seed(
        english, world, staff):
    requests(world["a"], 4)
    draw = lottery_announce(term=world["term"], actor=staff)

    html = page(english, world["a"]).content.decode()

    assert draw.seed_digest in html and draw.seed not in html
    assert "The draw will take place after requests close on" in html
    assert "2026" in html
    assert "Every ticket in draw order" not in html


def test_a_drawn_unpublished_draw_keeps_its_seed_and_result_private(english, world, staff):
    rows = requests(world["a"], 4)
    draw = lottery_draw(draw=lottery_announce(term=world["term"], actor=staff), actor=staff)

    html = page(english, world["a"], ticket=rows[0].ticket).content.decode()

    assert draw.seed not in html and f'id="ticket-{rows[0].ticket}"' not in html
    assert "The draw has taken place" in html


def test_no_draw_yet(english, world):
    response = page(english, world["a"])

    assert response.status_code == 200
    assert "No draw yet" in response.content.decode()


def test_a_class_without_a_lottery_has_no_result_page(client, world):
    assert page(client, world["first_come"]).status_code == 404
    assert client.get(reverse("courses:lottery_result", args=[999_999])).status_code == 404


def test_a_draft_class_has_no_result_page(client, world):
    Section.objects.filter(pk=world["a"].pk).update(status=Section.Status.DRAFT)

    assert page(client, world["a"]).status_code == 404


def test_the_page_is_read_only(client, world):
    url = reverse("courses:lottery_result", args=[world["a"].pk])

    assert client.post(url).status_code == 405


def test_the_page_is_in_chinese_by_default(client, world, published):
    response = page(client, world["a"])

    assert response.status_code == 200
    assert 'lang="zh-CN"' in response.content.decode()


def test_the_page_takes_a_fixed_number_of_queries(client, world, published,
                                                  django_assert_max_num_queries):
    page(client, world["a"])  # warm the site and settings caches
    with django_assert_max_num_queries(12):
        page(client, world["a"])
