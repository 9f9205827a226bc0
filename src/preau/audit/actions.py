"""Writing the audit trail. Called by the actions of every domain, inside their transaction."""

from typing import Any

from django.db import models

from preau.audit.models import AuditEntry, LoginEvent


def snapshot(obj: models.Model, fields: list[str]) -> dict[str, Any]:
    """The listed fields of ``obj`` as JSON-ready values, for the before/after columns."""
    values: dict[str, Any] = {}
    for name in fields:
        value = getattr(obj, name)
        if isinstance(value, models.Model):
            value = str(value)
        elif hasattr(value, "isoformat"):
            value = value.isoformat()
        elif not isinstance(value, str | int | float | bool | list | dict | type(None)):
            value = str(value)
        values[name] = value
    return values


def record(
    *,
    actor: Any,
    establishment: Any,
    action: str,
    target: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    academy: Any = None,
) -> AuditEntry:
    """Append one audit row. ``actor`` is a user (or None for the system).

    The row belongs to ``establishment``; ``academy`` is for what belongs to a whole academy and
    is used only when there is no establishment (a registration has one owner or the other).
    """
    if establishment is None and academy is None:
        raise ValueError("An audit entry belongs to an establishment or an academy.")
    user = getattr(actor, "user", actor)
    return AuditEntry.objects.create(
        establishment=establishment,
        academy=academy if establishment is None else None,
        actor=user if user is not None and getattr(user, "pk", None) else None,
        action=action,
        target_type=target._meta.label_lower if target is not None else "",
        target_id=str(getattr(target, "public_id", getattr(target, "pk", "")) or "")
        if target is not None
        else "",
        target_label=str(target)[:200] if target is not None else "",
        before=before,
        after=after,
    )


def record_login(*, person: Any, username_tried: str, succeeded: bool, address: str | None) -> None:
    LoginEvent.objects.create(
        person=person, username_tried=username_tried[:254], succeeded=succeeded, address=address
    )


def save_audited(
    *,
    actor: Any,
    establishment: Any,
    action: str,
    target: models.Model,
    changes: dict[str, Any],
) -> models.Model:
    """Apply ``changes`` to ``target``, save just those fields, and record before and after.

    For the plain updates of the actions; call it inside their transaction.
    """
    fields = list(changes)
    before = snapshot(target, fields)
    for name, value in changes.items():
        setattr(target, name, value)
    target.save(update_fields=fields)
    record(
        actor=actor,
        establishment=establishment,
        action=action,
        target=target,
        before=before,
        after=snapshot(target, fields),
    )
    return target
