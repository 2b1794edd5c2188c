"""The notices of a lottery draw: each person with a request (and their
active family members) is told the outcome. Run by the task
``courses.tasks.lottery_notify`` after the draw commits, in batches."""

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from courses.models import LotteryDraw, LotteryEntry
from lms.accounts.models import ProxyLink, User
from lms.notifications.models import Notification
from lms.notifications.services import notification_send

Outcome = LotteryEntry.Outcome


def notices_send(*, draw_id: int, batch_size: int = 500) -> int:
    """Send the outcome notices of a drawn draw; idempotent (the dedupe key
    holds the draw, the enrolment and its outcome and rank, so a re-run
    that changed nothing sends nothing new). Returns the notices handled."""
    draw = LotteryDraw.objects.select_related("term").filter(pk=draw_id).first()
    if draw is None or draw.status == LotteryDraw.Status.ANNOUNCED:
        return 0
    entries = (draw.entries.exclude(outcome=Outcome.RENEWED)
               .order_by("section_id", "rank")
               .values_list("pk", "enrolment_id", "enrolment__person_id", "section_id",
                            "section__course__title", "section__name", "ticket", "outcome",
                            "rank"))
    handled, position, batch = 0, {}, []
    with translation.override(settings.LANGUAGE_CODE):
        for row in entries.iterator(chunk_size=batch_size):
            if row[7] == Outcome.WAITLISTED:
                position[row[3]] = position.get(row[3], 0) + 1
            batch.append((row, position.get(row[3], 0)))
            if len(batch) >= batch_size:
                handled += _send_batch(draw, batch)
                batch = []
        if batch:
            handled += _send_batch(draw, batch)
    return handled


def _send_batch(draw: LotteryDraw, batch) -> int:
    people = {row[2] for row, _ in batch}
    users = User.objects.in_bulk(people)
    proxies: dict[int, list[User]] = {}
    for link in (ProxyLink.objects.filter(student_id__in=people, status=ProxyLink.Status.ACTIVE)
                 .select_related("proxy")):
        proxies.setdefault(link.student_id, []).append(link.proxy)
    sent = 0
    with transaction.atomic():
        for row, place in batch:
            _entry, enrolment, person, section, course, name, ticket, outcome, rank = row
            title, body = _texts(outcome=outcome, course=course, name=name, place=place,
                                 limit=draw.term.per_person_limit, ticket=ticket)
            url = reverse("courses:lottery_result", args=[section]) + f"?ticket={ticket}"
            key = f"lottery:{draw.pk}:{enrolment}:{outcome}:{rank}"
            for recipient in [users[person], *proxies.get(person, [])]:
                notification_send(recipient=recipient, kind=Notification.Kind.ENROLMENT_RESULT,
                                  title=title, body=body, url=url, dedupe_key=key)
                sent += 1
    return sent


def _texts(*, outcome: str, course: str, name: str, place: int, limit: int,
           ticket: str) -> tuple[str, str]:
    what = f"{course} {name}"
    if outcome == Outcome.WON:
        return (_("Lottery result: you have a place"),
                _("Your ticket %(ticket)s was drawn for %(class)s. Your place is confirmed.")
                % {"ticket": ticket, "class": what})
    if outcome == Outcome.WAITLISTED:
        return (_("Lottery result: you are on the waiting list"),
                _("Your ticket %(ticket)s was not drawn for %(class)s. You are number "
                  "%(place)s on the waiting list. We will tell you if a place frees up.")
                % {"ticket": ticket, "class": what, "place": place})
    return (_("Lottery result: not drawn"),
            _("You already have %(limit)s classes this term, the most one person may "
              "have, so your request %(ticket)s for %(class)s was not drawn.")
            % {"limit": limit, "ticket": ticket, "class": what})
