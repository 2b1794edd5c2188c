"""Settings are driven by environment variables; production passes Django's
deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "9f!Q2@x#Lm$Vb%Nc^Zr&Tp*Wy(Ud)Ej-Hs_Gk+" + "a" * 20,
    "DJANGO_ALLOWED_HOSTS": "www.lsldxx.cn,dangxiao.lsldxx.cn",
    "DATABASE_URL": "postgres://lms:secret@db.internal:5432/lms",
    "REDIS_URL": "redis://cache.internal:6379/0",
    "SMS_BACKEND": "tests.test_settings.ProviderSMSBackend",
    "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


class ProviderSMSBackend:
    """Stands in for a deployment's SMS provider (a real one posts to the
    provider's HTTP API); production settings only need a dotted path that
    is not a printing backend."""

    def send(self, phone: str, message: str) -> None:
        raise NotImplementedError


def run(args, env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def settings_as_seen_with(env_overrides):
    code = (
        "import django, json; django.setup(); from django.conf import settings as s;"
        "print(json.dumps({'db': s.DATABASES['default'], 'eager': s.CELERY_TASK_ALWAYS_EAGER,"
        "'broker': s.CELERY_BROKER_URL, 'cache': s.CACHES['default']['BACKEND'],"
        "'debug': s.DEBUG, 'hosts': s.ALLOWED_HOSTS}, default=str))"
    )
    result = run(["-c", code], env_overrides)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_settings_pass_the_deploy_checks():
    result = run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**PRODUCTION_ENV, "DJANGO_SECRET_KEY": ""}
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("SMS_BACKEND", "lms.sms.ConsoleSMSBackend"),
        ("SMS_BACKEND", "lms.sms.LocmemSMSBackend"),
        ("SMS_BACKEND", None),  # unset: the console default
        ("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend"),
        ("EMAIL_BACKEND", "django.core.mail.backends.locmem.EmailBackend"),
        ("EMAIL_BACKEND", None),
    ],
)
def test_production_refuses_to_print_login_codes(variable, value):
    env = dict(PRODUCTION_ENV)
    env.pop(variable)
    if value is not None:
        env[variable] = value
    result = run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert f"{variable} must be set in production" in result.stderr


def test_the_embedded_default_is_sqlite_in_wal_mode_with_eager_tasks(tmp_path):
    seen = settings_as_seen_with({"DJANGO_SETTINGS_MODULE": "lms.settings.dev"})
    assert seen["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert seen["db"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert seen["eager"] is True
    # A real connection, as `make run` opens it (in a throwaway file).
    code = (
        "import django; django.setup(); from django.db import connection;"
        "c = connection.cursor();"
        "print(c.execute('PRAGMA journal_mode').fetchone()[0],"
        " c.execute('PRAGMA busy_timeout').fetchone()[0],"
        " c.execute('PRAGMA foreign_keys').fetchone()[0])"
    )
    result = run(
        ["-c", code],
        {"DJANGO_SETTINGS_MODULE": "lms.settings.dev", "SQLITE_FILE": str(tmp_path / "dev.sqlite3")},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["wal", "20000", "1"]


def test_environment_variables_choose_postgresql_and_redis():
    seen = settings_as_seen_with(PRODUCTION_ENV)
    assert seen["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert seen["db"]["HOST"] == "db.internal"
    assert seen["broker"] == "redis://cache.internal:6379/0"
    assert seen["eager"] is False
    assert seen["cache"] == "lms.redis_cache.RedisCache"
    assert seen["debug"] is False
    assert seen["hosts"] == ["www.lsldxx.cn", "dangxiao.lsldxx.cn"]
