"""Roll call (点名) for teachers and campus admins, on a phone: today's
classes, one class's students with four big buttons each, a printable
paper register and the form to enter it afterwards; deciding leave
requests. Students ask for and withdraw leave on ``my_leave``.

Who may see a class: its teachers, the admins of its campus, school admins
(``courses.attendance_selectors``); anyone else gets a 404, as if it did
not exist. The views read the request and call one service."""

import datetime
import uuid

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from courses.attendance_selectors import (
    pending_leave_for,
    person_leave_requests,
    roll_call_session,
    roll_person,
    session_roll,
    sessions_on,
)
from courses.models import Attendance, ClassSession, LeaveRequest
from courses.services.attendance import attendance_mark, attendance_register_enter
from courses.services.leave import (
    leave_request_create,
    leave_request_decide,
    leave_request_withdraw,
)
from courses.services.locking import LockBusy
from courses.views.enrolment import HttpResponseSeeOther
from lms.accounts.models import User
from lms.accounts.services import can_act_for, proxy_people

Status = Attendance.Status


def _roll_context(session: ClassSession) -> dict:
    rows = session_roll(session)
    counts = {value: 0 for value in Status.values}
    for row in rows:
        if row.status:
            counts[row.status] += 1
    return {
        "session": session,
        "section": session.section,
        "rows": rows,
        "statuses": Status.choices,
        "counts": [(label, counts[value]) for value, label in Status.choices],
        "marked": sum(counts.values()),
        "is_today": timezone.localdate(session.starts_at) == timezone.localdate(),
        "is_future": timezone.localdate(session.starts_at) > timezone.localdate(),
        "pending": [row for row in rows if row.leave and row.leave.status == "pending"],
    }


@login_required
@never_cache
def roll_call_today(request: HttpRequest) -> HttpResponse:
    """Today's classes of the teacher (or of the campus admin's campuses),
    each with its roll call, register and paper-register entry; ``?day=``
    (YYYY-MM-DD) shows another day. A person with no classes to call sees a
    plain message."""
    today = timezone.localdate()
    try:
        day = datetime.date.fromisoformat(request.GET.get("day", "")) if request.GET.get(
            "day") else today
    except ValueError:
        day = today
    sessions = sessions_on(request.user, day)
    return render(request, "courses/attendance/today.html", {
        "sessions": sessions, "day": day, "is_today": day == today,
        "pending": pending_leave_for(request.user),
        "previous_day": day - datetime.timedelta(days=1),
        "next_day": day + datetime.timedelta(days=1) if day < today else None,
    })


@login_required
@never_cache
def roll_call(request: HttpRequest, session_pk: int) -> HttpResponse:
    """One class session's students, each with four buttons (present, late,
    on leave, absent) that save at once, and the leave requests to decide.
    The same number of queries for any number of students."""
    session = roll_call_session(request.user, session_pk)
    context = _roll_context(session)
    for row in context["rows"]:
        # The plain form's tap id: posting the same form twice applies once.
        row.tap = uuid.uuid4()
    context["texts"] = {
        "order": Status.values,
        "saving": _("Saving…"),
        "saved": _("Saved: %s"),
        "failed": _("Not saved yet (no connection). Trying again…"),
        "refused": _("Not saved."),
    }
    return render(request, "courses/attendance/roll_call.html", context)


def _wants_json(request: HttpRequest) -> bool:
    return "application/json" in request.headers.get("Accept", "")


@login_required
@require_POST
def roll_call_mark(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Save one tap: ``person``, ``status`` and the client's ``tap`` id
    (the same id sent again changes nothing). Answers JSON to ``fetch()``
    (200 saved, 400 refused with a message, 503 busy: send it again), or
    303 back to the roll call for a plain form post."""
    session = roll_call_session(request.user, session_pk)
    # Only someone on this class's roll: any other posted id is refused
    # without saying whose it is (DESIGN rule 6).
    person = roll_person(session, _int(request.POST.get("person")))
    error, busy, record = "", False, None
    if person is None:
        error = _("This person is not a student of this class.")
    else:
        try:
            record, _changed = attendance_mark(
                session=session, person=person, status=request.POST.get("status", ""),
                actor=request.user, tap_id=request.POST.get("tap") or None,
                reason=request.POST.get("reason", ""),
            )
        except ValidationError as exc:
            error = exc.messages[0]
        except LockBusy:
            busy = True
            error = _("The system is busy. Your tap will be sent again.")
    if _wants_json(request):
        if record is not None:
            return JsonResponse({"ok": True, "status": record.status,
                                 "label": record.get_status_display()})
        return JsonResponse({"ok": False, "error": error, "retry": busy},
                            status=503 if busy else 400)
    if record is not None:
        messages.success(request, _("Saved: %(name)s, %(status)s.") % {
            "name": person.display_name, "status": record.get_status_display()})
    else:
        messages.error(request, error)
    anchor = f"#person-{person.pk}" if person is not None else ""
    return HttpResponseSeeOther(reverse("courses:roll_call", args=[session.pk]) + anchor)


@login_required
@require_POST
def leave_decide(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve (``decision=approve``) or refuse a leave request, then 303
    back to the roll call of its session (or to today's classes, with
    ``back=today``)."""
    leave = get_object_or_404(LeaveRequest.objects.select_related("person__profile"), pk=pk)
    session = roll_call_session(request.user, leave.session_id)
    approve = request.POST.get("decision") == "approve"
    try:
        leave_request_decide(leave_request=leave, approve=approve, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except LockBusy:
        messages.error(request, _("The system is busy. Please try again."))
    else:
        messages.success(request, (_("Leave approved for %(name)s.") if approve
                                   else _("Leave refused for %(name)s."))
                         % {"name": leave.person.display_name})
    if request.POST.get("back") == "today":
        return HttpResponseSeeOther(reverse("courses:roll_call_today") + "#leave")
    return HttpResponseSeeOther(
        reverse("courses:roll_call", args=[session.pk]) + f"#person-{leave.person_id}")


@login_required
@never_cache
def register_print(request: HttpRequest, session_pk: int) -> HttpResponse:
    """The paper register of a session: one table, a blank box per status,
    approved leave already written in. Prints on one sheet per ~30 names."""
    session = roll_call_session(request.user, session_pk)
    return render(request, "courses/attendance/register.html", _roll_context(session))


class RegisterForm(forms.Form):
    """One choice per student (or "not marked"), and a reason for changes."""

    reason = forms.CharField(
        label=gettext_lazy("Reason for changed marks"), required=False, max_length=200,
        help_text=gettext_lazy("Needed only to change a mark after the class day."))

    def __init__(self, *args, rows, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows
        choices = [("", _("Not marked")), *Status.choices]
        for row in rows:
            self.fields[f"p{row.person.pk}"] = forms.ChoiceField(
                label=row.person.display_name, choices=choices, required=False,
                initial=row.status, widget=forms.RadioSelect)

    def marks(self) -> dict[int, str]:
        return {row.person.pk: self.cleaned_data[f"p{row.person.pk}"] for row in self.rows
                if self.cleaned_data.get(f"p{row.person.pk}")}

    def bound_rows(self):
        return [(row, self[f"p{row.person.pk}"]) for row in self.rows]


@login_required
@never_cache
def register_enter(request: HttpRequest, session_pk: int) -> HttpResponse:
    """Staff enter a paper register afterwards (method ``register``): all
    marks saved together, or none with a message saying why."""
    session = roll_call_session(request.user, session_pk)
    context = _roll_context(session)
    form = RegisterForm(request.POST or None, rows=context["rows"])
    if request.method == "POST" and form.is_valid():
        try:
            changed = attendance_register_enter(
                session=session, marks=form.marks(), actor=request.user,
                reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        except LockBusy:
            form.add_error(None, _("The system is busy. Please try again."))
        else:
            messages.success(request, _("The register is saved (%(count)s changes).")
                             % {"count": changed})
            return HttpResponseSeeOther(reverse("courses:roll_call", args=[session.pk]))
    return render(request, "courses/attendance/register_enter.html",
                  {**context, "form": form})


# --- students: leave ----------------------------------------------------------

class LeaveForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Why can you not come?"), max_length=200,
        help_text=gettext_lazy("A few words are enough, e.g. a hospital check-up."),
        widget=forms.Textarea(attrs={"rows": 3}))


@login_required
@never_cache
def my_leave(request: HttpRequest) -> HttpResponse:
    """The leave requests of the person and of the students they act for,
    for classes still to come, with their state and a withdraw button."""
    people = proxy_people(actor=request.user)
    return render(request, "courses/attendance/my_leave.html", {
        "requests": person_leave_requests(people), "now": timezone.now()})


@login_required
@never_cache
def leave_ask(request: HttpRequest, session_pk: int, person_pk: int) -> HttpResponse:
    """Ask leave for ``person_pk`` (the user or a student they act for) from
    a coming session, with a short reason; then 303 to my leave."""
    person = get_object_or_404(User.objects.select_related("profile"), pk=person_pk)
    if not can_act_for(actor=request.user, person=person):
        raise Http404
    session = get_object_or_404(
        ClassSession.objects.select_related("section__course", "section__campus", "room"),
        pk=session_pk)
    form = LeaveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _leave, created = leave_request_create(
                session=session, person=person, reason=form.cleaned_data["reason"],
                actor=request.user)
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        except LockBusy:
            form.add_error(None, _("The system is busy. Please try again."))
        else:
            messages.success(request, _("Your request is sent. We will tell you the answer.")
                             if created else _("You have already asked leave for this class."))
            return HttpResponseSeeOther(reverse("courses:my_leave"))
    return render(request, "courses/attendance/leave_ask.html", {
        "form": form, "session": session, "person": person,
        "for_someone_else": person.pk != request.user.pk})


@login_required
@require_POST
def leave_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    leave = get_object_or_404(LeaveRequest.objects.select_related("person"), pk=pk)
    if not can_act_for(actor=request.user, person=leave.person):
        raise Http404
    try:
        leave_request_withdraw(leave_request=leave, actor=request.user)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    except LockBusy:
        messages.error(request, _("The system is busy. Please try again."))
    else:
        messages.success(request, _("Your leave request is withdrawn."))
    return HttpResponseSeeOther(reverse("courses:my_leave"))


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None
