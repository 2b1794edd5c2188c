"""Calendar feeds (.ics) of public sections and campuses, for the school of
the request's site only."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_safe
from wagtail.models import Site

from courses.ical import campus_calendar, section_calendar
from courses.models import CampusPage, CourseIndexPage, Term

CONTENT_TYPE = "text/calendar; charset=utf-8"


def _school(request: HttpRequest):
    site = Site.find_for_request(request)
    if site is None:
        raise Http404
    return site.root_page


def _ics(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_safe
def section_ics(request: HttpRequest, pk: int) -> HttpResponse:
    """A public section's sessions; drafts, cancelled sections, unpublished
    terms and other schools' sections are 404."""
    school = _school(request)
    # The same classes the catalogue serves a page for.
    section = get_object_or_404(CourseIndexPage.public_sections(school=school), pk=pk)
    return _ics(section_calendar(section), f"section-{section.pk}.ics")


@require_safe
def campus_ics(request: HttpRequest, page_id: int) -> HttpResponse:
    """The public sessions at a live campus of this school; ``?term=<id>``
    narrows it to one published term."""
    school = _school(request)
    campus = get_object_or_404(CampusPage.objects.live().descendant_of(school), pk=page_id)
    term = None
    if request.GET.get("term"):
        term_id = request.GET["term"]
        if not term_id.isdigit():
            raise Http404
        term = get_object_or_404(Term, pk=term_id, school=school, is_published=True)
    return _ics(campus_calendar(campus, term=term), f"campus-{campus.pk}.ics")
