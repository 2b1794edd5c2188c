"""Signals the teaching side sends, for other modules to react to.

Receivers run after the change has been committed (services send them with
``transaction.on_commit``), so they may enqueue work or read the new state.
"""

from django.dispatch import Signal

# A class session was cancelled or moved.
# kwargs: session (ClassSession, as saved), change ("cancelled" or "moved"),
# actor (the User who made the change, or None for the system).
session_changed = Signal()

# An attendance record was created or its status changed (a repeated tap
# that changes nothing sends nothing).
# kwargs: attendance (Attendance, as saved), session (ClassSession), person
# (User), old_status (None when the record is new), new_status, actor (the
# User who recorded it, or None for the system).
attendance_changed = Signal()
