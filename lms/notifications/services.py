"""Writes for notifications: send a notice, mark notices read, and perform
one channel's delivery (claimed under a lease, sent outside any transaction)."""

import logging
from collections.abc import Iterable
from datetime import timedelta
from functools import partial

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import get_connection, send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from wagtail.models import Site

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

# How long a sender holds a delivery it is sending. A sender that crashed
# lets go when this runs out. It must outlast SEND_TIMEOUT.
DELIVERY_LEASE = timedelta(minutes=5)
# An SMTP connection without a timeout could outlive the lease.
SEND_TIMEOUT = 60  # seconds, unless settings.EMAIL_TIMEOUT is set
# Attempts before a delivery ends as failed (the task's retries + 1).
DELIVERY_MAX_ATTEMPTS = 7

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
    site: Site | None = None,
) -> Notification:
    """Notify one person, in the caller's transaction.

    Creates the notification and one ``Delivery`` per channel: the inbox copy
    is sent at once; e-mail is skipped without an address and SMS without a
    mobile number; the others stay pending. Channels default to
    ``DEFAULT_CHANNELS[kind]``. ``site`` is the school sending the notice
    (links in e-mails point to its host); without it, the default site.

    With a ``dedupe_key`` already used for this recipient, nothing is created
    and the earlier notification is returned (also under a concurrent race).

    Delivery tasks are enqueued only after the caller's transaction commits
    (nothing is sent if it rolls back). A failed enqueue (broker down), or in
    eager mode a failed attempt, is logged, never raised: the pending row
    stays and ``redeliver_pending`` sends it later. Raises ``ValidationError`` for an unknown kind or
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
            site=site or _default_site(),
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


def _default_site() -> Site | None:
    return Site.objects.filter(is_default_site=True).first()


def _find_duplicate(*, recipient, dedupe_key: str) -> Notification | None:
    return Notification.objects.filter(recipient=recipient, dedupe_key=dedupe_key).first()


def _address(user, channel: str) -> str:
    if channel == Channel.EMAIL:
        return user.email or ""
    if channel == Channel.SMS:
        return user.phone or ""
    return ""


def delivery_enqueue(*, delivery_id: int) -> bool:
    """Hand one delivery to the task queue and return whether it was handed
    over (or, in eager mode, sent). Never raises.

    With a broker: one publish without retries, so that a broker outage never
    holds up the caller; on failure the row stays pending for
    ``redeliver_pending``. Celery's retries with backoff apply in the worker.

    Eager mode (no broker): one attempt in this process, see
    ``_deliver_in_process``.
    """
    from .tasks import deliver

    if deliver.app.conf.task_always_eager:
        return _deliver_in_process(delivery_id)
    try:
        deliver.apply_async(args=(delivery_id,), retry=False)
    except Exception:
        logger.warning(
            "Delivery %s was not queued; it stays pending and will be retried "
            "by redeliver_pending.",
            delivery_id,
            exc_info=True,
        )
        return False
    return True


def _deliver_in_process(delivery_id: int) -> bool:
    """Eager mode: try the delivery once, now. A failure is logged, never
    raised, and never retried here (the caller may be a web request): the
    delivery stays pending with its error for ``redeliver_pending`` or a later
    send. After ``DELIVERY_MAX_ATTEMPTS`` failed attempts it ends as failed,
    as it would after a worker's last retry."""
    try:
        delivery_perform(delivery_id=delivery_id)
    except Exception as exc:
        logger.warning(
            "Delivery %s failed; it stays pending and will be retried by redeliver_pending.",
            delivery_id,
            exc_info=True,
        )
        Delivery.objects.filter(
            pk=delivery_id, status=Status.PENDING, attempts__gte=DELIVERY_MAX_ATTEMPTS
        ).update(status=Status.FAILED, last_error=str(exc)[:1000], updated_at=timezone.now())
        return False
    return True


def notification_mark_read(*, user, notification_ids: Iterable[int] | None = None) -> int:
    """Mark the user's unread notifications read (all, or only the given
    ids). Other people's ids are ignored. Returns how many changed."""
    unread = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(pk__in=list(notification_ids))
    return unread.update(read_at=timezone.now())


def delivery_perform(*, delivery_id: int) -> Delivery | None:
    """Send one delivery through its channel backend, with no database
    transaction open while the backend talks to the provider.

    1. Claim, in a short transaction that locks the row
       (``select_for_update``; on SQLite the IMMEDIATE transaction): a
       delivery that is done (sent, skipped, failed) or being sent by another
       run (``sending`` with a lease in the future) is returned untouched.
       Otherwise it becomes ``sending`` with a lease of ``DELIVERY_LEASE`` and
       one more attempt, and the transaction commits. Without an address the
       delivery is skipped instead.
    2. Hand over to the backend, outside any transaction.
    3. Record the outcome in a second short write: ``sent``; or, on a
       backend error, back to ``pending`` with ``last_error``, then raise
       ``DeliveryError`` so that the calling task retries.

    A message goes out at most once per successful run: concurrent and
    repeated runs find the row claimed or done. One gap remains: if this
    process dies after the provider accepted the message but before step 3
    commits, the lease expires and the delivery is sent again (at least
    once, rather than never). ``DELIVERY_LEASE`` must outlast the backend's
    own timeout (``SEND_TIMEOUT`` for e-mail), or a slow send could overlap
    a second one.

    Returns ``None`` when the row no longer exists. Must not be called
    inside a transaction (``RuntimeError``): the claim has to commit before
    the send.
    """
    delivery, claimed = _delivery_claim(delivery_id)
    if not claimed:
        return delivery
    address = _address(delivery.notification.recipient, delivery.channel)
    try:
        _hand_over(delivery, address)
    except Exception as exc:  # any backend error: record it, let the task retry
        error = f"{type(exc).__name__}: {exc}"[:1000]
        _delivery_release(delivery, error=error)
        raise DeliveryError(error) from exc
    _delivery_finish(delivery)
    return delivery


def _delivery_claim(delivery_id: int) -> tuple[Delivery | None, bool]:
    """Step 1 of ``delivery_perform``: (the delivery, whether this run now
    holds its lease)."""
    with transaction.atomic(durable=True):
        delivery = (
            Delivery.objects.select_for_update(of=("self",))
            .select_related("notification__recipient", "notification__site")
            .filter(pk=delivery_id)
            .first()
        )
        if delivery is None or delivery.status in DONE:
            return delivery, False
        now = timezone.now()
        if delivery.status == Status.SENDING and delivery.lease_until > now:
            return delivery, False
        delivery.attempts += 1
        fields = ["status", "attempts", "last_error", "lease_until", "updated_at"]
        if delivery.channel != Channel.INBOX and not _address(
            delivery.notification.recipient, delivery.channel
        ):
            delivery.status, delivery.last_error = Status.SKIPPED, "no address for this channel"
            delivery.lease_until = None
            delivery.save(update_fields=fields)
            return delivery, False
        delivery.status, delivery.lease_until = Status.SENDING, now + DELIVERY_LEASE
        delivery.save(update_fields=fields)
        return delivery, True


def _held(delivery: Delivery):
    """The row, while this run's lease on it is still in force."""
    return Delivery.objects.filter(
        pk=delivery.pk, status=Status.SENDING, lease_until=delivery.lease_until
    )


def _delivery_finish(delivery: Delivery) -> None:
    """Step 3 after a successful hand-over. The message is out, so the row
    becomes sent even if the lease ran out and another run claimed it (that
    run's own outcome then changes nothing)."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        Delivery.objects.filter(pk=delivery.pk).exclude(status=Status.SENT).update(
            status=Status.SENT, sent_at=now, last_error="", lease_until=None, updated_at=now
        )
    delivery.status, delivery.sent_at, delivery.last_error = Status.SENT, now, ""
    delivery.lease_until = None


def _delivery_release(delivery: Delivery, *, error: str) -> None:
    """Step 3 after a failed hand-over: back to pending with the error, unless
    the lease ran out meanwhile and the row now belongs to another run."""
    now = timezone.now()
    with transaction.atomic(durable=True):
        _held(delivery).update(
            status=Status.PENDING, last_error=error, lease_until=None, updated_at=now
        )
    delivery.status, delivery.last_error, delivery.lease_until = Status.PENDING, error, None


def delivery_mark_failed(*, delivery_id: int, error: str = "") -> bool:
    """Give up on a pending delivery (after the last retry). Returns whether
    a row changed; a delivery sent or being sent in the meantime is left alone."""
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
                connection=get_connection(timeout=settings.EMAIL_TIMEOUT or SEND_TIMEOUT),
            )
        elif delivery.channel == Channel.SMS:
            sms.send_sms(phone=address, message=_sms_text(notification))


def _absolute(url: str, *, site: Site | None) -> str:
    """A site path made absolute on the notice's school site (the default
    site, or the admin's base URL, when it has none)."""
    if not url.startswith("/"):
        return url
    site = site or _default_site()
    base = site.root_url if site is not None else settings.WAGTAILADMIN_BASE_URL
    return base.rstrip("/") + url


def _email_text(notification: Notification) -> str:
    parts = [notification.body]
    if notification.url:
        link = _absolute(notification.url, site=notification.site)
        parts.append(_("Details: %(url)s") % {"url": link})
    parts.append(_("You can also read this notice in “My messages” on our website."))
    return "\n\n".join(parts)


def _sms_text(notification: Notification) -> str:
    text = f"{notification.title}：{notification.body}"
    if len(text) > SMS_TEXT_LIMIT:
        text = text[: SMS_TEXT_LIMIT - 1] + "…"
    return text
