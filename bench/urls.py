"""The project's URLs plus a bare view to measure the server and middleware
alone against."""

from django.http import HttpResponse
from django.urls import include, path


def bare(request):
    return HttpResponse(b"ok\n", content_type="text/plain")


urlpatterns = [
    path("bench/bare/", bare),
    path("", include("lms.urls")),
]
