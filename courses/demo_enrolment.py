"""The demo's enrolment (issue 4), used by ``courses.demo`` after its own
transaction: the next term, 2027年春季学期, copied from the current one and
published, with its renewal window (老生续报) open on the day the demo is
seeded and the open window after it; a few popular classes at the main
campus drawn by lottery, with places kept for new students; and returning
students who have already renewed their places, through the real service
(``enrolment_create``: locks, audit rows, waiting lists and notices).

The demo student (王秀英) renews her 智能手机 class and is first on the
waiting list of her 书法 class, whose returning places her classmates took
before her (a tenth of its places are kept for new students): her daughter
(``lms.accounts.demo``), who may act for her, renewed that one for her.

Every window is relative to the day the term is first set up, so the demo
works whatever day it is seeded. Lottery requests come only in the open
window, so none are made here (the current term has a published draw,
``courses.demo_lottery``).

Idempotent: the term is set up only while it has no classes (whatever an
editor changed later stays); a person who has any row in the term (even a
withdrawn one) is not enrolled again; outside the renewal window nobody is.
Must run outside any transaction: the enrolment service opens its own
durable one for each person.
"""

import datetime
import random
import time

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses import demo_content as content
from courses.demo_lottery import NAME as LOTTERY_NAME
from courses.models import CampusPage, Enrolment, Section, Term, TermDay
from courses.services.copy import sections_copy_to_term
from courses.services.eligibility import renewal_open
from courses.services.enrolment import EnrolmentRefused, enrolment_create
from lms.accounts.models import ProxyLink, User

SPRING = "2027年春季学期"
# The renewal window opened a few days before the seed day and closes a few
# days after it; enrolment for everyone follows it.
RENEWAL_OPENED = datetime.timedelta(days=3)
RENEWAL_LEFT = datetime.timedelta(days=4)
OPEN_AFTER = datetime.timedelta(days=1)
OPEN_FOR = datetime.timedelta(days=7)
PER_PERSON_LIMIT = 3
OFFER_HOURS = 24
# A tenth of the places of popular classes is kept for new students.
KEPT_SHARE = 0.1
# Popular classes at the main campus given by lottery in the spring: the
# demo's lottery class (a Saturday 书法 class) and the first class of these
# courses.
LOTTERY_COURSES = ("shouji-rumen", "shengyue-jichu")
# The demo student's class whose returning places fill up before her turn.
WAITING_COURSE = "shufa-rumen"
# Share of a class's students who renew: most, in a popular class.
RENEW_SHARE = 0.55
RENEW_SHARE_POPULAR = 0.8
# 2027's official holiday arrangement was not published when this was
# written: the days themselves (清明 5 April, 劳动节 1–5 May, 端午 9 June)
# without make-up days are a plausible guess.
SPRING_HOLIDAYS = [
    ("2027-04-05", "清明节"),
    *[(f"2027-05-0{d}", "劳动节") for d in range(1, 6)],
    ("2027-06-09", "端午节"),
]


def seed(stdout, *, now: datetime.datetime | None = None) -> None:
    """Set up the spring term and its renewals; write one line to ``stdout``."""
    started = time.monotonic()
    now = now or timezone.now()
    university = _university()
    if university is None:
        return
    autumn = Term.objects.filter(school=university, name=content.CURRENT_TERM[1]).first()
    spring = Term.objects.filter(school=university, name=SPRING).first()
    if autumn is None or spring is None:
        stdout.write("courses: no spring term, no enrolment demo")
        return
    copied = spring_term_ensure(autumn=autumn, spring=spring, now=now)
    made, refused = renewals_ensure(spring=spring, now=now)
    seated = Count("pk", filter=Q(status__in=Enrolment.SEATED))
    counts = Enrolment.objects.filter(section__term=spring).aggregate(
        seated=seated, waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)))
    stdout.write(
        f"courses: {spring.name}: {copied} classes copied this run; renewal window "
        f"{_day(spring.renewal_opens_at)}–{_day(spring.renewal_closes_at)}, open window "
        f"{_day(spring.enrolment_opens_at)}–{_day(spring.enrolment_closes_at)}; this run "
        f"{made} renewals ({refused} refused); {counts['seated']} places taken, "
        f"{counts['waiting']} waiting ({time.monotonic() - started:.1f}s)"
    )


def _day(value: datetime.datetime | None) -> str:
    return timezone.localtime(value).strftime("%m-%d") if value else "-"


def _university():
    main_slug = next(row[3] for row in content.CAMPUSES if row[0] == "main")
    main = CampusPage.objects.filter(slug=main_slug).first()
    if main is None:
        return None
    return main.get_parent().get_parent().specific


def _main_campus() -> CampusPage:
    return CampusPage.objects.get(slug=next(row[3] for row in content.CAMPUSES
                                            if row[0] == "main"))


def _aware(day: datetime.date, hour: int) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def _kept(capacity: int) -> int:
    return max(1, round(capacity * KEPT_SHARE))


@transaction.atomic
def spring_term_ensure(*, autumn: Term, spring: Term, now: datetime.datetime) -> int:
    """While ``spring`` has no classes: give it windows around ``now``,
    publish it, add its holidays, copy ``autumn``'s classes into it
    (``sections_copy_to_term``), open them, and make the popular ones
    lottery classes with places kept for new students. Returns how many
    classes were copied (0 when the term had classes already)."""
    if Section.objects.filter(term=spring).exists():
        return 0
    today = timezone.localdate(now)
    spring.renewal_opens_at = _aware(today - RENEWAL_OPENED, 8)
    spring.renewal_closes_at = _aware(today + RENEWAL_LEFT, 17)
    opens = today + RENEWAL_LEFT + OPEN_AFTER
    spring.enrolment_opens_at = _aware(opens, 8)
    spring.enrolment_closes_at = _aware(opens + OPEN_FOR, 17)
    spring.per_person_limit, spring.offer_hours, spring.is_published = (
        PER_PERSON_LIMIT, OFFER_HOURS, True)
    spring.full_clean()
    if not spring.days.exists():
        TermDay.objects.bulk_create([
            TermDay(term=spring, date=datetime.date.fromisoformat(day), name=name,
                    kind=TermDay.Kind.HOLIDAY)
            for day, name in SPRING_HOLIDAYS
            if spring.start_date.isoformat() <= day <= spring.end_date.isoformat()
        ])
    copies = sections_copy_to_term(source_term=autumn, target_term=spring)
    Section.objects.filter(term=spring, status=Section.Status.DRAFT).update(
        status=Section.Status.OPEN)
    for section in _lottery_classes(spring):
        Section.objects.filter(pk=section.pk).update(
            enrolment_mode=Section.Mode.LOTTERY, reserved_for_new=_kept(section.capacity))
    waiting = _waiting_class(spring)
    if waiting is not None:
        Section.objects.filter(pk=waiting.pk).update(reserved_for_new=_kept(waiting.capacity))
    # Saved last: saving a term makes the cached catalogue stale.
    spring.save()
    return len(copies)


def _lottery_classes(spring: Term) -> list[Section]:
    """The demo's Saturday lottery class and the first class of each of
    ``LOTTERY_COURSES`` at the main campus."""
    at_main = Section.objects.filter(term=spring, campus=_main_campus()).order_by("pk")
    chosen = list(at_main.filter(name=LOTTERY_NAME))
    for slug in LOTTERY_COURSES:
        first = at_main.filter(course__slug=slug).exclude(name=LOTTERY_NAME).first()
        if first is not None:
            chosen.append(first)
    return chosen


def _demo_student() -> User | None:
    return User.objects.filter(phone=content.DEMO_STUDENT_PHONE).first()


def _family_member() -> User | None:
    """A family member with an active link to the demo student, if any."""
    return User.objects.filter(
        proxy_for_links__student__phone=content.DEMO_STUDENT_PHONE,
        proxy_for_links__status=ProxyLink.Status.ACTIVE,
    ).order_by("pk").first()


def _waiting_class(spring: Term) -> Section | None:
    """The spring copy of the demo student's autumn ``WAITING_COURSE`` class."""
    student = _demo_student()
    if student is None:
        return None
    return Section.objects.filter(
        term=spring, copied_from__enrolments__person=student,
        copied_from__enrolments__status=Enrolment.Status.ENROLLED,
        course__slug=WAITING_COURSE,
    ).order_by("pk").first()


def renewals_plan(*, spring: Term) -> list[tuple[int, Section]]:
    """(person pk, spring class) in the order they renew: a seeded share of
    the autumn students of each class at the main campus (most in the
    lottery classes), then the demo student. In her ``WAITING_COURSE``
    class exactly as many classmates renew as there are returning places,
    so that she waits, first in line."""
    rng = random.Random(2027)
    main = _main_campus()
    copies = {s.copied_from_id: s for s in Section.objects.filter(
        term=spring, campus=main, copied_from__isnull=False).order_by("pk")}
    popular = {s.pk for s in _lottery_classes(spring)}
    waiting = _waiting_class(spring)
    student = _demo_student()
    rows: dict[int, list[int]] = {}
    for person_id, section_id in (
        Enrolment.objects.filter(section_id__in=copies, status=Enrolment.Status.ENROLLED)
        .order_by("pk").values_list("person_id", "section_id")
    ):
        rows.setdefault(section_id, []).append(person_id)
    plan, hers = [], []
    for autumn_id, people in rows.items():
        section = copies[autumn_id]
        others = [p for p in people if student is None or p != student.pk]
        if student is not None and len(others) < len(people):
            hers.append((student.pk, section))
        if waiting is not None and section.pk == waiting.pk:
            rng.shuffle(others)
            chosen = others[:section.capacity - section.reserved_for_new]
        else:
            share = RENEW_SHARE_POPULAR if section.pk in popular else RENEW_SHARE
            chosen = [p for p in others if rng.random() < share]
        plan.extend((person, section) for person in chosen)
    rng.shuffle(plan)
    # Her waiting class last: its returning places are taken by then.
    hers.sort(key=lambda row: waiting is not None and row[1].pk == waiting.pk)
    return plan + hers


def renewals_ensure(*, spring: Term, now: datetime.datetime) -> tuple[int, int]:
    """Renew the planned places (``renewals_plan``) through ``enrolment_create``
    (made by the student, or for the demo student's waiting place by her
    daughter; the service records each as a renewal), skipping people who have
    any row in the term. Nothing while the renewal window is closed.
    Returns (rows created, requests refused)."""
    if not renewal_open(spring, now):
        return 0, 0
    plan = renewals_plan(spring=spring)
    done = set(Enrolment.objects.filter(section__term=spring).values_list("person_id", flat=True))
    people = User.objects.in_bulk({person for person, _ in plan if person not in done})
    waiting, helper = _waiting_class(spring), _family_member()
    made = refused = 0
    for person_id, section in plan:
        person = people.get(person_id)
        if person is None:
            continue
        # Her daughter put the demo student on the waiting list for her.
        actor = (helper if helper is not None and waiting is not None
                 and section.pk == waiting.pk and person.phone == content.DEMO_STUDENT_PHONE
                 else person)
        try:
            result = enrolment_create(person=person, section=section, actor=actor, now=now)
        except EnrolmentRefused:
            refused += 1
            continue
        made += result.created
    return made, refused
