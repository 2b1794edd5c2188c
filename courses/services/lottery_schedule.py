"""The lottery on its own (issue 4): Celery beat runs ``lotteries_run_due``
every five minutes (``courses.tasks.run_due_lotteries``), so that nobody
has to be at the office when a term's request window closes.

Each run, for the terms that have not ended and have an enrolment window
with a closing time:

1. **Announce** (``lottery_announce``: a secret seed, its digest public on
   the result pages at once), for a term whose window is open and which has
   a lottery class but no draw yet, so that the seed is fixed while the
   requests still come in; and for a term whose window has closed with
   requests nobody has drawn and no draw open (announced too late, or new
   requests after a published draw).
2. **Draw** (``lottery_draw_within``, actor: none, the system) each
   announced draw of a term whose window has closed, which has requests to
   draw, and whose seed digest has been public for at least
   ``DIGEST_PUBLIC_FOR``. The draw's audit rows and notices are the
   admin's draw's; its ``drawn_by`` stays empty.

A drawn draw that is not published is the school's to check, re-run and
publish: the job never re-runs a draw nor publishes one.

Idempotent and safe with two workers at once: an announce locks the term
row and refuses a second open draw; a draw claims the draw row with
``SELECT … FOR UPDATE SKIP LOCKED`` (SQLite: the IMMEDIATE transaction) and
draws only while it is still "announced", in the same transaction as the
draw. A term that fails (a lock not obtained in time) is logged and tried
again on the next run; the other terms go on.
"""

import datetime
import logging
from dataclasses import dataclass, field

from django.db import OperationalError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from courses.models import Enrolment, LotteryDraw, Section, Term
from courses.services import lottery

logger = logging.getLogger(__name__)

# How long a seed's digest is public before the job draws with that seed.
# A draw announced while requests were still open has long passed this; one
# announced only at the close waits this long, so that the digest can be
# seen (and copied) before the draw.
DIGEST_PUBLIC_FOR = datetime.timedelta(hours=1)

Status = LotteryDraw.Status


@dataclass
class DueRun:
    """What one run did: the draws it announced and those it drew (pks)."""

    announced: list[int] = field(default_factory=list)
    drawn: list[int] = field(default_factory=list)


def lotteries_run_due(*, now: datetime.datetime | None = None) -> DueRun:
    """Announce and draw the lotteries that are due at ``now`` (see the
    module's docstring). Returns what it did; a second run at the same
    moment does nothing."""
    now = now or timezone.now()
    run = DueRun()
    for term in terms_to_announce(now=now):
        try:
            draw = lottery.lottery_announce(term=term, actor=None)
        except lottery.LotteryError:
            continue  # another worker announced it first
        except OperationalError:
            logger.exception("Could not announce the lottery of term %s", term.pk)
            continue
        logger.info("Lottery %s of term %s announced (seed digest %s)", draw.pk, term.pk,
                    draw.seed_digest)
        run.announced.append(draw.pk)
    for draw_id in draws_due(now=now).values_list("pk", flat=True):
        try:
            draw = lottery_draw_due(draw_id=draw_id, now=now)
        except (OperationalError, lottery.LotteryError):
            logger.exception("Could not draw lottery %s; the next run tries again", draw_id)
            continue
        if draw is not None:
            logger.info("Lottery %s drawn: %s requests", draw.pk, draw.entries_count)
            run.drawn.append(draw.pk)
    return run


def lottery_draw_due(*, draw_id: int, now: datetime.datetime) -> LotteryDraw | None:
    """Draw ``draw_id`` as the system if it is still announced and nobody
    else is drawing it: claims the draw row (skipping it when another
    worker holds it), then draws in the same durable transaction
    (``lottery_draw_within``, actor none). After commit: the catalogue's
    cache goes stale and the one notification task is enqueued, as for the
    admin's draw. Returns the drawn draw, or None when there was nothing to
    do. Raises ``OperationalError`` on a lock timeout (nothing written)."""
    with lottery._gc_paused(), transaction.atomic(durable=True):
        claimed = (LotteryDraw.objects.select_for_update(skip_locked=True)
                   .filter(pk=draw_id, status=Status.ANNOUNCED).first())
        if claimed is None:
            return None
        draw = lottery.lottery_draw_within(draw=claimed, actor=None, now=now)
        _after_commit(draw.pk)
    return draw


def _after_commit(draw_id: int) -> None:
    from courses.cache import catalogue_changed

    catalogue_changed()
    transaction.on_commit(lambda: lottery.notify_enqueue(draw_id=draw_id))


# --- what is due -------------------------------------------------------------------


def _has_lottery_class():
    return Exists(Section.objects.filter(term=OuterRef("pk"), enrolment_mode=Section.Mode.LOTTERY)
                  .exclude(status=Section.Status.CANCELLED))


def _has_requests(term_ref: str):
    return Exists(
        Enrolment.objects.filter(section__term_id=OuterRef(term_ref),
                                 section__enrolment_mode=Section.Mode.LOTTERY,
                                 status=Enrolment.Status.APPLIED)
        .exclude(section__status=Section.Status.CANCELLED)
    )


def _running_terms(now: datetime.datetime):
    """Terms the job looks after: not ended, with a closing time."""
    return Term.objects.filter(end_date__gte=timezone.localdate(now),
                               enrolment_closes_at__isnull=False)


def terms_to_announce(*, now: datetime.datetime):
    """Terms whose lottery should be announced now: the window is open, a
    lottery class exists and the term has no draw at all; or the window has
    closed, requests are waiting to be drawn and no draw is open."""
    draws = LotteryDraw.objects.filter(term=OuterRef("pk"))
    window_open = (Q(enrolment_opens_at__isnull=True) | Q(enrolment_opens_at__lte=now)) & Q(
        enrolment_closes_at__gt=now)
    open_and_new = window_open & Q(_has_lottery_class()) & ~Q(Exists(draws))
    closed_and_waiting = (Q(enrolment_closes_at__lte=now) & Q(_has_requests("pk"))
                          & ~Q(Exists(draws.filter(status__in=lottery.OPEN_DRAWS))))
    return _running_terms(now).filter(open_and_new | closed_and_waiting).order_by("pk")


def draws_due(*, now: datetime.datetime):
    """Announced draws to draw now: their term's window has closed, it has
    requests to draw, and the seed digest has been public long enough."""
    return (
        LotteryDraw.objects.filter(
            status=Status.ANNOUNCED,
            term__in=_running_terms(now).filter(enrolment_closes_at__lte=now),
            announced_at__lte=now - DIGEST_PUBLIC_FOR,
        )
        .filter(_has_requests("term_id"))
        .order_by("pk")
    )
