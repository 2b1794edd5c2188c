"""The class (section) admin: pages open for school admins, the form
refuses timetable clashes and saves nothing, saving generates sessions."""

import pytest
from django.utils import timezone

from courses.models import ClassSession, Section
from courses.services.sessions import sessions_generate

from . import test_admin_setup as admin_setup
from .test_admin_setup import url

# Fixtures shared by the test_admin_* modules.
teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world

pytestmark = pytest.mark.django_db


def section_data(w, *, name="莲都2班", campus=None, room=None, teachers=(), slots=(),
                 status="open", section=None, course=None):
    """The POST of the section form (with its inline weekly times)."""
    existing = list(section.slots.all()) if section else []
    data = {
        "course": (course or w.course).pk, "term": w.term.pk, "campus": (campus or w.liandu).pk,
        "name": name, "teachers": [t.pk for t in teachers], "room": room.pk if room else "",
        "capacity": "20", "fee": "100.00", "age_min": "", "age_max": "", "status": status,
        "enrolment_mode": "first_come", "reserved_for_new": "0",
        "notes": "",
        "slots-TOTAL_FORMS": str(len(existing) + len(slots)),
        "slots-INITIAL_FORMS": str(len(existing)),
        "slots-MIN_NUM_FORMS": "1", "slots-MAX_NUM_FORMS": "1000",
    }
    for i, slot in enumerate(existing):
        data.update({f"slots-{i}-id": slot.pk, f"slots-{i}-weekday": slot.weekday,
                     f"slots-{i}-start_time": f"{slot.start_time:%H:%M}",
                     f"slots-{i}-end_time": f"{slot.end_time:%H:%M}"})
    for i, (weekday, start, end) in enumerate(slots, start=len(existing)):
        data.update({f"slots-{i}-id": "", f"slots-{i}-weekday": weekday,
                     f"slots-{i}-start_time": start, f"slots-{i}-end_time": end})
    return data


@pytest.mark.parametrize("who", ["superuser", "school_admin"])
def test_school_admins_open_every_teaching_page(client, world, who):
    sessions_generate(section=world.section_ld)
    session = world.section_ld.sessions.first()
    client.force_login(getattr(world, who))
    pages = [
        url("courses_section:index"), url("courses_section:add"),
        url("courses_section:edit", world.section_lq.pk),
        url("courses_section:inspect", world.section_lq.pk),
        url("courses_section:delete", world.section_lq.pk),
        url("courses_session:index"), url("courses_session:add"),
        url("courses_session:edit", session.pk), url("courses_session:inspect", session.pk),
        url("courses_term:index"), url("courses_term:add"),
        url("courses_term:edit", world.term.pk), url("courses_term:inspect", world.term.pk),
        url("wagtailsnippets_courses_department:list"),
        url("wagtailsnippets_courses_department:add"),
    ]
    for page in pages:
        assert client.get(page).status_code == 200, page


def test_the_class_list_shows_readable_columns(client, world):
    client.force_login(world.school_admin)
    html = client.get(url("courses_section:index")).content.decode()
    for text in ("书法入门班", "莲都1班", "莲都校区", "龙泉分校", "周老师", "Tuesday 09:00–11:00"):
        assert text in html


def test_creating_a_class_generates_its_sessions_and_says_how_many(client, world):
    client.force_login(world.school_admin)
    response = client.post(
        url("courses_section:add"),
        section_data(world, teachers=[world.other_teacher], room=None,
                     slots=[(3, "14:00", "16:00")]),
        follow=True,
    )
    assert response.status_code == 200
    created = Section.objects.get(name="莲都2班")
    count = created.sessions.count()
    assert count >= 12  # one a week across a 13-week term
    assert f"Timetable: {count} sessions created, 0 updated." in response.content.decode()


def test_editing_the_timetable_moves_future_sessions(client, world):
    sessions_generate(section=world.section_ld)
    before = world.section_ld.sessions.count()
    client.force_login(world.school_admin)
    data = section_data(world, name="莲都1班", room=world.room_ld, teachers=[world.teacher],
                        section=world.section_ld)
    data["slots-0-start_time"], data["slots-0-end_time"] = "09:30", "11:30"
    response = client.post(url("courses_section:edit", world.section_ld.pk), data, follow=True)
    assert f"Timetable: 0 sessions created, {before} updated." in response.content.decode()
    starts = {f"{timezone.localtime(s.starts_at):%H:%M}" for s in world.section_ld.sessions.all()}
    assert starts == {"09:30"}


def test_a_room_clash_is_refused_with_a_clear_message_and_nothing_is_saved(client, world):
    client.force_login(world.school_admin)
    response = client.post(
        url("courses_section:add"),
        section_data(world, room=world.room_ld, slots=[(1, "10:00", "12:00")]),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "101教室 is already used at Tuesday 10:00–12:00 by 书法入门班 莲都1班（莲都校区）." in html
    assert not Section.objects.filter(name="莲都2班").exists()


def test_a_teacher_clash_is_refused_with_a_clear_message_and_nothing_is_saved(client, world):
    client.force_login(world.school_admin)
    before = ClassSession.objects.count()
    response = client.post(
        url("courses_section:add"),
        section_data(world, campus=world.longquan, room=world.room_lq, teachers=[world.teacher],
                     slots=[(1, "08:30", "09:30")], name="龙泉2班"),
    )
    html = response.content.decode()
    assert "周老师 already teaches 书法入门班 莲都1班（莲都校区） at Tuesday 08:30–09:30." in html
    assert not Section.objects.filter(name="龙泉2班").exists()
    assert ClassSession.objects.count() == before


def test_the_inspect_view_shows_the_timetable_and_the_next_sessions(client, world):
    sessions_generate(section=world.section_ld)
    first = world.section_ld.sessions.order_by("starts_at").first()
    client.force_login(world.school_admin)
    html = client.get(url("courses_section:inspect", world.section_ld.pk)).content.decode()
    assert "Tuesday 09:00–11:00" in html
    assert f"{timezone.localtime(first.starts_at):%Y-%m-%d}" in html
    assert "0 of 30 places" in html


def test_a_session_moved_in_the_admin_is_kept_when_the_timetable_is_regenerated(client, world):
    sessions_generate(section=world.section_ld)
    session = world.section_ld.sessions.order_by("starts_at").first()
    client.force_login(world.school_admin)
    day = f"{timezone.localtime(session.starts_at):%Y-%m-%d}"
    response = client.post(url("courses_session:edit", session.pk), {
        "starts_at": f"{day} 14:00", "ends_at": f"{day} 16:00",
        "room": world.room_ld.pk, "status": "scheduled", "change_note": "老师出差",
    })
    assert response.status_code == 302
    session.refresh_from_db()
    assert session.moved and session.sequence == 1
    sessions_generate(section=world.section_ld)
    session.refresh_from_db()
    assert session.moved and session.change_note == "老师出差"


def test_the_class_list_searches_course_titles_and_filters_by_campus(client, world):
    client.force_login(world.school_admin)
    found = client.get(url("courses_section:index") + "?q=太极").content.decode()
    assert "龙泉1班" in found and "莲都1班" not in found
    by_campus = client.get(url("courses_section:index") + f"?campus={world.liandu.pk}")
    html = by_campus.content.decode()
    assert "莲都1班" in html and "龙泉1班" not in html


def test_the_term_list_offers_the_import_and_copy_actions(client, world):
    client.force_login(world.school_admin)
    html = client.get(url("courses_term:index")).content.decode()
    assert url("courses_term:import_ics", world.term.pk) in html
    assert url("courses_term:copy_sections", world.term.pk) in html
