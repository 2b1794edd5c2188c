"""Template tags for what every page of a school shows."""

from django import template
from django.utils.safestring import mark_safe

from cms.chrome import header_html
from cms.models import SchoolSettings
from cms.models.site_settings import default_help_phone as _default_help_phone

register = template.Library()


@register.simple_tag(takes_context=True)
def help_phone(context) -> str:
    """This school's help phone, or the install's default number when the
    school has none (empty only if both are missing)."""
    request = context.get("request")
    phone = SchoolSettings.for_request(request).help_phone if request is not None else ""
    return phone or _default_help_phone()


@register.simple_tag
def default_help_phone() -> str:
    """The install's help phone from settings: no database, no request, so
    the 500 page can show it while the database is down."""
    return _default_help_phone()


@register.filter
def tel_href(phone: str) -> str:
    """``tel:`` address for a number as people write it ("0578-212 3456")."""
    return "tel:" + "".join(ch for ch in phone if ch in "+0123456789")


@register.simple_tag(takes_context=True)
def site_header(context) -> str:
    """includes/header.html, kept as a fragment for anonymous visitors of
    pages that allow it (cms/chrome.py)."""
    template_ = context.template.engine.get_template("includes/header.html")
    return mark_safe(header_html(context, template_.render))
