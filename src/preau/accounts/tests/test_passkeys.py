"""Passkeys without a browser: what the server refuses, and the list on the security page. The
registration and the login with a real authenticator are in test_browser.py."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import reverse

from preau.accounts.models import Passkey

pytestmark = pytest.mark.django_db


def post_json(client: Any, name: str, body: dict) -> Any:
    return client.post(reverse(name), json.dumps(body), content_type="application/json")


def test_registration_options_ask_for_a_discoverable_verified_credential(
    cast: Any, client: Any
) -> None:
    client.force_login(cast.lea)
    options = post_json(client, "accounts:passkey_register_options", {}).json()
    assert options["rp"]["id"] == "testserver"
    assert options["authenticatorSelection"]["residentKey"] == "required"
    assert options["authenticatorSelection"]["userVerification"] == "required"
    assert cast.lea.username == options["user"]["name"]


def test_a_forged_registration_is_refused(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    post_json(client, "accounts:passkey_register_options", {})
    credential = {"id": "AAAA", "rawId": "AAAA", "type": "public-key", "response": {}}
    response = post_json(client, "accounts:passkey_register", {"credential": credential})
    assert response.status_code == 400
    assert not Passkey.objects.filter(person=cast.lea).exists()


def test_an_unknown_passkey_does_not_log_in_and_counts_in_the_throttle(
    client: Any, settings: Any
) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    credential = {"id": "bm9ib2R5", "rawId": "bm9ib2R5", "type": "public-key", "response": {}}
    for _ in range(2):
        post_json(client, "accounts:passkey_login_options", {})
        refused = post_json(client, "accounts:passkey_login", {"credential": credential})
        assert refused.status_code == 400
    assert (
        post_json(client, "accounts:passkey_login", {"credential": credential}).status_code == 429
    )
    assert "_auth_user_id" not in client.session


def test_a_passkey_is_listed_renamed_and_deleted(cast: Any, client: Any) -> None:
    passkey = Passkey.objects.create(
        person=cast.lea, name="Téléphone", credential_id="abc", public_key=b"k"
    )
    client.force_login(cast.lea)
    assert "Téléphone" in client.get(reverse("accounts:security")).content.decode()
    client.post(reverse("accounts:passkey_rename", args=[passkey.public_id]), {"name": "Tablette"})
    passkey.refresh_from_db()
    assert passkey.name == "Tablette"
    client.post(reverse("accounts:passkey_delete", args=[passkey.public_id]))
    assert not Passkey.objects.filter(pk=passkey.pk).exists()
