"""Dashboard panels kept in the cache until what they show changes.

The home page is the most visited page of the portal, and most visits find the same panels as
the last one. A panel is computed once and kept until one of these comes first:

- its service replaces the person's version for it (``forget_panels``): a message arrived, a
  notification was read…;
- a scope version replaced by its service changes (``scope_version``/``bump_scope``), e.g. the
  news of an establishment, passed in the panel's ``key``;
- the directory changes (who is in which class), through the actor's directory version;
- the moment the panel itself said its content would change (``until``): a held notification
  or a scheduled post becoming visible;
- ``MAX_AGE``, as a bound.

Like the directory cache, this needs a cache shared by all web processes (Redis) at scale.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from django.core.cache import cache
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation

if TYPE_CHECKING:
    from preau.core.actor import Actor

MAX_AGE = 300


def scope_version(scope: str, scope_id: Any) -> str:
    key = f"panel-version:{scope}:{scope_id}"
    version = cache.get(key)
    if version is None:
        cache.add(key, uuid.uuid4().hex, None)
        version = cache.get(key)
    return version


def bump_scope(scope: str, scope_ids: Iterable[Any]) -> None:
    """Replace the versions of these scopes, now and again when the transaction commits."""
    keys = [f"panel-version:{scope}:{scope_id}" for scope_id in set(scope_ids)]
    if not keys:
        return

    def replace() -> None:
        cache.set_many({key: uuid.uuid4().hex for key in keys}, None)

    replace()
    transaction.on_commit(replace)


def forget_panels(service: str, person_ids: Iterable[Any]) -> None:
    """The service's panel changed for these people."""
    bump_scope(f"person:{service}", person_ids)


def _person_versions(actor: Actor) -> dict[str, str]:
    """The person's versions of every service's panel, read in one round trip per request."""
    versions = actor.memo.get("panel_versions")
    if versions is None:
        from preau.portal.registry import all_services

        person = actor.user.pk
        keys = {
            f"panel-version:person:{s.code}:{person}": s.code
            for s in all_services()
            if s.panel_context is not None
        }
        found = cache.get_many(list(keys))
        versions = {code: found[key] for key, code in keys.items() if key in found}
        actor.memo["panel_versions"] = versions
    return versions


def cached_panel(
    actor: Actor,
    service: str,
    key: str,
    compute: Callable[[], tuple[dict[str, Any] | None, datetime | None]],
    template: str | None = None,
) -> dict[str, Any] | None:
    """The panel's context from the cache, or ``compute()`` → (context, until).

    With ``template``, the panel is kept rendered (in the reader's language) and returned as
    ``{"html": …}``: most of a panel's cost is its rendering. Such a template must not depend on
    the request (no form, no CSRF token): it is shared by all the person's sessions.
    """
    person = actor.user.pk
    version = _person_versions(actor).get(service) or scope_version(f"person:{service}", person)
    language = translation.get_language() or ""
    full_key = f"panel:{service}:{person}:{version}:{actor.directory_version}:{language}:{key}"
    boxed = cache.get(full_key)
    if boxed is None:
        context, until = compute()
        if context is not None and template is not None:
            context = {"html": render_to_string(template, {"panel": context})}
        timeout = MAX_AGE
        if until is not None:
            timeout = int(min(MAX_AGE, max(1, (until - timezone.now()).total_seconds() + 1)))
        boxed = (context,)
        cache.set(full_key, boxed, timeout)
    return boxed[0]
