"""Class sessions generated from a section's weekly slots over its term."""

import datetime
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from courses.cache import catalogue_changed
from courses.models import ClassSession, Section, TermDay


def term_teaching_days(*, term) -> Iterator[tuple[datetime.date, int]]:
    """Each date of ``term`` that holds classes, with the weekday whose
    timetable applies: holidays are skipped, make-up days follow the weekday
    they stand for, other days their own."""
    special = {day.date: day for day in TermDay.objects.filter(term=term)}
    day = term.start_date
    while day <= term.end_date:
        entry = special.get(day)
        if entry is None:
            yield day, day.weekday()
        elif entry.kind == TermDay.Kind.MAKEUP:
            yield day, entry.follows_weekday
        day += datetime.timedelta(days=1)


def _aware(day: datetime.date, time: datetime.time) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, time))


@transaction.atomic
def sessions_generate(*, section: Section, now: datetime.datetime | None = None) -> dict:
    """Bring the section's future sessions in line with its weekly slots.

    Creates the sessions the timetable asks for, updates the times and room
    of future sessions that were not moved by hand, and deletes future
    sessions no timetable date asks for any more. Sessions that have started
    are never touched, nor are cancelled or moved ones. Returns counts:
    ``{"created": n, "updated": n, "deleted": n}``.
    """
    now = now or timezone.now()
    slots = list(section.slots.all())
    wanted: dict[tuple[int, datetime.date], tuple[datetime.datetime, datetime.datetime]] = {}
    for day, weekday in term_teaching_days(term=section.term):
        for slot in slots:
            if slot.weekday == weekday:
                start, end = _aware(day, slot.start_time), _aware(day, slot.end_time)
                if start > now:
                    wanted[(slot.pk, day)] = (start, end)

    counts = {"created": 0, "updated": 0, "deleted": 0}
    future = ClassSession.objects.select_for_update().filter(section=section, starts_at__gt=now)
    existing = {(s.slot_id, s.origin_date): s for s in future}
    for key, session in existing.items():
        if key in wanted:
            continue
        if session.moved or session.status == ClassSession.Status.CANCELLED:
            continue  # a person decided about this one; leave it
        session.delete()
        counts["deleted"] += 1

    missing = [key for key in wanted if key not in existing]
    # Sessions that started already (or are past) are never touched.
    started = set(
        ClassSession.objects.filter(section=section).values_list("slot_id", "origin_date")
    ) if missing else set()
    new = [
        ClassSession(section=section, slot_id=slot_id, origin_date=day,
                     starts_at=wanted[(slot_id, day)][0], ends_at=wanted[(slot_id, day)][1],
                     room=section.room)
        for slot_id, day in missing if (slot_id, day) not in started
    ]
    if new:
        # One insert (a term's sessions for a class); bulk_create sends no
        # post_save, so the cached pages are made stale here.
        ClassSession.objects.bulk_create(new)
        catalogue_changed()
        counts["created"] = len(new)
    for (slot_id, day), (start, end) in wanted.items():
        session = existing.get((slot_id, day))
        if session is None:
            continue
        if not session.moved and session.status == ClassSession.Status.SCHEDULED and (
            session.starts_at != start or session.ends_at != end
            or session.room_id != section.room_id
        ):
            session.starts_at, session.ends_at, session.room = start, end, section.room
            session.sequence += 1
            session.save(update_fields=["starts_at", "ends_at", "room", "sequence", "updated_at"])
            counts["updated"] += 1
    return counts
