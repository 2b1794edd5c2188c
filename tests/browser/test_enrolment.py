"""Enrolling on a 360 px phone: a student enrols from the class page, reads
the result and finds the class in "my classes"; a student on the waiting
list gets the place when the other withdraws (two browsers at once). The
class page (logged in), the result page and my classes have no axe-core
violation, and pass the readable-text and target-size checks.

The test class lives in a term of its own (open for enrolment now) at a
demo campus, and is deleted afterwards with everything enrolled in it: the
demo data the other browser tests read stays as it was."""

import datetime as dt
import uuid

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext

from courses.models import (
    CampusPage,
    ClassSession,
    CourseIndexPage,
    CoursePage,
    Enrolment,
    EnrolmentLogEntry,
    LotteryEntry,
    Section,
    SectionSlot,
    Term,
)

from .conftest import _make_visitor, assert_age_friendly, log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def one_seat(schools):
    """A class with one seat in a term of its own whose enrolment is open
    now, with a session next week; removed with its rows afterwards."""
    home = schools["localhost"].root_page.specific
    catalogue = CourseIndexPage.objects.live().child_of(home).get()
    course = CoursePage.objects.live().child_of(catalogue).first()
    campus = CampusPage.objects.live().descendant_of(home).first()
    room = campus.rooms.first()
    now = timezone.now()
    today = timezone.localdate()
    term = Term.objects.create(
        school=home, name=f"浏览器测试学期-{uuid.uuid4().hex[:8]}",
        start_date=today - dt.timedelta(days=7), end_date=today + dt.timedelta(days=90),
        enrolment_opens_at=now - dt.timedelta(days=1),
        enrolment_closes_at=now + dt.timedelta(days=30),
        is_published=True, per_person_limit=3, offer_hours=0,
    )
    section = Section.objects.create(
        course=course, term=term, campus=campus, room=room, name="测试1班", capacity=1,
        status=Section.Status.OPEN,
    )
    slot = SectionSlot.objects.create(section=section, weekday=6, start_time="19:00",
                                      end_time="20:00")
    day = today + dt.timedelta(days=(6 - today.weekday()) % 7 or 7)
    tz = timezone.get_current_timezone()
    ClassSession.objects.create(
        section=section, slot=slot, origin_date=day, room=room,
        starts_at=dt.datetime.combine(day, dt.time(19), tz),
        ends_at=dt.datetime.combine(day, dt.time(20), tz),
    )
    path = catalogue.relative_url(schools["localhost"]) + f"sections/{section.pk}/"
    yield {"section": section, "path": path, "title": f"{course.title} · 测试1班"}
    rows = Enrolment.objects.filter(section=section)
    EnrolmentLogEntry.objects.filter(section=section).delete()
    LotteryEntry.objects.filter(section=section).delete()
    rows.delete()
    section.delete()
    term.delete()


def enrol_from_the_class_page(visitor, one_seat):
    page = visitor.page
    visitor.goto(one_seat["path"])
    form = page.locator("form.enrol-form")
    assert form.count() == 1
    assert page.locator("main .button-primary").count() == 1
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("load")
    visitor.screenshot("result")
    assert "/enrol/result/" in page.url


def test_a_student_enrols_and_finds_the_class_in_my_classes(mobile_visitor, student, one_seat):
    visitor, page = mobile_visitor, mobile_visitor.page
    log_in(visitor, student)
    visitor.goto(one_seat["path"])
    assert_age_friendly(page)

    enrol_from_the_class_page(visitor, one_seat)

    enrolment = Enrolment.objects.get(section=one_seat["section"], person=student)
    assert enrolment.status == Enrolment.Status.ENROLLED
    notice = page.locator("main .notice").first.inner_text()
    assert one_seat["title"] in notice
    assert one_seat["section"].campus.address in page.locator("main").inner_text()
    assert_age_friendly(page)

    page.locator(".account-nav a[href='/my/classes/']").click()
    page.wait_for_load_state("load")
    visitor.screenshot("my-classes")
    main = page.locator("main").inner_text()
    assert one_seat["title"] in main
    assert "19:00–20:00" in main
    assert page.locator("#calendar-link").input_value().startswith("http")
    assert_age_friendly(page)


def test_a_waiting_student_gets_the_place_when_the_other_withdraws(
        browser, live_server, request, student, one_seat):
    from tests.factories import ProfileFactory

    from .conftest import unused_phone

    phone = unused_phone()
    second = ProfileFactory(
        real_name="李建国", user__phone=phone, user__username=f"browser-second-{phone[-8:]}",
        user__email=f"browser-second-{phone[-8:]}@example.cn",
    ).user
    first_context, first = _make_visitor(browser, live_server, request, "mobile")
    second_context, waiting = _make_visitor(browser, live_server, request, "mobile")
    waiting._prefix += "-waiting"
    try:
        log_in(first, student)
        enrol_from_the_class_page(first, one_seat)
        log_in(waiting, second)
        enrol_from_the_class_page(waiting, one_seat)
        row = Enrolment.objects.get(section=one_seat["section"], person=second)
        assert row.status == Enrolment.Status.WAITLISTED
        assert "1" in waiting.page.locator("main .notice").first.inner_text()
        assert_age_friendly(waiting.page)

        # The first student withdraws from "my classes".
        first.goto("/my/classes/")
        first.page.locator(f"a[href$='/enrol/{_row(student, one_seat).pk}/withdraw/']").click()
        first.page.wait_for_load_state("load")
        first.screenshot("confirm")
        assert_age_friendly(first.page)
        first.page.locator("main form button[type=submit]").click()
        first.page.wait_for_load_state("load")
        first.screenshot("withdrawn")
        assert _row(student, one_seat).status == Enrolment.Status.WITHDRAWN

        # The waiting student has the place, and sees it.
        row.refresh_from_db()
        assert row.status == Enrolment.Status.ENROLLED
        waiting.goto("/my/classes/")
        card = waiting.page.locator("main .card", has_text=one_seat["title"])
        assert card.count() == 1
        with translation.override("zh-hans"):
            enrolled = gettext("Enrolled")
        assert card.locator(".badge").inner_text() == enrolled
    finally:
        first_context.close()
        second_context.close()


def _row(person, one_seat) -> Enrolment:
    return Enrolment.objects.filter(section=one_seat["section"], person=person).latest("pk")
