"""Enrolment rush benchmark (issue 4): 5,000 enrolment attempts from 64
concurrent logged-in clients, 10 % of them repeat submits, against
PostgreSQL and gunicorn on this machine; first at one class of 500 seats,
then across 20 classes of 25 seats.

    .venv/bin/python bench/rush.py            # or: make bench-rush
    .venv/bin/python bench/rush.py --no-fail --attempts 1000

What it does (docs/benchmarks.md): creates and migrates a PostgreSQL
database of its own (``DATABASE_URL``, default ``lms_rush`` on
127.0.0.1) with ``bench.settings`` (production settings over plain HTTP),
Redis as the cache, session store and Celery broker (``REDIS_URL``, default
db 9; no Celery worker runs, as on a web host), seeds a school, a course and
the people, and logs every person in by creating their session with the
session engine. Then gunicorn on a free loopback port, and per round: the
bare view ``/bench/bare/`` with wrk for a few seconds, the logged-in floor
(every person POSTs once to ``/bench/logged-in/``, which only loads the
session and the person and checks CSRF: the best an enrolment can do on
this server), then each scenario
on a fresh term: wrk sends each attempt once (``bench/rush_wrk.lua``: a
POST to ``/enrol/<section>/`` with the person's session and CSRF cookies
and token; 303 is the success answer, never followed), and the outcome is
read from the database.

Prints one JSON line per scenario: attempts, seats, enrolled, oversold,
duplicates, http_5xx, seconds_to_sell_out, p99_ms, ratio_to_bare (and
more). Exits 1 when a target is missed (0 with ``--no-fail``), 2 when the
benchmark could not run.
"""

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    HOST,
    free_port,
    get,
    log,
    run_wrk,
    start_server,
    stop_server,
)

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/lms_rush"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
PHONE = "+86198{:08d}"
USERNAME = "bench-rush-{}"
SCENARIOS = {"one_section": (1, 500), "twenty_sections": (20, 25)}
TARGETS = {"oversold": 0, "duplicates": 0, "http_5xx": 0, "ratio_to_bare": 0.30, "p99_ms": 100}


def up(url: str, default_port: int) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1",
                                       parts.port or default_port), timeout=1):
            return True
    except OSError:
        return False


def prepare(env: dict) -> None:
    """Create the database if missing and migrate it."""
    import psycopg

    url = env["DATABASE_URL"]
    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    started = time.monotonic()
    done = subprocess.run([sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=900)
    if done.returncode:
        log(done.stdout[-3000:] + done.stderr[-3000:])
        raise SystemExit(2)
    log(f"manage.py migrate: {time.monotonic() - started:.1f}s")


# --- the world, in this process ------------------------------------------------

def school():
    """The school's home page, campus and course (made once)."""
    from wagtail.models import Page

    from cms.models import HomePage
    from courses.models import CampusPage, CourseIndexPage, CoursePage, Department

    home = HomePage.objects.filter(slug="bench-rush-school").first()
    if home is None:
        home = Page.get_first_root_node().add_child(
            instance=HomePage(title="抢课测试学校", slug="bench-rush-school"))
    campus = CampusPage.objects.child_of(home).first() or home.add_child(
        instance=CampusPage(title="莲都校区", slug="campus", address="丽水市莲都区丽青路88号"))
    catalogue = CourseIndexPage.objects.child_of(home).first() or home.add_child(
        instance=CourseIndexPage(title="课程", slug="courses"))
    department, _ = Department.objects.get_or_create(slug="bench-rush", defaults={"name": "抢课系"})
    course = CoursePage.objects.child_of(catalogue).first() or catalogue.add_child(
        instance=CoursePage(title="智能手机入门班", slug="phone", department=department,
                            summary="微信与支付", description="<p>微信与支付</p>"))
    return home, campus, course


def people(count: int) -> list:
    """``count`` people (bulk-created once), by pk."""
    from lms.accounts.models import User

    have = User.objects.filter(username__startswith="bench-rush-").count()
    if have < count:
        User.objects.bulk_create(
            [User(username=USERNAME.format(n), phone=PHONE.format(n), password="!",
                  first_name=f"学员{n}") for n in range(have, count)],
            batch_size=2000, ignore_conflicts=True)
    return list(User.objects.filter(username__startswith="bench-rush-").order_by("pk")[:count])


def log_in(users: list) -> list[str]:
    """Log every person in the way ``django.contrib.auth.login`` does (a
    session made by the session engine) and return, per person, the
    Cookie header and the form body of a POST: session and CSRF cookies,
    and a masked CSRF token as the form sends it."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string, _mask_cipher_secret

    Session.objects.all().delete()  # only the benchmark's people log in here
    store = import_module(settings.SESSION_ENGINE).SessionStore
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies = []
    for user in users:
        session = store()
        session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: backend,
                        HASH_SESSION_KEY: user.get_session_auth_hash()})
        session.create()
        secret = _get_new_csrf_string()
        cookies.append((f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                        f"{settings.CSRF_COOKIE_NAME}={secret}",
                        f"csrfmiddlewaretoken={_mask_cipher_secret(secret)}"))
    return cookies


def term_make(*, home, campus, course, sections: int, capacity: int, label: str):
    """A term whose open window runs now (first come, first served, limit
    3) with ``sections`` open classes of ``capacity`` seats."""
    import datetime

    from django.utils import timezone

    from courses.models import Section, SectionSlot, Term

    now = timezone.now()
    term = Term.objects.create(
        school=home, name=f"{label} {now:%Y%m%d%H%M%S%f}",
        start_date=timezone.localdate() + datetime.timedelta(days=30),
        end_date=timezone.localdate() + datetime.timedelta(days=150),
        enrolment_opens_at=now - datetime.timedelta(hours=1),
        enrolment_closes_at=now + datetime.timedelta(days=7), per_person_limit=3)
    made = Section.objects.bulk_create([
        Section(course=course, term=term, campus=campus, name=f"{n + 1}班", capacity=capacity,
                status=Section.Status.OPEN, enrolment_mode=Section.Mode.FIRST_COME)
        for n in range(sections)])
    SectionSlot.objects.bulk_create([
        SectionSlot(section=section, weekday=n % 5, start_time=datetime.time(9),
                    end_time=datetime.time(11)) for n, section in enumerate(made)])
    return term, [section.pk for section in made]


def attempts_plan(*, attempts: int, repeat_share: float, sections: list[int],
                  seed: int) -> list[tuple[int, int]]:
    """(person index, section pk) per attempt, in sending order: one first
    submit per person (a class chosen at random), and ``repeat_share`` of the
    attempts repeating an earlier person's submit 1–200 places later (a
    double click or a reload while the first is in flight)."""
    rng = random.Random(seed)
    repeats = round(attempts * repeat_share)
    first = attempts - repeats
    plan = [(float(i), i, rng.choice(sections)) for i in range(first)]
    for _ in range(repeats):
        i = rng.randrange(first)
        plan.append((i + rng.randint(1, 200) + 0.5, i, plan[i][2]))
    plan.sort()
    return [(person, section) for _key, person, section in plan]


def outcome(*, term, started: float) -> dict:
    """What the database says after a scenario: seats, seated (enrolled
    or offered) rows, seats given beyond capacity, live duplicates (rows
    beyond one per person and class), waiting-list rows, and the seconds
    from ``started`` (epoch) to the last seat when every class is full."""
    from django.db.models import Count, Max, Q

    from courses.models import Enrolment, Section

    classes = list(Section.objects.filter(term=term).annotate(
        seated=Count("enrolments", filter=Q(enrolments__status__in=Enrolment.SEATED)),
        waiting=Count("enrolments", filter=Q(enrolments__status=Enrolment.Status.WAITLISTED)),
    ).values_list("capacity", "seated", "waiting"))
    rows = Enrolment.objects.filter(section__term=term)
    duplicates = sum(n - 1 for n in rows.filter(status__in=Enrolment.LIVE)
                     .values("person_id", "section_id").annotate(n=Count("pk"))
                     .filter(n__gt=1).values_list("n", flat=True))
    seats = sum(c for c, _s, _w in classes)
    seated = sum(s for _c, s, _w in classes)
    last = rows.filter(status__in=Enrolment.SEATED).aggregate(last=Max("enrolled_at"))["last"]
    full = all(s >= c for c, s, _w in classes)
    return {
        "seats": seats, "enrolled": seated,
        "oversold": sum(max(0, s - c) for c, s, _w in classes),
        "duplicates": duplicates,
        "waitlisted": sum(w for _c, _s, w in classes),
        "people_with_a_row": rows.values("person_id").distinct().count(),
        "seconds_to_sell_out": (round(last.timestamp() - started, 2)
                                if full and last is not None else None),
    }


def term_delete(term) -> None:
    from django.db import transaction

    from courses.models import Enrolment, EnrolmentLogEntry, Section
    from lms.notifications.models import Notification

    with transaction.atomic():
        EnrolmentLogEntry.objects.filter(section__term=term).delete()
        Notification.objects.filter(recipient__username__startswith="bench-rush-").delete()
        Enrolment.objects.filter(section__term=term).delete()
        Section.objects.filter(term=term).delete()
        term.delete()


def queue_drop(url: str) -> None:
    """Drop the notification tasks the scenario queued (no worker runs)."""
    import redis
    from django.conf import settings

    redis.Redis.from_url(url).delete(settings.CELERY_TASK_DEFAULT_QUEUE)


# --- the run -------------------------------------------------------------------

def check(port: int, cookie: str, body: str, world: tuple) -> None:
    """One enrolment through the server: 303 to a result page that opens."""
    import http.client

    term, sections = term_make(home=world[0], campus=world[1], course=world[2],
                               sections=1, capacity=1, label="抢课检查")
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        connection.request("POST", f"/enrol/{sections[0]}/", body=body, headers={
            "Host": "localhost", "Cookie": cookie,
            "Content-Type": "application/x-www-form-urlencoded"})
        response = connection.getresponse()
        response.read()
        location = response.getheader("Location") or ""
        if response.status != 303 or "/enrol/result/" not in location:
            raise SystemExit(f"the enrol POST answered {response.status} {location!r}, not 303")
        if get(port, location, {"Cookie": cookie})[0] != 200:
            raise SystemExit(f"{location} did not answer 200")
    finally:
        term_delete(term)


def scenario_run(args, *, name: str, port: int, cookies: list, world: tuple, seed: int,
                 tmp: str) -> dict:
    count, capacity = SCENARIOS[name]
    term, sections = term_make(home=world[0], campus=world[1], course=world[2],
                               sections=count, capacity=capacity, label=f"抢课 {name}")
    try:
        plan = attempts_plan(attempts=args.attempts, repeat_share=args.repeats,
                             sections=sections, seed=seed)
        path = Path(tmp, f"{name}.tsv")
        path.write_text("".join(f"/enrol/{section}/\t{cookies[person][0]}\t{cookies[person][1]}\n"
                                for person, section in plan))
        started = time.time()
        result = wrk_attempts(args, port=port, attempts=path, tmp=tmp)
        found = outcome(term=term, started=started)
    finally:
        if not args.keep:
            term_delete(term)
    seconds = result["duration_us"] / 1e6
    log(f"{name}: {result['requests']} requests in {seconds:.1f}s "
        f"({result['requests'] / seconds:.0f}/s), {result['status']}, p99 "
        f"{result['latency_ms']['p99']} ms, {found}")
    return {"attempts": len(plan), "wrk": result, **found}


def wrk_attempts(args, *, port: int, attempts: Path, tmp: str) -> dict:
    """Send every attempt in ``attempts`` once with wrk and return its JSON
    line. wrk runs for its whole ``-d`` whatever its threads do, so once
    every thread has left its file in the done folder (all its attempts
    answered) it is interrupted (SIGINT), and it reports then."""
    done = Path(tempfile.mkdtemp(dir=tmp))
    command = [args.wrk, "-t", str(args.threads), "-c", str(args.connections),
               "-d", f"{round(args.max_seconds)}s", "--timeout", "10s", "-H", f"Host: {HOST}",
               "-s", str(ROOT / "bench" / "rush_wrk.lua"), f"http://127.0.0.1:{port}/"]
    env = dict(os.environ, BENCH_ATTEMPTS=str(attempts), BENCH_THREADS=str(args.threads),
               BENCH_DONE=str(done))
    process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
    while process.poll() is None and len(list(done.iterdir())) < args.threads:
        time.sleep(0.005)
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=60)
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if process.returncode or not lines:
        raise SystemExit(f"wrk failed: {out[-2000:]}{err[-2000:]}")
    return json.loads(lines[-1])


def floor_run(args, *, port: int, cookies: list, tmp: str) -> dict:
    """The logged-in floor: every person POSTs once to ``/bench/logged-in/``
    (session, user, CSRF check, a 303; no enrolment work), sent as the
    attempts are. What an enrolment can reach at best on this server."""
    path = Path(tmp, "floor.tsv")
    path.write_text("".join(f"/bench/logged-in/\t{cookie}\t{body}\n" for cookie, body in cookies))
    result = wrk_attempts(args, port=port, attempts=path, tmp=tmp)
    if result["status"]["3xx"] != result["requests"]:
        raise SystemExit(f"the logged-in floor view answered {result['status']}")
    return result


def rate(results: list[dict]) -> float:
    seconds = sum(r["duration_us"] for r in results) / 1e6
    return sum(r["requests"] for r in results) / seconds if seconds else 0.0


def summarise(name: str, runs: list[dict], bare_rps: float,
              floor: list[dict] | None = None) -> dict:
    """One line for a scenario over its rounds: counts of the worst round
    for the invariants, requests/s over all rounds, the worst p99."""
    requests = sum(r["wrk"]["requests"] for r in runs)
    seconds = sum(r["wrk"]["duration_us"] for r in runs) / 1e6
    rps = requests / seconds if seconds else 0.0
    status = {k: sum(r["wrk"]["status"][k] for r in runs) for k in runs[0]["wrk"]["status"]}
    errors = {k: sum(r["wrk"]["errors"][k] for r in runs) for k in runs[0]["wrk"]["errors"]}
    sell_out = [r["seconds_to_sell_out"] for r in runs]
    line = {
        "scenario": name, "attempts": runs[0]["attempts"], "seats": runs[0]["seats"],
        "enrolled": min(r["enrolled"] for r in runs),
        "oversold": max(r["oversold"] for r in runs),
        "duplicates": max(r["duplicates"] for r in runs),
        "http_5xx": status["5xx"],
        "seconds_to_sell_out": (None if None in sell_out else max(sell_out)),
        "p99_ms": max(r["wrk"]["latency_ms"]["p99"] for r in runs),
        "ratio_to_bare": round(rps / bare_rps, 3) if bare_rps else 0.0,
        "rps": round(rps, 1), "bare_rps": round(bare_rps, 1),
        # The logged-in floor (``floor_run``): its rate over the bare view's,
        # its p99, and the enrolment's rate over it.
        **({"floor_rps": round(rate(floor), 1),
            "floor_ratio_to_bare": round(rate(floor) / bare_rps, 3) if bare_rps else 0.0,
            "floor_p99_ms": max(r["latency_ms"]["p99"] for r in floor),
            "ratio_to_floor": round(rps / rate(floor), 3)} if floor else {}),
        "p50_ms": sorted(r["wrk"]["latency_ms"]["p50"] for r in runs)[len(runs) // 2],
        "waitlisted": min(r["waitlisted"] for r in runs),
        "answered": requests, "status": status, "socket_errors": errors,
        "rounds": len(runs),
    }
    failures = [f"{key} {line[key]} > {TARGETS[key]}" for key in
                ("oversold", "duplicates", "http_5xx", "p99_ms") if line[key] > TARGETS[key]]
    if line["ratio_to_bare"] < TARGETS["ratio_to_bare"]:
        failures.append(f"ratio_to_bare {line['ratio_to_bare']} < {TARGETS['ratio_to_bare']}")
    if line["enrolled"] < line["seats"]:
        failures.append(f"enrolled {line['enrolled']} < seats {line['seats']}")
    if any(errors.values()) or requests < sum(r["attempts"] for r in runs):
        failures.append(f"unanswered attempts or socket errors: {errors}")
    line.update(targets=TARGETS, passed=not failures, failures=failures)
    return line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fail", action="store_true", help="report only, exit 0")
    parser.add_argument("--attempts", type=int, default=5000)
    parser.add_argument("--repeats", type=float, default=0.10, help="share of repeat submits")
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--server-threads", type=int, default=4, help="gthread threads")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--bare-seconds", type=float, default=5)
    parser.add_argument("--no-floor", action="store_true",
                        help="skip the logged-in floor (a logged-in POST that does nothing)")
    parser.add_argument("--max-seconds", type=float, default=300, help="wrk's -d, a limit")
    parser.add_argument("--scenario", choices=list(SCENARIOS), action="append")
    parser.add_argument("--keep", action="store_true", help="keep the scenarios' terms")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    if not shutil.which(args.wrk):
        log("wrk is missing: apt-get install -y wrk")
        return 2
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONUNBUFFERED="1")
    env.setdefault("DATABASE_URL", DEFAULT_DATABASE)
    env.setdefault("REDIS_URL", DEFAULT_REDIS)
    if not env["DATABASE_URL"].startswith("postgres") or not up(env["DATABASE_URL"], 5432):
        log(f"PostgreSQL does not answer at {env['DATABASE_URL']}")
        return 2
    if not up(env["REDIS_URL"], 6379):
        log(f"Redis does not answer at {env['REDIS_URL']}")
        return 2
    prepare(env)
    os.environ.update({k: env[k] for k in ("DJANGO_SETTINGS_MODULE", "DATABASE_URL",
                                           "REDIS_URL")})
    import django

    django.setup()
    from django.core.cache import cache
    from django.db import connection

    cache.clear()  # the benchmark's own Redis db: sessions, pages, queued tasks
    started = time.monotonic()
    world = school()
    users = people(args.attempts)
    cookies = log_in(users)
    log(f"{len(users)} people logged in ({time.monotonic() - started:.1f}s)")
    connection.close()

    names = args.scenario or list(SCENARIOS)
    runs: dict[str, list] = {name: [] for name in names}
    bare: list[dict] = []
    floor: list[dict] = []
    port = free_port()
    server = start_server(env, port, workers=args.workers, threads=args.server_threads)
    bare_url = f"http://127.0.0.1:{port}/bench/bare/"
    bare_script = ROOT / "bench" / "wrk_report.lua"
    try:
        check(port, *cookies[-1], world)
        run_wrk(wrk=args.wrk, url=bare_url, script=bare_script, threads=args.threads,
                connections=args.connections, seconds=2)  # warm-up
        with tempfile.TemporaryDirectory() as tmp:
            for round_no in range(args.rounds):
                for n, name in enumerate(names):
                    result = run_wrk(wrk=args.wrk, url=bare_url, script=bare_script,
                                     threads=args.threads, connections=args.connections,
                                     seconds=args.bare_seconds)
                    bare.append(result)
                    log(f"bare: {result['requests'] / (result['duration_us'] / 1e6):.0f}/s")
                    if not args.no_floor:
                        floor.append(floor_run(args, port=port, cookies=cookies[:-1], tmp=tmp))
                        log(f"logged-in floor: {rate(floor[-1:]):.0f}/s, "
                            f"p99 {floor[-1]['latency_ms']['p99']} ms")
                    runs[name].append(scenario_run(
                        args, name=name, port=port, cookies=cookies[:-1], world=world,
                        seed=1000 * round_no + n, tmp=tmp))
                    queue_drop(env["REDIS_URL"])
    finally:
        stop_server(server)
    bare_rps = (sum(r["requests"] for r in bare) / (sum(r["duration_us"] for r in bare) / 1e6))
    lines = [summarise(name, runs[name], bare_rps, floor) for name in names]
    for line in lines:
        line.update(workers=args.workers, server_threads=args.server_threads,
                    connections=args.connections, cpus=os.cpu_count(),
                    load_average=[round(x, 2) for x in os.getloadavg()])
        print(json.dumps(line, ensure_ascii=False), flush=True)
    return 0 if args.no_fail or all(line["passed"] for line in lines) else 1


if __name__ == "__main__":
    sys.exit(main())
