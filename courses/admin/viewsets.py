"""The "Teaching" (教学) admin: classes, class sessions, terms and
departments in one menu group, plus a class chooser. Section and session
views are scoped (see ``permissions`` and ``scoping``)."""

import django_filters
from django.urls import path
from django.utils.translation import gettext_lazy as _
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.panels import FieldPanel, FieldRowPanel, ObjectList
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry
from wagtail.snippets.views.snippets import SnippetViewSet

from courses.models import CampusPage, ClassSession, Department, Section, Term

from . import term_views, views
from .desk import DeskViewSet
from .enrolments import EnrolmentViewSet
from .forms import ClassSessionAdminForm, SectionAdminForm
from .lotteries import LotteryViewSet
from .scoping import SEE, ScopedChooserViewSet, ScopedModelViewSet


def _visible_campuses(request):
    """Campuses of the sections the user may see (for filter choices)."""
    if request is None:
        return CampusPage.objects.none()
    sections = policy_registry.get_by_type(Section).scoped_sections(request.user, SEE)
    return CampusPage.objects.filter(pk__in=sections.values("campus")).order_by("path")


class CampusTitleField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class CampusTitleFilter(django_filters.ModelChoiceFilter):
    field_class = CampusTitleField


class SectionFilterSet(WagtailFilterSet):
    term = django_filters.ModelChoiceFilter(label=_("Term"), queryset=Term.objects.all())
    campus = CampusTitleFilter(label=_("Campus"), queryset=_visible_campuses)
    department = django_filters.ModelChoiceFilter(
        label=_("Department"), field_name="course__department", queryset=Department.objects.all()
    )

    class Meta:
        model = Section
        fields = ["term", "campus", "department", "status"]


class SessionFilterSet(WagtailFilterSet):
    campus = CampusTitleFilter(
        label=_("Campus"), field_name="section__campus", queryset=_visible_campuses
    )
    term = django_filters.ModelChoiceFilter(
        label=_("Term"), field_name="section__term", queryset=Term.objects.all()
    )
    date = django_filters.DateFromToRangeFilter(
        label=_("Date"), method="filter_date", widget=DateRangePickerWidget
    )

    class Meta:
        model = ClassSession
        fields = ["campus", "term", "status", "date"]

    def filter_date(self, queryset, name, value):
        # Compare local calendar dates, not UTC instants.
        if value and value.start:
            queryset = queryset.filter(starts_at__date__gte=value.start.date())
        if value and value.stop:
            queryset = queryset.filter(starts_at__date__lte=value.stop.date())
        return queryset


class SectionViewSet(ScopedModelViewSet):
    model = Section
    name = "courses_section"
    icon = "group"
    menu_label = _("Classes")
    index_view_class = views.SectionIndexView
    add_view_class = views.SectionCreateView
    edit_view_class = views.SectionEditView
    inspect_view_class = views.SectionInspectView
    inspect_view_enabled = True
    copy_view_enabled = False  # copying happens term by term (see the term's actions)
    edit_handler = ObjectList(Section.panels, base_form_class=SectionAdminForm)
    list_display = [
        "course",
        "name",
        Column("campus", label=_("Campus"), accessor="campus.title", sort_key="campus__title"),
        "term",
        Column("teachers", label=_("Teachers"), accessor=views.teachers_text),
        Column("slots", label=_("Weekly times"), accessor=views.slots_text),
        "capacity",
        Column("enrolled_count", label=_("Enrolled"), sort_key="enrolled_count"),
        StatusTagColumn("get_status_display", label=_("Status"), sort_key="status",
                        primary=lambda s: s.status == Section.Status.OPEN),
    ]
    filterset_class = SectionFilterSet
    search_fields = ["course__title", "name"]
    search_backend_name = None  # plain database lookups; sections are not indexed
    export_filename = "classes"
    inspect_view_fields = [
        "course", "term", "campus", "name", "teachers", "room", "timetable", "next_sessions",
        "enrolled", "capacity", "fee", "age_min", "age_max", "status", "notes", "copied_from",
    ]


class ClassSessionViewSet(ScopedModelViewSet):
    model = ClassSession
    name = "courses_session"
    icon = "time"
    menu_label = _("Class sessions")
    index_view_class = views.SessionIndexView
    edit_view_class = views.SessionEditView
    inspect_view_class = views.SessionInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    edit_handler = ObjectList(
        [
            FieldPanel("section"),
            FieldRowPanel([FieldPanel("starts_at"), FieldPanel("ends_at")]),
            FieldPanel("room"),
            FieldPanel("status"),
            FieldPanel("change_note"),
        ],
        base_form_class=ClassSessionAdminForm,
    )
    list_display = [
        "section",
        DateColumn("starts_at", label=_("Starts"), sort_key="starts_at"),
        DateColumn("ends_at", label=_("Ends"), sort_key="ends_at"),
        Column("room", label=_("Room"), accessor=lambda s: s.room.name if s.room else ""),
        StatusTagColumn("get_status_display", label=_("Status"), sort_key="status",
                        primary=lambda s: s.status == ClassSession.Status.SCHEDULED),
        BooleanColumn("moved", label=_("Moved")),
    ]
    filterset_class = SessionFilterSet
    search_fields = ["section__course__title", "section__name"]
    search_backend_name = None
    ordering = ["starts_at"]
    export_filename = "class-sessions"
    inspect_view_fields = [
        "section", "origin_date", "starts_at", "ends_at", "room", "status", "moved",
        "change_note", "sequence", "updated_at",
    ]


class TermViewSet(ModelViewSet):
    model = Term
    name = "courses_term"
    icon = "calendar"
    menu_label = _("Terms")
    index_view_class = term_views.TermIndexView
    edit_view_class = term_views.TermEditView
    inspect_view_class = term_views.TermInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        "name",
        Column("school", label=_("School"), accessor="school.title"),
        DateColumn("start_date", label=_("First day"), sort_key="start_date"),
        DateColumn("end_date", label=_("Last day"), sort_key="end_date"),
        BooleanColumn("is_published", label=_("Published"), sort_key="is_published"),
    ]
    list_filter = ["school", "is_published"]
    search_fields = ["name"]
    search_backend_name = None
    ordering = ["-start_date"]
    list_export = ["name", "school", "start_date", "end_date", "per_person_limit", "is_published"]
    export_filename = "terms"
    inspect_view_fields = [
        "school", "name", "start_date", "end_date", "renewal_opens_at", "renewal_closes_at",
        "enrolment_opens_at", "enrolment_closes_at", "per_person_limit", "is_published", "days",
    ]

    def _term_action_names(self):
        return {
            "import_ics_url_name": self.get_url_name("import_ics"),
            "copy_sections_url_name": self.get_url_name("copy_sections"),
        }

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**self._term_action_names(), **kwargs)

    def get_urlpatterns(self):
        operation_kwargs = {
            "index_url_name": self.get_url_name("index"),
            "inspect_url_name": self.get_url_name("inspect"),
        }
        return [
            *super().get_urlpatterns(),
            path(
                "import-ics/<int:pk>/",
                term_views.TermImportIcsView.as_view(**operation_kwargs),
                name="import_ics",
            ),
            path(
                "copy-classes/<int:pk>/",
                term_views.TermCopySectionsView.as_view(
                    section_index_url_name="courses_section:index", **operation_kwargs
                ),
                name="copy_sections",
            ),
        ]


class DepartmentViewSet(SnippetViewSet):
    model = Department
    icon = "folder-open-inverse"
    menu_label = _("Departments")
    list_display = ["name", "slug", "sort_order"]
    search_fields = ["name"]
    inspect_view_enabled = True
    list_export = ["name", "slug", "sort_order", "description"]
    export_filename = "departments"
    ordering = ["sort_order", "name"]


class SectionChooserViewSet(ScopedChooserViewSet):
    """Chooses a class; lists only classes the editor may see."""

    model = Section
    icon = "group"
    choose_one_text = _("Choose a class")
    choose_another_text = _("Choose another class")


class TeachingViewSetGroup(ViewSetGroup):
    menu_label = _("Teaching")
    menu_icon = "clipboard-list"
    menu_order = 250
    items = (SectionViewSet, EnrolmentViewSet, ClassSessionViewSet, TermViewSet, LotteryViewSet,
             DepartmentViewSet, DeskViewSet)
