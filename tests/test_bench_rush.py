"""The rush benchmark's own arithmetic (bench/rush.py): the order of the
attempts it sends and what it reads back from the database."""

import time
from collections import Counter

import pytest
from django.utils import timezone

from bench import rush
from courses.models import Enrolment

Status = Enrolment.Status


def test_the_plan_repeats_a_tenth_of_the_attempts_after_their_first_submit():
    plan = rush.attempts_plan(attempts=1000, repeat_share=0.1, sections=[7, 8, 9], seed=3)

    assert len(plan) == 1000
    counts = Counter(plan)
    assert len(counts) == 900  # 900 people, each with one class
    assert sum(n - 1 for n in counts.values()) == 100
    assert len({person for person, _section in plan}) == 900
    first_seen = {}
    for place, attempt in enumerate(plan):
        first_seen.setdefault(attempt, place)
        assert attempt[1] in (7, 8, 9)
    # every repeat comes after the first submit of the same person and class
    for place, attempt in enumerate(plan):
        assert place >= first_seen[attempt]
    # the first submits keep the people's order
    firsts = sorted(first_seen, key=first_seen.get)
    assert [person for person, _s in firsts] == list(range(900))


@pytest.mark.django_db
def test_the_outcome_counts_seats_beyond_capacity_and_live_duplicates_only():
    home, campus, course = rush.school()
    term, (full, over) = rush.term_make(home=home, campus=campus, course=course, sections=2,
                                        capacity=2, label="test")
    people = rush.people(5)
    started = time.time() - 3
    now = timezone.now()

    def row(person, section, status, **kwargs):
        return Enrolment(person=person, section_id=section, status=status, **kwargs)

    Enrolment.objects.bulk_create([
        row(people[0], full, Status.ENROLLED, enrolled_at=now),
        row(people[1], full, Status.ENROLLED, enrolled_at=now),
        row(people[2], full, Status.WAITLISTED, queued_at=now),
        # a withdrawn row and a live one of the same person: not a duplicate
        row(people[3], full, Status.WITHDRAWN, enrolled_at=now, withdrawn_at=now),
        row(people[3], full, Status.WAITLISTED, queued_at=now),
        # three seats taken in a class of two: one oversold
        row(people[0], over, Status.ENROLLED, enrolled_at=now),
        row(people[1], over, Status.ENROLLED, enrolled_at=now),
        row(people[2], over, Status.OFFERED, offer_expires_at=now),
    ])

    found = rush.outcome(term=term, started=started)

    assert found["seats"] == 4
    assert found["enrolled"] == 5
    assert found["oversold"] == 1
    assert found["duplicates"] == 0
    assert found["waitlisted"] == 2
    assert found["people_with_a_row"] == 4
    assert 2 <= found["seconds_to_sell_out"] <= 60  # every class full


@pytest.mark.django_db
def test_no_sell_out_time_while_a_class_has_free_seats():
    home, campus, course = rush.school()
    term, (section,) = rush.term_make(home=home, campus=campus, course=course, sections=1,
                                      capacity=3, label="test")
    person = rush.people(1)[0]
    Enrolment.objects.create(person=person, section_id=section, status=Status.ENROLLED,
                             enrolled_at=timezone.now())

    found = rush.outcome(term=term, started=time.time())

    assert (found["enrolled"], found["oversold"], found["seconds_to_sell_out"]) == (1, 0, None)


def scenario(*, status_5xx=0, p99=9.0, **changes) -> dict:
    found = {"attempts": 10, "seats": 5, "enrolled": 5, "oversold": 0, "duplicates": 0,
             "waitlisted": 5, "seconds_to_sell_out": 1.0,
             "wrk": {"requests": 10, "duration_us": 1_000_000,
                     "status": {"2xx": 0, "3xx": 10 - status_5xx, "4xx": 0,
                                "5xx": status_5xx, "other": 0},
                     "errors": {"connect": 0, "read": 0, "write": 0, "status": 0,
                                "timeout": 0},
                     "latency_ms": {"p50": 5.0, "p90": 8.0, "p99": p99, "max": 10.0}}}
    found.update(changes)
    return found


def test_a_scenario_fails_on_any_missed_target():
    good = rush.summarise("s", [scenario()], bare_rps=20.0)
    assert good["passed"] and good["ratio_to_bare"] == 0.5 and good["rps"] == 10.0

    for bad, missed in ((scenario(oversold=1), "oversold"),
                        (scenario(duplicates=1), "duplicates"),
                        (scenario(status_5xx=1), "http_5xx"),
                        (scenario(p99=100.5), "p99_ms"),
                        (scenario(enrolled=4), "enrolled")):
        line = rush.summarise("s", [bad], bare_rps=20.0)
        assert not line["passed"]
        assert [f for f in line["failures"] if f.startswith(missed)], line["failures"]
    slow = rush.summarise("s", [scenario()], bare_rps=100.0)
    assert slow["ratio_to_bare"] == 0.1 and not slow["passed"]
