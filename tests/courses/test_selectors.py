"""What the catalogue lists: public sections, filters, seats left."""

import pytest

from courses.models import Enrolment, Section
from courses.selectors import availability_of, catalog_sections, section_availability
from tests.factories import UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    home, campuses, catalogue = f.school_tree()
    liandu, longquan = f.campus(campuses, "莲都校区"), f.campus(campuses, "龙泉分校")
    term = f.TermFactory(school=home)
    calligraphy = f.course(catalogue, "书法入门班")
    singing = f.course(catalogue, "声乐基础班", level="intermediate")
    return {
        "home": home,
        "morning": f.section(course_page=calligraphy, term=term, campus_page=liandu,
                             slots=((0, "08:30", "10:30"),), capacity=2),
        "afternoon": f.section(course_page=singing, term=term, campus_page=longquan,
                               slots=((2, "14:00", "16:00"),)),
        "evening": f.section(course_page=singing, term=term, campus_page=liandu, name="2班",
                             slots=((4, "19:00", "20:30"),)),
        "draft": f.section(course_page=singing, term=term, campus_page=liandu, name="3班",
                           status=Section.Status.DRAFT),
        "liandu": liandu,
    }


def titles(queryset):
    return [str(s) for s in queryset]


def test_the_catalogue_lists_public_sections_only(world):
    assert titles(catalog_sections(school=world["home"])) == ["书法入门班 1班", "声乐基础班 1班", "声乐基础班 2班"]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"part_of_day": "morning"}, ["书法入门班 1班"]),
        ({"part_of_day": "afternoon"}, ["声乐基础班 1班"]),
        ({"part_of_day": "evening"}, ["声乐基础班 2班"]),
        ({"weekday": 2}, ["声乐基础班 1班"]),
        ({"level": "intermediate"}, ["声乐基础班 1班", "声乐基础班 2班"]),
    ],
)
def test_filters(world, filters, expected):
    assert titles(catalog_sections(school=world["home"], **filters)) == expected


def test_campus_filter(world):
    assert titles(catalog_sections(school=world["home"], campus=world["liandu"])) == [
        "书法入门班 1班", "声乐基础班 2班"]


def test_a_full_section_has_no_seats_and_drops_out_of_has_seats(world):
    full = world["morning"]
    for _ in range(2):
        Enrolment.objects.create(person=UserFactory(), section=full, status="enrolled")
    Enrolment.objects.create(person=UserFactory(), section=full, status="waitlisted")
    assert section_availability(section=full).state == "full"
    listed = {s.pk: s for s in catalog_sections(school=world["home"])}
    assert availability_of(listed[full.pk]).seats_left == 0
    assert full.pk not in {s.pk for s in catalog_sections(school=world["home"], has_seats=True)}
    assert availability_of(listed[world["afternoon"].pk]).seats_left == 30
