"""The demo's attendance (issue 5), used by ``courses.demo`` after the
enrolment demo: the history of the current term's classes that met before
the seed day, some leave requests, and the campus admins' notices about
students absent three times in a row.

- History: every student enrolled in a class has a mark at each of its
  scheduled sessions before today (today's classes are left for the roll
  call): mostly present, some late, a few absent (more in a "rainy" week
  of a campus), a few on approved leave. Written in bulk, each record and
  leave request with its audit rows, as if the teachers had tapped the roll
  call and decided the leave; no random run of three absences, except two
  on purpose (at the demo campus admin's campus, 龙泉), which the absence
  job then reports to the campus admin.
- Leave requests: approved ones behind the leave marks, a few refused ones
  (the student then absent), and for the coming week a few asked through
  the real service (``leave_request_create``), two of them decided by the
  teacher through ``leave_request_decide`` (approved, refused); the demo
  student (王秀英) has one waiting for a decision.
- Today's class: the demo teacher (李文博) always has a class today open
  for roll call and QR check-in (``courses.demo_makeup``).

Deterministic: the marks follow a random generator seeded from the class's
course, campus and name and the student's phone number, not from ids.
Idempotent: the history is written only while the term's past sessions
have no marks; the service calls find the request already asked; the
make-up session is added once a day. Must run
outside any transaction (the leave services open durable ones).
"""

import datetime
import random
import time

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from courses import demo_content as content
from courses.demo_makeup import today_class_ensure
from courses.models import (
    Attendance,
    AttendanceLogEntry,
    CampusPage,
    ClassSession,
    Enrolment,
    LeaveRequest,
    Section,
    Term,
)
from courses.services.absence_flags import absence_streaks_notify
from courses.services.leave import leave_request_create, leave_request_decide
from lms.accounts.models import User

S = Attendance.Status
# Chances of each mark for an ordinary student; a rainy week adds absences.
LATE, ABSENT, LEAVE, REFUSED = 0.05, 0.04, 0.03, 0.005
RAINY_WEEK, RAINY_ABSENT = 0.15, 0.08
# A tenth of the students come less often.
IRREGULAR, IRREGULAR_ABSENT = 0.1, 0.12
LEAVE_REASONS = ["身体不适，去医院复查", "家中有事", "外出探亲", "陪老伴看病", "孙子放假，在家照看",
                 "天气不好，路滑不便出门"]
REFUSED_REASON = "想去参加老同学聚会"
# The two students absent three times in a row (campus key, nth class
# there): at the demo campus admin's campus, so that they are told.
STREAKS = ((content.DEMO_CAMPUS_ADMIN_CAMPUS, 0), (content.DEMO_CAMPUS_ADMIN_CAMPUS, 1))
COMING_DAYS = 7
COMING_REQUESTS = 6


def seed(stdout, *, now: datetime.datetime | None = None) -> None:
    """Write the history, the coming leave requests, the absence notices and
    today's make-up class (if the demo teacher needs one); one line to
    ``stdout``."""
    started = time.monotonic()
    now = now or timezone.now()
    term = _current_term()
    if term is None:
        stdout.write("courses: no current term, no attendance demo")
        return
    marked, asked = history_ensure(term=term, now=now)
    coming = coming_leave_ensure(term=term, now=now)
    notices = absence_streaks_notify(now=now)
    makeup = today_class_ensure(term=term, now=now)
    today = (f"a make-up class today at {timezone.localtime(makeup.starts_at):%H:%M}"
             if makeup else "no make-up class added today")
    stdout.write(f"courses: attendance for {term.name}: this run {marked} marks, {asked} past "
                 f"leave requests, {coming} coming ones, {notices} absence notices, {today} "
                 f"({time.monotonic() - started:.1f}s)")


def _current_term() -> Term | None:
    """The university's current term (the party school has one of the same name)."""
    main = CampusPage.objects.filter(slug=_campus_slug("main")).first()
    if main is None:
        return None
    return Term.objects.filter(school_id=main.get_parent().get_parent().pk,
                               name=content.CURRENT_TERM[1]).first()


def _campus_slug(key: str) -> str:
    return next(row[3] for row in content.CAMPUSES if row[0] == key)


def _past_sessions(term: Term, now: datetime.datetime):
    today_start = datetime.datetime.combine(timezone.localdate(now), datetime.time(),
                                            timezone.get_current_timezone())
    return ClassSession.objects.filter(section__term=term, status=ClassSession.Status.SCHEDULED,
                                       starts_at__lt=today_start)


@transaction.atomic
def history_ensure(*, term: Term, now: datetime.datetime) -> tuple[int, int]:
    """While no past session of ``term`` has a mark: mark every enrolled
    student at each, with the leave requests behind leave marks and a few
    refused ones. Returns (marks, leave requests) written."""
    sessions = list(_past_sessions(term, now).select_related("section__course", "section__campus")
                    .order_by("section_id", "starts_at", "pk"))
    if not sessions or Attendance.objects.filter(session__in=[s.pk for s in sessions]).exists():
        return 0, 0
    by_section: dict[int, list[ClassSession]] = {}
    for session in sessions:
        by_section.setdefault(session.section_id, []).append(session)
    sections = (Section.objects.filter(pk__in=by_section).select_related("course", "campus")
                .prefetch_related("teachers").order_by("campus__path", "course__title", "name"))
    students: dict[int, list[User]] = {}
    for enrolment in (Enrolment.objects.filter(section__in=by_section,
                                               status=Enrolment.Status.ENROLLED)
                      .select_related("person__profile").order_by("person__phone")):
        students.setdefault(enrolment.section_id, []).append(enrolment.person)
    streakers = _streakers(sections, students)

    records, requests = [], []
    for section in sections:
        teacher = next(iter(section.teachers.all()), None)
        rainy = random.Random(f"rain:{section.campus.slug}")
        wet_weeks = {week for week in range(30) if rainy.random() < RAINY_WEEK}
        for person in students.get(section.pk, []):
            plan = _plan(section, person, by_section[section.pk], wet_weeks, term,
                         streak=(section.pk, person.pk) in streakers)
            for session, status, refused_reason in plan:
                records.append(_record(session, person, status, teacher))
                if status == S.LEAVE or refused_reason:
                    requests.append(_request(session, person, teacher, refused_reason))
    Attendance.objects.bulk_create(records, batch_size=2000)
    LeaveRequest.objects.bulk_create(requests, batch_size=2000)
    # Asked the day before, decided a few hours later (created_at is set on insert).
    LeaveRequest.objects.filter(pk__in=[r.pk for r in requests]).update(
        created_at=F("decided_at") - datetime.timedelta(hours=5))
    _audit(records, requests)
    return len(records), len(requests)


def _streakers(sections, students) -> set[tuple[int, int]]:
    """(section, person) of the students absent at their class's last three
    sessions: the first student of the nth class (in the campus's order) of
    each ``STREAKS`` campus."""
    chosen = set()
    for key, nth in STREAKS:
        slug = _campus_slug(key)
        at_campus = [s for s in sections if s.campus.slug == slug and students.get(s.pk)]
        if len(at_campus) > nth:
            section = at_campus[nth]
            chosen.add((section.pk, students[section.pk][0].pk))
    return chosen


def _plan(section, person, sessions, wet_weeks, term, *, streak: bool):
    """[(session, status, refused leave reason or "")] for one student."""
    rng = random.Random(f"{section.course.slug}:{section.campus.slug}:{section.name}:"
                        f"{person.phone}")
    absent = IRREGULAR_ABSENT if rng.random() < IRREGULAR else ABSENT
    plan, run = [], 0
    for n, session in enumerate(sessions):
        week = (timezone.localdate(session.starts_at) - term.start_date).days // 7
        chance = absent + (RAINY_ABSENT if week in wet_weeks else 0)
        roll, refused = rng.random(), ""
        if streak and n >= len(sessions) - 3:
            status = S.ABSENT
        elif roll < LEAVE:
            status = S.LEAVE
        elif roll < LEAVE + REFUSED:
            status, refused = S.ABSENT, REFUSED_REASON
        elif roll < LEAVE + REFUSED + chance:
            status = S.ABSENT
        elif roll < LEAVE + REFUSED + chance + LATE:
            status = S.LATE
        else:
            status = S.PRESENT
        run = run + 1 if status == S.ABSENT else 0
        if run >= 3 and not (streak and n >= len(sessions) - 3):
            status, run = S.PRESENT, 0  # no accidental streaks: only the chosen two
        plan.append((session, status, refused if status == S.ABSENT else ""))
    return plan


def _record(session, person, status, teacher) -> Attendance:
    minutes = 20 if status == S.LATE else 5
    method = Attendance.Method.LEAVE if status == S.LEAVE else Attendance.Method.TAP
    return Attendance(session=session, person=person, status=status, method=method,
                      recorded_by=teacher,
                      recorded_at=session.starts_at + datetime.timedelta(minutes=minutes))


def _request(session, person, teacher, refused_reason) -> LeaveRequest:
    decided = session.starts_at - datetime.timedelta(hours=16)
    if refused_reason:
        return LeaveRequest(session=session, person=person, reason=refused_reason,
                            status=LeaveRequest.Status.REFUSED, requested_by=person,
                            decided_by=teacher, decided_at=decided)
    reason = LEAVE_REASONS[(session.pk + person.pk) % len(LEAVE_REASONS)]
    return LeaveRequest(session=session, person=person, reason=reason,
                        status=LeaveRequest.Status.APPROVED, requested_by=person,
                        decided_by=teacher, decided_at=decided)


def _audit(records: list[Attendance], requests: list[LeaveRequest]) -> None:
    """The audit rows the services would have written: asked, decided, marked."""
    from django.contrib.contenttypes.models import ContentType

    record_type = ContentType.objects.get_for_model(Attendance)
    request_type = ContentType.objects.get_for_model(LeaveRequest)
    entries = []
    for request in requests:
        asked = request.decided_at - datetime.timedelta(hours=5)
        approved = request.status == LeaveRequest.Status.APPROVED
        entries.append(_entry(request, request_type, "courses.leave.request", request.person,
                              asked, {"reason": request.reason}))
        entries.append(_entry(request, request_type,
                              "courses.leave.approve" if approved else "courses.leave.refuse",
                              request.decided_by, request.decided_at, {"reason": request.reason}))
    for record in records:
        entries.append(_entry(record, record_type, "courses.attendance.mark", record.recorded_by,
                              record.recorded_at,
                              {"from": None, "to": record.status, "method": record.method,
                               "reason": "", "tap": ""}))
    AttendanceLogEntry.objects.bulk_create(entries, batch_size=2000)


def _entry(instance, content_type, action, user, timestamp, data) -> AttendanceLogEntry:
    label = f"{instance.person.display_name} · {instance.session}"
    return AttendanceLogEntry(content_type=content_type, label=label, action=action,
                              data=data, timestamp=timestamp, user=user,
                              object_id=str(instance.pk), person_id=instance.person_id,
                              session_id=instance.session_id)


def coming_leave_ensure(*, term: Term, now: datetime.datetime) -> int:
    """Leave asked through the service for sessions of the coming week: the
    demo student's next class (waiting for a decision) and the first
    students of a few classes at the main campus, two of them decided by
    the teacher (one approved, one refused). Returns how many requests
    were asked this run (a second run finds them asked)."""
    # Timetabled sessions only: not today's make-up session, which a second
    # seed on the same day would otherwise find as the student's next class.
    soon = ClassSession.objects.filter(
        section__term=term, status=ClassSession.Status.SCHEDULED, starts_at__gt=now,
        starts_at__lte=now + datetime.timedelta(days=COMING_DAYS), slot__isnull=False,
    ).select_related("section").order_by("starts_at", "pk")
    wanted: list[tuple[ClassSession, User]] = []
    mother = User.objects.filter(phone=content.DEMO_STUDENT_PHONE).first()
    if mother is not None:
        hers = soon.filter(section__enrolments__person=mother,
                           section__enrolments__status=Enrolment.Status.ENROLLED).first()
        if hers is not None:
            wanted.append((hers, mother))
    seen = {session.section_id for session, _ in wanted}
    for session in soon.filter(section__campus__slug=_campus_slug("main")):
        if len(wanted) >= COMING_REQUESTS:
            break
        if session.section_id in seen:
            continue
        first = (Enrolment.objects.filter(section_id=session.section_id,
                                          status=Enrolment.Status.ENROLLED)
                 .exclude(person=mother).select_related("person").order_by("person__phone")
                 .first())
        if first is not None:
            seen.add(session.section_id)
            wanted.append((session, first.person))
    asked = 0
    for n, (session, person) in enumerate(wanted):
        if LeaveRequest.objects.filter(session=session, person=person).exists():
            continue  # asked in an earlier run (and perhaps decided)
        try:
            request, created = leave_request_create(
                session=session, person=person, actor=person, now=now,
                reason=LEAVE_REASONS[n % len(LEAVE_REASONS)])
        except ValidationError:
            continue  # the class has started since an earlier run
        asked += created
        teacher = session.section.teachers.order_by("pk").first()
        if teacher is not None and n in (1, 2):
            leave_request_decide(leave_request=request, approve=(n == 1), actor=teacher, now=now)
    return asked
