"""A cancelled or moved class is told to its students, their family
members and its teachers (issue 5 point 4), once per change."""

import datetime as dt

import pytest

from courses.services.session_changes import session_cancel, session_move
from lms.notifications.models import Notification
from tests.courses.attendance_world import make_world, person
from tests.courses.enrolment_fixtures import proxy_link

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return make_world()


def test_a_cancellation_is_told_to_students_family_and_teachers(
        w, django_capture_on_commit_callbacks):
    daughter = person("王女儿")
    proxy_link(w.student, daughter)
    with django_capture_on_commit_callbacks(execute=True):
        session_cancel(session=w.tomorrow, reason="台风停课", actor=w.campus_admin)
    notices = Notification.objects.filter(kind="session_cancelled")
    told = set(notices.values_list("recipient_id", flat=True))
    assert told == {*(s.pk for s in w.students), w.teacher.pk, daughter.pk}
    mine = notices.get(recipient=w.student)
    assert "书法入门班" in mine.title and "台风停课" in mine.body
    assert w.student.display_name in notices.get(recipient=daughter).body
    assert not Notification.objects.filter(recipient__in=[w.outsider, w.other_teacher]).exists()


def test_a_move_is_told_again_and_a_repeated_signal_only_once(
        w, django_capture_on_commit_callbacks):
    from courses.services.session_notices import session_changed_notify

    starts = w.tomorrow.starts_at + dt.timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        moved = session_move(session=w.tomorrow, starts_at=starts,
                             ends_at=starts + dt.timedelta(hours=2), reason="教室维修",
                             actor=w.campus_admin)
    session_changed_notify(None, session=moved, change="moved")
    notices = Notification.objects.filter(recipient=w.student, kind="session_changed")
    assert notices.count() == 1
    assert "教室维修" in notices.get().body
