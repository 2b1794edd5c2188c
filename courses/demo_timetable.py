"""The demo timetable (used by ``courses.demo``): which classes run where,
when, in which room and with which teacher, and who is enrolled.

``timetable_plan`` is pure and seeded, so every run plans the same classes;
``sections_ensure`` then creates the ones missing, found by their natural key
(term, campus, course, class name). Every class meets in fixed periods
(上午 8:30–10:30, 下午 14:00–16:00, 晚上 19:00–21:00) and a room or a
teacher is given at most one class per weekday and period, so the plan has
no clashes by construction (the tests check it with ``courses.services.clashes``).
"""

import datetime
import random
from dataclasses import dataclass, field

from django.utils import timezone

from courses.models import ClassSession, Enrolment, Section, SectionSlot, Term
from courses.services.sessions import sessions_generate

PERIODS = {
    "am": (datetime.time(8, 30), datetime.time(10, 30), "上午"),
    "pm": (datetime.time(14, 0), datetime.time(16, 0), "下午"),
    "eve": (datetime.time(19, 0), datetime.time(21, 0), "晚上"),
}
WEEKDAY_NAMES = "一二三四五六日"
# Two meetings a week: two days apart or more, at the same time of day.
DAY_PAIRS = [(0, 2), (1, 3), (2, 4), (0, 3), (1, 4)]
# Evening classes only at the main campus, for working-age learners' favourites.
EVENING_DEPARTMENTS = {"shouji", "waiyu", "wudao", "yinyue", "taiji", "sheying"}
MAX_TEACHER_SLOTS = 12
MAX_FEE = 400


@dataclass
class PlannedSection:
    campus: str
    course: str
    department: str
    name: str
    times: list[tuple[int, str]]  # (weekday, period)
    room: str
    teachers: list[str]  # phones
    capacity: int
    fee: int
    notes: str = ""


@dataclass
class Campus:
    key: str
    kind: str
    rooms: list[dict]
    staff: str  # whose teachers teach here


@dataclass
class Planner:
    campuses: dict[str, Campus]
    departments: dict[str, tuple[int, tuple[int, int]]]  # key → (fee, capacities)
    teachers: dict[str, tuple[str, tuple[str, ...]]]  # phone → (home, departments)
    limits: dict[str, int] = field(default_factory=dict)  # phone → max classes
    seed: int = 2026
    busy: set = field(default_factory=set)
    load: dict = field(default_factory=dict)  # phone → classes
    slots: dict = field(default_factory=dict)  # phone → weekly meetings

    def plan(self, offerings: list[tuple[str, str, str]]) -> list[PlannedSection]:
        """One class per (campus key, course slug, department key) offering."""
        rng = random.Random(self.seed)
        return [self._place(rng, *offering) for offering in offerings]

    def _time_options(self, rng, campus: Campus, department: str, two: bool) -> list:
        periods = ["am", "pm"]
        days = DAY_PAIRS if two else [(d,) for d in range(5)]
        options = [[(d, p) for d in combo] for combo in days for p in periods]
        rng.shuffle(options)
        if campus.kind == "main" and department in EVENING_DEPARTMENTS:
            evening = [[(d, "eve") for d in combo] for combo in days]
            rng.shuffle(evening)
            # About one class in six of these departments meets in the evening.
            options = evening + options if rng.random() < 0.18 else options + evening
        return options

    def _rooms(self, rng, campus: Campus, department: str) -> list[dict]:
        suited = [r for r in campus.rooms if department in r["suits"]]
        general = [r for r in campus.rooms if not r["suits"]]
        rng.shuffle(suited)
        rng.shuffle(general)
        return suited + general

    def _teachers(self, rng, campus: Campus, department: str) -> list[str]:
        home = [p for p, (h, _) in self.teachers.items() if h == campus.staff]
        matching = [p for p in home if department in self.teachers[p][1]]
        rng.shuffle(matching)
        # Limited teachers (the demo account) first, while they have room.
        matching.sort(key=lambda p: p not in self.limits)
        others = [p for p in home if p not in matching]
        rng.shuffle(others)
        return matching + others

    def _free(self, teacher: str, times) -> bool:
        count = self.load.get(teacher, 0)
        if count >= self.limits.get(teacher, 10**6):
            return False
        return self.slots.get(teacher, 0) + len(times) <= MAX_TEACHER_SLOTS and not any(
            (teacher, d, p) in self.busy for d, p in times)

    def _place(self, rng, campus_key: str, course: str, department: str) -> PlannedSection:
        campus = self.campuses[campus_key]
        two = rng.random() < (0.35 if campus.kind == "main" else 0.2)
        for attempt_two in ([two, False] if two else [False]):
            rooms = self._rooms(rng, campus, department)
            teachers = self._teachers(rng, campus, department)
            for times in self._time_options(rng, campus, department, attempt_two):
                name = self._name(times)
                if ("name", (campus_key, course), name) in self.busy:
                    continue
                room = next((r for r in rooms if not any(
                    ((campus_key, r["name"]), d, p) in self.busy for d, p in times)), None)
                teacher = next((t for t in teachers if self._free(t, times)), None)
                if room is None or teacher is None:
                    continue
                for d, p in times:
                    self.busy.add(((campus_key, room["name"]), d, p))
                    self.busy.add((teacher, d, p))
                self.busy.add(("name", (campus_key, course), name))
                self.load[teacher] = self.load.get(teacher, 0) + 1
                self.slots[teacher] = self.slots.get(teacher, 0) + len(times)
                return self._planned(rng, campus, course, department, name, times, room,
                                     teacher)
        raise RuntimeError(f"No room, time or teacher left for {course} at {campus_key}")

    @staticmethod
    def _name(times) -> str:
        days = "、".join(f"周{WEEKDAY_NAMES[d]}" for d, _ in times)
        return f"{days}{PERIODS[times[0][1]][2]}班"

    def _planned(self, rng, campus, course, department, name, times, room, teacher):
        fee, (low, high) = self.departments[department]
        capacity = min(rng.randrange(low, high + 1, 2), room["capacity"])
        share = {"main": 1.0, "branch": 0.8, "point": 0.0}[campus.kind]
        fee = min(MAX_FEE, round(fee * share * (1.5 if len(times) > 1 else 1) / 10) * 10)
        notes = ""
        if times[0][1] == "eve":
            notes = "晚班：下课后校门口有 7 路公交末班车（21:30），天黑路滑请结伴回家。"
        elif not room["step_free"] and not room["lift"]:
            notes = f"教室在{room['floor']}楼，没有电梯；上下楼梯不便的学员请选其他班。"
        return PlannedSection(campus.key, course, department, name, times, room["name"],
                              [teacher], capacity, fee, notes)


def sections_ensure(
    *, term: Term, plan: list[PlannedSection], campuses: dict, courses: dict, teachers: dict,
) -> list[tuple[PlannedSection, Section]]:
    """The planned classes of ``term``, created (open, with slots and
    teachers) where no class of that campus, course and name exists."""
    existing = {
        (s.campus_id, s.course_id, s.name): s for s in Section.objects.filter(term=term)
    }
    rooms = {
        (room.campus_id, room.name): room
        for page in campuses.values() for room in page.rooms.all()
    }
    pairs, new = [], []
    for planned in plan:
        campus, course = campuses[planned.campus], courses[planned.course]
        section = existing.get((campus.pk, course.pk, planned.name))
        if section is None:
            section = Section(
                term=term, campus=campus, course=course, name=planned.name,
                room=rooms.get((campus.pk, planned.room)), capacity=planned.capacity,
                fee=planned.fee, status=Section.Status.OPEN, notes=planned.notes,
            )
            new.append((planned, section))
        pairs.append((planned, section))
    if new:
        Section.objects.bulk_create([section for _, section in new])
        SectionSlot.objects.bulk_create([
            SectionSlot(section=section, weekday=d, start_time=PERIODS[p][0],
                        end_time=PERIODS[p][1])
            for planned, section in new for d, p in planned.times
        ])
        through = Section.teachers.through
        through.objects.bulk_create([
            through(section_id=section.pk, user_id=teachers[phone].pk)
            for planned, section in new for phone in planned.teachers
        ])
    return pairs


def sessions_ensure(*, term: Term) -> int:
    """Sessions for the term's classes that have none yet, over the whole
    term (also its past weeks: the demo shows a term under way). Returns how
    many classes got their sessions."""
    term_start = timezone.make_aware(datetime.datetime.combine(term.start_date, datetime.time()))
    with_sessions = ClassSession.objects.filter(section__term=term).values("section_id")
    done = 0
    for section in Section.objects.filter(term=term).exclude(pk__in=with_sessions):
        sessions_generate(section=section, now=term_start)
        done += 1
    return done


def enrolments_plan(
    *, pairs: list[tuple[PlannedSection, Section]], students: dict[str, list[str]],
    areas: dict[str, str], full: list[tuple[str, str]], waitlisted: int, first: list[tuple],
    limit: int, seed: int = 2026,
) -> list[tuple[str, Section, str]]:
    """(phone, section, status) rows: ``full`` (campus, course) classes
    filled to capacity, the first ``waitlisted`` of them with a waiting list,
    ``first`` (phone, campus, course) placed before anyone else, the other
    classes partly filled. Nobody holds more than ``limit`` live rows in the
    term or two classes at the same time."""
    rng = random.Random(seed)
    rows: list[tuple[str, Section, str]] = []
    held: dict[str, set] = {}
    taken: dict[int, int] = {}

    def count(phone) -> int:
        return sum(1 for r in held.get(phone, ()) if r[0] == "s")

    def add(phone, planned, section, status) -> bool:
        times = set(planned.times)
        mine = held.setdefault(phone, set())
        if count(phone) >= limit or times & mine or ("s", section.pk) in mine:
            return False
        mine.update(times | {("s", section.pk)})
        rows.append((phone, section, status))
        if status == Enrolment.Status.ENROLLED:
            taken[section.pk] = taken.get(section.pk, 0) + 1
        return True

    by_key = {(p.campus, p.course): (p, s) for p, s in reversed(pairs)}
    for phone, campus, course in first:
        planned, section = by_key[(campus, course)]
        add(phone, planned, section, Enrolment.Status.ENROLLED)
    for n, key in enumerate(full):
        planned, section = by_key[key]
        pool = list(students[areas[planned.campus]])
        rng.shuffle(pool)
        for phone in pool:
            if taken.get(section.pk, 0) >= section.capacity:
                break
            add(phone, planned, section, Enrolment.Status.ENROLLED)
        if n < waitlisted:
            queued = 0
            for phone in pool:
                if queued >= 3 + n % 3:
                    break
                queued += add(phone, planned, section, Enrolment.Status.WAITLISTED)
    full_ids = {by_key[key][1].pk for key in full}
    for area, phones in students.items():
        open_pairs = [(p, s) for p, s in pairs
                      if areas[p.campus] == area and s.pk not in full_ids]
        for phone in phones:
            wanted = rng.choice((1, 2, 2, 3, 3))
            rng.shuffle(open_pairs)
            for planned, section in open_pairs:
                if count(phone) >= wanted:
                    break
                if taken.get(section.pk, 0) < section.capacity - 1:
                    add(phone, planned, section, Enrolment.Status.ENROLLED)
    return rows


def enrolments_ensure(*, term: Term, rows, users: dict) -> int:
    """Create the planned enrolment rows, unless the term already has
    enrolments of these people (then the demo ran before). Returns how many
    were created. Bulk insert: no audit rows or notifications, which is what
    demo data wants."""
    people = {users[phone].pk for phone, _, _ in rows}
    if Enrolment.objects.filter(section__term=term, person_id__in=people).exists():
        return 0
    sources = [Enrolment.Source.SELF] * 6 + [Enrolment.Source.PROXY, Enrolment.Source.RENEWAL]
    Enrolment.objects.bulk_create([
        Enrolment(person=users[phone], section=section, status=status,
                  source=sources[n % len(sources)])
        for n, (phone, section, status) in enumerate(rows)
    ])
    return len(rows)
