"""A small school for the attendance tests: one class at 莲都校区 with
sessions yesterday, today, tomorrow and a cancelled one today; its teacher,
the campus admin, another campus's admin and teacher, enrolled students."""

import datetime as dt
from types import SimpleNamespace

from django.utils import timezone

from courses.models import ClassSession, Enrolment
from tests.courses.factories import TermFactory, campus, course, room, school_tree, section
from tests.factories import ProfileFactory


def person(name="王秀英", **user_fields):
    return ProfileFactory(real_name=name, **{
        f"user__{key}": value for key, value in user_fields.items()}).user


def session_on(sec, day: dt.date, hour=9, **fields) -> ClassSession:
    tz = timezone.get_current_timezone()
    return ClassSession.objects.create(
        section=sec, origin_date=day, room=sec.room,
        starts_at=dt.datetime.combine(day, dt.time(hour), tz),
        ends_at=dt.datetime.combine(day, dt.time(hour + 2), tz), **fields)


def enrol(who, sec, status=Enrolment.Status.ENROLLED):
    return Enrolment.objects.create(person=who, section=sec, status=status,
                                    enrolled_at=timezone.now())


def make_world(students=3, school="lsldxx") -> SimpleNamespace:
    home, campuses, catalogue = school_tree(slug=school)
    liandu = campus(campuses, "莲都校区", slug="liandu")
    longquan = campus(campuses, "龙泉分校", slug="longquan")
    today = timezone.localdate()
    term = TermFactory(school=home, name="本学期", start_date=today - dt.timedelta(days=60),
                       end_date=today + dt.timedelta(days=60))
    calligraphy = course(catalogue, "书法入门班", slug="calligraphy")
    singing = course(catalogue, "声乐基础班", slug="singing")
    studio = room(liandu, "书画室")
    main = section(course_page=calligraphy, term=term, campus_page=liandu, room=studio,
                   capacity=80)
    elsewhere = section(course_page=singing, term=term, campus_page=longquan, capacity=80)
    teacher, other_teacher = person("周文华"), person("吴老师")
    main.teachers.add(teacher)
    elsewhere.teachers.add(other_teacher)
    campus_admin, far_admin = person("陈主任"), person("龙泉管理员")
    liandu.admins.add(campus_admin)
    longquan.admins.add(far_admin)
    liandu.save()
    longquan.save()
    people = [person(f"学员{i:02d}") for i in range(students)]
    for who in people:
        enrol(who, main)
    outsider = person("旁听者")
    w = SimpleNamespace(
        home=home, term=term, campus=liandu, far_campus=longquan, section=main,
        elsewhere=elsewhere, teacher=teacher, other_teacher=other_teacher,
        campus_admin=campus_admin, far_admin=far_admin, students=people, student=people[0],
        outsider=outsider, today=today,
    )
    w.yesterday = session_on(main, today - dt.timedelta(days=1))
    w.session = session_on(main, today, hour=9)
    w.tomorrow = session_on(main, today + dt.timedelta(days=1))
    w.cancelled = session_on(main, today, hour=14, status=ClassSession.Status.CANCELLED)
    w.far_session = session_on(elsewhere, today, hour=9)
    return w
