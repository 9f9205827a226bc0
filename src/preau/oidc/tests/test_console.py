"""Registering OpenID Connect clients in the administration console and with ``preau
oidc_client``: who may, what is shown once, what is refused, and the audit trail."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from oauth2_provider.models import Application

from preau.audit.models import AuditEntry
from preau.core.testing import (
    Isolation,
    isolation_test,
    log_in_with_second_factor,
    query_budget,
)
from preau.oidc.actions import do_register_client
from preau.oidc.models import OidcClient

pytestmark = pytest.mark.django_db

CLIENT_ID = uuid.UUID("0d1c0000-0000-4000-8000-00000000c11e")
ACADEMY_CLIENT_ID = uuid.UUID("0d1c0000-0000-4000-8000-0000000acad0")


def _register(cast: Any, public_id: uuid.UUID, **owner: Any) -> None:
    registration = do_register_client(
        actor=None,
        name="Plateforme",
        public=False,
        redirect_uris=["https://plateforme.example/cb"],
        **owner,
    )
    OidcClient.objects.filter(pk=registration.client.pk).update(public_id=public_id)


def school_client(cast: Any) -> None:
    _register(cast, CLIENT_ID, establishment=cast.moulin)


def academy_client(cast: Any) -> None:
    _register(cast, ACADEMY_CLIENT_ID, academy=cast.moulin.academy)


def _school(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _client(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "client_id": CLIENT_ID}


def _academy_client(c: Any) -> dict[str, Any]:
    return {"client_id": ACADEMY_CLIENT_ID}


NOT_ADMINISTRATORS = ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie", "dupont")
NOT_ACADEMY = ("principal_moulin", "principal_curie", "bernard", "lea")

test_isolation = isolation_test(
    [
        Isolation("administration:oidc_clients", "principal_moulin", _school, NOT_ADMINISTRATORS),
        Isolation(
            "administration:oidc_clients", "rectorat_versailles", _school, NOT_ADMINISTRATORS
        ),
        Isolation(
            "administration:oidc_client",
            "principal_moulin",
            _client,
            NOT_ADMINISTRATORS,
            setup=school_client,
        ),
        Isolation(
            "administration:oidc_client_remove",
            "principal_moulin",
            _client,
            NOT_ADMINISTRATORS,
            method="post",
            owner_status=302,
            setup=school_client,
        ),
        Isolation(
            "administration:academy_oidc_client",
            "rectorat_versailles",
            _academy_client,
            NOT_ACADEMY,
            setup=academy_client,
        ),
        Isolation(
            "administration:academy_oidc_client_remove",
            "rectorat_versailles",
            _academy_client,
            NOT_ACADEMY,
            method="post",
            owner_status=302,
            setup=academy_client,
        ),
    ]
)


def test_the_head_registers_a_client_and_sees_its_secret_once(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:oidc_clients", args=[cast.moulin.public_id])
    response = client.post(
        url,
        {
            "name": "Plateforme d'apprentissage",
            "redirect_uris": "https://moodle.example/auth/oidc/\nhttps://moodle.example/b/",
            "post_logout_redirect_uris": "https://moodle.example/",
        },
    )
    assert response.status_code == 200
    registered = OidcClient.objects.select_related("application").get()
    application = registered.application
    assert registered.establishment == cast.moulin
    assert application.client_type == Application.CLIENT_CONFIDENTIAL
    assert application.redirect_uris.split() == [
        "https://moodle.example/auth/oidc/",
        "https://moodle.example/b/",
    ]
    html = response.content.decode()
    secret = response.context["registration"].client_secret
    assert application.client_id in html and secret in html
    # Only a hash of the secret is kept.
    assert secret not in application.client_secret
    assert AuditEntry.objects.filter(action="oidc.client_registered").exists()
    # The account, its academies and memberships, the establishment, then the establishment's
    # and the academy's clients (with their applications, joined).
    with query_budget(6):
        page = client.get(url)
    assert "Plateforme d&#x27;apprentissage" in page.content.decode()
    assert secret not in page.content.decode()


def test_a_public_client_has_no_secret(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        reverse("administration:oidc_clients", args=[cast.moulin.public_id]),
        {"name": "Appli", "redirect_uris": "https://appli.example/cb", "public": "on"},
    )
    assert response.context["registration"].client_secret is None
    assert OidcClient.objects.get().is_public


@pytest.mark.parametrize(
    "address",
    [
        "http://moodle.example/cb",  # in clear over the network
        "https://moodle.example/cb#fragment",
        "moodle.example/cb",
    ],
)
def test_an_unsafe_redirect_address_is_refused(cast: Any, client: Any, address: str) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        reverse("administration:oidc_clients", args=[cast.moulin.public_id]),
        {"name": "Plateforme", "redirect_uris": address},
    )
    assert response.status_code == 200
    assert "Adresse de retour invalide" in response.content.decode()
    assert not OidcClient.objects.exists() and not Application.objects.exists()


def test_the_head_changes_and_removes_a_client(cast: Any, client: Any) -> None:
    school_client(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:oidc_client", args=[cast.moulin.public_id, CLIENT_ID])
    response = client.post(
        url, {"name": "Plateforme 2", "redirect_uris": "https://plateforme.example/v2/"}
    )
    assert response.status_code == 302
    application = OidcClient.objects.get().application
    assert application.name == "Plateforme 2"
    assert application.redirect_uris == "https://plateforme.example/v2/"
    client.post(
        reverse("administration:oidc_client_remove", args=[cast.moulin.public_id, CLIENT_ID])
    )
    assert not OidcClient.objects.exists() and not Application.objects.exists()
    assert AuditEntry.objects.filter(action="oidc.client_removed").exists()


def test_the_academy_registers_a_client_for_its_establishments(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_oidc_clients"),
        {
            "academy": cast.moulin.academy_id,
            "name": "Médiacentre",
            "redirect_uris": "https://media.example/cb",
        },
    )
    assert response.status_code == 200 and response.context["registration"].client_secret
    assert OidcClient.objects.get().academy == cast.moulin.academy
    log_in_with_second_factor(client, cast.principal_moulin)
    assert client.get(reverse("administration:academy_oidc_clients")).status_code == 404


def test_the_academy_cannot_register_for_another_academy(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_oidc_clients"),
        {
            "academy": cast.curie.academy_id,
            "name": "Médiacentre",
            "redirect_uris": "https://media.example/cb",
        },
    )
    assert response.status_code == 200
    assert not OidcClient.objects.exists()


def test_the_command_adds_lists_and_removes(cast: Any) -> None:
    out = StringIO()
    call_command(
        "oidc_client",
        "add",
        "--establishment",
        cast.moulin.uai,
        "--name",
        "Plateforme",
        "--redirect-uri",
        "https://plateforme.example/cb",
        "--post-logout-redirect-uri",
        "https://plateforme.example/",
        stdout=out,
    )
    printed = dict(line.split("\t") for line in out.getvalue().splitlines())
    application = Application.objects.get()
    assert printed["client_id"] == application.client_id and printed["client_secret"]
    out = StringIO()
    call_command("oidc_client", "list", "--establishment", cast.moulin.uai, stdout=out)
    assert application.client_id in out.getvalue() and "confidential" in out.getvalue()
    call_command("oidc_client", "remove", application.client_id, stdout=StringIO())
    assert not Application.objects.exists()
    with pytest.raises(CommandError):
        call_command("oidc_client", "remove", application.client_id)
    with pytest.raises(CommandError, match="Adresse de retour invalide"):
        call_command(
            "oidc_client",
            "add",
            "--academy",
            cast.moulin.academy.code,
            "--name",
            "X",
            "--redirect-uri",
            "http://x.example/cb",
        )
    assert not Application.objects.exists()
