"""Reads for the teaching side: what the catalogue shows, seats left.

Availability is computed from enrolment rows, never stored: a listing may
cache a page, but a decision (enrolment) always recounts under a lock."""

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from courses.models import Enrolment, Section, SectionSlot
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

    @property
    def seats_left(self) -> int:
        return max(self.capacity - self.enrolled, 0)


def section_availability(*, section: Section) -> Availability:
    """State and seats left of one section, counted from enrolment rows."""
    enrolled = Enrolment.objects.filter(
        section=section, status=Enrolment.Status.ENROLLED
    ).count()
    return _availability(section, enrolled)


def _availability(section: Section, enrolled: int) -> Availability:
    if section.status in (Section.Status.CANCELLED, Section.Status.DRAFT, Section.Status.CLOSED):
        state = section.status
    elif enrolled >= section.capacity:
        state = "full"
    else:
        state = "open"
    return Availability(state=state, capacity=section.capacity, enrolled=enrolled)


def sections_with_counts(queryset: QuerySet | None = None) -> QuerySet:
    """Sections annotated with ``enrolled_count`` and ``seats_left`` (one
    query), with what a listing shows fetched alongside (a fixed number of
    queries however many sections there are)."""
    queryset = Section.objects.all() if queryset is None else queryset
    # A correlated subquery rather than JOIN + GROUP BY over every column.
    enrolled = (
        Enrolment.objects.filter(section=OuterRef("pk"), status=Enrolment.Status.ENROLLED)
        .order_by()
        .values("section")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        queryset.annotate(enrolled_count=Coalesce(Subquery(enrolled), 0))
        .annotate(seats_left=F("capacity") - F("enrolled_count"))
        .select_related("course", "course__department", "campus", "room", "term")
        .prefetch_related(
            Prefetch("slots", queryset=SectionSlot.objects.order_by("weekday", "start_time")),
            Prefetch("teachers", queryset=User.objects.select_related("profile")),
        )
    )


def availability_of(section: Section) -> Availability:
    """Availability of a section from ``sections_with_counts`` (no query)."""
    return _availability(section, section.enrolled_count)


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
) -> QuerySet:
    """The public sections of ``school`` (a cms HomePage) in published terms,
    filtered as a person asks in the catalogue."""
    sections = Section.objects.filter(
        term__school=school, term__is_published=True, status__in=PUBLIC_STATUSES
    )
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
