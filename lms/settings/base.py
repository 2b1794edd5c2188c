"""Settings shared by every environment.

Everything a deployment changes is read from environment variables; the
defaults give the embedded setup (SQLite in WAL mode, eager Celery tasks,
console e-mail and SMS) so that `make run` needs no services.
"""

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


SECRET_KEY = env("DJANGO_SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,.localhost,[::1]")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    # Our apps first so that their templates override allauth's and Wagtail's.
    "lms.accounts",
    "lms.notifications",
    "lms",
    "cms",
    "courses",
    "branches_school",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.contrib.routable_page",
    "wagtail.embeds",
    "wagtail.sites",
    "lms.accounts.apps.UsersAppConfig",  # wagtail.users, with phone numbers
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "django_filters",
    "allauth",
    "allauth.account",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Cached catalogue pages, before Wagtail routes (needs the language,
    # user, messages and CSRF cookie above; see courses/middleware.py).
    "courses.middleware.CataloguePageCacheMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "lms.accounts.middleware.AdminAccessMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "lms.urls"
WSGI_APPLICATION = "lms.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.debug",
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "wagtail.contrib.settings.context_processors.settings",
                "lms.context_processors.preferences",
                "lms.notifications.context_processors.inbox",
                "courses.context_processors.roll_call",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------
# DATABASE_URL picks the engine (postgres://…, sqlite:///…). Without it we use
# a local SQLite file in WAL mode whose transactions start IMMEDIATE, so that
# writers queue on the database lock instead of failing half-way.
# The busy timeout is set once, by the driver's "timeout" (seconds).
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
}


def database_from_env(default_path: Path) -> dict:
    # Connections are kept between requests (opening one, and SQLite's
    # PRAGMAs, cost as much as a simple page) and checked before reuse.
    conn_max_age = int(env("DATABASE_CONN_MAX_AGE", "60"))
    url = env("DATABASE_URL")
    if not url:
        return {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(default_path),
            "OPTIONS": dict(SQLITE_OPTIONS),
            "CONN_MAX_AGE": conn_max_age,
            "CONN_HEALTH_CHECKS": True,
        }
    config = dj_database_url.parse(url, conn_max_age=conn_max_age, conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = dict(SQLITE_OPTIONS)
    return config


DATABASES = {"default": database_from_env(BASE_DIR / env("SQLITE_FILE", "db.sqlite3"))}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Cache ------------------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "lms.redis_cache.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": env("CACHE_KEY_PREFIX", "lms"),
        }
    }
    # Every logged-in request loads its session: read it from Redis, kept in
    # the database too (written through), so that a cache flush or an
    # evicted key logs nobody out. Saves a query per request (the rush).
    SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Celery -----------------------------------------------------------------
# With no broker configured, tasks run in-process (eagerly) after commit.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", REDIS_URL)
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", not CELERY_BROKER_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_DEFAULT_QUEUE = "lms"
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# A broker outage must never hold up a request (enrolment, sign-up): fail
# the publish fast; the notification stays pending in the database and the
# periodic redelivery job sends it once the broker is back.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "max_retries": 0}
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BEAT_SCHEDULE: dict = {}

# --- Authentication ---------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
     "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
# A form that sat open too long gets plain words and a way back.
CSRF_FAILURE_VIEW = "lms.accounts.views.csrf_failure"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/"

ACCOUNT_ADAPTER = "lms.accounts.adapter.AccountAdapter"
ACCOUNT_LOGIN_METHODS = {"phone", "email"}
# "以 王秀英 成功登录": people by their name (the profile's real name, else
# their name, phone or e-mail), never the generated username.
ACCOUNT_USER_DISPLAY = "lms.accounts.models.user_display"
ACCOUNT_SIGNUP_FIELDS = ["phone", "email", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = env("ACCOUNT_EMAIL_VERIFICATION", "optional")
# A new mobile number is proved by a code sent by SMS before the account is
# signed in (lms.accounts.stages: at sign-up; allauth's change-number page
# verifies changes). Seniors who find SMS hard get "send again".
ACCOUNT_PHONE_VERIFICATION_ENABLED = env_bool("ACCOUNT_PHONE_VERIFICATION_ENABLED", True)
ACCOUNT_PHONE_VERIFICATION_SUPPORTS_RESEND = True
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_LOGIN_BY_CODE_ENABLED = True
ACCOUNT_LOGIN_BY_CODE_TIMEOUT = 600
ACCOUNT_LOGIN_BY_CODE_MAX_ATTEMPTS = 5
ACCOUNT_SESSION_REMEMBER = True
ACCOUNT_LOGOUT_ON_GET = False
# Deliberately off. With it on, allauth answers "we sent you a message" for
# numbers and addresses it does not know, and a senior who mistyped a digit
# waits for a text that never comes. Our people need to read "no account uses
# this number" and "this number is already registered" on the page. The cost
# (someone can test whether a number has an account) is held down by the rate
# limits below (failed logins per IP and per number) and allauth's per-number
# limits on login codes and verification SMS.
ACCOUNT_PREVENT_ENUMERATION = False
ACCOUNT_RATE_LIMITS = {
    "login_failed": "10/m/ip,5/5m/key",
    "confirm_email": "1/3m/key",
}
ACCOUNT_FORMS = {
    "login": "lms.accounts.forms.LoginForm",
    "signup": "lms.accounts.forms.SignupForm",
    "request_login_code": "lms.accounts.forms.RequestLoginCodeForm",
    "confirm_login_code": "lms.accounts.forms.ConfirmLoginCodeForm",
    "verify_phone": "lms.accounts.forms.VerifyPhoneForm",
}
# allauth wants one login method to be required at signup; ours requires
# "a mobile number or an e-mail address" (SignupForm.clean enforces it).
SILENCED_SYSTEM_CHECKS = ["account.W001"]

# SMS goes through a pluggable backend (dotted path); the console backend
# prints messages, which is what development wants.
SMS_BACKEND = env("SMS_BACKEND", "lms.sms.ConsoleSMSBackend")
SMS_SIGN_NAME = env("SMS_SIGN_NAME", "丽水市老年大学")

# --- E-mail -----------------------------------------------------------------
EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = int(env("EMAIL_PORT", "25"))
EMAIL_HOST_USER = env("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "丽水市老年大学 <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# --- Internationalisation ---------------------------------------------------
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES
LOCALE_PATHS = [BASE_DIR / "lms" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "lms_language"
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600

# --- Static and media -------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / env("STATIC_ROOT", "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env("MEDIA_URL", "/media/")
MEDIA_ROOT = BASE_DIR / env("MEDIA_ROOT", "media")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
if env("AWS_STORAGE_BUCKET_NAME"):
    # S3-compatible media (django-storages must be installed by the deployment).
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": env("AWS_STORAGE_BUCKET_NAME"),
            "endpoint_url": env("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": env("AWS_S3_CUSTOM_DOMAIN") or None,
        },
    }

# --- Wagtail ----------------------------------------------------------------
WAGTAIL_SITE_NAME = "丽水市老年大学"
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "http://localhost:8000")
WAGTAIL_I18N_ENABLED = False
# "simple": no English stemming or stop words on PostgreSQL, so that the
# jieba words and pinyin initials we index match the same way as on SQLite.
WAGTAILSEARCH_BACKENDS = {
    "default": {"BACKEND": "wagtail.search.backends.database", "SEARCH_CONFIG": "simple"},
}
WAGTAILDOCS_EXTENSIONS = ["pdf", "docx", "xlsx", "pptx", "txt"]
WAGTAIL_ENABLE_UPDATE_CHECK = False
WAGTAILADMIN_LOGIN_URL = "account_login"
# Pages with a login restriction send visitors to our own login page.
WAGTAIL_FRONTEND_LOGIN_URL = "/accounts/login/"
# A form that sat open too long gets plain words and a way back.
CSRF_FAILURE_VIEW = "lms.accounts.views.csrf_failure"

# Hosts of the two schools; the seed command and `cms.sites` use them.
SCHOOL_HOSTS = {
    "university": env("UNIVERSITY_HOST", "localhost"),
    "party_school": env("PARTY_SCHOOL_HOST", "dangxiao.localhost"),
}
# Port of the school Sites (443 in production, so Site.root_url is https://).
SCHOOL_SITE_PORT = int(env("SCHOOL_SITE_PORT", "80"))

# The help line shown on every page when a school has not set its own (and
# on the error page, which cannot read the database).
DEFAULT_HELP_PHONE = env("DEFAULT_HELP_PHONE", "")

# Large-text preference (cookie, so the first paint is right without JS).
TEXT_SIZE_COOKIE = "lms_text_size"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Notifications: re-enqueue deliveries a broker outage left pending.
CELERY_BEAT_SCHEDULE["notifications.redeliver_pending"] = {
    "task": "notifications.redeliver_pending",
    "schedule": 300.0,
}
# Enrolment: offered waiting-list places not accepted in time move on.
CELERY_BEAT_SCHEDULE["courses.expire_offers"] = {
    "task": "courses.expire_offers",
    "schedule": 300.0,
}
# Lotteries: announced while requests come in, drawn once the window has
# closed (courses/services/lottery_schedule.py).
CELERY_BEAT_SCHEDULE["courses.run_due_lotteries"] = {
    "task": "courses.run_due_lotteries",
    "schedule": 300.0,
}
# Attendance: students absent three classes in a row without leave are
# flagged to their campus admins (courses/services/absence_flags.py).
CELERY_BEAT_SCHEDULE["courses.flag_absence_streaks"] = {
    "task": "courses.flag_absence_streaks",
    "schedule": 3600.0,
}
# A term's absence limit: the places of students over it go to the waiting
# list (courses/services/absence_limit.py).
CELERY_BEAT_SCHEDULE["courses.release_absent_places"] = {
    "task": "courses.release_absent_places",
    "schedule": 3600.0,
}
