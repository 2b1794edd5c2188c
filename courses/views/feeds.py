"""Calendar feeds (.ics) of public sections and campuses, for the school of
the request's site only, and each person's private feed of their classes."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from wagtail.models import Site

from courses.ical import campus_calendar, section_calendar, sessions_calendar
from courses.models import CalendarToken, CampusPage, ClassSession, CourseIndexPage, Enrolment, Term

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


@require_safe
def personal_ics(request: HttpRequest, token: str) -> HttpResponse:
    """The private feed of one person (found by the secret ``token`` of
    their calendar link): every session, cancelled ones included, of the
    classes they are enrolled in, in any school. An unknown or renewed
    (revoked) token is 404. Never cached by anyone else, never indexed."""
    found = CalendarToken.objects.filter(token=token).select_related("person__profile").first()
    if found is None:
        raise Http404
    person = found.person
    sessions = ClassSession.objects.filter(
        section_id__in=Enrolment.objects.filter(
            person=person, status=Enrolment.Status.ENROLLED
        ).values("section_id")
    )
    content = sessions_calendar(
        sessions,
        name=_("My classes · %(name)s") % {"name": person.display_name},
        uid=f"person-{person.pk}@{request.get_host().split(':')[0]}",
    )
    response = _ics(content, "my-classes.ics")
    patch_cache_control(response, private=True, no_store=True)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response
