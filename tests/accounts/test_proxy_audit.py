"""Family-member links leave audit rows (DESIGN rule 9): asking, a new code,
consenting and ending each write one of Wagtail's log entries in the same
transaction, saying who acted, for whom, what and when, shown in the
admin's Site history report (lms/accounts/proxy_audit.py)."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from wagtail.models import ModelLogEntry

from lms import sms
from lms.accounts import proxy_audit, roles
from lms.accounts.models import ProxyLink
from lms.accounts.proxies import (
    CODE_MAX_TRIES,
    CODE_RESEND_AFTER,
    ProxyRefused,
    proxy_consent,
    proxy_end,
    proxy_request,
)
from tests.factories import ProfileFactory, UserFactory

pytestmark = pytest.mark.django_db


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


def ask(daughter, phone="138 0000 0001", **kwargs):
    return proxy_request(proxy=daughter, phone=phone, relation="daughter", **kwargs)


def rows(link):
    return list(ModelLogEntry.objects.filter(object_id=str(link.pk)).order_by("timestamp", "pk"))


def sent_code(django_capture_on_commit_callbacks, daughter, **kwargs):
    with django_capture_on_commit_callbacks(execute=True):
        link = ask(daughter, **kwargs)
    return link, re.search(r"\b(\d{6})\b", sms.outbox[-1]["message"]).group(1)


def test_asking_logs_who_asked_for_whom(daughter, mother):
    link = ask(daughter)

    [entry] = rows(link)
    assert entry.action == "accounts.proxy.request"
    assert entry.user == daughter
    assert entry.data["student"] == mother.pk and entry.data["proxy"] == daughter.pk
    assert entry.label == "李小红 → 王秀英"
    assert entry.message == ("李小红 (Daughter) asked to enrol for 王秀英; a consent code "
                             "was texted to 王秀英")
    assert entry.timestamp <= timezone.now()


def test_the_audit_row_holds_no_mobile_number_and_no_code(django_capture_on_commit_callbacks,
                                                          daughter):
    nameless = UserFactory(phone="+8613700000003")
    link, code = sent_code(django_capture_on_commit_callbacks, daughter,
                           phone="137 0000 0003")
    [entry] = rows(link)
    text = f"{entry.label} {entry.data} {entry.message}"
    assert "137****0003" in text
    assert "13700000003" not in text and code not in text
    assert nameless.pk == entry.data["student"]


def test_a_new_code_is_logged_on_the_same_link(daughter, mother):
    link = ask(daughter)
    ask(daughter, now=timezone.now() + CODE_RESEND_AFTER)

    assert [e.action for e in rows(link)] == ["accounts.proxy.request", "accounts.proxy.resend"]
    assert rows(link)[1].user == daughter


def test_the_student_agreeing_is_logged_as_the_student(daughter, mother):
    link = proxy_consent(link=ask(daughter), actor=mother)

    entry = rows(link)[-1]
    assert entry.action == "accounts.proxy.consent" and entry.user == mother
    assert entry.message == "王秀英 agreed: 李小红 may now enrol for 王秀英"


def test_consent_by_the_code_is_logged_as_the_family_member(
        django_capture_on_commit_callbacks, daughter, mother):
    link, code = sent_code(django_capture_on_commit_callbacks, daughter)

    proxy_consent(link=link, actor=daughter, code=code)

    entry = rows(link)[-1]
    assert entry.action == "accounts.proxy.consent" and entry.user == daughter
    assert entry.data["by"] == "code"
    assert entry.message == "李小红 typed the code 王秀英 gave them: 李小红 may now enrol for 王秀英"


def test_consenting_again_logs_nothing_more(daughter, mother):
    link = proxy_consent(link=ask(daughter), actor=mother)
    proxy_consent(link=link, actor=mother)
    assert len(rows(link)) == 2


@pytest.mark.parametrize(("who", "active", "reason", "message"), [
    ("mother", True, "by_student", "王秀英 ended the link: 李小红 no longer enrols for 王秀英"),
    ("daughter", True, "by_proxy", "李小红 stopped enrolling for 王秀英"),
    ("mother", False, "declined", "王秀英 said no to 李小红's request"),
])
def test_ending_a_link_is_logged_with_who_ended_it(daughter, mother, who, active, reason,
                                                    message):
    link = ask(daughter)
    if active:
        link = proxy_consent(link=link, actor=mother)
    actor = {"mother": mother, "daughter": daughter}[who]

    proxy_end(link=link, actor=actor)
    proxy_end(link=link, actor=actor)  # again: nothing more

    entry = rows(link)[-1]
    assert entry.action == "accounts.proxy.end" and entry.user == actor
    assert entry.data["reason"] == reason and entry.message == message
    assert [e.action for e in rows(link)].count("accounts.proxy.end") == 1


def test_a_request_ended_by_wrong_codes_is_logged(daughter, mother):
    link = ask(daughter)
    for _try in range(CODE_MAX_TRIES):
        with pytest.raises(ProxyRefused):
            proxy_consent(link=link, actor=daughter, code="000000")

    entry = rows(link)[-1]
    assert ProxyLink.objects.get(pk=link.pk).status == ProxyLink.Status.ENDED
    assert entry.action == "accounts.proxy.end" and entry.user == daughter
    assert entry.data["reason"] == "too_many_tries"
    assert entry.message == "李小红's request ended after too many wrong codes"
    assert len(rows(link)) == 2  # the request and its end: wrong tries are not changes


def test_a_refused_step_logs_nothing(daughter, mother):
    with pytest.raises(ProxyRefused):
        proxy_request(proxy=daughter, phone="139 0000 0002", relation="daughter")  # herself
    stranger = UserFactory()
    link = ask(daughter)
    with pytest.raises(ProxyRefused):
        proxy_end(link=link, actor=stranger)
    assert ModelLogEntry.objects.filter(action__startswith="accounts.proxy.").count() == 1


def test_the_change_and_its_audit_row_commit_together(daughter, mother, monkeypatch):
    link = ask(daughter)

    def broken(**kwargs):
        raise RuntimeError("audit table unavailable")

    monkeypatch.setattr(proxy_audit, "proxy_log", broken)
    with pytest.raises(RuntimeError):
        proxy_consent(link=link, actor=mother)
    assert ProxyLink.objects.get(pk=link.pk).status == ProxyLink.Status.PENDING


@pytest.fixture(params=["model_log_first", "enrolment_log_first"])
def log_models_in_order(request, monkeypatch):
    """Wagtail keeps its registered log models in a set, whose order
    changes from one process to the next; the report must not depend on it."""
    from wagtail.log_actions import registry
    from wagtail.models import ModelLogEntry as Model

    models = sorted(registry.get_log_entry_models(), key=lambda m: m is not Model)
    if request.param == "enrolment_log_first":
        models.reverse()
    monkeypatch.setattr(registry, "log_entry_models", models)
    return models


def test_a_school_admin_reads_the_links_history_in_site_history(client, daughter, mother,
                                                                log_models_in_order):
    link = proxy_consent(link=ask(daughter), actor=mother)
    proxy_end(link=link, actor=daughter)
    client.cookies["lms_language"] = "en"
    client.force_login(UserFactory(roles=[roles.SCHOOL_ADMIN]))

    html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()

    for text in ("李小红 (Daughter) asked to enrol for 王秀英",
                 "王秀英 agreed: 李小红 may now enrol for 王秀英",
                 "李小红 stopped enrolling for 王秀英", "李小红 → 王秀英"):
        assert text in html, text
    assert "13800000001" not in html


def test_staff_who_may_not_see_the_links_do_not_see_their_history(client, daughter, mother,
                                                                   log_models_in_order):
    proxy_consent(link=ask(daughter), actor=mother)
    client.force_login(UserFactory(roles=[roles.TEACHER]))
    response = client.get(reverse("wagtailadmin_reports:site_history"))
    assert "李小红 → 王秀英" not in response.content.decode()


def test_site_history_shows_no_campus_staff_another_campus_students_enrolment(
        client, log_models_in_order):
    """DESIGN rule 6: enrolment audit rows name students, and a permission
    on the type cannot say which campus's; they stay on each enrolment's
    own (scoped) admin page."""
    from courses.admin.permissions import course_permissions_ensure
    from courses.audit import enrolment_log
    from courses.models import Enrolment
    from tests.courses.test_admin_setup import World

    course_permissions_ensure()
    world = World()
    student = ProfileFactory(real_name="龙泉学员甲").user
    enrolment = Enrolment.objects.create(person=student, section=world.section_lq,
                                         status="enrolled", acted_by=student)
    enrolment_log(enrolment=enrolment, action="courses.enrolment.enrol", actor=student)

    for staff in (world.campus_admin, world.teacher):  # of 莲都, not 龙泉
        client.force_login(staff)
        html = client.get(reverse("wagtailadmin_reports:site_history")).content.decode()
        assert "龙泉学员甲" not in html, staff
