"""Students' photos on the roll call: a small round rendition of the
profile's photo (decorative: the name is beside it), the first character of the
name otherwise; the same number of queries for 10 and 60 students with
photos (renditions prefetched with the roll)."""

import re
from io import BytesIO

import pytest
from django.core.files.images import ImageFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from PIL import Image as PILImage
from wagtail.images import get_image_model

from courses.services.attendance import attendance_mark
from tests.courses.attendance_world import make_world

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]

Image = get_image_model()


def photo(title: str) -> Image:
    buffer = BytesIO()
    PILImage.new("RGB", (120, 160), "#5a7d9a").save(buffer, format="JPEG")
    return Image.objects.create(title=title, file=ImageFile(buffer, name="face.jpg"))


def give_photo(who) -> Image:
    who.profile.photo = photo(who.profile.real_name)
    who.profile.save()
    return who.profile.photo


def roll(client, w) -> str:
    client.force_login(w.teacher)
    response = client.get(reverse("courses:roll_call", args=[w.session.pk]))
    assert response.status_code == 200
    return response.content.decode()


def row(html: str, who) -> str:
    return re.search(rf'<li class="roll-row" id="person-{who.pk}">.*?</li>', html, re.S).group(0)


def test_a_student_with_a_photo_shows_a_small_rendition_beside_the_name(client):
    w = make_world(students=2)
    with_photo, without = w.students
    give_photo(with_photo)
    html = roll(client, w)

    img = re.search(r"<img [^>]*>", row(html, with_photo)).group(0)
    # Decorative: the name is written next to it, so a screen reader says it once.
    assert 'alt=""' in img and 'class="roll-photo"' in img
    assert "学员00" in row(html, with_photo)
    rendition = with_photo.profile.photo.renditions.get()
    assert rendition.filter_spec == "fill-96x96"
    assert (rendition.width, rendition.height) == (96, 96)
    assert f'src="{rendition.url}"' in img
    assert with_photo.profile.photo.file.url not in html  # never the upload itself

    assert "<img" not in row(html, without)
    assert '<span class="roll-initial" aria-hidden="true">学</span>' in row(html, without)


def test_a_deleted_image_leaves_the_profile_without_a_photo(client):
    w = make_world(students=1)
    give_photo(w.student).delete()
    w.student.profile.refresh_from_db()
    assert w.student.profile.photo is None
    assert "<img" not in row(roll(client, w), w.student)


def queries_for_roll(client, w) -> int:
    client.force_login(w.teacher)
    url = reverse("courses:roll_call", args=[w.session.pk])
    client.get(url)  # warm caches, and make the renditions once
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('class="roll-photo"') == len(w.students)
    return len(captured)


def test_the_roll_with_photos_makes_the_same_number_of_queries_for_10_and_60_students(client):
    small = make_world(students=10)
    for who in small.students:
        give_photo(who)
    for who in small.students[:5]:
        attendance_mark(session=small.session, person=who, status="present", actor=small.teacher)
    small_count = queries_for_roll(client, small)

    big = make_world(students=60, school="second")
    for who in big.students:
        give_photo(who)
    for who in big.students[:50]:
        attendance_mark(session=big.session, person=who, status="late", actor=big.teacher)
    big_count = queries_for_roll(client, big)

    assert big_count == small_count
    # Each photo was made into its rendition once, on the first visit.
    assert Image.get_rendition_model().objects.count() == 70


def test_photos_cost_two_queries_whatever_the_class_size(client):
    w = make_world(students=10)
    client.force_login(w.teacher)
    url = reverse("courses:roll_call", args=[w.session.pk])
    client.get(url)
    with CaptureQueriesContext(connection) as without:
        client.get(url)
    for who in w.students:
        give_photo(who)
    client.get(url)
    with CaptureQueriesContext(connection) as with_photos:
        client.get(url)
    # the images, and their renditions
    assert len(with_photos) == len(without) + 2
