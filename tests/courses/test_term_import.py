"""Holidays and make-up working days imported from an .ics calendar."""

import datetime

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from courses.models import TermDay
from courses.services.sessions import sessions_generate
from courses.services.terms import term_days_import_ics

from . import factories as f
from . import test_admin_setup as admin_setup
from .test_admin_setup import refused, url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world

D = datetime.date


def ics(*events: str) -> bytes:
    body = "".join(
        "BEGIN:VEVENT\r\n" + "\r\n".join(line.strip() for line in lines.strip().splitlines())
        + "\r\nEND:VEVENT\r\n"
        for lines in events
    )
    return ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//holidays//CN\r\n"
            f"{body}END:VCALENDAR\r\n").encode()


NATIONAL_DAY = ics(
    """
    UID:guoqing-2026@holidays
    DTSTART;VALUE=DATE:20261001
    DTEND;VALUE=DATE:20261009
    SUMMARY:国庆节、中秋节
    """,
    """
    UID:bu-0927@holidays
    DTSTART;VALUE=DATE:20260927
    DTEND;VALUE=DATE:20260928
    SUMMARY:国庆节补班
    """,
    """
    UID:bu-1010@holidays
    DTSTART;VALUE=DATE:20261010
    SUMMARY:调休上班（周四课表）
    """,
    """
    UID:yuandan-2027@holidays
    DTSTART;VALUE=DATE:20270101
    DTEND;VALUE=DATE:20270102
    SUMMARY:元旦
    """,
)


@pytest.fixture
def term():
    home, _campuses, _catalogue = f.school_tree()
    return f.TermFactory(school=home, start_date=D(2026, 9, 7), end_date=D(2026, 12, 31))


def days_of(term):
    return [(d.date, d.kind, d.follows_weekday, d.name) for d in TermDay.objects.filter(term=term)]


def test_holidays_and_make_up_days_inside_the_term_are_imported(term):
    counts = term_days_import_ics(term=term, data=NATIONAL_DAY)
    assert counts == {"created": 10, "updated": 0, "unchanged": 0, "skipped": 1}
    days = days_of(term)
    holidays = [d for d, kind, _w, _n in days if kind == TermDay.Kind.HOLIDAY]
    assert holidays == [D(2026, 10, n) for n in range(1, 9)]  # DTEND is exclusive
    makeups = {d: weekday for d, kind, weekday, _n in days if kind == TermDay.Kind.MAKEUP}
    # Before the holiday: Friday's classes; the summary names Thursday for 10 Oct.
    assert makeups == {D(2026, 9, 27): 4, D(2026, 10, 10): 3}
    assert ("国庆节、中秋节" in {n for *_r, n in days})


def test_a_make_up_day_after_the_holiday_follows_monday_unless_named():
    home, _c, _cat = f.school_tree()
    term = f.TermFactory(school=home, start_date=D(2026, 9, 7), end_date=D(2026, 12, 31))
    term_days_import_ics(term=term, data=ics(
        "UID:h@x\nDTSTART;VALUE=DATE:20261001\nDTEND;VALUE=DATE:20261008\nSUMMARY:国庆节",
        "UID:m@x\nDTSTART;VALUE=DATE:20261010\nSUMMARY:补班（10月10日 周六）",
    ))
    assert TermDay.objects.get(term=term, date=D(2026, 10, 10)).follows_weekday == 0


def test_importing_twice_changes_nothing_and_keeps_an_editors_correction(term):
    term_days_import_ics(term=term, data=NATIONAL_DAY)
    TermDay.objects.filter(term=term, date=D(2026, 9, 27)).update(follows_weekday=2)
    before = days_of(term)
    counts = term_days_import_ics(term=term, data=NATIONAL_DAY)
    assert counts == {"created": 0, "updated": 0, "unchanged": 10, "skipped": 1}
    assert days_of(term) == before
    assert TermDay.objects.filter(term=term).count() == 10


def test_an_existing_day_is_updated_not_duplicated(term):
    TermDay.objects.create(term=term, date=D(2026, 10, 1), name="旧名称")
    counts = term_days_import_ics(term=term, data=NATIONAL_DAY)
    assert counts["updated"] == 1 and counts["created"] == 9
    assert TermDay.objects.get(term=term, date=D(2026, 10, 1)).name == "国庆节、中秋节"


@pytest.mark.parametrize("data", [
    b"this is not a calendar",
    b"",
    ics("UID:x@x\nDTSTART:not-a-date\nSUMMARY:坏数据"),
    b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n",
    "BEGIN:VCALENDAR\r\nX-\xff\r\n".encode("latin-1"),
])
def test_a_malformed_file_gets_a_clear_message_and_saves_nothing(term, data):
    TermDay.objects.create(term=term, date=D(2026, 10, 1), name="保留")
    with pytest.raises(ValidationError) as caught:
        term_days_import_ics(term=term, data=data)
    assert "没有导入任何内容" in " ".join(caught.value.messages)
    assert days_of(term) == [(D(2026, 10, 1), "holiday", None, "保留")]


def _upload(content: bytes, name="holidays.ics"):
    return SimpleUploadedFile(name, content, content_type="text/calendar")


def test_the_admin_import_saves_days_and_regenerates_sessions(client, world):
    start = world.term.start_date
    # A calendar whose holiday is the class's first Tuesday.
    first_tuesday = start + datetime.timedelta(days=(1 - start.weekday()) % 7)
    for section in (world.section_ld, world.section_lq):  # both meet on Tuesdays
        sessions_generate(section=section)
    before = world.section_ld.sessions.count()
    holiday = ics(f"UID:h@x\nDTSTART;VALUE=DATE:{first_tuesday:%Y%m%d}\nSUMMARY:校庆放假")
    client.force_login(world.school_admin)
    page = url("courses_term:import_ics", world.term.pk)
    assert "Import holidays from .ics" in client.get(page).content.decode()
    response = client.post(page, {"file": _upload(holiday)}, follow=True)
    html = response.content.decode()
    assert "Holidays imported: 1 days added" in html
    assert "Timetable: 0 sessions created, 0 updated, 2 removed." in html
    assert world.section_ld.sessions.count() == before - 1
    assert TermDay.objects.get(term=world.term).date == first_tuesday


def test_the_admin_import_refuses_a_bad_file_clearly(client, world):
    client.force_login(world.school_admin)
    page = url("courses_term:import_ics", world.term.pk)
    html = client.post(page, {"file": _upload(b"garbage")}).content.decode()
    assert "This file is not a calendar we can read (.ics). Nothing was imported." in html
    html = client.post(page, {"file": _upload(b"x", name="photo.jpg")}).content.decode()
    assert "Please choose an .ics calendar file." in html
    big = _upload(b"X" * (1024 * 1024 + 1))
    assert "larger than 1 MB" in client.post(page, {"file": big}).content.decode()
    assert not TermDay.objects.filter(term=world.term).exists()


def test_campus_admins_and_teachers_cannot_import(client, world):
    for user in (world.campus_admin, world.teacher):
        client.force_login(user)
        assert refused(client.get(url("courses_term:import_ics", world.term.pk)))


def test_changing_a_terms_days_in_the_form_regenerates_sessions(client, world):
    for section in (world.section_ld, world.section_lq):  # both meet on Tuesdays
        sessions_generate(section=section)
    before = world.section_ld.sessions.count()
    start = world.term.start_date
    first_tuesday = start + datetime.timedelta(days=(1 - start.weekday()) % 7)
    client.force_login(world.school_admin)
    data = {
        "school": world.home.pk, "name": world.term.name,
        "start_date": f"{world.term.start_date}", "end_date": f"{world.term.end_date}",
        "renewal_opens_at": "", "renewal_closes_at": "", "enrolment_opens_at": "",
        "enrolment_closes_at": "", "per_person_limit": "3", "offer_hours": "0", "is_published": "on",
        "days-TOTAL_FORMS": "1", "days-INITIAL_FORMS": "0", "days-MIN_NUM_FORMS": "0",
        "days-MAX_NUM_FORMS": "1000", "days-0-id": "", "days-0-date": f"{first_tuesday}",
        "days-0-kind": "holiday", "days-0-name": "校庆", "days-0-follows_weekday": "",
    }
    response = client.post(url("courses_term:edit", world.term.pk), data, follow=True)
    html = response.content.decode()
    assert "Timetable: 0 sessions created, 0 updated, 2 removed." in html
    assert world.section_ld.sessions.count() == before - 1
