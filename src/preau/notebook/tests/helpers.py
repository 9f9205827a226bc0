"""The demo entries the tests start from, looked up by what they say."""

from __future__ import annotations

from typing import Any

from preau.notebook import demo
from preau.notebook.models import Entry


def build(cast: Any) -> None:
    demo.build(cast)


def noah_observation(cast: Any) -> Entry:
    return Entry.objects.get(student=cast.noah, title=demo.OBSERVATION_TITLE)


def trip(cast: Any, student: Any) -> Entry:
    return Entry.objects.get(student=student, title=demo.TRIP_TITLE)


def lea_request(cast: Any) -> Entry:
    return Entry.objects.get(student=cast.lea, title=demo.REQUEST_TITLE)


def lea_photo(cast: Any) -> Entry:
    return Entry.objects.get(student=cast.lea, title=demo.PHOTO_TITLE)
