"""Where each page type may be created (Wagtail's own page-tree assertions)."""

import pytest
from wagtail.models import Page
from wagtail.test.utils import WagtailPageTestCase

from cms.models import HOME_PAGE_CHILDREN, HomePage, NewsIndexPage, NewsPage, StandardPage
from cms.sites import school_sites_ensure


class TestPageTree(WagtailPageTestCase):
    def test_a_school_home_page_sits_only_at_the_tree_root(self):
        self.assertCanCreateAt(Page, HomePage)
        for parent in (HomePage, StandardPage, NewsIndexPage, NewsPage):
            self.assertCanNotCreateAt(parent, HomePage)

    def test_standard_pages_go_under_a_home_page_or_another_standard_page(self):
        self.assertCanCreateAt(HomePage, StandardPage)
        self.assertCanCreateAt(StandardPage, StandardPage)
        self.assertCanNotCreateAt(Page, StandardPage)
        self.assertCanNotCreateAt(NewsIndexPage, StandardPage)
        self.assertCanNotCreateAt(NewsPage, StandardPage)

    def test_news_index_goes_only_under_a_home_page(self):
        self.assertCanCreateAt(HomePage, NewsIndexPage)
        self.assertCanNotCreateAt(Page, NewsIndexPage)
        self.assertCanNotCreateAt(StandardPage, NewsIndexPage)
        self.assertCanNotCreateAt(NewsIndexPage, NewsIndexPage)

    def test_news_items_go_only_under_a_news_index_and_have_no_children(self):
        self.assertCanCreateAt(NewsIndexPage, NewsPage)
        for parent in (Page, HomePage, StandardPage, NewsPage):
            self.assertCanNotCreateAt(parent, NewsPage)
        self.assertAllowedSubpageTypes(NewsPage, {})

    def test_home_page_children_are_the_listed_types(self):
        from django.apps import apps

        # Later apps (courses) append their page types to HOME_PAGE_CHILDREN.
        listed = {apps.get_model(name) for name in HOME_PAGE_CHILDREN}
        assert {StandardPage, NewsIndexPage} <= listed
        self.assertAllowedSubpageTypes(HomePage, listed)
        assert HomePage.subpage_types is HOME_PAGE_CHILDREN

    def test_a_school_has_at_most_one_news_index(self):
        home = school_sites_ensure()["university"].root_page.specific
        assert NewsIndexPage.can_create_at(home)
        home.add_child(instance=NewsIndexPage(title="学校新闻", slug="news"))
        assert not NewsIndexPage.can_create_at(home)


@pytest.mark.django_db
def test_wagtail_welcome_page_and_default_site_are_replaced_by_the_schools():
    sites = school_sites_ensure()

    assert not Page.objects.filter(title="Welcome to your new Wagtail site!").exists()
    assert {site.root_page.title for site in sites.values()} == {"丽水市老年大学", "丽水市老干部党校"}
    assert sites["university"].is_default_site
    assert not sites["party_school"].is_default_site
