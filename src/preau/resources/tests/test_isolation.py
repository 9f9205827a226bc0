"""Every médiacentre route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.resources.demo import MANUAL_4E
from preau.resources.tests.helpers import build, licence, resource

pytestmark = pytest.mark.django_db

LINK_4B = "GeoGebra : le théorème de Pythagore"
# The 4e manual is licensed to the 4e classes: not to 3e A's Jade, not to guardians, not to
# another establishment's people.
NOT_LICENSED = ("jade", "sophie", "karim", "hugo", "dupont", "principal_curie")
# Console pages: the establishment's head (and academy); not its CPE, a teacher, a student,
# a guardian, nor another establishment's head.
NOT_MANAGERS = ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie", "dupont")


def _manual(c: Any) -> dict[str, Any]:
    return {"public_id": resource(MANUAL_4E).public_id}


def _link(c: Any) -> dict[str, Any]:
    return {"public_id": resource(LINK_4B).public_id}


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _licence(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "licence_id": licence(MANUAL_4E).public_id}


test_isolation = isolation_test(
    [
        Isolation("resources:open", "lea", _manual, NOT_LICENSED, owner_status=302, setup=build),
        Isolation(
            "resources:favourite",
            "lea",
            _manual,
            NOT_LICENSED,
            method="post",
            data={"favourite": "1"},
            owner_status=302,
            setup=build,
        ),
        # A teacher's link: its author only (not a colleague of the same class, nor a student).
        Isolation(
            "resources:delete",
            "bernard",
            _link,
            ("garcia", "lea", "principal_moulin", "dupont"),
            setup=build,
        ),
        Isolation("resources:manage", "principal_moulin", _moulin, NOT_MANAGERS, setup=build),
        Isolation("resources:licence_add", "principal_moulin", _moulin, NOT_MANAGERS, setup=build),
        Isolation(
            "resources:licence_revoke",
            "principal_moulin",
            _licence,
            NOT_MANAGERS,
            method="post",
            owner_status=302,
            setup=build,
        ),
        Isolation("resources:statistics", "principal_moulin", _moulin, NOT_MANAGERS, setup=build),
    ]
)
