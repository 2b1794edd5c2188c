"""The public catalogue as a visitor sees it: filters, result cards, pages.

Pages render in English here (``translation.override("en")`` and the
``lms_language`` cookie) so that these tests do not depend on translations."""

import re

import pytest

from courses.models import Section
from tests.factories import UserFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    return f.catalogue_world()


def card_titles(response) -> list[str]:
    html = response.content.decode()
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)


def get(client, query=""):
    response = client.get(f"/courses/{query}")
    assert response.status_code == 200
    return response


def test_the_catalogue_lists_the_public_classes_of_published_terms(client, world):
    titles = card_titles(get(client))
    assert titles == ["书法入门班 · 1班", "国画花鸟班 · 1班", "国画花鸟班 · 2班",
                      "声乐基础班 · 1班", "声乐基础班 · 2班"]
    assert "5 classes found" in get(client).content.decode()


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("?time=morning", ["书法入门班 · 1班", "国画花鸟班 · 2班", "声乐基础班 · 1班"]),
        ("?time=afternoon", ["国画花鸟班 · 1班"]),
        ("?time=evening", ["声乐基础班 · 2班"]),
        ("?weekday=1", ["书法入门班 · 1班", "声乐基础班 · 1班"]),
        ("?weekday=3", ["国画花鸟班 · 1班"]),
        ("?level=intermediate", ["国画花鸟班 · 1班", "国画花鸟班 · 2班"]),
        ("?weekday=1&time=morning", ["书法入门班 · 1班", "声乐基础班 · 1班"]),
    ],
)
def test_each_filter_narrows_the_list(client, world, query, expected):
    assert card_titles(get(client, query)) == expected


def test_campus_and_department_filters(client, world):
    liandu = world["liandu"].pk
    assert card_titles(get(client, f"?campus={liandu}")) == [
        "书法入门班 · 1班", "国画花鸟班 · 1班", "声乐基础班 · 2班"]
    assert card_titles(get(client, f"?department={world['music'].pk}")) == [
        "声乐基础班 · 1班", "声乐基础班 · 2班"]
    assert card_titles(get(client, f"?campus={liandu}&time=morning")) == ["书法入门班 · 1班"]


def test_only_with_seats_hides_full_and_closed_classes(client, world):
    full = world["calligraphy_1"]
    for _ in range(full.capacity):
        full.enrolments.create(person=UserFactory(), status="enrolled")
    titles = card_titles(get(client, "?seats=on"))
    assert "书法入门班 · 1班" not in titles
    assert "国画花鸟班 · 2班" not in titles  # closed
    assert titles == ["国画花鸟班 · 1班", "声乐基础班 · 1班", "声乐基础班 · 2班"]


def test_a_campus_of_another_school_is_not_offered(client, world):
    _home, other_campuses, _ = f.school_tree("丽水市老干部党校", "dangxiao")
    elsewhere = f.campus(other_campuses, "党校校区")
    html = get(client).content.decode()
    assert "莲都校区" in html
    assert "党校校区" not in html
    # Asking for it anyway is ignored, not an error.
    assert len(card_titles(get(client, f"?campus={elsewhere.pk}"))) == 5


def test_bad_filter_values_are_ignored_without_an_error(client, world):
    response = get(client, "?campus=abc&weekday=9&time=noon&level=expert&department=-1&page=x")
    html = response.content.decode()
    assert len(card_titles(response)) == 5
    assert "field-error" not in html
    assert "Clear filters" not in html


def test_chosen_filters_are_shown_in_words_with_a_clear_link(client, world):
    html = get(client, f"?campus={world['liandu'].pk}&time=morning").content.decode()
    assert "1 class found" in html
    assert "You chose: 莲都校区、Morning" in html
    assert '<a href="/courses/">Clear filters</a>' in html
    # The form keeps what was chosen.
    assert f'<option value="{world["liandu"].pk}" selected>' in html
    assert re.search(r'<input type="radio" name="time" value="morning"[^>]*checked', html)


def test_a_search_with_no_result_says_so_and_offers_to_clear(client, world):
    html = get(client, "?weekday=6").content.decode()
    assert "0 classes found" in html
    assert "No class matches what you chose." in html
    assert "Clear filters and see every class" in html


def test_cards_show_when_where_who_seats_and_fee(client, world):
    html = get(client, f"?campus={world['liandu'].pk}&weekday=1").content.decode()
    card = html[html.index('class="card section-card"'):]
    assert "Every Tuesday morning 9:00–11:00" in card
    assert "莲都校区 · 书画室" in card
    assert "Teacher: 周文华" in card
    assert "5 seats left" in card
    assert "Free" in card
    assert f'href="/courses/sections/{world["calligraphy_1"].pk}/"' in card
    painting = get(client, "?weekday=3").content.decode()
    assert "120 yuan per term" in painting


def test_the_catalogue_is_paginated_with_plain_links_that_keep_the_filters(client, world):
    term, liandu = world["term"], world["liandu"]
    for n in range(25):
        f.section(course_page=world["singing"], term=term, campus_page=liandu,
                  name=f"加开{n:02d}班", slots=((0, "09:00", "10:00"),))
    first = get(client, "?weekday=0")
    html = first.content.decode()
    assert "25 classes found" in html
    assert len(card_titles(first)) == 20
    assert "Page 1 of 2" in html
    assert 'href="?weekday=0&amp;page=2"' in html
    second = get(client, "?weekday=0&page=2")
    assert len(card_titles(second)) == 5
    assert 'href="?weekday=0&amp;page=1"' in second.content.decode()
    # A page past the end shows the last page rather than an error.
    assert len(card_titles(get(client, "?weekday=0&page=99"))) == 5


def test_an_unpublished_course_is_not_listed(client, world):
    world["painting"].unpublish()
    assert "国画花鸟班" not in get(client).content.decode()
    assert client.get(f"/courses/sections/{world['painting_1'].pk}/").status_code == 404


def test_draft_cancelled_and_unpublished_term_classes_stay_hidden(client, world):
    html = get(client).content.decode()
    for name in ("草稿班", "停开班", "下学期班"):
        assert name not in html
    assert Section.objects.filter(name="草稿班").exists()


def test_one_term_at_a_time_the_newest_running_one_unless_another_is_chosen(client, world):
    import datetime

    spring = f.TermFactory(school=world["home"], name="2027年春季学期（续）",
                           start_date=datetime.date(2027, 3, 1),
                           end_date=datetime.date(2027, 6, 25))
    f.section(course_page=world["calligraphy"], term=spring, campus_page=world["liandu"],
              name="春季1班")
    f.TermFactory(school=world["home"], name="2025年秋季学期", is_published=True,
                  start_date=datetime.date(2025, 9, 1), end_date=datetime.date(2025, 12, 31))
    # The next term is shown first (enrolment for it is what is going on).
    html = get(client).content.decode()
    assert card_titles_of(html) == ["书法入门班 · 春季1班"]
    assert "2027年春季学期（续）" in html and "1 class found" in html
    assert '<details class="catalogue-filters" open>' in html  # nothing chosen yet
    # The running term is one choice away; a finished term is not offered.
    assert f'<option value="{world["term"].pk}">2026年秋季学期</option>' in html
    assert "2025年秋季学期" not in html
    autumn = get(client, f"?term={world['term'].pk}").content.decode()
    assert "5 classes found" in autumn and "You chose: 2026年秋季学期" in autumn
    # A term that is not offered (unknown, or another school's) shows the default.
    assert "1 class found" in get(client, "?term=99999").content.decode()


def test_a_school_with_one_term_shows_no_term_choice(client, world):
    html = get(client).content.decode()
    assert 'name="term"' not in html and "2026年秋季学期" in html


def card_titles_of(html: str) -> list[str]:
    return re.findall(r'<h3 class="card-title"><a href="[^"]+">([^<]+)</a>', html)
