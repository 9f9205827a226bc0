"""The demo médiacentre: valid, and built once however often the demo runs."""

from typing import Any

import pytest

from preau.resources import demo
from preau.resources.models import Favourite, Licence, OpeningCount, Resource

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Resource, Licence, Favourite, OpeningCount))


def test_the_demo_is_idempotent_and_valid(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    for row in [*Resource.objects.all(), *Licence.objects.all()]:
        row.full_clean()
