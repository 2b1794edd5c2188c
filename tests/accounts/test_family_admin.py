"""The read-only list of family-member links in the Wagtail admin."""

import pytest
from django.utils import translation

from lms.accounts import roles
from lms.accounts.models import ProxyLink
from lms.accounts.proxies import proxy_consent, proxy_request
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

INDEX = "/admin/accounts_proxylink/"


@pytest.fixture
def link():
    mother = ProfileFactory(real_name="王秀英", user__phone="+8613800000001").user
    son = ProfileFactory(real_name="李建国", user__phone="+8613900000002").user
    return proxy_consent(link=proxy_request(proxy=son, phone=mother.phone, relation="son"),
                         actor=mother)


def test_a_school_admin_sees_the_links_with_masked_numbers(client, link):
    client.cookies["lms_language"] = "en"
    client.force_login(UserFactory(roles=[roles.SCHOOL_ADMIN]))
    with translation.override("en"):
        page = client.get(INDEX)
    assert page.status_code == 200
    html = page.content.decode()
    assert "王秀英 (138****0001)" in html and "李建国 (139****0002)" in html
    assert "13800000001" not in html
    assert client.get(f"{INDEX}inspect/{link.pk}/").status_code == 200


@pytest.mark.parametrize("superuser", [True, False])
def test_nobody_adds_edits_or_deletes_links_there(client, link, superuser):
    user = (UserFactory(is_superuser=True) if superuser
            else UserFactory(roles=[roles.SCHOOL_ADMIN]))
    client.force_login(user)
    assert client.get(f"{INDEX}new/").status_code in (302, 403)
    assert client.get(f"{INDEX}edit/{link.pk}/").status_code in (302, 403)
    assert client.post(f"{INDEX}delete/{link.pk}/").status_code in (302, 403)
    assert ProxyLink.objects.get(pk=link.pk).status == ProxyLink.Status.ACTIVE
    assert f"{INDEX}edit/{link.pk}/" not in client.get(INDEX).content.decode()


@pytest.mark.parametrize("role", [roles.CAMPUS_ADMIN, roles.TEACHER])
def test_other_staff_do_not_see_the_links(client, link, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(INDEX)
    assert response.status_code in (302, 403)
