"""The bulk reads and writes of a lottery draw (used by
``courses.services.lottery`` inside its transaction, under its locks).

A draw touches up to 100,000 requests at once, so nothing here saves one row
at a time: entries and audit rows are inserted in bulk (PostgreSQL: COPY),
and enrolment rows change in one set-based ``UPDATE … FROM`` the entries."""

import datetime
import itertools
import json
import uuid
from collections.abc import Iterable

from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.models import Q

from courses.models import Enrolment, EnrolmentLogEntry, LotteryEntry, Section
from courses.services import lottery_algorithm as algo
from lms.accounts.phone import display_phone

Status = Enrolment.Status
TICKET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
DRAW_ACTION = "courses.enrolment.draw"
# The columns read for each request: the draw's inputs, then what the audit
# row's label needs (the person's name as User.display_name gives it).
REQUEST_FIELDS = (
    "pk", "person_id", "section_id", "ticket", "preference", "is_new_student",
    "person__profile__real_name", "person__last_name", "person__first_name",
    "person__phone", "person__email", "person__username",
)


def ticket_from_id(pk: int) -> str:
    """A ticket for a request that has none (made outside enrolment_create):
    its id written in the ticket alphabet, six characters at least, so that
    nobody chooses it."""
    digits = ""
    while pk:
        pk, rest = divmod(pk, len(TICKET_ALPHABET))
        digits = TICKET_ALPHABET[rest] + digits
    return digits.rjust(6, TICKET_ALPHABET[0])


def tickets_fill(*, section_ids: list[int]) -> int:
    """Give a ticket to each applied request of these classes without one."""
    missing = list(Enrolment.objects.filter(
        section_id__in=section_ids, status=Status.APPLIED, ticket=""))
    for enrolment in missing:
        enrolment.ticket = ticket_from_id(enrolment.pk)
    Enrolment.objects.bulk_update(missing, ["ticket"], batch_size=1000)
    return len(missing)


def requests_of(*, section_ids: list[int]) -> list[tuple]:
    """The applied requests of these classes (``REQUEST_FIELDS`` tuples)."""
    return list(
        Enrolment.objects.filter(section_id__in=section_ids, status=Status.APPLIED)
        .order_by().values_list(*REQUEST_FIELDS)
    )


def as_request(row: tuple) -> algo.Request:
    return algo.Request(row[0], row[1], row[2], row[3], row[4], row[5])


def held_of(*, term, section_ids: list[int]) -> list[tuple]:
    """Places held before the draw that bear on it: seated rows in the
    lottery classes, and seated rows in this term of anyone with a request.
    Tuples (section, person, is_new, enrolment, ticket)."""
    asking = Enrolment.objects.filter(section_id__in=section_ids,
                                      status=Status.APPLIED).values("person_id")
    return list(
        Enrolment.objects.filter(section__term=term, status__in=Enrolment.SEATED)
        .filter(Q(section_id__in=section_ids) | Q(person_id__in=asking))
        .order_by("pk")
        .values_list("section_id", "person_id", "is_new_student", "pk", "ticket")
    )


ENTRY_COLUMNS = ["enrolment_id", "section_id", "ticket", "preference", "score", "rank",
                 "outcome", "draw_id"]


def entries_write(*, draw, requests, outcomes, held) -> None:
    """One entry per request (its outcome) and one per held place
    (``renewed``, rank 0, no score). On PostgreSQL as COPY text lines made
    here (only the draw is the same on every line)."""
    renewed = LotteryEntry.Outcome.RENEWED
    if connection.vendor == "postgresql":
        end = f"\t{draw.pk}\n"
        lines = (f"{r.key}\t{r.section}\t{copy_text(r.ticket)}\t{r.preference}\t"
                 f"{o.score}\t{o.rank}\t{o.outcome}{end}"
                 for r in requests for o in (outcomes[r.key],))
        renewals = (f"{enrolment}\t{section}\t{copy_text(ticket)}\t1\t\t0\t{renewed}{end}"
                    for section, _person, _new, enrolment, ticket in held)
        copy_lines(LotteryEntry, ENTRY_COLUMNS, itertools.chain(lines, renewals))
        return
    rows = [(r.key, r.section, r.ticket, r.preference, outcomes[r.key].score,
             outcomes[r.key].rank, outcomes[r.key].outcome, draw.pk) for r in requests]
    rows += [(enrolment, section, ticket, 1, "", 0, renewed, draw.pk)
             for section, _person, _new, enrolment, ticket in held]
    insert_rows(LotteryEntry, ENTRY_COLUMNS, rows)


def enrolments_update(*, draw, now) -> int:
    """Give each request of the draw the status of its outcome, in one
    statement: winners enrolled now, the waiting list queued now in rank
    order, the rest not drawn."""
    table = connection.ops.quote_name(Enrolment._meta.db_table)
    entries = connection.ops.quote_name(LotteryEntry._meta.db_table)
    stamp = connection.ops.adapt_datetimefield_value(now)
    sql = f"""
        UPDATE {table} SET
            status = CASE e.outcome WHEN %s THEN %s WHEN %s THEN %s ELSE %s END,
            enrolled_at = CASE WHEN e.outcome = %s THEN %s ELSE NULL END,
            queued_at = CASE WHEN e.outcome = %s THEN %s ELSE NULL END,
            queue_rank = CASE WHEN e.outcome = %s THEN e.rank ELSE NULL END,
            offer_expires_at = NULL,
            updated_at = %s
        FROM {entries} e
        WHERE e.enrolment_id = {table}.id AND e.draw_id = %s
          AND e.outcome IN (%s, %s, %s) AND {table}.status = %s
    """
    params = [
        algo.WON, Status.ENROLLED, algo.WAITLISTED, Status.WAITLISTED, Status.NOT_DRAWN,
        algo.WON, stamp, algo.WAITLISTED, stamp, algo.WAITLISTED, stamp, draw.pk,
        algo.WON, algo.WAITLISTED, algo.NOT_DRAWN, Status.APPLIED,
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


def audit_write(*, draw, rows, outcomes, actor, now, rerun: bool) -> None:
    """One ``courses.enrolment.draw`` audit row per request, the same shape
    as ``courses.audit.enrolment_log`` writes (label = the enrolment as text
    after the change; data: outcome, rank, draw, status before and after),
    all under one uuid, inserted in bulk (COPY on PostgreSQL)."""
    content_type = ContentType.objects.get_for_model(Enrolment, for_concrete_model=False)
    sections = dict(
        (pk, f"{title} {name}") for pk, title, name in
        Section.objects.filter(pk__in={row[2] for row in rows})
        .values_list("pk", "course__title", "name")
    )
    # The label's tail (" · class · status") for each class and outcome.
    tails = {(section, outcome): f" · {what} · {Status(status).label}"
             for section, what in sections.items()
             for outcome, status in STATUS_OF_OUTCOME.items()}
    user = actor.pk if actor is not None else None
    extra = {"rerun": True} if rerun else {}
    if connection.vendor == "postgresql":
        _audit_copy(draw=draw, rows=rows, outcomes=outcomes, tails=tails,
                    common=(content_type.pk, DRAW_ACTION, now, uuid.uuid4(), user, False,
                            False), extra=extra)
        return
    common, records = uuid.uuid4(), []
    for row in rows:
        key, person, section = row[0], row[1], row[2]
        result = outcomes[key]
        data = {"outcome": result.outcome, "rank": result.rank, "draw": draw.pk,
                "before": Status.APPLIED, "after": STATUS_OF_OUTCOME[result.outcome], **extra}
        records.append((content_type.pk, display_name(row) + tails[section, result.outcome],
                        DRAW_ACTION, data, now, common, user, False, False, str(key), key,
                        person, section))
    insert_rows(EnrolmentLogEntry, AUDIT_COLUMNS, records)


AUDIT_COLUMNS = ["content_type_id", "label", "action", "data", "timestamp", "uuid", "user_id",
                 "content_changed", "deleted", "object_id", "enrolment_id", "person_id",
                 "section_id"]
# The same columns for COPY: what changes from row to row first, then what
# every row of the draw shares (``_audit_copy``'s ``common``).
AUDIT_COPY_COLUMNS = ["label", "data", "object_id", "enrolment_id", "person_id", "section_id",
                      "content_type_id", "action", "timestamp", "uuid", "user_id",
                      "content_changed", "deleted"]


def _audit_copy(*, draw, rows, outcomes, tails, common, extra) -> None:
    """The audit rows as COPY text, one line per request. psycopg's
    ``write_row`` adapts 13 values a row (1.3 million for a draw); here
    only the label and the data vary, and the data is one of three JSON
    texts with the rank put in."""
    datas = {}
    for outcome, status in STATUS_OF_OUTCOME.items():
        head = json.dumps({"outcome": outcome, "rank": 0}, ensure_ascii=False)[:-2]
        tail = json.dumps({"draw": draw.pk, "before": Status.APPLIED, "after": status,
                           **extra}, ensure_ascii=False)[1:]
        datas[outcome] = (copy_text(head), ", " + copy_text(tail))
    tails = {key: copy_text(str(text)) for key, text in tails.items()}
    shared = "\t".join(copy_value(value) for value in common)

    def lines():
        for row in rows:
            key, person, section = row[0], row[1], row[2]
            result = outcomes[key]
            head, tail = datas[result.outcome]
            yield (f"{copy_text(display_name(row))}{tails[section, result.outcome]}\t"
                   f"{head}{result.rank}{tail}\t{key}\t{key}\t{person}\t{section}\t{shared}\n")

    copy_lines(EnrolmentLogEntry, AUDIT_COPY_COLUMNS, lines())


STATUS_OF_OUTCOME = {algo.WON: Status.ENROLLED, algo.WAITLISTED: Status.WAITLISTED,
                     algo.NOT_DRAWN: Status.NOT_DRAWN}


def display_name(row: tuple) -> str:
    """``User.display_name`` from a ``REQUEST_FIELDS`` row (no query)."""
    real_name, last, first, phone, email, username = row[6:12]
    return (real_name or f"{last}{first}".strip() or display_phone(phone) or email
            or username)


def insert_rows(model, columns: list[str], rows: list[tuple]) -> None:
    """Insert ``rows`` (values in ``columns`` order) into ``model``'s table:
    COPY on PostgreSQL, batched ``bulk_create`` elsewhere."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        _copy(model, columns, rows)
        return
    model.objects.bulk_create(
        [model(**dict(zip(columns, row, strict=True))) for row in rows], batch_size=2000
    )


def _copy(model, columns: list[str], rows: list[tuple]) -> None:
    """COPY … FROM STDIN (psycopg 3 adapts each value; a dict goes as JSON)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    json_at = [i for i, value in enumerate(rows[0]) if isinstance(value, dict)]
    with (connection.cursor() as cursor,
          cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy):
        for row in rows:
            if json_at:
                row = list(row)
                for i in json_at:
                    row[i] = json.dumps(row[i], ensure_ascii=False)
            copy.write_row(row)


# COPY's text format: a backslash, tab, newline or carriage return inside a
# value is written as an escape; NULL is \N.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(text: str) -> str:
    """``text`` as one value of a COPY text line."""
    return text.translate(_COPY_ESCAPES)


def copy_value(value) -> str:
    """One value of a COPY text line: NULL, a boolean, a datetime (ISO 8601
    with its offset) or anything else as escaped text."""
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return copy_text(str(value))


def copy_lines(model, columns: list[str], lines: Iterable[str], chunk: int = 2000) -> None:
    """COPY … FROM STDIN of ready-made text lines (PostgreSQL only); each
    line ends with a newline and its values are escaped (``copy_text``).
    Sent ``chunk`` lines at a time as they are made, so that PostgreSQL
    stores one chunk while the next is made (the draw has two cores)."""
    table = connection.ops.quote_name(model._meta.db_table)
    names = ", ".join(connection.ops.quote_name(c) for c in columns)
    lines = iter(lines)
    with (connection.cursor() as cursor,
          cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy):
        while text := "".join(itertools.islice(lines, chunk)):
            copy.write(text)
