"""Préau's rules in django-oauth-toolkit's request validator.

- PKCE (S256 only, by settings) is required of public clients, which cannot keep a secret;
  confidential clients may use it too.
- A person without membership where the client is registered gets no code (the authorization
  view refuses first) and no new tokens from a refresh.
- Claims: ``sub`` is the person's public id (never the integer key); the rest by scope
  (claims.py).
"""

from __future__ import annotations

from typing import Any

from oauth2_provider.oauth2_validators import OAuth2Validator

from preau.core.actor import Actor
from preau.oidc import claims, policies


class PreauValidator(OAuth2Validator):
    oidc_claim_scope = {
        **OAuth2Validator.oidc_claim_scope,
        "preau_roles": "preau_roles",
    }

    def is_pkce_required(self, client_id: str, request: Any) -> bool:
        client = self._load_application(client_id, request)
        return client is None or client.client_type == client.CLIENT_PUBLIC

    def validate_refresh_token(
        self, refresh_token: str, client: Any, request: Any, *args: Any, **kwargs: Any
    ) -> bool:
        if not super().validate_refresh_token(refresh_token, client, request, *args, **kwargs):
            return False
        registration = policies.client_for(client.client_id)
        return registration is not None and policies.may_use(Actor(request.user), registration)

    def get_additional_claims(self, request: Any) -> dict[str, Any]:
        values = claims.person_claims(request.user)
        if "preau_roles" in (request.scopes or []):
            registration = policies.client_for(request.client.client_id)
            values["preau_roles"] = claims.school_roles(request.user, registration)
        return values

    def get_discovery_claims(self, request: Any) -> list[str]:
        return [*claims.CLAIMS, "preau_roles"]
