"""Shared fixtures. Factories live in ``tests/factories.py``."""

import os

import pytest
from django.core.cache import cache

from lms import sms


def pytest_collection_modifyitems(config, items):
    # PostgreSQL-only tests (row locks, real concurrency) belong to the
    # PostgreSQL run of the suite (scripts/test.sh runs both); on SQLite they
    # are deselected rather than skipped, so that CI's no-skip rule holds.
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        deselected = [item for item in items if item.get_closest_marker("postgres")]
        if deselected:
            config.hook.pytest_deselected(items=deselected)
            items[:] = [item for item in items if not item.get_closest_marker("postgres")]
    # Browser tests serve pages from a live server thread; run them last.
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session, exitstatus):
    """With CI=true a skipped test is a failure: it would be a test that does
    not exist."""
    if os.environ.get("CI") != "true":
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = len(reporter.stats.get("skipped", [])) if reporter else 0
    if skipped:
        reporter.write_line(f"CI=true: {skipped} test(s) skipped; failing the run.", red=True)
        session.exitstatus = 1


@pytest.fixture(autouse=True)
def _clean_outboxes():
    sms.outbox.clear()
    cache.clear()
    yield
    sms.outbox.clear()
