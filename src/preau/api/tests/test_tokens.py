"""The « Jetons d'accès » pages and the token routes of the API."""

from typing import Any

import pytest
from django.urls import reverse

from preau.api.models import PersonalAccessToken, Scope
from preau.api.tests.conftest import bearer, make_token
from preau.core.testing import Isolation, isolation_test
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db


def lea_token(cast: Any) -> dict[str, Any]:
    return {"public_id": make_token(cast.lea)[0].public_id}


test_isolation = isolation_test(
    [
        # A token is its person's only: not a classmate's, not their guardian's.
        Isolation(
            route="api_tokens:revoke",
            owner="lea",
            kwargs=lea_token,
            refused=("noah", "sophie", "principal_moulin", "principal_curie"),
            method="post",
            owner_status=302,
        ),
        Isolation(
            route="api:token_revoke",
            owner="lea",
            kwargs=lea_token,
            refused=("noah", "sophie", "principal_moulin", "principal_curie"),
            method="post",
            api=True,
            anonymous_status=401,
        ),
    ]
)


def test_pages_need_login(client: Any) -> None:
    response = client.get(reverse("api_tokens:list"))
    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_create_shows_the_secret_once(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    response = client.post(
        reverse("api_tokens:create"),
        {
            "name": "Agenda",
            "scopes": [Scope.READ_PROFILE],
            "expiry": "30",
            "current_password": DEMO_PASSWORD,
        },
    )
    assert response.status_code == 200
    assert "no-store" in response["Cache-Control"]
    secret = response.context["secret"]
    assert secret in response.content.decode()
    token = PersonalAccessToken.objects.get(person=cast.lea)
    assert token.name == "Agenda"
    assert token.scopes == ["read:profile"]
    assert token.expires_at is not None
    assert client.get(reverse("api:me"), headers=bearer(secret)).status_code == 200

    page = client.get(reverse("api_tokens:list")).content.decode()
    assert "Agenda" in page and token.token_prefix in page
    assert secret not in page


def test_create_without_expiry(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    client.post(
        reverse("api_tokens:create"),
        {
            "name": "Script",
            "scopes": [Scope.READ_DIRECTORY, Scope.READ_PROFILE],
            "expiry": "",
            "current_password": DEMO_PASSWORD,
        },
    )
    token = PersonalAccessToken.objects.get(person=cast.lea)
    assert token.expires_at is None
    assert token.scopes == ["read:directory", "read:profile"]


@pytest.mark.parametrize(
    "data",
    [
        {"name": "Sans droit", "expiry": "30"},
        {"name": "Droit inconnu", "scopes": ["write:everything"], "expiry": "30"},
        {"name": "", "scopes": [Scope.READ_PROFILE], "expiry": "30"},
        # A stolen session cannot mint a token without the password.
        {"name": "Volé", "scopes": [Scope.READ_PROFILE], "expiry": "30", "current_password": "x"},
        {"name": "Volé", "scopes": [Scope.READ_PROFILE], "expiry": "30"},
    ],
)
def test_invalid_form_creates_nothing(cast: Any, client: Any, data: dict) -> None:
    client.force_login(cast.lea)
    data = {"current_password": DEMO_PASSWORD, **data} if "Volé" not in data["name"] else data
    response = client.post(reverse("api_tokens:create"), data)
    assert response.status_code == 200
    assert response.context["form"].errors
    assert "secret" not in response.context
    assert not PersonalAccessToken.objects.filter(person=cast.lea).exists()


def test_create_needs_post(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    assert client.get(reverse("api_tokens:create")).status_code == 405


def test_revoke_page(cast: Any, client: Any) -> None:
    token, secret = make_token(cast.lea)
    client.force_login(cast.lea)
    response = client.post(reverse("api_tokens:revoke", kwargs={"public_id": token.public_id}))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    assert client.get(reverse("api:me"), headers=bearer(secret)).status_code == 401


def test_api_lists_only_own_tokens(cast: Any, client: Any) -> None:
    make_token(cast.noah)
    token, secret = make_token(cast.lea, scopes=(Scope.MANAGE_TOKENS,))
    body = client.get(reverse("api:token_list"), headers=bearer(secret)).json()
    assert [t["public_id"] for t in body["items"]] == [str(token.public_id)]
    assert "token_hash" not in body["items"][0]
    assert body["items"][0]["token_prefix"] == token.token_prefix


def test_api_token_routes_need_the_manage_scope(cast: Any, client: Any) -> None:
    _token, secret = make_token(cast.lea, scopes=(Scope.READ_PROFILE, Scope.READ_DIRECTORY))
    response = client.get(reverse("api:token_list"), headers=bearer(secret))
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "insufficient_scope"
