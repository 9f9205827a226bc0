"""« Mes sessions et appareils »: the list, revoking one or all the others; the step-up before a
mass send from a new device; the security headers of every page."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pyotp
import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preau.accounts import sessions
from preau.accounts.models import AccountSession, TotpDevice
from preau.core.testing import TEST_TOTP_SECRET
from preau.demo.cast import DEMO_PASSWORD
from preau.messaging.models import Message

pytestmark = pytest.mark.django_db

SECURITY = reverse("accounts:security")
FIREFOX = "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0"
PHONE = (
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/131.0.0.0 Mobile Safari/537.36"
)


def logged_in(username: str, agent: str, address: str = "192.0.2.10") -> Client:
    client = Client(HTTP_USER_AGENT=agent, REMOTE_ADDR=address)
    response = client.post(
        reverse("accounts:login"), {"username": username, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    return client


def test_the_user_agent_is_read_as_browser_and_system() -> None:
    assert sessions.describe_agent(FIREFOX) == ("Firefox", "Windows")
    assert sessions.describe_agent(PHONE) == ("Chrome", "Android")
    assert sessions.describe_agent("curl/8.0") == ("", "")


def test_the_list_shows_each_session_and_marks_this_one(cast: Any) -> None:
    laptop = logged_in("eleve.lea", FIREFOX, "192.0.2.10")
    logged_in("eleve.lea", PHONE, "198.51.100.7")
    page = laptop.get(SECURITY)
    lines = page.context["lines"]
    assert [(line.browser, line.system, line.current) for line in lines] == [
        ("Firefox", "Windows", True),
        ("Chrome", "Android", False),
    ]
    text = page.content.decode()
    assert "198.51.100.7" in text and "cette session" in text
    # Another person's sessions are not shown.
    logged_in("eleve.noah", FIREFOX)
    assert len(laptop.get(SECURITY).context["lines"]) == 2


def test_revoking_a_session_logs_that_device_out(cast: Any) -> None:
    laptop = logged_in("eleve.lea", FIREFOX)
    phone = logged_in("eleve.lea", PHONE)
    other = AccountSession.objects.get(person=cast.lea, user_agent=PHONE)
    laptop.post(reverse("accounts:session_revoke", args=[other.public_id]))
    assert phone.get(reverse("portal:home")).status_code == 302
    assert laptop.get(reverse("portal:home")).status_code == 200
    other.refresh_from_db()
    assert other.ended_at is not None
    assert len(laptop.get(SECURITY).context["lines"]) == 1


def test_a_session_of_someone_else_is_404(cast: Any) -> None:
    lea = logged_in("eleve.lea", FIREFOX)
    logged_in("eleve.noah", PHONE)
    noahs = AccountSession.objects.get(person=cast.noah)
    assert lea.post(reverse("accounts:session_revoke", args=[noahs.public_id])).status_code == 404
    noahs.refresh_from_db()
    assert noahs.ended_at is None


def test_revoke_all_others_keeps_this_one(cast: Any) -> None:
    laptop = logged_in("eleve.lea", FIREFOX)
    phones = [logged_in("eleve.lea", PHONE) for _ in range(2)]
    laptop.post(reverse("accounts:sessions_revoke_others"))
    assert all(p.get(reverse("portal:home")).status_code == 302 for p in phones)
    assert laptop.get(reverse("portal:home")).status_code == 200
    [line] = laptop.get(SECURITY).context["lines"]
    assert line.current


# -- step-up before a mass send ------------------------------------------------------------------


def head_with_authenticator(cast: Any) -> Client:
    head = cast.principal_moulin
    TotpDevice.objects.create(person=head, secret=TEST_TOTP_SECRET, confirmed_at=timezone.now())
    head.has_totp = True
    head.save(update_fields=["has_totp"])
    client = Client(HTTP_USER_AGENT=FIREFOX)
    client.post(
        reverse("accounts:login"), {"username": "principal.moulin", "password": DEMO_PASSWORD}
    )
    code = pyotp.TOTP(TEST_TOTP_SECRET).now()
    assert client.post(reverse("accounts:login_verify"), {"code": code}).status_code == 302
    return client


def send_to_all_guardians(client: Any) -> Any:
    return client.post(
        reverse("messaging:compose"),
        {
            "action": "send",
            "subject": "Rentrée",
            "body": "Madame, Monsieur,",
            "lists": ["guardians"],
        },
    )


@pytest.fixture
def many_guardians(cast: Any) -> None:
    from preau.demo.population import build_population

    build_population(password_hash="!")


def test_a_mass_send_from_a_new_device_asks_for_the_code_again(
    cast: Any, many_guardians: None, settings: Any
) -> None:
    client = head_with_authenticator(cast)
    later = timezone.now() + timedelta(seconds=settings.STEP_UP_VALIDITY + 60)
    with time_machine.travel(later, tick=False):
        response = send_to_all_guardians(client)
        assert response.status_code == 302
        assert response.url.startswith(reverse("accounts:second_factor"))
        draft = Message.objects.get(sender=cast.principal_moulin, sent_at__isnull=True)
        assert not Message.objects.filter(conversation__subject="Rentrée", sent_at__isnull=False)
        code = pyotp.TOTP(TEST_TOTP_SECRET).at(later + timedelta(seconds=30))
        client.post(reverse("accounts:second_factor"), {"code": code})
        sent = client.post(
            reverse("messaging:draft", args=[draft.public_id]),
            {
                "action": "send",
                "subject": "Rentrée",
                "body": "Madame, Monsieur,",
                "lists": ["guardians"],
            },
        )
        assert sent.status_code == 302
        assert Message.objects.get(pk=draft.pk).sent_at is not None


def test_a_known_device_sends_without_the_code(
    cast: Any, many_guardians: None, settings: Any
) -> None:
    client = head_with_authenticator(cast)
    # The device was first seen long ago for this account.
    AccountSession.objects.filter(person=cast.principal_moulin).update(
        started_at=timezone.now() - timedelta(days=settings.STEP_UP_NEW_DEVICE_DAYS + 1)
    )
    later = timezone.now() + timedelta(seconds=settings.STEP_UP_VALIDITY + 60)
    with time_machine.travel(later, tick=False):
        response = send_to_all_guardians(client)
    assert response.status_code == 302 and "/c/" in response.url
    assert Message.objects.filter(conversation__subject="Rentrée", sent_at__isnull=False).exists()


# -- security headers ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/accounts/login/",
        "/",
        "/messaging/",
        "/accounts/profile/",
        "/accounts/security/",
        "/nowhere/",
    ],
)
def test_every_page_carries_the_security_headers(cast: Any, client: Any, url: str) -> None:
    client.force_login(cast.lea)
    response = client.get(url)
    headers = response.headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "'nonce-" in csp and "object-src 'none'" in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert headers["Cross-Origin-Opener-Policy"] == "same-origin"
    assert headers["X-Frame-Options"] == "DENY"
    assert "camera=()" in headers["Permissions-Policy"]
    assert "Strict-Transport-Security" not in headers  # plain HTTP: no HSTS


def test_hsts_over_https(client: Any, settings: Any) -> None:
    settings.SECURE_HSTS_SECONDS = 31536000
    response = client.get("/accounts/login/", secure=True)
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
