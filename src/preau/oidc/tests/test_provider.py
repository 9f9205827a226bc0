"""The provider in process: discovery, keys, the consent screen, the code flow with PKCE, the
claims of each scope, and the refusals (non-member, unknown client, wrong redirect_uri, missing
or plain PKCE for a public client, a code replayed, a refresh token replayed)."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse
from jwcrypto import jwk, jwt
from oauth2_provider.models import AccessToken, RefreshToken

from preau.core.testing import query_budget
from preau.directory import versions
from preau.oidc.tests.helpers import REDIRECT, pkce_pair, register

pytestmark = pytest.mark.django_db

AUTHORIZE = "/o/authorize/"
TOKEN = "/o/token/"


def _authorize(client: Any, client_id: str, challenge: str | None, **extra: str) -> Any:
    params = {
        "response_type": "code",
        "client_id": client_id,
        "redirect_uri": REDIRECT,
        "scope": "openid profile email preau_roles",
        "state": "etat-1",
        "nonce": "n-1",
        **extra,
    }
    if challenge:
        params |= {"code_challenge": challenge, "code_challenge_method": "S256"}
    return client.get(AUTHORIZE, params)


def _consent(client: Any, page: Any) -> str:
    """Post the consent form with its hidden fields; return the code from the redirect."""
    form = page.context["form"]
    data = {name: value for name, value in form.initial.items() if value is not None}
    data["allow"] = "on"
    response = client.post(AUTHORIZE, data)
    assert response.status_code == 302, response.content[:300]
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["state"] == ["etat-1"]
    return query["code"][0]


def _code(client: Any, cast: Any, registration: Any, user: Any = None) -> tuple[str, str]:
    verifier, challenge = pkce_pair()
    client.force_login(user or cast.lea)
    page = _authorize(client, registration.client.application.client_id, challenge)
    assert page.status_code == 200
    return _consent(client, page), verifier


def _exchange(client: Any, registration: Any, code: str, verifier: str | None) -> Any:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": REDIRECT,
        "client_id": registration.client.application.client_id,
    }
    if registration.client_secret:
        data["client_secret"] = registration.client_secret
    if verifier:
        data["code_verifier"] = verifier
    return client.post(TOKEN, data)


def _verified_claims(client: Any, id_token: str) -> dict[str, Any]:
    keys = jwk.JWKSet.from_json(client.get("/o/.well-known/jwks.json").content)
    return json.loads(jwt.JWT(jwt=id_token, key=keys).claims)


def test_discovery_is_served_under_o_and_at_the_root(client: Any) -> None:
    under = client.get("/o/.well-known/openid-configuration").json()
    root = client.get("/.well-known/openid-configuration").json()
    assert under == root
    assert under["issuer"] == "http://testserver/o"
    assert under["authorization_endpoint"] == "http://testserver/o/authorize/"
    assert under["end_session_endpoint"] == "http://testserver/o/logout/"
    assert under["code_challenge_methods_supported"] == ["S256"]
    assert {"openid", "profile", "email", "preau_roles"} <= set(under["scopes_supported"])
    assert "preau_roles" in under["claims_supported"]
    keys = client.get("/o/.well-known/jwks.json").json()["keys"]
    assert len(keys) == 1 and keys[0]["kty"] == "RSA" and "d" not in keys[0]


def test_the_consent_screen_is_french_and_in_the_portal(cast: Any, client: Any) -> None:
    registration = register(cast)
    client.force_login(cast.lea)
    _verifier, challenge = pkce_pair()
    # The account, the client's registration, the school year, the memberships; the
    # application read twice by the toolkit (validation, then the page); the portal's services.
    with query_budget(7):
        page = _authorize(client, registration.client.application.client_id, challenge)
    html = page.content.decode()
    assert "« Plateforme » demande l'accès à votre compte" in html
    assert "Connaître vos profils, vos établissements (UAI) et vos classes" in html
    assert "<script" not in html.split("<main", 1)[-1].split("</main>", 1)[0]
    assert (
        "nonce-" in page["Content-Security-Policy"]
        or "script-src" in page["Content-Security-Policy"]
    )


def test_an_anonymous_visitor_logs_in_first(cast: Any, client: Any) -> None:
    registration = register(cast)
    response = _authorize(client, registration.client.application.client_id, pkce_pair()[1])
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_the_code_flow_gives_signed_tokens_and_the_claims_of_each_scope(
    cast: Any, client: Any
) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    tokens = _exchange(client, registration, code, verifier).json()
    assert {"access_token", "refresh_token", "id_token"} <= set(tokens)
    # Only the tokens' hashes are stored.
    assert AccessToken.objects.get().token == "" and RefreshToken.objects.get().token == ""
    claims = _verified_claims(client, tokens["id_token"])
    assert claims["iss"] == "http://testserver/o" and claims["nonce"] == "n-1"
    assert claims["sub"] == str(cast.lea.public_id)
    assert claims["aud"] == registration.client.application.client_id
    assert claims["preferred_username"] == "eleve.lea"
    [role] = claims["preau_roles"]
    assert role["uai"] == cast.moulin.uai and role["profiles"] == ["National_ELV"]
    assert role["classes"] == ["4e B"]
    bearer = {"HTTP_AUTHORIZATION": f"Bearer {tokens['access_token']}"}
    info = client.get("/o/userinfo/", **bearer).json()
    assert info["sub"] == str(cast.lea.public_id) and info["given_name"] == cast.lea.first_name


def test_a_teacher_s_roles_list_the_classes_taught(cast: Any, client: Any) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration, cast.bernard)
    tokens = _exchange(client, registration, code, verifier).json()
    [role] = _verified_claims(client, tokens["id_token"])["preau_roles"]
    assert "National_ENS" in role["profiles"] and "4e B" in role["classes"]


def test_without_the_scope_no_school_roles_nor_email(cast: Any, client: Any) -> None:
    registration = register(cast)
    verifier, challenge = pkce_pair()
    client.force_login(cast.lea)
    page = _authorize(client, registration.client.application.client_id, challenge, scope="openid")
    tokens = _exchange(client, registration, _consent(client, page), verifier).json()
    claims = _verified_claims(client, tokens["id_token"])
    assert "preau_roles" not in claims and "email" not in claims and "name" not in claims


def test_a_person_of_another_establishment_is_refused(cast: Any, client: Any) -> None:
    registration = register(cast)
    client.force_login(cast.principal_curie)
    response = _authorize(client, registration.client.application.client_id, pkce_pair()[1])
    assert response.status_code == 403
    assert "réservée aux membres" in response.content.decode()
    assert "code=" not in response.get("Location", "")


def test_an_academy_client_accepts_members_of_the_academy_s_schools(cast: Any, client: Any) -> None:
    registration = register(cast, academy=True)
    client.force_login(cast.lea)
    ok = _authorize(client, registration.client.application.client_id, pkce_pair()[1])
    assert ok.status_code == 200
    if cast.curie.academy_id != cast.moulin.academy_id:
        client.force_login(cast.principal_curie)
        refused = _authorize(client, registration.client.application.client_id, pkce_pair()[1])
        assert refused.status_code == 403


def test_an_unknown_client_is_refused_without_redirect(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    response = _authorize(client, "inconnu", pkce_pair()[1])
    assert response.status_code == 400
    assert "pas enregistrée" in response.content.decode()


def test_a_wrong_redirect_uri_is_refused_without_redirect(cast: Any, client: Any) -> None:
    registration = register(cast)
    client.force_login(cast.lea)
    response = _authorize(
        client,
        registration.client.application.client_id,
        pkce_pair()[1],
        redirect_uri="https://pirate.example/auth/oidc/",
    )
    assert response.status_code == 400
    assert "Connexion refusée" in response.content.decode()
    assert "Location" not in response


def test_a_public_client_must_use_pkce_s256(cast: Any, client: Any) -> None:
    registration = register(cast, public=True)
    assert registration.client_secret is None
    client.force_login(cast.lea)
    client_id = registration.client.application.client_id
    missing = _authorize(client, client_id, None)
    assert missing.status_code == 302
    assert "error=invalid_request" in missing["Location"]
    # The "plain" method (explicit, or by default) gives no code: refused when the grant is
    # made, back to the client with the error.
    for method in ({}, {"code_challenge_method": "plain"}):
        page = _authorize(client, client_id, None, code_challenge="x" * 43, **method)
        data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
        refused = client.post(AUTHORIZE, data | {"allow": "on"})
        assert refused.status_code == 302
        assert "error=invalid_request" in refused["Location"]
        assert "code=" not in refused["Location"]
    # With PKCE the public client gets its tokens, and no verifier means no tokens.
    code, verifier = _code(client, cast, registration)
    assert _exchange(client, registration, code, None).status_code == 400
    code, verifier = _code(client, cast, registration)
    assert "id_token" in _exchange(client, registration, code, verifier).json()


def test_a_code_is_single_use(cast: Any, client: Any) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    assert _exchange(client, registration, code, verifier).status_code == 200
    replayed = _exchange(client, registration, code, verifier)
    assert replayed.status_code == 400 and replayed.json()["error"] == "invalid_grant"


def test_a_confidential_client_needs_its_secret(cast: Any, client: Any) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    registration.client_secret = "faux"
    assert _exchange(client, registration, code, verifier).status_code == 401


def test_refresh_rotates_and_a_replayed_refresh_token_ends_the_family(
    cast: Any, client: Any
) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    first = _exchange(client, registration, code, verifier).json()
    refresh = {
        "grant_type": "refresh_token",
        "client_id": registration.client.application.client_id,
        "client_secret": registration.client_secret,
    }
    second = client.post(TOKEN, refresh | {"refresh_token": first["refresh_token"]}).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert "id_token" in second
    replay = client.post(TOKEN, refresh | {"refresh_token": first["refresh_token"]})
    assert replay.status_code == 400
    # Reuse of a rotated token revokes the whole family: the new one stops working too.
    after = client.post(TOKEN, refresh | {"refresh_token": second["refresh_token"]})
    assert after.status_code == 400


def test_refresh_is_refused_once_the_person_has_left(cast: Any, client: Any) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    tokens = _exchange(client, registration, code, verifier).json()
    cast.lea.memberships.update(is_active=False)
    versions.bump()  # as the directory's actions do when a membership changes
    response = client.post(
        TOKEN,
        {
            "grant_type": "refresh_token",
            "client_id": registration.client.application.client_id,
            "client_secret": registration.client_secret,
            "refresh_token": tokens["refresh_token"],
        },
    )
    assert response.status_code == 400


def test_rp_initiated_logout_ends_the_session_and_returns(cast: Any, client: Any) -> None:
    registration = register(cast)
    code, verifier = _code(client, cast, registration)
    tokens = _exchange(client, registration, code, verifier).json()
    response = client.get(
        "/o/logout/",
        {
            "id_token_hint": tokens["id_token"],
            "post_logout_redirect_uri": "https://plateforme.example/",
            "state": "au-revoir",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "https://plateforme.example/?state=au-revoir"
    assert "_auth_user_id" not in client.session
    # An address the client did not register is not followed.
    client.force_login(cast.lea)
    refused = client.get(
        "/o/logout/",
        {"id_token_hint": tokens["id_token"], "post_logout_redirect_uri": "https://x.example/"},
    )
    assert refused.status_code == 400


def test_refusing_on_the_consent_screen_tells_the_client(cast: Any, client: Any) -> None:
    registration = register(cast)
    client.force_login(cast.lea)
    page = _authorize(client, registration.client.application.client_id, pkce_pair()[1])
    data = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    response = client.post(AUTHORIZE, data)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response["Location"]).query)
    assert query["error"] == ["access_denied"] and "code" not in query


def test_logout_without_a_hint_asks_first(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    page = client.get("/o/logout/")
    assert page.status_code == 200
    assert "Se déconnecter de Préau ?" in page.content.decode()
    assert "_auth_user_id" in client.session
    client.post("/o/logout/", {"allow": "on"})
    assert "_auth_user_id" not in client.session
