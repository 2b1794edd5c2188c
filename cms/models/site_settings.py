"""Per-school site settings: the facts in the header and footer, and the menu."""

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from modelcluster.models import ClusterableModel
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting
from wagtail.models import Orderable

from lms.validators import validate_link


def default_help_phone() -> str:
    """The install-wide help line, ``settings.DEFAULT_HELP_PHONE`` (empty if
    unset): what a new school starts with, and what pages show when a
    school's own number is missing. Reads no database, so the 500 page can
    use it too."""
    return getattr(settings, "DEFAULT_HELP_PHONE", "")


@register_setting(icon="site")
class SchoolSettings(BaseSiteSetting):
    """Per-school facts shown on every page (header and footer)."""

    short_name = models.CharField(_("short name"), max_length=40, blank=True)
    # Required: DESIGN.md §7 wants a help number in the same place on every page.
    help_phone = models.CharField(
        _("help phone"), max_length=40, default=default_help_phone,
        help_text=_("Shown in the same place on every page, e.g. 0578-2123456."),
    )
    help_hours = models.CharField(_("help hours"), max_length=80, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    footer_note = models.TextField(_("footer note"), blank=True)

    panels = [
        FieldPanel("short_name"),
        FieldPanel("help_phone"),
        FieldPanel("help_hours"),
        FieldPanel("address"),
        FieldPanel("footer_note"),
    ]

    class Meta:
        verbose_name = _("school settings")


@register_setting(icon="list-ul")
class NavigationSettings(ClusterableModel, BaseSiteSetting):
    """The main menu of one school's site."""

    panels = [InlinePanel("menu_items", label=_("Menu items"))]

    class Meta:
        verbose_name = _("navigation")


class MenuItem(Orderable):
    settings = ParentalKey(NavigationSettings, on_delete=models.CASCADE, related_name="menu_items")
    label = models.CharField(_("label"), max_length=30)
    link_page = models.ForeignKey(
        "wagtailcore.Page", null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("page"),
    )
    link_url = models.CharField(
        _("or URL"), max_length=200, blank=True, validators=[validate_link],
        help_text=_("Used when no page is chosen: a path such as /accounts/login/ "
                    "or an address starting with https://."),
    )

    panels = [FieldPanel("label"), FieldPanel("link_page"), FieldPanel("link_url")]

    class Meta(Orderable.Meta):
        verbose_name = _("menu item")

    def __str__(self):
        return self.label

    @cached_property
    def url(self) -> str:
        """A path for a page of this menu's own site (so it can be compared
        with ``request.path``), a full URL for another site's page. Worked
        out once per loaded item (the header writes each link twice)."""
        if self.link_page_id:
            parts = self.link_page.get_url_parts()
            if parts is None:
                return "#"
            site_id, root_url, page_path = parts
            if site_id == self.settings.site_id:
                return page_path
            return root_url + page_path
        return self.link_url or "#"
