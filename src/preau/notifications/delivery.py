"""The right to disconnect: when a notification may reach a person.

Pure functions of a moment, the establishment's quiet hours and the person's preference. The
effective quiet time is the union of both: a person may add quiet time, never remove the
establishment's. Times of day are wall-clock times in the portal's time zone, so a window
ends at 07:00 local time whatever the daylight-saving offset of that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import formats, timezone
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from preau.notifications.models import NotificationPreference, QuietHours

Window = tuple[time, time]
# More quiet periods than a week of windows and weekends can chain: the time is unreachable.
MAX_STEPS = 64


def _windows(quiet_hours: QuietHours | None, preference: NotificationPreference | None) -> list:
    windows: list[Window] = []
    if quiet_hours is not None and quiet_hours.start != quiet_hours.end:
        windows.append((quiet_hours.start, quiet_hours.end))
    start = preference.quiet_start if preference is not None else None
    end = preference.quiet_end if preference is not None else None
    if start is not None and end is not None and start != end:
        windows.append((start, end))
    return windows


def _quiet_until(local: datetime, windows: Sequence[Window], weekends: bool) -> datetime | None:
    """The wall-clock end of a quiet period containing ``local``, or None if ``local`` is free."""
    day: date = local.date()
    if weekends and local.weekday() >= 5:
        return datetime.combine(day + timedelta(days=7 - local.weekday()), time(0))
    moment = local.time()
    for start, end in windows:
        if start < end:
            if start <= moment < end:
                return datetime.combine(day, end)
        elif moment >= start:
            return datetime.combine(day + timedelta(days=1), end)
        elif moment < end:
            return datetime.combine(day, end)
    return None


def _first_free(local: datetime, windows: Sequence[Window], weekends: bool) -> datetime | None:
    for _step in range(MAX_STEPS):
        until = _quiet_until(local, windows, weekends)
        if until is None:
            return local
        local = until
    return None


def next_allowed_time(
    moment: datetime,
    quiet_hours: QuietHours | None,
    preference: NotificationPreference | None = None,
) -> datetime:
    """``moment`` if the person may be reached then, else the next moment they may (UTC).

    When the person's own quiet time would leave no moment at all, the establishment's
    quiet hours alone decide: a notification is held, never lost.
    """
    zone = ZoneInfo(settings.TIME_ZONE)
    local = moment.astimezone(zone).replace(tzinfo=None)
    weekends = bool(quiet_hours and quiet_hours.weekends) or bool(
        preference and preference.quiet_weekends
    )
    free = _first_free(local, _windows(quiet_hours, preference), weekends)
    if free is None:
        free = _first_free(
            local, _windows(quiet_hours, None), bool(quiet_hours and quiet_hours.weekends)
        )
    if free is None or free == local:
        return moment
    return free.replace(tzinfo=zone).astimezone(ZoneInfo("UTC"))


def is_quiet(moment: datetime, quiet_hours: QuietHours | None, preference: Any = None) -> bool:
    return next_allowed_time(moment, quiet_hours, preference) > moment


def delivery_notice(notifications: Iterable[Any], *, now: datetime | None = None) -> str:
    """What the sender is told: delivered now, or held by quiet hours until when."""
    notifications = list(notifications)
    now = now or timezone.now()
    held = [n for n in notifications if n.deliver_at > now]
    if not held:
        return ngettext(
            "Remise immédiate à %(count)d destinataire.",
            "Remise immédiate à %(count)d destinataires.",
            len(notifications),
        ) % {"count": len(notifications)}
    latest = timezone.localtime(max(n.deliver_at for n in held))
    return ngettext(
        "Heures calmes : %(count)d destinataire la recevra au plus tard le %(when)s.",
        "Heures calmes : %(count)d destinataires la recevront au plus tard le %(when)s.",
        len(held),
    ) % {"count": len(held), "when": formats.date_format(latest, "DATETIME_FORMAT")}
