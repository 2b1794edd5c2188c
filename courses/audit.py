"""The audit trail of enrolments (DESIGN rule 9), on Wagtail's audit log:
every change writes an ``EnrolmentLogEntry`` saying who acted (``user``),
for whom (``person``), what (``action`` and ``data``) and when, in the
same transaction as the change. Entries show in the admin's site history."""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from courses.models import Enrolment, EnrolmentLogEntry

# action: (label, message shown in the history)
ENROLMENT_ACTIONS = {
    "courses.enrolment.enrol": (_("Enrol"), _("Enrolled in the class")),
    "courses.enrolment.apply": (_("Request"), _("Asked for a place (lottery)")),
    "courses.enrolment.waitlist": (_("Waiting list"), _("Joined the waiting list")),
    "courses.enrolment.promote": (_("Promote"), _("Given a freed place from the waiting list")),
    "courses.enrolment.offer": (_("Offer"), _("Offered a freed place")),
    "courses.enrolment.accept": (_("Accept offer"), _("Accepted the offered place")),
    "courses.enrolment.expire": (_("Offer expired"), _("The offered place was not accepted in time")),
    "courses.enrolment.withdraw": (_("Withdraw"), _("Withdrew from the class")),
    "courses.enrolment.draw": (_("Lottery"), _("Lottery outcome")),
    "courses.enrolment.move": (_("Move"), _("Moved to another class")),
    "courses.enrolment.fee": (_("Fee"), _("Fee status recorded")),
}


def register_enrolment_log_actions(actions) -> None:
    """The ``register_log_actions`` hook (courses/wagtail_hooks.py)."""
    actions.register_model(Enrolment, EnrolmentLogEntry)
    for action, (label, message) in ENROLMENT_ACTIONS.items():
        actions.register_action(action, label, message)


def enrolment_log(*, enrolment: Enrolment, action: str, actor=None,
                  data: dict | None = None) -> EnrolmentLogEntry:
    """Write the audit row of a change to ``enrolment`` made by ``actor``
    (None: the system, e.g. a lottery or an expired offer). Call it inside
    the service's transaction. Raises ``KeyError`` for an unknown action."""
    if action not in ENROLMENT_ACTIONS:
        raise KeyError(action)
    entry = log(enrolment, action, user=actor, data=data or {})
    if entry is None:  # Wagtail skips models without a registered log model
        raise RuntimeError("EnrolmentLogEntry is not registered for Enrolment")
    return entry
