"""How averages are computed: pure functions of marks, no database.

The rules (docs/grades.md says the same in French for families and staff):

- A mark counts when it has a value; the codes ABS, DISP and NN never count.
- Each mark is brought to a scale of 20 (``value * 20 / scale``) and weighs its assessment's
  coefficient; a coefficient of 0 makes the mark count for nothing.
- The subject average is the weighted mean of the normal marks.
- An optional mark counts only if it raises the average: optional marks are taken from the
  best down while each is above the average reached so far (this gives the highest average
  any choice of optional marks could give). With no normal mark, the best optional starts it.
- A bonus mark adds only its points above the middle of its scale (10 on 20), times its
  coefficient, to the sum of points, not to the sum of coefficients; the average is capped at
  20. A bonus alone makes no average: there is nothing to add it to.
- No counting mark (all absent, exempt…, or all coefficients 0): no average, never 0.
- Rounding: each subject average is rounded to the hundredth, half up (12,345 → 12,35). The
  overall average is the mean of the rounded subject averages weighted by the subjects'
  coefficients, itself rounded the same way: a family can recompute it from what it sees.
- Class averages: per assessment the mean, minimum and maximum of the values on the
  assessment's own scale; per subject the mean of the students' subject averages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

TWENTY = Decimal(20)
HUNDREDTH = Decimal("0.01")
NORMAL, OPTIONAL, BONUS = "normal", "optional", "bonus"


@dataclass(frozen=True)
class Entry:
    """One mark as the averages see it."""

    value: Decimal | None  # None for a code (ABS, DISP, NN) or no mark
    scale: Decimal
    coefficient: Decimal
    kind: str = NORMAL

    @property
    def counts(self) -> bool:
        return self.value is not None and self.coefficient > 0

    @property
    def on_twenty(self) -> Decimal:
        return normalise(self.value, self.scale)


@dataclass(frozen=True)
class Stats:
    """An assessment's class statistics, on its own scale."""

    average: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None
    count: int


def round_average(value: Decimal | None) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(HUNDREDTH, rounding=ROUND_HALF_UP)


def normalise(value: Decimal | None, scale: Decimal) -> Decimal:
    """A value on ``scale`` brought to a scale of 20."""
    if value is None:
        raise ValueError("A code has no value to normalise.")
    return Decimal(value) * TWENTY / Decimal(scale)


def subject_average(entries: Iterable[Entry]) -> Decimal | None:
    """The average of one subject in one period, on 20, rounded (None when nothing counts)."""
    counting = [e for e in entries if e.counts]
    points = Decimal(0)
    weights = Decimal(0)
    for entry in counting:
        if entry.kind == NORMAL:
            points += entry.on_twenty * entry.coefficient
            weights += entry.coefficient
    optional = sorted(
        (e for e in counting if e.kind == OPTIONAL), key=lambda e: e.on_twenty, reverse=True
    )
    for entry in optional:
        if weights and entry.on_twenty <= points / weights:
            break  # sorted: no later optional mark can raise the average either
        points += entry.on_twenty * entry.coefficient
        weights += entry.coefficient
    if not weights:
        return None
    for entry in counting:
        if entry.kind == BONUS:
            points += max(entry.on_twenty - TWENTY / 2, Decimal(0)) * entry.coefficient
    return round_average(min(points / weights, TWENTY))


def overall_average(subjects: Iterable[tuple[Decimal | None, Decimal]]) -> Decimal | None:
    """The overall average from (subject average, subject coefficient) pairs: subjects without
    an average or with coefficient 0 are left out."""
    points = Decimal(0)
    weights = Decimal(0)
    for average, coefficient in subjects:
        if average is None or coefficient <= 0:
            continue
        points += round_average(average) * coefficient
        weights += coefficient
    if not weights:
        return None
    return round_average(points / weights)


def mean(values: Iterable[Decimal | None]) -> Decimal | None:
    """The plain mean of the values present, rounded (a class's average of averages)."""
    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return None
    return round_average(sum(present, Decimal(0)) / len(present))


def assessment_stats(values: Iterable[Decimal | None]) -> Stats:
    """Mean, minimum and maximum of an assessment's values (codes left out)."""
    present = [Decimal(v) for v in values if v is not None]
    if not present:
        return Stats(None, None, None, 0)
    return Stats(mean(present), min(present), max(present), len(present))
