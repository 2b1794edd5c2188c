from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from wagtail.users.apps import WagtailUsersAppConfig


class AccountsConfig(AppConfig):
    # Two AppConfig classes live in this module: without ``default`` Django
    # would use neither, and ready() (the post_migrate hook) would never run.
    default = True
    name = "lms.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from django.db.models.signals import post_migrate

        from .roles import roles_ensure

        # roles_ensure acts on the last app's post_migrate, when every app's
        # permissions exist.
        post_migrate.connect(roles_ensure, dispatch_uid="accounts.roles_ensure")


class UsersAppConfig(WagtailUsersAppConfig):
    """wagtail.users, with our user screens (they add the mobile number)."""

    user_viewset = "lms.accounts.admin_users.UserViewSet"
