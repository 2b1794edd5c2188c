"""The text-size and language switches: plain POST forms in the header whose
choice survives navigation."""

import pytest

from .conftest import (
    assert_accessible,
    assert_age_friendly,
    assert_readable,
    assert_targets,
    font_size,
)

pytestmark = pytest.mark.browser


def test_larger_text_switch_grows_text_and_persists(visitor):
    visitor.goto("/accounts/login/")
    page = visitor.page
    normal_body = font_size(page, "body")
    assert normal_body >= 18

    page.locator(".prefs-bar button[value=large]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("large")
    assert page.locator("html").get_attribute("class") == "text-large"
    large_body = font_size(page, "body")
    assert large_body >= 22 > normal_body
    assert font_size(page, "h1") >= 30
    assert page.locator(".prefs-bar button[value=large]").get_attribute("aria-pressed") == "true"
    assert_readable(page, min_body_px=22)

    visitor.goto("/accounts/signup/")
    assert page.locator("html").get_attribute("class") == "text-large"
    assert font_size(page, "body") == large_body
    assert_readable(page, min_body_px=22)
    assert_accessible(page)

    page.locator(".prefs-bar button[value=x-large]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("x-large")
    assert font_size(page, "body") >= 26
    assert font_size(page, "h1") > 35
    assert_readable(page, min_body_px=26)
    assert_targets(page)


@pytest.mark.parametrize("path", ["/", "/admissions/", "/news/", "/accounts/login/"])
def test_extra_large_text_keeps_the_layout_on_the_narrowest_phone(narrow_visitor, path):
    """320 px and the largest text: still no sideways scrolling, every target
    full size, nothing below the 7:1 contrast."""
    visitor = narrow_visitor
    visitor.goto(path)
    page = visitor.page
    page.locator(".prefs-bar button[value=x-large]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("x-large")
    assert page.locator("html").get_attribute("class") == "text-x-large"
    assert_age_friendly(page, min_body_px=26)


def test_larger_text_on_home_page_keeps_layout(visitor):
    visitor.goto("/")
    page = visitor.page
    page.locator(".prefs-bar button[value=large]").click()
    page.wait_for_load_state("load")
    # Section headings (h2) reach 30 px from the large mode on (DESIGN.md §7).
    assert font_size(page, "#latest-news-heading") >= 30
    page.locator(".prefs-bar button[value=x-large]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("x-large")
    assert_readable(page, min_body_px=26)
    assert_targets(page)


def test_language_switch_changes_language_and_back(visitor):
    visitor.goto("/accounts/login/")
    page = visitor.page
    assert page.locator("html").get_attribute("lang") == "zh-CN"

    page.get_by_role("button", name="English").click()
    page.wait_for_load_state("load")
    visitor.screenshot("en")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.url.endswith("/accounts/login/")
    assert page.locator("h1").inner_text() == "Log in"
    assert_accessible(page)

    visitor.goto("/")
    assert page.locator("html").get_attribute("lang") == "en"

    page.get_by_role("button", name="中文").click()
    page.wait_for_load_state("load")
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "登录" in page.locator(".site-header").inner_text()


def test_switches_work_without_javascript(browser, live_server, schools):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    page = context.new_page()
    try:
        page.goto(live_server.url + "/accounts/login/")
        page.locator(".prefs-bar button[value=large]").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("class") == "text-large"
        page.get_by_role("button", name="English").click()
        page.wait_for_load_state("load")
        assert page.locator("html").get_attribute("lang") == "en"
    finally:
        context.close()


def test_flash_messages_are_coloured_by_their_level(mobile_visitor):
    """A success message is green, an error red, information blue: the
    level's colour must win over the plain message rule."""
    mobile_visitor.goto("/accounts/login/")
    page = mobile_visitor.page
    page.evaluate("""() => {
        const list = document.createElement('ul');
        list.className = 'messages';
        for (const level of ['info', 'success', 'error', 'warning']) {
            const item = document.createElement('li');
            item.className = 'message message-' + level;
            item.id = 'flash-' + level;
            item.textContent = level;
            list.appendChild(item);
        }
        document.querySelector('main').prepend(list);
    }""")
    background = {
        level: page.locator(f"#flash-{level}").evaluate(
            "el => getComputedStyle(el).backgroundColor")
        for level in ("info", "success", "error", "warning")
    }
    assert len({background["info"], background["success"], background["error"]}) == 3, background
    assert background["warning"] == background["error"]
