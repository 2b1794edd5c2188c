"""Enrolment (报名): enrol, withdraw, the waiting list and its timed offers,
moving a student and recording the fee (issue 4; DESIGN rules 1–3, 9).

Every write follows one sequence (STYLE §3): a durable transaction → the
locks, once, in the global order of ``courses.services.locking`` (the
person, then the sections by pk), with a timeout → recount from the rows
under the locks → write → an audit row (``courses.audit.enrolment_log``) →
notices and cache invalidation after commit. A lock not obtained in time
raises ``EnrolmentBusy`` ("please try again") and writes nothing.

Every row of a section is changed only under that section's lock, so a
row re-read under it is current. ``Enrolment.save()`` sends ``post_save``,
which makes the cached catalogue stale now and again after commit
(``courses.cache``).
"""

import datetime
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.audit import enrolment_log
from courses.models import Enrolment, LotteryDraw, Section
from courses.selectors import WAITLIST_ORDER, waitlist_position
from lms.accounts.models import User

from . import eligibility, locking
from .eligibility import EnrolmentBusy, EnrolmentRefused, when
from .enrolment_notices import enrolment_notify

__all__ = [
    "EnrolmentBusy", "EnrolmentRefused", "EnrolmentResult", "enrolment_create",
    "enrolment_fee_record", "enrolment_move", "enrolment_withdraw", "offer_accept",
    "offers_expire", "waitlist_promote",
]

logger = logging.getLogger(__name__)

Status = Enrolment.Status
Source = Enrolment.Source
OUTCOMES = {Status.ENROLLED: "enrolled", Status.WAITLISTED: "waitlisted",
            Status.APPLIED: "applied", Status.OFFERED: "offered"}
_ACTIONS = {Status.ENROLLED: "courses.enrolment.enrol",
            Status.WAITLISTED: "courses.enrolment.waitlist",
            Status.APPLIED: "courses.enrolment.apply"}
# A freed seat may go to the waiting list of a class that is still running.
_PROMOTING = (Section.Status.OPEN, Section.Status.CLOSED)
_NOTE_MAX = Enrolment._meta.get_field("fee_note").max_length


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: Enrolment
    outcome: str  # "enrolled" | "waitlisted" | "applied" | "offered"
    created: bool  # False: the person already had this live enrolment; nothing changed
    position: int | None  # place on the waiting list (1 = next), else None


@contextmanager
def _transaction() -> Iterator[None]:
    try:
        with locking.locked_transaction():
            yield
    except locking.LockBusy as exc:
        raise EnrolmentBusy() from exc


def enrolment_create(*, person: User, section: Section, actor: User, source: str | None = None,
                     preference: int = 1, now: datetime.datetime | None = None) -> EnrolmentResult:
    """Ask for a place in ``section`` for ``person``, made by ``actor``.

    Locks the person, then the section. A person who already has a live row
    in the section gets it back (``created=False``) and nothing changes.
    Otherwise the rules, in this order, may raise ``EnrolmentRefused`` with
    ``code``: ``not_open`` (the class is not open), ``not_allowed`` (an
    inactive account, a class outside its term's school, a preference
    below 1), ``renewal_only`` / ``window_closed`` (outside the windows),
    ``age``, ``limit`` (every live row of the term counts, a waiting or
    requested one too), ``clash`` (with an enrolled, offered or waiting
    class). A lock timeout raises ``EnrolmentBusy``.

    In the renewal window a student enrolled in the previous run
    (``section.copied_from``) gets a seat directly, lottery class or not,
    but never a place kept for new students (source ``renewal``); the
    others must wait for the open window. In the open window a first-come
    class gives a free seat (a returning student not one kept for new
    students) or a place at the end of the waiting list; a lottery class
    records a request with a ticket and ``preference``, to be drawn later
    (once the term's lottery has been drawn, it behaves as first-come).

    ``source`` defaults to ``self`` (actor is the person) or ``proxy``; the
    view passes ``staff`` and checks who may act for whom. Writes the row
    and its audit row; after commit notifies the person and their family
    members."""
    now = now or timezone.now()
    source = _source(person, actor, source)
    if preference < 1:
        raise EnrolmentRefused("not_allowed", _(
            "Please give 1 for your first choice, 2 for your second, and so on."))
    if not locking.LOCKING:
        return _create_unlocked(person=person, section=section, actor=actor, source=source,
                                preference=preference, now=now)
    with _transaction():
        person = locking.lock_people([person.pk])[person.pk]
        section = locking.lock_sections([section.pk])[section.pk]
        state = eligibility.person_state(person=person, section=section)
        return _create(person=person, section=section, actor=actor, source=source,
                       preference=preference, now=now, state=state,
                       count_seats=lambda: eligibility.seats(section))


def _create_unlocked(*, person: User, section: Section, now: datetime.datetime,
                     **kwargs) -> EnrolmentResult:
    """Count, then insert, with no lock and the count outside the write
    transaction (the Open edX ``is_course_full`` pattern): how NOT to do
    it, kept so that the concurrency tests can show the race the locks
    close. Used only with ``locking.LOCKING`` off."""
    person = locking.lock_people([person.pk])[person.pk]
    section = locking.lock_sections([section.pk])[section.pk]
    state = eligibility.person_state(person=person, section=section)
    counted = eligibility.seats(section)
    with _transaction():
        return _create(person=person, section=section, now=now, state=state,
                       count_seats=lambda: counted, **kwargs)


def _source(person: User, actor: User, source: str | None) -> str:
    if source is None:
        return Source.SELF if actor.pk == person.pk else Source.PROXY
    if source not in Source.values:
        raise ValueError(f"unknown enrolment source {source!r}")
    return source


def _create(*, person: User, section: Section, actor: User, source: str, preference: int,
            now: datetime.datetime, state: eligibility.PersonState,
            count_seats: Callable[[], eligibility.Seats]) -> EnrolmentResult:
    if state.existing_id is not None:
        row = Enrolment.objects.get(pk=state.existing_id)
        row.person, row.section = person, section
        return EnrolmentResult(enrolment=row, outcome=OUTCOMES[row.status], created=False,
                               position=waitlist_position(enrolment=row))
    eligibility.refuse_section(person, section)
    term = section.term
    renewal = state.is_renewal_student and eligibility.renewal_open(term, now)
    if not renewal and not eligibility.enrolment_open(term, now):
        eligibility.refuse_outside_windows(term, now)
    eligibility.refuse_age(person, section)
    eligibility.refuse_limit(state, section)
    eligibility.refuse_clash(state, section)

    row = Enrolment(person=person, section=section, acted_by=actor, preference=preference,
                    source=Source.RENEWAL if renewal else source,
                    is_new_student=state.is_new_student)
    position = None
    if section.enrolment_mode == Section.Mode.LOTTERY and not renewal and not _drawn(section):
        row.status, row.ticket = Status.APPLIED, eligibility.new_ticket(section)
    else:
        seats = count_seats()
        if seats.waiting and seats.free and locking.LOCKING:
            # Places were added: the waiting list has them before newcomers.
            waitlist_promote(section=section, actor=None, now=now)
            seats = count_seats()
        if seats.available_to(is_new_student=row.is_new_student) > 0:
            row.status, row.enrolled_at = Status.ENROLLED, now
        else:
            row.status, row.queued_at = Status.WAITLISTED, now
            position = seats.waiting + 1
    row.save()
    enrolment_log(enrolment=row, action=_ACTIONS[row.status], actor=actor,
                  data={"status": row.status, "source": row.source})
    enrolment_notify(enrolment=row, event=OUTCOMES[row.status], actor=actor, position=position)
    return EnrolmentResult(enrolment=row, outcome=OUTCOMES[row.status], created=True,
                           position=position)


def _drawn(section: Section) -> bool:
    return LotteryDraw.objects.filter(
        term_id=section.term_id,
        status__in=(LotteryDraw.Status.DRAWN, LotteryDraw.Status.PUBLISHED),
    ).exists()


def _locked_row(enrolment: Enrolment) -> tuple[Enrolment, Section]:
    """Lock ``enrolment``'s section and re-read the row under it."""
    section = locking.lock_sections([enrolment.section_id])[enrolment.section_id]
    row = Enrolment.objects.select_related("person__profile").get(pk=enrolment.pk)
    row.section = section
    return row, section


def enrolment_withdraw(*, enrolment: Enrolment, actor: User, reason: str = "",
                       now: datetime.datetime | None = None) -> Enrolment:
    """Withdraw a live enrolment (enrolled, offered, waiting or requested).

    Locks the section; a row that is no longer live is returned unchanged
    (a repeat changes nothing). A seat it held goes to the waiting list in
    the same transaction (``waitlist_promote``). Audit row ``withdraw``
    with ``reason``; after commit the person, their family members and
    whoever was promoted are notified. Returns the row as saved."""
    now = now or timezone.now()
    with _transaction():
        row, section = _locked_row(enrolment)
        if row.status not in Enrolment.LIVE:
            return row
        before = row.status
        row.status, row.withdrawn_at = Status.WITHDRAWN, now
        row.save(update_fields=["status", "withdrawn_at", "updated_at"])
        enrolment_log(enrolment=row, action="courses.enrolment.withdraw", actor=actor,
                      data={"from": before, "reason": reason.strip()[:200]})
        enrolment_notify(enrolment=row, event="withdrawn", actor=actor)
        if before in Enrolment.SEATED:
            waitlist_promote(section=section, actor=actor, now=now)
    return row


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
    if section.status not in _PROMOTING:
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


def _expire(row: Enrolment, *, now: datetime.datetime) -> None:
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
    with _transaction():
        row, section = _locked_row(enrolment)
        if row.status == Status.ENROLLED:
            return row
        if row.status == Status.OFFERED and row.offer_expires_at <= now:
            _expire(row, now=now)
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
            with _transaction():
                section = locking.lock_sections([section_id])[section_id]
                rows = list(Enrolment.objects.filter(
                    section_id=section_id, status=Status.OFFERED, offer_expires_at__lte=now,
                ).select_related("person__profile"))
                for row in rows:
                    row.section = section
                    _expire(row, now=now)
                waitlist_promote(section=section, actor=None, now=now)
        except EnrolmentBusy:
            logger.warning("Offers of section %s not expired: busy; the next run will.",
                           section_id)
            continue
        expired += len(rows)
    return expired


def enrolment_move(*, enrolment: Enrolment, to_section: Section, actor: User,
                   now: datetime.datetime | None = None) -> Enrolment:
    """Staff: move a student's live enrolment to ``to_section``, outside the
    enrolment windows but never beyond its capacity (nor into a place kept
    for new students, for a returning student).

    Locks the person, then both sections in pk order. The old row is
    withdrawn, a new enrolled row (source ``staff``, same fee status) is
    created, one audit row ``move`` on the new row names both; a seat freed
    in the old class goes to its waiting list. Raises ``EnrolmentRefused``:
    ``not_live``, ``same_class``, ``not_open`` (the other class is not
    running), ``already`` (the person is in it), ``full``."""
    now = now or timezone.now()
    with _transaction():
        person = locking.lock_people([enrolment.person_id])[enrolment.person_id]
        sections = locking.lock_sections([enrolment.section_id, to_section.pk])
        old = Enrolment.objects.get(pk=enrolment.pk)
        old.person, source, target = person, sections[old.section_id], sections[to_section.pk]
        old.section = source
        if old.status not in Enrolment.LIVE:
            raise EnrolmentRefused("not_live", _("This enrolment has ended, so it cannot be moved."))
        if target.pk == source.pk:
            raise EnrolmentRefused("same_class", _("The student is already in this class."))
        if target.status not in _PROMOTING:
            raise EnrolmentRefused("not_open", _("The other class is not running."))
        if Enrolment.objects.filter(person_id=person.pk, section_id=target.pk,
                                    status__in=Enrolment.LIVE).exists():
            raise EnrolmentRefused("already", _(
                "The student already has a place or a request in the other class."))
        if eligibility.seats(target).available_to(is_new_student=old.is_new_student) <= 0:
            raise EnrolmentRefused("full", _("The other class is full."))
        before = old.status
        old.status, old.withdrawn_at = Status.WITHDRAWN, now
        old.save(update_fields=["status", "withdrawn_at", "updated_at"])
        new = Enrolment.objects.create(
            person=person, section=target, status=Status.ENROLLED, source=Source.STAFF,
            acted_by=actor, is_new_student=old.is_new_student, enrolled_at=now,
            fee_status=old.fee_status, fee_note=old.fee_note,
        )
        enrolment_log(enrolment=new, action="courses.enrolment.move", actor=actor, data={
            "from_section": source.pk, "from_enrolment": old.pk, "from_status": before,
            "to_section": target.pk,
        })
        enrolment_notify(enrolment=new, event="moved", actor=actor, moved_from=source)
        if before in Enrolment.SEATED:
            waitlist_promote(section=source, actor=actor, now=now)
    return new


def enrolment_fee_record(*, enrolment: Enrolment, fee_status: str, actor: User,
                         note: str = "") -> Enrolment:
    """Staff: record the fee as paid, unpaid or waived, with a note (no
    payment is taken). Raises ``ValidationError`` for an unknown status or
    a note too long, saving nothing. Recording what is already recorded
    changes nothing; otherwise audit row ``fee`` with before and after."""
    note = (note or "").strip()
    if fee_status not in Enrolment.Fee.values:
        raise ValidationError({"fee_status": _("Choose paid, not paid or waived.")})
    if len(note) > _NOTE_MAX:
        raise ValidationError({"fee_note": _("Please keep the note to %(max)d characters.")
                               % {"max": _NOTE_MAX}})
    with transaction.atomic(durable=True):
        row = (Enrolment.objects.select_for_update(of=("self",))
               .select_related("person__profile", "section__course").get(pk=enrolment.pk))
        if (row.fee_status, row.fee_note) == (fee_status, note):
            return row
        before = row.fee_status
        row.fee_status, row.fee_note = fee_status, note
        row.save(update_fields=["fee_status", "fee_note", "updated_at"])
        enrolment_log(enrolment=row, action="courses.enrolment.fee", actor=actor,
                      data={"from": before, "to": fee_status, "note": note})
    return row
