"""The demo's second factor: the administrators of the demo (the heads, the academy's
administrator and Préau's own) have an authenticator enrolled with the published key
DEMO_TOTP_SECRET, so that anyone trying the demo can log in as them with any TOTP app (README).
Idempotent: an enrolled account keeps its device."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.accounts.models import TotpDevice
from preau.demo.cast import DEMO_TOTP_SECRET

ADMINISTRATORS = ["admin", "rectorat_versailles", "principal_moulin", "principal_curie"]


def build(cast: Any) -> None:
    with transaction.atomic():
        for name in ADMINISTRATORS:
            person = getattr(cast, name)
            TotpDevice.objects.get_or_create(
                person=person,
                defaults={"secret": DEMO_TOTP_SECRET, "confirmed_at": timezone.now()},
            )
            if not person.has_totp:
                person.has_totp = True
                person.save(update_fields=["has_totp"])
