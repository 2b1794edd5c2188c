"""The six roles, kept as Django groups (created by a data migration).

Staff roles may open the Wagtail admin; students and branch secretaries use
the public site (a secretary's admin views come with the party module).
"""

from django.utils.translation import gettext_lazy as _

STUDENT = "学员"
TEACHER = "教师"
CAMPUS_ADMIN = "分校管理员"
SCHOOL_ADMIN = "学校管理员"
BRANCH_SECRETARY = "支部书记"
PARTY_ADMIN = "党务管理员"

ROLES = {
    STUDENT: _("Student"),
    TEACHER: _("Teacher"),
    CAMPUS_ADMIN: _("Campus admin"),
    SCHOOL_ADMIN: _("School admin"),
    BRANCH_SECRETARY: _("Branch secretary"),
    PARTY_ADMIN: _("Party-work admin"),
}

# Roles whose members may open the Wagtail admin.
ADMIN_ROLES = (TEACHER, CAMPUS_ADMIN, SCHOOL_ADMIN, BRANCH_SECRETARY, PARTY_ADMIN)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()


def roles_ensure(**kwargs) -> None:
    """Create any missing role group and give staff roles admin access.

    Connected to ``post_migrate``: the data migration creates the roles once,
    and this puts them back after a database flush (as test runs do).
    """
    from django.contrib.auth.models import Group, Permission

    access_admin = Permission.objects.filter(
        content_type__app_label="wagtailadmin", codename="access_admin"
    ).first()
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        if name in ADMIN_ROLES and access_admin is not None:
            group.permissions.add(access_admin)
