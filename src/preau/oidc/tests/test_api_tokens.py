"""The REST API accepts the OAuth 2 access tokens of the provider, under the API's own scopes
(``read:profile``, ``read:directory``); never for managing personal tokens."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from oauth2_provider.models import AccessToken

from preau.core.testing import query_budget
from preau.oidc.tests.helpers import register

pytestmark = pytest.mark.django_db


def _token(cast: Any, scope: str, *, user: Any = None, expires_in: int = 3600) -> str:
    registration = register(cast)
    AccessToken.objects.create(
        user=user or cast.lea,
        application=registration.client.application,
        token="jeton-oauth-de-test",
        expires=timezone.now() + timedelta(seconds=expires_in),
        scope=scope,
    )
    return "jeton-oauth-de-test"


def _bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_with_the_scope_reads_the_profile(cast: Any, client: Any) -> None:
    token = _token(cast, "openid read:profile")
    # The token (with its person and application, joined), the school year, the person's
    # memberships, then the route's read of the children.
    with query_budget(4):
        response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 200, response.content
    assert response.json()["username"] == "eleve.lea"


def test_a_token_without_the_scope_is_403(cast: Any, client: Any) -> None:
    token = _token(cast, "openid profile email")
    response = client.get("/api/v1/me", headers=_bearer(token))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"


def test_the_directory_follows_the_person_s_policies(cast: Any, client: Any) -> None:
    token = _token(cast, "openid read:directory", user=cast.bernard)
    response = client.get("/api/v1/classes", headers=_bearer(token))
    assert response.status_code == 200, response.content


def test_personal_tokens_are_never_managed_through_oauth(cast: Any, client: Any) -> None:
    token = _token(cast, "openid read:profile read:directory manage:tokens")
    response = client.get("/api/v1/tokens", headers=_bearer(token))
    assert response.status_code == 403


def test_an_expired_unknown_or_revoked_token_is_401(cast: Any, client: Any) -> None:
    token = _token(cast, "openid read:profile", expires_in=-10)
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=_bearer("inconnu")).status_code == 401
    AccessToken.objects.all().delete()
    token = _token(cast, "openid read:profile")
    cast.lea.is_active = False
    cast.lea.save(update_fields=["is_active"])
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 401


def test_the_school_services_scopes_are_granted_to_clients(cast: Any, client: Any) -> None:
    token = _token(cast, "openid read:timetable read:marks")
    assert client.get("/api/v1/timetable", headers=_bearer(token)).status_code == 200
    marks = f"/api/v1/students/{cast.lea.public_id}/marks"
    assert client.get(marks, headers=_bearer(token)).status_code == 200
    refused = client.get("/api/v1/conversations", headers=_bearer(token))
    assert refused.status_code == 403
    assert refused.json()["error"]["details"] == {"required_scope": "read:messages"}


def test_an_oauth_token_has_its_own_rate_limit(cast: Any, client: Any, settings: Any) -> None:
    settings.API_RATE_TOKEN = "1/m"
    token = _token(cast, "openid read:profile")
    assert client.get("/api/v1/me", headers=_bearer(token)).status_code == 200
    refused = client.get("/api/v1/me", headers=_bearer(token))
    assert refused.status_code == 429
    assert int(refused["Retry-After"]) >= 1
    # The person's session is counted apart.
    client.force_login(cast.lea)
    assert client.get("/api/v1/me").status_code == 200
