"""What is taught: departments (系), the catalogue page and course pages."""

from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin
from wagtail.fields import RichTextField
from wagtail.models import Page
from wagtail.search import index

from courses.search_text import search_tokens


class Department(index.Indexed, models.Model):
    """A department (系) such as 书画、音乐、智能手机; a snippet."""

    name = models.CharField(_("name"), max_length=40, unique=True)
    slug = models.SlugField(_("slug"), max_length=40, unique=True, allow_unicode=True)
    description = models.TextField(_("description"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("order"), default=0)

    panels = [FieldPanel("name"), FieldPanel("slug"), FieldPanel("description"),
              FieldPanel("sort_order")]
    search_fields = [index.SearchField("name"), index.AutocompleteField("name")]

    class Meta:
        ordering = ["sort_order", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")

    def __str__(self):
        return self.name


class CourseIndexPage(RoutablePageMixin, Page):
    """The public catalogue (e.g. /courses/): courses live under it, and it
    serves the section list with filters and each section's page."""

    intro = models.TextField(_("introduction"), blank=True)

    parent_page_types = ["cms.HomePage"]
    subpage_types = ["courses.CoursePage"]
    max_count_per_parent = 1
    page_description = _("The course catalogue of a school, with its classes and filters.")
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("course catalogue")


class CoursePage(Page):
    """One course: what it is, who it suits, what it credits."""

    class Level(models.TextChoices):
        BEGINNER = "beginner", _("Beginner")
        ELEMENTARY = "elementary", _("Elementary")
        INTERMEDIATE = "intermediate", _("Intermediate")
        ADVANCED = "advanced", _("Advanced")
        SEMINAR = "seminar", _("Study group")

    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="courses",
        verbose_name=_("department"),
    )
    level = models.CharField(
        _("level"), max_length=20, choices=Level.choices, default=Level.BEGINNER
    )
    summary = models.CharField(
        _("summary"), max_length=200, help_text=_("One sentence shown in lists.")
    )
    description = RichTextField(_("description"), features=["bold", "ol", "ul", "link"])
    suits = models.TextField(_("who it suits"), blank=True)
    materials = models.TextField(_("what to bring"), blank=True)
    cover = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("cover image"),
    )
    study_hour_credit = models.DecimalField(
        _("study hours per session"), max_digits=4, decimal_places=1, default=2,
        validators=[MinValueValidator(0)],
        help_text=_("学时 credited for attending one session (1 class hour = 1 学时)."),
    )

    parent_page_types = ["courses.CourseIndexPage"]
    subpage_types: list[str] = []
    page_description = _("A course: its description, level and study-hour credit.")
    template = "courses/course_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("summary"),
        index.SearchField("description"),
        index.SearchField("suits"),
        # Chinese has no spaces between words: index the words jieba finds
        # (and their pinyin initials) so 书法 finds 书法入门班.
        index.SearchField("search_words"),
        index.FilterField("department"),
        index.FilterField("level"),
    ]
    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("department"), FieldPanel("level"), FieldPanel("study_hour_credit")],
            heading=_("Catalogue"),
        ),
        FieldPanel("summary"),
        FieldPanel("description"),
        FieldPanel("suits"),
        FieldPanel("materials"),
        FieldPanel("cover"),
    ]

    class Meta:
        verbose_name = _("course")
        verbose_name_plural = _("courses")

    def search_words(self) -> str:
        return search_tokens(self.title, self.summary, self.description, self.suits)
