"""The catalogue and a section page make the same number of SQL queries
with 20 and with 2,000 classes; the budget is pinned so that a change that
adds a query per class (or any query) shows up here."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Section, SectionSlot
from tests.factories import ProfileFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

# Queries of one uncached page view once the process has routed the
# catalogue under the current cache version (courses.middleware): only the
# page's own data. Wagtail's routing, the page's view restrictions, the
# school's settings, menu and filter choices are kept under that version.
CATALOGUE_BUDGET = 3
SECTION_BUDGET = 4


def add_sections(world, count: int) -> None:
    """``count`` open classes with two weekly times and two teachers each,
    spread over both campuses and all three courses (bulk-created)."""
    courses = [world["calligraphy"], world["painting"], world["singing"]]
    campuses = [world["liandu"], world["longquan"]]
    sections = Section.objects.bulk_create(
        Section(course=courses[n % 3], term=world["term"], campus=campuses[n % 2],
                room=world["studio"] if n % 2 == 0 else None, name=f"扩招{n}班",
                capacity=30, fee=n % 4 * 50, status=Section.Status.OPEN)
        for n in range(count)
    )
    SectionSlot.objects.bulk_create(
        SectionSlot(section=sec, weekday=(n + k) % 7, start_time=datetime.time(8 + 5 * k),
                    end_time=datetime.time(10 + 5 * k))
        for n, sec in enumerate(sections) for k in (0, 1)
    )
    teachers = [ProfileFactory(real_name=name).user for name in ("李老师", "王老师")]
    Section.teachers.through.objects.bulk_create(
        Section.teachers.through(section_id=sec.pk, user_id=t.pk)
        for sec in sections for t in teachers
    )


def queries_for(client, world, path: str) -> int:
    """Queries of an anonymous view that misses the page cache: a query
    string not asked for before, as a visitor's new filter combination (the
    site's settings rows, its menu and Wagtail's own caches are warm, as in
    production, and the process has routed the catalogue before)."""
    separator = "&" if "?" in path else "?"
    for warm in ("warm", "warmer"):
        client.get(f"{path}{separator}r={warm}")
    with CaptureQueriesContext(connection) as captured:
        response = client.get(f"{path}{separator}r=measured")
    assert response.status_code == 200
    assert response.get("X-Catalogue-Cache") != "hit"
    return len(captured)


@pytest.mark.parametrize("count", [20, 2000])
def test_the_catalogue_makes_a_fixed_number_of_queries(client, count):
    world = f.catalogue_world()
    add_sections(world, count)
    assert queries_for(client, world, "/courses/") == CATALOGUE_BUDGET
    filtered = f"/courses/?campus={world['liandu'].pk}&time=morning&seats=on"
    assert queries_for(client, world, filtered) == CATALOGUE_BUDGET + 1  # the chosen campus


@pytest.mark.parametrize("count", [20, 2000])
def test_a_section_page_makes_a_fixed_number_of_queries(client, count):
    world = f.catalogue_world()
    add_sections(world, count)
    path = f"/courses/sections/{world['calligraphy_1'].pk}/"
    assert queries_for(client, world, path) == SECTION_BUDGET


def test_the_page_shows_twenty_classes_of_two_thousand(client):
    world = f.catalogue_world()
    add_sections(world, 2000)
    html = client.get("/courses/?page=3").content.decode()
    assert "2005 classes found" in html
    assert html.count('class="card section-card"') == 20
    assert "李老师、王老师" in html
    assert "Page 3 of 101" in html


def test_a_page_past_the_end_or_not_a_number_shows_a_real_page(client):
    world = f.catalogue_world()
    add_sections(world, 30)
    last = client.get("/courses/?page=99").content.decode()
    assert "Page 2 of 2" in last and last.count('class="card section-card"') == 15
    first = client.get("/courses/?page=abc").content.decode()
    assert "Page 1 of 2" in first and first.count('class="card section-card"') == 20
