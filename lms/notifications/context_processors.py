def inbox(request):
    """Unread count for the header badge (one cheap query, only when signed in)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"inbox_unread": 0}
    from .selectors import inbox_unread_count

    return {"inbox_unread": inbox_unread_count(user=user)}
