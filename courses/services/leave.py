"""Leave requests (请假): a student (or a family member for them) asks not to
be counted absent from a coming class session; a teacher of the class or a
campus admin approves or refuses; the student may withdraw the request
before the class starts.

An approved request marks the attendance as leave (``attendance``) in the
same transaction, so the roll call shows it and it never counts as an
absence. The decision is notified to the student (and to whoever asked for
them) after commit. Who may ask or decide is checked by the callers."""

import datetime
import logging
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from courses.audit import attendance_log
from courses.models import Attendance, ClassSession, Enrolment, LeaveRequest
from lms.accounts.models import User

from .attendance import attendance_remove_leave, mark_in_transaction
from .eligibility import section_label, when
from .locking import locked_transaction

logger = logging.getLogger(__name__)

REASON_MAX_LENGTH = LeaveRequest._meta.get_field("reason").max_length
Status = LeaveRequest.Status


def leave_request_create(
    *,
    session: ClassSession,
    person: User,
    reason: str,
    actor: User,
    now: datetime.datetime | None = None,
) -> tuple[LeaveRequest, bool]:
    """Ask leave for ``person`` from ``session`` (by ``actor``: the person or
    a family member). Returns ``(request, created)``: when a pending or
    approved request exists already, it is returned and nothing changes (a
    repeated submit asks once).

    Refuses with a ``ValidationError`` (nothing saved) when the reason is
    empty or too long, the session is cancelled or has started, or the
    person is not enrolled in the class. Writes an audit row."""
    now = now or timezone.now()
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Say in a few words why you cannot come."), code="no_reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX_LENGTH},
            code="reason_too_long")
    with locked_transaction():
        session = ClassSession.objects.get(pk=session.pk)
        if session.status != ClassSession.Status.SCHEDULED:
            raise ValidationError(_("This class was cancelled: no need to ask for leave."),
                                  code="cancelled")
        if session.starts_at <= now:
            raise ValidationError(
                _("This class has already started. Please tell your teacher."), code="started")
        if not Enrolment.objects.filter(section_id=session.section_id, person_id=person.pk,
                                        status=Enrolment.Status.ENROLLED).exists():
            raise ValidationError(_("%(name)s is not a student of this class.")
                                  % {"name": person.display_name}, code="not_enrolled")
        live = _live(session, person)
        if live is not None:
            return live, False
        try:
            with transaction.atomic():
                request = LeaveRequest.objects.create(
                    session=session, person=person, reason=reason, requested_by=actor)
        except IntegrityError:  # asked at the same moment from elsewhere
            live = _live(session, person)
            if live is None:
                raise
            return live, False
        attendance_log(instance=request, action="courses.leave.request", actor=actor,
                       data={"reason": reason})
    return request, True


def leave_request_decide(
    *,
    leave_request: LeaveRequest,
    approve: bool,
    actor: User,
    now: datetime.datetime | None = None,
) -> tuple[LeaveRequest, bool]:
    """Approve or refuse a pending request, as ``actor`` (a teacher of the
    class or a campus admin: checked by the caller). Returns ``(request,
    changed)``; the same decision taken again changes nothing.

    Approving marks the person's attendance at the session as leave
    (method ``leave``), also for a session still to come, unless they were
    already marked present or late (decided under the attendance row's
    lock: a "present" tapped meanwhile stays). Refuses with a ``ValidationError`` when
    the request was withdrawn or decided the other way, or the session was
    cancelled. Locks the request row; writes audit rows; notifies the
    student (and the family member who asked) after commit."""
    now = now or timezone.now()
    wanted = Status.APPROVED if approve else Status.REFUSED
    with locked_transaction():
        request = (LeaveRequest.objects.select_for_update()
                   .filter(pk=leave_request.pk).first())
        if request is None:
            raise LeaveRequest.DoesNotExist
        if request.status == wanted:
            return request, False
        if request.status != Status.PENDING:
            raise ValidationError({
                Status.APPROVED: _("This request was already approved."),
                Status.REFUSED: _("This request was already refused."),
                Status.WITHDRAWN: _("The student has withdrawn this request."),
            }[request.status], code="decided")
        session = ClassSession.objects.get(pk=request.session_id)
        if session.status != ClassSession.Status.SCHEDULED:
            raise ValidationError(_("This class was cancelled: there is nothing to decide."),
                                  code="cancelled")
        request.status, request.decided_by, request.decided_at = wanted, actor, now
        request.save(update_fields=["status", "decided_by", "decided_at"])
        attendance_log(instance=request,
                       action="courses.leave.approve" if approve else "courses.leave.refuse",
                       actor=actor, data={"reason": request.reason})
        if approve:
            person = User.objects.get(pk=request.person_id)
            # "Already present or late: keep it" is decided on the locked
            # attendance row, so that a tap saved meanwhile is not overwritten.
            mark_in_transaction(
                session=session, person=person, status=Attendance.Status.LEAVE,
                actor=actor, method=Attendance.Method.LEAVE, reason=request.reason,
                now=now, future_ok=True, keep_attended=True,
            )
        transaction.on_commit(partial(_notify, request.pk, actor.pk if actor else None))
    return request, True


def leave_request_withdraw(
    *,
    leave_request: LeaveRequest,
    actor: User,
    now: datetime.datetime | None = None,
) -> tuple[LeaveRequest, bool]:
    """Withdraw a pending or approved request before its session starts (by
    the person or a family member: checked by the caller). Returns
    ``(request, changed)``; withdrawing again changes nothing. An approved
    request's leave mark is removed (any other mark stays). Refuses with a
    ``ValidationError`` once the session has started or the request was
    refused. Locks the request row; writes audit rows."""
    now = now or timezone.now()
    with locked_transaction():
        request = (LeaveRequest.objects.select_for_update()
                   .filter(pk=leave_request.pk).first())
        if request is None:
            raise LeaveRequest.DoesNotExist
        if request.status == Status.WITHDRAWN:
            return request, False
        if request.status == Status.REFUSED:
            raise ValidationError(_("This request was refused; there is nothing to withdraw."),
                                  code="refused")
        session = ClassSession.objects.get(pk=request.session_id)
        if session.starts_at <= now:
            raise ValidationError(
                _("This class has already started. Please tell your teacher."), code="started")
        was = request.status
        request.status = Status.WITHDRAWN
        request.save(update_fields=["status"])
        attendance_log(instance=request, action="courses.leave.withdraw", actor=actor,
                       data={"from": was})
        if was == Status.APPROVED:
            person = User.objects.get(pk=request.person_id)
            attendance_remove_leave(session=session, person=person, actor=actor,
                                    reason=_("Leave withdrawn"))
    return request, True


def _live(session: ClassSession, person: User) -> LeaveRequest | None:
    return LeaveRequest.objects.filter(session_id=session.pk, person_id=person.pk,
                                       status__in=LeaveRequest.LIVE).first()


def _notify(request_id: int, actor_id: int | None) -> None:
    """Tell the student (and the family member who asked for them) the
    decision. Runs after commit; a failure is logged, never raised (the
    decision stands; pending deliveries are retried by the notifications
    app). Each notice has a dedupe key: a repeated call notifies once."""
    from lms.notifications.models import Notification
    from lms.notifications.services import notification_send

    try:
        request = LeaveRequest.objects.select_related(
            "person__profile", "requested_by", "session__section__course",
        ).get(pk=request_id)
        actor = User.objects.filter(pk=actor_id).first() if actor_id else None
        with translation.override(settings.LANGUAGE_CODE):
            names = {"class": section_label(request.session.section),
                     "date": when(request.session.starts_at)}
            if request.status == Status.APPROVED:
                title = _("Leave approved: %(class)s") % names
                body = _("Your leave from %(class)s on %(date)s is approved. "
                         "It does not count as an absence.") % names
            else:
                title = _("Leave not approved: %(class)s") % names
                body = _("Your leave from %(class)s on %(date)s was not approved. "
                         "Please come to the class, or call your teacher.") % names
            recipients = [(request.person, body)]
            asker = request.requested_by
            if asker is not None and asker.pk != request.person_id:
                recipients.append((asker, _("For %(name)s: %(message)s") % {
                    "name": request.person.display_name, "message": body}))
            for recipient, text in recipients:
                notification_send(
                    recipient=recipient, kind=Notification.Kind.LEAVE_DECISION,
                    title=title[:120], body=text, url=_url(), actor=actor,
                    dedupe_key=f"courses.leave:{request.pk}:{request.status}",
                )
    except Exception:
        logger.exception("Leave request %s: the decision notice was not sent.", request_id)


def _url() -> str:
    try:
        return reverse("courses:my_leave")
    except NoReverseMatch:  # the site's pages are not mounted
        return ""
