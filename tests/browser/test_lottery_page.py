"""The demo lottery's public result page on a phone: readable at 320 and
360 px, big targets, no axe violations, and "find my ticket" works without
JavaScript."""

import pytest

from .conftest import assert_accessible, assert_readable, assert_targets

pytestmark = pytest.mark.browser


@pytest.fixture
def lottery_class(live_server):
    from courses.demo_lottery import NAME
    from courses.models import Section

    # Another test may have copied the class into a later term.
    return (Section.objects.filter(name=NAME, lottery_entries__draw__status="published")
            .distinct().get())


def test_the_result_page_on_a_phone_is_age_friendly(page_visitor, lottery_class):
    response = page_visitor.goto(f"/lottery/sections/{lottery_class.pk}/")

    assert response.status == 200
    page = page_visitor.page
    assert page.locator("h1").count() == 1
    assert page.locator("tbody tr").count() >= 50
    assert_accessible(page)
    assert_readable(page)
    assert_targets(page)


def test_find_my_ticket_without_javascript(browser, live_server, schools, lottery_class):
    from courses.models import Enrolment

    waiting = (Enrolment.objects.filter(section=lottery_class, status="waitlisted")
               .order_by("queue_rank").first())
    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/lottery/sections/{lottery_class.pk}/")
        page.locator("#lottery-ticket").fill(waiting.ticket.lower())
        page.locator("form[role=search] button[type=submit]").click()
        page.wait_for_load_state("load")
        answer = page.locator("#ticket-answer")
        assert answer.is_visible()
        assert waiting.ticket in answer.inner_text()
        assert page.locator(f"#ticket-{waiting.ticket} mark").is_visible()
        # (axe needs JavaScript: the other test checks this page with it.)
    finally:
        context.close()
