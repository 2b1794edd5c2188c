import pytest
from django.contrib.auth.models import Group

from lms.accounts import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_six_roles_exist_after_migrating():
    assert set(Group.objects.values_list("name", flat=True)) >= set(roles.ROLES)


@pytest.mark.parametrize("role", roles.ADMIN_ROLES)
def test_staff_roles_may_open_the_admin(client, role):
    user = UserFactory(roles=[role])
    client.force_login(user)
    response = client.get("/admin/")
    assert response.status_code == 200


def test_a_student_who_opens_the_admin_gets_a_friendly_refusal(client):
    user = UserFactory(roles=[roles.STUDENT])
    client.force_login(user)
    response = client.get("/admin/pages/")
    assert response.status_code == 403
    assert "教职工" in response.content.decode()
