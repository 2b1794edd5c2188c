"""Enrolment notices: after commit, through a worker when there is a
broker, in the request when there is none or it is down; never twice."""

import pytest

from courses.services.enrolment import enrolment_create, enrolment_move
from courses.tasks import send_enrolment_notices
from lms.notifications.models import Notification
from tests.courses.enrolment_fixtures import OPEN, make_world, person, proxy_link
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(db):
    return make_world()


@pytest.fixture
def not_eager():
    """A broker is configured: tasks are published, not run in-process."""
    conf = send_enrolment_notices.app.conf
    was_eager = conf.task_always_eager
    conf.task_always_eager = False
    yield
    conf.task_always_eager = was_eager


@pytest.fixture
def broker(not_eager, monkeypatch):
    published = []
    monkeypatch.setattr(send_enrolment_notices, "apply_async",
                        lambda kwargs, **options: published.append(kwargs))
    return published


def test_with_a_broker_the_request_only_publishes_and_the_worker_notifies_once(
        world, broker, django_capture_on_commit_callbacks):
    mother, daughter = person("王秀英"), UserFactory()
    proxy_link(mother, daughter)

    with django_capture_on_commit_callbacks(execute=True):
        row = enrolment_create(person=mother, section=world["section"], actor=daughter,
                               now=OPEN).enrolment

    assert not Notification.objects.exists()
    (kwargs,) = broker
    assert kwargs["enrolment_id"] == row.pk and kwargs["event"] == "enrolled"

    send_enrolment_notices(**kwargs)
    send_enrolment_notices(**kwargs)  # a redelivered task

    assert sorted(n.recipient_id for n in Notification.objects.all()) == sorted(
        [mother.pk, daughter.pk])


def test_a_move_notice_names_both_classes_through_the_worker(
        world, broker, django_capture_on_commit_callbacks):
    wang, clerk = person(), UserFactory()
    row = enrolment_create(person=wang, section=world["section"], actor=wang,
                           now=OPEN).enrolment
    broker.clear()

    with django_capture_on_commit_callbacks(execute=True):
        enrolment_move(enrolment=row, to_section=world["other"], actor=clerk)
    send_enrolment_notices(**broker[-1])

    notice = Notification.objects.get(recipient=wang)
    assert "书法入门班 1班" in notice.body and "声乐基础班 1班" in notice.body


def test_a_broker_outage_sends_the_notices_in_the_request(
        world, not_eager, monkeypatch, django_capture_on_commit_callbacks):
    def down(**kwargs):
        raise ConnectionError("broker unreachable")

    monkeypatch.setattr(send_enrolment_notices, "apply_async", down)
    wang = person()

    with django_capture_on_commit_callbacks(execute=True):
        result = enrolment_create(person=wang, section=world["section"], actor=wang, now=OPEN)

    assert result.outcome == "enrolled"
    assert Notification.objects.filter(recipient=wang).count() == 1


def test_a_failing_notice_never_fails_the_enrolment(
        world, monkeypatch, django_capture_on_commit_callbacks):
    from lms.notifications import services

    def broken(**kwargs):
        raise RuntimeError("notifications are down")

    monkeypatch.setattr(services, "notification_send", broken)
    wang = person()

    with django_capture_on_commit_callbacks(execute=True):
        result = enrolment_create(person=wang, section=world["section"], actor=wang, now=OPEN)

    assert result.enrolment.status == "enrolled"
