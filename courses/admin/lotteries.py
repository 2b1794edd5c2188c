"""The lottery admin (摇号), for school admins only: a term's draws with
their status and seed digest; announce a draw (its seed digest can be
published before the draw), draw, verify, re-run (drawn, not yet
published) and publish; links to each lottery class's public result page.

Every button calls one service of ``courses.services.lottery``; its
refusals (``LotteryError``) are shown as messages and change nothing."""

import django_filters
from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views import View
from django.views.generic import FormView
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, StatusTagColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permissions import policy_registry

from courses.admin.enrolments import NoFormView, WordsInspectMixin
from courses.models import LotteryDraw, LotteryEntry, Section, Term
from courses.services.lottery import (
    LotteryError,
    lottery_announce,
    lottery_draw,
    lottery_problems,
    lottery_publish,
    lottery_verify,
)


def _policy():
    return policy_registry.get_by_type(LotteryDraw)


def digest_short(draw) -> str:
    return f"{draw.seed_digest[:16]}…" if draw.seed_digest else ""


class LotteryFilterSet(WagtailFilterSet):
    term = django_filters.ModelChoiceFilter(label=gettext_lazy("Term"),
                                            queryset=Term.objects.all())

    class Meta:
        model = LotteryDraw
        fields = ["term", "status"]


class LotteryIndexView(generic.IndexView):
    add_item_label = gettext_lazy("Announce a lottery")

    def get_base_queryset(self):
        return super().get_base_queryset().select_related("term")

    def get_edit_url(self, instance):
        return None


class LotteryInspectView(WordsInspectMixin, generic.InspectView):
    """The draw, its buttons and its lottery classes with their results."""

    template_name = "courses/admin/lottery_inspect.html"
    action_url_name = None

    def get_edit_url(self):
        return None

    def get_delete_url(self):
        return None

    def get_field_display_value(self, field_name, field):
        if field_name == "seed" and self.object.status != LotteryDraw.Status.PUBLISHED:
            return _("Kept secret until the result is published.")
        if field_name == "drawn_by" and self.object.drawn_at and not self.object.drawn_by_id:
            return _("The system")  # drawn by itself at the window's close
        return super().get_field_display_value(field_name, field)

    @cached_property
    def buttons(self) -> list[dict]:
        """The actions this draw's status allows: (action, label, help)."""
        status, can_change = self.object.status, self.user_has_permission("change")
        if not can_change:
            return []
        rows = []
        if status == LotteryDraw.Status.ANNOUNCED:
            rows.append(("draw", _("Draw now"),
                         _("Draws every lottery class of the term from the requests received.")))
        if status == LotteryDraw.Status.DRAWN:
            rows.append(("verify", _("Verify"),
                         _("Re-runs the draw from the stored seed and requests and compares.")))
            rows.append(("rerun", _("Re-run the draw"),
                         _("Draws again with the same seed: the result must be the same.")))
            rows.append(("publish", _("Publish the result"),
                         _("Makes the seed and the result public. It cannot be drawn again.")))
        if status == LotteryDraw.Status.PUBLISHED:
            rows.append(("verify", _("Verify"),
                         _("Re-runs the draw from the stored seed and requests and compares.")))
        return [{"url": reverse(self.action_url_name, args=[self.object.pk, action]),
                 "label": label, "help": help_text, "primary": action != "verify"}
                for action, label, help_text in rows]

    def sections(self) -> list[dict]:
        """The term's lottery classes with their entries in this draw."""
        sections = (
            Section.objects.filter(term=self.object.term, enrolment_mode=Section.Mode.LOTTERY)
            .select_related("course", "campus")
            .annotate(
                requests=Count("lottery_entries", filter=Q(lottery_entries__draw=self.object)),
                drawn=Count("lottery_entries", filter=Q(
                    lottery_entries__draw=self.object,
                    lottery_entries__outcome__in=[LotteryEntry.Outcome.WON,
                                                  LotteryEntry.Outcome.RENEWED])),
            )
            .order_by("course__title", "name", "pk")
        )
        published = self.object.status == LotteryDraw.Status.PUBLISHED
        return [
            {"section": section, "campus": section.campus.title, "capacity": section.capacity,
             "requests": section.requests, "drawn": section.drawn,
             "url": reverse("courses:lottery_result", args=[section.pk]) if published else ""}
            for section in sections
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(buttons=self.buttons, sections=self.sections())
        return context


class AnnounceForm(forms.Form):
    term = forms.ModelChoiceField(
        label=gettext_lazy("Term"), queryset=Term.objects.order_by("-start_date"),
        empty_label=gettext_lazy("Choose a term"),
        error_messages={"required": gettext_lazy("Choose the term of the lottery.")},
    )
    round_robin = forms.BooleanField(
        label=gettext_lazy("First choices first"), required=False,
        help_text=gettext_lazy("Everyone's first choice is drawn before anyone's second."),
    )


class LotteryAnnounceView(WagtailAdminTemplateMixin, FormView):
    """Announce a draw: the seed is made and kept secret; its digest is
    shown at once so it can be published before the draw."""

    model = LotteryDraw
    form_class = AnnounceForm
    template_name = "courses/admin/enrolment_action.html"
    page_title = gettext_lazy("Announce a lottery")
    header_icon = "resubmit"
    index_url_name = None
    inspect_url_name = None

    def dispatch(self, request, *args, **kwargs):
        if not _policy().user_has_permission(request.user, "add"):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def get_initial(self):
        term = self.request.GET.get("term")
        return {"term": term} if term and term.isdigit() else {}

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items,
                {"url": reverse(self.index_url_name), "label": _("Lotteries")},
                {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        return {
            **super().get_context_data(**kwargs),
            "back_url": reverse(self.index_url_name),
            "submit_label": _("Announce"),
            "intro": _(
                "Announcing makes a secret random seed for the term's lottery classes and "
                "shows its SHA-256 digest at once. Publish the digest before the draw: after "
                "the draw, anyone can check that the published seed has this digest and "
                "recompute the result."
            ),
        }

    def form_valid(self, form):

        try:
            draw = lottery_announce(term=form.cleaned_data["term"], actor=self.request.user,
                                    round_robin=form.cleaned_data["round_robin"])
        except LotteryError as error:
            form.add_error(None, error.message)
            return self.form_invalid(form)
        messages.success(self.request, _(
            "Lottery announced. Its seed digest, which you may publish now: %(digest)s"
        ) % {"digest": draw.seed_digest})
        return redirect(self.inspect_url_name, draw.pk)


class LotteryActionView(View):
    """POST: draw, re-run, verify or publish one draw; the outcome as a
    message on the draw's page."""

    inspect_url_name = None
    ACTIONS = ("draw", "rerun", "verify", "publish")

    def dispatch(self, request, *args, pk, action, **kwargs):
        if action not in self.ACTIONS:
            raise PermissionDenied
        needed = "view" if action == "verify" else "change"
        if not _policy().user_has_permission(request.user, needed):
            raise PermissionDenied
        self.draw = get_object_or_404(LotteryDraw, pk=pk)
        self.action = action
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        return redirect(self.inspect_url_name, self.draw.pk)

    def post(self, request, *args, **kwargs):

        try:
            level, text = getattr(self, f"do_{self.action}")()
        except LotteryError as error:
            level, text = messages.ERROR, error.message
        messages.add_message(request, level, text)
        return redirect(self.inspect_url_name, self.draw.pk)

    def do_draw(self):

        # A page opened before the system (at the window's close) or another
        # admin drew it: "draw" must not quietly re-run it (checked under
        # the draw's lock).
        draw = lottery_draw(draw=self.draw, actor=self.request.user,
                            expect=LotteryDraw.Status.ANNOUNCED)
        return messages.SUCCESS, _("Drawn: %(count)d requests. Check the result, then "
                                   "publish it.") % {"count": draw.entries_count}

    def do_rerun(self):

        if self.draw.status != LotteryDraw.Status.DRAWN:
            return messages.ERROR, _("Only a drawn lottery that is not yet published can be "
                                     "drawn again.")
        draw = lottery_draw(draw=self.draw, actor=self.request.user,
                            expect=LotteryDraw.Status.DRAWN)
        return messages.SUCCESS, _("Drawn again with the same seed: %(count)d requests.") % {
            "count": draw.entries_count}

    def do_verify(self):

        if lottery_verify(draw=self.draw):
            return messages.SUCCESS, _("Verified: the stored result matches a fresh re-run.")
        return messages.ERROR, _("Mismatch: %(problems)s") % {
            "problems": " ".join(lottery_problems(draw=self.draw))}

    def do_publish(self):

        lottery_publish(draw=self.draw, actor=self.request.user)
        return messages.SUCCESS, _("Published: the seed and the result are now public.")


class LotteryViewSet(ModelViewSet):
    model = LotteryDraw
    name = "courses_lottery"
    icon = "resubmit"
    menu_label = gettext_lazy("Lotteries")
    index_view_class = LotteryIndexView
    inspect_view_class = LotteryInspectView
    inspect_view_enabled = True
    copy_view_enabled = False
    list_display = [
        Column("term", label=gettext_lazy("Term"), accessor="term.name", sort_key="term__name"),
        StatusTagColumn("get_status_display", label=gettext_lazy("Status"), sort_key="status",
                        primary=lambda d: d.status == LotteryDraw.Status.PUBLISHED),
        Column("seed_digest", label=gettext_lazy("Seed digest (SHA-256)"),
               accessor=digest_short),
        BooleanColumn("round_robin", label=gettext_lazy("First choices first")),
        DateColumn("announced_at", label=gettext_lazy("Announced"), sort_key="announced_at"),
        DateColumn("drawn_at", label=pgettext_lazy("lottery draw", "Drawn"),
                   sort_key="drawn_at"),
        DateColumn("published_at", label=gettext_lazy("Published"), sort_key="published_at"),
        Column("entries_count", label=gettext_lazy("Requests"), sort_key="entries_count"),
    ]
    filterset_class = LotteryFilterSet
    ordering = ["-announced_at", "-pk"]
    inspect_view_fields = [
        "term", "status", "round_robin", "seed_digest", "seed", "inputs_digest", "algorithm",
        "announced_at", "drawn_at", "drawn_by", "published_at", "entries_count",
    ]

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(action_url_name=self.get_url_name("action"),
                                              **kwargs)

    @property
    def add_view(self):
        return self.construct_view(LotteryAnnounceView)

    @property
    def edit_view(self):
        return self.construct_view(NoFormView)

    @property
    def delete_view(self):
        return self.construct_view(NoFormView)

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("<int:pk>/<str:action>/", self.construct_view(LotteryActionView),
                 name="action"),
        ]
