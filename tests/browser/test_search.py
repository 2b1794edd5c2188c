"""The course search page on a phone: no axe violations, readable, large
targets, with results and with none."""

from urllib.parse import quote

import pytest

from .conftest import assert_accessible, assert_readable, assert_targets

pytestmark = pytest.mark.browser


@pytest.fixture
def course(schools):
    """A course with one open class on the university's site, deleted again
    afterwards: browser tests share one database."""
    from courses.models import CourseIndexPage
    from tests.courses import factories as f

    home = schools["localhost"].root_page.specific
    catalogue = CourseIndexPage.objects.child_of(home).first()
    assert catalogue is not None, "the demo has a catalogue"
    campuses = home.get_children().type(f.CampusIndexPage).first()
    assert campuses is not None, "the demo has a campus list"
    campus = f.campus(campuses.specific, "搜索测试校区", slug="search-campus")
    department = f.DepartmentFactory(name="搜索测试系", slug="search-test")
    page = f.course(catalogue, "书法搜索测试班", slug="search-calligraphy",
                    summary="从握笔开始学楷书", department=department)
    term = f.TermFactory(school=home)
    section = f.section(course_page=page, term=term, campus_page=campus, capacity=20)
    yield page
    section.delete()
    term.delete()
    page.delete()
    campus.delete()
    department.delete()


def test_search_results_on_a_phone_have_no_axe_violations(mobile_visitor, course):
    response = mobile_visitor.goto(f"/search/?q={quote('书法搜索测试')}")
    assert response.status == 200
    page = mobile_visitor.page
    assert page.locator("h1").count() == 1
    assert page.locator("input[type=search][name=q]").input_value() == "书法搜索测试"
    assert page.locator("label[for=search-q]").is_visible()
    assert page.get_by_role("link", name="书法搜索测试班").is_visible()
    assert page.locator(".badge").first.is_visible()
    assert_accessible(page)
    assert_readable(page)
    assert_targets(page)


def test_the_empty_state_on_a_phone_has_no_axe_violations(mobile_visitor, course):
    mobile_visitor.goto("/search/?q=" + quote("围棋象棋"))
    page = mobile_visitor.page
    assert page.locator(".empty-state").is_visible()
    # A suggestion is a link that searches for it, without JavaScript.
    page.get_by_role("link", name="书法", exact=True).click()
    page.wait_for_load_state("load")
    mobile_visitor.screenshot("suggestion")
    assert page.locator("input[type=search][name=q]").input_value() == "书法"
    assert_accessible(page)
    assert_readable(page)


def test_the_form_searches_without_javascript(browser, live_server, schools, course):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(live_server.url + "/search/")
        page.fill("input[type=search][name=q]", "sf")
        page.locator("main button[type=submit]").click()
        page.wait_for_load_state("load")
        assert page.get_by_role("link", name="书法搜索测试班").is_visible()
    finally:
        context.close()
