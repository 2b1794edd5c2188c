"""Read-only admin for notifications: superusers and school admins can list,
filter, search and inspect notices and how each channel was delivered, but
never edit. Nobody else sees them here, whatever model permissions they hold.

Party-side notification kinds (from branches_school) are for the party side
only (DESIGN §8); when they exist, the party module will filter them out of
this list for school admins and give the party side its own view."""

import django_filters
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import Column, DateColumn
from wagtail.admin.views.generic import IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from lms.accounts import roles

from .models import Delivery, Notification


class ReadOnlyNotificationPolicy(ModelPermissionPolicy):
    """Nobody adds, edits or deletes notifications in the admin (they are
    records of what was sent). Only superusers and school admins may look:
    a ``view_notification`` permission alone is not enough."""

    def user_has_permission(self, user, action):
        if action != "view" or not user.is_active:
            return False
        return user.is_superuser or roles.has_role(user, roles.SCHOOL_ADMIN)


register_permission_policy(Notification, ReadOnlyNotificationPolicy(Notification))


class NotificationFilterSet(WagtailFilterSet):
    channel = django_filters.ChoiceFilter(
        label=_("Channel"), choices=Delivery.Channel.choices, method="filter_delivery"
    )
    delivery_status = django_filters.ChoiceFilter(
        label=_("Delivery status"), choices=Delivery.Status.choices, method="filter_delivery"
    )

    class Meta:
        model = Notification
        fields = ["kind"]

    def filter_delivery(self, queryset, name, value):
        # Both filters describe the same delivery row, so they are applied
        # together in filter_queryset.
        return queryset

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        lookups = {}
        if channel := self.form.cleaned_data.get("channel"):
            lookups["channel"] = channel
        if status := self.form.cleaned_data.get("delivery_status"):
            lookups["status"] = status
        if lookups:
            queryset = queryset.filter(
                pk__in=Delivery.objects.filter(**lookups).values("notification_id")
            )
        return queryset


class NotificationIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("recipient", "recipient__profile")


class NotificationInspectView(InspectView):
    def get_field_label(self, field_name, field):
        if field_name == "delivery_summary":
            return _("Deliveries")
        return super().get_field_label(field_name, field)

    def get_delivery_summary_display_value(self):
        rows = self.object.deliveries.order_by("channel")
        return "; ".join(
            f"{d.get_channel_display()}: {d.get_status_display()}"
            + (f" ({d.last_error})" if d.last_error and d.status != Delivery.Status.SENT else "")
            for d in rows
        ) or "-"


class NotificationViewSet(ModelViewSet):
    model = Notification
    icon = "mail"
    menu_label = _("Notifications")
    menu_order = 900
    add_to_admin_menu = True
    index_view_class = NotificationIndexView
    inspect_view_class = NotificationInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    form_fields = []  # required by ModelViewSet; the policy refuses add and edit
    list_display = [
        "title",
        Column("recipient", label=_("recipient")),
        "kind",
        DateColumn("created_at", label=_("sent at")),
        DateColumn("read_at", label=_("read at")),
    ]
    filterset_class = NotificationFilterSet
    search_fields = ["title", "recipient__phone"]
    search_backend_name = None  # plain database lookups; Notification is not indexed
    ordering = ["-created_at"]
    inspect_view_fields = [
        "recipient",
        "kind",
        "title",
        "body",
        "url",
        "created_at",
        "read_at",
        "actor",
        "dedupe_key",
        "delivery_summary",
    ]


@hooks.register("register_admin_viewset")
def register_notification_viewset():
    return NotificationViewSet("notification")
