from typing import Any

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from preau.portal.selectors import services_for


def portal(request: HttpRequest) -> dict[str, Any]:
    """The navigation and branding of the base layout, computed only when a page uses them."""
    actor = getattr(request, "actor", None)
    if actor is None or not actor.is_authenticated:
        return {}
    return {
        "actor": actor,
        "nav_services": SimpleLazyObject(lambda: services_for(actor)),
    }
