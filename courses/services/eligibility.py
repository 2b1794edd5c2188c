"""Who may enrol in a section, and when: the windows of a term, the age
range, the per-person limit and timetable clashes (issue 4 point 1).

Everything here is read from rows; ``courses.services.enrolment`` calls it
under the person's and the section's locks, so that what it decides still
holds when the row is written. Refusals are ``EnrolmentRefused`` with a
code and a message in plain words (the active language)."""

import datetime
import secrets
from dataclasses import dataclass

from django.db import connection
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment, Section, SectionSlot, Term
from lms.accounts.models import User

Status = Enrolment.Status

# Rows of the person's that count against the per-person limit: every live
# row (enrolled, offered, waiting, requested), so that nobody holds places
# or queues everywhere at once.
LIMITED = Enrolment.LIVE
# Rows whose timetable a new class must not clash with: the ones that give
# or may give a seat by themselves. A lottery request (applied) does not
# count: people ask for alternatives at the same hour as first and second
# choice, and the draw gives at most what they asked for.
TIMETABLED = (Status.ENROLLED, Status.OFFERED, Status.WAITLISTED)

# Lottery tickets: short, read aloud on the phone, no 0/O/1/I.
TICKET_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
TICKET_LENGTH = 6


class EnrolmentRefused(Exception):
    """An enrolment request that the rules refuse. ``code`` says which rule
    (e.g. ``"limit"``); ``message`` says why in plain words, for the person."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class EnrolmentBusy(EnrolmentRefused):
    """The locks were busy for too long; nothing was written."""

    def __init__(self, message: str | None = None):
        super().__init__(
            "busy",
            message or _("Many people are enrolling right now. Please try again in a moment."),
        )


def when(value: datetime.datetime) -> str:
    """A date and time as people read it, in the local zone."""
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def section_label(section: Section) -> str:
    """"书法入门班 1班" (the course must be loaded)."""
    return f"{section.course.title} {section.name}"


# --- windows -------------------------------------------------------------------

def in_window(opens: datetime.datetime | None, closes: datetime.datetime | None,
              now: datetime.datetime) -> bool:
    """``opens <= now < closes``; a missing bound is open on that side."""
    return (opens is None or opens <= now) and (closes is None or now < closes)


def renewal_open(term: Term, now: datetime.datetime) -> bool:
    """The renewal window runs only if the term has a start for it."""
    return term.renewal_opens_at is not None and in_window(
        term.renewal_opens_at, term.renewal_closes_at, now
    )


def enrolment_open(term: Term, now: datetime.datetime) -> bool:
    return in_window(term.enrolment_opens_at, term.enrolment_closes_at, now)


def refuse_outside_windows(term: Term, now: datetime.datetime) -> None:
    """Raise the refusal for a request outside the open window (the caller
    has already let renewal students through)."""
    if renewal_open(term, now):
        if term.enrolment_opens_at is not None:
            message = _("Right now only students of this class's last term can enrol. "
                        "Enrolment for everyone opens on %(date)s.") % {
                "date": when(term.enrolment_opens_at)}
        else:
            message = _("Right now only students of this class's last term can enrol.")
        raise EnrolmentRefused("renewal_only", message)
    if term.enrolment_opens_at is not None and now < term.enrolment_opens_at:
        message = _("Enrolment for this class opens on %(date)s.") % {
            "date": when(term.enrolment_opens_at)}
    else:
        message = _("Enrolment for this class closed on %(date)s.") % {
            "date": when(term.enrolment_closes_at)}
    raise EnrolmentRefused("window_closed", message)


# --- the person and the section ------------------------------------------------

def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


def refuse_age(birth_date: datetime.date | None, section: Section) -> None:
    """Refuse a person born on ``birth_date`` outside the section's age
    range, as of the term's first day. A person without a date of birth
    passes: the office checks at the desk, and nobody is turned away for an
    empty profile field."""
    if section.age_min is None and section.age_max is None:
        return
    if birth_date is None:
        return
    age = age_on(birth_date, section.term.start_date)
    low, high = section.age_min, section.age_max
    if (low is None or age >= low) and (high is None or age <= high):
        return
    if low is not None and high is not None:
        message = _("This class is for people aged %(min)d to %(max)d.") % {"min": low, "max": high}
    elif low is not None:
        message = _("This class is for people aged %(min)d and over.") % {"min": low}
    else:
        message = _("This class is for people aged up to %(max)d.") % {"max": high}
    raise EnrolmentRefused("age", message)


def refuse_section(person: User, section: Section) -> None:
    """The section must be open, its campus in its term's school, and the
    person's account active."""
    if section.status != Section.Status.OPEN:
        raise EnrolmentRefused("not_open", _("This class is not taking enrolments."))
    school_path, campus_path = _page_paths(section)
    if not person.is_active or not campus_path.startswith(school_path):
        raise EnrolmentRefused(
            "not_allowed",
            _("This enrolment cannot be made online. Please call the school office."),
        )


def _page_paths(section: Section) -> tuple[str, str]:
    """The tree paths of the section's school and campus pages: as annotated
    by the enrolment service's read (``school_path``, ``campus_path``), else
    from the pages."""
    if hasattr(section, "campus_path"):
        return section.school_path or "", section.campus_path
    return (section.term.school.path if section.term.school_id else ""), section.campus.path


@dataclass(frozen=True)
class PersonState:
    """What the rules need to know about a person, from their rows."""

    existing_id: int | None  # their live row in this section
    live_in_term: int  # rows counted against the limit
    timetabled_ids: tuple[int, ...]  # sections whose times a new class must not clash with
    is_new_student: bool
    is_renewal_student: bool


def person_state(*, person: User, section: Section) -> PersonState:
    """One query over the person's rows: this term's live ones, earlier
    terms' enrolled ones at this school, and the previous run's. Plain SQL
    (the enrolment rush runs it once per attempt)."""
    term = section.term
    quote = connection.ops.quote_name
    enrolment, section_table, term_table = (
        quote(m._meta.db_table) for m in (Enrolment, Section, Term))
    live = ", ".join(["%s"] * len(Enrolment.LIVE))
    sql = (
        f"SELECT e.id, e.section_id, e.status, s.term_id, t.start_date "
        f"FROM {enrolment} e JOIN {section_table} s ON s.id = e.section_id "
        f"JOIN {term_table} t ON t.id = s.term_id "
        f"WHERE e.person_id = %s AND ((s.term_id = %s AND e.status IN ({live})) "
        f"OR (t.school_id = %s AND t.start_date < %s AND (e.status = %s "
        f"OR (e.status = %s AND e.enrolled_at IS NOT NULL)))"
        f"{' OR (e.section_id = %s AND e.status = %s)' if section.copied_from_id else ''})"
    )
    params = [person.pk, term.pk, *Enrolment.LIVE, term.school_id, term.start_date,
              Status.ENROLLED, Status.WITHDRAWN]
    if section.copied_from_id:
        params += [section.copied_from_id, Status.ENROLLED]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    existing_id, live, timetabled, history, renewal = None, 0, [], False, False
    for pk, section_id, status, term_id, start_date in rows:
        if term_id == term.pk and status in Enrolment.LIVE:
            if section_id == section.pk:
                existing_id = pk
            live += status in LIMITED
            if status in TIMETABLED and section_id != section.pk:
                timetabled.append(section_id)
        if start_date < term.start_date and (status == Status.ENROLLED
                                              or status == Status.WITHDRAWN):
            history = True
        if section_id == section.copied_from_id and status == Status.ENROLLED:
            renewal = True
    return PersonState(existing_id=existing_id, live_in_term=live,
                       timetabled_ids=tuple(timetabled), is_new_student=not history,
                       is_renewal_student=renewal)


def refuse_limit(state: PersonState, section: Section) -> None:
    limit = section.term.per_person_limit
    if state.live_in_term >= limit:
        raise EnrolmentRefused("limit", _(
            "Each person can take up to %(limit)d classes this term, and this limit "
            "has been reached. To take this class, leave another one first."
        ) % {"limit": limit})


def refuse_clash(state: PersonState, section: Section) -> None:
    """Refuse when one of the section's weekly times overlaps a time of a
    section the person already holds (one query, none without such rows)."""
    if not state.timetabled_ids:
        return
    slots = list(
        SectionSlot.objects.filter(section_id__in=(section.pk, *state.timetabled_ids))
        .select_related("section__course")
        .order_by("weekday", "start_time")
    )
    mine = [slot for slot in slots if slot.section_id == section.pk]
    for other in slots:
        if other.section_id == section.pk:
            continue
        for slot in mine:
            if (slot.weekday == other.weekday and slot.start_time < other.end_time
                    and other.start_time < slot.end_time):
                raise EnrolmentRefused("clash", _(
                    "This class meets at the same time as %(other)s (%(when)s), "
                    "which is already on the timetable."
                ) % {"other": section_label(other.section), "when": str(other)})


# --- seats ---------------------------------------------------------------------

@dataclass(frozen=True)
class Seats:
    seated: int  # enrolled or offered
    seated_new: int  # of which new students
    waiting: int  # on the waiting list
    capacity: int
    reserved_for_new: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.seated, 0)

    def available_to(self, *, is_new_student: bool) -> int:
        """Free seats this person may take: a returning student may not take
        a place still kept for new students."""
        if is_new_student:
            return self.free
        kept = max(self.reserved_for_new - self.seated_new, 0)
        return max(self.free - kept, 0)


def seats(section: Section) -> Seats:
    """Count the section's seats from its rows (one plain query: it runs
    under the section's lock, once per enrolment). Under the lock the
    numbers hold until the transaction ends."""
    seated = ", ".join(["%s"] * len(Enrolment.SEATED))
    sql = (
        f"SELECT COALESCE(SUM(CASE WHEN status IN ({seated}) THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN status IN ({seated}) AND is_new_student THEN 1 ELSE 0 END), 0), "
        f"COALESCE(SUM(CASE WHEN status = %s THEN 1 ELSE 0 END), 0) "
        f"FROM {connection.ops.quote_name(Enrolment._meta.db_table)} WHERE section_id = %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [*Enrolment.SEATED, *Enrolment.SEATED, Status.WAITLISTED,
                             section.pk])
        seated_count, seated_new, waiting = cursor.fetchone()
    return Seats(seated=int(seated_count), seated_new=int(seated_new), waiting=int(waiting),
                 capacity=section.capacity, reserved_for_new=section.reserved_for_new)


def new_ticket(section: Section) -> str:
    """A lottery ticket no other request in ``section`` has (under its lock;
    one query, a second one time in a billion)."""
    while True:
        ticket = "".join(secrets.choice(TICKET_ALPHABET) for _ in range(TICKET_LENGTH))
        if not Enrolment.objects.filter(section_id=section.pk, ticket=ticket).exists():
            return ticket
