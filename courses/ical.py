"""Calendar feeds (RFC 5545) of class sessions, built with icalendar.

Every session is one VEVENT whose UID never changes (``session-<pk>@<the
school's host>``): a moved session keeps its UID with new times, a cancelled
one stays in the feed with ``STATUS:CANCELLED``, and ``SEQUENCE`` follows
the session's revision so calendar apps replace what they had.

``sessions_calendar`` takes any queryset of sessions, so a personal feed
(the sessions a person is enrolled in) is one more caller, not a new module.
"""

import datetime
import zoneinfo
from collections.abc import Iterable

from django.conf import settings
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _
from icalendar import Calendar, Event, Timezone, vDuration
from icalendar.enums import STATUS
from wagtail.models import Site

from courses.models import CampusPage, ClassSession, CourseIndexPage, Section, Term
from courses.selectors import PUBLIC_STATUSES
from lms.accounts.models import User

PRODID = "-//Lishui Senior University//LMS Courses//ZH"
REFRESH = datetime.timedelta(hours=6)
# VTIMEZONE rules from here on: older ones (China's 1986–1991 summer time)
# would only make every feed longer.
TIMEZONE_FROM = datetime.date(2000, 1, 1)
FALLBACK_DOMAIN = "lms.localhost"


def section_calendar(section: Section) -> bytes:
    """All sessions of one section, cancelled ones included."""
    sessions = ClassSession.objects.filter(section=section)
    return sessions_calendar(
        sessions,
        name=f"{section.course.title} {section.name}",
        uid=f"section-{section.pk}@{_school_domain(section.term.school_id)}",
        description=section.campus.title,
    )


def campus_calendar(campus: CampusPage, term: Term | None = None) -> bytes:
    """The sessions of every public section at ``campus`` in published
    terms (or in ``term`` only)."""
    sessions = ClassSession.objects.filter(
        section__campus=campus,
        section__status__in=PUBLIC_STATUSES,
        section__term__is_published=True,
        section__course__live=True,
        section__campus__live=True,
    )
    name = campus.title
    if term is not None:
        sessions = sessions.filter(section__term=term)
        name = f"{campus.title} {term.name}"
    school = campus.get_parent().get_parent()
    uid = f"campus-{campus.pk}{f'-term-{term.pk}' if term else ''}@{_school_domain(school.pk)}"
    return sessions_calendar(sessions, name=name, uid=uid, description=campus.address)


def sessions_calendar(
    sessions: QuerySet[ClassSession], *, name: str, uid: str, description: str = ""
) -> bytes:
    """A VCALENDAR of ``sessions`` named ``name``, with the local VTIMEZONE.
    The caller decides what may be shown (DESIGN.md §5 rule 6): a public
    feed passes public sections' sessions, a personal feed a person's own."""
    calendar = Calendar.new(
        prodid=PRODID, name=name, uid=uid, description=description or None,
        calscale="GREGORIAN",
    )
    # RFC 7986 requires VALUE=DURATION here; icalendar's refresh_interval omits it.
    calendar.add("REFRESH-INTERVAL", vDuration(REFRESH), parameters={"VALUE": "DURATION"})
    calendar.add("X-WR-TIMEZONE", settings.TIME_ZONE)
    calendar.add("X-PUBLISHED-TTL", vDuration(REFRESH))
    events = session_events(sessions)
    for event in events:
        calendar.add_component(event)
    if events:
        calendar.add_missing_timezones(first_date=TIMEZONE_FROM)
    else:
        # Still say which zone the (empty) calendar is in.
        calendar.add_component(Timezone.from_tzid(settings.TIME_ZONE, first_date=TIMEZONE_FROM))
    return calendar.to_ical()


def session_events(sessions: QuerySet[ClassSession]) -> list[Event]:
    """One VEVENT per session, in start order, with a fixed number of queries."""
    sessions = (
        sessions.select_related(
            "room", "section__room", "section__campus", "section__course", "section__term"
        )
        .prefetch_related(
            Prefetch("section__teachers", queryset=User.objects.select_related("profile"))
        )
        .order_by("starts_at", "pk")
    )
    sessions = list(sessions)
    domains = _school_domains({s.section.term.school_id for s in sessions})
    catalogues: dict[str, tuple] = {}
    return [
        session_event(
            session,
            uid_domain=domains[session.section.term.school_id],
            link=_section_link(session.section, catalogues),
        )
        for session in sessions
    ]


def session_event(session: ClassSession, *, uid_domain: str, link: str = "") -> Event:
    """The VEVENT of one session. Times are given in the local zone (with
    TZID); DTSTAMP and LAST-MODIFIED are the session's last change, so the
    same data always gives the same bytes."""
    section = session.section
    zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    cancelled = session.status == ClassSession.Status.CANCELLED
    summary = f"{section.course.title} {section.name}"
    if cancelled:
        summary = _("Cancelled: %(class)s") % {"class": summary}
    changed = session.updated_at.astimezone(datetime.UTC)
    return Event.new(
        uid=f"session-{session.pk}@{uid_domain}",
        sequence=session.sequence,
        summary=summary,
        start=session.starts_at.astimezone(zone),
        end=session.ends_at.astimezone(zone),
        location=session_location(session),
        description=_session_description(session, link),
        status=STATUS.CANCELLED if cancelled else STATUS.CONFIRMED,
        stamp=changed,
        last_modified=changed,
        url=link or None,
    )


def session_location(session: ClassSession) -> str:
    """Campus, address and room, as a person would write it on a note."""
    campus = session.section.campus
    parts = [campus.title, campus.address]
    room = session.room or session.section.room
    if room is not None:
        parts.append(room.name)
    return "，".join(part for part in parts if part)


def _session_description(session: ClassSession, link: str) -> str:
    section = session.section
    lines = []
    if session.status == ClassSession.Status.CANCELLED:
        lines.append(_("This class is cancelled: %(reason)s")
                     % {"reason": session.change_note or "—"})
    elif session.moved:
        lines.append(_("This class has moved: %(reason)s") % {"reason": session.change_note or "—"})
    teachers = "、".join(str(t) for t in section.teachers.all())
    if teachers:
        lines.append(_("Teacher: %(names)s") % {"names": teachers})
    room = session.room or section.room
    if room is not None:
        lines.append(_("Room: %(room)s (%(access)s)") % {"room": room.name,
                                                         "access": room.access_note})
    if section.campus.phone:
        lines.append(_("Phone: %(phone)s") % {"phone": section.campus.phone})
    if link:
        lines.append(link)
    return "\n".join(lines)


def _section_link(section: Section, catalogues: dict[str, tuple]) -> str:
    """The full URL of the section's page in its school's catalogue (one
    query per catalogue, not per section)."""
    course = section.course
    parent_path = course.path[: -course.steplen]
    if parent_path not in catalogues:
        catalogue = CourseIndexPage.objects.filter(path=parent_path).first()
        base = catalogue.get_full_url() if catalogue is not None else None
        catalogues[parent_path] = (catalogue, base)
    catalogue, base = catalogues[parent_path]
    if not base:
        return ""
    return base + catalogue.reverse_subpage("section", args=[section.pk]).lstrip("/")


def _school_domains(school_ids: Iterable[int]) -> dict[int, str]:
    """The host of each school's Site: the stable right-hand side of UIDs."""
    school_ids = set(school_ids)
    hosts: dict[int, str] = {}
    sites = (
        Site.objects.filter(root_page_id__in=school_ids)
        .order_by("-is_default_site", "pk")
        .values_list("root_page_id", "hostname")
    )
    for school_id, hostname in sites:
        hosts.setdefault(school_id, hostname)
    return {pk: hosts.get(pk) or FALLBACK_DOMAIN for pk in school_ids}


def _school_domain(school_id: int) -> str:
    return _school_domains([school_id])[school_id]

