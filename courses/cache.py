"""Cache of the anonymous catalogue and section pages, on Django's cache.

One version number for every school's cached pages lives in the cache; a
stored page carries the version it was rendered under and is served only
while that is still the current one. Bumping it (when a section, its times,
sessions, enrolments, a term, a course/campus page, a department, a Site or
a school's settings or menu change) makes every cached page unreachable at
once, and the cache evicts them in its own time. One number for all schools
(there are few) means that finding it needs neither the school nor a query:
``courses.middleware.CataloguePageCacheMiddleware`` answers a hit before
Wagtail resolves the Site or routes the page.

Only anonymous GET/HEAD requests without pending messages are served from or
stored in the cache, and only plain 200 responses that set no cookie. The key
holds the host, the path with its query string, the language and the text
size (both are rendered into the page). The CSRF token of the header's forms
is personal, so it is cut out before storing and a fresh one is put in on
every hit.

Call ``connect_cache_signals()`` once, from ``CoursesConfig.ready()``.
"""

import copy
import hashlib
import re
import time
from collections.abc import Callable

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import translation
from django.utils.cache import patch_cache_control, patch_vary_headers

# Pages are also dropped after this long, so that "the next sessions" and
# anything no signal reports (a teacher's name) are never stale for long.
PAGE_TIMEOUT = 10 * 60
VERSION_KEY = "courses:catalogue:version"
# A second number for what the enrolment rules read of a section (its term,
# course title and pages): bumped with the first one by every change but
# enrolments and sessions, so that the rush does not invalidate it.
RULES_VERSION_KEY = "courses:rules:version"
PAGE_KEY = "courses:catalogue:page:{digest}"
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__courses_csrf_token__"
# A text-size choice we do not know renders as "normal" (lms.context_processors).
TEXT_SIZES = ("normal", "large", "x-large")
# Set on a request whose page the middleware looked up and did not find, so
# that the view does not look again.
LOOKED_UP = "_courses_page_cache_key"
# Set on a request the middleware looked up: the version it saw.
SEEN_VERSION = "_courses_page_cache_version"


def catalogue_version() -> int:
    """The current version of the cached pages. A missing number (evicted,
    or the cache was cleared) starts from the clock, so that it can never
    fall back to a number that older pages were stored under."""
    return cache.get_or_set(VERSION_KEY, time.time_ns, timeout=None)


def rules_version() -> int:
    """The current version of the sections' rules (``RULES_VERSION_KEY``)."""
    return cache.get_or_set(RULES_VERSION_KEY, time.time_ns, timeout=None)


def cache_is_shared() -> bool:
    """Whether every process sees the same cache (Redis), so that a version
    bumped in one process reaches the others."""
    from django.core.cache import caches
    from django.core.cache.backends.dummy import DummyCache
    from django.core.cache.backends.locmem import LocMemCache

    return not isinstance(caches["default"], LocMemCache | DummyCache)


def catalogue_changed(school_path: str | None = None, *, rules: bool = True) -> None:
    """Make every cached page stale, now and again when the current
    transaction commits (a request rendering between the two would otherwise
    store old data under the new version). ``school_path`` (the school whose
    data changed) is accepted for callers that know it; every school's pages
    go stale. ``rules``: the change may touch what the enrolment rules read
    of a section (everything but enrolments and sessions), so their
    version goes up too."""
    keys = (VERSION_KEY, RULES_VERSION_KEY) if rules else (VERSION_KEY,)

    def bump():
        for key in keys:
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, time.time_ns(), timeout=None)

    bump()
    transaction.on_commit(bump)


def cacheable_request(request: HttpRequest) -> bool:
    """An anonymous GET/HEAD with no pending message. Costs no query when
    the request has no session cookie (no session to load)."""
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    # Pending messages are shown on the next page rendered: render it.
    return not len(messages.get_messages(request))


def page_key(request: HttpRequest) -> str:
    """The cache key of the page ``request`` asks for (no version: the
    stored value carries it)."""
    size = request.COOKIES.get(settings.TEXT_SIZE_COOKIE, "normal")
    parts = [
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        size if size in TEXT_SIZES else "normal",
    ]
    return PAGE_KEY.format(digest=hashlib.sha256("\n".join(parts).encode()).hexdigest())


def _vary(response: HttpResponse) -> HttpResponse:
    # The page depends on the language and text-size cookies and on
    # Accept-Language; its CSRF token is personal: no shared cache downstream.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    patch_cache_control(response, private=True)
    return response


def stored_page(request: HttpRequest, key: str) -> HttpResponse | None:
    """The stored page under ``key`` if it is of the current version, with a
    fresh CSRF token; one cache round trip, no query."""
    return lookup(request, key)[0]


def lookup(request: HttpRequest, key: str) -> tuple[HttpResponse | None, int | None]:
    """``stored_page`` and the current version (None when the cache has
    none), from the same cache round trip."""
    found = cache.get_many([VERSION_KEY, key])
    stored, version = found.get(key), found.get(VERSION_KEY)
    if stored is None or stored[0] != version:
        return None, version
    _version, content, content_type = stored
    token = get_token(request).encode()
    response = HttpResponse(content.replace(CSRF_PLACEHOLDER, token), content_type=content_type)
    response["X-Catalogue-Cache"] = "hit"
    return _vary(response), version


def cached_page(request: HttpRequest, *, render: Callable[[], HttpResponse]) -> HttpResponse:
    """The response of ``render()`` for ``request``, from the cache when an
    anonymous visitor asked for the same page before (and the middleware has
    not already looked), else rendered and stored."""
    if not cacheable_request(request):
        return render()
    key = getattr(request, LOOKED_UP, None)
    if key is None:
        key = page_key(request)
        hit = stored_page(request, key)
        if hit is not None:
            return hit
    # Read before rendering: a change committed while the page renders bumps
    # the version, and the page is stored under the old one (never served).
    version = catalogue_version()
    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if response.status_code == 200 and not response.cookies and not response.streaming:
        content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
        cache.set(key, (version, content, response["Content-Type"]), PAGE_TIMEOUT)
    return _vary(response)


# --- the school's header and footer -------------------------------------------

SCHOOL_KEY = "courses:catalogue:school:{site}"
# Where prime_school_settings puts the catalogue filter's campus and
# department choices (courses.forms.filter_choices) on the request.
FILTER_CHOICES = "_courses_filter_choices"


def prime_school_settings(request: HttpRequest) -> None:
    """Put the school's ``SchoolSettings`` and ``NavigationSettings`` (its
    menu items and their pages loaded), and the campus and department
    choices of the catalogue's filters, on ``request``, where Wagtail's
    ``for_request`` (the ``settings`` context processor, ``{% help_phone %}``)
    finds them, from the cache when they are there: the header and footer
    of a rendered catalogue page then cost no query. Kept under the same
    version as the pages (a change of the settings, the menu or a Site
    bumps it) and for no longer than a page. A process keeps what it loaded
    and uses it while the version the middleware saw is the one it was
    loaded under (no cache round trip, nothing to unpickle)."""
    from wagtail.models import Site

    site = Site.find_for_request(request)
    if site is None:
        return
    seen = getattr(request, SEEN_VERSION, None)
    known = _schools.get(site.pk)
    if seen is not None and known is not None and known[0] == seen:
        # This process loaded them under the version the middleware just saw.
        _version, school, navigation, choices = known
    else:
        school, navigation, choices = _school_settings(site)
    for setting in (school, navigation):
        setting = copy.copy(setting)  # each request sets its own _request
        setting._request = request
        setattr(request, type(setting).get_cache_attr_name(), setting)
    setattr(request, FILTER_CHOICES, choices)


# site pk -> (version, SchoolSettings, NavigationSettings, filter choices)
_schools: dict[int, tuple] = {}


def _school_settings(site) -> tuple:
    from cms.models import NavigationSettings, SchoolSettings

    key = SCHOOL_KEY.format(site=site.pk)
    found = cache.get_many([VERSION_KEY, key])
    version, stored = found.get(VERSION_KEY), found.get(key)
    if stored is not None and version is not None and stored[0] == version:
        school, navigation, choices = stored[1], stored[2], stored[3]
    else:
        from courses.forms import filter_choices

        version = catalogue_version()
        school = SchoolSettings.for_site(site)
        navigation = NavigationSettings.for_site(site)
        items = list(navigation.menu_items.get_live_queryset().select_related("link_page"))
        for item in items:
            item.url  # noqa: B018 (worked out now, so that it is stored with the item)
        navigation.menu_items.set(items)
        choices = filter_choices(school=site.root_page)
        cache.set(key, (version, school, navigation, choices), PAGE_TIMEOUT)
    _schools[site.pk] = (version, school, navigation, choices)
    return school, navigation, choices


# --- invalidation --------------------------------------------------------------
# One version for every school: a change needs no query to find its school.

def _on_change(sender, **kwargs):
    catalogue_changed()


def _on_seats_changed(sender, **kwargs):
    # Enrolments and sessions change what pages show, not the rules.
    catalogue_changed(rules=False)


def _on_settings_saved(sender, created=False, **kwargs):
    # Rendering a page creates a school's settings rows with their defaults
    # when they are missing (BaseSiteSetting.for_site): that changes nothing
    # on any page, and must not make the page just rendered stale.
    if not created:
        catalogue_changed()


def connect_cache_signals() -> None:
    """Invalidate the cached pages when the data behind them changes."""
    from wagtail.models import PageViewRestriction, Site
    from wagtail.signals import page_published, page_unpublished, post_page_move

    from cms.models import HomePage, MenuItem, NavigationSettings, SchoolSettings
    from courses.models import (
        CampusPage,
        ClassSession,
        CourseIndexPage,
        CoursePage,
        Department,
        Enrolment,
        Section,
        SectionSlot,
        Term,
        TermDay,
    )

    # The page shows sections (times, sessions, seats), terms, departments,
    # and in its header and footer the Site's name, the school's settings
    # and its menu. Who may see a page (view restrictions) and where pages
    # are (moves) also decide what the middleware may serve or route.
    models = (Section, SectionSlot, ClassSession, Enrolment, Term, TermDay, Department,
              Site, MenuItem, SchoolSettings, NavigationSettings, PageViewRestriction)
    for signal in (post_save, post_delete):
        for model in models:
            handler = (_on_settings_saved if signal is post_save
                       and model in (SchoolSettings, NavigationSettings)
                       else _on_seats_changed if model in (Enrolment, ClassSession)
                       else _on_change)
            signal.connect(handler, sender=model,
                           dispatch_uid=f"courses-cache-{model.__name__}-{id(signal)}")
    post_page_move.connect(_on_change, dispatch_uid="courses-cache-page-move")
    for signal in (page_published, page_unpublished):
        for model in (CourseIndexPage, CoursePage, CampusPage, HomePage):
            signal.connect(_on_change, sender=model,
                           dispatch_uid=f"courses-cache-{model.__name__}-{id(signal)}")
