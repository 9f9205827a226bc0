"""Who may read and edit an establishment's privacy notice, and export their own data."""

from typing import Any

from django.http import Http404

from preau.core.actor import Actor
from preau.directory.models import Establishment
from preau.directory.policies import holds_head_rights


def visible_establishments(actor: Actor) -> list[Establishment]:
    """The establishments whose notice the person reads: those they belong to this year."""
    return actor.establishments


def access_establishment(actor: Actor, public_id: Any) -> Establishment:
    for establishment in visible_establishments(actor):
        if str(establishment.public_id) == str(public_id):
            return establishment
    raise Http404


def can_edit_notice(actor: Actor, establishment: Establishment) -> bool:
    return holds_head_rights(actor, establishment)


def access_editable_establishment(actor: Actor, public_id: Any) -> Establishment:
    establishment = access_establishment(actor, public_id)
    if not can_edit_notice(actor, establishment):
        raise Http404
    return establishment


def can_export(actor: Actor) -> bool:
    """Anyone signed in with an establishment (where the export's audit row is kept)."""
    return actor.is_authenticated and actor.establishment is not None
