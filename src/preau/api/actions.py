"""Creating and revoking personal access tokens.

No audit row is written here, on purpose. Audit rows belong to one establishment, and a token is
a person's credential across all of theirs: filing it under whichever school happens to be
current (a guardian may have two) would show it to one head and hide it from the other. The
token rows are the trail instead: they are never deleted, and keep when each token was
created, last used and revoked.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.api.models import (
    DISPLAY_PREFIX_LENGTH,
    LAST_USED_PRECISION,
    TOKEN_PREFIX,
    PersonalAccessToken,
    Scope,
    hash_secret,
)

if TYPE_CHECKING:
    from preau.core.actor import Actor


def new_secret() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def do_create_token(
    *, actor: Actor, name: str, scopes: Iterable[str], expires_at: datetime | None = None
) -> tuple[PersonalAccessToken, str]:
    """A new token for the actor; returns it with its secret, which is not stored anywhere."""
    chosen = sorted(set(scopes))
    unknown = [s for s in chosen if s not in Scope.values]
    if unknown:
        raise ValidationError(_("Droits inconnus : %(scopes)s."), params={"scopes": unknown})
    if not chosen:
        raise ValidationError(_("Choisissez au moins un droit."))
    if expires_at is not None and expires_at <= timezone.now():
        raise ValidationError(_("La date d'expiration doit être dans le futur."))
    secret = new_secret()
    token = PersonalAccessToken.objects.create(
        person=actor.user,
        name=name.strip(),
        token_prefix=secret[:DISPLAY_PREFIX_LENGTH],
        token_hash=hash_secret(secret),
        scopes=chosen,
        expires_at=expires_at,
    )
    return token, secret


@transaction.atomic
def do_revoke_token(*, actor: Actor, token: PersonalAccessToken) -> PersonalAccessToken:
    """Revoke ``token`` (already checked with policies.access_token). Revoking twice is a no-op."""
    if token.person_id != actor.user.pk:
        raise ValidationError(_("Ce jeton ne vous appartient pas."))
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def do_record_token_use(*, token: PersonalAccessToken) -> None:
    """Note that ``token`` was just used, at most once per LAST_USED_PRECISION (one UPDATE)."""
    now = timezone.now()
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    PersonalAccessToken.objects.filter(pk=token.pk).update(last_used_at=now)
    token.last_used_at = now
