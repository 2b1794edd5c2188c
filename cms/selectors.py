"""Reads for school pages."""

from django.db.models import QuerySet
from wagtail.models import Page

from cms.models import NewsIndexPage, NewsPage


def news_for_index(*, index: NewsIndexPage) -> QuerySet[NewsPage]:
    """Live news items under ``index``, newest first (same date: latest
    published first)."""
    return (
        NewsPage.objects.child_of(index).live().public()
        .select_related("cover")
        .order_by("-date", "-first_published_at", "-pk")
    )


def news_latest(*, home: Page, limit: int = 3) -> list[NewsPage]:
    """The ``limit`` newest live news items anywhere under a school's home
    page, so one school never shows another's news."""
    return list(
        NewsPage.objects.descendant_of(home).live().public()
        .select_related("cover")
        .order_by("-date", "-first_published_at", "-pk")[:limit]
    )
