"""Reads for attendance: which classes a person may take roll call for,
today's sessions, and one session's roll (DESIGN rule 6: a teacher their
own classes, a campus admin their campus, school admins every campus)."""

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, prefetch_related_objects
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from wagtail.images import get_image_model

from courses.admin.permissions import sees_all_campuses
from courses.models import Attendance, ClassSession, Enrolment, LeaveRequest, Section
from lms.accounts import roles
from lms.accounts.models import User

# The roll call's photo rendition (roll_call.html asks for the same spec):
# 48 px on the page, twice that for sharp phone screens.
ROLL_PHOTO_SPEC = "fill-96x96"


def roll_call_sections(user: User) -> QuerySet:
    """The sections ``user`` may take roll call and decide leave for: all
    for superusers and school admins, else those they teach and those of
    the campuses they administer."""
    if not (user.is_authenticated and user.is_active):
        return Section.objects.none()
    if sees_all_campuses(user):
        return Section.objects.all()
    mine = Section.objects.filter(Q(teachers=user) | Q(campus__admins=user)).values("pk")
    return Section.objects.filter(pk__in=mine)


def takes_roll_call(user: User) -> bool:
    """Whether ``user`` has classes to call (the header's 点名 link and My
    classes' button): superusers, school admins, the teachers of a class
    and the admins of a campus with classes; never a student. Cached on the
    user; one query, none for superusers and anonymous visitors."""
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_courses_takes_roll_call", None)
    if cached is None:
        cached = user.is_superuser or User.objects.filter(pk=user.pk).filter(
            Exists(Section.objects.filter(teachers=OuterRef("pk")))
            | Exists(Section.objects.filter(campus__admins=OuterRef("pk")))
            | Exists(Group.objects.filter(user=OuterRef("pk"), name=roles.SCHOOL_ADMIN))
        ).exists()
        user._courses_takes_roll_call = cached
    return cached


def may_take_roll_call(user: User, section_id: int) -> bool:
    return roll_call_sections(user).filter(pk=section_id).exists()


def roll_call_session(user: User, pk: int) -> ClassSession:
    """The session ``pk`` with its class, campus and room loaded, if
    ``user`` may take its roll call. Raises ``Http404`` otherwise, as if it
    did not exist (two queries)."""
    session = get_object_or_404(
        ClassSession.objects.select_related("section__course", "section__campus", "room"),
        pk=pk)
    if not may_take_roll_call(user, session.section_id):
        raise Http404
    return session


def roll_person(session: ClassSession, person_id: int | None) -> User | None:
    """The person ``person_id`` if they are on ``session``'s roll (enrolled
    in its class, or with a mark there: ``session_roll``'s people), with
    their profile; None for anyone else, so that a posted id never names
    someone outside the class. One query."""
    if person_id is None:
        return None
    return (User.objects.select_related("profile")
            .filter(pk=person_id)
            .filter(Exists(Enrolment.objects.filter(
                person_id=OuterRef("pk"), section_id=session.section_id,
                status=Enrolment.Status.ENROLLED))
                | Exists(Attendance.objects.filter(person_id=OuterRef("pk"),
                                                   session_id=session.pk)))
            .first())


def sessions_on(user: User, day: datetime.date) -> list[ClassSession]:
    """The sessions on ``day`` (local) of the sections ``user`` may take
    roll call for, cancelled ones included, by time; section, course,
    campus and room loaded. One query."""
    tz = timezone.get_current_timezone()
    start = datetime.datetime.combine(day, datetime.time.min, tz)
    end = start + datetime.timedelta(days=1)
    return list(
        ClassSession.objects.filter(section__in=roll_call_sections(user),
                                    starts_at__gte=start, starts_at__lt=end)
        .select_related("section__course", "section__campus", "room")
        .order_by("starts_at", "pk")
    )


def pending_leave_for(user: User, *, since: datetime.datetime | None = None
                      ) -> list[LeaveRequest]:
    """Pending leave requests of the sections ``user`` may decide for,
    for sessions that end after ``since`` (default: a week ago), soonest
    first; person, session and class loaded. One query."""
    since = since or timezone.now() - datetime.timedelta(days=7)
    return list(
        LeaveRequest.objects.filter(status=LeaveRequest.Status.PENDING,
                                    session__section__in=roll_call_sections(user),
                                    session__ends_at__gt=since)
        .select_related("person__profile", "session__section__course")
        .order_by("session__starts_at", "pk")
    )


@dataclass
class RollRow:
    person: User
    attendance: Attendance | None
    leave: LeaveRequest | None  # the live (pending or approved) request

    @property
    def status(self) -> str:
        return self.attendance.status if self.attendance is not None else ""

    @property
    def photo(self):
        """The profile's photo (a Wagtail image), if any."""
        profile = getattr(self.person, "profile", None)
        return profile.photo if profile is not None else None


def session_roll(session: ClassSession) -> list[RollRow]:
    """Everyone to call at ``session``: the students enrolled in its class
    (by name), and anyone else with a mark there (e.g. who left the class
    later), each with their mark and live leave request; photos come with
    their ``ROLL_PHOTO_SPEC`` renditions. Three queries, and two more when
    anyone has a photo, however many students."""
    enrolled = list(
        User.objects.filter(enrolments__section_id=session.section_id,
                            enrolments__status=Enrolment.Status.ENROLLED)
        .select_related("profile").distinct()
    )
    marks = {a.person_id: a for a in Attendance.objects.filter(session=session)
             .select_related("person__profile")}
    leaves = {r.person_id: r for r in LeaveRequest.objects.filter(
        session=session, status__in=LeaveRequest.LIVE)}
    people = {p.pk: p for p in enrolled}
    for mark in marks.values():
        people.setdefault(mark.person_id, mark.person)
    prefetch_related_objects(list(people.values()), Prefetch(
        "profile__photo",
        queryset=get_image_model().objects.prefetch_renditions(ROLL_PHOTO_SPEC)))
    rows = [RollRow(person=p, attendance=marks.get(pk), leave=leaves.get(pk))
            for pk, p in people.items()]
    rows.sort(key=lambda row: (row.person.display_name, row.person.pk))
    return rows


def person_leave_requests(people: list[User], *, since: datetime.datetime | None = None
                          ) -> list[LeaveRequest]:
    """Leave requests of ``people`` for sessions that have not ended (or
    ended after ``since``), newest session first; session, section and
    course loaded. One query."""
    since = since or timezone.now()
    return list(
        LeaveRequest.objects.filter(person__in=people, session__ends_at__gt=since)
        .select_related("session__section__course", "session__section__campus",
                        "person__profile")
        .order_by("session__starts_at", "pk")
    )
