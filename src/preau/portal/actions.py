"""Changes to an establishment's portal: which services are on, in which order, and its branding."""

from __future__ import annotations

import uuid
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction

from preau.audit.actions import record, snapshot
from preau.directory.models import Establishment
from preau.portal.models import EstablishmentService
from preau.portal.registry import get_service
from preau.portal.selectors import forget_service_choices, service_choices

BRANDING_FIELDS = ["primary_colour", "accent_colour", "welcome_text", "logo"]


class ServiceCannotBeDisabled(ValueError):
    pass


def do_update_services(
    *, actor: Any, establishment: Establishment, choices: dict[str, tuple[bool, int]]
) -> None:
    """Store the establishment's choice (on or off, position) for each service code given.

    Unknown codes are ignored; turning off a service that cannot be disabled is refused.
    """
    current = {c.service.code: (c.enabled, c.position) for c in service_choices(establishment)}
    wanted = {code: choice for code, choice in choices.items() if get_service(code) is not None}
    for code, (enabled, _position) in wanted.items():
        if not enabled and not get_service(code).can_be_disabled:
            raise ServiceCannotBeDisabled(code)
    changed = {code: choice for code, choice in wanted.items() if current.get(code) != choice}
    if not changed:
        return
    with transaction.atomic():
        rows = {
            row.service_code: row
            for row in EstablishmentService.objects.select_for_update().filter(
                establishment=establishment, service_code__in=list(changed)
            )
        }
        for code, (enabled, position) in changed.items():
            row = rows.get(code)
            if row is None:
                EstablishmentService.objects.create(
                    establishment=establishment,
                    service_code=code,
                    enabled=enabled,
                    position=position,
                )
            else:
                row.enabled, row.position = enabled, position
                row.save(update_fields=["enabled", "position"])
        record(
            actor=actor,
            establishment=establishment,
            action="portal.services.update",
            target=establishment,
            before={
                code: {"enabled": current[code][0], "position": current[code][1]}
                for code in changed
                if code in current
            },
            after={
                code: {"enabled": enabled, "position": position}
                for code, (enabled, position) in changed.items()
            },
        )
    forget_service_choices(establishment)


def do_update_branding(
    *,
    actor: Any,
    establishment: Establishment,
    primary_colour: str,
    accent_colour: str,
    welcome_text: str,
    logo: tuple[bytes, str] | None = None,
    remove_logo: bool = False,
) -> Establishment:
    """Colours, welcome text and logo; ``logo`` is a checked image as (content, extension)."""
    with transaction.atomic():
        before = snapshot(establishment, BRANDING_FIELDS)
        old_logo = establishment.logo.name if establishment.logo else ""
        establishment.primary_colour = primary_colour.lower()
        establishment.accent_colour = accent_colour.lower()
        establishment.welcome_text = welcome_text
        if logo is not None:
            content, extension = logo
            name = f"{establishment.public_id}-{uuid.uuid4().hex[:12]}.{extension}"
            establishment.logo.save(name, ContentFile(content), save=False)
        elif remove_logo:
            establishment.logo = ""
        establishment.save(update_fields=BRANDING_FIELDS)
        record(
            actor=actor,
            establishment=establishment,
            action="portal.branding.update",
            target=establishment,
            before=before,
            after=snapshot(establishment, BRANDING_FIELDS),
        )
        if old_logo and old_logo != (establishment.logo.name or ""):
            storage = establishment.logo.storage
            transaction.on_commit(lambda: storage.delete(old_logo))
    return establishment
