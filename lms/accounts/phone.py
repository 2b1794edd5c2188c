"""Mainland-China mobile numbers as people type them.

Seniors type numbers with spaces, dashes, full-width digits (from a Chinese
input method) or a +86 prefix; all of these mean the same number. We store the
E.164 form (+8613812345678), which is also what django-allauth expects.
"""

import re
import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s\-–—_.()（）·]")
_MOBILE = re.compile(r"^1[3-9]\d{9}$")


def normalize_phone(value: str) -> str:
    """Return ``+86`` plus the 11-digit mobile number, or raise ValidationError."""
    text = unicodedata.normalize("NFKC", value or "").strip()
    text = _SEPARATORS.sub("", text)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text.isdigit():
        raise ValidationError(
            _("A mobile number has digits only, for example 138 1234 5678."),
            code="invalid_phone",
        )
    if len(text) != 11:
        raise ValidationError(
            _("A mobile number has 11 digits; you typed %(count)d."),
            code="invalid_phone",
            params={"count": len(text)},
        )
    if not _MOBILE.match(text):
        raise ValidationError(
            _("This is not a mainland mobile number; it should start with 13 to 19."),
            code="invalid_phone",
        )
    return "+86" + text


def display_phone(value: str | None) -> str:
    """``+8613812345678`` → ``138 1234 5678`` (easier to read aloud)."""
    if not value:
        return ""
    digits = value[3:] if value.startswith("+86") else value
    if len(digits) == 11:
        return f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    return value


def mask_phone(value: str | None) -> str:
    """``+8613812345678`` → ``138****5678`` for lists other people can see."""
    digits = (value or "")[3:] if (value or "").startswith("+86") else (value or "")
    if len(digits) == 11:
        return f"{digits[:3]}****{digits[7:]}"
    return ""


class PhoneNumberField(forms.CharField):
    """A form field that accepts a number however it is typed and cleans it
    to E.164. Used for allauth's phone field and our own forms."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Mobile number"))
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault(
            "widget",
            forms.TextInput(
                attrs={
                    "type": "tel",
                    "inputmode": "tel",
                    "autocomplete": "tel",
                    "placeholder": _("e.g. 138 1234 5678"),
                }
            ),
        )
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return normalize_phone(value)
