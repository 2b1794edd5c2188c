from io import StringIO

import pytest
from django.core.management import call_command
from django.test import TestCase
from django.utils import translation


@pytest.fixture
def english(client):
    """Pages in English (the language cookie, and gettext in the test), so
    that assertions on page text do not depend on the Chinese catalogue."""
    client.cookies["lms_language"] = "en"
    with translation.override("en"):
        yield client


@pytest.fixture(scope="module")
def demo_seeded(django_db_setup, django_db_blocker):
    """``manage.py seed_demo`` once for the module, rolled back after it so
    that no other test sees its data. The transaction is opened the way
    Django's ``TestCase`` opens its own, so that the enrolment services'
    durable transactions run inside it (as savepoints) as they do in any
    test."""
    with django_db_blocker.unblock():
        atomics = TestCase._enter_atomics()
        try:
            call_command("seed_demo", stdout=StringIO())
            yield
        finally:
            TestCase._rollback_atomics(atomics)
