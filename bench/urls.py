"""The project's URLs plus two reference views for the benchmarks: a bare
view (the server and middleware alone), and a logged-in POST that does
nothing (the floor of any enrolment: session, user, CSRF check)."""

from django.http import HttpResponse, HttpResponseRedirect
from django.urls import include, path
from django.views.decorators.http import require_POST


def bare(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


@require_POST
def logged_in(request):
    """What every enrolment POST costs before its own work: the session is
    read, the person loaded and the CSRF token checked (by the middleware);
    then a 303, as the enrolment view answers."""
    if not request.user.is_authenticated:
        return HttpResponse(status=403)
    return HttpResponseSeeOther("/")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/logged-in/", logged_in),
    path("", include("lms.urls")),
]
