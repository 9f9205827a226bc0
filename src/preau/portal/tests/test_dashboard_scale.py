"""The guardian dashboard runs the same queries for a small school and one ten times larger."""

from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from preau.core.testing import query_budget
from preau.demo.cast import Cast
from preau.demo.population import build_population

pytestmark = pytest.mark.django_db


def dashboard_queries(client: Any, cast: Cast, students: int) -> int:
    """Populate the schools in a savepoint, load Sophie's dashboard, count, and roll back."""
    with transaction.atomic():
        build_population(students, password_hash="!")
        cache.clear()
        client.force_login(cast.sophie)
        client.get("/")  # first visit: the session remembers the child
        cache.clear()
        with CaptureQueriesContext(connection) as context:
            response = client.get("/", {"child": str(cast.hugo.public_id)})
        assert response.status_code == 200
        assert "Hugo" in response.content.decode()
        transaction.set_rollback(True)
    return len([q for q in context.captured_queries if '"django_session"' not in q["sql"]])


def test_the_guardian_dashboard_does_not_grow_with_the_school(client: Any, cast: Cast) -> None:
    small = dashboard_queries(client, cast, 30)
    large = dashboard_queries(client, cast, 300)
    assert small == large
    # And the same again on the cast alone, through the shared budget helper.
    cache.clear()
    client.force_login(cast.sophie)
    with query_budget(small):
        client.get("/", {"child": str(cast.hugo.public_id)})
