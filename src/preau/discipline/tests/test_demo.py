"""The demo discipline records: realistic, valid, and built once however often the demo runs."""

from typing import Any

import pytest

from preau.discipline import demo
from preau.discipline.models import Incident, IncidentCategory, Involvement, Kind, Measure
from preau.discipline.tests.helpers import noah_detention

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (IncidentCategory, Incident, Involvement, Measure))


def test_the_demo_is_built_once_and_valid(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    for row in [*Incident.objects.all(), *Measure.objects.all()]:
        row.full_clean()
    detention = noah_detention(cast)
    assert detention.decided_by == cast.bernard and detention.published_at is not None
    assert detention.awaits_acknowledgement
    assert detention.incident.involvements.filter(student=cast.noah).exists()
    assert Measure.objects.get(kind=Kind.EXTRA_WORK).student == cast.lea
    warning = Measure.objects.get(kind=Kind.WARNING)
    assert warning.student == cast.jade and warning.decided_by == cast.principal_moulin
