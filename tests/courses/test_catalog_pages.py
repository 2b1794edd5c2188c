"""A class's own page, a course page, a campus page and the campus list, as
a visitor reads them (in English: no dependence on translations)."""

import datetime
import re
from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images.models import Image

from courses.models import Section
from courses.models.catalog import optional_url
from tests.factories import UserFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]


@pytest.fixture
def world():
    return f.catalogue_world()


def text(response) -> str:
    """The page's main content as words, tags removed."""
    html = response.content.decode()
    main = html[html.index('<main'):html.index('</main>')]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def section_page(client, sec):
    response = client.get(f"/courses/sections/{sec.pk}/")
    assert response.status_code == 200
    return response


def test_a_section_page_says_when_where_who_and_what_it_costs(client, world):
    response = section_page(client, world["calligraphy_1"])
    words = text(response)
    for expected in (
        "书法入门班 · 1班", "2026年秋季学期", "Every Tuesday morning 9:00–11:00",
        "莲都校区", "丽水市莲都区丽青路88号", "书画室 · Floor 3, lift available",
        "周文华", "5 seats left", "Fee: Free", "For ages 50 to 80",
    ):
        assert expected in words, expected
    html = response.content.decode()
    assert 'href="/campuses/liandu/"' in html
    assert 'href="https://map.baidu.com/search/丽水市老年大学"' in html


def test_the_next_sessions_are_listed_and_a_cancelled_one_says_so(client, world):
    words = text(section_page(client, world["calligraphy_1"]))
    assert "Next classes" in words
    assert words.count("9:00–11:00") >= 3  # the weekly time and two dated classes
    assert "Cancelled · 老师外出培训" in words


def test_seats_left_follow_the_enrolments_and_a_full_class_offers_the_waitlist(client, world):
    sec = world["calligraphy_1"]
    for _ in range(4):
        sec.enrolments.create(person=UserFactory(), status="enrolled")
    sec.enrolments.create(person=UserFactory(), status="waitlisted")
    assert "1 seat left" in text(section_page(client, sec))
    sec.enrolments.create(person=UserFactory(), status="enrolled")
    assert "Full — you can join the waiting list" in text(section_page(client, sec))


def test_fee_and_a_closed_class(client, world):
    assert "Fee: 120 yuan per term" in text(section_page(client, world["painting_1"]))
    closed = text(section_page(client, world["closed"]))
    assert "Enrolment for this class is closed." in closed
    assert "Log in to enrol" not in closed


def test_a_visitor_is_asked_to_log_in_and_comes_back_to_the_class(client, world):
    sec = world["calligraphy_1"]
    html = section_page(client, sec).content.decode()
    back = f"%2Fcourses%2Fsections%2F{sec.pk}%2F"
    assert f'<a class="button button-primary" href="/accounts/login/?next={back}">Log in to enrol</a>' in html
    assert f'href="/accounts/signup/?next={back}"' in html


def test_a_signed_in_person_gets_the_enrol_button_instead_of_log_in(client, world):
    # Enrolment opened on 20 August 2026 (no closing date): the enrol block
    # (tests/courses/test_enrolment_views.py) shows its one button.
    client.force_login(UserFactory())
    words = text(section_page(client, world["calligraphy_1"]))
    assert " Enrol " in words
    assert "Log in to enrol" not in words


@pytest.mark.parametrize("name", ["draft", "cancelled", "unpublished"])
def test_a_class_the_public_may_not_see_is_not_found(client, world, name):
    assert client.get(f"/courses/sections/{world[name].pk}/").status_code == 404


def test_another_schools_class_and_an_unknown_class_are_not_found(client, world):
    home, campuses, catalogue = f.school_tree("丽水市老干部党校", "dangxiao")
    other = f.section(course_page=f.course(catalogue, slug="party"),
                      term=f.TermFactory(school=home), campus_page=f.campus(campuses))
    assert client.get(f"/courses/sections/{other.pk}/").status_code == 404
    assert client.get("/courses/sections/999999/").status_code == 404
    assert Section.objects.filter(pk=other.pk, status="open").exists()


def test_the_calendar_link_appears_only_once_its_url_exists(client, world):
    assert optional_url("courses:no_such_view", 1) == ""
    html = section_page(client, world["calligraphy_1"]).content.decode()
    ics = optional_url("courses:section_ics", world["calligraphy_1"].pk)
    if ics:
        assert f'href="{ics}"' in html
    else:
        assert "calendar" not in text(section_page(client, world["calligraphy_1"]))


def _cover() -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", (1200, 675), "#8c1d18").save(buffer, format="JPEG")
    return Image.objects.create(title="书法", file=ImageFile(buffer, name="cover.jpg"))


def test_a_course_page_describes_the_course_and_lists_its_classes(client, world):
    course = world["calligraphy"]
    course.cover = _cover()
    course.save_revision().publish()
    response = client.get(course.url)
    assert response.status_code == 200
    words = text(response)
    for expected in (
        "书法入门班", "从握笔开始学楷书", "楷书基础，笔画与结构。", "Level: Beginner",
        "Department: 书画系", "Each class counts for 2 study hours",
        "零基础、想静心练字的学员", "毛笔、墨汁、毛边纸",
        "书法入门班 · 1班", "5 seats left",
    ):
        assert expected in words, expected
    html = response.content.decode()
    assert "<picture>" in html and 'type="image/webp"' in html
    assert f'href="/courses/sections/{world["calligraphy_1"].pk}/"' in html


def test_a_campus_page_tells_how_to_get_there_and_what_is_taught(client, world):
    response = client.get(world["liandu"].url)
    assert response.status_code == 200
    words = text(response)
    for expected in (
        "莲都校区", "Main campus", "丽水市莲都区丽青路88号", "乘1路、3路公交到市政府站",
        "0578-2123456", "周一至周五 8:00–17:00",
        "书画室", "Floor 3, lift available", "多功能厅", "Ground floor, step-free",
        "书法入门班 · 1班", "声乐基础班 · 2班",
    ):
        assert expected in words, expected
    assert "龙泉" not in words.replace("龙泉分校", "")  # only this campus's classes
    html = response.content.decode()
    assert 'href="tel:0578-2123456"' not in html and 'href="tel:05782123456"' in html
    assert 'href="https://map.baidu.com/search/丽水市老年大学"' in html


def test_a_campus_page_links_to_the_rest_of_a_long_list(client, world):
    for n in range(21):
        f.section(course_page=world["singing"], term=world["term"], campus_page=world["liandu"],
                  name=f"加开{n:02d}班")
    html = client.get(world["liandu"].url).content.decode()
    assert html.count('class="card section-card"') == 20
    assert f'href="/courses/?campus={world["liandu"].pk}">See all 24 classes at this campus' in html


def test_the_campus_list_shows_each_campus_with_its_address(client, world):
    response = client.get("/campuses/")
    assert response.status_code == 200
    words = text(response)
    assert "莲都校区" in words and "龙泉分校" in words
    assert "龙泉市剑池街道贤良路12号" in words
    assert 'href="/campuses/longquan/"' in response.content.decode()


def test_term_dates_are_on_the_section_page(client, world):
    words = text(section_page(client, world["singing_1"]))
    start = world["term"].start_date
    assert start == datetime.date(2026, 9, 7)
    assert "From Sept. 7, 2026 to Dec. 31, 2026" in words
