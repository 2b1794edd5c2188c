"""Copying last term's classes into a new term, as a service and as the
term's admin action."""

import datetime

import pytest
from django.core.exceptions import ValidationError

from courses.models import Section
from courses.services.copy import sections_copy_to_term

from . import factories as f
from . import test_admin_setup as admin_setup
from .test_admin_setup import refused, url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world


@pytest.fixture
def terms(world):
    """Last term (the world's classes, plus a cancelled one) and the next."""
    last = world.term
    f.section(course_page=world.course, term=last, campus_page=world.liandu,
              name="停开班", status=Section.Status.CANCELLED, slots=((4, "09:00", "11:00"),))
    start = last.end_date + datetime.timedelta(days=30)
    new = f.TermFactory(school=world.home, name="再下学期", start_date=start,
                        end_date=start + datetime.timedelta(days=90), is_published=False)
    return last, new


def test_every_class_that_ran_is_copied_as_a_draft_with_its_timetable(world, terms):
    last, new = terms
    copies = sections_copy_to_term(source_term=last, target_term=new, actor=world.school_admin)
    assert sorted(c.name for c in copies) == ["莲都1班", "龙泉1班"]
    copy = Section.objects.get(term=new, name="莲都1班")
    assert copy.copied_from == world.section_ld
    assert copy.status == Section.Status.DRAFT
    assert (copy.course, copy.campus, copy.room, copy.capacity, copy.fee) == (
        world.course, world.liandu, world.room_ld, 30, 120)
    assert list(copy.teachers.all()) == [world.teacher]
    assert [str(s) for s in copy.slots.all()] == [str(s) for s in world.section_ld.slots.all()]
    assert copy.sessions.count() == 13  # every Tuesday of the new 13-week term
    assert copy.sessions.order_by("starts_at").first().starts_at.date() >= new.start_date


def test_copying_twice_copies_nothing_more(world, terms):
    last, new = terms
    sections_copy_to_term(source_term=last, target_term=new)
    assert sections_copy_to_term(source_term=last, target_term=new) == []
    assert Section.objects.filter(term=new).count() == 2


def test_a_term_is_not_copied_into_itself_or_another_school(world, terms):
    last, _new = terms
    with pytest.raises(ValidationError):
        sections_copy_to_term(source_term=last, target_term=last)
    other_home, _c, _cat = f.school_tree("丽水市老干部党校", "dangxiao")
    elsewhere = f.TermFactory(school=other_home, name="党校学期")
    with pytest.raises(ValidationError):
        sections_copy_to_term(source_term=last, target_term=elsewhere)
    assert not Section.objects.filter(term=elsewhere).exists()


def test_the_copy_is_all_or_nothing(world, terms, monkeypatch):
    last, new = terms
    calls = []

    def failing_generate(*, section):
        calls.append(section)
        if len(calls) == 2:
            raise RuntimeError("disk full")
        return {"created": 0, "updated": 0, "deleted": 0}

    monkeypatch.setattr("courses.services.copy.sessions_generate", failing_generate)
    with pytest.raises(RuntimeError):
        sections_copy_to_term(source_term=last, target_term=new)
    assert not Section.objects.filter(term=new).exists()


def test_the_admin_action_confirms_how_many_then_copies(client, world, terms):
    _last, new = terms
    client.force_login(world.school_admin)
    inspect = client.get(url("courses_term:inspect", new.pk)).content.decode()
    page = url("courses_term:copy_sections", new.pk)
    assert page in inspect and "Copy classes from the previous term" in inspect
    confirm = client.get(page).content.decode()
    assert "2 classes of 下学期 will be copied into 再下学期." in confirm
    response = client.post(page, follow=True)
    assert "2 classes copied from 下学期 as drafts." in response.content.decode()
    assert Section.objects.filter(term=new, status=Section.Status.DRAFT).count() == 2
    again = client.get(page).content.decode()
    assert "there is nothing to copy" in again


def test_only_school_admins_may_copy(client, world, terms):
    _last, new = terms
    for user in (world.campus_admin, world.teacher):
        client.force_login(user)
        assert refused(client.post(url("courses_term:copy_sections", new.pk)))
    assert not Section.objects.filter(term=new).exists()
