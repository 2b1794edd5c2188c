"""The attendance report in the Wagtail admin: rates per class, student,
teacher, campus and term, filtered, exported by Wagtail's own xlsx/csv
export, and scoped: a teacher sees their classes, a campus admin their
campus, a school admin everything, a student nothing."""

import csv
import datetime as dt
import io

import openpyxl
import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from wagtail.users.models import UserProfile

from courses.admin.attendance_reports import AttendanceReportMenuItem
from courses.admin.permissions import course_permissions_ensure
from courses.models import Attendance
from lms.accounts import roles
from tests.courses.attendance_world import enrol, make_world, person, session_on

pytestmark = pytest.mark.django_db

S = Attendance.Status
HEADINGS = ["Class", "Present", "Late", "On leave", "Absent", "Sessions counted",
            "Attendance rate (%)"]
URL = "courses_attendance_report:index"


def mark(session, who, status):
    Attendance.objects.create(session=session, person=who, status=status,
                              method=Attendance.Method.TAP)


def staff(user, role):
    user.groups.add(Group.objects.get(name=role))
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


@pytest.fixture
def w():
    course_permissions_ensure()
    w = make_world(students=2)
    for user in (w.teacher, w.other_teacher):
        staff(user, roles.TEACHER)
    for user in (w.campus_admin, w.far_admin):
        staff(user, roles.CAMPUS_ADMIN)
    w.school_admin = staff(person("校管理员"), roles.SCHOOL_ADMIN)
    first, second = w.students
    past = [session_on(w.section, w.today - dt.timedelta(days=n)) for n in (9, 8, 7)]
    for session, status in zip(past, [S.PRESENT, S.PRESENT, S.ABSENT], strict=True):
        mark(session, first, status)
    for session, status in zip(past, [S.LATE, S.ABSENT, S.LEAVE], strict=True):
        mark(session, second, status)
    w.far_student = person("龙泉学员")
    enrol(w.far_student, w.elsewhere)
    mark(session_on(w.elsewhere, w.today - dt.timedelta(days=8)), w.far_student, S.PRESENT)
    return w


def xlsx_rows(client, query=""):
    response = client.get(reverse(URL) + "?export=xlsx" + query)
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_a_campus_admin_exports_their_campus_classes_with_the_right_numbers(client, w):
    client.force_login(w.campus_admin)

    rows = xlsx_rows(client)

    assert rows[0] == HEADINGS
    assert rows[1:] == [["书法入门班 1班 · 莲都校区 · 本学期", 2, 1, 1, 2, 5, 60]]


def test_rates_per_student_for_the_teacher_of_the_class(client, w):
    client.force_login(w.teacher)

    rows = xlsx_rows(client, "&by=person")

    assert rows[0][0] == "Student"
    assert sorted(rows[1:]) == [["学员00", 2, 0, 0, 1, 3, 66.7], ["学员01", 0, 1, 1, 1, 2, 50]]


def test_a_teacher_sees_only_their_own_classes_students(client, w):
    client.force_login(w.other_teacher)

    rows = xlsx_rows(client, "&by=person")
    html = client.get(reverse(URL) + "?by=person").content.decode()

    assert rows[1:] == [["龙泉学员", 1, 0, 0, 0, 1, 100]]
    assert "学员00" not in html and "100.0%" in html


def test_another_campus_admin_cannot_filter_their_way_into_a_class(client, w):
    client.force_login(w.far_admin)

    rows = xlsx_rows(client, f"&by=person&section={w.section.pk}")

    # Not one of their choices: the filters are refused, the scope stays.
    assert [row[0] for row in rows[1:]] == ["声乐基础班 1班 · 龙泉分校 · 本学期"]
    html = client.get(reverse(URL)).content.decode()
    assert "莲都校区" not in html  # not even a filter choice


def test_a_school_admin_sees_every_campus_and_filters_by_campus_and_teacher(client, w):
    client.force_login(w.school_admin)

    by_campus = xlsx_rows(client, "&by=campus")
    only_far = xlsx_rows(client, f"&campus={w.far_campus.pk}")
    by_teacher = xlsx_rows(client, f"&by=teacher&teacher={w.teacher.pk}")
    by_term = xlsx_rows(client, "&by=term")

    assert sorted(by_campus[1:]) == [["莲都校区", 2, 1, 1, 2, 5, 60],
                                     ["龙泉分校", 1, 0, 0, 0, 1, 100]]
    assert [row[0] for row in only_far[1:]] == ["声乐基础班 1班 · 龙泉分校 · 本学期"]
    assert by_teacher[1:] == [["周文华", 2, 1, 1, 2, 5, 60]]
    assert by_term[1:] == [["本学期", 3, 1, 1, 2, 6, 66.7]]


def test_the_csv_export_has_the_same_rows(client, w):
    client.force_login(w.campus_admin)

    response = client.get(reverse(URL) + "?export=csv")
    with translation.override("en"):  # the rows are written as they stream
        text = b"".join(response.streaming_content).decode()
    lines = list(csv.reader(io.StringIO(text)))

    assert lines == [HEADINGS, ["书法入门班 1班 · 莲都校区 · 本学期", "2", "1", "1", "2", "5",
                                "60.0"]]


def test_the_page_shows_rates_as_percentages(client, w):
    client.force_login(w.teacher)

    html = client.get(reverse(URL)).content.decode()

    assert "60.0%" in html
    assert "Rates per" in html and "?export=xlsx" in html and "Download XLSX" in html


def test_a_student_may_not_open_the_report(client, w):
    client.force_login(w.student)

    response = client.get(reverse(URL))

    assert response.status_code in (302, 403)
    assert "60.0" not in response.content.decode()


def test_the_menu_item_is_shown_to_staff_who_may_view_classes(w):
    item = AttendanceReportMenuItem("Attendance", reverse(URL))
    request = RequestFactory().get("/admin/")

    request.user = w.teacher
    assert item.is_shown(request)
    request.user = w.student
    assert not item.is_shown(request)


def test_the_report_makes_the_same_queries_for_few_and_many_students(client, w):
    client.force_login(w.teacher)
    with CaptureQueriesContext(connection) as few:
        client.get(reverse(URL) + "?by=person")
    session = session_on(w.section, w.today - dt.timedelta(days=5))
    for n in range(30):
        newcomer = person(f"新学员{n:02d}")
        enrol(newcomer, w.section)
        mark(session, newcomer, S.PRESENT)
    with CaptureQueriesContext(connection) as many:
        html = client.get(reverse(URL) + "?by=person").content.decode()

    assert "新学员29" in html
    assert len(many) == len(few)
