"""Key pages at 320, 360 and 1280 px: no axe violations (7:1 contrast
included), every text ≥ 18 px, every target ≥ 48 px, no horizontal
scrolling, the help phone in the footer."""

import pytest

from .conftest import assert_age_friendly, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def visitor(page_visitor):
    """Page checks run at 320 px as well as at 360 and 1280 px."""
    return page_visitor


def test_university_home_page_is_accessible(visitor):
    response = visitor.goto("/")
    assert response.status == 200
    page = visitor.page
    assert page.locator("html").get_attribute("lang") == "zh-CN"
    assert "丽水市老年大学" in page.locator(".site-header").inner_text()
    assert page.locator("h1").count() == 1
    assert page.locator("footer a[href^='tel:']").count() == 1
    assert_age_friendly(page)


def test_party_school_home_page_is_accessible(visitor):
    response = visitor.goto("/", host="dangxiao.localhost")
    assert response.status == 200
    page = visitor.page
    assert "丽水市老干部党校" in page.locator(".site-header").inner_text()
    assert page.locator("h1").count() == 1
    assert_age_friendly(page)


def test_login_page_is_accessible(visitor):
    response = visitor.goto("/accounts/login/")
    assert response.status == 200
    page = visitor.page
    assert page.locator("h1").inner_text() == "登录"
    assert page.get_by_role("link", name="用验证码登录").is_visible()
    assert page.locator("label[for=id_login]").is_visible()
    assert_age_friendly(page)


def test_login_errors_are_announced_next_to_the_field(visitor):
    visitor.goto("/accounts/login/")
    page = visitor.page
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("load")
    visitor.screenshot("errors")
    assert page.locator(".form-errors[role=alert]").is_visible()
    assert page.locator("#id_login").get_attribute("aria-invalid") == "true"
    assert "id_login_error" in page.locator("#id_login").get_attribute("aria-describedby")
    assert_age_friendly(page)


def test_login_by_code_pages_are_accessible(visitor):
    visitor.goto("/accounts/login/")
    page = visitor.page
    page.get_by_role("link", name="用验证码登录").click()
    page.wait_for_load_state("load")
    visitor.screenshot()
    assert page.url.endswith("/accounts/login/code/")
    assert page.locator("h1").inner_text() == "用验证码登录"
    assert_age_friendly(page)


def test_signup_page_is_accessible(visitor):
    response = visitor.goto("/accounts/signup/")
    assert response.status == 200
    page = visitor.page
    assert page.locator("h1").inner_text() == "注册"
    assert "必填" in page.locator("label[for=id_real_name]").inner_text()
    assert_age_friendly(page)


def test_password_reset_page_is_accessible(visitor):
    response = visitor.goto("/accounts/password/reset/")
    assert response.status == 200
    assert_age_friendly(visitor.page)


def test_inbox_page_is_accessible(visitor, student):
    log_in(visitor, student)
    response = visitor.goto("/inbox/")
    assert response.status == 200
    page = visitor.page
    assert page.url.endswith("/inbox/")
    assert page.locator("h1").count() == 1
    assert_age_friendly(page)


def test_signed_in_pages_are_accessible(visitor, student):
    log_in(visitor, student)
    page = visitor.page
    for path in ("/accounts/profile/", "/accounts/password/change/", "/accounts/logout/"):
        response = visitor.goto(path)
        assert response.status == 200, path
        assert page.locator("h1").count() == 1, path
        assert_age_friendly(page)


def test_not_found_page_is_accessible(visitor):
    response = visitor.goto("/no-such-page/")
    assert response.status == 404
    assert_age_friendly(visitor.page)


def test_staff_area_refusal_is_accessible(visitor, student):
    log_in(visitor, student)
    response = visitor.goto("/admin/")
    assert response.status == 403
    assert "教职工" in visitor.page.locator("h1").inner_text()
    assert_age_friendly(visitor.page)


def _help_phone_in_footer(page) -> None:
    assert page.locator("footer a.help-phone[href^='tel:']").count() == 1


def test_standard_page_is_accessible(visitor):
    response = visitor.goto("/admissions/")
    assert response.status == 200
    page = visitor.page
    assert page.locator("h1").inner_text() == "招生简章"
    assert page.locator(".notice").count() >= 1
    _help_phone_in_footer(page)
    assert_age_friendly(page)


def test_contact_page_offers_one_main_action(visitor):
    visitor.goto("/contact/")
    page = visitor.page
    assert page.locator("main a[href^='tel:']").count() >= 1
    # The phone numbers are secondary buttons: the page has no competing main actions.
    assert page.locator("main .button-primary").count() <= 1
    assert_age_friendly(page)


def test_news_index_is_accessible(visitor):
    response = visitor.goto("/news/")
    assert response.status == 200
    page = visitor.page
    assert page.locator("h1").inner_text() == "学校新闻"
    assert page.locator(".card-list > li").count() >= 3
    _help_phone_in_footer(page)
    assert_age_friendly(page)


def test_news_page_is_accessible(visitor):
    response = visitor.goto("/news/kaixue-dianli-2026-qiu/")
    assert response.status == 200
    page = visitor.page
    assert "开学典礼" in page.locator("h1").inner_text()
    assert page.locator("figure img").count() == 1
    _help_phone_in_footer(page)
    assert_age_friendly(page)


@pytest.mark.parametrize("path", ["/", "/accounts/login/"])
def test_pages_work_in_wechats_browser(wechat_visitor, path):
    """WeChat's browser (X5/XWEB, an older Chromium) with its user agent."""
    response = wechat_visitor.goto(path)
    assert response.status == 200
    page = wechat_visitor.page
    assert "MicroMessenger" in page.evaluate("navigator.userAgent")
    assert page.locator("h1").count() == 1
    _help_phone_in_footer(page)
    assert_age_friendly(page)


def test_signup_error_summary_links_are_full_size_targets(visitor):
    visitor.goto("/accounts/signup/")
    page = visitor.page
    page.get_by_role("button", name="创建我的账号").click()
    page.wait_for_load_state("load")
    visitor.screenshot("errors")
    assert page.locator(".form-errors a").count() >= 1
    assert_age_friendly(page)
