"""Lotteries (摇号) of a term's lottery classes: announce (publish the seed's
digest), draw, verify, publish. The algorithm is in
``courses.services.lottery_algorithm`` (docs/lottery.md explains it).

A draw follows STYLE §3: one durable transaction → the draw row, then the
term's lottery classes locked in id order with a timeout → the requests
(applied rows) and the places already held counted from rows under the lock
→ entries, enrolment rows and audit rows written in bulk → notifications
enqueued as one task after commit.

What a draw records, so that it can be recomputed: one ``LotteryEntry`` per
request (ticket, preference, score, rank, outcome) and one per place held
before the draw by a draw's person or in a lottery class (outcome
``renewed``, rank 0: renewal students and other places already taken), the
seed, the inputs digest and the algorithm name.
"""

import gc
import logging
import secrets
from collections import Counter
from contextlib import contextmanager

from django.db import OperationalError, connection, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from courses.models import Enrolment, LotteryDraw, LotteryEntry, Section, Term
from courses.services import lottery_algorithm as algo
from courses.services import lottery_writes
from lms.accounts.models import User

logger = logging.getLogger(__name__)

Status = Enrolment.Status
Outcome = LotteryEntry.Outcome
LOCK_TIMEOUT = "5s"
OPEN_DRAWS = (LotteryDraw.Status.ANNOUNCED, LotteryDraw.Status.DRAWN)


class LotteryError(Exception):
    """A lottery action refused; ``message`` says why in plain words."""

    def __init__(self, message: str, code: str = "refused"):
        super().__init__(message)
        self.message = message
        self.code = code


def lottery_announce(*, term: Term, actor: User, round_robin: bool = False) -> LotteryDraw:
    """Announce a draw for ``term``'s lottery classes: a secret random seed
    (``secrets.token_hex(32)``) whose SHA-256 (``seed_digest``) may be shown
    at once. Raises ``LotteryError`` while the term has an announced or a
    drawn, unpublished draw (one open draw per term)."""
    with transaction.atomic(durable=True):
        return lottery_announce_within(term=term, round_robin=round_robin)


def lottery_announce_within(*, term: Term, round_robin: bool = False) -> LotteryDraw:
    """``lottery_announce`` in the caller's transaction (the demo's)."""
    Term.objects.select_for_update().filter(pk=term.pk).first()
    if LotteryDraw.objects.filter(term=term, status__in=OPEN_DRAWS).exists():
        raise LotteryError(_("This term already has a lottery that is not published yet."),
                           "open_draw")
    seed = secrets.token_hex(32)
    return LotteryDraw.objects.create(
        term=term, seed=seed, seed_digest=algo.seed_digest(seed),
        algorithm=algo.ALGORITHM, round_robin=round_robin,
    )


def lottery_draw(*, draw: LotteryDraw, actor: User | None = None,
                 expect: str | None = None) -> LotteryDraw:
    """Draw every lottery class of the draw's term (not cancelled ones).

    Locks the draw row, then the classes in id order (lock timeout
    ``LOCK_TIMEOUT`` on PostgreSQL; SQLite's busy timeout). A drawn,
    unpublished draw is re-run: its requests that the draw moved (and that
    were not withdrawn since) go back to "applied", its entries are
    deleted, and the same seed draws again (same requests: same result).
    Applied requests without a ticket get one derived from their id.

    Writes the entries, sets each request enrolled / waitlisted (queued at
    the draw time in rank order) / not drawn, one audit row per request
    (``courses.enrolment.draw``: outcome, rank, draw), and the draw's
    ``inputs_digest``, ``drawn_at``, ``drawn_by``, ``entries_count``.
    After commit: one task notifies everyone (``lottery_notify``).

    ``expect``: the status the caller saw (``announced`` for "draw",
    ``drawn`` for "re-run"); checked under the draw's lock, so that a page
    opened before the system or another admin drew it never re-runs it.

    Raises ``LotteryError`` for a published draw, a draw no longer in the
    ``expect``ed status (code ``changed``) or a lock timeout."""
    now = timezone.now()
    try:
        with _gc_paused(), transaction.atomic(durable=True):
            draw = lottery_draw_within(draw=draw, actor=actor, now=now, expect=expect)
            _after_commit(draw.pk)
    except OperationalError as error:
        if not _is_lock_timeout(error):
            raise
        raise LotteryError(
            _("Many people are enrolling right now. Please try the draw again in a moment."),
            "busy") from error
    return draw


def lottery_draw_within(*, draw: LotteryDraw, actor: User | None, now,
                        expect: str | None = None) -> LotteryDraw:
    """The draw in the caller's transaction (``lottery_draw``'s, or the
    demo's): the same locks and writes, no notices. Raises ``LotteryError``
    for a published draw, or one not in the ``expect``ed status."""
    _lock_timeout()
    draw = (LotteryDraw.objects.select_for_update().select_related("term")
            .get(pk=draw.pk))
    if draw.status == LotteryDraw.Status.PUBLISHED:
        raise LotteryError(_("This lottery is published: it cannot be drawn again."),
                           "published")
    if expect is not None and draw.status != expect:
        raise LotteryError(_("This lottery has already been drawn. Check the result below; "
                             "to draw it again, use Re-run the draw."), "changed")
    sections = list(
        Section.objects.select_for_update()
        .filter(term=draw.term, enrolment_mode=Section.Mode.LOTTERY)
        .exclude(status=Section.Status.CANCELLED).order_by("pk")
        .values_list("pk", "capacity", "reserved_for_new")
    )
    rerun = draw.status == LotteryDraw.Status.DRAWN
    if rerun:
        _reset(draw)
    section_ids = [pk for pk, _cap, _res in sections]
    lottery_writes.tickets_fill(section_ids=section_ids)
    rows = lottery_writes.requests_of(section_ids=section_ids)
    requests = [lottery_writes.as_request(row) for row in rows]
    held = lottery_writes.held_of(term=draw.term, section_ids=section_ids)
    places, held_by = _places(sections, held)
    outcomes = algo.allocate(
        requests, seed=draw.seed, round_robin=draw.round_robin, places=places,
        held=held_by, limit=draw.term.per_person_limit,
    )
    lottery_writes.entries_write(draw=draw, requests=requests, outcomes=outcomes,
                                 held=held)
    lottery_writes.enrolments_update(draw=draw, now=now)
    lottery_writes.audit_write(draw=draw, rows=rows, outcomes=outcomes, actor=actor,
                               now=now, rerun=rerun)
    draw.status = LotteryDraw.Status.DRAWN
    draw.drawn_at, draw.drawn_by = now, actor
    draw.inputs_digest = algo.inputs_digest(requests)
    draw.entries_count = len(requests)
    draw.algorithm = algo.ALGORITHM
    draw.save(update_fields=["status", "drawn_at", "drawn_by", "inputs_digest",
                             "entries_count", "algorithm"])
    return draw


def lottery_verify(*, draw: LotteryDraw) -> bool:
    """True when the stored result is what the algorithm gives from the
    stored seed and the recorded inputs: the seed matches its published
    digest, the requests match the inputs digest, and every entry's score,
    rank and outcome match a fresh computation (with the classes' places
    and the per-person limit as they are now). False for an undrawn draw."""
    return not lottery_problems(draw=draw)


def lottery_problems(*, draw: LotteryDraw) -> list[str]:
    """What ``lottery_verify`` found wrong, in plain words (empty: verified)."""
    draw = LotteryDraw.objects.select_related("term").get(pk=draw.pk)
    if draw.status == LotteryDraw.Status.ANNOUNCED or not draw.drawn_at:
        return [_("The lottery has not been drawn yet.")]
    problems = []
    if algo.seed_digest(draw.seed) != draw.seed_digest:
        problems.append(_("The seed does not match the digest announced before the draw."))
    entries = list(draw.entries.values_list(
        "enrolment_id", "enrolment__person_id", "section_id", "ticket", "preference",
        "enrolment__is_new_student", "score", "rank", "outcome"))
    requests, stored, held = [], {}, []
    for key, person, section, ticket, preference, is_new, score, rank, outcome in entries:
        if outcome == Outcome.RENEWED:
            held.append((section, person, is_new))
            continue
        requests.append(algo.Request(key, person, section, ticket, preference, is_new))
        stored[key] = algo.Outcome(score, rank, outcome)
    if algo.inputs_digest(requests) != draw.inputs_digest:
        problems.append(_("The requests do not match the inputs digest."))
    sections = list(Section.objects.filter(pk__in={r.section for r in requests})
                    .values_list("pk", "capacity", "reserved_for_new"))
    places, held_by = _places(sections, held)
    fresh = algo.allocate(requests, seed=draw.seed, round_robin=draw.round_robin,
                          places=places, held=held_by, limit=draw.term.per_person_limit)
    wrong = sum(1 for key, result in stored.items() if fresh.get(key) != result)
    if wrong:
        problems.append(_("%(count)s results differ from a fresh draw.") % {"count": wrong})
    return problems


def lottery_publish(*, draw: LotteryDraw, actor: User) -> LotteryDraw:
    """Publish a drawn lottery: its seed and result appear on the classes'
    public result pages, and it can no longer be re-run. Publishing again
    changes nothing. Re-enqueues the notifications after commit (sent only
    to whoever has not had theirs: a broker outage at the draw loses none).
    Raises ``LotteryError`` for a draw not drawn yet."""
    with transaction.atomic(durable=True):
        draw, changed = lottery_publish_within(draw=draw)
        if changed:
            _after_commit(draw.pk)
    return draw


def lottery_publish_within(*, draw: LotteryDraw) -> tuple[LotteryDraw, bool]:
    """``lottery_publish`` in the caller's transaction, without notices;
    also says whether it changed anything."""
    draw = LotteryDraw.objects.select_for_update().get(pk=draw.pk)
    if draw.status == LotteryDraw.Status.PUBLISHED:
        return draw, False
    if draw.status != LotteryDraw.Status.DRAWN:
        raise LotteryError(_("Draw the lottery before publishing it."), "not_drawn")
    draw.status = LotteryDraw.Status.PUBLISHED
    draw.published_at = timezone.now()
    draw.save(update_fields=["status", "published_at"])
    return draw, True


def lottery_notify(*, draw_id: int, batch_size: int = 500) -> int:
    """Tell each request's person (and their active family members) the
    draw's outcome, in batches; idempotent (one notice per enrolment and
    outcome). Returns how many notices were created or found."""
    from courses.services.lottery_notices import notices_send

    return notices_send(draw_id=draw_id, batch_size=batch_size)


def _places(sections, held) -> tuple[dict[int, algo.Places], Counter]:
    """Places each class gives in the draw (its capacity minus the places
    held before it; kept-for-new places minus those held by new students)
    and the places each person held. ``held``: (section, person, is_new)."""
    in_section, new_in_section, by_person = Counter(), Counter(), Counter()
    for section, person, is_new, *_rest in held:
        in_section[section] += 1
        new_in_section[section] += bool(is_new)
        by_person[person] += 1
    places = {
        pk: algo.Places(free=max(capacity - in_section[pk], 0),
                        reserved=max(reserved - new_in_section[pk], 0))
        for pk, capacity, reserved in sections
    }
    return places, by_person


def _reset(draw: LotteryDraw) -> None:
    """Put the requests of a drawn draw back to "applied" (not those
    withdrawn since, nor a not-drawn one whose person has asked again) and
    delete its entries."""
    moved = draw.entries.exclude(outcome=Outcome.RENEWED).values("enrolment_id")
    again = Enrolment.objects.filter(person=OuterRef("person"), section=OuterRef("section"),
                                     status__in=Enrolment.LIVE)
    base = Enrolment.objects.filter(pk__in=moved)
    fields = {"status": Status.APPLIED, "enrolled_at": None, "queued_at": None,
              "queue_rank": None, "offer_expires_at": None, "updated_at": timezone.now()}
    base.filter(status__in=(Status.ENROLLED, Status.OFFERED, Status.WAITLISTED)).update(**fields)
    base.filter(status=Status.NOT_DRAWN).exclude(Exists(again)).update(**fields)
    draw.entries.all().delete()


@contextmanager
def _gc_paused():
    """Pause the cyclic garbage collector: a draw makes hundreds of
    thousands of small tuples (no cycles), and the collector would scan
    every live object again and again while they are made (4× slower)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _lock_timeout() -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


def _is_lock_timeout(error: OperationalError) -> bool:
    text = str(error).lower()
    return "lock timeout" in text or "database is locked" in text


def _after_commit(draw_id: int) -> None:
    from courses.cache import catalogue_changed

    catalogue_changed()
    transaction.on_commit(lambda: notify_enqueue(draw_id=draw_id))


def notify_enqueue(*, draw_id: int) -> None:
    """Enqueue the one notification task of a draw. A broker outage is
    logged, not raised: publishing enqueues it again (idempotent)."""
    from courses.tasks import lottery_notify as task

    try:
        task.delay(draw_id)
    except Exception:  # the draw is committed; never fail it for a notice
        logger.exception("Could not enqueue the notices of lottery %s", draw_id)

