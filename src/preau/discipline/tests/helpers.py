"""The demo records the tests start from, looked up by what they say."""

from __future__ import annotations

from typing import Any

from preau.discipline import demo
from preau.discipline.models import Incident, Kind, Measure


def build(cast: Any) -> None:
    demo.build(cast)


def noah_detention(cast: Any) -> Measure:
    return Measure.objects.get(student=cast.noah, kind=Kind.DETENTION)


def lea_extra_work(cast: Any) -> Measure:
    return Measure.objects.get(student=cast.lea, kind=Kind.EXTRA_WORK)


def jade_warning(cast: Any) -> Measure:
    return Measure.objects.get(student=cast.jade, kind=Kind.WARNING)


def quarrel(cast: Any) -> Incident:
    return Incident.objects.get(description=demo.INCIDENT)
