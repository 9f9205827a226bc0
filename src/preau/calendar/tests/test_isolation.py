"""Every calendar, event and feed URL: another family, class or establishment gets a 404."""

import base64
import uuid
from typing import Any

import pytest
from django.urls import reverse

from preau.calendar import actions
from preau.calendar.models import Calendar, Event, FeedToken
from preau.calendar.tests.conftest import add
from preau.core.testing import Isolation, isolation_test
from preau.demo.cast import DEMO_PASSWORD

pytestmark = pytest.mark.django_db

CLASS_EVENT = uuid.UUID("00000000-0000-4000-8000-00000000ca01")
GUARDIAN_EVENT = uuid.UUID("00000000-0000-4000-8000-00000000ca02")
PERSONAL_EVENT = uuid.UUID("00000000-0000-4000-8000-00000000ca03")
CLASS_CALENDAR = uuid.UUID("00000000-0000-4000-8000-00000000cc01")
PERSONAL_CALENDAR = uuid.UUID("00000000-0000-4000-8000-00000000cc02")
CURIE_CALENDAR = uuid.UUID("00000000-0000-4000-8000-00000000cc03")
LEA_FEED = uuid.UUID("00000000-0000-4000-8000-00000000cf01")


def setup(cast: Any) -> None:
    """4e B's calendar with an event, an establishment event for guardians, Bernard's personal
    calendar with an event, Curie's calendar, and Léa's feed of 4e B."""
    class_calendar = actions.shared_calendar(establishment=cast.moulin, school_class=cast.class_4b)
    Calendar.objects.filter(pk=class_calendar.pk).update(public_id=CLASS_CALENDAR)
    Event.objects.filter(pk=add(cast.bernard, class_calendar, "Sortie").pk).update(
        public_id=CLASS_EVENT
    )
    moulin = actions.shared_calendar(establishment=cast.moulin)
    guardians = add(cast.principal_moulin, moulin, "Réunion", profiles=["National_TUT"])
    Event.objects.filter(pk=guardians.pk).update(public_id=GUARDIAN_EVENT)
    personal = actions.ensure_personal_calendar(actor=cast.bernard, establishment=cast.moulin)
    Calendar.objects.filter(pk=personal.pk).update(public_id=PERSONAL_CALENDAR)
    Event.objects.filter(pk=add(cast.bernard, personal, "Dentiste").pk).update(
        public_id=PERSONAL_EVENT
    )
    curie = actions.shared_calendar(establishment=cast.curie)
    Calendar.objects.filter(pk=curie.pk).update(public_id=CURIE_CALENDAR)
    feed = actions.do_issue_feed(actor=cast.lea, calendar=class_calendar)
    FeedToken.objects.filter(pk=feed.pk).update(public_id=LEA_FEED)


def ids(**values: Any) -> Any:
    return lambda _cast: values


OTHERS = ("jade", "hugo", "dupont", "principal_curie")

test_isolation = isolation_test(
    [
        # A class event: its class, guardians and teachers; not another class, family or school.
        Isolation("calendar:event", "lea", ids(public_id=CLASS_EVENT), OTHERS, setup=setup),
        Isolation("calendar:event", "karim", ids(public_id=CLASS_EVENT), OTHERS, setup=setup),
        # An establishment event for guardians: not the students, not another school.
        Isolation(
            "calendar:event",
            "sophie",
            ids(public_id=GUARDIAN_EVENT),
            ("lea", "jade", "principal_curie", "hugo"),
            setup=setup,
        ),
        # A personal event: its owner only, not even the head.
        Isolation(
            "calendar:event",
            "bernard",
            ids(public_id=PERSONAL_EVENT),
            ("garcia", "principal_moulin", "lea", "dupont"),
            setup=setup,
        ),
        Isolation(
            "calendar:event_edit",
            "garcia",
            ids(public_id=CLASS_EVENT),
            ("lea", "sophie", "jade", "dupont", "principal_curie"),
            setup=setup,
        ),
        Isolation(
            "calendar:event_delete",
            "bernard",
            ids(public_id=PERSONAL_EVENT),
            ("garcia", "principal_moulin", "dupont"),
            setup=setup,
        ),
        Isolation(
            "calendar:calendar",
            "noah",
            ids(public_id=CLASS_CALENDAR),
            ("jade", "hugo", "dupont"),
            setup=setup,
        ),
        Isolation(
            "calendar:calendar",
            "hugo",
            ids(public_id=CURIE_CALENDAR),
            ("lea", "karim", "principal_moulin"),
            setup=setup,
        ),
        Isolation(
            "calendar:calendar_edit",
            "bernard",
            ids(public_id=PERSONAL_CALENDAR),
            ("garcia", "principal_moulin", "dupont"),
            setup=setup,
        ),
        Isolation(
            "calendar:calendar_delete",
            "bernard",
            ids(public_id=PERSONAL_CALENDAR),
            ("garcia", "principal_moulin", "dupont"),
            setup=setup,
        ),
        Isolation(
            "calendar:calendar_feed",
            "lea",
            ids(public_id=CLASS_CALENDAR),
            ("jade", "hugo", "dupont"),
            method="post",
            owner_status=302,
            setup=setup,
        ),
        # A feed address with a forged secret: nobody, not even the reader, gets anything.
        Isolation(
            "calendar:feed",
            "lea",
            ids(public_id=LEA_FEED, token="A" * 43),
            ("jade", "sophie"),
            owner_status=404,
            anonymous_status=404,
            setup=setup,
        ),
    ]
)


# -- CalDAV: HTTP Basic instead of a session ---------------------------------------------

DAV_CASES = [
    Isolation(
        "caldav:collection",
        "bernard",
        ids(public_id=PERSONAL_CALENDAR),
        ("garcia", "principal_moulin", "lea", "dupont"),
        method="PROPFIND",
        owner_status=207,
        anonymous_status=401,
        setup=setup,
    ),
    # A class calendar is listed read-only for its people; not for another class or school.
    Isolation(
        "caldav:collection",
        "lea",
        ids(public_id=CLASS_CALENDAR),
        ("jade", "hugo", "dupont", "principal_curie"),
        method="PROPFIND",
        owner_status=207,
        anonymous_status=401,
        setup=setup,
    ),
    Isolation(
        "caldav:resource",
        "bernard",
        lambda cast: {
            "public_id": PERSONAL_CALENDAR,
            "resource": Event.objects.get(public_id=PERSONAL_EVENT).resource,
        },
        ("garcia", "principal_moulin", "lea", "dupont"),
        method="GET",
        anonymous_status=401,
        setup=setup,
    ),
]


def basic(person: Any) -> str:
    return "Basic " + base64.b64encode(f"{person.username}:{DEMO_PASSWORD}".encode()).decode()


@pytest.mark.parametrize("case", DAV_CASES, ids=str)
def test_caldav_isolation(case: Isolation, cast: Any, client: Any) -> None:
    case.setup(cast)
    url = reverse(case.route, kwargs={k: str(v) for k, v in case.kwargs(cast).items()})

    def call(**headers: Any) -> Any:
        return client.generic(case.method, url, HTTP_DEPTH="0", **headers)

    assert call().status_code == case.anonymous_status
    owner = getattr(cast, case.owner)
    assert call(HTTP_AUTHORIZATION=basic(owner)).status_code == case.owner_status
    for name in case.refused:
        response = call(HTTP_AUTHORIZATION=basic(getattr(cast, name)))
        assert response.status_code == 404, f"{name} got {response.status_code}"
