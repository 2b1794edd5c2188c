"""The six roles, kept as Django groups with the permissions each one needs.

Every role except the student opens the Wagtail admin: teachers, campus and
school admins and the party-work admin manage there, and branch secretaries
too (the party module gives them their branch's views in the admin).
Students use the public site only.

``roles_ensure`` is the single source of what a role may do; it runs after
every ``migrate`` (and after a test flush) and only ever adds what is missing.
The data migrations 0002_roles and 0007_profile_photo_collection are frozen
history: they created the groups, and later moved the teachers' and campus
admins' media permissions from the root collection to the teaching material.
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

# Model permissions by role, as "app_label.codename" (apps are named by
# string so that accounts does not import cms).
MODEL_PERMISSIONS = {
    SCHOOL_ADMIN: (
        "cms.change_schoolsettings",
        "cms.change_navigationsettings",
        "accounts.view_proxylink",  # family-member links, read-only (admin_family.py)
    ),
}

# Page-tree permissions on the tree root (Wagtail's page permission types;
# "bulk_delete" is Wagtail's "delete pages with children", deleting a single
# page comes with "change" and "publish").
PAGE_PERMISSIONS = {
    SCHOOL_ADMIN: ("add", "change", "publish", "lock", "unlock", "bulk_delete"),
}

# Media collections, children of the root collection (found by name; created
# by migration 0007 and again by ``roles_ensure`` after a flush). Teachers and
# campus admins work in the teaching material; students' photos are kept
# where only school admins (who hold the root, hence every child) and
# superusers may see and choose them: a permission on a collection is
# inherited by its children, so nobody but school admins has any on the root.
TEACHING_MATERIAL = "教学资料"
PROFILE_PHOTOS = "学员照片"

_MEDIA_MANAGE = (
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.delete_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.delete_document",
    "wagtaildocs.choose_document",
    "wagtailcore.add_collection",
    "wagtailcore.change_collection",
    "wagtailcore.delete_collection",
)
# Teachers upload lesson material; campus admins too.
_MEDIA_UPLOAD = (
    "wagtailimages.add_image",
    "wagtailimages.choose_image",
    "wagtaildocs.add_document",
    "wagtaildocs.choose_document",
)
# Image, document and collection permissions: collection (None: the root) →
# role → permissions.
COLLECTION_PERMISSIONS = {
    None: {SCHOOL_ADMIN: _MEDIA_MANAGE},
    TEACHING_MATERIAL: {CAMPUS_ADMIN: _MEDIA_UPLOAD, TEACHER: _MEDIA_UPLOAD},
    PROFILE_PHOTOS: {},
}


def media_collection(name: str):
    """The root collection's child called ``name``, created if missing; None
    while there is no root collection (a flushed database)."""
    from wagtail.models import Collection

    root = Collection.get_first_root_node()
    if root is None:
        return None
    found = root.get_children().filter(name=name).first()
    return found if found is not None else root.add_child(name=name)


def profile_photo_collection():
    """The collection students' photos are uploaded to and chosen from."""
    return media_collection(PROFILE_PHOTOS)


def has_role(user, role: str) -> bool:
    if not user.is_authenticated:
        return False
    return user.groups.filter(name=role).exists()


def _permissions(names) -> dict:
    """{"app_label.codename": Permission} for the names that exist; a name
    whose app is not migrated yet is left out (the next post_migrate adds
    it)."""
    from django.contrib.auth.models import Permission
    from django.db.models import Q

    wanted = Q(pk__in=[])
    for name in names:
        app_label, codename = name.split(".", 1)
        wanted |= Q(content_type__app_label=app_label, codename=codename)
    return {
        f"{p.content_type.app_label}.{p.codename}": p
        for p in Permission.objects.filter(wanted).select_related("content_type")
    }


def _is_last_post_migrate(sender) -> bool:
    # post_migrate is sent once per app (with models); by the last one every
    # app's permissions exist, so the work is done once, not thirty times.
    from django.apps import apps

    if sender is None:
        return True
    last = [config for config in apps.get_app_configs() if config.models_module][-1]
    return sender.label == last.label


def roles_ensure(*, sender=None, **kwargs) -> None:
    """Create any missing role group and grant each role its permissions:
    admin access, model permissions, page permissions on the tree root and
    media permissions on the root collection and its media collections
    (created if missing).

    Idempotent: only adds what is missing, never removes what staff granted
    by hand. Connected to ``post_migrate`` (runs after the last app's);
    safe to call directly, e.g. after a test flush. Skips the page and
    collection grants while the tree root or root collection does not exist.
    """
    if not _is_last_post_migrate(sender):
        return
    from django.contrib.auth.models import Group
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    page_names = {
        role: [f"wagtailcore.{kind}_page" for kind in kinds]
        for role, kinds in PAGE_PERMISSIONS.items()
    }
    permissions = _permissions(
        {"wagtailadmin.access_admin"}
        | {n for names in MODEL_PERMISSIONS.values() for n in names}
        | {n for names in page_names.values() for n in names}
        | {n for grants in COLLECTION_PERMISSIONS.values() for names in grants.values()
           for n in names}
    )

    def pick(names):
        return [permissions[n] for n in names if n in permissions]

    tree_root = Page.get_first_root_node()
    collections = {
        key: Collection.get_first_root_node() if key is None else media_collection(key)
        for key in COLLECTION_PERMISSIONS
    }
    for name in ROLES:
        group, _ = Group.objects.get_or_create(name=name)
        model_permissions = pick(MODEL_PERMISSIONS.get(name, ()))
        if name in ADMIN_ROLES:
            model_permissions += pick(["wagtailadmin.access_admin"])
        group.permissions.add(*model_permissions)
        if tree_root is not None:
            for permission in pick(page_names.get(name, ())):
                GroupPagePermission.objects.get_or_create(
                    group=group, page=tree_root, permission=permission
                )
        for key, collection in collections.items():
            if collection is None:
                continue
            for permission in pick(COLLECTION_PERMISSIONS[key].get(name, ())):
                GroupCollectionPermission.objects.get_or_create(
                    group=group, collection=collection, permission=permission
                )
