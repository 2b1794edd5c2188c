"""The catalogue's cards come from plain SQL (courses.catalogue_cards): they
list exactly the classes ``CourseIndexPage.public_sections`` lists, in the
same order, on every filter, and say what a card must say."""

import datetime
import itertools

import pytest

from courses.catalogue_cards import catalogue_cards
from courses.models import Enrolment
from tests.factories import ProfileFactory, UserFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    world = f.catalogue_world()
    # An evening and a weekend class, a full one, one with an unpublished
    # course: every filter has something to keep and something to drop.
    world["evening"] = f.section(course_page=world["singing"], term=world["term"],
                                 campus_page=world["longquan"], name="晚班",
                                 slots=((2, "19:00", "21:00"), (5, "09:00", "10:30")))
    world["full"] = f.section(course_page=world["painting"], term=world["term"],
                              campus_page=world["longquan"], name="满班", capacity=1)
    Enrolment.objects.create(person=UserFactory(), section=world["full"], status="enrolled")
    hidden = f.course(world["catalogue"], "未发布课程", department=world["music"], slug="hidden")
    hidden.unpublish()
    f.section(course_page=hidden, term=world["term"], campus_page=world["liandu"], name="隐")
    return world


def listed_by_sql(world, filters, start=0, stop=100):
    cards, total = catalogue_cards(school=world["home"], filters=filters, start=start,
                                   stop=stop, url_of=str)
    return [int(card.url) for card in cards], total


def listed_by_orm(world, filters):
    catalogue = world["catalogue"]
    return [s.pk for s in catalogue.public_sections(school=world["home"], **filters)]


def test_every_filter_lists_what_the_orm_lists_in_the_same_order(world):
    choices = {
        "campus": [None, world["liandu"], world["longquan"]],
        "department": [None, world["art"], world["music"]],
        "weekday": [None, 1, 2, 5],
        "part_of_day": [None, "morning", "afternoon", "evening"],
        "level": [None, "intermediate"],
        "has_seats": [False, True],
    }
    nonempty = 0
    for values in itertools.product(*choices.values()):
        filters = {k: v for k, v in zip(choices, values, strict=True)
                   if v is not None and v is not False}
        expected = listed_by_orm(world, filters)
        assert listed_by_sql(world, filters) == (expected, len(expected)), filters
        nonempty += bool(expected)
    assert nonempty > 50  # the grid really compares lists, not empty ones


def test_a_page_of_cards_and_the_total(world):
    everything = listed_by_orm(world, {})
    assert len(everything) == 7
    assert listed_by_sql(world, {}, start=2, stop=4) == (everything[2:4], 7)
    assert listed_by_sql(world, {}, start=40, stop=60) == ([], 7)  # past the end


def test_a_card_says_when_where_who_seats_and_fee(world):
    teacher = ProfileFactory(real_name="周老师").user
    nameless = UserFactory(phone="+8613911112222", email="t@example.com", first_name="",
                           last_name="")
    world["calligraphy_1"].teachers.add(teacher, nameless)
    cards, _ = catalogue_cards(school=world["home"], filters={}, start=0, stop=20, url_of=str)
    card = next(c for c in cards if c.url == str(world["calligraphy_1"].pk))
    assert (card.title, card.name, card.campus, card.room) == ("书法入门班", "1班", "莲都校区", "书画室")
    assert card.slots == ("Every Tuesday morning 9:00–11:00",)
    # The public sees teachers' names, never a phone number or an e-mail.
    assert card.teachers == "周文华、周老师"
    assert (card.seats, card.fee) == ("5 seats left", "Free")
    painting = next(c for c in cards if c.url == str(world["painting_1"].pk))
    assert painting.fee == "120 yuan per term"
    assert painting.teachers == "Teacher to be announced"
    full = next(c for c in cards if c.url == str(world["full"].pk))
    assert (full.seats, full.room) == ("Full — you can join the waiting list", None)
    evening = next(c for c in cards if c.url == str(world["evening"].pk))
    assert evening.slots == ("Every Wednesday evening 19:00–21:00",
                             "Every Saturday morning 9:00–10:30")


def test_a_term_filter_keeps_only_that_terms_classes(world):
    spring = f.TermFactory(school=world["home"], name="2027年春季学期（续）",
                           start_date=datetime.date(2027, 3, 1),
                           end_date=datetime.date(2027, 6, 25))
    f.section(course_page=world["calligraphy"], term=spring, campus_page=world["liandu"],
              name="春季1班")
    for term in (world["term"], spring):
        expected = listed_by_orm(world, {"term": term.pk})
        assert listed_by_sql(world, {"term": term.pk}) == (expected, len(expected))
    assert len(listed_by_orm(world, {"term": spring.pk})) == 1


def test_a_card_says_how_many_seats_left_are_kept_for_new_students(world):
    from courses.models import Section

    sec = world["calligraphy_1"]
    Section.objects.filter(pk=sec.pk).update(capacity=4, reserved_for_new=2)

    def seats():
        cards, _ = catalogue_cards(school=world["home"], filters={}, start=0, stop=20,
                                   url_of=str)
        return next(c for c in cards if c.url == str(sec.pk)).seats

    assert seats() == "4 seats left (2 of them kept for new students)"
    Enrolment.objects.create(person=UserFactory(), section=sec, status="enrolled",
                             is_new_student=True)
    assert seats() == "3 seats left (1 of them kept for new students)"
    Enrolment.objects.create(person=UserFactory(), section=sec, status="offered",
                             is_new_student=False, offer_expires_at="2026-09-01T00:00Z")
    assert seats() == "2 seats left (1 of them kept for new students)"
    Enrolment.objects.create(person=UserFactory(), section=sec, status="enrolled",
                             is_new_student=False)
    assert seats() == "1 seat left, kept for new students"
    Enrolment.objects.create(person=UserFactory(), section=sec, status="waitlisted",
                             is_new_student=True)  # waiting: holds no seat
    assert seats() == "1 seat left, kept for new students"
