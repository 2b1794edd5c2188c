"""The lottery admin (摇号), school admins only: announce with the seed's
digest shown at once, draw, verify, re-run with the same result, publish,
and links to each lottery class's public result page. The buttons call the
real lottery services."""

import datetime as dt

import pytest

from courses.models import Enrolment, LotteryDraw
from courses.services.lottery_schedule import lotteries_run_due
from lms.accounts import roles

from . import test_admin_setup as admin_setup
from .lottery_factories import lottery_world, requests
from .test_admin_enrolments import inspect_fields
from .test_admin_setup import admin_user, refused, url

pytestmark = pytest.mark.django_db

teaching_permissions = admin_setup.teaching_permissions


@pytest.fixture
def world(teaching_permissions):
    world = lottery_world(capacity=3, second_capacity=2)
    world["school_admin"] = admin_user(roles.SCHOOL_ADMIN, name="校管理员")
    world["campus_admin"] = admin_user(roles.CAMPUS_ADMIN, name="分校管理员甲")
    world["campus"].admins.add(world["campus_admin"])
    world["campus"].save()
    requests(world["a"], 6)
    requests(world["b"], 1)
    return world


def page(client, address):
    response = client.get(address)
    assert response.status_code == 200, address
    return response.content.decode()


def announce(client, world, **data):
    return client.post(url("courses_lottery:add"),
                       {"term": world["term"].pk, **data}, follow=True)


def act(client, draw, action):
    return client.post(url("courses_lottery:action", draw.pk, action), follow=True)


def test_only_school_admins_open_the_lottery_admin(client, world):
    client.force_login(world["campus_admin"])
    assert refused(client.get(url("courses_lottery:index")))
    assert refused(client.get(url("courses_lottery:add")))
    draw = LotteryDraw.objects.create(term=world["term"], seed="s", seed_digest="d",
                                      algorithm="x")
    assert refused(client.post(url("courses_lottery:action", draw.pk, "draw")))
    assert LotteryDraw.objects.get(pk=draw.pk).status == LotteryDraw.Status.ANNOUNCED
    assert url("courses_lottery:index") not in page(client, url("wagtailadmin_home"))
    client.force_login(world["school_admin"])
    assert "2026年秋季学期" in page(client, url("courses_lottery:index"))
    assert url("courses_lottery:index") in page(client, url("wagtailadmin_home"))


def test_announcing_shows_the_seed_digest_and_keeps_the_seed_secret(client, world):
    client.force_login(world["school_admin"])
    assert "Announce a lottery" in page(client, url("courses_lottery:index"))
    response = announce(client, world, round_robin="on")
    draw = LotteryDraw.objects.get()
    assert draw.round_robin and draw.status == LotteryDraw.Status.ANNOUNCED
    html = response.content.decode()
    assert draw.seed_digest in html
    assert draw.seed not in html
    assert "Kept secret until the result is published." in html
    assert "Draw now" in html


def test_a_second_open_lottery_for_the_term_is_refused_on_the_form(client, world):
    client.force_login(world["school_admin"])
    announce(client, world)
    response = announce(client, world)
    assert "This term already has a lottery that is not published yet." in (
        response.content.decode())
    assert LotteryDraw.objects.count() == 1


def test_the_announce_form_asks_for_a_term(client, world):
    client.force_login(world["school_admin"])
    response = client.post(url("courses_lottery:add"), {})
    assert response.status_code == 200
    assert "Choose the term of the lottery." in response.content.decode()
    assert not LotteryDraw.objects.exists()


def test_draw_verify_rerun_and_publish(client, world):
    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()

    html = act(client, draw, "draw").content.decode()
    draw.refresh_from_db()
    assert draw.status == LotteryDraw.Status.DRAWN and draw.entries_count == 7
    assert "Drawn: 7 requests." in html
    assert Enrolment.objects.filter(section=world["a"], status="enrolled").count() == 3
    winners = set(Enrolment.objects.filter(status="enrolled").values_list("pk", flat=True))

    html = act(client, draw, "verify").content.decode()
    assert "Verified: the stored result matches a fresh re-run." in html

    html = act(client, draw, "rerun").content.decode()
    assert "Drawn again with the same seed: 7 requests." in html
    assert set(Enrolment.objects.filter(status="enrolled").values_list("pk", flat=True)) == (
        winners)

    html = act(client, draw, "publish").content.decode()
    draw.refresh_from_db()
    assert draw.status == LotteryDraw.Status.PUBLISHED
    assert "Published: the seed and the result are now public." in html
    assert draw.seed in html  # public now
    for section in (world["a"], world["b"]):
        assert url("courses:lottery_result", section.pk) in html
    assert "Re-run the draw" not in html

    html = act(client, draw, "rerun").content.decode()
    assert "Only a drawn lottery that is not yet published can be drawn again." in html
    html = act(client, draw, "draw").content.decode()
    assert "This lottery is published: it cannot be drawn again." in html
    assert set(Enrolment.objects.filter(status="enrolled").values_list("pk", flat=True)) == (
        winners)


def test_verify_reports_a_tampered_result(client, world):
    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()
    act(client, draw, "draw")
    first, second = draw.entries.filter(section=world["a"]).order_by("rank")[:2]
    first.rank, second.rank = second.rank, first.rank
    first.save()
    second.save()
    html = act(client, draw, "verify").content.decode()
    assert "Mismatch:" in html and "differ from a fresh draw" in html


def test_the_draw_page_lists_the_terms_lottery_classes(client, world):
    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()
    act(client, draw, "draw")
    html = page(client, url("courses_lottery:inspect", draw.pk))
    assert "书法入门班 1班" in html and "智能手机入门班 1班" in html
    assert "智能手机入门班 2班" not in html  # first come, first served
    assert "Shown once the result is published" in html
    assert url("courses:lottery_result", world["a"].pk) not in html


def test_a_get_on_an_action_changes_nothing(client, world):
    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()
    response = client.get(url("courses_lottery:action", draw.pk, "draw"))
    assert response.status_code == 302
    assert LotteryDraw.objects.get(pk=draw.pk).status == LotteryDraw.Status.ANNOUNCED


def test_a_draw_the_system_made_reads_as_words(client, world):
    """Drawn by itself at the window's close (courses.run_due_lotteries):
    "drawn by" reads "The system", flags yes/no, nothing "None"."""
    lotteries_run_due(now=dt.datetime(2026, 8, 10, tzinfo=dt.UTC))
    draw = LotteryDraw.objects.get()
    LotteryDraw.objects.filter(pk=draw.pk).update(
        announced_at=dt.datetime(2026, 8, 10, tzinfo=dt.UTC))
    lotteries_run_due(now=dt.datetime(2026, 8, 20, 9, 5, tzinfo=dt.UTC))
    client.force_login(world["school_admin"])

    fields = inspect_fields(page(client, url("courses_lottery:inspect", draw.pk)))

    assert fields["Drawn by"] == "The system"
    assert fields["First choices first"] == "No"
    assert fields["Published"] == "—"
    assert fields["Drawn"] == "Aug. 20, 2026, 5:05 p.m."  # local time (UTC+8)
    assert "None" not in fields.values() and "False" not in fields.values()


def test_draw_on_a_page_opened_before_the_system_drew_changes_nothing(client, world):
    from courses.models import EnrolmentLogEntry

    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()
    stale = LotteryDraw.objects.get(pk=draw.pk)  # the page's view of it: announced
    act(client, stale, "draw")  # the system's (or another admin's) draw
    rows = EnrolmentLogEntry.objects.count()
    winners = set(Enrolment.objects.filter(status="enrolled").values_list("pk", flat=True))

    html = act(client, stale, "draw").content.decode()

    assert "This lottery has already been drawn." in html
    assert EnrolmentLogEntry.objects.count() == rows  # not re-run
    assert set(Enrolment.objects.filter(status="enrolled").values_list("pk", flat=True)) == (
        winners)


def test_the_service_checks_the_expected_status_under_the_draws_lock(client, world):
    from courses.models import EnrolmentLogEntry
    from courses.services.lottery import LotteryError, lottery_draw

    client.force_login(world["school_admin"])
    announce(client, world)
    draw = LotteryDraw.objects.get()
    lottery_draw(draw=draw, expect=LotteryDraw.Status.ANNOUNCED)
    rows = EnrolmentLogEntry.objects.count()

    with pytest.raises(LotteryError) as error:
        lottery_draw(draw=draw, expect=LotteryDraw.Status.ANNOUNCED)
    assert error.value.code == "changed"
    assert EnrolmentLogEntry.objects.count() == rows
    lottery_draw(draw=draw, expect=LotteryDraw.Status.DRAWN)  # a re-run still runs
    assert EnrolmentLogEntry.objects.count() > rows
