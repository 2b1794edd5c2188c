"""The enrolment desk (现场报名) in the Wagtail admin: a campus or school
admin finds a person by mobile number (the whole number, or its last 4
digits) or name, registers them if they have no account, and enrols them in
a class of a campus they manage (source ``staff``, acted by the staff
member; the service writes the audit row). The outcome is said in plain
words: enrolled, on the waiting list at place N, request received, or
refused because …

Who may use it: people holding the "change section" permission (campus and
school admins); the classes offered are those the section policy lets them
change (a campus admin: their campuses' open classes). Anything else is 403,
a class outside their scope is refused as not found."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet
from wagtail.permissions import policy_registry

from courses.models import Enrolment, Section
from courses.services.enrolment import EnrolmentRefused, enrolment_create
from lms.accounts.models import User
from lms.accounts.phone import PhoneNumberField, mask_phone
from lms.accounts.selectors import people_find
from lms.accounts.services import person_register


def desk_allowed(user) -> bool:
    """May ``user`` open the desk (the model permission to change classes)?"""
    return policy_registry.get_by_type(Section).user_has_permission(user, "change")


def desk_sections(user):
    """The open classes ``user`` may enrol people into: those the section
    policy lets them change, in terms not yet over."""
    policy = policy_registry.get_by_type(Section)
    return (
        policy.scoped_sections(user, ["change"])
        .filter(status=Section.Status.OPEN, term__end_date__gte=timezone.localdate())
        .select_related("course", "campus", "term")
        .order_by("term__start_date", "campus__path", "course__title", "name", "pk")
    )


def _person_label(person: User) -> str:
    phone = mask_phone(person.phone)
    return f"{person.display_name} · {phone}" if phone else person.display_name


def _section_label(section: Section) -> str:
    return f"{section.course.title} {section.name} · {section.campus.title} · {section.term.name}"


class SectionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _section_label(obj)


class DeskSearchForm(forms.Form):
    q = forms.CharField(
        label=gettext_lazy("Mobile number or name"), max_length=40,
        help_text=gettext_lazy("The whole number, its last 4 digits, or part of the name."),
    )


class DeskEnrolForm(forms.Form):
    section = SectionField(
        label=gettext_lazy("Class"), queryset=Section.objects.none(),
        empty_label=gettext_lazy("Choose a class"),
        error_messages={"required": gettext_lazy("Please choose a class."),
                        "invalid_choice": gettext_lazy("Please choose one of the classes listed.")},
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = sections


class DeskRegisterForm(forms.Form):
    real_name = forms.CharField(label=gettext_lazy("Real name"), max_length=50)
    phone = PhoneNumberField(
        help_text=gettext_lazy("They can later log in with a code sent to this number."))


class DeskView(WagtailAdminTemplateMixin, TemplateView):
    """GET: search (``q``) and the chosen person (``person``); POST
    ``action=enrol`` enrols the chosen person, ``action=register`` creates
    an account. Each POST redirects back with the outcome as a message."""

    template_name = "courses/admin/desk.html"
    page_title = gettext_lazy("Desk enrolment")
    header_icon = "user"
    index_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not desk_allowed(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.get_page_title()}]

    @cached_property
    def sections(self):
        return desk_sections(self.request.user)

    @cached_property
    def person(self) -> User | None:
        pk = self.request.POST.get("person") or self.request.GET.get("person")
        if not (pk and str(pk).isdigit()):
            return None
        return get_object_or_404(User.objects.select_related("profile"), pk=pk, is_active=True)

    def _back(self, person: User | None = None):
        url = reverse(self.index_url_name)
        return redirect(f"{url}?person={person.pk}" if person else url)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        search = DeskSearchForm(self.request.GET if "q" in self.request.GET else None)
        found = None
        if search.is_bound and search.is_valid():
            try:
                found = [(p, _person_label(p)) for p in people_find(query=search.cleaned_data["q"])]
            except ValidationError as error:
                search.add_error("q", error)
        context.update(
            search_form=search, found=found,
            register_form=kwargs.get("register_form") or DeskRegisterForm(
                initial={"phone": self.request.GET.get("q", "")}),
            person=self.person,
            person_label=_person_label(self.person) if self.person else "",
            enrol_form=kwargs.get("enrol_form") or DeskEnrolForm(sections=self.sections),
            has_sections=self.sections.exists(),
            enrolments=self._enrolments(),
        )
        return context

    def _enrolments(self):
        """The person's live enrolments in classes this user may see."""
        if self.person is None:
            return []
        visible = policy_registry.get_by_type(Section).scoped_sections(
            self.request.user, ["view", "change"])
        rows = Enrolment.objects.filter(
            person=self.person, status__in=Enrolment.LIVE, section__in=visible
        ).select_related("section__course", "section__campus", "section__term")
        return [(_section_label(row.section), row.get_status_display()) for row in rows]

    def post(self, request, *args, **kwargs):
        if request.POST.get("action") == "register":
            return self._register()
        return self._enrol()

    def _register(self):
        form = DeskRegisterForm(self.request.POST)
        if form.is_valid():
            try:
                person = person_register(**form.cleaned_data)
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                messages.success(self.request, _(
                    "%(name)s is registered. Now choose their class."
                ) % {"name": person.display_name})
                return self._back(person)
        return self.render_to_response(self.get_context_data(register_form=form), status=400)

    def _enrol(self):
        person = self.person
        if person is None:
            messages.error(self.request, _("Please find the person first."))
            return self._back()
        form = DeskEnrolForm(self.request.POST, sections=self.sections)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(enrol_form=form), status=400)
        section = form.cleaned_data["section"]
        try:
            result = enrolment_create(person=person, section=section, actor=self.request.user,
                                      source=Enrolment.Source.STAFF)
        except EnrolmentRefused as refusal:
            messages.error(self.request, _("%(name)s was not enrolled: %(reason)s") % {
                "name": person.display_name, "reason": refusal.message})
            return self._back(person)
        level, text = outcome_message(result=result, person=person, section=section)
        messages.add_message(self.request, level, text)
        return self._back(person)


def outcome_message(*, result, person: User, section: Section) -> tuple[int, str]:
    """(message level, plain words) for an ``EnrolmentResult``."""
    names = {"name": person.display_name, "class": _section_label(section),
             "position": result.position or 0}
    if not result.created:
        return messages.INFO, _(
            "%(name)s already has %(class)s: %(status)s. Nothing was changed."
        ) % {**names, "status": result.enrolment.get_status_display()}
    texts = {
        "enrolled": (messages.SUCCESS, _("%(name)s is enrolled in %(class)s.")),
        "waitlisted": (messages.WARNING, _(
            "%(class)s is full. %(name)s is on the waiting list, place %(position)d.")),
        "applied": (messages.SUCCESS, _(
            "Request received: %(name)s takes part in the lottery for %(class)s.")),
        "offered": (messages.SUCCESS, _("%(name)s has been offered a place in %(class)s.")),
    }
    level, text = texts[result.outcome]
    return level, text % names


class DeskViewSet(ViewSet):
    """The desk as one admin page, in the "Teaching" menu group for those
    who may use it."""

    name = "courses_desk"
    icon = "user"
    menu_label = gettext_lazy("Desk enrolment")

    @cached_property
    def menu_item_class(self):
        return type("DeskMenuItem", (MenuItem,),
                    {"is_shown": lambda _self, request: desk_allowed(request.user)})

    def get_urlpatterns(self):
        return [
            path("", DeskView.as_view(index_url_name=self.get_url_name("index")), name="index"),
        ]
