from collections.abc import Callable
from datetime import datetime
from typing import Any

import pytest

from preau.api import actions
from preau.api.models import PersonalAccessToken, Scope
from preau.core.actor import Actor

ALL_SCOPES = tuple(Scope.values)


def make_token(
    user: Any, scopes: tuple[str, ...] = ALL_SCOPES, expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    return actions.do_create_token(
        actor=Actor(user, {}), name="Script", scopes=scopes, expires_at=expires_at
    )


def bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}


@pytest.fixture
def token_for() -> Callable[..., str]:
    """The secret of a new token of ``user`` (every scope unless told)."""

    def create(user: Any, scopes: tuple[str, ...] = ALL_SCOPES) -> str:
        return make_token(user, scopes)[1]

    return create
