import pytest

from lms.accounts.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_staff_add_a_person_with_a_mobile_number_in_the_admin(admin_client):
    page = admin_client.get("/admin/users/new/")
    assert page.status_code == 200
    assert 'name="phone"' in page.content.decode()
    response = admin_client.post(
        "/admin/users/new/",
        {
            "username": "zhangguilan",
            "email": "zhang@example.cn",
            "phone": "１３９ ０５７８ ０００１",
            "first_name": "桂兰",
            "last_name": "张",
            "password1": "Laonian-2026x",
            "password2": "Laonian-2026x",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    assert User.objects.get(username="zhangguilan").phone == "+8613905780001"


def test_the_admin_refuses_a_number_someone_else_has(admin_client):
    other = UserFactory(phone="+8613905780001")
    response = admin_client.post(
        f"/admin/users/edit/{UserFactory().pk}/",
        {"username": "x1", "email": "x1@example.cn", "phone": "13905780001", "is_active": "on"},
    )
    assert response.status_code == 200
    assert User.objects.filter(phone="+8613905780001").get() == other
