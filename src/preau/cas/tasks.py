"""Single logout: the back-channel LogoutRequest POSTs, off the request that logged out.

A service that is down or slow must not keep the person from logging out, and a failure is only
logged: the service's own session ends with its own timeout.
"""

from __future__ import annotations

import logging
import urllib.request
from urllib.parse import urlencode

from django.conf import settings
from django_tasks import task

from preau.cas.actions import tls_context
from preau.cas.protocol import logout_request

logger = logging.getLogger(__name__)


@task()
def send_logout_requests(requests: list[list[str]]) -> int:
    """POST a LogoutRequest to each (service address, ticket, username); returns those sent."""
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=tls_context()))
    sent = 0
    for service_url, ticket, username in requests:
        body = urlencode(
            {"logoutRequest": logout_request(username=username, ticket=ticket).decode()}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 - a registered service's address
            service_url, data=body, method="POST"
        )
        request.add_header("Content-Type", "application/x-www-form-urlencoded")
        try:
            with opener.open(request, timeout=settings.CAS_CALLBACK_TIMEOUT):
                sent += 1
        except (OSError, ValueError) as error:
            logger.warning("CAS single logout to %s failed: %s", service_url, error)
    return sent
