"""The inbox: a person's own notifications (我的消息)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@login_required
@require_GET
def inbox(request):
    page = selectors.inbox_for(user=request.user, page=request.GET.get("page"))
    return render(
        request,
        "notifications/inbox.html",
        {
            "page_obj": page,
            "notifications": page.object_list,
            "unread_count": selectors.inbox_unread_count(user=request.user),
        },
    )


@login_required
@require_POST
def mark_all_read(request):
    changed = services.notification_mark_read(user=request.user)
    if changed:
        messages.success(request, _("All messages are marked as read."))
    return redirect("notifications:inbox")


@login_required
@require_GET
def detail(request, pk: int):
    """Show one notification in full; opening it marks it read. With
    ``?follow=1`` it goes straight on to the notification's link."""
    notification = selectors.notification_for(user=request.user, notification_id=pk)
    if notification is None:
        raise Http404
    was_unread = not notification.is_read
    if was_unread:
        services.notification_mark_read(user=request.user, notification_ids=[pk])
    if request.GET.get("follow") and notification.url:
        # The link was validated when the notification was sent (site path or http[s]).
        return redirect(notification.url)
    return render(
        request,
        "notifications/detail.html",
        {"notification": notification, "was_unread": was_unread},
    )
