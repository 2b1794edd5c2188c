"""Tell the people of a class when one of its sessions is cancelled or
moved (issue 5 point 4): its enrolled students, the family members who act
for them, and its teachers, in the school's language.

``session_changed_notify`` is a receiver of ``courses.signals.session_changed``
(connected in ``courses.apps``), which the session services send after
commit. Each notice's dedupe key names the session and its revision, so a
repeated signal notifies once, and a second change notifies again. A
failure is logged and never undoes the change (pending deliveries are
retried by the notifications app)."""

import logging

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from courses.models import ClassSession, Enrolment
from lms.accounts.models import ProxyLink, User

from .eligibility import section_label, when

logger = logging.getLogger(__name__)


def session_changed_notify(sender, *, session: ClassSession, change: str, actor=None,
                           **kwargs) -> None:
    """Notify everyone concerned by ``change`` ("cancelled" or "moved") of
    ``session``. Queries do not grow with the number of students beyond one
    insert per notice."""
    from lms.notifications.models import Notification
    from lms.notifications.services import notification_send

    try:
        session = ClassSession.objects.select_related(
            "section__course", "section__campus", "room").get(pk=session.pk)
        section = session.section
        students = list(
            User.objects.filter(enrolments__section=section,
                                enrolments__status__in=Enrolment.SEATED)
            .select_related("profile").distinct())
        links = list(
            ProxyLink.objects.filter(student__in=students, status=ProxyLink.Status.ACTIVE)
            .select_related("proxy", "student__profile"))
        teachers = list(section.teachers.all())
        with translation.override(settings.LANGUAGE_CODE):
            title, body = _texts(session, change)
            recipients: dict[int, tuple[User, str]] = {}
            for person in [*students, *teachers]:
                recipients.setdefault(person.pk, (person, body))
            for link in links:
                recipients.setdefault(link.proxy_id, (link.proxy, _(
                    "For %(name)s: %(message)s") % {"name": link.student.display_name,
                                                    "message": body}))
            kind = (Notification.Kind.SESSION_CANCELLED if change == "cancelled"
                    else Notification.Kind.SESSION_CHANGED)
            for person, text in recipients.values():
                notification_send(recipient=person, kind=kind, title=title[:120], body=text,
                                  url=_url(), actor=actor,
                                  dedupe_key=f"courses.session:{session.pk}:{session.sequence}")
    except Exception:
        logger.exception("Session %s: the %s notices were not all sent.", session.pk, change)


def _texts(session: ClassSession, change: str) -> tuple[str, str]:
    names = {
        "class": section_label(session.section),
        "date": when(session.starts_at),
        "reason": session.change_note,
        "place": session.room.name if session.room else session.section.campus.title,
    }
    if change == "cancelled":
        return (_("Class cancelled: %(class)s") % names,
                _("%(class)s on %(date)s is cancelled. Reason: %(reason)s") % names)
    return (_("Class moved: %(class)s") % names,
            _("%(class)s now meets on %(date)s in %(place)s. Reason: %(reason)s") % names)


def _url() -> str:
    try:
        return reverse("courses:my_classes")
    except NoReverseMatch:
        return ""
