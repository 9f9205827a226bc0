"""Registering CAS services in the administration console and with the ``preau`` command."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.cas.models import CasService, MatchKind
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget

pytestmark = pytest.mark.django_db

SERVICE_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-00000000ca55")
ACADEMY_SERVICE_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000acad0")


def school_service(cast: Any) -> None:
    CasService.objects.create(
        public_id=SERVICE_ID,
        name="Vie scolaire",
        pattern="https://vie-scolaire.example/",
        establishment=cast.moulin,
    )


def academy_service(cast: Any) -> None:
    CasService.objects.create(
        public_id=ACADEMY_SERVICE_ID,
        name="CDI",
        pattern="https://cdi.example/",
        academy=cast.moulin.academy,
    )


def _school(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _service(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "service_id": SERVICE_ID}


def _academy_service(c: Any) -> dict[str, Any]:
    return {"service_id": ACADEMY_SERVICE_ID}


# The establishment's administrators (its head, the academy) only; not the CPE, not a teacher,
# not another establishment's head.
NOT_ADMINISTRATORS = ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie", "dupont")
NOT_ACADEMY = ("principal_moulin", "principal_curie", "bernard", "lea")

test_isolation = isolation_test(
    [
        Isolation("administration:cas_services", "principal_moulin", _school, NOT_ADMINISTRATORS),
        Isolation(
            "administration:cas_services", "rectorat_versailles", _school, NOT_ADMINISTRATORS
        ),
        Isolation(
            "administration:cas_service",
            "principal_moulin",
            _service,
            NOT_ADMINISTRATORS,
            setup=school_service,
        ),
        Isolation(
            "administration:cas_service_remove",
            "principal_moulin",
            _service,
            NOT_ADMINISTRATORS,
            method="post",
            owner_status=302,
            setup=school_service,
        ),
        Isolation(
            "administration:academy_cas_service",
            "rectorat_versailles",
            _academy_service,
            NOT_ACADEMY,
            setup=academy_service,
        ),
        Isolation(
            "administration:academy_cas_service_remove",
            "rectorat_versailles",
            _academy_service,
            NOT_ACADEMY,
            method="post",
            owner_status=302,
            setup=academy_service,
        ),
    ]
)


def test_the_head_registers_a_service_for_the_school(cast: Any, client) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:cas_services", args=[cast.moulin.public_id])
    response = client.post(
        url,
        {
            "name": "Vie scolaire",
            "match_kind": "prefix",
            "pattern": " https://vie-scolaire.example/ ",
            "attributes": ["uid", "ENTPersonProfils"],
        },
    )
    assert response.status_code == 302
    service = CasService.objects.get()
    assert service.establishment == cast.moulin and service.pattern.endswith("example/")
    assert service.attributes == ["ENTPersonProfils", "uid"] and not service.may_proxy
    assert AuditEntry.objects.filter(action="cas.service_registered").exists()
    # The account, its academies and memberships, the establishment, its portal services, then
    # the establishment's and the academy's CAS services.
    with query_budget(7):
        page = client.get(url)
    assert "Vie scolaire" in page.content.decode()


def test_an_unanchored_regex_is_refused_with_a_clear_message(cast: Any, client) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:cas_services", args=[cast.moulin.public_id])
    response = client.post(
        url, {"name": "X", "match_kind": "regex", "pattern": "https://x\\.example/.*"}
    )
    assert response.status_code == 200
    assert "doit commencer par ^" in response.content.decode()
    assert not CasService.objects.exists()


def test_the_head_changes_and_removes_a_service(cast: Any, client) -> None:
    school_service(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:cas_service", args=[cast.moulin.public_id, SERVICE_ID])
    response = client.post(
        url,
        {
            "name": "Vie scolaire 2",
            "match_kind": "regex",
            "pattern": "^https://vie-scolaire\\.example/.*$",
            "may_proxy": "on",
        },
    )
    assert response.status_code == 302
    service = CasService.objects.get()
    assert service.match_kind == MatchKind.REGEX and service.may_proxy
    client.post(
        reverse("administration:cas_service_remove", args=[cast.moulin.public_id, SERVICE_ID])
    )
    assert not CasService.objects.exists()
    assert AuditEntry.objects.filter(action="cas.service_removed").exists()


def test_the_academy_registers_a_service_for_its_establishments(cast: Any, client) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_cas_services"),
        {
            "academy": cast.moulin.academy_id,
            "name": "CDI",
            "match_kind": "prefix",
            "pattern": "https://cdi.example/",
        },
    )
    assert response.status_code == 302
    assert CasService.objects.get().academy == cast.moulin.academy
    # A head of an establishment has no academy page.
    log_in_with_second_factor(client, cast.principal_moulin)
    assert client.get(reverse("administration:academy_cas_services")).status_code == 404


def test_the_academy_cannot_register_for_another_academy(cast: Any, client) -> None:
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_cas_services"),
        {
            "academy": cast.curie.academy_id,
            "name": "CDI",
            "match_kind": "prefix",
            "pattern": "https://cdi.example/",
        },
    )
    assert response.status_code == 200
    assert not CasService.objects.exists()


def test_the_command_adds_lists_and_removes(cast: Any) -> None:
    out = StringIO()
    call_command(
        "cas_service",
        "add",
        "--establishment",
        cast.moulin.uai,
        "--name",
        "Vie scolaire",
        "--prefix",
        "https://vie-scolaire.example/",
        "--attribute",
        "uid",
        "--proxy",
        stdout=out,
    )
    public_id = out.getvalue().strip()
    service = CasService.objects.get(public_id=public_id)
    assert service.may_proxy and service.attributes == ["uid"]
    call_command(
        "cas_service",
        "add",
        "--academy",
        cast.moulin.academy.code,
        "--name",
        "CDI",
        "--regex",
        "^https://cdi\\.example/.*$",
        stdout=StringIO(),
    )
    listing = StringIO()
    call_command("cas_service", "list", stdout=listing)
    lines = listing.getvalue().splitlines()
    assert len(lines) == 2 and any("prefix:https://vie-scolaire.example/" in line for line in lines)
    call_command("cas_service", "remove", public_id, stdout=StringIO())
    assert CasService.objects.count() == 1


def test_the_command_refuses_bad_input(cast: Any) -> None:
    with pytest.raises(CommandError, match="commencer par"):
        call_command(
            "cas_service", "add", "--establishment", cast.moulin.uai, "--name", "X",
            "--regex", "https://x.example/.*",
        )  # fmt: skip
    with pytest.raises(CommandError, match="No establishment"):
        call_command(
            "cas_service", "add", "--establishment", "0000000X", "--name", "X",
            "--prefix", "https://x.example/",
        )  # fmt: skip
    with pytest.raises(CommandError, match="No CAS service"):
        call_command("cas_service", "remove", "not-a-uuid")
    assert not CasService.objects.exists()
