"""QR check-in (扫码签到): a student who scanned the classroom's code marks
themself present, or late when they arrived more than ``LATE_AFTER`` after
the start. The token itself is checked by the caller
(``courses.services.checkin_tokens``); this is the write.

One check-in per person and session: once the record says present or late
(by a scan or by the teacher's roll call) a scan changes nothing. A scan
does turn "absent" (the teacher called the roll before the student came)
or "on leave" (they came after all) into present or late."""

import datetime

from django.utils import timezone

from courses.models import Attendance, ClassSession
from lms.accounts.models import User

from .attendance import mark_in_transaction
from .locking import lock_people, locked_transaction

# Arriving later than this after the start counts as late (迟到). A quarter
# of an hour: older students come by bus and climb stairs slowly.
LATE_AFTER = datetime.timedelta(minutes=15)


def checkin_status(*, starts_at: datetime.datetime, arrived_at: datetime.datetime) -> str:
    """``present``, or ``late`` after ``starts_at + LATE_AFTER``."""
    if arrived_at > starts_at + LATE_AFTER:
        return Attendance.Status.LATE
    return Attendance.Status.PRESENT


def attendance_check_in(
    *,
    session: ClassSession,
    person: User,
    arrived_at: datetime.datetime,
    now: datetime.datetime | None = None,
) -> tuple[Attendance, bool]:
    """Check ``person`` in to ``session`` by QR (method ``qr``, recorded by
    themself), present or late by ``arrived_at`` (when they scanned).
    Returns ``(record, changed)``; ``changed`` is False when they were
    already marked present or late (nothing is written then).

    Locks the person's row (so two scans of one person run one after the
    other), then the attendance row, and writes through the attendance
    service (audit row, ``attendance_changed`` after commit). Raises its
    ``ValidationError`` (cancelled, a later day, not in the class) and
    ``LockBusy``."""
    now = now or timezone.now()
    with locked_transaction():
        lock_people([person.pk])
        record = (Attendance.objects.select_for_update()
                  .filter(session_id=session.pk, person_id=person.pk).first())
        if record is not None and record.status in Attendance.ATTENDED:
            return record, False
        return mark_in_transaction(
            session=session, person=person, actor=person, method=Attendance.Method.QR,
            status=checkin_status(starts_at=session.starts_at, arrived_at=arrived_at), now=now)
