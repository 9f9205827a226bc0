"""The demo drop boxes build, once, with hand-ins on time, late and returned."""

from typing import Any

import pytest

from preau.dropbox import demo
from preau.dropbox.models import DropBox, Submission
from preau.dropbox.selectors import roster

pytestmark = pytest.mark.django_db


def test_demo_builds_once(cast: Any) -> None:
    demo.build(cast)
    demo.build(cast)
    essay = DropBox.objects.get(title=demo.ESSAY)
    reading = DropBox.objects.get(title=demo.READING)
    assert DropBox.objects.count() == 2
    statuses = {row.student.username: row.status for row in roster(essay)}
    assert statuses["eleve.noah"] == "pending"
    assert "returned" in statuses.values()
    assert "late" in {row.status for row in roster(reading)}
    returned = Submission.objects.get(drop_box=essay, returned_at__isnull=False)
    assert returned.feedback
    assert returned.files.filter(role="correction").exists()
