"""Every drop box page runs a fixed number of queries, whatever the data."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from preau.core.testing import query_budget
from preau.directory.models import Enrolment
from preau.dropbox.actions import do_hand_in
from preau.dropbox.demo import pdf_upload
from preau.dropbox.models import DropBox
from preau.dropbox.tests.helpers import BOX_ID, box_with_correction

pytestmark = pytest.mark.django_db
User = get_user_model()


def noah_id() -> Any:
    return User.objects.get(username="eleve.noah").public_id


# Each: who, the URL, and the queries once the school year and the services are cached (the
# budget drops the cached directory): the person and their memberships (2), then the page's own.
PAGES = [
    # groups and enrolment (2), her drop boxes counted and listed for the pagination (2)
    ("noah", lambda: reverse("dropbox:index"), 6),
    # groups, enrolment and children (3), the drop box, « his class? », his hand-in and its
    # files (4)
    ("noah", lambda: reverse("dropbox:detail", args=[BOX_ID]), 9),
    # children and their enrolments (2), the child's drop boxes counted and listed (2)
    ("karim", lambda: reverse("dropbox:index"), 6),
    # children and enrolments (2), the drop box, the child, the hand-in and its files (4)
    ("karim", lambda: reverse("dropbox:detail", args=[BOX_ID]), 8),
    # teaching assignments (1), her drop boxes counted and listed (2)
    ("garcia", lambda: reverse("dropbox:index"), 5),
    # children (1), the drop box, the students, their hand-ins and files (4), « seen » (1)
    ("garcia", lambda: reverse("dropbox:detail", args=[BOX_ID]), 8),
    # the drop box, the student, their hand-in, its files, the corrections offered for
    # removal (5)
    ("garcia", lambda: reverse("dropbox:student", args=[BOX_ID, noah_id()]), 7),
    # the establishment's drop boxes counted and listed (2)
    ("principal_moulin", lambda: reverse("dropbox:index"), 4),
    # children (1), the drop box, the students, hand-ins and files (4)
    ("principal_moulin", lambda: reverse("dropbox:detail", args=[BOX_ID]), 7),
]


def more_work(cast: Any, count: int) -> None:
    """``count`` more students in 4e B, every other one with a hand-in."""
    box = DropBox.objects.get(public_id=BOX_ID)
    year = cast.class_4b.school_year
    for number in range(count):
        student = User.objects.create(username=f"eleve.budget{number}", last_name=f"B{number}")
        Enrolment.objects.create(
            establishment=cast.moulin, school_year=year, student=student, school_class=cast.class_4b
        )
        if number % 2:
            do_hand_in(actor=student, box=box, files=[pdf_upload(f"b{number}.pdf", "B")])


@pytest.mark.parametrize(
    ("who", "url", "expected"),
    PAGES,
    # Stable ids (a lambda's repr changes between processes, which parallel runs refuse).
    ids=[f"{who}-{number}" for number, (who, _, _) in enumerate(PAGES)],
)
def test_page_budget(cast: Any, client: Any, who: str, url: Any, expected: int) -> None:
    box_with_correction(cast)
    client.force_login(getattr(cast, who))
    target = url()
    client.get(target)  # the school year and the services, cached per process
    with query_budget(expected):
        assert client.get(target).status_code == 200
    more_work(cast, 25)
    with query_budget(expected):
        assert client.get(target).status_code == 200
