"""What the "how to enrol" block of a section page shows a logged-in person:
the state of each person they may act for in this class, and the one main
button (enrol / join the waiting list / request a place / renew), or why
there is none (the window is not open). When the class keeps places for new
students and everyone the person could enrol is a returning student, the
page counts only the seats they can take, and offers the waiting list once
only kept places are left (as ``enrolment_create`` would place them).

Only for logged-in visitors: the anonymous page (cached for everyone) never
holds any of this. The service decides in the end; this only chooses words."""

from dataclasses import dataclass, field

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from courses.models import Enrolment, LotteryDraw, Section
from courses.selectors import Availability
from lms.accounts.models import User
from lms.accounts.services import proxy_people


@dataclass
class PersonInSection:
    person: User
    is_self: bool
    enrolment: Enrolment | None = None
    position: int | None = None


@dataclass
class EnrolBlock:
    url: str
    # "enrol", "waitlist", "lottery", "renewal": a button; "opens_later",
    # "window_closed", "not_announced": words only.
    state: str
    people: list[PersonInSection] = field(default_factory=list)
    opens_at: object = None
    closes_at: object = None
    renewal_closes_at: object = None
    # Pks of the people (of ``people``) who held this class last term: in
    # the renewal window only they may ask.
    returning: frozenset = frozenset()
    # Everyone who could ask here is a returning student, and the class
    # keeps some of its seats left for new students: they may take fewer.
    returning_only: bool = False

    @property
    def holders(self) -> list[PersonInSection]:
        """People with a live enrolment (request, place, waiting list) here."""
        return [p for p in self.people if p.enrolment is not None]

    @property
    def candidates(self) -> list[PersonInSection]:
        """People who could still ask for a place here (in the renewal
        window, only last term's students of this class)."""
        return [p for p in self.people if p.enrolment is None
                and (self.state != "renewal" or p.person.pk in self.returning)]

    @property
    def has_button(self) -> bool:
        return self.state in ("enrol", "waitlist", "lottery", "renewal") and bool(self.candidates)

    @property
    def choose_person(self) -> bool:
        return len(self.people) > 1


def _state(section: Section, availability: Availability, now) -> str:
    """The windows as ``courses.services.eligibility`` reads them (a missing
    bound is open on that side), so the button never promises what the
    service will refuse for everyone."""
    from courses.services.eligibility import enrolment_open, renewal_open

    term = section.term
    if enrolment_open(term, now):
        if section.enrolment_mode == Section.Mode.LOTTERY and not _drawn(section):
            return "lottery"
        return "waitlist" if availability.state == "full" else "enrol"
    if renewal_open(term, now) and section.copied_from_id:
        return "renewal"
    if term.enrolment_opens_at and now < term.enrolment_opens_at:
        return "opens_later"
    if term.enrolment_closes_at and now >= term.enrolment_closes_at:
        return "window_closed"
    return "not_announced"


def _all_returning(section: Section, people: list[User]) -> bool:
    """Everyone of ``people`` (at least one) has had a class at this school
    before, by the rule ``enrolment_create`` applies (one query each, until
    a new student is found; only for classes that keep places)."""
    from courses.services.eligibility import person_state

    return bool(people) and not any(
        person_state(person=person, section=section).is_new_student for person in people)


def _drawn(section: Section) -> bool:
    """The term's lottery has been drawn: the class now fills first come."""
    return LotteryDraw.objects.filter(
        term_id=section.term_id,
        status__in=(LotteryDraw.Status.DRAWN, LotteryDraw.Status.PUBLISHED),
    ).exists()


def enrol_block(request: HttpRequest, *, section: Section, availability: Availability,
                now=None) -> EnrolBlock:
    """The block for ``request.user`` (logged in): two queries (the people
    they act for, their live enrolments here), one more in the renewal
    window (who held the class last term), plus one per waiting-list place,
    and one per person who could ask when the class keeps places for new
    students."""
    from courses.selectors import waitlist_position

    now = now or timezone.now()
    people = proxy_people(actor=request.user)
    live = {
        e.person_id: e
        for e in Enrolment.objects.filter(
            section=section, person__in=people, status__in=Enrolment.LIVE
        )
    }
    rows = []
    for index, person in enumerate(people):
        enrolment = live.get(person.pk)
        position = None
        if enrolment is not None and enrolment.status == Enrolment.Status.WAITLISTED:
            position = waitlist_position(enrolment=enrolment)
        rows.append(PersonInSection(person=person, is_self=index == 0, enrolment=enrolment,
                                    position=position))
    term = section.term
    state = _state(section, availability, now)
    returning_only = False
    if state == "enrol" and availability.kept:
        returning_only = _all_returning(section, [r.person for r in rows if r.enrolment is None])
        if returning_only and not availability.seats_for_returning:
            state = "waitlist"
    returning = frozenset()
    if state == "renewal":
        returning = frozenset(Enrolment.objects.filter(
            section_id=section.copied_from_id, person__in=people,
            status=Enrolment.Status.ENROLLED,
        ).values_list("person_id", flat=True))
    return EnrolBlock(
        url=reverse("courses:enrol", args=[section.pk]),
        state=state,
        returning=returning,
        returning_only=returning_only,
        people=rows,
        opens_at=term.enrolment_opens_at,
        closes_at=term.enrolment_closes_at,
        renewal_closes_at=term.renewal_closes_at,
    )
