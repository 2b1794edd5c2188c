"""Page types of a school's site.

Tree::

    Root (wagtailcore.Page)
    └── HomePage                 one per school, the root of its Wagtail Site
        ├── StandardPage         关于我们、招生简章、联系我们、学习指南 …
        │   └── StandardPage
        └── NewsIndexPage        at most one per home page
            └── NewsPage
"""

from django.core.paginator import Paginator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TabbedInterface
from wagtail.fields import StreamField
from wagtail.models import Page
from wagtail.search import index

from cms.blocks import BodyStreamBlock, QuickLinkBlock

# Children a school's home page may have. Later apps add their page types
# here by name (e.g. "courses.CampusPage", "courses.CourseIndexPage"): a
# string needs no import, so cms keeps not importing courses.
HOME_PAGE_CHILDREN = [
    "cms.StandardPage",
    "cms.NewsIndexPage",
    "courses.CampusIndexPage",
    "courses.CourseIndexPage",
]


def _tabs(content_panels, body_panels, promote_panels, settings_panels):
    """The editor of a content page: what it says, its body, SEO, settings."""
    return TabbedInterface([
        ObjectList(content_panels, heading=_("Content")),
        ObjectList(body_panels, heading=_("Body")),
        ObjectList(promote_panels, heading=_("Promote")),
        ObjectList(settings_panels, heading=_("Settings")),
    ])


class HomePage(Page):
    """A school's home page: the root of one Wagtail Site."""

    intro = models.TextField(
        _("introduction"), blank=True,
        help_text=_("One or two sentences under the school's name."),
    )
    quick_actions = StreamField(
        [("link", QuickLinkBlock())],
        verbose_name=_("quick actions"), blank=True, max_num=6,
        help_text=_("Large tiles for the most common tasks, e.g. 课程目录, 我要报名."),
    )
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)

    page_description = _("The home page of one school; each school's site starts here.")
    parent_page_types = ["wagtailcore.Page"]
    subpage_types = HOME_PAGE_CHILDREN
    template = "cms/home_page.html"
    # Latest news shown on the home page.
    news_count = 3

    search_fields = [*Page.search_fields, index.SearchField("intro")]

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        FieldPanel("quick_actions"),
    ]
    body_panels = [FieldPanel("body")]
    edit_handler = _tabs(content_panels, body_panels, Page.promote_panels, Page.settings_panels)

    class Meta:
        verbose_name = _("school home page")
        verbose_name_plural = _("school home pages")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import news_latest

        context = super().get_context(request, *args, **kwargs)
        context["latest_news"] = news_latest(home=self, limit=self.news_count)
        context["news_index"] = NewsIndexPage.objects.child_of(self).live().first()
        return context


class StandardPage(Page):
    """A page of text: 关于我们、招生简章、联系我们、学习指南."""

    intro = models.TextField(_("introduction"), blank=True)
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)

    page_description = _("A page of text, such as About us, Admissions or Contact us.")
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]
    subpage_types = ["cms.StandardPage"]
    template = "cms/standard_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
    ]

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    body_panels = [FieldPanel("body")]
    edit_handler = _tabs(content_panels, body_panels, Page.promote_panels, Page.settings_panels)

    class Meta:
        verbose_name = _("standard page")
        verbose_name_plural = _("standard pages")


class NewsIndexPage(Page):
    """The list of a school's news, newest first."""

    intro = models.TextField(_("introduction"), blank=True)

    page_description = _("The school's news list; add news items under it.")
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1
    template = "cms/news_index_page.html"
    per_page = 10

    search_fields = [*Page.search_fields, index.SearchField("intro")]
    content_panels = [*Page.content_panels, FieldPanel("intro")]

    class Meta:
        verbose_name = _("news index")
        verbose_name_plural = _("news indexes")

    def get_context(self, request, *args, **kwargs):
        from cms.selectors import news_for_index

        context = super().get_context(request, *args, **kwargs)
        paginator = Paginator(news_for_index(index=self), self.per_page)
        context["news_page"] = paginator.get_page(request.GET.get("page"))
        context["paginator"] = paginator
        return context


class NewsPage(Page):
    """One news item."""

    date = models.DateField(_("date"), default=timezone.localdate)
    intro = models.TextField(
        _("summary"), blank=True, help_text=_("One or two sentences shown in the news list."),
    )
    cover = models.ForeignKey(
        "wagtailimages.Image", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+", verbose_name=_("cover image"),
    )
    cover_alt = models.CharField(
        _("cover description"), max_length=200, blank=True,
        help_text=_("What the picture shows, for people who cannot see it. "
                    "Leave empty to use the image's title."),
    )
    body = StreamField(BodyStreamBlock(), verbose_name=_("body"), blank=True)

    page_description = _("One news item with a date, a summary and an optional cover image.")
    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []
    template = "cms/news_page.html"

    search_fields = [
        *Page.search_fields,
        index.SearchField("intro"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]

    content_panels = [
        *Page.content_panels,
        MultiFieldPanel(
            [FieldPanel("date"), FieldPanel("intro")], heading=_("News item"),
        ),
        MultiFieldPanel(
            [FieldPanel("cover"), FieldPanel("cover_alt")], heading=_("Cover image"),
        ),
    ]
    body_panels = [FieldPanel("body")]
    edit_handler = _tabs(content_panels, body_panels, Page.promote_panels, Page.settings_panels)

    class Meta:
        verbose_name = _("news item")
        verbose_name_plural = _("news items")

    @property
    def cover_alt_text(self) -> str:
        if self.cover_alt:
            return self.cover_alt
        return self.cover.default_alt_text if self.cover else ""
