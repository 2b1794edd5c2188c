from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoursesConfig(AppConfig):
    name = "courses"
    verbose_name = _("Teaching")

    def ready(self):
        from django.db.models.signals import post_migrate

        from courses.admin.permissions import course_permissions_ensure
        from courses.cache import connect_cache_signals

        # Cached catalogue pages go stale the moment their data changes.
        connect_cache_signals()
        # No sender: on a first migrate our permissions exist only after
        # django.contrib.auth's own post_migrate has run.
        post_migrate.connect(course_permissions_ensure, dispatch_uid="courses.permissions")

        from courses.services.session_notices import session_changed_notify
        from courses.signals import session_changed

        # Students, their family members and teachers hear of a cancelled or moved class.
        session_changed.connect(session_changed_notify, dispatch_uid="courses.session_notices")
