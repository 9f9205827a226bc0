"""The REST API at /api/v1: schema at /api/v1/openapi.json, docs at /api/v1/docs.

The docs page is django-ninja's Swagger template: its scripts and styles are files under
/static/ and its settings a JSON data block, so it runs under our CSP without nonces.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, re_path
from ninja import NinjaAPI

from preau.api.auth import SessionAuth
from preau.api.errors import error_response, install_error_handlers
from preau.api.routers import directory, me, tokens

DESCRIPTION = """
L'API REST de Préau. Chaque réponse d'erreur a la forme
`{"error": {"code": "…", "message": "…", "details": …}}`.

**Authentification** : la session du portail (avec l'en-tête `X-CSRFToken` pour POST, PUT,
PATCH et DELETE), ou un jeton d'accès personnel créé sur la page « Jetons d'accès » :
`Authorization: Bearer preau_…`. Un jeton n'ouvre que les routes de ses droits (voir
`x-required-scope` sur chaque route). Une application enregistrée auprès du fournisseur
OpenID Connect (`/o/`) peut aussi appeler l'API avec son jeton d'accès OAuth 2
(`Authorization: Bearer …`) si la personne lui a accordé les droits `read:profile` ou
`read:directory`.

**Établissement** : l'en-tête facultatif `X-Preau-Establishment: <uuid>` choisit
l'établissement de travail parmi ceux de la personne.

**Listes** : `?page=&page_size=` ; la réponse est `{"items", "count", "page", "pages"}`.
"""


class PreauAPI(NinjaAPI):
    """NinjaAPI whose every answer under /api/v1, routed or not, uses the error format."""

    def _get_urls(self) -> list[URLPattern | URLResolver]:
        urls = [self._with_json_errors(pattern) for pattern in super()._get_urls()]
        urls.append(re_path(r"^.*$", self._with_json_errors_view(_unknown_path)))
        return urls

    def _with_json_errors(self, pattern: Any) -> Any:
        if isinstance(pattern, URLPattern):
            return URLPattern(
                pattern.pattern,
                self._with_json_errors_view(pattern.callback),
                pattern.default_args,
                pattern.name,
            )
        return pattern

    def _with_json_errors_view(self, view: Callable[..., HttpResponse]) -> Callable[..., Any]:
        # Operations answer through the exception handlers already; this covers what django-ninja
        # answers on its own: a method the path does not accept, and the paths it 404s itself.
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                response = view(request, *args, **kwargs)
            except Http404:
                return error_response(self, request, 404)
            if response.status_code == 405 and not response.get("Content-Type", "").startswith(
                "application/json"
            ):
                allowed = response.get("Allow", "")
                response = error_response(
                    self, request, 405, details={"allowed": sorted(allowed.split(", "))}
                )
                response["Allow"] = allowed
            return response

        return wrapped


def _unknown_path(request: HttpRequest) -> HttpResponse:
    raise Http404


api = PreauAPI(
    title="Préau API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api",
    # Routes declare their own authentication (a token with a scope, or the session); this
    # default keeps any route that forgets to closed to tokens.
    auth=[SessionAuth()],
)
install_error_handlers(api)
api.add_router("", me.router)
api.add_router("", directory.router)
api.add_router("", tokens.router)
