"""The teaching admin's people and places, shared by the test_admin_*
modules (they import these fixtures), and the role permissions it needs.

Admin users read the admin in English (their Wagtail preference) so that
these tests do not depend on translations."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone
from wagtail.users.models import UserProfile

from courses.admin.permissions import course_permissions_ensure
from courses.models import Section
from lms.accounts import roles
from tests.factories import ProfileFactory, UserFactory

from . import factories as f

pytestmark = pytest.mark.django_db

@pytest.fixture(autouse=True)
def teaching_permissions(db):
    # courses.apps connects this to post_migrate; call it here so the tests
    # do not depend on that line.
    course_permissions_ensure()


def admin_user(*role_names, name="", **fields):
    user = UserFactory(roles=list(role_names), **fields)
    if name:
        ProfileFactory(user=user, real_name=name)
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    return user


class World:
    """A school with two campuses (莲都 and 龙泉), each with a room and a
    class on Tuesday mornings, a campus admin for 莲都 and a teacher."""

    def __init__(self):
        self.home, campuses, catalogue = f.school_tree()
        self.liandu = f.campus(campuses, "莲都校区")
        self.longquan = f.campus(campuses, "龙泉分校", address="龙泉市剑池路1号")
        self.room_ld = f.room(self.liandu, "101教室")
        self.room_lq = f.room(self.longquan, "龙泉画室")
        self.course = f.course(catalogue, "书法入门班")
        self.course2 = f.course(catalogue, "太极拳", department=f.DepartmentFactory(name="保健系"))
        # A term that starts next week, so that every session is to come.
        start = timezone.localdate() + datetime.timedelta(days=7)
        self.term = f.TermFactory(school=self.home, name="下学期", start_date=start,
                                  end_date=start + datetime.timedelta(days=90))
        self.teacher = admin_user(roles.TEACHER, name="周老师")
        self.other_teacher = admin_user(roles.TEACHER, name="吴老师")
        self.section_ld = f.section(course_page=self.course, term=self.term,
                                    campus_page=self.liandu, room=self.room_ld, name="莲都1班",
                                    fee=120)
        self.section_ld.teachers.add(self.teacher)
        self.section_lq = f.section(course_page=self.course2, term=self.term,
                                    campus_page=self.longquan, room=self.room_lq, name="龙泉1班")
        self.section_lq.teachers.add(self.other_teacher)
        self.superuser = admin_user(is_superuser=True, is_staff=True)
        self.school_admin = admin_user(roles.SCHOOL_ADMIN, name="校管理员")
        self.campus_admin = admin_user(roles.CAMPUS_ADMIN, name="莲都管理员")
        self.liandu.admins.add(self.campus_admin)
        self.liandu.save()


@pytest.fixture
def world(teaching_permissions):
    return World()


def url(name, *args):
    return reverse(name, args=args)


def refused(response) -> bool:
    """Wagtail answers a missing permission by sending the person back to
    the dashboard with a message (or 403 for some views)."""
    return response.status_code == 403 or (
        response.status_code == 302 and response["Location"] == reverse("wagtailadmin_home")
    )


def test_role_groups_get_the_teaching_permissions_once():
    course_permissions_ensure()
    course_permissions_ensure()
    perms = lambda role: set(  # noqa: E731
        Group.objects.get(name=role).permissions.filter(content_type__app_label="courses")
        .values_list("codename", flat=True)
    )
    assert {"add_section", "change_term", "delete_classsession"} <= perms(roles.SCHOOL_ADMIN)
    assert "change_section" in perms(roles.CAMPUS_ADMIN)
    assert "change_term" not in perms(roles.CAMPUS_ADMIN)
    assert perms(roles.TEACHER) == {"view_section", "view_classsession", "view_enrolment"}


def test_a_campus_admin_menu_offers_classes_but_not_term_editing(client, world):
    client.force_login(world.campus_admin)
    html = client.get(url("courses_section:index")).content.decode()
    assert "Teaching" in html
    assert refused(client.get(url("courses_term:add")))
    assert Section.objects.count() == 2
