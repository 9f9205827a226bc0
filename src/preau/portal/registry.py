"""The services of the portal. Each domain app registers its service in its AppConfig.ready().

A service names the URL namespace its views live in: when an establishment turns the service
off, ServiceSwitchMiddleware answers 404 for that namespace in that establishment.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.urls import get_script_prefix, reverse

if TYPE_CHECKING:
    from preau.core.actor import Actor


@dataclass(frozen=True)
class Service:
    code: str
    name: Any  # lazy translated string
    icon: str  # a symbol of core/static/preau/icons.svg
    url_name: str
    namespace: str
    national_code: str
    description: Any = ""
    position: int = 100
    # Home kinds (student, guardian, teacher, staff) that see the service; empty: everyone.
    audience: frozenset[str] = field(default_factory=frozenset)
    can_be_disabled: bool = True
    # A dashboard panel: a template and a function giving its context for an actor.
    panel_template: str | None = None
    panel_context: Callable[[Actor, Any], dict[str, Any] | None] | None = None
    # The service's settings page for one establishment: a label and the name of a URL taking
    # the establishment's public id. The administration console lists it.
    settings_page: tuple[Any, str] | None = None
    # The scope whose version (in the panel's establishment) the cached panel depends on,
    # beside the person's own version: see portal/panel_cache.py.
    panel_scope: str | None = None

    def url(self) -> str:
        # Reversed once per process: the nav and the tiles ask on every page.
        key = (self.url_name, get_script_prefix())
        url = _urls.get(key)
        if url is None:
            url = _urls[key] = reverse(self.url_name)
        return url

    def is_for(self, actor: Actor) -> bool:
        return not self.audience or actor.home_kind in self.audience


_services: dict[str, Service] = {}
_urls: dict[tuple[str, str], str] = {}


def register(service: Service) -> Service:
    if service.code in _services and _services[service.code] != service:
        raise ValueError(f"Service {service.code!r} is already registered.")
    _services[service.code] = service
    return service


def all_services() -> list[Service]:
    return sorted(_services.values(), key=lambda s: (s.position, s.code))


def get_service(code: str) -> Service | None:
    return _services.get(code)


def service_for_namespace(namespace: str) -> Service | None:
    for service in _services.values():
        if service.namespace == namespace:
            return service
    return None
