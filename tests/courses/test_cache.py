"""Anonymous catalogue and section pages come from Django's cache, and a
change of the data behind them shows on the next request."""

import re

import pytest
from django.contrib.messages import constants, get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from wagtail.models import PageViewRestriction

from courses.cache import cached_page
from courses.models import ClassSession, CourseIndexPage, Enrolment, Section, SectionSlot
from tests.factories import UserFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

@pytest.fixture
def world():
    return f.catalogue_world()


def seats(response) -> str:
    return re.search(r"\d+ seats? left|Full — you can join the waiting list",
                     response.content.decode()).group(0)


def section_url(sec) -> str:
    return f"/courses/sections/{sec.pk}/"


def test_a_second_anonymous_visit_is_served_from_the_cache(client, world):
    url = section_url(world["calligraphy_1"])
    first = client.get(url)
    assert first.get("X-Catalogue-Cache") is None
    second = client.get(url)
    assert second["X-Catalogue-Cache"] == "hit"
    assert seats(second) == seats(first) == "5 seats left"
    # A change no signal reports (a queryset update) is not seen: it is cached.
    Section.objects.filter(pk=world["calligraphy_1"].pk).update(capacity=9)
    assert seats(client.get(url)) == "5 seats left"


@pytest.mark.parametrize(("url", "found"), [("/courses/", "5 classes found"),
                                            ("/courses/?time=morning", "3 classes found")])
def test_a_hit_runs_no_query_at_all(client, world, url, found, django_assert_num_queries):
    # The middleware answers before Wagtail looks for the Site or the page,
    # and an anonymous visitor without a session cookie has no session to load.
    client.get(url)
    assert "sessionid" not in client.cookies
    with django_assert_num_queries(0):
        hit = client.get(url)
    assert hit["X-Catalogue-Cache"] == "hit"
    assert found in hit.content.decode()


def test_a_hit_is_the_page_a_render_gives(client, world):
    url = section_url(world["calligraphy_1"])
    token = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')
    rendered = client.get(url)
    hit = client.get(url)
    assert hit["X-Catalogue-Cache"] == "hit"
    assert token.sub("", hit.content.decode()) == token.sub("", rendered.content.decode())
    for header in ("Content-Type", "Vary", "Cache-Control", "X-Frame-Options",
                   "Content-Language"):
        assert hit.get(header) == rendered.get(header), header


def test_other_pages_are_not_looked_up(client, world):
    client.get("/courses/")
    with CaptureQueriesContext(connection) as captured:
        response = client.get("/")
    assert response.get("X-Catalogue-Cache") is None
    assert len(captured) > 0  # rendered by Wagtail, as before


def test_a_new_capacity_shows_on_the_next_request(client, world):
    sec = world["calligraphy_1"]
    assert seats(client.get(section_url(sec))) == "5 seats left"
    sec.capacity = 8
    sec.save()
    assert seats(client.get(section_url(sec))) == "8 seats left"


def test_a_new_enrolment_shows_on_the_catalogue_and_the_section_page(client, world):
    sec = world["calligraphy_1"]
    query = f"/courses/?campus={world['liandu'].pk}&weekday=1"
    assert "5 seats left" in client.get(query).content.decode()
    assert seats(client.get(section_url(sec))) == "5 seats left"
    Enrolment.objects.create(person=UserFactory(), section=sec, status="enrolled")
    assert "4 seats left" in client.get(query).content.decode()
    assert seats(client.get(section_url(sec))) == "4 seats left"


def test_a_cancelled_session_and_a_new_time_show_at_once(client, world):
    sec = world["calligraphy_1"]
    assert "Cancelled" in client.get(section_url(sec)).content.decode()
    ClassSession.objects.filter(section=sec).update(status="scheduled")  # no signal
    assert "Cancelled" in client.get(section_url(sec)).content.decode()
    session = sec.sessions.first()
    session.status = "cancelled"
    session.save()
    SectionSlot.objects.create(section=sec, weekday=5, start_time="14:00", end_time="16:00")
    html = client.get(section_url(sec)).content.decode()
    assert "Every Saturday afternoon 14:00–16:00" in html


def test_a_cancelled_class_disappears_and_a_published_course_title_changes(client, world):
    sec = world["singing_2"]
    assert "声乐基础班 · 2班" in client.get("/courses/").content.decode()
    sec.status = Section.Status.CANCELLED
    sec.save()
    assert "声乐基础班 · 2班" not in client.get("/courses/").content.decode()
    assert client.get(section_url(sec)).status_code == 404
    course = world["painting"]
    course.title = "工笔花鸟班"
    course.save_revision().publish()
    assert "工笔花鸟班 · 1班" in client.get("/courses/").content.decode()


def test_a_term_taken_off_the_catalogue_empties_it(client, world):
    assert "5 classes found" in client.get("/courses/").content.decode()
    term = world["term"]
    term.is_published = False
    term.save()
    assert "0 classes found" in client.get("/courses/").content.decode()


def test_each_query_string_is_its_own_page(client, world):
    client.get("/courses/")
    morning = client.get("/courses/?time=morning")
    assert morning.get("X-Catalogue-Cache") is None
    assert "3 classes found" in morning.content.decode()


def test_chinese_and_english_pages_never_mix(client, world):
    url = section_url(world["calligraphy_1"])
    client.cookies["lms_language"] = "en"
    assert '<html lang="en"' in client.get(url).content.decode()
    client.cookies["lms_language"] = "zh-hans"
    chinese = client.get(url)
    assert chinese.get("X-Catalogue-Cache") is None
    assert '<html lang="zh-CN"' in chinese.content.decode()
    assert '<html lang="zh-CN"' in client.get(url).content.decode()
    client.cookies["lms_language"] = "en"
    assert '<html lang="en"' in client.get(url).content.decode()


def test_text_sizes_are_cached_apart(client, world):
    client.get("/courses/")
    client.cookies["lms_text_size"] = "x-large"
    response = client.get("/courses/")
    assert 'class="text-x-large"' in response.content.decode()


def test_signed_in_people_are_never_served_or_stored(client, world):
    url = section_url(world["calligraphy_1"])
    client.get(url)
    client.force_login(UserFactory())
    signed_in = client.get(url)
    assert signed_in.get("X-Catalogue-Cache") is None
    assert "Log in to enrol" not in signed_in.content.decode()
    client.logout()  # forgets every cookie, the language too
    client.cookies["lms_language"] = "en"
    anonymous = client.get(url)
    assert "Log in to enrol" in anonymous.content.decode()


def test_a_hit_carries_a_working_csrf_token_and_says_how_it_varies(client, world):
    url = "/courses/"
    client.get(url)
    hit = client.get(url)
    assert hit["X-Catalogue-Cache"] == "hit"
    tokens = re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', hit.content.decode())
    assert tokens and all(len(t) == 64 for t in tokens)
    assert "__courses_csrf_token__" not in hit.content.decode()
    vary = {v.strip() for v in hit["Vary"].split(",")}
    assert {"Cookie", "Accept-Language"} <= vary
    assert "private" in hit["Cache-Control"]
    # The token works: the text-size form posts with it.
    strict = client.__class__(enforce_csrf_checks=True)
    strict.cookies = client.cookies
    assert strict.post("/prefs/text-size/", {"size": "large", "csrfmiddlewaretoken": tokens[0],
                                              "next": url}).status_code == 302


def test_a_response_with_messages_is_neither_served_from_nor_stored_in_the_cache(world):
    calls = []

    def render():
        from django.http import HttpResponse

        calls.append(1)
        return HttpResponse(f"page {len(calls)}")

    def request():
        from django.contrib.auth.models import AnonymousUser
        from django.contrib.sessions.backends.cache import SessionStore

        req = RequestFactory().get("/courses/")
        req.user = AnonymousUser()
        req.session = SessionStore()
        req._messages = FallbackStorage(req)
        return req

    with_message = request()
    with_message._messages.add(constants.SUCCESS, "Saved")
    assert cached_page(with_message, render=render).content == b"page 1"
    assert len(get_messages(with_message)) == 1  # still shown, not consumed
    assert cached_page(request(), render=render).content == b"page 2"
    assert cached_page(request(), render=render).content == b"page 2"
    assert len(calls) == 2


def test_a_new_school_name_and_menu_show_on_the_next_request(client, world):
    # The header's settings and menu are cached with the pages (same version).
    from wagtail.models import Site

    from cms.models import MenuItem, NavigationSettings, SchoolSettings

    assert "老年大学东校" not in client.get("/courses/?time=morning").content.decode()
    site = Site.objects.get(hostname="testserver")
    school = SchoolSettings.for_site(site)
    school.short_name = "老年大学东校"
    school.save()
    MenuItem.objects.create(settings=NavigationSettings.for_site(site), label="Timetable",
                            link_url="/timetable/")
    html = client.get("/courses/?time=evening").content.decode()
    assert "· 老年大学东校</title>" in html
    assert '<a href="/timetable/">Timetable</a>' in html


def test_a_known_route_is_used_only_while_nothing_changed(client, world):
    # The third visit is routed from what this process remembered (no Site
    # or page-tree query); a new slug makes the old path a 404 at once.
    for r in ("a", "b"):
        client.get(f"/courses/?r={r}")
    with CaptureQueriesContext(connection) as routed:
        assert "5 classes found" in client.get("/courses/?r=c").content.decode()
    assert not [q for q in routed.captured_queries if "wagtailcore_site" in q["sql"]]
    catalogue = CourseIndexPage.objects.get(slug="courses")
    catalogue.slug = "classes"
    catalogue.save_revision().publish()
    assert client.get("/courses/?r=d").status_code == 404
    assert "5 classes found" in client.get("/classes/?r=e").content.decode()
    # A course page under the catalogue is still Wagtail's to route.
    course = world["painting"]
    assert client.get(f"/classes/{course.slug}/").status_code == 200


def test_a_view_restriction_applies_to_known_routes_and_cached_pages(client, world):
    for r in ("", "?r=a", "?r=b"):
        client.get(f"/courses/{r}")
    assert client.get("/courses/")["X-Catalogue-Cache"] == "hit"
    catalogue = CourseIndexPage.objects.get(slug="courses")
    PageViewRestriction.objects.create(page=catalogue, restriction_type="login")
    for path in ("/courses/", "/courses/?r=b", "/courses/?r=c",
                 section_url(world["calligraphy_1"])):
        response = client.get(path)
        assert response.status_code == 302, path
        assert "/accounts/login/" in response["Location"]


def _header(html: str) -> str:
    header = html[html.index('<header class="site-header">'):html.index("</header>")]
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", header)


def test_a_kept_header_is_the_header_a_render_gives_with_this_pages_path(client, world):
    from cms import chrome

    for r in ("a", "b"):
        client.get(f"/courses/?r={r}")
    chrome._fragments.clear()
    first = client.get("/courses/?weekday=1&r=c").content.decode()
    assert chrome._fragments  # written once, kept
    second = client.get("/courses/?time=morning&r=d").content.decode()
    # The second page's header came from the fragment: its own path is in
    # the forms' "next" and the login link, and its CSRF token works.
    assert 'name="next" value="/courses/?time=morning&amp;r=d"' in second
    assert "/accounts/login/?next=/courses/%3Ftime%3Dmorning%26r%3Dd" in second
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', second).group(1)
    assert "chrome" not in token and len(token) == 64
    chrome._fragments.clear()
    fresh = client.get("/courses/?time=morning&r=d").content.decode()
    assert _header(second) == _header(fresh)
    assert _header(first) != _header(second)  # each page's own path


def test_a_new_menu_item_shows_in_a_kept_header(client, world):
    from cms.models import MenuItem, NavigationSettings

    for r in ("a", "b", "c"):
        client.get(f"/courses/?r={r}")
    navigation = NavigationSettings.for_site(world["home"].get_site())
    MenuItem.objects.create(settings=navigation, label="报名须知", link_url="/notice/")
    assert "报名须知" in client.get("/courses/?r=d").content.decode()


def test_a_signed_in_person_gets_their_own_header(client, world):
    for r in ("a", "b"):
        client.get(f"/courses/?r={r}")
    client.force_login(UserFactory())
    html = client.get("/courses/?r=c").content.decode()
    assert "Log out" in html and "Log in" not in html
