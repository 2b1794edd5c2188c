# The two commands: `make run` serves the demo site, `make test` runs the suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
STAMP := $(VENV)/.installed

.PHONY: run test install lint worker beat messages bench bench-lottery bench-rush clean

$(STAMP): pyproject.toml requirements.lock
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements.lock -e ".[test]"
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "丽水市老年大学: http://localhost:$(PORT)/   丽水市老干部党校: http://dangxiao.localhost:$(PORT)/"
	$(PY) manage.py runserver 0.0.0.0:$(PORT)

test: $(STAMP)
	bash scripts/test.sh

lint: $(STAMP)
	$(VENV)/bin/ruff check .

worker: $(STAMP)
	$(VENV)/bin/celery -A lms worker -l info

beat: $(STAMP)
	$(VENV)/bin/celery -A lms beat -l info

# Each app keeps its own catalogue (lms/locale holds the project templates).
MESSAGE_DIRS := lms/accounts lms/notifications cms courses branches_school
messages: $(STAMP)
	cd lms && ../$(PY) ../manage.py makemessages -l zh_Hans --no-obsolete -i "accounts/*" -i "notifications/*"
	for d in $(MESSAGE_DIRS); do (cd $$d && mkdir -p locale && $(CURDIR)/$(PY) $(CURDIR)/manage.py makemessages -l zh_Hans --no-obsolete); done
	$(PY) manage.py compilemessages --ignore=.venv

# Catalogue requests/s against a bare view (docs/benchmarks.md);
# BENCH_ARGS=--no-fail only reports.
bench: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || { echo "make bench needs wrk: apt-get install -y wrk"; exit 2; }
	$(PY) bench/catalog.py $(BENCH_ARGS)

# A lottery of 100,000 requests across 70 classes (docs/benchmarks.md): PostgreSQL
# when it answers on 127.0.0.1 (or DATABASE_URL), else SQLite; BENCH_ARGS=--no-fail.
bench-lottery: $(STAMP)
	$(PY) bench/lottery.py $(BENCH_ARGS)

# The enrolment rush (docs/benchmarks.md): 5,000 attempts from 64 logged-in
# clients at one class of 500 seats, then at 20 classes of 25, through
# gunicorn, on PostgreSQL and Redis at 127.0.0.1; BENCH_ARGS=--no-fail.
bench-rush: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || apt-get install -y wrk || { echo "make bench-rush needs wrk: apt-get install -y wrk"; exit 2; }
	$(PY) bench/rush.py $(BENCH_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3* .pytest-db* test-artifacts
