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
from preau.api.routers import (
    attendance,
    directory,
    drive,
    homework,
    marks,
    me,
    messages,
    timetable,
    tokens,
)
from preau.api.throttling import CredentialRateThrottle

DESCRIPTION = """
L'API REST de Préau. Chaque réponse d'erreur a la forme
`{"error": {"code": "…", "message": "…", "details": …}}`.

**Authentification** : la session du portail (avec l'en-tête `X-CSRFToken` pour POST, PUT,
PATCH et DELETE), ou un jeton d'accès personnel créé sur la page « Jetons d'accès » :
`Authorization: Bearer preau_…`. Un jeton n'ouvre que les routes de ses droits (voir
`x-required-scope` sur chaque route). Une application enregistrée auprès du fournisseur
OpenID Connect (`/o/`) peut aussi appeler l'API avec son jeton d'accès OAuth 2
(`Authorization: Bearer …`) avec les droits que la personne lui a accordés, sous les mêmes
noms (`read:profile`, `read:timetable`…), sauf `manage:tokens`.

**Établissement** : l'en-tête facultatif `X-Preau-Establishment: <uuid>` choisit
l'établissement de travail parmi ceux de la personne.

**Listes** : `?page=&page_size=` ; la réponse est `{"items", "count", "page", "pages"}`.
Les filtres de dates (`start`, `end`) sont des jours `AAAA-MM-JJ`, bornes incluses ; une
valeur invalide répond 422.

**Limites** : un nombre de requêtes par minute pour chaque jeton, et pour chaque personne
connectée par sa session ; au-delà, 429 avec l'en-tête `Retry-After` (secondes).
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
    throttle=[CredentialRateThrottle()],
)
install_error_handlers(api)
api.add_router("", me.router)
api.add_router("", directory.router)
api.add_router("", tokens.router)
api.add_router("", timetable.router)
api.add_router("", homework.router)
api.add_router("", marks.router)
api.add_router("", attendance.router)
api.add_router("", messages.router)
api.add_router("", drive.router)
