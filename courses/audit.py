"""The audit trail of enrolments and attendance (DESIGN rule 9), on
Wagtail's audit log: every change writes an ``EnrolmentLogEntry`` (or an
``AttendanceLogEntry``) saying who acted (``user``), for whom (``person``),
what (``action`` and ``data``) and when, in the same transaction as the
change. Entries show in the admin's site history."""

from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from courses.models import (
    Attendance,
    AttendanceLogEntry,
    Enrolment,
    EnrolmentLogEntry,
    LeaveRequest,
)

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


# Attendance records and leave requests share one log model.
ATTENDANCE_ACTIONS = {
    "courses.attendance.mark": (_("Attendance"), _("Attendance recorded")),
    "courses.attendance.correct": (_("Attendance corrected"),
                                   _("Attendance corrected by staff")),
    "courses.leave.request": (_("Leave asked"), _("Asked for leave")),
    "courses.leave.approve": (_("Leave approved"), _("Leave approved")),
    "courses.leave.refuse": (_("Leave refused"), _("Leave refused")),
    "courses.leave.withdraw": (_("Leave withdrawn"), _("Leave request withdrawn")),
}


def register_enrolment_log_actions(actions) -> None:
    """The ``register_log_actions`` hook (courses/wagtail_hooks.py): the
    enrolment actions, then the attendance ones."""
    actions.register_model(Enrolment, EnrolmentLogEntry)
    for action, (label, message) in ENROLMENT_ACTIONS.items():
        actions.register_action(action, label, message)
    register_attendance_log_actions(actions)


def register_attendance_log_actions(actions) -> None:
    actions.register_model(Attendance, AttendanceLogEntry)
    actions.register_model(LeaveRequest, AttendanceLogEntry)
    for action, (label, message) in ATTENDANCE_ACTIONS.items():
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


def attendance_log(*, instance: Attendance | LeaveRequest, action: str, actor=None,
                   data: dict | None = None) -> AttendanceLogEntry:
    """Write the audit row of a change to an attendance record or a leave
    request made by ``actor`` (None: the system). Call it inside the
    service's transaction. Raises ``KeyError`` for an unknown action."""
    if action not in ATTENDANCE_ACTIONS:
        raise KeyError(action)
    entry = log(instance, action, user=actor, data=data or {})
    if entry is None:  # Wagtail skips models without a registered log model
        raise RuntimeError(f"AttendanceLogEntry is not registered for {type(instance).__name__}")
    return entry
