"""Celery tasks for notifications: thin wrappers around the services."""

import logging
from datetime import timedelta

from celery import Task, shared_task
from django.conf import settings
from django.db import OperationalError
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import Delivery

logger = logging.getLogger(__name__)

# Pending deliveries older than this are re-enqueued by the sweep.
REDELIVER_AFTER = timedelta(minutes=getattr(settings, "NOTIFICATIONS_REDELIVER_AFTER_MINUTES", 10))
REDELIVER_BATCH = 500
DELIVER_MAX_RETRIES = services.DELIVERY_MAX_ATTEMPTS - 1


class DeliverTask(Task):
    def on_failure(self, exc, task_id, args, kwargs, einfo):
        """Called once, after the last retry: the delivery ends as failed."""
        delivery_id = args[0] if args else kwargs.get("delivery_id")
        if delivery_id is not None:
            services.delivery_mark_failed(delivery_id=delivery_id, error=str(exc))


@shared_task(
    bind=True,
    base=DeliverTask,
    name="notifications.deliver",
    autoretry_for=(services.DeliveryError, OperationalError),
    max_retries=DELIVER_MAX_RETRIES,
    retry_backoff=30,  # 30 s, 60 s, 120 s … capped below
    retry_backoff_max=1800,
    retry_jitter=True,
    acks_late=True,
)
def deliver(self, delivery_id: int) -> str:
    """Send one delivery (idempotent: a delivery already sent is not resent)."""
    delivery = services.delivery_perform(delivery_id=delivery_id)
    return delivery.status if delivery is not None else "missing"


@shared_task(name="notifications.redeliver_pending", ignore_result=True)
def redeliver_pending() -> int:
    """Re-enqueue deliveries still pending after ``REDELIVER_AFTER`` (the
    safety net for a broker outage or a failed eager attempt) and deliveries
    whose sender's lease ran out (it crashed mid-send). Returns how many were
    queued (in eager mode: sent)."""
    now = timezone.now()
    ids = list(
        Delivery.objects.filter(
            Q(status=Delivery.Status.PENDING, updated_at__lt=now - REDELIVER_AFTER)
            | Q(status=Delivery.Status.SENDING, lease_until__lt=now)
        )
        .order_by("updated_at")
        .values_list("pk", flat=True)[:REDELIVER_BATCH]
    )
    queued = 0
    eager = deliver.app.conf.task_always_eager
    for delivery_id in ids:
        if services.delivery_enqueue(delivery_id=delivery_id):
            queued += 1
        elif not eager:
            break  # the broker is still down; the next sweep tries again
    if ids:
        logger.info("Re-enqueued %s of %s pending deliveries.", queued, len(ids))
    return queued
