"""Attendance rates (出勤率) per student, class, teacher, campus, term and
week, computed by the database (one grouped query each).

The rate, defined once here and nowhere else::

    rate = (present + late) / (present + late + absent)

that is, the sessions a person came to (on time or late) over the sessions
they were marked for, less the sessions they were on leave (approved leave
marks the record ``leave``; it never counts as an absence). Only records of
sessions that are still scheduled and have started by ``now`` count: a
cancelled session never counts, whatever marks it had, and a session with
no mark for a person counts neither way. With nothing counted the rate is
``None`` (shown as a dash), never 0.

An absence without leave (缺勤未请假), counted by the absence jobs (the
streak notice of ``absence_flags`` and the term's limit of
``absence_limit``), is defined here too (``unexcused``): an ``absent`` mark
with no approved leave request of the person's for that session. Those
jobs look only at people enrolled in the class now, and only at the
sessions since their enrolment began (``enrolled_attendance``): a student
who lost the place and got it back starts afresh.

A teacher's rate is over the classes they teach (a class with two teachers
counts for both). Scoping (who may see which classes) is the caller's:
pass ``sections``.
"""

import datetime
from dataclasses import dataclass

from django.db.models import Count, Exists, F, FloatField, OuterRef, Q, QuerySet
from django.db.models.functions import Cast, NullIf, TruncWeek
from django.utils import timezone

from courses.models import Attendance, ClassSession, Enrolment, LeaveRequest

Status = Attendance.Status

# What a rate may be grouped by, and the path from Attendance to its key.
GROUPS = {
    "person": "person",
    "section": "session__section",
    "teacher": "session__section__teachers",
    "campus": "session__section__campus",
    "term": "session__section__term",
}

_COUNTS = {status.value: Count("pk", filter=Q(status=status))
           for status in (Status.PRESENT, Status.LATE, Status.LEAVE, Status.ABSENT)}


def counted_attendance(*, sections: QuerySet | None = None,
                       now: datetime.datetime | None = None) -> QuerySet:
    """The attendance records that count towards rates: of scheduled (not
    cancelled) sessions that have started by ``now``, in ``sections`` (a
    queryset of sections, e.g. those a user may see; all when None)."""
    now = now or timezone.now()
    records = Attendance.objects.filter(
        session__status=ClassSession.Status.SCHEDULED, session__starts_at__lte=now)
    if sections is not None:
        records = records.filter(session__section__in=sections.values("pk"))
    return records


def enrolled_attendance(*, now: datetime.datetime | None = None) -> QuerySet:
    """``counted_attendance`` (all classes) of the people enrolled in the
    class now, at the sessions that started since that enrolment began:
    the marks from before belong to an earlier place in the class, lost or
    given up. An enrolment without ``enrolled_at`` (rows made in bulk, as
    the demo's) counts from the first session."""
    enrolled = Enrolment.objects.filter(
        Q(enrolled_at__isnull=True) | Q(enrolled_at__lte=OuterRef("session__starts_at")),
        person=OuterRef("person"), section=OuterRef("session__section"),
        status=Enrolment.Status.ENROLLED)
    return counted_attendance(now=now).filter(Exists(enrolled))


def unexcused() -> Q:
    """The condition on an attendance record that makes it an absence
    without leave: ``absent``, and no approved leave request of the
    person's for the session (leave may be approved after the mark)."""
    approved = LeaveRequest.objects.filter(
        person=OuterRef("person"), session=OuterRef("session"),
        status=LeaveRequest.Status.APPROVED)
    return Q(status=Status.ABSENT) & ~Exists(approved)


def unexcused_absences(*, now: datetime.datetime | None = None) -> QuerySet:
    """The absences without leave that the absence jobs count: the
    ``unexcused`` records of ``enrolled_attendance``."""
    return enrolled_attendance(now=now).filter(unexcused())


def with_rate(rows: QuerySet) -> QuerySet:
    """Annotate grouped ``rows`` (a ``values()`` queryset of attendance)
    with ``present``, ``late``, ``leave``, ``absent``, ``attended``,
    ``counted`` and ``rate`` (a float in 0..1, or None when nothing counted)."""
    rows = rows.annotate(**_COUNTS)
    rows = rows.annotate(attended=F("present") + F("late"))
    rows = rows.annotate(counted=F("attended") + F("absent"))
    return rows.annotate(
        rate=Cast("attended", FloatField()) / NullIf(Cast("counted", FloatField()), 0.0))


def attendance_rates(*, by: str, records: QuerySet | None = None,
                     sections: QuerySet | None = None,
                     now: datetime.datetime | None = None) -> QuerySet:
    """Rates grouped ``by`` one of ``GROUPS`` ("person", "section",
    "teacher", "campus", "term"): a ``values()`` queryset of dicts with
    ``key`` (the id; None for classes without a teacher) and the counts of
    ``with_rate``, ordered by key. ``records`` (from ``counted_attendance``,
    possibly filtered further) wins over ``sections``/``now``. Raises
    ``KeyError`` for an unknown grouping."""
    path = GROUPS[by]
    if records is None:
        records = counted_attendance(sections=sections, now=now)
    return with_rate(records.values(key=F(path)).order_by()).order_by("key")


def attendance_rate(*, records: QuerySet) -> dict:
    """The counts and rate of all of ``records`` together (one aggregate
    query): a dict as in ``with_rate``."""
    row = records.aggregate(**_COUNTS)
    row["attended"] = row["present"] + row["late"]
    row["counted"] = row["attended"] + row["absent"]
    row["rate"] = row["attended"] / row["counted"] if row["counted"] else None
    return row


def weekly_campus_rates(*, sections: QuerySet | None = None, weeks: int = 12,
                        now: datetime.datetime | None = None) -> QuerySet:
    """Rates per campus and local calendar week (starting Monday) of the
    last ``weeks`` weeks up to ``now``: dicts with ``campus``, ``week`` (a
    date) and the counts of ``with_rate``, ordered by campus and week."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first = today - datetime.timedelta(days=today.weekday(), weeks=weeks - 1)
    since = datetime.datetime.combine(first, datetime.time(), timezone.get_current_timezone())
    records = counted_attendance(sections=sections, now=now).filter(session__starts_at__gte=since)
    week = TruncWeek("session__starts_at", tzinfo=timezone.get_current_timezone())
    rows = records.values(campus=F("session__section__campus"), week=week).order_by()
    return with_rate(rows).order_by("campus", "week")


@dataclass(frozen=True)
class Rate:
    """One row of rates, for views and exports."""

    key: int | None
    label: str
    present: int
    late: int
    leave: int
    absent: int
    rate: float | None

    @property
    def attended(self) -> int:
        return self.present + self.late

    @property
    def counted(self) -> int:
        return self.attended + self.absent

    @property
    def percent(self) -> float | None:
        """The rate in percent, one decimal (None when nothing counted)."""
        return None if self.rate is None else round(self.rate * 100, 1)

    @classmethod
    def from_row(cls, row: dict, label: str) -> "Rate":
        return cls(key=row["key"], label=label, present=row["present"], late=row["late"],
                   leave=row["leave"], absent=row["absent"], rate=row["rate"])
