"""Enrol, see what happened, withdraw and accept an offered place: the
student-facing side of ``courses.services.enrolment``.

The views only read the request, check who may act for whom
(``lms.accounts.services.can_act_for``) and call one service; the service
decides, locks and writes. ``enrol`` is the endpoint of the enrolment rush:
it makes no query beyond the session, the person and the service's own,
and answers with a 303 to the result page (a reload never submits twice)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods, require_POST

from courses.models import CourseIndexPage, Enrolment, Section
from courses.services.enrolment import (
    EnrolmentBusy,
    EnrolmentRefused,
    enrolment_create,
    enrolment_withdraw,
    offer_accept,
)
from lms.accounts.models import User
from lms.accounts.services import can_act_for


def section_page_url(request: HttpRequest, section: Section) -> str:
    """The URL of ``section``'s page in its course's catalogue ("" when the
    catalogue is gone). One query; ``section.course`` must be loaded."""
    course = section.course
    catalogue = CourseIndexPage.objects.filter(path=course.path[: -course.steplen]).first()
    if catalogue is None:
        return ""
    base = catalogue.get_url(request) or ""
    return f"{base}{catalogue.reverse_subpage('section', args=[section.pk]).lstrip('/')}"


def _may_see(user: User, enrolment: Enrolment) -> bool:
    """The person, their active family members, and staff who may view the
    section in the admin (teachers of it, its campus admins, school admins)."""
    if can_act_for(actor=user, person=enrolment.person):
        return True
    from courses.admin.permissions import SectionScopedPolicy

    return SectionScopedPolicy(Section).user_has_permission_for_instance(
        user, "view", enrolment.section
    )


def _enrolment_for(request: HttpRequest, pk: int, *, staff: bool = False) -> Enrolment:
    """The enrolment ``pk`` if ``request.user`` may act on it (or, with
    ``staff``, see it); 404 otherwise, so that nobody learns it exists."""
    enrolment = get_object_or_404(
        Enrolment.objects.select_related(
            "person__profile", "section__course", "section__campus", "section__room",
            "section__term",
        ),
        pk=pk,
    )
    allowed = (_may_see(request.user, enrolment) if staff
               else can_act_for(actor=request.user, person=enrolment.person))
    if not allowed:
        raise Http404
    return enrolment


def _refused(request: HttpRequest, *, section_pk: int, person: User, message: str,
             busy: bool = False, preference: int = 1) -> HttpResponse:
    """The result page of a refused (or busy) request: why, in plain words,
    and what to do; a busy answer offers the same request again."""
    section = get_object_or_404(
        Section.objects.select_related("course", "campus", "room", "term"), pk=section_pk)
    return render(request, "courses/enrolment_result.html", {
        "section": section,
        "person": person,
        "for_someone_else": person.pk != request.user.pk,
        "refusal": message,
        "busy": busy,
        "preference": preference,
        "slots": section.slots.all(),
        "section_url": section_page_url(request, section),
    })


@require_POST
def enrol(request: HttpRequest, section_pk: int) -> HttpResponse:
    """Ask for a place in a section for oneself or (``person``) someone one
    may act for. 303 to the result page; a refusal or a busy lock is shown
    in plain words (status 200) with what to do next. A visitor who is not
    logged in is sent to log in and back to the section's page."""
    if not request.user.is_authenticated:
        section = get_object_or_404(Section.objects.select_related("course"), pk=section_pk)
        return redirect_to_login(section_page_url(request, section) or request.path)
    # Only the pk: the service reads the section itself (one query, under
    # the person's lock) and raises Section.DoesNotExist for a missing one.
    section = Section(pk=section_pk)
    person = request.user
    chosen = request.POST.get("person", "")
    if chosen and chosen != str(person.pk):
        other = (User.objects.select_related("profile").filter(pk=chosen).first()
                 if chosen.isdigit() else None)
        if other is None or not can_act_for(actor=request.user, person=other):
            return _refused(request, section_pk=section_pk, person=person,
                            message=_not_allowed())
        person = other
    preference = request.POST.get("preference", "1")
    preference = int(preference) if preference.isdigit() and 1 <= int(preference) <= 9 else 1
    try:
        result = enrolment_create(person=person, section=section, actor=request.user,
                                  preference=preference)
    except Section.DoesNotExist:
        raise Http404 from None
    except EnrolmentRefused as error:
        return _refused(request, section_pk=section_pk, person=person, message=error.message,
                        busy=isinstance(error, EnrolmentBusy), preference=preference)
    return _see_other(result.enrolment.pk)


class HttpResponseSeeOther(HttpResponseRedirect):
    status_code = 303


def _see_other(enrolment_pk: int) -> HttpResponse:
    """303 to the result page: a reload shows the result, never re-submits."""
    return HttpResponseSeeOther(reverse("courses:enrolment_result", args=[enrolment_pk]))


def _not_allowed() -> str:
    return gettext(
        "You cannot enrol for this person. A family member can enrol for a student only "
        "after the student has agreed to it in their own account."
    )


@login_required
def enrolment_result(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    """What happened to a request, in plain words: enrolled, waiting list
    place N, request received (draw date and ticket), place offered (accept
    by …), withdrawn, not drawn. Only the person, their family members and
    staff of the class may open it; anyone else gets 404."""
    from courses.selectors import waitlist_position

    enrolment = _enrolment_for(request, enrolment_pk, staff=True)
    section = enrolment.section
    may_act = can_act_for(actor=request.user, person=enrolment.person)
    return render(request, "courses/enrolment_result.html", {
        "enrolment": enrolment,
        "section": section,
        "person": enrolment.person,
        "for_someone_else": enrolment.person_id != request.user.pk,
        "may_act": may_act,
        "live": enrolment.status in Enrolment.LIVE,
        "offer_to_accept": may_act and enrolment.status == Enrolment.Status.OFFERED,
        "position": (waitlist_position(enrolment=enrolment)
                     if enrolment.status == Enrolment.Status.WAITLISTED else None),
        "slots": section.slots.all(),
        "section_url": section_page_url(request, section),
    })


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def withdraw(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    """GET: ask "withdraw from …?" (one button, and a way back). POST:
    ``enrolment_withdraw`` (the seat goes to the next person on the waiting
    list), then 303 to the result page, which says "you have withdrawn".
    A second POST changes nothing. Someone else's enrolment is 404."""
    enrolment = _enrolment_for(request, enrolment_pk)
    if enrolment.status not in Enrolment.LIVE:
        return _see_other(enrolment.pk)
    if request.method == "POST":
        try:
            enrolment_withdraw(enrolment=enrolment, actor=request.user)
        except EnrolmentRefused as error:
            messages.error(request, error.message)
        return _see_other(enrolment.pk)
    return render(request, "courses/enrolment_withdraw.html", {
        "enrolment": enrolment,
        "section": enrolment.section,
        "person": enrolment.person,
        "for_someone_else": enrolment.person_id != request.user.pk,
        "cancel_url": reverse("courses:my_classes"),
    })


@login_required
@require_POST
def accept(request: HttpRequest, enrolment_pk: int) -> HttpResponse:
    """Accept an offered place (``offer_accept``), then 303 to the result
    page. An offer that has run out is explained there."""
    enrolment = _enrolment_for(request, enrolment_pk)
    try:
        offer_accept(enrolment=enrolment, actor=request.user)
    except EnrolmentRefused as error:
        messages.error(request, error.message)
    return _see_other(enrolment.pk)
