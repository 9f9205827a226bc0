"""The academy's journal: what is registered for a whole academy is audited there, and read only
by that academy's administrators."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.cas.models import CasService
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.directory.models import Academy
from preau.federation.actions import do_register_provider, do_set_enabled
from preau.federation.models import IdentityProvider
from preau.lti.actions import do_register_tool, do_set_tool_active
from preau.oidc.actions import do_register_client, do_remove_client

pytestmark = pytest.mark.django_db

URL = "/manage/academy/audit/"


def _provider(academy: Academy, name: str) -> IdentityProvider:
    return do_register_provider(
        actor=None,
        academy=academy,
        kind=IdentityProvider.Kind.OIDC,
        name=name,
        oidc_issuer="https://guichet.example",
        oidc_client_id="preau",
        oidc_client_secret="le-secret-du-client",
    )


def test_academy_wide_registrations_are_audited_under_the_academy(cast: Any, client: Any) -> None:
    academy = cast.moulin.academy
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_cas_services"),
        {
            "name": "Moodle académique",
            "academy": academy.pk,
            "match_kind": "prefix",
            "pattern": "https://moodle.ac-versailles.example/",
        },
    )
    assert response.status_code == 302
    assert CasService.objects.filter(academy=academy).exists()
    registration = do_register_client(
        actor=cast.rectorat_versailles,
        name="Portail des agents",
        public=False,
        redirect_uris=["https://agents.ac-versailles.example/oidc/"],
        post_logout_redirect_uris=[],
        academy=academy,
    )
    do_remove_client(actor=cast.rectorat_versailles, client=registration.client)
    tool = do_register_tool(
        actor=cast.rectorat_versailles,
        academy=academy,
        name="Exerciseur académique",
        login_url="https://exos.ac-versailles.example/login",
        launch_url="https://exos.ac-versailles.example/launch",
        jwks_url="https://exos.ac-versailles.example/jwks.json",
    )
    do_set_tool_active(actor=cast.rectorat_versailles, tool=tool, active=False)
    provider = _provider(academy, "Guichet agents")
    do_set_enabled(actor=cast.rectorat_versailles, provider=provider, enabled=False)

    entries = AuditEntry.objects.filter(academy=academy, establishment=None)
    assert sorted(entries.values_list("action", flat=True)) == [
        "cas.service_registered",
        "federation.provider_disabled",
        "federation.provider_registered",
        "lti.tool_disabled",
        "lti.tool_registered",
        "oidc.client_registered",
        "oidc.client_removed",
    ]
    disabled = entries.get(action="federation.provider_disabled")
    assert disabled.before["enabled"] is True and disabled.after["enabled"] is False
    assert disabled.actor == cast.rectorat_versailles
    # The provider's secret never reaches the journal.
    assert not any("le-secret-du-client" in str(e.after) for e in entries)
    # Nothing of it lands in an establishment's journal.
    assert not AuditEntry.objects.filter(establishment=cast.moulin, action__startswith="lti.")

    # The person, their academies, the check, the count and the page, the navigation.
    with query_budget(6):
        response = client.get(URL)
    html = response.content.decode()
    assert response.status_code == 200
    assert "Exerciseur académique" in html and "federation.provider_disabled" in html


def test_the_journal_shows_only_the_administrators_academies(cast: Any, client: Any) -> None:
    _provider(cast.moulin.academy, "Guichet de Versailles")
    _provider(cast.curie.academy, "Guichet d'ailleurs")
    log_in_with_second_factor(client, cast.rectorat_versailles)
    html = client.get(URL).content.decode()
    assert "Guichet d&#x27;ailleurs" not in html
    assert "Guichet de Versailles" in html
    # A head has no academy journal, nor a teacher.
    for person in (cast.principal_moulin, cast.bernard):
        log_in_with_second_factor(client, person)
        assert client.get(URL).status_code == 404


def test_an_entry_belongs_to_an_establishment_or_an_academy(cast: Any) -> None:
    from preau.audit.actions import record

    with pytest.raises(ValueError):
        record(actor=None, establishment=None, action="nothing")
