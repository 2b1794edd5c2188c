"""Admin views for terms: sessions follow a change of the term's days,
holidays imported from an .ics file, and last term's classes copied in."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView, TemplateView
from wagtail.admin.ui.menus import MenuItem
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.widgets.button import Button
from wagtail.permissions import policy_registry

from courses.models import Section, Term
from courses.services.copy import sections_copy_to_term, sections_to_copy, term_previous
from courses.services.terms import term_days_import_ics, term_sessions_regenerate

from .forms import IcsImportForm
from .views import sessions_message


def _term_actions(view, term) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the term actions the user may take."""
    user = view.request.user
    if not policy_registry.get_by_type(Term).user_has_permission(user, "change"):
        return []
    actions = [(_("Import holidays from .ics"), reverse(
        view.import_ics_url_name, args=[term.pk]), "calendar")]
    if policy_registry.get_by_type(Section).user_has_permission(user, "add"):
        actions.append((_("Copy classes from the previous term"), reverse(
            view.copy_sections_url_name, args=[term.pk]), "copy"))
    return actions


class TermActionsMixin:
    import_ics_url_name = None
    copy_sections_url_name = None


class TermIndexView(TermActionsMixin, generic.IndexView):
    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for priority, (label, url, icon) in enumerate(_term_actions(self, instance), start=40):
            buttons.append(MenuItem(label, url=url, icon_name=icon, priority=priority))
        return buttons


class TermInspectView(TermActionsMixin, generic.InspectView):
    def get_field_label(self, field_name, field):
        if field_name == "days":
            return _("Holidays and make-up days")
        return super().get_field_label(field_name, field)

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, url, icon) in enumerate(_term_actions(self, self.object), start=30):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons


class TermEditView(TermActionsMixin, generic.EditView):
    """Saving a term whose dates or days changed regenerates its sessions."""

    session_counts = None

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        for priority, (label, url, icon) in enumerate(_term_actions(self, self.object), start=30):
            buttons.append(Button(label, url=url, icon_name=icon, priority=priority))
        return buttons

    def save_instance(self):
        term = super().save_instance()
        days = self.form.formsets.get("days")
        dates_changed = {"start_date", "end_date"} & set(self.form.changed_data)
        if dates_changed or (days is not None and days.has_changed()):
            self.session_counts = term_sessions_regenerate(term=term)
        return term

    def save_action(self):
        response = super().save_action()
        if self.session_counts is not None and not self.expects_json_response:
            messages.info(self.request, sessions_message(self.session_counts))
        return response


class TermOperationMixin(WagtailAdminTemplateMixin):
    """A page about one term, for people who may change terms."""

    model = Term
    index_url_name = None
    inspect_url_name = None
    header_icon = "calendar"

    def dispatch(self, request, *args, **kwargs):
        if not policy_registry.get_by_type(Term).user_has_permission(request.user, "change"):
            raise PermissionDenied
        self.term = get_object_or_404(Term, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.term)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Terms")},
            {"url": reverse(self.inspect_url_name, args=[self.term.pk]), "label": str(self.term)},
            {"url": "", "label": self.get_page_title()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["term"] = self.term
        context["back_url"] = reverse(self.inspect_url_name, args=[self.term.pk])
        return context


class TermImportIcsView(TermOperationMixin, FormView):
    """Upload an .ics calendar; its holidays and make-up days become the
    term's, then the term's sessions are regenerated."""

    form_class = IcsImportForm
    template_name = "courses/admin/term_import_ics.html"
    page_title = gettext_lazy("Import holidays from .ics")

    def form_valid(self, form):
        try:
            with transaction.atomic():
                counts = term_days_import_ics(term=self.term, data=form.cleaned_data["file"])
                sessions = term_sessions_regenerate(term=self.term)
        except ValidationError as error:
            for message in error.messages:
                form.add_error("file", message)
            return self.form_invalid(form)
        messages.success(self.request, _(
            "Holidays imported: %(created)d days added, %(updated)d updated, "
            "%(unchanged)d unchanged, %(skipped)d outside the term."
        ) % counts)
        messages.info(self.request, sessions_message(sessions))
        return redirect(self.inspect_url_name, self.term.pk)


class TermCopySectionsView(TermOperationMixin, TemplateView):
    """Confirm, then copy the previous term's classes into this term."""

    template_name = "courses/admin/term_copy_sections.html"
    section_index_url_name = None
    page_title = gettext_lazy("Copy classes from the previous term")

    def dispatch(self, request, *args, **kwargs):
        if not policy_registry.get_by_type(Section).user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def source(self):
        return term_previous(term=self.term)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["source"] = self.source
        context["count"] = (
            sections_to_copy(source_term=self.source, target_term=self.term).count()
            if self.source else 0
        )
        return context

    def post(self, request, *args, **kwargs):
        if self.source is None:
            messages.error(request, _("There is no earlier term to copy from."))
            return redirect(self.inspect_url_name, self.term.pk)
        try:
            copies = sections_copy_to_term(
                source_term=self.source, target_term=self.term, actor=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(self.inspect_url_name, self.term.pk)
        messages.success(request, _(
            "%(count)d classes copied from %(source)s as drafts. Check them, then open them."
        ) % {"count": len(copies), "source": self.source})
        if self.section_index_url_name:
            return redirect(f"{reverse(self.section_index_url_name)}?term={self.term.pk}")
        return redirect(self.inspect_url_name, self.term.pk)
