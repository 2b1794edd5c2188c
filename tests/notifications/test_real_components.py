"""Delivery against real components: a Redis broker with a Celery worker,
and PostgreSQL row locks under two concurrent senders claiming one delivery."""

import threading

import pytest
from django.db import connection, connections
from django.test.utils import override_settings

from lms import sms
from lms.notifications import services, tasks
from lms.notifications.models import Delivery, Notification

REDIS_URL = "redis://127.0.0.1:6379/15"
QUEUE = "lms"


def send_sms_notice(recipient):
    return services.notification_send(
        recipient=recipient,
        kind=Notification.Kind.WAITLIST_PROMOTION,
        title="候补转正",
        body="您已从候补转为正式学员：国画提高班。",
        channels=[Delivery.Channel.SMS],
    )


@pytest.fixture
def redis_worker():
    """A real Celery worker thread consuming from Redis (not eager)."""
    import redis
    from celery.contrib.testing.worker import start_worker
    from celery.signals import task_postrun

    from lms.celery import app

    try:
        client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
        client.ping()
    except redis.exceptions.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")
    client.delete(QUEUE)  # no stale messages from an earlier run

    saved = {
        key: app.conf[key]
        for key in ("broker_url", "result_backend", "task_always_eager", "task_default_queue")
    }
    app.conf.update(
        broker_url=REDIS_URL,
        result_backend=REDIS_URL,
        task_always_eager=False,
        task_default_queue=QUEUE,
    )
    # Connections and the result backend made for the eager setup must not be reused.
    app._pool = None
    app.amqp._producer_pool = None
    app._local.__dict__.pop("backend", None)

    def close_worker_db_connections(**kwargs):
        # The worker thread has its own DB connections; close them so the
        # test database can be flushed and dropped.
        connections.close_all()

    task_postrun.connect(close_worker_db_connections, weak=False)
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=10):
            yield app
    finally:
        task_postrun.disconnect(close_worker_db_connections)
        app.conf.update(saved)
        app._pool = None
        app.amqp._producer_pool = None
        app._local.__dict__.pop("backend", None)
        client.delete(QUEUE)


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_sends_one_sms_when_the_same_delivery_is_queued_twice(
    redis_worker, person
):
    notification = send_sms_notice(person)  # commits; queues the first run
    delivery = notification.deliveries.get(channel=Delivery.Channel.SMS)

    first = tasks.deliver.apply_async(args=(delivery.pk,))
    second = tasks.deliver.apply_async(args=(delivery.pk,))

    assert first.get(timeout=30) == Delivery.Status.SENT
    assert second.get(timeout=30) == Delivery.Status.SENT
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SENT
    assert delivery.attempts == 1
    assert len(sms.outbox) == 1
    assert sms.outbox[0]["phone"] == person.phone


def run_concurrently(target, *, threads=2):
    barrier = threading.Barrier(threads)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # reported below
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=30)
    assert errors == []


@pytest.fixture
def pending_sms_delivery(person):
    if connection.vendor != "postgresql":
        pytest.skip("row locks are tested on PostgreSQL (set DATABASE_URL=postgres://…)")
    # Made directly, so that no task runs: the test's threads are the senders.
    notification = Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.WAITLIST_PROMOTION,
        title="候补转正",
        body="您已从候补转为正式学员：国画提高班。",
    )
    return Delivery.objects.create(notification=notification, channel=Delivery.Channel.SMS)


@pytest.fixture
def slow_claim(monkeypatch):
    """Widen the claim's read-then-write window (the claim is the only
    ``Delivery.save`` in a send), so that two senders reliably overlap in it."""
    original = Delivery.save

    def save(self, *args, **kwargs):
        threading.Event().wait(0.3)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(Delivery, "save", save)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notifications.conftest.SlowSMSBackend")
def test_without_the_row_lock_two_concurrent_senders_both_claim_and_send_twice(
    pending_sms_delivery, slow_claim, monkeypatch
):
    # Proves the race is real, so that the next test means something.
    from django.db.models import QuerySet

    monkeypatch.setattr(QuerySet, "select_for_update", lambda self, **kwargs: self)

    run_concurrently(lambda: services.delivery_perform(delivery_id=pending_sms_delivery.pk))

    assert len(sms.outbox) == 2


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
@override_settings(SMS_BACKEND="tests.notifications.conftest.SlowSMSBackend")
def test_two_concurrent_senders_of_one_delivery_send_one_sms(pending_sms_delivery, slow_claim):
    run_concurrently(lambda: services.delivery_perform(delivery_id=pending_sms_delivery.pk))

    pending_sms_delivery.refresh_from_db()
    assert pending_sms_delivery.status == Delivery.Status.SENT
    assert pending_sms_delivery.attempts == 1
    assert len(sms.outbox) == 1
