"""The demo events: built once, visible to the right people, one of them repeating."""

from typing import Any

from preau.calendar import demo, policies
from preau.calendar.models import Event
from preau.core.actor import Actor


def test_the_demo_is_idempotent_and_lands_where_expected(cast: Any, client: Any) -> None:
    events = demo.build(cast)
    assert len(demo.build(cast)) == len(events) == Event.objects.count()
    titles = {event.title: event for event in events}
    assert titles["Entraînement de handball"].rrule == "FREQ=WEEKLY"
    meeting = titles["Réunion parents-professeurs"]
    assert policies.access_event(Actor(cast.sophie), meeting.public_id) == meeting
    client.force_login(cast.lea)
    content = client.get("/agenda/", {"view": "list"}).content.decode()
    assert "Entraînement de handball" in content
    assert "Sortie au Palais de la découverte" in content
    assert "Réunion parents-professeurs" not in content  # for guardians and teachers
    assert "Forum des métiers" not in content  # another establishment
