"""The QR check-in token (扫码签到): a signed ``<session id>.<minute>`` that
the classroom's QR code carries and that changes every minute.

* Signed with Django's ``signing.Signer`` (HMAC of ``SECRET_KEY`` with a
  salt of its own): a changed session id or minute fails the signature.
* Valid in the minute it was made and the next one (``GRACE_MINUTES``: a
  slow scan at the turn of a minute still works). A screenshot forwarded
  from earlier carries an old minute and fails.
* Valid only inside the session's check-in window: from ``OPENS_BEFORE``
  before the start to the end of the session (``checkin_window``).

Pure functions of the token, the session's id and times, and ``now``: no
database, no clock of their own (tests pass ``now``)."""

import datetime
from dataclasses import dataclass

from django.core import signing

SALT = "courses.checkin"
# The check-in window: from this long before a session starts to its end.
OPENS_BEFORE = datetime.timedelta(minutes=30)
# A token made in minute m is accepted in minutes m and m + GRACE_MINUTES.
GRACE_MINUTES = 1
_SEP = "."


class TokenError(Exception):
    """A token that cannot be used; ``code`` says why."""

    code = "invalid"


class TokenInvalid(TokenError):
    """Not a token of ours: malformed or tampered with (bad signature)."""


class TokenExpired(TokenError):
    """Made in an earlier minute than the grace allows (an old screenshot)."""

    code = "expired"


class TokenOtherSession(TokenError):
    """A genuine token, but for another session than the one asked about."""

    code = "other_session"


class OutsideWindow(TokenError):
    """``now`` is before the window opens (``early``) or after it closed."""

    def __init__(self, *, early: bool):
        super().__init__("early" if early else "over")
        self.early = early
        self.code = "early" if early else "over"


@dataclass(frozen=True)
class CheckinToken:
    session_id: int
    minute: int


def _signer() -> signing.Signer:
    return signing.Signer(salt=SALT, sep=_SEP)


def minute_of(now: datetime.datetime) -> int:
    """Minutes since the Unix epoch (the same everywhere, whatever the zone)."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    return int(now.timestamp()) // 60


def seconds_left(now: datetime.datetime) -> int:
    """Seconds until the next minute starts (when the QR code changes)."""
    return 60 - int(now.timestamp()) % 60


def checkin_window(*, starts_at: datetime.datetime, ends_at: datetime.datetime
                   ) -> tuple[datetime.datetime, datetime.datetime]:
    """When check-in opens and closes for a session with these times."""
    return starts_at - OPENS_BEFORE, ends_at


def checkin_open(*, starts_at: datetime.datetime, ends_at: datetime.datetime,
                 now: datetime.datetime) -> bool:
    opens, closes = checkin_window(starts_at=starts_at, ends_at=ends_at)
    return opens <= now <= closes


def checkin_token_make(*, session_id: int, now: datetime.datetime) -> str:
    """The token for ``session_id`` in the minute of ``now``, e.g.
    ``"42.29876543.<signature>"`` (URL-safe)."""
    return _signer().sign(f"{int(session_id)}{_SEP}{minute_of(now)}")


def checkin_token_parse(token: str) -> CheckinToken:
    """The session id and minute of a genuine token, whatever its age.
    Raises ``TokenInvalid`` for anything else."""
    try:
        value = _signer().unsign(token or "")
        session_id, minute = value.split(_SEP)
        return CheckinToken(session_id=int(session_id), minute=int(minute))
    except (signing.BadSignature, ValueError):
        raise TokenInvalid("invalid") from None


def checkin_token_fresh(token: CheckinToken, *, now: datetime.datetime) -> bool:
    """Whether ``token`` was made in the minute of ``now`` or within the
    grace before it (a token "from the future" is not fresh either)."""
    return 0 <= minute_of(now) - token.minute <= GRACE_MINUTES


def checkin_token_check(token: str, *, session_id: int, starts_at: datetime.datetime,
                        ends_at: datetime.datetime, now: datetime.datetime,
                        fresh_required: bool = True) -> CheckinToken:
    """The parsed token, if it may check someone in to the session
    ``session_id`` (with these times) at ``now``. Raises, in this order:
    ``TokenInvalid`` (tampered or malformed), ``TokenOtherSession``,
    ``OutsideWindow`` (too early or over), ``TokenExpired`` (an old minute;
    skipped with ``fresh_required=False``, for a scan already accepted)."""
    parsed = checkin_token_parse(token)
    if parsed.session_id != session_id:
        raise TokenOtherSession("other_session")
    opens, closes = checkin_window(starts_at=starts_at, ends_at=ends_at)
    if not opens <= now <= closes:
        raise OutsideWindow(early=now < opens)
    if fresh_required and not checkin_token_fresh(parsed, now=now):
        raise TokenExpired("expired")
    return parsed
