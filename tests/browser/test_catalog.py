"""The catalogue on a phone: a person filters by campus and morning, opens a
class and reads its timetable; the catalogue, a class, a campus and the
campus list pass axe-core (7:1 contrast), with no horizontal scrolling and
text of at least 18 px."""

import pytest
from django.utils import timezone
from wagtail.models import Page

from courses.cache import connect_cache_signals
from courses.forms import filter_choices, shown_terms
from courses.models import CourseIndexPage, CoursePage
from courses.selectors import catalog_sections

from .conftest import assert_accessible, assert_readable, assert_targets

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(schools):
    """The demo university (localhost, ``manage.py seed_demo``): its
    catalogue, a campus with morning classes, one of those classes, a course."""
    connect_cache_signals()
    home = schools["localhost"].root_page
    catalogue = CourseIndexPage.objects.live().child_of(home).get()
    # The catalogue shows one term: the newest running one (the demo's next term).
    term = shown_terms(filter_choices(school=home)["term"], timezone.localdate())[0][0]
    morning = catalog_sections(school=home, part_of_day="morning", term=term).filter(
        course__live=True, campus__live=True)
    first = morning.first()
    assert first is not None, "the demo has morning classes"
    return {
        "home": home,
        "catalogue": catalogue,
        "campus": first.campus,
        "section": first,
        "expected": morning.filter(campus=first.campus).count(),
        "course": CoursePage.objects.live().descendant_of(home).first(),
        "campus_list": Page.objects.get(pk=first.campus.get_parent().pk),
    }


def path_of(page) -> str:
    return page.relative_url(page.get_site())


def test_a_person_filters_by_campus_and_morning_and_opens_a_class(mobile_visitor, demo):
    visitor, page = mobile_visitor, mobile_visitor.page
    visitor.goto(path_of(demo["catalogue"]))
    assert page.locator("h1").inner_text() == demo["catalogue"].title
    campus = demo["campus"]
    page.select_option("select[name=campus]", str(campus.pk))
    page.locator("input[name=time][value=morning]").check()
    visitor.screenshot("chosen")
    page.locator("main button[type=submit]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("results")
    assert f"campus={campus.pk}" in page.url and "time=morning" in page.url
    cards = page.locator(".section-card")
    assert cards.count() == min(demo["expected"], 20)
    for n in range(cards.count()):
        assert campus.title in cards.nth(n).inner_text()
    assert_readable(page)
    title = cards.first.locator(".card-title a").inner_text()
    cards.first.locator(".card-title a").click()
    page.wait_for_load_state("load")
    visitor.screenshot("section")
    assert "/sections/" in page.url
    assert page.locator("h1").inner_text() == title
    timetable = page.locator(".timetable li").first
    assert timetable.is_visible()
    assert "–" in timetable.inner_text()
    assert page.locator("a.button-primary").count() == 1
    assert_readable(page)
    assert_targets(page)


def test_catalogue_pages_are_accessible(visitor, demo):
    """The catalogue (plain and filtered), a class, the campus list, a
    campus and a course, at 360 and 1280 px (one demo seed for all six)."""
    catalogue = path_of(demo["catalogue"])
    paths = [
        catalogue,
        f"{catalogue}?time=morning&seats=on&page=2",
        f"{catalogue}sections/{demo['section'].pk}/",
        path_of(demo["campus_list"]),
        path_of(demo["campus"]),
        path_of(demo["course"]),
    ]
    for path in paths:
        response = visitor.goto(path)
        assert response.status == 200, path
        page = visitor.page
        assert page.locator("h1").count() == 1
        assert_readable(page)
        assert_targets(page)
        assert_accessible(page)
