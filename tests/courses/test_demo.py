"""``manage.py seed_demo`` gives a realistic city of campuses, courses and a
current term of classes without clashes, and a second run changes nothing.

The seed runs once for the module (it takes a while), inside a transaction
that is rolled back afterwards so that no other test sees its data.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, F, Q
from django.utils import timezone
from wagtail.models import Page, Revision, Site

from cms.models import MenuItem, NavigationSettings
from courses.models import (
    CampusPage,
    ClassSession,
    CourseIndexPage,
    CoursePage,
    Department,
    Enrolment,
    Room,
    Section,
    SectionSlot,
    Term,
    TermDay,
)
from courses.services.clashes import section_clashes
from lms.accounts.models import Profile, User
from lms.accounts.roles import STUDENT, TEACHER

NINE_COUNTIES = {"莲都区", "龙泉市", "青田县", "云和县", "庆元县", "缙云县", "遂昌县", "松阳县",
                 "景宁畲族自治县"}
COUNTED = [Page, Revision, CampusPage, Room, Department, CoursePage, Term, TermDay, Section,
           SectionSlot, ClassSession, Enrolment, User, Profile, MenuItem]


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


@pytest.fixture(scope="module")
def seeded(demo_seeded):
    """The demo, seeded once for the module (``demo_seeded``)."""


@pytest.fixture
def university(seeded, db):
    return Site.objects.get(is_default_site=True).root_page.specific


@pytest.fixture
def term(university):
    return Term.objects.get(school=university, name="2026年秋季学期")


def test_a_campus_in_each_of_the_nine_counties(university):
    campuses = CampusPage.objects.live().descendant_of(university)
    assert {c.county for c in campuses} >= NINE_COUNTIES
    assert campuses.filter(kind=CampusPage.Kind.MAIN, title="丽水市老年大学校本部").exists()
    assert campuses.filter(kind=CampusPage.Kind.BRANCH).count() >= 8
    assert campuses.filter(kind=CampusPage.Kind.POINT).exists()
    main = campuses.get(kind=CampusPage.Kind.MAIN)
    assert main.address.startswith("丽水市莲都区") and "路" in main.transport
    assert main.rooms.filter(lift=True).exists()


def test_a_catalogue_of_eighty_courses_in_twelve_departments(university):
    catalogue = CourseIndexPage.objects.child_of(university).get(slug="courses")
    courses = CoursePage.objects.live().child_of(catalogue)
    assert courses.count() >= 80
    assert courses.values("department").distinct().count() >= 12
    assert courses.filter(title="书法入门班").exists()
    assert courses.filter(description__contains="楷书基础").exists()
    assert not courses.filter(Q(summary="") | Q(suits="") | Q(materials="")).exists()
    assert all(c.description.startswith("<p>") for c in courses)


def test_the_current_term_has_its_holidays_and_make_up_days(term):
    assert term.is_published and term.per_person_limit == 3
    assert term.start_date == datetime.date(2026, 9, 7)
    assert term.enrolment_closes_at.date() < term.start_date
    holidays = set(term.days.filter(kind=TermDay.Kind.HOLIDAY).values_list("date", flat=True))
    assert {datetime.date(2026, 10, d) for d in range(1, 8)} <= holidays
    assert datetime.date(2027, 1, 1) in holidays
    assert term.days.filter(kind=TermDay.Kind.MAKEUP).count() == 2
    # The next term (2027年春季学期) is tested in test_demo_enrolment.py.


def test_two_hundred_classes_with_sessions_but_none_on_holidays(term):
    sections = Section.objects.filter(term=term)
    assert sections.count() >= 200
    assert sections.filter(campus__kind=CampusPage.Kind.MAIN).count() > sections.count() / 3
    assert not sections.annotate(n=Count("sessions")).filter(n=0).exists()
    assert not sections.filter(Q(capacity__lt=20) | Q(capacity__gt=60)).exists()
    assert not sections.filter(Q(fee__lt=0) | Q(fee__gt=400)).exists()
    local_days = {
        timezone.localtime(s.starts_at).date()
        for s in ClassSession.objects.filter(section__term=term).only("starts_at")
    }
    assert not local_days & {datetime.date(2026, 10, d) for d in range(1, 8)}
    assert datetime.date(2026, 10, 10) in local_days  # a Saturday make-up day
    assert SectionSlot.objects.filter(section__term=term, start_time__gte="19:00").exists()


def test_no_room_or_teacher_clash_among_the_demo_classes(term):
    sections = Section.objects.filter(term__school=term.school).prefetch_related("slots")
    clashes = [
        clash.message()
        for section in sections
        for clash in section_clashes(section=section, slots=list(section.slots.all()))
    ]
    assert clashes == []


def test_teachers_students_and_demo_accounts(term):
    teachers = User.objects.filter(groups__name=TEACHER, phone__startswith="+86139057800")
    assert teachers.count() >= 30
    assert not teachers.filter(profile__real_name="").exists()
    assert User.objects.filter(groups__name=STUDENT, phone__startswith="+861390579").count() >= 300
    assert User.objects.get(phone="+8613800000002").taught_sections.filter(term=term).exists()
    longquan = CampusPage.objects.get(title="龙泉分校")
    assert longquan.admins.filter(phone="+8613800000003").exists()
    assert Section.objects.filter(term=term, teachers=None).count() == 0


def test_some_classes_are_full_and_have_a_waiting_list_but_none_overbooked(term):
    enrolled = Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.ENROLLED))
    sections = Section.objects.filter(term=term).annotate(n=enrolled)
    assert sections.filter(n__gt=0).count() > 50
    full = sections.filter(n=F("capacity"))
    assert full.count() >= 5
    assert not [s for s in sections if s.n > s.capacity]
    assert Enrolment.objects.filter(section__term=term,
                                    status=Enrolment.Status.WAITLISTED).exists()
    per_person = (Enrolment.objects.filter(section__term=term, status__in=Enrolment.LIVE)
                  .values("person").annotate(n=Count("pk")).order_by("-n").first())
    assert per_person["n"] <= term.per_person_limit


def test_menus_and_home_tile_lead_to_the_catalogue(university):
    for site in Site.objects.all():
        home = site.root_page.specific
        catalogue = CourseIndexPage.objects.child_of(home).get()
        items = NavigationSettings.for_site(site).menu_items.all()
        assert items.filter(link_page=catalogue, label="课程目录").exists()
        assert items.filter(link_page__slug="campuses").exists()
    catalogue = CourseIndexPage.objects.child_of(university).get()
    tiles = [b.value for b in university.quick_actions if b.value["label"] == "课程目录"]
    assert tiles and tiles[0]["page"].pk == catalogue.pk


def test_the_party_school_has_its_own_courses_and_classes(seeded, db):
    party = Site.objects.get(is_default_site=False).root_page.specific
    courses = CoursePage.objects.live().descendant_of(party)
    assert courses.filter(title="支部书记轮训班").exists() and courses.count() >= 6
    assert CampusPage.objects.descendant_of(party).filter(address__contains="人民街").exists()
    assert Section.objects.filter(term__school=party, term__is_published=True).count() >= 6


def test_a_second_run_creates_nothing(seeded, db):
    before = counts()
    call_command("seed_demo", stdout=StringIO())
    assert counts() == before
