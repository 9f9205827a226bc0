"""Who may see which personal access tokens: their owner only, whatever the establishment."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from preau.api.models import PersonalAccessToken
from preau.directory.policies import get_or_404

if TYPE_CHECKING:
    from preau.core.actor import Actor


def visible_tokens(actor: Actor) -> QuerySet[PersonalAccessToken]:
    if not actor.is_authenticated:
        return PersonalAccessToken.objects.none()
    return PersonalAccessToken.objects.filter(person=actor.user)


def access_token(actor: Actor, public_id: Any) -> PersonalAccessToken:
    return get_or_404(visible_tokens(actor), public_id)
