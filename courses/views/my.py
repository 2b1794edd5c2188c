"""My classes (我的课程): the term's timetable of the logged-in person and of
each student they act for, and their private calendar link."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Prefetch, prefetch_related_objects
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from wagtail.models import Site

from courses.models import CourseIndexPage, Enrolment
from courses.selectors import person_timetable
from courses.services.calendar_tokens import calendar_token_get_or_create, calendar_token_renew
from lms.accounts.models import User
from lms.accounts.services import proxy_people


def _calendar_links(request: HttpRequest, token: str) -> dict[str, str]:
    """The feed's https URL (to copy into a calendar app) and its webcal://
    twin (opens the phone's calendar app directly)."""
    url = request.build_absolute_uri(reverse("courses:personal_ics", args=[token]))
    return {"feed_url": url, "webcal_url": "webcal://" + url.split("://", 1)[1]}


def _with_teachers_and_urls(request: HttpRequest, enrolments: list[Enrolment]) -> None:
    """Load every class's teachers (one query) and give each row the URL of
    its class page, as ``section_url`` (one query per catalogue)."""
    sections = [e.section for e in enrolments]
    prefetch_related_objects(
        sections, Prefetch("teachers", queryset=User.objects.select_related("profile"))
    )
    parents = {s.course.path[: -s.course.steplen] for s in sections}
    catalogues = {c.path: c for c in CourseIndexPage.objects.filter(path__in=parents)}
    for enrolment in enrolments:
        section = enrolment.section
        catalogue = catalogues.get(section.course.path[: -section.course.steplen])
        enrolment.section_url = (
            f"{catalogue.get_url(request) or ''}"
            f"{catalogue.reverse_subpage('section', args=[section.pk]).lstrip('/')}"
            if catalogue is not None else ""
        )


def _catalogue_url(request: HttpRequest) -> str:
    site = Site.find_for_request(request)
    if site is None:
        return ""
    catalogue = CourseIndexPage.objects.live().descendant_of(site.root_page).first()
    return (catalogue.get_url(request) or "") if catalogue is not None else ""


def _later_terms(timetable) -> list:
    """The terms after the timetable's own that the person has live rows in."""
    if timetable.term is None:
        return []
    return sorted((t for t in timetable.terms if t.start_date > timetable.term.start_date),
                  key=lambda t: t.start_date)


@login_required
@never_cache
def my_classes(request: HttpRequest) -> HttpResponse:
    """The person's classes this term (status, times, campus address, room,
    teacher, the next sessions), then the same for each student with an
    active family-member link to them, and the private calendar link card
    (made on first visit). Queries do not grow with the number of classes."""
    people = proxy_people(actor=request.user)
    timetables = []
    rows = []
    for index, person in enumerate(people):
        timetable = person_timetable(person=person)
        rows.extend(timetable.enrolments)
        timetables.append({"person": person, "is_self": index == 0, "timetable": timetable,
                           "anchor": f"person-{person.pk}"})
        # Then each later term the person already has classes in (places
        # renewed or asked for next term), so that they show before it starts.
        for term in _later_terms(timetable):
            later = person_timetable(person=person, term=term)
            rows.extend(later.enrolments)
            timetables.append({"person": person, "is_self": index == 0, "timetable": later,
                               "anchor": f"person-{person.pk}-term-{term.pk}"})
    _with_teachers_and_urls(request, rows)
    token = calendar_token_get_or_create(person=request.user)
    return render(request, "courses/my_classes.html", {
        "timetables": timetables,
        "catalogue_url": _catalogue_url(request),
        # Leave is asked only for a class that has not started.
        "now": timezone.now(),
        "copied_text": _("The link is copied. Paste it into your calendar app."),
        **_calendar_links(request, token.token),
    })


@login_required
@require_POST
def calendar_renew(request: HttpRequest) -> HttpResponse:
    """Replace the person's calendar link (the old one stops working), then
    back to my classes with the news."""
    calendar_token_renew(person=request.user)
    messages.success(request, _(
        "You have a new calendar link. The old link no longer works: add the new one "
        "to your calendar app."
    ))
    return redirect(reverse("courses:my_classes") + "#calendar")
