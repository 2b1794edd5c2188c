"""Staff set, change and remove a person's photo on the admin's user
screens (kept on the profile, for the roll call)."""

from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from wagtail.images import get_image_model
from wagtail.users.models import UserProfile

from lms.accounts.models import Profile, User
from lms.accounts.roles import profile_photo_collection
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Image = get_image_model()


@pytest.fixture
def admin_client(client):
    staff = UserFactory(is_superuser=True, is_staff=True)
    profile = UserProfile.get_for_user(staff)
    profile.preferred_language = "en"  # the admin in English, for the assertions
    profile.save()
    client.force_login(staff)
    return client


def photo(title="王秀英") -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", (120, 160), "#5a7d9a").save(buffer, format="JPEG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="face.jpg"),
                                collection=profile_photo_collection())


def edit(admin_client, user, **data):
    fields = {"username": user.username, "email": user.email, "phone": user.phone or "",
              "first_name": user.first_name or "秀英", "last_name": user.last_name or "王",
              "is_active": "on",
              **data}
    return admin_client.post(f"/admin/users/edit/{user.pk}/", fields)


def test_the_edit_screen_offers_an_image_chooser_with_the_current_photo(admin_client):
    person = ProfileFactory(real_name="王秀英").user
    html = admin_client.get(f"/admin/users/edit/{person.pk}/").content.decode()
    assert 'name="photo"' in html and "w-field--photo_chooser" in html
    assert "Choose a photo" in html
    person.profile.photo = face = photo()
    person.profile.save()
    html = admin_client.get(f"/admin/users/edit/{person.pk}/").content.decode()
    assert f'value="{face.pk}"' in html


def test_staff_give_a_person_a_photo_and_take_it_away(admin_client):
    person = ProfileFactory(real_name="王秀英", former_unit="丽水市教育局").user
    face = photo()
    response = edit(admin_client, person, photo=face.pk)
    assert response.status_code == 302, getattr(response.context.get("form"), "errors", None) if response.context else None
    profile = Profile.objects.get(user=person)
    assert profile.photo == face
    assert profile.former_unit == "丽水市教育局"  # the rest of the profile is kept

    assert edit(admin_client, person, photo="").status_code == 302
    assert Profile.objects.get(user=person).photo is None
    assert Image.objects.filter(pk=face.pk).exists()  # the image stays in the library


def test_a_person_without_a_profile_gets_one_with_the_photo(admin_client):
    person = UserFactory()
    assert edit(admin_client, person, photo=photo().pk).status_code == 302
    assert Profile.objects.get(user=person).photo is not None


def test_an_image_that_does_not_exist_is_refused_and_nothing_is_saved(admin_client):
    person = ProfileFactory(real_name="王秀英").user
    response = edit(admin_client, person, photo=999999, email="new@example.cn")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert User.objects.get(pk=person.pk).email == person.email
    assert Profile.objects.get(user=person).photo is None


def test_staff_add_a_person_with_a_photo(admin_client):
    face = photo()
    response = admin_client.post("/admin/users/new/", {
        "username": "zhangguilan", "email": "zhang@example.cn", "phone": "13905780001",
        "first_name": "桂兰", "last_name": "张", "password1": "Laonian-2026x",
        "password2": "Laonian-2026x", "photo": face.pk,
    })
    assert response.status_code == 302, getattr(response.context.get("form"), "errors", None) if response.context else None
    assert User.objects.get(username="zhangguilan").profile.photo == face
