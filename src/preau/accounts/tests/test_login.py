"""Logging in and out: username or e-mail, throttling, audit, session rotation."""

from types import SimpleNamespace
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from preau.accounts import throttle
from preau.audit.models import LoginEvent
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

LOGIN = reverse("accounts:login")
INVALID = "Identifiant ou mot de passe incorrect"


def log_in(client: Any, username: str, password: str = DEMO_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in_as(client: Any) -> str | None:
    return client.session.get(SESSION_KEY)


def test_login_page_links_to_reset_and_activation(client: Any) -> None:
    page = client.get(LOGIN).content.decode()
    assert 'name="username"' in page and 'name="password"' in page
    assert reverse("accounts:password_reset") in page
    assert reverse("accounts:activate") in page


def test_login_by_username_redirects_home_and_is_recorded(cast: Any, client: Any) -> None:
    response = log_in(client, "eleve.lea")
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:home")
    assert logged_in_as(client) == str(cast.lea.pk)
    event = LoginEvent.objects.get()
    assert (event.person, event.username_tried, event.succeeded, event.address) == (
        cast.lea,
        "eleve.lea",
        True,
        "127.0.0.1",
    )


def test_wrong_password_is_refused_and_recorded(cast: Any, client: Any) -> None:
    response = log_in(client, "eleve.lea", "Wrong-password-1")
    assert response.status_code == 200
    assert INVALID in response.content.decode()
    assert logged_in_as(client) is None
    event = LoginEvent.objects.get()
    assert (event.person, event.succeeded) == (cast.lea, False)


def test_unknown_user_gets_the_same_message(cast: Any, client: Any) -> None:
    response = log_in(client, "nobody.here")
    assert INVALID in response.content.decode()
    event = LoginEvent.objects.get()
    assert (event.person, event.username_tried, event.succeeded) == (None, "nobody.here", False)


def test_login_by_email(cast: Any, client: Any) -> None:
    log_in(client, "Sophie.Martin@example.org")
    assert logged_in_as(client) == str(cast.sophie.pk)


def test_ambiguous_email_is_refused(cast: Any, client: Any) -> None:
    # Karim's children's accounts share his address: the address designates nobody.
    cast.noah.email = cast.karim.email
    cast.noah.save(update_fields=["email"])
    response = log_in(client, cast.karim.email)
    assert logged_in_as(client) is None
    assert "saisissez votre identifiant" in response.content.decode()
    log_in(client, "parent.karim")
    assert logged_in_as(client) == str(cast.karim.pk)


def test_safe_next_is_followed_and_foreign_next_ignored(cast: Any, client: Any) -> None:
    profile = reverse("accounts:profile")
    response = client.post(
        LOGIN, {"username": "eleve.lea", "password": DEMO_PASSWORD, "next": profile}
    )
    assert response["Location"] == profile
    client.logout()
    response = client.post(
        LOGIN,
        {"username": "eleve.lea", "password": DEMO_PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("portal:home")


def test_session_key_is_rotated_at_login(cast: Any, client: Any) -> None:
    session = client.session
    session["before_login"] = True
    session.save()
    before = session.session_key
    client.get(LOGIN)
    log_in(client, "eleve.lea")
    assert logged_in_as(client) == str(cast.lea.pk)
    assert client.session.session_key != before
    assert not Session.objects.filter(session_key=before).exists()


def test_account_throttle_refuses_even_the_right_password(cast: Any, client: Any) -> None:
    for _ in range(5):
        log_in(client, "eleve.lea", "Wrong-password-1")
    response = log_in(client, "eleve.lea")
    page = response.content.decode()
    assert logged_in_as(client) is None
    assert "Trop de tentatives de connexion" in page
    assert "patientez 15 minutes" in page
    assert LoginEvent.objects.filter(succeeded=True).count() == 0
    # Another account from the same address is not affected.
    log_in(client, "eleve.noah")
    assert logged_in_as(client) == str(cast.noah.pk)


def test_username_and_email_share_the_account_counter(cast: Any, client: Any) -> None:
    for _ in range(5):
        log_in(client, "parent.sophie", "Wrong-password-1")
    assert "Trop de tentatives" in log_in(client, cast.sophie.email).content.decode()
    assert logged_in_as(client) is None


def test_wait_counts_from_the_first_failure(cast: Any, client: Any, monkeypatch: Any) -> None:
    clock = SimpleNamespace(now=1_000_000.0)
    monkeypatch.setattr(throttle, "time", SimpleNamespace(time=lambda: clock.now))
    for _ in range(5):
        log_in(client, "eleve.lea", "Wrong-password-1")
    clock.now += 10 * 60 + 1
    assert "patientez 5 minutes" in log_in(client, "eleve.lea").content.decode()
    clock.now += 4 * 60 + 30
    assert "patientez 1 minute " in log_in(client, "eleve.lea").content.decode()


def test_throttle_lifts_when_the_window_ends(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURES_PER_ACCOUNT = 2
    log_in(client, "eleve.lea", "Wrong-password-1")
    log_in(client, "eleve.lea", "Wrong-password-1")
    assert "Trop de tentatives" in log_in(client, "eleve.lea").content.decode()
    cache.clear()  # the counters expire with the window
    log_in(client, "eleve.lea")
    assert logged_in_as(client) == str(cast.lea.pk)


def test_success_resets_the_account_counter(cast: Any, client: Any) -> None:
    for _ in range(4):
        log_in(client, "eleve.lea", "Wrong-password-1")
    log_in(client, "eleve.lea")
    client.logout()
    for _ in range(4):
        log_in(client, "eleve.lea", "Wrong-password-1")
    log_in(client, "eleve.lea")
    assert logged_in_as(client) == str(cast.lea.pk)


def test_unknown_names_are_throttled_like_accounts(cast: Any, client: Any) -> None:
    for _ in range(5):
        log_in(client, "nobody.here", "Wrong-password-1")
    assert "Trop de tentatives" in log_in(client, "nobody.here").content.decode()


def test_address_throttle(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    for name in ("eleve.lea", "eleve.noah", "eleve.jade"):
        log_in(client, name, "Wrong-password-1")
    response = log_in(client, "parent.sophie")
    assert "Trop de tentatives" in response.content.decode()
    assert logged_in_as(client) is None
    # Another address is not affected.
    log_in(client, "parent.sophie", REMOTE_ADDR="192.0.2.7")
    assert logged_in_as(client) == str(cast.sophie.pk)


def test_success_does_not_reset_the_address_counter(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 3
    log_in(client, "eleve.lea", "Wrong-password-1")
    log_in(client, "eleve.noah", "Wrong-password-1")
    log_in(client, "parent.sophie")
    client.logout()
    log_in(client, "eleve.jade", "Wrong-password-1")
    assert "Trop de tentatives" in log_in(client, "parent.karim").content.decode()


def test_ipv6_addresses_count_per_64(cast: Any, client: Any, settings: Any) -> None:
    settings.LOGIN_FAILURES_PER_ADDRESS = 2
    log_in(client, "eleve.lea", "Wrong-password-1", REMOTE_ADDR="2001:db8:1:2::10")
    log_in(client, "eleve.noah", "Wrong-password-1", REMOTE_ADDR="2001:db8:1:2::20")
    response = log_in(client, "parent.sophie", REMOTE_ADDR="2001:db8:1:2::30")
    assert "Trop de tentatives" in response.content.decode()


def test_logout_needs_post(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    assert client.get(reverse("accounts:logout")).status_code == 405
    assert logged_in_as(client) == str(cast.lea.pk)
    response = client.post(reverse("accounts:logout"))
    assert response["Location"] == reverse("accounts:login")
    assert logged_in_as(client) is None


def test_logout_everywhere_ends_every_session(cast: Any, client: Any) -> None:
    phone = Client()
    phone.force_login(cast.sophie)
    client.force_login(cast.sophie)
    profile = reverse("accounts:profile")
    assert phone.get(profile).status_code == 200
    assert client.get(reverse("accounts:logout_everywhere")).status_code == 405
    response = client.post(reverse("accounts:logout_everywhere"), follow=True)
    assert "déconnecté de toutes vos sessions" in response.content.decode()
    assert phone.get(profile)["Location"].startswith(reverse("accounts:login"))
    assert client.get(profile)["Location"].startswith(reverse("accounts:login"))
    # The password still works: only sessions were revoked.
    log_in(client, "parent.sophie")
    assert logged_in_as(client) == str(cast.sophie.pk)


def test_logout_everywhere_needs_login(client: Any) -> None:
    response = client.post(reverse("accounts:logout_everywhere"))
    assert response["Location"].startswith(reverse("accounts:login"))
