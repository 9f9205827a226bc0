"""The demo notebook: realistic, valid, and built once however often the demo runs."""

from typing import Any

import pytest

from preau.directory.models import SchoolYear
from preau.notebook import demo
from preau.notebook.models import Entry, Reply, Signature
from preau.notebook.tests.helpers import lea_photo, lea_request, noah_observation, trip

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(m.objects.count() for m in (Entry, Signature, Reply))


def test_the_demo_is_built_once_and_valid(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    year = SchoolYear.current()
    for row in Entry.objects.all():
        row.full_clean()
        assert row.school_year == year
    assert noah_observation(cast).awaits_signature
    lea_trip, noah_trip = trip(cast, cast.lea), trip(cast, cast.noah)
    assert lea_trip.batch == noah_trip.batch is not None
    assert lea_trip.answer is None and lea_trip.answer_by is not None
    assert lea_photo(cast).signatures.get().guardian == cast.sophie
    request = lea_request(cast)
    assert request.author == cast.sophie and request.addressed_to == cast.bernard
    assert request.replies.get().author == cast.bernard
