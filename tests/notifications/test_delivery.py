"""delivery_perform: a delivery is claimed under a lease in a short
transaction and handed to the provider with no transaction open."""

from datetime import timedelta

import pytest
from django.db import IntegrityError, connections, transaction
from django.utils import timezone

from lms import sms
from lms.notifications import services, tasks
from lms.notifications.models import Delivery, Notification

pytestmark = pytest.mark.django_db

Status = Delivery.Status


@pytest.fixture
def delivery(person):
    # Made directly, so that no task runs: the test is the sender.
    notification = Notification.objects.create(
        recipient=person,
        kind=Notification.Kind.WAITLIST_PROMOTION,
        title="候补转正",
        body="您已从候补转为正式学员：国画提高班。",
    )
    return Delivery.objects.create(notification=notification, channel=Delivery.Channel.SMS)


class TransactionSpyBackend(sms.BaseSMSBackend):
    """Records whether any database transaction was open during the send."""

    in_transaction: list[bool] = []

    def send(self, phone, message):
        type(self).in_transaction.append(any(c.in_atomic_block for c in connections.all()))
        sms.outbox.append({"phone": phone, "message": message})


@pytest.mark.django_db(transaction=True)
def test_no_transaction_is_open_while_the_provider_is_called(delivery, settings):
    # On SQLite an open (IMMEDIATE) transaction would hold the whole
    # database's write lock during the SMS call, blocking every enrolment.
    settings.SMS_BACKEND = "tests.notifications.test_delivery.TransactionSpyBackend"
    TransactionSpyBackend.in_transaction = []

    services.delivery_perform(delivery_id=delivery.pk)

    assert TransactionSpyBackend.in_transaction == [False]
    delivery.refresh_from_db()
    assert delivery.status == Status.SENT
    assert delivery.lease_until is None


class ObservingSMSBackend(sms.BaseSMSBackend):
    """Records how the row looks to others while the message is handed over."""

    seen: list[tuple[str, bool]] = []

    def send(self, phone, message):
        row = Delivery.objects.get(channel=Delivery.Channel.SMS)
        type(self).seen.append((row.status, row.lease_until is not None))
        sms.outbox.append({"phone": phone, "message": message})


def test_while_it_is_being_sent_the_delivery_is_marked_sending_with_a_lease(delivery, settings):
    settings.SMS_BACKEND = "tests.notifications.test_delivery.ObservingSMSBackend"
    ObservingSMSBackend.seen = []

    services.delivery_perform(delivery_id=delivery.pk)

    assert ObservingSMSBackend.seen == [(Status.SENDING, True)]
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (Status.SENT, 1, None)


def test_a_delivery_another_sender_holds_is_left_alone(delivery):
    lease = timezone.now() + timedelta(minutes=3)
    Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, lease_until=lease, attempts=1)

    result = services.delivery_perform(delivery_id=delivery.pk)
    tasks.deliver.apply(args=(delivery.pk,))

    assert result.status == Status.SENDING
    assert sms.outbox == []
    # The sweep does not take it over either while the lease holds.
    assert tasks.redeliver_pending() == 0
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (Status.SENDING, 1, lease)


def test_a_crashed_senders_delivery_is_sent_by_the_sweep_once_its_lease_runs_out(delivery):
    # A worker claimed it and died before recording the outcome.
    Delivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING,
        lease_until=timezone.now() - timedelta(seconds=1),
        attempts=1,
        updated_at=timezone.now(),
    )

    assert tasks.redeliver_pending() == 1
    assert tasks.redeliver_pending() == 0

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.lease_until) == (Status.SENT, 2, None)
    assert len(sms.outbox) == 1


class ReclaimedThenFailingBackend(sms.BaseSMSBackend):
    """The send outlives its lease: another run claims the row, then this
    send fails."""

    def send(self, phone, message):
        Delivery.objects.filter(channel=Delivery.Channel.SMS).update(
            lease_until=timezone.now() + timedelta(minutes=5)
        )
        raise sms.SMSError("timeout")


def test_a_sender_whose_lease_ran_out_does_not_undo_the_new_senders_claim(delivery, settings):
    settings.SMS_BACKEND = "tests.notifications.test_delivery.ReclaimedThenFailingBackend"

    with pytest.raises(services.DeliveryError):
        services.delivery_perform(delivery_id=delivery.pk)

    delivery.refresh_from_db()
    assert delivery.status == Status.SENDING  # still the other sender's
    assert delivery.last_error == ""


def test_without_an_address_the_delivery_is_skipped_and_nothing_is_sent(delivery, person):
    person.phone = None  # removed after the notice was sent
    person.save(update_fields=["phone"])

    result = services.delivery_perform(delivery_id=delivery.pk)

    assert result.status == Status.SKIPPED
    delivery.refresh_from_db()
    assert (delivery.status, delivery.lease_until) == (Status.SKIPPED, None)
    assert sms.outbox == []


def test_a_missing_delivery_is_reported_as_missing():
    assert services.delivery_perform(delivery_id=987654) is None
    assert tasks.deliver.apply(args=(987654,)).get() == "missing"


def test_the_database_refuses_a_sending_delivery_without_a_lease(delivery):
    with pytest.raises(IntegrityError), transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(status=Status.SENDING, lease_until=None)
