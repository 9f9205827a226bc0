from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preau.api.models import PersonalAccessToken, Scope, hash_secret
from preau.api.tests.conftest import bearer, make_token

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def error_of(response: Any, status: int) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message", "details"}
    assert body["error"]["message"]
    return body["error"]


def test_anonymous_is_401(client: Any) -> None:
    response = client.get(ME)
    assert error_of(response, 401)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_valid_token(cast: Any, client: Any) -> None:
    token, secret = make_token(cast.lea)
    response = client.get(ME, headers=bearer(secret))
    assert response.status_code == 200
    assert response.json()["username"] == "eleve.lea"
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_only_the_hash_is_stored(cast: Any) -> None:
    token, secret = make_token(cast.lea)
    assert secret.startswith("preau_")
    assert token.token_hash == hash_secret(secret) != secret
    assert secret.startswith(token.token_prefix)
    assert len(token.token_prefix) < len(secret) // 3


@pytest.mark.parametrize("secret", ["preau_wrong", "not-even-ours", "preau_"])
def test_wrong_token_is_401(cast: Any, client: Any, secret: str) -> None:
    make_token(cast.lea)
    assert error_of(client.get(ME, headers=bearer(secret)), 401)["code"] == "invalid_token"


def test_wrong_token_does_not_fall_back_to_the_session(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    assert client.get(ME, headers=bearer("preau_wrong")).status_code == 401


def test_revoked_token_is_401(cast: Any, client: Any) -> None:
    token, secret = make_token(cast.lea)
    PersonalAccessToken.objects.filter(pk=token.pk).update(revoked_at=timezone.now())
    assert error_of(client.get(ME, headers=bearer(secret)), 401)["code"] == "token_revoked"


def test_expired_token_is_401(cast: Any, client: Any) -> None:
    token, secret = make_token(cast.lea, expires_at=timezone.now() + timedelta(days=1))
    PersonalAccessToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() - timedelta(seconds=1)
    )
    assert error_of(client.get(ME, headers=bearer(secret)), 401)["code"] == "token_expired"


def test_token_of_deactivated_person_is_401(cast: Any, client: Any) -> None:
    _token, secret = make_token(cast.lea)
    type(cast.lea).objects.filter(pk=cast.lea.pk).update(is_active=False)
    assert error_of(client.get(ME, headers=bearer(secret)), 401)["code"] == "invalid_token"


def test_missing_scope_is_403(cast: Any, client: Any) -> None:
    _token, secret = make_token(cast.lea, scopes=(Scope.READ_PROFILE,))
    assert client.get(ME, headers=bearer(secret)).status_code == 200
    url = reverse("api:class_detail", kwargs={"public_id": cast.class_4b.public_id})
    error = error_of(client.get(url, headers=bearer(secret)), 403)
    assert error["code"] == "insufficient_scope"
    assert error["details"] == {"required_scope": "read:directory"}
    assert "read:directory" in error["message"]


def test_token_reaches_only_what_its_person_may(cast: Any, client: Any) -> None:
    _token, secret = make_token(cast.karim)
    url = reverse("api:student_detail", kwargs={"public_id": cast.lea.public_id})
    assert error_of(client.get(url, headers=bearer(secret)), 404)["code"] == "not_found"


# -- session and CSRF ------------------------------------------------------------------------


def csrf_client(user: Any) -> tuple[Client, str]:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    client.get(reverse("api_tokens:list"))  # a page with a form sets the CSRF cookie
    return client, client.cookies["csrftoken"].value


def test_session_get_needs_no_csrf(cast: Any) -> None:
    client, _csrf = csrf_client(cast.lea)
    assert client.get(ME).status_code == 200


def test_session_post_needs_csrf(cast: Any) -> None:
    token, _secret = make_token(cast.lea)
    client, csrf = csrf_client(cast.lea)
    url = reverse("api:token_revoke", kwargs={"public_id": token.public_id})
    assert error_of(client.post(url), 403)["code"] == "csrf_failed"
    token.refresh_from_db()
    assert token.revoked_at is None
    response = client.post(url, headers={"X-CSRFToken": csrf})
    assert response.status_code == 200
    assert response.json()["revoked_at"] is not None


def test_anonymous_post_is_401_not_csrf(cast: Any) -> None:
    token, _secret = make_token(cast.lea)
    client = Client(enforce_csrf_checks=True)
    url = reverse("api:token_revoke", kwargs={"public_id": token.public_id})
    assert error_of(client.post(url), 401)["code"] == "not_authenticated"


def test_token_post_needs_no_csrf(cast: Any) -> None:
    token, secret = make_token(cast.lea)
    client = Client(enforce_csrf_checks=True)
    url = reverse("api:token_revoke", kwargs={"public_id": token.public_id})
    assert client.post(url, headers=bearer(secret)).status_code == 200
