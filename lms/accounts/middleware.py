from allauth.account.views import logout as allauth_logout
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.csrf import csrf_protect


class AdminAccessMiddleware:
    """A signed-in person without admin access who opens the Wagtail admin
    gets a friendly page that explains where to go, instead of a login loop.

    The admin's login page is let through, and its logout page signs such a
    person out: Wagtail's own logout view serves only people with admin
    access (anyone else would be sent round to the login page), so they get
    the site's logout (allauth's, with its CSRF check) instead.

    Before the Site history report, it works out which logged types the
    person may read over every log model (``proxy_audit``), which Wagtail
    would otherwise take from one of them.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self._paths = None
        self._history_path = None

    def _admin_paths(self) -> tuple[str, str, str]:
        # Resolved on first use (URLconf is not loaded when middleware is
        # built), then kept.
        if self._paths is None:
            self._paths = (
                reverse("wagtailadmin_home"),
                reverse("wagtailadmin_login"),
                reverse("wagtailadmin_logout"),
            )
        return self._paths

    def __call__(self, request):
        prefix, login_path, logout_path = self._admin_paths()
        path = request.path_info
        # The path first: loading the user costs a query, and only admin
        # pages need it here.
        user = getattr(request, "user", None) if path.startswith(prefix) else None
        if user is not None and user.is_authenticated:
            if path != login_path and not user.has_perm("wagtailadmin.access_admin"):
                if path == logout_path:
                    response = csrf_protect(allauth_logout)(request)
                    # Called outside the URL resolver: render it here.
                    return response.render() if hasattr(response, "render") else response
                return render(request, "accounts/admin_refused.html", status=403)
            if path.startswith(self._site_history()) and not user.is_superuser:
                from .proxy_audit import site_history_content_types

                # Wagtail's own cache of this set (see proxy_audit).
                user._allowed_content_type_ids = site_history_content_types(user)
        return self.get_response(request)

    def _site_history(self) -> str:
        if self._history_path is None:
            self._history_path = reverse("wagtailadmin_reports:site_history")
        return self._history_path
