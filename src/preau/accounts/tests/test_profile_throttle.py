"""The profile's « current password » fields are password checks like the login form: a stolen
session must not turn them into an unthrottled way of guessing the password."""

from typing import Any

import pytest
from django.conf import settings
from django.urls import reverse

from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")
LOGIN = reverse("accounts:login")
TOO_MANY = "Trop de tentatives"


def email_change(password: str) -> dict[str, str]:
    return {"form": "email", "email": "thief@example.org", "current_password": password}


def password_change(password: str) -> dict[str, str]:
    return {
        "form": "password",
        "old_password": password,
        "new_password1": "Voleur-Mot-2026",
        "new_password2": "Voleur-Mot-2026",
    }


@pytest.mark.parametrize("data", [email_change, password_change], ids=["email", "password"])
def test_wrong_current_passwords_are_throttled(cast: Any, client: Any, data: Any) -> None:
    client.force_login(cast.sophie)
    for _attempt in range(settings.LOGIN_FAILURES_PER_ACCOUNT):
        assert TOO_MANY not in client.post(PROFILE, data("Devine-2026")).content.decode()
    # Blocked now: even the right password changes nothing, as on the login form.
    assert TOO_MANY in client.post(PROFILE, data(DEMO_PASSWORD)).content.decode()
    cast.sophie.refresh_from_db()
    assert cast.sophie.email == "sophie.martin@example.org"
    assert cast.sophie.check_password(DEMO_PASSWORD)
    # The profile's failures and the login form's share the account's counter.
    response = client.post(LOGIN, {"username": "parent.sophie", "password": DEMO_PASSWORD})
    assert TOO_MANY in response.content.decode()


def test_a_right_current_password_clears_the_account_counter(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    for _attempt in range(settings.LOGIN_FAILURES_PER_ACCOUNT - 1):
        client.post(PROFILE, email_change("Devine-2026"))
    client.post(PROFILE, email_change(DEMO_PASSWORD))
    cast.sophie.refresh_from_db()
    assert cast.sophie.email == "thief@example.org"
    assert TOO_MANY not in client.post(PROFILE, email_change("Devine-2026")).content.decode()
