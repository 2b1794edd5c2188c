"""The page header kept as a fragment for anonymous visitors.

Writing the header (preferences bar, school name, account links, menu)
costs about as much as the rest of a catalogue page's template. A view that
knows a version number under which the school's settings, menu and Site
cannot have changed puts it on the request (``request.chrome_version``:
``courses`` does for its catalogue pages, with the catalogue cache version
that every such change bumps); the ``site_header`` tag then writes the
header once per site, language, text size, path and version in this
process, and fills in each request's own parts: its full path (the
preference forms' "come back here" and the login link's ``next``) and its
CSRF token. Signed-in visitors, and requests without a version, get the
header written as before.
"""

from html import escape
from urllib.parse import quote

from django.middleware.csrf import get_token
from django.utils import translation

# Set by a view that knows such a version.
CHROME_VERSION = "chrome_version"
_HERE = "chromeheremark7q2"
_HERE_QUOTED = "chromeherequotedmark7q2"
_CSRF = "chromecsrfmark7q2"
_fragments: dict[tuple, str] = {}
MAX_FRAGMENTS = 1000


def header_html(context, render) -> str:
    """The header for ``context`` (a RequestContext); ``render(context)``
    writes includes/header.html."""
    request = context.get("request")
    version = getattr(request, CHROME_VERSION, None) if request is not None else None
    user = getattr(request, "user", None)
    if version is None or user is None or user.is_authenticated:
        return render(context)
    key = (request._get_raw_host(), translation.get_language(), context.get("text_size"),
           request.path, version)
    fragment = _fragments.get(key)
    if fragment is None:
        with context.push(here=_HERE, here_quoted=_HERE_QUOTED, csrf_token=_CSRF):
            fragment = render(context)
        if len(_fragments) >= MAX_FRAGMENTS:
            _fragments.clear()
        _fragments[key] = fragment
    here = request.get_full_path()
    return (fragment.replace(_HERE_QUOTED, quote(here, safe="/"))
            .replace(_HERE, escape(here)).replace(_CSRF, get_token(request)))
