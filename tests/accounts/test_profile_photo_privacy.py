"""Students' photos are kept in their own collection: school admins and
superusers upload and choose them; teachers' and campus admins' image
choosers (for lesson material) never list them; the roll call still shows
them to the student's teachers."""

import re
from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.documents import get_document_model
from wagtail.images import get_image_model
from wagtail.models import Collection, GroupCollectionPermission
from wagtail.users.models import UserProfile

from lms.accounts import roles
from lms.accounts.models import Profile
from tests.courses.attendance_world import make_world
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Image = get_image_model()
PHOTO_CHOOSER = "/admin/accounts/photos/chooser/"


def jpeg(colour="#5a7d9a") -> bytes:
    buffer = BytesIO()
    PILImage.new("RGB", (120, 160), colour).save(buffer, format="JPEG")
    return buffer.getvalue()


def image(title, collection=None) -> Image:
    fields = {"collection": collection} if collection is not None else {}
    return Image.objects.create(
        title=title, file=ImageFile(BytesIO(jpeg()), name="face.jpg"), **fields)


def photos():
    return Collection.objects.get(name=roles.PROFILE_PHOTOS, depth=2)


def teaching():
    return Collection.objects.get(name=roles.TEACHING_MATERIAL, depth=2)


def login(client, user):
    profile = UserProfile.get_for_user(user)
    profile.preferred_language = "en"
    profile.save()
    client.force_login(user)
    return client


def upload(client, url, title, colour="#5a7d9a"):
    return client.post(url, {
        "image-chooser-upload-title": title,
        "image-chooser-upload-file": SimpleUploadedFile(
            f"{title}.jpg", jpeg(colour), content_type="image/jpeg"),
    })


def listed(client, url="/admin/images/chooser/", **query) -> str:
    """The chooser modal's HTML (the results view answers with bare HTML)."""
    response = client.get(url, query)
    assert response.status_code == 200
    if response["Content-Type"] == "application/json":
        return response.json()["html"]
    return response.content.decode()


def refused(response) -> bool:
    """Wagtail's admin answers a refused permission with a redirect to the
    dashboard and a message."""
    return response.status_code == 302 and response.url == "/admin/"


def chosen(image) -> str:
    return reverse("wagtailimages_chooser:chosen", args=[image.pk])


@pytest.mark.parametrize("role", [roles.TEACHER, roles.CAMPUS_ADMIN])
def test_a_teachers_image_chooser_does_not_list_a_profile_photo(client, role):
    face = image("王秀英的照片", photos())
    login(client, UserFactory(roles=[role]))
    # Their own lesson picture, uploaded from the chooser, goes to the
    # teaching material (no collection to pick) and is listed.
    assert upload(client, "/admin/images/chooser/create/", "书法范字").status_code == 200
    lesson = Image.objects.get(title="书法范字")
    assert lesson.collection == teaching()

    html = listed(client)
    assert "书法范字" in html
    assert "王秀英的照片" not in html
    assert "王秀英的照片" not in listed(client, "/admin/images/chooser/results/", q="王秀英")
    # Nor by its number, nor through the photo chooser.
    assert refused(client.get(chosen(face)))
    assert refused(client.get(PHOTO_CHOOSER))
    assert refused(upload(client, PHOTO_CHOOSER + "create/", "偷拍"))
    assert not Image.objects.filter(title="偷拍").exists()


def test_teachers_hold_no_media_permission_on_the_root_or_the_photos():
    def holders(collection):
        return set(GroupCollectionPermission.objects.filter(collection=collection)
                   .values_list("group__name", flat=True))

    root = Collection.get_first_root_node()
    assert roles.SCHOOL_ADMIN in holders(root)  # and so on every child
    assert not holders(root) & {roles.TEACHER, roles.CAMPUS_ADMIN}
    assert not holders(photos()) & {roles.TEACHER, roles.CAMPUS_ADMIN}
    assert set(GroupCollectionPermission.objects.filter(collection=teaching())
               .values_list("group__name", flat=True)) == {roles.TEACHER, roles.CAMPUS_ADMIN}


def test_a_school_admin_uploads_a_photo_into_the_photo_collection_and_chooses_it(client):
    lesson = image("书法范字", teaching())
    login(client, UserFactory(roles=[roles.SCHOOL_ADMIN]))
    response = upload(client, PHOTO_CHOOSER + "create/", "王秀英")
    assert response.status_code == 200
    assert response.json()["step"] == "chosen"
    face = Image.objects.get(title="王秀英")
    assert face.collection == photos()

    html = listed(client, PHOTO_CHOOSER)
    assert "王秀英" in html
    assert lesson.title not in html  # the photo field chooses photos only
    assert "collection_id" not in html  # and offers no other collection
    assert client.get(chosen(face)).status_code == 200
    # A school admin's ordinary chooser still has everything.
    assert "王秀英" in listed(client) and lesson.title in listed(client)


def edit_photo(client, person, photo_id):
    return client.post(f"/admin/users/edit/{person.pk}/", {
        "username": person.username, "email": person.email, "phone": person.phone,
        "first_name": "秀英", "last_name": "王", "is_active": "on", "photo": photo_id,
    })


def test_the_photo_field_takes_only_an_image_from_the_photo_collection(client):
    person = ProfileFactory(real_name="王秀英").user
    login(client, UserFactory(is_superuser=True, is_staff=True))
    lesson = image("书法范字", teaching())
    response = edit_photo(client, person, lesson.pk)
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert Profile.objects.get(user=person).photo is None

    face = image("王秀英", photos())
    assert edit_photo(client, person, face.pk).status_code == 302
    assert Profile.objects.get(user=person).photo == face


def test_the_roll_call_still_shows_the_photo_to_the_students_teacher(client):
    w = make_world(students=1)
    w.teacher.groups.add(*roles_groups(roles.TEACHER))
    staff = UserFactory(is_superuser=True, is_staff=True)
    login(client, staff)
    upload(client, PHOTO_CHOOSER + "create/", "学员00的照片")
    face = Image.objects.get(title="学员00的照片")
    assert edit_photo(client, w.student, face.pk).status_code == 302

    login(client, w.teacher)
    assert "学员00的照片" not in listed(client)  # not among the teacher's images
    response = client.get(reverse("courses:roll_call", args=[w.session.pk]))
    assert response.status_code == 200
    row = re.search(rf'<li class="roll-row" id="person-{w.student.pk}">.*?</li>',
                    response.content.decode(), re.S).group(0)
    rendition = face.renditions.get(filter_spec="fill-96x96")
    assert f'src="{rendition.url}"' in row


def roles_groups(*names):
    from django.contrib.auth.models import Group

    return Group.objects.filter(name__in=names)


def test_the_migration_moves_photos_and_the_teachers_permissions_out_of_the_root():
    """Migration 0007, run on what the root held before: the teachers' grants,
    a student's photo, a lesson picture and a document."""
    from django.apps import apps
    from django.contrib.auth.models import Permission
    from django.core.files.base import ContentFile

    from lms.accounts.migrations import __name__ as package

    migration = __import__(f"{package}.0007_profile_photo_collection", fromlist=["forwards"])
    # The database as it was: no child collections, teachers' grants on the root.
    Collection.objects.filter(depth=2).delete()
    root = Collection.get_first_root_node()
    choose = Permission.objects.get(codename="choose_image")
    for group in roles_groups(roles.TEACHER, roles.CAMPUS_ADMIN):
        GroupCollectionPermission.objects.create(group=group, collection=root, permission=choose)
    person = ProfileFactory(real_name="王秀英")
    person.photo = face = image("王秀英")
    person.save()
    lesson = image("书法范字")
    document = get_document_model().objects.create(
        title="讲义", file=ContentFile(b"%PDF-1.4", name="notes.pdf"))

    migration.forwards(apps, None)
    migration.forwards(apps, None)  # a second run changes nothing

    assert Collection.find_problems() == ([], [], [], [], [])  # a sound tree
    root.refresh_from_db()
    assert sorted(root.get_children().values_list("name", flat=True)) == sorted(
        [roles.TEACHING_MATERIAL, roles.PROFILE_PHOTOS])
    face.refresh_from_db()
    lesson.refresh_from_db()
    document.refresh_from_db()
    assert face.collection == photos()
    assert lesson.collection == teaching() and document.collection == teaching()
    assert not GroupCollectionPermission.objects.filter(
        collection=root, group__name__in=[roles.TEACHER, roles.CAMPUS_ADMIN]).exists()
    assert GroupCollectionPermission.objects.filter(
        collection=teaching(), group__name=roles.TEACHER, permission=choose).exists()
