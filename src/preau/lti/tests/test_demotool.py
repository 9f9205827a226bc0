"""« Calcul mental », the demo tool, end to end: Préau launches it, pylti1p3 validates the
id_token on the tool's side, the tool reads the roster and sends the score, which becomes Léa's
mark; the teacher picks a set by deep linking. The tool's HTTP calls to Préau are carried to
the Django test client (peers.DjangoTransport)."""

from __future__ import annotations

import re
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal
from typing import Any

import pytest
import requests
from django.test import Client
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.grades.models import Mark
from preau.lti import demo
from preau.lti.actions import do_place_tool
from preau.lti.demotool import config, exercises
from preau.lti.models import LtiPlacement, LtiTool
from preau.lti.tests.conftest import bernard_4b
from preau.lti.tests.peers import ISSUER, DjangoTransport, form_post, path_of

pytestmark = pytest.mark.django_db

LAUNCH_ID = re.compile(r'name="launch_id" value="([^"]+)"')


@pytest.fixture(autouse=True)
def demo_tool(settings: Any, tmp_path_factory: Any, monkeypatch: Any, cast: Any) -> LtiTool:
    settings.LTI_DEMO_TOOL_KEY_FILE = tmp_path_factory.getbasetemp() / "lti_demo_tool_key.pem"

    def http_session() -> requests.Session:
        session = requests.Session()
        session.mount(ISSUER, DjangoTransport(Client()))
        return session

    monkeypatch.setattr(config, "http_session", http_session)
    demo.build(cast)
    return LtiTool.objects.get(name=demo.TOOL_NAME)


def demo_placement(cast: Any) -> LtiPlacement:
    return LtiPlacement.objects.get(title=demo.PLACEMENT_TITLE)


def open_tool(client: Any, url: str) -> Any:
    """From Préau's launch address to the tool's page, following the browser's way."""
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ISSUER}/lti-demo/login?")
    response = client.get(path_of(response["Location"]), secure=True)  # the tool's login
    assert response.status_code == 302
    assert response["Location"].startswith(f"{ISSUER}/lti/authorize?")
    response = client.get(path_of(response["Location"]), secure=True)  # Préau's authorization
    assert response.status_code == 200, response.content
    action, fields = form_post(response)
    assert action == f"{ISSUER}/lti-demo/launch"
    return client.post(path_of(action), fields, secure=True)  # the tool's launch


def answers(page: Any, key: str, *, wrong: int = 0) -> dict[str, str]:
    launch_id = LAUNCH_ID.search(page.content.decode()).group(1)
    asked = exercises.questions(key, launch_id)
    data = {"launch_id": launch_id}
    for number, question in enumerate(asked):
        data[f"q{number}"] = str(question.answer + (1 if number < wrong else 0))
    return data


def test_the_demo_registers_and_places_the_tool_once(cast):
    tool = LtiTool.objects.get(name=demo.TOOL_NAME)
    assert tool.establishment == cast.moulin
    assert tool.login_url == f"{ISSUER}/lti-demo/login"
    assert tool.nrps_enabled and tool.ags_enabled
    assert "PRIVATE" not in tool.public_key
    placement = demo_placement(cast)
    assert placement.assignment == bernard_4b(cast)
    assert placement.assessment.scale == Decimal(20)
    demo.build(cast)  # idempotent
    assert LtiTool.objects.filter(name=demo.TOOL_NAME).count() == 1
    assert LtiPlacement.objects.filter(tool=tool).count() == 1


def test_a_new_key_file_is_followed_by_the_registration(cast, settings, tmp_path):
    settings.LTI_DEMO_TOOL_KEY_FILE = tmp_path / "lti_demo_tool_key.pem"
    # Two first requests at once make one key, never a half-written file.
    with ThreadPoolExecutor(max_workers=4) as pool:
        keys = set(pool.map(lambda _n: config.private_pem(), range(8)))
    assert len(keys) == 1 and "PRIVATE KEY" in keys.pop()
    assert [p.name for p in tmp_path.iterdir()] == ["lti_demo_tool_key.pem"]
    assert settings.LTI_DEMO_TOOL_KEY_FILE.stat().st_mode & 0o077 == 0
    demo.build(cast)
    tool = LtiTool.objects.get(name=demo.TOOL_NAME)
    assert tool.public_key.strip() == config.public_pem().strip()
    assert AuditEntry.objects.filter(action="lti.tool_key_replaced", establishment=cast.moulin)


def test_lea_answers_and_her_score_becomes_a_mark(cast, client):
    client.force_login(cast.lea)
    page = open_tool(client, reverse("lti:launch", args=[demo_placement(cast).public_id]))
    html = page.content.decode()
    assert page.status_code == 200
    assert "Bonjour Léa !" in html and "Tables de multiplication" in html
    response = client.post(
        reverse("lti_demo:answer"), answers(page, "tables", wrong=1), secure=True
    )
    assert response.status_code == 200, response.content
    assert "4 bonnes réponses sur 5" in response.content.decode()
    mark = Mark.objects.get(assessment=demo_placement(cast).assessment, student=cast.lea)
    assert mark.value == Decimal("16.00")
    # The same launch cannot be answered twice.
    again = client.post(reverse("lti_demo:answer"), answers(page, "tables"), secure=True)
    assert again.status_code == 400
    mark.refresh_from_db()
    assert mark.value == Decimal("16.00")


def test_a_placement_without_marks_gets_its_line_item_from_the_tool(cast, client, demo_tool):
    placement = do_place_tool(
        actor=Actor(cast.bernard),
        tool=demo_tool,
        assignment=bernard_4b(cast),
        title="Relatifs",
        custom={"set": "relatifs"},
    )
    client.force_login(cast.noah)
    page = open_tool(client, reverse("lti:launch", args=[placement.public_id]))
    assert "Nombres relatifs" in page.content.decode()
    client.post(reverse("lti_demo:answer"), answers(page, "relatifs"), secure=True)
    placement.refresh_from_db()
    assert placement.line_item_tag == "calcul-mental"
    assert placement.assessment.scale == Decimal(20)
    assert Mark.objects.get(assessment=placement.assessment, student=cast.noah).value == 20


def test_the_teacher_sees_the_roster_and_sends_no_score(cast, client):
    client.force_login(cast.bernard)
    page = open_tool(client, reverse("lti:launch", args=[demo_placement(cast).public_id]))
    html = page.content.decode()
    assert "Léa Martin" in html and "Noah Leroy" in html
    assert "Marc Bernard" in html
    assert "Envoyer mes réponses" not in html
    # Even with the launch id pylti1p3 keeps in the session, a teacher's launch sends no score.
    launch_id = next(k for k, _v in client.session.items() if k.startswith("lti1p3-launch-"))
    response = client.post(
        reverse("lti_demo:answer"), {"launch_id": launch_id, "q0": "1"}, secure=True
    )
    assert response.status_code == 403
    assert not Mark.objects.filter(assessment=demo_placement(cast).assessment).exists()


def test_the_teacher_picks_a_set_by_deep_linking(cast, client, demo_tool):
    client.force_login(cast.bernard)
    url = reverse("lti:deep_linking", args=[bernard_4b(cast).public_id, demo_tool.public_id])
    page = open_tool(client, url)
    assert "Choisir une série" in page.content.decode()
    launch_id = LAUNCH_ID.search(page.content.decode()).group(1)
    response = client.post(
        reverse("lti_demo:pick"), {"launch_id": launch_id, "set": "relatifs"}, secure=True
    )
    assert response.status_code == 200
    html = response.content.decode()
    action = re.search(r'action="([^"]+)" class="lti-autopost"', html).group(1)
    token = re.search(r'name="JWT" value="([^"]+)"', html).group(1)
    assert action == f"{ISSUER}/lti/deep-linking/return"
    done = Client().post(path_of(action), {"JWT": token}, secure=True)
    assert done.status_code == 200, done.content
    picked = LtiPlacement.objects.get(tool=demo_tool, custom={"set": "relatifs"})
    assert picked.title == "Calcul mental — Nombres relatifs"
    assert picked.assignment == bernard_4b(cast)
    assert picked.assessment.scale == Decimal(20)


def test_an_unknown_set_adds_nothing(cast, client, demo_tool):
    client.force_login(cast.bernard)
    url = reverse("lti:deep_linking", args=[bernard_4b(cast).public_id, demo_tool.public_id])
    page = open_tool(client, url)
    launch_id = LAUNCH_ID.search(page.content.decode()).group(1)
    response = client.post(
        reverse("lti_demo:pick"), {"launch_id": launch_id, "set": "racines"}, secure=True
    )
    assert response.status_code == 400
    assert "Choisissez une série" in response.content.decode()
    assert LtiPlacement.objects.filter(tool=demo_tool).count() == 1


def test_students_of_other_classes_cannot_launch(cast, client):
    url = reverse("lti:launch", args=[demo_placement(cast).public_id])
    for person in (cast.jade, cast.hugo, cast.sophie):
        client.force_login(person)
        assert client.get(url).status_code == 404, person


def test_the_tool_refuses_what_preau_did_not_sign(cast, client):
    client.force_login(cast.lea)
    forged = client.post(
        reverse("lti_demo:launch"), {"id_token": "a.b.c", "state": "x"}, secure=True
    )
    assert forged.status_code == 400
    unknown = client.post(
        reverse("lti_demo:answer"), {"launch_id": "lti1p3-launch-unknown", "q0": "1"}, secure=True
    )
    assert unknown.status_code == 400
    assert not Mark.objects.filter(assessment=demo_placement(cast).assessment).exists()


def test_another_students_session_cannot_answer_for_lea(cast, client):
    client.force_login(cast.lea)
    page = open_tool(client, reverse("lti:launch", args=[demo_placement(cast).public_id]))
    other = Client()
    other.force_login(cast.noah)
    response = other.post(reverse("lti_demo:answer"), answers(page, "tables"), secure=True)
    assert response.status_code == 400
    assert not Mark.objects.filter(assessment=demo_placement(cast).assessment).exists()


def test_off_the_tool_is_not_served_nor_registered(cast, settings):
    import importlib

    from django.urls import clear_url_caches

    import preau.urls

    LtiTool.objects.all().delete()
    settings.LTI_DEMO_TOOL = False
    demo.build(cast)
    assert not LtiTool.objects.exists()
    try:
        importlib.reload(preau.urls)
        assert not [p for p in preau.urls.urlpatterns if str(p.pattern) == "lti-demo/"]
    finally:
        settings.LTI_DEMO_TOOL = True
        importlib.reload(preau.urls)
        clear_url_caches()
    assert [p for p in preau.urls.urlpatterns if str(p.pattern) == "lti-demo/"]
