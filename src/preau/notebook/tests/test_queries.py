"""Query budgets: each page costs the same whatever the number of entries."""

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import log_in_with_second_factor, query_budget
from preau.directory.models import SchoolYear
from preau.notebook.models import Attachment, Entry, Kind, Reply, Signature
from preau.notebook.tests.helpers import build, lea_request, noah_observation, trip

pytestmark = pytest.mark.django_db


def add_entries(cast: Any, count: int) -> None:
    """``count`` more entries for Noah and Léa in turn (half signed, each with a file), a class
    send of ``count`` more, and as many family messages with a reply."""
    year = SchoolYear.current()
    now = timezone.now()
    students = [cast.noah, cast.lea]
    guardians = {cast.noah.pk: cast.karim, cast.lea.pk: cast.sophie}
    batch = trip(cast, cast.noah).batch
    entries = Entry.objects.bulk_create(
        Entry(
            establishment=cast.moulin,
            school_year=year,
            student=students[i % 2],
            author=cast.garcia,
            kind=Kind.AUTHORISATION if i % 3 == 0 else Kind.INFORMATION,
            title=f"Mot {i}",
            text="Texte",
            question="Oui ?" if i % 3 == 0 else "",
            answer_by=now + timezone.timedelta(days=3) if i % 3 == 0 else None,
            batch=batch if i % 4 == 0 else None,
            audience="4e B",
            signed_at=now if i % 2 == 0 else None,
            created_at=now,
        )
        for i in range(count)
    )
    Signature.objects.bulk_create(
        Signature(
            establishment=cast.moulin, entry=e, guardian=guardians[e.student_id], signed_at=now
        )
        for e in entries
        if e.signed_at
    )
    Attachment.objects.bulk_create(
        Attachment(
            establishment=cast.moulin,
            entry=e,
            file="notebook/x.pdf",
            original_name="x.pdf",
            size=10,
            content_type="application/pdf",
        )
        for e in entries
    )
    requests = Entry.objects.bulk_create(
        Entry(
            establishment=cast.moulin,
            school_year=year,
            student=students[i % 2],
            author=guardians[students[i % 2].pk],
            kind=Kind.REQUEST,
            title=f"Demande {i}",
            text="Texte",
            recipient="head_teacher",
            addressed_to=cast.bernard,
            created_at=now,
        )
        for i in range(count)
    )
    Reply.objects.bulk_create(
        Reply(establishment=cast.moulin, entry=e, author=cast.bernard, text="Oui", created_at=now)
        for e in requests
    )


def _noah(c: Any) -> list[Any]:
    return [c.noah.public_id]


# Each page: who reads it, its URL, and its budget (the same for 2 and 30 more entries). Every
# page first reads the account, its memberships and (families) the children and their
# enrolments; a teacher's pages their teaching assignments.
PAGES = [
    # The count and the page of entries, their signatures and their files.
    ("karim", lambda c: reverse("notebook:student", args=_noah(c)), 8),
    ("noah", lambda c: reverse("notebook:student", args=_noah(c)), 7),
    ("bernard", lambda c: reverse("notebook:student", args=_noah(c)), 9),
    # The entries, their signatures and their files.
    ("karim", lambda c: reverse("notebook:print", args=_noah(c)), 7),
    # The entry, its signatures, files and thread.
    ("karim", lambda c: reverse("notebook:entry", args=[noah_observation(c).public_id]), 8),
    ("bernard", lambda c: reverse("notebook:entry", args=[lea_request(c).public_id]), 7),
    # The send's entries, their signatures and the students' legal guardians.
    ("garcia", lambda c: reverse("notebook:batch", args=[trip(c, c.noah).batch]), 5),
    # The sends (one grouped query) and the families' messages.
    ("bernard", lambda c: reverse("notebook:index"), 6),
    ("cpe_moulin", lambda c: reverse("notebook:index"), 5),
    # The choices: students, classes, groups, measures.
    ("bernard", lambda c: reverse("notebook:write"), 6),
    ("sophie", lambda c: reverse("notebook:ask"), 4),
    ("principal_moulin", lambda c: reverse("notebook:settings", args=[c.moulin.public_id]), 5),
]


@pytest.mark.parametrize(
    ("user", "url", "budget"), PAGES, ids=[f"{p[0]}-{i}" for i, p in enumerate(PAGES)]
)
def test_pages_cost_the_same_whatever_the_entries(
    cast: Any, client: Any, user: str, url: Any, budget: int
) -> None:
    build(cast)
    if url(cast).startswith("/notebook/establishments/"):  # administration: second factor
        log_in_with_second_factor(client, getattr(cast, user))
    else:
        client.force_login(getattr(cast, user))
    address = url(cast)
    client.get(address)  # the process-wide caches (school year, services) are warm
    for more in (2, 30):
        add_entries(cast, more)
        with query_budget(budget):
            response = client.get(address)
        assert response.status_code == 200


def test_the_pdf_costs_the_same(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.karim)
    address = reverse("notebook:pdf", args=_noah(cast))
    client.get(address)
    for more in (2, 30):
        add_entries(cast, more)
        with query_budget(7):
            response = client.get(address)
        assert response.content.startswith(b"%PDF-")


def test_the_guardians_home_costs_the_same(cast: Any, client: Any) -> None:
    """The whole home page, every service's panel included (see portal's own budget tests)."""
    build(cast)
    client.force_login(cast.karim)
    client.get(reverse("portal:home"))
    for more in (2, 30):
        add_entries(cast, more)
        with query_budget(20):
            assert client.get(reverse("portal:home")).status_code == 200
