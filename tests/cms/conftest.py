"""Fixtures for the school sites: two schools, each on its own host."""

import pytest
from django.conf import settings

from cms.models import NewsIndexPage, SchoolSettings
from cms.sites import school_sites_ensure

HELP_PHONES = {"university": "0578-2123456", "party_school": "0578-2135678"}


@pytest.fixture
def schools(db):
    """The two school sites with their help phones, keyed like SCHOOL_HOSTS."""
    sites = school_sites_ensure()
    for key, site in sites.items():
        school = SchoolSettings.for_site(site)
        school.help_phone = HELP_PHONES[key]
        school.save()
    return sites


@pytest.fixture
def hosts():
    return settings.SCHOOL_HOSTS


@pytest.fixture
def news_index(schools):
    home = schools["university"].root_page.specific
    return home.add_child(instance=NewsIndexPage(title="学校新闻", slug="news"))
