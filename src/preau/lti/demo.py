"""Demo LTI tool: « Calcul mental » (preau.lti.demotool), registered for the collège and placed
by Marc Bernard in his 4e B maths class, with its column of marks out of 20.

Only when the demo tool is served (``settings.LTI_DEMO_TOOL``). Idempotent: the tool is found
by its establishment and login address, the placement by its class and tool. The tool's key
pair is made here when it does not exist yet (in the data folder); a registration whose public
key no longer matches the key file (the data folder was reset) takes the new one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings

if TYPE_CHECKING:
    from preau.demo.cast import Cast

TOOL_NAME = "Calcul mental"
PLACEMENT_TITLE = "Calcul mental — tables de multiplication"


def build(cast: Cast) -> None:
    if not settings.LTI_DEMO_TOOL:
        return
    from preau.core.actor import Actor
    from preau.directory.models import SchoolYear, TeachingAssignment
    from preau.lti.actions import (
        do_create_line_item,
        do_place_tool,
        do_register_tool,
        do_replace_tool_key,
    )
    from preau.lti.demotool import config, exercises
    from preau.lti.models import LtiPlacement, LtiTool

    login_url = config.address("lti_demo:login")
    launch_url = config.address("lti_demo:launch")
    public_key = config.public_pem()
    tool = LtiTool.objects.filter(establishment=cast.moulin, login_url=login_url).first()
    if tool is None:
        tool = do_register_tool(
            actor=cast.principal_moulin,
            name=TOOL_NAME,
            login_url=login_url,
            launch_url=launch_url,
            deep_linking_url=launch_url,
            public_key=public_key,
            nrps_enabled=True,
            ags_enabled=True,
            establishment=cast.moulin,
        )
    elif tool.public_key.strip() != public_key.strip():
        # The key file was made again (a new data folder): the registration follows it.
        do_replace_tool_key(actor=cast.principal_moulin, tool=tool, public_key=public_key)
    assignment = TeachingAssignment.objects.filter(
        teacher=cast.bernard,
        school_class=cast.class_4b,
        subject__code="061300",
        school_year=SchoolYear.current(),
    ).first()
    if assignment is None or LtiPlacement.objects.filter(tool=tool, assignment=assignment).exists():
        return
    placement = do_place_tool(
        actor=Actor(cast.bernard),
        tool=tool,
        assignment=assignment,
        title=PLACEMENT_TITLE,
        custom={"set": "tables"},
    )
    do_create_line_item(
        placement=placement,
        data={
            "scoreMaximum": exercises.MARKED_OUT_OF,
            "label": PLACEMENT_TITLE,
            "tag": "calcul-mental",
        },
    )
