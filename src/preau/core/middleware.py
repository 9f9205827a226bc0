from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from preau.core.actor import Actor


class ActorMiddleware:
    """Attaches ``request.actor``; its parts are resolved on first use, once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = Actor(request.user, request.session)
        return self.get_response(request)


class PermissionsPolicyMiddleware:
    """Adds the Permissions-Policy header (settings.PERMISSIONS_POLICY) to every response; the
    other security headers come from Django's SecurityMiddleware and django-csp."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.policy = settings.PERMISSIONS_POLICY

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", self.policy)
        return response
