"""QR check-in pages: the student's page behind the code (log in and come
back, one "I'm here" button, present or late, one check-in per person and
session, a plain sentence for every refusal) and the classroom's QR page
(who may show it, the code of the current minute, the count). The clock is
frozen at a time of today's class (9:00–11:00) and moved by the tests."""

import datetime as dt
import re

import pytest
import segno
from django.urls import reverse
from django.utils import timezone

from courses.models import Attendance, AttendanceLogEntry, ClassSession
from courses.services.attendance import attendance_mark
from courses.services.checkin_tokens import checkin_token_make
from courses.views.checkin import QR_SCALE, SCAN_GRACE
from tests.courses.attendance_world import make_world, session_on

pytestmark = pytest.mark.django_db

_real_now = timezone.now


class Clock:
    """``timezone.now()`` frozen at a local time of today, moved by hand."""

    def __init__(self, monkeypatch):
        self.now = _real_now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def at(self, hour, minute=0, second=0, days=0):
        day = timezone.localdate(_real_now()) + dt.timedelta(days=days)
        self.now = dt.datetime.combine(day, dt.time(hour, minute, second),
                                       timezone.get_current_timezone())
        return self.now

    def advance(self, **delta):
        self.now += dt.timedelta(**delta)
        return self.now


@pytest.fixture
def w():
    return make_world()


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def checkin_url(session, now=None):
    token = checkin_token_make(session_id=session.pk, now=now or timezone.now())
    return reverse("courses:checkin", args=[token])


def qr_url(session):
    return reverse("courses:checkin_qr", args=[session.pk])


def main_text(response) -> str:
    html = response.content.decode()
    main = html[html.index('<main'):html.index("</main>")]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", main))


def has_button(response) -> bool:
    return re.search(r'<form method="post" class="checkin-form">.*?<button type="submit"',
                     response.content.decode(), re.S) is not None


def marks():
    return list(Attendance.objects.values_list("person__profile__real_name", "status", "method"))


# --- the student's way through ----------------------------------------------------

def test_a_logged_out_student_logs_in_comes_back_and_checks_in(client, english, w, clock):
    clock.at(9, 3)
    url = checkin_url(w.session)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('account_login')}?next={url.replace(':', '%3A')}"

    # Typing the phone number and password takes a while: the code has
    # changed on the screen, but the scan was accepted before the detour.
    clock.advance(minutes=4)
    client.force_login(w.student)
    response = client.get(url)
    assert response.status_code == 200 and has_button(response)
    assert "书法入门班" in main_text(response)

    response = client.post(url)
    assert response.status_code == 303 and response["Location"] == url
    assert marks() == [("学员00", "present", "qr")]
    record = Attendance.objects.get()
    assert record.recorded_by == w.student
    entry = AttendanceLogEntry.objects.get()
    assert (entry.user, entry.person, entry.data["to"], entry.data["method"]) == (
        w.student, w.student, "present", "qr")

    page = main_text(client.get(url))
    assert "You are checked in. Thank you!" in page
    assert "Already checked in" not in page
    assert f"You checked in at {timezone.localtime(clock.now):%-H:%M}." in page
    assert "You had already checked in" not in page


def test_the_follow_up_after_logging_in_goes_back_to_the_code(client, w, clock):
    clock.at(9, 3)
    url = checkin_url(w.session)
    login = client.get(url)["Location"]
    assert login.startswith(reverse("account_login")) and "next=" in login


def test_a_second_scan_says_already_checked_in_and_changes_nothing(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)
    client.post(checkin_url(w.session), follow=True)
    clock.at(9, 40)
    again = checkin_url(w.session)
    page = main_text(client.get(again))
    assert "Already checked in" in page
    assert "You had already checked in. There is nothing more to do." in page
    assert "You checked in at 9:03." in page
    assert "You had already checked in" in main_text(client.post(again))  # a double tap
    assert marks() == [("学员00", "present", "qr")]
    assert AttendanceLogEntry.objects.count() == 1
    assert Attendance.objects.get().updated_at == clock.at(9, 3)


def test_a_check_in_more_than_15_minutes_after_the_start_is_late(client, english, w, clock):
    clock.at(9, 15)
    client.force_login(w.students[0])
    client.post(checkin_url(w.session))
    clock.at(9, 15, 1)
    client.force_login(w.students[1])
    client.post(checkin_url(w.session))
    assert sorted(marks()) == [("学员00", "present", "qr"), ("学员01", "late", "qr")]
    assert "Late" in main_text(client.get(checkin_url(w.session)))


def test_lateness_counts_from_the_scan_not_from_the_tap(client, w, clock):
    clock.at(9, 10)
    url = checkin_url(w.session)
    client.get(url)  # scanned on time, then logged in slowly
    clock.at(9, 22)
    client.force_login(w.student)
    client.post(url)
    assert marks() == [("学员00", "present", "qr")]


def test_a_scan_is_remembered_only_for_a_while(client, english, w, clock):
    clock.at(9, 3)
    url = checkin_url(w.session)
    client.get(url)
    clock.advance(seconds=SCAN_GRACE.total_seconds() + 1)
    client.force_login(w.student)
    page = main_text(client.get(url))
    assert "This code has expired. Please scan the latest QR code in the classroom." in page
    client.post(url)
    assert not Attendance.objects.exists()


def test_a_forwarded_screenshot_from_earlier_does_not_work(client, english, w, clock):
    clock.at(9, 3)
    screenshot = checkin_url(w.session)
    clock.at(9, 5)  # two minutes later, in another phone
    client.force_login(w.students[1])
    response = client.get(screenshot)
    assert "This code has expired. Please scan the latest QR code" in main_text(response)
    assert not has_button(response)
    client.post(screenshot)
    assert not Attendance.objects.exists()


def test_a_code_from_the_minute_before_still_works(client, w, clock):
    clock.at(9, 3, 59)
    url = checkin_url(w.session)
    clock.at(9, 4, 58)
    client.force_login(w.student)
    assert has_button(client.get(url))


def test_a_tampered_code_cannot_be_read(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)
    token = checkin_token_make(session_id=w.session.pk, now=clock.now)
    forged = token.replace(f"{w.session.pk}.", f"{w.far_session.pk}.", 1)
    for bad in (forged, token[:-3] + "abc", "hello"):
        response = client.get(reverse("courses:checkin", args=[bad]))
        assert response.status_code == 400
        assert "This code cannot be read." in main_text(response)
        client.post(reverse("courses:checkin", args=[bad]))
    assert not Attendance.objects.exists()


def test_a_code_of_a_session_that_is_gone_is_not_found(client, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)
    gone = checkin_token_make(session_id=999999, now=clock.now)
    assert client.get(reverse("courses:checkin", args=[gone])).status_code == 404


def test_someone_not_in_the_class_cannot_check_in(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.outsider)
    response = client.get(checkin_url(w.session))
    assert "You are not a student of this class" in main_text(response)
    assert not has_button(response)
    client.post(checkin_url(w.session))
    assert not Attendance.objects.exists()


def test_a_student_cannot_use_the_code_of_another_class(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)  # in the calligraphy class, not the singing one
    other = checkin_url(w.far_session)
    assert "You are not a student of this class" in main_text(client.get(other))
    client.post(other)
    assert not Attendance.objects.exists()


def test_a_class_tomorrow_cannot_be_checked_in_today(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)
    url = checkin_url(w.tomorrow)
    page = main_text(client.get(url))
    assert "This class is not today. It is on" in page and "at 9:00." in page
    client.post(url)
    assert not Attendance.objects.exists()


def test_before_the_window_the_page_says_when_check_in_opens(client, english, w, clock):
    afternoon = session_on(w.section, w.today, hour=15)
    clock.at(13, 0)
    client.force_login(w.student)
    url = checkin_url(afternoon)
    page = main_text(client.get(url))
    assert "Check-in for this class opens at 14:30." in page
    client.post(url)
    assert not Attendance.objects.exists()


@pytest.mark.parametrize(("session_name", "hour", "minute"), [
    ("session", 11, 1),  # today's class, a minute after its end
    ("yesterday", 9, 3),  # yesterday's class, at its time today
])
def test_after_the_class_check_in_is_closed(client, english, w, clock, session_name, hour,
                                           minute):
    clock.at(hour, minute)
    client.force_login(w.student)
    url = checkin_url(getattr(w, session_name))
    assert "This class is over and check-in has closed." in main_text(client.get(url))
    client.post(url)
    assert not Attendance.objects.exists()


def test_a_cancelled_class_has_no_check_in(client, english, w, clock):
    ClassSession.objects.filter(pk=w.cancelled.pk).update(change_note="老师生病")
    clock.at(14, 5)
    client.force_login(w.student)
    url = checkin_url(w.cancelled)
    page = main_text(client.get(url))
    assert "This class was cancelled, so there is no check-in. 老师生病" in page
    client.post(url)
    assert not Attendance.objects.exists()


def test_a_student_marked_absent_before_arriving_can_still_check_in(client, english, w, clock):
    clock.at(9, 1)
    attendance_mark(session=w.session, person=w.student, status="absent", actor=w.teacher)
    clock.at(9, 12)
    client.force_login(w.student)
    assert has_button(client.get(checkin_url(w.session)))
    client.post(checkin_url(w.session))
    assert marks() == [("学员00", "present", "qr")]


def test_a_student_the_teacher_marked_present_sees_it(client, english, w, clock):
    clock.at(9, 1)
    attendance_mark(session=w.session, person=w.student, status="present", actor=w.teacher)
    clock.at(9, 30)
    client.force_login(w.student)
    page = main_text(client.get(checkin_url(w.session)))
    assert "Your teacher marked you at 9:01." in page and "already checked in" in page
    client.post(checkin_url(w.session))
    assert marks() == [("学员00", "present", "tap")]


def test_a_busy_moment_asks_to_tap_again(client, english, w, clock, monkeypatch):
    from courses.services.locking import LockBusy
    from courses.views import checkin as views

    def busy(**kwargs):
        raise LockBusy

    monkeypatch.setattr(views, "attendance_check_in", busy)
    clock.at(9, 3)
    client.force_login(w.student)
    response = client.post(checkin_url(w.session))
    assert response.status_code == 503
    assert "The system is busy. Please tap the button again." in main_text(response)
    assert has_button(response)


def test_the_check_in_page_is_in_chinese_first(client, w, clock):
    clock.at(9, 3)
    client.force_login(w.student)
    response = client.get(checkin_url(w.session))
    assert 'lang="zh-CN"' in response.content.decode()
    assert "csrfmiddlewaretoken" in response.content.decode()


# --- the classroom's QR page ------------------------------------------------------

@pytest.mark.parametrize("who", ["teacher", "campus_admin"])
def test_the_teacher_and_the_campus_admin_show_the_code_of_this_minute(client, english, w,
                                                                      clock, who):
    clock.at(8, 55, 20)
    client.force_login(getattr(w, who))
    response = client.get(qr_url(w.session))
    assert response.status_code == 200
    page = response.content.decode()
    url = "http://testserver" + checkin_url(w.session)
    svg = segno.make(url, error="m").svg_inline(scale=QR_SCALE, omitsize=True, dark="#000",
                                                light="#fff", svgclass="qr-svg")
    assert svg in page
    assert '<meta http-equiv="refresh" content="40">' in page  # no JavaScript: at 8:56
    text = main_text(response)
    assert "书法入门班" in text and "9:00–11:00" in text and "书画室" in text
    assert "Checked in: 0 of 3" in text


def test_the_code_changes_with_the_minute_and_counts_check_ins(client, w, clock):
    clock.at(9, 5, 10)
    client.force_login(w.teacher)
    code = reverse("courses:checkin_qr_code", args=[w.session.pk])
    first = client.get(code).json()
    assert first["seconds"] == 50 and first["checked_in"] == 0 and "<svg" in first["svg"]
    attendance_mark(session=w.session, person=w.students[1], status="late", actor=w.teacher)
    attendance_mark(session=w.session, person=w.students[2], status="absent", actor=w.teacher)
    clock.at(9, 6)
    second = client.get(code).json()
    assert second["svg"] != first["svg"] and second["checked_in"] == 1


def test_before_the_window_the_qr_page_says_when_the_code_appears(client, english, w, clock):
    clock.at(8, 0)
    client.force_login(w.teacher)
    response = client.get(qr_url(w.session))
    assert "The code appears here at 8:30" in main_text(response)
    assert "<svg" not in response.content.decode()
    assert client.get(reverse("courses:checkin_qr_code", args=[w.session.pk])).json()["svg"] == ""


def test_after_the_class_or_when_cancelled_the_qr_page_shows_no_code(client, english, w, clock):
    clock.at(11, 30)
    client.force_login(w.teacher)
    over = client.get(qr_url(w.session))
    assert "check-in has closed" in main_text(over) and "<svg" not in over.content.decode()
    assert 'http-equiv="refresh"' not in over.content.decode()
    clock.at(14, 5)
    cancelled = client.get(qr_url(w.cancelled))
    assert "This class was cancelled" in main_text(cancelled)
    assert "<svg" not in cancelled.content.decode()


@pytest.mark.parametrize("who", ["other_teacher", "far_admin", "student", "outsider"])
def test_others_cannot_show_the_code(client, w, clock, who):
    clock.at(9, 3)
    client.force_login(getattr(w, who))
    assert client.get(qr_url(w.session)).status_code == 404
    assert client.get(reverse("courses:checkin_qr_code", args=[w.session.pk])).status_code == 404


def test_the_qr_page_needs_a_login(client, w, clock):
    clock.at(9, 3)
    response = client.get(qr_url(w.session))
    assert response.status_code == 302 and response["Location"].startswith(
        reverse("account_login"))
    assert client.get(reverse("courses:checkin_qr_code", args=[w.session.pk])).status_code == 404


def test_the_roll_call_links_to_the_qr_page_today(client, english, w, clock):
    clock.at(9, 3)
    client.force_login(w.teacher)
    assert qr_url(w.session) in client.get(
        reverse("courses:roll_call", args=[w.session.pk])).content.decode()
    assert qr_url(w.tomorrow) not in client.get(
        reverse("courses:roll_call", args=[w.tomorrow.pk])).content.decode()
