"""Demo content for ``manage.py seed_demo``: the two schools with their home
pages, standard pages, news, menus and settings.

Idempotent: pages are found by slug under their parent, images by title,
settings and menus are filled only while empty. Nothing an editor changed is
overwritten.
"""

import datetime
from io import BytesIO

from django.core.files.images import ImageFile
from django.db import transaction
from PIL import Image as PILImage
from PIL import ImageDraw
from wagtail.images import get_image_model
from wagtail.images.models import Image as ImageModel
from wagtail.models import Page, Site

from cms.demo_content import CONTENT, COVERS
from cms.models import (
    HomePage,
    MenuItem,
    NavigationSettings,
    NewsIndexPage,
    NewsPage,
    SchoolSettings,
    StandardPage,
)
from cms.sites import school_sites_ensure


def _child_ensure(parent: Page, model: type[Page], slug: str, **fields) -> tuple[Page, bool]:
    """The ``model`` page with ``slug`` under ``parent``, created and
    published with ``fields`` if missing."""
    page = model.objects.child_of(parent).filter(slug=slug).first()
    if page is not None:
        return page, False
    page = parent.add_child(instance=model(slug=slug, **fields))
    page.save_revision().publish()
    return page, True


def _cover_ensure(key: str) -> ImageModel:
    """A generated cover picture (two-colour stripes, no text), found by title."""
    title, _alt, (dark, light) = COVERS[key]
    image_model = get_image_model()
    image = image_model.objects.filter(title=title).first()
    if image is not None:
        return image
    picture = PILImage.new("RGB", (1200, 675), light)
    draw = ImageDraw.Draw(picture)
    for band in range(0, 675, 90):
        draw.rectangle((0, band, 1200, band + 40), fill=dark)
    draw.ellipse((820, 160, 1120, 460), fill=light, outline=dark, width=24)
    buffer = BytesIO()
    picture.save(buffer, format="JPEG", quality=85)
    image = image_model(title=title, file=ImageFile(buffer, name=f"demo-{key}.jpg"))
    image.save()
    return image


def _settings_ensure(site: Site, content: dict) -> None:
    school = SchoolSettings.for_site(site)
    changed = False
    for name, value in content["settings"].items():
        if not getattr(school, name):
            setattr(school, name, value)
            changed = True
    if changed:
        school.save()


def _menu_ensure(site: Site, content: dict, pages: dict[str, Page]) -> None:
    navigation = NavigationSettings.for_site(site)
    if navigation.menu_items.exists():
        return
    for order, (label, key) in enumerate(content["menu"]):
        MenuItem.objects.create(
            settings=navigation, label=label, link_page=pages[key], sort_order=order
        )


def _home_fill(home: HomePage, content: dict, pages: dict[str, Page]) -> None:
    """Fill an untouched home page (no intro, no quick actions)."""
    if home.intro or home.quick_actions:
        return
    actions = []
    for label, description, target in content["quick_actions"]:
        value = {"label": label, "description": description, "page": None, "url": ""}
        if target.startswith("/"):
            value["url"] = target
        else:
            value["page"] = pages[target].pk
        actions.append({"type": "link", "value": value})
    home.intro = content["intro"]
    home.quick_actions = actions
    home.save_revision().publish()


def _school_seed(key: str, site: Site, stdout) -> None:
    content = CONTENT[key]
    home = site.root_page.specific
    pages: dict[str, Page] = {"home": home}
    created = 0
    for slug, title, intro, body in content["pages"]:
        pages[slug], was_created = _child_ensure(
            home, StandardPage, slug, title=title, intro=intro, body=body
        )
        created += was_created
    slug, title, intro = content["news_index"]
    index, was_created = _child_ensure(home, NewsIndexPage, slug, title=title, intro=intro)
    pages[slug] = index
    created += was_created
    for date, news_slug, news_title, summary, cover_key, paragraphs in content["news"]:
        fields = {
            "title": news_title,
            "date": datetime.date.fromisoformat(date),
            "intro": summary,
            "body": [
                {"type": "paragraph", "value": "".join(f"<p>{t}</p>" for t in paragraphs)}
            ],
        }
        if cover_key:
            fields["cover"] = _cover_ensure(cover_key)
            fields["cover_alt"] = COVERS[cover_key][1]
        _, was_created = _child_ensure(index, NewsPage, news_slug, **fields)
        created += was_created
    _home_fill(home, content, pages)
    _settings_ensure(site, content)
    _menu_ensure(site, content, pages)
    stdout.write(f"{site.site_name} ({site.hostname}): {created} pages created")


@transaction.atomic
def seed(stdout) -> None:
    for key, site in school_sites_ensure().items():
        _school_seed(key, site, stdout)
