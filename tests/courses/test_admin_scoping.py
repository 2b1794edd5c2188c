"""DESIGN rule 6 in the teaching admin: a campus admin sees and edits only
their campus's classes and sessions (listing, inspect, edit, delete,
exports, filters, dropdowns and the chooser); a teacher sees only the
classes they teach; school admins see everything."""

import csv
import io

import openpyxl
import pytest

from courses.models import Section
from courses.services.sessions import sessions_generate

from . import test_admin_setup as admin_setup
from .test_admin_sections import section_data
from .test_admin_setup import refused, url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world


def xlsx_rows(response):
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    return [list(row) for row in book.active.iter_rows(values_only=True)]


def test_a_campus_admin_lists_only_their_campus_classes(client, world):
    client.force_login(world.campus_admin)
    html = client.get(url("courses_section:index")).content.decode()
    assert "莲都1班" in html
    assert "龙泉1班" not in html
    assert "龙泉分校" not in html  # not even as a filter choice


def test_another_campus_class_is_not_found_by_url(client, world):
    client.force_login(world.campus_admin)
    other = world.section_lq.pk
    for name in ("edit", "inspect", "delete", "history", "usage"):
        assert client.get(url(f"courses_section:{name}", other)).status_code == 404, name
    assert client.post(url("courses_section:delete", other)).status_code == 404
    assert Section.objects.filter(pk=other).exists()
    for name in ("edit", "inspect"):
        assert client.get(url(f"courses_section:{name}", world.section_ld.pk)).status_code == 200


def test_a_campus_admin_export_holds_only_their_rows(client, world):
    client.force_login(world.campus_admin)
    response = client.get(url("courses_section:index") + "?export=xlsx")
    rows = xlsx_rows(response)
    assert rows[0] == ["Course", "Class", "Campus", "Room", "Teachers", "Weekly times", "Term",
                       "Places", "Enrolled", "Fee (yuan)", "Status"]
    assert rows[1:] == [["书法入门班", "莲都1班", "莲都校区", "101教室", "周老师",
                         "Tuesday 09:00–11:00", "下学期", 30, 0, 120, "Open"]]
    text = b"".join(client.get(url("courses_section:index") + "?export=csv").streaming_content)
    lines = list(csv.reader(io.StringIO(text.decode())))
    assert [line[1] for line in lines[1:]] == ["莲都1班"]


def test_a_school_admin_export_holds_every_campus(client, world):
    client.force_login(world.school_admin)
    rows = xlsx_rows(client.get(url("courses_section:index") + "?export=xlsx"))
    assert sorted(row[1] for row in rows[1:]) == ["莲都1班", "龙泉1班"]


def test_the_class_form_offers_only_their_campus_and_rooms(client, world):
    client.force_login(world.campus_admin)
    html = client.get(url("courses_section:add")).content.decode()
    assert "莲都校区" in html and "101教室" in html
    assert "龙泉分校" not in html and "龙泉画室" not in html


def test_a_posted_campus_or_room_of_another_campus_is_refused(client, world):
    client.force_login(world.campus_admin)
    response = client.post(url("courses_section:add"), section_data(
        world, campus=world.longquan, room=world.room_lq, slots=[(4, "09:00", "11:00")],
        name="偷偷加的班"))
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Section.objects.filter(name="偷偷加的班").exists()


def test_sessions_are_scoped_in_list_form_and_by_url(client, world):
    sessions_generate(section=world.section_ld)
    sessions_generate(section=world.section_lq)
    theirs = world.section_ld.sessions.first()
    other = world.section_lq.sessions.first()
    client.force_login(world.campus_admin)
    html = client.get(url("courses_session:index")).content.decode()
    assert "莲都1班" in html and "龙泉1班" not in html
    form = client.get(url("courses_session:add")).content.decode()
    assert "莲都1班" in form and "龙泉1班" not in form and "龙泉画室" not in form
    assert client.get(url("courses_session:edit", other.pk)).status_code == 404
    assert client.get(url("courses_session:inspect", other.pk)).status_code == 404
    assert client.get(url("courses_session:edit", theirs.pk)).status_code == 200
    rows = xlsx_rows(client.get(url("courses_session:index") + "?export=xlsx"))
    assert {row[1] for row in rows[1:]} == {"莲都1班"}


def test_the_class_chooser_lists_only_their_classes(client, world):
    client.force_login(world.campus_admin)
    html = client.get(url("courses_section_chooser:choose")).json()["html"]
    assert "莲都1班" in html and "龙泉1班" not in html
    chosen = url("courses_section_chooser:chosen", world.section_lq.pk)
    assert client.get(chosen).status_code == 404
    assert client.get(url("courses_section_chooser:chosen", world.section_ld.pk)).status_code == 200


def test_a_teacher_sees_only_the_classes_they_teach_and_cannot_edit(client, world):
    sessions_generate(section=world.section_ld)
    client.force_login(world.teacher)
    html = client.get(url("courses_section:index")).content.decode()
    assert "莲都1班" in html and "龙泉1班" not in html
    assert client.get(url("courses_section:inspect", world.section_ld.pk)).status_code == 200
    assert client.get(url("courses_section:inspect", world.section_lq.pk)).status_code == 404
    assert refused(client.get(url("courses_section:edit", world.section_ld.pk)))
    assert refused(client.get(url("courses_section:add")))
    sessions = client.get(url("courses_session:index")).content.decode()
    assert "莲都1班" in sessions


def test_a_campus_admin_who_also_teaches_elsewhere_may_look_but_not_edit_there(client, world):
    world.section_lq.teachers.add(world.campus_admin)
    client.force_login(world.campus_admin)
    assert client.get(url("courses_section:inspect", world.section_lq.pk)).status_code == 200
    assert client.get(url("courses_section:edit", world.section_lq.pk)).status_code == 404
    html = client.get(url("courses_section:index")).content.decode()
    assert url("courses_section:edit", world.section_lq.pk) not in html
    assert url("courses_section:edit", world.section_ld.pk) in html
