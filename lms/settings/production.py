"""Production: every secret and host from the environment, HTTPS only."""

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env, env_bool

DEBUG = False
if not env("DJANGO_SECRET_KEY"):
    raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set in production.")
if not env("DJANGO_ALLOWED_HOSTS"):
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must be set in production.")

# Login and verification codes go out by SMS and e-mail: a backend that
# prints them (or keeps them in memory) would put them in the logs instead of
# in people's hands.
_NOT_FOR_PRODUCTION = {
    "SMS_BACKEND": {"lms.sms.ConsoleSMSBackend", "lms.sms.LocmemSMSBackend"},
    "EMAIL_BACKEND": {
        "django.core.mail.backends.console.EmailBackend",
        "django.core.mail.backends.locmem.EmailBackend",
    },
}
for _name, _refused in _NOT_FOR_PRODUCTION.items():
    if globals()[_name] in _refused:
        raise ImproperlyConfigured(
            f"{_name} must be set in production to a backend that delivers messages "
            f"(now {globals()[_name]!r}, which would print login codes to the logs)."
        )

STORAGES["staticfiles"] = {  # noqa: F405
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
LANGUAGE_COOKIE_SECURE = True
SECURE_HSTS_SECONDS = int(env("DJANGO_SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", True)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"  # Wagtail marks its own preview views SAMEORIGIN
WAGTAILADMIN_BASE_URL = env("WAGTAILADMIN_BASE_URL", "https://" + env("DJANGO_ALLOWED_HOSTS").split(",")[0])
