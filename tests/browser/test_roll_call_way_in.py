"""On a 360 px phone: a teacher finds 点名 in the header and "Today's roll
call" on My classes, and the roll call shows a student's photo as a small
round image named by its alt text; a student sees neither link. No axe-core
violation, readable text and large targets on these pages."""

from io import BytesIO

import pytest

from .conftest import assert_age_friendly, log_in
from .test_attendance import class_now, zh  # noqa: F401 (the fixture)

pytestmark = pytest.mark.browser

ROLL_CALL = "/teach/roll-call/"


@pytest.fixture
def photo_of_first_student(class_now):  # noqa: F811
    from django.core.files.images import ImageFile
    from PIL import Image as PILImage
    from wagtail.images import get_image_model

    buffer = BytesIO()
    PILImage.new("RGB", (120, 160), "#5a7d9a").save(buffer, format="JPEG")
    image = get_image_model().objects.create(
        title="浏览器测试照片", file=ImageFile(buffer, name="browser-face.jpg"))
    profile = class_now["students"][0].profile
    profile.photo = image
    profile.save()
    yield image
    image.delete()  # the profile's photo goes with it (SET_NULL)


def test_a_teacher_finds_todays_roll_call_from_my_classes(mobile_visitor, class_now,  # noqa: F811
                                                          photo_of_first_student):
    visitor, page = mobile_visitor, mobile_visitor.page
    log_in(visitor, class_now["teacher"])
    visitor.goto("/my/classes/")
    visitor.screenshot("my-classes")
    link = page.locator(f".account-nav a[href='{ROLL_CALL}']")
    assert link.is_visible() and link.inner_text() == zh("Roll call")
    button = page.locator(f"main a.button-primary[href='{ROLL_CALL}']")
    assert button.inner_text() == zh("Today's roll call")
    assert_age_friendly(page)  # the header with one more link still fits 360 px

    button.click()
    page.wait_for_load_state("load")
    assert page.locator(f".account-nav a[href='{ROLL_CALL}']").get_attribute(
        "aria-current") == "page"
    card = page.locator("main .card", has_text=class_now["title"])
    card.locator(f"a[href='{ROLL_CALL}{class_now['session'].pk}/']").click()
    page.wait_for_load_state("load")
    visitor.screenshot("roll-with-photo")

    first, second = class_now["students"][:2]
    img = page.locator(f"#person-{first.pk} .roll-who img")
    # Decorative: the name is written beside it.
    assert img.get_attribute("alt") == ""
    assert first.display_name in page.locator(f"#person-{first.pk} .roll-who").inner_text()
    assert "fill-96x96" in img.get_attribute("src")
    box = img.bounding_box()
    assert 40 <= box["width"] == box["height"] <= 60
    assert img.evaluate("el => getComputedStyle(el).borderRadius") == "50%"
    assert page.locator(f"#person-{second.pk} .roll-who img").count() == 0
    assert page.locator(f"#person-{second.pk} .roll-initial").inner_text() == "李"
    assert_age_friendly(page)


def test_a_student_sees_no_roll_call(mobile_visitor, class_now):  # noqa: F811
    visitor, page = mobile_visitor, mobile_visitor.page
    log_in(visitor, class_now["students"][1])
    visitor.goto("/my/classes/")
    visitor.screenshot("student")
    assert page.locator(f"a[href='{ROLL_CALL}']").count() == 0
    assert class_now["title"] in page.locator("main").inner_text()
    assert_age_friendly(page)
