"""What the HTTP benchmarks share (``bench/catalog.py``, ``bench/rush.py``):
gunicorn started on a free loopback port with ``bench.settings``, plain
requests to it, and ``wrk`` runs whose Lua script prints one JSON line."""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV_BIN = Path(sys.executable).parent
HOST = "localhost"  # the university's Site


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port: int, path: str, headers: dict | None = None) -> tuple[int, dict, bytes]:
    """GET ``path`` from the server on ``port`` (Host: localhost)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Host": HOST, **(headers or {})})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def start_server(env: dict, port: int, *, workers: int, threads: int) -> subprocess.Popen:
    """gunicorn (``gthread``: ``workers`` processes × ``threads`` threads)
    serving ``lms.wsgi`` with ``env`` on 127.0.0.1:``port``, once it answers
    ``/bench/bare/``. Raises SystemExit if it does not within 60 s."""
    command = [
        str(VENV_BIN / "gunicorn"), "lms.wsgi:application",
        "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
        "--worker-class", "gthread", "--threads", str(threads),
        "--keep-alive", "5", "--log-level", "warning", "--chdir", str(ROOT),
    ]
    server = subprocess.Popen(command, cwd=ROOT, env=env, start_new_session=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited with {server.returncode}")
        try:
            if get(port, "/bench/bare/")[0] == 200:
                return server
        except OSError:
            pass
        time.sleep(0.3)
    stop_server(server)
    raise SystemExit("gunicorn did not answer within 60 s")


def stop_server(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)


def run_wrk(*, wrk: str, url: str, script: Path, threads: int, connections: int,
            seconds: float, env: dict | None = None, headers: tuple[str, ...] = (),
            timeout: str = "5s") -> dict:
    """Run ``wrk`` and return the JSON line its ``script`` prints in
    ``done()``. ``env`` is added to the environment (the scripts read their
    input files from it). Raises SystemExit when wrk fails."""
    full_env = dict(os.environ, **(env or {}))
    command = [wrk, "-t", str(threads), "-c", str(connections),
               "-d", f"{max(1, round(seconds))}s", "--timeout", timeout,
               "-H", f"Host: {HOST}"]
    for header in headers:
        command += ["-H", header]
    command += ["-s", str(script), url]
    done = subprocess.run(command, env=full_env, capture_output=True, text=True,
                          timeout=seconds + 60)
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode or not lines:
        raise SystemExit(f"wrk failed: {done.stdout[-2000:]}{done.stderr[-2000:]}")
    return json.loads(lines[-1])
