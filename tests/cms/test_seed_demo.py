"""``manage.py seed_demo``: demo schools and one login per role, twice over."""

from io import StringIO

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse
from wagtail.images import get_image_model
from wagtail.models import Page, Site

from cms.models import MenuItem, NewsPage, SchoolSettings
from lms.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from lms.accounts.models import Profile, User
from lms.accounts.roles import ROLES


def _counts():
    return {
        "pages": Page.objects.count(),
        "sites": Site.objects.count(),
        "users": User.objects.count(),
        "profiles": Profile.objects.count(),
        "images": get_image_model().objects.count(),
        "menu items": MenuItem.objects.count(),
        "news": NewsPage.objects.count(),
    }


@pytest.fixture
def seeded(db):
    call_command("seed_demo", stdout=StringIO())


def test_running_seed_demo_twice_changes_nothing(seeded):
    before = _counts()

    call_command("seed_demo", stdout=StringIO())

    assert _counts() == before
    assert before["sites"] == 2
    assert before["news"] >= 12


def test_seed_demo_gives_each_school_its_settings_menu_and_news(seeded, client, settings):
    for site in Site.objects.all():
        school = SchoolSettings.for_site(site)
        assert school.help_phone.startswith("0578-")
        assert "丽水市莲都区" in school.address
        html = client.get("/", HTTP_HOST=site.hostname).content.decode()
        assert school.help_phone in html
        assert NewsPage.objects.descendant_of(site.root_page).live().count() >= 6
    assert set(settings.SCHOOL_HOSTS.values()) == set(Site.objects.values_list("hostname", flat=True))


def test_seed_demo_creates_one_user_per_role(seeded):
    for role in ROLES:
        assert Group.objects.get(name=role).user_set.exists(), role
    for username, _mobile, real_name, role, *_ in DEMO_ACCOUNTS:
        user = User.objects.get(username=username)
        assert user.profile.real_name == real_name
        assert user.groups.filter(name=role).exists()
    assert User.objects.get(username="admin").is_superuser


@pytest.mark.parametrize("row", DEMO_ACCOUNTS, ids=lambda row: row[0])
def test_demo_user_logs_in_with_mobile_number_and_documented_password(seeded, client, row):
    username, mobile = row[0], row[1]

    response = client.post(reverse("account_login"), {"login": mobile, "password": DEMO_PASSWORD})

    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(User.objects.get(username=username).pk)
