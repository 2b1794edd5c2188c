"""Withdrawing, the waiting list (DESIGN rule 3), timed offers and their
expiry task, moving a student, the fee, and the person's timetable."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from courses.models import ClassSession, Enrolment, EnrolmentLogEntry
from courses.selectors import person_timetable, waitlist_position
from courses.services.enrolment import (
    EnrolmentRefused,
    enrolment_create,
    enrolment_fee_record,
    enrolment_move,
    enrolment_withdraw,
    offer_accept,
    offers_expire,
)
from courses.tasks import expire_offers
from lms.notifications.models import Notification
from tests.courses.enrolment_fixtures import OPEN, enrolled_row, make_world, person, proxy_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = Enrolment.Status
HOUR = dt.timedelta(hours=1)


@pytest.fixture
def world(db):
    return make_world()


def enrol(who, sec, *, now=OPEN, **kwargs):
    return enrolment_create(person=who, section=sec, actor=who, now=now, **kwargs).enrolment


@pytest.fixture
def full(world):
    """The class full (3 seats) with two people waiting, in order."""
    seated = [enrol(person(f"学员{i}"), world["section"]) for i in range(3)]
    first = enrol(person("李建国"), world["section"], now=OPEN + dt.timedelta(minutes=1))
    second = enrol(person("张桂兰"), world["section"], now=OPEN + dt.timedelta(minutes=2))
    return {"seated": seated, "first": first, "second": second, **world}


def status_of(row):
    row.refresh_from_db()
    return row.status


# --- withdraw and promote ------------------------------------------------------

def test_a_withdrawal_gives_the_seat_to_the_first_person_waiting(full):
    leaving = full["seated"][0]

    enrolment_withdraw(enrolment=leaving, actor=leaving.person, reason="搬家", now=OPEN + HOUR)

    assert status_of(leaving) == Status.WITHDRAWN
    assert status_of(full["first"]) == Status.ENROLLED
    assert status_of(full["second"]) == Status.WAITLISTED
    assert waitlist_position(enrolment=full["second"]) == 1
    assert Enrolment.objects.filter(section=full["section"], status=Status.ENROLLED).count() == 3
    withdraw = EnrolmentLogEntry.objects.get(enrolment=leaving, action="courses.enrolment.withdraw")
    assert withdraw.data["reason"] == "搬家"
    promote = EnrolmentLogEntry.objects.get(enrolment=full["first"],
                                            action="courses.enrolment.promote")
    assert promote.user == leaving.person  # the withdrawal that freed the seat


def test_a_repeated_withdrawal_changes_nothing(full):
    leaving = full["seated"][0]
    enrolment_withdraw(enrolment=leaving, actor=leaving.person)

    enrolment_withdraw(enrolment=leaving, actor=leaving.person)

    assert status_of(full["second"]) == Status.WAITLISTED
    assert EnrolmentLogEntry.objects.filter(action="courses.enrolment.withdraw").count() == 1


def test_leaving_the_waiting_list_promotes_nobody(full):
    enrolment_withdraw(enrolment=full["first"], actor=full["first"].person)

    assert status_of(full["second"]) == Status.WAITLISTED
    assert waitlist_position(enrolment=full["second"]) == 1


def test_the_promoted_person_and_their_family_are_notified_after_commit(
        full, django_capture_on_commit_callbacks):
    daughter = UserFactory()
    proxy_link(full["first"].person, daughter)
    leaving = full["seated"][0]

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_withdraw(enrolment=leaving, actor=leaving.person)

    promoted = Notification.objects.filter(kind=Notification.Kind.WAITLIST_PROMOTION)
    assert {n.recipient for n in promoted} == {full["first"].person, daughter}
    assert Notification.objects.filter(recipient=leaving.person,
                                       kind=Notification.Kind.ENROLMENT_RESULT).exists()


def test_a_place_kept_for_new_students_goes_to_the_first_new_student_waiting(world):
    sec = world["section"]
    sec.reserved_for_new = 1
    sec.save()
    returning = [person(f"老学员{i}") for i in range(3)]
    for who in returning:
        enrolled_row(who, world["last_run"])
    old = [enrol(who, sec, now=OPEN + dt.timedelta(minutes=i))
           for i, who in enumerate(returning)]  # two seats, then the kept one is refused
    newcomer = enrol(person("新学员"), sec, now=OPEN + dt.timedelta(minutes=5))
    late_newcomer = enrol(person("新学员二"), sec, now=OPEN + dt.timedelta(minutes=6))
    assert [r.status for r in old] == [Status.ENROLLED, Status.ENROLLED, Status.WAITLISTED]
    assert newcomer.status == Status.ENROLLED
    assert waitlist_position(enrolment=late_newcomer) == 2

    # The new student leaves: the kept place passes the returning student
    # first in line and goes to the new student behind them.
    enrolment_withdraw(enrolment=newcomer, actor=newcomer.person)
    assert status_of(old[2]) == Status.WAITLISTED
    assert status_of(late_newcomer) == Status.ENROLLED

    # A returning student leaves: that seat is anyone's, in order.
    enrolment_withdraw(enrolment=old[0], actor=old[0].person)
    assert status_of(old[2]) == Status.ENROLLED


def test_a_returning_student_waits_while_only_a_kept_place_is_free(world):
    sec = world["section"]
    sec.reserved_for_new = 1
    sec.save()
    returning = [person() for _ in range(3)]
    for who in returning:
        enrolled_row(who, world["last_run"])
    rows = [enrol(who, sec) for who in returning]

    assert [r.status for r in rows] == [Status.ENROLLED, Status.ENROLLED, Status.WAITLISTED]
    assert waitlist_position(enrolment=rows[2]) == 1


# --- timed offers ----------------------------------------------------------------

@pytest.fixture
def offering(full):
    full["term"].offer_hours = 24
    full["term"].save()
    leaving = full["seated"][0]
    enrolment_withdraw(enrolment=leaving, actor=leaving.person, now=OPEN + HOUR)
    full["first"].refresh_from_db()
    return full


def test_with_offer_hours_the_next_person_is_offered_the_place_until_a_deadline(offering):
    offer = offering["first"]

    assert offer.status == Status.OFFERED
    assert offer.offer_expires_at == OPEN + HOUR + dt.timedelta(hours=24)
    assert EnrolmentLogEntry.objects.filter(enrolment=offer,
                                            action="courses.enrolment.offer").exists()
    # An offered place is held: nobody new gets it meanwhile.
    assert enrol(person(), offering["section"], now=OPEN + 2 * HOUR).status == Status.WAITLISTED


def test_accepting_in_time_enrols(offering):
    offer = offering["first"]

    row = offer_accept(enrolment=offer, actor=offer.person, now=OPEN + 2 * HOUR)

    assert row.status == Status.ENROLLED
    assert EnrolmentLogEntry.objects.filter(enrolment=offer,
                                            action="courses.enrolment.accept").exists()
    # Again: nothing changes.
    assert offer_accept(enrolment=offer, actor=offer.person).status == Status.ENROLLED
    assert EnrolmentLogEntry.objects.filter(action="courses.enrolment.accept").count() == 1


def test_accepting_too_late_is_refused_and_the_place_moves_on(offering, english):
    offer = offering["first"]

    with pytest.raises(EnrolmentRefused) as caught:
        offer_accept(enrolment=offer, actor=offer.person, now=OPEN + 30 * HOUR)

    assert caught.value.code == "offer_expired"
    assert "ended on" in caught.value.message
    assert status_of(offer) == Status.WITHDRAWN
    assert status_of(offering["second"]) == Status.OFFERED
    with pytest.raises(EnrolmentRefused) as again:
        offer_accept(enrolment=offer, actor=offer.person, now=OPEN + 31 * HOUR)
    assert again.value.code == "offer_expired"


def test_only_an_offered_place_can_be_accepted(full):
    with pytest.raises(EnrolmentRefused) as caught:
        offer_accept(enrolment=full["second"], actor=full["second"].person)

    assert caught.value.code == "not_offered"


def test_the_expiry_task_withdraws_late_offers_and_offers_the_next_person(offering):
    offer = offering["first"]

    assert offers_expire(now=OPEN + 24 * HOUR) == 0  # not yet
    assert offers_expire(now=OPEN + 26 * HOUR) == 1

    assert status_of(offer) == Status.WITHDRAWN
    entry = EnrolmentLogEntry.objects.get(enrolment=offer, action="courses.enrolment.expire")
    assert (entry.user, entry.data["reason"]) == (None, "offer expired")
    nxt = offering["second"]
    assert status_of(nxt) == Status.OFFERED
    assert offers_expire(now=OPEN + 26 * HOUR) == 0  # idempotent


def test_the_beat_task_expires_offers(offering, monkeypatch):
    offer = offering["first"]
    Enrolment.objects.filter(pk=offer.pk).update(
        offer_expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))

    assert expire_offers.delay().get() == 1

    assert status_of(offer) == Status.WITHDRAWN


def test_the_expiry_task_runs_every_five_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["courses.expire_offers"]
    assert (entry["task"], entry["schedule"]) == ("courses.expire_offers", 300.0)


# --- move and fee --------------------------------------------------------------------

def test_staff_move_a_student_to_another_class_and_the_seat_goes_on(full):
    clerk = UserFactory()
    moving = full["seated"][1]
    enrolment_fee_record(enrolment=moving, fee_status="paid", actor=clerk, note="现金")

    new = enrolment_move(enrolment=moving, to_section=full["other"], actor=clerk)

    assert status_of(moving) == Status.WITHDRAWN
    assert (new.section, new.status, new.source, new.acted_by) == (
        full["other"], Status.ENROLLED, "staff", clerk)
    assert (new.fee_status, new.fee_note) == ("paid", "现金")
    entry = EnrolmentLogEntry.objects.get(action="courses.enrolment.move")
    assert entry.enrolment == new
    assert (entry.user, entry.person) == (clerk, moving.person)
    assert entry.data["from_section"] == full["section"].pk
    assert status_of(full["first"]) == Status.ENROLLED


def test_a_move_into_a_full_class_is_refused_and_nothing_changes(full, english):
    other = full["other"]
    for _ in range(3):
        enrol(person(), other)
    moving = full["seated"][0]

    with pytest.raises(EnrolmentRefused) as caught:
        enrolment_move(enrolment=moving, to_section=other, actor=UserFactory())

    assert caught.value.code == "full"
    assert status_of(moving) == Status.ENROLLED
    assert not EnrolmentLogEntry.objects.filter(action="courses.enrolment.move").exists()


def test_recording_the_fee_leaves_an_audit_row_once(full):
    clerk, row = UserFactory(), full["seated"][0]

    enrolment_fee_record(enrolment=row, fee_status="waived", actor=clerk, note="低保")
    enrolment_fee_record(enrolment=row, fee_status="waived", actor=clerk, note="低保")

    row.refresh_from_db()
    assert (row.fee_status, row.fee_note) == ("waived", "低保")
    entry = EnrolmentLogEntry.objects.get(action="courses.enrolment.fee")
    assert entry.data == {"from": "unpaid", "to": "waived", "note": "低保"}


def test_an_unknown_fee_status_is_refused(full):
    with pytest.raises(ValidationError):
        enrolment_fee_record(enrolment=full["seated"][0], fee_status="half", actor=UserFactory())


# --- the person's timetable ------------------------------------------------------------

def test_the_timetable_lists_the_terms_classes_and_upcoming_sessions(
        full, django_assert_max_num_queries):
    wang = full["seated"][0].person
    enrol(wang, full["other"])
    tz = dt.timezone(dt.timedelta(hours=8))
    _past, coming = (ClassSession.objects.create(
        section=full["section"], origin_date=day, room=full["room"],
        starts_at=dt.datetime.combine(day, dt.time(9), tz),
        ends_at=dt.datetime.combine(day, dt.time(11), tz))
        for day in (dt.date(2026, 9, 8), dt.date(2026, 9, 15)))

    with django_assert_max_num_queries(4):
        timetable = person_timetable(person=wang, now=dt.datetime(2026, 9, 10, tzinfo=dt.UTC))

    assert timetable.term == full["term"]
    assert [row.section for row in timetable.enrolments] == [full["section"], full["other"]]
    first = timetable.enrolments[0]
    assert first.section.campus.address == "丽水市莲都区丽青路88号"
    assert first.section.room.name == "书画室"
    assert [str(slot) for slot in first.section.slots.all()]
    assert timetable.sessions == [coming]


def test_the_timetable_shows_the_waiting_place(full):
    timetable = person_timetable(person=full["second"].person)

    (row,) = timetable.enrolments
    assert (row.status, row.waitlist_position) == (Status.WAITLISTED, 2)
    assert timetable.sessions == []
