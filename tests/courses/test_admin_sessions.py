"""The class-session admin: cancelling and moving go through the session
services (reasons, clash checks, the session_changed signal); an extra
session must not clash."""

import io

import openpyxl
import pytest
from django.utils import timezone

from courses.models import ClassSession
from courses.services.sessions import sessions_generate
from courses.signals import session_changed

from . import test_admin_setup as admin_setup
from .test_admin_setup import url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world


@pytest.fixture
def heard():
    changes = []

    def receiver(sender, session, change, actor, **kwargs):
        changes.append((session.pk, change, actor))

    session_changed.connect(receiver)
    yield changes
    session_changed.disconnect(receiver)


def form_data(session, **changes):
    local = timezone.localtime
    data = {
        "starts_at": f"{local(session.starts_at):%Y-%m-%d %H:%M}",
        "ends_at": f"{local(session.ends_at):%Y-%m-%d %H:%M}",
        "room": session.room_id or "", "status": session.status, "change_note": "",
    }
    data.update(changes)
    return data


@pytest.fixture
def session(world):
    sessions_generate(section=world.section_ld)
    sessions_generate(section=world.section_lq)
    return world.section_ld.sessions.order_by("starts_at").first()


def test_a_campus_admin_cancels_a_session_with_a_reason(client, world, session, heard,
                                                         django_capture_on_commit_callbacks):
    client.force_login(world.campus_admin)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url("courses_session:edit", session.pk),
                               form_data(session, status="cancelled", change_note="教室维修"))
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.status, session.change_note, session.sequence) == ("cancelled", "教室维修", 1)
    assert heard == [(session.pk, "cancelled", world.campus_admin)]


def test_a_move_without_a_reason_is_refused_and_nothing_changes(client, world, session):
    client.force_login(world.campus_admin)
    day = f"{timezone.localtime(session.starts_at):%Y-%m-%d}"
    response = client.post(url("courses_session:edit", session.pk),
                           form_data(session, starts_at=f"{day} 14:00", ends_at=f"{day} 16:00"))
    assert response.status_code == 200
    assert "Say why, so that students know." in response.content.decode()
    before = session.starts_at
    session.refresh_from_db()
    assert session.starts_at == before and not session.moved


def test_a_move_into_a_busy_teacher_is_refused_with_the_clash(client, world, session):
    world.section_lq.teachers.add(world.teacher)  # 周老师 now also teaches 龙泉1班 ...
    other = world.section_lq.sessions.order_by("starts_at")[1]  # ... the week after
    client.force_login(world.school_admin)
    local = timezone.localtime
    response = client.post(url("courses_session:edit", session.pk), form_data(
        session, starts_at=f"{local(other.starts_at):%Y-%m-%d %H:%M}",
        ends_at=f"{local(other.ends_at):%Y-%m-%d %H:%M}", change_note="调课"))
    html = response.content.decode()
    assert "already teaches 太极拳 龙泉1班（龙泉分校" in html
    session.refresh_from_db()
    assert not session.moved


def test_an_extra_session_that_clashes_with_the_room_is_refused(client, world, session):
    client.force_login(world.campus_admin)
    local = timezone.localtime
    response = client.post(url("courses_session:add"), {
        "section": world.section_ld.pk,
        "starts_at": f"{local(session.starts_at):%Y-%m-%d} 10:00",
        "ends_at": f"{local(session.starts_at):%Y-%m-%d} 12:00",
        "room": world.room_ld.pk, "status": "scheduled", "change_note": "补课",
    })
    assert "101教室 is already used then by 书法入门班 莲都1班" in response.content.decode()
    assert ClassSession.objects.filter(change_note="补课").count() == 0


def test_an_extra_session_at_a_free_time_is_added(client, world, session):
    client.force_login(world.campus_admin)
    day = f"{timezone.localtime(session.starts_at):%Y-%m-%d}"
    response = client.post(url("courses_session:add"), {
        "section": world.section_ld.pk, "starts_at": f"{day} 14:00",
        "ends_at": f"{day} 16:00", "room": world.room_ld.pk, "status": "scheduled",
        "change_note": "补课",
    })
    assert response.status_code == 302
    extra = ClassSession.objects.get(change_note="补课")
    assert extra.section == world.section_ld and extra.slot is None
    assert extra.origin_date == timezone.localtime(session.starts_at).date()


def test_the_session_list_filters_by_local_date_and_campus(client, world, session):
    client.force_login(world.school_admin)
    day = timezone.localtime(session.starts_at).date()
    index = url("courses_session:index")
    rows = client.get(f"{index}?date_from={day}&date_to={day}&campus={world.liandu.pk}&export=xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(b"".join(rows.streaming_content))).active
    data = list(sheet.iter_rows(values_only=True))
    assert data[0][:4] == ("Course", "Class", "Campus", "Date")
    assert [(r[1], r[3], r[4]) for r in data[1:]] == [("莲都1班", day, "09:00")]
