"""The enrolment admin (报名): a scoped list with filters, search and
exports, the audit history on the inspect page, and the staff actions
(move, fee, withdraw) that go through the enrolment services with the
staff member as the actor. Admin users read the admin in English."""

import csv
import datetime as dt
import io
import re

import openpyxl
import pytest
from django.utils import translation
from wagtail.users.models import UserProfile

from courses.audit import enrolment_log
from courses.models import Enrolment, EnrolmentLogEntry
from lms.accounts import roles
from tests.factories import ProfileFactory, UserFactory

from . import factories as f
from . import test_admin_setup as admin_setup
from .test_admin_setup import refused, url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world


def student(name, phone):
    return ProfileFactory(real_name=name, user=UserFactory(phone=phone)).user


def enrol(person, section, status=Enrolment.Status.ENROLLED, **fields):
    """A row as the services leave it (set up directly: these tests are about
    the admin, the services have their own)."""
    return Enrolment.objects.create(person=person, section=section, status=status,
                                    acted_by=fields.pop("acted_by", person), **fields)


@pytest.fixture
def people(world):
    world.wang = student("王秀英", "+8615800000001")
    world.li = student("李建国", "+8615900000002")
    world.zhang = student("张桂兰", "+8615700000003")
    world.wang_ld = enrol(world.wang, world.section_ld, fee_status=Enrolment.Fee.PAID)
    world.li_ld = enrol(world.li, world.section_ld, Enrolment.Status.WAITLISTED,
                        source=Enrolment.Source.STAFF, acted_by=world.campus_admin)
    world.zhang_lq = enrol(world.zhang, world.section_lq)
    return world


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def html_of(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


# --- the list -------------------------------------------------------------------


def test_a_school_admin_lists_every_enrolment_with_readable_columns(client, people):
    client.force_login(people.school_admin)
    html = html_of(client, url("courses_enrolment:index"))
    for text in ("王秀英", "158****0001", "书法入门班 莲都1班", "莲都校区", "Enrolled",
                 "On the waiting list", "By staff", "莲都管理员", "Paid", "Not paid",
                 "张桂兰", "龙泉分校"):
        assert text in html, text
    assert "15800000001" not in html  # the full number is never listed
    assert url("courses_enrolment:add") not in html  # no "add" button


def test_a_campus_admin_sees_only_their_campus_enrolments(client, people):
    client.force_login(people.campus_admin)
    html = html_of(client, url("courses_enrolment:index"))
    assert "王秀英" in html and "李建国" in html
    assert "张桂兰" not in html
    assert "龙泉分校" not in html  # not even as a filter choice
    other = people.zhang_lq.pk
    assert client.get(url("courses_enrolment:inspect", other)).status_code == 404
    assert client.get(url("courses_enrolment:history", other)).status_code == 404
    for name in ("move", "fee", "withdraw"):
        assert client.get(url(f"courses_enrolment:{name}", other)).status_code == 404, name
        assert client.post(url(f"courses_enrolment:{name}", other),
                           {"fee_status": "paid"}).status_code == 404, name
    assert Enrolment.objects.get(pk=other).fee_status == Enrolment.Fee.UNPAID
    assert client.get(url("courses_enrolment:inspect", people.wang_ld.pk)).status_code == 200


def test_a_campus_admin_export_holds_only_their_rows(client, people):
    client.force_login(people.campus_admin)
    rows = xlsx_rows(client.get(url("courses_enrolment:index") + "?export=xlsx"))
    assert rows[0] == ["Student", "Mobile number", "Course", "Class", "Campus", "Term",
                       "Status", "Source", "Submitted by", "Fee", "Fee note", "Created"]
    by_name = {row[0]: row for row in rows[1:]}
    assert set(by_name) == {"王秀英", "李建国"}
    assert by_name["王秀英"][1:11] == ["158****0001", "书法入门班", "莲都1班", "莲都校区",
                                      "下学期", "Enrolled", "By the student", "王秀英",
                                      "Paid", None]
    assert by_name["李建国"][6:10] == ["On the waiting list", "By staff", "莲都管理员",
                                      "Not paid"]
    text = b"".join(client.get(url("courses_enrolment:index") + "?export=csv")
                    .streaming_content).decode()
    names = [line[0] for line in csv.reader(io.StringIO(text))][1:]
    assert sorted(names) == ["李建国", "王秀英"]


def test_the_export_follows_the_filters(client, people):
    client.force_login(people.school_admin)
    address = url("courses_enrolment:index") + f"?section={people.section_lq.pk}&export=xlsx"
    rows = xlsx_rows(client.get(address))
    assert [row[0] for row in rows[1:]] == ["张桂兰"]


def test_a_teacher_sees_their_sections_enrolments_read_only(client, people):
    client.force_login(people.teacher)
    html = html_of(client, url("courses_enrolment:index"))
    assert "王秀英" in html and "张桂兰" not in html
    assert url("courses_enrolment:fee", people.wang_ld.pk) not in html
    inspect = html_of(client, url("courses_enrolment:inspect", people.wang_ld.pk))
    assert url("courses_enrolment:withdraw", people.wang_ld.pk) not in inspect
    assert client.get(url("courses_enrolment:inspect", people.zhang_lq.pk)).status_code == 404
    for name in ("move", "fee", "withdraw"):
        assert refused(client.get(url(f"courses_enrolment:{name}", people.wang_ld.pk))), name
    assert refused(client.post(url("courses_enrolment:withdraw", people.wang_ld.pk),
                               {"reason": "x"}))
    assert Enrolment.objects.get(pk=people.wang_ld.pk).status == Enrolment.Status.ENROLLED
    rows = xlsx_rows(client.get(url("courses_enrolment:index") + "?export=xlsx"))
    assert sorted(row[0] for row in rows[1:]) == ["李建国", "王秀英"]


def test_people_without_a_teaching_role_cannot_open_the_list(client, people):
    client.force_login(people.wang)
    assert client.get(url("courses_enrolment:index")).status_code in (302, 403)


def test_enrolment_rows_have_no_add_edit_or_delete_form(client, people):
    client.force_login(people.superuser)
    pk = people.wang_ld.pk
    assert client.get(url("courses_enrolment:add")).status_code == 302
    response = client.post(url("courses_enrolment:delete", pk))
    assert response.status_code == 302
    assert response["Location"] == url("courses_enrolment:inspect", pk)
    assert client.post(url("courses_enrolment:edit", pk), {"status": "withdrawn"})["Location"] \
        == url("courses_enrolment:inspect", pk)
    assert Enrolment.objects.get(pk=pk).status == Enrolment.Status.ENROLLED


def test_search_by_name_or_by_a_number_typed_with_spaces(client, people):
    client.force_login(people.school_admin)
    index = url("courses_enrolment:index")
    html = html_of(client, index + "?q=李建国")
    assert "李建国" in html and "王秀英" not in html
    html = html_of(client, index + "?q=158 0000 0001")
    assert "王秀英" in html and "李建国" not in html
    html = html_of(client, index + "?q=１５９００００")  # full-width digits
    assert "李建国" in html and "王秀英" not in html


def test_filters_by_status_source_and_fee(client, people):
    client.force_login(people.school_admin)
    index = url("courses_enrolment:index")
    html = html_of(client, index + "?status=waitlisted")
    assert "李建国" in html and "王秀英" not in html
    html = html_of(client, index + "?source=staff")
    assert "李建国" in html and "张桂兰" not in html
    html = html_of(client, index + "?fee_status=paid")
    assert "王秀英" in html and "李建国" not in html
    html = html_of(client, index + f"?campus={people.longquan.pk}")
    assert "张桂兰" in html and "王秀英" not in html


def test_the_list_of_one_class_shows_its_seats(client, people):
    client.force_login(people.campus_admin)
    html = html_of(client, url("courses_enrolment:index") + f"?section={people.section_ld.pk}")
    assert "1 of 30 places taken, 1 on the waiting list." in html


def test_a_class_page_links_to_its_enrolment_list(client, people):
    client.force_login(people.campus_admin)
    link = url("courses_enrolment:index") + f"?section={people.section_ld.pk}"
    for name in ("inspect", "edit"):
        html = html_of(client, url(f"courses_section:{name}", people.section_ld.pk))
        assert "Enrolment list" in html and link in html, name
    assert link in html_of(client, url("courses_section:index"))


# --- inspect and history ----------------------------------------------------------


def test_the_inspect_page_shows_the_audit_history(client, people):
    enrolment_log(enrolment=people.li_ld, action="courses.enrolment.waitlist",
                  actor=people.campus_admin, data={"to": "waitlisted"})
    client.force_login(people.campus_admin)
    html = html_of(client, url("courses_enrolment:inspect", people.li_ld.pk))
    for text in ("李建国", "159****0002", "书法入门班 莲都1班", "On the waiting list",
                 "Joined the waiting list", "莲都管理员", "to: On the waiting list", "History"):
        assert text in html, text
    assert client.get(url("courses_enrolment:history", people.li_ld.pk)).status_code == 200


def inspect_fields(html) -> dict[str, str]:
    """The inspect page's fields as the admin reads them: label → text."""
    pairs = re.findall(r"<dt>(.*?)</dt>\s*<dd>(.*?)</dd>", html, re.DOTALL)
    return {re.sub(r"\s+", " ", dt).strip(): re.sub(r"<[^>]+>|\s+", " ", dd).strip()
            for dt, dd in pairs}


@pytest.mark.parametrize(("language", "yes", "no", "enrolled"), [
    ("en", "Yes", "No", "Aug. 20, 2026, 5:05 p.m."),
    ("zh-hans", "是", "否", "2026年8月20日 17:05"),
])
def test_every_inspect_field_reads_as_words(client, people, language, yes, no, enrolled):
    Enrolment.objects.filter(pk=people.wang_ld.pk).update(
        is_new_student=False, enrolled_at=dt.datetime(2026, 8, 20, 9, 5, tzinfo=dt.UTC))
    Enrolment.objects.filter(pk=people.li_ld.pk).update(acted_by=None)
    profile = UserProfile.get_for_user(people.campus_admin)
    profile.preferred_language = language
    profile.save()
    client.force_login(people.campus_admin)

    enrolled_row = inspect_fields(html_of(client, url("courses_enrolment:inspect",
                                                      people.wang_ld.pk)))
    waiting_row = inspect_fields(html_of(client, url("courses_enrolment:inspect",
                                                     people.li_ld.pk)))

    values = [*enrolled_row.values(), *waiting_row.values()]
    assert len(enrolled_row) == 18 and values
    for raw in ("None", "True", "False", "-"):
        assert raw not in values, raw
    assert yes in waiting_row.values() and no in enrolled_row.values()  # new student
    assert enrolled in enrolled_row.values()  # local time (UTC+8)
    assert "—" in enrolled_row.values()  # no waiting-list place, no ticket, no offer
    with translation.override(language):
        assert str(Enrolment.Status.WAITLISTED.label) in waiting_row.values()
        assert str(Enrolment.Fee.PAID.label) in enrolled_row.values()
    assert waiting_row.get("Place on the waiting list", "1") == "1"


# --- actions ----------------------------------------------------------------------


def staff_entry(enrolment, action):
    return EnrolmentLogEntry.objects.filter(enrolment=enrolment, action=action).latest("pk")


def test_staff_record_a_fee_with_a_note_and_an_audit_row(client, people):
    client.force_login(people.campus_admin)
    target = url("courses_enrolment:fee", people.li_ld.pk)
    assert "Not paid" in html_of(client, target)
    response = client.post(target, {"fee_status": "waived", "note": "低保户免收"})
    assert response.status_code == 302
    assert response["Location"] == url("courses_enrolment:inspect", people.li_ld.pk)
    row = Enrolment.objects.get(pk=people.li_ld.pk)
    assert (row.fee_status, row.fee_note) == ("waived", "低保户免收")
    assert staff_entry(row, "courses.enrolment.fee").user == people.campus_admin


def test_a_fee_form_without_a_choice_says_so_and_saves_nothing(client, people):
    client.force_login(people.campus_admin)
    response = client.post(url("courses_enrolment:fee", people.li_ld.pk), {"note": "x"})
    assert response.status_code == 200
    assert "Choose paid, not paid or waived." in response.content.decode()
    assert Enrolment.objects.get(pk=people.li_ld.pk).fee_note == ""
    assert not EnrolmentLogEntry.objects.filter(enrolment=people.li_ld).exists()


def test_staff_withdraw_a_student_and_the_next_on_the_waiting_list_gets_the_place(
    client, people
):
    people.section_ld.capacity = 1
    people.section_ld.save()
    people.li_ld.queued_at = people.li_ld.created_at
    people.li_ld.save()
    client.force_login(people.campus_admin)
    target = url("courses_enrolment:withdraw", people.wang_ld.pk)
    assert "王秀英" in html_of(client, target)
    response = client.post(target, {"reason": "电话申请退课"})
    assert response.status_code == 302
    wang, li = (Enrolment.objects.get(pk=e.pk) for e in (people.wang_ld, people.li_ld))
    assert wang.status == Enrolment.Status.WITHDRAWN
    assert li.status in Enrolment.SEATED
    assert staff_entry(wang, "courses.enrolment.withdraw").user == people.campus_admin
    # Withdrawing again changes nothing.
    client.post(target, {"reason": "again"})
    assert EnrolmentLogEntry.objects.filter(
        enrolment=wang, action="courses.enrolment.withdraw").count() == 1


def test_staff_move_a_student_to_another_class_of_the_term(client, people):
    other = f.section(course_page=people.course, term=people.term, campus_page=people.liandu,
                      name="莲都2班", slots=((3, "14:00", "16:00"),))
    client.force_login(people.campus_admin)
    target = url("courses_enrolment:move", people.wang_ld.pk)
    form = html_of(client, target)
    assert "莲都2班" in form
    assert "龙泉1班" not in form  # another campus's class is not offered
    response = client.post(target, {"to_section": other.pk})
    assert response.status_code == 302
    moved = Enrolment.objects.get(person=people.wang, section=other)
    assert moved.status == Enrolment.Status.ENROLLED
    assert not Enrolment.objects.filter(person=people.wang, section=people.section_ld,
                                        status__in=Enrolment.LIVE).exists()
    assert response["Location"] == url("courses_enrolment:inspect", moved.pk)
    assert EnrolmentLogEntry.objects.filter(
        person=people.wang, action="courses.enrolment.move", user=people.campus_admin).exists()
    # Both the new row and the old one show the move, with the classes by name.
    for pk in (moved.pk, people.wang_ld.pk):
        html = html_of(client, url("courses_enrolment:inspect", pk))
        assert "Moved to another class" in html
        assert "before: Enrolled · from class: 书法入门班 莲都1班 · to class: 书法入门班 莲都2班" \
            in html


def test_a_move_into_another_campus_class_is_refused_on_the_form(client, people):
    client.force_login(people.campus_admin)
    response = client.post(url("courses_enrolment:move", people.wang_ld.pk),
                           {"to_section": people.section_lq.pk})
    assert response.status_code == 200
    assert "That class cannot be chosen here." in response.content.decode()
    assert Enrolment.objects.get(pk=people.wang_ld.pk).section == people.section_ld


def test_the_services_refusal_is_a_form_error_and_nothing_changes(client, people):
    full = f.section(course_page=people.course2, term=people.term, campus_page=people.liandu,
                     name="太极满员班", capacity=1, slots=((2, "14:00", "16:00"),))
    enrol(people.zhang, full)
    before = EnrolmentLogEntry.objects.count()
    client.force_login(people.campus_admin)
    response = client.post(url("courses_enrolment:move", people.wang_ld.pk),
                           {"to_section": full.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'role="alert"' in html and "The other class is full." in html
    wang = Enrolment.objects.get(pk=people.wang_ld.pk)
    assert (wang.section, wang.status) == (people.section_ld, Enrolment.Status.ENROLLED)
    assert list(Enrolment.objects.filter(section=full).values_list("person", flat=True)) == [
        people.zhang.pk]
    assert EnrolmentLogEntry.objects.count() == before


def test_a_school_admin_may_act_on_every_campus(client, people):
    client.force_login(people.school_admin)
    response = client.post(url("courses_enrolment:fee", people.zhang_lq.pk),
                           {"fee_status": "paid", "note": ""})
    assert response.status_code == 302
    assert Enrolment.objects.get(pk=people.zhang_lq.pk).fee_status == "paid"


def test_role_groups_get_the_enrolment_permissions():
    from django.contrib.auth.models import Group

    from courses.admin.permissions import course_permissions_ensure

    course_permissions_ensure()

    def codenames(role):
        return set(Group.objects.get(name=role).permissions.values_list("codename", flat=True))

    assert {"view_enrolment", "change_enrolment"} <= codenames(roles.CAMPUS_ADMIN)
    assert "view_enrolment" in codenames(roles.TEACHER)
    assert "change_enrolment" not in codenames(roles.TEACHER)
    assert "add_enrolment" not in codenames(roles.SCHOOL_ADMIN)
    assert "change_lotterydraw" not in codenames(roles.CAMPUS_ADMIN)


def test_the_list_costs_the_same_queries_for_more_rows(client, people):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(people.campus_admin)
    index = url("courses_enrolment:index")
    client.get(index)  # warm caches (permissions, site settings)
    with CaptureQueriesContext(connection) as few:
        client.get(index)
    for n in range(10):
        enrol(student(f"学员{n}", f"+861500000{n:04d}"), people.section_ld,
              Enrolment.Status.WAITLISTED)
    with CaptureQueriesContext(connection) as many:
        assert "学员9" in client.get(index).content.decode()
    assert len(many) == len(few)
