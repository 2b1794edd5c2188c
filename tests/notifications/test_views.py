from html.parser import HTMLParser

import pytest
from django.urls import reverse

from lms.accounts import roles
from lms.notifications import services
from lms.notifications.models import Notification
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

INBOX = reverse("notifications:inbox")


def notify(recipient, title="课次调整通知", **kwargs):
    fields = {
        "recipient": recipient,
        "kind": Notification.Kind.SESSION_CHANGED,
        "title": title,
        "body": "下周二的声乐课改到三楼302教室。",
        "channels": [],
    }
    fields.update(kwargs)
    return services.notification_send(**fields)


class Targets(HTMLParser):
    """The links (href, classes, text inside) and buttons of the page's
    ``<main>``."""

    def __init__(self, html):
        super().__init__()
        self.links, self.buttons, self._open, self._in_main = [], [], [], False
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self._in_main = self._in_main or tag == "main"
        if not self._in_main:
            return
        attrs = dict(attrs)
        classes = (attrs.get("class") or "").split()
        if tag == "a":
            self._open.append({"href": attrs.get("href"), "classes": classes, "text": ""})
        if tag == "button" or "button" in classes:
            self._open.append({"tag": tag, "classes": classes, "text": ""})
            self.buttons.append(self._open[-1])

    def handle_data(self, data):
        for target in self._open:
            target["text"] += data

    def handle_endtag(self, tag):
        if tag == "main":
            self._in_main = False
        if tag in ("a", "button") and self._open:
            target = self._open.pop()
            if tag == "a" and "href" in target:
                self.links.append(target)


@pytest.fixture
def signed_in(client, person):
    client.force_login(person)
    return client


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get(INBOX)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_the_inbox_lists_only_the_persons_own_notifications(signed_in, person, other_person):
    notify(person, title="书法班报名成功")
    notify(other_person, title="别人的候补通知")

    page = signed_in.get(INBOX).content.decode()

    assert "书法班报名成功" in page
    assert "别人的候补通知" not in page


def test_unread_notifications_are_marked_in_words_and_counted_in_the_header(
    signed_in, person
):
    notify(person, title="第一条")
    notify(person, title="第二条")

    response = signed_in.get(INBOX)
    page = response.content.decode()

    assert response.context["inbox_unread"] == 2
    assert '<span class="badge">2' in page  # the header's "Messages" badge
    assert "您有 2 条未读消息" in page
    assert page.count('<span class="badge">未读</span>') == 2
    assert "全部标为已读" in page


def test_each_message_is_one_link_and_the_only_button_is_mark_all_as_read(signed_in, person):
    # One main action per screen: rows are links, not primary buttons.
    first = notify(person, title="书法班报名成功", url="/courses/calligraphy/")
    second = notify(person, title="太极拳课停课一次")

    page = signed_in.get(INBOX).content.decode()
    targets = Targets(page)

    assert "button-primary" not in page
    assert [(b["classes"], b["text"].strip()) for b in targets.buttons] == [
        (["button", "button-secondary"], "全部标为已读")
    ]
    for notification in (first, second):
        detail = reverse("notifications:detail", args=[notification.pk])
        to_detail = [link for link in targets.links if link["href"] == detail]
        assert len(to_detail) == 1  # one target per message
        assert "inbox-item" in to_detail[0]["classes"]  # the whole card: ≥ 48px high
        assert notification.title in to_detail[0]["text"]
        assert notification.body in to_detail[0]["text"]
    assert "查看这条消息" not in page


def test_opening_a_notification_shows_it_and_marks_it_read(signed_in, person):
    notification = notify(person, title="停课通知", url="/courses/taiji/")

    response = signed_in.get(reverse("notifications:detail", args=[notification.pk]))
    page = response.content.decode()

    assert response.status_code == 200
    assert "停课通知" in page
    assert "下周二的声乐课改到三楼302教室。" in page
    assert 'href="/courses/taiji/"' in page
    assert response.context["inbox_unread"] == 0
    notification.refresh_from_db()
    assert notification.is_read


def test_following_a_notifications_link_marks_it_read(signed_in, person):
    notification = notify(person, url="/courses/taiji/")

    response = signed_in.get(reverse("notifications:detail", args=[notification.pk]) + "?follow=1")

    assert response.status_code == 302
    assert response["Location"] == "/courses/taiji/"
    notification.refresh_from_db()
    assert notification.is_read


def test_another_persons_notification_is_not_found_and_stays_unread(signed_in, other_person):
    theirs = notify(other_person)

    response = signed_in.get(reverse("notifications:detail", args=[theirs.pk]))

    assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_as_read_clears_the_unread_count(signed_in, person, other_person):
    notify(person)
    notify(person)
    theirs = notify(other_person)

    response = signed_in.post(reverse("notifications:mark_all_read"), follow=True)

    assert response.context["inbox_unread"] == 0
    assert "您没有未读消息" in response.content.decode()
    assert "未读</span>" not in response.content.decode()
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_as_read_needs_a_post(signed_in, person):
    notify(person)
    assert signed_in.get(reverse("notifications:mark_all_read")).status_code == 405
    assert Notification.objects.filter(read_at__isnull=True).count() == 1


def test_an_empty_inbox_says_so(signed_in):
    page = signed_in.get(INBOX).content.decode()
    assert "您还没有消息" in page


def test_the_inbox_is_paginated_newest_first(signed_in, person):
    for number in range(1, 23):
        notify(person, title=f"通知第{number:02d}号")

    first = signed_in.get(INBOX).content.decode()
    second = signed_in.get(INBOX, {"page": 2}).content.decode()

    assert "通知第22号" in first
    assert "通知第01号" not in first
    assert "通知第01号" in second
    assert "第 2 页，共 2 页" in second


def test_school_admins_can_list_search_and_inspect_notifications_in_the_admin(
    client, person, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        notification = notify(person, title="候补转正通知", channels=["sms"])
    notify(UserFactory(), title="另一位学员的通知")
    client.force_login(UserFactory(roles=[roles.SCHOOL_ADMIN]))

    listing = client.get("/admin/notification/", {"q": person.phone})
    failed = client.get("/admin/notification/", {"delivery_status": "failed"})
    inspect = client.get(f"/admin/notification/inspect/{notification.pk}/")

    assert listing.status_code == 200
    assert "候补转正通知" in listing.content.decode()
    assert "另一位学员的通知" not in listing.content.decode()
    assert "候补转正通知" not in failed.content.decode()
    assert inspect.status_code == 200
    assert "短信" in inspect.content.decode()


def test_notifications_cannot_be_edited_or_deleted_in_the_admin(client, person):
    notification = notify(person)
    client.force_login(UserFactory(roles=[roles.SCHOOL_ADMIN]))

    edit = client.get(f"/admin/notification/edit/{notification.pk}/")
    delete = client.post(f"/admin/notification/delete/{notification.pk}/")

    assert edit.status_code in (302, 403)
    assert delete.status_code in (302, 403)
    assert Notification.objects.filter(pk=notification.pk).exists()


@pytest.mark.parametrize("role", [roles.TEACHER, roles.CAMPUS_ADMIN, roles.PARTY_ADMIN])
def test_other_admin_roles_do_not_see_notifications_even_with_the_view_permission(
    client, person, role
):
    from django.contrib.auth.models import Permission

    notify(person, title="候补转正通知")
    staff = UserFactory(roles=[role])
    staff.user_permissions.add(
        Permission.objects.get(content_type__app_label="notifications", codename="view_notification")
    )
    client.force_login(staff)

    response = client.get("/admin/notification/")
    dashboard = client.get("/admin/")

    assert response.status_code in (302, 403)
    assert "候补转正通知" not in response.content.decode()
    assert dashboard.status_code == 200
    assert 'href="/admin/notification/"' not in dashboard.content.decode()


def test_superusers_see_notifications_in_the_admin(client, person):
    notify(person, title="候补转正通知")
    client.force_login(UserFactory(is_superuser=True, is_staff=True))

    response = client.get("/admin/notification/")

    assert response.status_code == 200
    assert "候补转正通知" in response.content.decode()
