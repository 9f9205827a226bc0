from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from preau.core.actor import Actor


class ActorMiddleware:
    """Attaches ``request.actor``; its parts are resolved on first use, once per request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.actor = Actor(request.user, request.session)
        return self.get_response(request)
