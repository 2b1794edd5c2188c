"""Writes for accounts and profiles."""

from django.db import transaction

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
