"""The staff actions on one enrolment (调班 move, 缴费 fee status, 退出
withdraw), each a small form page that calls one service of
``courses.services.enrolment`` with the staff member as the actor.

A refusal of the service (``EnrolmentRefused``, e.g. the new class is full
or the person would be in two classes at once) is shown on the form in
plain words; the service changed nothing then. Only people who may change
the enrolment (its campus's admins, school admins) reach these pages."""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.permissions import policy_registry

from courses.models import Enrolment, Section
from courses.selectors import sections_with_counts
from courses.services.enrolment import (
    EnrolmentRefused,
    enrolment_fee_record,
    enrolment_move,
    enrolment_withdraw,
)

from .scoping import SEE


def section_text(enrolment) -> str:
    return f"{enrolment.section.course.title} {enrolment.section.name}"


def section_label(section) -> str:
    """"Course class · campus · term" (a class's name alone repeats across
    courses and terms)."""
    return f"{section.course.title} {section.name} · {section.campus.title} · {section.term.name}"


def action_links(view, enrolment) -> list[tuple[str, str, str]]:
    """(label, url, icon) of the actions that make sense for ``enrolment``
    (the caller checks the user may change it)."""
    links = []
    live = enrolment.status in Enrolment.LIVE
    if live:
        links.append((_("Move to another class"),
                      reverse(view.move_url_name, args=[enrolment.pk]), "redirect"))
    links.append((_("Fee status"), reverse(view.fee_url_name, args=[enrolment.pk]), "tag"))
    if live:
        links.append((_("Withdraw"),
                      reverse(view.withdraw_url_name, args=[enrolment.pk]), "cross"))
    return links


# --- forms ------------------------------------------------------------------------


class TargetSectionField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return _("%(section)s (%(enrolled)d of %(capacity)d places taken)") % {
            "section": section_label(obj), "enrolled": obj.enrolled_count,
            "capacity": obj.capacity,
        }


class MoveForm(forms.Form):
    to_section = TargetSectionField(
        label=gettext_lazy("Move to class"), queryset=Section.objects.none(),
        empty_label=gettext_lazy("Choose a class"),
        error_messages={"required": gettext_lazy("Choose the class to move the student to."),
                        "invalid_choice": gettext_lazy(
                            "That class cannot be chosen here. Choose one from the list.")},
    )

    def __init__(self, *args, sections, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_section"].queryset = sections


class FeeForm(forms.Form):
    fee_status = forms.ChoiceField(
        label=gettext_lazy("Fee"), choices=Enrolment.Fee.choices, widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Choose paid, not paid or waived.")},
    )
    note = forms.CharField(
        label=gettext_lazy("Note"), required=False, max_length=200,
        help_text=gettext_lazy("For example the receipt number, or why the fee is waived."),
    )


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"), required=False, max_length=200,
        help_text=gettext_lazy("For example: asked at the campus desk, by phone."),
    )


# --- views ------------------------------------------------------------------------


class EnrolmentActionView(WagtailAdminTemplateMixin, FormView):
    """One action on one enrolment the user may change (404 outside their
    scope, 403 when they may only look)."""

    model = Enrolment
    template_name = "courses/admin/enrolment_action.html"
    index_url_name = None
    inspect_url_name = None
    header_icon = "tasks"
    submit_label = gettext_lazy("Save")

    def dispatch(self, request, *args, **kwargs):
        policy = policy_registry.get_by_type(Enrolment)
        visible = policy.instances_user_has_any_permission_for(request.user, list(SEE))
        self.enrolment = get_object_or_404(
            visible.select_related("person", "person__profile", "section", "section__course",
                                   "section__campus", "section__term"),
            pk=kwargs["pk"],
        )
        if not policy.user_has_permission_for_instance(request.user, "change", self.enrolment):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_page_subtitle(self):
        return str(self.enrolment)

    def get_breadcrumbs_items(self):
        return [
            *self.breadcrumbs_items,
            {"url": reverse(self.index_url_name), "label": _("Enrolments")},
            {"url": self.inspect_url, "label": f"{self.enrolment.person} · "
                                               f"{section_text(self.enrolment)}"},
            {"url": "", "label": self.get_page_title()},
        ]

    @property
    def inspect_url(self):
        return reverse(self.inspect_url_name, args=[self.enrolment.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(enrolment=self.enrolment, back_url=self.inspect_url,
                       submit_label=self.submit_label, intro=self.get_intro())
        return context

    def get_intro(self) -> str:
        return ""

    def perform(self, data):  # pragma: no cover - every action defines it
        raise NotImplementedError

    def success_message(self) -> str:
        return _("Saved.")

    def form_valid(self, form):

        try:
            self.perform(form.cleaned_data)
        except EnrolmentRefused as refusal:
            form.add_error(None, refusal.message)
            return self.form_invalid(form)
        except ValidationError as error:  # e.g. enrolment_fee_record's own checks
            for message in error.messages:
                form.add_error(None, message)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message())
        return redirect(self.get_success_url())

    def get_success_url(self):
        return self.inspect_url


class EnrolmentMoveView(EnrolmentActionView):
    page_title = gettext_lazy("Move to another class")
    form_class = MoveForm
    submit_label = gettext_lazy("Move")

    def target_sections(self):
        """Other classes of the same term whose enrolments the user may
        change (not cancelled ones), with their seats."""
        policy = policy_registry.get_by_type(Enrolment)
        sections = (
            policy.scoped_sections(self.request.user, ["change"])
            .filter(term_id=self.enrolment.section.term_id)
            .exclude(pk=self.enrolment.section_id)
            .exclude(status=Section.Status.CANCELLED)
        )
        return sections_with_counts(sections).order_by("course__title", "name", "pk")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "sections": self.target_sections()}

    def get_intro(self):
        return _("%(person)s is now in %(section)s (%(status)s). Choose another class of "
                 "the same term. The place in the old class goes to the next person on "
                 "its waiting list.") % {
            "person": self.enrolment.person, "section": section_label(self.enrolment.section),
            "status": self.enrolment.get_status_display(),
        }

    def perform(self, data):

        self.moved = enrolment_move(enrolment=self.enrolment, to_section=data["to_section"],
                                    actor=self.request.user)

    def success_message(self):
        return _("%(person)s moved to %(section)s: %(status)s.") % {
            "person": self.enrolment.person, "section": section_label(self.moved.section),
            "status": self.moved.get_status_display(),
        }

    def get_success_url(self):
        # The service may move the row or write a new one in the new class.
        return reverse(self.inspect_url_name, args=[self.moved.pk])


class EnrolmentFeeView(EnrolmentActionView):
    page_title = gettext_lazy("Fee status")
    form_class = FeeForm

    def get_initial(self):
        return {"fee_status": self.enrolment.fee_status, "note": self.enrolment.fee_note}

    def get_intro(self):
        return _("Record whether %(person)s has paid the fee of %(section)s "
                 "(%(fee)s yuan). No money is taken here.") % {
            "person": self.enrolment.person, "section": section_label(self.enrolment.section),
            "fee": self.enrolment.section.fee,
        }

    def perform(self, data):

        self.recorded = enrolment_fee_record(
            enrolment=self.enrolment, fee_status=data["fee_status"], actor=self.request.user,
            note=data["note"],
        )

    def success_message(self):
        return _("Fee of %(person)s recorded: %(fee)s.") % {
            "person": self.enrolment.person, "fee": self.recorded.get_fee_status_display(),
        }


class EnrolmentWithdrawView(EnrolmentActionView):
    page_title = gettext_lazy("Withdraw")
    form_class = WithdrawForm
    submit_label = gettext_lazy("Yes, withdraw")

    def get(self, request, *args, **kwargs):
        if self.enrolment.status not in Enrolment.LIVE:
            messages.info(request, _("%(person)s holds no place or request in this class: "
                                     "there is nothing to withdraw.")
                          % {"person": self.enrolment.person})
            return redirect(self.inspect_url)
        return super().get(request, *args, **kwargs)

    def get_intro(self):
        return _("%(person)s will leave %(section)s. If they hold a place, it goes to the "
                 "next person on the waiting list at once.") % {
            "person": self.enrolment.person, "section": section_label(self.enrolment.section),
        }

    def perform(self, data):

        enrolment_withdraw(enrolment=self.enrolment, actor=self.request.user,
                           reason=data["reason"])

    def success_message(self):
        return _("%(person)s has withdrawn from %(section)s.") % {
            "person": self.enrolment.person, "section": section_label(self.enrolment.section),
        }
