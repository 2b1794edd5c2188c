"""Browser fixtures: headless Debian Chromium driven by Playwright, axe-core
checks, and a screenshot of every page a test visits.

Never run ``playwright install``: we use the system browser at
``$CHROMIUM_PATH`` (default ``/usr/bin/chromium``). Without it every browser
test is skipped (and the suite's CI guard turns the skips into a failure
under ``CI=true``).

The page checks (DESIGN.md §7) are ``assert_readable`` (no horizontal scroll,
every visible text ≥ 18 px), ``assert_targets`` (every control ≥ 48×48 px,
main actions ≥ 60 px high) and ``assert_accessible`` (axe-core, including
the 7:1 enhanced contrast rule); ``assert_age_friendly`` runs all three.

One demo database for the whole session
---------------------------------------
``manage.py seed_demo`` (both schools, hundreds of classes, thousands of
sessions) takes tens of seconds, so browser tests do not get pytest-django's
``transactional_db``, which flushes the database after every test and would
make the next test seed again. Instead:

* ``demo_data`` (session) seeds the demo once and commits it, so the live
  server thread sees it;
* ``browser_db`` (per test) opens database access without wrapping the test
  in a transaction and without flushing afterwards. ``live_server``,
  ``schools`` and ``student`` bring it along;
* ``_live_server_helper`` below overrides pytest-django's fixture of that
  name, which would otherwise add ``transactional_db`` to every test that
  uses ``live_server``.

Browser tests run after every other test (``tests/conftest.py`` sorts them
last), so nothing flushes the database once they have started; should a
transactional test run in between anyway, ``browser_db`` seeds again. The
test database is still destroyed at the end of the session.

What a browser test writes stays for the tests after it. So: never request
``db`` or ``transactional_db`` here (``browser_db`` fails the test if you
do); create people with ``unused_phone()`` (never a fixed number) and give
other objects you create unique names or delete them afterwards; never edit
a demo page, setting or account.
"""

import itertools
import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH") or "/usr/bin/chromium")
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

# What WeChat's built-in browser (X5/XWEB on Android) sends.
WECHAT_USER_AGENT = (
    "Mozilla/5.0 (Linux; Android 12; PEHM00 Build/SKQ1.210216.001; wv) "
    "AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/86.0.4240.99 "
    "XWEB/4317 MMWEBSDK/20230805 Mobile Safari/537.36 "
    "MMWEBID/2585 MicroMessenger/8.0.47.2560(0x28002F30) WeChat/arm64 Weixin "
    "NetType/WIFI Language/zh_CN ABI/arm64"
)

VIEWPORTS = {
    # The narrowest phones still in use (and 200 % zoom of a 640 px window).
    "narrow": {"viewport": {"width": 320, "height": 640}, "device_scale_factor": 2,
               "is_mobile": True, "has_touch": True},
    "mobile": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 2,
               "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "wechat": {"viewport": {"width": 360, "height": 740}, "device_scale_factor": 3,
               "is_mobile": True, "has_touch": True, "user_agent": WECHAT_USER_AGENT},
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
    """<test>[-<own parameters>]-<width>: the viewport shows in the width."""
    name = request.node.originalname
    callspec = getattr(request.node, "callspec", None)
    if callspec is not None:
        own = [str(v) for k, v in callspec.params.items() if k not in ("visitor", "page_visitor")]
        name = "-".join([name, *own])
    name = re.sub(r"[^\w.]+", "-", name).strip("-")
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
    prefix = _screenshot_name(request, width) + ("-wechat" if kind == "wechat" else "")
    visitor = Visitor(page, live_server.url, prefix, width)
    return context, visitor


@pytest.fixture(params=["mobile", "desktop"])
def visitor(request, browser, live_server, schools):
    """A fresh browser context at 360×740 (phone) and at 1280×800."""
    context, visitor = _make_visitor(browser, live_server, request, request.param)
    yield visitor
    context.close()


@pytest.fixture(params=["narrow", "mobile", "desktop"])
def page_visitor(request, browser, live_server, schools):
    """For page checks: 320×640 (narrowest phone) as well as 360 and 1280."""
    context, visitor = _make_visitor(browser, live_server, request, request.param)
    yield visitor
    context.close()


@pytest.fixture
def wechat_visitor(request, browser, live_server, schools):
    """A phone whose browser says it is WeChat's (user agent of XWEB 8.0.47)."""
    context, visitor = _make_visitor(browser, live_server, request, "wechat")
    yield visitor
    context.close()


@pytest.fixture
def narrow_visitor(request, browser, live_server, schools):
    """A 320×640 phone, the narrowest we support."""
    context, visitor = _make_visitor(browser, live_server, request, "narrow")
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
    from lms.accounts.roles import roles_ensure

    roles_ensure()


def _demo_present() -> bool:
    """Both schools' sites and the timetable are there (a flush empties
    every table, so two cheap queries tell)."""
    from wagtail.models import Site

    from courses.models import Section

    return Site.objects.count() >= 2 and Section.objects.exists()


def _seed_demo() -> None:
    from django.core.management import call_command

    _restore_migration_data()
    call_command("seed_demo", verbosity=0)


@pytest.fixture(scope="session")
def demo_data(django_db_setup, django_db_blocker):
    """``manage.py seed_demo`` once per session, committed (autocommit, no
    test transaction around it) so that the live server thread sees it."""
    with django_db_blocker.unblock():
        _seed_demo()
    yield


@pytest.fixture
def browser_db(request, demo_data, django_db_blocker):
    """Database access for a browser test and its live server: no
    transaction around the test, no flush after it (see the module
    docstring)."""
    with django_db_blocker.unblock():
        if not _demo_present():  # a transactional test flushed it
            _seed_demo()
        yield
    flushing = {"db", "transactional_db"} & set(request.fixturenames)
    if flushing:
        pytest.fail(
            f"{request.node.nodeid} uses {', '.join(sorted(flushing))}: browser tests share "
            "one seeded database (browser_db); a rollback or flush would lose or "
            "re-seed it. Use browser_db, schools or live_server instead.",
            pytrace=False,
        )


@pytest.fixture(autouse=True)
def _live_server_helper(request):
    """Overrides pytest-django's ``_live_server_helper`` for browser tests:
    the same, but with ``browser_db`` instead of ``transactional_db``."""
    if "live_server" not in request.fixturenames:
        yield
        return
    request.getfixturevalue("browser_db")
    live_server = request.getfixturevalue("live_server")
    live_server._live_server_modified_settings.enable()
    yield
    live_server._live_server_modified_settings.disable()


@pytest.fixture
def schools(browser_db):
    """Both schools as Wagtail Sites (``manage.py seed_demo``): the university
    on ``localhost`` (the default site) and the party school on
    ``dangxiao.localhost``."""
    from wagtail.models import Site

    return {site.hostname: site for site in Site.objects.all()}


_phone_numbers = itertools.count(1)


def unused_phone(prefix: str = "+86199") -> str:
    """A mobile number (``+86…``, 11 digits) that no account has yet.

    Browser tests share one database for the whole session, so a fixed
    number would collide with the same test at another width."""
    from lms.accounts.models import User

    while True:
        phone = f"{prefix}{next(_phone_numbers):0{14 - len(prefix)}d}"
        if not User.objects.filter(phone=phone).exists():
            return phone


def typed_phone(phone: str, full_width: bool = False) -> str:
    """``+8613912345678`` as people type it: ``139 1234 5678``, or with the
    full-width digits of a Chinese input method."""
    digits = phone.removeprefix("+86")
    typed = f"{digits[:3]} {digits[3:7]} {digits[7:]}"
    if full_width:
        typed = typed.translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    return typed


@pytest.fixture
def student(browser_db):
    """A new student (王秀英, like the demo's) with a number of their own."""
    from tests.factories import ProfileFactory

    phone = unused_phone()
    return ProfileFactory(
        real_name="王秀英",
        user__phone=phone,
        user__username=f"browser-student-{phone[-8:]}",
        user__email=f"browser-student-{phone[-8:]}@example.cn",
    ).user


def log_in(visitor, user) -> None:
    """Log in through the login form with the phone number as people type it."""
    page = visitor.page
    visitor.goto("/accounts/login/")
    page.fill("input[name=login]", typed_phone(user.phone))
    page.fill("input[name=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_load_state("load")


# --- assertions -------------------------------------------------------------

# axe-core's default rules (WCAG 2.x A/AA, best practices) plus the AAA
# enhanced contrast rule: body text needs 7:1 (DESIGN.md §7), not 4.5:1.
AXE_OPTIONS = {
    "resultTypes": ["violations"],
    "rules": {"color-contrast-enhanced": {"enabled": True}},
}


def assert_accessible(page) -> None:
    """axe-core finds no violation (WCAG 2.x A/AA, best practices and 7:1
    enhanced contrast)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_OPTIONS)
    violations = results.response["violations"]
    lines = []
    for violation in violations:
        targets = ", ".join(
            " ".join(map(str, node["target"])) for node in violation["nodes"][:5]
        )
        lines.append(f"{violation['id']} [{violation['impact']}]: {violation['help']} -> {targets}")
    assert not violations, f"{len(violations)} axe violation(s) on {page.url}:\n" + "\n".join(lines)


# Every visible text node of <body> with its computed size and line height.
# Text inside .visually-hidden is read aloud, not seen, so it is left out.
_TEXTS_JS = """() => {
    const out = [];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent.trim();
        const el = node.parentElement;
        if (!text || !el || el.closest("script, style, noscript, template, .visually-hidden")) continue;
        if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        const rect = range.getBoundingClientRect();
        if (rect.width === 0 || rect.height === 0) continue;
        const style = getComputedStyle(el);
        out.push({
            text: text.slice(0, 40),
            tag: el.tagName.toLowerCase() + (el.className ? "." + String(el.className).split(" ").join(".") : ""),
            fontSize: parseFloat(style.fontSize),
            lineHeight: style.lineHeight === "normal" ? null : parseFloat(style.lineHeight),
        });
    }
    return out;
}"""


def assert_readable(page, min_body_px: float = 18) -> None:
    """No horizontal scrolling, body text at least ``min_body_px``, and every
    visible piece of text at least 18 px with a line height of at least 1.3.

    No exceptions: captions, badges, help text, dates and the preferences
    bar are text people must read too.
    """
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

    texts = page.evaluate(_TEXTS_JS)
    assert texts, f"no visible text on {page.url}"
    small = [t for t in texts if t["fontSize"] < 18]
    assert not small, f"text under 18px on {page.url}:\n" + "\n".join(
        f"{t['fontSize']}px <{t['tag']}> {t['text']!r}" for t in small[:10]
    )
    # 0.5 px slack: browsers round computed line heights.
    tight = [t for t in texts if t["lineHeight"] is None
             or t["lineHeight"] < 1.3 * t["fontSize"] - 0.5]
    assert not tight, f"line height under 1.3 on {page.url}:\n" + "\n".join(
        f"{t['lineHeight']}px for {t['fontSize']}px <{t['tag']}> {t['text']!r}" for t in tight[:10]
    )


# Every visible control with its box. The target of a checkbox or radio
# button includes its <label> (a tap on the label ticks the box), so the
# larger of the two boxes counts.
#
# WCAG 2.5.8's inline exception, applied narrowly: a link is exempt when it is
# laid out inline (display: inline) inside running text, i.e. its nearest
# block ancestor holds more text than the link itself ("请拨打 … 或者 <a>…</a>").
# A link that stands alone in its paragraph or list item gets no exemption.
_TARGETS_JS = r"""() => {
    const out = [];
    const blockOf = (el) => {
        let p = el.parentElement;
        while (p && getComputedStyle(p).display.startsWith("inline")) p = p.parentElement;
        return p;
    };
    for (const el of document.querySelectorAll("a[href], button, input, select, textarea, summary")) {
        if (el.type === "hidden" || el.closest(".visually-hidden")) continue;
        if (!el.checkVisibility({visibilityProperty: true, opacityProperty: true})) continue;
        let rect = el.getBoundingClientRect();
        if (rect.width === 0 && rect.height === 0) continue;
        let width = rect.width, height = rect.height;
        if (el.labels) {
            for (const label of el.labels) {
                const r = label.getBoundingClientRect();
                width = Math.max(width, r.width);
                height = Math.max(height, r.height);
            }
        }
        const style = getComputedStyle(el);
        let inline = false;
        if (el.tagName === "A" && style.display === "inline") {
            const block = blockOf(el);
            const own = el.textContent.replace(/\s+/g, "");
            const around = block ? block.textContent.replace(/\s+/g, "") : own;
            inline = around.length > own.length;
        }
        out.push({
            html: el.outerHTML.slice(0, 90),
            width, height, inline,
            primary: el.classList.contains("button-primary"),
        });
    }
    return out;
}"""


def assert_targets(page, min_px: float = 48, main_px: float = 60) -> None:
    """Every visible link, button, field and summary is at least
    ``min_px``×``min_px`` (links inside running text excepted, see above) and
    every ``.button-primary`` at least ``main_px`` high (DESIGN.md §7).
    0.5 px slack for sub-pixel rounding."""
    targets = page.evaluate(_TARGETS_JS)
    small = [
        t for t in targets
        if not t["inline"] and (t["width"] < min_px - 0.5 or t["height"] < min_px - 0.5)
    ]
    assert not small, f"targets under {min_px}px on {page.url}:\n" + "\n".join(
        f"{t['width']:.0f}×{t['height']:.0f} {t['html']}" for t in small[:10]
    )
    low = [t for t in targets if t["primary"] and t["height"] < main_px - 0.5]
    assert not low, f"main actions under {main_px}px on {page.url}:\n" + "\n".join(
        f"{t['width']:.0f}×{t['height']:.0f} {t['html']}" for t in low
    )


def assert_age_friendly(page, min_body_px: float = 18) -> None:
    """All page checks: readable, large targets, no axe violation."""
    assert_readable(page, min_body_px=min_body_px)
    assert_targets(page)
    assert_accessible(page)


def font_size(page, selector: str) -> float:
    return page.eval_on_selector(selector, "el => parseFloat(getComputedStyle(el).fontSize)")
