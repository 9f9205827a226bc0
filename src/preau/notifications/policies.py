"""Who sees which notifications, and who may mark one urgent.

Notifications are personal: a person sees their own, in every establishment they belong to
(a guardian with children in two schools has one centre). Each row still carries its
establishment, the tenant, for export and deletion.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet
from django.utils import timezone

from preau.directory.models import Function
from preau.directory.policies import get_or_404
from preau.notifications.models import Notification

if TYPE_CHECKING:
    from preau.core.actor import Actor
    from preau.directory.models import Establishment

URGENT_FUNCTIONS = frozenset({Function.HEAD, Function.CPE})


def visible_notifications(user: Any) -> QuerySet[Notification]:
    """The person's notifications that are due (quiet hours over), newest first."""
    if not getattr(user, "is_authenticated", False):
        return Notification.objects.none()
    return Notification.objects.filter(recipient=user, deliver_at__lte=timezone.now())


def access_notification(user: Any, public_id: Any) -> Notification:
    """One of the person's due notifications; anyone else's (or a held one) is a 404."""
    return get_or_404(visible_notifications(user), public_id)


def can_mark_urgent(actor: Actor | None, establishment: Establishment) -> bool:
    """Only the head and the CPE, working in ``establishment``, may bypass the quiet hours."""
    if actor is None or not actor.is_authenticated or actor.establishment is None:
        return False
    return actor.establishment.pk == establishment.pk and bool(actor.functions & URGENT_FUNCTIONS)
