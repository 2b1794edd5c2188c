from django.shortcuts import render


class AdminAccessMiddleware:
    """A signed-in person without admin access who opens /admin/ gets a
    friendly page that explains where to go, instead of a login loop."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if (
            request.path.startswith("/admin/")
            and user is not None
            and user.is_authenticated
            and not user.has_perm("wagtailadmin.access_admin")
        ):
            return render(request, "accounts/admin_refused.html", status=403)
        return self.get_response(request)
