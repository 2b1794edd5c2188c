"""Browser fixtures: headless Debian Chromium driven by Playwright, axe-core
checks, and a screenshot of every page a test visits.

Never run ``playwright install``: we use the system browser at
``/usr/bin/chromium``. Without it every browser test is skipped (and the
suite's CI guard turns the skips into a failure under ``CI=true``).
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
PASSWORD = "Laonian-2026"

VIEWPORTS = {
    "mobile": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
               "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; browser tests need it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; Django refuses
    # ORM calls from a thread with a running loop unless told this is fine.
    # Only while the browser runs: the deploy checks elsewhere in the suite
    # (async.E001) must not see it.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            yield browser
            browser.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


def _screenshot_name(request, width: int) -> str:
    name = re.sub(r"[^\w.-]+", "-", request.node.originalname).strip("-")
    return f"{name}-{width}"


class Visitor:
    """A page plus the habits of our tests: every visit is screenshotted."""

    def __init__(self, page, base_url: str, shot_prefix: str, width: int):
        self.page = page
        self.base_url = base_url
        self.width = width
        self._prefix = shot_prefix
        self._shots = 0

    def url(self, path: str, host: str | None = None) -> str:
        if host is None:
            return self.base_url + path
        port = self.base_url.rsplit(":", 1)[1]
        return f"http://{host}:{port}{path}"

    def goto(self, path: str, host: str | None = None):
        response = self.page.goto(self.url(path, host))
        self.page.wait_for_load_state("load")
        self.screenshot()
        return response

    def screenshot(self, suffix: str = ""):
        """Full-page PNG in test-artifacts/screenshots/<test>-<width>[-n].png."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self._shots += 1
        name = self._prefix if self._shots == 1 else f"{self._prefix}-{self._shots}"
        if suffix:
            name = f"{name}-{suffix}"
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def _make_visitor(browser, live_server, request, kind: str):
    options = VIEWPORTS[kind]
    context = browser.new_context(locale="zh-CN", **options)
    context.set_default_timeout(15_000)
    page = context.new_page()
    width = options["viewport"]["width"]
    visitor = Visitor(page, live_server.url, _screenshot_name(request, width), width)
    return context, visitor


@pytest.fixture(params=["mobile", "desktop"])
def visitor(request, browser, live_server, schools):
    """A fresh browser context at 360×740 (phone) and at 1280×800."""
    context, visitor = _make_visitor(browser, live_server, request, request.param)
    yield visitor
    context.close()


@pytest.fixture
def mobile_visitor(request, browser, live_server, schools):
    context, visitor = _make_visitor(browser, live_server, request, "mobile")
    yield visitor
    context.close()


def _restore_migration_data() -> None:
    """Put back what data migrations create (tree root, locale, collection
    root, role groups): a transactional test before us may have flushed it.
    (``serialized_rollback`` cannot do this once a non-serialized
    transactional test has re-created content types with new ids.)"""
    from importlib import import_module

    from django.apps import apps
    from django.conf import settings
    from django.utils.translation import get_supported_language_variant
    from wagtail.models import Collection, Locale, Page

    locale, _ = Locale.objects.get_or_create(
        language_code=get_supported_language_variant(settings.LANGUAGE_CODE)
    )
    if not Page.objects.filter(depth=1).exists():
        Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    if not Collection.objects.filter(depth=1).exists():
        Collection.add_root(name="Root")
    import_module("lms.accounts.migrations.0002_roles").create_roles(apps, None)


@pytest.fixture
def schools(transactional_db):
    """Both schools as Wagtail Sites (``manage.py seed_demo``): the university
    on ``localhost`` (the default site) and the party school on
    ``dangxiao.localhost``."""
    from django.core.management import call_command
    from wagtail.models import Site

    _restore_migration_data()
    call_command("seed_demo", verbosity=0)
    return {site.hostname: site for site in Site.objects.all()}


@pytest.fixture
def student(transactional_db):
    from tests.factories import ProfileFactory

    return ProfileFactory(real_name="王秀英", user__phone="+8613912345678").user


def log_in(visitor, user) -> None:
    """Log in through the login form with the phone number as people type it."""
    page = visitor.page
    visitor.goto("/accounts/login/")
    digits = user.phone.removeprefix("+86")
    page.fill("input[name=login]", f"{digits[:3]} {digits[3:7]} {digits[7:]}")
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("load")


# --- assertions -------------------------------------------------------------

def assert_accessible(page) -> None:
    """axe-core finds no violation (WCAG 2.x A/AA and best practices)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response["violations"]
    lines = []
    for violation in violations:
        targets = ", ".join(
            " ".join(map(str, node["target"])) for node in violation["nodes"][:5]
        )
        lines.append(f"{violation['id']} [{violation['impact']}]: {violation['help']} -> {targets}")
    assert not violations, f"{len(violations)} axe violation(s) on {page.url}:\n" + "\n".join(lines)


def assert_readable(page, min_body_px: float = 18) -> None:
    """No horizontal scrolling and body text at least ``min_body_px``."""
    metrics = page.evaluate(
        """() => ({
            scrollWidth: document.documentElement.scrollWidth,
            clientWidth: document.documentElement.clientWidth,
            fontSize: parseFloat(getComputedStyle(document.body).fontSize),
            lineHeight: parseFloat(getComputedStyle(document.body).lineHeight),
        })"""
    )
    assert metrics["scrollWidth"] <= metrics["clientWidth"], (
        f"horizontal scroll on {page.url}: {metrics['scrollWidth']} > {metrics['clientWidth']}"
    )
    assert metrics["fontSize"] >= min_body_px, f"body text {metrics['fontSize']}px on {page.url}"
    assert metrics["lineHeight"] >= 1.3 * metrics["fontSize"], f"line height on {page.url}"


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")
