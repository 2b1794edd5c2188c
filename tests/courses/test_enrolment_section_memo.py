"""The enrolment service keeps each section's rules per process while
nothing changes (``courses.services.enrolment._section``, used with a
shared cache): a change to a term, a section or a page is still seen by
the very next request, and enrolments do not throw the kept rules away."""

import datetime as dt

import pytest

from courses import cache as courses_cache
from courses.models import Enrolment
from courses.services import enrolment as service
from tests.courses.enrolment_fixtures import OPEN, make_world, person

pytestmark = pytest.mark.django_db


@pytest.fixture
def shared_cache(monkeypatch):
    """The memo on, as with Redis (the tests' local-memory cache is one
    cache for this one process, so the version bumps reach it)."""
    monkeypatch.setattr(service, "cache_is_shared", lambda: True)
    service._sections.clear()
    service._sections_version[0] = None
    yield
    service._sections.clear()
    service._sections_version[0] = None


@pytest.fixture
def world(db, shared_cache):
    return make_world()


def enrol(who, section):
    return service.enrolment_create(person=who, section=section, actor=who, now=OPEN)


def test_the_rules_are_read_once_while_nothing_changes(world, django_assert_num_queries):
    section = world["section"]
    enrol(person(), section)
    assert section.pk in service._sections

    someone = person()
    with django_assert_num_queries(0):
        copy = service._section(section.pk)
    assert copy is not service._sections[section.pk]  # each request changes its own copy
    assert enrol(someone, section).outcome == "enrolled"


def test_an_enrolment_leaves_the_rules_but_makes_the_catalogue_stale(
        world, django_capture_on_commit_callbacks):
    rules, pages = courses_cache.rules_version(), courses_cache.catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        enrol(person(), world["section"])

    assert courses_cache.rules_version() == rules
    assert courses_cache.catalogue_version() != pages


def test_a_window_closed_by_the_office_is_seen_by_the_next_request(world, english):
    section = world["section"]
    enrol(person(), section)  # the section's rules are now kept
    term = section.term
    term.enrolment_closes_at = OPEN - dt.timedelta(minutes=1)
    term.save()

    with pytest.raises(service.EnrolmentRefused) as refused:
        enrol(person(), section)
    assert refused.value.code == "window_closed"


def test_an_age_range_set_later_is_seen_by_the_next_request(world, english):
    section = world["section"]
    enrol(person(), section)
    section.age_min = 60
    section.save()
    young = person(birth_date=dt.date(1990, 1, 1))

    with pytest.raises(service.EnrolmentRefused) as refused:
        enrol(young, section)
    assert refused.value.code == "age"
    assert not Enrolment.objects.filter(person=young).exists()
