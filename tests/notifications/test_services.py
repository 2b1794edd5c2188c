import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from lms import sms
from lms.notifications import services
from lms.notifications.models import Delivery, Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

Channel, Status = Delivery.Channel, Delivery.Status


def send(recipient, **kwargs):
    fields = {
        "recipient": recipient,
        "kind": Notification.Kind.ENROLMENT_RESULT,
        "title": "报名结果：书法入门班",
        "body": "您已成功报名书法入门班，3月2日上午9点开课。",
        "url": "/courses/calligraphy/",
    }
    fields.update(kwargs)
    return services.notification_send(**fields)


def statuses(notification):
    return dict(notification.deliveries.values_list("channel", "status"))


def test_sending_delivers_to_the_inbox_by_email_and_by_sms(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)

    assert statuses(notification) == {
        Channel.INBOX: Status.SENT,
        Channel.EMAIL: Status.SENT,
        Channel.SMS: Status.SENT,
    }
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["wang.xiuying@example.cn"]
    assert mail.outbox[0].subject == "报名结果：书法入门班"
    assert "/courses/calligraphy/" in mail.outbox[0].body
    assert len(sms.outbox) == 1
    assert sms.outbox[0]["phone"] == "+8613800001111"
    assert "书法入门班" in sms.outbox[0]["message"]


def test_nothing_is_enqueued_or_sent_before_the_callers_transaction_commits(
    person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notification = send(person)

    assert len(callbacks) == 2  # e-mail and SMS; the inbox needs no task
    assert statuses(notification)[Channel.SMS] == Status.PENDING
    assert mail.outbox == []
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
def test_nothing_is_saved_or_sent_when_the_callers_transaction_rolls_back(person):
    with pytest.raises(RuntimeError), transaction.atomic():
        send(person)
        raise RuntimeError("enrolment failed later in the same transaction")

    assert not Notification.objects.exists()
    assert mail.outbox == []
    assert sms.outbox == []


def test_a_person_without_email_or_phone_gets_only_what_they_can_receive(
    django_capture_on_commit_callbacks,
):
    no_email = UserFactory(email="")
    no_phone = UserFactory(phone=None)
    with django_capture_on_commit_callbacks(execute=True):
        first = send(no_email)
        second = send(no_phone)

    assert statuses(first)[Channel.EMAIL] == Status.SKIPPED
    assert statuses(first)[Channel.SMS] == Status.SENT
    assert statuses(second)[Channel.SMS] == Status.SKIPPED
    assert statuses(second)[Channel.EMAIL] == Status.SENT
    assert len(sms.outbox) == 1
    assert len(mail.outbox) == 1


def test_each_kind_has_default_channels_and_general_notices_stay_in_the_inbox(person):
    assert set(services.DEFAULT_CHANNELS) == set(Notification.Kind.values)
    notification = send(person, kind=Notification.Kind.GENERAL)
    assert statuses(notification) == {Channel.INBOX: Status.SENT}


def test_the_caller_may_choose_channels_and_the_inbox_is_always_included(person):
    notification = send(person, channels=[Channel.SMS])
    assert set(statuses(notification)) == {Channel.INBOX, Channel.SMS}


def test_the_same_event_notifies_a_person_once(person, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        first = send(person, dedupe_key="enrolment:42:enrolled")
        second = send(person, dedupe_key="enrolment:42:enrolled")

    assert first.pk == second.pk
    assert Notification.objects.filter(recipient=person).count() == 1
    assert len(sms.outbox) == 1
    assert len(mail.outbox) == 1


def test_the_same_event_key_still_notifies_another_person(person, other_person):
    send(person, dedupe_key="session:7:cancelled")
    send(other_person, dedupe_key="session:7:cancelled")
    assert Notification.objects.filter(dedupe_key="session:7:cancelled").count() == 2


@pytest.mark.parametrize(
    "bad",
    [
        {"kind": "birthday"},
        {"channels": ["fax"]},
        {"title": ""},
        {"url": "javascript:alert(1)"},
        {"url": "//evil.example/"},
    ],
)
def test_bad_input_is_refused_and_nothing_is_saved(person, bad):
    with pytest.raises(ValidationError):
        send(person, **bad)
    assert not Notification.objects.exists()
    assert not Delivery.objects.exists()


def test_a_notification_is_delivered_once_even_when_its_task_runs_twice(
    person, django_capture_on_commit_callbacks
):
    from lms.notifications.tasks import deliver

    with django_capture_on_commit_callbacks(execute=True):
        notification = send(person)
    for delivery in notification.deliveries.all():
        deliver.apply(args=(delivery.pk,))
        services.delivery_perform(delivery_id=delivery.pk)

    assert len(sms.outbox) == 1
    assert len(mail.outbox) == 1
    assert set(notification.deliveries.values_list("attempts", flat=True)) == {1}


def test_marking_read_touches_only_the_persons_own_notifications(person, other_person):
    mine = send(person)
    theirs = send(other_person)

    changed = services.notification_mark_read(user=person, notification_ids=[mine.pk, theirs.pk])

    assert changed == 1
    mine.refresh_from_db()
    theirs.refresh_from_db()
    assert mine.is_read
    assert not theirs.is_read


@pytest.fixture
def two_schools():
    """The university on localhost (the default site) and the party school
    on dangxiao.localhost, as in the demo."""
    from wagtail.models import Page, Site

    root = Page.get_first_root_node()
    Site.objects.all().delete()
    university = Site.objects.create(
        hostname="localhost", port=80, root_page=root, is_default_site=True
    )
    party_school = Site.objects.create(hostname="dangxiao.localhost", port=80, root_page=root)
    return university, party_school


def test_email_links_point_to_the_school_that_sent_the_notice(
    person, two_schools, django_capture_on_commit_callbacks
):
    university, party_school = two_schools
    with django_capture_on_commit_callbacks(execute=True):
        party_notice = send(person, url="/training/2026-spring/", site=party_school)
        university_notice = send(person, url="/courses/calligraphy/")  # no site: the default

    assert party_notice.site == party_school
    assert university_notice.site == university
    party_mail, university_mail = mail.outbox
    assert "http://dangxiao.localhost/training/2026-spring/" in party_mail.body
    assert "http://localhost/courses/calligraphy/" in university_mail.body
    assert "dangxiao" not in university_mail.body


def test_absolute_links_are_left_as_they_are_in_emails(
    person, two_schools, django_capture_on_commit_callbacks
):
    _, party_school = two_schools
    with django_capture_on_commit_callbacks(execute=True):
        send(person, url="https://www.gov.cn/zhengce/", site=party_school)

    assert "https://www.gov.cn/zhengce/" in mail.outbox[0].body
    assert "dangxiao" not in mail.outbox[0].body
