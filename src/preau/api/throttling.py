"""Rate limits of the API, per credential: each token (personal or OAuth 2) has its own
budget, API_RATE_TOKEN; a signed-in browser session counts for its person, API_RATE_USER.

django-ninja runs throttles after authentication, so a refused credential is answered 401 and
never reaches them. Past the budget the answer is 429 in the error format, with
``Retry-After`` (seconds until the oldest counted request leaves the window). The counts live in
the default cache (Redis in production, shared by every worker).
"""

from __future__ import annotations

import threading

from django.conf import settings
from django.http import HttpRequest
from ninja.throttling import SimpleRateThrottle


class CredentialRateThrottle(SimpleRateThrottle):
    cache_format = "api-throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:
        # The rates are read per request (settings may change in tests); the wait of the last
        # refusal is kept per thread, as workers may serve several requests at once.
        self._local = threading.local()

    def _credential(self, request: HttpRequest) -> tuple[str, str] | None:
        personal = getattr(request, "access_token", None)
        if personal is not None:
            return settings.API_RATE_TOKEN, f"token-{personal.pk}"
        oauth = getattr(request, "oauth_access_token", None)
        if oauth is not None:
            return settings.API_RATE_TOKEN, f"oauth-{oauth.pk}"
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return settings.API_RATE_USER, f"user-{user.pk}"
        return None

    def allow_request(self, request: HttpRequest) -> bool:
        self._local.wait = None
        credential = self._credential(request)
        if credential is None:
            return True
        rate, ident = credential
        allowed, duration = self.parse_rate(rate)
        key = self.cache_format % {"scope": "api", "ident": ident}
        now = self.timer()
        history = [moment for moment in self.cache.get(key, []) if moment > now - duration]
        if len(history) >= allowed:
            self._local.wait = max(duration - (now - history[-1]), 1.0)
            return False
        history.insert(0, now)
        self.cache.set(key, history, duration)
        return True

    def wait(self) -> float | None:
        return getattr(self._local, "wait", None)
