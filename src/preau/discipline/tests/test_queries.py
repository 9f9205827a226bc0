"""Query budgets: each page costs the same whatever the number of records."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import query_budget
from preau.directory.models import SchoolYear
from preau.discipline.models import (
    Incident,
    IncidentCategory,
    Involvement,
    Kind,
    Measure,
    Role,
)
from preau.discipline.tests.helpers import build, noah_detention

pytestmark = pytest.mark.django_db


def add_records(cast: Any, count: int) -> None:
    """``count`` more detentions (Noah, Jade, Léa in turn) and incidents with two students."""
    year = SchoolYear.current()
    today = timezone.localdate()
    students = [cast.noah, cast.jade, cast.lea]
    category = IncidentCategory.objects.filter(establishment=cast.moulin).first()
    Measure.objects.bulk_create(
        Measure(
            establishment=cast.moulin,
            school_year=year,
            student=students[i % 3],
            kind=Kind.DETENTION,
            reason=f"Motif {i}",
            decided_by=cast.bernard,
            decided_on=today,
            detention_date=today,
            start_time=timezone.datetime(2000, 1, 1, 16).time(),
            end_time=timezone.datetime(2000, 1, 1, 17).time(),
            place="Permanence",
            supervisor=cast.cpe_moulin,
            family_text="Retenue",
            published_at=timezone.now(),
        )
        for i in range(count)
    )
    incidents = Incident.objects.bulk_create(
        Incident(
            establishment=cast.moulin,
            school_year=year,
            category=category,
            description=f"Incident {i}",
            occurred_at=timezone.now() - timedelta(hours=i + 1),
            reported_by=cast.cpe_moulin,
        )
        for i in range(count)
    )
    Involvement.objects.bulk_create(
        Involvement(establishment=cast.moulin, incident=incident, student=s, role=Role.AUTHOR)
        for i, incident in enumerate(incidents)
        for s in (students[i % 3], students[(i + 1) % 3])
    )


# Each page: who reads it, its URL, and its budget (the same for 2 and 30 more records).
PAGES = [
    ("cpe_moulin", lambda c: reverse("discipline:establishment"), 6),
    ("bernard", lambda c: reverse("discipline:mine"), 5),
    ("cpe_moulin", lambda c: reverse("discipline:incidents"), 5),
    ("garcia", lambda c: reverse("discipline:incidents"), 7),
    ("cpe_moulin", lambda c: reverse("discipline:student", args=[c.noah.public_id]), 7),
    ("bernard", lambda c: reverse("discipline:student", args=[c.noah.public_id]), 9),
    ("karim", lambda c: reverse("discipline:child", args=[c.noah.public_id]), 6),
    ("noah", lambda c: reverse("discipline:index"), 4),
    ("karim", lambda c: reverse("discipline:measure", args=[noah_detention(c).public_id]), 5),
]


@pytest.mark.parametrize(
    ("user", "url", "budget"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)]
)
def test_pages_cost_the_same_whatever_the_records(
    cast: Any, client: Any, user: str, url: Any, budget: int
) -> None:
    build(cast)
    client.force_login(getattr(cast, user))
    address = url(cast)
    client.get(address)  # the process-wide caches (school year, services) are warm
    for more in (2, 30):
        add_records(cast, more)
        with query_budget(budget):
            response = client.get(address)
        assert response.status_code == 200


# The whole home page, every service's panel included (see portal's own budget tests).
@pytest.mark.parametrize(("user", "budget"), [("cpe_moulin", 17), ("karim", 20)])
def test_the_home_panels_cost_the_same(cast: Any, client: Any, user: str, budget: int) -> None:
    build(cast)
    client.force_login(getattr(cast, user))
    client.get(reverse("portal:home"))
    for more in (2, 30):
        add_records(cast, more)
        with query_budget(budget):
            assert client.get(reverse("portal:home")).status_code == 200
