"""A small school for the enrolment tests: one term with a renewal window
and an open window, the same class last term, and people to enrol."""

import datetime as dt

from courses.models import Enrolment, Section
from lms.accounts.models import ProxyLink
from tests.courses.factories import TermFactory, campus, course, room, school_tree, section
from tests.factories import ProfileFactory

UTC = dt.UTC
RENEWAL = dt.datetime(2026, 8, 12, 10, tzinfo=UTC)  # inside the renewal window
OPEN = dt.datetime(2026, 8, 25, 10, tzinfo=UTC)  # inside the open window
BEFORE = dt.datetime(2026, 8, 1, 10, tzinfo=UTC)
AFTER = dt.datetime(2026, 9, 5, 10, tzinfo=UTC)


def make_world(*, capacity=3, **section_fields):
    home, campuses, catalogue = school_tree()
    liandu = campus(campuses, "莲都校区", slug="liandu", address="丽水市莲都区丽青路88号")
    studio = room(liandu, "书画室")
    calligraphy = course(catalogue, "书法入门班", slug="calligraphy")
    singing = course(catalogue, "声乐基础班", slug="singing")
    spring = TermFactory(school=home, name="2026年春季学期", start_date=dt.date(2026, 3, 2),
                         end_date=dt.date(2026, 7, 10))
    autumn = TermFactory(
        school=home, name="2026年秋季学期",
        renewal_opens_at=dt.datetime(2026, 8, 10, tzinfo=UTC),
        renewal_closes_at=dt.datetime(2026, 8, 17, tzinfo=UTC),
        enrolment_opens_at=dt.datetime(2026, 8, 20, tzinfo=UTC),
        enrolment_closes_at=dt.datetime(2026, 9, 1, tzinfo=UTC),
        per_person_limit=3,
    )
    last_run = section(course_page=calligraphy, term=spring, campus_page=liandu, room=studio,
                       capacity=capacity, status=Section.Status.CLOSED)
    fields = {"name": "1班", "room": studio, "capacity": capacity, "copied_from": last_run,
              "slots": ((1, "09:00", "11:00"),)}
    fields.update(section_fields)
    main = section(course_page=calligraphy, term=autumn, campus_page=liandu, **fields)
    # Tuesday afternoon: no clash with the main class.
    other = section(course_page=singing, term=autumn, campus_page=liandu, name="1班",
                    capacity=capacity, slots=((1, "14:00", "16:00"),))
    # Tuesday 10:00: clashes with the main class.
    clashing = section(course_page=singing, term=autumn, campus_page=liandu, name="2班",
                       capacity=capacity, slots=((1, "10:00", "12:00"),))
    return {"home": home, "campus": liandu, "room": studio, "spring": spring,
            "term": autumn, "last_run": last_run, "section": main, "other": other,
            "clashing": clashing, "calligraphy": calligraphy, "singing": singing,
            "catalogue": catalogue, "campuses": campuses}


def person(name="王秀英", birth_date=dt.date(1958, 5, 1), **user_fields):
    profile = ProfileFactory(real_name=name, birth_date=birth_date, **{
        f"user__{key}": value for key, value in user_fields.items()})
    return profile.user


def enrolled_row(who, sec, **fields):
    """A row made directly (history or a full class), not through the service."""
    fields.setdefault("status", Enrolment.Status.ENROLLED)
    if fields["status"] == Enrolment.Status.ENROLLED:
        fields.setdefault("enrolled_at", dt.datetime(2026, 3, 1, tzinfo=UTC))
    return Enrolment.objects.create(person=who, section=sec, **fields)


def proxy_link(student, family, **fields):
    return ProxyLink.objects.create(student=student, proxy=family, status="active",
                                    consented_at=dt.datetime(2026, 8, 1, tzinfo=UTC), **fields)
