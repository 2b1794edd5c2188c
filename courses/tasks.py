"""Celery tasks of the teaching side: thin wrappers around the services."""

from celery import shared_task
from django.db import OperationalError

from courses.services.enrolment import offers_expire
from courses.services.enrolment_notices import enrolment_notices_send


@shared_task(
    name="courses.expire_offers",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=30,
)
def expire_offers() -> int:
    """Expire the waiting-list offers whose time ran out and pass their
    places on (idempotent; celery beat runs it every five minutes).
    Returns how many offers expired."""
    return offers_expire()


@shared_task(
    name="courses.run_due_lotteries",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=30,
)
def run_due_lotteries() -> dict:
    """Announce and draw the lotteries that are due: a term's draw is
    drawn by itself once its request window has closed (idempotent and
    safe on two workers; celery beat runs it every five minutes; see
    courses.services.lottery_schedule). Returns the pks announced and
    drawn."""
    from courses.services.lottery_schedule import lotteries_run_due

    run = lotteries_run_due()
    return {"announced": run.announced, "drawn": run.drawn}


@shared_task(name="courses.lottery_notify", ignore_result=True,
             autoretry_for=(OperationalError,), max_retries=5, retry_backoff=30)
def lottery_notify(draw_id: int) -> int:
    """Send a lottery draw's outcome notices (idempotent; see
    courses.services.lottery.lottery_notify)."""
    from courses.services.lottery import lottery_notify as notify

    return notify(draw_id=draw_id)


@shared_task(
    name="courses.send_enrolment_notices",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=5,
    retry_backoff=10,
    acks_late=True,
)
def send_enrolment_notices(enrolment_id: int, event: str, actor_id: int | None = None,
                           position: int | None = None,
                           moved_from_id: int | None = None) -> None:
    """Notify the person of an enrolment and their family members of
    ``event`` (enqueued after the change commits; idempotent)."""
    enrolment_notices_send(enrolment_id=enrolment_id, event=event, actor_id=actor_id,
                           position=position, moved_from_id=moved_from_id)


@shared_task(
    name="courses.flag_absence_streaks",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=60,
)
def flag_absence_streaks() -> int:
    """Tell the campus admins about students absent three classes in a row
    without leave, once per streak (idempotent; celery beat runs it every
    hour; see courses.services.absence_flags). Returns how many notices were
    created."""
    from courses.services.absence_flags import absence_streaks_notify

    return absence_streaks_notify()


@shared_task(
    name="courses.release_absent_places",
    ignore_result=True,
    autoretry_for=(OperationalError,),
    max_retries=3,
    retry_backoff=60,
)
def release_absent_places() -> int:
    """Give the places of students over their term's absence limit to the
    waiting list (idempotent; celery beat runs it every hour; see
    courses.services.absence_limit). Returns how many were withdrawn."""
    from courses.services.absence_limit import absence_limit_release

    return absence_limit_release()
