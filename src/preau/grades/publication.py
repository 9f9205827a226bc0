"""When marks reach students and guardians.

The establishment's rule (``GradeSettings``): ``delay_days`` after the marks are first entered,
at ``time`` (by default the next day at 18:00). A moment that falls in the night (the
establishment's quiet hours, 20:00 to 07:00 unless it chose others) or at a weekend moves to
the next allowed moment: the right to disconnect holds for marks as for notifications,
weekends included whatever the notification setting. A teacher may publish at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone

from preau.directory.models import Establishment
from preau.grades.models import GradeSettings
from preau.notifications.actions import quiet_hours_of
from preau.notifications.delivery import next_allowed_time
from preau.notifications.models import QuietHours


def settings_of(establishment: Establishment) -> GradeSettings:
    """The establishment's rule, or the defaults when it never set one (1 query)."""
    return GradeSettings.objects.filter(establishment=establishment).first() or GradeSettings(
        establishment=establishment
    )


def allowed(moment: datetime, quiet_hours: QuietHours) -> datetime:
    """``moment``, or the next moment out of the night and the weekend."""
    nights_and_weekends = QuietHours(start=quiet_hours.start, end=quiet_hours.end, weekends=True)
    return next_allowed_time(moment, nights_and_weekends)


def publication_time(establishment: Establishment, entered_at: datetime | None = None) -> datetime:
    """When marks entered at ``entered_at`` reach families under the establishment's rule
    (2 queries)."""
    entered_at = entered_at or timezone.now()
    rule = settings_of(establishment)
    zone = ZoneInfo(settings.TIME_ZONE)
    day = entered_at.astimezone(zone).date() + timedelta(days=rule.delay_days)
    moment = datetime.combine(day, rule.time, tzinfo=zone)
    # A delay of 0 days with an hour already past: the marks go out now (or next allowed).
    moment = max(moment, entered_at)
    return allowed(moment, quiet_hours_of(establishment))
