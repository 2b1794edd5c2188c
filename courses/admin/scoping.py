"""Views that fetch their rows through the model's permission policy, so a
campus admin or teacher meets only their own sections everywhere: the
listing and its exports, inspect, edit, copy, delete, history, usage and
the chooser. A row outside their scope is a 404, as if it did not exist."""

from django.shortcuts import get_object_or_404
from django.utils.functional import cached_property
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.views.generic import history, usage
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.permissions import policy_registry

SEE = ("view", "change", "delete")


class ScopedMixin:
    """``scoped(actions)``: the rows the request's user holds any of
    ``actions`` on, from the model's registered permission policy."""

    def scoped(self, actions):
        policy = policy_registry.get_by_type(self.model)
        return policy.instances_user_has_any_permission_for(self.request.user, list(actions))


class ScopedIndexView(ScopedMixin, generic.IndexView):
    def get_base_queryset(self):
        return self.scoped(SEE)

    @cached_property
    def _changeable_pks(self):
        return set(self.scoped(["change"]).values_list("pk", flat=True))

    @cached_property
    def _deletable_pks(self):
        return set(self.scoped(["delete"]).values_list("pk", flat=True))

    def get_edit_url(self, instance):
        if instance.pk in self._changeable_pks:
            return super().get_edit_url(instance)
        return None

    def get_copy_url(self, instance):
        if instance.pk in self._changeable_pks:
            return super().get_copy_url(instance)
        return None

    def get_delete_url(self, instance):
        if instance.pk in self._deletable_pks:
            return super().get_delete_url(instance)
        return None


class ScopedEditView(ScopedMixin, generic.EditView):
    def get_queryset(self):
        return self.scoped(["change"])


class ScopedCreateView(ScopedMixin, generic.CreateView):
    pass


class ScopedCopyView(ScopedMixin, generic.CopyView):
    def get_object(self, queryset=None):
        pk = self.kwargs[self.pk_url_kwarg]
        return get_object_or_404(self.scoped(["view", "change"]), pk=pk)


class ScopedDeleteView(ScopedMixin, generic.DeleteView):
    def get_queryset(self):
        return self.scoped(["delete"])


class ScopedInspectView(ScopedMixin, generic.InspectView):
    def get_object(self, queryset=None):
        return get_object_or_404(self.scoped(SEE), pk=self.pk)

    def get_edit_url(self):
        policy = policy_registry.get_by_type(self.model)
        if policy.user_has_permission_for_instance(self.request.user, "change", self.object):
            return super().get_edit_url()
        return None

    def get_delete_url(self):
        policy = policy_registry.get_by_type(self.model)
        if policy.user_has_permission_for_instance(self.request.user, "delete", self.object):
            return super().get_delete_url()
        return None


class ScopedHistoryView(ScopedMixin, history.HistoryView):
    def get_base_object_queryset(self):
        return self.scoped(SEE)


class ScopedUsageView(ScopedMixin, usage.UsageView):
    def get_base_object_queryset(self):
        return self.scoped(SEE)


class ScopedModelViewSet(ModelViewSet):
    """A ``ModelViewSet`` whose every view reads through the policy."""

    index_view_class = ScopedIndexView
    add_view_class = ScopedCreateView
    edit_view_class = ScopedEditView
    copy_view_class = ScopedCopyView
    delete_view_class = ScopedDeleteView
    inspect_view_class = ScopedInspectView
    history_view_class = ScopedHistoryView
    usage_view_class = ScopedUsageView


class ScopedChooseViewMixin:
    """Chooser listings and the chosen item, narrowed to the rows the user
    may see."""

    def scoped_objects(self):
        policy = policy_registry.get_by_type(self.model_class)
        return policy.instances_user_has_any_permission_for(self.request.user, list(SEE))


class ScopedChooseView(ScopedChooseViewMixin, chooser_views.ChooseView):
    def get_object_list(self):
        return self.scoped_objects()


class ScopedChooseResultsView(ScopedChooseViewMixin, chooser_views.ChooseResultsView):
    def get_object_list(self):
        return self.scoped_objects()


class ScopedChosenView(ScopedChooseViewMixin, chooser_views.ChosenView):
    def get_object(self, pk):
        return self.scoped_objects().get(pk=pk)


class ScopedChosenMultipleView(ScopedChooseViewMixin, chooser_views.ChosenMultipleView):
    def get_objects(self, pks):
        return self.scoped_objects().filter(pk__in=pks)


class ScopedChooserViewSet(ChooserViewSet):
    choose_view_class = ScopedChooseView
    choose_results_view_class = ScopedChooseResultsView
    chosen_view_class = ScopedChosenView
    chosen_multiple_view_class = ScopedChosenMultipleView
    base_widget_class = BaseChooser

