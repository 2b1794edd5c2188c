"""``manage.py seed_demo``: load the demo data of every first-party app.

Contract for apps: an app that has demo data adds a ``demo`` module with a
function ``seed(stdout)``. It must be idempotent (a second run creates
nothing and does not fail) and may rely on the demo data of apps listed
before it in ``INSTALLED_APPS``. This command imports those modules in
``INSTALLED_APPS`` order and calls them, so it never names an app: ``lms``
keeps importing nothing from ``cms``, ``courses`` or ``branches_school``.
"""

from collections.abc import Iterator
from importlib import import_module
from pathlib import Path
from types import ModuleType

from django.apps import AppConfig, apps
from django.conf import settings
from django.core.management.base import BaseCommand
from django.utils.module_loading import module_has_submodule

DEMO_MODULE = "demo"


def _is_first_party(app_config: AppConfig) -> bool:
    """Code of this repository, not of an installed package (a virtualenv may
    live inside the repository, hence the site-packages check)."""
    path = Path(app_config.path).resolve()
    base = Path(settings.BASE_DIR).resolve()
    return path.is_relative_to(base) and "site-packages" not in path.parts


def demo_modules() -> Iterator[ModuleType]:
    """The ``demo`` modules of first-party apps, in ``INSTALLED_APPS`` order."""
    for app_config in apps.get_app_configs():
        if _is_first_party(app_config) and module_has_submodule(app_config.module, DEMO_MODULE):
            yield import_module(f"{app_config.name}.{DEMO_MODULE}")


class Command(BaseCommand):
    help = "Load demo schools, pages and accounts. Safe to run again: nothing is duplicated."

    def handle(self, *args, **options):
        for module in demo_modules():
            self.stdout.write(self.style.MIGRATE_HEADING(f"{module.__name__}.seed"))
            module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready."))
