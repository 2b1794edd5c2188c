"""Test settings: fast hashing, in-memory e-mail, eager tasks unless a test
asks for a real broker. DATABASE_URL chooses SQLite (default) or PostgreSQL."""

import os

from .base import *  # noqa: F403
from .base import BASE_DIR, SQLITE_OPTIONS, env

DEBUG = False
SECRET_KEY = "test-only-secret-key"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SMS_BACKEND = "lms.sms.LocmemSMSBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_BROKER_URL = env("CELERY_BROKER_URL", "memory://")
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
ACCOUNT_RATE_LIMITS = False
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file (not :memory:) so that threads in concurrency tests and the live
    # server share it; one per process so parallel runs don't collide.
    _test_db = str(BASE_DIR / f".pytest-db-{os.getpid()}.sqlite3")
    DATABASES["default"]["NAME"] = _test_db  # noqa: F405
    DATABASES["default"]["OPTIONS"] = dict(SQLITE_OPTIONS)  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": _test_db}  # noqa: F405
    # As before connections were kept: one per request in the live server.
    DATABASES["default"]["CONN_MAX_AGE"] = 0  # noqa: F405
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
