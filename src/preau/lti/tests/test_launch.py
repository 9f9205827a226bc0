"""Resource link launches, checked by pylti1p3 on the tool's side."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from pylti1p3.exception import LtiException

from preau.core.testing import query_budget
from preau.lti import keys, protocol
from preau.lti.tests.peers import TOOL, form_post, path_of

pytestmark = pytest.mark.django_db


def launch(client: Any, peer: Any, person: Any, placement: Any) -> tuple[str, dict[str, str]]:
    client.force_login(person)
    response = client.get(reverse("lti:launch", args=[placement.public_id]))
    assert response.status_code == 302
    assert response["Location"].startswith(f"{TOOL}/login?")
    authorize = peer.login(response["Location"])
    response = client.get(path_of(authorize), secure=True)
    assert response.status_code == 200, response.content
    return form_post(response)


def test_teacher_launch_is_validated_by_the_tool(cast, client, peer, placement):
    action, fields = launch(client, peer, cast.bernard, placement)
    assert action == f"{TOOL}/launch"
    data = peer.launch(action, fields).get_launch_data()
    assert data[protocol.LTI + "message_type"] == "LtiResourceLinkRequest"
    assert data[protocol.LTI + "resource_link"]["id"] == str(placement.public_id)
    assert data[protocol.LTI + "context"]["label"] == "4e B"
    assert protocol.ROLE_INSTRUCTOR in data[protocol.LTI + "roles"]
    assert data[protocol.LTI + "custom"] == {"chapter": "3"}
    assert data["sub"] == protocol.subject(placement.tool, cast.bernard)
    assert data["given_name"] == "Marc"
    assert "email" not in data  # the tool's release policy does not include it


def test_student_launches_as_learner_with_services(cast, client, peer, placement):
    action, fields = launch(client, peer, cast.lea, placement)
    message = peer.launch(action, fields)
    data = message.get_launch_data()
    assert protocol.ROLE_LEARNER in data[protocol.LTI + "roles"]
    assert message.has_nrps() and message.has_ags()


def test_tampered_id_token_is_refused_by_the_tool(cast, client, peer, placement):
    action, fields = launch(client, peer, cast.lea, placement)
    header, body, signature = fields["id_token"].split(".")
    import base64
    import json

    claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    claims[protocol.LTI + "roles"] = [protocol.ROLE_INSTRUCTOR]
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    fields["id_token"] = f"{header}.{forged}.{signature}"
    with pytest.raises(LtiException, match="decode"):
        peer.launch(action, fields)


def test_launch_page_posts_with_a_script_not_inline(cast, client, peer, placement):
    client.force_login(cast.lea)
    location = client.get(reverse("lti:launch", args=[placement.public_id]))["Location"]
    authorize = path_of(peer.login(location))
    keys.signing_key()
    with query_budget(7):
        response = client.get(authorize, secure=True)
    html = response.content.decode()
    assert "lti/autopost" in html and "<button" in html
    policy = response["Content-Security-Policy"]
    assert "form-action 'self' https://tool.example" in policy


def test_login_hint_of_another_person_is_refused(cast, client, peer, placement):
    client.force_login(cast.lea)
    location = client.get(reverse("lti:launch", args=[placement.public_id]))["Location"]
    authorize = path_of(peer.login(location))
    client.force_login(cast.noah)
    response = client.get(authorize, secure=True)
    assert response.status_code == 403
    assert 'name="id_token"' not in response.content.decode()


def test_unregistered_redirect_uri_is_refused(cast, client, peer, placement):
    client.force_login(cast.lea)
    location = client.get(reverse("lti:launch", args=[placement.public_id]))["Location"]
    authorize = path_of(peer.login(location)).replace("tool.example", "evil.example")
    response = client.get(authorize, secure=True)
    assert response.status_code == 400
    assert 'name="id_token"' not in response.content.decode()


def test_placements_are_isolated(cast, client, placement):
    url = reverse("lti:launch", args=[placement.public_id])
    for person in (cast.jade, cast.hugo, cast.dupont, cast.sophie):
        client.force_login(person)
        assert client.get(url).status_code == 404, person


def test_jwks_publishes_the_signing_key(client):
    keys = client.get(reverse("lti:jwks")).json()["keys"]
    assert len(keys) == 1 and keys[0]["kid"] and keys[0]["kty"] == "RSA"
    assert "d" not in keys[0]
