"""Layers of the agenda: each gives read-only occurrences for a range.

The calendars' own events are the first layer (registered in apps.py). Another service — the
timetable's lessons, the logbook's homework — adds its own by calling ``register_layer`` in its
``AppConfig.ready()``; the agenda shows every layer's occurrences together, in date order.
A provider must run a fixed number of queries whatever the range holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from preau.calendar.ical import Occurrence
    from preau.core.actor import Actor, Child


@dataclass
class AgendaQuery:
    """What the agenda shows: for whom, which range, and the calendars chosen (a list, or a
    queryset that a provider may read inside its own query)."""

    actor: Actor
    child: Child | None
    start: datetime
    end: datetime
    calendars: Any = field(default_factory=list)


@dataclass(frozen=True)
class Layer:
    code: str
    name: Any  # lazy translated string
    provide: Callable[[AgendaQuery], list[Occurrence]]
    position: int = 100
    # Shown in the agenda's « Prochains événements » panel too (the timetable's lessons are
    # not: they have their own panel, which would otherwise crowd out the events).
    in_panel: bool = True


_layers: dict[str, Layer] = {}


def register_layer(layer: Layer) -> Layer:
    if layer.code in _layers and _layers[layer.code] != layer:
        raise ValueError(f"Layer {layer.code!r} is already registered.")
    _layers[layer.code] = layer
    return layer


def occurrences(query: AgendaQuery, *, panel: bool = False) -> list[Occurrence]:
    """Every layer's occurrences in the range, by start time (for the home panel, only the
    layers shown there)."""
    found = []
    for layer in sorted(_layers.values(), key=lambda item: (item.position, item.code)):
        if panel and not layer.in_panel:
            continue
        for occurrence in layer.provide(query):
            occurrence.layer = layer.code
            found.append(occurrence)
    return sorted(found, key=lambda o: (not o.all_day, o.start, o.title))
