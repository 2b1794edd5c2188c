"""The lottery's algorithm ("sha256-rank-v1"), pure Python with no Django,
so that anyone can read it and recompute a published draw (docs/lottery.md).

1. Every request has a score: ``SHA-256("<seed>:<section id>:<ticket>")`` in
   hexadecimal. Nobody can choose a score: the seed is secret until the
   draw is published, and its SHA-256 is published before the draw.
2. The draw order: requests sorted by (score, section id, ticket); with the
   round-robin option by (preference, score, section id, ticket), so that
   everyone's first choice is decided before anyone's second. A request's
   ``rank`` is its place in this order among the requests of its class
   (1 = first).
3. Places, walking the draw order once: a person who already holds
   ``limit`` places this term is not drawn; a new student takes one of the
   places kept for new students while some are left; anyone takes one of
   the other places while some are left; otherwise the request waits.
4. Then the places kept for new students that no new student took are
   given, class by class in the same order, to the requests still waiting
   (skipping people who reached ``limit``).
5. Requests still waiting join the waiting list in rank order.
"""

import hashlib
from typing import NamedTuple

ALGORITHM = "sha256-rank-v1"

WON = "won"
WAITLISTED = "waitlisted"
NOT_DRAWN = "not_drawn"


class Request(NamedTuple):
    """One lottery request as the draw sees it."""

    key: int  # the enrolment's id (private; never published)
    person: int  # the person's id (private: only for the per-person limit)
    section: int
    ticket: str
    preference: int
    is_new: bool


class Places(NamedTuple):
    """What a class has to give in the draw: ``free`` places in all, of
    which ``reserved`` are kept for new students."""

    free: int
    reserved: int = 0


class Outcome(NamedTuple):
    score: str
    rank: int
    outcome: str  # WON, WAITLISTED or NOT_DRAWN


def ticket_score(*, seed: str, section_id: int, ticket: str) -> str:
    """The score of one request: SHA-256 of ``seed:section_id:ticket``."""
    return hashlib.sha256(f"{seed}:{section_id}:{ticket}".encode()).hexdigest()


def seed_digest(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def inputs_digest(requests) -> str:
    """SHA-256 of the canonical list of inputs: one line per request,
    ``section_id:ticket:preference:1|0`` (1 = new student), sorted, joined
    by newlines. Adding, removing or changing a request changes it."""
    lines = sorted(
        f"{r.section}:{r.ticket}:{r.preference}:{1 if r.is_new else 0}" for r in requests
    )
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def draw_order(requests, *, seed: str, round_robin: bool) -> list[tuple[str, Request]]:
    """(score, request) pairs in draw order."""
    prefix = f"{seed}:"
    sha256 = hashlib.sha256
    scored = [(sha256(f"{prefix}{r.section}:{r.ticket}".encode()).hexdigest(), r)
              for r in requests]
    if round_robin:
        scored.sort(key=lambda p: (p[1].preference, p[0], p[1].section, p[1].ticket))
    else:
        scored.sort(key=lambda p: (p[0], p[1].section, p[1].ticket))
    return scored


def allocate(requests, *, seed: str, round_robin: bool, places: dict[int, Places],
             held: dict[int, int] | None = None, limit: int | None = None
             ) -> dict[int, Outcome]:
    """The outcome of every request, by ``Request.key``. ``places`` maps a
    section id to what it has to give (a section missing from it has none);
    ``held`` maps a person to the places they held before the draw;
    ``limit`` is the most places one person may hold (None: no limit)."""
    order = draw_order(requests, seed=seed, round_robin=round_robin)
    held = dict(held or {})
    limit = float("inf") if limit is None else limit
    free = {s: p.free for s, p in places.items()}
    reserved = {s: min(p.reserved, p.free) for s, p in places.items()}
    ranks: dict[int, int] = {}
    result, waiting = {}, []
    for score, r in order:
        s, person = r.section, r.person
        rank = ranks[s] = ranks.get(s, 0) + 1
        left = free.get(s, 0)
        kept = reserved.get(s, 0)
        if held.get(person, 0) >= limit:
            outcome = NOT_DRAWN
        elif r.is_new and kept > 0:
            reserved[s], free[s] = kept - 1, left - 1
            outcome = WON
        elif left - kept > 0:
            free[s] = left - 1
            outcome = WON
        else:
            outcome = WAITLISTED
            waiting.append((score, r, rank))
        if outcome is WON:
            held[person] = held.get(person, 0) + 1
        result[r.key] = Outcome(score, rank, outcome)
    # Reserved places no new student took go to whoever waits, in order.
    for score, r, rank in waiting:
        if free.get(r.section, 0) > 0 and held.get(r.person, 0) < limit:
            free[r.section] -= 1
            held[r.person] = held.get(r.person, 0) + 1
            result[r.key] = Outcome(score, rank, WON)
    return result
