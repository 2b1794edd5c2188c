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


def school_site(home, hostname="testserver"):
    """Serve ``home`` on ``hostname`` (the test client's host by default)."""
    from wagtail.models import Site

    site, _ = Site.objects.update_or_create(
        hostname=hostname, port=80,
        defaults={"root_page": home, "site_name": home.title, "is_default_site": False},
    )
    return site


def catalogue_world(home=None):
    """A small published catalogue: two campuses with rooms, two departments,
    three courses and five public classes at different times, plus a draft,
    a cancelled class and one in an unpublished term. With ``home``, the
    catalogue and campus list are found (or made) under that school."""
    import datetime as dt

    from django.utils import timezone

    from courses.models import ClassSession

    if home is None:
        home, campuses_index, catalogue = school_tree()
        school_site(home)
    else:
        campuses_index = CampusIndexPage.objects.child_of(home).first() or home.add_child(
            instance=CampusIndexPage(title="校区", slug="campuses"))
        catalogue = CourseIndexPage.objects.child_of(home).first() or home.add_child(
            instance=CourseIndexPage(title="课程", slug="courses"))
    liandu = campus(campuses_index, "莲都校区", slug="liandu", kind="main",
                    map_url="https://map.baidu.com/search/丽水市老年大学",
                    transport="乘1路、3路公交到市政府站，步行200米。", phone="0578-2123456",
                    opening_hours="周一至周五 8:00–17:00")
    longquan = campus(campuses_index, "龙泉分校", slug="longquan",
                      address="龙泉市剑池街道贤良路12号")
    studio = room(liandu, "书画室", floor=3, lift=True, step_free=False)
    hall = room(liandu, "多功能厅", floor=1, step_free=True)
    art = DepartmentFactory(name="书画系", slug="art", sort_order=1)
    music = DepartmentFactory(name="音乐系", slug="music", sort_order=2)
    term = TermFactory(school=home, name="2026年秋季学期",
                       enrolment_opens_at=dt.datetime(2026, 8, 20, 9, tzinfo=dt.UTC))
    calligraphy = course(catalogue, "书法入门班", department=art, slug="calligraphy",
                         suits="零基础、想静心练字的学员", materials="毛笔、墨汁、毛边纸")
    painting = course(catalogue, "国画花鸟班", department=art, slug="painting",
                      level="intermediate")
    singing = course(catalogue, "声乐基础班", department=music, slug="singing")
    world = {
        "home": home, "catalogue": catalogue, "campuses": campuses_index,
        "liandu": liandu, "longquan": longquan, "studio": studio, "hall": hall,
        "art": art, "music": music, "term": term,
        "calligraphy": calligraphy, "painting": painting, "singing": singing,
    }
    world["calligraphy_1"] = section(
        course_page=calligraphy, term=term, campus_page=liandu, room=studio, capacity=5,
        slots=((1, "09:00", "11:00"),), age_min=50, age_max=80)
    world["painting_1"] = section(
        course_page=painting, term=term, campus_page=liandu, room=studio, fee=120,
        slots=((3, "14:00", "16:00"),))
    world["singing_1"] = section(
        course_page=singing, term=term, campus_page=longquan, slots=((1, "08:30", "10:30"),))
    world["singing_2"] = section(
        course_page=singing, term=term, campus_page=liandu, room=hall, name="2班",
        slots=((4, "19:00", "20:30"),))
    world["closed"] = section(
        course_page=painting, term=term, campus_page=longquan, name="2班",
        status=Section.Status.CLOSED, slots=((5, "09:00", "11:00"),))
    world["draft"] = section(course_page=singing, term=term, campus_page=liandu, name="草稿班",
                             status=Section.Status.DRAFT)
    world["cancelled"] = section(course_page=singing, term=term, campus_page=liandu,
                                 name="停开班", status=Section.Status.CANCELLED)
    hidden_term = TermFactory(school=home, name="2027年春季学期", is_published=False)
    world["unpublished"] = section(course_page=singing, term=hidden_term, campus_page=liandu,
                                   name="下学期班")
    from tests.factories import ProfileFactory

    world["teacher"] = ProfileFactory(real_name="周文华").user
    world["calligraphy_1"].teachers.add(world["teacher"])
    # The next two Tuesdays of the calligraphy class; the second is cancelled.
    tz = timezone.get_current_timezone()
    today = timezone.localdate()
    tuesday = today + dt.timedelta(days=(1 - today.weekday()) % 7 or 7)
    for week, status in ((0, "scheduled"), (1, "cancelled")):
        day = tuesday + dt.timedelta(weeks=week)
        ClassSession.objects.create(
            section=world["calligraphy_1"], origin_date=day, room=studio, status=status,
            starts_at=dt.datetime.combine(day, dt.time(9), tz),
            ends_at=dt.datetime.combine(day, dt.time(11), tz),
            change_note="老师外出培训" if status == "cancelled" else "",
        )
    return world
