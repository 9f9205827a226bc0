from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from preau.portal.registry import service_for_namespace
from preau.portal.selectors import is_service_enabled


class ServiceSwitchMiddleware:
    """A service that an establishment turned off does not exist there: its URLs answer 404."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable[..., Any], args: Any, kwargs: Any
    ) -> None:
        match = request.resolver_match
        if match is None or not match.namespaces:
            return None
        service = service_for_namespace(match.namespaces[0])
        if service is None or not service.can_be_disabled:
            return None
        establishment = request.actor.establishment if request.user.is_authenticated else None
        if establishment is not None and not is_service_enabled(establishment, service.code):
            raise Http404
        return None
