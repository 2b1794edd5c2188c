"""The demo's lottery (used by ``courses.demo``): a Saturday calligraphy class
at the main campus whose places were given by a published lottery, so that
/lottery/sections/<pk>/ shows a real result. Four students of last term kept
their places (renewal), four places are kept for new students, and about
sixty people from 丽水 asked for one.

Idempotent: once the term has a published draw with this class in it,
nothing is created again. The seed is random, as in a real draw, so each
new demo database has its own (verifiable) result. Runs inside the demo's
transaction, so it writes no notices (demo data).
"""

import datetime
import random

from courses.models import (
    Enrolment,
    LotteryDraw,
    LotteryEntry,
    Room,
    Section,
    SectionSlot,
    Term,
)
from courses.services import lottery as service
from courses.services.lottery_writes import TICKET_ALPHABET

COURSE = "shufa-rumen"
NAME = "周六上午摇号班"
CAPACITY = 24
RESERVED_FOR_NEW = 4
RENEWALS = 4
REQUESTS = 60
SATURDAY = 5
NOTES = "报名人数多，名额由公开摇号决定；摇号结果和验证方法见本班的摇号结果页。"


def lottery_ensure(*, term: Term, campus, course, students: dict, skip: set) -> int:
    """The demo lottery class of ``term`` with its published draw; returns
    how many requests it drew this run (0 when it was there already).
    ``students`` maps phone → user; ``skip`` holds phones to leave out."""
    section = Section.objects.filter(term=term, campus=campus, course=course,
                                     name=NAME).first()
    if section is not None and LotteryEntry.objects.filter(
            section=section, draw__status=LotteryDraw.Status.PUBLISHED).exists():
        return 0
    if section is None:
        section = _section(term=term, campus=campus, course=course)
    rows = _requests(term=term, section=section, students=students, skip=skip)
    when = _draw_time(term)
    draw = (LotteryDraw.objects.filter(term=term, status__in=service.OPEN_DRAWS).first()
            or service.lottery_announce_within(term=term))
    service.lottery_draw_within(draw=draw, actor=None, now=when)
    service.lottery_publish_within(draw=draw)
    # As a real draw would have gone: announced before requests closed,
    # published an hour after the draw.
    LotteryDraw.objects.filter(pk=draw.pk).update(
        announced_at=when - datetime.timedelta(days=7),
        published_at=when + datetime.timedelta(hours=1))
    return rows


def _draw_time(term: Term) -> datetime.datetime:
    closes = term.enrolment_closes_at
    if closes is None:
        return datetime.datetime.now(datetime.UTC)
    return closes + datetime.timedelta(hours=1)


def _section(*, term: Term, campus, course) -> Section:
    """Saturday morning: the weekday timetable never uses Saturdays, so
    this class clashes with no room, teacher or student."""
    sibling = (Section.objects.filter(term=term, campus=campus, course=course)
               .prefetch_related("teachers").first())
    room = sibling.room if sibling else Room.objects.filter(campus=campus).first()
    section = Section.objects.create(
        term=term, campus=campus, course=course, name=NAME, room=room, capacity=CAPACITY,
        fee=sibling.fee if sibling else 0, status=Section.Status.OPEN, notes=NOTES,
        enrolment_mode=Section.Mode.LOTTERY, reserved_for_new=RESERVED_FOR_NEW,
    )
    SectionSlot.objects.create(section=section, weekday=SATURDAY,
                               start_time=datetime.time(8, 30), end_time=datetime.time(10, 30))
    if sibling:
        section.teachers.set(sibling.teachers.all())
    return section


def _requests(*, term: Term, section: Section, students: dict, skip: set) -> int:
    """Renewal places and lottery requests from students who hold fewer
    than the term's limit of classes (and none of this class yet)."""
    counts: dict[str, int] = {}
    for phone in Enrolment.objects.filter(section__term=term, status__in=Enrolment.LIVE,
                                          ).values_list("person__phone", flat=True):
        counts[phone] = counts.get(phone, 0) + 1
    here = set(Enrolment.objects.filter(section=section).values_list("person__phone", flat=True))
    pool = sorted(phone for phone in students
                  if phone not in skip and phone not in here
                  and counts.get(phone, 0) < term.per_person_limit)
    rng = random.Random(2026)
    rng.shuffle(pool)
    renewals, asking = pool[:RENEWALS], pool[RENEWALS:RENEWALS + REQUESTS]
    tickets = _tickets(rng, len(asking))
    Enrolment.objects.bulk_create(
        [Enrolment(person=students[phone], section=section, status=Enrolment.Status.ENROLLED,
                   source=Enrolment.Source.RENEWAL, is_new_student=False,
                   acted_by=students[phone], enrolled_at=term.renewal_closes_at)
         for phone in renewals]
        + [Enrolment(person=students[phone], section=section, status=Enrolment.Status.APPLIED,
                     source=Enrolment.Source.SELF, acted_by=students[phone], ticket=ticket,
                     is_new_student=n % 3 == 0)
           for n, (phone, ticket) in enumerate(zip(asking, tickets, strict=True))]
    )
    return len(asking)


def _tickets(rng: random.Random, count: int) -> list[str]:
    tickets: list[str] = []
    while len(tickets) < count:
        ticket = "".join(rng.choice(TICKET_ALPHABET) for _ in range(6))
        if ticket not in tickets:
            tickets.append(ticket)
    return tickets
