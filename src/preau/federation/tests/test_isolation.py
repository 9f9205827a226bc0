"""An academy's identity providers are reached by that academy's administrators only."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.federation.actions import do_register_provider
from preau.federation.models import IdentityProvider

pytestmark = pytest.mark.django_db

PROVIDER_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-00000000fed1")
NOT_THE_ACADEMY = ("principal_moulin", "bernard", "sophie", "lea", "principal_curie")


def versailles_provider(cast: Any) -> None:
    provider = do_register_provider(
        actor=None,
        academy=cast.moulin.academy,
        kind=IdentityProvider.Kind.OIDC,
        name="Guichet agents",
        oidc_issuer="https://guichet.example",
        oidc_client_id="preau",
        oidc_client_secret="le-secret-du-client",
    )
    IdentityProvider.objects.filter(pk=provider.pk).update(public_id=PROVIDER_ID)


def _provider(c: Any) -> dict[str, Any]:
    return {"provider_id": PROVIDER_ID}


test_isolation = isolation_test(
    [
        Isolation(
            "administration:academy_identity_provider",
            "rectorat_versailles",
            _provider,
            NOT_THE_ACADEMY,
            setup=versailles_provider,
        ),
        Isolation(
            "administration:academy_identity_provider_enabled",
            "rectorat_versailles",
            _provider,
            NOT_THE_ACADEMY,
            method="post",
            data={"enabled": "1"},
            owner_status=302,
            setup=versailles_provider,
        ),
    ]
)
