"""First-login activation codes: issuing, activating, refusals, throttling and printed letters."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from weasyprint import HTML

from preau.accounts import codes
from preau.accounts.actions import (
    ActivationRefused,
    do_activate_account,
    do_issue_activation_code,
    do_issue_activation_letters,
)
from preau.accounts.letters import (
    ActivationLetter,
    activation_letters_html,
    activation_letters_pdf,
)
from preau.accounts.models import ActivationCode
from preau.accounts.policies import activation_code_people, can_issue_activation_code
from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.demo.cast import DEMO_PASSWORD
from preau.directory.models import Membership

pytestmark = pytest.mark.django_db

ACTIVATE = reverse("accounts:activate")
NEW_PASSWORD = "Cartable-2026"
REFUSED = "Ce code ne permet pas d&#x27;activer le compte"


def issue(cast: Any, person: Any = None) -> str:
    return do_issue_activation_code(
        actor=Actor(cast.principal_moulin),
        person=person or cast.lea,
        establishment=cast.moulin,
    )


def activate(client: Any, code: str, username: str = "eleve.lea", **extra: Any) -> Any:
    data = {
        "username": username,
        "code": code,
        "new_password1": NEW_PASSWORD,
        "new_password2": NEW_PASSWORD,
        **extra,
    }
    return client.post(ACTIVATE, data)


def test_code_format() -> None:
    code = codes.generate()
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{2}", code)
    assert not set(code) & set("01ILO")
    assert codes.digest(code) == codes.digest(code.lower().replace("-", " "))


def test_issue_stores_only_a_hash_and_audits(cast: Any) -> None:
    code = issue(cast)
    row = ActivationCode.objects.get(person=cast.lea)
    assert code.replace("-", "") not in row.code_hash
    assert row.code_hash == codes.digest(code)
    assert row.establishment == cast.moulin
    assert row.issued_by == cast.principal_moulin
    assert row.expires_at - row.created_at == timedelta(days=30)
    entry = AuditEntry.objects.get(action="accounts.activation_code.issue")
    assert (entry.establishment, entry.actor, entry.target_id) == (
        cast.moulin,
        cast.principal_moulin,
        str(cast.lea.public_id),
    )
    assert code not in str(entry.after)


def test_issue_makes_password_unusable_only_before_first_login(cast: Any) -> None:
    issue(cast)
    cast.lea.refresh_from_db()
    assert not cast.lea.has_usable_password()
    cast.noah.last_login = timezone.now()
    cast.noah.save(update_fields=["last_login"])
    issue(cast, cast.noah)
    cast.noah.refresh_from_db()
    assert cast.noah.check_password(DEMO_PASSWORD)


def test_new_code_replaces_the_previous_one(cast: Any, client: Any) -> None:
    first = issue(cast)
    second = issue(cast)
    assert REFUSED in activate(client, first).content.decode()
    assert activate(client, second)["Location"] == reverse("portal:home")


def test_activation_sets_password_logs_in_and_spends_the_code(cast: Any, client: Any) -> None:
    code = issue(cast)
    session = client.session
    session["before"] = True
    session.save()
    before = session.session_key
    response = activate(client, code.lower().replace("-", " "), username="Eleve.Lea")
    assert response["Location"] == reverse("portal:home")
    assert client.session[SESSION_KEY] == str(cast.lea.pk)
    assert client.session.session_key != before
    cast.lea.refresh_from_db()
    assert cast.lea.check_password(NEW_PASSWORD)
    assert ActivationCode.objects.get(person=cast.lea).used_at is not None
    assert AuditEntry.objects.filter(action="accounts.activation_code.use").count() == 1
    home = client.get(reverse("portal:home"))
    assert "Votre compte est activé" in home.content.decode()


def refused_and_unchanged(cast: Any, client: Any, response: Any) -> None:
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert SESSION_KEY not in client.session
    cast.lea.refresh_from_db()
    assert not cast.lea.has_usable_password()


def test_wrong_code_is_refused(cast: Any, client: Any) -> None:
    issue(cast)
    refused_and_unchanged(cast, client, activate(client, "ABCD-EFGH-JK"))
    assert ActivationCode.objects.get(person=cast.lea).used_at is None


def test_expired_code_is_refused(cast: Any, client: Any) -> None:
    code = issue(cast)
    ActivationCode.objects.filter(person=cast.lea).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    refused_and_unchanged(cast, client, activate(client, code))
    assert ActivationCode.objects.get(person=cast.lea).used_at is None


def test_used_code_is_refused(cast: Any, client: Any) -> None:
    code = issue(cast)
    do_activate_account(username="eleve.lea", code=code, password=NEW_PASSWORD)
    response = activate(
        client, code, new_password1="Autre-Mot-2026", new_password2="Autre-Mot-2026"
    )
    assert REFUSED in response.content.decode()
    cast.lea.refresh_from_db()
    assert cast.lea.check_password(NEW_PASSWORD)


def test_unknown_user_and_another_persons_code_are_refused(cast: Any, client: Any) -> None:
    code = issue(cast)
    refused_and_unchanged(cast, client, activate(client, code, username="nobody.here"))
    noah_code = issue(cast, cast.noah)
    refused_and_unchanged(cast, client, activate(client, noah_code))


def test_weak_password_is_refused_with_the_cnil_message(cast: Any, client: Any) -> None:
    code = issue(cast)
    response = activate(client, code, new_password1="lea2013", new_password2="lea2013")
    page = response.content.decode()
    assert "au moins 8 caractères" in page
    assert REFUSED not in page
    assert SESSION_KEY not in client.session
    assert ActivationCode.objects.get(person=cast.lea).used_at is None
    assert activate(client, code)["Location"] == reverse("portal:home")


def test_mismatched_passwords_are_refused(cast: Any, client: Any) -> None:
    code = issue(cast)
    response = activate(client, code, new_password2="Cartable-2027")
    assert "ne sont pas identiques" in response.content.decode()
    assert ActivationCode.objects.get(person=cast.lea).used_at is None


def test_activation_shares_the_login_throttle(cast: Any, client: Any) -> None:
    code = issue(cast)
    for _ in range(3):
        activate(client, "ABCD-EFGH-JK")
    for _ in range(2):
        client.post(
            reverse("accounts:login"), {"username": "eleve.lea", "password": "Wrong-pass-1"}
        )
    response = activate(client, code)
    assert "Trop de tentatives" in response.content.decode()
    assert ActivationCode.objects.get(person=cast.lea).used_at is None


def test_action_raises_the_same_refusal_and_validation_errors(cast: Any) -> None:
    code = issue(cast)
    with pytest.raises(ActivationRefused):
        do_activate_account(username="eleve.lea", code="WXYZ-2345-67", password=NEW_PASSWORD)
    with pytest.raises(ValidationError):
        do_activate_account(username="eleve.lea", code=code, password="short")


def test_policy_limits_codes_to_the_establishments_people(cast: Any) -> None:
    head = Actor(cast.principal_moulin)
    assert can_issue_activation_code(head, cast.lea, cast.moulin)
    assert can_issue_activation_code(head, cast.karim, cast.moulin)
    # Sophie is also a guardian at Marie Curie: a code from Jean Moulin would open Hugo's
    # records to whoever holds it. Her codes come from someone who administers both schools.
    assert not can_issue_activation_code(head, cast.sophie, cast.moulin)
    assert can_issue_activation_code(Actor(cast.admin), cast.sophie, cast.moulin)
    # Another establishment's pupil, or another establishment's codes: no.
    assert not can_issue_activation_code(head, cast.hugo, cast.moulin)
    assert not can_issue_activation_code(head, cast.hugo, cast.curie)
    assert not can_issue_activation_code(Actor(cast.principal_curie), cast.lea, cast.moulin)
    # Teachers and families issue no codes; nobody issues one to a Préau administrator.
    assert not can_issue_activation_code(Actor(cast.bernard), cast.lea, cast.moulin)
    assert not can_issue_activation_code(Actor(cast.sophie), cast.lea, cast.moulin)
    assert not activation_code_people(head, cast.moulin).filter(is_superuser=True).exists()
    # The academy administrator manages the establishments of the academy.
    assert can_issue_activation_code(Actor(cast.rectorat_versailles), cast.lea, cast.moulin)


def test_a_delegated_administrator_cannot_take_over_the_head(cast: Any) -> None:
    membership = Membership.objects.get(person=cast.cpe_moulin, establishment=cast.moulin)
    membership.functions = ["cpe", "administrator"]
    membership.save(update_fields=["functions"])
    delegate = Actor(cast.cpe_moulin)
    assert can_issue_activation_code(delegate, cast.lea, cast.moulin)
    assert not can_issue_activation_code(delegate, cast.principal_moulin, cast.moulin)
    assert can_issue_activation_code(Actor(cast.principal_moulin), cast.cpe_moulin, cast.moulin)


def letter(cast: Any, code: str, person: Any = None) -> ActivationLetter:
    return ActivationLetter(
        person=person or cast.lea,
        establishment=cast.moulin,
        code=code,
        expires_at=codes.expiry(timezone.now()),
        portal_url="https://ent.example.fr/",
    )


def test_letter_says_who_what_and_until_when(cast: Any) -> None:
    html = activation_letters_html([letter(cast, "ABCD-EFGH-JK")])
    for text in (
        "Collège Jean Moulin",
        "Léa Martin",
        "eleve.lea",
        "ABCD-EFGH-JK",
        "https://ent.example.fr/",
        "https://ent.example.fr" + ACTIVATE,
        "Aucune adresse e-mail n'est nécessaire",
        str(codes.expiry(timezone.now()).year),
    ):
        assert text in html, text


def test_letters_pdf_has_one_page_per_person(cast: Any) -> None:
    letters = do_issue_activation_letters(
        actor=Actor(cast.principal_moulin),
        people=[cast.lea, cast.noah],
        establishment=cast.moulin,
        portal_url="https://ent.example.fr/",
    )
    assert ActivationCode.objects.filter(used_at__isnull=True).count() == 2
    assert [x.person for x in letters] == [cast.lea, cast.noah]
    assert codes.digest(letters[0].code) == ActivationCode.objects.get(person=cast.lea).code_hash
    pdf = activation_letters_pdf(letters)
    assert pdf.startswith(b"%PDF-")
    assert pdf.rstrip().endswith(b"%%EOF")
    html = activation_letters_html(letters)
    assert letters[0].code in html and letters[1].code in html
    assert len(HTML(string=html).render().pages) == 2
