"""StreamField blocks for school pages.

Every block has an icon, a template in ``cms/templates/cms/blocks/``, a
preview value and a description, so that editors see what it will look like
before they choose it. Templates use only the shared CSS vocabulary
(``.prose``, ``.notice``, ``.card``, ``.quick-links`` …).

``BodyStreamBlock`` is the body of every content page; ``QuickLinkBlock`` is
also used on its own for a home page's quick actions.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.documents.blocks import DocumentChooserBlock
from wagtail.images.blocks import ImageBlock

from lms.validators import validate_link

# Kept short on purpose: seniors read headings and paragraphs, not tables.
RICH_TEXT_FEATURES = ["bold", "italic", "h3", "ol", "ul", "link", "document-link"]


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("Heading text"), max_length=80)
    level = blocks.ChoiceBlock(
        label=_("Level"),
        choices=[("h2", _("Section heading")), ("h3", _("Sub-heading"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        preview_value = {"text": "报名须知", "level": "h2"}
        description = _("A heading that starts a new section of the page.")
        label = _("Heading")


class CaptionedImageBlock(blocks.StructBlock):
    image = ImageBlock(label=_("Image"))
    caption = blocks.CharBlock(label=_("Caption"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "cms/blocks/captioned_image.html"
        preview_value = {"caption": "书画班学员在莲都校区创作山水画"}
        description = _("A photo with alt text and an optional caption underneath.")
        label = _("Image with caption")


class QuickLinkBlock(blocks.StructBlock):
    """One big tile link: a page on the site or a path such as /accounts/login/."""

    label = blocks.CharBlock(label=_("Label"), max_length=20)
    description = blocks.CharBlock(
        label=_("Short description"), required=False, max_length=60
    )
    page = blocks.PageChooserBlock(label=_("Page"), required=False)
    # Rendered as an href: validate_link refuses javascript:, data: and the like.
    url = blocks.CharBlock(
        label=_("or address"), required=False, max_length=200, validators=[validate_link],
        help_text=_("Used when no page is chosen, e.g. /accounts/login/."),
    )

    class Meta:
        icon = "link"
        template = "cms/blocks/quick_link.html"
        preview_value = {"label": "课程目录", "description": "看看本学期开了哪些课", "url": "/courses/"}
        description = _("A large tile link to a page, easy to tap on a phone.")
        label = _("Quick link")

    def clean(self, value):
        value = super().clean(value)
        if value.get("page") is None and not value.get("url"):
            raise blocks.StructBlockValidationError(
                block_errors={"url": ValidationError(_("Choose a page or type an address."))}
            )
        return value


class QuickLinksBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=40)
    links = blocks.ListBlock(QuickLinkBlock(), label=_("Links"), min_num=1, max_num=8)

    class Meta:
        icon = "grip"
        template = "cms/blocks/quick_links.html"
        preview_value = {
            "heading": "常用服务",
            "links": [
                {"label": "课程目录", "description": "本学期开设的课程", "url": "/courses/"},
                {"label": "我要报名", "description": "网上报名，子女可代报", "url": "/accounts/signup/"},
                {"label": "联系我们", "description": "电话与地址", "url": "/contact/"},
            ],
        }
        description = _("A set of large tile links, two or three to a row on a phone.")
        label = _("Quick links")


class NoticeBlock(blocks.StructBlock):
    title = blocks.CharBlock(label=_("Title"), required=False, max_length=60)
    text = blocks.RichTextBlock(label=_("Text"), features=["bold", "link", "ul"])

    class Meta:
        icon = "warning"
        template = "cms/blocks/notice.html"
        preview_value = {
            "title": "温馨提示",
            "text": "<p>报名当天请带好身份证和一寸照片两张，老生可直接在网上续报。</p>",
        }
        description = _("A boxed notice that stands out from the text around it.")
        label = _("Notice")


class ContactCardBlock(blocks.StructBlock):
    name = blocks.CharBlock(label=_("Office or person"), max_length=60)
    phone = blocks.CharBlock(label=_("Phone"), max_length=40)
    hours = blocks.CharBlock(label=_("Office hours"), required=False, max_length=80)
    address = blocks.CharBlock(label=_("Address"), required=False, max_length=200)
    note = blocks.TextBlock(label=_("Note"), required=False)

    class Meta:
        icon = "mail"
        template = "cms/blocks/contact_card.html"
        preview_value = {
            "name": "教务处",
            "phone": "0578-2123456",
            "hours": "周一至周五 8:30–11:30，14:00–17:00",
            "address": "丽水市莲都区紫金路 1 号",
            "note": "报名期间周六上午也有人值班。",
        }
        description = _("A phone number people can tap to call, with hours and address.")
        label = _("Contact card")


class FAQItemBlock(blocks.StructBlock):
    question = blocks.CharBlock(label=_("Question"), max_length=120)
    answer = blocks.RichTextBlock(label=_("Answer"), features=["bold", "link", "ul", "ol"])


class FAQBlock(blocks.StructBlock):
    heading = blocks.CharBlock(
        label=_("Heading"), required=False, max_length=60, default="常见问题"
    )
    items = blocks.ListBlock(FAQItemBlock(), label=_("Questions"), min_num=1)

    class Meta:
        icon = "help"
        template = "cms/blocks/faq.html"
        preview_value = {
            "heading": "常见问题",
            "items": [
                {"question": "不会用手机能报名吗？",
                 "answer": "<p>可以。请子女代报，或带身份证到教务处现场报名。</p>"},
                {"question": "一个学期最多报几门课？",
                 "answer": "<p>每人每学期最多报三门课。</p>"},
            ],
        }
        description = _("Questions with their answers, written out in full.")
        label = _("Questions and answers")


class DocumentLinkBlock(blocks.StructBlock):
    document = DocumentChooserBlock(label=_("Document"))
    title = blocks.CharBlock(
        label=_("Link text"), required=False, max_length=80,
        help_text=_("Leave empty to use the document's title."),
    )
    description = blocks.CharBlock(label=_("Description"), required=False, max_length=120)

    class Meta:
        icon = "doc-full"
        template = "cms/blocks/document_link.html"
        preview_value = {"title": "2026年秋季学期招生简章", "description": "PDF，可打印"}
        description = _("A link to download a document such as a form or a timetable.")
        label = _("Document")


class BodyStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        features=RICH_TEXT_FEATURES,
        icon="pilcrow",
        template="cms/blocks/paragraph.html",
        preview_value=(
            "<p>丽水市老年大学创办于 1986 年，现开设书画、声乐、舞蹈、"
            "保健、智能手机等 <b>60 多门课程</b>。</p>"
        ),
        description=_("Text with bold, lists and links."),
        label=_("Paragraph"),
    )
    image = CaptionedImageBlock()
    quick_links = QuickLinksBlock()
    notice = NoticeBlock()
    contact = ContactCardBlock()
    faq = FAQBlock()
    document = DocumentLinkBlock()
