"""Roll call pages: today's classes, the roll with four buttons per
student (fetch or plain form, the same tap applied once), the printable
register and its entry form, deciding leave; who may see what; the same
number of queries for 10 and 60 students; students asking leave."""

import datetime as dt
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, AttendanceLogEntry, ClassSession, LeaveRequest
from courses.services.attendance import attendance_mark
from courses.services.leave import leave_request_create
from tests.courses.attendance_world import enrol, make_world, person
from tests.courses.enrolment_fixtures import proxy_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def roll_url(session):
    return reverse("courses:roll_call", args=[session.pk])


def mark_url(session):
    return reverse("courses:roll_call_mark", args=[session.pk])


def tap(client, session, who, status, tap_id=None, json=True, **extra):
    data = {"person": who.pk, "status": status, "tap": str(tap_id or uuid.uuid4()), **extra}
    headers = {"Accept": "application/json"} if json else {}
    return client.post(mark_url(session), data, headers=headers)


# --- today's classes --------------------------------------------------------------

def test_a_teacher_sees_only_their_classes_today(client, english, w):
    client.force_login(w.teacher)
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert "书法入门班" in page and "Take roll call" in page
    assert roll_url(w.session) in page
    assert "声乐基础班" not in page  # the other campus's class
    assert "Cancelled" in page  # this afternoon's cancelled session is shown as such
    assert roll_url(w.cancelled) not in page


def test_a_campus_admin_sees_their_campus_classes_today(client, w):
    client.force_login(w.campus_admin)
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert roll_url(w.session) in page and roll_url(w.far_session) not in page
    client.force_login(w.far_admin)
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert roll_url(w.far_session) in page and roll_url(w.session) not in page


def test_yesterdays_classes_are_a_tap_away_but_not_tomorrows(client, english, w):
    client.force_login(w.teacher)
    url = reverse("courses:roll_call_today")
    page = client.get(url, {"day": (w.today - dt.timedelta(days=1)).isoformat()}).content.decode()
    assert roll_url(w.yesterday) in page and roll_url(w.session) not in page
    assert "Next day" in page
    assert "Next day" not in client.get(url).content.decode()
    assert roll_url(w.session) in client.get(url, {"day": "not-a-date"}).content.decode()


def test_a_school_admin_sees_every_campus(client, w):
    from tests.factories import UserFactory

    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert roll_url(w.session) in page and roll_url(w.far_session) in page


def test_a_student_has_no_classes_to_call(client, english, w):
    client.force_login(w.student)
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert "You have no classes to call today." in page


def test_roll_call_needs_a_login(client, w):
    response = client.get(roll_url(w.session))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


# --- who may see a class's roll -------------------------------------------------

@pytest.mark.parametrize("who", ["other_teacher", "far_admin", "student", "outsider"])
def test_others_cannot_open_or_mark_a_class(client, w, who):
    client.force_login(getattr(w, who))
    assert client.get(roll_url(w.session)).status_code == 404
    assert client.get(reverse("courses:register_print", args=[w.session.pk])).status_code == 404
    assert client.get(reverse("courses:register_enter", args=[w.session.pk])).status_code == 404
    assert tap(client, w.session, w.student, "absent").status_code == 404
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("who", ["teacher", "campus_admin"])
def test_the_teacher_and_the_campus_admin_open_the_roll(client, w, who):
    client.force_login(getattr(w, who))
    page = client.get(roll_url(w.session)).content.decode()
    for student in w.students:
        assert student.display_name in page
    assert w.outsider.display_name not in page


# --- tapping ----------------------------------------------------------------------

def test_a_tap_by_fetch_is_saved_and_answered_in_json(client, english, w):
    client.force_login(w.teacher)
    response = tap(client, w.session, w.student, "late")
    assert response.status_code == 200
    assert response.json() == {"ok": True, "status": "late", "label": "Late"}
    row = Attendance.objects.get(session=w.session, person=w.student)
    assert (row.status, row.method, row.recorded_by) == ("late", "tap", w.teacher)


def test_the_same_tap_sent_twice_is_applied_once(client, w):
    client.force_login(w.teacher)
    same = uuid.uuid4()
    assert tap(client, w.session, w.student, "present", same).json()["ok"]
    assert tap(client, w.session, w.student, "present", same).json()["ok"]
    assert Attendance.objects.count() == 1
    assert AttendanceLogEntry.objects.count() == 1


def test_a_plain_form_post_saves_and_returns_to_the_student(client, english, w):
    client.force_login(w.teacher)
    page = client.get(roll_url(w.session)).content.decode()
    tap_id = re.search(rf'name="person" value="{w.student.pk}">\s*<input type="hidden" '
                       r'name="tap" value="([0-9a-f-]+)"', page).group(1)
    response = tap(client, w.session, w.student, "absent", tap_id, json=False)
    assert response.status_code == 303
    assert response["Location"].endswith(f"{roll_url(w.session)}#person-{w.student.pk}")
    # The form posted again (back button, double tap) changes nothing more.
    tap(client, w.session, w.student, "absent", tap_id, json=False)
    assert AttendanceLogEntry.objects.count() == 1
    page = client.get(response["Location"]).content.decode()
    assert f"Saved: {w.student.display_name}, Absent." in page
    assert re.search(r'data-status="absent" aria-pressed="true"', page)


@pytest.mark.parametrize(("session_name", "message"), [
    ("tomorrow", "This class has not taken place yet."),
    ("cancelled", "This class was cancelled"),
])
def test_a_refused_tap_says_why_and_saves_nothing(client, english, w, session_name, message):
    client.force_login(w.teacher)
    response = tap(client, getattr(w, session_name), w.student, "present")
    assert response.status_code == 400
    assert message in response.json()["error"] and response.json()["retry"] is False
    assert not Attendance.objects.exists()


@pytest.mark.parametrize("json", [True, False])
def test_a_tap_for_someone_not_in_the_class_is_refused_without_naming_them(
        client, english, w, json):
    # Any user id can be posted: the answer must not tell the teacher who it is.
    client.force_login(w.teacher)
    response = tap(client, w.session, w.outsider, "present", json=json)
    if json:
        assert response.status_code == 400
        error = response.json()["error"]
    else:
        assert response.status_code == 303 and "#person-" not in response["Location"]
        error = client.get(response["Location"]).content.decode()
    assert "This person is not a student of this class." in error
    assert w.outsider.display_name not in error
    assert not Attendance.objects.exists()


def test_a_student_who_left_the_class_can_still_be_corrected_on_the_roll(client, english, w):
    # On the roll by their mark, though no longer enrolled.
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    w.student.enrolments.update(status="withdrawn")
    client.force_login(w.teacher)
    response = tap(client, w.session, w.student, "present")
    assert response.status_code == 200 and response.json()["status"] == "present"


def test_a_busy_lock_asks_the_phone_to_send_again(client, w, monkeypatch):
    from courses.services.locking import LockBusy
    from courses.views import attendance as views

    def busy(**kwargs):
        raise LockBusy

    monkeypatch.setattr(views, "attendance_mark", busy)
    client.force_login(w.teacher)
    response = tap(client, w.session, w.student, "present")
    assert response.status_code == 503 and response.json()["retry"] is True


def test_the_roll_shows_marks_and_approved_leave(client, english, w):
    attendance_mark(session=w.session, person=w.students[1], status="late", actor=w.teacher)
    leave = LeaveRequest.objects.create(session=w.session, person=w.students[2],
                                        reason="住院", status="approved",
                                        decided_by=w.teacher, decided_at=w.session.starts_at)
    client.force_login(w.teacher)
    page = client.get(roll_url(w.session)).content.decode()
    assert "Leave approved</strong>: 住院" in page
    assert reverse("courses:leave_decide", args=[leave.pk]) not in page  # already decided
    assert re.findall(r'data-status="(\w+)" aria-pressed="true"', page) == ["late"]


# --- query counts --------------------------------------------------------------------

def queries_for_roll(client, w):
    client.force_login(w.teacher)
    client.get(roll_url(w.session))  # warm caches (content types, site)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(roll_url(w.session))
    assert response.status_code == 200
    return len(captured)


def test_the_roll_makes_the_same_number_of_queries_for_10_and_60_students(client):
    small = make_world(students=10)
    for who in small.students[:5]:
        attendance_mark(session=small.session, person=who, status="present", actor=small.teacher)
    leave_request_create(session=small.tomorrow, person=small.students[6], reason="有事",
                         actor=small.students[6])
    small_count = queries_for_roll(client, small)

    big = make_world(students=60, school="second")
    for who in big.students[:50]:
        attendance_mark(session=big.session, person=who, status="present", actor=big.teacher)
    for who in big.students[50:55]:
        LeaveRequest.objects.create(session=big.session, person=who, reason="有事")
    big_count = queries_for_roll(client, big)
    assert big_count == small_count
    # 16 on SQLite: login, the session, two for the permission, three for
    # the roll; the rest is the page's header and footer.
    assert small_count <= 18


# --- leave on the roll call ----------------------------------------------------------

def test_the_teacher_approves_leave_with_one_tap(client, english, w):
    leave, _ = leave_request_create(session=w.tomorrow, person=w.student, reason="去医院复查",
                                    actor=w.student)
    client.force_login(w.teacher)
    page = client.get(roll_url(w.tomorrow)).content.decode()
    assert "Asks for leave</strong>: 去医院复查" in page
    response = client.post(reverse("courses:leave_decide", args=[leave.pk]),
                           {"decision": "approve"})
    assert response.status_code == 303
    assert LeaveRequest.objects.get().status == "approved"
    assert Attendance.objects.get(session=w.tomorrow, person=w.student).status == "leave"
    page = client.get(response["Location"]).content.decode()
    assert f"Leave approved for {w.student.display_name}." in page


def test_pending_leave_for_coming_classes_shows_on_todays_page(client, english, w):
    leave, _ = leave_request_create(session=w.tomorrow, person=w.student, reason="去医院复查",
                                    actor=w.student)
    client.force_login(w.campus_admin)
    page = client.get(reverse("courses:roll_call_today")).content.decode()
    assert "Leave requests to decide" in page and "去医院复查" in page
    response = client.post(reverse("courses:leave_decide", args=[leave.pk]),
                           {"decision": "refuse", "back": "today"})
    assert response["Location"] == reverse("courses:roll_call_today") + "#leave"
    assert LeaveRequest.objects.get().status == "refused"
    client.force_login(w.far_admin)
    assert "去医院复查" not in client.get(reverse("courses:roll_call_today")).content.decode()


def test_another_campus_admin_cannot_decide_leave(client, w):
    leave, _ = leave_request_create(session=w.tomorrow, person=w.student, reason="有事",
                                    actor=w.student)
    client.force_login(w.far_admin)
    response = client.post(reverse("courses:leave_decide", args=[leave.pk]),
                           {"decision": "approve"})
    assert response.status_code == 404
    assert LeaveRequest.objects.get().status == "pending"


# --- paper register ----------------------------------------------------------------

def test_the_printable_register_lists_everyone_with_blank_boxes(client, english, w):
    client.force_login(w.teacher)
    page = client.get(reverse("courses:register_print", args=[w.session.pk])).content.decode()
    assert page.count("<tr><td>") == len(w.students)
    assert "@media print" in page
    assert page.count('<td class="box"><span></span></td>') == 4 * len(w.students)


def test_staff_enter_a_paper_register_all_at_once(client, english, w):
    client.force_login(w.campus_admin)
    url = reverse("courses:register_enter", args=[w.yesterday.pk])
    a, b, c = w.students
    response = client.post(url, {f"p{a.pk}": "present", f"p{b.pk}": "absent", f"p{c.pk}": ""})
    assert response.status_code == 303
    marks = dict(Attendance.objects.values_list("person_id", "status"))
    assert marks == {a.pk: "present", b.pk: "absent"}
    assert set(Attendance.objects.values_list("method", flat=True)) == {"register"}


def test_a_changed_mark_after_the_day_without_a_reason_saves_nothing(client, english, w):
    attendance_mark(session=w.yesterday, person=w.students[1], status="absent",
                    actor=w.teacher, now=w.yesterday.starts_at)
    client.force_login(w.campus_admin)
    url = reverse("courses:register_enter", args=[w.yesterday.pk])
    a, b, _c = w.students
    response = client.post(url, {f"p{a.pk}": "present", f"p{b.pk}": "present"})
    assert response.status_code == 200
    assert "Say why the attendance is changed after the class day." in response.content.decode()
    assert dict(Attendance.objects.values_list("person_id", "status")) == {b.pk: "absent"}

    response = client.post(url, {f"p{a.pk}": "present", f"p{b.pk}": "present",
                                 "reason": "纸质点名册补录"})
    assert response.status_code == 303
    assert dict(Attendance.objects.values_list("person_id", "method")) == {
        a.pk: "register", b.pk: "correction"}
    entry = AttendanceLogEntry.objects.filter(person=b).order_by("-id").first()
    assert entry.data["reason"] == "纸质点名册补录" and entry.user_id == w.campus_admin.pk


# --- students ---------------------------------------------------------------------------

def test_a_student_asks_leave_from_my_classes(client, english, w):
    client.force_login(w.student)
    page = client.get(reverse("courses:my_classes")).content.decode()
    ask_url = reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk])
    assert ask_url in page
    response = client.post(ask_url, {"reason": "去医院复查"})
    assert response.status_code == 303 and response["Location"] == reverse("courses:my_leave")
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a decision" in page and "去医院复查" in page
    assert LeaveRequest.objects.get().requested_by == w.student


def test_my_classes_offers_leave_only_for_classes_not_yet_started(client, english, w):
    now = timezone.now()
    under_way = ClassSession.objects.create(
        section=w.section, origin_date=timezone.localdate(now), room=w.section.room,
        starts_at=now - dt.timedelta(minutes=30), ends_at=now + dt.timedelta(minutes=90))
    client.force_login(w.student)
    page = client.get(reverse("courses:my_classes")).content.decode()
    assert reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk]) in page
    assert under_way.starts_at.astimezone(timezone.get_current_timezone()).strftime(
        "%-H:%M") in page  # the class is listed ...
    # ... without a link that would only be refused ("already started").
    assert reverse("courses:leave_ask", args=[under_way.pk, w.student.pk]) not in page


def test_the_leave_form_gives_its_example_in_the_pages_language(client, english, w):
    client.force_login(w.student)
    page = client.get(reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk]))
    text = page.content.decode()
    assert "A few words are enough, e.g. a hospital check-up." in text
    assert "去医院复查" not in text


def test_an_empty_reason_is_asked_for_again(client, english, w):
    client.force_login(w.student)
    response = client.post(reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk]),
                           {"reason": "  "})
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not LeaveRequest.objects.exists()


def test_a_family_member_asks_leave_for_their_parent(client, w):
    daughter = person("王女儿")
    proxy_link(w.student, daughter)
    client.force_login(daughter)
    response = client.post(reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk]),
                           {"reason": "陪护"})
    assert response.status_code == 303
    assert LeaveRequest.objects.get().person == w.student


def test_nobody_else_can_ask_leave_for_a_student(client, w):
    client.force_login(w.students[1])
    response = client.post(reverse("courses:leave_ask", args=[w.tomorrow.pk, w.student.pk]),
                           {"reason": "冒名"})
    assert response.status_code == 404
    assert not LeaveRequest.objects.exists()


def test_a_student_withdraws_their_request_but_not_someone_elses(client, w):
    leave, _ = leave_request_create(session=w.tomorrow, person=w.student, reason="有事",
                                    actor=w.student)
    client.force_login(w.students[1])
    url = reverse("courses:leave_withdraw", args=[leave.pk])
    assert client.post(url).status_code == 404
    client.force_login(w.student)
    assert client.post(url).status_code == 303
    assert LeaveRequest.objects.get().status == "withdrawn"


def test_a_student_of_another_class_cannot_ask_leave_there(client, english, w):
    other = person("别班学员")
    enrol(other, w.elsewhere)
    client.force_login(other)
    response = client.post(reverse("courses:leave_ask", args=[w.tomorrow.pk, other.pk]),
                           {"reason": "有事"})
    assert response.status_code == 200
    assert "is not a student of this class" in response.content.decode()
