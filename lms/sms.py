"""Pluggable SMS delivery.

A deployment sets ``SMS_BACKEND`` to the dotted path of a class with a
``send(phone, message)`` method (for example a wrapper around a provider's
HTTP API). Development prints messages; tests keep them in ``outbox``.
"""

import logging
import sys

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

outbox: list[dict] = []


class SMSError(Exception):
    """Raised by a backend when a message could not be handed over."""


class BaseSMSBackend:
    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


class ConsoleSMSBackend(BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        sys.stdout.write(f"[SMS to {phone}] {message}\n")
        sys.stdout.flush()


class LocmemSMSBackend(BaseSMSBackend):
    def send(self, phone: str, message: str) -> None:
        outbox.append({"phone": phone, "message": message})


def get_backend() -> BaseSMSBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, phone: str, message: str) -> None:
    """Send one text message through the configured backend.

    Raises ``SMSError`` (or the backend's own error) when delivery fails, so
    that a calling task can retry.
    """
    signed = f"【{settings.SMS_SIGN_NAME}】{message}"
    get_backend().send(phone, signed)
