"""The enrolment admin (报名): a scoped list of enrolments with filters,
search by name or mobile number, exports, an inspect view with the audit
history, and the staff actions (move, fee, withdraw).

Enrolment rows change only through ``courses.services.enrolment``: there is
no add, edit or delete form. Every view reads through the registered
``EnrolmentScopedPolicy`` (a campus admin meets only their campuses'
enrolments, a teacher only their sections', read-only). The action forms
are in ``enrolment_actions``."""

import datetime
import re
import unicodedata

import django_filters
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.widgets.button import Button
from wagtail.permissions import policy_registry

from courses.models import CampusPage, Enrolment, Section, Term
from courses.selectors import waitlist_position
from lms.accounts.phone import mask_phone

from . import enrolment_actions as actions
from .enrolment_history import enrolment_history
from .scoping import SEE, ScopedIndexView, ScopedInspectView, ScopedModelViewSet

# --- filters ------------------------------------------------------------------


def visible_sections(request):
    """Sections whose enrolments the user may see (filter choices)."""
    if request is None:
        return Section.objects.none()
    sections = policy_registry.get_by_type(Enrolment).scoped_sections(request.user, SEE)
    return sections.select_related("course", "campus", "term").order_by(
        "term__start_date", "course__title", "name", "pk"
    )


def _visible_campuses(request):
    return CampusPage.objects.filter(
        pk__in=visible_sections(request).values("campus")
    ).order_by("path")


class SectionField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return actions.section_label(obj)


class SectionFilter(django_filters.ModelChoiceFilter):
    field_class = SectionField


class CampusField(django_filters.fields.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.title


class CampusFilter(django_filters.ModelChoiceFilter):
    field_class = CampusField


class EnrolmentFilterSet(WagtailFilterSet):
    term = django_filters.ModelChoiceFilter(
        label=gettext_lazy("Term"), field_name="section__term", queryset=Term.objects.all()
    )
    campus = CampusFilter(
        label=gettext_lazy("Campus"), field_name="section__campus", queryset=_visible_campuses
    )
    section = SectionFilter(label=gettext_lazy("Class"), queryset=visible_sections)

    class Meta:
        model = Enrolment
        fields = ["term", "campus", "section", "status", "source", "fee_status"]


# --- listing and export ---------------------------------------------------------


def acted_by_text(enrolment) -> str:
    return enrolment.acted_by.display_name if enrolment.acted_by_id else ""


ENROLMENT_EXPORT = {
    "student": (gettext_lazy("Student"), lambda e: e.person.display_name),
    "phone": (gettext_lazy("Mobile number"), lambda e: mask_phone(e.person.phone)),
    "course": (gettext_lazy("Course"), lambda e: e.section.course.title),
    "class": (gettext_lazy("Class"), lambda e: e.section.name),
    "campus": (gettext_lazy("Campus"), lambda e: e.section.campus.title),
    "term": (gettext_lazy("Term"), lambda e: e.section.term.name),
    "status": (gettext_lazy("Status"), lambda e: e.get_status_display()),
    "source": (gettext_lazy("Source"), lambda e: e.get_source_display()),
    "submitted_by": (gettext_lazy("Submitted by"), acted_by_text),
    "fee": (gettext_lazy("Fee"), lambda e: e.get_fee_status_display()),
    "fee_note": (gettext_lazy("Fee note"), lambda e: e.fee_note),
    "created": (gettext_lazy("Created"),
                lambda e: timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M")),
}

_PHONE_LIKE = re.compile(r"^[+\d\s\-–—()（）]+$")


def phone_digits(query: str) -> str:
    """The digits of a query typed like a mobile number ("138 1234-5678",
    full-width digits), or "" when it is not one."""
    text = unicodedata.normalize("NFKC", query).strip()
    if not _PHONE_LIKE.match(text):
        return ""
    digits = re.sub(r"\D", "", text)
    return digits if len(digits) >= 4 else ""


def section_seats(section: Section) -> dict:
    """Seats of one section counted from its enrolment rows: taken (enrolled
    or offered), capacity, waiting and lottery requests."""
    counts = Enrolment.objects.filter(section=section).aggregate(
        seated=Count("pk", filter=Q(status__in=Enrolment.SEATED)),
        waiting=Count("pk", filter=Q(status=Enrolment.Status.WAITLISTED)),
        applied=Count("pk", filter=Q(status=Enrolment.Status.APPLIED)),
    )
    return {"section": section, "capacity": section.capacity, **counts}


class EnrolmentIndexView(ScopedIndexView):
    list_export = list(ENROLMENT_EXPORT)
    export_headings = {key: label for key, (label, _f) in ENROLMENT_EXPORT.items()}
    move_url_name = fee_url_name = withdraw_url_name = None

    def get_base_queryset(self):
        return super().get_base_queryset().select_related(
            "person", "person__profile", "acted_by", "acted_by__profile",
            "section", "section__course", "section__campus", "section__term",
        )

    def search_queryset(self, queryset):
        digits = phone_digits(self.search_query) if self.is_searching else ""
        if not digits:
            return super().search_queryset(queryset)
        return queryset.filter(person__phone__contains=digits)

    def to_row_dict(self, item):
        return {key: value(item) for key, (_l, value) in ENROLMENT_EXPORT.items()}

    def get_edit_url(self, instance):
        return None  # no free editing: the actions below

    @cached_property
    def _changeable_sections(self):
        # Sections, not rows: a school has far fewer classes than enrolments.
        policy = policy_registry.get_by_type(Enrolment)
        return set(policy.scoped_sections(self.request.user, ["change"])
                   .values_list("pk", flat=True))

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        if instance.section_id in self._changeable_sections:
            for priority, (label, url, icon) in enumerate(
                actions.action_links(self, instance), start=40
            ):
                buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons

    @cached_property
    def filtered_section(self):
        if self.filters and self.filters.is_valid():
            return self.filters.form.cleaned_data.get("section")
        return None

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        if self.filtered_section is not None:
            context["seats"] = section_seats(self.filtered_section)
        return context


# --- inspect --------------------------------------------------------------------

EMPTY = "—"


def words(value):
    """A field's value as an admin reads it: yes/no (是/否) for a flag, a
    local date and time, "—" for nothing; anything else (labels, names,
    numbers) as it is."""
    if value is None or value == "":
        return EMPTY
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    return value


class WordsInspectMixin:
    """An inspect view whose every field reads as words (``words``)."""

    def get_field_display_value(self, field_name, field):
        return words(super().get_field_display_value(field_name, field))


class EnrolmentInspectView(WordsInspectMixin, ScopedInspectView):
    template_name = "courses/admin/enrolment_inspect.html"
    move_url_name = fee_url_name = withdraw_url_name = None
    extra_fields = {
        "phone": gettext_lazy("Mobile number"),
        "campus": gettext_lazy("Campus"),
        "term": gettext_lazy("Term"),
        "waitlist_position": gettext_lazy("Place on the waiting list"),
    }

    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        return Enrolment.objects.select_related(
            "person", "person__profile", "acted_by", "acted_by__profile",
            "section", "section__course", "section__campus", "section__term",
        ).get(pk=obj.pk)

    def get_field_label(self, field_name, field):
        if field_name in self.extra_fields:
            return self.extra_fields[field_name]
        return super().get_field_label(field_name, field)

    def get_phone_display_value(self):
        return mask_phone(self.object.person.phone)

    def get_campus_display_value(self):
        return self.object.section.campus.title

    def get_term_display_value(self):
        return self.object.section.term.name

    def get_acted_by_display_value(self):
        return acted_by_text(self.object)

    def get_waitlist_position_display_value(self):
        return waitlist_position(enrolment=self.object)

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        policy = policy_registry.get_by_type(Enrolment)
        if policy.user_has_permission_for_instance(self.request.user, "change", self.object):
            for priority, (label, url, icon) in enumerate(
                actions.action_links(self, self.object), start=30
            ):
                buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["log_rows"] = enrolment_history(self.object)
        return context


# --- the viewset ------------------------------------------------------------------


class NoFormView(View):
    """Records that change only through services (enrolments, lottery draws)
    have no add, edit or delete form: send the person to the record (its
    actions) or the list."""

    index_url_name = None
    inspect_url_name = None

    def dispatch(self, request, *args, pk=None, **kwargs):
        if pk is None:
            return redirect(self.index_url_name)
        return redirect(self.inspect_url_name, pk)


class EnrolmentViewSet(ScopedModelViewSet):
    model = Enrolment
    name = "courses_enrolment"
    icon = "tasks"
    menu_label = gettext_lazy("Enrolments")
    index_view_class = EnrolmentIndexView
    inspect_view_class = EnrolmentInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    index_results_template_name = "courses/admin/enrolment_index_results.html"
    list_display = [
        "person",
        Column("phone", label=gettext_lazy("Mobile number"),
               accessor=lambda e: mask_phone(e.person.phone)),
        Column("section", label=gettext_lazy("Class"), accessor=actions.section_text,
               sort_key="section__course__title"),
        Column("campus", label=gettext_lazy("Campus"), accessor="section.campus.title",
               sort_key="section__campus__title"),
        StatusTagColumn("get_status_display", label=gettext_lazy("Status"), sort_key="status",
                        primary=lambda e: e.status in Enrolment.SEATED),
        Column("source", label=gettext_lazy("Source"), accessor="get_source_display",
               sort_key="source"),
        Column("acted_by", label=gettext_lazy("Submitted by"), accessor=acted_by_text),
        Column("fee_status", label=gettext_lazy("Fee"), accessor="get_fee_status_display",
               sort_key="fee_status"),
        DateColumn("created_at", label=gettext_lazy("Created"), sort_key="created_at"),
    ]
    filterset_class = EnrolmentFilterSet
    search_fields = ["person__profile__real_name", "person__last_name", "person__first_name",
                     "person__phone"]
    search_backend_name = None
    ordering = ["-created_at", "-pk"]
    export_filename = "enrolments"
    inspect_view_fields = [
        "person", "phone", "section", "campus", "term", "status", "waitlist_position",
        "source", "acted_by", "is_new_student", "preference", "ticket", "offer_expires_at",
        "enrolled_at", "withdrawn_at", "fee_status", "fee_note", "created_at",
    ]

    def _action_url_names(self):
        return {
            "move_url_name": self.get_url_name("move"),
            "fee_url_name": self.get_url_name("fee"),
            "withdraw_url_name": self.get_url_name("withdraw"),
        }

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(**self._action_url_names(), **kwargs)

    def _no_form_view(self):
        return self.construct_view(NoFormView)

    @property
    def add_view(self):
        return self._no_form_view()

    @property
    def edit_view(self):
        return self._no_form_view()

    @property
    def delete_view(self):
        return self._no_form_view()

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("move/<int:pk>/", self.construct_view(actions.EnrolmentMoveView), name="move"),
            path("fee/<int:pk>/", self.construct_view(actions.EnrolmentFeeView), name="fee"),
            path("withdraw/<int:pk>/", self.construct_view(actions.EnrolmentWithdrawView),
                 name="withdraw"),
        ]


def enrolment_list_url(section) -> str:
    return f"{reverse('courses_enrolment:index')}?section={section.pk}"


def enrolment_list_links(user, section) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the section's enrolment list, when the user may
    see its enrolments (for the section's inspect and edit views)."""
    policy = policy_registry.get_by_type(Enrolment)
    if not policy.user_has_permission(user, "view") and not policy.user_has_permission(
        user, "change"
    ):
        return []
    return [(_("Enrolment list"), enrolment_list_url(section), "tasks")]
