"""Changes to parent-teacher meetings: create a campaign, open and remove ranges, book, cancel,
close a slot, send the reminders.

Each action runs in one transaction. Callers have checked access through the policies; the
rules of the campaign (times, windows, overlaps) are checked here and a refusal raises
``MeetingRefused`` with the message to show, before anything is written.

Concurrency: a booking locks the guardian's and the child's rows (one booking at a time per
family member) and then the slot's row (one family at a time per slot), and re-reads what it
checks after taking the locks. The database's unique constraints (one live booking per slot,
one per teacher and child) hold even if a path forgets a lock; their error is turned into the
same message. On SQLite, transactions begin IMMEDIATE, which serialises writers altogether.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record, snapshot
from preau.directory.models import Establishment, Guardianship, SchoolClass
from preau.meetings.models import (
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
    Availability,
    Booking,
    Campaign,
    Slot,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind
from preau.portal.panel_cache import bump_scope, forget_panels

User = get_user_model()

CAMPAIGN_FIELDS = [
    "title",
    "starts_at",
    "ends_at",
    "slot_minutes",
    "booking_opens_at",
    "booking_closes_at",
    "cancellation_deadline",
]


class MeetingRefused(Exception):
    """A change the rules refuse; ``message`` says why, in the reader's language."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def _time(moment: datetime) -> str:
    return timezone.localtime(moment).strftime("%H:%M")


def _moment(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _day(moment: datetime) -> str:
    return formats.date_format(timezone.localtime(moment), "l j F Y")


def _url(campaign: Campaign) -> str:
    return reverse("meetings:detail", kwargs={"public_id": campaign.public_id})


def _name(person: Any) -> str:
    return person.get_full_name() or person.username


def _at(day: date, clock: time) -> datetime:
    return timezone.make_aware(datetime.combine(day, clock))


def _guardians_of(student_ids: Iterable[int]) -> list[int]:
    return list(
        Guardianship.objects.filter(student_id__in=list(student_ids)).values_list(
            "guardian_id", flat=True
        )
    )


# -- campaigns -----------------------------------------------------------------------------------


def do_create_campaign(
    *,
    actor: Any,
    establishment: Establishment,
    school_year: Any,
    title: str,
    classes: Iterable[SchoolClass],
    day: date,
    start_time: time,
    end_time: time,
    slot_minutes: int,
    booking_opens_at: datetime,
    booking_closes_at: datetime,
    cancellation_deadline: datetime,
) -> Campaign:
    """A new campaign of the establishment for these classes, one evening long."""
    classes = list(classes)
    title = (title or "").strip()
    if not title:
        raise MeetingRefused(_("Donnez un titre à la rencontre."))
    if not classes:
        raise MeetingRefused(_("Choisissez au moins une classe ou un niveau."))
    if any(c.establishment_id != establishment.pk for c in classes):
        raise MeetingRefused(_("Ces classes ne sont pas celles de l'établissement."))
    if not MIN_SLOT_MINUTES <= slot_minutes <= MAX_SLOT_MINUTES:
        raise MeetingRefused(
            _("Un créneau dure de %(min)d à %(max)d minutes.")
            % {"min": MIN_SLOT_MINUTES, "max": MAX_SLOT_MINUTES}
        )
    starts_at, ends_at = _at(day, start_time), _at(day, end_time)
    if ends_at - starts_at < timedelta(minutes=slot_minutes):
        raise MeetingRefused(
            _("La rencontre doit finir après son début et durer au moins un créneau.")
        )
    if booking_closes_at <= booking_opens_at:
        raise MeetingRefused(_("Les réservations doivent fermer après leur ouverture."))
    if booking_closes_at > starts_at:
        raise MeetingRefused(
            _("Les réservations doivent fermer au plus tard au début de la rencontre.")
        )
    if cancellation_deadline > starts_at:
        raise MeetingRefused(
            _("La limite d'annulation doit tomber au plus tard au début de la rencontre.")
        )
    if ends_at <= timezone.now():
        raise MeetingRefused(_("Cette date est passée."))
    with transaction.atomic():
        campaign = Campaign.objects.create(
            establishment=establishment,
            school_year=school_year,
            title=title[:160],
            starts_at=starts_at,
            ends_at=ends_at,
            slot_minutes=slot_minutes,
            booking_opens_at=booking_opens_at,
            booking_closes_at=booking_closes_at,
            cancellation_deadline=cancellation_deadline,
            created_by=getattr(actor, "user", actor),
        )
        campaign.classes.set(classes)
        record(
            actor=actor,
            establishment=establishment,
            action="meetings.campaign.create",
            target=campaign,
            after={
                **snapshot(campaign, CAMPAIGN_FIELDS),
                "classes": sorted(c.name for c in classes),
            },
        )
        bump_scope("meetings", [establishment.pk])
    return campaign


# -- hosts' ranges -------------------------------------------------------------------------------


def do_open_availability(
    *,
    actor: Any,
    campaign: Campaign,
    start_time: time,
    end_time: time,
    room: str = "",
    for_all_families: bool = False,
) -> Availability:
    """Open a range of the evening for the acting host; it is cut into the campaign's slots.

    The range must lie inside the campaign, start and end on its grid of slots, and not overlap
    another range of the host's.
    """
    host = getattr(actor, "user", actor)
    day = timezone.localtime(campaign.starts_at).date()
    starts_at, ends_at = _at(day, start_time), _at(day, end_time)
    length = timedelta(minutes=campaign.slot_minutes)
    if ends_at <= starts_at:
        raise MeetingRefused(_("La fin de la plage doit suivre son début."))
    if starts_at < campaign.starts_at or ends_at > campaign.ends_at:
        raise MeetingRefused(
            _("La plage doit tenir dans la rencontre, de %(start)s à %(end)s.")
            % {"start": _time(campaign.starts_at), "end": _time(campaign.ends_at)}
        )
    if (starts_at - campaign.starts_at) % length or (ends_at - starts_at) % length:
        raise MeetingRefused(
            _(
                "La plage doit commencer et finir sur un créneau : toutes les %(minutes)d "
                "minutes à partir de %(start)s."
            )
            % {"minutes": campaign.slot_minutes, "start": _time(campaign.starts_at)}
        )
    if campaign.ends_at <= timezone.now():
        raise MeetingRefused(_("Cette rencontre est passée."))
    with transaction.atomic():
        # One change at a time per host, so that two ranges opened together cannot overlap.
        list(User.objects.select_for_update().filter(pk=host.pk).values_list("pk"))
        clash = Availability.objects.filter(
            campaign=campaign, host=host, starts_at__lt=ends_at, ends_at__gt=starts_at
        ).first()
        if clash is not None:
            raise MeetingRefused(
                _("Cette plage chevauche celle de %(start)s à %(end)s que vous avez déjà ouverte.")
                % {"start": _time(clash.starts_at), "end": _time(clash.ends_at)}
            )
        availability = Availability.objects.create(
            establishment_id=campaign.establishment_id,
            campaign=campaign,
            host=host,
            starts_at=starts_at,
            ends_at=ends_at,
            room=(room or "").strip()[:60],
            for_all_families=for_all_families,
        )
        count = (ends_at - starts_at) // length
        Slot.objects.bulk_create(
            [
                Slot(
                    establishment_id=campaign.establishment_id,
                    campaign=campaign,
                    availability=availability,
                    host=host,
                    starts_at=starts_at + i * length,
                    ends_at=starts_at + (i + 1) * length,
                )
                for i in range(count)
            ]
        )
        bump_scope("meetings", [campaign.establishment_id])
    return availability


def do_remove_availability(*, actor: Any, availability: Availability) -> None:
    """Remove a range of the host's and its slots, when no family has booked one of them."""
    with transaction.atomic():
        locked = Availability.objects.select_for_update().get(pk=availability.pk)
        if Booking.objects.filter(slot__availability=locked, cancelled_at__isnull=True).exists():
            raise MeetingRefused(
                _(
                    "Des familles ont réservé dans cette plage : annulez d'abord leurs créneaux "
                    "(elles en seront prévenues)."
                )
            )
        locked.delete()
        bump_scope("meetings", [availability.establishment_id])


# -- bookings ------------------------------------------------------------------------------------


def _lock_people(*people: Any) -> None:
    """Lock these people's rows, always in the same order (no deadlock between families)."""
    ids = sorted({person.pk for person in people})
    list(User.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk"))


def _taken() -> MeetingRefused:
    return MeetingRefused(
        _("Ce créneau vient d'être réservé par une autre famille : choisissez-en un autre.")
    )


def do_book(*, actor: Any, campaign: Campaign, slot: Slot, student: Any) -> Booking:
    """Book ``slot`` for the acting guardian and their child ``student``.

    Refused when bookings are not open, when the slot is taken or withdrawn, when the child
    already has a meeting with this host, or when the slot overlaps one of the guardian's
    meetings with any host.
    """
    guardian = getattr(actor, "user", actor)
    now = timezone.now()
    if now < campaign.booking_opens_at:
        raise MeetingRefused(
            _("Les réservations ouvrent le %(moment)s.")
            % {"moment": _moment(campaign.booking_opens_at)}
        )
    if now >= campaign.booking_closes_at:
        raise MeetingRefused(
            _("Les réservations sont closes depuis le %(moment)s.")
            % {"moment": _moment(campaign.booking_closes_at)}
        )
    try:
        with transaction.atomic():
            _lock_people(guardian, student)
            locked = Slot.objects.select_for_update().filter(pk=slot.pk, campaign=campaign).first()
            if locked is None or locked.closed_at is not None:
                raise MeetingRefused(_("Ce créneau n'est plus proposé : choisissez-en un autre."))
            live = Booking.objects.filter(campaign=campaign, cancelled_at__isnull=True)
            if live.filter(slot=locked).exists():
                raise _taken()
            same_host = live.filter(host_id=locked.host_id, student=student).select_related("slot")
            already = same_host.first()
            if already is not None:
                raise MeetingRefused(
                    _(
                        "%(child)s a déjà rendez-vous avec %(host)s à %(time)s : annulez-le "
                        "d'abord pour en choisir un autre."
                    )
                    % {
                        "child": student.first_name,
                        "host": _name(slot.host),
                        "time": _time(already.slot.starts_at),
                    }
                )
            clash = (
                live.filter(
                    guardian=guardian,
                    slot__starts_at__lt=locked.ends_at,
                    slot__ends_at__gt=locked.starts_at,
                )
                .select_related("slot", "host")
                .first()
            )
            if clash is not None:
                raise MeetingRefused(
                    _(
                        "Ce créneau chevauche votre rendez-vous de %(time)s avec %(host)s : "
                        "choisissez un autre horaire."
                    )
                    % {"time": _time(clash.slot.starts_at), "host": _name(clash.host)}
                )
            booking = Booking.objects.create(
                establishment_id=campaign.establishment_id,
                campaign=campaign,
                slot=locked,
                host_id=locked.host_id,
                guardian=guardian,
                student=student,
                created_at=now,
            )
            forget_panels("meetings", [locked.host_id, *_guardians_of([student.pk])])
    except IntegrityError as exc:
        # A path without the locks met the constraints: the slot or the teacher was taken.
        raise _taken() from exc
    return booking


def do_cancel_booking(*, actor: Any, booking: Booking) -> None:
    """A guardian of the child cancels, until the campaign's cancellation deadline; the host is
    told."""
    campaign = booking.campaign
    now = timezone.now()
    if not campaign.may_cancel(now):
        raise MeetingRefused(
            _(
                "Les annulations étaient possibles jusqu'au %(moment)s. Pour ne pas venir, "
                "prévenez le professeur par la messagerie."
            )
            % {"moment": _moment(campaign.cancellation_deadline)}
        )
    person = getattr(actor, "user", actor)
    with transaction.atomic():
        locked = (
            Booking.objects.select_for_update().select_related("slot", "student").get(pk=booking.pk)
        )
        if locked.cancelled_at is not None:
            return
        locked.cancelled_at = now
        locked.cancelled_by = person
        locked.save(update_fields=["cancelled_at", "cancelled_by"])
        notify(
            recipients=User.objects.filter(pk=locked.host_id),
            establishment=campaign.establishment,
            kind=Kind.MEETINGS,
            title=campaign.title,
            body=_("Rendez-vous de %(time)s annulé par la famille de %(child)s.")
            % {"time": _time(locked.slot.starts_at), "child": _name(locked.student)},
            url=_url(campaign),
            actor=person,
        )
        forget_panels("meetings", [locked.host_id, *_guardians_of([locked.student_id])])


def do_close_slot(*, actor: Any, slot: Slot) -> Booking | None:
    """The host withdraws one of their slots; a family that had booked it is told. Returns the
    cancelled booking, if any."""
    campaign = slot.campaign
    now = timezone.now()
    if campaign.ends_at <= now:
        raise MeetingRefused(_("Cette rencontre est passée."))
    person = getattr(actor, "user", actor)
    with transaction.atomic():
        locked = Slot.objects.select_for_update().get(pk=slot.pk)
        if locked.closed_at is not None:
            return None
        locked.closed_at = now
        locked.save(update_fields=["closed_at"])
        booking = (
            Booking.objects.select_for_update()
            .filter(slot=locked, cancelled_at__isnull=True)
            .select_related("student")
            .first()
        )
        people = [locked.host_id]
        if booking is not None:
            booking.cancelled_at = now
            booking.cancelled_by = person
            booking.save(update_fields=["cancelled_at", "cancelled_by"])
            record(
                actor=actor,
                establishment=campaign.establishment,
                action="meetings.booking.cancel_by_host",
                target=booking,
                after={"slot": locked.starts_at.isoformat(), "student": booking.student_id},
            )
            notify(
                recipients=User.objects.filter(pk=booking.guardian_id),
                establishment=campaign.establishment,
                kind=Kind.MEETINGS,
                title=campaign.title,
                body=_(
                    "%(host)s a dû annuler votre rendez-vous de %(time)s pour %(child)s. "
                    "Vous pouvez réserver un autre créneau."
                )
                % {
                    "host": _name(person),
                    "time": _time(locked.starts_at),
                    "child": booking.student.first_name,
                },
                url=_url(campaign),
                actor=person,
            )
            people += _guardians_of([booking.student_id])
        forget_panels("meetings", people)
    return booking


# -- reminders -----------------------------------------------------------------------------------


def do_send_reminders(*, now: datetime | None = None) -> int:
    """Remind each guardian, once, of their meetings of tomorrow (Paris time). Returns how many
    meetings were reminded. Meant to run once a day (any hour: each booking is reminded once)."""
    now = now or timezone.now()
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    start = _at(tomorrow, time(0))
    end = _at(tomorrow + timedelta(days=1), time(0))
    with transaction.atomic():
        due = list(
            Booking.objects.select_for_update(of=("self",))
            .filter(
                cancelled_at__isnull=True,
                reminded_at__isnull=True,
                slot__starts_at__gte=start,
                slot__starts_at__lt=end,
            )
            .select_related("campaign__establishment", "slot__availability", "host", "student")
            .order_by("guardian_id", "slot__starts_at")
        )
        for booking in due:
            slot = booking.slot
            room = slot.availability.room
            body = _("Demain à %(time)s, %(host)s, pour %(child)s.") % {
                "time": _time(slot.starts_at),
                "host": _name(booking.host),
                "child": booking.student.first_name,
            }
            if room:
                body = f"{body} " + _("Salle %(room)s.") % {"room": room}
            notify(
                recipients=User.objects.filter(pk=booking.guardian_id),
                establishment=booking.campaign.establishment,
                kind=Kind.MEETINGS,
                title=_("Rappel : %(title)s") % {"title": booking.campaign.title},
                body=body,
                url=_url(booking.campaign),
                now=now,
            )
        Booking.objects.filter(pk__in=[b.pk for b in due]).update(reminded_at=now)
    return len(due)
