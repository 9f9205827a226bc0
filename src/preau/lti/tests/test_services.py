"""Deep linking, the roster (NRPS) and grades (AGS), with pylti1p3 as the tool: it builds the
deep linking response and calls the services with a token obtained by a signed assertion."""

from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.exception import LtiServiceException
from pylti1p3.grade import Grade
from pylti1p3.lineitem import LineItem

from preau.core.testing import query_budget
from preau.grades.models import Mark
from preau.lti import keys, protocol
from preau.lti.models import LtiPlacement
from preau.lti.tests.conftest import bernard_4b
from preau.lti.tests.peers import TOOL, form_post, path_of

pytestmark = pytest.mark.django_db


def open_tool(client: Any, peer: Any, url: str) -> Any:
    response = client.get(url)
    assert response.status_code == 302
    authorize = peer.login(response["Location"])
    response = client.get(path_of(authorize), secure=True)
    assert response.status_code == 200, response.content
    return peer.launch(*form_post(response))


def deep_linking(cast: Any, client: Any, peer: Any, lti_tool: Any) -> Any:
    client.force_login(cast.bernard)
    url = reverse("lti:deep_linking", args=[bernard_4b(cast).public_id, lti_tool.public_id])
    message = open_tool(client, peer, url)
    assert message.is_deep_link_launch()
    return message.get_deep_link()


def picked(title: str, *, graded: bool = False) -> DeepLinkResource:
    resource = (
        DeepLinkResource()
        .set_url(f"{TOOL}/exercises/{title.lower()}")
        .set_title(title)
        .set_custom_params({"level": "4e"})
    )
    if graded:
        resource.set_lineitem(
            LineItem().set_score_maximum(10).set_label(f"{title} (outil)").set_tag(title)
        )
    return resource


def test_deep_linking_round_trip_adds_placements(cast, client, peer, lti_tool):
    link = deep_linking(cast, client, peer, lti_tool)
    token = link.get_response_jwt([picked("Fractions", graded=True), picked("Puissances")])
    # The tool's post comes cross-site: no session needed.
    response = Client().post(reverse("lti:deep_linking_return"), {"JWT": token})
    assert response.status_code == 200
    placements = LtiPlacement.objects.filter(assignment=bernard_4b(cast)).order_by("title")
    assert [p.title for p in placements] == ["Fractions", "Puissances"]
    fractions = placements[0]
    assert fractions.url == f"{TOOL}/exercises/fractions"
    assert fractions.custom == {"level": "4e"}
    assert fractions.assessment.scale == Decimal(10)
    assert fractions.assessment.school_class == cast.class_4b
    assert placements[1].assessment is None
    # Used once: the same response again is refused.
    again = Client().post(reverse("lti:deep_linking_return"), {"JWT": token})
    assert again.status_code == 400
    assert LtiPlacement.objects.count() == 2


def test_tampered_deep_linking_response_is_refused(cast, client, peer, lti_tool):
    link = deep_linking(cast, client, peer, lti_tool)
    header, _body, signature = link.get_response_jwt([picked("Fractions")]).split(".")
    other = link.get_response_jwt([picked("Autre")]).split(".")[1]
    response = Client().post(
        reverse("lti:deep_linking_return"), {"JWT": f"{header}.{other}.{signature}"}
    )
    assert response.status_code == 400
    assert "aucun contenu" in response.content.decode()
    assert not LtiPlacement.objects.exists()


def test_expired_deep_linking_response_is_refused(cast, client, peer, lti_tool, time_machine):
    link = deep_linking(cast, client, peer, lti_tool)
    token = link.get_response_jwt([picked("Fractions")])
    time_machine.move_to(timezone.now() + timedelta(hours=2))
    response = Client().post(reverse("lti:deep_linking_return"), {"JWT": token})
    assert response.status_code == 400
    assert not LtiPlacement.objects.exists()


def test_a_student_cannot_add_content(cast, client, lti_tool):
    client.force_login(cast.lea)
    url = reverse("lti:deep_linking", args=[bernard_4b(cast).public_id, lti_tool.public_id])
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("lti:place", args=[bernard_4b(cast).public_id]),
        {f"{bernard_4b(cast).public_id}-tool": str(lti_tool.public_id)},
    )
    assert response.status_code == 404
    assert not LtiPlacement.objects.exists()


def test_tool_reads_the_roster_of_4e_b(cast, client, peer, placement):
    client.force_login(cast.lea)
    message = open_tool(client, peer, reverse("lti:launch", args=[placement.public_id]))
    members = message.get_nrps().get_members()
    learners = {m["name"] for m in members if protocol.ROLE_LEARNER in m["roles"]}
    assert learners == {"Léa Martin", "Noah Leroy"}
    teachers = {m["name"] for m in members if protocol.ROLE_INSTRUCTOR in m["roles"]}
    assert teachers == {"Marc Bernard", "Inès Garcia"}
    assert all("email" not in m for m in members)
    lea = next(m for m in members if m["name"] == "Léa Martin")
    assert lea["user_id"] == protocol.subject(placement.tool, cast.lea)


def service_token(peer: Any, scopes: list[str]) -> str:
    from pylti1p3.service_connector import ServiceConnector

    registration = peer.conf.find_registration_by_issuer(protocol.issuer())
    return ServiceConnector(registration, peer.http).get_access_token(scopes)


def test_roster_query_budget_and_other_placements(cast, peer, placement, lti_tool):
    bearer = {"Authorization": f"Bearer {service_token(peer, [protocol.SCOPE_NRPS])}"}
    url = reverse("lti:memberships", args=[placement.public_id])
    with query_budget(3):
        response = Client().get(url, headers=bearer)
    assert response.status_code == 200
    assert Client().get(url).status_code == 401
    # Another tool's token does not reach this placement.
    from preau.lti.actions import do_register_tool

    other = do_register_tool(
        actor=None,
        name="Autre outil",
        login_url="https://other.example/login",
        launch_url="https://other.example/launch",
        public_key=peer.public_pem,
        nrps_enabled=True,
        establishment=cast.curie,
    )
    from preau.lti.tests.peers import Tool

    stranger = Tool(other.client_id, other.deployment_id, peer.private_pem, peer.public_pem)
    bearer = {"Authorization": f"Bearer {service_token(stranger, [protocol.SCOPE_NRPS])}"}
    assert Client().get(url, headers=bearer).status_code == 404


def test_token_needs_a_signature_of_the_tool(cast, peer, lti_tool):
    from preau.lti.tests.peers import Tool, new_key

    impostor = Tool(lti_tool.client_id, lti_tool.deployment_id, *new_key())
    with pytest.raises(LtiServiceException):
        service_token(impostor, [protocol.SCOPE_NRPS])


def test_tool_posts_a_score_which_becomes_a_mark(cast, client, peer, placement):
    client.force_login(cast.lea)
    message = open_tool(client, peer, reverse("lti:launch", args=[placement.public_id]))
    ags = message.get_ags()
    line_item = ags.find_or_create_lineitem(
        LineItem().set_score_maximum(20).set_label("Fractions").set_tag("fractions")
    )
    placement.refresh_from_db()
    assert placement.assessment.scale == Decimal(20)
    assert line_item.get_id().endswith(f"/lti/ags/{placement.public_id}/lineitem")
    lea = message.get_launch_data()["sub"]
    grade = (
        Grade()
        .set_user_id(lea)
        .set_score_given(7.5)
        .set_score_maximum(10)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp("2026-11-28T10:00:00+00:00")
    )
    ags.put_grade(grade, line_item)
    mark = Mark.objects.get(assessment=placement.assessment, student=cast.lea)
    assert mark.value == Decimal("15.00")
    # The same line item is found again by its tag, not created twice.
    assert ags.find_or_create_lineitem(LineItem().set_tag("fractions").set_score_maximum(20))
    assert LtiPlacement.objects.get(pk=placement.pk).assessment_id == placement.assessment_id


def test_score_for_a_student_of_another_class_is_refused(cast, client, peer, placement):
    client.force_login(cast.lea)
    message = open_tool(client, peer, reverse("lti:launch", args=[placement.public_id]))
    ags = message.get_ags()
    line_item = ags.find_or_create_lineitem(
        LineItem().set_score_maximum(20).set_label("Fractions").set_tag("fractions")
    )
    grade = (
        Grade()
        .set_user_id(protocol.subject(placement.tool, cast.jade))
        .set_score_given(5)
        .set_score_maximum(10)
        .set_activity_progress("Completed")
        .set_grading_progress("FullyGraded")
        .set_timestamp("2026-11-28T10:00:00+00:00")
    )
    with pytest.raises(LtiServiceException) as refused:
        ags.put_grade(grade, line_item)
    assert refused.value.response.status_code == 422
    assert not Mark.objects.exists()


def test_score_above_the_maximum_is_refused(cast, peer, placement):
    from preau.lti.actions import do_create_line_item

    do_create_line_item(placement=placement, data={"scoreMaximum": 20, "label": "Fractions"})
    bearer = {"Authorization": f"Bearer {service_token(peer, [protocol.SCOPE_SCORE])}"}
    score = {
        "userId": protocol.subject(placement.tool, cast.lea),
        "scoreGiven": 12,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
    }
    keys.signing_key()
    response = Client().post(
        reverse("lti:scores", args=[placement.public_id]),
        score,
        content_type="application/vnd.ims.lis.v1.score+json",
        headers=bearer,
    )
    assert response.status_code == 422
    assert not Mark.objects.exists()


def test_score_query_budget(cast, peer, placement):
    from preau.lti.actions import do_create_line_item

    do_create_line_item(placement=placement, data={"scoreMaximum": 20, "label": "Fractions"})
    bearer = {"Authorization": f"Bearer {service_token(peer, [protocol.SCOPE_SCORE])}"}
    url = reverse("lti:scores", args=[placement.public_id])
    # The first mark also schedules the publication and tells the families: measured after.
    # The second: the placement, the class, the closed-year check, the marks and one insert.
    for student, given, budget in ((cast.lea, 8, None), (cast.noah, 4, 10)):
        score = {
            "userId": protocol.subject(placement.tool, student),
            "scoreGiven": given,
            "scoreMaximum": 10,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
        }
        with query_budget(budget) if budget else nullcontext():
            response = Client().post(
                url, score, content_type="application/vnd.ims.lis.v1.score+json", headers=bearer
            )
        assert response.status_code == 204
    marks = dict(Mark.objects.values_list("student__username", "value"))
    assert marks == {"eleve.lea": Decimal("16.00"), "eleve.noah": Decimal("8.00")}


def test_tool_key_set_address_is_fetched_and_kept(cast, peer, monkeypatch):
    import io
    import json

    from jwcrypto import jwk

    from preau.lti.actions import do_register_tool
    from preau.lti.tests.peers import Tool

    public = jwk.JWK.from_pem(peer.public_pem.encode()).export_public(as_dict=True)
    fetched = []

    def urlopen(url: str, timeout: float) -> Any:
        fetched.append((url, timeout))
        return io.BytesIO(json.dumps({"keys": [public]}).encode())

    monkeypatch.setattr(keys.urllib.request, "urlopen", urlopen)
    tool = do_register_tool(
        actor=None,
        name="Outil à jeu de clés",
        login_url=f"{TOOL}/login",
        launch_url=f"{TOOL}/launch",
        jwks_url=f"{TOOL}/jwks",
        nrps_enabled=True,
        establishment=cast.moulin,
    )
    remote = Tool(tool.client_id, tool.deployment_id, peer.private_pem, peer.public_pem)
    assert service_token(remote, [protocol.SCOPE_NRPS])
    assert service_token(remote, [protocol.SCOPE_NRPS, "other"])
    assert fetched == [(f"{TOOL}/jwks", keys.FETCH_TIMEOUT_SECONDS)]
