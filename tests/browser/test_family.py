"""A family member links to a parent with the code from the parent's text
message, enrols the parent in a class, and sees it under the parent in
"my classes" — on a 360 px phone."""

import datetime
import re

import pytest

from .conftest import assert_age_friendly, log_in, typed_phone, unused_phone

pytestmark = pytest.mark.browser


@pytest.fixture
def family(browser_db):
    """A parent (the student) and their daughter, each with an account."""
    from tests.factories import ProfileFactory

    def make(name):
        phone = unused_phone("+86198")
        return ProfileFactory(
            real_name=name, birth_date=datetime.date(1956, 8, 21), user__phone=phone,
            user__username=f"browser-family-{phone[-8:]}",
            user__email=f"browser-family-{phone[-8:]}@example.cn",
        ).user

    return {"parent": make("王秀英"), "daughter": make("李小红")}


@pytest.fixture
def open_class(browser_db):
    """A class of the university's catalogue whose enrolment is open now:
    the demo's terms are past their windows, so a term of its own (no
    windows: open) with one class; both deleted afterwards, with the
    enrolments the test made."""
    from wagtail.models import Site

    from courses.models import CampusPage, CourseIndexPage, CoursePage, Enrolment, Term
    from tests.courses.factories import section

    home = Site.objects.get(is_default_site=True).root_page
    catalogue = CourseIndexPage.objects.live().descendant_of(home).first()
    course = CoursePage.objects.live().child_of(catalogue).order_by("path").first()
    campus = CampusPage.objects.live().descendant_of(home).order_by("path").first()
    from django.utils import timezone

    start = timezone.localdate() + datetime.timedelta(days=30)
    term = Term.objects.create(
        school=home.specific, name=f"浏览器测试学期{start:%m%d}-{unused_phone()[-4:]}",
        start_date=start, end_date=start + datetime.timedelta(days=90), is_published=True,
    )
    sec = section(course_page=course, term=term, campus_page=campus, name="家人代报班",
                  capacity=10, slots=((2, "09:00", "11:00"),))
    path = catalogue.get_url_parts()[2]  # the path on its site (localhost)
    url = path + catalogue.reverse_subpage("section", args=[sec.pk]).lstrip("/")
    yield {"section": sec, "url": url, "course": course}
    Enrolment.objects.filter(section=sec).delete()
    sec.delete()
    term.delete()


def test_a_daughter_links_to_her_mother_and_enrols_her(mobile_visitor, family, open_class):
    from courses.models import Enrolment
    from lms import sms
    from lms.accounts.models import ProxyLink

    visitor, page = mobile_visitor, mobile_visitor.page
    parent, daughter = family["parent"], family["daughter"]
    log_in(visitor, daughter)

    # My family: nobody linked yet, the form to ask.
    visitor.goto("/accounts/family/")
    assert_age_friendly(page)
    page.locator("#id_phone").fill(typed_phone(parent.phone, full_width=True))
    page.locator("input[name=relation][value=daughter]").check()
    visitor.screenshot("filled")
    page.locator("main form.form button.button-primary").click()
    page.wait_for_load_state("load")

    # The parent received a text saying who asks, with the code.
    link = ProxyLink.objects.get(student=parent, proxy=daughter)
    assert page.url.endswith(f"/accounts/family/{link.pk}/code/")
    visitor.screenshot("code")
    assert_age_friendly(page)
    message = [m for m in sms.outbox if m["phone"] == parent.phone][-1]["message"]
    assert daughter.phone[3:6] + "****" + daughter.phone[-4:] in message
    page.locator("#id_code").fill(re.search(r"\d{6}", message).group(0))
    page.locator("main form.form button.button-primary").click()
    page.wait_for_load_state("load")

    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE
    assert page.url.endswith("/accounts/family/")
    assert "王秀英" in page.locator("main").inner_text()
    visitor.screenshot("linked")
    assert_age_friendly(page)

    # Ending asks first (the confirm page), then goes back unchanged.
    page.locator(f"a[href='/accounts/family/{link.pk}/end/']").click()
    page.wait_for_load_state("load")
    visitor.screenshot("end-confirm")
    assert_age_friendly(page)
    page.locator("main a.button-secondary").click()
    page.wait_for_load_state("load")
    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE

    # Enrol the mother from the class page: "Enrol for" lists her.
    visitor.goto(open_class["url"])
    choice = page.locator(f"input[name=person][value='{parent.pk}']")
    choice.check()
    visitor.screenshot("enrol-for")
    page.locator("form.enrol-form button.button-primary").click()
    page.wait_for_load_state("load")
    visitor.screenshot("result")
    row = Enrolment.objects.get(person=parent, section=open_class["section"])
    assert row.status == Enrolment.Status.ENROLLED
    assert row.acted_by == daughter and row.source == Enrolment.Source.PROXY
    assert not Enrolment.objects.filter(person=daughter, section=open_class["section"]).exists()

    # My classes: the class under the mother's name.
    visitor.goto("/my/classes/")
    mother_part = page.locator(f"section[aria-labelledby='person-{parent.pk}']")
    assert "王秀英" in mother_part.locator("h2").inner_text()
    assert open_class["course"].title in mother_part.inner_text()


def test_a_mother_agrees_to_her_sons_request_with_one_button(mobile_visitor, family):
    from lms.accounts.models import ProxyLink
    from lms.accounts.proxies import proxy_request

    visitor, page = mobile_visitor, mobile_visitor.page
    parent, son = family["parent"], family["daughter"]
    link = proxy_request(proxy=son, phone=parent.phone, relation="son")
    log_in(visitor, parent)
    visitor.goto("/accounts/family/")
    assert_age_friendly(page)
    cards = page.locator("section[aria-labelledby='asking-title'] .card")
    assert cards.count() == 1 and "李小红" in cards.first.inner_text()
    cards.first.locator(f"form[action='/accounts/family/{link.pk}/agree/'] button").click()
    page.wait_for_load_state("load")
    visitor.screenshot("agreed")
    link.refresh_from_db()
    assert link.status == ProxyLink.Status.ACTIVE
    assert "李小红" in page.locator("section[aria-labelledby='for-me-title']").inner_text()
    assert_age_friendly(page)
