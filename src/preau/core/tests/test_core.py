from typing import Any

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_healthz_answers_without_database(client: Any, django_assert_num_queries: Any) -> None:
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_readyz_checks_the_database(client: Any) -> None:
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_security_headers_on_every_page(client: Any) -> None:
    response = client.get(reverse("accounts:login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "object-src 'none'" in csp
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_oversized_form_is_refused(client: Any, settings: Any) -> None:
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post(
        reverse("accounts:login"),
        data="x" * 4096,
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 400


def test_unknown_page_is_a_french_404(client: Any) -> None:
    response = client.get("/no-such-page/")
    assert response.status_code == 404


def test_client_address_behind_trusted_proxies(rf: Any, settings: Any) -> None:
    from preau.core.proxy import TrustedProxyMiddleware

    seen = {}

    def view(request: Any) -> Any:
        seen["address"] = request.META["REMOTE_ADDR"]
        return None

    settings.TRUSTED_PROXIES = 1
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7", REMOTE_ADDR="10.0.0.2")
    TrustedProxyMiddleware(view)(request)
    assert seen["address"] == "203.0.113.7"  # the spoofable left entry is ignored

    settings.TRUSTED_PROXIES = 0
    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6", REMOTE_ADDR="10.0.0.2")
    TrustedProxyMiddleware(view)(request)
    assert seen["address"] == "10.0.0.2"
