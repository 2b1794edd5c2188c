"""Timetable clashes: the same room, or the same teacher, at overlapping
times in overlapping terms."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from courses.models import Section, SectionSlot


@dataclass(frozen=True)
class Clash:
    slot: SectionSlot
    other: Section
    reason: str  # "room" or "teacher"
    teacher_name: str = ""

    def message(self) -> str:
        when = str(self.slot)
        if self.reason == "room":
            return _("%(room)s is already used at %(when)s by %(other)s.") % {
                "room": self.other.room.name, "when": when, "other": self._other_label(),
            }
        return _("%(teacher)s already teaches %(other)s at %(when)s.") % {
            "teacher": self.teacher_name, "when": when, "other": self._other_label(),
        }

    def _other_label(self) -> str:
        return f"{self.other.course.title} {self.other.name}（{self.other.campus.title}）"


def section_clashes(
    *, section: Section, slots: list[SectionSlot], room=None, teachers=None
) -> list[Clash]:
    """Clashes the section would have with its ``slots``, ``room`` and
    ``teachers`` (defaults: what is saved). Cancelled sections never clash.
    Pass the unsaved values from a form to check before saving."""
    room = section.room if room is None and section.pk else room
    if teachers is None:
        teachers = list(section.teachers.all()) if section.pk else []
    teacher_ids = {t.pk for t in teachers}
    names = {t.pk: str(t) for t in teachers}

    others = (
        Section.objects.exclude(pk=section.pk)
        .exclude(status=Section.Status.CANCELLED)
        .filter(term__start_date__lte=section.term.end_date,
                term__end_date__gte=section.term.start_date)
        .select_related("course", "campus", "room")
        .prefetch_related("slots", "teachers")
    )
    if room is not None and teacher_ids:
        from django.db.models import Q

        others = others.filter(Q(room=room) | Q(teachers__in=teacher_ids)).distinct()
    elif room is not None:
        others = others.filter(room=room)
    elif teacher_ids:
        others = others.filter(teachers__in=teacher_ids).distinct()
    else:
        return []

    clashes: list[Clash] = []
    for other in others:
        for slot in slots:
            for other_slot in other.slots.all():
                if other_slot.weekday != slot.weekday:
                    continue
                if not (slot.start_time < other_slot.end_time
                        and other_slot.start_time < slot.end_time):
                    continue
                if room is not None and other.room_id == room.pk:
                    clashes.append(Clash(slot=slot, other=other, reason="room"))
                shared = teacher_ids & {t.pk for t in other.teachers.all()}
                for teacher_id in sorted(shared):
                    clashes.append(Clash(slot=slot, other=other, reason="teacher",
                                         teacher_name=names[teacher_id]))
    return clashes
