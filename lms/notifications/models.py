"""Notices to a person (通知) and their delivery, one row per channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

# Re-exported: migration 0001 refers to lms.notifications.models.validate_link.
from lms.validators import validate_link

# The shared validator's message, named here so that this app's makemessages
# keeps it in this catalogue (the one that translates it); keep it identical.
gettext_noop("A link must start with “/”, “http://” or “https://”.")


class Notification(models.Model):
    """One notice to one person. It always shows in their inbox; e-mail and
    SMS copies are tracked by ``Delivery`` rows."""

    class Kind(models.TextChoices):
        ENROLMENT_RESULT = "enrolment_result", _("Enrolment result")
        WAITLIST_PROMOTION = "waitlist_promotion", _("Waitlist promotion")
        WAITLIST_OFFER = "waitlist_offer", _("Waitlist offer")
        SESSION_CHANGED = "session_changed", _("Class session changed")
        SESSION_CANCELLED = "session_cancelled", _("Class session cancelled")
        LEAVE_DECISION = "leave_decision", _("Leave request decision")
        GENERAL = "general", _("General notice")

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("school"),
        help_text=_("The school's site that sent the notice; links in e-mails point to it."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=120)
    body = models.TextField(_("message"), max_length=2000)
    url = models.CharField(_("link"), max_length=500, blank=True, validators=[validate_link])
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    dedupe_key = models.CharField(
        _("event key"),
        max_length=200,
        blank=True,
        default="",
        help_text=_("The same event never notifies the same person twice."),
    )

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key"],
                condition=~models.Q(dedupe_key=""),
                name="notification_dedupe_per_recipient",
            ),
        ]
        indexes = [
            models.Index(
                fields=["recipient", "read_at", "-created_at"], name="notification_inbox_idx"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class Delivery(models.Model):
    """One channel's copy of a notification. Its status moves
    pending → sending → sent, or back to pending after a failed attempt;
    pending → skipped | failed end it. A sent copy is never sent again.

    ``sending`` is a lease: one sender holds the row until ``lease_until``;
    after that (the sender crashed) it may be claimed again."""

    class Channel(models.TextChoices):
        INBOX = "inbox", _("Inbox")
        EMAIL = "email", _("E-mail")
        SMS = "sms", _("SMS")

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting to send")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Not sent")

    notification = models.ForeignKey(
        Notification,
        on_delete=models.CASCADE,
        related_name="deliveries",
        verbose_name=_("notification"),
    )
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    lease_until = models.DateTimeField(
        _("being sent until"),
        null=True,
        blank=True,
        help_text=_("While sending, no other sender touches the delivery before this time."),
    )

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "channel"], name="delivery_one_per_channel"
            ),
            models.CheckConstraint(
                condition=~models.Q(status="sending") | models.Q(lease_until__isnull=False),
                name="delivery_sending_has_lease",
            ),
        ]
        indexes = [
            # The redelivery sweep looks for old pending rows.
            models.Index(fields=["status", "updated_at"], name="delivery_status_idx"),
        ]

    def __str__(self):
        return f"{self.get_channel_display()}: {self.get_status_display()}"
