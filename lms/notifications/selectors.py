"""Reads for notifications. Every query is limited to one person's notices."""

from django.core.paginator import Page, Paginator
from django.db.models import QuerySet

from .models import Notification

INBOX_PAGE_SIZE = 20


def inbox_unread_count(*, user) -> int:
    """How many of the user's notifications are unread (one COUNT query)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def inbox_queryset(*, user) -> QuerySet[Notification]:
    """The user's notifications, newest first."""
    return Notification.objects.filter(recipient=user).order_by("-created_at", "-id")


def inbox_for(*, user, page: int | str | None = 1, per_page: int = INBOX_PAGE_SIZE) -> Page:
    """One page of the user's inbox, newest first. A page number out of
    range gives the last page, a non-number the first."""
    return Paginator(inbox_queryset(user=user), per_page).get_page(page)


def notification_for(*, user, notification_id: int) -> Notification | None:
    """The user's own notification with this id, or ``None`` (also when it
    belongs to someone else)."""
    return inbox_queryset(user=user).filter(pk=notification_id).first()
