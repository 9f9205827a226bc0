"""Every grades route that takes an identifier, and who must get a 404 for it: a teacher of
another subject, the families, another establishment (and, for writes, the direction, which
only reads)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.directory.models import TeachingAssignment
from preau.grades.actions import record_marks
from preau.grades.models import Assessment
from preau.grades.tests.helpers import actor_for, assessment, monday

pytestmark = pytest.mark.django_db

OTHER_SCHOOL = ("principal_curie", "dupont", "hugo")
FAMILIES = ("lea", "noah", "jade", "sophie", "karim")
TITLE = "Isolation : contrôle"


def _exam(cast: Any) -> None:
    exam = assessment(cast, title=TITLE, day=monday() + timedelta(days=1))
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "12"})


def _exam_id(cast: Any) -> dict[str, Any]:
    return {"public_id": Assessment.objects.get(title=TITLE).public_id}


def _maths_4b(cast: Any) -> dict[str, Any]:
    assignment = TeachingAssignment.objects.get(teacher=cast.bernard, school_class=cast.class_4b)
    return {"public_id": assignment.public_id}


CASES = [
    # The grid: read by the maths teacher, the head teacher and the direction.
    Isolation(
        "grades:grid",
        "bernard",
        _exam_id,
        ("garcia", *FAMILIES, *OTHER_SCHOOL),
        setup=_exam,
    ),
    Isolation(
        "grades:grid",
        "principal_moulin",
        _exam_id,
        ("garcia", *FAMILIES, *OTHER_SCHOOL),
        setup=_exam,
    ),
    Isolation(
        "grades:grid",
        "bernard",
        _exam_id,
        ("garcia", "principal_moulin", "cpe_moulin", *FAMILIES, *OTHER_SCHOOL),
        method="post",
        data={},
        owner_status=302,
        setup=_exam,
    ),
    Isolation(
        "grades:edit",
        "bernard",
        _exam_id,
        ("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        setup=_exam,
    ),
    Isolation(
        "grades:publish",
        "bernard",
        _exam_id,
        ("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        method="post",
        owner_status=302,
        setup=_exam,
    ),
    Isolation(
        "grades:delete",
        "bernard",
        _exam_id,
        ("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        method="post",
        owner_status=302,
        setup=_exam,
    ),
    Isolation(
        "grades:assignment_grid",
        "bernard",
        _maths_4b,
        ("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        setup=_exam,
    ),
    # A class's averages: its head teacher and the direction, not its other teachers.
    Isolation(
        "grades:class",
        "bernard",
        lambda c: {"public_id": c.class_4b.public_id},
        ("garcia", *FAMILIES, *OTHER_SCHOOL),
    ),
    Isolation(
        "grades:class",
        "cpe_moulin",
        lambda c: {"public_id": c.class_3a.public_id},
        # M. Bernard teaches 3e A but is not its head teacher.
        ("bernard", "garcia", *FAMILIES, *OTHER_SCHOOL),
    ),
    Isolation(
        "grades:settings",
        "principal_moulin",
        lambda c: {"public_id": c.moulin.public_id},
        ("cpe_moulin", "bernard", "garcia", *FAMILIES, *OTHER_SCHOOL),
    ),
]

test_isolation = isolation_test(CASES)
