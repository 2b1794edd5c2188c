"""Signing up and logging in, as a senior would on a phone."""

import pytest
from django.contrib.auth import get_user_model

from .conftest import (
    PASSWORD,
    assert_accessible,
    assert_readable,
    log_in,
    typed_phone,
    unused_phone,
)

pytestmark = pytest.mark.browser


def test_signup_with_a_phone_number_typed_with_spaces(visitor):
    import re

    from lms import sms

    # A number of its own: the database is shared by every browser test.
    phone = unused_phone("+86137")
    visitor.goto("/accounts/signup/")
    page = visitor.page
    page.get_by_label("姓名").fill("张桂兰")
    # Full-width digits from a Chinese input method, with spaces.
    page.locator("#id_phone").fill(typed_phone(phone, full_width=True))
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    visitor.screenshot("filled")
    page.get_by_role("button", name="创建我的账号").click()
    page.wait_for_load_state("load")

    # The number is proved by the code texted to it (the live server runs in
    # this process, so its SMS outbox is ours).
    assert page.url.endswith("/accounts/phone/verify/")
    visitor.screenshot("code")
    assert_accessible(page)
    code_box = page.get_by_label("短信里的验证码")
    assert code_box.get_attribute("inputmode") == "numeric"
    message = sms.outbox[-1]
    assert message["phone"] == phone
    code_box.fill(re.search(r"\d{6}", message["message"]).group(0))
    page.get_by_role("button", name="确认").click()
    page.wait_for_load_state("load")
    visitor.screenshot("done")

    user = get_user_model().objects.get(phone=phone)
    assert user.profile.real_name == "张桂兰"
    assert user.phone_verified
    header = page.locator(".site-header").inner_text()
    assert "张桂兰" in header
    assert "退出" in header
    assert_readable(page)


def test_signup_mistakes_are_explained(mobile_visitor):
    visitor = mobile_visitor
    visitor.goto("/accounts/signup/")
    page = visitor.page
    page.get_by_label("姓名").fill("张桂兰")
    page.locator("#id_phone").fill("138 1234")
    page.fill("input[name=password1]", PASSWORD)
    page.fill("input[name=password2]", PASSWORD)
    page.get_by_role("button", name="创建我的账号").click()
    page.wait_for_load_state("load")
    visitor.screenshot("errors")
    assert page.locator(".form-errors").is_visible()
    assert "11" in page.locator("#id_phone_error").inner_text()
    # What was typed is kept: nobody re-enters their name.
    assert page.get_by_label("姓名").input_value() == "张桂兰"
    assert_accessible(page)


def test_login_by_phone_shows_name_and_logout(visitor, student):
    log_in(visitor, student)
    page = visitor.page
    visitor.screenshot("signed-in")
    header = page.locator(".site-header")
    assert "王秀英" in header.inner_text()
    assert header.get_by_role("link", name="消息").is_visible() or visitor.width < 400
    assert_readable(page)
    assert_accessible(page)

    page.locator(".site-header").get_by_role("button", name="退出").click()
    page.wait_for_load_state("load")
    assert "登录" in page.locator(".site-header").inner_text()
    assert "王秀英" not in page.locator(".site-header").inner_text()
