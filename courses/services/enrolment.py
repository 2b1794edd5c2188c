"""Enrolment (报名): enrol, withdraw, the waiting list and its timed offers,
moving a student and recording the fee (issue 4; DESIGN rules 1–3, 9).
The waiting list and offers live in ``courses.services.waitlist`` and are
re-exported here.

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

import copy
import datetime
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.models import Page

from courses.audit import enrolment_log
from courses.cache import cache_is_shared, rules_version
from courses.models import Enrolment, LotteryDraw, Section, Term
from courses.selectors import waitlist_position
from lms.accounts.models import User

from . import eligibility, locking
from .eligibility import EnrolmentBusy, EnrolmentRefused
from .enrolment_notices import enrolment_notify
from .waitlist import (
    RUNNING,
    enrolment_transaction,
    locked_row,
    offer_accept,
    offers_expire,
    waitlist_promote,
)

__all__ = [
    "EnrolmentBusy", "EnrolmentRefused", "EnrolmentResult", "enrolment_create",
    "enrolment_fee_record", "enrolment_move", "enrolment_withdraw", "offer_accept",
    "offers_expire", "waitlist_promote",
]

Status = Enrolment.Status
Source = Enrolment.Source
OUTCOMES = {Status.ENROLLED: "enrolled", Status.WAITLISTED: "waitlisted",
            Status.APPLIED: "applied", Status.OFFERED: "offered"}
_ACTIONS = {Status.ENROLLED: "courses.enrolment.enrol",
            Status.WAITLISTED: "courses.enrolment.waitlist",
            Status.APPLIED: "courses.enrolment.apply"}
_NOTE_MAX = Enrolment._meta.get_field("fee_note").max_length


@dataclass(frozen=True)
class EnrolmentResult:
    enrolment: Enrolment
    outcome: str  # "enrolled" | "waitlisted" | "applied" | "offered"
    created: bool  # False: the person already had this live enrolment; nothing changed
    position: int | None  # place on the waiting list (1 = next), else None


def enrolment_create(*, person: User, section: Section, actor: User, source: str | None = None,
                     preference: int = 1, now: datetime.datetime | None = None) -> EnrolmentResult:
    """Ask for a place in ``section`` for ``person``, made by ``actor``.

    Locks the person (their date of birth read under the lock), reads
    their rows and checks the rules, then locks the
    section (its seat fields re-read) for the recount and the write. A
    person who already has a live row
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
    with enrolment_transaction():
        # The person's lock guards their rows: read them, and check the
        # rules, before taking the section's lock, which is then held only
        # for the recount and the write (the rush queues on it).
        birth_date = locking.lock_person(person)
        section = _section(section.pk)
        state = eligibility.person_state(person=person, section=section)
        if state.existing_id is not None:
            return _existing(person, section, state)
        renewal = _check(person=person, birth_date=birth_date, section=section, state=state,
                         now=now)
        locking.lock_section(section)
        eligibility.refuse_section(person, section)  # it may have closed meanwhile
        return _write(person=person, section=section, actor=actor, source=source,
                      preference=preference, now=now, state=state, renewal=renewal,
                      count_seats=lambda: eligibility.seats(section))


def _create_unlocked(*, person: User, section: Section, now: datetime.datetime,
                     **kwargs) -> EnrolmentResult:
    """Count, then insert, with no lock and the count outside the write
    transaction (the Open edX ``is_course_full`` pattern): how NOT to do
    it, kept so that the concurrency tests can show the race the locks
    close. Used only with ``locking.LOCKING`` off."""
    birth_date = locking.lock_person(person)
    section = _section(section.pk)
    state = eligibility.person_state(person=person, section=section)
    if state.existing_id is not None:
        return _existing(person, section, state)
    renewal = _check(person=person, birth_date=birth_date, section=section, state=state,
                     now=now)
    counted = eligibility.seats(section)
    with enrolment_transaction():
        return _write(person=person, section=section, now=now, state=state, renewal=renewal,
                      count_seats=lambda: counted, **kwargs)


# What the enrolment path reads of a section: its own fields, its term, the
# course's title (the audit label), and only the paths of the school and
# campus pages (eligibility.refuse_section). Joining the three Wagtail pages
# (seven tables, every page column) cost the rush more than the rest of the
# request, most of it PostgreSQL's planning. Other fields load on first use.
_SECTION_ONLY = (
    *(f.attname for f in Section._meta.concrete_fields),
    *(f"term__{f.name}" for f in Term._meta.concrete_fields if not f.primary_key),
    "course__title", "course__path",
)


# Sections as ``_section_read`` gave them, under one rules version
# (``courses.cache.rules_version``), per process; used only with a shared
# cache, where every process sees a change's version bump.
_sections: dict[int, Section] = {}
_sections_version: list[int | None] = [None]
_sections_lock = threading.Lock()


def _section(pk: int) -> Section:
    """The section ``pk`` (``Section.DoesNotExist`` if there is none), with
    ``school_path`` and ``campus_path`` annotated: a copy of the one read
    under the current rules version, read again once anything it holds has
    changed. Its seat fields are read again under its lock before a seat
    is given (``locking.lock_section``)."""
    if not cache_is_shared():
        return _section_read(pk)
    version = rules_version()
    with _sections_lock:
        if _sections_version[0] != version:
            _sections.clear()
            _sections_version[0] = version
        section = _sections.get(pk)
    if section is None:
        section = _section_read(pk)
        with _sections_lock:
            if _sections_version[0] == version:
                _sections[pk] = section
    return copy.copy(section)


def _section_read(pk: int) -> Section:
    return (
        Section.objects.select_related("term", "course").only(*_SECTION_ONLY)
        .annotate(
            school_path=Subquery(Page.objects.filter(pk=OuterRef("term__school_id"))
                                 .values("path")),
            campus_path=Subquery(Page.objects.filter(pk=OuterRef("campus_id")).values("path")),
        )
        .get(pk=pk)
    )


def _source(person: User, actor: User, source: str | None) -> str:
    if source is None:
        return Source.SELF if actor.pk == person.pk else Source.PROXY
    if source not in Source.values:
        raise ValueError(f"unknown enrolment source {source!r}")
    return source


def _existing(person: User, section: Section, state: eligibility.PersonState) -> EnrolmentResult:
    row = Enrolment.objects.get(pk=state.existing_id)
    row.person, row.section = person, section
    return EnrolmentResult(enrolment=row, outcome=OUTCOMES[row.status], created=False,
                           position=waitlist_position(enrolment=row))


def _check(*, person: User, birth_date: datetime.date | None, section: Section,
           state: eligibility.PersonState, now: datetime.datetime) -> bool:
    """Raise the first refusal that applies; return whether the person
    renews their place (renewal window, previous run)."""
    eligibility.refuse_section(person, section)
    term = section.term
    renewal = state.is_renewal_student and eligibility.renewal_open(term, now)
    if not renewal and not eligibility.enrolment_open(term, now):
        eligibility.refuse_outside_windows(term, now)
    eligibility.refuse_age(birth_date, section)
    eligibility.refuse_limit(state, section)
    eligibility.refuse_clash(state, section)
    return renewal


def _write(*, person: User, section: Section, actor: User, source: str, preference: int,
           now: datetime.datetime, state: eligibility.PersonState, renewal: bool,
           count_seats: Callable[[], eligibility.Seats]) -> EnrolmentResult:
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


def enrolment_withdraw(*, enrolment: Enrolment, actor: User, reason: str = "",
                       now: datetime.datetime | None = None) -> Enrolment:
    """Withdraw a live enrolment (enrolled, offered, waiting or requested).

    Locks the section; a row that is no longer live is returned unchanged
    (a repeat changes nothing). A seat it held goes to the waiting list in
    the same transaction (``waitlist_promote``). Audit row ``withdraw``
    with ``reason``; after commit the person, their family members and
    whoever was promoted are notified. Returns the row as saved."""
    now = now or timezone.now()
    with enrolment_transaction():
        row, section = locked_row(enrolment)
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
    with enrolment_transaction():
        person = locking.lock_people([enrolment.person_id])[enrolment.person_id]
        sections = locking.lock_sections([enrolment.section_id, to_section.pk])
        old = Enrolment.objects.get(pk=enrolment.pk)
        old.person, source, target = person, sections[old.section_id], sections[to_section.pk]
        old.section = source
        if old.status not in Enrolment.LIVE:
            raise EnrolmentRefused("not_live", _("This enrolment has ended, so it cannot be moved."))
        if target.pk == source.pk:
            raise EnrolmentRefused("same_class", _("The student is already in this class."))
        if target.status not in RUNNING:
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
