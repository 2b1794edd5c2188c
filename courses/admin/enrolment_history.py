"""The audit history of one enrolment as the admin shows it: when, who
acted, what, and the details in words (statuses and classes by name, not
codes). A move is logged on the new row and names the old one, so the old
row's history shows it too."""

from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from courses.models import Enrolment, EnrolmentLogEntry, LotteryEntry, Section

DATA_LABELS = {
    "status": gettext_lazy("status"),
    "source": gettext_lazy("source"),
    "from": gettext_lazy("from"),
    "to": gettext_lazy("to"),
    "from_status": gettext_lazy("before"),
    "from_section": gettext_lazy("from class"),
    "to_section": gettext_lazy("to class"),
    "reason": gettext_lazy("reason"),
    "note": gettext_lazy("note"),
    "outcome": gettext_lazy("outcome"),
    "rank": gettext_lazy("place in the draw"),
}
# Codes never shown: the ids behind the words above.
HIDDEN = {"from_enrolment", "draw", "rerun", "offer_expires_at"}


def _value_labels() -> dict:
    labels = {}
    for choices in (LotteryEntry.Outcome.choices, Enrolment.Fee.choices,
                    Enrolment.Source.choices, Enrolment.Status.choices):
        labels.update({value: str(label) for value, label in choices})
    return labels


def _section_names(entries) -> dict[int, str]:
    ids = {value for entry in entries for key, value in (entry.data or {}).items()
           if key.endswith("section") and isinstance(value, int)}
    return {section.pk: f"{section.course.title} {section.name}"
            for section in Section.objects.filter(pk__in=ids).select_related("course")}


def data_text(data: dict, *, sections: dict[int, str], values: dict) -> str:
    """An audit row's data as "label: value" pairs in words."""
    parts = []
    # A fixed order: PostgreSQL's jsonb does not keep the order keys were written in.
    order = {key: n for n, key in enumerate(DATA_LABELS)}
    for key, value in sorted((data or {}).items(), key=lambda kv: (order.get(kv[0], 99), kv[0])):
        if key in HIDDEN or value in (None, ""):
            continue
        if key.endswith("section"):
            value = sections.get(value, value)
        elif isinstance(value, str):
            value = values.get(value, value)
        parts.append(f"{DATA_LABELS.get(key, key)}: {value}")
    return " · ".join(parts)


def enrolment_history(enrolment: Enrolment) -> list[dict]:
    """The enrolment's audit rows, newest first: ``when``, ``who`` (the
    person who acted, or the system), ``what`` and ``data`` as text."""
    entries = list(
        EnrolmentLogEntry.objects.filter(
            Q(enrolment=enrolment) | Q(action="courses.enrolment.move",
                                       data__from_enrolment=enrolment.pk)
        )
        .select_related("user", "user__profile")
        .order_by("-timestamp", "-pk")
    )
    sections, values = _section_names(entries), _value_labels()
    return [
        {
            "when": entry.timestamp,
            "who": entry.user.display_name if entry.user_id else _("The system"),
            "what": entry.message,
            "data": data_text(entry.data, sections=sections, values=values),
        }
        for entry in entries
    ]
