"""Local development: the embedded default behind `make run`."""

from .base import *  # noqa: F403
from .base import env_bool

DEBUG = env_bool("DJANGO_DEBUG", True)
INTERNAL_IPS = ["127.0.0.1"]
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
