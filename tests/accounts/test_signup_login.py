"""Sign up and log in with a mobile number or an e-mail, and by one-time code."""

import re

import pytest
from django.core import mail
from django.utils import translation

from lms import sms
from lms.accounts.models import User
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

PASSWORD = "Laonian-2026"


def signup(client, **fields):
    data = {"real_name": "王秀英", "password1": PASSWORD, "password2": PASSWORD, **fields}
    return client.post("/accounts/signup/", data)


def test_signup_with_a_phone_number_creates_the_account_and_signs_in(client):
    response = signup(client, phone="138 0013 8000")
    assert response.status_code == 302
    user = User.objects.get(phone="+8613800138000")
    assert user.profile.real_name == "王秀英"
    assert client.get("/").wsgi_request.user == user


def test_signup_with_an_email_address_only(client):
    response = signup(client, email="Wang.XY@Example.cn")
    assert response.status_code == 302
    user = User.objects.get(email__iexact="wang.xy@example.cn")
    assert user.phone is None


def test_a_full_width_phone_number_is_accepted(client):
    response = signup(client, phone="１３８ ００１３ ８０００")
    assert response.status_code == 302
    assert User.objects.filter(phone="+8613800138000").exists()


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
    assert "已" in response.content.decode()  # 该手机号已被注册 / 已有用户…
    assert User.objects.count() == 1
    assert not User.objects.filter(email="new@example.cn").exists()


def test_signup_needs_a_phone_or_an_email(client):
    response = signup(client)
    assert response.status_code == 200
    assert not User.objects.exists()
    with translation.override("zh-hans"):
        assert "手机号" in response.content.decode()


def test_login_with_a_phone_number_typed_with_spaces(client):
    user = UserFactory(phone="+8613800138000")
    response = client.post("/accounts/login/", {"login": "138 0013 8000", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user == user


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
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_code_for_an_unknown_number_is_refused_clearly(client):
    response = client.post("/accounts/login/code/", {"login": "13900000000"})
    assert response.status_code == 200
    assert not sms.outbox
    assert "手机号" in response.content.decode()
