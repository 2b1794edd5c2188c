"""Validators shared by every app.

Their messages are translated in ``lms/notifications``' catalogue for now
(``lms/locale`` is regenerated from the project templates); the msgids must
stay identical to the entries there.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

SAFE_LINK_PREFIXES = ("/", "https://", "http://")


def validate_link(value: str) -> None:
    """Accept an empty value, a path on this site ("/…", but not the
    protocol-relative "//…") or an absolute http(s) address.

    Raises ``ValidationError`` (code ``invalid_link``) for anything else, such
    as ``javascript:``, ``data:`` or ``mailto:`` links, so that a stored link
    can be put in an ``href`` or a redirect as it is.
    """
    if not value:
        return
    lowered = value.lower()
    if (
        not lowered.startswith(SAFE_LINK_PREFIXES)
        # Browsers read "//host", "/\\host" and "/<tab>/host" as another site.
        or lowered.startswith(("//", "/\\"))
        or any(ord(ch) < 32 or ord(ch) == 127 for ch in value)
    ):
        raise ValidationError(
            _("A link must start with “/”, “http://” or “https://”."), code="invalid_link"
        )
