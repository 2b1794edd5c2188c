"""Writes for accounts and profiles."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from .models import Profile, ProxyLink, User


def profile_ensure(*, user: User, real_name: str = "") -> Profile:
    """Return the user's profile, creating it (with ``real_name``) if missing."""
    profile, created = Profile.objects.get_or_create(
        user=user, defaults={"real_name": real_name.strip()}
    )
    if not created and real_name and not profile.real_name:
        profile.real_name = real_name.strip()
        profile.save(update_fields=["real_name", "updated_at"])
    return profile


@transaction.atomic
def profile_update(*, user: User, **fields) -> Profile:
    """Update profile fields after full validation; nothing is saved if any
    field is invalid (``ValidationError`` is raised)."""
    profile = profile_ensure(user=user)
    for name, value in fields.items():
        setattr(profile, name, value)
    profile.full_clean()
    profile.save()
    return profile


def proxy_people(*, actor: User) -> list[User]:
    """The people ``actor`` may enrol and withdraw for: ``actor`` first, then
    the students who have an ACTIVE family-member link to ``actor`` (by
    name). One query (profiles loaded). Pending or ended links give nothing."""
    students = list(
        User.objects.filter(
            proxy_links__proxy=actor, proxy_links__status=ProxyLink.Status.ACTIVE
        )
        .select_related("profile")
        .distinct()
    )
    students.sort(key=lambda person: (person.display_name, person.pk))
    return [actor, *students]


def can_act_for(*, actor: User, person: User) -> bool:
    """True when ``actor`` is ``person`` or holds an ACTIVE family-member
    link to them (at most one query). Staff rights are checked separately by
    the callers that allow them."""
    if actor.pk is None or person.pk is None:
        return False
    if actor.pk == person.pk:
        return True
    return ProxyLink.objects.filter(
        student=person, proxy=actor, status=ProxyLink.Status.ACTIVE
    ).exists()


def person_register(*, real_name: str, phone: str) -> User:
    """Register a person who has no account yet (at the school's desk): a
    login with the mobile number (they can log in later with a text-message
    code; no password is set) and a profile with the real name. The number
    is not marked verified: the person was in front of staff, not their phone.

    Raises ``ValidationError`` for an empty name, a number typed wrong or
    one that is already registered; nothing is saved then.
    """
    from allauth.account.adapter import get_adapter

    from .phone import normalize_phone

    real_name = " ".join((real_name or "").split())
    if not real_name:
        raise ValidationError({"real_name": _("Please enter the person's real name.")})
    phone = normalize_phone(phone)
    with transaction.atomic():
        if User.objects.filter(phone=phone).exists():
            raise ValidationError({"phone": _("This mobile number is already registered.")})
        user = User(phone=phone, username=get_adapter().generate_unique_username(["user"]))
        user.set_unusable_password()
        user.full_clean()
        user.save()
        profile_ensure(user=user, real_name=real_name)
    return user


# Family members who act for a student (lms/accounts/proxies.py).
from .proxies import (  # noqa: E402
    MAX_ACTIVE_PROXIES,
    ProxyRefused,
    notice_recipients,
    proxy_code_resend,
    proxy_consent,
    proxy_end,
    proxy_request,
)

__all__ = [
    "MAX_ACTIVE_PROXIES",
    "ProxyRefused",
    "can_act_for",
    "notice_recipients",
    "person_register",
    "profile_ensure",
    "profile_update",
    "proxy_code_resend",
    "proxy_consent",
    "proxy_end",
    "proxy_people",
    "proxy_request",
]
