"""The demo shows enrolment (issue 4): the spring term copied from the
autumn one with its renewal window open on the seed day, lottery classes
with places kept for new students, returning students renewed through the
enrolment service, and the demo student with an autumn timetable, a spring
renewal, a waiting-list place and a daughter who may enrol for her. A
second ``seed_demo`` creates nothing."""

import datetime
from html import unescape
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone

from courses.demo_content import CURRENT_TERM, DEMO_STUDENT_PHONE
from courses.demo_enrolment import SPRING
from courses.models import ClassSession, Enrolment, EnrolmentLogEntry, Section, Term
from courses.selectors import waitlist_position
from lms.accounts.models import ProxyLink, User
from lms.accounts.services import can_act_for, proxy_people

FAMILY_PHONE = "+8613800000007"
Status = Enrolment.Status


@pytest.fixture(scope="module")
def seeded(demo_seeded):
    """The demo, seeded once for the module (``demo_seeded``)."""


@pytest.fixture
def spring(seeded, db):
    return Term.objects.get(name=SPRING)


@pytest.fixture
def autumn(spring):
    return Term.objects.get(school=spring.school, name=CURRENT_TERM[1])


@pytest.fixture
def mother(seeded, db):
    return User.objects.get(phone=DEMO_STUDENT_PHONE)


@pytest.fixture
def daughter(seeded, db):
    return User.objects.get(phone=FAMILY_PHONE)


def test_the_spring_term_is_published_with_its_renewal_window_open_now(spring, autumn):
    now = timezone.now()

    assert spring.is_published
    assert spring.renewal_opens_at < now < spring.renewal_closes_at
    assert spring.renewal_closes_at <= spring.enrolment_opens_at < spring.enrolment_closes_at
    assert spring.per_person_limit == 3 and spring.offer_hours == 24
    copies = Section.objects.filter(term=spring)
    assert copies.count() == Section.objects.filter(term=autumn).count()
    assert not copies.filter(copied_from__isnull=True).exists()
    assert not copies.exclude(status=Section.Status.OPEN).exists()
    assert not copies.annotate(n=Count("sessions")).filter(n=0).exists()
    assert not ClassSession.objects.filter(section__term=spring,
                                           origin_date=datetime.date(2027, 5, 3)).exists()


def test_popular_classes_at_the_main_campus_are_drawn_by_lottery_with_places_kept(spring):
    lottery = Section.objects.filter(term=spring, enrolment_mode=Section.Mode.LOTTERY)

    titles = set(lottery.values_list("course__title", flat=True))
    assert titles >= {"书法入门班", "智能手机入门班", "声乐基础班"}
    assert {s.campus.title for s in lottery} == {"丽水市老年大学校本部"}
    for section in lottery:
        assert 1 <= section.reserved_for_new <= section.capacity * 0.15


def test_returning_students_renewed_through_the_service_with_audit_rows(spring):
    rows = Enrolment.objects.filter(section__term=spring).select_related("section")

    assert rows.count() >= 100
    assert set(rows.values_list("source", flat=True)) == {Enrolment.Source.RENEWAL}
    for row in rows:
        assert Enrolment.objects.filter(person_id=row.person_id, section=row.section.copied_from,
                                        status=Status.ENROLLED).exists()
    logged = set(EnrolmentLogEntry.objects.filter(enrolment__in=rows)
                 .values_list("enrolment_id", flat=True))
    assert logged == set(rows.values_list("pk", flat=True))
    seated = Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED))
    for section in Section.objects.filter(term=spring).annotate(n=seated):
        # Returning students never take the places kept for new students.
        assert section.n <= section.capacity - section.reserved_for_new


def test_the_demo_student_has_an_autumn_class_a_renewal_and_a_waiting_place(spring, autumn,
                                                                             mother):
    assert Enrolment.objects.filter(person=mother, section__term=autumn,
                                    status=Status.ENROLLED).exists()
    mine = Enrolment.objects.filter(person=mother, section__term=spring)
    renewed = mine.get(status=Status.ENROLLED)
    waiting = mine.get(status=Status.WAITLISTED)
    assert renewed.source == waiting.source == Enrolment.Source.RENEWAL
    assert waitlist_position(enrolment=waiting) == 1
    assert renewed.acted_by == mother
    assert waiting.acted_by == User.objects.get(phone=FAMILY_PHONE)


def test_her_daughter_may_act_for_her(mother, daughter):
    link = ProxyLink.objects.get(proxy=daughter, student=mother)

    assert link.status == ProxyLink.Status.ACTIVE and link.consented_at is not None
    assert can_act_for(actor=daughter, person=mother)
    assert proxy_people(actor=daughter) == [daughter, mother]


def test_my_classes_shows_the_autumn_timetable_and_the_spring_classes(english, mother,
                                                                     daughter, spring):
    waiting = Enrolment.objects.get(person=mother, section__term=spring,
                                    status=Status.WAITLISTED)
    english.force_login(mother)

    html = english.get(reverse("courses:my_classes"), HTTP_HOST="localhost").content.decode()

    assert f"My classes in {CURRENT_TERM[1]}" in html
    assert f"My classes in {SPRING}" in html
    assert waiting.section.course.title in html
    english.force_login(daughter)
    html = english.get(reverse("courses:my_classes"), HTTP_HOST="localhost").content.decode()
    assert f"Classes of {mother.display_name} in {SPRING}" in html


def test_the_daughter_may_renew_for_her_mother_after_a_withdrawal(english, mother, daughter,
                                                                  spring):
    renewed = Enrolment.objects.get(person=mother, section__term=spring, status=Status.ENROLLED)
    english.force_login(daughter)

    english.post(reverse("courses:enrolment_withdraw", args=[renewed.pk]),
                 {"person": mother.pk}, HTTP_HOST="localhost")
    response = english.post(reverse("courses:enrol", args=[renewed.section_id]),
                            {"person": mother.pk}, HTTP_HOST="localhost")

    assert response.status_code == 303
    again = Enrolment.objects.get(person=mother, section=renewed.section, status__in=Enrolment.LIVE)
    assert again.pk != renewed.pk
    assert again.status == Status.ENROLLED and again.acted_by == daughter
    assert again.source == Enrolment.Source.RENEWAL


def test_a_new_class_is_refused_in_plain_words_until_the_open_window(english, mother, spring):
    other = (Section.objects.filter(term=spring).exclude(enrolments__person=mother)
             .exclude(copied_from__enrolments__person=mother).first())
    english.force_login(mother)

    response = english.post(reverse("courses:enrol", args=[other.pk]), HTTP_HOST="localhost")

    assert response.status_code == 200
    assert "only students of this class's last term can enrol" in unescape(
        response.content.decode())
    assert not Enrolment.objects.filter(person=mother, section=other).exists()


def test_a_second_seed_creates_nothing(seeded, db):
    models = (Term, Section, ClassSession, Enrolment, EnrolmentLogEntry, ProxyLink, User)
    before = [m.objects.count() for m in models]

    call_command("seed_demo", stdout=StringIO())

    assert [m.objects.count() for m in models] == before
