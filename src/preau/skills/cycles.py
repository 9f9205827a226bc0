"""Cycles of the common core and the year levels they span.

Cycle 3 (consolidation) runs from CM1 to 6e, cycle 4 (approfondissements) from 5e to 3e. The
directory's ``Level.code`` of a collège are "6", "5", "4", "3"; primary schools' levels, when a
feed brings them, are "CM1" and "CM2".
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

CYCLE_OF_LEVEL: dict[str, int] = {"CM1": 3, "CM2": 3, "6": 3, "5": 4, "4": 4, "3": 4}

CYCLE_LABELS = {
    3: _("Cycle 3 — cycle de consolidation (CM1, CM2, 6e)"),
    4: _("Cycle 4 — cycle des approfondissements (5e, 4e, 3e)"),
}


def cycle_of(level_code: str | None) -> int | None:
    """The cycle a year level belongs to; None for levels outside cycles 3 and 4 (lycée)."""
    return CYCLE_OF_LEVEL.get(level_code or "")


def levels_of(cycle: int) -> list[str]:
    return [code for code, number in CYCLE_OF_LEVEL.items() if number == cycle]
