"""The lottery services: announce, draw, re-run, verify, publish (DESIGN rule
4: seeded, recorded, reproducible, verifiable), renewal and reserved
places, round-robin, audit rows and notices."""

import hashlib

import pytest

from courses.models import Enrolment, EnrolmentLogEntry, LotteryDraw, LotteryEntry
from courses.services import lottery_algorithm as algo
from courses.services.lottery import (
    LotteryError,
    lottery_announce,
    lottery_draw,
    lottery_problems,
    lottery_publish,
    lottery_verify,
)
from lms.accounts.models import ProxyLink
from lms.notifications.models import Notification
from tests.courses.lottery_factories import lottery_world, person, request, requests, score
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
S = Enrolment.Status


@pytest.fixture
def world():
    return lottery_world()


@pytest.fixture
def staff():
    return UserFactory(is_staff=True)


def statuses(section):
    return dict(Enrolment.objects.filter(section=section).values_list("ticket", "status"))


def drawn(world, staff, **kwargs):
    draw = lottery_announce(term=world["term"], actor=staff, **kwargs)
    return lottery_draw(draw=draw, actor=staff)


def test_an_announced_draw_publishes_the_digest_of_a_secret_seed(world, staff):
    draw = lottery_announce(term=world["term"], actor=staff)

    assert draw.status == LotteryDraw.Status.ANNOUNCED
    assert len(draw.seed) == 64 and int(draw.seed, 16) >= 0
    assert draw.seed_digest == hashlib.sha256(draw.seed.encode()).hexdigest()
    assert draw.algorithm == "sha256-rank-v1"


def test_a_term_has_one_open_draw_at_a_time(world, staff):
    lottery_announce(term=world["term"], actor=staff)

    with pytest.raises(LotteryError) as refused:
        lottery_announce(term=world["term"], actor=staff)

    assert refused.value.code == "open_draw"
    assert LotteryDraw.objects.count() == 1


def test_each_class_gets_exactly_its_places_in_score_order(world, staff):
    rows = requests(world["a"], 10)
    requests(world["b"], 1)

    draw = drawn(world, staff)

    order = sorted(rows, key=lambda e: score(draw.seed, world["a"].pk, e.ticket))
    got = statuses(world["a"])
    assert [got[e.ticket] for e in order] == [S.ENROLLED] * 3 + [S.WAITLISTED] * 7
    assert statuses(world["b"]) == {Enrolment.objects.get(section=world["b"]).ticket: S.ENROLLED}
    waiting = Enrolment.objects.filter(section=world["a"], status=S.WAITLISTED)
    assert list(waiting.order_by("queue_rank").values_list("ticket", flat=True)) == [
        e.ticket for e in order[3:]]
    assert {e.queued_at for e in waiting} == {draw.drawn_at}
    assert list(waiting.order_by("queue_rank").values_list("queue_rank", flat=True)) == list(
        range(4, 11))
    assert draw.status == LotteryDraw.Status.DRAWN and draw.entries_count == 11
    assert lottery_verify(draw=draw)


def test_the_same_seed_draws_the_same_result_again(world, staff):
    requests(world["a"], 8)
    requests(world["b"], 5)
    draw = drawn(world, staff)
    first = (statuses(world["a"]), statuses(world["b"]),
             list(draw.entries.values_list("ticket", "score", "rank", "outcome")))

    again = lottery_draw(draw=draw, actor=staff)

    assert again.seed == draw.seed
    assert (statuses(world["a"]), statuses(world["b"]),
            list(again.entries.values_list("ticket", "score", "rank", "outcome"))) == first
    assert lottery_verify(draw=again)


def test_a_different_seed_gives_a_different_order():
    wanted = [algo.Request(n, n, 7, f"T{n:05d}", 1, True) for n in range(40)]
    places = {7: algo.Places(free=10)}

    one = algo.allocate(wanted, seed="a" * 64, round_robin=False, places=places)
    two = algo.allocate(wanted, seed="b" * 64, round_robin=False, places=places)

    assert sum(r.outcome == algo.WON for r in one.values()) == 10
    assert {k for k, r in one.items() if r.outcome == algo.WON} != {
        k for k, r in two.items() if r.outcome == algo.WON}


def test_a_rerun_leaves_withdrawn_requests_out_and_takes_new_ones_in(world, staff):
    rows = requests(world["a"], 5)
    draw = drawn(world, staff)
    gone = Enrolment.objects.filter(section=world["a"], status=S.ENROLLED).first()
    gone.status = S.WITHDRAWN
    gone.save()
    late = request(person("迟到"), world["a"])

    lottery_draw(draw=draw, actor=staff)

    gone.refresh_from_db()
    assert gone.status == S.WITHDRAWN
    assert Enrolment.objects.filter(section=world["a"], status=S.ENROLLED).count() == 3
    assert draw.entries.filter(enrolment=late).exists()
    assert not draw.entries.filter(enrolment=gone).exists()
    assert len(rows) == 5


def test_a_published_draw_cannot_be_drawn_again(world, staff):
    requests(world["a"], 4)
    draw = drawn(world, staff)

    published = lottery_publish(draw=draw, actor=staff)

    assert published.status == LotteryDraw.Status.PUBLISHED and published.published_at
    assert lottery_publish(draw=draw, actor=staff).published_at == published.published_at
    before = statuses(world["a"])
    with pytest.raises(LotteryError) as refused:
        lottery_draw(draw=draw, actor=staff)
    assert refused.value.code == "published"
    assert statuses(world["a"]) == before


def test_an_undrawn_draw_cannot_be_published(world, staff):
    draw = lottery_announce(term=world["term"], actor=staff)

    with pytest.raises(LotteryError):
        lottery_publish(draw=draw, actor=staff)

    assert not lottery_verify(draw=draw)


def test_renewal_students_keep_their_places_and_new_students_get_the_kept_ones(staff):
    world = lottery_world(capacity=5, reserved=2)
    for n in range(2):
        Enrolment.objects.create(person=person(f"老生{n}"), section=world["a"],
                                 status=S.ENROLLED, source=Enrolment.Source.RENEWAL,
                                 is_new_student=False)
    old = requests(world["a"], 6, is_new=False)
    new = requests(world["a"], 3, is_new=True)

    draw = drawn(world, staff)

    rank = {e.ticket: score(draw.seed, world["a"].pk, e.ticket) for e in old + new}
    best_new = sorted(new, key=lambda e: rank[e.ticket])[:2]
    rest = sorted([e for e in old + new if e not in best_new], key=lambda e: rank[e.ticket])
    winners = {e.ticket for e in best_new} | {rest[0].ticket}
    got = statuses(world["a"])
    assert {t for t, s in got.items() if s == S.ENROLLED and t} == winners
    assert Enrolment.objects.filter(section=world["a"], status=S.ENROLLED).count() == 5
    assert draw.entries.filter(outcome=LotteryEntry.Outcome.RENEWED).count() == 2
    assert lottery_verify(draw=draw)


def test_kept_places_nobody_new_asked_for_go_to_the_others(staff):
    world = lottery_world(capacity=4, reserved=3)
    requests(world["a"], 6, is_new=False)
    requests(world["a"], 1, is_new=True)

    drawn(world, staff)

    assert Enrolment.objects.filter(section=world["a"], status=S.ENROLLED).count() == 4
    assert Enrolment.objects.get(section=world["a"], is_new_student=True).status == S.ENROLLED


def _tickets_so_that(seed, section, low: bool) -> str:
    """A ticket whose score is in the lower (or upper) quarter."""
    for n in range(10_000):
        ticket = f"R{n:05d}"
        value = int(score(seed, section.pk, ticket)[:2], 16)
        if (value < 64) if low else (value >= 192):
            return ticket
    raise AssertionError


def test_round_robin_draws_everyones_first_choice_before_anyones_second(staff):
    world = lottery_world(capacity=1, second_capacity=1, limit=1)
    draw = lottery_announce(term=world["term"], actor=staff, round_robin=True)
    a, b = world["a"], world["b"]
    zhang, li = person("张"), person("李")
    # 张 wants A first and B second, with the luckiest ticket in B;
    # 李 wants B first with an unlucky ticket.
    zhang_a = request(zhang, a, ticket=_tickets_so_that(draw.seed, a, low=True))
    zhang_b = request(zhang, b, preference=2, ticket=_tickets_so_that(draw.seed, b, low=True))
    li_b = request(li, b, ticket=_tickets_so_that(draw.seed, b, low=False))

    lottery_draw(draw=draw, actor=staff)

    for row in (zhang_a, zhang_b, li_b):
        row.refresh_from_db()
    assert (zhang_a.status, li_b.status) == (S.ENROLLED, S.ENROLLED)
    assert zhang_b.status == S.NOT_DRAWN
    assert LotteryEntry.objects.get(enrolment=zhang_b).outcome == "not_drawn"
    assert lottery_verify(draw=draw)


def test_without_round_robin_the_better_score_wins_whatever_the_choice(staff):
    world = lottery_world(capacity=1, second_capacity=1, limit=2)
    draw = lottery_announce(term=world["term"], actor=staff)
    b = world["b"]
    zhang_b = request(person("张"), b, preference=2, ticket=_tickets_so_that(draw.seed, b, True))
    li_b = request(person("李"), b, ticket=_tickets_so_that(draw.seed, b, low=False))

    lottery_draw(draw=draw, actor=staff)

    zhang_b.refresh_from_db()
    li_b.refresh_from_db()
    assert (zhang_b.status, li_b.status) == (S.ENROLLED, S.WAITLISTED)


def test_a_person_at_the_limit_is_not_drawn_again(staff):
    world = lottery_world(capacity=5, limit=1)
    zhang = person("张")
    Enrolment.objects.create(person=zhang, section=world["first_come"], status=S.ENROLLED)
    mine = request(zhang, world["a"])

    draw = drawn(world, staff)

    mine.refresh_from_db()
    assert mine.status == S.NOT_DRAWN
    assert lottery_verify(draw=draw)


def test_the_inputs_digest_is_the_sha256_of_the_sorted_request_lines(world, staff):
    rows = requests(world["a"], 3) + requests(world["b"], 2, is_new=False, preference=2)

    draw = drawn(world, staff)

    lines = sorted(f"{e.section_id}:{e.ticket}:{e.preference}:{int(e.is_new_student)}"
                   for e in rows)
    assert draw.inputs_digest == hashlib.sha256("\n".join(lines).encode()).hexdigest()


@pytest.mark.usefixtures("english")
def test_verify_finds_a_changed_outcome(world, staff):
    requests(world["a"], 6)
    draw = drawn(world, staff)
    loser = draw.entries.filter(outcome="waitlisted").first()

    LotteryEntry.objects.filter(pk=loser.pk).update(outcome="won")

    assert not lottery_verify(draw=draw)
    assert any("differ" in problem for problem in lottery_problems(draw=draw))


@pytest.mark.usefixtures("english")
def test_verify_finds_a_request_added_or_removed_after_the_draw(world, staff):
    requests(world["a"], 6)
    draw = drawn(world, staff)

    draw.entries.filter(outcome="waitlisted").last().delete()

    assert not lottery_verify(draw=draw)
    assert any("inputs digest" in problem for problem in lottery_problems(draw=draw))


def test_verify_finds_a_changed_seed(world, staff):
    requests(world["a"], 3)
    draw = drawn(world, staff)

    LotteryDraw.objects.filter(pk=draw.pk).update(seed="0" * 64)

    assert not lottery_verify(draw=draw)


def test_requests_without_a_ticket_get_one_nobody_chose(world, staff):
    blank = request(person(), world["a"], ticket="")

    drawn(world, staff)

    blank.refresh_from_db()
    assert len(blank.ticket) >= 6 and blank.ticket.isalnum()


def test_every_outcome_leaves_an_audit_row(world, staff):
    rows = requests(world["a"], 4)

    draw = drawn(world, staff)

    logs = EnrolmentLogEntry.objects.filter(action="courses.enrolment.draw")
    assert logs.count() == 4
    entry = logs.get(enrolment=rows[0])
    assert entry.user == staff and entry.person == rows[0].person
    assert entry.section_id == world["a"].pk and entry.object_id == str(rows[0].pk)
    outcome = LotteryEntry.objects.get(enrolment=rows[0])
    assert entry.data["outcome"] == outcome.outcome and entry.data["rank"] == outcome.rank
    assert entry.data["draw"] == draw.pk
    assert "学员0" in entry.label and "书法入门班" in entry.label


def test_everyone_and_their_family_member_is_told_after_commit_once(
        world, staff, django_capture_on_commit_callbacks):
    rows = requests(world["a"], 5)
    daughter = UserFactory()
    ProxyLink.objects.create(student=rows[0].person, proxy=daughter,
                             status=ProxyLink.Status.ACTIVE, consented_at="2026-08-01T00:00Z")
    draw = lottery_announce(term=world["term"], actor=staff)

    with django_capture_on_commit_callbacks(execute=True):
        lottery_draw(draw=draw, actor=staff)

    notices = Notification.objects.filter(kind=Notification.Kind.ENROLMENT_RESULT)
    assert notices.count() == 6
    assert notices.filter(recipient=daughter).count() == 1
    waiting = Enrolment.objects.filter(section=world["a"], status=S.WAITLISTED)
    second = waiting.order_by("queue_rank")[1]
    body = notices.get(recipient=second.person).body
    assert second.ticket in body and "2" in body
    assert notices.get(recipient=second.person).url.endswith(f"?ticket={second.ticket}")

    with django_capture_on_commit_callbacks(execute=True):
        lottery_draw(draw=draw, actor=staff)
        lottery_publish(draw=draw, actor=staff)

    assert notices.count() == 6


def test_nothing_is_sent_before_the_draw_commits(world, staff, django_capture_on_commit_callbacks):
    requests(world["a"], 2)
    draw = lottery_announce(term=world["term"], actor=staff)

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        lottery_draw(draw=draw, actor=staff)

    assert Notification.objects.count() == 0
    assert callbacks


def test_audit_labels_read_like_the_enrolment_whoever_the_person_is(world, staff):
    named = request(person("王秀英"), world["a"])
    by_parts = request(UserFactory(last_name="李", first_name="建国"), world["a"])
    by_phone = request(UserFactory(phone="+8613912345678"), world["a"])
    by_email = request(UserFactory(phone=None, email="chen@example.com"), world["b"])

    drawn(world, staff)

    for row in (named, by_parts, by_phone, by_email):
        row.refresh_from_db()
        log = EnrolmentLogEntry.objects.get(enrolment=row, action="courses.enrolment.draw")
        assert log.label == str(row)
    assert "139 1234 5678" in EnrolmentLogEntry.objects.get(enrolment=by_phone).label


def test_names_and_tickets_with_copy_control_characters_are_stored_as_typed(world, staff):
    # PostgreSQL's COPY text format gives a backslash, tab or newline a
    # meaning of its own: the draw writes them as data.
    odd = request(person("王\\N\t秀\n英\\"), world["a"], ticket="A\\B\tC")

    draw = drawn(world, staff)

    odd.refresh_from_db()
    log = EnrolmentLogEntry.objects.get(enrolment=odd, action="courses.enrolment.draw")
    assert log.label == str(odd) and log.label.startswith("王\\N\t秀\n英\\ · ")
    assert draw.entries.get(enrolment=odd).ticket == "A\\B\tC"
    assert lottery_verify(draw=draw)


def test_a_rerun_audits_every_request_again_marked_as_a_rerun(world, staff):
    rows = requests(world["a"], 4)
    draw = drawn(world, staff)

    lottery_draw(draw=draw, actor=staff)

    logs = EnrolmentLogEntry.objects.filter(enrolment=rows[0], action="courses.enrolment.draw")
    first, again = logs.order_by("pk")
    assert "rerun" not in first.data and again.data["rerun"] is True
    assert again.data == {**first.data, "rerun": True}
    status = Enrolment.objects.get(pk=rows[0].pk).status
    assert again.data["before"] == "applied" and again.data["after"] == status
    assert again.uuid != first.uuid and again.user == staff


def test_the_verify_command_reports_each_draw(world, staff):
    from io import StringIO

    from django.core.management import CommandError, call_command

    requests(world["a"], 5)
    draw = drawn(world, staff)
    out = StringIO()

    call_command("lottery_verify", stdout=out)
    assert f"draw {draw.pk}" in out.getvalue() and "verified" in out.getvalue()

    draw.entries.filter(outcome="won").update(outcome="waitlisted")
    with pytest.raises(CommandError):
        call_command("lottery_verify", draw.pk, stdout=StringIO())
