"""The per-term rule "N absences without leave give up the place" (a term's
``absence_limit``): a student absent from one class that many times without
approved leave is withdrawn from it, and the place goes to the waiting list
(``enrolment_withdraw``, which promotes the next person in the same
transaction and notifies both).

Absences are those of ``attendance_stats.unexcused_absences`` (an ``absent``
mark without approved leave, of a person enrolled in the class now, at a
session since that enrolment began: a re-admitted student starts afresh),
here in total, not in a row, and only of sessions that ended more than
``LEAVE_GRACE`` ago. Only terms not yet over and with a limit set are
looked at.
"""

import datetime
import logging

from django.db.models import Count, F
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment

from .attendance_stats import unexcused_absences
from .enrolment import EnrolmentBusy, enrolment_withdraw

logger = logging.getLogger(__name__)

# Leave is often asked for or approved after the class (the student phones
# the next morning): an absence counts towards the limit only once its
# session ended this long ago, so that late leave can still excuse it
# before the place is given away.
LEAVE_GRACE = datetime.timedelta(days=1)


def over_absence_limit(*, now: datetime.datetime | None = None) -> list[tuple[int, int, int]]:
    """(person id, section id, absences) of the enrolled students whose
    absences without leave in a class, at sessions that ended more than
    ``LEAVE_GRACE`` before ``now``, reached its term's limit (one grouped
    query)."""
    now = now or timezone.now()
    rows = (unexcused_absences(now=now)
            .filter(session__ends_at__lt=now - LEAVE_GRACE,
                    session__section__term__absence_limit__isnull=False,
                    session__section__term__end_date__gte=timezone.localdate(now))
            .values("person", "session__section", "session__section__term__absence_limit")
            .annotate(absences=Count("pk"))
            .filter(absences__gte=F("session__section__term__absence_limit"))
            .order_by("session__section", "person"))
    return [(row["person"], row["session__section"], row["absences"]) for row in rows]


def absence_limit_release(*, now: datetime.datetime | None = None) -> int:
    """Withdraw each student over their term's absence limit (as the
    system, with the reason in the audit row), so that their place goes to
    the waiting list. Idempotent: a withdrawn student is not enrolled any
    more. A class whose lock is busy (``EnrolmentBusy``) is logged and left
    for the next run; the others go ahead. Returns how many were withdrawn
    now."""
    now = now or timezone.now()
    released = 0
    for person_id, section_id, absences in over_absence_limit(now=now):
        enrolment = Enrolment.objects.filter(person_id=person_id, section_id=section_id,
                                             status=Enrolment.Status.ENROLLED).first()
        if enrolment is None:
            continue
        reason = _("%(count)s absences without leave: the place went to the waiting list.") % {
            "count": absences}
        try:
            row = enrolment_withdraw(enrolment=enrolment, actor=None, reason=reason, now=now)
        except EnrolmentBusy:
            # The class is locked by someone else (an enrolment rush): the
            # others still go ahead, and the next run withdraws this one.
            logger.warning("Class %s busy: the place of person %s is given up at the next run.",
                           section_id, person_id)
            continue
        released += row.status == Enrolment.Status.WITHDRAWN
    return released
