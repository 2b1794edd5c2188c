"""Settings are driven by environment variables; production passes Django's
deployment checks."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION_ENV = {
    "DJANGO_SETTINGS_MODULE": "lms.settings.production",
    "DJANGO_SECRET_KEY": "k" * 20 + "9f!Q2@x#Lm$Vb%Nc^Zr&Tp*Wy(Ud)Ej-Hs_Gk+" + "a" * 20,
    "DJANGO_ALLOWED_HOSTS": "www.lsldxx.cn,dangxiao.lsldxx.cn",
    "DATABASE_URL": "postgres://lms:secret@db.internal:5432/lms",
    "REDIS_URL": "redis://cache.internal:6379/0",
}


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


def test_the_embedded_default_is_sqlite_in_wal_mode_with_eager_tasks():
    seen = settings_as_seen_with({"DJANGO_SETTINGS_MODULE": "lms.settings.dev"})
    assert seen["db"]["ENGINE"] == "django.db.backends.sqlite3"
    assert seen["db"]["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    assert "journal_mode=WAL" in seen["db"]["OPTIONS"]["init_command"]
    assert seen["eager"] is True


def test_environment_variables_choose_postgresql_and_redis():
    seen = settings_as_seen_with(PRODUCTION_ENV)
    assert seen["db"]["ENGINE"] == "django.db.backends.postgresql"
    assert seen["db"]["HOST"] == "db.internal"
    assert seen["broker"] == "redis://cache.internal:6379/0"
    assert seen["eager"] is False
    assert seen["cache"] == "django.core.cache.backends.redis.RedisCache"
    assert seen["debug"] is False
    assert seen["hosts"] == ["www.lsldxx.cn", "dangxiao.lsldxx.cn"]
