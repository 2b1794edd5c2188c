"""lms.validators.validate_link, shared by every app that stores a link."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from lms.validators import validate_link


@pytest.mark.parametrize(
    "link",
    [
        "",
        "/",
        "/courses/calligraphy/",
        "/notices/?page=2#top",
        "https://dangxiao.example.cn/news/",
        "http://example.cn",
        "HTTPS://EXAMPLE.CN/",
    ],
)
def test_site_paths_and_web_addresses_are_accepted(link):
    validate_link(link)


@pytest.mark.parametrize(
    "link",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "mailto:someone@example.cn",
        "//evil.example/",
        "/\\evil.example/",
        "/\t/evil.example/",
        "courses/calligraphy/",
        "ftp://example.cn/file",
        " javascript:alert(1)",
    ],
)
def test_other_links_are_refused(link):
    with pytest.raises(ValidationError) as caught:
        validate_link(link)
    assert caught.value.code == "invalid_link"


def test_the_refusal_is_explained_in_chinese_by_default():
    with translation.override("zh-hans"), pytest.raises(ValidationError) as caught:
        validate_link("javascript:alert(1)")
    assert caught.value.messages == ["链接必须以“/”“http://”或“https://”开头。"]


def test_the_notification_model_uses_the_shared_validator():
    from lms.notifications.models import Notification

    assert validate_link in Notification._meta.get_field("url").validators
