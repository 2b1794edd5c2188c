"""Editors can open every page type's editor in the Wagtail admin."""

import pytest
from django.urls import reverse

from cms.models import NewsPage, StandardPage
from tests.factories import UserFactory


@pytest.fixture
def editor_client(client, db):
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    return client


def test_editor_opens_the_home_page_editor_with_its_tabs(editor_client, schools):
    home = schools["university"].root_page

    response = editor_client.get(reverse("wagtailadmin_pages:edit", args=[home.pk]))

    assert response.status_code == 200
    html = response.content.decode()
    for tab in ("内容", "正文", "推广", "设置"):
        assert tab in html


@pytest.mark.parametrize("model", [StandardPage, NewsPage], ids=lambda m: m.__name__)
def test_editor_opens_the_add_form_under_the_right_parent(editor_client, schools, news_index, model):
    parent = news_index if model is NewsPage else schools["university"].root_page
    url = reverse(
        "wagtailadmin_pages:add",
        args=[model._meta.app_label, model._meta.model_name, parent.pk],
    )

    assert editor_client.get(url).status_code == 200
