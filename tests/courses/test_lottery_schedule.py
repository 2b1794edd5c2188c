"""The lottery runs by itself (issue 4): celery beat's job announces a
term's draw while its requests come in and draws it once the window has
closed, as the system (no actor), once, however often and on however many
workers it runs. courses/services/lottery_schedule.py."""

import datetime as dt
import threading

import pytest
from django.conf import settings
from django.db import connections
from django.utils import timezone

from courses.models import Enrolment, EnrolmentLogEntry, LotteryDraw, LotteryEntry, Section
from courses.services import lottery
from courses.services.lottery_schedule import (
    DIGEST_PUBLIC_FOR,
    lotteries_run_due,
)
from courses.tasks import run_due_lotteries
from lms.notifications.models import Notification
from tests.courses.factories import TermFactory
from tests.courses.lottery_factories import lottery_world, request, requests
from tests.courses.test_enrolment_concurrency import restore_page_tree_root
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Enrolment.Status
D = LotteryDraw.Status

# lottery_world's request window: 1 to 20 August 2026 (09:00 UTC).
DURING = dt.datetime(2026, 8, 10, 9, tzinfo=dt.UTC)
CLOSED = dt.datetime(2026, 8, 20, 9, 5, tzinfo=dt.UTC)


@pytest.fixture
def world():
    return lottery_world()


def announced_long_ago(draw, when=DURING):
    """The draw as if announced at ``when`` (``announced_at`` is set by the
    database clock on creation)."""
    LotteryDraw.objects.filter(pk=draw.pk).update(announced_at=when)
    draw.refresh_from_db()
    return draw


def test_a_term_is_announced_while_its_requests_come_in(world):
    run = lotteries_run_due(now=DURING)

    draw = LotteryDraw.objects.get(term=world["term"])
    assert run.announced == [draw.pk] and run.drawn == []
    assert draw.status == D.ANNOUNCED and draw.drawn_at is None
    assert len(draw.seed_digest) == 64  # public at once on the result pages
    assert lotteries_run_due(now=DURING).announced == []  # once
    assert LotteryDraw.objects.count() == 1


def test_nothing_is_announced_before_the_window_opens_or_for_first_come_terms(world):
    before = dt.datetime(2026, 7, 31, 9, tzinfo=dt.UTC)
    assert lotteries_run_due(now=before).announced == []
    Section.objects.filter(term=world["term"]).update(enrolment_mode=Section.Mode.FIRST_COME)
    assert lotteries_run_due(now=DURING).announced == []
    assert not LotteryDraw.objects.exists()


def test_the_draw_runs_by_itself_once_the_window_has_closed(
        world, django_capture_on_commit_callbacks):
    rows = requests(world["a"], 5)
    lotteries_run_due(now=DURING)
    draw = announced_long_ago(LotteryDraw.objects.get())

    assert lotteries_run_due(now=CLOSED - dt.timedelta(minutes=10)).drawn == []  # still open
    with django_capture_on_commit_callbacks(execute=True):
        run = lotteries_run_due(now=CLOSED)

    assert run.drawn == [draw.pk]
    draw.refresh_from_db()
    assert draw.status == D.DRAWN and draw.drawn_at == CLOSED and draw.drawn_by is None
    assert draw.entries_count == 5 and lottery.lottery_verify(draw=draw)
    statuses = sorted(Enrolment.objects.filter(pk__in=[r.pk for r in rows])
                      .values_list("status", flat=True))
    assert statuses == [S.ENROLLED] * 3 + [S.WAITLISTED] * 2
    audit = EnrolmentLogEntry.objects.filter(action="courses.enrolment.draw")
    assert audit.count() == 5
    assert not audit.filter(user__isnull=False).exists()  # the system drew it
    results = Notification.objects.filter(kind=Notification.Kind.ENROLMENT_RESULT)
    assert results.count() == 5


def test_a_second_run_draws_nothing_again(world, django_capture_on_commit_callbacks):
    requests(world["a"], 4)
    draw = announced_long_ago(lottery.lottery_announce(term=world["term"], actor=None))
    with django_capture_on_commit_callbacks(execute=True):
        lotteries_run_due(now=CLOSED)
    drawn_at = LotteryDraw.objects.get(pk=draw.pk).drawn_at
    later = CLOSED + dt.timedelta(minutes=5)

    with django_capture_on_commit_callbacks(execute=True):
        run = lotteries_run_due(now=later)

    assert run.announced == [] and run.drawn == []
    assert LotteryDraw.objects.get(pk=draw.pk).drawn_at == drawn_at  # not re-run
    assert LotteryEntry.objects.count() == 4
    assert EnrolmentLogEntry.objects.filter(action="courses.enrolment.draw").count() == 4
    assert Notification.objects.count() == 4


def test_a_draw_announced_at_the_close_waits_until_its_digest_has_been_public(world):
    requests(world["a"], 2)
    at_close = lotteries_run_due(now=CLOSED)
    draw = LotteryDraw.objects.get()
    assert at_close.announced == [draw.pk] and at_close.drawn == []

    too_soon = draw.announced_at + DIGEST_PUBLIC_FOR - dt.timedelta(minutes=1)
    assert lotteries_run_due(now=too_soon).drawn == []
    assert lotteries_run_due(now=draw.announced_at + DIGEST_PUBLIC_FOR).drawn == [draw.pk]
    draw.refresh_from_db()
    assert draw.status == D.DRAWN and draw.drawn_at > draw.announced_at


def test_a_drawn_draw_the_school_has_not_published_is_left_to_the_school(world):
    requests(world["a"], 2)
    staff = UserFactory(is_staff=True)
    draw = lottery.lottery_announce(term=world["term"], actor=staff)
    lottery.lottery_draw(draw=draw, actor=staff)
    late = request(UserFactory(), world["a"])  # e.g. added at the desk after the draw

    run = lotteries_run_due(now=CLOSED)

    assert run.announced == [] and run.drawn == []
    draw.refresh_from_db()
    assert draw.drawn_by == staff and LotteryDraw.objects.count() == 1
    assert Enrolment.objects.get(pk=late.pk).status == S.APPLIED


def test_requests_left_after_a_published_draw_get_a_draw_of_their_own(world):
    requests(world["a"], 2)
    staff = UserFactory(is_staff=True)
    first = lottery.lottery_announce(term=world["term"], actor=staff)
    lottery.lottery_draw(draw=first, actor=staff)
    lottery.lottery_publish(draw=first, actor=staff)
    late = request(UserFactory(), world["b"])

    run = lotteries_run_due(now=CLOSED)
    second = LotteryDraw.objects.exclude(pk=first.pk).get()
    assert run.announced == [second.pk]
    announced_long_ago(second, CLOSED)
    assert lotteries_run_due(now=CLOSED + DIGEST_PUBLIC_FOR).drawn == [second.pk]

    assert Enrolment.objects.get(pk=late.pk).status == S.ENROLLED
    assert LotteryDraw.objects.get(pk=first.pk).status == D.PUBLISHED


def test_nothing_to_draw_leaves_the_announced_draw_alone(world):
    draw = announced_long_ago(lottery.lottery_announce(term=world["term"], actor=None))
    assert lotteries_run_due(now=CLOSED).drawn == []
    assert LotteryDraw.objects.get(pk=draw.pk).status == D.ANNOUNCED


def test_a_term_that_has_ended_is_left_alone(world):
    requests(world["a"], 2)
    draw = announced_long_ago(lottery.lottery_announce(term=world["term"], actor=None))
    after_the_term = dt.datetime(2027, 1, 2, 9, tzinfo=dt.UTC)
    assert lotteries_run_due(now=after_the_term).drawn == []
    assert LotteryDraw.objects.get(pk=draw.pk).status == D.ANNOUNCED


def test_a_cancelled_lottery_class_is_not_drawn(world):
    requests(world["a"], 2)
    Section.objects.filter(pk=world["a"].pk).update(status=Section.Status.CANCELLED)
    assert lotteries_run_due(now=CLOSED).announced == []
    assert not LotteryDraw.objects.exists()


def test_celery_beat_runs_the_job_every_five_minutes():
    entry = settings.CELERY_BEAT_SCHEDULE["courses.run_due_lotteries"]
    assert entry["task"] == run_due_lotteries.name == "courses.run_due_lotteries"
    assert entry["schedule"] == 300.0


def test_the_task_draws_a_term_whose_window_closed_an_hour_ago(
        world, django_capture_on_commit_callbacks):
    now = timezone.now()
    term = TermFactory(school=world["home"], enrolment_opens_at=now - dt.timedelta(days=9),
                       enrolment_closes_at=now - dt.timedelta(hours=1),
                       start_date=timezone.localdate(now),
                       end_date=timezone.localdate(now) + dt.timedelta(days=90))
    Section.objects.filter(pk=world["a"].pk).update(term=term)
    rows = requests(world["a"], 2)
    announced_long_ago(lottery.lottery_announce(term=term, actor=None),
                       now - dt.timedelta(days=2))

    with django_capture_on_commit_callbacks(execute=True):
        result = run_due_lotteries.delay().get()

    draw = LotteryDraw.objects.get(term=term)
    assert result == {"announced": [], "drawn": [draw.pk]}
    assert set(Enrolment.objects.filter(pk__in=[r.pk for r in rows])
               .values_list("status", flat=True)) == {S.ENROLLED}


# --- two workers at once -------------------------------------------------------------


def at_once(job, threads=2):
    """Run ``job`` from ``threads`` threads that start together; returns
    the results and errors (each thread closes its connections)."""
    barrier = threading.Barrier(threads)
    results, errors = [], []

    def worker():
        try:
            barrier.wait(timeout=30)
            results.append(job())
        except Exception as exc:  # reported by the test
            errors.append(exc)
        finally:
            connections.close_all()

    pool = [threading.Thread(target=worker) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in pool)
    return results, errors


@pytest.mark.django_db(transaction=True)
def test_without_the_claim_two_workers_draw_twice():
    """The race the claim closes: two workers that both saw the draw
    announced and call the admin's ``lottery_draw`` draw it twice (the
    second a re-run, with its own audit rows)."""
    restore_page_tree_root()
    world = lottery_world()
    requests(world["a"], 4)
    draw = lottery.lottery_announce(term=world["term"], actor=None)
    seen = threading.Barrier(2)

    def naive():
        announced = LotteryDraw.objects.get(pk=draw.pk).status == D.ANNOUNCED
        seen.wait(timeout=30)
        if announced:
            return lottery.lottery_draw(draw=draw, actor=None)
        return None

    results, errors = at_once(naive)

    assert not errors and len([r for r in results if r is not None]) == 2
    audit = EnrolmentLogEntry.objects.filter(action="courses.enrolment.draw")
    assert audit.count() == 8 and audit.filter(data__rerun=True).count() == 4


@pytest.mark.django_db(transaction=True)
def test_two_workers_at_once_draw_it_once():
    restore_page_tree_root()
    world = lottery_world()
    requests(world["a"], 4)
    requests(world["b"], 3)
    draw = announced_long_ago(lottery.lottery_announce(term=world["term"], actor=None))

    results, errors = at_once(lambda: lotteries_run_due(now=CLOSED))

    assert not errors
    assert sorted(len(run.drawn) for run in results) == [0, 1]
    draw.refresh_from_db()
    assert draw.status == D.DRAWN and draw.entries_count == 7
    assert LotteryEntry.objects.count() == 7
    audit = EnrolmentLogEntry.objects.filter(action="courses.enrolment.draw")
    assert audit.count() == 7 and not audit.filter(data__rerun=True).exists()
    assert lottery.lottery_verify(draw=draw)
