"""The teachers' and students' LTI routes: a placement or a teaching assignment is reached by
the class's teacher (and, to launch, its students) only; another class, another family or
another establishment gets a 404."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from django.urls import reverse

from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test
from preau.directory.models import TeachingAssignment
from preau.lti.actions import do_place_tool, do_register_tool
from preau.lti.models import LtiPlacement, LtiTool
from preau.lti.tests.conftest import bernard_4b
from preau.lti.tests.peers import TOOL

pytestmark = pytest.mark.django_db

TOOL_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000071b1")
PLACEMENT_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000071b2")
ASSIGNMENT_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000071b3")
NOT_THE_TEACHER = ("garcia", "lea", "sophie", "principal_curie", "dupont")
NOT_OF_THE_CLASS = ("jade", "hugo", "sophie", "dupont", "principal_curie")


def placed_tool(cast: Any) -> None:
    tool = do_register_tool(
        actor=None,
        name="Exerciseur",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        deep_linking_url=f"{TOOL}/pick",
        jwks_url=f"{TOOL}/jwks",
        establishment=cast.moulin,
    )
    LtiTool.objects.filter(pk=tool.pk).update(public_id=TOOL_ID)
    assignment = bernard_4b(cast)
    TeachingAssignment.objects.filter(pk=assignment.pk).update(public_id=ASSIGNMENT_ID)
    placement = do_place_tool(
        actor=Actor(cast.bernard), tool=tool, assignment=assignment, title="Fractions"
    )
    LtiPlacement.objects.filter(pk=placement.pk).update(public_id=PLACEMENT_ID)


def _placement(c: Any) -> dict[str, Any]:
    return {"placement_id": PLACEMENT_ID}


def _assignment(c: Any) -> dict[str, Any]:
    return {"assignment_id": ASSIGNMENT_ID}


def _assignment_and_tool(c: Any) -> dict[str, Any]:
    return {"assignment_id": ASSIGNMENT_ID, "tool_id": TOOL_ID}


test_isolation = isolation_test(
    [
        Isolation(
            "lti:launch", "lea", _placement, NOT_OF_THE_CLASS, owner_status=302, setup=placed_tool
        ),
        Isolation(
            "lti:deep_linking",
            "bernard",
            _assignment_and_tool,
            NOT_THE_TEACHER,
            owner_status=302,
            setup=placed_tool,
        ),
        Isolation(
            "lti:place",
            "bernard",
            _assignment,
            NOT_THE_TEACHER,
            method="post",
            owner_status=302,
            setup=placed_tool,
        ),
        # The owner's call removes the placement: the refusals are checked before, below.
        Isolation(
            "lti:remove",
            "bernard",
            _placement,
            NOT_THE_TEACHER,
            method="post",
            owner_status=302,
            setup=placed_tool,
        ),
    ]
)


def test_only_the_teacher_removes_a_placement(cast: Any, client: Any) -> None:
    placed_tool(cast)
    url = reverse("lti:remove", kwargs={"placement_id": PLACEMENT_ID})
    for name in ("garcia", "lea", "sophie", "principal_curie"):
        client.force_login(getattr(cast, name))
        assert client.post(url).status_code == 404, name
        assert LtiPlacement.objects.filter(public_id=PLACEMENT_ID).exists()
    client.force_login(cast.bernard)
    assert client.post(url).status_code == 302
    assert not LtiPlacement.objects.filter(public_id=PLACEMENT_ID).exists()
