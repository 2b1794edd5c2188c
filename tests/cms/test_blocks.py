"""Every StreamField block is documented for editors and renders its own
template with its preview value."""

import re

import pytest
from django.utils.html import strip_tags

from cms.blocks import BodyStreamBlock, QuickLinkBlock

BLOCKS = [*BodyStreamBlock().child_blocks.values(), QuickLinkBlock()]


def _texts(value):
    """Every text in a raw preview value (dicts and lists walked), tags stripped."""
    if isinstance(value, dict):
        for item in value.values():
            yield from _texts(item)
    elif isinstance(value, list):
        for item in value:
            yield from _texts(item)
    elif isinstance(value, str):
        for line in re.split(r"\n", strip_tags(value)):
            if line.strip():
                yield line.strip()


@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name or "quick_link")
def test_block_has_icon_template_preview_value_and_description(block):
    assert block.meta.icon not in ("", "placeholder")
    assert block.meta.template.startswith("cms/blocks/")
    assert block.meta.preview_value
    assert str(block.get_description())


@pytest.mark.django_db
@pytest.mark.parametrize("block", BLOCKS, ids=lambda block: block.name or "quick_link")
def test_block_renders_its_preview_value(block):
    html = block.render(block.get_preview_value())

    texts = list(_texts(block.meta.preview_value))
    assert texts
    for text in texts:
        # Rich text keeps its markup; plain values are escaped like "#" → "#".
        assert text in strip_tags(html) or text in html, text


def test_quick_link_needs_a_page_or_an_address():
    from django.core.exceptions import ValidationError

    block = QuickLinkBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"label": "我要报名", "page": None, "url": ""}))


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,x", "//evil.example"]
)
def test_quick_link_refuses_an_address_that_is_not_a_web_link(url):
    from django.core.exceptions import ValidationError

    block = QuickLinkBlock()
    with pytest.raises(ValidationError):
        block.clean(block.to_python({"label": "我要报名", "page": None, "url": url}))


@pytest.mark.parametrize("url", ["/accounts/signup/", "https://www.lishui.gov.cn/"])
def test_quick_link_keeps_a_site_path_or_a_web_address(url):
    block = QuickLinkBlock()

    value = block.clean(block.to_python({"label": "我要报名", "page": None, "url": url}))

    assert f'href="{url}"' in block.render(value)
