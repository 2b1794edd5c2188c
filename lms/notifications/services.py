"""Writes for notifications: send a notice, mark notices read, and perform
one channel's delivery exactly once."""

import logging
from collections.abc import Iterable
from functools import partial

from celery.exceptions import Retry
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from lms import sms

from .models import Delivery, Notification

logger = logging.getLogger(__name__)

Channel = Delivery.Channel
Kind = Notification.Kind
Status = Delivery.Status

_ALL = (Channel.INBOX, Channel.EMAIL, Channel.SMS)

# Channels a kind uses when the caller does not choose. The inbox is always on.
DEFAULT_CHANNELS: dict[str, tuple[str, ...]] = {
    Kind.ENROLMENT_RESULT: _ALL,
    Kind.WAITLIST_PROMOTION: _ALL,
    Kind.WAITLIST_OFFER: _ALL,
    Kind.SESSION_CHANGED: _ALL,
    Kind.SESSION_CANCELLED: _ALL,
    Kind.LEAVE_DECISION: (Channel.INBOX, Channel.SMS),
    Kind.GENERAL: (Channel.INBOX,),
}

# Statuses after which a delivery is never attempted again.
DONE = frozenset({Status.SENT, Status.SKIPPED, Status.FAILED})

SMS_TEXT_LIMIT = 140


class DeliveryError(Exception):
    """A channel backend failed to hand over a message; the task retries."""


def notification_send(
    *,
    recipient,
    kind: str,
    title: str,
    body: str,
    url: str = "",
    channels: Iterable[str] | None = None,
    actor=None,
    dedupe_key: str = "",
) -> Notification:
    """Notify one person, in the caller's transaction.

    Creates the notification and one ``Delivery`` per channel: the inbox copy
    is sent at once; e-mail is skipped without an address and SMS without a
    mobile number; the others stay pending. Channels default to
    ``DEFAULT_CHANNELS[kind]``.

    With a ``dedupe_key`` already used for this recipient, nothing is created
    and the earlier notification is returned (also under a concurrent race).

    Delivery tasks are enqueued only after the caller's transaction commits
    (nothing is sent if it rolls back). A failed enqueue (broker down) is
    logged, never raised: the pending row stays and ``redeliver_pending``
    sends it later. Raises ``ValidationError`` for an unknown kind or
    channel or invalid fields.
    """
    if kind not in Kind.values:
        raise ValidationError({"kind": _("Unknown kind of notification.")})
    wanted = set(DEFAULT_CHANNELS[kind] if channels is None else channels)
    if wanted - set(Channel.values):
        raise ValidationError({"channels": _("Unknown delivery channel.")})
    wanted.add(Channel.INBOX)
    dedupe_key = (dedupe_key or "").strip()

    with transaction.atomic():
        if dedupe_key:
            existing = _find_duplicate(recipient=recipient, dedupe_key=dedupe_key)
            if existing is not None:
                return existing
        notification = Notification(
            recipient=recipient,
            actor=actor,
            kind=kind,
            title=title.strip(),
            body=body.strip(),
            url=url.strip(),
            dedupe_key=dedupe_key,
        )
        # The dedupe constraint is enforced by the insert below, race-safely.
        notification.full_clean(validate_constraints=False)
        try:
            with transaction.atomic():
                notification.save()
        except IntegrityError:
            if not dedupe_key:
                raise
            # A concurrent caller notified the same event first.
            return Notification.objects.get(recipient=recipient, dedupe_key=dedupe_key)

        now = timezone.now()
        for channel in Channel.values:
            if channel not in wanted:
                continue
            delivery = Delivery(notification=notification, channel=channel)
            if channel == Channel.INBOX:
                # Nothing to hand over: the row itself is the inbox copy.
                delivery.status, delivery.sent_at, delivery.attempts = Status.SENT, now, 1
            elif not _address(recipient, channel):
                delivery.status = Status.SKIPPED
                delivery.last_error = "no address for this channel"
            delivery.save()
            if delivery.status == Status.PENDING:
                transaction.on_commit(partial(delivery_enqueue, delivery_id=delivery.pk))
    return notification


def _find_duplicate(*, recipient, dedupe_key: str) -> Notification | None:
    return Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()


def _address(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    if channel == Channel.SMS:
        return user.phone or ""
    return ""


def delivery_enqueue(*, delivery_id: int) -> bool:
    """Hand one delivery to the task queue. Never raises: when the broker is
    unreachable the failure is logged and ``False`` returned; the row stays
    pending for ``redeliver_pending``."""
    from .tasks import deliver

    try:
        if deliver.app.conf.task_always_eager:
            _run_in_process(deliver, delivery_id)
        else:
            # No publish retries: a broker outage must not hold up the caller.
            deliver.apply_async(args=(delivery_id,), retry=False)
    except Exception:
        logger.warning(
            "Delivery %s was not queued (or failed at once); it stays pending "
            "and will be retried by redeliver_pending.",
            delivery_id,
            exc_info=True,
        )
        return False
    return True


def _run_in_process(task, delivery_id: int) -> None:
    """Eager mode (no broker): run the task now with its retries back to
    back, as a worker would without the waits. After the last retry the
    delivery is marked failed and the error raised (the caller logs it)."""
    retries = 0
    while True:
        try:
            task.apply(args=(delivery_id,), retries=retries, throw=True)
            return
        except Retry:
            retries += 1
        except Exception as exc:
            # A propagating eager run skips the task's on_failure; do its work.
            delivery_mark_failed(delivery_id=delivery_id, error=str(exc))
            raise


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or only the given
    ids). Other people's ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def delivery_perform(*, delivery_id: int) -> Delivery | None:
    """Send one pending delivery through its channel backend, at most once.

    Locks the ``Delivery`` row (``select_for_update``) for the whole send, so
    concurrent or repeated runs wait on the lock and then find it done; a
    delivery already sent, skipped or failed is returned untouched. Returns
    ``None`` when the row no longer exists.

    On a backend failure the attempt and error are saved (committed) and
    ``DeliveryError`` is raised so that the calling task retries.
    """
    failure: Exception | None = None
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in DONE:
            return delivery
        delivery.attempts += 1
        fields = ["status", "attempts", "last_error", "sent_at", "updated_at"]
        address = _address(delivery.notification.recipient, delivery.channel)
        if delivery.channel != Channel.INBOX and not address:
            delivery.status, delivery.last_error = Status.SKIPPED, "no address for this channel"
            delivery.save(update_fields=fields)
            return delivery
        try:
            _hand_over(delivery, address)
        except Exception as exc:  # any backend error: record it, let the task retry
            failure = exc
            delivery.last_error = f"{type(exc).__name__}: {exc}"[:1000]
        else:
            delivery.status, delivery.sent_at, delivery.last_error = Status.SENT, timezone.now(), ""
        delivery.save(update_fields=fields)
    if failure is not None:
        raise DeliveryError(delivery.last_error) from failure
    return delivery


def delivery_mark_failed(*, delivery_id: int, error: str = "") -> bool:
    """Give up on a pending delivery (after the last retry). Returns whether
    a row changed; a delivery sent in the meantime stays sent."""
    changed = Delivery.objects.filter(pk=delivery_id, status=Status.PENDING).update(
        status=Status.FAILED, last_error=error[:1000], updated_at=timezone.now()
    )
    return bool(changed)


def _hand_over(delivery: Delivery, address: str) -> None:
    notification = delivery.notification
    if delivery.channel == Channel.INBOX:
        return
    with translation.override(settings.LANGUAGE_CODE):
        if delivery.channel == Channel.EMAIL:
            send_mail(
                subject=notification.title,
                message=_email_text(notification),
                from_email=None,
                recipient_list=[address],
                fail_silently=False,
            )
        elif delivery.channel == Channel.SMS:
            sms.send_sms(phone=address, message=_sms_text(notification))


def _absolute(url: str) -> str:
    if url.startswith("/"):
        return settings.WAGTAILADMIN_BASE_URL.rstrip("/") + url
    return url


def _email_text(notification: Notification) -> str:
    parts = [notification.body]
    if notification.url:
        parts.append(_("Details: %(url)s") % {"url": _absolute(notification.url)})
    parts.append(_("You can also read this notice in “My messages” on our website."))
    return "\n\n".join(parts)


def _sms_text(notification: Notification) -> str:
    text = f"{notification.title}：{notification.body}"
    if len(text) > SMS_TEXT_LIMIT:
        text = text[: SMS_TEXT_LIMIT - 1] + "…"
    return text
