"""Registering LTI tools (console, command), the teachers' page, and the platform's keys."""

from __future__ import annotations

import uuid
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.lti import keys
from preau.lti.actions import do_register_tool
from preau.lti.models import LtiPlacement, LtiTool, PlatformKey
from preau.lti.tests.conftest import bernard_4b
from preau.lti.tests.peers import TOOL

pytestmark = pytest.mark.django_db

TOOL_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000071a1")
NOT_ADMINISTRATORS = ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie", "dupont")
# A head is not an academy administrator, even of an establishment the tool serves.
NOT_ACADEMY = ("principal_moulin", "cpe_moulin", "bernard", "lea", "sophie")
ACADEMY_TOOL_ID = uuid.UUID("5c2b7a8e-0000-4000-8000-0000000071a2")


def school_tool(cast: Any) -> None:
    tool = do_register_tool(
        actor=None,
        name="Exerciseur",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        jwks_url=f"{TOOL}/jwks",
        establishment=cast.moulin,
    )
    LtiTool.objects.filter(pk=tool.pk).update(public_id=TOOL_ID)


def academy_tool(cast: Any) -> None:
    tool = do_register_tool(
        actor=None,
        name="Exerciseur académique",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        jwks_url=f"{TOOL}/jwks",
        academy=cast.moulin.academy,
    )
    LtiTool.objects.filter(pk=tool.pk).update(public_id=ACADEMY_TOOL_ID)


def _academy_tool(c: Any) -> dict[str, Any]:
    return {"tool_id": ACADEMY_TOOL_ID}


def _school(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _tool(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "tool_id": TOOL_ID}


test_isolation = isolation_test(
    [
        Isolation("administration:lti_tools", "principal_moulin", _school, NOT_ADMINISTRATORS),
        Isolation(
            "administration:lti_tool",
            "principal_moulin",
            _tool,
            NOT_ADMINISTRATORS,
            setup=school_tool,
        ),
        Isolation(
            "administration:lti_tool_active",
            "principal_moulin",
            _tool,
            NOT_ADMINISTRATORS,
            method="post",
            data={"active": "1"},
            owner_status=302,
            setup=school_tool,
        ),
        Isolation(
            "administration:academy_lti_tool",
            "rectorat_versailles",
            _academy_tool,
            NOT_ACADEMY,
            setup=academy_tool,
        ),
        Isolation(
            "administration:academy_lti_tool_active",
            "rectorat_versailles",
            _academy_tool,
            NOT_ACADEMY,
            method="post",
            data={"active": "0"},
            owner_status=302,
            setup=academy_tool,
        ),
    ]
)


def test_the_academy_registers_a_tool_for_its_establishments(cast, client, tool_keys):
    log_in_with_second_factor(client, cast.rectorat_versailles)
    url = reverse("administration:academy_lti_tools")
    response = client.post(
        url,
        {
            "academy": cast.moulin.academy_id,
            "name": "Exerciseur académique",
            "login_url": f"{TOOL}/login",
            "launch_url": f"{TOOL}/launch",
            "public_key": tool_keys[1],
            "nrps_enabled": "on",
        },
    )
    tool = LtiTool.objects.get()
    assert response.status_code == 302
    assert tool.academy == cast.moulin.academy and tool.establishment is None
    assert AuditEntry.objects.get(action="lti.tool_registered").academy == cast.moulin.academy
    page = client.get(reverse("administration:academy_lti_tool", args=[tool.public_id]))
    assert tool.client_id in page.content.decode()
    # The person, their academies (twice: the check, the form's choices), the tools, the navigation.
    with query_budget(7):
        listing = client.get(url)
    assert "Exerciseur académique" in listing.content.decode()
    # The establishment's console shows it among the academy's tools, without a link to change it.
    log_in_with_second_factor(client, cast.principal_moulin)
    school_page = client.get(reverse("administration:lti_tools", args=[cast.moulin.public_id]))
    assert "Exerciseur académique" in school_page.content.decode()
    assert client.get(url).status_code == 404


def test_the_academy_cannot_register_for_another_academy(cast, client, tool_keys):
    log_in_with_second_factor(client, cast.rectorat_versailles)
    response = client.post(
        reverse("administration:academy_lti_tools"),
        {
            "academy": cast.curie.academy_id,
            "name": "Exerciseur",
            "login_url": f"{TOOL}/login",
            "launch_url": f"{TOOL}/launch",
            "public_key": tool_keys[1],
        },
    )
    assert response.status_code == 200
    assert not LtiTool.objects.exists()


def test_the_academy_disables_its_tool(cast, client):
    academy_tool(cast)
    log_in_with_second_factor(client, cast.rectorat_versailles)
    url = reverse("administration:academy_lti_tool_active", args=[ACADEMY_TOOL_ID])
    assert client.post(url, {"active": "0"}).status_code == 302
    assert not LtiTool.objects.get(public_id=ACADEMY_TOOL_ID).is_active


def test_console_registers_a_tool(cast, client, tool_keys):
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("administration:lti_tools", args=[cast.moulin.public_id])
    response = client.post(
        url,
        {
            "name": "Exerciseur",
            "login_url": f"{TOOL}/login",
            "launch_url": f"{TOOL}/launch",
            "public_key": tool_keys[1],
            "share_name": "on",
            "ags_enabled": "on",
        },
    )
    tool = LtiTool.objects.get()
    assert response.status_code == 302
    assert tool.establishment == cast.moulin and tool.ags_enabled and not tool.nrps_enabled
    assert tool.redirect_uris == [f"{TOOL}/launch"]
    assert AuditEntry.objects.filter(action="lti.tool_registered").exists()
    page = client.get(
        reverse("administration:lti_tool", args=[cast.moulin.public_id, tool.public_id])
    )
    assert tool.client_id in page.content.decode()
    with query_budget(3, warm=True):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"login_url": "http://tool.example/login"}, "https://"),
        ({"public_key": ""}, "clé publique"),
        ({"public_key": "pas une clé"}, "PEM"),
    ],
)
def test_console_refuses_bad_registrations(cast, client, tool_keys, change, message):
    log_in_with_second_factor(client, cast.principal_moulin)
    data = {
        "name": "Exerciseur",
        "login_url": f"{TOOL}/login",
        "launch_url": f"{TOOL}/launch",
        "public_key": tool_keys[1],
        **change,
    }
    response = client.post(reverse("administration:lti_tools", args=[cast.moulin.public_id]), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not LtiTool.objects.exists()


def test_private_key_is_refused(cast, tool_keys):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="clé privée"):
        do_register_tool(
            actor=None,
            name="Exerciseur",
            login_url=f"{TOOL}/login",
            launch_url=f"{TOOL}/launch",
            public_key=tool_keys[0],
            establishment=cast.moulin,
        )


def test_disabled_tool_no_longer_launches(cast, client, placement):
    log_in_with_second_factor(client, cast.principal_moulin)
    tool = placement.tool
    url = reverse("administration:lti_tool_active", args=[cast.moulin.public_id, tool.public_id])
    assert client.post(url, {"active": "0"}).status_code == 302
    tool.refresh_from_db()
    assert not tool.is_active
    client.force_login(cast.lea)
    assert client.get(reverse("lti:launch", args=[placement.public_id])).status_code == 404


def test_command_adds_lists_and_disables(cast, tmp_path, tool_keys):
    key_file = tmp_path / "tool.pem"
    key_file.write_text(tool_keys[1])
    out = StringIO()
    call_command(
        "lti_tool",
        "add",
        "--establishment",
        cast.moulin.uai,
        "--name",
        "Exerciseur",
        "--login-url",
        f"{TOOL}/login",
        "--launch-url",
        f"{TOOL}/launch",
        "--public-key-file",
        str(key_file),
        "--nrps",
        stdout=out,
    )
    tool = LtiTool.objects.get()
    assert f"client_id\t{tool.client_id}" in out.getvalue()
    assert tool.nrps_enabled and not tool.ags_enabled
    out = StringIO()
    call_command("lti_tool", "list", "--establishment", cast.moulin.uai, stdout=out)
    assert f"{tool.client_id}\t{cast.moulin.uai}\tactive" in out.getvalue()
    call_command("lti_tool", "disable", tool.client_id, stdout=StringIO())
    tool.refresh_from_db()
    assert not tool.is_active
    with pytest.raises(CommandError, match="https"):
        call_command(
            "lti_tool", "add", "--academy", cast.moulin.academy.code, "--name", "X",
            "--login-url", "ftp://x.example/", "--launch-url", f"{TOOL}/launch",
            "--jwks-url", f"{TOOL}/jwks", stdout=StringIO(),
        )  # fmt: skip


def test_key_rotation_keeps_the_old_key_published(client):
    first = keys.signing_key()
    call_command("lti_key", "rotate", stdout=StringIO())
    second = keys.signing_key()
    assert second.kid != first.kid
    published = {k["kid"] for k in client.get(reverse("lti:jwks")).json()["keys"]}
    assert published == {first.kid, second.kid}
    call_command("lti_key", "prune", stdout=StringIO())
    assert list(PlatformKey.objects.values_list("kid", flat=True)) == [second.kid]


def test_teacher_places_a_tool_and_students_see_it(cast, client, lti_tool):
    assignment = bernard_4b(cast)
    client.force_login(cast.bernard)
    page = client.get(reverse("lti:home"))
    assert "Exerciseur" in page.content.decode()
    response = client.post(
        reverse("lti:place", args=[assignment.public_id]),
        {
            f"{assignment.public_id}-tool": str(lti_tool.public_id),
            f"{assignment.public_id}-title": "Quiz",
        },
    )
    assert response.status_code == 302
    placement = LtiPlacement.objects.get()
    assert placement.title == "Quiz" and placement.assignment == assignment
    student = Client()
    student.force_login(cast.lea)
    with query_budget(5):
        page = student.get(reverse("lti:home"))
    assert reverse("lti:launch", args=[placement.public_id]) in page.content.decode()
    student.force_login(cast.jade)
    assert "Quiz" not in student.get(reverse("lti:home")).content.decode()


def test_another_establishments_tool_cannot_be_placed(cast, client):
    other = do_register_tool(
        actor=None,
        name="Outil du lycée",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        jwks_url=f"{TOOL}/jwks",
        establishment=cast.curie,
    )
    assignment = bernard_4b(cast)
    client.force_login(cast.bernard)
    client.post(
        reverse("lti:place", args=[assignment.public_id]),
        {f"{assignment.public_id}-tool": str(other.public_id)},
    )
    assert not LtiPlacement.objects.exists()
    url = reverse("lti:deep_linking", args=[assignment.public_id, other.public_id])
    assert client.get(url).status_code == 404
    # Another teacher's class: 404.
    client.force_login(cast.dupont)
    assert client.post(reverse("lti:place", args=[assignment.public_id])).status_code == 404
