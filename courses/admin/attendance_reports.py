"""The attendance report (出勤统计) in the Wagtail admin's Reports menu:
attendance rates per class, student, teacher, campus or term, filtered by
term, campus, class and teacher, with Wagtail's own xlsx and csv export.

Everyone sees only the classes the section policy lets them view (DESIGN §5
rule 6): a teacher their own classes, a campus admin their campuses', a
school admin all; the filters offer only those too. People without the
permission to view classes get 403. Rates are those of
``courses.services.attendance_stats`` (the definition is there)."""

import django_filters
from django.urls import path
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import MenuItem
from wagtail.admin.ui.tables import Column
from wagtail.admin.views.reports import ReportView
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry

from courses.models import Attendance, CampusPage, Section, Term
from courses.services.attendance_stats import Rate, attendance_rates, counted_attendance
from lms.accounts.models import User

from .viewsets import CampusTitleFilter

BY_CHOICES = [
    ("section", _("Class")),
    ("person", _("Student")),
    ("teacher", _("Teacher")),
    ("campus", _("Campus")),
    ("term", _("Term")),
]
DEFAULT_BY = "section"

# How the rows of each grouping are ordered (after the grouping's key).
ORDER = {
    "person": ["person__profile__real_name"],
    "section": ["session__section__campus__path", "session__section__course__title",
                "session__section__name"],
    "teacher": ["session__section__teachers__profile__real_name"],
    "campus": ["session__section__campus__path"],
    "term": ["-session__section__term__start_date"],
}


def visible_sections(user):
    """The classes ``user`` may view (the section policy's scope)."""
    return policy_registry.get_by_type(Section).scoped_sections(user, ["view"])


def report_allowed(user) -> bool:
    return policy_registry.get_by_type(Section).user_has_permission(user, "view")


def _sections_choice(request):
    if request is None:
        return Section.objects.none()
    return (visible_sections(request.user).select_related("course", "campus")
            .order_by("-term__start_date", "campus__path", "course__title", "name"))


def _campuses_choice(request):
    if request is None:
        return CampusPage.objects.none()
    return CampusPage.objects.filter(
        pk__in=visible_sections(request.user).values("campus")).order_by("path")


def _teachers_choice(request):
    if request is None:
        return User.objects.none()
    return (User.objects.filter(
        pk__in=visible_sections(request.user).values("teachers"))
        .select_related("profile").order_by("profile__real_name", "pk"))


class SectionChoiceField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.course.title} {obj.name} · {obj.campus.title}"


class SectionChoiceFilter(django_filters.ModelChoiceFilter):
    field_class = SectionChoiceField


class AttendanceReportFilterSet(WagtailFilterSet):
    by = django_filters.ChoiceFilter(label=_("Rates per"), choices=BY_CHOICES,
                                     method="group_later", empty_label=None)
    term = django_filters.ModelChoiceFilter(
        label=_("Term"), field_name="session__section__term", queryset=Term.objects.all())
    campus = CampusTitleFilter(label=_("Campus"), field_name="session__section__campus",
                               queryset=_campuses_choice)
    section = SectionChoiceFilter(label=_("Class"), field_name="session__section",
                                  queryset=_sections_choice)
    teacher = django_filters.ModelChoiceFilter(label=_("Teacher"), method="filter_teacher",
                                               queryset=_teachers_choice)

    class Meta:
        model = Attendance
        fields = []

    def group_later(self, queryset, name, value):
        return queryset  # the view groups the filtered records

    def filter_teacher(self, queryset, name, value):
        # A subquery, not a join: grouping by teacher must still see every
        # teacher of a shared class.
        return queryset.filter(
            session__section__in=Section.objects.filter(teachers=value).values("pk"))


def _percent(rate: Rate) -> str:
    return "—" if rate.percent is None else f"{rate.percent:.1f}%"


# The report's title and menu label (出勤统计), apart from a mark's "Attendance".
TITLE = pgettext_lazy("attendance report", "Attendance")


class AttendanceReportView(ReportView):
    page_title = TITLE
    header_icon = "tasks"
    model = Attendance
    filterset_class = AttendanceReportFilterSet
    any_permission_required = ["view"]
    paginate_by = 50
    export_filename = "attendance"
    list_export = ["label", "present", "late", "leave", "absent", "counted", "percent"]
    export_headings = {
        "present": _("Present"),
        "late": _("Late"),
        "leave": _("On leave"),
        "absent": _("Absent"),
        "counted": _("Sessions counted"),
        "percent": _("Attendance rate (%)"),
    }

    @cached_property
    def columns(self):
        return [
            Column("label", label=self.label_heading),
            Column("present", label=_("Present")),
            Column("late", label=_("Late")),
            Column("leave", label=_("On leave")),
            Column("absent", label=_("Absent")),
            Column("counted", label=_("Sessions counted")),
            Column("percent", label=_("Attendance rate"), accessor=_percent),
        ]

    @cached_property
    def label_heading(self):
        """The first column is named after the grouping (class, student…)."""
        return dict(BY_CHOICES)[self.by]

    def get_heading(self, queryset, field):
        if field == "label":
            return str(self.label_heading)
        return super().get_heading(queryset, field)

    @cached_property
    def permission_policy(self):
        # Viewing attendance is viewing classes: the section policy decides.
        return policy_registry.get_by_type(Section)

    @cached_property
    def by(self) -> str:
        if self.filters is not None and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("by") or DEFAULT_BY
        return DEFAULT_BY

    def get_base_queryset(self):
        return counted_attendance(sections=visible_sections(self.request.user))

    def get_filtered_queryset(self):
        records = super().get_filtered_queryset()
        return attendance_rates(by=self.by, records=records).order_by(*ORDER[self.by], "key")

    def get_table(self, object_list):
        return super().get_table(self.decorate_paginated_queryset(object_list))

    def decorate_paginated_queryset(self, object_list):
        """The page's rows as ``Rate``s with their names (one query)."""
        rows = list(object_list)
        if not rows or isinstance(rows[0], Rate):
            return rows
        labels = _labels(self.by, {row["key"] for row in rows} - {None})
        return [Rate.from_row(row, labels.get(row["key"], _("No teacher"))) for row in rows]


def _labels(by: str, keys: set) -> dict:
    if by in ("person", "teacher"):
        people = User.objects.select_related("profile").in_bulk(keys)
        return {pk: person.display_name for pk, person in people.items()}
    if by == "section":
        sections = Section.objects.select_related("course", "campus", "term").in_bulk(keys)
        return {pk: f"{s.course.title} {s.name} · {s.campus.title} · {s.term.name}"
                for pk, s in sections.items()}
    if by == "campus":
        return dict(CampusPage.objects.filter(pk__in=keys).values_list("pk", "title"))
    return dict(Term.objects.filter(pk__in=keys).values_list("pk", "name"))


class AttendanceReportViewSet(ViewSet):
    """The report's URLs (``courses_attendance_report:index`` and
    ``:results``); its menu item is in the Reports menu
    (``courses.wagtail_hooks``)."""

    name = "courses_attendance_report"
    icon = "tasks"
    menu_label = TITLE

    def get_urlpatterns(self):
        kwargs = {"index_url_name": self.get_url_name("index"),
                  "index_results_url_name": self.get_url_name("results")}
        return [
            path("", AttendanceReportView.as_view(**kwargs), name="index"),
            path("results/", AttendanceReportView.as_view(results_only=True, **kwargs),
                 name="results"),
        ]


class AttendanceReportMenuItem(MenuItem):
    def is_shown(self, request):
        return report_allowed(request.user)

