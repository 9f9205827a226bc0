"""Fixtures shared by the whole suite: the demo cast is built once per test database."""

from typing import Any

import pytest
from django.core.cache import cache

from preau.core.actor import _year_cache

# Journeys in a real browser, for the tests of every app.
from preau.core.browsing import browser, page, portal_url  # noqa: F401
from preau.demo.cast import Cast, build_cast
from preau.usage import recorder


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> None:
    with django_db_blocker.unblock():
        build_cast()


@pytest.fixture
def cast(db: Any) -> Cast:
    return Cast.load()


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    cache.clear()
    _year_cache.clear()
    # Visits counted in memory are written once a minute: never in the middle of a test.
    recorder.forget()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Uploaded files go to a folder of the test's own."""
    settings.MEDIA_ROOT = tmp_path / "media"
