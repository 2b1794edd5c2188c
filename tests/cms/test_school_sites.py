"""``manage.py school_sites``: the production set-up of the school Sites,
on the configured port and without demo content."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import Page, Site

from cms.models import HomePage, NewsPage, SchoolSettings, StandardPage


def _run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("school_sites", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.mark.django_db
def test_school_sites_serves_https_when_the_port_is_443(settings, hosts):
    settings.SCHOOL_SITE_PORT = 443

    _run()

    university = Site.objects.get(hostname=hosts["university"])
    assert university.port == 443
    assert university.root_url == f"https://{hosts['university']}"
    assert university.is_default_site
    party_school = Site.objects.get(hostname=hosts["party_school"])
    assert party_school.root_url == f"https://{hosts['party_school']}"
    assert party_school.root_page.specific.title == "丽水市老干部党校"


@pytest.mark.django_db
def test_school_sites_creates_home_pages_and_no_demo_content(hosts):
    _run()

    assert Site.objects.count() == 2
    assert HomePage.objects.count() == 2
    assert not StandardPage.objects.exists()
    assert not NewsPage.objects.exists()
    # Wagtail's welcome page is gone: the tree holds the root and two homes.
    assert Page.objects.count() == 3


@pytest.mark.django_db
def test_school_sites_moves_existing_sites_to_the_new_port_without_doubling(settings, hosts):
    _run()
    home_ids = set(HomePage.objects.values_list("pk", flat=True))
    settings.SCHOOL_SITE_PORT = 443

    _run()
    _run()

    assert Site.objects.count() == 2
    assert set(Site.objects.values_list("port", flat=True)) == {443}
    assert set(HomePage.objects.values_list("pk", flat=True)) == home_ids


@pytest.mark.django_db
def test_school_sites_sets_the_help_phones_and_warns_when_one_is_missing(hosts):
    out, err = _run("--help-phone", "university=0578-2123456")

    university = Site.objects.get(hostname=hosts["university"])
    assert SchoolSettings.for_site(university).help_phone == "0578-2123456"
    assert "丽水市老干部党校" in err and "--help-phone party_school" in err
    assert "丽水市老年大学" not in err
    assert "School sites ready." in out


@pytest.mark.django_db
def test_school_sites_refuses_an_unknown_school():
    with pytest.raises(CommandError, match="SCHOOL=NUMBER"):
        _run("--help-phone", "kindergarten=0578-1")
