"""Site settings: menu links that are safe to put in an href, and a help
phone on every page."""

import pytest
from django.core.exceptions import ValidationError
from django.template.loader import render_to_string

from cms.models import MenuItem, NavigationSettings, SchoolSettings


@pytest.mark.parametrize("url", ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x"])
def test_a_menu_item_refuses_a_script_link(schools, url):
    navigation = NavigationSettings.for_site(schools["university"])
    item = MenuItem(settings=navigation, label="报名", link_url=url)

    with pytest.raises(ValidationError) as error:
        item.full_clean()

    assert "link_url" in error.value.message_dict


def test_a_menu_item_keeps_a_site_path(schools):
    navigation = NavigationSettings.for_site(schools["university"])
    item = MenuItem(settings=navigation, label="报名", link_url="/accounts/signup/", sort_order=0)

    item.full_clean()
    assert item.url == "/accounts/signup/"


def test_a_school_must_have_a_help_phone(schools):
    school = SchoolSettings.for_site(schools["university"])
    school.help_phone = ""

    with pytest.raises(ValidationError) as error:
        school.full_clean()

    assert "help_phone" in error.value.message_dict


def test_a_new_school_starts_with_the_installs_help_phone(schools, settings):
    settings.DEFAULT_HELP_PHONE = "0578-2100000"

    assert SchoolSettings().help_phone == "0578-2100000"


def test_footer_falls_back_to_the_installs_help_phone(client, schools, hosts, settings):
    settings.DEFAULT_HELP_PHONE = "0578-2100000"
    SchoolSettings.objects.filter(site=schools["party_school"]).update(help_phone="")

    html = client.get("/", HTTP_HOST=hosts["party_school"]).content.decode()

    assert 'class="help-phone" href="tel:05782100000"' in html


def test_footer_shows_the_schools_own_help_phone_on_every_page(client, schools, hosts, news_index):
    for path in ("/", "/news/", "/accounts/login/", "/no-such-page/"):
        html = client.get(path, HTTP_HOST=hosts["party_school"]).content.decode()
        assert 'class="help-phone" href="tel:05782135678"' in html, path


def test_error_page_shows_the_installs_help_phone_without_a_database(settings):
    # No db fixture: pytest-django makes any query here an error.
    settings.DEFAULT_HELP_PHONE = "0578-2100000"

    html = render_to_string("500.html")

    assert 'href="tel:05782100000"' in html


def test_error_page_asks_people_to_call_when_no_number_is_set(settings):
    settings.DEFAULT_HELP_PHONE = ""

    html = render_to_string("500.html")

    assert "tel:" not in html
    assert "call the school" in html or "致电" in html
