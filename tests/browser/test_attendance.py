"""Attendance on a 360 px phone: a teacher opens today's classes and takes
the roll call (taps present, late and absent; each is saved, and a reload
shows them); the classroom's QR page shows the code and counts check-ins;
a student opens the code's URL, logs in, comes straight back and taps
"我已到". Today's classes, the roll call, the QR page and the check-in page
have no axe-core violation and pass the readable-text and target checks.

The class lives in a term of its own at a demo campus, with a session
that is on now; it is deleted afterwards with its attendance, enrolments
and their audit rows, so the demo data the other browser tests read stays
as it was."""

import datetime as dt
import re
import uuid

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext, pgettext

from .conftest import PASSWORD, assert_age_friendly, log_in, typed_phone, unused_phone

pytestmark = pytest.mark.browser


def _person(name: str, role: str):
    from tests.factories import ProfileFactory

    phone = unused_phone()
    return ProfileFactory(
        real_name=name, user__phone=phone, user__username=f"browser-{role}-{phone[-8:]}",
        user__email=f"browser-{role}-{phone[-8:]}@example.cn",
    ).user


@pytest.fixture
def class_now(schools):
    """A class with a teacher and three students, and a session today that
    started ten minutes ago (check-in is open); removed afterwards."""
    from courses.models import (
        Attendance,
        AttendanceLogEntry,
        CampusPage,
        ClassSession,
        CourseIndexPage,
        CoursePage,
        Enrolment,
        EnrolmentLogEntry,
        LeaveRequest,
        Section,
        Term,
    )

    home = schools["localhost"].root_page.specific
    catalogue = CourseIndexPage.objects.live().child_of(home).get()
    course = CoursePage.objects.live().child_of(catalogue).first()
    campus = CampusPage.objects.live().descendant_of(home).first()
    room = campus.rooms.first()
    today = timezone.localdate()
    term = Term.objects.create(
        school=home, name=f"浏览器考勤学期-{uuid.uuid4().hex[:8]}",
        start_date=today - dt.timedelta(days=30), end_date=today + dt.timedelta(days=60),
        is_published=False,
    )
    section = Section.objects.create(
        course=course, term=term, campus=campus, room=room, name="考勤测试班", capacity=30,
        status=Section.Status.OPEN,
    )
    teacher = _person("周文华", "teacher")
    section.teachers.add(teacher)
    students = [_person(name, "student") for name in ("王秀英", "李建国", "张桂兰")]
    for student in students:
        Enrolment.objects.create(person=student, section=section,
                                 status=Enrolment.Status.ENROLLED, enrolled_at=timezone.now())
    tz = timezone.get_current_timezone()
    start = timezone.localtime().replace(second=0, microsecond=0) - dt.timedelta(minutes=10)
    start = max(start, dt.datetime.combine(today, dt.time(0, 1), tz))  # just after midnight
    session = ClassSession.objects.create(
        section=section, origin_date=today, room=room, starts_at=start,
        ends_at=start + dt.timedelta(hours=2),
    )
    yield {"section": section, "session": session, "teacher": teacher, "students": students,
           "title": f"{course.title} · 考勤测试班"}
    Attendance.objects.filter(session=session).delete()
    AttendanceLogEntry.objects.filter(session_id=session.pk).delete()
    LeaveRequest.objects.filter(session=session).delete()
    EnrolmentLogEntry.objects.filter(section=section).delete()
    Enrolment.objects.filter(section=section).delete()
    section.delete()
    term.delete()


def zh(message: str, context: str | None = None) -> str:
    with translation.override("zh-hans"):
        return pgettext(context, message) if context else gettext(message)


def test_a_teacher_takes_the_roll_call_on_a_phone(mobile_visitor, class_now):
    from courses.models import Attendance

    visitor, page = mobile_visitor, mobile_visitor.page
    session, students = class_now["session"], class_now["students"]
    log_in(visitor, class_now["teacher"])

    visitor.goto("/teach/roll-call/")
    card = page.locator("main .card", has_text=class_now["title"])
    assert card.count() == 1
    assert_age_friendly(page)

    card.locator(f"a[href='/teach/roll-call/{session.pk}/']").click()
    page.wait_for_load_state("load")
    visitor.screenshot("roll")
    assert page.locator("form.roll-form").count() == 3
    assert_age_friendly(page)

    taps = {students[0]: "present", students[1]: "late", students[2]: "absent"}
    for student, status in taps.items():
        row = page.locator(f"#person-{student.pk}")
        row.locator(f"button[data-status='{status}']").click()
        # Saved at once (fetch), and said so on the row.
        saved = row.locator(".tap-state.is-saved")
        saved.wait_for()
        assert zh(status.capitalize(), "attendance") in saved.inner_text()
        assert row.locator(f"button[data-status='{status}']").get_attribute(
            "aria-pressed") == "true"
    visitor.screenshot("tapped")
    marks = dict(Attendance.objects.filter(session=session).values_list("person", "status"))
    assert marks == {student.pk: status for student, status in taps.items()}

    # A reload shows the saved marks, and the summary counts them.
    page.reload()
    page.wait_for_load_state("load")
    visitor.screenshot("reloaded")
    for student, status in taps.items():
        pressed = page.locator(f"#person-{student.pk} button[aria-pressed='true']")
        assert pressed.count() == 1 and pressed.get_attribute("data-status") == status
    assert_age_friendly(page)

    # The same tap again changes nothing; another status replaces the mark.
    page.locator(f"#person-{students[2].pk} button[data-status='late']").click()
    page.locator(f"#person-{students[2].pk} .tap-state.is-saved").wait_for()
    assert Attendance.objects.get(session=session, person=students[2]).status == "late"


def test_a_student_scans_the_code_logs_in_and_checks_in(browser, live_server, request,
                                                        mobile_visitor, class_now):
    from courses.models import Attendance
    from courses.services.checkin_tokens import checkin_token_make

    from .conftest import _make_visitor

    session, student = class_now["session"], class_now["students"][0]

    # The teacher's phone shows the code of this minute.
    teacher_context, teacher = _make_visitor(browser, live_server, request, "mobile")
    teacher._prefix += "-qr"
    try:
        log_in(teacher, class_now["teacher"])
        teacher.goto(f"/teach/roll-call/{session.pk}/")
        teacher.page.locator(f"a[href='/teach/sessions/{session.pk}/qr/']").click()
        teacher.page.wait_for_load_state("load")
        teacher.screenshot("page")
        code = teacher.page.locator("#qr-code svg")
        box = code.bounding_box()
        assert box["width"] >= 280 and abs(box["width"] - box["height"]) < 2
        count = teacher.page.locator("#qr-checked-in")
        assert count.inner_text() == "0"
        assert_age_friendly(teacher.page)

        # The student scans it (the code's URL, made the way the page makes
        # it) on a phone that is not logged in.
        visitor, page = mobile_visitor, mobile_visitor.page
        path = f"/checkin/{checkin_token_make(session_id=session.pk, now=timezone.now())}/"
        visitor.goto(path)
        assert page.url.startswith(live_server.url + "/accounts/login/")
        page.fill("input[name=login]", typed_phone(student.phone))
        page.fill("input[name=password]", PASSWORD)
        page.locator("main button[type=submit]").first.click()
        page.wait_for_load_state("load")
        visitor.screenshot("back")
        assert page.url == live_server.url + path  # straight back to the code's page

        button = page.locator("form.checkin-form button[type=submit]")
        assert button.inner_text() == zh("I'm here")
        size = button.bounding_box()
        assert size["height"] >= 100 and size["width"] >= 300
        assert class_now["title"] in page.locator("main").inner_text()
        assert_age_friendly(page)

        button.click()
        page.wait_for_load_state("load")
        visitor.screenshot("done")
        record = Attendance.objects.get(session=session, person=student)
        assert (record.status, record.method) == ("present", "qr")
        main = page.locator("main").inner_text()
        assert zh("You are checked in. Thank you!") in main
        assert zh("Present", "attendance") in main
        assert f"{timezone.localtime(record.updated_at):%-H:%M}" in main
        assert_age_friendly(page)

        # Scanning again says so and changes nothing.
        visitor.goto(path)
        assert zh("You had already checked in. There is nothing more to do.") in (
            page.locator("main").inner_text())
        assert Attendance.objects.filter(session=session).count() == 1

        # The classroom's page counts the check-in when it fetches the next code.
        teacher.page.reload()
        teacher.page.wait_for_load_state("load")
        assert teacher.page.locator("#qr-checked-in").inner_text() == "1"
    finally:
        teacher_context.close()


def test_the_classroom_screen_fetches_the_next_code_each_minute(browser, live_server, request,
                                                               class_now):
    """On a classroom screen (1280×800) the code fills most of the height,
    and the page fetches the next one when the minute turns."""
    from courses.services.attendance import attendance_mark

    from .conftest import _make_visitor

    session = class_now["session"]
    context, teacher = _make_visitor(browser, live_server, request, "desktop")
    try:
        teacher.page.clock.install()
        log_in(teacher, class_now["teacher"])
        teacher.goto(f"/teach/sessions/{session.pk}/qr/")
        first = teacher.page.locator("#qr-code").inner_html()
        assert teacher.page.locator("#qr-code svg").bounding_box()["height"] >= 500
        assert_age_friendly(teacher.page)
        attendance_mark(session=session, person=class_now["students"][1], status="late",
                        actor=class_now["teacher"])
        with teacher.page.expect_response(re.compile(r"/qr/code/$")) as fetched:
            teacher.page.clock.fast_forward(61_000)
        assert fetched.value.ok
        teacher.page.locator("#qr-checked-in", has_text="1").wait_for()
        assert fetched.value.json()["svg"].startswith("<svg")
        assert teacher.page.locator("#qr-code svg").count() == 1
        assert first.startswith("<svg")
    finally:
        context.close()


def test_the_check_in_page_fits_the_narrowest_phone(narrow_visitor, class_now):
    """At 320 px (and so at 200 % zoom of a 640 px window) the button still
    fills the width and nothing scrolls sideways."""
    from courses.services.checkin_tokens import checkin_token_make

    visitor, page = narrow_visitor, narrow_visitor.page
    log_in(visitor, class_now["students"][1])
    session = class_now["session"]
    visitor.goto(f"/checkin/{checkin_token_make(session_id=session.pk, now=timezone.now())}/")
    button = page.locator("form.checkin-form button[type=submit]")
    size = button.bounding_box()
    assert size["width"] >= 270 and size["height"] >= 100
    assert_age_friendly(page)
