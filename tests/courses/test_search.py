"""Chinese course search at /search/: word by word, pinyin initials, one
school per site, live courses only, the same results on SQLite and
PostgreSQL (the suite runs on both)."""

import re
from urllib.parse import quote

import pytest
from django.urls import reverse
from wagtail.models import Site

from courses.models import Enrolment, Section
from courses.views.search import course_search, query_words
from tests.factories import ProfileFactory, UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db

HOST = "school.localhost"
OTHER_HOST = "other.localhost"


@pytest.fixture
def world():
    # Pages are indexed as they are saved (Wagtail's post_save handler runs
    # the index task at once): no update_index needed.
    home, campuses, catalogue = f.school_tree()
    Site.objects.create(hostname=HOST, port=80, root_page=home, site_name="丽水市老年大学")
    other_home, other_campuses, other_catalogue = f.school_tree("丽水市老干部党校", "dangxiao")
    Site.objects.create(hostname=OTHER_HOST, port=80, root_page=other_home, site_name="党校")

    liandu = f.campus(campuses, "莲都校区", address="丽水市莲都区丽青路88号", county="莲都区")
    f.campus(campuses, "龙泉分校", address="龙泉市剑川大道1号", county="龙泉市")
    term = f.TermFactory(school=home)
    calligraphy = f.course(catalogue, "书法入门班", summary="从握笔开始",
                           description="<p>笔画与结构。</p>")
    regular = f.course(catalogue, "书画欣赏", summary="看名家作品",
                       description="<p>楷书基础与行书欣赏。</p>")
    folk = f.course(catalogue, "民乐合奏班", summary="二胡、笛子一起合奏",
                    description="<p>识谱与合奏。</p>")
    phone = f.course(catalogue, "智能手机入门", summary="学会用微信视频通话",
                     description="<p>Phones and apps.</p>")
    teacher = ProfileFactory(real_name="王老师").user
    section = f.section(course_page=calligraphy, term=term, campus_page=liandu, capacity=3)
    section.teachers.add(teacher)
    Enrolment.objects.create(person=UserFactory(), section=section, status="enrolled")
    draft_section = f.section(course_page=calligraphy, term=term, campus_page=liandu,
                              name="2班", status=Section.Status.DRAFT)
    other_term = f.TermFactory(school=other_home)
    other_campus = f.campus(other_campuses, "党校本部")
    party_calligraphy = f.course(other_catalogue, "党校书法班", summary="书法")
    f.section(course_page=party_calligraphy, term=other_term, campus_page=other_campus)
    return {
        "home": home, "calligraphy": calligraphy, "regular": regular, "folk": folk,
        "phone": phone, "section": section, "draft_section": draft_section,
        "catalogue": catalogue, "party_calligraphy": party_calligraphy,
    }


def found(home, query):
    return [hit.course.title for hit in course_search(school=home, query=query).courses]


def get(client, query, host=HOST):
    return client.get(f"{reverse('courses:search')}?q={quote(query)}", HTTP_HOST=host)


def test_a_word_finds_a_course_whose_title_contains_it(world, client):
    assert found(world["home"], "书法") == ["书法入门班"]
    response = get(client, "书法")
    assert response.status_code == 200
    html = response.content.decode()
    assert "书法入门班" in html
    assert "党校书法班" not in html


def test_a_word_of_the_description_finds_the_course(world):
    assert found(world["home"], "楷书") == ["书画欣赏"]


def test_several_words_must_all_match(world):
    assert found(world["home"], "楷书基础") == ["书画欣赏"]
    assert found(world["home"], "书法 入门") == ["书法入门班"]


def test_when_no_course_has_every_word_courses_with_some_are_shown(world):
    results = course_search(school=world["home"], query="书法 太极拳")
    assert [hit.course.title for hit in results.courses] == ["书法入门班"]
    assert results.matched_all_words is False


@pytest.mark.parametrize(("query", "title"), [
    ("sf", "书法入门班"),
    ("SF", "书法入门班"),
    # "my" (民乐) is an English stop word: PostgreSQL must not drop it.
    ("my", "民乐合奏班"),
    ("znsj", "智能手机入门"),
])
def test_pinyin_initials_find_the_course(world, query, title):
    assert found(world["home"], query) == [title]


def test_english_words_are_not_stemmed(world):
    # SQLite's FTS5 does not stem; PostgreSQL must not either ("simple"),
    # or "phone" would find "Phones" there only.
    assert found(world["home"], "phones") == ["智能手机入门"]
    assert found(world["home"], "phone") == []


def test_another_schools_site_does_not_find_this_schools_course(world, client):
    html = get(client, "书法", host=OTHER_HOST).content.decode()
    assert "党校书法班" in html
    assert "书法入门班" not in html
    assert found(world["home"], "党校") == []


def test_a_draft_course_is_not_found(world):
    draft = f.course(world["catalogue"], "太极拳提高班", live=False)
    assert found(world["home"], "太极拳") == []
    draft.save_revision().publish()
    assert found(world["home"], "太极拳") == ["太极拳提高班"]


def test_an_unpublished_change_is_not_found_until_published(world):
    course = world["folk"]
    course.title = "太极拳班"
    course.save_revision()  # a draft revision: the live page is unchanged
    assert found(world["home"], "太极拳") == []
    course.get_latest_revision().publish()
    assert found(world["home"], "太极拳") == ["太极拳班"]


def test_results_list_public_sections_with_seats_left(world, client):
    results = course_search(school=world["home"], query="书法")
    [hit] = results.courses
    assert [(s.pk, s.availability.seats_left) for s in hit.sections] == [
        (world["section"].pk, 2)]
    html = get(client, "书法").content.decode()
    assert f'id="section-{world["section"].pk}"' in html
    assert f'id="section-{world["draft_section"].pk}"' not in html
    assert f'/courses/sections/{world["section"].pk}/"' in html  # the section's page
    assert "王老师" in html
    badges = re.findall(r'class="badge">([^<]*)<', html)
    assert len(badges) == 1 and re.search(r"\b2\b", badges[0])  # 2 of 3 places left


def test_the_title_match_comes_first(world):
    f.course(world["catalogue"], "国画入门", summary="书法与国画同源")
    assert found(world["home"], "书法") == ["书法入门班", "国画入门"]


def test_campuses_matching_the_address_are_listed(world, client):
    results = course_search(school=world["home"], query="莲都")
    assert [c.title for c in results.campuses] == ["莲都校区"]
    assert "丽青路88号" in get(client, "莲都").content.decode()


def test_an_empty_query_shows_the_suggestions(world, client):
    response = get(client, "")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'class="empty-state' in html
    assert 'type="search"' in html
    for word in ("书法", "太极拳", "智能手机"):
        assert f'href="/search/?q={quote(word)}"' in html


def test_no_result_shows_the_suggestions(world, client):
    html = get(client, "围棋").content.decode()
    assert 'class="empty-state' in html
    assert f'href="/search/?q={quote("太极拳")}"' in html
    assert "card-list" not in html


def test_punctuation_and_search_syntax_are_harmless(world, client):
    for query in ['"书法', "书法 OR 楷书", "NOT", "!!!", "a_b", "'", "\\", "*", "书法*"]:
        assert get(client, query).status_code == 200
    assert query_words("书法, 入门!") == ["书法", "入门"]
    assert query_words("!!!") == []
