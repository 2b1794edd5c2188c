"""Template context for every page: whether the signed-in person takes
roll call (the header's 点名 link, My classes' button)."""

from courses.attendance_selectors import takes_roll_call


def roll_call(request):
    """``takes_roll_call``, asked only when a template reads it (the header
    reads it for signed-in people only): anonymous visitors' pages and their
    kept header fragment make no query for it."""
    user = getattr(request, "user", None)
    if user is None:
        return {"takes_roll_call": False}
    return {"takes_roll_call": lambda: takes_roll_call(user)}
