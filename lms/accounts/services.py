"""Writes for accounts and profiles."""

from django.db import transaction

from .models import Profile, User


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
