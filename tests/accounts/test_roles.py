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


def test_school_admins_manage_pages_settings_and_media(client):
    from wagtail.models import Page, Site

    client.force_login(UserFactory(roles=[roles.SCHOOL_ADMIN]))
    root = Page.get_first_root_node()
    site = Site.objects.get(is_default_site=True)
    assert client.get(f"/admin/pages/{root.pk}/").status_code == 200
    page = client.get(f"/admin/pages/{site.root_page_id}/edit/")
    assert page.status_code == 200
    assert client.get(f"/admin/settings/cms/schoolsettings/{site.pk}/").status_code == 200
    assert client.get(f"/admin/settings/cms/navigationsettings/{site.pk}/").status_code == 200
    assert client.get("/admin/images/").status_code == 200
    assert client.get("/admin/documents/").status_code == 200
    assert client.get("/admin/collections/").status_code == 200


def test_teachers_upload_images_and_documents_but_do_not_edit_pages(client):
    from wagtail.models import Site

    client.force_login(UserFactory(roles=[roles.TEACHER]))
    assert client.get("/admin/images/multiple/add/").status_code == 200
    assert client.get("/admin/documents/multiple/add/").status_code == 200
    site = Site.objects.get(is_default_site=True)
    assert client.get(f"/admin/pages/{site.root_page_id}/edit/").status_code != 200
    assert client.get(f"/admin/settings/cms/schoolsettings/{site.pk}/").status_code != 200


def test_campus_admins_upload_media_too(client):
    client.force_login(UserFactory(roles=[roles.CAMPUS_ADMIN]))
    assert client.get("/admin/images/multiple/add/").status_code == 200


def test_a_student_opening_the_image_upload_gets_the_friendly_refusal(client):
    client.force_login(UserFactory(roles=[roles.STUDENT]))
    response = client.get("/admin/images/multiple/add/")
    assert response.status_code == 403
    assert "教职工" in response.content.decode()


def test_ensuring_the_roles_twice_changes_nothing():
    from django.contrib.auth.models import Group
    from wagtail.models import GroupCollectionPermission, GroupPagePermission

    def snapshot():
        return (
            sorted(Group.objects.values_list("name", "permissions__codename")),
            GroupPagePermission.objects.count(),
            GroupCollectionPermission.objects.count(),
        )

    before = snapshot()
    roles.roles_ensure()
    roles.roles_ensure()
    assert snapshot() == before
    assert GroupPagePermission.objects.filter(group__name=roles.SCHOOL_ADMIN).count() == 6
