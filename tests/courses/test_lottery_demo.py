"""The demo has one lottery class at the main campus with a published,
verifiable result, and a second ``seed_demo`` creates nothing more."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from courses.demo_content import CURRENT_TERM
from courses.demo_lottery import CAPACITY, NAME, RENEWALS
from courses.models import Enrolment, EnrolmentLogEntry, LotteryDraw, LotteryEntry, Section
from courses.services.lottery import lottery_verify


@pytest.fixture(scope="module")
def seeded(demo_seeded):
    """The demo, seeded once for the module (``demo_seeded``)."""


@pytest.fixture
def lottery_class(seeded, db):
    # The current term's (the spring term has a copy of it, not yet drawn).
    return Section.objects.get(name=NAME, term__name=CURRENT_TERM[1])


def test_the_demo_lottery_class_is_drawn_and_published(lottery_class):
    draw = LotteryDraw.objects.get(term=lottery_class.term)

    assert lottery_class.enrolment_mode == Section.Mode.LOTTERY
    assert draw.status == LotteryDraw.Status.PUBLISHED
    assert draw.drawn_at < draw.published_at
    entries = LotteryEntry.objects.filter(draw=draw, section=lottery_class)
    assert entries.exclude(outcome="renewed").count() >= 50
    assert entries.filter(outcome="renewed").count() == RENEWALS
    seated = Enrolment.objects.filter(section=lottery_class, status__in=Enrolment.SEATED)
    assert seated.count() == CAPACITY
    assert lottery_verify(draw=draw)


def test_the_demo_lottery_has_a_public_result_page(client, lottery_class):
    draw = LotteryDraw.objects.get(term=lottery_class.term)

    response = client.get(reverse("courses:lottery_result", args=[lottery_class.pk]),
                          HTTP_HOST="localhost")

    assert response.status_code == 200
    assert draw.seed in response.content.decode()


def test_a_second_seed_creates_nothing(seeded, db):
    models = (Section, Enrolment, LotteryDraw, LotteryEntry, EnrolmentLogEntry)
    before = [m.objects.count() for m in models]

    call_command("seed_demo", stdout=StringIO())

    assert [m.objects.count() for m in models] == before
