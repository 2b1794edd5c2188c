#!/usr/bin/env bash
# Runs the whole suite: ruff, then pytest on SQLite, then pytest on PostgreSQL.
# Where PostgreSQL or Chromium is missing the rest still runs and what was
# skipped is said at the end; with CI=true a skip is a failure.
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
PG_URL=${TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/lms}
CHROMIUM=${CHROMIUM_PATH:-/usr/bin/chromium}
skipped=()
status=0

echo "== ruff"
.venv/bin/ruff check . || status=1

pytest_args=("$@")
if [ ! -x "$CHROMIUM" ]; then
  skipped+=("browser tests (no Chromium at $CHROMIUM; apt-get install chromium fonts-noto-cjk)")
fi
if ! $PY -c "import redis; redis.Redis.from_url('redis://127.0.0.1:6379/15', socket_connect_timeout=2).ping()" 2>/dev/null; then
  skipped+=("tests that need a real Redis and Celery worker (no Redis at redis://127.0.0.1:6379/15)")
fi

echo "== pytest on SQLite"
env -u DATABASE_URL $PY -m pytest "${pytest_args[@]}" || status=1

if $PY - "$PG_URL" <<'PYEOF'
# Can we reach the server? (pytest-django creates its own test database, so
# probe the maintenance database on the same server.)
import sys
from urllib.parse import urlsplit, urlunsplit

import psycopg

url = urlsplit(sys.argv[1])
try:
    psycopg.connect(urlunsplit(url._replace(path="/postgres")), connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable: {exc}")
    sys.exit(1)
PYEOF
then
  echo "== pytest on PostgreSQL ($PG_URL)"
  DATABASE_URL=$PG_URL $PY -m pytest "${pytest_args[@]}" || status=1
else
  skipped+=("the PostgreSQL run (no server at $PG_URL)")
fi

if [ ${#skipped[@]} -gt 0 ]; then
  echo
  echo "SKIPPED:"
  for s in "${skipped[@]}"; do echo "  - $s"; done
  if [ "${CI:-}" = "true" ]; then
    echo "CI=true: nothing may be skipped."
    status=1
  fi
fi
exit $status
