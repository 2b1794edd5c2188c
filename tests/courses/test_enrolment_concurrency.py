"""Never a seat too many (DESIGN rules 1 and 2), with real threads on the
database of the run: SQLite (a file, IMMEDIATE transactions) by default,
PostgreSQL (row locks, lock_timeout) with DATABASE_URL=postgres://….

First the race is shown to exist with the lock turned off (the Open edX
count-then-insert), then the lock is shown to close it: 200 concurrent
attempts at 20 seats give exactly 20 places and 180 waiting, no duplicate,
and no error. Every thread closes its own database connections."""

import datetime as dt
import threading
import time
from collections import Counter

import pytest
from django.db import OperationalError, connection, connections
from django.db.models import Count

from courses.models import Enrolment, EnrolmentLogEntry
from courses.services import eligibility, locking
from courses.services.enrolment import EnrolmentBusy, enrolment_create
from tests.courses.enrolment_fixtures import OPEN, make_world
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)
Status = Enrolment.Status

ATTEMPTS, SEATS = 200, 20


def workers() -> int:
    # PostgreSQL: one connection per thread, within max_connections (100,
    # shared with other test runs). SQLite: one thread per attempt.
    return 40 if connection.vendor == "postgresql" else ATTEMPTS


def run_attempts(jobs, *, threads):
    """Run ``jobs`` (callables) from ``threads`` threads that start
    together; a job that finds the locks busy is retried, as a person
    would press the button again. Returns (results, errors, busy count)."""
    barrier = threading.Barrier(threads)
    queue = list(jobs)
    lock = threading.Lock()
    results, errors, busy = [], [], []

    def worker():
        try:
            barrier.wait(timeout=60)
            while True:
                with lock:
                    if not queue:
                        return
                    job = queue.pop()
                for _try in range(20):
                    try:
                        results.append(job())
                        break
                    except EnrolmentBusy:
                        busy.append(1)
                        time.sleep(0.05)
                else:
                    errors.append(RuntimeError("still busy after 20 tries"))
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=300)
    assert not any(thread.is_alive() for thread in pool)
    return results, errors, len(busy)


def attempt(who, section, *, now=OPEN):
    return lambda: enrolment_create(person=who, section=section, actor=who, now=now)


def restore_page_tree_root():
    """A transactional test before this one may have flushed what the
    migrations create (Wagtail's root page and locale)."""
    from django.conf import settings
    from django.utils.translation import get_supported_language_variant
    from wagtail.models import Locale, Page

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_language_variant(settings.LANGUAGE_CODE))
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))


@pytest.fixture
def crowd():
    restore_page_tree_root()
    world = make_world(capacity=SEATS)
    people = UserFactory.create_batch(ATTEMPTS)
    return world["section"], people


@pytest.fixture
def slow_count(monkeypatch):
    """Widen the window between counting the seats and writing the row, so
    that the race (when the lock is off) shows every time."""
    count = eligibility.seats

    def seats(section):
        counted = count(section)
        time.sleep(0.05)
        return counted

    monkeypatch.setattr(eligibility, "seats", seats)


def test_without_the_lock_concurrent_attempts_overbook(crowd, slow_count, monkeypatch):
    # Proves the race is real, so that the next test means something.
    monkeypatch.setattr(locking, "LOCKING", False)
    section, people = crowd

    _results, errors, _busy = run_attempts(
        [attempt(who, section) for who in people[:60]], threads=min(workers(), 60))

    assert errors == []
    enrolled = Enrolment.objects.filter(section=section, status=Status.ENROLLED).count()
    assert enrolled > SEATS


def test_with_the_lock_the_same_race_gives_exactly_the_capacity(crowd, slow_count):
    # The same attempts, threads and widened window as above, lock on.
    section, people = crowd

    _results, errors, _busy = run_attempts(
        [attempt(who, section) for who in people[:60]], threads=min(workers(), 60))

    assert errors == []
    assert Enrolment.objects.filter(section=section, status=Status.ENROLLED).count() == SEATS
    assert Enrolment.objects.filter(section=section, status=Status.WAITLISTED).count() == 40


def test_200_concurrent_attempts_at_20_seats_give_20_places_and_180_waiting(crowd):
    section, people = crowd

    results, errors, _busy = run_attempts([attempt(who, section) for who in people],
                                         threads=workers())

    assert errors == []
    outcomes = Counter(result.outcome for result in results)
    assert outcomes == {"enrolled": SEATS, "waitlisted": ATTEMPTS - SEATS}
    rows = Enrolment.objects.filter(section=section)
    assert rows.filter(status=Status.ENROLLED).count() == SEATS
    assert rows.filter(status=Status.WAITLISTED).count() == ATTEMPTS - SEATS
    assert not rows.values("person").annotate(n=Count("pk")).filter(n__gt=1).exists()
    # Every waiting person got a distinct place, 1 to 180.
    assert sorted(r.position for r in results if r.position) == list(range(1, ATTEMPTS - SEATS + 1))
    assert EnrolmentLogEntry.objects.filter(section=section).count() == ATTEMPTS


def test_concurrent_double_submits_by_one_person_make_one_row(crowd):
    section, people = crowd
    wang = people[0]

    results, errors, _busy = run_attempts([attempt(wang, section) for _ in range(20)],
                                          threads=min(workers(), 20))

    assert errors == []
    assert Enrolment.objects.filter(person=wang, section=section).count() == 1
    assert [r.created for r in results].count(True) == 1
    assert len({r.enrolment.pk for r in results}) == 1
    assert EnrolmentLogEntry.objects.filter(person=wang).count() == 1


def test_concurrent_withdrawals_each_promote_the_next_in_line(crowd):
    # Rule 3 under concurrency: ten leave at once, the first ten waiting get
    # their seats, in order, and the class is exactly full.
    section, people = crowd
    rows = [enrolment_create(person=who, section=section, actor=who,
                             now=OPEN + dt.timedelta(seconds=i)).enrolment
            for i, who in enumerate(people[:40])]
    from courses.services.enrolment import enrolment_withdraw

    leaving = rows[:10]
    _results, errors, _busy = run_attempts(
        [lambda row=row: enrolment_withdraw(enrolment=row, actor=row.person) for row in leaving],
        threads=10)

    assert errors == []
    enrolled = set(Enrolment.objects.filter(section=section, status=Status.ENROLLED)
                   .values_list("pk", flat=True))
    assert enrolled == {row.pk for row in rows[10:30]}


def test_a_busy_lock_becomes_a_friendly_try_again_and_writes_nothing(crowd, monkeypatch,
                                                                     english):
    section, people = crowd

    def locked(**kwargs):
        raise OperationalError("database is locked")

    monkeypatch.setattr(eligibility, "person_state", locked)

    with pytest.raises(EnrolmentBusy) as caught:
        enrolment_create(person=people[0], section=section, actor=people[0], now=OPEN)

    assert caught.value.code == "busy"
    assert caught.value.message == (
        "Many people are enrolling right now. Please try again in a moment.")
    assert not Enrolment.objects.exists()


@pytest.mark.postgres
def test_on_postgresql_a_lock_held_too_long_times_out_as_busy(crowd, monkeypatch):
    from django.db import transaction

    section, people = crowd
    monkeypatch.setattr(locking, "LOCK_TIMEOUT_MS", 200)
    holding, release = threading.Event(), threading.Event()

    def hold_the_section():
        try:
            with transaction.atomic():
                list(type(section).objects.select_for_update().filter(pk=section.pk))
                holding.set()
                release.wait(timeout=10)
        finally:
            connections.close_all()

    holder = threading.Thread(target=hold_the_section)
    holder.start()
    try:
        assert holding.wait(timeout=10)
        started = time.monotonic()
        with pytest.raises(EnrolmentBusy):
            enrolment_create(person=people[0], section=section, actor=people[0], now=OPEN)
        assert time.monotonic() - started < 2
    finally:
        release.set()
        holder.join(timeout=10)
    assert not Enrolment.objects.exists()
