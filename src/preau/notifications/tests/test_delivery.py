"""The right to disconnect on hand-made cases: the delivery time is a pure function."""

from datetime import UTC, datetime, time
from types import SimpleNamespace
from typing import Any
from zoneinfo import ZoneInfo

from preau.notifications.delivery import delivery_notice, next_allowed_time
from preau.notifications.models import NotificationPreference, QuietHours

PARIS = ZoneInfo("Europe/Paris")
SCHOOL = QuietHours(start=time(20), end=time(7), weekends=True)


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def own(start: time | None = None, end: time | None = None, weekends: bool = False) -> Any:
    return NotificationPreference(quiet_start=start, quiet_end=end, quiet_weekends=weekends)


def test_a_free_moment_is_kept_as_it_is() -> None:
    moment = paris(2026, 1, 14, 10, 30, 15)  # a Wednesday morning
    assert next_allowed_time(moment, SCHOOL, None) == moment


def test_a_weekday_evening_waits_for_seven_next_morning() -> None:
    assert next_allowed_time(paris(2026, 1, 14, 21), SCHOOL) == paris(2026, 1, 15, 7)
    assert next_allowed_time(paris(2026, 1, 14, 20), SCHOOL) == paris(2026, 1, 15, 7)
    assert next_allowed_time(paris(2026, 1, 15, 6, 59), SCHOOL) == paris(2026, 1, 15, 7)
    assert next_allowed_time(paris(2026, 1, 15, 7), SCHOOL) == paris(2026, 1, 15, 7)


def test_weekends_wait_for_monday_seven() -> None:
    monday = paris(2026, 1, 19, 7)
    assert next_allowed_time(paris(2026, 1, 16, 21), SCHOOL) == monday  # Friday evening
    assert next_allowed_time(paris(2026, 1, 17, 10), SCHOOL) == monday  # Saturday
    assert next_allowed_time(paris(2026, 1, 18, 23, 30), SCHOOL) == monday  # Sunday night


def test_without_quiet_weekends_saturday_is_a_day_like_another() -> None:
    school = QuietHours(start=time(20), end=time(7), weekends=False)
    assert next_allowed_time(paris(2026, 1, 17, 10), school) == paris(2026, 1, 17, 10)


def test_a_personal_window_adds_quiet_time() -> None:
    lunch = own(time(12), time(14))
    assert next_allowed_time(paris(2026, 1, 14, 12, 30), SCHOOL, lunch) == paris(2026, 1, 14, 14)
    # An early evening joins the school's night: 18:30 → 21:00 is quiet, then the night.
    evening = own(time(18), time(21))
    assert next_allowed_time(paris(2026, 1, 14, 18, 30), SCHOOL, evening) == paris(2026, 1, 15, 7)
    # Personal weekends when the school has none.
    school = QuietHours(start=time(20), end=time(7), weekends=False)
    assert next_allowed_time(paris(2026, 1, 17, 10), school, own(weekends=True)) == paris(
        2026, 1, 19, 7
    )


def test_a_personal_window_never_removes_the_schools_quiet_time() -> None:
    shorter = own(time(22), time(6))
    assert next_allowed_time(paris(2026, 1, 15, 6, 30), SCHOOL, shorter) == paris(2026, 1, 15, 7)
    assert next_allowed_time(paris(2026, 1, 14, 21), SCHOOL, shorter) == paris(2026, 1, 15, 7)


def test_a_personal_window_leaving_no_moment_falls_back_to_the_school() -> None:
    always = own(time(6), time(21))  # with 20:00-07:00, the whole day is quiet
    assert next_allowed_time(paris(2026, 1, 14, 21), SCHOOL, always) == paris(2026, 1, 15, 7)


def test_daylight_saving_days_end_at_seven_local_time() -> None:
    school = QuietHours(start=time(20), end=time(7), weekends=False)
    # 29 March 2026: clocks go forward (CET → CEST), the night lasts 9 hours.
    spring = next_allowed_time(paris(2026, 3, 28, 21), school)
    assert spring == datetime(2026, 3, 29, 5, tzinfo=UTC)
    assert spring == paris(2026, 3, 29, 7)
    # 25 October 2026: clocks go back (CEST → CET), the night lasts 11 hours.
    autumn = next_allowed_time(paris(2026, 10, 24, 21), school)
    assert autumn == datetime(2026, 10, 25, 6, tzinfo=UTC)
    # A moment given in UTC is read in Paris time.
    assert next_allowed_time(datetime(2026, 3, 28, 20, tzinfo=UTC), school) == spring


def test_the_sender_is_told_when_it_will_be_delivered() -> None:
    now = paris(2026, 1, 14, 21)
    held = SimpleNamespace(deliver_at=paris(2026, 1, 15, 7))
    now_one = SimpleNamespace(deliver_at=now)
    assert "Remise immédiate à 2 destinataires" in delivery_notice([now_one, now_one], now=now)
    notice = delivery_notice([now_one, held], now=now)
    assert "1 destinataire la recevra" in notice
    assert "15 janvier 2026 07:00" in notice
