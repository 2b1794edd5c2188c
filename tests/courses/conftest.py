import pytest
from django.utils import translation


@pytest.fixture
def english(client):
    """Pages in English (the language cookie, and gettext in the test), so
    that assertions on page text do not depend on the Chinese catalogue."""
    client.cookies["lms_language"] = "en"
    with translation.override("en"):
        yield client
