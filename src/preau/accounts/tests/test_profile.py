"""The profile page: identity, memberships, language, e-mail and password."""

from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse

from preau.core.testing import query_budget
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

PROFILE = reverse("accounts:profile")


def test_anonymous_is_sent_to_login(client: Any) -> None:
    response = client.get(PROFILE)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={PROFILE}"


def test_profile_shows_identity_and_memberships(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    page = client.get(PROFILE).content.decode()
    assert "Sophie Martin" in page
    assert "parent.sophie" in page
    assert "sophie.martin@example.org" in page
    assert "Collège Jean Moulin" in page and "Lycée Marie Curie" in page
    assert reverse("accounts:logout_everywhere") in page


def test_profile_shows_functions(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    assert "Chef d&#x27;établissement" in client.get(PROFILE).content.decode()


def test_profile_query_budget(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    client.get(PROFILE)
    # The user (session), the memberships with their establishments (the actor).
    with query_budget(2):
        response = client.get(PROFILE)
    assert response.status_code == 200


def test_change_language(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    response = client.post(reverse("accounts:language"), {"language": "en", "next": PROFILE})
    assert response["Location"] == PROFILE
    cast.lea.refresh_from_db()
    assert cast.lea.language == "en"
    # Applied on every page from the account, wherever the person logs in next.
    other = Client()
    other.force_login(cast.lea)
    assert '<html lang="en">' in other.get(PROFILE).content.decode()


def test_language_works_for_anonymous_visitors(client: Any) -> None:
    response = client.post(reverse("accounts:language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert client.cookies["django_language"].value == "en"


def test_change_email_needs_the_current_password(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    data = {"form": "email", "email": "sophie@example.net", "current_password": "nope"}
    response = client.post(PROFILE, data)
    assert "Mot de passe incorrect" in response.content.decode()
    cast.sophie.refresh_from_db()
    assert cast.sophie.email == "sophie.martin@example.org"
    response = client.post(PROFILE, {**data, "current_password": DEMO_PASSWORD}, follow=True)
    assert "Votre adresse e-mail est enregistrée" in response.content.decode()
    cast.sophie.refresh_from_db()
    assert cast.sophie.email == "sophie@example.net"


def test_change_password_keeps_this_session_only(cast: Any, client: Any) -> None:
    other = Client()
    other.force_login(cast.sophie)
    client.force_login(cast.sophie)
    data = {
        "form": "password",
        "old_password": DEMO_PASSWORD,
        "new_password1": "Nouveau-Mot-2026",
        "new_password2": "Nouveau-Mot-2026",
    }
    response = client.post(PROFILE, data, follow=True)
    assert "Votre mot de passe est modifié" in response.content.decode()
    assert client.session[SESSION_KEY] == str(cast.sophie.pk)
    assert client.get(PROFILE).status_code == 200
    assert other.get(PROFILE).status_code == 302
    cast.sophie.refresh_from_db()
    assert cast.sophie.check_password("Nouveau-Mot-2026")


def test_change_password_refuses_a_weak_one(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    data = {
        "form": "password",
        "old_password": DEMO_PASSWORD,
        "new_password1": "motdepasse",
        "new_password2": "motdepasse",
    }
    assert "au moins 8 caractères" in client.post(PROFILE, data).content.decode()
    cast.sophie.refresh_from_db()
    assert cast.sophie.check_password(DEMO_PASSWORD)
