"""Who may import and export an establishment's people: whoever administers it (the head, the
staff with an administrative function, the academy's administrators) — directory policies."""

from __future__ import annotations

from typing import Any

from preau.directory.models import Establishment
from preau.directory.policies import get_or_404
from preau.rosters.models import RosterImport


def access_import(establishment: Establishment, public_id: Any) -> RosterImport:
    """An unfinished import of ``establishment`` (Http404 for another's or a finished one)."""
    return get_or_404(
        RosterImport.objects.filter(establishment=establishment, imported_at__isnull=True),
        public_id,
    )
