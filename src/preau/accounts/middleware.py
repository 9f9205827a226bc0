"""Account middlewares: the person's language, and the second factor on administration pages."""

import re
from collections.abc import Callable
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import translation

from preau.accounts import sessions, twofactor


class UserLanguageMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = user.language
        return self.get_response(request)


class AccountSecurityMiddleware:
    """The second factor before any administration page, and the session's device and activity.

    An administrator (accounts.twofactor.requires_second_factor) who has no authenticator yet is
    sent to enrolment; one whose session has not passed the second factor is asked for a code.
    Anyone else reaches the page, which answers as it would (404 for those it does not concern).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.paths = re.compile("|".join(f"(?:{path})" for path in settings.SECOND_FACTOR_PATHS))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            if self.paths.match(request.path):
                refusal = self._second_factor(request)
                if refusal is not None:
                    return refusal
            if request.session.session_key:
                sessions.note_seen(request.session.session_key)
        response = self.get_response(request)
        device = getattr(request, "preau_device", None)
        if device and request.COOKIES.get(sessions.DEVICE_COOKIE) != device:
            response.set_cookie(
                sessions.DEVICE_COOKIE,
                device,
                max_age=sessions.DEVICE_COOKIE_AGE,
                secure=settings.SESSION_COOKIE_SECURE,
                httponly=True,
                samesite="Lax",
            )
        return response

    def _second_factor(self, request: HttpRequest) -> HttpResponse | None:
        if twofactor.is_verified(request.session):
            return None
        if not twofactor.requires_second_factor(request.actor):
            return None
        target = "accounts:second_factor" if request.user.has_totp else "accounts:totp_enrol"
        query = urlencode({"next": request.get_full_path()})
        return HttpResponseRedirect(f"{reverse(target)}?{query}")
