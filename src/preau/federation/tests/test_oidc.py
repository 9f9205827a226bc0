"""The OpenID Connect login against a provider on a real HTTP server (joserfc-signed tokens)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.urls import reverse
from joserfc.jwk import RSAKey

from preau.federation.actions import do_register_provider
from preau.federation.models import IdentityProvider
from preau.federation.tests.oidc_peer import CLIENT_ID, CLIENT_SECRET, PeerProvider

pytestmark = pytest.mark.peer


@pytest.fixture
def peer() -> Iterator[PeerProvider]:
    with PeerProvider() as provider:
        yield provider


@pytest.fixture
def provider(cast: Any, peer: PeerProvider) -> IdentityProvider:
    cast.lea.directory_id = "EDU-LEA-1"
    cast.lea.save()
    cast.noah.directory_id = "EDU-NOAH-2"
    cast.noah.save()
    return do_register_provider(
        actor=None,
        academy=cast.moulin.academy,
        kind=IdentityProvider.Kind.OIDC,
        name="Guichet agents",
        oidc_issuer=peer.issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
    )


def _login(client: Any, provider: IdentityProvider, peer: PeerProvider, sub: str) -> Any:
    start = client.get(reverse("federation:start", args=[provider.public_id]), {"next": "/news/"})
    assert start.status_code == 302
    back = peer.authorize(start["Location"], sub=sub)
    return client.get(back)


def _user(client: Any) -> Any:
    return client.get(reverse("accounts:profile")).wsgi_request.user


def test_login_with_pkce_state_and_nonce(
    cast: Any, client: Any, provider: IdentityProvider, peer: PeerProvider
) -> None:
    response = _login(client, provider, peer, "EDU-LEA-1")
    assert response.status_code == 302
    assert response["Location"] == "/news/"
    assert _user(client) == cast.lea


def _refused(client: Any, response: Any) -> None:
    assert response.status_code == 403
    assert "Connexion refusée" in response.content.decode()
    assert not _user(client).is_authenticated


def test_a_tampered_id_token_is_refused(
    client: Any, provider: IdentityProvider, peer: PeerProvider
) -> None:
    peer.tamper = True
    _refused(client, _login(client, provider, peer, "EDU-LEA-1"))


def test_an_id_token_signed_by_another_key_is_refused(
    client: Any, provider: IdentityProvider, peer: PeerProvider
) -> None:
    peer.signing_key = RSAKey.generate_key(2048, parameters={"kid": "k1"})
    _refused(client, _login(client, provider, peer, "EDU-LEA-1"))


@pytest.mark.parametrize(
    "override",
    [
        {"nonce": "pas-le-bon"},
        {"aud": "un-autre-client"},
        {"iss": "https://autre-fournisseur.example"},
        {"exp": 1_000_000_000, "iat": 999_999_000},
    ],
    ids=["nonce", "audience", "issuer", "expired"],
)
def test_a_wrong_claim_is_refused(
    client: Any, provider: IdentityProvider, peer: PeerProvider, override: dict[str, Any]
) -> None:
    peer.override = override
    _refused(client, _login(client, provider, peer, "EDU-LEA-1"))


def test_a_state_from_another_login_is_refused(
    client: Any, provider: IdentityProvider, peer: PeerProvider
) -> None:
    start = client.get(reverse("federation:start", args=[provider.public_id]))
    back = peer.authorize(start["Location"], sub="EDU-LEA-1")
    _refused(client, client.get(back.replace("state=", "state=x")))


def test_an_unknown_subject_is_refused(
    client: Any, provider: IdentityProvider, peer: PeerProvider
) -> None:
    response = _login(client, provider, peer, "INCONNU")
    _refused(client, response)
    assert "aucun compte Préau actif" in response.content.decode()
