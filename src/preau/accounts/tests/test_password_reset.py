"""Password reset by e-mail: one message for a known address, the same page for any address."""

import re
from typing import Any

import pytest
from django.urls import reverse

from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

RESET = reverse("accounts:password_reset")
DONE = reverse("accounts:password_reset_done")


def without_tokens(response: Any) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_known_address_gets_one_email(cast: Any, client: Any, mailoutbox: list) -> None:
    response = client.post(RESET, {"email": cast.sophie.email})
    assert response["Location"] == DONE
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [cast.sophie.email]
    assert "parent.sophie" in message.body
    assert "nouveau mot de passe" in message.subject


def test_unknown_address_shows_the_same_page(cast: Any, client: Any, mailoutbox: list) -> None:
    known = client.post(RESET, {"email": cast.sophie.email}, follow=True)
    mailoutbox.clear()
    unknown = client.post(RESET, {"email": "nobody@example.org"}, follow=True)
    assert unknown.redirect_chain == [(DONE, 302)]
    assert mailoutbox == []
    assert without_tokens(unknown) == without_tokens(known)


def test_reset_link_sets_a_new_password(cast: Any, client: Any, mailoutbox: list) -> None:
    client.post(RESET, {"email": cast.sophie.email})
    link = re.search(r"https?://[^/]+(/\S+)", mailoutbox[0].body).group(1)
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_password_url = form_page.redirect_chain[-1][0]
    weak = client.post(set_password_url, {"new_password1": "abc", "new_password2": "abc"})
    assert "au moins 8 caractères" in weak.content.decode()
    response = client.post(
        set_password_url, {"new_password1": "Nouveau-Mot-2026", "new_password2": "Nouveau-Mot-2026"}
    )
    assert response["Location"] == reverse("accounts:password_reset_complete")
    cast.sophie.refresh_from_db()
    assert cast.sophie.check_password("Nouveau-Mot-2026")
    assert not cast.sophie.check_password(DEMO_PASSWORD)
    # The link works once.
    assert "plus valable" in client.get(link, follow=True).content.decode()


def test_reset_emails_to_one_address_are_limited(cast: Any, client: Any) -> None:
    from django.core import mail

    for _ in range(5):
        response = client.post(reverse("accounts:password_reset"), {"email": cast.karim.email})
        assert response.status_code == 302  # the same answer every time
    assert len(mail.outbox) == 3
