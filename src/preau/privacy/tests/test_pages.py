"""The « Données personnelles » pages: the notice, its editing by the head, and « Mes données »."""

from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.privacy.models import PrivacyNotice

pytestmark = pytest.mark.django_db

# Members of Lycée Marie Curie only, and an academy administrator with no establishment.
OUTSIDERS = ("hugo", "dupont", "principal_curie", "rectorat_versailles")
NOT_HEADS = ("bernard", "lea", "karim", "cpe_moulin", *OUTSIDERS)


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


test_isolation = isolation_test(
    [
        Isolation("privacy:notice", "lea", _moulin, OUTSIDERS),
        Isolation("privacy:notice", "karim", _moulin, OUTSIDERS),
        Isolation("privacy:notice", "bernard", _moulin, OUTSIDERS),
        Isolation("privacy:edit", "principal_moulin", _moulin, NOT_HEADS),
    ]
)


def test_the_notice_gives_the_national_text_and_the_academys_dpo(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    url = reverse("privacy:notice", args=[cast.moulin.public_id])
    # The user, the school year, the memberships (with establishment and academy), the notice,
    # the academies the person administers (may she edit?), the services switched on.
    with query_budget(6):
        response = client.get(url)
    page = response.content.decode()
    assert "Bases légales" in page and "Durées de conservation" in page
    assert "Journal des connexions : un an." in page
    assert cast.moulin.academy.name in page
    assert "Modifier les informations" not in page


def test_the_head_writes_the_dpo_and_the_schools_text(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    url = reverse("privacy:edit", args=[cast.moulin.public_id])
    # The user, the school year, the memberships, the administered academies (head rights),
    # the notice, the services switched on.
    with query_budget(6):
        assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "dpo_name": "Délégué académique",
            "dpo_email": "dpd@ac-exemple.localhost",
            "dpo_address": "1 rue du Rectorat",
            "extra_text": "La photo de classe n'est publiée qu'avec l'accord des familles.",
        },
    )
    assert response.status_code == 302
    notice = PrivacyNotice.objects.get(establishment=cast.moulin)
    assert notice.dpo_email == "dpd@ac-exemple.localhost"
    assert notice.updated_by == cast.principal_moulin
    entry = AuditEntry.objects.get(action="privacy.notice")
    assert entry.after["dpo_name"] == "Délégué académique"
    assert entry.before["dpo_name"] == ""

    client.force_login(cast.lea)
    page = client.get(reverse("privacy:notice", args=[cast.moulin.public_id])).content.decode()
    assert "dpd@ac-exemple.localhost" in page
    assert "accord des familles" in page


def test_a_bad_address_is_refused_and_nothing_written(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    url = reverse("privacy:edit", args=[cast.moulin.public_id])
    response = client.post(url, {"dpo_email": "pas une adresse", "extra_text": "x"})
    assert response.status_code == 200
    assert "Saisissez une adresse de courriel valide." in response.content.decode()
    assert not PrivacyNotice.objects.exists()
    assert not AuditEntry.objects.filter(action="privacy.notice").exists()


def test_my_data_page_lists_the_notices_and_offers_the_export(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    # The user, the school year, the memberships, the last export (audit trail), the services
    # switched on.
    with query_budget(5):
        response = client.get(reverse("privacy:index"))
    page = response.content.decode()
    # Sophie has children in both schools: both notices.
    assert cast.moulin.name in page and cast.curie.name in page
    assert reverse("privacy:export") in page


def test_every_page_links_to_personal_data(cast: Any, client: Any) -> None:
    client.force_login(cast.noah)
    assert reverse("privacy:index") in client.get("/").content.decode()


def test_the_demo_notice_is_built_once(cast: Any) -> None:
    from preau.privacy.demo import build

    build(cast)
    build(cast)
    notice = PrivacyNotice.objects.get()
    assert notice.establishment == cast.moulin
    assert notice.dpo_email == "dpd@ac-versailles.localhost"


def test_the_profile_links_to_personal_data(cast: Any, client: Any) -> None:
    client.force_login(cast.karim)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Mes données personnelles" in page
    assert reverse("privacy:index") in page
