"""Every skills route that takes an identifier, and who must get a 404 for it: another
family, a teacher of another subject or class, another establishment."""

from __future__ import annotations

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.grades.models import Assessment
from preau.skills.tests.helpers import assessment, column

pytestmark = pytest.mark.django_db

OTHER_SCHOOL = ("principal_curie", "dupont", "hugo")
FAMILIES = ("lea", "noah", "sophie", "karim")


def _assessment(cast: Any) -> dict[str, Any]:
    """Prof. Bernard's maths assessment of 4e B, evaluating one component."""
    found = Assessment.objects.filter(title="Isolation", establishment=cast.moulin).first()
    if found is None:
        found = assessment(cast, "Isolation")
        column(found)
    return {"public_id": found.public_id}


test_isolation = isolation_test(
    [
        Isolation(
            route="skills:assessment",
            owner="bernard",
            kwargs=_assessment,
            # Prof. Garcia teaches French to 4e B, not maths.
            refused=("garcia", *FAMILIES, *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:grid",
            owner="bernard",
            kwargs=_assessment,
            refused=("garcia", *FAMILIES, *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:grid",
            owner="bernard",
            kwargs=_assessment,
            method="post",
            owner_status=302,
            # The head reads the grid but does not enter levels.
            refused=("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:cells",
            owner="bernard",
            kwargs=_assessment,
            method="post",
            refused=("garcia", "principal_moulin", *FAMILIES, *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:student",
            owner="bernard",  # teaches maths to 3e A
            kwargs=lambda c: {"public_id": c.jade.public_id},
            refused=("garcia", "lea", "jade", "sophie", "karim", *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:student",
            owner="cpe_moulin",
            kwargs=lambda c: {"public_id": c.lea.public_id},
            refused=("noah", "karim", "lea", *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:class",
            owner="bernard",
            kwargs=lambda c: {"public_id": c.class_3a.public_id},
            refused=("garcia", "jade", "lea", "sophie", *OTHER_SCHOOL),
        ),
        Isolation(
            route="skills:class",
            owner="principal_moulin",
            kwargs=lambda c: {"public_id": c.class_4b.public_id},
            refused=("lea", "noah", "sophie", *OTHER_SCHOOL),
        ),
    ]
)
