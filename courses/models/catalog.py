"""What is taught: departments (系), the catalogue page and course pages."""

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.core.validators import MinValueValidator
from django.db import models
from django.http import Http404
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.routable_page.models import RoutablePageMixin, path
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

    template = "courses/course_index_page.html"
    section_template = "courses/section_page.html"
    # Classes per page of the catalogue: small pages for slow phone links.
    per_page = 20

    class Meta:
        verbose_name = _("course catalogue")

    def school(self):
        """The school (cms HomePage) this catalogue belongs to."""
        if not hasattr(self, "_school"):
            self._school = self.get_parent()
        return self._school

    def serve(self, request, view=None, args=None, kwargs=None):
        # The catalogue and section pages of anonymous visitors come from
        # the cache (courses/cache.py); signals drop them when data changes.
        # Once this process has served the catalogue, its hits are answered
        # by courses.middleware before Wagtail routes the request.
        from courses.cache import cached_page, prime_school_settings
        from courses.middleware import remember_catalogue

        parts = self.get_url_parts(request)
        if parts is not None:
            remember_catalogue(parts[2], request, self)

        def render():
            prime_school_settings(request)
            return super(CourseIndexPage, self).serve(request, view, args, kwargs)

        return cached_page(request, render=render)

    def get_view_restrictions(self):
        """Wagtail's view restrictions of this page and its ancestors, as
        Wagtail finds them, kept by this process under the catalogue cache
        version (asked on every request by Wagtail's before-serve hook; a
        change of a restriction or a page's place bumps the version)."""
        from courses.cache import catalogue_version

        version = catalogue_version()
        known = _VIEW_RESTRICTIONS.get(self.pk)
        if known is None or known[0] != version:
            known = (version, list(super().get_view_restrictions()))
            _VIEW_RESTRICTIONS[self.pk] = known
        return known[1]

    @staticmethod
    def public_sections(*, school, **filters):
        """``courses.selectors.catalog_sections`` of pages the public can
        open (a class of an unpublished course or campus is not listed)."""
        from courses.selectors import catalog_sections

        return catalog_sections(school=school, **filters).filter(
            course__live=True, campus__live=True
        )

    def section_urls(self, request, sections) -> None:
        """Give each section its ``url`` (its page in this catalogue) and
        its ``availability`` (seats left). No query per section: the
        sections come from ``courses.selectors.sections_with_counts``."""
        from courses.selectors import availability_of

        base = self.get_url(request) or ""
        for section in sections:
            section.url = f"{base}{self.reverse_subpage('section', args=[section.pk]).lstrip('/')}"
            section.availability = availability_of(section)

    @path("", name="catalogue")
    def catalogue(self, request):
        from courses.cache import FILTER_CHOICES
        from courses.catalogue_cards import cards_html, catalogue_cards
        from courses.forms import CatalogueFilterForm, fields_html

        school = self.school()
        form, filters = CatalogueFilterForm.from_query(
            request.GET, school=school, choices=getattr(request, FILTER_CHOICES, None)
        )
        # A section's URL from the catalogue's own, worked out once.
        base = self.get_url(request) or ""
        head, _mark, tail = self.reverse_subpage("section", args=[_PK_MARK]).lstrip("/").partition(
            str(_PK_MARK)
        )
        prefix = f"{base}{head}"

        def page_of(number: int):
            start = (number - 1) * self.per_page
            return catalogue_cards(school=school, filters=filters, start=start,
                                   stop=start + self.per_page,
                                   url_of=lambda pk: f"{prefix}{pk}{tail}")

        asked = _page_number(request.GET.get("page"))
        cards, total = page_of(asked)
        # Django's paginator for the page numbers (it counts a range: no query);
        # a page past the end shows the last one, as Paginator.get_page does.
        paginator = Paginator(range(total), self.per_page)
        sections_page = paginator.get_page(asked)
        if sections_page.number != asked:
            cards, total = page_of(sections_page.number)
        query = request.GET.copy()
        query.pop("page", None)
        return self.render(request, context_overrides={
            "form": form,
            "filter_fields": fields_html(form.shown_fields(getattr(request, FILTER_CHOICES, None))),
            "filtered": form.filtered,
            "term_name": form.term_name(),
            "chosen": form.chosen(),
            "paginator": paginator,
            "sections_page": sections_page,
            "cards": cards_html(cards, teacher_label=_("Teacher:")),
            "page_query": query.urlencode(),
        })

    @path("sections/<int:pk>/", name="section")
    def section(self, request, pk):
        """A class's own page: when, where, who teaches, seats left, how to
        enrol. Only the school's public classes (404 for a draft or
        cancelled class, or another school's)."""
        from courses.models import ClassSession

        section = self.public_sections(school=self.school()).filter(pk=pk).first()
        if section is None:
            raise Http404
        self.section_urls(request, [section])
        sessions = (
            ClassSession.objects.filter(section=section, ends_at__gte=timezone.now())
            .select_related("room").order_by("starts_at")[:6]
        )
        enrol = None
        if request.user.is_authenticated and optional_url("courses:enrol", section.pk):
            # Personal: logged-in pages are never cached (courses/cache.py).
            from courses.views.enrol_block import enrol_block

            enrol = enrol_block(request, section=section, availability=section.availability)
        return self.render(request, template=self.section_template, context_overrides={
            "section": section,
            "availability": section.availability,
            "sessions": sessions,
            "login_url": _url_with_next("account_login", section.url),
            "signup_url": _url_with_next("account_signup", section.url),
            "calendar_url": optional_url("courses:section_ics", section.pk),
            "campus_url": section.campus.get_url(request) if section.campus.live else "",
            "enrol": enrol,
        })


_PK_MARK = 987654321
# catalogue page pk -> (cache version, its view restrictions)
_VIEW_RESTRICTIONS: dict[int, tuple] = {}


def _page_number(value) -> int:
    """A page number from the query string; anything else is page 1."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return 1
    return max(number, 1)


def _url_with_next(name: str, target: str) -> str:
    return f"{reverse(name)}?{urlencode({'next': target})}"


def optional_url(name: str, *args) -> str:
    """The URL of ``name``, or "" while no app provides it (a page links to
    it only when it exists)."""
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


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

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        catalogue = CourseIndexPage.objects.parent_of(self).first()
        sections = []
        if catalogue is not None:
            sections = list(catalogue.public_sections(school=catalogue.school(), course=self))
            catalogue.section_urls(request, sections)
        context["sections"] = sections
        context["catalogue"] = catalogue
        return context

    def search_words(self) -> str:
        return search_tokens(self.title, self.summary, self.description, self.suits)
