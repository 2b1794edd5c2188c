""""My family" pages: ask, type the code, agree with one button, end."""

import re

import pytest
from django.urls import reverse
from django.utils import translation

from lms import sms
from lms.accounts.models import ProxyLink
from lms.accounts.proxies import proxy_consent, proxy_request
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = ProxyLink.Status


@pytest.fixture
def english(client):
    client.cookies["lms_language"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture
def mother():
    return ProfileFactory(real_name="王秀英", user__phone="+8613800000001").user


@pytest.fixture
def daughter():
    return ProfileFactory(real_name="李小红", user__phone="+8613900000002").user


def test_family_page_needs_a_login(client):
    response = client.get(reverse("accounts:family"))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_link_with_the_code_from_the_text_message(english, daughter, mother,
                                                  django_capture_on_commit_callbacks):
    client = english
    client.force_login(daughter)
    page = client.get(reverse("accounts:family"))
    assert page.status_code == 200
    assert "Enrol for a family member" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("accounts:family"),
                               {"phone": "138 0000 0001", "relation": "daughter"})
    link = ProxyLink.objects.get(proxy=daughter, student=mother)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:family_code", args=[link.pk])
    code_page = client.get(response["Location"])
    assert "138****0001" in code_page.content.decode()

    code = re.search(r"\d{6}", sms.outbox[-1]["message"]).group(0)
    wrong = client.post(response["Location"], {"code": "12345"})
    assert wrong.status_code == 400
    assert "6 digits" in wrong.content.decode()
    # Full-width digits with a space are the same code.
    typed = code[:3] + " " + code[3:].translate({ord(d): chr(ord(d) + 0xFEE0) for d in "0123456789"})
    done = client.post(response["Location"], {"code": typed}, follow=True)
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    assert "You can now enrol 王秀英" in done.content.decode()


def test_a_wrong_code_says_how_many_tries_are_left(english, daughter, mother, monkeypatch):
    from lms.accounts.adapter import AccountAdapter

    monkeypatch.setattr(AccountAdapter, "generate_login_code", lambda self: "123456")
    english.force_login(daughter)
    link = proxy_request(proxy=daughter, phone=mother.phone, relation="son")
    url = reverse("accounts:family_code", args=[link.pk])
    response = english.post(url, {"code": "654321"})
    assert response.status_code == 400
    assert "4 tries left" in response.content.decode()
    for _ in range(4):
        response = english.post(url, {"code": "654321"})
    # The fifth wrong try ends the request: back to "My family", with why.
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:family")
    link.refresh_from_db()
    assert link.status == Status.ENDED
    page = english.get(response["Location"]).content.decode()
    assert "typed wrong too many times" in page


def test_bad_requests_get_plain_words_and_save_nothing(english, daughter):
    english.force_login(daughter)
    cases = [
        ({"phone": "137 9999 9999", "relation": "daughter"}, "not registered yet"),
        ({"phone": "139 0000 0002", "relation": "daughter"}, "your own mobile number"),
        ({"phone": "138 00", "relation": "daughter"}, "11 digits"),
        ({"phone": "", "relation": "daughter"}, "This field is required"),
        ({"phone": "138 0000 0001"}, "Please choose what you are to them"),
    ]
    for data, words in cases:
        response = english.post(reverse("accounts:family"), data)
        assert response.status_code == 400, data
        assert words in response.content.decode(), data
    assert not ProxyLink.objects.exists()
    assert not sms.outbox


def test_the_student_sees_the_request_and_agrees_with_one_button(english, daughter, mother):
    link = proxy_request(proxy=daughter, phone=mother.phone, relation="daughter")
    english.force_login(mother)
    page = english.get(reverse("accounts:family")).content.decode()
    assert "Asking to enrol for you" in page
    assert "李小红" in page and "139****0002" in page
    response = english.post(reverse("accounts:family_agree", args=[link.pk]), follow=True)
    link.refresh_from_db()
    assert link.status == Status.ACTIVE
    assert "李小红 can now enrol you" in response.content.decode()
    assert "Family who can enrol for me" in response.content.decode()


def test_the_student_refuses_with_one_button(english, daughter, mother):
    link = proxy_request(proxy=daughter, phone=mother.phone, relation="daughter")
    english.force_login(mother)
    response = english.post(reverse("accounts:family_end", args=[link.pk]), follow=True)
    link.refresh_from_db()
    assert link.status == Status.ENDED and link.ended_by == mother
    assert "You refused the request of 李小红" in response.content.decode()


def test_ending_asks_first_then_ends(english, daughter, mother):
    link = proxy_consent(link=proxy_request(proxy=daughter, phone=mother.phone,
                                            relation="daughter"), actor=mother)
    english.force_login(daughter)
    url = reverse("accounts:family_end", args=[link.pk])
    confirm = english.get(url)
    assert confirm.status_code == 200
    assert "Yes, end the link" in confirm.content.decode()
    link.refresh_from_db()
    assert link.status == Status.ACTIVE  # a GET changes nothing
    response = english.post(url, follow=True)
    link.refresh_from_db()
    assert link.status == Status.ENDED
    assert "The link with 王秀英 has ended" in response.content.decode()


def test_other_peoples_links_are_not_found(english, daughter, mother):
    link = proxy_request(proxy=daughter, phone=mother.phone, relation="daughter")
    english.force_login(UserFactory())
    for name in ("family_code", "family_end"):
        assert english.get(reverse(f"accounts:{name}", args=[link.pk])).status_code == 404
    for name in ("family_agree", "family_resend", "family_end"):
        assert english.post(reverse(f"accounts:{name}", args=[link.pk])).status_code == 404
    # The student cannot type the code page for their own request, nor the
    # family member agree for the student.
    english.force_login(mother)
    assert english.get(reverse("accounts:family_code", args=[link.pk])).status_code == 404
    english.force_login(daughter)
    assert english.post(reverse("accounts:family_agree", args=[link.pk])).status_code == 404
    link.refresh_from_db()
    assert link.status == Status.PENDING


def test_the_profile_page_links_to_my_family(english, mother):
    english.force_login(mother)
    page = english.get(reverse("accounts:profile")).content.decode()
    assert reverse("accounts:family") in page
