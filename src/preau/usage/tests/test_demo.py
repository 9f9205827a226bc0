"""The demo's usage: three weeks of activity, aggregated, built once."""

from __future__ import annotations

from typing import Any

import pytest

from preau.usage import demo, selectors
from preau.usage.models import AggregatedDay, ProfileDay, ServiceMonth

pytestmark = pytest.mark.django_db


def test_the_demo_is_built_once_and_aggregated(cast: Any) -> None:
    demo.build(cast)
    built = (AggregatedDay.objects.count(), ProfileDay.objects.count())
    demo.build(cast)
    assert (AggregatedDay.objects.count(), ProfileDay.objects.count()) == built
    assert built[0] == demo.DAYS
    assert ServiceMonth.objects.filter(establishment=cast.moulin).exists()
    last = selectors.last_day()
    assert last is not None
