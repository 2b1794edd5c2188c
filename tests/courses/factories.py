"""Factories for the teaching side: a school's page tree, terms, sections."""

import datetime

import factory
from wagtail.models import Page

from cms.models import HomePage
from courses.models import (
    CampusIndexPage,
    CampusPage,
    CourseIndexPage,
    CoursePage,
    Department,
    Room,
    Section,
    SectionSlot,
    Term,
)


def school_tree(title="丽水市老年大学", slug="lsldxx"):
    """A school home page with a campus list and a course catalogue."""
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title=title, slug=slug))
    campuses = home.add_child(instance=CampusIndexPage(title="校区", slug="campuses"))
    catalogue = home.add_child(instance=CourseIndexPage(title="课程", slug="courses"))
    return home, campuses, catalogue


def campus(index, title="莲都校区", **fields):
    page = CampusPage(title=title, address=fields.pop("address", "丽水市莲都区丽青路88号"), **fields)
    index.add_child(instance=page)
    return page


def room(campus_page, name="101教室", **fields):
    return Room.objects.create(campus=campus_page, name=name, **fields)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"书画系{n}")
    slug = factory.Sequence(lambda n: f"dept-{n}")


def course(catalogue, title="书法入门班", department=None, **fields):
    page = CoursePage(
        title=title,
        department=department or DepartmentFactory(),
        summary=fields.pop("summary", "从握笔开始学楷书"),
        description=fields.pop("description", "<p>楷书基础，笔画与结构。</p>"),
        **fields,
    )
    catalogue.add_child(instance=page)
    return page


class TermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Term

    name = factory.Sequence(lambda n: f"2026年秋季学期{n}")
    start_date = datetime.date(2026, 9, 7)
    end_date = datetime.date(2026, 12, 31)
    is_published = True


def section(*, course_page, term, campus_page, slots=((1, "09:00", "11:00"),), **fields):
    sec = Section.objects.create(
        course=course_page, term=term, campus=campus_page,
        name=fields.pop("name", "1班"), capacity=fields.pop("capacity", 30),
        status=fields.pop("status", Section.Status.OPEN), **fields,
    )
    for weekday, start, end in slots:
        SectionSlot.objects.create(section=sec, weekday=weekday, start_time=start, end_time=end)
    return sec
