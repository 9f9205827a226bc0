"""Rate limits: per token, per signed-in person; the 429 says when to come back."""

from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from preau.api.tests.conftest import bearer

pytestmark = pytest.mark.django_db


@override_settings(API_RATE_TOKEN="2/m")
def test_each_token_has_its_own_budget(cast: Any, client: Any, token_for: Any) -> None:
    url = reverse("api:me")
    first, second = token_for(cast.lea), token_for(cast.lea)
    assert [client.get(url, headers=bearer(first)).status_code for _ in range(2)] == [200, 200]
    refused = client.get(url, headers=bearer(first))
    assert refused.status_code == 429
    error = refused.json()["error"]
    assert error["code"] == "throttled"
    assert error["message"] == "Trop de requêtes ; réessayez plus tard."
    assert 1 <= int(refused["Retry-After"]) <= 60
    # Another token of the same person still has its budget; so does the person's session.
    assert client.get(url, headers=bearer(second)).status_code == 200
    client.force_login(cast.lea)
    assert client.get(url).status_code == 200


@override_settings(API_RATE_USER="1/h")
def test_a_session_is_limited_per_person(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    url = reverse("api:class_list")
    assert client.get(url).status_code == 200
    refused = client.get(url)
    assert refused.status_code == 429
    assert 3500 <= int(refused["Retry-After"]) <= 3600
    # Someone else is not slowed down.
    client.force_login(cast.garcia)
    assert client.get(url).status_code == 200


@override_settings(API_RATE_TOKEN="1/m")
def test_a_refused_token_is_not_counted(cast: Any, client: Any) -> None:
    url = reverse("api:me")
    for _ in range(3):
        response = client.get(url, headers=bearer("preau_nothing"))
        assert response.status_code == 401
