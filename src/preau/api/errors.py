"""One error format for the whole API.

Every error answer is ``{"error": {"code": "...", "message": "...", "details": ...}}`` with the
matching HTTP status. ``code`` is stable and meant for programs; ``message`` is in the person's
language and meant for people; ``details`` is null or a structure described by the code.
"""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any

from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.signals import got_request_exception
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Schema
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError

if TYPE_CHECKING:
    from ninja import NinjaAPI

logger = logging.getLogger("django.request")


class ErrorDetail(Schema):
    code: str
    message: str
    details: Any = None


class ErrorOut(Schema):
    """The body of every error answer."""

    error: ErrorDetail


def _default_messages() -> dict[int, tuple[str, str]]:
    # Built per call so that the messages follow the language of the request.
    return {
        400: ("bad_request", _("La requête est mal formée.")),
        401: ("not_authenticated", _("Authentification requise.")),
        403: ("permission_denied", _("Vous n'avez pas le droit de faire cela.")),
        404: ("not_found", _("Ressource introuvable.")),
        405: ("method_not_allowed", _("Méthode non autorisée pour cette adresse.")),
        422: ("validation_error", _("Les données envoyées ne sont pas valides.")),
        429: ("throttled", _("Trop de requêtes ; réessayez plus tard.")),
        500: ("server_error", _("Erreur interne du serveur.")),
    }


class ApiError(HttpError):
    """An error with its own code and message, raised by routes and authentication."""

    def __init__(self, status_code: int, code: str, message: str, details: Any = None) -> None:
        super().__init__(status_code, message)
        self.code = code
        self.details = details


def error_body(
    status: int, code: str | None = None, message: str | None = None, details: Any = None
) -> dict:
    default_code, default_message = _default_messages().get(status, _default_messages()[400])
    return {
        "error": {
            "code": code or default_code,
            "message": message or default_message,
            "details": details,
        }
    }


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    code: str | None = None,
    message: str | None = None,
    details: Any = None,
) -> HttpResponse:
    response = api.create_response(
        request, error_body(status, code, message, details), status=status
    )
    if status == 401:
        response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


def _api_error(request: HttpRequest, exc: ApiError, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, exc.status_code, exc.code, exc.message, exc.details)


def _http_error(request: HttpRequest, exc: HttpError, api: NinjaAPI) -> HttpResponse:
    # Errors raised by django-ninja itself (unparsable body, authentication failed…): their
    # English text is replaced by our translated message for the status.
    response = error_response(api, request, exc.status_code)
    if isinstance(exc, Throttled) and exc.wait is not None:
        response["Retry-After"] = str(int(exc.wait + 0.999))
    return response


def _validation_error(request: HttpRequest, exc: ValidationError, api: NinjaAPI) -> HttpResponse:
    details = [
        {"loc": list(error.get("loc", ())), "msg": error.get("msg", ""), "type": error.get("type")}
        for error in exc.errors
    ]
    return error_response(api, request, 422, details=details)


def _not_found(request: HttpRequest, exc: Http404, api: NinjaAPI) -> HttpResponse:
    # The same answer for missing and forbidden: the reason is never given.
    return error_response(api, request, 404)


def _bad_request(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, 400)


def _permission_denied(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    return error_response(api, request, 403)


def _server_error(request: HttpRequest, exc: Exception, api: NinjaAPI) -> HttpResponse:
    # Reported like any Django error (logs, error trackers, the test client), answered in our
    # format without any detail of the failure.
    logger.error(
        "Internal Server Error: %s", request.path, exc_info=exc, extra={"request": request}
    )
    got_request_exception.send(sender=None, request=request)
    return error_response(api, request, 500)


def install_error_handlers(api: NinjaAPI) -> None:
    handlers: list[tuple[type[Exception], Any]] = [
        (ApiError, _api_error),
        (HttpError, _http_error),
        (AuthenticationError, _http_error),
        (ValidationError, _validation_error),
        (Http404, _not_found),
        (BadRequest, _bad_request),
        (SuspiciousOperation, _bad_request),
        (PermissionDenied, _permission_denied),
        (Exception, _server_error),
    ]
    for exc_class, handler in handlers:
        api.add_exception_handler(exc_class, partial(handler, api=api))
