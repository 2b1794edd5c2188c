"""Demo data of the teaching side for ``manage.py seed_demo``: campuses and
rooms, departments, course pages, terms with their holidays, teachers,
students, a current term of classes with their sessions and enrolments, and
the menu items and home-page link that lead to them. Runs after ``cms.demo``
(the two schools' home pages) and ``lms.accounts.demo`` (the demo logins).

Idempotent: pages are found by slug under their parent, departments by slug,
people by phone number, terms by school and name, classes by term, campus,
course and name. Whatever exists is left as it is (an editor may have
changed it); only what is missing is created.
"""

import datetime
import time

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from wagtail.models import Page, Site

from cms.models import HomePage, MenuItem, NavigationSettings, StandardPage
from cms.sites import SCHOOLS
from courses import demo_content as content
from courses.demo_attendance import seed as attendance_seed
from courses.demo_courses import COURSES_A
from courses.demo_courses_more import COURSES_B, PARTY_COURSES
from courses.demo_enrolment import seed as enrolment_seed
from courses.demo_lottery import COURSE as LOTTERY_COURSE
from courses.demo_lottery import lottery_ensure
from courses.demo_people import student_people, students_ensure, teachers_ensure
from courses.demo_timetable import (
    Campus,
    Planner,
    enrolments_ensure,
    enrolments_plan,
    sections_ensure,
    sessions_ensure,
)
from courses.models import (
    CampusIndexPage,
    CampusPage,
    ClassSession,
    CourseIndexPage,
    CoursePage,
    Department,
    Room,
    Section,
    Term,
    TermDay,
)
from lms.accounts.models import User

COURSES = {**COURSES_A, **COURSES_B}
# Sections filled to capacity, the first few with a waiting list.
FULL_SECTIONS = [
    ("main", "shufa-rumen"), ("main", "shouji-rumen"), ("main", "taijiquan-24"),
    ("main", "jiachangcai"), ("main", "duanshipin"), ("main", "guohua-huaniao"),
    ("main", "chayi"), ("longquan", "qingci-shouzuo"),
]
WAITLISTED_SECTIONS = 5
# The demo student (王秀英) has a place in two classes at the main campus.
DEMO_STUDENT_CLASSES = [("main", "shufa-rumen"), ("main", "shouji-weixin")]
# The admissions page link that cms.demo gave the 课程目录 tile.
QUICK_LINK_LABEL, QUICK_LINK_DEMO_SLUG = "课程目录", "admissions"


def _paragraphs(texts) -> str:
    return "".join(f"<p>{text}</p>" for text in texts)


def _child_ensure(parent: Page, model: type[Page], slug: str, **fields) -> tuple[Page, bool]:
    """The ``model`` page with ``slug`` under ``parent``, created live with
    ``fields`` if missing. Saved once, live, without a first revision (the
    admin makes one at the first edit): half the cost of save + publish,
    which matters for a hundred pages."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page, False
    m2m = {name: fields.pop(name) for name in ("admins",) if name in fields}
    now = timezone.now()
    page = model(slug=slug, live=True, first_published_at=now, last_published_at=now, **fields)
    for name, values in m2m.items():
        getattr(page, name).set(values)
    return parent.add_child(instance=page), True


def departments_ensure() -> dict[str, Department]:
    rows = [(key, name, description) for key, name, description, _, _ in content.DEPARTMENTS]
    rows.append(content.PARTY_DEPARTMENT)
    departments = {}
    for order, (key, name, description) in enumerate(rows):
        departments[key], _ = Department.objects.get_or_create(
            slug=key, defaults={"name": name, "description": description, "sort_order": order}
        )
    return departments


def campuses_ensure(home: HomePage, index_row, rows, admins: dict) -> tuple[Page, dict]:
    slug, title, intro = index_row
    index, _ = _child_ensure(home, CampusIndexPage, slug, title=title, intro=intro)
    campuses = {}
    for key, kind, title, slug, county, address, transport, phone, hours, intro, rooms in rows:
        campuses[key], _ = _child_ensure(
            index, CampusPage, slug, title=title, kind=kind, county=county, address=address,
            transport=transport, phone=phone, opening_hours=hours, intro=_paragraphs(intro),
            rooms=[Room(**{k: v for k, v in r.items() if k != "suits"}) for r in rooms],
            **({"admins": admins[key]} if key in admins else {}),
        )
    return index, campuses


def courses_ensure(home: HomePage, index_row, table, departments) -> tuple[Page, dict]:
    slug, title, intro = index_row
    index, _ = _child_ensure(home, CourseIndexPage, slug, title=title, intro=intro)
    courses = {}
    for department, rows in table.items():
        for slug, title, level, summary, description, suits, materials in rows:
            courses[slug], _ = _child_ensure(
                index, CoursePage, slug, title=title, department=departments[department],
                level=level, summary=summary, description=_paragraphs(description),
                suits=suits, materials=materials, study_hour_credit=2,
            )
    return index, courses


def _moment(value) -> datetime.datetime | None:
    if value is None:
        return None
    day, hour = value
    return timezone.make_aware(
        datetime.datetime.combine(content.date(day), datetime.time(hour))
    )


def terms_ensure(homes: dict[str, HomePage]) -> dict[tuple[str, str], Term]:
    terms = {}
    for school, name, first, last, published, limit, renewal, enrolment, days in content.TERMS:
        if school not in homes:
            continue
        renewal = renewal or (None, None)
        term, created = Term.objects.get_or_create(
            school=homes[school], name=name,
            defaults={
                "start_date": content.date(first), "end_date": content.date(last),
                "is_published": published, "per_person_limit": limit,
                "renewal_opens_at": _moment(renewal[0]),
                "renewal_closes_at": _moment(renewal[1]),
                "enrolment_opens_at": _moment(enrolment[0]),
                "enrolment_closes_at": _moment(enrolment[1]),
            },
        )
        if created:
            TermDay.objects.bulk_create([
                TermDay(term=term, date=content.date(day), kind=kind, name=label,
                        follows_weekday=weekday)
                for day, kind, label, weekday in days
            ])
        terms[(school, name)] = term
    return terms


def menu_ensure(home: HomePage, links: list[tuple[str, Page]]) -> int:
    """Append a menu item for each (label, page) the school's menu does not
    link to yet. Returns how many were added."""
    site = home.get_site()
    if site is None:
        return 0
    navigation = NavigationSettings.for_site(site)
    linked = set(navigation.menu_items.values_list("link_page_id", flat=True))
    order = navigation.menu_items.aggregate(n=Max("sort_order"))["n"]
    order = -1 if order is None else order
    added = 0
    for label, page in links:
        if page.pk not in linked:
            order += 1
            MenuItem.objects.create(settings=navigation, label=label, link_page=page,
                                    sort_order=order)
            added += 1
    return added


def quick_link_ensure(home: HomePage, catalogue: Page) -> bool:
    """Point the home page's 课程目录 tile at the catalogue, but only while it
    still has the value cms.demo gave it (the admissions page) and the page
    has no unpublished draft that publishing would push live."""
    old = StandardPage.objects.child_of(home).filter(slug=QUICK_LINK_DEMO_SLUG).first()
    if old is None or home.has_unpublished_changes:
        return False
    blocks = list(home.quick_actions.raw_data)
    changed = False
    for block in blocks:
        value = block.get("value") or {}
        if value.get("label") == QUICK_LINK_LABEL and value.get("page") == old.pk:
            value["page"] = catalogue.pk
            changed = True
    if changed:
        home.quick_actions = blocks
        home.save_revision().publish()
    return changed


def _offerings(staff_courses: dict[str, list[str]], department_of: dict) -> list:
    return [(campus, slug, department_of[slug])
            for campus, slugs in staff_courses.items() for slug in slugs]


def _planner(rows, staff: dict, teachers, departments, limits) -> Planner:
    return Planner(
        campuses={r[0]: Campus(r[0], r[1], r[10], staff.get(r[0], r[0])) for r in rows},
        departments=departments, teachers=teachers, limits=limits,
    )


def _homes() -> dict[str, HomePage]:
    homes = {}
    default = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if default is not None:
        homes["university"] = default.root_page.specific
    party = next(s for s in SCHOOLS if s.key == "party_school")
    home = HomePage.objects.filter(slug=party.slug, depth=2).first()
    if home is not None:
        homes["party_school"] = home
    return homes


def seed(stdout) -> None:
    """The teaching side's demo in one transaction, then the enrolment demo
    (``courses.demo_enrolment``) and the attendance demo
    (``courses.demo_attendance``), outside it: the enrolment and leave
    services open their own durable transactions."""
    _seed_teaching(stdout)
    enrolment_seed(stdout)
    attendance_seed(stdout)


@transaction.atomic
def _seed_teaching(stdout) -> None:
    started = time.monotonic()
    homes = _homes()
    if "university" not in homes:
        stdout.write("courses: no default site, nothing to do (run cms.demo first)")
        return
    departments = departments_ensure()
    teachers = teachers_ensure()
    teachers.update({u.phone: u for u in User.objects.filter(
        phone__in=[content.DEMO_TEACHER_PHONE, content.DEMO_CAMPUS_ADMIN_PHONE,
                   content.DEMO_STUDENT_PHONE])})
    students = students_ensure()
    admin = teachers.get(content.DEMO_CAMPUS_ADMIN_PHONE)
    university = homes["university"]
    campus_index, campuses = campuses_ensure(
        university, content.CAMPUS_INDEX, content.CAMPUSES,
        {content.DEMO_CAMPUS_ADMIN_CAMPUS: [admin]} if admin else {},
    )
    catalogue, courses = courses_ensure(university, content.COURSE_INDEX, COURSES, departments)
    terms = terms_ensure(homes)

    department_of = {slug: dept for dept, rows in COURSES.items() for slug, *_ in rows}
    fees = {key: (fee, capacity) for key, _, _, fee, capacity in content.DEPARTMENTS}
    staff = {phone: (home, tuple(depts)) for phone, (_, _, _, _, depts, home) in zip(
        [content.TEACHER_PHONE.format(n + 1) for n in range(len(content.TEACHERS))],
        content.TEACHERS, strict=True)}
    limits = {}
    if content.DEMO_TEACHER_PHONE in teachers:
        staff[content.DEMO_TEACHER_PHONE] = ("main", ("shuhua",))
        limits[content.DEMO_TEACHER_PHONE] = content.DEMO_TEACHER_SECTIONS
    main_courses = {"main": [slug for rows in COURSES.values() for slug, *_ in rows]
                    + content.MAIN_SECOND_SECTIONS}
    plan = _planner(content.CAMPUSES, content.CAMPUS_STAFF, staff, fees, limits).plan(
        _offerings({**main_courses, **content.BRANCH_COURSES}, department_of))
    term = terms[content.CURRENT_TERM]
    pairs = sections_ensure(term=term, plan=plan, campuses=campuses, courses=courses,
                            teachers=teachers)

    areas = {key: key for key in campuses}
    areas.update({"main": "lishui", "wanxiang": "lishui", "zijin": "lishui",
                  "guyan": "lishui", "qingtian-wenxi": "qingtian"})
    by_area: dict[str, list[str]] = {}
    for person in student_people():
        by_area.setdefault(person.area, []).append(person.phone)
    first = [(content.DEMO_STUDENT_PHONE, c, k) for c, k in DEMO_STUDENT_CLASSES
             if content.DEMO_STUDENT_PHONE in teachers]
    rows = enrolments_plan(pairs=pairs, students=by_area, areas=areas, full=FULL_SECTIONS,
                           waitlisted=WAITLISTED_SECTIONS, first=first,
                           limit=term.per_person_limit)
    people = {**students, **teachers}
    enrolled = enrolments_ensure(term=term, rows=rows, users=people)
    drawn = lottery_ensure(term=term, campus=campuses["main"], course=courses[LOTTERY_COURSE],
                           students=students, skip=set())
    if drawn:
        stdout.write(f"courses: a lottery class drawn and published ({drawn} requests)")
    timetabled = sessions_ensure(term=term)

    menus = menu_ensure(university, [(content.MENU_LABELS["university"][0], catalogue),
                                     (content.MENU_LABELS["university"][1], campus_index)])
    quick = quick_link_ensure(university, catalogue)
    party = _party_seed(homes, departments, terms, teachers)
    stdout.write(
        f"courses: {len(campuses)} campuses, {len(courses)} courses, "
        f"{Section.objects.filter(term=term).count()} classes in {term.name} "
        f"({ClassSession.objects.filter(section__term=term).count()} sessions), "
        f"{len(content.TEACHERS)} teachers, {len(students)} students; this run: "
        f"{enrolled} enrolments, {timetabled} classes timetabled, {menus} menu items"
        f"{', quick link' if quick else ''}{party} ({time.monotonic() - started:.1f}s)"
    )


def _party_seed(homes, departments, terms, teachers) -> str:
    home = homes.get("party_school")
    if home is None:
        return ""
    campus_index, campuses = campuses_ensure(
        home, content.PARTY_CAMPUS_INDEX, content.PARTY_CAMPUSES, {})
    key = content.PARTY_DEPARTMENT[0]
    catalogue, courses = courses_ensure(
        home, content.PARTY_COURSE_INDEX, {key: PARTY_COURSES}, departments)
    staff = {content.TEACHER_PHONE.format(n + 1): (t[5], tuple(t[4]))
             for n, t in enumerate(content.TEACHERS) if t[5] == "party"}
    planner = _planner(content.PARTY_CAMPUSES, {"dangxiao": "party"}, staff,
                       {key: (0, (40, 60))}, {})
    plan = planner.plan([("dangxiao", slug, key) for slug in content.PARTY_OFFERINGS])
    term = terms[("party_school", content.CURRENT_TERM[1])]
    sections_ensure(term=term, plan=plan, campuses=campuses, courses=courses, teachers=teachers)
    sessions_ensure(term=term)
    labels = content.MENU_LABELS["party_school"]
    added = menu_ensure(home, [(labels[0], catalogue), (labels[1], campus_index)])
    return f"; party school: {len(courses)} courses, {added} menu items"
