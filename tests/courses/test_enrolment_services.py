"""enrolment_create: windows, renewal, reserved places, lottery requests,
limits, eligibility, repeated submits, audit rows and notices."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from courses.models import Enrolment, EnrolmentLogEntry, LotteryDraw, Section
from courses.services.eligibility import TICKET_ALPHABET
from courses.services.enrolment import EnrolmentRefused, enrolment_create
from lms.notifications.models import Notification
from tests.courses.enrolment_fixtures import (
    AFTER,
    BEFORE,
    OPEN,
    RENEWAL,
    enrolled_row,
    make_world,
    person,
    proxy_link,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
Status = Enrolment.Status


@pytest.fixture
def world(db):
    return make_world()


def enrol(who, sec, *, actor=None, now=OPEN, **kwargs):
    return enrolment_create(person=who, section=sec, actor=actor or who, now=now, **kwargs)


def refusal(who, sec, **kwargs) -> EnrolmentRefused:
    with pytest.raises(EnrolmentRefused) as caught:
        enrol(who, sec, **kwargs)
    return caught.value


# --- first come, first served -------------------------------------------------

def test_a_free_seat_enrols_the_person_with_an_audit_row(world):
    wang = person()

    result = enrol(wang, world["section"])

    assert (result.outcome, result.created, result.position) == ("enrolled", True, None)
    row = Enrolment.objects.get(person=wang, section=world["section"])
    assert row.status == Status.ENROLLED
    assert row.source == Enrolment.Source.SELF
    assert row.acted_by == wang
    assert row.enrolled_at == OPEN
    entry = EnrolmentLogEntry.objects.get(enrolment=row)
    assert entry.action == "courses.enrolment.enrol"
    assert (entry.user, entry.person, entry.section) == (wang, wang, world["section"])


def test_a_full_class_puts_people_on_the_waiting_list_in_order(world):
    for _ in range(3):
        enrol(person(), world["section"])

    fourth = enrol(person("李建国"), world["section"], now=OPEN + dt.timedelta(minutes=1))
    fifth = enrol(person("张桂兰"), world["section"], now=OPEN + dt.timedelta(minutes=2))

    assert (fourth.outcome, fourth.position) == ("waitlisted", 1)
    assert (fifth.outcome, fifth.position) == ("waitlisted", 2)
    assert fourth.enrolment.queued_at == OPEN + dt.timedelta(minutes=1)
    assert Enrolment.objects.filter(section=world["section"], status=Status.ENROLLED).count() == 3
    assert EnrolmentLogEntry.objects.filter(action="courses.enrolment.waitlist").count() == 2


def test_a_repeated_submit_returns_the_same_row_and_changes_nothing(world):
    wang = person()
    first = enrol(wang, world["section"])

    again = enrol(wang, world["section"], now=OPEN + dt.timedelta(seconds=1))

    assert again.created is False
    assert again.enrolment.pk == first.enrolment.pk
    assert again.outcome == "enrolled"
    assert Enrolment.objects.filter(person=wang).count() == 1
    assert EnrolmentLogEntry.objects.count() == 1


def test_a_repeated_submit_on_the_waiting_list_reports_the_place(world):
    for _ in range(3):
        enrol(person(), world["section"])
    li = person("李建国")
    enrol(li, world["section"])

    again = enrol(li, world["section"], now=AFTER)  # even after the window closed

    assert (again.created, again.outcome, again.position) == (False, "waitlisted", 1)


def test_someone_who_left_can_enrol_again(world):
    wang = person()
    enrolled_row(wang, world["section"], status=Status.WITHDRAWN)

    assert enrol(wang, world["section"]).created is True


# --- windows and renewal -------------------------------------------------------

def test_before_the_windows_nobody_can_enrol(world, english):
    error = refusal(person(), world["section"], now=BEFORE)

    assert error.code == "window_closed"
    assert "opens on" in error.message
    assert not Enrolment.objects.filter(section=world["section"]).exists()


def test_after_the_window_nobody_can_enrol(world, english):
    error = refusal(person(), world["section"], now=AFTER)

    assert error.code == "window_closed"
    assert "closed on" in error.message


def test_a_term_without_window_dates_is_always_open(world):
    term = world["term"]
    term.renewal_opens_at = term.renewal_closes_at = None
    term.enrolment_opens_at = term.enrolment_closes_at = None
    term.save()

    assert enrol(person(), world["section"], now=BEFORE).outcome == "enrolled"


def test_in_the_renewal_window_last_terms_students_keep_their_place(world):
    wang = person()
    enrolled_row(wang, world["last_run"])

    result = enrol(wang, world["section"], now=RENEWAL)

    assert result.outcome == "enrolled"
    assert result.enrolment.source == Enrolment.Source.RENEWAL
    assert result.enrolment.is_new_student is False


def test_in_the_renewal_window_others_are_told_when_enrolment_opens(world, english):
    error = refusal(person(), world["section"], now=RENEWAL)

    assert error.code == "renewal_only"
    assert "last term" in error.message
    assert "opens on" in error.message


def test_renewal_students_get_a_seat_even_in_a_lottery_class(world):
    world["section"].enrolment_mode = Section.Mode.LOTTERY
    world["section"].save()
    wang = person()
    enrolled_row(wang, world["last_run"])

    assert enrol(wang, world["section"], now=RENEWAL).outcome == "enrolled"


def test_renewal_students_never_take_the_places_kept_for_new_students(world):
    sec = world["section"]
    sec.reserved_for_new = 1
    sec.save()
    returning = [person() for _ in range(3)]
    for who in returning:
        enrolled_row(who, world["last_run"])

    outcomes = [enrol(who, sec, now=RENEWAL).outcome for who in returning]

    assert outcomes == ["enrolled", "enrolled", "waitlisted"]
    # The kept place goes to a new student in the open window.
    newcomer = enrol(person("新学员"), sec)
    assert newcomer.outcome == "enrolled"
    assert newcomer.enrolment.is_new_student is True


def test_a_returning_student_is_not_new_even_in_another_class(world):
    wang = person()
    enrolled_row(wang, world["last_run"], status=Status.WITHDRAWN,
                 enrolled_at=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))

    assert enrol(wang, world["other"]).enrolment.is_new_student is False


# --- lottery requests ----------------------------------------------------------

def test_a_lottery_class_records_a_request_with_a_ticket(world):
    sec = world["section"]
    sec.enrolment_mode = Section.Mode.LOTTERY
    sec.save()
    wang = person()

    result = enrol(wang, sec, preference=2)

    assert result.outcome == "applied"
    row = result.enrolment
    assert (row.status, row.preference) == (Status.APPLIED, 2)
    assert len(row.ticket) == 6 and set(row.ticket) <= set(TICKET_ALPHABET)
    assert EnrolmentLogEntry.objects.get(enrolment=row).action == "courses.enrolment.apply"


def test_lottery_requests_are_not_limited_by_the_capacity(world):
    sec = world["section"]
    sec.enrolment_mode = Section.Mode.LOTTERY
    sec.save()

    results = [enrol(person(), sec) for _ in range(5)]

    assert {r.outcome for r in results} == {"applied"}
    assert len({r.enrolment.ticket for r in results}) == 5


def test_after_the_draw_a_lottery_class_fills_first_come(world):
    sec = world["section"]
    sec.enrolment_mode = Section.Mode.LOTTERY
    sec.save()
    LotteryDraw.objects.create(term=world["term"], status=LotteryDraw.Status.PUBLISHED,
                               seed="s", seed_digest="d", algorithm="v1")

    assert enrol(person(), sec).outcome == "enrolled"


# --- refusals ------------------------------------------------------------------

def test_the_per_person_limit_counts_waiting_and_requested_rows(world, english):
    wang = person()
    term = world["term"]
    term.per_person_limit = 2
    term.save()
    enrolled_row(wang, world["other"], status=Status.WAITLISTED, queued_at=OPEN)
    enrolled_row(wang, world["clashing"], status=Status.APPLIED)

    error = refusal(wang, world["section"])

    assert error.code == "limit"
    assert "up to 2 classes" in error.message
    assert not Enrolment.objects.filter(section=world["section"]).exists()


def test_a_class_at_the_same_time_as_one_held_is_refused(world, english):
    wang = person()
    enrol(wang, world["section"])

    error = refusal(wang, world["clashing"])

    assert error.code == "clash"
    assert "书法入门班 1班" in error.message


def test_a_lottery_request_at_the_same_time_is_no_clash(world):
    wang = person()
    enrolled_row(wang, world["clashing"], status=Status.APPLIED)

    assert enrol(wang, world["section"]).outcome == "enrolled"


def test_someone_outside_the_age_range_is_refused(world, english):
    sec = world["section"]
    sec.age_min, sec.age_max = 50, 65
    sec.save()

    error = refusal(person(birth_date=dt.date(1950, 1, 1)), sec)

    assert error.code == "age"
    assert "aged 50 to 65" in error.message


def test_a_missing_birth_date_passes_the_age_check(world):
    sec = world["section"]
    sec.age_min = 50
    sec.save()

    assert enrol(person(birth_date=None), sec).outcome == "enrolled"


@pytest.mark.parametrize("status", [Section.Status.DRAFT, Section.Status.CLOSED,
                                    Section.Status.CANCELLED])
def test_a_class_that_is_not_open_is_refused(world, english, status):
    sec = world["section"]
    sec.status = status
    sec.save()

    error = refusal(person(), sec)

    assert error.code == "not_open"
    assert error.message == "This class is not taking enrolments."


def test_an_inactive_account_is_refused(world):
    wang = person(is_active=False)

    assert refusal(wang, world["section"]).code == "not_allowed"


def test_a_preference_below_one_is_refused(world):
    assert refusal(person(), world["section"], preference=0).code == "not_allowed"


# --- proxies, staff, notices -----------------------------------------------------

def test_a_family_member_enrols_for_the_student_and_both_are_notified(
        world, django_capture_on_commit_callbacks):
    mother = person("王秀英")
    daughter = UserFactory()
    proxy_link(mother, daughter, relation="女儿")

    with django_capture_on_commit_callbacks(execute=True):
        result = enrol(mother, world["section"], actor=daughter)

    row = result.enrolment
    assert (row.source, row.acted_by, row.person) == ("proxy", daughter, mother)
    entry = EnrolmentLogEntry.objects.get(enrolment=row)
    assert (entry.user, entry.person) == (daughter, mother)
    notices = {n.recipient: n for n in Notification.objects.all()}
    assert set(notices) == {mother, daughter}
    assert all(n.kind == Notification.Kind.ENROLMENT_RESULT for n in notices.values())
    assert "书法入门班 1班" in notices[mother].body
    assert "王秀英" in notices[daughter].body


def test_nothing_is_notified_before_commit(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        enrol(person(), world["section"])

    assert not Notification.objects.exists()
    assert callbacks


def test_a_waitlisted_notice_gives_the_place(world, django_capture_on_commit_callbacks):
    for _ in range(3):
        enrol(person(), world["section"])
    li = person("李建国")
    enrol(person("张桂兰"), world["section"])

    with django_capture_on_commit_callbacks(execute=True):
        enrol(li, world["section"])

    notice = Notification.objects.get(recipient=li)
    assert "2" in notice.body
    assert "书法入门班 1班" in notice.title


def test_staff_enrolment_is_recorded_as_staff(world):
    wang, clerk = person(), UserFactory()

    row = enrol(wang, world["section"], actor=clerk, source="staff").enrolment

    assert (row.source, row.acted_by) == ("staff", clerk)


# --- the hot path ----------------------------------------------------------------

def test_enrolling_takes_a_fixed_small_number_of_queries(world):
    people = [person() for _ in range(2)]
    enrol(people[0], world["other"])  # the person holds a class: the clash check runs

    with CaptureQueriesContext(connection) as queries:
        enrol(people[0], world["section"])

    # The person's lock, the section, the person's rows, the clash check,
    # the section's lock, the seats, the insert, the audit row; on
    # PostgreSQL also the lock timeout. (The test's savepoint is its own.)
    sql = [q["sql"] for q in queries if "SAVEPOINT" not in q["sql"]]
    assert len(sql) == (9 if connection.vendor == "postgresql" else 8), sql
    # Under the section's lock: only the recount and the writes.
    locked = next(i for i, q in enumerate(sql)
                  if q.startswith('SELECT "status", "capacity"') and "courses_section" in q)
    assert len(sql) - locked - 1 == 3, sql[locked:]


def test_an_enrolment_makes_the_cached_catalogue_stale(world, django_capture_on_commit_callbacks):
    # The seats left on the catalogue pages change.
    from courses.cache import catalogue_version

    before = catalogue_version()
    with django_capture_on_commit_callbacks(execute=True):
        enrol(person(), world["section"])

    assert catalogue_version() != before
