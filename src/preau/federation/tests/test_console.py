"""The identity providers in the academy console, and the ``preau identity_provider`` command."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from preau.core.testing import log_in_with_second_factor, query_budget
from preau.directory.models import Academy
from preau.federation.actions import do_register_provider
from preau.federation.models import IdentityProvider
from preau.federation.tests.saml_peer import PeerIdentityProvider

LIST = "administration:academy_identity_providers"


def _oidc(academy: Academy, name: str = "Guichet agents") -> IdentityProvider:
    return do_register_provider(
        actor=None,
        academy=academy,
        kind=IdentityProvider.Kind.OIDC,
        name=name,
        oidc_issuer="https://guichet.example",
        oidc_client_id="preau",
        oidc_client_secret="le-secret-du-client",
    )


def test_academy_administrator_registers_a_saml_provider_from_an_uploaded_file(
    cast: Any, client: Any, tmp_path: Any
) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    metadata = PeerIdentityProvider(tmp_path).metadata()
    response = client.post(
        reverse(LIST),
        {
            "academy": cast.moulin.academy.pk,
            "kind": "saml",
            "name": "ÉduConnect",
            "enabled": "on",
            "saml_metadata_file": SimpleUploadedFile("idp.xml", metadata.encode()),
        },
    )
    provider = IdentityProvider.objects.get()
    assert response.status_code == 302
    assert provider.join_attribute == "FrEduCtId"
    assert provider.saml_entity_id == "https://educonnect.test/idp"
    assert "PRIVATE KEY" in provider.sp_private_key
    page = client.get(response["Location"])
    assert reverse("federation:saml_metadata", args=[provider.public_id]) in page.content.decode()
    assert "PRIVATE KEY" not in page.content.decode()


def test_bad_metadata_is_refused_and_nothing_written(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse(LIST),
        {
            "academy": cast.moulin.academy.pk,
            "kind": "saml",
            "name": "ÉduConnect",
            "saml_metadata": "<pas-des-metadonnees/>",
        },
    )
    assert response.status_code == 200
    assert "ne décrivent pas un fournisseur d" in response.content.decode()
    assert not IdentityProvider.objects.exists()


def test_oidc_secret_is_kept_and_never_shown(cast: Any, client: Any) -> None:
    provider = _oidc(cast.moulin.academy)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    url = reverse("administration:academy_identity_provider", args=[provider.public_id])
    with query_budget(5):
        page = client.get(url)
    assert "le-secret-du-client" not in page.content.decode()
    response = client.post(
        url,
        {
            "name": "Guichet des agents",
            "join_attribute": "sub",
            "enabled": "on",
            "oidc_issuer": "https://guichet.example",
            "oidc_client_id": "preau",
            "oidc_client_secret": "",
            "oidc_scopes": "openid profile",
        },
    )
    assert response.status_code == 302
    provider.refresh_from_db()
    assert provider.name == "Guichet des agents"
    assert provider.oidc_client_secret == "le-secret-du-client"
    assert provider.oidc_scopes == "openid profile"


def test_list_query_budget_is_constant(cast: Any, client: Any) -> None:
    _oidc(cast.moulin.academy)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    client.get(reverse(LIST))  # the school year is then read from its in-process cache
    with query_budget(6):
        client.get(reverse(LIST))
    _oidc(cast.moulin.academy, "Autre guichet")
    with query_budget(6):
        page = client.get(reverse(LIST))
    assert "Autre guichet" in page.content.decode()


def test_disabling_removes_the_login_button(cast: Any, client: Any) -> None:
    provider = _oidc(cast.moulin.academy)
    start = reverse("federation:start", args=[provider.public_id])
    assert start in client.get(reverse("accounts:login")).content.decode()
    log_in_with_second_factor(client, cast.rectorat_versailles)
    client.post(
        reverse("administration:academy_identity_provider_enabled", args=[provider.public_id]),
        {"enabled": "0"},
    )
    client.logout()
    provider.refresh_from_db()
    assert not provider.enabled
    assert start not in client.get(reverse("accounts:login")).content.decode()
    assert client.get(start).status_code == 404


def test_login_page_buttons_cost_one_query(cast: Any, client: Any) -> None:
    _oidc(cast.moulin.academy)
    with query_budget(1):
        first = client.get(reverse("accounts:login"))
    _oidc(Academy.objects.get(code="LYON"), "ÉduConnect Lyon")
    with query_budget(1):
        page = client.get(reverse("accounts:login"))
    assert first.status_code == 200
    assert "Guichet agents — Académie de Versailles" in page.content.decode()
    assert "ÉduConnect Lyon — Académie de Lyon" in page.content.decode()


@pytest.mark.parametrize("who", ["rectorat_versailles", "principal_moulin", "bernard"])
def test_another_academy_or_no_academy_is_404(cast: Any, client: Any, who: str) -> None:
    other = _oidc(Academy.objects.get(code="LYON"))
    log_in_with_second_factor(client, getattr(cast, who))
    detail = reverse("administration:academy_identity_provider", args=[other.public_id])
    assert client.get(detail).status_code == 404
    enabled = reverse("administration:academy_identity_provider_enabled", args=[other.public_id])
    assert client.post(enabled, {"enabled": "0"}).status_code == 404
    other.refresh_from_db()
    assert other.enabled
    if who != "rectorat_versailles":
        assert client.get(reverse(LIST)).status_code == 404


def test_console_requires_the_second_factor(cast: Any, client: Any) -> None:
    client.force_login(cast.rectorat_versailles)
    response = client.get(reverse(LIST))
    assert response.status_code == 302
    assert "/accounts/" in response["Location"]


# -- the command ----------------------------------------------------------------------------------


def test_command_adds_lists_and_disables(cast: Any, tmp_path: Any) -> None:
    secret = tmp_path / "secret"
    secret.write_text("secret-du-guichet\n")
    out = StringIO()
    call_command(
        "identity_provider",
        "add",
        "--academy",
        "VERSAILLES",
        "--kind",
        "oidc",
        "--name",
        "Guichet agents",
        "--issuer",
        "https://guichet.example",
        "--client-id",
        "preau",
        "--client-secret-file",
        str(secret),
        stdout=out,
    )
    provider = IdentityProvider.objects.get()
    assert provider.oidc_client_secret == "secret-du-guichet"
    assert f"id\t{provider.public_id}" in out.getvalue()
    metadata = tmp_path / "idp.xml"
    metadata.write_text(PeerIdentityProvider(tmp_path).metadata())
    call_command(
        "identity_provider",
        "add",
        "--academy",
        "LYON",
        "--kind",
        "saml",
        "--name",
        "ÉduConnect",
        "--metadata-file",
        str(metadata),
        stdout=StringIO(),
    )
    listing = StringIO()
    call_command("identity_provider", "list", stdout=listing)
    assert "ÉduConnect" in listing.getvalue() and "Guichet agents" in listing.getvalue()
    assert "secret-du-guichet" not in listing.getvalue()
    call_command("identity_provider", "disable", str(provider.public_id), stdout=StringIO())
    provider.refresh_from_db()
    assert not provider.enabled


def test_command_refuses_bad_input_and_writes_nothing(cast: Any) -> None:
    with pytest.raises(CommandError, match="https://"):
        call_command(
            "identity_provider",
            "add",
            "--academy",
            "VERSAILLES",
            "--kind",
            "oidc",
            "--name",
            "Guichet",
            "--issuer",
            "http://guichet.example",
            "--client-id",
            "preau",
        )
    with pytest.raises(CommandError, match="No academy"):
        call_command(
            "identity_provider", "add", "--academy", "NULLE", "--kind", "saml", "--name", "X"
        )
    assert not IdentityProvider.objects.exists()
