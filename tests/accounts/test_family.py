"""Family members who enrol for a student, with the student's consent
(lms/accounts/proxies.py): the services."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone, translation

from lms import sms
from lms.accounts.models import ProxyLink
from lms.accounts.proxies import (
    CODE_MAX_TRIES,
    MAX_ACTIVE_PROXIES,
    ProxyRefused,
    notice_recipients,
    proxy_code_resend,
    proxy_consent,
    proxy_end,
    proxy_request,
)
from lms.accounts.services import can_act_for, proxy_people
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = ProxyLink.Status


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def mother():
    return ProfileFactory(real_name="王秀英", user__phone="+8613800000001").user


@pytest.fixture
def daughter():
    return ProfileFactory(real_name="李小红", user__phone="+8613900000002").user


def sent_code(phone: str) -> str:
    message = [m for m in sms.outbox if m["phone"] == phone][-1]["message"]
    return re.search(r"\b(\d{6})\b", message).group(1)


def request_link(daughter, mother, **kwargs):
    return proxy_request(proxy=daughter, phone=kwargs.pop("phone", "138 0000 0001"),
                         relation=kwargs.pop("relation", "daughter"), **kwargs)


def test_request_texts_the_student_a_code_saying_who_asks(django_capture_on_commit_callbacks,
                                                          daughter, mother):
    with django_capture_on_commit_callbacks(execute=True):
        link = proxy_request(proxy=daughter, phone="１３８-0000-0001", relation="daughter")
    assert link.status == Status.PENDING
    assert link.student == mother and link.proxy == daughter
    [message] = sms.outbox
    assert message["phone"] == "+8613800000001"
    # The family member's number, masked, and the code, in the school's language.
    assert "139****0002" in message["message"]
    code = sent_code(mother.phone)
    assert code in message["message"]
    # Only a hash is kept.
    link.refresh_from_db()
    assert link.code_hash != code and len(link.code_hash) == 64


def test_the_right_code_makes_the_link_active(django_capture_on_commit_callbacks,
                                              daughter, mother):
    with django_capture_on_commit_callbacks(execute=True):
        link = request_link(daughter, mother)
    link = proxy_consent(link=link, actor=daughter, code=sent_code(mother.phone))
    assert link.status == Status.ACTIVE and link.consented_at is not None
    assert can_act_for(actor=daughter, person=mother)
    assert not can_act_for(actor=mother, person=daughter)
    assert proxy_people(actor=daughter) == [daughter, mother]
    assert notice_recipients(person=mother) == [mother, daughter]
    # Consenting again changes nothing.
    again = proxy_consent(link=link, actor=daughter, code="000000")
    assert again.consented_at == link.consented_at


def test_a_wrong_code_counts_a_try_and_the_fifth_ends_the_request(
        django_capture_on_commit_callbacks, daughter, mother):
    with django_capture_on_commit_callbacks(execute=True):
        link = request_link(daughter, mother)
    right = sent_code(mother.phone)
    wrong = "000000" if right != "000000" else "111111"
    for attempt in range(1, CODE_MAX_TRIES):
        with pytest.raises(ProxyRefused) as refused:
            proxy_consent(link=link, actor=daughter, code=wrong)
        assert refused.value.code == "wrong_code"
        assert f"{CODE_MAX_TRIES - attempt} tries left" in refused.value.message
        link.refresh_from_db()
        assert link.code_tries == attempt and link.status == Status.PENDING
    with pytest.raises(ProxyRefused) as refused:
        proxy_consent(link=link, actor=daughter, code=wrong)
    assert refused.value.code == "too_many_tries"
    link.refresh_from_db()
    assert link.status == Status.ENDED
    # Even the right code does nothing now.
    with pytest.raises(ProxyRefused) as refused:
        proxy_consent(link=link, actor=daughter, code=right)
    assert refused.value.code == "ended"
    assert not can_act_for(actor=daughter, person=mother)


def test_a_code_expires_after_15_minutes(django_capture_on_commit_callbacks, daughter, mother):
    asked = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        link = request_link(daughter, mother, now=asked)
    code = sent_code(mother.phone)
    with pytest.raises(ProxyRefused) as refused:
        proxy_consent(link=link, actor=daughter, code=code, now=asked + timedelta(minutes=15))
    assert refused.value.code == "code_expired"
    link.refresh_from_db()
    assert link.status == Status.PENDING
    # A new code (after the one-minute wait) works.
    with django_capture_on_commit_callbacks(execute=True):
        proxy_code_resend(link=link, actor=daughter, now=asked + timedelta(minutes=16))
    new = sent_code(mother.phone)
    link = proxy_consent(link=link, actor=daughter, code=new, now=asked + timedelta(minutes=17))
    assert link.status == Status.ACTIVE


def test_a_new_code_replaces_the_old_one_but_not_within_a_minute(
        django_capture_on_commit_callbacks, daughter, mother):
    asked = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        link = request_link(daughter, mother, now=asked)
    old = sent_code(mother.phone)
    with pytest.raises(ProxyRefused) as refused:
        proxy_code_resend(link=link, actor=daughter, now=asked + timedelta(seconds=20))
    assert refused.value.code == "too_soon"
    with django_capture_on_commit_callbacks(execute=True):
        proxy_code_resend(link=link, actor=daughter, now=asked + timedelta(minutes=2))
    new = sent_code(mother.phone)
    assert ProxyLink.objects.filter(student=mother, proxy=daughter).count() == 1
    if new != old:
        with pytest.raises(ProxyRefused):
            proxy_consent(link=link, actor=daughter, code=old, now=asked + timedelta(minutes=3))


def test_the_student_consents_with_one_button(daughter, mother):
    link = request_link(daughter, mother)
    link = proxy_consent(link=link, actor=mother)
    assert link.status == Status.ACTIVE
    assert can_act_for(actor=daughter, person=mother)


def test_the_family_member_cannot_consent_without_the_code(daughter, mother):
    link = request_link(daughter, mother)
    with pytest.raises(ProxyRefused) as refused:
        proxy_consent(link=link, actor=daughter)
    assert refused.value.code == "no_code"


def test_a_stranger_cannot_consent_or_end(daughter, mother):
    link = request_link(daughter, mother)
    stranger = UserFactory()
    with pytest.raises(ProxyRefused):
        proxy_consent(link=link, actor=stranger)
    with pytest.raises(ProxyRefused):
        proxy_end(link=link, actor=stranger)
    link.refresh_from_db()
    assert link.status == Status.PENDING


@pytest.mark.parametrize("side", ["student", "proxy"])
def test_either_side_ends_a_link(daughter, mother, side):
    link = proxy_consent(link=request_link(daughter, mother), actor=mother)
    actor = mother if side == "student" else daughter
    link = proxy_end(link=link, actor=actor)
    assert link.status == Status.ENDED and link.ended_by == actor and link.ended_at
    assert not can_act_for(actor=daughter, person=mother)
    assert proxy_people(actor=daughter) == [daughter]
    assert notice_recipients(person=mother) == [mother]
    # Ending again changes nothing; asking again makes a new link.
    assert proxy_end(link=link, actor=actor).ended_at == link.ended_at
    again = request_link(daughter, mother)
    assert again.pk != link.pk and again.status == Status.PENDING


def test_refusals_in_plain_words(daughter, mother):
    cases = [
        ("138 0000", "invalid_phone", "11 digits"),
        ("137 9999 9999", "unknown_phone", "not registered yet"),
        ("139 0000 0002", "self", "your own mobile number"),
    ]
    for phone, code, words in cases:
        with pytest.raises(ProxyRefused) as refused:
            proxy_request(proxy=daughter, phone=phone, relation="daughter")
        assert refused.value.code == code
        assert words in refused.value.message
    proxy_consent(link=request_link(daughter, mother), actor=mother)
    with pytest.raises(ProxyRefused) as refused:
        request_link(daughter, mother)
    assert refused.value.code == "already_linked"
    assert not ProxyLink.objects.filter(proxy=daughter).exclude(student=mother).exists()


def test_an_unknown_relation_is_refused(daughter, mother):
    with pytest.raises(ProxyRefused) as refused:
        request_link(daughter, mother, relation="neighbour")
    assert refused.value.code == "relation"
    assert not ProxyLink.objects.exists()


def test_a_student_has_at_most_three_active_family_members(mother):
    family = [UserFactory() for _ in range(MAX_ACTIVE_PROXIES + 1)]
    for member in family[:MAX_ACTIVE_PROXIES]:
        proxy_consent(link=request_link(member, mother), actor=mother)
    with pytest.raises(ProxyRefused) as refused:
        request_link(family[-1], mother)
    assert refused.value.code == "too_many"
    assert "3 family members" in refused.value.message
    assert ProxyLink.objects.filter(student=mother, status=Status.ACTIVE).count() == 3


def test_consent_is_refused_when_the_student_filled_up_meanwhile(mother):
    family = [UserFactory() for _ in range(MAX_ACTIVE_PROXIES + 1)]
    late = request_link(family[-1], mother)
    for member in family[:MAX_ACTIVE_PROXIES]:
        proxy_consent(link=request_link(member, mother), actor=mother)
    with pytest.raises(ProxyRefused) as refused:
        proxy_consent(link=late, actor=mother)
    assert refused.value.code == "too_many"
    late.refresh_from_db()
    assert late.status == Status.PENDING


def test_proxy_people_ignores_pending_ended_and_other_peoples_links(daughter, mother):
    request_link(daughter, mother)
    other_student = UserFactory()
    other_proxy = UserFactory()
    proxy_consent(link=proxy_request(proxy=other_proxy, phone=other_student.phone,
                                     relation="son"), actor=other_student)
    assert proxy_people(actor=daughter) == [daughter]
    assert not can_act_for(actor=daughter, person=mother)
    assert not can_act_for(actor=daughter, person=other_student)
    assert can_act_for(actor=daughter, person=daughter)
