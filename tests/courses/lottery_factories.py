"""A small lottery world for the lottery tests: one school, one term whose
requests have closed, two lottery classes and a first-come one."""

import datetime as dt
import hashlib
import itertools

from courses.models import Enrolment, Section
from tests.courses.factories import TermFactory, campus, course, school_tree, section
from tests.factories import ProfileFactory

_tickets = itertools.count(1)
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def next_ticket() -> str:
    n, text = next(_tickets), ""
    while n:
        n, rest = divmod(n, len(ALPHABET))
        text = ALPHABET[rest] + text
    return ("T" + text).rjust(6, "Q")


def lottery_world(*, capacity=3, second_capacity=2, limit=3, reserved=0):
    home, campuses, catalogue = school_tree()
    from tests.courses.factories import school_site

    school_site(home)
    main = campus(campuses, "莲都校区", slug="liandu")
    term = TermFactory(
        school=home, name="2026年秋季学期", per_person_limit=limit,
        enrolment_opens_at=dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC),
        enrolment_closes_at=dt.datetime(2026, 8, 20, 9, tzinfo=dt.UTC),
    )
    calligraphy = course(catalogue, "书法入门班", slug="calligraphy")
    phone = course(catalogue, "智能手机入门班", slug="phone")
    world = {"home": home, "term": term, "campus": main}
    world["a"] = section(course_page=calligraphy, term=term, campus_page=main, capacity=capacity,
                         enrolment_mode=Section.Mode.LOTTERY, reserved_for_new=reserved,
                         slots=((1, "09:00", "11:00"),))
    world["b"] = section(course_page=phone, term=term, campus_page=main,
                         capacity=second_capacity, enrolment_mode=Section.Mode.LOTTERY,
                         slots=((3, "14:00", "16:00"),))
    world["first_come"] = section(course_page=phone, term=term, campus_page=main, name="2班",
                                  slots=((4, "14:00", "16:00"),))
    return world


def person(name="学员"):
    return ProfileFactory(real_name=name).user


def request(who, sec, *, ticket=None, preference=1, is_new=True):
    return Enrolment.objects.create(
        person=who, section=sec, status=Enrolment.Status.APPLIED, acted_by=who,
        ticket=ticket if ticket is not None else next_ticket(), preference=preference,
        is_new_student=is_new,
    )


def requests(sec, count, *, is_new=True, preference=1):
    return [request(person(f"学员{n}"), sec, is_new=is_new, preference=preference)
            for n in range(count)]


def score(seed, section_id, ticket) -> str:
    """The published formula, written out independently of the service."""
    return hashlib.sha256(f"{seed}:{section_id}:{ticket}".encode()).hexdigest()
