"""The demo teacher's class today (issue 5), for ``courses.demo_attendance``:
李文博 always has a class today open for roll call and QR check-in, so that
a visitor has something to try whatever the day. Unless one of his classes
is open already, a make-up session (补课) of his current-term class with the
demo student is added, starting within half an hour, so that check-in is
open at once (late in the evening: started earlier, ending at midnight),
free of clashes as the admin's "add a session" requires. Added once a day.
"""

import datetime

from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone
from wagtail.log_actions import log

from courses import demo_content as content
from courses.models import ClassSession, Enrolment, Room, Section, Term
from courses.services.checkin_tokens import checkin_open
from courses.services.session_changes import session_move_clashes
from lms.accounts.models import User

# Today's make-up session: its reason, when it starts (the next multiple of
# this many minutes), its length when the class has no weekly slot, and the
# shortest it may be cut to before another class of the teacher's.
MAKEUP_NOTE = "补课"
MAKEUP_ROUND = datetime.timedelta(minutes=10)
MAKEUP_LENGTH = datetime.timedelta(hours=2)
MAKEUP_SHORTEST = datetime.timedelta(minutes=20)


def today_class_ensure(*, term: Term, now: datetime.datetime) -> ClassSession | None:
    """A class of the demo teacher's today that is open for roll call and
    QR check-in at ``now``: unless one of his classes is open already, or
    this has run earlier today, a make-up session (补课, no weekly slot) of
    his ``term`` class with the demo student (else the one with the most
    students), as long as its weekly slot, starting at one of the next
    three ``MAKEUP_ROUND`` marks (late in the evening: ending at midnight,
    started earlier), cut short before another class of its teachers', in
    its room or another free one of the campus, without a clash (the
    admin's "add a session" rules). Returns the session added, or None."""
    teacher = User.objects.filter(phone=content.DEMO_TEACHER_PHONE).first()
    if teacher is None:
        return None
    day = timezone.localdate(now)
    day_start = datetime.datetime.combine(day, datetime.time(), timezone.get_current_timezone())
    day_end = day_start + datetime.timedelta(days=1)
    today = ClassSession.objects.filter(starts_at__gte=day_start, starts_at__lt=day_end)
    his = today.filter(section__teachers=teacher)
    if his.filter(slot__isnull=True, change_note=MAKEUP_NOTE).exists():
        return None  # added by an earlier run today
    if any(checkin_open(starts_at=s.starts_at, ends_at=s.ends_at, now=now)
           for s in his.filter(status=ClassSession.Status.SCHEDULED)
           .exclude(section__status=Section.Status.CANCELLED)):
        return None
    mother = Enrolment.objects.filter(section=OuterRef("pk"), status=Enrolment.Status.ENROLLED,
                                      person__phone=content.DEMO_STUDENT_PHONE)
    sections = (Section.objects.filter(term=term, teachers=teacher)
                .exclude(status=Section.Status.CANCELLED)
                .annotate(hers=Exists(mother), students=Count(
                    "enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED)))
                .select_related("campus", "room", "course").prefetch_related("slots", "teachers")
                .order_by("-hers", "-students", "course__title", "name"))
    for section in sections:
        session = _makeup_add(section=section, today=today, now=now, day_end=day_end)
        if session is not None:
            return session
    return None


def _makeup_add(*, section: Section, today, now: datetime.datetime,
                day_end: datetime.datetime) -> ClassSession | None:
    """The make-up session of ``section`` today, saved, or None if no time
    and room today are free of its teachers' and the room's other classes
    (the clash rules of the admin's "add a session" form)."""
    teacher_ids = sorted(t.pk for t in section.teachers.all())
    # Its teachers' other classes today bound it: after the last one over,
    # before the next one (none is running: it would be open already).
    earliest, latest = day_end - datetime.timedelta(days=1), day_end
    for other in (today.filter(status=ClassSession.Status.SCHEDULED,
                               section__teachers__in=teacher_ids)
                  .exclude(section__status=Section.Status.CANCELLED).distinct()):
        if other.ends_at <= now:
            earliest = max(earliest, other.ends_at)
        elif other.starts_at >= now:
            latest = min(latest, other.starts_at)
        else:
            return None  # a co-teacher is teaching now
    # Its own room, else one where its department teaches (a painting table
    # for calligraphy, not a computer), else any, else none.
    kin = Section.objects.filter(campus_id=section.campus_id, room=OuterRef("pk"),
                                 course__department_id=section.course.department_id)
    others = (Room.objects.filter(campus_id=section.campus_id).exclude(pk=section.room_id)
              .annotate(kin=Exists(kin)).order_by("-kin", "sort_order", "pk"))
    rooms = [*([section.room] if section.room else []), *others, None]
    times = _makeup_times(section, now=now, earliest=earliest, latest=latest, day_end=day_end)
    with transaction.atomic():
        # As in session_move: the teachers' rows, so that two additions queue.
        list(User.objects.select_for_update().filter(pk__in=teacher_ids).order_by("pk"))
        for room in rooms:
            for start, end in times:
                if session_move_clashes(session=ClassSession(section=section), starts_at=start,
                                        ends_at=end, room=room, teacher_ids=teacher_ids):
                    continue
                session = ClassSession(section=section, slot=None,
                                       origin_date=timezone.localdate(start),
                                       starts_at=start, ends_at=end, room=room,
                                       change_note=MAKEUP_NOTE)
                session.full_clean()
                session.save()
                log(instance=session, action="wagtail.create")
                return session
    return None


def _makeup_times(section: Section, *, now: datetime.datetime, earliest: datetime.datetime,
                  latest: datetime.datetime, day_end: datetime.datetime
                  ) -> list[tuple[datetime.datetime, datetime.datetime]]:
    """(start, end) pairs for a make-up session open for check-in at
    ``now``, as long as the class's weekly slot, inside ``earliest``–
    ``latest``: from the next ``MAKEUP_ROUND`` or a round or two later (its
    room may be free by then), cut short before ``latest``; late in the
    evening, started earlier and ending at midnight (``day_end``)."""
    slot = next(iter(section.slots.all()), None)
    length = MAKEUP_LENGTH
    if slot is not None:
        length = (datetime.datetime.combine(datetime.date.min, slot.end_time)
                  - datetime.datetime.combine(datetime.date.min, slot.start_time))
    day_start = day_end - datetime.timedelta(days=1)
    first = day_start + -((day_start - now) // MAKEUP_ROUND) * MAKEUP_ROUND
    times = []
    for start in (first, first + MAKEUP_ROUND, first + 2 * MAKEUP_ROUND):
        start = max(start, earliest)
        end = min(start + length, latest)
        if end == day_end and end - start < length:
            start = max(earliest, end - length)
        if (end - start >= MAKEUP_SHORTEST and (start, end) not in times
                and checkin_open(starts_at=start, ends_at=end, now=now)):
            times.append((start, end))
    return times
