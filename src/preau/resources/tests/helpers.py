"""What the médiacentre's tests start from: the demo's resources and licences, found by title."""

from __future__ import annotations

from typing import Any

from preau.core.actor import Actor
from preau.resources import demo
from preau.resources.models import Licence, Resource


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def build(cast: Any) -> None:
    demo.build(cast)


def resource(title: str) -> Resource:
    return Resource.objects.get(title=title)


def licence(title: str) -> Licence:
    return Licence.objects.get(resource__title=title)
