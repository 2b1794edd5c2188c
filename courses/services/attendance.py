"""Attendance (考勤): mark a person present, late, on leave or absent at a
class session, by roll call, QR check-in, the paper register or a staff
correction. Leave requests are in ``courses.services.leave``.

Every write follows STYLE §3: a durable transaction with a lock timeout →
lock the attendance row (or insert it, relying on the unique constraint) →
decide → write → audit row → ``attendance_changed`` after commit.
Permissions (who may mark whom) are checked by the callers
(``courses.attendance_selectors``)."""

import datetime
import uuid
from functools import partial

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.audit import attendance_log
from courses.models import Attendance, AttendanceLogEntry, ClassSession, Enrolment
from courses.signals import attendance_changed
from lms.accounts.models import User

from .locking import locked_transaction

Status = Attendance.Status
Method = Attendance.Method
REASON_MAX_LENGTH = 200


def attendance_mark(
    *,
    session: ClassSession,
    person: User,
    status: str,
    actor: User | None,
    tap_id: uuid.UUID | str | None = None,
    method: str = Method.TAP,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> tuple[Attendance, bool]:
    """Record that ``person`` had ``status`` at ``session``, as ``actor``
    (None: the system). Returns ``(record, changed)``.

    ``tap_id`` is the client's id of this tap: when a tap with that id was
    already applied to the record (the last one, or an earlier one in its
    audit trail), nothing changes: a retried request is never applied
    twice, even when it arrives after a later tap. Setting the status the
    record already has changes nothing either (no audit row, no signal).

    After the session's day, changing an existing mark is a correction: it
    needs a ``reason`` and is recorded with method ``correction`` (as is any
    call with ``method="correction"``). Refuses with a ``ValidationError``
    (nothing saved) for an unknown status or method, a cancelled session, a
    session on a later day than today, a person not enrolled in the class
    (unless they already have a mark there, e.g. they left the class
    later), or a correction without a reason. Raises ``LockBusy`` when the
    row stays locked past the timeout.

    Locks the attendance row (``select_for_update``; a first mark inserts
    it, and a concurrent first mark falls back to locking the row the other
    one inserted). Writes an ``AttendanceLogEntry`` and sends
    ``attendance_changed`` after commit."""
    now = now or timezone.now()
    tap = _clean_tap(tap_id)
    with locked_transaction():
        return mark_in_transaction(session=session, person=person, status=status, actor=actor,
                                   tap=tap, method=method, reason=reason, now=now)


def mark_in_transaction(
    *,
    session: ClassSession,
    person: User,
    status: str,
    actor: User | None,
    tap: uuid.UUID | None = None,
    method: str = Method.TAP,
    reason: str = "",
    now: datetime.datetime,
    future_ok: bool = False,
    keep_attended: bool = False,
) -> tuple[Attendance, bool]:
    """``attendance_mark`` inside the caller's (durable, locked)
    transaction; ``future_ok`` lets an approved leave mark a later session;
    with ``keep_attended`` a record that says present or late is left as it
    is (an approved leave never overwrites someone who came), decided on
    the locked row."""
    if status not in Status.values:
        raise ValidationError(_("Choose present, late, on leave or absent."), code="status")
    if method not in Method.values:
        raise ValidationError(_("Unknown way of recording attendance."), code="method")
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX_LENGTH},
            code="reason_too_long")

    # With its class and course: the audit row's label names them.
    session = ClassSession.objects.select_related("section__course").get(pk=session.pk)
    if session.status != ClassSession.Status.SCHEDULED:
        raise ValidationError(_("This class was cancelled: there is no attendance to take."),
                              code="cancelled")
    day = timezone.localdate(session.starts_at)
    today = timezone.localdate(now)
    if day > today and not future_ok:
        raise ValidationError(_("This class has not taken place yet."), code="future")

    record = _lock_record(session, person)
    if record is None:
        enrolled = Enrolment.objects.filter(
            section_id=session.section_id, person_id=person.pk,
            status=Enrolment.Status.ENROLLED,
        ).exists()
        if not enrolled:
            # No name: the caller may not know who this is (DESIGN rule 6).
            raise ValidationError(_("This person is not a student of this class."),
                                  code="not_enrolled")
    elif tap is not None and _tap_applied(record, tap):
        return record, False  # the same tap again: already applied
    elif keep_attended and record.status in Attendance.ATTENDED:
        return record, False  # they came: leave approved meanwhile does not undo it

    old = record.status if record is not None else None
    correction = method == Method.CORRECTION or (
        old is not None and old != status and today > day and method != Method.LEAVE)
    if correction and not reason:
        raise ValidationError(
            _("Say why the attendance is changed after the class day."), code="reason_needed")
    if old == status:
        if tap is not None:
            record.last_tap = tap
            record.save(update_fields=["last_tap", "updated_at"])
        return record, False

    if correction:
        method = Method.CORRECTION
    if record is None:
        record = _insert(session, person, status=status, method=method, actor=actor, tap=tap,
                         now=now)
        if record is None:  # another request inserted it first: decide again
            return mark_in_transaction(session=session, person=person, status=status,
                                       actor=actor, tap=tap, method=method, reason=reason,
                                       now=now, future_ok=future_ok,
                                       keep_attended=keep_attended)
    else:
        record.status, record.method, record.recorded_by = status, method, actor
        record.last_tap = tap
        record.save(update_fields=["status", "method", "recorded_by", "last_tap", "updated_at"])
    attendance_log(
        instance=record,
        action="courses.attendance.correct" if correction else "courses.attendance.mark",
        actor=actor,
        data={"from": old, "to": status, "method": method, "reason": reason,
              "tap": str(tap) if tap else ""},
    )
    send_changed_on_commit(record, session=session, person=person, old=old, new=status,
                           actor=actor)
    return record, True


def attendance_register_enter(
    *,
    session: ClassSession,
    marks: dict[int, str],
    actor: User,
    reason: str = "",
    now: datetime.datetime | None = None,
) -> int:
    """Enter the marks of a paper register afterwards (method
    ``register``): ``marks`` maps person ids to statuses. All or nothing:
    one transaction, and the first refusal (a ``ValidationError``, e.g. a
    changed mark after the class day without ``reason``, or a person not in
    the class) rolls every mark back. Returns how many records changed."""
    now = now or timezone.now()
    changed = 0
    with locked_transaction():
        people = User.objects.select_related("profile").in_bulk(sorted(marks))
        for person_id in sorted(marks):
            person = people.get(person_id)
            if person is None:
                raise ValidationError(_("This person is not a student of this class."),
                                      code="not_enrolled")
            _record, did = mark_in_transaction(
                session=session, person=person, status=marks[person_id], actor=actor,
                method=Method.REGISTER, reason=reason, now=now)
            changed += did
    return changed


def attendance_remove_leave(*, session: ClassSession, person: User, actor: User | None,
                            reason: str = "") -> bool:
    """Inside the caller's transaction: remove the mark an approved leave
    made for a session that has not started, when the leave is withdrawn
    (a mark recorded any other way stays). Returns whether one was removed."""
    record = _lock_record(session, person)
    if record is None or record.method != Method.LEAVE or record.status != Status.LEAVE:
        return False
    attendance_log(instance=record, action="courses.attendance.mark", actor=actor,
                   data={"from": record.status, "to": None, "method": Method.LEAVE,
                         "reason": reason, "tap": ""})
    record.delete()
    send_changed_on_commit(record, session=session, person=person, old=Status.LEAVE, new=None,
                           actor=actor)
    return True


def send_changed_on_commit(record: Attendance, *, session, person, old, new, actor) -> None:
    # send_robust: a failing receiver (logged) must not keep the others from
    # hearing about a change that is already committed.
    transaction.on_commit(partial(
        attendance_changed.send_robust, sender=Attendance, attendance=record, session=session,
        person=person, old_status=old, new_status=new, actor=actor,
    ))


def _clean_tap(tap_id) -> uuid.UUID | None:
    if tap_id in (None, ""):
        return None
    if isinstance(tap_id, uuid.UUID):
        return tap_id
    try:
        return uuid.UUID(str(tap_id))
    except ValueError:
        raise ValidationError(_("This tap could not be read. Please tap again."),
                              code="tap_id") from None


def _tap_applied(record: Attendance, tap: uuid.UUID) -> bool:
    """Whether the tap ``tap`` was already applied to the (locked) record:
    it is the last one, or an earlier change in the audit trail carries it
    (a retry of tap A arriving after tap B). The trail is read by session
    and person (both indexed)."""
    return record.last_tap == tap or AttendanceLogEntry.objects.filter(
        session_id=record.session_id, person_id=record.person_id, data__tap=str(tap),
    ).exists()


def _lock_record(session: ClassSession, person: User) -> Attendance | None:
    # Evaluated here: an unevaluated select_for_update() locks nothing.
    return (Attendance.objects.select_for_update()
            .filter(session_id=session.pk, person_id=person.pk).first())


def _insert(session, person, *, status, method, actor, tap, now) -> Attendance | None:
    """Insert the first mark. None when a concurrent request inserted it
    first (the unique constraint refused ours; the caller locks theirs)."""
    try:
        with transaction.atomic():
            return Attendance.objects.create(
                session=session, person=person, status=status, method=method,
                recorded_by=actor, recorded_at=now, last_tap=tap,
            )
    except IntegrityError:
        if not Attendance.objects.filter(session_id=session.pk, person_id=person.pk).exists():
            raise
        return None
