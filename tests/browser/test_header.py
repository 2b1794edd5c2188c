"""The header as a signed-in student sees it."""

import pytest

from .conftest import assert_targets, log_in

pytestmark = pytest.mark.browser


def _contrast(page, selector: str) -> float:
    """WCAG contrast ratio of an element's text colour on its own background."""
    return page.eval_on_selector(selector, """el => {
        const rgb = (c) => c.match(/[\\d.]+/g).slice(0, 3).map(Number);
        const lum = (c) => {
            const [r, g, b] = rgb(c).map(v => {
                v /= 255;
                return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4);
            });
            return 0.2126 * r + 0.7152 * g + 0.0722 * b;
        };
        const style = getComputedStyle(el);
        const [a, b] = [lum(style.color), lum(style.backgroundColor)].sort((x, y) => y - x);
        return (a + 0.05) / (b + 0.05);
    }""")


def test_unread_badge_stays_readable_when_the_link_is_hovered(visitor, student):
    from lms.notifications.models import Notification

    Notification.objects.create(
        recipient=student, kind=Notification.Kind.GENERAL, title="开课通知", body="书法班周二开课。"
    )
    log_in(visitor, student)
    page = visitor.page
    badge = ".account-nav a .badge"
    assert page.locator(badge).inner_text().startswith("1")
    assert _contrast(page, badge) >= 7
    assert_targets(page)

    page.locator(".account-nav a", has=page.locator(".badge")).hover()
    visitor.screenshot("hover")
    # Before the fix the badge turned red on red (1:1) under the pointer.
    assert _contrast(page, badge) >= 7
