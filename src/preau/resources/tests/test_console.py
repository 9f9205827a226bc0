"""The console: publishers' resources, licences with their usage, statistics."""

import re
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.resources.demo import ATLAS, DICTIONARY, MANUAL_4E
from preau.resources.models import Licence, LicenceTarget, MonthlyReader, OpeningCount, Resource
from preau.resources.tests.helpers import build, licence, resource

pytestmark = pytest.mark.django_db


def manage_url(cast: Any, name: str = "resources:manage") -> str:
    return reverse(name, args=[cast.moulin.public_id])


def test_the_head_registers_a_publisher_resource(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    data = {
        "title": "Encyclopédie du Colibri",
        "publisher": "Éditions du Colibri",
        "identifier_kind": "ark",
        "identifier": "ark:/99999/colibri-encyclo",
        "url": "https://colibri.example/encyclopedie",
    }
    response = client.post(manage_url(cast), data)
    assert response.status_code == 302
    created = Resource.objects.get(identifier="ark:/99999/colibri-encyclo")
    assert created.establishment == cast.moulin and created.kind == "publisher"
    assert AuditEntry.objects.filter(action="resources.register").exists()
    # The same identifier twice, an ARK that is not one, a javascript: address: refused.
    response = client.post(manage_url(cast), data)
    assert "Une ressource porte déjà cet identifiant." in response.content.decode()
    response = client.post(
        manage_url(cast),
        {**data, "identifier": "colibri", "url": "javascript:alert(1)", "title": "Autre"},
    )
    page = response.content.decode()
    assert "Un identifiant ARK commence par" in page and "http:// ou https://" in page
    assert Resource.objects.filter(publisher="Éditions du Colibri").count() == 1


def _licence_data(resource_pk: int, **changes: Any) -> dict[str, Any]:
    today = timezone.localdate()
    return {
        "resource": resource_pk,
        "audience": "establishment",
        "starts_on": today.isoformat(),
        "ends_on": (today + timedelta(days=300)).isoformat(),
        **changes,
    }


def test_a_licence_ending_before_it_starts_is_refused_and_nothing_saved(
    cast: Any, client: Any
) -> None:
    build(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    atlas = resource(ATLAS)
    count = Licence.objects.count()
    today = timezone.localdate()
    response = client.post(
        manage_url(cast, "resources:licence_add"),
        _licence_data(
            atlas.pk,
            audience="classes",
            classes=[cast.class_3a.pk],
            ends_on=(today - timedelta(days=1)).isoformat(),
        ),
    )
    assert response.status_code == 200
    assert "La fin de la licence ne peut pas précéder son début." in response.content.decode()
    assert (
        Licence.objects.count() == count
        and not LicenceTarget.objects.filter(school_class=cast.class_3a).exists()
    )
    # Profiles chosen but none ticked; a guardian is not a licensee; unknown accounts.
    for changes, message in (
        ({"audience": "profiles"}, "Choisissez au moins un profil."),
        ({"audience": "people", "people": "eleve.lea personne.inconnue"}, "Identifiants inconnus"),
        ({"audience": "people", "people": "parent.sophie"}, "Ne sont pas membres"),
        ({"audience": "people", "people": "eleve.hugo"}, "Ne sont pas membres"),
        ({"seats": "0"}, "au moins 1"),
    ):
        response = client.post(
            manage_url(cast, "resources:licence_add"), _licence_data(atlas.pk, **changes)
        )
        assert message in response.content.decode(), changes
    assert Licence.objects.count() == count


def test_a_licence_to_people_renews_the_atlas(cast: Any, client: Any) -> None:
    build(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    atlas = resource(ATLAS)
    response = client.post(
        manage_url(cast, "resources:licence_add"),
        _licence_data(atlas.pk, audience="people", people="eleve.jade, prof.bernard", seats="2"),
    )
    assert response.status_code == 302
    renewed = Licence.objects.get(resource=atlas, revoked_at__isnull=True, seats=2)
    assert renewed.targets.count() == 2
    assert AuditEntry.objects.filter(action="resources.licence_add").exists()
    client.force_login(cast.jade)
    opened = client.get(reverse("resources:open", args=[atlas.public_id]))
    assert opened.status_code == 302
    client.force_login(cast.lea)
    assert client.get(reverse("resources:open", args=[atlas.public_id])).status_code == 410


def test_the_console_shows_usage_against_seats_and_revokes(cast: Any, client: Any) -> None:
    build(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    page = client.get(manage_url(cast)).content.decode()
    # The demo: Léa and Noah opened the 4e manual, which has sixty seats.
    assert "2 sur 60" in page and "Expirée" in page and "En cours" in page
    manual = licence(MANUAL_4E)
    response = client.post(
        reverse("resources:licence_revoke", args=[cast.moulin.public_id, manual.public_id])
    )
    assert response.status_code == 302
    manual.refresh_from_db()
    assert manual.revoked_at is not None
    assert "Retirée" in client.get(manage_url(cast)).content.decode()
    assert AuditEntry.objects.filter(action="resources.licence_revoke").exists()


# The person, memberships and academies (3), the establishment (1); the licences with their
# seats counted (1), their targets with their classes and people (1), the resources (1), the
# levels of the registration form (1).
MANAGE_QUERIES = 8


def test_the_console_page_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    build(cast)
    log_in_with_second_factor(client, cast.principal_moulin)
    client.get(manage_url(cast))  # the school year and the services, cached for the process
    with query_budget(MANAGE_QUERIES):
        client.get(manage_url(cast))
    dictionary = resource(DICTIONARY)
    for number in range(5):
        Licence.objects.create(
            establishment=cast.moulin,
            resource=dictionary,
            audience="classes",
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate(),
        ).targets.create(establishment=cast.moulin, school_class=cast.class_3a)
        assert number >= 0
    with query_budget(MANAGE_QUERIES):
        assert client.get(manage_url(cast)).status_code == 200


def test_statistics_leave_out_months_of_fewer_than_five_people(cast: Any, client: Any) -> None:
    build(cast)
    today = timezone.localdate()
    month = today.replace(day=1)
    atlas = resource(ATLAS)
    OpeningCount.objects.create(
        establishment=cast.moulin, resource=atlas, day=month, profile="National_ELV", count=42
    )
    MonthlyReader.objects.bulk_create(
        MonthlyReader(establishment=cast.moulin, resource=atlas, month=month, reader=f"r{n}")
        for n in range(4)
    )
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.get(manage_url(cast, "resources:statistics"))
    figures = {row.resource.title: row.months for row in response.context["figures"]}
    assert figures[ATLAS][-1].openings is None
    # Not in any cell (the page's addresses hold hexadecimal ids, so match a whole number).
    assert not re.search(r"\b42\b", response.content.decode())
    MonthlyReader.objects.create(
        establishment=cast.moulin, resource=atlas, month=month, reader="r5"
    )
    response = client.get(manage_url(cast, "resources:statistics"))
    figures = {row.resource.title: row.months for row in response.context["figures"]}
    assert figures[ATLAS][-1].openings == 42
    # The demo's manual: months of many readers are shown.
    assert any(cell.openings for cell in figures[MANUAL_4E])
