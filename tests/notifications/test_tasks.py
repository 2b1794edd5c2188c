from datetime import timedelta

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from lms import sms
from lms.celery import app
from lms.notifications import services, tasks
from lms.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

Channel, Status = Delivery.Channel, Delivery.Status


def send_sms_notice(recipient):
    return services.notification_send(
        recipient=recipient,
        kind=Notification.Kind.SESSION_CANCELLED,
        title="停课通知",
        body="3月5日的太极拳课因场地维修停课一次。",
        channels=[Channel.SMS],
    )


def sms_delivery(notification):
    return notification.deliveries.get(channel=Channel.SMS)


def age(delivery, minutes):
    # updated_at is auto_now, so move it back with a plain UPDATE.
    Delivery.objects.filter(pk=delivery.pk).update(
        updated_at=timezone.now() - timedelta(minutes=minutes)
    )


class BrokerOutage:
    """A deployment with a broker (tasks not eager) whose broker is down."""

    def __init__(self, monkeypatch):
        self.monkeypatch = monkeypatch

    def __enter__(self):
        def refuse(*args, **kwargs):
            raise BrokerError("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

        self.was_eager = app.conf.task_always_eager
        app.conf.task_always_eager = False
        self.monkeypatch.setattr(app.tasks[tasks.deliver.name], "apply_async", refuse)
        return self

    def __exit__(self, *exc):
        self.monkeypatch.undo()
        app.conf.task_always_eager = self.was_eager


@pytest.mark.django_db(transaction=True)
def test_a_broker_outage_keeps_the_notice_pending_and_the_sweep_sends_it_later(
    person, monkeypatch
):
    with BrokerOutage(monkeypatch):
        with transaction.atomic():  # the caller, e.g. an enrolment
            notification = send_sms_notice(person)
        # The caller's transaction committed; nothing was lost and nothing sent.
        assert Notification.objects.filter(pk=notification.pk).exists()
        delivery = sms_delivery(notification)
        assert delivery.status == Status.PENDING
        assert sms.outbox == []

        # While the broker is still down the sweep queues nothing and loses nothing.
        age(delivery, minutes=30)
        assert tasks.redeliver_pending() == 0
        assert sms_delivery(notification).status == Status.PENDING

    # The broker is back (here: tasks run in-process); the next sweep sends it.
    assert tasks.redeliver_pending() == 1
    assert sms_delivery(notification).status == Status.SENT
    assert len(sms.outbox) == 1


def test_the_sweep_leaves_recent_pending_deliveries_to_their_own_task(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        notification = send_sms_notice(person)

    assert tasks.redeliver_pending() == 0
    assert sms_delivery(notification).status == Status.PENDING
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
def test_in_eager_mode_a_provider_outage_costs_one_attempt_and_never_reaches_the_caller(
    person, settings
):
    settings.SMS_BACKEND = "tests.notifications.conftest.FailingSMSBackend"
    from tests.notifications.conftest import FailingSMSBackend

    with transaction.atomic():  # the caller, e.g. an enrolment
        notification = send_sms_notice(person)
    # on_commit ran the one attempt; the caller's work is committed.

    assert Notification.objects.filter(pk=notification.pk).exists()
    assert FailingSMSBackend.calls == 1  # no back-to-back retries in the request
    delivery = sms_delivery(notification)
    assert delivery.status == Status.PENDING
    assert delivery.attempts == 1
    assert delivery.lease_until is None
    assert "provider unavailable" in delivery.last_error

    # Later the provider is back and the periodic job sends it, once.
    settings.SMS_BACKEND = "lms.sms.LocmemSMSBackend"
    age(delivery, minutes=30)
    assert tasks.redeliver_pending() == 1
    assert tasks.redeliver_pending() == 0
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert len(sms.outbox) == 1


def test_in_eager_mode_a_delivery_ends_as_failed_after_the_last_attempt(person, settings):
    settings.SMS_BACKEND = "tests.notifications.conftest.FailingSMSBackend"
    from tests.notifications.conftest import FailingSMSBackend

    notification = send_sms_notice(person)  # not sent yet: nothing committed
    delivery = sms_delivery(notification)
    for _ in range(services.DELIVERY_MAX_ATTEMPTS):
        age(delivery, minutes=30)
        tasks.redeliver_pending()

    delivery.refresh_from_db()
    assert FailingSMSBackend.calls == services.DELIVERY_MAX_ATTEMPTS
    assert delivery.status == Status.FAILED
    assert "provider unavailable" in delivery.last_error
    # A failed delivery is final: the sweep and the task leave it alone.
    age(delivery, minutes=30)
    assert tasks.redeliver_pending() == 0
    tasks.deliver.apply(args=(delivery.pk,))
    assert FailingSMSBackend.calls == services.DELIVERY_MAX_ATTEMPTS


def test_with_a_worker_a_backend_failure_raises_for_celery_to_retry_and_the_last_retry_fails_it(
    person, settings
):
    settings.SMS_BACKEND = "tests.notifications.conftest.FailingSMSBackend"
    notification = send_sms_notice(person)  # not sent yet: nothing committed
    delivery = sms_delivery(notification)

    # Called directly, the task body raises what autoretry_for retries.
    with pytest.raises(services.DeliveryError):
        tasks.deliver(delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == Status.PENDING

    # After the last retry Celery calls on_failure.
    tasks.deliver.on_failure(
        services.DeliveryError("SMSError: provider unavailable"), "task-id", (delivery.pk,), {}, None
    )
    delivery.refresh_from_db()
    assert delivery.status == Status.FAILED
    assert tasks.DELIVER_MAX_RETRIES + 1 == services.DELIVERY_MAX_ATTEMPTS


def test_a_failed_attempt_followed_by_a_good_one_sends_one_sms(person, settings):
    settings.SMS_BACKEND = "tests.notifications.conftest.FlakySMSBackend"
    notification = send_sms_notice(person)  # not sent yet: nothing committed
    delivery = sms_delivery(notification)

    with pytest.raises(services.DeliveryError):
        services.delivery_perform(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert (delivery.status, delivery.last_error) == (Status.PENDING, "SMSError: timeout")

    services.delivery_perform(delivery_id=delivery.pk)
    services.delivery_perform(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert delivery.attempts == 2
    assert delivery.last_error == ""
    assert len(sms.outbox) == 1


def test_the_deliver_task_backs_off_exponentially_and_gives_up():
    assert tasks.deliver.max_retries == tasks.DELIVER_MAX_RETRIES
    assert tasks.deliver.retry_backoff
    assert services.DeliveryError in tasks.deliver.autoretry_for


def test_the_beat_schedule_runs_the_redelivery_sweep():
    entry = settings.CELERY_BEAT_SCHEDULE["notifications.redeliver_pending"]
    assert entry["task"] == tasks.redeliver_pending.name
    assert entry["task"] in app.tasks
    # It runs more often than a delivery is considered stuck.
    assert entry["schedule"] <= tasks.REDELIVER_AFTER.total_seconds()
