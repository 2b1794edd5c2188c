"""Changes to one class session (课次): cancel it, or move it to another time
or room. The session keeps its identity (and its calendar UID); its
``sequence`` goes up so that calendar apps replace the old version."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import ClassSession, Room, Section
from courses.signals import session_changed
from lms.accounts.models import User

CANCELLED = "cancelled"
MOVED = "moved"
REASON_MAX_LENGTH = ClassSession._meta.get_field("change_note").max_length


def session_cancel(
    *,
    session: ClassSession,
    reason: str,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> ClassSession:
    """Cancel a session that has not started yet.

    Locks the session row, sets its status to cancelled with ``reason`` as
    the change note and bumps ``sequence``. Raises ``ValidationError`` (and
    saves nothing) if the session has started or is already cancelled, or
    the reason is empty or too long. Sends ``session_changed`` with
    ``change="cancelled"`` after the transaction commits. Returns the saved
    session (a fresh instance; the one passed in is not updated).
    """
    now = now or timezone.now()
    reason = _clean_reason(reason)
    with transaction.atomic():
        locked = _lock(session)
        _check_changeable(locked, now)
        locked.status = ClassSession.Status.CANCELLED
        locked.change_note = reason
        locked.sequence += 1
        locked.save(update_fields=["status", "change_note", "sequence", "updated_at"])
        _send_on_commit(locked, CANCELLED, actor)
    return locked


def session_move(
    *,
    session: ClassSession,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None = None,
    reason: str,
    actor: User | None = None,
    now: datetime.datetime | None = None,
) -> ClassSession:
    """Move a session that has not started yet to ``starts_at``–``ends_at``,
    and to ``room`` if one is given (otherwise it keeps its room).

    Locks the session row, then the target room and the section's teachers
    (in that order, so two moves into the same room or of the same teacher
    queue up instead of both passing the clash check). Refuses with a
    ``ValidationError`` (and saves nothing) when: the times are not
    timezone-aware, the session would end before it starts or start in the
    past, the session has started or is cancelled, the room belongs to
    another campus, nothing would change, or another scheduled session uses
    the room or one of the teachers at an overlapping time. On success marks
    the session as moved, records ``reason``, bumps ``sequence`` and sends
    ``session_changed`` with ``change="moved"`` after commit. Returns the
    saved session (a fresh instance).
    """
    now = now or timezone.now()
    reason = _clean_reason(reason)
    for value in (starts_at, ends_at):
        if timezone.is_naive(value):
            raise ValidationError(_("Give times with a time zone."), code="naive_time")
    if ends_at <= starts_at:
        raise ValidationError(_("A class must end after it starts."), code="ends_before_start")
    if starts_at <= now:
        raise ValidationError(_("A class cannot be moved into the past."), code="past")

    with transaction.atomic():
        locked = _lock(session)
        _check_changeable(locked, now)
        section = Section.objects.select_related("campus").get(pk=locked.section_id)
        if room is None:
            room = locked.room
        if room is not None and room.campus_id != section.campus_id:
            raise ValidationError(
                _("%(room)s is not a room of %(campus)s.")
                % {"room": room.name, "campus": section.campus.title},
                code="room_elsewhere",
            )
        room_id = room.pk if room is not None else None
        if (locked.starts_at, locked.ends_at, locked.room_id) == (starts_at, ends_at, room_id):
            raise ValidationError(_("The new time and room are the same as before."),
                                  code="unchanged")

        teacher_ids = sorted(section.teachers.values_list("pk", flat=True))
        # Serialise moves that compete for the same room or teacher.
        if room_id is not None:
            list(Room.objects.select_for_update().filter(pk=room_id))
        if teacher_ids:
            list(User.objects.select_for_update().filter(pk__in=teacher_ids).order_by("pk"))

        problems = session_move_clashes(
            session=locked, starts_at=starts_at, ends_at=ends_at,
            room=room, teacher_ids=teacher_ids,
        )
        if problems:
            raise ValidationError([ValidationError(p, code="clash") for p in problems])

        locked.starts_at, locked.ends_at, locked.room = starts_at, ends_at, room
        locked.moved = True
        locked.change_note = reason
        locked.sequence += 1
        locked.save(update_fields=["starts_at", "ends_at", "room", "moved", "change_note",
                                   "sequence", "updated_at"])
        _send_on_commit(locked, MOVED, actor)
    return locked


def session_move_clashes(
    *,
    session: ClassSession,
    starts_at: datetime.datetime,
    ends_at: datetime.datetime,
    room: Room | None,
    teacher_ids: list[int],
) -> list[str]:
    """Messages for every other scheduled session that would use ``room``
    or one of ``teacher_ids`` at a time overlapping ``starts_at``–``ends_at``.
    Sessions of cancelled sections, and cancelled sessions, never clash."""
    overlap = (
        ClassSession.objects.exclude(pk=session.pk)
        .filter(status=ClassSession.Status.SCHEDULED, starts_at__lt=ends_at,
                ends_at__gt=starts_at)
        .exclude(section__status=Section.Status.CANCELLED)
    )
    who = Q(pk__in=[])
    if room is not None:
        who |= Q(room=room)
    if teacher_ids:
        who |= Q(section__teachers__in=teacher_ids)
    others = (
        overlap.filter(who).distinct()
        .select_related("section__course", "section__campus", "room")
        .prefetch_related("section__teachers")
        .order_by("starts_at", "pk")
    )
    teachers = {t.pk: t for t in User.objects.filter(pk__in=teacher_ids)}
    messages: list[str] = []
    for other in others:
        label = _session_label(other)
        if room is not None and other.room_id == room.pk:
            messages.append(
                _("%(room)s is already used then by %(other)s.")
                % {"room": room.name, "other": label}
            )
        for teacher in other.section.teachers.all():
            if teacher.pk in teachers:
                messages.append(
                    _("%(teacher)s already teaches %(other)s then.")
                    % {"teacher": teachers[teacher.pk], "other": label}
                )
    return messages


def _session_label(session: ClassSession) -> str:
    section = session.section
    start = timezone.localtime(session.starts_at)
    end = timezone.localtime(session.ends_at)
    return (f"{section.course.title} {section.name}（{section.campus.title}，"
            f"{start:%Y-%m-%d %H:%M}–{end:%H:%M}）")


def _clean_reason(reason: str) -> str:
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError(_("Say why, so that students know."), code="no_reason")
    if len(reason) > REASON_MAX_LENGTH:
        raise ValidationError(
            _("Keep the reason under %(limit)s characters.") % {"limit": REASON_MAX_LENGTH},
            code="reason_too_long",
        )
    return reason


def _lock(session: ClassSession) -> ClassSession:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side
    # of an outer join (room).
    return ClassSession.objects.select_for_update().get(pk=session.pk)


def _check_changeable(session: ClassSession, now: datetime.datetime) -> None:
    if session.status == ClassSession.Status.CANCELLED:
        raise ValidationError(_("This class has already been cancelled."), code="cancelled")
    if session.starts_at <= now:
        raise ValidationError(_("This class has already started and cannot be changed."),
                              code="started")


def _send_on_commit(session: ClassSession, change: str, actor: User | None) -> None:
    # send_robust: a failing receiver (logged) must not keep the others from
    # hearing about a change that is already committed.
    transaction.on_commit(
        lambda: session_changed.send_robust(
            sender=ClassSession, session=session, change=change, actor=actor
        )
    )
