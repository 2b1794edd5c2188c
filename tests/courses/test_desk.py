"""The enrolment desk (现场报名) in the Wagtail admin: find a person by
mobile number, register them if needed, enrol them into a class of one's
own campus; the record says staff did it."""

import datetime

import pytest
from django.urls import reverse

from courses.models import Enrolment, EnrolmentLogEntry
from lms.accounts.models import User
from tests.factories import ProfileFactory

from . import test_admin_setup as admin_setup

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions
world = admin_setup.world

DESK = "/admin/courses_desk/"


@pytest.fixture
def student():
    return ProfileFactory(real_name="王秀英", user__phone="+8613812340001").user


def enrol(client, person, section):
    return client.post(DESK, {"action": "enrol", "person": person.pk, "section": section.pk},
                       follow=True)


def page_text(response) -> str:
    return response.content.decode()


def test_the_desk_is_in_the_teaching_menu_for_campus_and_school_admins(client, world):
    assert reverse("courses_desk:index") == DESK
    for user in (world.campus_admin, world.school_admin):
        client.force_login(user)
        html = page_text(client.get("/admin/"))
        assert DESK in html
        assert client.get(DESK).status_code == 200


def test_teachers_and_students_may_not_use_the_desk(client, world, student):
    client.force_login(world.teacher)
    assert client.get(DESK).status_code in (302, 403)
    assert DESK not in page_text(client.get("/admin/"))
    response = client.post(DESK, {"action": "enrol", "person": student.pk,
                                  "section": world.section_ld.pk})
    assert response.status_code in (302, 403)
    client.force_login(student)
    assert client.get(DESK).status_code in (302, 403)
    assert not Enrolment.objects.exists()


@pytest.mark.parametrize("typed", ["138 1234 0001", "１３８-１２３４-０００１", "0001", "王秀"])
def test_find_a_person_by_number_last_four_digits_or_name(client, world, student, typed):
    client.force_login(world.campus_admin)
    html = page_text(client.get(DESK, {"q": typed}))
    # Masked: the desk shows enough to tell people apart, not the number.
    assert "王秀英 · 138****0001" in html
    assert "13812340001" not in html
    assert f"?person={student.pk}" in html


def test_a_too_short_search_says_what_to_type(client, world):
    client.force_login(world.campus_admin)
    html = page_text(client.get(DESK, {"q": "12"}))
    assert "at least its last 4 digits" in html


def test_nobody_found_offers_to_register(client, world):
    client.force_login(world.campus_admin)
    html = page_text(client.get(DESK, {"q": "139 0000 9999"}))
    assert "has an account yet" in html


def test_a_campus_admin_enrols_a_person_the_record_says_staff(client, world, student):
    client.force_login(world.campus_admin)
    response = enrol(client, student, world.section_ld)
    assert response.status_code == 200
    assert "王秀英 is enrolled in 书法入门班 莲都1班" in page_text(response)
    row = Enrolment.objects.get(person=student, section=world.section_ld)
    assert row.status == Enrolment.Status.ENROLLED
    assert row.source == Enrolment.Source.STAFF
    assert row.acted_by == world.campus_admin
    entry = EnrolmentLogEntry.objects.get(enrolment=row)
    assert entry.user == world.campus_admin and entry.person == student
    assert entry.action == "courses.enrolment.enrol"
    # A second press changes nothing, and says so.
    again = enrol(client, student, world.section_ld)
    assert "already has" in page_text(again)
    assert Enrolment.objects.filter(person=student).count() == 1


def test_a_full_class_puts_the_person_on_the_waiting_list_with_their_place(
        client, world, student):
    world.section_ld.capacity = 1
    world.section_ld.save()
    client.force_login(world.campus_admin)
    enrol(client, ProfileFactory(real_name="李建国").user, world.section_ld)
    response = enrol(client, student, world.section_ld)
    assert "waiting list, place 1" in page_text(response)
    row = Enrolment.objects.get(person=student)
    assert row.status == Enrolment.Status.WAITLISTED and row.source == Enrolment.Source.STAFF


def test_a_refusal_is_said_in_plain_words(client, world, student):
    student.profile.birth_date = datetime.date(1930, 1, 1)
    student.profile.save()
    world.section_ld.age_max = 80
    world.section_ld.save()
    client.force_login(world.campus_admin)
    response = enrol(client, student, world.section_ld)
    assert "王秀英 was not enrolled:" in page_text(response)
    assert not Enrolment.objects.exists()


def test_a_campus_admin_cannot_enrol_into_another_campus_class(client, world, student):
    client.force_login(world.campus_admin)
    page = page_text(client.get(DESK, {"person": student.pk}))
    assert "莲都1班" in page
    assert "龙泉1班" not in page  # not listed
    response = client.post(DESK, {"action": "enrol", "person": student.pk,
                                  "section": world.section_lq.pk})
    assert response.status_code == 400
    assert "Please choose one of the classes listed" in page_text(response)
    assert not Enrolment.objects.exists()


def test_a_school_admin_enrols_into_any_campus(client, world, student):
    client.force_login(world.school_admin)
    enrol(client, student, world.section_lq)
    row = Enrolment.objects.get(person=student)
    assert row.section == world.section_lq and row.acted_by == world.school_admin


def test_the_desk_registers_a_person_without_an_account(client, world):
    client.force_login(world.campus_admin)
    response = client.post(DESK, {"action": "register", "real_name": " 张 桂兰 ",
                                  "phone": "１３９ ０５７８ ０００１"}, follow=True)
    person = User.objects.get(phone="+8613905780001")
    assert person.profile.real_name == "张 桂兰"
    assert not person.has_usable_password()
    assert "张 桂兰 is registered" in page_text(response)
    assert response.redirect_chain[-1][0].endswith(f"?person={person.pk}")
    enrol(client, person, world.section_ld)
    assert Enrolment.objects.get(person=person).acted_by == world.campus_admin


@pytest.mark.parametrize(("data", "words"), [
    ({"real_name": "", "phone": "139 0578 0001"}, "This field is required"),
    ({"real_name": "张桂兰", "phone": "139 0578"}, "11 digits"),
    ({"real_name": "张桂兰", "phone": "138 1234 0001"}, "already registered"),
])
def test_registering_refuses_bad_input_and_saves_nothing(client, world, student, data, words):
    client.force_login(world.campus_admin)
    before = User.objects.count()
    response = client.post(DESK, {"action": "register", **data})
    assert response.status_code == 400
    assert words in page_text(response)
    assert User.objects.count() == before
