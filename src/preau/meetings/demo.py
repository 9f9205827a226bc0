"""The demo's parent-teacher meetings: an evening for the collège's 4e classes, on a Tuesday or
Thursday two weeks or so after the day the demo is built, from 17:00 to 20:00 in 10-minute
slots. Bookings are open; every teacher of those classes has opened slots (M. Bernard and
Mme Garcia the whole evening, the others half of it), the CPE an hour for every family, and a
few families of 4e B have booked. Neither Léa's nor Noah's family has: the journeys book for
them.

Idempotent: nothing is added once the campaign (by title) exists. Deterministic: the teachers
and the families are taken in name order.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from preau.directory.models import (
    Enrolment,
    Guardianship,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
)
from preau.meetings import actions
from preau.meetings.models import Campaign, Slot

if TYPE_CHECKING:
    from preau.demo.cast import Cast

User = get_user_model()

TITLE = "Rencontres parents-professeurs de 4e"
WEEKDAYS = (1, 3)  # Tuesday, Thursday
ROOMS = {"prof.bernard": "B12", "prof.garcia": "A03"}


def meeting_day(today: Any) -> Any:
    """The first Tuesday or Thursday at least two weeks after ``today``."""
    day = today + timedelta(days=14)
    while day.weekday() not in WEEKDAYS:
        day += timedelta(days=1)
    return day


def _at(day: Any, clock: str) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.fromisoformat(clock)))


def _teachers(classes: list[SchoolClass]) -> list[Any]:
    """The teachers of these classes (as a class, or a group with their pupils) and their head
    teachers, by name."""
    ids = {c.head_teacher_id for c in classes if c.head_teacher_id}
    pupils = Enrolment.objects.filter(school_class__in=classes).values("student")
    ids |= set(
        TeachingAssignment.objects.filter(
            Q(school_class__in=classes) | Q(group__groupmembership__student__in=pupils)
        ).values_list("teacher_id", flat=True)
    )
    return list(
        User.objects.filter(pk__in=ids, is_active=True).order_by(
            "last_name", "first_name", "username"
        )
    )


@transaction.atomic
def build(cast: Cast) -> None:
    if Campaign.objects.filter(establishment=cast.moulin, title=TITLE).exists():
        return
    year = SchoolYear.current()
    classes = list(
        SchoolClass.objects.filter(
            establishment=cast.moulin, school_year=year, level__code="4"
        ).order_by("name")
    )
    if not classes:
        return
    now = timezone.now()
    day = meeting_day(timezone.localdate())
    campaign = actions.do_create_campaign(
        actor=cast.principal_moulin,
        establishment=cast.moulin,
        school_year=year,
        title=TITLE,
        classes=classes,
        day=day,
        start_time=time(17),
        end_time=time(20),
        slot_minutes=10,
        booking_opens_at=now - timedelta(days=2),
        booking_closes_at=_at(day - timedelta(days=1), "12:00"),
        cancellation_deadline=_at(day - timedelta(days=1), "18:00"),
    )
    for index, teacher in enumerate(_teachers(classes)):
        if teacher.username in ROOMS:
            start, end = time(17), time(20)
        else:
            start, end = (time(17), time(18, 30)) if index % 2 else (time(18, 30), time(20))
        actions.do_open_availability(
            actor=teacher,
            campaign=campaign,
            start_time=start,
            end_time=end,
            room=ROOMS.get(teacher.username, f"C{index + 1:02d}"),
        )
    actions.do_open_availability(
        actor=cast.cpe_moulin,
        campaign=campaign,
        start_time=time(18),
        end_time=time(19),
        room="Vie scolaire",
        for_all_families=True,
    )
    _book_a_few(cast, campaign)


def _book_a_few(cast: Cast, campaign: Campaign) -> None:
    """Four families of 4e B, other than Léa's and Noah's, each with M. Bernard then Mme Garcia:
    M. Bernard's 17:00 to 17:30 and Mme Garcia's 17:40 to 18:10 are taken."""
    links = (
        Guardianship.objects.filter(student__enrolments__school_class=cast.class_4b, legal=True)
        .exclude(student__in=[cast.lea, cast.noah])
        .exclude(guardian__in=[cast.sophie, cast.karim])
        .select_related("guardian", "student")
        .order_by(
            "student__last_name", "student__first_name", "student__username", "guardian__username"
        )
    )
    families: dict[int, Any] = {}
    for link in links:
        families.setdefault(link.student_id, link)
    slots = {
        (slot.host_id, timezone.localtime(slot.starts_at).strftime("%H:%M")): slot
        for slot in Slot.objects.filter(campaign=campaign, host__in=[cast.bernard, cast.garcia])
    }
    for index, link in enumerate(list(families.values())[:4]):
        for host, first in ((cast.bernard, 17 * 60), (cast.garcia, 17 * 60 + 40)):
            minutes = first + 10 * index
            slot = slots[(host.pk, f"{minutes // 60:02d}:{minutes % 60:02d}")]
            actions.do_book(actor=link.guardian, campaign=campaign, slot=slot, student=link.student)
