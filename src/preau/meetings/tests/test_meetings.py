"""Campaigns, ranges, bookings, cancellations and reminders: the rules, the messages, and the
pages with their query budgets."""

from __future__ import annotations

import html
import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.actor import _year_cache
from preau.core.testing import query_budget
from preau.directory.models import Guardianship
from preau.meetings import actions
from preau.meetings.actions import MeetingRefused
from preau.meetings.models import Availability, Booking, Campaign, Slot
from preau.meetings.tests.helpers import (
    CAMPAIGN_ID,
    at,
    booked_evening,
    evening,
    evening_with_ranges,
    make_campaign,
    open_range,
    paris,
    second_guardian_of_lea,
    slot_at,
)
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def cold() -> None:
    """Forget what earlier requests of the test left in the caches (the school year, the
    establishment's services), so that each budget counts a first visit."""
    cache.clear()
    _year_cache.clear()


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split()
    )


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def detail_url(**params: str) -> str:
    url = reverse("meetings:detail", kwargs={"public_id": CAMPAIGN_ID})
    if params:
        url += "?" + "&".join(f"{key}={value}" for key, value in params.items())
    return url


# -- campaigns -----------------------------------------------------------------------------------


def campaign_form(cast: Any, **changes: Any) -> dict[str, Any]:
    day = evening(14)
    data = {
        "title": "Rencontres de 4e",
        "levels": ["4"],
        "day": day.isoformat(),
        "start_time": "17:00",
        "end_time": "20:00",
        "slot_minutes": "10",
        "booking_opens_at": (timezone.localtime() + timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
        "booking_closes_at": f"{(day - timedelta(days=2)).isoformat()}T18:00",
        "cancellation_deadline": f"{(day - timedelta(days=1)).isoformat()}T12:00",
    }
    data.update(changes)
    return data


def test_the_head_creates_a_campaign_for_a_level(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    response = client.post(reverse("meetings:create"), campaign_form(cast))
    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert set(campaign.classes.all()) == {cast.class_4b}  # the 4e of the collège, not 3e A
    assert timezone.localtime(campaign.starts_at).strftime("%H:%M") == "17:00"
    assert campaign.slot_minutes == 10
    assert AuditEntry.objects.filter(action="meetings.campaign.create").count() == 1


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_time": "16:00"}, "La rencontre doit finir après son début"),
        ({"levels": []}, "Choisissez au moins une classe ou un niveau."),
        (
            {"booking_closes_at": f"{evening(14).isoformat()}T18:00"},
            "Les réservations doivent fermer au plus tard au début de la rencontre.",
        ),
        (
            {"cancellation_deadline": f"{evening(14).isoformat()}T19:00"},
            "La limite d'annulation doit tomber au plus tard au début de la rencontre.",
        ),
    ],
)
def test_a_bad_campaign_is_refused_with_a_message(
    cast: Any, client: Any, changes: dict, message: str
) -> None:
    client.force_login(cast.principal_moulin)
    response = client.post(reverse("meetings:create"), campaign_form(cast, **changes))
    assert response.status_code == 200
    assert message in text(response)
    assert not Campaign.objects.exists()


def test_only_the_head_deputy_or_cpe_create(cast: Any, client: Any) -> None:
    for person in (cast.bernard, cast.sophie, cast.lea):
        client.force_login(person)
        assert client.get(reverse("meetings:create")).status_code == 404
    client.force_login(cast.cpe_moulin)
    assert client.get(reverse("meetings:create")).status_code == 200


def test_campaign_classes_come_from_the_establishment(cast: Any) -> None:
    with pytest.raises(MeetingRefused, match="ne sont pas celles"):
        make_campaign(cast, classes=[cast.class_2nde3])
    assert not Campaign.objects.exists()


# -- ranges --------------------------------------------------------------------------------------


def test_a_teacher_opens_a_range_cut_into_slots(cast: Any, client: Any) -> None:
    make_campaign(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("meetings:open_range", kwargs={"public_id": CAMPAIGN_ID}),
        {"start_time": "17:00", "end_time": "18:00", "room": "B12"},
        follow=True,
    )
    assert "Plage ouverte : 6 créneaux proposés aux familles." in text(response)
    slots = list(Slot.objects.filter(host=cast.bernard).order_by("starts_at"))
    assert [timezone.localtime(s.starts_at).strftime("%H:%M") for s in slots] == [
        "17:00",
        "17:10",
        "17:20",
        "17:30",
        "17:40",
        "17:50",
    ]
    assert all(s.ends_at - s.starts_at == timedelta(minutes=10) for s in slots)


@pytest.mark.parametrize(
    ("start", "end", "message"),
    [
        ("16:30", "17:30", "La plage doit tenir dans la rencontre, de 17:00 à 19:00."),
        ("18:30", "19:30", "La plage doit tenir dans la rencontre, de 17:00 à 19:00."),
        ("17:05", "17:45", "La plage doit commencer et finir sur un créneau"),
        ("17:30", "18:30", "Cette plage chevauche celle de 17:00 à 18:00"),
        ("18:00", "17:30", "La fin de la plage doit suivre son début."),
    ],
)
def test_a_bad_range_is_refused_and_nothing_written(
    cast: Any, client: Any, start: str, end: str, message: str
) -> None:
    campaign = make_campaign(cast)
    open_range(cast, campaign, "bernard", "17:00", "18:00")
    before = (Availability.objects.count(), Slot.objects.count())
    client.force_login(cast.bernard)
    response = client.post(
        reverse("meetings:open_range", kwargs={"public_id": CAMPAIGN_ID}),
        {"start_time": start, "end_time": end},
        follow=True,
    )
    assert message in text(response)
    assert (Availability.objects.count(), Slot.objects.count()) == before


def test_a_teacher_of_other_classes_may_not_open_slots(cast: Any, client: Any) -> None:
    # A campaign of 3e A: Mme Garcia does not teach there.
    make_campaign(cast, classes=[cast.class_3a])
    client.force_login(cast.garcia)
    url = reverse("meetings:open_range", kwargs={"public_id": CAMPAIGN_ID})
    assert client.post(url, {"start_time": "17:00", "end_time": "18:00"}).status_code == 404
    client.force_login(cast.bernard)
    assert client.post(url, {"start_time": "17:00", "end_time": "18:00"}).status_code == 302
    assert Slot.objects.filter(host=cast.bernard).count() == 6


def test_a_range_with_bookings_stays(cast: Any, client: Any) -> None:
    booking = booked_evening(cast)
    client.force_login(cast.bernard)
    url = reverse(
        "meetings:remove_range",
        kwargs={"public_id": CAMPAIGN_ID, "range_id": booking.slot.availability.public_id},
    )
    response = client.post(url, follow=True)
    assert "Des familles ont réservé dans cette plage" in text(response)
    assert Slot.objects.filter(host=cast.bernard).count() == 6
    garcia_range = Availability.objects.get(host=cast.garcia)
    client.force_login(cast.garcia)
    client.post(
        reverse(
            "meetings:remove_range",
            kwargs={"public_id": CAMPAIGN_ID, "range_id": garcia_range.public_id},
        )
    )
    assert not Slot.objects.filter(host=cast.garcia).exists()


# -- booking -------------------------------------------------------------------------------------


def book(client: Any, cast: Any, slot: Slot, child: Any, follow: bool = True) -> Any:
    return client.post(
        reverse("meetings:book", kwargs={"public_id": CAMPAIGN_ID}),
        {"slot": str(slot.public_id), "child": str(child.public_id)},
        follow=follow,
    )


def test_a_guardian_books_and_the_slot_is_taken(cast: Any, client: Any) -> None:
    campaign = evening_with_ranges(cast)
    slot = slot_at(campaign, cast.bernard, "17:20")
    client.force_login(cast.sophie)
    response = book(client, cast, slot, cast.lea)
    assert "Rendez-vous réservé à 17:20 avec Marc Bernard." in text(response)
    booking = Booking.objects.get()
    assert (booking.guardian, booking.student, booking.host) == (
        cast.sophie,
        cast.lea,
        cast.bernard,
    )
    # Karim, for Noah, finds it taken.
    client.force_login(cast.karim)
    response = book(client, cast, slot, cast.noah)
    assert "Ce créneau vient d'être réservé par une autre famille" in text(response)
    assert Booking.objects.count() == 1


def test_a_guardian_never_has_two_overlapping_meetings(cast: Any, client: Any) -> None:
    campaign = evening_with_ranges(cast)
    client.force_login(cast.sophie)
    book(client, cast, slot_at(campaign, cast.bernard, "17:20"), cast.lea)
    response = book(client, cast, slot_at(campaign, cast.garcia, "17:20"), cast.lea)
    assert "Ce créneau chevauche votre rendez-vous de 17:20 avec Marc Bernard" in text(response)
    assert Booking.objects.count() == 1
    book(client, cast, slot_at(campaign, cast.garcia, "17:30"), cast.lea)
    assert Booking.objects.count() == 2


def test_one_meeting_per_teacher_and_child(cast: Any, client: Any) -> None:
    campaign = evening_with_ranges(cast)
    client.force_login(cast.sophie)
    book(client, cast, slot_at(campaign, cast.bernard, "17:00"), cast.lea)
    response = book(client, cast, slot_at(campaign, cast.bernard, "17:30"), cast.lea)
    assert "Léa a déjà rendez-vous avec Marc Bernard à 17:00" in text(response)
    assert Booking.objects.count() == 1


def test_the_database_holds_the_rules_without_the_locks(cast: Any) -> None:
    """The constraints: a second live booking of a slot, or of a teacher for a child, fails."""
    booking = booked_evening(cast)
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            establishment=cast.moulin,
            campaign=booking.campaign,
            slot=booking.slot,
            host=cast.bernard,
            guardian=cast.karim,
            student=cast.noah,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            establishment=cast.moulin,
            campaign=booking.campaign,
            slot=slot_at(booking.campaign, cast.bernard, "17:30"),
            host=cast.bernard,
            guardian=cast.sophie,
            student=cast.lea,
        )
    # A cancelled booking frees both.
    Booking.objects.filter(pk=booking.pk).update(cancelled_at=timezone.now())
    Booking.objects.create(
        establishment=cast.moulin,
        campaign=booking.campaign,
        slot=booking.slot,
        host=cast.bernard,
        guardian=cast.karim,
        student=cast.noah,
    )


def test_booking_outside_the_window_is_refused(cast: Any, client: Any) -> None:
    campaign = evening_with_ranges(cast)
    slot = slot_at(campaign, cast.bernard, "17:00")
    # Signed in at that moment: a session does not last days.
    with at(campaign.booking_closes_at + timedelta(minutes=1)):
        client.force_login(cast.sophie)
        response = book(client, cast, slot, cast.lea)
    assert "Les réservations sont closes depuis le" in text(response)
    with at(campaign.booking_opens_at - timedelta(minutes=1)):
        client.force_login(cast.sophie)
        response = book(client, cast, slot, cast.lea)
    assert "Les réservations ouvrent le" in text(response)
    assert not Booking.objects.exists()


def test_a_family_books_only_its_childs_teachers(cast: Any, client: Any) -> None:
    """A teacher who opened slots but does not teach the child (3e A's only) is not offered."""
    campaign = make_campaign(cast, classes=[cast.class_4b, cast.class_3a])
    open_range(cast, campaign, "bernard", "17:00", "18:00")
    open_range(cast, campaign, "garcia", "17:00", "18:00")
    garcia = slot_at(campaign, cast.garcia, "17:00")
    # Karim becomes Jade's guardian too (3e A, where Mme Garcia does not teach).
    Guardianship.objects.create(guardian=cast.karim, student=cast.jade)
    client.force_login(cast.karim)
    page = text(client.get(detail_url(child=str(cast.jade.public_id))))
    assert "Marc Bernard" in page and "Inès Garcia" not in page
    assert book(client, cast, garcia, cast.jade, follow=False).status_code == 404
    assert book(client, cast, garcia, cast.noah, follow=False).status_code == 302
    # Another family's child: 404, nothing written.
    assert book(client, cast, garcia, cast.lea, follow=False).status_code == 404
    assert Booking.objects.count() == 1


def test_the_cpe_meets_every_family(cast: Any, client: Any) -> None:
    campaign = evening_with_ranges(cast)
    client.force_login(cast.cpe_moulin)
    client.post(
        reverse("meetings:open_range", kwargs={"public_id": CAMPAIGN_ID}),
        {"start_time": "18:00", "end_time": "19:00"},
    )
    slot = slot_at(campaign, cast.cpe_moulin, "18:00")
    assert slot.availability.for_all_families
    client.force_login(cast.karim)
    response = client.get(detail_url(child=str(cast.noah.public_id)))
    assert "Julien Petit" in text(response)
    book(client, cast, slot, cast.noah)
    assert Booking.objects.filter(host=cast.cpe_moulin, student=cast.noah).exists()


def test_the_other_guardian_sees_and_may_cancel(cast: Any, client: Any) -> None:
    booking = booked_evening(cast)
    father = second_guardian_of_lea(cast)
    client.force_login(father)
    page = text(client.get(detail_url()))
    assert "réservé par Sophie Martin" in page and "Marc Bernard" in page
    schedule = text(client.get(reverse("meetings:schedule", kwargs={"public_id": CAMPAIGN_ID})))
    assert "Marc Bernard" in schedule
    # Léa's father may not book M. Bernard again for her.
    response = book(client, cast, slot_at(booking.campaign, cast.bernard, "17:40"), cast.lea)
    assert "Léa a déjà rendez-vous avec Marc Bernard" in text(response)
    client.post(
        reverse(
            "meetings:cancel_booking",
            kwargs={"public_id": CAMPAIGN_ID, "booking_id": booking.public_id},
        )
    )
    booking.refresh_from_db()
    assert booking.cancelled_by == father


# -- cancelling ----------------------------------------------------------------------------------


def test_cancellation_until_the_deadline(cast: Any, client: Any) -> None:
    booking = booked_evening(cast)
    url = reverse(
        "meetings:cancel_booking",
        kwargs={"public_id": CAMPAIGN_ID, "booking_id": booking.public_id},
    )
    with at(booking.campaign.cancellation_deadline + timedelta(minutes=1)):
        client.force_login(cast.sophie)
        response = client.post(url, follow=True)
    assert "Les annulations étaient possibles jusqu'au" in text(response)
    booking.refresh_from_db()
    assert booking.cancelled_at is None
    client.force_login(cast.sophie)
    response = client.post(url, follow=True)
    assert "Rendez-vous annulé : le créneau est de nouveau libre." in text(response)
    booking.refresh_from_db()
    assert booking.cancelled_at is not None
    note = Notification.objects.get(recipient=cast.bernard, kind=Kind.MEETINGS)
    assert "17:00" in note.body and "Léa Martin" in note.body
    # The slot is free again: Karim takes it.
    client.force_login(cast.karim)
    book(client, cast, booking.slot, cast.noah)
    assert Booking.objects.filter(slot=booking.slot, cancelled_at__isnull=True).count() == 1


def test_a_teacher_cancels_a_slot_and_the_family_is_told(cast: Any, client: Any) -> None:
    booking = booked_evening(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse(
            "meetings:close_slot",
            kwargs={"public_id": CAMPAIGN_ID, "slot_id": booking.slot.public_id},
        ),
        follow=True,
    )
    assert "Créneau annulé : la famille est prévenue." in text(response)
    booking.refresh_from_db()
    assert booking.cancelled_by == cast.bernard
    note = Notification.objects.get(recipient=cast.sophie, kind=Kind.MEETINGS)
    assert "Marc Bernard a dû annuler votre rendez-vous de 17:00 pour Léa" in note.body
    assert AuditEntry.objects.filter(action="meetings.booking.cancel_by_host").exists()
    # The slot is no longer offered.
    client.force_login(cast.karim)
    response = book(client, cast, booking.slot, cast.noah, follow=False)
    assert response.status_code == 404


# -- reminders -----------------------------------------------------------------------------------


def test_reminders_the_day_before_once(cast: Any) -> None:
    booking = booked_evening(cast)
    day = timezone.localtime(booking.slot.starts_at).date()
    with at(paris(day - timedelta(days=2), "18:00")):
        call_command("remind_meetings", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert not Notification.objects.filter(kind=Kind.MEETINGS).exists()
    with at(paris(day - timedelta(days=1), "18:00")):
        call_command("remind_meetings", stdout=open("/dev/null", "w"))  # noqa: SIM115
        call_command("remind_meetings", stdout=open("/dev/null", "w"))  # noqa: SIM115
    note = Notification.objects.get(kind=Kind.MEETINGS)
    assert note.recipient == cast.sophie
    assert note.body == "Demain à 17:00, Marc Bernard, pour Léa. Salle B12."
    booking.refresh_from_db()
    assert booking.reminded_at is not None


def test_a_cancelled_meeting_is_not_reminded(cast: Any) -> None:
    booking = booked_evening(cast)
    actions.do_cancel_booking(actor=cast.sophie, booking=booking)
    day = timezone.localtime(booking.slot.starts_at).date()
    assert actions.do_send_reminders(now=paris(day - timedelta(days=1), "18:00")) == 0


# -- pages and their budgets ---------------------------------------------------------------------


def test_index_for_each_role(cast: Any, client: Any) -> None:
    booked_evening(cast)
    url = reverse("meetings:index")
    # Léa's mother looks at Léa (her first child is Hugo, at the lycée).
    client.force_login(cast.sophie)
    client.get(url, {"child": str(cast.lea.public_id)})
    # Who they are (user, year, memberships, services), then: the children and their
    # enrolments, the list and its count, the session's savepoint (the child kept); a
    # teacher's assignments, the list and its count; the head's list and its count.
    for person, budget in ((cast.sophie, 10), (cast.bernard, 7), (cast.principal_moulin, 6)):
        client.force_login(person)
        cold()
        with query_budget(budget):
            response = client.get(url)
        assert "Rencontres parents-professeurs de 4e" in text(response)
    client.force_login(cast.principal_curie)
    assert "Rencontres parents-professeurs de 4e" not in text(client.get(url))


def test_guardian_detail_budget(cast: Any, client: Any) -> None:
    booked_evening(cast)
    client.force_login(cast.sophie)
    # The page's 6 (session's person, year, memberships, services, children and their
    # enrolments), the campaign, its classes, the family's bookings, the hosts.
    cold()
    with query_budget(10):
        response = client.get(detail_url())
    page = text(response)
    assert "Vos rendez-vous" in page and "Inès Garcia" in page
    host = cast.garcia.public_id
    # The same, the host's slots with their bookings (2), and the session's savepoint (2: the
    # child is kept).
    cold()
    with query_budget(14):
        response = client.get(detail_url(child=str(cast.lea.public_id), host=str(host)))
    page = text(response)
    assert "Créneaux de Inès Garcia" in page
    # Mme Garcia's 17:00 overlaps Léa's meeting with M. Bernard: offered, but not to choose.
    assert "vous avez un autre rendez-vous" in page


def test_host_detail_budget(cast: Any, client: Any) -> None:
    booked_evening(cast)
    client.force_login(cast.bernard)
    # The page's 6 (with the teaching assignments, and no children), the campaign, whether
    # he teaches its classes, his ranges.
    cold()
    with query_budget(9):
        response = client.get(detail_url())
    assert "Mes disponibilités" in text(response)


def test_schedules_and_pdf(cast: Any, client: Any) -> None:
    booked_evening(cast)
    url = reverse("meetings:schedule", kwargs={"public_id": CAMPAIGN_ID})
    client.force_login(cast.sophie)
    # The page's 6, the campaign, its classes, the family's bookings.
    cold()
    with query_budget(9):
        page = text(client.get(url))
    assert "Marc Bernard" in page and "B12" in page
    client.force_login(cast.bernard)
    # The page's 6 (a teacher's), the campaign,
    # whether he teaches its classes, his slots and their bookings (2).
    cold()
    with query_budget(10):
        page = text(client.get(url))
    assert "Martin Léa" in page and "Sophie Martin" in page
    pdf_url = reverse("meetings:schedule_pdf", kwargs={"public_id": CAMPAIGN_ID})
    client.force_login(cast.sophie)
    cold()
    with query_budget(9):
        response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    family = pdf_text(response.content)
    assert "17:00" in family and "Bernard" in family and "B12" in family
    # The teacher's own schedule as a PDF: the family he meets at 17:00.
    client.force_login(cast.bernard)
    response = client.get(pdf_url)
    assert response["Content-Type"] == "application/pdf"
    teacher = pdf_text(response.content)
    assert "17:00" in teacher and "Léa" in teacher and "Sophie Martin" in teacher


def test_board_budget_does_not_grow(cast: Any, client: Any) -> None:
    booking = booked_evening(cast)
    url = reverse("meetings:board", kwargs={"public_id": CAMPAIGN_ID})
    client.force_login(cast.principal_moulin)
    # The page's 5 (the head has no children), the campaign, the slots, their bookings.
    cold()
    with query_budget(8):
        page = text(client.get(url))
    assert "1 rendez-vous sur 15 créneaux." in page
    actions.do_book(
        actor=cast.karim,
        campaign=booking.campaign,
        slot=slot_at(booking.campaign, cast.garcia, "17:00"),
        student=cast.noah,
    )
    cold()
    with query_budget(8):
        page = text(client.get(url))
    assert "2 rendez-vous sur 15 créneaux." in page and "Leroy Noah" in page
    client.force_login(cast.garcia)
    assert client.get(url).status_code == 200
    client.force_login(cast.sophie)
    assert client.get(url).status_code == 404


# -- home panel ----------------------------------------------------------------------------------


def test_home_panels(cast: Any, client: Any) -> None:
    evening_with_ranges(cast)
    client.force_login(cast.karim)
    page = text(client.get(reverse("portal:home")))
    assert "réservez vos rendez-vous avant le" in page
    client.force_login(cast.bernard)
    page = text(client.get(reverse("portal:home")))
    assert "Aucune famille n'a encore réservé." in page
    # A booking shows at once, on both sides, though the panels are cached.
    campaign = Campaign.objects.get()
    actions.do_book(
        actor=cast.karim,
        campaign=campaign,
        slot=slot_at(campaign, cast.bernard, "17:30"),
        student=cast.noah,
    )
    page = text(client.get(reverse("portal:home")))
    assert "17:30 · Leroy Noah" in page
    client.force_login(cast.karim)
    page = text(client.get(reverse("portal:home")))
    assert "Prochains rendez-vous pour Noah" in page and "Marc Bernard" in page


def test_form_and_overseer_budgets(cast: Any, client: Any) -> None:
    evening_with_ranges(cast)
    client.force_login(cast.principal_moulin)
    # Who is asking (4: account, year, memberships, services), the classes and the levels.
    cold()
    with query_budget(6):
        page = text(client.get(reverse("meetings:create")))
    assert "4e B" in page and "3e A" in page
    # Who is asking (4), the children (none), the campaign, the head's ranges (she may host:
    # school life).
    cold()
    with query_budget(7):
        page = text(client.get(detail_url()))
    assert "Tableau des rendez-vous" in page and "Mes disponibilités" in page
