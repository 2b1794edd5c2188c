"""Serve cached catalogue and section pages before Wagtail is asked, and
route the misses without Wagtail's page lookups.

``CataloguePageCacheMiddleware`` sits after the session, locale, CSRF,
authentication, message and X-Frame-Options middleware (so the language of
the key is the one the page would be rendered in, anonymity and pending
messages are known, the CSRF cookie is set and the headers are those of a
rendered page) and before Wagtail's serve view: a hit costs one cache round
trip and no query for a visitor without a session cookie.

A miss goes on to Wagtail's serve view (its hooks, view restrictions and
all), and ``CourseIndexPage.serve`` renders the page and stores it
(``courses.cache.cached_page``). When this process has routed the same
catalogue for the same host under the current cache version, the miss
carries that route: the Site and the page are put where Wagtail looks for
them first (``request._wagtail_site``, ``request._wagtail_route_for_request``),
which spares the Site query and the walk down the page tree. Any change to
a page, a Site or the catalogue's data bumps the version and the route is
found afresh.
"""

import copy

from django.http import Http404, HttpRequest, HttpResponse
from wagtail.url_routing import RouteResult

from cms.chrome import CHROME_VERSION
from courses.cache import LOOKED_UP, SEEN_VERSION, cacheable_request, lookup, page_key

# Path prefixes of the catalogues this process has served
# (``remember_catalogue``): only requests under them are looked up, so other
# pages cost no cache round trip. A hint, not a source of truth: a prefix
# that is no longer a catalogue costs one lookup that misses; one not yet
# seen is served by the view (which looks in the cache itself).
_catalogue_prefixes: set[str] = set()
# (raw host, prefix) -> (cache version, Site, catalogue page) as routed by
# Wagtail in this process under that version.
_routes: dict[tuple[str, str], tuple[int, object, object]] = {}


def remember_catalogue(path: str, request: HttpRequest | None = None, page=None) -> None:
    """Note that ``path`` (a catalogue page's URL path) serves cached pages,
    and, given the request Wagtail routed to ``page``, remember the route
    under the version the middleware saw before Wagtail looked anything up
    (never a later one: the page could be older than that)."""
    if path not in _catalogue_prefixes:
        _catalogue_prefixes.add(path)
    version = getattr(request, SEEN_VERSION, None) if request is not None else None
    site = getattr(request, "_wagtail_site", None) if request is not None else None
    if version is not None and site is not None and page is not None:
        _routes[(request._get_raw_host(), path)] = (version, site, page)


def _catalogue_prefix(path: str) -> str | None:
    found = None
    for prefix in _catalogue_prefixes:
        if path.startswith(prefix) and (found is None or len(prefix) > len(found)):
            found = prefix
    return found


def _known_route(request: HttpRequest, prefix: str, version) -> None:
    """Fill Wagtail's per-request routing caches from a route this process
    found under ``version``, when the path is one of the page's own routes
    (a course page under the catalogue is left to Wagtail)."""
    known = _routes.get((request._get_raw_host(), prefix))
    if known is None or version is None or known[0] != version:
        return
    _version, site, page = known
    page = copy.copy(page)  # nothing a request sets on it is shared
    rest = [part for part in request.path[len(prefix):].split("/") if part]
    try:
        match = page.resolve_subpage("/" + "".join(f"{part}/" for part in rest))
    except Http404:
        return
    request._wagtail_site = site
    request.routable_resolver_match = match
    request._wagtail_route_for_request = RouteResult(page, args=tuple(match))


class CataloguePageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        prefix = _catalogue_prefix(request.path)
        if prefix is not None and cacheable_request(request):
            key = page_key(request)
            response, version = lookup(request, key)
            if response is not None:
                return response
            setattr(request, LOOKED_UP, key)
            setattr(request, SEEN_VERSION, version)
            if version is not None:
                # Every change of a school's settings, menu or Site bumps
                # it: the page header may be kept under it (cms/chrome.py).
                setattr(request, CHROME_VERSION, version)
            _known_route(request, prefix, version)
        return self.get_response(request)
