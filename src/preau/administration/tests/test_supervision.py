"""Supervision of the establishments by academy and national administrators."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.cas.models import CasService
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.demo.cast import uai
from preau.directory.models import Establishment
from preau.feeds.models import FeedImport, StructureLink
from preau.oidc.tests.helpers import register
from preau.portal.models import EstablishmentService

pytestmark = pytest.mark.django_db

test_isolation = isolation_test(
    [
        Isolation(
            route="administration:supervision_establishment",
            owner="rectorat_versailles",
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            refused=("principal_moulin", "principal_curie", "cpe_moulin", "bernard"),
        ),
        Isolation(
            route="administration:supervision_establishment",
            owner="admin",
            kwargs=lambda c: {"public_id": c.curie.public_id},
            refused=("rectorat_versailles", "principal_curie"),
        ),
    ]
)

URL = "/manage/academy/supervision/"


def test_an_academy_administrator_sees_the_academys_establishments(cast: Any, client: Any) -> None:
    EstablishmentService.objects.create(
        establishment=cast.moulin, service_code="news", enabled=False
    )
    CasService.objects.create(
        name="Pronote", establishment=cast.moulin, pattern="https://pronote.example.org/"
    )
    CasService.objects.create(
        name="Moodle académique",
        academy=cast.moulin.academy,
        pattern="https://moodle.example.org/",
    )
    register(cast, academy=True)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert cast.moulin.name in html and cast.curie.name not in html
    assert "Actualités" in html  # the service turned off
    assert "1 + 1" in html  # CAS: its own and the academy's
    assert "0 + 1" in html  # OpenID Connect: the academy's client

    page = client.get(
        reverse("administration:supervision_establishment", args=[cast.moulin.public_id])
    )
    assert "Pronote" in page.content.decode() and "Moodle académique" in page.content.decode()


def test_the_national_administrator_sees_every_establishment(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.admin)
    html = client.get(URL).content.decode()
    assert cast.moulin.name in html and cast.curie.name in html


@pytest.mark.parametrize("name", ["principal_moulin", "cpe_moulin", "bernard", "lea"])
def test_others_get_404(cast: Any, client: Any, name: str) -> None:
    log_in_with_second_factor(client, getattr(cast, name))
    assert client.get(URL).status_code == 404


def test_the_second_factor_is_required(cast: Any, client: Any) -> None:
    client.force_login(cast.rectorat_versailles)
    response = client.get(URL)
    assert response.status_code == 302 and URL not in response["Location"]


def test_the_queries_do_not_grow_with_the_establishments(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.admin)
    client.get(URL)  # the school year, looked up once a day per process
    # The user, the scope, the establishments with their own counts, the academies' CAS
    # services, clients and LTI tools, the last feed imports, the choices of services, the
    # memberships.
    with query_budget(9):
        client.get(URL)
    for number in range(5):
        school = Establishment.objects.create(
            uai=uai(f"078990{number}"),
            name=f"Collège {number}",
            kind="college",
            academy=cast.moulin.academy,
        )
        EstablishmentService.objects.create(establishment=school, service_code="news")
        CasService.objects.create(
            name=f"ENT {number}", establishment=school, pattern=f"https://{number}.example.org/"
        )
    with query_budget(9):
        response = client.get(URL)
    assert "Collège 4" in response.content.decode()


def test_the_directory_feed_column_shows_the_last_successful_import(cast: Any, client: Any) -> None:
    academy = cast.moulin.academy
    StructureLink.objects.create(academy=academy, jointure="1234", establishment=cast.moulin)
    at = timezone.make_aware(datetime(2026, 11, 20, 2, 30))
    FeedImport.objects.create(
        academy=academy, file_name="ok.xml", kind="Eleve", started_at=at, finished_at=at
    )
    later = at + timedelta(days=1)
    for kind, extra in (("refused", {"error": "ligne 3"}), ("trial", {"dry_run": True})):
        FeedImport.objects.create(
            academy=academy,
            file_name=kind,
            kind="Eleve",
            started_at=later,
            finished_at=later,
            **extra,
        )
    log_in_with_second_factor(client, cast.admin)
    page = client.get(URL).content.decode()
    moulin_row = page.split(cast.moulin.name, 1)[1].split("</tr>", 1)[0]
    assert "20/11/2026" in moulin_row and "21/11/2026" not in moulin_row
    curie_row = page.split(cast.curie.name, 1)[1].split("</tr>", 1)[0]
    assert "hors annuaire" in curie_row
