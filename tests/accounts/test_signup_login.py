"""Sign up and log in with a mobile number or an e-mail, and by one-time code."""

import re

import pytest
from allauth.account.models import EmailAddress
from django.core import mail

from lms import sms
from lms.accounts.adapter import AccountAdapter
from lms.accounts.models import Profile, User
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Laonian-2026"
PHONE_TAKEN = "这个手机号已经注册过了，请直接登录。"
WRONG_CODE = "验证码不正确。请再看一下短信，输入里面的 6 位数字。"


def signup(client, **fields):
    data = {"real_name": "王秀英", "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post("/accounts/signup/", data)


def sms_code(phone: str) -> str:
    """The six digits of the last text message sent to ``phone``."""
    messages = [m["message"] for m in sms.outbox if m["phone"] == phone]
    assert messages, f"no SMS to {phone}: {sms.outbox}"
    return re.search(r"\d{6}", messages[-1]).group(0)


def signed_in_user(client):
    return client.get("/").wsgi_request.user


def test_signup_with_a_phone_number_asks_for_the_code_sent_by_sms(client):
    response = signup(client, phone="138 0013 8000")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/phone/verify/"
    user = User.objects.get(phone="+8613800138000")
    assert user.profile.real_name == "王秀英"
    assert not user.phone_verified
    assert not signed_in_user(client).is_authenticated

    page = client.get("/accounts/phone/verify/").content.decode()
    assert "请输入短信验证码" in page
    assert 'inputmode="numeric"' in page
    assert 'autocomplete="one-time-code"' in page

    # Typed with a space and in full-width digits, as a Chinese keyboard may.
    code = sms_code("+8613800138000")
    typed = "".join(chr(ord(d) + 0xFEE0) for d in code[:3]) + " " + code[3:]
    response = client.post("/accounts/phone/verify/", {"code": typed})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.phone_verified
    assert signed_in_user(client) == user


def test_a_wrong_sms_code_is_refused_clearly_and_signs_nobody_in(client):
    signup(client, phone="138 0013 8000")
    right = sms_code("+8613800138000")
    wrong = "000000" if right != "000000" else "111111"
    response = client.post("/accounts/phone/verify/", {"code": wrong})
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert not User.objects.get(phone="+8613800138000").phone_verified
    assert not signed_in_user(client).is_authenticated


def test_signup_with_an_email_address_only(client):
    response = signup(client, email="Wang.XY@Example.cn")
    assert response.status_code == 302
    user = User.objects.get(email__iexact="wang.xy@example.cn")
    assert user.phone is None


def test_a_full_width_phone_number_is_accepted(client):
    response = signup(client, phone="１３８ ００１３ ８０００")
    assert response.status_code == 302
    assert User.objects.filter(phone="+8613800138000").exists()
    assert sms.outbox[0]["phone"] == "+8613800138000"


def test_a_malformed_phone_number_gets_a_clear_chinese_message(client):
    response = signup(client, phone="138 0013 800")
    assert response.status_code == 200
    page = response.content.decode()
    assert "11 位" in page or "11位" in page
    assert not User.objects.exists()


def test_the_message_is_in_english_when_english_is_chosen(client):
    client.cookies["lms_language"] = "en"
    response = signup(client, phone="138 0013 800")
    assert "A mobile number has 11 digits" in response.content.decode()


def test_a_duplicate_phone_number_is_refused_and_nothing_is_saved(client):
    UserFactory(phone="+8613800138000")
    response = signup(client, phone="13800138000", email="new@example.cn")
    assert response.status_code == 200
    assert PHONE_TAKEN in response.content.decode()
    assert User.objects.count() == 1
    assert not User.objects.filter(email="new@example.cn").exists()


def test_the_number_of_a_deactivated_account_is_refused_not_a_crash(client):
    UserFactory(phone="+8613800138000", is_active=False)
    response = signup(client, phone="13800138000", email="new@example.cn")
    assert response.status_code == 200
    assert PHONE_TAKEN in response.content.decode()
    assert User.objects.count() == 1
    assert not EmailAddress.objects.filter(email="new@example.cn").exists()
    assert not sms.outbox


def test_a_signup_that_loses_the_race_for_a_number_is_refused_and_saves_nothing(
    client, monkeypatch
):
    # The other sign-up commits between our duplicate check and our insert:
    # the check sees no one, the database's unique index does.
    UserFactory(phone="+8613800138000")
    real_lookup = AccountAdapter.get_user_by_phone
    calls = []

    def lookup_overtaken(self, phone):
        calls.append(phone)
        return None if len(calls) == 1 else real_lookup(self, phone)

    monkeypatch.setattr(AccountAdapter, "get_user_by_phone", lookup_overtaken)
    response = signup(client, phone="13800138000", email="new@example.cn")
    assert response.status_code == 200
    assert PHONE_TAKEN in response.content.decode()
    assert User.objects.count() == 1
    assert Profile.objects.count() == 0
    assert not EmailAddress.objects.filter(email="new@example.cn").exists()
    assert not signed_in_user(client).is_authenticated


def test_signup_needs_a_phone_or_an_email(client):
    response = signup(client)
    assert response.status_code == 200
    assert not User.objects.exists()
    assert "请填写手机号或电子邮箱，以便登录。" in response.content.decode()


def test_login_with_a_phone_number_typed_with_spaces(client):
    user = UserFactory(phone="+8613800138000", phone_verified=True)
    response = client.post("/accounts/login/", {"login": "138 0013 8000", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user
    assert not sms.outbox


def test_a_deactivated_account_cannot_log_in_with_its_password(client):
    UserFactory(phone="+8613800138000", is_active=False)
    response = client.post("/accounts/login/", {"login": "13800138000", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/accounts/inactive/"
    assert not signed_in_user(client).is_authenticated


def test_a_deactivated_account_gets_no_login_code(client):
    UserFactory(phone="+8613800138000", is_active=False)
    response = client.post("/accounts/login/code/", {"login": "13800138000"})
    assert response.status_code == 200
    assert "此账号当前未激活。" in response.content.decode()
    assert not sms.outbox


def test_login_with_an_email_address(client):
    user = UserFactory(email="li.jianguo@example.cn")
    response = client.post(
        "/accounts/login/", {"login": "li.jianguo@example.cn", "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user


def test_a_wrong_password_gets_a_clear_message(client):
    UserFactory(phone="+8613800138000")
    response = client.post("/accounts/login/", {"login": "13800138000", "password": "wrong"})
    assert response.status_code == 200
    assert "不正确" in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_login_by_a_code_sent_by_sms(client):
    user = ProfileFactory(user__phone="+8613800138000").user
    response = client.post("/accounts/login/code/", {"login": "138-0013-8000"})
    assert response.status_code == 302
    assert len(sms.outbox) == 1
    assert sms.outbox[0]["phone"] == "+8613800138000"
    code = re.search(r"\d{6}", sms.outbox[0]["message"]).group(0)
    response = client.post("/accounts/login/code/confirm/", {"code": code})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user


def test_login_by_a_code_sent_by_email(client):
    user = UserFactory(email="chen@example.cn", phone=None)
    response = client.post("/accounts/login/code/", {"login": "chen@example.cn"})
    assert response.status_code == 302
    code = re.search(r"\b\d{6}\b", mail.outbox[0].body).group(0)
    client.post("/accounts/login/code/confirm/", {"code": code})
    assert client.get("/").wsgi_request.user == user


def test_a_wrong_code_does_not_log_in(client):
    UserFactory(phone="+8613800138000")
    client.post("/accounts/login/code/", {"login": "13800138000"})
    response = client.post("/accounts/login/code/confirm/", {"code": "XXXXXX"})
    assert response.status_code == 200
    assert WRONG_CODE in response.content.decode()
    assert 'inputmode="numeric"' in response.content.decode()
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_code_for_an_unknown_number_is_refused_clearly(client):
    response = client.post("/accounts/login/code/", {"login": "13900000000"})
    assert response.status_code == 200
    assert not sms.outbox
    assert "还没有账号使用这个手机号。请先注册，或者用电子邮箱登录。" in response.content.decode()


def test_many_people_can_sign_up_with_phone_numbers_only(client):
    """Every account gets its own hidden username: a second and a third
    phone-only sign-up must not collide on it."""
    from django.test import Client

    for n, phone in enumerate(["13800138001", "13800138002", "13800138003"]):
        response = signup(Client(), phone=phone, real_name=f"学员{n}")
        assert response.status_code == 302, response.content.decode()[:500]
    users = User.objects.filter(phone__startswith="+86138001380")
    assert users.count() == 3
    assert len({u.username for u in users}) == 3
    assert all(u.username for u in users)


def test_the_logged_in_message_names_the_person_not_the_username(client):
    from django.contrib.messages import get_messages

    profile = ProfileFactory(real_name="王秀英", user__phone="+8613800138011",
                             user__username="u-7f3a9c")
    response = client.post("/accounts/login/", {"login": "13800138011", "password": PASSWORD})

    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "王秀英" in said and "u-7f3a9c" not in said
    assert client.get("/").wsgi_request.user == profile.user
