"""Family members who act for a student (代报名): asking for a link, the
student's consent, ending it, and who may act for whom.

How a link is made:

1. A family member (any logged-in account) types the student's mobile
   number and their relation: ``proxy_request`` makes a PENDING link and
   texts the student a 6-digit code with a plain sentence saying who asks.
2. The student consents either by telling the family member the code, who
   types it (``proxy_consent`` with ``code``), or by pressing "Agree" on
   their own "My family" page (``proxy_consent`` by the student, no code).
   The link becomes ACTIVE with ``consented_at``.
3. Either side ends it (``proxy_end``); a student refusing a pending request
   ends it too.

Codes: six digits from the allauth adapter's generator (the same as login
codes), kept only as a keyed hash (HMAC with the site's secret, bound to the
link), valid ``CODE_VALID_FOR``; after ``CODE_MAX_TRIES`` wrong tries the
request ends and the family member must ask again (a new text to the
student). A new code replaces the old one, at most once a ``CODE_RESEND_AFTER``.

A student has at most ``MAX_ACTIVE_PROXIES`` active family members: enough
for a household (a spouse and two children), few enough that a student can
see at a glance who may act for them.

Who may act for whom: ``proxy_people`` and ``can_act_for`` in services.py.

Every write runs in one transaction, locking the student's account row
first, so two requests cannot both take the last of the three places, and
leaves an audit row in it (``proxy_audit``: who acted, for whom, what,
when). Texts are sent after commit; a failed text is logged and the family
member can ask for the code again.
"""

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lms.sms import send_sms

from . import proxy_audit
from .models import ProxyLink, User
from .phone import mask_phone, normalize_phone

logger = logging.getLogger(__name__)

MAX_ACTIVE_PROXIES = 3
CODE_VALID_FOR = timedelta(minutes=15)
CODE_MAX_TRIES = 5
CODE_RESEND_AFTER = timedelta(minutes=1)

# What the family member is to the student (stored key → label).
RELATIONS = {
    "daughter": gettext_lazy("Daughter"),
    "son": gettext_lazy("Son"),
    "spouse": gettext_lazy("Spouse"),
    "other": gettext_lazy("Other family member"),
}

Status = ProxyLink.Status


class ProxyRefused(Exception):
    """A link request or step was refused. ``code`` says why (for code),
    ``message`` says it in plain words (for the person)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


def relation_label(key: str) -> str:
    """The words for a stored relation key ("daughter" → 女儿)."""
    return str(RELATIONS.get(key, key))


# --- reads ------------------------------------------------------------------


def notice_recipients(*, person: User) -> list[User]:
    """Who receives ``person``'s notices: the person, then their active
    family members (for enrolment results, offers and changed sessions)."""
    proxies = User.objects.filter(
        proxy_for_links__student=person, proxy_for_links__status=Status.ACTIVE, is_active=True
    ).distinct().order_by("pk")
    return [person, *proxies]


def family_links(*, user: User) -> dict[str, list[ProxyLink]]:
    """The open links on ``user``'s "My family" page: ``for_me`` (people
    who act for the user, active and asking) and ``by_me`` (people the user
    acts for or has asked to)."""
    open_links = ProxyLink.objects.exclude(status=Status.ENDED).select_related(
        "student__profile", "proxy__profile"
    ).order_by("-status", "created_at")
    return {
        "for_me": list(open_links.filter(student=user)),
        "by_me": list(open_links.filter(proxy=user)),
    }


def link_for(*, user: User, pk: int) -> ProxyLink | None:
    """The open link ``pk`` if ``user`` is one of its two sides, else None."""
    return (
        ProxyLink.objects.exclude(status=Status.ENDED)
        .filter(Q(student=user) | Q(proxy=user), pk=pk)
        .select_related("student__profile", "proxy__profile")
        .first()
    )


# --- writes -----------------------------------------------------------------


def proxy_request(
    *, proxy: User, phone: str, relation: str, now: datetime | None = None
) -> ProxyLink:
    """``proxy`` asks to act for the student whose mobile number is ``phone``
    (typed any way). Creates a PENDING link and texts the student a consent
    code after commit; asking again while pending sends a new code on the
    same link.

    Raises ``ProxyRefused`` with code ``invalid_phone``, ``unknown_phone``
    (nobody registered with it), ``self``, ``already_linked`` (active),
    ``too_many`` (the student has ``MAX_ACTIVE_PROXIES``), ``relation`` or
    ``too_soon`` (a code was sent less than a minute ago).
    """
    now = now or timezone.now()
    try:
        phone = normalize_phone(phone)
    except ValidationError as error:
        raise ProxyRefused("invalid_phone", error.messages[0]) from None
    if relation not in RELATIONS:
        raise ProxyRefused("relation", _("Please choose what you are to the student."))
    with transaction.atomic(durable=True):
        student = User.objects.select_for_update().filter(phone=phone, is_active=True).first()
        if student is None:
            raise ProxyRefused("unknown_phone", _(
                "This mobile number is not registered yet. Please ask your family member "
                "to sign up first (or the school can register them), then try again."
            ))
        if student.pk == proxy.pk:
            raise ProxyRefused("self", _(
                "This is your own mobile number. Please type your family member's number."
            ))
        link = ProxyLink.objects.filter(student=student, proxy=proxy).exclude(
            status=Status.ENDED).first()
        if link is not None and link.status == Status.ACTIVE:
            raise ProxyRefused("already_linked", _(
                "You are already linked to this family member. You can enrol for them now."
            ))
        _check_room(student=student)
        action = proxy_audit.RESEND if link is not None else proxy_audit.REQUEST
        if link is None:
            link = ProxyLink(student=student, proxy=proxy)
        elif link.code_sent_at and now - link.code_sent_at < CODE_RESEND_AFTER:
            raise ProxyRefused("too_soon", _(
                "A code was sent less than a minute ago. Please wait a moment for the text message."
            ))
        link.relation = relation
        code = _new_code(link=link, now=now)  # saves the link
        proxy_audit.proxy_log(link=link, action=action, actor=proxy)
        transaction.on_commit(lambda: _send_consent_sms(link=link, code=code))
    return link


def proxy_code_resend(*, link: ProxyLink, actor: User, now: datetime | None = None) -> ProxyLink:
    """Send the student a new consent code for ``link`` (the old one stops
    working). Only its family member may ask, at most once a minute.
    Raises ``ProxyRefused`` (``not_allowed``, ``not_pending``, ``too_soon``)."""
    if actor.pk != link.proxy_id:
        raise ProxyRefused("not_allowed", _("Only the family member who asked can do this."))
    return proxy_request(
        proxy=actor, phone=link.student.phone or "", relation=link.relation or "other", now=now
    )


def proxy_consent(
    *, link: ProxyLink, actor: User, code: str | None = None, now: datetime | None = None
) -> ProxyLink:
    """Make a PENDING link ACTIVE (``consented_at`` = now).

    The student consents by pressing a button (no code). The family member
    consents for them by typing the code the student received: a wrong code
    counts a try (kept even though this raises), and the ``CODE_MAX_TRIES``-th
    wrong try ends the request. Consenting again to an active link changes
    nothing.

    Raises ``ProxyRefused``: ``not_allowed``, ``ended``, ``no_code``,
    ``wrong_code``, ``too_many_tries``, ``code_expired``, ``too_many``.
    """
    now = now or timezone.now()
    if actor.pk not in (link.student_id, link.proxy_id):
        raise ProxyRefused("not_allowed", _("This request is not yours."))
    refusal = None
    with transaction.atomic(durable=True):
        User.objects.select_for_update().filter(pk=link.student_id).first()
        current = ProxyLink.objects.select_for_update().get(pk=link.pk)
        if current.status == Status.ACTIVE:
            return current
        if current.status == Status.ENDED:
            raise ProxyRefused("ended", _(
                "This request has ended. Please ask again from the “My family” page."
            ))
        if actor.pk == current.proxy_id:
            refusal = _check_code(link=current, code=code, now=now)
        if refusal is None:
            _check_room(student=current.student)
            current.status = Status.ACTIVE
            current.consented_at = now
            current.code_hash = ""
            current.code_expires_at = None
            current.full_clean()
            current.save()
            proxy_audit.proxy_log(link=current, action=proxy_audit.CONSENT, actor=actor,
                                  by="student" if actor.pk == current.student_id else "code")
    if refusal is not None:
        raise refusal
    return current


def proxy_end(*, link: ProxyLink, actor: User, now: datetime | None = None) -> ProxyLink:
    """End ``link`` (解除): either side may, whether it is active or still
    asking (a student refusing a request). Ending an ended link changes
    nothing. Raises ``ProxyRefused("not_allowed")`` for anyone else."""
    if actor.pk not in (link.student_id, link.proxy_id):
        raise ProxyRefused("not_allowed", _("This link is not yours."))
    with transaction.atomic(durable=True):
        current = ProxyLink.objects.select_for_update().get(pk=link.pk)
        if current.status != Status.ENDED:
            if actor.pk == current.proxy_id:
                reason = proxy_audit.BY_PROXY
            elif current.status == Status.PENDING:
                reason = proxy_audit.DECLINED
            else:
                reason = proxy_audit.BY_STUDENT
            _end(link=current, actor=actor, now=now or timezone.now(), reason=reason)
    return current


# --- helpers ----------------------------------------------------------------


def _end(*, link: ProxyLink, actor: User | None, now: datetime, reason: str,
         logged_actor: User | None = None) -> None:
    """End ``link`` (saved) and write its audit row: ``ended_by`` is
    ``actor``; the row's user is ``logged_actor`` when given (the family
    member whose wrong codes ended the request), else ``actor``."""
    was = link.status
    link.status = Status.ENDED
    link.ended_at = now
    link.ended_by = actor
    link.code_hash = ""
    link.code_expires_at = None
    link.save()
    proxy_audit.proxy_log(link=link, action=proxy_audit.END, actor=logged_actor or actor,
                          reason=reason, was=was)


def _check_room(*, student: User) -> None:
    active = ProxyLink.objects.filter(student=student, status=Status.ACTIVE).count()
    if active >= MAX_ACTIVE_PROXIES:
        raise ProxyRefused("too_many", _(
            "This student already has %(count)d family members who can enrol for them, "
            "the most we allow. One of them must end their link first."
        ) % {"count": MAX_ACTIVE_PROXIES})


def _code_digest(link: ProxyLink, code: str) -> str:
    return salted_hmac(
        "lms.accounts.proxies.consent", f"{link.pk}:{code}", algorithm="sha256"
    ).hexdigest()


def _new_code(*, link: ProxyLink, now: datetime) -> str:
    """A fresh code for ``link`` (saved, hashed); returns the plain code."""
    from allauth.account.adapter import get_adapter

    if link.pk is None:
        link.save()
    code = get_adapter().generate_login_code()
    link.code_hash = _code_digest(link, code)
    link.code_sent_at = now
    link.code_expires_at = now + CODE_VALID_FOR
    link.code_tries = 0
    link.save()
    return code


def _check_code(*, link: ProxyLink, code: str | None, now: datetime) -> ProxyRefused | None:
    """Compare ``code`` with the link's; on a wrong one count the try (and
    end the request at the last try). Returns the refusal to raise after
    the transaction commits, or None when the code is right."""
    code = "".join((code or "").split())
    if not code:
        return ProxyRefused("no_code", _("Please type the 6-digit code from the text message."))
    if not link.code_hash or link.code_expires_at is None or now >= link.code_expires_at:
        return ProxyRefused("code_expired", _(
            "This code is too old (a code works for 15 minutes). "
            "Please press “Send a new code” and ask for the new one."
        ))
    if constant_time_compare(_code_digest(link, code), link.code_hash):
        return None
    link.code_tries += 1
    if link.code_tries >= CODE_MAX_TRIES:
        _end(link=link, actor=None, now=now, reason=proxy_audit.TOO_MANY_TRIES,
             logged_actor=link.proxy)
        return ProxyRefused("too_many_tries", _(
            "The code was typed wrong too many times, so this request has ended. "
            "Please ask again from the “My family” page."
        ))
    link.save(update_fields=["code_tries"])
    left = CODE_MAX_TRIES - link.code_tries
    return ProxyRefused("wrong_code", _(
        "This code is not correct. Please check the 6 digits with your family member "
        "and type them again (%(left)d tries left)."
    ) % {"left": left})


def _send_consent_sms(*, link: ProxyLink, code: str) -> None:
    """Text the student who asks and the code. In the school's language (we
    do not know the student's), never raising: the family member can ask
    for a new code."""
    proxy = link.proxy
    who = mask_phone(proxy.phone) or proxy.display_name
    with translation.override(settings.LANGUAGE_CODE):
        message = _(
            "Your family member %(who)s asks to enrol you in senior university classes. "
            "If you agree, tell them the code %(code)s. It works for 15 minutes."
        ) % {"who": who, "code": code}
    try:
        send_sms(phone=link.student.phone, message=message)
    except Exception:
        logger.exception("Consent code for family link %s could not be texted", link.pk)
