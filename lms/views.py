from django.conf import settings
from django.http import HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from .context_processors import TEXT_SIZES


def _safe_next(request) -> str:
    target = request.POST.get("next") or request.META.get("HTTP_REFERER") or "/"
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


@require_POST
def text_size(request):
    """Remember the reader's text size for a year (works without JavaScript)."""
    size = request.POST.get("size", "normal")
    if size not in TEXT_SIZES:
        size = "normal"
    response = HttpResponseRedirect(_safe_next(request))
    response.set_cookie(
        settings.TEXT_SIZE_COOKIE,
        size,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        secure=request.is_secure(),
    )
    return response
