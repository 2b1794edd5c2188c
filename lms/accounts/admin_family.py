"""Family-member links (代报名关系) in the Wagtail admin: a read-only list
for school admins, to answer "who may enrol for this student?". Links are
made and ended only by the people themselves (lms/accounts/proxies.py), so
nobody adds, edits or deletes them here, superusers included."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import Column, DateColumn, StatusTagColumn
from wagtail.admin.views.generic import IndexView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.permission_policies import ModelPermissionPolicy

from .models import ProxyLink
from .phone import mask_phone
from .proxies import relation_label


class ReadOnlyPolicy(ModelPermissionPolicy):
    """Only "view", for those holding the model's view permission."""

    def user_has_permission(self, user, action):
        return action == "view" and user.is_active and super().user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)


def _person(user) -> str:
    phone = mask_phone(user.phone)
    return f"{user.display_name} ({phone})" if phone else user.display_name


class ProxyLinkIndexView(IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("student__profile", "proxy__profile")


class ProxyLinkViewSet(ModelViewSet):
    model = ProxyLink
    index_view_class = ProxyLinkIndexView
    name = "accounts_proxylink"
    icon = "group"
    menu_label = _("Family member links")
    add_to_settings_menu = True
    copy_view_enabled = False
    form_fields = ["relation"]  # required by ModelViewSet; the policy allows no edit
    inspect_view_enabled = True
    list_display = [
        Column("student", label=_("Student"), accessor=lambda link: _person(link.student)),
        Column("proxy", label=_("Family member"), accessor=lambda link: _person(link.proxy)),
        Column("relation", label=_("Relation"), accessor=lambda link: relation_label(link.relation)),
        StatusTagColumn("get_status_display", label=_("Status"), sort_key="status",
                        primary=lambda link: link.status == ProxyLink.Status.ACTIVE),
        DateColumn("created_at", label=_("Requested"), sort_key="created_at"),
        DateColumn("consented_at", label=_("Consented"), sort_key="consented_at"),
        DateColumn("ended_at", label=_("Ended"), sort_key="ended_at"),
    ]
    list_filter = ["status"]
    search_fields = ["student__phone", "proxy__phone", "student__profile__real_name",
                     "proxy__profile__real_name"]
    search_backend_name = None
    ordering = ["-created_at"]
    list_export = ["student", "proxy", "relation", "status", "created_at", "consented_at",
                   "ended_at"]
    export_filename = "family-member-links"
    inspect_view_fields = ["student", "proxy", "relation", "status", "created_at",
                           "consented_at", "ended_at", "ended_by"]
