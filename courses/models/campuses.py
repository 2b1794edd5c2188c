"""Where teaching happens: campuses (校本部、分校、教学点) and their rooms."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey, ParentalManyToManyField
from wagtail.admin.panels import FieldPanel, InlinePanel, MultiFieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Orderable, Page
from wagtail.search import index

from lms.validators import validate_link


class CampusIndexPage(Page):
    """Lists a school's campuses and teaching points (e.g. /campuses/)."""

    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CampusPage"]
    max_count_per_parent = 1
    page_description = _("The list of a school's campuses and teaching points.")
    content_panels = [*Page.content_panels, FieldPanel("intro")]
    template = "courses/campus_index_page.html"

    class Meta:
        verbose_name = _("campus list")

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        context["campuses"] = (
            CampusPage.objects.live().child_of(self).order_by("kind", "path")
        )
        return context


class CampusPage(Page):
    """One campus or teaching point: address, how to get there, rooms."""

    class Kind(models.TextChoices):
        MAIN = "main", _("Main campus")
        BRANCH = "branch", _("Branch school")
        POINT = "point", _("Teaching point")

    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.BRANCH)
    county = models.CharField(_("county or district"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=200)
    map_url = models.CharField(
        _("map link"), max_length=500, blank=True, validators=[validate_link],
        help_text=_("A link to the place on an online map."),
    )
    transport = models.TextField(_("how to get there"), blank=True)
    phone = models.CharField(_("contact phone"), max_length=40, blank=True)
    opening_hours = models.CharField(_("opening hours"), max_length=120, blank=True)
    intro = RichTextField(_("introduction"), blank=True, features=["bold", "link", "ol", "ul"])
    admins = ParentalManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="administered_campuses",
        verbose_name=_("campus admins"),
        help_text=_("People who manage this campus's classes in the admin."),
    )

    parent_page_types = ["courses.CampusIndexPage"]
    subpage_types: list[str] = []
    page_description = _("A campus, branch school or teaching point, with its rooms.")
    template = "courses/campus_page.html"
    # The rest are a link away, in the catalogue filtered by this campus.
    sections_shown = 20

    search_fields = [
        *Page.search_fields,
        index.SearchField("address"),
        index.SearchField("county"),
        index.FilterField("kind"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("kind"), FieldPanel("county"), FieldPanel("address"),
             FieldPanel("map_url"), FieldPanel("transport")],
            heading=_("Place"),
        ),
        MultiFieldPanel(
            [FieldPanel("phone"), FieldPanel("opening_hours")], heading=_("Contact"),
        ),
        FieldPanel("intro"),
        InlinePanel("rooms", label=_("Rooms")),
        FieldPanel("admins"),
    ]

    class Meta:
        verbose_name = _("campus")
        verbose_name_plural = _("campuses")

    def get_context(self, request, *args, **kwargs):
        from courses.models import CourseIndexPage

        context = super().get_context(request, *args, **kwargs)
        school = Page.objects.ancestor_of(self).filter(depth=self.depth - 2).first()
        catalogue = (
            CourseIndexPage.objects.live().child_of(school).first() if school else None
        )
        sections, total, catalogue_url = [], 0, ""
        if catalogue is not None:
            listed = catalogue.public_sections(school=school, campus=self)
            sections = list(listed[: self.sections_shown])
            total = len(sections)
            if total == self.sections_shown:
                total = listed.count()
            catalogue.section_urls(request, sections)
            catalogue_url = f"{catalogue.get_url(request)}?campus={self.pk}"
        context.update(
            rooms=self.rooms.all(),
            sections=sections,
            sections_total=total,
            catalogue_url=catalogue_url,
        )
        return context


class Room(Orderable):
    """A classroom of a campus."""

    campus = ParentalKey(CampusPage, on_delete=models.CASCADE, related_name="rooms")
    name = models.CharField(_("name"), max_length=50)
    capacity = models.PositiveIntegerField(_("seats"), default=30)
    floor = models.SmallIntegerField(_("floor"), default=1)
    step_free = models.BooleanField(_("step-free access"), default=True)
    lift = models.BooleanField(_("lift"), default=False)
    notes = models.CharField(_("notes"), max_length=200, blank=True)

    panels = [
        FieldPanel("name"), FieldPanel("capacity"), FieldPanel("floor"),
        FieldPanel("step_free"), FieldPanel("lift"), FieldPanel("notes"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            models.UniqueConstraint(fields=["campus", "name"], name="room_unique_name_per_campus"),
        ]

    def __str__(self):
        return f"{self.campus.title} · {self.name}"

    @property
    def access_note(self) -> str:
        if self.floor <= 1 and self.step_free:
            return str(_("Ground floor, step-free"))
        if self.lift:
            return str(_("Floor %(floor)s, lift available")) % {"floor": self.floor}
        return str(_("Floor %(floor)s, stairs only")) % {"floor": self.floor}
