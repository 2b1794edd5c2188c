"""Cache of the anonymous catalogue and section pages, on Django's cache.

Every school has a version number in the cache; a page's key holds it, so
bumping the version (when a section, its times, sessions, enrolments, the
term or a course/campus page changes) makes every cached page of that school
unreachable at once, and the cache evicts them in its own time.

Only anonymous GET/HEAD requests without pending messages are served from or
stored in the cache, and only plain 200 responses that set no cookie. The key
holds the host, the path with its query string, the language and the text
size (both are rendered into the page). The CSRF token of the header's forms
is personal, so it is cut out before storing and a fresh one is put in on
every hit.

Call ``connect_cache_signals()`` once, from ``CoursesConfig.ready()``.
"""

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
VERSION_KEY = "courses:catalogue:version:{school}"
PAGE_KEY = "courses:catalogue:page:{school}:{version}:{digest}"
CSRF_INPUT = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
CSRF_PLACEHOLDER = b"__courses_csrf_token__"
# A text-size choice we do not know renders as "normal" (lms.context_processors).
TEXT_SIZES = ("normal", "large", "x-large")


def catalogue_version(school_path: str) -> int:
    """The current version of the cached pages of the school whose home page
    has the tree path ``school_path`` (a path, not an id, so that a cache hit
    needs no query to find it). A missing number
    (evicted, or the cache was cleared) starts from the clock, so that it can
    never fall back to a number that older pages were stored under."""
    return cache.get_or_set(VERSION_KEY.format(school=school_path), time.time_ns, timeout=None)


def catalogue_changed(school_path: str) -> None:
    """Make every cached page of the school stale, now and again when the
    current transaction commits (a request rendering between the two would
    otherwise store old data under the new version)."""

    def bump():
        key = VERSION_KEY.format(school=school_path)
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, time.time_ns(), timeout=None)

    bump()
    transaction.on_commit(bump)


def _cacheable_request(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    # Pending messages are shown on the next page rendered: render it.
    return not len(messages.get_messages(request))


def _page_key(request: HttpRequest, school_path: str) -> str:
    size = request.COOKIES.get(settings.TEXT_SIZE_COOKIE, "normal")
    parts = [
        request.get_host(),
        request.get_full_path(),
        translation.get_language() or "",
        size if size in TEXT_SIZES else "normal",
    ]
    digest = hashlib.sha256("\n".join(parts).encode()).hexdigest()
    return PAGE_KEY.format(
        school=school_path, version=catalogue_version(school_path), digest=digest
    )


def _vary(response: HttpResponse) -> HttpResponse:
    # The page depends on the language and text-size cookies and on
    # Accept-Language; its CSRF token is personal: no shared cache downstream.
    patch_vary_headers(response, ("Cookie", "Accept-Language"))
    patch_cache_control(response, private=True)
    return response


def cached_page(
    request: HttpRequest, *, school_path: str, render: Callable[[], HttpResponse]
) -> HttpResponse:
    """The response of ``render()`` for ``request``, from the cache when an
    anonymous visitor asked for the same page before."""
    if not _cacheable_request(request):
        return render()
    key = _page_key(request, school_path)
    stored = cache.get(key)
    if stored is not None:
        content, content_type = stored
        token = get_token(request).encode()
        response = HttpResponse(content.replace(CSRF_PLACEHOLDER, token),
                                content_type=content_type)
        response["X-Catalogue-Cache"] = "hit"
        return _vary(response)

    response = render()
    if hasattr(response, "render") and callable(response.render):
        response = response.render()
    if response.status_code == 200 and not response.cookies and not response.streaming:
        content = CSRF_INPUT.sub(rb"\1" + CSRF_PLACEHOLDER + rb"\2", response.content)
        cache.set(key, (content, response["Content-Type"]), PAGE_TIMEOUT)
    return _vary(response)


# --- invalidation --------------------------------------------------------------

def _schools_of_sections(**lookup) -> list[str]:
    from courses.models import Section

    return list(Section.objects.filter(**lookup).values_list("term__school__path", flat=True))


def _schools_of_page(page) -> list[str]:
    from cms.models import HomePage

    return list(HomePage.objects.ancestor_of(page).values_list("path", flat=True))


def _bump(school_paths) -> None:
    for school_path in {s for s in school_paths if s}:
        catalogue_changed(school_path)


def _on_section(sender, instance, **kwargs):
    from courses.models import Term

    _bump(Term.objects.filter(pk=instance.term_id).values_list("school__path", flat=True))


def _on_section_child(sender, instance, **kwargs):
    # A slot, session or enrolment; on a cascade delete its section may be gone.
    _bump(_schools_of_sections(pk=instance.section_id))


def _on_term(sender, instance, **kwargs):
    from cms.models import HomePage

    _bump(HomePage.objects.filter(pk=instance.school_id).values_list("path", flat=True))


def _on_term_day(sender, instance, **kwargs):
    from courses.models import Term

    _bump(Term.objects.filter(pk=instance.term_id).values_list("school__path", flat=True))


def _on_page(sender, instance, **kwargs):
    _bump(_schools_of_page(instance))


def _on_department(sender, instance, **kwargs):
    # Departments are shared by every school.
    from cms.models import HomePage

    _bump(HomePage.objects.values_list("path", flat=True))


def connect_cache_signals() -> None:
    """Invalidate a school's cached pages when the data behind them changes."""
    from wagtail.signals import page_published, page_unpublished

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

    for signal in (post_save, post_delete):
        signal.connect(_on_section, sender=Section, dispatch_uid=f"courses-cache-section-{id(signal)}")
        for model in (SectionSlot, ClassSession, Enrolment):
            signal.connect(_on_section_child, sender=model,
                           dispatch_uid=f"courses-cache-{model.__name__}-{id(signal)}")
        signal.connect(_on_term, sender=Term, dispatch_uid=f"courses-cache-term-{id(signal)}")
        signal.connect(_on_term_day, sender=TermDay,
                       dispatch_uid=f"courses-cache-termday-{id(signal)}")
        signal.connect(_on_department, sender=Department,
                       dispatch_uid=f"courses-cache-department-{id(signal)}")
    for signal in (page_published, page_unpublished):
        for model in (CourseIndexPage, CoursePage, CampusPage):
            signal.connect(_on_page, sender=model,
                           dispatch_uid=f"courses-cache-{model.__name__}-{id(signal)}")
