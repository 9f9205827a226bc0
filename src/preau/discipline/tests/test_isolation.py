"""Every discipline route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.discipline.tests.helpers import build, jade_warning, noah_detention, quarrel

pytestmark = pytest.mark.django_db

# Noah's detention: not another family, not a classmate, not another establishment.
NOT_NOAHS = ("sophie", "lea", "jade", "hugo", "dupont", "principal_curie")
# Staff pages: never students or guardians, nor another establishment's staff.
NOT_STAFF = ("noah", "lea", "karim", "sophie", "hugo", "dupont", "principal_curie")


def _detention(c: Any) -> dict[str, Any]:
    return {"public_id": noah_detention(c).public_id}


def _warning(c: Any) -> dict[str, Any]:
    return {"public_id": jade_warning(c).public_id}


def _incident(c: Any) -> dict[str, Any]:
    return {"public_id": quarrel(c).public_id}


def _noah(c: Any) -> dict[str, Any]:
    return {"student_id": c.noah.public_id}


def _jade(c: Any) -> dict[str, Any]:
    return {"student_id": c.jade.public_id}


test_isolation = isolation_test(
    [
        Isolation("discipline:measure", "karim", _detention, NOT_NOAHS, setup=build),
        Isolation("discipline:measure", "noah", _detention, NOT_NOAHS, setup=build),
        Isolation("discipline:measure", "bernard", _detention, NOT_NOAHS, setup=build),
        # Jade's sanction: not a teacher of another class (Garcia does not teach 3e A).
        Isolation(
            "discipline:measure",
            "jade",
            _warning,
            ("garcia", "noah", "karim", "sophie", "hugo", "principal_curie"),
            setup=build,
        ),
        Isolation(
            "discipline:measure_edit", "bernard", _detention, (*NOT_STAFF, "jade"), setup=build
        ),
        Isolation("discipline:measure_cancel", "cpe_moulin", _detention, NOT_STAFF, setup=build),
        Isolation(
            "discipline:measure_publish",
            "bernard",
            _detention,
            NOT_STAFF,
            method="post",
            owner_status=302,
            setup=build,
        ),
        Isolation(
            "discipline:acknowledge",
            "karim",
            _detention,
            ("sophie", "noah", "lea", "bernard", "cpe_moulin", "principal_curie"),
            method="post",
            owner_status=302,
            setup=build,
        ),
        Isolation("discipline:incident", "garcia", _incident, (*NOT_STAFF, "jade"), setup=build),
        Isolation(
            "discipline:incident_edit",
            "bernard",
            _incident,
            (*NOT_STAFF, "garcia"),
            setup=build,
        ),
        Isolation("discipline:student", "bernard", _noah, NOT_STAFF, setup=build),
        Isolation(
            "discipline:student",
            "principal_moulin",
            _jade,
            ("garcia", "jade", "karim", "sophie", "dupont", "principal_curie"),
            setup=build,
        ),
        Isolation(
            "discipline:child",
            "karim",
            _noah,
            ("sophie", "noah", "lea", "bernard", "cpe_moulin", "principal_curie"),
            setup=build,
        ),
    ]
)
