"""Students absent three class sessions in a row (连续三次缺勤) are flagged to
the admins of the class's campus, once per streak.

A streak is a run of consecutive marked sessions of one class at which the
person was absent without approved leave (``attendance_stats.unexcused``).
A present, late or leave mark ends it; a session without a mark for them
neither ends nor extends it; a cancelled session, or one still to come, is
not counted (the rules of ``courses.services.attendance_stats``). Only
classes of terms not over by more than ``RECENT_DAYS``, people still
enrolled in them, and the sessions since that enrolment began
(``attendance_stats.enrolled_attendance``: a re-admitted student starts
afresh) are looked at.

Unlike the absence limit, a streak is flagged without waiting for late
leave: the notice only asks the campus to call, and is best sent soon.

The streaks are found by the database with window functions (no loop over
the attendance table): for each record, the number of unexcused absences
among its last three marks in the class, and the time of the last mark
that was not one (the streak's start, which names it).
"""

import datetime
import logging
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    DateTimeField,
    F,
    IntegerField,
    Max,
    RowRange,
    Sum,
    Value,
    When,
    Window,
)
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from courses.models import Enrolment, Section
from lms.accounts.models import User

from .attendance_stats import enrolled_attendance, unexcused
from .eligibility import section_label, when

logger = logging.getLogger(__name__)

STREAK = 3
RECENT_DAYS = 14


@dataclass(frozen=True)
class Streak:
    person_id: int
    section_id: int
    # The time of the last mark before the streak that was not an unexcused
    # absence (None: the streak starts with the person's first mark since
    # their enrolment began).
    after: datetime.datetime | None
    last_session_id: int
    last_starts_at: datetime.datetime
    # The live enrolment: a streak at the start of a re-admitted student's
    # new place is a new streak, not the one flagged in the old place.
    enrolment_id: int

    @property
    def dedupe_key(self) -> str:
        start = self.after.isoformat() if self.after else f"enrolment{self.enrolment_id}"
        return f"courses.absent{STREAK}:{self.person_id}:{self.section_id}:{start}"


def absence_streaks(*, now: datetime.datetime | None = None) -> list[Streak]:
    """The current and past streaks of at least ``STREAK`` unexcused
    absences in the recent terms' classes, one per streak (its latest
    session so far), ordered by class and person."""
    now = now or timezone.now()
    recent = timezone.localdate(now) - datetime.timedelta(days=RECENT_DAYS)
    records = (enrolled_attendance(now=now)
               .filter(session__section__term__end_date__gte=recent)
               .annotate(unexcused=Case(When(unexcused(), then=Value(1)),
                                        default=Value(0), output_field=IntegerField())))
    partition = [F("person"), F("session__section")]
    order = [F("session__starts_at").asc(), F("session_id").asc()]
    records = records.annotate(
        last_three=Window(Sum("unexcused"), partition_by=partition, order_by=order,
                          frame=RowRange(start=-(STREAK - 1), end=0)),
        after=Window(
            Max(Case(When(unexcused=0, then=F("session__starts_at")),
                     output_field=DateTimeField())),
            partition_by=partition, order_by=order, frame=RowRange(start=None, end=0)),
    ).filter(last_three=STREAK)
    rows = records.values_list("person_id", "session__section_id", "after", "session_id",
                               "session__starts_at").order_by("session__section_id",
                                                              "person_id", "session__starts_at")
    latest: dict[tuple, tuple] = {}
    for person_id, section_id, after, session_id, starts_at in rows:
        # Only the flagged rows come back (a few); a longer streak keeps its
        # key and its latest session.
        latest[(person_id, section_id, after)] = (session_id, starts_at)
    if not latest:
        return []
    enrolments = {
        (person_id, section_id): pk for pk, person_id, section_id in Enrolment.objects.filter(
            person_id__in={key[0] for key in latest}, section_id__in={key[1] for key in latest},
            status=Enrolment.Status.ENROLLED).values_list("pk", "person_id", "section_id")}
    return [Streak(person_id, section_id, after, session_id, starts_at,
                   enrolments[(person_id, section_id)])
            for (person_id, section_id, after), (session_id, starts_at) in latest.items()]


def absence_streaks_notify(*, now: datetime.datetime | None = None) -> int:
    """Tell the campus admins of each streak's class about it, once per
    streak and admin (the notice's dedupe key: running again sends nothing
    new). Returns how many notices were created now. A class whose campus
    has no admin is logged."""
    from lms.notifications.models import Notification
    from lms.notifications.services import notification_send

    streaks = absence_streaks(now=now)
    if not streaks:
        return 0
    sections = Section.objects.select_related("course", "campus").prefetch_related(
        "campus__admins").in_bulk({s.section_id for s in streaks})
    people = User.objects.select_related("profile").in_bulk({s.person_id for s in streaks})
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for streak in streaks:
            section = sections[streak.section_id]
            person = people[streak.person_id]
            admins = list(section.campus.admins.all())
            if not admins:
                logger.warning("No admin at campus %s to tell about %s.", section.campus_id,
                               streak.dedupe_key)
            names = {"name": person.display_name, "class": section_label(section),
                     "count": STREAK, "date": when(streak.last_starts_at)}
            title = _("Absent three times in a row: %(name)s, %(class)s") % names
            body = _("%(name)s has missed %(class)s %(count)s times in a row without leave "
                     "(the latest on %(date)s). Please call them to ask how they are.") % names
            for admin in admins:
                before = Notification.objects.filter(recipient=admin,
                                                     dedupe_key=streak.dedupe_key).exists()
                if before:
                    continue
                notification_send(recipient=admin, kind=Notification.Kind.GENERAL,
                                  title=title[:120], body=body, url=_report_url(section),
                                  dedupe_key=streak.dedupe_key)
                sent += 1
    return sent


def _report_url(section: Section) -> str:
    try:
        url = reverse("courses_attendance_report:index")
    except NoReverseMatch:
        return ""
    return f"{url}?{urlencode({'section': section.pk, 'by': 'person'})}"
