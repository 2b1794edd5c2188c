"""Reads for the public lottery result page of a class
(``courses.views.lottery``). Only tickets, scores, ranks and outcomes are
read: never a name or a phone number (DESIGN rule 6)."""

import re
from dataclasses import dataclass, field

from courses.models import LotteryDraw, LotteryEntry, Section

Outcome = LotteryEntry.Outcome
TICKET = re.compile(r"[^A-Z0-9]")
SCORE_PREFIX = 12


@dataclass
class LotteryResult:
    section: Section
    # The latest published draw with requests for this class, and a newer
    # draw still to come (announced or drawn, not published).
    draw: LotteryDraw | None = None
    upcoming: LotteryDraw | None = None
    entries: list = field(default_factory=list)  # rows in rank order
    held: int = 0  # places held before the draw (renewal students)
    ticket: str = ""  # the ticket asked about, cleaned
    found: dict | None = None  # its row, when it is in the result
    counts: dict = field(default_factory=dict)  # outcome → number


def clean_ticket(value: str | None) -> str:
    """A typed ticket: upper case, letters and digits only (spaces, dashes
    and full-width characters forgiven), at most 12 characters."""
    import unicodedata

    text = unicodedata.normalize("NFKC", value or "").upper()
    return TICKET.sub("", text)[:12]


def lottery_result(*, section: Section, ticket: str | None = None) -> LotteryResult:
    """What the public result page of ``section`` shows (a fixed number of
    queries: the draws, and the entries of the published one)."""
    result = LotteryResult(section=section, ticket=clean_ticket(ticket))
    draws = list(LotteryDraw.objects.filter(term_id=section.term_id)
                 .order_by("-announced_at", "-pk"))
    published = [d for d in draws if d.status == LotteryDraw.Status.PUBLISHED]
    if published:
        with_entries = set(
            LotteryEntry.objects.filter(draw__in=published, section=section)
            .values_list("draw_id", flat=True).distinct()
        )
        result.draw = next((d for d in published if d.pk in with_entries), published[0])
    newest = draws[0] if draws else None
    if newest is not None and newest.status != LotteryDraw.Status.PUBLISHED:
        result.upcoming = newest
    if result.draw is None:
        return result
    rows = (LotteryEntry.objects.filter(draw=result.draw, section=section)
            .order_by("rank", "pk").values("ticket", "preference", "score", "rank", "outcome",
                                           "enrolment__is_new_student"))
    for row in rows:
        if row["outcome"] == Outcome.RENEWED:
            result.held += 1
            continue
        row["score_prefix"] = row["score"][:SCORE_PREFIX]
        row["is_new"] = row.pop("enrolment__is_new_student")
        row["outcome_label"] = Outcome(row["outcome"]).label
        row["mine"] = bool(result.ticket) and row["ticket"] == result.ticket
        if row["mine"]:
            result.found = row
        result.counts[row["outcome"]] = result.counts.get(row["outcome"], 0) + 1
        result.entries.append(row)
    waiting = 0
    for row in result.entries:
        if row["outcome"] == Outcome.WAITLISTED:
            waiting += 1
            row["waiting_place"] = waiting
    return result
