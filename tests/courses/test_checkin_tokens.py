"""The QR check-in token: signed, for one session, valid in its minute and
the next, and only from half an hour before the class to its end. Pure
functions: every test passes its own ``now``."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.core import signing
from django.test import override_settings

from courses.services.checkin_tokens import (
    SALT,
    OutsideWindow,
    TokenExpired,
    TokenInvalid,
    TokenOtherSession,
    checkin_open,
    checkin_token_check,
    checkin_token_fresh,
    checkin_token_make,
    checkin_token_parse,
    checkin_window,
    minute_of,
    seconds_left,
)

SHANGHAI = dt.timezone(dt.timedelta(hours=8))
START = dt.datetime(2026, 11, 27, 9, 0, tzinfo=SHANGHAI)
END = dt.datetime(2026, 11, 27, 11, 0, tzinfo=SHANGHAI)
SESSION = SimpleNamespace(pk=42, starts_at=START, ends_at=END)


def check(token, now, session=SESSION, **kwargs):
    return checkin_token_check(token, session_id=session.pk, starts_at=session.starts_at,
                               ends_at=session.ends_at, now=now, **kwargs)


def at(hour, minute, second=0):
    return dt.datetime(2026, 11, 27, hour, minute, second, tzinfo=SHANGHAI)


# --- what a token carries ---------------------------------------------------------

def test_a_token_carries_the_session_and_the_minute():
    token = checkin_token_make(session_id=42, now=at(9, 5, 30))
    parsed = checkin_token_parse(token)
    assert parsed.session_id == 42
    assert parsed.minute == minute_of(at(9, 5, 0)) == minute_of(at(9, 5, 59))
    assert "/" not in token and " " not in token


def test_the_token_changes_every_minute_and_not_within_one():
    assert checkin_token_make(session_id=42, now=at(9, 5, 0)) == checkin_token_make(
        session_id=42, now=at(9, 5, 59))
    assert checkin_token_make(session_id=42, now=at(9, 5, 59)) != checkin_token_make(
        session_id=42, now=at(9, 6, 0))


def test_the_minute_is_the_same_in_any_time_zone():
    assert minute_of(at(9, 5)) == minute_of(at(9, 5).astimezone(dt.UTC))
    with pytest.raises(ValueError):
        minute_of(dt.datetime(2026, 11, 27, 9, 5))  # noqa: DTZ001 - naive on purpose


def test_seconds_left_until_the_code_changes():
    assert seconds_left(at(9, 5, 0)) == 60
    assert seconds_left(at(9, 5, 45)) == 15


# --- signature ------------------------------------------------------------------

@pytest.mark.parametrize("tamper", [
    lambda t: t.replace("42.", "43.", 1),  # another session id, same signature
    lambda t: t.rsplit(".", 2)[0] + f".{int(t.split('.')[1]) + 10}." + t.rsplit(".", 1)[1],
    lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"),  # a changed signature
    lambda t: t.rsplit(".", 1)[0],  # no signature
    lambda t: "",
    lambda t: "42.abc",
    lambda t: t + ".",
])
def test_a_tampered_or_malformed_token_fails(tamper):
    token = checkin_token_make(session_id=42, now=at(9, 5))
    with pytest.raises(TokenInvalid):
        checkin_token_parse(tamper(token))
    with pytest.raises(TokenInvalid):
        check(tamper(token), at(9, 5))


def test_a_token_signed_with_another_salt_or_key_fails():
    minute = minute_of(at(9, 5))
    other_salt = signing.Signer(salt="courses.something-else", sep=".").sign(f"42.{minute}")
    with pytest.raises(TokenInvalid):
        check(other_salt, at(9, 5))
    assert SALT != "courses.something-else"
    with override_settings(SECRET_KEY="another-install"):
        elsewhere = checkin_token_make(session_id=42, now=at(9, 5))
    with pytest.raises(TokenInvalid):
        check(elsewhere, at(9, 5))


def test_a_token_for_another_session_fails():
    other = checkin_token_make(session_id=41, now=at(9, 5))
    with pytest.raises(TokenOtherSession):
        check(other, at(9, 5))


# --- replay: the minute -----------------------------------------------------------

def test_a_token_works_in_its_minute_and_the_next_one():
    token = checkin_token_make(session_id=42, now=at(9, 5, 50))
    assert check(token, at(9, 5, 50)).session_id == 42
    assert check(token, at(9, 6, 59)).session_id == 42  # a slow scan at the turn of a minute


def test_an_older_token_fails_like_a_forwarded_screenshot():
    token = checkin_token_make(session_id=42, now=at(9, 5, 59))
    with pytest.raises(TokenExpired):
        check(token, at(9, 7, 0))
    with pytest.raises(TokenExpired):
        check(token, at(10, 30))  # a screenshot sent round an hour later


def test_a_token_from_a_later_minute_is_not_fresh():
    token = checkin_token_parse(checkin_token_make(session_id=42, now=at(9, 6)))
    assert not checkin_token_fresh(token, now=at(9, 5, 59))
    assert checkin_token_fresh(token, now=at(9, 6))


def test_an_old_token_is_accepted_when_the_scan_was_already_accepted():
    token = checkin_token_make(session_id=42, now=at(9, 5))
    assert check(token, at(9, 15), fresh_required=False).session_id == 42
    with pytest.raises(TokenInvalid):  # the signature is still needed
        check(token[:-2] + "xx", at(9, 15), fresh_required=False)


# --- the session's window ---------------------------------------------------------

def test_the_window_is_from_half_an_hour_before_the_start_to_the_end():
    assert checkin_window(starts_at=START, ends_at=END) == (at(8, 30), END)
    assert not checkin_open(starts_at=START, ends_at=END, now=at(8, 29, 59))
    assert checkin_open(starts_at=START, ends_at=END, now=at(8, 30))
    assert checkin_open(starts_at=START, ends_at=END, now=at(11, 0))
    assert not checkin_open(starts_at=START, ends_at=END, now=at(11, 0, 1))


def test_a_fresh_token_fails_before_the_window_opens():
    token = checkin_token_make(session_id=42, now=at(8, 29))
    with pytest.raises(OutsideWindow) as raised:
        check(token, at(8, 29, 30))
    assert raised.value.early and raised.value.code == "early"


def test_a_fresh_token_fails_after_the_class():
    token = checkin_token_make(session_id=42, now=at(11, 1))
    with pytest.raises(OutsideWindow) as raised:
        check(token, at(11, 1, 5))
    assert not raised.value.early and raised.value.code == "over"


def test_a_token_for_tomorrows_class_fails_today():
    tomorrow = SimpleNamespace(pk=42, starts_at=START + dt.timedelta(days=1),
                               ends_at=END + dt.timedelta(days=1))
    token = checkin_token_make(session_id=42, now=at(9, 5))
    with pytest.raises(OutsideWindow):
        check(token, at(9, 5), session=tomorrow)
