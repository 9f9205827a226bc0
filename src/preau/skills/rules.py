"""The rule that turns the levels a student obtained on a component into one resulting level.

The resulting level is the mean of the levels obtained (1 to 4), rounded to the nearest level,
a mean exactly halfway going up (2.5 → 3): a student who alternates fragile and satisfactory
work is credited with the satisfactory level, as class councils usually decide. « Absent » and
« non évalué » results are left out; no level at all gives no resulting level. See
docs/skills.md for worked cases.
"""

from __future__ import annotations

from collections.abc import Iterable


def resulting_level(levels: Iterable[int]) -> int | None:
    """The mean of ``levels`` rounded half up, in integers (no floating-point surprise)."""
    values = list(levels)
    if not values:
        return None
    total, count = sum(values), len(values)
    # round(total / count) with halves going up: floor((2·total + count) / (2·count)).
    return (2 * total + count) // (2 * count)
