"""Students' photos out of the teachers' image chooser.

Until now teachers and campus admins had their image and document
permissions on the root collection, which every collection inherits, so the
chooser they use for lesson material listed every student's photo. This
creates two children of the root, 教学资料 (teaching material) and 学员照片
(profile photos), moves those permissions from the root to the teaching
material, moves every profile photo into 学员照片 and everything else that
was in the root into 教学资料 (so teachers keep what they could choose
before, students' faces excepted). School admins keep theirs on the root.

Frozen history: ``roles.roles_ensure`` (after every migrate and flush) keeps
the collections and grants from then on.
"""

from django.db import migrations

TEACHER = "教师"
CAMPUS_ADMIN = "分校管理员"
TEACHING_MATERIAL = "教学资料"
PROFILE_PHOTOS = "学员照片"
MOVED_PERMISSIONS = ("add_image", "choose_image", "add_document", "choose_document")

# django-treebeard's materialised path, as Collection uses it.
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
STEPLEN = 4


def _step(number: int) -> str:
    digits = ""
    while number:
        number, rest = divmod(number, len(ALPHABET))
        digits = ALPHABET[rest] + digits
    return digits.rjust(STEPLEN, "0")


def _child(Collection, root, name):
    children = Collection.objects.filter(depth=root.depth + 1, path__startswith=root.path)
    found = children.filter(name=name).first()
    if found is not None:
        return found
    last = children.order_by("-path").first()
    number = int(last.path[-STEPLEN:], len(ALPHABET)) + 1 if last is not None else 1
    child = Collection.objects.create(
        name=name, depth=root.depth + 1, path=root.path + _step(number), numchild=0
    )
    Collection.objects.filter(pk=root.pk).update(numchild=children.count())
    return child


def forwards(apps, schema_editor):
    Collection = apps.get_model("wagtailcore", "Collection")
    GroupCollectionPermission = apps.get_model("wagtailcore", "GroupCollectionPermission")
    Image = apps.get_model("wagtailimages", "Image")
    Document = apps.get_model("wagtaildocs", "Document")
    Profile = apps.get_model("accounts", "Profile")

    root = Collection.objects.filter(depth=1).order_by("path").first()
    if root is None:
        return
    teaching = _child(Collection, root, TEACHING_MATERIAL)
    photos = _child(Collection, root, PROFILE_PHOTOS)

    photo_ids = Profile.objects.exclude(photo=None).values("photo_id")
    Image.objects.filter(pk__in=photo_ids).update(collection=photos)
    Image.objects.filter(collection=root).update(collection=teaching)
    Document.objects.filter(collection=root).update(collection=teaching)

    on_root = GroupCollectionPermission.objects.filter(
        group__name__in=(TEACHER, CAMPUS_ADMIN),
        collection=root,
        permission__content_type__app_label__in=("wagtailimages", "wagtaildocs"),
        permission__codename__in=MOVED_PERMISSIONS,
    )
    for grant in on_root:
        GroupCollectionPermission.objects.get_or_create(
            group_id=grant.group_id, collection=teaching, permission_id=grant.permission_id
        )
    on_root.delete()


class Migration(migrations.Migration):

    dependencies = [
        ("accounts", "0006_profile_photo"),
        ("wagtailcore", "0098_apitoken"),
        ("wagtailimages", "0027_image_description"),
        ("wagtaildocs", "0014_alter_document_file_size"),
    ]

    operations = [
        migrations.RunPython(forwards, migrations.RunPython.noop),
    ]
