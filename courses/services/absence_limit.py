"""The per-term rule "N absences without leave give up the place" (a term's
``absence_limit``): a student absent from one class that many times without
approved leave is withdrawn from it, and the place goes to the waiting list
(``enrolment_withdraw``, which promotes the next person in the same
transaction and notifies both).

Absences are counted as in ``courses.services.absence_flags`` (an
``absent`` mark at a scheduled session that has started, without an
approved leave request for it), here in total, not in a row. Only terms not
yet over, with a limit set, and people still enrolled are looked at.
"""

import datetime

from django.db.models import Count, Exists, F, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Attendance, Enrolment, LeaveRequest

from .attendance_stats import counted_attendance
from .enrolment import enrolment_withdraw


def over_absence_limit(*, now: datetime.datetime | None = None) -> list[tuple[int, int, int]]:
    """(person id, section id, absences) of the enrolled students whose
    absences without leave in a class reached its term's limit (one grouped
    query)."""
    now = now or timezone.now()
    approved = LeaveRequest.objects.filter(
        person=OuterRef("person"), session=OuterRef("session"),
        status=LeaveRequest.Status.APPROVED)
    enrolled = Enrolment.objects.filter(
        person=OuterRef("person"), section=OuterRef("session__section"),
        status=Enrolment.Status.ENROLLED)
    rows = (counted_attendance(now=now)
            .filter(status=Attendance.Status.ABSENT,
                    session__section__term__absence_limit__isnull=False,
                    session__section__term__end_date__gte=timezone.localdate(now))
            .filter(Exists(enrolled)).exclude(Exists(approved))
            .values("person", "session__section", "session__section__term__absence_limit")
            .annotate(absences=Count("pk"))
            .filter(absences__gte=F("session__section__term__absence_limit"))
            .order_by("session__section", "person"))
    return [(row["person"], row["session__section"], row["absences"]) for row in rows]


def absence_limit_release(*, now: datetime.datetime | None = None) -> int:
    """Withdraw each student over their term's absence limit (as the
    system, with the reason in the audit row), so that their place goes to
    the waiting list. Idempotent: a withdrawn student is not enrolled any
    more. Returns how many were withdrawn now."""
    now = now or timezone.now()
    released = 0
    for person_id, section_id, absences in over_absence_limit(now=now):
        enrolment = Enrolment.objects.filter(person_id=person_id, section_id=section_id,
                                             status=Enrolment.Status.ENROLLED).first()
        if enrolment is None:
            continue
        reason = _("%(count)s absences without leave: the place went to the waiting list.") % {
            "count": absences}
        row = enrolment_withdraw(enrolment=enrolment, actor=None, reason=reason, now=now)
        released += row.status == Enrolment.Status.WITHDRAWN
    return released
