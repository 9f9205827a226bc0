"""Demo OpenID Connect client: the collège's learning platform logs its users in through Préau.

Idempotent: the client is found by its establishment and name, and kept as it is. Its secret
is not kept in clear anywhere; a deployment registers its own with ``preau oidc_client``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from preau.demo.cast import Cast

PLATFORM_NAME = "Plateforme d'apprentissage (Moodle du collège)"
PLATFORM_URL = "https://moodle.college-jean-moulin.example/"


def build(cast: Cast) -> None:
    from preau.oidc.actions import do_register_client
    from preau.oidc.models import OidcClient

    if OidcClient.objects.filter(
        establishment=cast.moulin, application__name=PLATFORM_NAME
    ).exists():
        return
    do_register_client(
        actor=cast.principal_moulin,
        name=PLATFORM_NAME,
        public=False,
        redirect_uris=[f"{PLATFORM_URL}auth/oidc/"],
        post_logout_redirect_uris=[PLATFORM_URL],
        establishment=cast.moulin,
    )
