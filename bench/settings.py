"""Throwaway settings for ``bench/catalog.py``: production's settings (DEBUG
off, the same middleware, templates and cache) served over plain HTTP on
the loopback, with a fixed secret and a database of its own.

Database: ``DATABASE_URL`` if set (e.g. PostgreSQL), else a SQLite file at
``BENCH_SQLITE`` (default /tmp/lms-bench/bench.sqlite3). Cache: Redis when
``REDIS_URL`` is set, else local memory (one cache per gunicorn worker), as
in ``lms.settings.base``.
"""

import os
from pathlib import Path

# Production refuses to start without these, and refuses console SMS and
# e-mail backends (they would log login codes): nothing is sent here.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only-secret-key-not-for-any-real-site")
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,dangxiao.localhost")
os.environ.setdefault("SMS_BACKEND", "bench.settings.NoSMSBackend")
os.environ.setdefault("EMAIL_BACKEND", "django.core.mail.backends.dummy.EmailBackend")

from lms.settings.base import database_from_env, env
from lms.settings.production import *  # noqa: F403

DEBUG = False
ROOT_URLCONF = "bench.urls"

if not env("DATABASE_URL"):
    _path = Path(env("BENCH_SQLITE", "/tmp/lms-bench/bench.sqlite3"))
    _path.parent.mkdir(parents=True, exist_ok=True)
    DATABASES = {"default": database_from_env(_path)}  # as production's default

# Plain HTTP on 127.0.0.1: no redirect to https, cookies not HTTPS-only.
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = LANGUAGE_COOKIE_SECURE = False
# Hashed file names need `collectstatic` first; the page's {% static %} tags
# cost the same either way.
STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
}
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}


class NoSMSBackend:
    """Sends nothing (the benchmark never signs anyone in)."""

    def __init__(self, *args, **kwargs):
        pass

    def send(self, *args, **kwargs):
        return None
