import io

import pytest

from lms.accounts import demo
from lms.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_every_demo_account_has_a_verified_number_and_logs_in_without_a_code(client):
    demo.seed(io.StringIO())
    users = User.objects.filter(username__in=[row[0] for row in demo.DEMO_ACCOUNTS])
    assert users.count() == len(demo.DEMO_ACCOUNTS)
    assert all(user.phone_verified for user in users)
    response = client.post(
        "/accounts/login/", {"login": "138 0000 0001", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").wsgi_request.user.username == "student"


def test_an_older_demo_account_gets_its_number_verified():
    UserFactory(username="student", phone="+8613800000001", phone_verified=False)
    demo.seed(io.StringIO())
    assert User.objects.get(username="student").phone_verified
