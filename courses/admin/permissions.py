"""Who may see and change what in the teaching admin (DESIGN §5 rule 6).

- Superusers and school admins (学校管理员) see and change everything.
- A campus admin (分校管理员) sees and changes the sections, and their
  sessions, of the campuses whose ``CampusPage.admins`` include them.
- A teacher (教师) sees the sections they teach, and their sessions.

Model permissions (granted to the role groups by ``course_permissions_ensure``)
say *what* a person may do; ``SectionScopedPolicy`` says *on which rows*.
Every admin view, export, filter and chooser asks the policy for its rows
(``scoped_sections`` / ``instances_user_has_any_permission_for``), so the
scoping is written once.
"""

from django.db.models import Q, QuerySet
from wagtail.permission_policies import ModelPermissionPolicy

from lms.accounts import roles

# Model permissions by role ("app_label.codename"). Inline children (term
# days, weekly slots) are edited through their parent's form and need none.
COURSE_PERMISSIONS = {
    roles.SCHOOL_ADMIN: [
        f"courses.{action}_{model}"
        for model in ("department", "term", "section", "classsession")
        for action in ("add", "change", "delete", "view")
    ] + [
        # Enrolments change only through the services (actions, not forms);
        # "change" lets staff take those actions. Lotteries: school admins.
        "courses.view_enrolment",
        "courses.change_enrolment",
        "courses.add_lotterydraw",
        "courses.change_lotterydraw",
        "courses.view_lotterydraw",
    ],
    roles.CAMPUS_ADMIN: [
        "courses.view_department",
        "courses.view_term",
        "courses.add_section",
        "courses.change_section",
        "courses.delete_section",
        "courses.view_section",
        # Sessions are cancelled or moved, never deleted: calendars keep their UID.
        "courses.add_classsession",
        "courses.change_classsession",
        "courses.view_classsession",
        "courses.view_enrolment",
        "courses.change_enrolment",
    ],
    roles.TEACHER: [
        "courses.view_section",
        "courses.view_classsession",
        "courses.view_enrolment",
    ],
}


def course_permissions_ensure(**kwargs) -> None:
    """Grant each role group its model permissions on the teaching models.

    Idempotent: only adds what is missing, never removes what staff granted
    by hand; creates a missing role group. Permissions whose rows do not
    exist yet (the courses app is not migrated) are skipped; the next
    ``post_migrate`` adds them. Meant for ``post_migrate`` (any sender) and
    safe to call directly, e.g. in tests.
    """
    from django.contrib.auth.models import Group, Permission

    for role, names in COURSE_PERMISSIONS.items():
        codenames = [name.split(".", 1)[1] for name in names]
        found = Permission.objects.filter(
            content_type__app_label="courses", codename__in=codenames
        )
        group, _ = Group.objects.get_or_create(name=role)
        group.permissions.add(*found)


def sees_all_campuses(user) -> bool:
    """Superusers and school admins see every campus (cached on the user)."""
    if not (user.is_authenticated and user.is_active):
        return False
    cached = getattr(user, "_courses_sees_all", None)
    if cached is None:
        cached = user.is_superuser or roles.has_role(user, roles.SCHOOL_ADMIN)
        user._courses_sees_all = cached
    return cached


def administered_campuses(user) -> QuerySet:
    """Campuses the user may manage: all for school admins, else those whose
    ``admins`` include them."""
    from courses.models import CampusPage

    if sees_all_campuses(user):
        return CampusPage.objects.all()
    if not (user.is_authenticated and user.is_active):
        return CampusPage.objects.none()
    return CampusPage.objects.filter(admins=user)


def _section_filter(user, action: str) -> Q:
    """Which sections ``user`` may act on with ``action``, beyond the model
    permission: campus admins on their campuses, teachers (view only) on
    what they teach."""
    allowed = Q(campus__admins=user)
    if action == "view":
        allowed |= Q(teachers=user)
    return allowed


class SectionScopedPolicy(ModelPermissionPolicy):
    """Model permissions, narrowed to the sections a person may see.

    ``section_field`` is the path from the model to its section (``None``
    for ``Section`` itself, ``"section"`` for ``ClassSession``).
    """

    def __init__(self, model, section_field: str | None = None):
        super().__init__(model)
        self.section_field = section_field

    def user_has_permission(self, user, action):
        return user.is_active and super().user_has_permission(user, action)

    def scoped_sections(self, user, actions) -> QuerySet:
        """The sections on which ``user`` holds any of ``actions``."""
        from courses.models import Section

        allowed = [action for action in actions if self.user_has_permission(user, action)]
        if not allowed:
            return Section.objects.none()
        if sees_all_campuses(user):
            return Section.objects.all()
        condition = Q(pk__in=[])
        for action in allowed:
            condition |= _section_filter(user, action)
        # A subquery (not a join) so callers may annotate and order freely
        # without duplicate rows from the many-to-many joins.
        return Section.objects.filter(pk__in=Section.objects.filter(condition).values("pk"))

    def instances_user_has_any_permission_for(self, user, actions):
        objects = self.model._default_manager.all()
        if not any(self.user_has_permission(user, action) for action in actions):
            return objects.none()
        if sees_all_campuses(user):
            return objects
        sections = self.scoped_sections(user, actions).values("pk")
        if self.section_field is None:
            return objects.filter(pk__in=sections)
        return objects.filter(**{f"{self.section_field}__in": sections})

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_any_permission_for_instance(user, [action], instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        if not any(self.user_has_permission(user, action) for action in actions):
            return False
        if sees_all_campuses(user):
            return True
        section_id = instance.pk if self.section_field is None else instance.section_id
        return self.scoped_sections(user, actions).filter(pk=section_id).exists()


class EnrolmentScopedPolicy(SectionScopedPolicy):
    """Enrolments, scoped by their section like sessions. Nobody adds or
    deletes enrolment rows in the admin, not even a superuser: they are
    written only by the enrolment and lottery services. ``change`` is the
    right to take the staff actions (move, fee, withdraw)."""

    READ_ONLY_ACTIONS = ("add", "delete")

    def __init__(self, model):
        super().__init__(model, section_field="section")

    def user_has_permission(self, user, action):
        return action not in self.READ_ONLY_ACTIONS and super().user_has_permission(user, action)


class SchoolAdminPolicy(ModelPermissionPolicy):
    """Model permissions for school admins (and superusers) only; rows are
    never deleted (a lottery draw is a record)."""

    def user_has_permission(self, user, action):
        return (action != "delete" and user.is_active and sees_all_campuses(user)
                and super().user_has_permission(user, action))
