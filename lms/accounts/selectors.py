"""Reads for accounts."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import User
from .phone import normalize_phone

PEOPLE_FOUND_MAX = 20
_DIGITS_ONLY = re.compile(r"[\s\-–—_.()（）·+]")


def people_find(*, query: str) -> QuerySet[User]:
    """Active accounts for a desk search, by mobile number: the whole number
    typed any way (spaces, dashes, full-width digits, +86), or at least its
    last 4 digits; or by a part of the real name (2 characters or more).
    At most ``PEOPLE_FOUND_MAX``, by name. Raises ``ValidationError`` (plain
    words) for a query too short to search with."""
    text = unicodedata.normalize("NFKC", query or "").strip()
    people = User.objects.filter(is_active=True).select_related("profile")
    digits = _DIGITS_ONLY.sub("", text)
    if digits.isdigit():
        try:
            return people.filter(phone=normalize_phone(digits))[:PEOPLE_FOUND_MAX]
        except ValidationError:
            pass
        if 4 <= len(digits) < 11:
            found = people.filter(phone__endswith=digits)
            return found.order_by("profile__real_name", "pk")[:PEOPLE_FOUND_MAX]
        raise ValidationError(_("Please type the whole mobile number, or at least its last 4 digits."))
    name = " ".join(text.split())
    if len(name) < 2:
        raise ValidationError(_("Please type a mobile number (or its last 4 digits) or a name."))
    found = people.filter(profile__real_name__icontains=name)
    return found.order_by("profile__real_name", "pk")[:PEOPLE_FOUND_MAX]
