"""The waiting list (候补): freed seats go to it in order, in the same
transaction that freed them (DESIGN rule 3), directly or as a timed offer
that expires (issue 4 point 4). Re-exported by ``courses.services.enrolment``,
whose docstring gives the sequence every write follows."""

import datetime
import logging
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.audit import enrolment_log
from courses.models import Enrolment, Section
from courses.selectors import WAITLIST_ORDER
from lms.accounts.models import User

from . import eligibility, locking
from .eligibility import EnrolmentBusy, EnrolmentRefused, when
from .enrolment_notices import enrolment_notify

logger = logging.getLogger(__name__)

Status = Enrolment.Status
# A freed seat may go to the waiting list of a class that is still running.
RUNNING = (Section.Status.OPEN, Section.Status.CLOSED)


@contextmanager
def enrolment_transaction() -> Iterator[None]:
    """``locking.locked_transaction()``, with a lock timeout raised as
    ``EnrolmentBusy``."""
    try:
        with locking.locked_transaction():
            yield
    except locking.LockBusy as exc:
        raise EnrolmentBusy() from exc


def locked_row(enrolment: Enrolment) -> tuple[Enrolment, Section]:
    """Lock ``enrolment``'s section and re-read the row under it."""
    section = locking.lock_sections([enrolment.section_id])[enrolment.section_id]
    row = Enrolment.objects.select_related("person__profile").get(pk=enrolment.pk)
    row.section = section
    return row, section


def waitlist_promote(*, section: Section, actor: User | None = None,
                     now: datetime.datetime | None = None) -> list[Enrolment]:
    """Give the section's free seats to its waiting list, in order
    (``WAITLIST_ORDER``). Call only inside a service's transaction, under
    the section's lock (``section`` as returned by ``lock_sections``).

    A place kept for new students goes to the first new student in line;
    returning students behind them keep their order. With the term's
    ``offer_hours`` at 0 the person is enrolled at once (audit ``promote``),
    otherwise offered the place until now + ``offer_hours`` (audit
    ``offer``). Notified after commit. Returns the promoted rows."""
    if not connection.in_atomic_block:
        raise RuntimeError("waitlist_promote must run under the section's lock")
    now = now or timezone.now()
    if section.status not in RUNNING:
        return []
    seats = eligibility.seats(section)
    free, kept = seats.free, max(section.reserved_for_new - seats.seated_new, 0)
    if not free or not seats.waiting:
        return []
    queue = (Enrolment.objects.filter(section_id=section.pk, status=Status.WAITLISTED)
             .select_related("person__profile").order_by(*WAITLIST_ORDER))
    if not kept:
        queue = queue[:free]
    hours = section.term.offer_hours
    promoted = []
    for row in queue:
        if free <= 0:
            break
        if not row.is_new_student and free <= kept:
            continue
        row.section = section
        if hours:
            row.status, row.offer_expires_at = Status.OFFERED, now + datetime.timedelta(hours=hours)
            action, event = "courses.enrolment.offer", "offered"
        else:
            row.status, row.enrolled_at = Status.ENROLLED, now
            action, event = "courses.enrolment.promote", "promoted"
        row.save(update_fields=["status", "offer_expires_at", "enrolled_at", "updated_at"])
        enrolment_log(enrolment=row, action=action, actor=actor,
                      data={"from": Status.WAITLISTED, "to": row.status})
        enrolment_notify(enrolment=row, event=event, actor=actor)
        free -= 1
        if row.is_new_student:
            kept = max(kept - 1, 0)
        promoted.append(row)
    return promoted


def offer_expire(row: Enrolment, *, now: datetime.datetime) -> None:
    row.status, row.withdrawn_at = Status.WITHDRAWN, now
    row.save(update_fields=["status", "withdrawn_at", "updated_at"])
    enrolment_log(enrolment=row, action="courses.enrolment.expire", actor=None,
                  data={"from": Status.OFFERED, "reason": "offer expired",
                        "offer_expires_at": row.offer_expires_at.isoformat()})
    enrolment_notify(enrolment=row, event="expired")


def offer_accept(*, enrolment: Enrolment, actor: User,
                 now: datetime.datetime | None = None) -> Enrolment:
    """Accept an offered place before it expires: the row becomes enrolled
    (audit ``accept``, notice after commit). A repeat returns the enrolled
    row unchanged. Raises ``EnrolmentRefused``: ``offer_expired`` (the time
    ran out: the offer is expired and the seat promoted, and that is
    committed before the refusal) or ``not_offered``."""
    now = now or timezone.now()
    expired = False
    with enrolment_transaction():
        row, section = locked_row(enrolment)
        if row.status == Status.ENROLLED:
            return row
        if row.status == Status.OFFERED and row.offer_expires_at <= now:
            offer_expire(row, now=now)
            waitlist_promote(section=section, actor=None, now=now)
            expired = True
        elif row.status == Status.OFFERED:
            row.status, row.enrolled_at = Status.ENROLLED, now
            row.save(update_fields=["status", "enrolled_at", "updated_at"])
            enrolment_log(enrolment=row, action="courses.enrolment.accept", actor=actor,
                          data={"from": Status.OFFERED, "to": Status.ENROLLED})
            enrolment_notify(enrolment=row, event="accepted", actor=actor)
            return row
    if expired or (row.status == Status.WITHDRAWN and row.offer_expires_at is not None
                   and row.enrolled_at is None):
        raise EnrolmentRefused("offer_expired", _(
            "Sorry, the time to accept this place ended on %(date)s, so it has gone to the "
            "next person on the waiting list.") % {"date": when(row.offer_expires_at)})
    raise EnrolmentRefused("not_offered", _("There is no place waiting for you in this class."))


def offers_expire(*, now: datetime.datetime | None = None) -> int:
    """Withdraw every offer whose time ran out (audit ``expire``, reason
    "offer expired", no actor) and give each freed seat to the next person
    on the waiting list, one transaction per section. Idempotent; a section
    whose lock is busy is left for the next run. Returns how many offers
    expired."""
    now = now or timezone.now()
    section_ids = sorted(set(
        Enrolment.objects.filter(status=Status.OFFERED, offer_expires_at__lte=now)
        .values_list("section_id", flat=True)
    ))
    expired = 0
    for section_id in section_ids:
        try:
            with enrolment_transaction():
                section = locking.lock_sections([section_id])[section_id]
                rows = list(Enrolment.objects.filter(
                    section_id=section_id, status=Status.OFFERED, offer_expires_at__lte=now,
                ).select_related("person__profile"))
                for row in rows:
                    row.section = section
                    offer_expire(row, now=now)
                waitlist_promote(section=section, actor=None, now=now)
        except EnrolmentBusy:
            logger.warning("Offers of section %s not expired: busy; the next run will.",
                           section_id)
            continue
        expired += len(rows)
    return expired
