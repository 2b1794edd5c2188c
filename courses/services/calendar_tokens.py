"""The secret of a person's private calendar feed (``/calendars/me/<token>.ics``).

A token is ``secrets.token_urlsafe(32)`` (43 characters, 256 bits): knowing
it is the only way to read the feed, so it is never guessable and never
shown to anyone but its person. Renewing replaces it on the same row: the
old URL stops working at once (404)."""

import secrets

from django.db import IntegrityError, transaction

from courses.models import CalendarToken
from lms.accounts.models import User


def _new_token() -> str:
    return secrets.token_urlsafe(32)


def calendar_token_get_or_create(*, person: User) -> CalendarToken:
    """``person``'s calendar token, made on first use. Two first uses at
    once both get the one row (the loser of the insert reads the winner's)."""
    token = CalendarToken.objects.filter(person=person).first()
    if token is not None:
        return token
    try:
        with transaction.atomic():
            return CalendarToken.objects.create(person=person, token=_new_token())
    except IntegrityError:
        return CalendarToken.objects.get(person=person)


def calendar_token_renew(*, person: User) -> CalendarToken:
    """Give ``person`` a new token and revoke the old one (its URL is 404
    from now on). Makes the token when there was none."""
    with transaction.atomic():
        token, created = CalendarToken.objects.select_for_update().get_or_create(
            person=person, defaults={"token": _new_token()}
        )
        if not created:
            token.token = _new_token()
            token.save(update_fields=["token", "created_at"])
    return token
