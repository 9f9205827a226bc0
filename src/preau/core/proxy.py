"""The client's address when Préau runs behind reverse proxies.

Login throttling counts failures per address: behind a proxy every request would come from the
proxy's own address, and one pupil's typos could lock out a whole academy. With
``TRUSTED_PROXIES=N``, the address is taken from ``X-Forwarded-For`` as the N-th entry from the
right, the one appended by the outermost proxy we run; entries further left are client-supplied
and not trusted.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


class TrustedProxyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.proxies = settings.TRUSTED_PROXIES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self.proxies:
            hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
            hops = [h for h in hops if h]
            if len(hops) >= self.proxies:
                request.META["REMOTE_ADDR"] = hops[-self.proxies]
        return self.get_response(request)
