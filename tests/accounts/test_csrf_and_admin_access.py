"""A stale form and the admin's door: plain words, never a technical page."""

import pytest
from django.test import Client

from lms.accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_form_left_open_too_long_gets_a_friendly_page_and_a_way_back():
    client = Client(enforce_csrf_checks=True, HTTP_REFERER="http://testserver/accounts/login/")
    response = client.post("/accounts/login/", {"login": "13800138000", "password": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "页面打开的时间太长了" in page
    assert "请返回上一页，重新填写一次。" in page
    assert '<a class="button button-primary" href="http://testserver/accounts/login/">返回重新填写</a>' in page
    assert "CSRF" not in page
    assert 'class="site-header' in page  # the site's own layout (base.html)


def test_the_way_back_never_leads_to_another_site():
    client = Client(enforce_csrf_checks=True, HTTP_REFERER="https://evil.example.com/")
    response = client.post("/accounts/login/", {"login": "13800138000", "password": "x"})
    assert response.status_code == 403
    assert 'href="/">返回重新填写</a>' in response.content.decode()
    assert "evil.example.com" not in response.content.decode()


def test_a_signed_in_student_can_log_out_from_the_admin(client):
    client.force_login(UserFactory(roles=[roles.STUDENT]))
    assert client.get("/admin/login/").status_code == 200
    assert client.get("/admin/logout/").status_code == 200
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_logging_out_from_the_admin_still_needs_the_form_token():
    client = Client(enforce_csrf_checks=True)
    client.force_login(UserFactory(roles=[roles.STUDENT]))
    assert client.post("/admin/logout/").status_code == 403
    assert client.get("/").wsgi_request.user.is_authenticated


def test_staff_log_out_of_the_admin_as_before(client):
    client.force_login(UserFactory(roles=[roles.TEACHER]))
    response = client.post("/admin/logout/")
    assert response.status_code == 302
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_a_signed_in_student_is_still_refused_inside_the_admin(client):
    client.force_login(UserFactory(roles=[roles.STUDENT]))
    response = client.get("/admin/images/")
    assert response.status_code == 403
    assert "教职工" in response.content.decode()
