"""Signals the teaching side sends, for other modules to react to.

Receivers run after the change has been committed (services send them with
``transaction.on_commit``), so they may enqueue work or read the new state.
"""

from django.dispatch import Signal

# A class session was cancelled or moved.
# kwargs: session (ClassSession, as saved), change ("cancelled" or "moved"),
# actor (the User who made the change, or None for the system).
session_changed = Signal()
