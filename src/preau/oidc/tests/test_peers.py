"""The provider against a real relying party over HTTP: authlib (its OAuth 2 client session
and its OpenID Connect id_token validation) through the whole code flow against a live
portal served by gunicorn, with the client registered by ``preau oidc_client add``.

The flow: discovery at the site's root, authorization with PKCE (S256) by a logged-in pupil who
consents on the French screen, the code exchanged for tokens, the id_token's signature checked
against the published JWKS, userinfo, a refresh (rotated), and RP-initiated logout. Then what
a relying party must refuse and what the provider refuses: a tampered or expired id_token, a
wrong redirect_uri, a public client without PKCE, an unknown client, a code replayed.
"""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from preau.cas.tests.live import gunicorn, logged_in_session
from preau.core.browsing import MANAGE, prepare_portal
from preau.demo.cast import MOULIN_UAI

pytestmark = pytest.mark.peer

REDIRECT = "http://127.0.0.1:9/callback"
LOGOUT_REDIRECT = "http://127.0.0.1:9/"
SCOPES = "openid profile email preau_roles"


def _add(env: dict[str, str], *arguments: str) -> dict[str, str]:
    """``preau oidc_client add`` in the live portal; returns what it prints."""
    done = subprocess.run(  # noqa: S603
        [*MANAGE, "oidc_client", "add", "--establishment", MOULIN_UAI, *arguments],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    return dict(line.split("\t", 1) for line in done.stdout.strip().splitlines())


@pytest.fixture(scope="module")
def live(tmp_path_factory: Any) -> Iterator[dict[str, Any]]:
    env = prepare_portal(tmp_path_factory.mktemp("oidc-portal"), students=10)
    common = ["--redirect-uri", REDIRECT, "--post-logout-redirect-uri", LOGOUT_REDIRECT]
    confidential = _add(env, "--name", "Plateforme d'apprentissage", *common)
    public = _add(env, "--name", "Application mobile", "--public", *common)
    with gunicorn(env) as url:
        yield {"url": url, "confidential": confidential, "public": public}


@pytest.fixture(scope="module")
def metadata(live: dict[str, Any]) -> dict[str, Any]:
    return requests.get(f"{live['url']}/.well-known/openid-configuration", timeout=10).json()


def relying_party(
    live: dict[str, Any], which: str = "confidential", redirect_uri: str = REDIRECT, **options: Any
) -> Any:
    from authlib.integrations.requests_client import OAuth2Session

    credentials = live[which]
    return OAuth2Session(
        credentials["client_id"],
        credentials.get("client_secret"),
        scope=SCOPES,
        redirect_uri=redirect_uri,
        **({"code_challenge_method": "S256"} | options),
    )


def consent(browser: requests.Session, portal: str, address: str) -> requests.Response:
    """Open the authorization address in the person's session and accept on the consent
    screen; returns the provider's answer (a redirect to the client)."""
    page = browser.get(address, allow_redirects=False, timeout=10)
    assert page.status_code == 200, page.text[:500]
    assert "demande l'accès à votre compte" in page.text
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text))
    fields = {name: value.replace("&amp;", "&") for name, value in fields.items()}
    return browser.post(
        f"{portal}/o/authorize/",
        data={**fields, "allow": "on"},
        headers={"Referer": address},
        allow_redirects=False,
        timeout=10,
    )


def authorize(live: dict[str, Any], metadata: dict[str, Any], rp: Any) -> dict[str, Any]:
    """The code flow up to the code: returns the redirect, verifier and nonce."""
    from authlib.common.security import generate_token

    verifier, nonce = generate_token(48), generate_token(20)
    address, state = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=verifier, nonce=nonce
    )
    browser = logged_in_session(live["url"], "eleve.lea")
    answer = consent(browser, live["url"], address)
    assert answer.status_code == 302
    location = answer.headers["Location"]
    assert location.startswith(REDIRECT) and parse_qs(urlsplit(location).query)["state"] == [state]
    return {"location": location, "verifier": verifier, "nonce": nonce, "browser": browser}


def verify(
    id_token: str, metadata: dict[str, Any], client_id: str, nonce: str | None, **at: Any
) -> Any:
    """The relying party's checks of an id_token: signature against the JWKS, issuer,
    audience, nonce, expiry."""
    from authlib.jose import JsonWebKey, jwt
    from authlib.oidc.core import CodeIDToken

    keys = JsonWebKey.import_key_set(requests.get(metadata["jwks_uri"], timeout=10).json())
    claims = jwt.decode(
        id_token,
        keys,
        claims_cls=CodeIDToken,
        claims_options={"iss": {"essential": True, "value": metadata["issuer"]}},
        claims_params={"nonce": nonce, "client_id": client_id},
    )
    claims.validate(**at)
    return claims


def test_the_whole_code_flow_with_authlib(live: dict[str, Any], metadata: dict[str, Any]) -> None:
    portal = live["url"]
    assert metadata["issuer"] == f"{portal}/o"
    assert (
        metadata == requests.get(f"{portal}/o/.well-known/openid-configuration", timeout=10).json()
    )
    rp = relying_party(live)
    flow = authorize(live, metadata, rp)
    token = rp.fetch_token(
        metadata["token_endpoint"],
        authorization_response=flow["location"],
        code_verifier=flow["verifier"],
    )
    client_id = live["confidential"]["client_id"]
    claims = verify(token["id_token"], metadata, client_id, flow["nonce"])
    assert claims["preferred_username"] == "eleve.lea"
    [role] = claims["preau_roles"]
    assert role["uai"] == MOULIN_UAI and role["profiles"] == ["National_ELV"]
    assert role["classes"] == ["4e B"]
    info = rp.get(metadata["userinfo_endpoint"]).json()
    assert info["sub"] == claims["sub"] and info["preferred_username"] == "eleve.lea"
    assert info["preau_roles"] == claims["preau_roles"]

    # Refresh: new tokens, the refresh token rotated; the old access token's successor works.
    refreshed = rp.refresh_token(metadata["token_endpoint"], refresh_token=token["refresh_token"])
    assert refreshed["refresh_token"] != token["refresh_token"]
    assert refreshed["access_token"] != token["access_token"]
    assert rp.get(metadata["userinfo_endpoint"]).json()["sub"] == claims["sub"]
    # An id_token from a refresh carries no nonce (OpenID Connect Core, 12.2).
    again = verify(refreshed["id_token"], metadata, client_id, None)
    assert again["sub"] == claims["sub"]

    # RP-initiated logout: back to the client with its state, and the portal session is over.
    browser = flow["browser"]
    logout = browser.get(
        metadata["end_session_endpoint"],
        params={
            "id_token_hint": refreshed["id_token"],
            "post_logout_redirect_uri": LOGOUT_REDIRECT,
            "state": "au-revoir",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert logout.status_code == 302
    assert logout.headers["Location"] == f"{LOGOUT_REDIRECT}?state=au-revoir"
    home = browser.get(f"{portal}/", allow_redirects=False, timeout=10)
    assert home.status_code == 302 and "/accounts/login/" in home.headers["Location"]
    # The client's tokens ended with the session.
    assert rp.get(metadata["userinfo_endpoint"]).status_code == 401


def test_the_relying_party_rejects_a_tampered_or_expired_id_token(
    live: dict[str, Any], metadata: dict[str, Any]
) -> None:
    from authlib.jose.errors import BadSignatureError

    # authlib's claims validation now raises joserfc's errors (its successor library).
    from joserfc.errors import ExpiredTokenError

    rp = relying_party(live)
    flow = authorize(live, metadata, rp)
    token = rp.fetch_token(
        metadata["token_endpoint"],
        authorization_response=flow["location"],
        code_verifier=flow["verifier"],
    )
    client_id = live["confidential"]["client_id"]
    claims = verify(token["id_token"], metadata, client_id, flow["nonce"])
    header, payload, signature = token["id_token"].split(".")
    # Another person's identity in the payload, the signature left as it was.
    import base64
    import json

    forged = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    forged["preferred_username"] = "principal.moulin"
    forged_payload = base64.urlsafe_b64encode(json.dumps(forged).encode()).rstrip(b"=").decode()
    with pytest.raises(BadSignatureError):
        verify(f"{header}.{forged_payload}.{signature}", metadata, client_id, flow["nonce"])
    # One bit of the signature changed.
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    with pytest.raises(BadSignatureError):
        verify(f"{header}.{payload}.{flipped}", metadata, client_id, flow["nonce"])
    # The same token read after its expiry (the relying party's clock past ``exp``).
    with pytest.raises(ExpiredTokenError):
        verify(token["id_token"], metadata, client_id, flow["nonce"], now=claims["exp"] + 60)


def test_the_provider_refuses_what_it_must(live: dict[str, Any], metadata: dict[str, Any]) -> None:
    from authlib.common.security import generate_token
    from authlib.integrations.base_client.errors import OAuthError

    portal = live["url"]
    browser = logged_in_session(portal, "eleve.lea")

    # A wrong redirect_uri: an error page at the provider, never a redirect with a code.
    rp = relying_party(live, redirect_uri="https://pirate.example/callback")
    address, _state = rp.create_authorization_url(
        metadata["authorization_endpoint"], code_verifier=generate_token(48), nonce="n"
    )
    wrong = browser.get(address, allow_redirects=False, timeout=10)
    assert wrong.status_code == 400 and "Location" not in wrong.headers

    # A public client without PKCE: refused back to the client with invalid_request.
    rp = relying_party(live, "public", code_challenge_method=None)
    address, _state = rp.create_authorization_url(metadata["authorization_endpoint"], nonce="n")
    assert "code_challenge" not in address
    refused = browser.get(address, allow_redirects=False, timeout=10)
    assert refused.status_code == 302
    query = parse_qs(urlsplit(refused.headers["Location"]).query)
    assert query["error"] == ["invalid_request"] and "code" not in query

    # An unknown client: an error page, nothing sent anywhere.
    from authlib.integrations.requests_client import OAuth2Session

    stranger = OAuth2Session("inconnu", scope=SCOPES, redirect_uri=REDIRECT)
    address, _state = stranger.create_authorization_url(metadata["authorization_endpoint"])
    unknown = browser.get(address, allow_redirects=False, timeout=10)
    assert unknown.status_code == 400 and "Location" not in unknown.headers

    # The public client with PKCE gets its tokens (no secret); its code cannot be replayed.
    rp = relying_party(live, "public")
    flow = authorize(live, metadata, rp)
    token = rp.fetch_token(
        metadata["token_endpoint"],
        authorization_response=flow["location"],
        code_verifier=flow["verifier"],
    )
    assert "id_token" in token
    with pytest.raises(OAuthError) as replay:
        relying_party(live, "public").fetch_token(
            metadata["token_endpoint"],
            authorization_response=flow["location"],
            code_verifier=flow["verifier"],
        )
    assert replay.value.error == "invalid_grant"
    # And a code is refused without its verifier.
    flow = authorize(live, metadata, rp)
    with pytest.raises(OAuthError):
        relying_party(live, "public").fetch_token(
            metadata["token_endpoint"],
            authorization_response=flow["location"],
            code_verifier=secrets.token_urlsafe(48),
        )
