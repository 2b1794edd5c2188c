"""The notices an enrolment change sends (issue 4 points 3–4): to the person
and to every family member with an active link to them, after the change
commits, in plain words.

``enrolment_notify`` only registers an ``on_commit`` callback: nothing is
sent if the transaction rolls back, and the sending never holds a lock.
With a broker the callback hands the event to a worker (task
``courses.send_enrolment_notices``: one publish, so the enrolment rush's
requests do not wait for the notices); without one, or when the broker is
down, it sends them in the request. Each notice has a dedupe key per
enrolment and event, so a retried or repeated send never notifies twice.
A failure to notify is logged and never undoes or fails the enrolment
(pending deliveries are retried by ``notifications.redeliver_pending``)."""

import logging
from functools import partial

from django.conf import settings
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _

from courses.models import Enrolment
from lms.accounts.models import ProxyLink, User
from lms.notifications.models import Notification

from .eligibility import section_label, when

logger = logging.getLogger(__name__)

Kind = Notification.Kind

# event: the kind of notification it sends
EVENTS = {
    "enrolled": Kind.ENROLMENT_RESULT,
    "waitlisted": Kind.ENROLMENT_RESULT,
    "applied": Kind.ENROLMENT_RESULT,
    "promoted": Kind.WAITLIST_PROMOTION,
    "offered": Kind.WAITLIST_OFFER,
    "accepted": Kind.ENROLMENT_RESULT,
    "withdrawn": Kind.ENROLMENT_RESULT,
    "expired": Kind.ENROLMENT_RESULT,
    "moved": Kind.ENROLMENT_RESULT,
}


def enrolment_notify(*, enrolment: Enrolment, event: str, actor: User | None = None,
                     **details) -> None:
    """Notify the person of ``enrolment`` and their family members of
    ``event`` (a key of ``EVENTS``) once the current transaction commits.
    ``enrolment.person`` (with its profile) and ``enrolment.section`` (with
    course, campus and term) should be loaded: the texts use them.
    ``details``: ``position`` (waitlisted), ``moved_from`` (a section)."""
    if event not in EVENTS:
        raise KeyError(event)
    transaction.on_commit(partial(_dispatch, enrolment, event, actor, details))


def _dispatch(enrolment: Enrolment, event: str, actor: User | None, details: dict) -> None:
    from courses.tasks import send_enrolment_notices

    if not send_enrolment_notices.app.conf.task_always_eager:
        moved_from = details.get("moved_from")
        try:
            send_enrolment_notices.apply_async(kwargs={
                "enrolment_id": enrolment.pk, "event": event,
                "actor_id": actor.pk if actor is not None else None,
                "position": details.get("position"),
                "moved_from_id": moved_from.pk if moved_from is not None else None,
            }, retry=False)
            return
        except Exception:
            logger.warning("Enrolment %s: the %s notice was not queued; sending it now.",
                           enrolment.pk, event, exc_info=True)
    _send(enrolment, event, actor, details)


def enrolment_notices_send(*, enrolment_id: int, event: str, actor_id: int | None = None,
                           position: int | None = None,
                           moved_from_id: int | None = None) -> None:
    """Send the notices of ``event`` for the enrolment ``enrolment_id`` now
    (the task's body; raises on a database error so that the task retries;
    notices already sent are not sent again)."""
    from courses.models import Section

    enrolment = Enrolment.objects.select_related(
        "person__profile", "section__course", "section__campus", "section__term",
    ).get(pk=enrolment_id)
    details: dict = {"position": position}
    if moved_from_id is not None:
        details["moved_from"] = Section.objects.select_related("course").get(pk=moved_from_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    with translation.override(settings.LANGUAGE_CODE):
        _send_now(enrolment, event, actor, details)


def _send(enrolment: Enrolment, event: str, actor: User | None, details: dict) -> None:
    try:
        # The school's language: we do not know each person's.
        with translation.override(settings.LANGUAGE_CODE):
            _send_now(enrolment, event, actor, details)
    except Exception:
        logger.exception("Enrolment %s: the %s notice was not sent.", enrolment.pk, event)


def _send_now(enrolment: Enrolment, event: str, actor: User | None, details: dict) -> None:
    from lms.notifications.services import notification_send

    person = enrolment.person
    title, body = _texts(enrolment, event, details)
    url = _url(enrolment)
    key = f"courses.enrolment:{enrolment.pk}:{event}"
    recipients = [(person, body)]
    proxies = User.objects.filter(
        proxy_for_links__student_id=person.pk, proxy_for_links__status=ProxyLink.Status.ACTIVE,
    ).distinct()
    for proxy in proxies:
        recipients.append((proxy, _("For %(name)s: %(message)s") % {
            "name": person.display_name, "message": body}))
    for recipient, text in recipients:
        notification_send(recipient=recipient, kind=EVENTS[event], title=title, body=text,
                          url=url, actor=actor, dedupe_key=key)


def _url(enrolment: Enrolment) -> str:
    try:
        return reverse("courses:enrolment_result", args=[enrolment.pk])
    except NoReverseMatch:  # the site's enrolment pages are not mounted
        return ""


def _texts(enrolment: Enrolment, event: str, details: dict) -> tuple[str, str]:
    section = enrolment.section
    names = {
        "class": section_label(section),
        "campus": section.campus.title,
        "address": section.campus.address,
    }
    if event == "enrolled":
        title = _("Enrolled: %(class)s")
        body = _("You are enrolled in %(class)s at %(campus)s (%(address)s). "
                 "“My classes” shows the times and the room.")
    elif event == "waitlisted":
        names["position"] = details.get("position") or 1
        title = _("Waiting list: %(class)s")
        body = _("%(class)s is full. You are number %(position)d on the waiting list. "
                 "When a place is free it goes to the next person in line, and we will tell you.")
    elif event == "applied":
        names["ticket"] = enrolment.ticket
        title = _("Request received: %(class)s")
        closes = section.term.enrolment_closes_at
        if closes is not None:
            names["date"] = when(closes)
            body = _("We have your request for %(class)s. Your ticket is %(ticket)s. "
                     "Places are drawn by lottery after enrolment closes on %(date)s.")
        else:
            body = _("We have your request for %(class)s. Your ticket is %(ticket)s. "
                     "Places are drawn by lottery after enrolment closes.")
    elif event == "promoted":
        title = _("A place is yours: %(class)s")
        body = _("A place in %(class)s is free and it is now yours: you are enrolled. "
                 "The class meets at %(campus)s (%(address)s).")
    elif event == "offered":
        names["date"] = when(enrolment.offer_expires_at)
        title = _("A place is waiting for you: %(class)s")
        body = _("A place in %(class)s is free for you. Please accept it by %(date)s, "
                 "or it goes to the next person on the waiting list.")
    elif event == "accepted":
        title = _("Place accepted: %(class)s")
        body = _("You have accepted the place: you are enrolled in %(class)s at %(campus)s "
                 "(%(address)s).")
    elif event == "withdrawn":
        title = _("Left the class: %(class)s")
        body = _("You have left %(class)s.")
    elif event == "expired":
        title = _("Offer ended: %(class)s")
        body = _("The place offered to you in %(class)s was not accepted in time, "
                 "so it has gone to the next person.")
    else:  # moved
        names["old"] = section_label(details["moved_from"])
        title = _("Class changed: %(class)s")
        body = _("You have been moved from %(old)s to %(class)s at %(campus)s (%(address)s).")
    return (title % names)[:120], body % names
