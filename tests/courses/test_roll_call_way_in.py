"""The way in to the roll call: a link in the header for people who teach a
class or administer a campus, and a "Today's roll call" button on My
classes; students never see either, and anonymous visitors' pages (and
their kept header) pay nothing for it."""

import re

import pytest
from django.urls import reverse

from courses.attendance_selectors import takes_roll_call
from lms.accounts import roles
from tests.courses.attendance_world import make_world, person
from tests.factories import UserFactory

from . import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

ROLL_CALL = reverse("courses:roll_call_today")


@pytest.fixture
def w():
    return make_world()


def account_nav(html: str) -> str:
    return re.search(r'<nav class="account-nav".*?</nav>', html, re.S).group(0)


def roll_call_link(html: str) -> bool:
    return f'<a href="{ROLL_CALL}"' in account_nav(html)


def my_classes(client, who) -> str:
    client.force_login(who)
    response = client.get(reverse("courses:my_classes"))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize("who", ["teacher", "campus_admin", "far_admin", "other_teacher"])
def test_teachers_and_campus_admins_find_the_roll_call_in_the_header(client, w, who):
    html = my_classes(client, getattr(w, who))
    assert roll_call_link(html)
    assert re.search(rf'<a href="{ROLL_CALL}"[^>]*>Roll call</a>', account_nav(html))


def test_a_teacher_has_a_button_for_todays_roll_call_on_my_classes(client, w):
    html = my_classes(client, w.teacher)
    assert f'<a class="button button-primary" href="{ROLL_CALL}">Today\'s roll call</a>' in html
    # and the roll call's own page marks its link as the current page
    page = client.get(ROLL_CALL).content.decode()
    assert f'<a href="{ROLL_CALL}" aria-current="page">Roll call</a>' in page


def test_school_admins_and_superusers_find_it_too(client, w):
    assert roll_call_link(my_classes(client, UserFactory(roles=[roles.SCHOOL_ADMIN])))
    assert roll_call_link(my_classes(client, UserFactory(is_superuser=True)))


def test_a_student_never_sees_it(client, w):
    html = my_classes(client, w.student)
    assert "书法入门班" in html  # their own class is there
    assert ROLL_CALL not in html
    assert "roll call" not in html.lower()


def test_people_with_no_class_to_call_do_not_see_it(client, w):
    # In the teachers' group but teaching nothing, or a family member: no link.
    assert not roll_call_link(my_classes(client, UserFactory(roles=[roles.TEACHER])))
    assert not roll_call_link(my_classes(client, w.outsider))


def test_a_teacher_who_stops_teaching_loses_the_link(client, w):
    w.section.teachers.remove(w.teacher)
    assert not roll_call_link(my_classes(client, w.teacher))


def test_the_question_is_asked_once_a_request(w, django_assert_num_queries):
    teacher = type(w.teacher).objects.get(pk=w.teacher.pk)
    with django_assert_num_queries(1):
        assert takes_roll_call(teacher) and takes_roll_call(teacher)
    student = type(w.student).objects.get(pk=w.student.pk)
    with django_assert_num_queries(1):
        assert not takes_roll_call(student) and not takes_roll_call(student)


def test_anonymous_catalogue_pages_never_ask(client, monkeypatch):
    """The header's kept fragment and the catalogue's query budget
    (test_query_budget.py) stay as they were: nothing asks who takes roll
    call for an anonymous visitor, while a teacher's header on the same page
    has the link and the next anonymous visitor's has not."""
    world = f.catalogue_world()
    teacher = person("周文华")
    world["calligraphy_1"].teachers.add(teacher)

    def never(user):
        raise AssertionError("asked who takes roll call for an anonymous visitor")

    monkeypatch.setattr("courses.context_processors.takes_roll_call", never)
    for r in ("a", "b", "c"):
        html = client.get(f"/courses/?r={r}").content.decode()
        assert "Log in" in account_nav(html) and ROLL_CALL not in html
    monkeypatch.undo()

    client.force_login(teacher)
    assert roll_call_link(client.get("/courses/?r=d").content.decode())
    client.logout()
    client.cookies["lms_language"] = "en"
    html = client.get("/courses/?r=e").content.decode()
    assert "Log in" in account_nav(html) and ROLL_CALL not in html
