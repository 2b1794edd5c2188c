"""One install, several schools: each school is a Wagtail Site whose root is
its own ``HomePage``."""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from wagtail.models import Page, Site

from cms.models import HomePage


@dataclass(frozen=True)
class School:
    key: str  # key in settings.SCHOOL_HOSTS
    name: str
    slug: str
    is_default: bool = False


SCHOOLS = (
    School(key="university", name="丽水市老年大学", slug="laonian-daxue", is_default=True),
    School(key="party_school", name="丽水市老干部党校", slug="laoganbu-dangxiao"),
)


def site_port() -> int:
    """The port of the school Sites: ``settings.SCHOOL_SITE_PORT`` (env var
    ``SCHOOL_SITE_PORT``), 443 in production so that ``Site.root_url`` and
    every full URL Wagtail builds start with https://. Wagtail matches a
    request on hostname alone when no site has its port, so the default 80
    also serves `runserver` on :8000 as long as hostnames differ."""
    return int(getattr(settings, "SCHOOL_SITE_PORT", 80))

WAGTAIL_WELCOME_TITLE = "Welcome to your new Wagtail site!"


def _welcome_pages():
    """Wagtail's default "Welcome" page (a bare ``wagtailcore.Page`` under
    the root), if it is still there untouched."""
    return Page.objects.filter(
        depth=2, title=WAGTAIL_WELCOME_TITLE, content_type__model="page",
        content_type__app_label="wagtailcore", numchild=0,
    )


@transaction.atomic
def school_sites_ensure() -> dict[str, Site]:
    """Make sure every school in ``SCHOOLS`` has a live ``HomePage`` under the
    tree root and a Site on its host (``settings.SCHOOL_HOSTS[key]``, port
    ``site_port()``) pointing at it, with the university as the
    default site. Wagtail's default welcome page and its site are removed.
    No other content is created (``cms.demo`` adds the demo pages).

    Idempotent: existing home pages (matched by slug) and sites (matched by
    host, preferring the configured port) are kept, re-pointed and moved to
    the configured port; titles and content editors changed are left alone.
    Returns the sites by school key.
    """
    port = site_port()
    root = Page.get_first_root_node()
    welcome_ids = list(_welcome_pages().values_list("pk", flat=True))
    # Sites on the welcome page go with it; ours are re-created below.
    Site.objects.filter(root_page_id__in=welcome_ids).delete()
    for page in Page.objects.filter(pk__in=welcome_ids):
        page.delete()

    sites: dict[str, Site] = {}
    for school in SCHOOLS:
        home = HomePage.objects.child_of(root).filter(slug=school.slug).first()
        if home is None:
            home = root.add_child(instance=HomePage(title=school.name, slug=school.slug))
        hostname = settings.SCHOOL_HOSTS[school.key]
        # A site made before the port changed (80 → 443) moves, it is not doubled.
        site = (
            Site.objects.filter(hostname=hostname, port=port).first()
            or Site.objects.filter(hostname=hostname).order_by("pk").first()
        )
        if site is None:
            site = Site(hostname=hostname, port=port, site_name=school.name)
        site.port = port
        site.root_page = home
        site.site_name = site.site_name or school.name
        if school.is_default:
            Site.objects.exclude(pk=site.pk).filter(is_default_site=True).update(
                is_default_site=False
            )
        site.is_default_site = school.is_default
        site.save()
        sites[school.key] = site
    return sites
