"""Reads for the teaching side: what the catalogue shows, seats left.

Availability is computed from enrolment rows, never stored: a listing may
cache a page, but a decision (enrolment) always recounts under a lock."""

import datetime
from dataclasses import dataclass

from django.db.models import Case, Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from courses.models import ClassSession, Enrolment, Section, SectionSlot, Term
from lms.accounts.models import User

PARTS_OF_DAY = {
    "morning": (datetime.time(0), datetime.time(12)),
    "afternoon": (datetime.time(12), datetime.time(18)),
    "evening": (datetime.time(18), datetime.time(23, 59, 59)),
}

# Sections the public may see: open for enrolment, or full/closed but running.
PUBLIC_STATUSES = (Section.Status.OPEN, Section.Status.CLOSED)


@dataclass(frozen=True)
class Availability:
    state: str  # "open", "full", "closed", "cancelled", "draft"
    capacity: int
    enrolled: int
    # Places still kept for new students: the class's ``reserved_for_new``
    # minus those new students hold (as eligibility.Seats counts them).
    reserved_left: int = 0

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)

    @property
    def kept(self) -> int:
        """Of the seats left, how many only a new student may take."""
        return min(self.reserved_left, self.seats_left)

    @property
    def seats_for_returning(self) -> int:
        """Seats left that a returning student may take."""
        return self.seats_left - self.kept


def section_availability(*, section: Section) -> Availability:
    """State and seats left of one section, counted from enrolment rows."""
    counts = Enrolment.objects.filter(section=section, status__in=Enrolment.SEATED).aggregate(
        seated=Count("pk"), seated_new=Count("pk", filter=Q(is_new_student=True)))
    return _availability(section, counts["seated"], counts["seated_new"])


def _availability(section: Section, enrolled: int, enrolled_new: int = 0) -> Availability:
    if section.status in (Section.Status.CANCELLED, Section.Status.DRAFT, Section.Status.CLOSED):
        state = section.status
    elif enrolled >= section.capacity:
        state = "full"
    else:
        state = "open"
    reserved_left = max(getattr(section, "reserved_for_new", 0) - enrolled_new, 0)
    return Availability(state=state, capacity=section.capacity, enrolled=enrolled,
                        reserved_left=reserved_left)


def sections_with_counts(queryset: QuerySet | None = None) -> QuerySet:
    """Sections annotated with ``enrolled_count``, ``seats_left`` and
    ``enrolled_new_count`` (new students seated, for kept places) (one
    query), with what a listing shows fetched alongside (a fixed number of
    queries however many sections there are)."""
    queryset = Section.objects.all() if queryset is None else queryset
    # A correlated subquery rather than JOIN + GROUP BY over every column.
    def seated(**extra):
        return (
            Enrolment.objects.filter(section=OuterRef("pk"), status__in=Enrolment.SEATED, **extra)
            .order_by()
            .values("section")
            .annotate(n=Count("pk"))
            .values("n")
        )

    enrolled, enrolled_new = seated(), seated(is_new_student=True)
    return (
        queryset.annotate(enrolled_count=Coalesce(Subquery(enrolled), 0))
        .annotate(seats_left=F("capacity") - F("enrolled_count"))
        # Counted only for classes that keep places for new students.
        .annotate(enrolled_new_count=Case(
            When(reserved_for_new__gt=0, then=Coalesce(Subquery(enrolled_new), 0)),
            default=Value(0)))
        .select_related("course", "course__department", "campus", "room", "term")
        .prefetch_related(
            Prefetch("slots", queryset=SectionSlot.objects.order_by("weekday", "start_time")),
            Prefetch("teachers", queryset=User.objects.select_related("profile")),
        )
    )


def availability_of(section: Section) -> Availability:
    """Availability of a section from ``sections_with_counts`` (no query)."""
    return _availability(section, section.enrolled_count, section.enrolled_new_count)


def catalog_sections(
    *,
    school,
    campus=None,
    department=None,
    weekday: int | None = None,
    part_of_day: str | None = None,
    level: str | None = None,
    has_seats: bool = False,
    course=None,
    term=None,
) -> QuerySet:
    """The public sections of ``school`` (a cms HomePage) in published terms
    (or the one published ``term``, a Term or its pk), filtered as a person
    asks in the catalogue."""
    sections = Section.objects.filter(
        term__school=school, term__is_published=True, status__in=PUBLIC_STATUSES
    )
    if term is not None:
        sections = sections.filter(term=term)
    if campus is not None:
        sections = sections.filter(campus=campus)
    if department is not None:
        sections = sections.filter(course__department=department)
    if level:
        sections = sections.filter(course__level=level)
    if course is not None:
        sections = sections.filter(course=course)
    slot_filter = Q()
    if weekday is not None:
        slot_filter &= Q(weekday=weekday)
    if part_of_day in PARTS_OF_DAY:
        start, end = PARTS_OF_DAY[part_of_day]
        slot_filter &= Q(start_time__gte=start, start_time__lt=end)
    if slot_filter:
        sections = sections.filter(
            pk__in=SectionSlot.objects.filter(slot_filter).values("section_id")
        )
    sections = sections_with_counts(sections)
    if has_seats:
        sections = sections.filter(status=Section.Status.OPEN, seats_left__gt=0)
    return sections.order_by("course__department__sort_order", "course__title", "name", "pk")


# --- enrolment ---------------------------------------------------------------

# The waiting list's order: who joined first; among those a draw put on the
# list at the same moment, the draw's order; then the row's age.
WAITLIST_ORDER = (F("queued_at").asc(nulls_last=True), F("queue_rank").asc(nulls_last=True), "pk")


def waitlist_position(*, enrolment: Enrolment) -> int | None:
    """The person's place on the section's waiting list (1 = next), counted
    from the rows (one query); None when the row is not waiting."""
    if enrolment.status != Enrolment.Status.WAITLISTED:
        return None
    queue = list(
        Enrolment.objects.filter(section_id=enrolment.section_id,
                                 status=Enrolment.Status.WAITLISTED)
        .order_by(*WAITLIST_ORDER).values_list("pk", flat=True)
    )
    return queue.index(enrolment.pk) + 1 if enrolment.pk in queue else None


@dataclass(frozen=True)
class Timetable:
    """A person's classes in one term (``person_timetable``)."""

    term: Term | None
    # Live rows of the term, by first weekly time: section, course, campus
    # (address), room and term loaded, ``section.slots`` prefetched; a
    # waiting row carries ``waitlist_position``.
    enrolments: list[Enrolment]
    # Sessions of the enrolled classes that have not ended, cancelled ones
    # included (shown as cancelled), section/course/campus/room loaded.
    sessions: list[ClassSession]
    # Every term the person has a live row in, newest first (for a switcher).
    terms: list[Term]


def person_timetable(*, person: User, term: Term | None = None, now=None) -> Timetable:
    """The person's live enrolments in ``term`` (default: the term running
    today, else the next one, else the latest) and the upcoming sessions of
    the classes they are enrolled in. At most four queries, however many
    classes and sessions."""
    import datetime as dt

    from django.utils import timezone

    now = now or timezone.now()
    rows = list(
        Enrolment.objects.filter(person_id=getattr(person, "pk", None),
                                 status__in=Enrolment.LIVE)
        .select_related("section__term", "section__course", "section__campus",
                        "section__room")
        .prefetch_related(
            Prefetch("section__slots",
                     queryset=SectionSlot.objects.order_by("weekday", "start_time")))
    )
    terms = sorted({row.section.term for row in rows}, key=lambda t: t.start_date, reverse=True)
    if term is None and terms:
        today = timezone.localdate(now)
        running = [t for t in terms if t.start_date <= today <= t.end_date]
        coming = sorted((t for t in terms if t.start_date > today), key=lambda t: t.start_date)
        term = (running or coming or terms)[0]
    rows = [row for row in rows if term is not None and row.section.term_id == term.pk]
    far = dt.time(23, 59)

    def first_time(row):
        slots = list(row.section.slots.all())
        return (slots[0].weekday, slots[0].start_time) if slots else (7, far)

    rows.sort(key=lambda row: (first_time(row), row.section.course.title, row.pk))
    waiting = [row for row in rows if row.status == Enrolment.Status.WAITLISTED]
    if waiting:
        queues: dict[int, list[int]] = {}
        for section_id, pk in (
            Enrolment.objects.filter(section_id__in={row.section_id for row in waiting},
                                     status=Enrolment.Status.WAITLISTED)
            .order_by(*WAITLIST_ORDER).values_list("section_id", "pk")
        ):
            queues.setdefault(section_id, []).append(pk)
        for row in waiting:
            queue = queues.get(row.section_id, [])
            row.waitlist_position = queue.index(row.pk) + 1 if row.pk in queue else None
    enrolled = [row.section_id for row in rows if row.status == Enrolment.Status.ENROLLED]
    sessions = list(
        ClassSession.objects.filter(section_id__in=enrolled, ends_at__gt=now)
        .select_related("section__course", "section__campus", "room")
        .order_by("starts_at", "pk")
    ) if enrolled else []
    return Timetable(term=term, enrolments=rows, sessions=sessions, terms=terms)
