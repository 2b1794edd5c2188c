"""Locks for the writes that consume capacity (STYLE §3, after pretix's
``base/services/locking.py``).

A capacity-consuming service runs in ``locked_transaction()`` and takes its
locks once, in one global order: first the people (``User`` rows, by pk),
then the sections (``Section`` rows, by pk). Every service follows that
order, so two of them can wait for each other but never deadlock.

Timeouts: on PostgreSQL ``SET LOCAL lock_timeout`` bounds the wait for a
row lock; on SQLite the transaction starts IMMEDIATE (lms/settings/base.py
``SQLITE_OPTIONS``), which takes the database's write lock up front and
waits for it up to the driver's busy timeout. Either way a lock not obtained
in time raises ``LockBusy``, which the enrolment service turns into a
friendly "please try again".

``LOCKING`` exists only to prove that the lock matters: the concurrency
tests turn it off and show overbooking (the Open edX count-then-insert
pattern), then turn it on and show exactly the capacity. Never turn it off
anywhere else.
"""

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date

from django.db import OperationalError, connection, transaction

from courses.models import Section
from lms.accounts.models import Profile, User

# Off only in the concurrency tests' race demonstration.
LOCKING = True
# How long a PostgreSQL transaction waits for a row lock.
LOCK_TIMEOUT_MS = 3000

# PostgreSQL SQLSTATEs that mean "try again": lock_not_available (the
# lock_timeout ran out) and deadlock_detected.
_RETRYABLE_SQLSTATES = {"55P03", "40P01"}


class LockBusy(Exception):
    """A lock was not obtained within the timeout (nothing was written)."""


def is_lock_timeout(exc: OperationalError) -> bool:
    """Whether ``exc`` means "the lock was busy for too long" on either
    database (and not some other operational failure)."""
    cause = exc.__cause__
    sqlstate = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    if sqlstate in _RETRYABLE_SQLSTATES:
        return True
    text = str(exc).lower()
    return "database is locked" in text or "database table is locked" in text


@contextmanager
def locked_transaction() -> Iterator[None]:
    """A durable transaction whose row locks wait at most
    ``LOCK_TIMEOUT_MS`` (PostgreSQL) or the busy timeout (SQLite). Raises
    ``LockBusy`` (after rolling back) when a lock is not obtained in time;
    other errors pass through. Must not be nested in another transaction."""
    try:
        with transaction.atomic(durable=True):
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    # A constant, not user input: SET takes no bind parameters.
                    cursor.execute(f"SET LOCAL lock_timeout = '{int(LOCK_TIMEOUT_MS)}ms'")
            yield
    except OperationalError as exc:
        if is_lock_timeout(exc):
            raise LockBusy from exc
        raise


def lock_people(ids: Iterable[int]) -> dict[int, User]:
    """Lock the ``User`` rows of ``ids`` (sorted; profiles loaded alongside,
    not locked) and return them by pk. Call inside ``locked_transaction()``
    and before ``lock_sections``. Without ``LOCKING`` they are only read."""
    people = User.objects.select_related("profile").filter(pk__in=sorted(set(ids)))
    if LOCKING:
        people = people.select_for_update(of=("self",))
    # Evaluated here: an unevaluated select_for_update() locks nothing.
    return {person.pk: person for person in people.order_by("pk")}


def lock_sections(ids: Iterable[int]) -> dict[int, Section]:
    """Lock the ``Section`` rows of ``ids`` (sorted; term, course and campus
    loaded alongside, not locked) and return them by pk. Call inside
    ``locked_transaction()``, after ``lock_people``."""
    sections = Section.objects.select_related("term", "course", "campus").filter(
        pk__in=sorted(set(ids))
    )
    if LOCKING:
        sections = sections.select_for_update(of=("self",))
    return {section.pk: section for section in sections.order_by("pk")}


# The fields of a section that decide who gets a seat.
SEAT_FIELDS = ("status", "capacity", "reserved_for_new", "enrolment_mode")


def _for_update(sql: str, *, of: str | None = None) -> str:
    """``sql`` with a row-lock clause where the database has one (SQLite has
    none: its transactions start IMMEDIATE, which locks the whole file)."""
    if not LOCKING or not connection.features.has_select_for_update:
        return sql
    return f"{sql} FOR UPDATE OF {of}" if of else f"{sql} FOR UPDATE"


def _columns(model, names) -> str:
    quote = connection.ops.quote_name
    return ", ".join(quote(model._meta.get_field(name).column) for name in names)


def lock_section(section: Section) -> Section:
    """Lock one section's row with a query on that table alone, and refresh
    from it the fields that decide a seat (``SEAT_FIELDS``). For the
    enrolment hot path: the section and what it shows were read before,
    unlocked, so the lock is held only for the recount and the write. Plain
    SQL: this runs once per enrolment in the rush, where building the
    ORM's query cost more than the database's work. Returns ``section``."""
    quote = connection.ops.quote_name
    sql = _for_update(f"SELECT {_columns(Section, SEAT_FIELDS)} FROM "
                      f"{quote(Section._meta.db_table)} WHERE {quote('id')} = %s")
    with connection.cursor() as cursor:
        cursor.execute(sql, [section.pk])
        row = cursor.fetchone()
    if row is None:
        raise Section.DoesNotExist
    for name, value in zip(SEAT_FIELDS, row, strict=True):
        setattr(section, name, value)
    return section


def lock_person(person: User) -> date | None:
    """Lock one person's ``User`` row (as ``lock_people`` does, for the
    enrolment hot path: one plain query), refresh ``person.is_active`` and
    the profile's name and date of birth from it (the profile as far as the
    audit label and the rules need it) and return the date of birth
    (``None`` if not given). Raises ``User.DoesNotExist`` for a person who
    is gone."""
    quote = connection.ops.quote_name
    fields = ("id", "real_name", "birth_date")
    sql = _for_update(
        f"SELECT u.{quote('is_active')}, {', '.join(f'p.{quote(f)}' for f in fields)} "
        f"FROM {quote(User._meta.db_table)} u LEFT JOIN {quote(Profile._meta.db_table)} p "
        f"ON p.{quote('user_id')} = u.{quote('id')} WHERE u.{quote('id')} = %s", of="u")
    with connection.cursor() as cursor:
        cursor.execute(sql, [person.pk])
        row = cursor.fetchone()
    if row is None:
        raise User.DoesNotExist
    person.is_active, profile_id, real_name, birth_date = row
    profile = (None if profile_id is None else Profile.from_db(
        connection.alias, ["user_id", *fields], [person.pk, profile_id, real_name, birth_date]))
    User.profile.related.set_cached_value(person, profile)
    return birth_date
