"""Test helpers shared by every app: query budgets and isolation cases.

Every tenant-scoped route (a URL that takes an identifier) declares an ``Isolation`` in its app's
tests: who owns the object, and which members of the cast must get a 404 for it. The meta-test
in core/tests/test_isolation_coverage.py fails when a route has no such declaration.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from preau.accounts.backends import user_key
from preau.directory import versions

ISOLATION_CASES: list[Isolation] = []


@contextlib.contextmanager
def query_budget(expected: int, *, warm: bool = False) -> Iterator[CaptureQueriesContext]:
    """Fail, printing the SQL, unless exactly ``expected`` queries run inside the block.

    Session storage is left out: it is one query with database sessions and none with the
    Redis-backed ones, and the budget is about the page's own work. Unless ``warm``, the
    cached directory reads (directory/versions.py) and the cached accounts are dropped first, so
    that the budget counts what a page costs when the directory has just changed.
    """
    if not warm:
        versions.bump()
        # The signed-in person's cached copy too (accounts/backends.py): read from the
        # database, as after a change to the account.
        user_model = get_user_model()
        cache.delete_many([user_key(pk) for pk in user_model.objects.values_list("pk", flat=True)])
    with CaptureQueriesContext(connection) as context:
        yield context
    queries = [q for q in context.captured_queries if '"django_session"' not in q["sql"]]
    executed = len(queries)
    if executed != expected:
        statements = "\n".join(f"{i}. {q['sql']}" for i, q in enumerate(queries, start=1))
        pytest.fail(f"{executed} queries instead of {expected}:\n{statements}")


@dataclass
class Isolation:
    """A tenant-scoped route and the people who must not reach the owner's object.

    ``kwargs`` builds the URL arguments from the cast; ``refused`` names cast members (see
    preau.demo.cast.Cast) who must get a 404: another family, another class, another
    establishment. Anonymous visitors are sent to the login page (or get 401 from the API).
    """

    route: str
    owner: str
    kwargs: Callable[[Any], dict[str, Any]]
    refused: tuple[str, ...]
    method: str = "get"
    data: dict[str, Any] = field(default_factory=dict)
    owner_status: int = 200
    anonymous_status: int = 302
    api: bool = False
    # Prepares data the route needs (e.g. a file to download); runs inside the test transaction.
    setup: Callable[[Any], None] | None = None

    def __post_init__(self) -> None:
        ISOLATION_CASES.append(self)

    def url(self, cast: Any) -> str:
        return reverse(self.route, kwargs=self.kwargs(cast))

    def __str__(self) -> str:
        return f"{self.route}[{self.owner}]"


def isolation_test(cases: list[Isolation]) -> Callable[..., None]:
    """A parametrised test that checks the owner, each refused person and an anonymous visitor."""

    @pytest.mark.parametrize("case", cases, ids=str)
    def test_isolation(case: Isolation, cast: Any, client: Any) -> None:
        if case.setup is not None:
            case.setup(cast)
        url = case.url(cast)

        def call() -> Any:
            return getattr(client, case.method)(url, case.data)

        response = call()
        assert response.status_code == case.anonymous_status, (
            f"anonymous got {response.status_code}"
        )
        log_in_with_second_factor(client, getattr(cast, case.owner))
        response = call()
        assert response.status_code == case.owner_status, f"{case.owner} got {response.status_code}"
        for name in case.refused:
            log_in_with_second_factor(client, getattr(cast, name))
            response = call()
            assert response.status_code == 404, f"{name} got {response.status_code} for {url}"

    return test_isolation


# A fixed authenticator secret for tests that enrol someone (base32, 32 characters).
TEST_TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"  # noqa: S105 - test data


def log_in_with_second_factor(client: Any, user: Any) -> None:
    """``client.force_login(user)`` for pages behind the second factor (administration).

    Enrols an authenticator with TEST_TOTP_SECRET when the person has none, and marks the
    session as having passed the second factor, as a login with a code does. Tests of the rule
    itself (accounts/tests/test_second_factor.py) log in without it.
    """
    from preau.accounts import twofactor
    from preau.accounts.models import TotpDevice

    if not user.has_totp:
        TotpDevice.objects.update_or_create(
            person=user,
            defaults={"secret": TEST_TOTP_SECRET, "confirmed_at": timezone.now()},
        )
        user.has_totp = True
        user.save(update_fields=["has_totp"])
    client.force_login(user)
    session = client.session
    twofactor.mark_verified(session)
    session.save()
