"""Catalogue benchmark: requests per second of the course catalogue and a
section page, against a bare Django view served by the same gunicorn, with
the same settings, in the same run.

    .venv/bin/python bench/catalog.py            # or: make bench
    .venv/bin/python bench/catalog.py --no-fail --duration 5 --rounds 2

What it does: migrates and seeds (``seed_demo``) a database of its own
(``bench/settings.py``: production settings, DEBUG off, SQLite under /tmp or
``DATABASE_URL``), starts gunicorn on 127.0.0.1, checks that the catalogue
cache answers as expected, then runs ``wrk`` (apt-get install wrk) against
each scenario in interleaved rounds, so that a change in the machine's load
hits every scenario alike. Prints one JSON line per scenario and one with
the ratios to the bare view; exits 1 if a target is missed (0 with
``--no-fail``), 2 if the benchmark could not run.

Scenarios (anonymous visitors, Host: localhost, the university):

- ``bare``: ``/bench/bare/``, a view that returns "ok" (bench/urls.py).
- ``catalogue_cached``: ``/courses/`` again and again (served from cache).
- ``catalogue_uncached``: ``/courses/`` with filter combinations (weekday,
  time of day, level, seats left) and a unique ``r=`` parameter on every
  request: the cache key holds the query string, so every request renders.
- ``section_cached`` / ``section_uncached``: section pages, the same way.
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from itertools import product
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.common import (  # noqa: E402
    free_port,
    get,
    log,
    stop_server,
)
from bench.common import run_wrk as wrk_json  # noqa: E402
from bench.common import start_server as gunicorn_start  # noqa: E402

TARGETS = {"catalogue_cached": 0.8, "catalogue_uncached": 0.15}
CATALOGUE = "/courses/"
LEVELS = ["", "beginner", "elementary", "intermediate", "advanced", "seminar"]


def bench_env(args) -> dict:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="bench.settings", PYTHONUNBUFFERED="1")
    env.setdefault("BENCH_SQLITE", args.sqlite)
    return env


def prepare_database(args, env) -> None:
    if args.fresh and not env.get("DATABASE_URL"):
        for suffix in ("", "-wal", "-shm"):
            Path(args.sqlite + suffix).unlink(missing_ok=True)
    for command in (["migrate", "--noinput"], ["seed_demo"]):
        started = time.monotonic()
        done = subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=900)
        if done.returncode:
            log(done.stdout[-3000:] + done.stderr[-3000:])
            raise SystemExit(f"manage.py {' '.join(command)} failed")
        log(f"manage.py {command[0]}: {time.monotonic() - started:.1f}s")


def start_server(args, env, port: int) -> subprocess.Popen:
    return gunicorn_start(env, port, workers=args.workers, threads=args.server_threads)


def check_pages(port: int, workers: int) -> dict:
    """The pages answer 200, the catalogue is served from the cache on a
    repeat and not with a fresh query string. Returns section paths."""
    status, _, body = get(port, "/bench/bare/")
    assert status == 200 and body == b"ok\n", "bare view"
    hits = 0
    for _ in range(2 * workers + 2):  # each worker has its own local-memory cache
        status, headers, body = get(port, CATALOGUE)
        if status != 200:
            raise SystemExit(f"{CATALOGUE} answered {status}")
        hits += headers.get("X-Catalogue-Cache") == "hit"
    if not hits:
        raise SystemExit(f"{CATALOGUE} is never served from the cache (no X-Catalogue-Cache)")
    status, headers, _ = get(port, f"{CATALOGUE}?weekday=1&r=check-{time.time_ns()}")
    if status != 200 or headers.get("X-Catalogue-Cache") == "hit":
        raise SystemExit("a fresh query string was served from the cache, or failed")
    sections = sorted(set(re.findall(rb'/courses/sections/(\d+)/', body)), key=int)
    if not sections:
        raise SystemExit(f"{CATALOGUE} links to no section page")
    paths = [f"{CATALOGUE}sections/{int(pk)}/" for pk in sections]
    if get(port, paths[0])[0] != 200:
        raise SystemExit(f"{paths[0]} did not answer 200")
    return {"sections": paths}


def filter_paths() -> list[str]:
    """Filter combinations a visitor may choose (none of them empty)."""
    paths = []
    for weekday, part, level, seats in product(["", *map(str, range(5))],
                                               ["", "morning", "afternoon", "evening"],
                                               LEVELS, ["", "on"]):
        query = "&".join(f"{k}={v}" for k, v in (("weekday", weekday), ("time", part),
                                                 ("level", level), ("seats", seats)) if v)
        if query:
            paths.append(f"{CATALOGUE}?{query}")
    return paths


def run_wrk(args, port: int, path: str, seconds: float, paths_file: str | None) -> dict:
    return wrk_json(wrk=args.wrk, url=f"http://127.0.0.1:{port}{path}",
                    script=ROOT / "bench" / "wrk_report.lua", threads=args.threads,
                    connections=args.connections, seconds=seconds,
                    env={"BENCH_PATHS": paths_file or ""})


def measure(args, port: int, scenarios: dict) -> dict:
    results = {name: [] for name in scenarios}
    for path, paths_file in scenarios.values():
        run_wrk(args, port, path, args.warmup, paths_file)
    for round_no in range(args.rounds):
        for name, (path, paths_file) in scenarios.items():
            result = run_wrk(args, port, path, args.duration, paths_file)
            results[name].append(result)
            rps = result["requests"] / (result["duration_us"] / 1e6)
            log(f"round {round_no + 1}/{args.rounds} {name}: {rps:.0f} req/s")
    return results


def summarise(name: str, path: str, runs: list[dict]) -> dict:
    requests = sum(r["requests"] for r in runs)
    seconds = sum(r["duration_us"] for r in runs) / 1e6
    errors = {k: sum(r["errors"][k] for r in runs) for k in runs[0]["errors"]}
    p50 = sorted(r["latency_ms"]["p50"] for r in runs)[len(runs) // 2]
    p99 = max(r["latency_ms"]["p99"] for r in runs)
    return {
        "scenario": name, "path": path, "requests": requests, "seconds": round(seconds, 2),
        "rps": round(requests / seconds, 1) if seconds else 0.0,
        "rps_by_round": [round(r["requests"] / (r["duration_us"] / 1e6), 1) for r in runs],
        "latency_ms": {"p50": p50, "p99_worst": p99}, "errors": errors,
    }


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-fail", action="store_true", help="report only, exit 0")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--server-threads", type=int, default=4, help="gthread threads")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--threads", type=int, default=2, help="wrk threads")
    parser.add_argument("--duration", type=float, default=8, help="seconds per measurement")
    parser.add_argument("--warmup", type=float, default=2, help="seconds per scenario")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", default="/tmp/lms-bench/bench.sqlite3")
    parser.add_argument("--fresh", action="store_true", help="start from an empty SQLite file")
    parser.add_argument("--wrk", default=shutil.which("wrk") or "wrk")
    args = parser.parse_args(argv)
    if not shutil.which(args.wrk):
        log("wrk is missing: apt-get install -y wrk")
        return 2

    env = bench_env(args)
    prepare_database(args, env)
    port = free_port()
    server = start_server(args, env, port)
    try:
        found = check_pages(port, args.workers)
        with tempfile.TemporaryDirectory() as tmp:
            filters = Path(tmp, "filters.txt")
            filters.write_text("\n".join(filter_paths()) + "\n")
            sections = Path(tmp, "sections.txt")
            sections.write_text("\n".join(found["sections"]) + "\n")
            section = found["sections"][0]
            scenarios = {
                "bare": ("/bench/bare/", None),
                "catalogue_cached": (CATALOGUE, None),
                "catalogue_uncached": (CATALOGUE, str(filters)),
                "section_cached": (section, None),
                "section_uncached": (section, str(sections)),
            }
            results = measure(args, port, scenarios)
    finally:
        stop_server(server)

    summaries = {name: summarise(name, scenarios[name][0], runs)
                 for name, runs in results.items()}
    for summary in summaries.values():
        print(json.dumps(summary, ensure_ascii=False))
    bare = summaries["bare"]["rps"]
    ratios = {name: round(s["rps"] / bare, 3) for name, s in summaries.items() if name != "bare"}
    failures = [f"{name} {ratios[name]} < {target}" for name, target in TARGETS.items()
                if ratios[name] < target]
    failures += [f"{name}: {s['errors']}" for name, s in summaries.items()
                 if any(s["errors"].values())]
    print(json.dumps({
        "ratios": ratios, "targets": TARGETS, "passed": not failures, "failures": failures,
        "workers": args.workers, "server_threads": args.server_threads,
        "connections": args.connections,
        "database": "DATABASE_URL" if env.get("DATABASE_URL") else f"sqlite:{args.sqlite}",
        "cache": "redis" if env.get("REDIS_URL") else "locmem",
        "cpus": os.cpu_count(), "load_average": [round(x, 2) for x in os.getloadavg()],
    }, ensure_ascii=False))
    return 0 if args.no_fail or not failures else 1


if __name__ == "__main__":
    sys.exit(main())
