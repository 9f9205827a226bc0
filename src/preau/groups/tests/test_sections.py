"""Sections that other services add to a workspace's page."""

from typing import Any

import pytest

from preau.groups import sections
from preau.groups.tests.helpers import club, opened

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
