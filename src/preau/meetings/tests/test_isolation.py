"""Every meetings route that takes an identifier, and who must get a 404 for it.

The evening is 4e B's unless said: another class is a campaign of 3e A only (where Mme Garcia
does not teach and Sophie and Karim have no child); another establishment is the lycée's
people; another family is Karim for Sophie's meeting."""

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.meetings.models import Slot
from preau.meetings.tests.helpers import (
    BOOKING_ID,
    CAMPAIGN_ID,
    RANGE_ID,
    SLOT_ID,
    booked_evening,
    evening_with_ranges,
    make_campaign,
    open_range,
    slot_at,
)

pytestmark = pytest.mark.django_db

ELSEWHERE = ("hugo", "dupont", "principal_curie", "rectorat_versailles")
# Pupils never see the meetings; the lycée's people never see the collège's.
NOT_FAMILIES = ("lea", "jade", *ELSEWHERE)
# The other class's families and the teacher who does not teach it.
OTHER_CLASS = ("sophie", "karim", "garcia", *ELSEWHERE)


def evening_of_3a(cast: Any) -> None:
    campaign = make_campaign(cast, classes=[cast.class_3a])
    open_range(cast, campaign, "bernard", "17:00", "18:00")
    Slot.objects.filter(pk=slot_at(campaign, cast.bernard, "17:00").pk).update(public_id=SLOT_ID)


def _campaign(c: Any) -> dict[str, Any]:
    return {"public_id": CAMPAIGN_ID}


def _range(c: Any) -> dict[str, Any]:
    return {"public_id": CAMPAIGN_ID, "range_id": RANGE_ID}


def _slot(c: Any) -> dict[str, Any]:
    return {"public_id": CAMPAIGN_ID, "slot_id": SLOT_ID}


def _booking(c: Any) -> dict[str, Any]:
    return {"public_id": CAMPAIGN_ID, "booking_id": BOOKING_ID}


RANGE = {"start_time": "18:00", "end_time": "18:30"}

test_isolation = isolation_test(
    [
        # The campaign: its classes' families, their teachers, the direction and school life.
        Isolation("meetings:detail", "sophie", _campaign, NOT_FAMILIES, setup=evening_with_ranges),
        Isolation("meetings:detail", "bernard", _campaign, NOT_FAMILIES, setup=evening_of_3a),
        Isolation(
            "meetings:detail", "principal_moulin", _campaign, OTHER_CLASS, setup=evening_of_3a
        ),
        # Opening a range: the teachers of the classes and school life.
        Isolation(
            "meetings:open_range",
            "garcia",
            _campaign,
            ("sophie", "karim", "lea", *ELSEWHERE),
            method="post",
            data=RANGE,
            owner_status=302,
            setup=evening_with_ranges,
        ),
        Isolation(
            "meetings:open_range",
            "bernard",
            _campaign,
            OTHER_CLASS,
            method="post",
            data=RANGE,
            owner_status=302,
            setup=evening_of_3a,
        ),
        # Removing a range: its host only.
        Isolation(
            "meetings:remove_range",
            "bernard",
            _range,
            ("garcia", "principal_moulin", "cpe_moulin", "sophie", "karim", *ELSEWHERE),
            method="post",
            owner_status=302,
            setup=evening_with_ranges,
        ),
        # Booking: the families of the class, for a teacher of their child.
        Isolation(
            "meetings:book",
            "karim",
            _campaign,
            ("bernard", "principal_moulin", *NOT_FAMILIES),
            method="post",
            data={"slot": str(SLOT_ID)},
            owner_status=302,
            setup=evening_with_ranges,
        ),
        Isolation(
            "meetings:book",
            "bernard",
            _campaign,
            OTHER_CLASS,
            method="post",
            data={"slot": str(SLOT_ID)},
            # M. Bernard is no guardian: he finds nothing to book, like the other class.
            owner_status=404,
            setup=evening_of_3a,
        ),
        # Cancelling a meeting: the child's guardians only.
        Isolation(
            "meetings:cancel_booking",
            "sophie",
            _booking,
            ("karim", "bernard", "garcia", "principal_moulin", *NOT_FAMILIES),
            method="post",
            owner_status=302,
            setup=booked_evening,
        ),
        # Withdrawing a slot: its host only.
        Isolation(
            "meetings:close_slot",
            "bernard",
            _slot,
            ("garcia", "principal_moulin", "cpe_moulin", "sophie", "karim", *ELSEWHERE),
            method="post",
            owner_status=302,
            setup=booked_evening,
        ),
        # Schedules: a family's, a host's.
        Isolation("meetings:schedule", "sophie", _campaign, NOT_FAMILIES, setup=booked_evening),
        Isolation("meetings:schedule", "bernard", _campaign, OTHER_CLASS, setup=evening_of_3a),
        Isolation("meetings:schedule_pdf", "sophie", _campaign, NOT_FAMILIES, setup=booked_evening),
        Isolation("meetings:schedule_pdf", "bernard", _campaign, OTHER_CLASS, setup=evening_of_3a),
        # The board: the teachers of the classes, the direction and school life.
        Isolation(
            "meetings:board",
            "garcia",
            _campaign,
            ("sophie", "karim", *NOT_FAMILIES),
            setup=booked_evening,
        ),
        Isolation("meetings:board", "bernard", _campaign, OTHER_CLASS, setup=evening_of_3a),
    ]
)
