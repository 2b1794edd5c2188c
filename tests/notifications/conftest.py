"""Fixtures for the notifications tests."""

import threading

import pytest

from lms import sms
from tests.factories import UserFactory


class FailingSMSBackend(sms.BaseSMSBackend):
    """Refuses every message (a provider outage)."""

    calls = 0

    def send(self, phone, message):
        type(self).calls += 1
        raise sms.SMSError("provider unavailable")


class FlakySMSBackend(sms.BaseSMSBackend):
    """Fails the first time, then delivers to ``sms.outbox``."""

    calls = 0

    def send(self, phone, message):
        type(self).calls += 1
        if type(self).calls == 1:
            raise sms.SMSError("timeout")
        sms.outbox.append({"phone": phone, "message": message})


class SlowSMSBackend(sms.BaseSMSBackend):
    """Takes a moment to hand over, so concurrent senders overlap."""

    lock = threading.Lock()

    def send(self, phone, message):
        threading.Event().wait(0.5)
        with self.lock:
            sms.outbox.append({"phone": phone, "message": message})


@pytest.fixture(autouse=True)
def _reset_backends():
    FailingSMSBackend.calls = 0
    FlakySMSBackend.calls = 0


@pytest.fixture
def person(db):
    return UserFactory(email="wang.xiuying@example.cn", phone="+8613800001111")


@pytest.fixture
def other_person(db):
    return UserFactory()
