"""Dashboard panels kept rendered in the cache until what they show changes.

The home page is the most visited page of the portal, and most visits find the same panels as
the last one. A panel is computed and rendered once, then kept until one of these comes first:

- its service replaces the person's version for it (``forget_panels``): a message arrived, a
  notification was read…;
- the version of the service's scope in the panel's establishment changes (``bump_scope``;
  the service names its scope in ``Service.panel_scope``): a post published, a bookmark pushed;
- the directory changes (who is in which class), through the actor's directory version;
- the moment the panel said its content would change (``until``): a held notification or a
  scheduled post becoming visible;
- ``MAX_AGE``, as a bound.

Every panel's key is built the same way from those versions, the reader's language, the
actor's establishment and the guardian's selected child, so the home page reads all versions in
one round trip and all panels in a second (``prefetch``). Like the directory cache, this needs a
cache shared by all web processes (Redis) at scale.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

if TYPE_CHECKING:
    from preau.core.actor import Actor, Child
    from preau.portal.registry import Service

MAX_AGE = 300


def _version_key(scope: str, scope_id: Any) -> str:
    return f"panel-version:{scope}:{scope_id}"


def bump_scope(scope: str, scope_ids: Iterable[Any]) -> None:
    """Replace the versions of these scopes, now and again when the transaction commits."""
    keys = [_version_key(scope, scope_id) for scope_id in set(scope_ids)]
    if not keys:
        return

    def replace() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    replace()
    transaction.on_commit(replace)


def forget_panels(service: str, person_ids: Iterable[Any]) -> None:
    """The service's panel changed for these people."""
    bump_scope(f"person:{service}", person_ids)


def panel_establishment(actor: Actor, child: Child | None) -> int | None:
    """The establishment a panel speaks of: the guardian's child's, else the actor's."""
    if child is not None and child.enrolments:
        return child.enrolments[0].establishment_id
    return actor.establishment.pk if actor.establishment is not None else None


def _version_keys(actor: Actor, child: Child | None, service: Service) -> list[str]:
    keys = [_version_key(f"person:{service.code}", actor.user.pk)]
    if service.panel_scope:
        keys.append(_version_key(service.panel_scope, panel_establishment(actor, child)))
    return keys


def _data_key(actor: Actor, child: Child | None, service: Service, versions: dict) -> str:
    parts = [versions.get(key) or "" for key in _version_keys(actor, child, service)]
    here = actor.establishment.pk if actor.establishment is not None else ""
    return ":".join(
        [
            "panel",
            service.code,
            str(actor.user.pk),
            *parts,
            actor.directory_version,
            translation.get_language() or "",
            str(here),
            str(child.public_id) if child is not None else actor.home_kind,
        ]
    )


def _memo(actor: Actor) -> dict[str, Any]:
    return actor.memo.setdefault("panels", {"versions": {}, "data": {}})


def prefetch(actor: Actor, child: Child | None, services: Iterable[Service]) -> PageEntry:
    """Read the versions, then the panels and the page they make, of these services: two
    round trips in all. Returns the page's cache entry (its key, and its HTML when kept)."""
    services = list(services)
    with_panel = [s for s in services if s.panel_context is not None]
    memo = _memo(actor)
    version_keys = [key for s in with_panel for key in _version_keys(actor, child, s)]
    memo["versions"].update(cache.get_many(version_keys))
    data_keys = [_data_key(actor, child, s, memo["versions"]) for s in with_panel]
    # The page shows its reader, these panels and the list of services, and nothing else
    # that changes without changing the directory version.
    here = actor.establishment.pk if actor.establishment is not None else ""
    reader = [
        str(actor.user.pk),
        actor.home_kind,
        translation.get_language() or "",
        actor.directory_version,
        str(here),
        str(child.public_id) if child is not None else "",
    ]
    signature = "|".join([*reader, *data_keys, ",".join(s.code for s in services)])
    page_key = "home:" + hashlib.sha256(signature.encode()).hexdigest()
    found = cache.get_many([*data_keys, page_key])
    # Each entry carries when it must go, on the portal's clock: the cache's own expiry only
    # bounds it (and a cache shared by several nodes keeps its own time).
    now = time.time()
    page = found.pop(page_key, None)
    memo["data"].update({key: boxed for key, boxed in found.items() if _fresh(boxed, now)})
    return PageEntry(page_key, page[0] if _fresh(page, now) else None)


def _fresh(boxed: Any, now: float) -> bool:
    return isinstance(boxed, tuple) and boxed[1] > now


@dataclass
class PageEntry:
    key: str
    html: str | None


def keep_page(actor: Actor, entry: PageEntry, html: str) -> None:
    """Keep the page's HTML as long as the panels it shows are all kept."""
    now = time.time()
    expiries = [boxed[1] for boxed in _memo(actor)["data"].values() if boxed is not None]
    timeout = int(min([MAX_AGE, *(expires - now for expires in expiries)]))
    if timeout >= 1:
        cache.set(entry.key, (html, now + timeout), timeout)


def _versions(actor: Actor, child: Child | None, service: Service) -> dict[str, str]:
    """The panel's versions, from the prefetch or the cache; a missing one is created."""
    versions = _memo(actor)["versions"]
    for key in _version_keys(actor, child, service):
        if key not in versions:
            cache.add(key, uuid.uuid4().hex, None)
            versions[key] = cache.get(key)
    return versions


def cached_panel(
    actor: Actor,
    child: Child | None,
    service_code: str,
    compute: Callable[[], tuple[dict[str, Any] | None, datetime | None]],
    template: str,
) -> dict[str, Any] | None:
    """The rendered panel (``{"html": …}``, or None), from the cache or from ``compute()``,
    which returns the template's context (None for no panel) and when it will change.

    The template is rendered without the request (no form, no CSRF token): it is shared by all
    the person's sessions.
    """
    from preau.portal.registry import get_service

    service = get_service(service_code)
    if service is None:
        raise LookupError(service_code)
    key = _data_key(actor, child, service, _versions(actor, child, service))
    data = _memo(actor)["data"]
    boxed = data[key] if key in data else cache.get(key)
    if not _fresh(boxed, time.time()):
        context, until = compute()
        if context is not None:
            context = {"html": render_to_string(template, {"panel": context})}
        timeout = MAX_AGE
        if until is not None:
            timeout = int(min(MAX_AGE, max(1, (until - timezone.now()).total_seconds() + 1)))
        boxed = (context, time.time() + timeout)  # the context, and when it must go
        cache.set(key, boxed, timeout)
        data[key] = boxed
    return boxed[0]
