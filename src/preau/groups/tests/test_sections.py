"""Sections that other services add to a workspace's page: the drive's shared folder and the
agenda's next events."""

from typing import Any

import pytest
from django.urls import reverse

from preau.calendar import demo as calendar_demo
from preau.calendar.models import Event
from preau.core.testing import query_budget
from preau.drive import demo as drive_demo
from preau.drive.models import Node, Space
from preau.groups import sections
from preau.groups.models import Role, WorkspaceMember
from preau.groups.tests.helpers import CLUB_ID, club, opened

pytestmark = pytest.mark.django_db


def test_sections_come_in_order_and_only_when_they_have_something(
    cast: Any, monkeypatch: Any
) -> None:
    monkeypatch.setattr(sections, "_sections", {})
    sections.register(
        sections.Section(
            "calendar", "x/calendar.html", lambda a, w: {"role": w.membership.role}, 20
        )
    )
    sections.register(sections.Section("drive", "x/drive.html", lambda a, w: {"files": []}, 10))
    sections.register(sections.Section("hidden", "x/hidden.html", lambda a, w: None, 5))
    noah, workspace = opened(cast.noah, club(cast))
    assert sections.for_workspace(noah, workspace) == [
        {"template": "x/drive.html", "section": {"files": []}},
        {"template": "x/calendar.html", "section": {"role": "member"}},
    ]
    with pytest.raises(ValueError):
        sections.register(sections.Section("drive", "other.html", lambda a, w: None))


def _demo(cast: Any) -> None:
    club(cast)
    drive_demo.build(cast)
    calendar_demo.build(cast)


def test_the_page_shows_the_shared_files_and_the_next_events(cast: Any, client: Any) -> None:
    _demo(cast)
    url = reverse("groups:detail", args=[CLUB_ID])
    client.force_login(cast.noah)
    client.get(url)
    # The same 12 queries as an empty workspace's page (groups/tests/test_forum.py).
    with query_budget(12):
        page = client.get(url).content.decode()
    for shown in (
        "Dossier partagé",
        "Répartition des rôles.txt",
        "Affiche de la représentation.png",
        "Répétition générale",
        "Représentation du club théâtre",
        reverse("drive:group", args=[CLUB_ID]),
        "Ajouter un événement",
    ):
        assert shown in page, shown
    # A reader opens the folder and the agenda, and is offered no way to add to them.
    WorkspaceMember.objects.filter(person=cast.noah).update(role=Role.READER)
    page = client.get(url).content.decode()
    assert "Ouvrir le dossier" in page and "Ajouter un événement" not in page


def test_the_demo_builds_once(cast: Any) -> None:
    _demo(cast)
    counts = (Node.objects.count(), Space.objects.count(), Event.objects.count())
    _demo(cast)
    assert (Node.objects.count(), Space.objects.count(), Event.objects.count()) == counts
    files = Node.objects.filter(kind="file", space__workspace__isnull=False)
    by_workspace = {
        name: files.filter(space__workspace__name=name).count()
        for name in ("Club théâtre", "Conseil pédagogique")
    }
    assert by_workspace == {"Club théâtre": 3, "Conseil pédagogique": 1}
    assert Event.objects.filter(calendar__workspace__name="Club théâtre").count() == 2
