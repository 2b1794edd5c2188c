"""Serve cached catalogue and section pages before Wagtail is asked.

``CataloguePageCacheMiddleware`` sits after the session, locale, CSRF,
authentication, message and X-Frame-Options middleware (so the language of
the key is the one the page would be rendered in, anonymity and pending
messages are known, the CSRF cookie is set and the headers are those of a
rendered page) and before Wagtail's serve view: a hit costs one cache round
trip and no query for a visitor without a session cookie. A miss passes
through; ``CourseIndexPage.serve`` renders the page and stores it
(``courses.cache.cached_page``).
"""

from django.http import HttpRequest, HttpResponse

from courses.cache import LOOKED_UP, cacheable_request, page_key, stored_page

# Path prefixes of the catalogues this process has served
# (``remember_catalogue``): only requests under them are looked up, so other
# pages cost no cache round trip. A hint, not a source of truth: a prefix
# that is no longer a catalogue costs one lookup that misses; one not yet
# seen is served by the view (which looks in the cache itself).
_catalogue_prefixes: set[str] = set()


def remember_catalogue(path: str) -> None:
    """Note that ``path`` (a catalogue page's URL path) serves cached pages."""
    if path not in _catalogue_prefixes:
        _catalogue_prefixes.add(path)


def _under_a_catalogue(path: str) -> bool:
    return any(path.startswith(prefix) for prefix in _catalogue_prefixes)


class CataloguePageCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _under_a_catalogue(request.path) and cacheable_request(request):
            key = page_key(request)
            response = stored_page(request, key)
            if response is not None:
                return response
            setattr(request, LOOKED_UP, key)
        return self.get_response(request)
