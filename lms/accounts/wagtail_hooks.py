"""Accounts in the Wagtail admin: the read-only list of family-member links
(see admin_family.py). The user screens are wagtail.users' own, extended in
admin_users.py."""

from wagtail import hooks
from wagtail.permissions import register_permission_policy

from .admin_family import ProxyLinkViewSet, ReadOnlyPolicy
from .models import ProxyLink

register_permission_policy(ProxyLink, ReadOnlyPolicy(ProxyLink))


@hooks.register("register_admin_viewset")
def register_family_links():
    return ProxyLinkViewSet()


@hooks.register("register_admin_viewset")
def register_profile_photo_chooser():
    from .admin_users import photo_chooser_viewset

    return photo_chooser_viewset


@hooks.register("register_log_actions")
def register_proxy_log_actions(actions):
    from .proxy_audit import register_proxy_log_actions as register

    register(actions)
