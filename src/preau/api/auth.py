"""Who is calling: a browser session (with CSRF on unsafe methods), a personal access token, or
an OAuth 2 access token given by the OpenID Connect provider (preau.oidc) to a registered client.

Both end with ``request.actor`` built for the authenticated person, so routes apply the same
policies whatever the credential. A token carries scopes, checked per route; a session may do
everything its person may. ``X-Preau-Establishment: <uuid>`` picks the establishment to work in
among the person's own (the first one otherwise, or the one chosen in the session).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils import translation
from django.utils.translation import gettext as _
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from preau.api.actions import do_record_token_use
from preau.api.errors import ApiError
from preau.api.models import TOKEN_PREFIX, PersonalAccessToken, Scope, hash_secret
from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor

ESTABLISHMENT_HEADER = "X-Preau-Establishment"


def build_actor(request: HttpRequest, user: Any, session: Any) -> Actor:
    """The Actor of an API request, in the establishment the header asks for if any."""
    chosen = request.headers.get(ESTABLISHMENT_HEADER)
    if not chosen:
        return Actor(user, session)
    try:
        public_id = str(uuid.UUID(chosen.strip()))
    except ValueError:
        public_id = None
    actor = Actor(user, {SESSION_ESTABLISHMENT_KEY: public_id})
    if public_id is None or not any(str(e.public_id) == public_id for e in actor.establishments):
        raise ApiError(
            404,
            "unknown_establishment",
            _("Établissement inconnu ou auquel vous n'êtes pas rattaché."),
            {"header": ESTABLISHMENT_HEADER},
        )
    return actor


class SessionAuth(APIKeyCookie):
    """The person signed in to the portal. Unsafe methods need the CSRF token, as in forms."""

    param_name: str = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        # The CSRF check runs in authenticate(), only for signed-in requests, so that an
        # anonymous call gets 401 rather than a CSRF failure.
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        exempt = getattr(request, "_ninja_csrf_exempt", False)
        if self.csrf and not exempt and check_csrf(request) is not None:
            raise ApiError(
                403,
                "csrf_failed",
                _("Jeton CSRF absent ou incorrect : envoyez l'en-tête X-CSRFToken."),
            )
        request.actor = build_actor(request, request.user, request.session)
        return request.user


# The API scopes an OAuth 2 client may be granted, under the same names. Managing personal
# tokens stays with the person: no OAuth client is ever given it.
OAUTH_SCOPES = frozenset(
    {
        Scope.READ_PROFILE,
        Scope.READ_DIRECTORY,
        Scope.READ_TIMETABLE,
        Scope.READ_HOMEWORK,
        Scope.READ_MARKS,
        Scope.READ_ATTENDANCE,
        Scope.READ_MESSAGES,
        Scope.READ_DRIVE,
    }
)


def _oauth_token(request: HttpRequest, scope: str | None) -> Any:
    """A valid OAuth 2 access token holding ``scope``; raises ApiError otherwise.

    django-oauth-toolkit checks the token (known, not revoked, not expired); its client must
    still be registered, and the person active.
    """
    from oauth2_provider.oauth2_backends import get_oauthlib_core

    valid, oauth_request = get_oauthlib_core().verify_request(request, scopes=[])
    token = getattr(oauth_request, "access_token", None) if valid else None
    if token is None or not token.user or not token.user.is_active:
        raise ApiError(401, "invalid_token", _("Jeton d'accès invalide."))
    if scope is not None and (scope not in OAUTH_SCOPES or not token.allow_scopes([scope])):
        raise ApiError(
            403,
            "insufficient_scope",
            _("Ce jeton n'a pas le droit « %(scope)s ».") % {"scope": scope},
            {"required_scope": scope},
        )
    return token


class PersonalAccessTokenAuth(HttpBearer):
    """``Authorization: Bearer preau_…``: a token made on the « Jetons d'accès » page; any other
    bearer token is read as an OAuth 2 access token of the OpenID Connect provider."""

    def __init__(self, scope: str | None = None) -> None:
        self.scope = scope
        super().__init__()

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        invalid = ApiError(401, "invalid_token", _("Jeton d'accès invalide."))
        token = token.strip()
        if not token.startswith(TOKEN_PREFIX):
            if not settings.OIDC_PROVIDER_ENABLED:
                raise invalid
            oauth_token = _oauth_token(request, self.scope)
            self._enter(request, oauth_token.user)
            request.oauth_access_token = oauth_token
            return oauth_token.user
        row = (
            PersonalAccessToken.objects.select_related("person")
            .filter(token_hash=hash_secret(token))
            .first()
        )
        if row is None or not row.person.is_active:
            raise invalid
        if row.is_revoked:
            raise ApiError(401, "token_revoked", _("Ce jeton d'accès a été révoqué."))
        if row.is_expired:
            raise ApiError(401, "token_expired", _("Ce jeton d'accès a expiré."))
        if self.scope is not None and not row.grants(self.scope):
            raise ApiError(
                403,
                "insufficient_scope",
                _("Ce jeton n'a pas le droit « %(scope)s ».") % {"scope": self.scope},
                {"required_scope": self.scope},
            )
        person = row.person
        self._enter(request, person)
        request.access_token = row
        do_record_token_use(token=row)
        return person

    def _enter(self, request: HttpRequest, person: Any) -> None:
        if person.language:
            translation.activate(person.language)
            request.LANGUAGE_CODE = person.language
        request.user = person
        request.actor = build_actor(request, person, {})


def api_auth(scope: str) -> list[Any]:
    """The authentication of a route: a token holding ``scope``, or a signed-in session."""
    return [PersonalAccessTokenAuth(scope), SessionAuth()]
