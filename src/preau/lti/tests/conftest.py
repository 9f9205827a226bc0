from __future__ import annotations

from typing import Any

import pytest

from preau.directory.models import TeachingAssignment
from preau.lti.actions import do_place_tool, do_register_tool
from preau.lti.tests.peers import ISSUER, TOOL, Tool, new_key


@pytest.fixture(autouse=True)
def _issuer(settings: Any) -> None:
    settings.PORTAL_URL = ISSUER
    settings.ALLOWED_HOSTS = ["testserver", "preau.test"]


@pytest.fixture(scope="session")
def tool_keys() -> tuple[str, str]:
    return new_key()


@pytest.fixture
def lti_tool(cast: Any, tool_keys: tuple[str, str]) -> Any:
    return do_register_tool(
        actor=cast.principal_moulin,
        name="Exerciseur",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        deep_linking_url=f"{TOOL}/pick",
        public_key=tool_keys[1],
        nrps_enabled=True,
        ags_enabled=True,
        establishment=cast.moulin,
    )


@pytest.fixture
def peer(lti_tool: Any, tool_keys: tuple[str, str]) -> Tool:
    return Tool(lti_tool.client_id, lti_tool.deployment_id, *tool_keys)


def bernard_4b(cast: Any) -> Any:
    return TeachingAssignment.objects.get(teacher=cast.bernard, school_class=cast.class_4b)


@pytest.fixture
def placement(cast: Any, lti_tool: Any) -> Any:
    from preau.core.actor import Actor

    return do_place_tool(
        actor=Actor(cast.bernard),
        tool=lti_tool,
        assignment=bernard_4b(cast),
        title="Fractions",
        custom={"chapter": "3"},
    )
