"""A room or a teacher can't be in two classes at once."""

import datetime

import pytest
from django.utils import translation

from courses.models import Section, SectionSlot
from courses.services.clashes import section_clashes
from tests.factories import ProfileFactory

from . import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    home, campuses, catalogue = f.school_tree()
    place = f.campus(campuses)
    term = f.TermFactory(school=home)
    teacher = ProfileFactory(real_name="李文博").user
    existing = f.section(course_page=f.course(catalogue, "书法入门班"), term=term,
                         campus_page=place, room=f.room(place, "201教室"),
                         slots=((1, "09:00", "11:00"),))
    existing.teachers.add(teacher)
    other_course = f.course(catalogue, "国画山水班")
    return term, place, existing, teacher, other_course


def new_section(world, **fields):
    term, place, _, _, other_course = world
    return Section(course=other_course, term=term, campus=place, name="2班", capacity=20, **fields)


def slot(weekday, start, end):
    return SectionSlot(weekday=weekday, start_time=datetime.time.fromisoformat(start),
                       end_time=datetime.time.fromisoformat(end))


def test_the_same_room_at_overlapping_times_clashes_with_a_clear_message(world):
    _, _, existing, _, _ = world
    clashes = section_clashes(section=new_section(world), slots=[slot(1, "10:30", "12:00")],
                              room=existing.room, teachers=[])
    assert [c.reason for c in clashes] == ["room"]
    with translation.override("en"):
        assert clashes[0].message() == (
            "201教室 is already used at Tuesday 10:30–12:00 by 书法入门班 1班（莲都校区）."
        )


def test_the_same_teacher_at_overlapping_times_clashes(world):
    _, place, _, teacher, _ = world
    clashes = section_clashes(section=new_section(world), slots=[slot(1, "08:00", "09:30")],
                              room=f.room(place, "305教室"), teachers=[teacher])
    assert [c.reason for c in clashes] == ["teacher"]
    assert "李文博" in clashes[0].message()


@pytest.mark.parametrize(("weekday", "start", "end"), [(1, "11:00", "12:00"), (2, "09:00", "11:00")])
def test_back_to_back_or_another_day_is_fine(world, weekday, start, end):
    _, _, existing, teacher, _ = world
    assert section_clashes(section=new_section(world), slots=[slot(weekday, start, end)],
                           room=existing.room, teachers=[teacher]) == []


def test_a_cancelled_class_or_another_term_never_clashes(world):
    term, _, existing, teacher, _ = world
    existing.status = Section.Status.CANCELLED
    existing.save()
    assert section_clashes(section=new_section(world), slots=[slot(1, "09:00", "11:00")],
                           room=existing.room, teachers=[teacher]) == []
    existing.status = Section.Status.OPEN
    existing.term = f.TermFactory(school=term.school, start_date=datetime.date(2027, 3, 1),
                                  end_date=datetime.date(2027, 6, 30))
    existing.save()
    assert section_clashes(section=new_section(world), slots=[slot(1, "09:00", "11:00")],
                           room=existing.room, teachers=[teacher]) == []
