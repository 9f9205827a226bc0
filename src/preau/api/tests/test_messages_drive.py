"""Conversations' metadata and the drive through the API."""

from typing import Any

import pytest
from django.urls import reverse

from preau.api.tests.conftest import bearer
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.drive.tests.helpers import PDF, root, upload
from preau.messaging.actions import do_mark_read, do_send_message
from preau.messaging.models import MessageRecipient
from preau.messaging.tests.helpers import (
    KARIM_CONVERSATION,
    actor,
    karim_draft,
    karim_to_bernard,
)

pytestmark = pytest.mark.django_db


# -- messages ------------------------------------------------------------------------------------


def test_conversations_metadata_without_bodies(cast: Any, client: Any, token_for: Any) -> None:
    message = karim_to_bernard(cast)
    karim_draft(cast)
    url = reverse("api:conversation_list")
    body = client.get(url, headers=bearer(token_for(cast.bernard))).json()
    assert body["count"] == 1
    item = body["items"][0]
    assert item == {
        "public_id": str(KARIM_CONVERSATION),
        "subject": "Noah et les équations",
        "establishment": str(cast.moulin.public_id),
        "participants_count": 2,
        "last_message_at": item["last_message_at"],
        "unread_count": 1,
    }
    assert item["last_message_at"].startswith(message.sent_at.date().isoformat())
    assert "compris" not in str(body)
    # Karim's own view: sent, nothing unread; his draft is not listed.
    karim = client.get(url, headers=bearer(token_for(cast.karim))).json()
    assert [(c["subject"], c["unread_count"]) for c in karim["items"]] == [
        ("Noah et les équations", 0)
    ]
    # Another family, another class's people and another establishment see nothing.
    for person in (cast.sophie, cast.garcia, cast.principal_curie):
        assert client.get(url, headers=bearer(token_for(person))).json()["count"] == 0


def test_conversation_filters(cast: Any, client: Any) -> None:
    karim_to_bernard(cast)
    client.force_login(cast.bernard)
    url = reverse("api:conversation_list")
    assert client.get(url, {"unread": "true"}).json()["count"] == 1
    assert client.get(url, {"folder": "sent"}).json()["count"] == 0
    assert client.get(url, {"folder": "inbox"}).json()["count"] == 1
    assert client.get(url, {"since": "2999-01-01T00:00:00Z"}).json()["count"] == 0
    entry = MessageRecipient.objects.select_related("conversation").get(person=cast.bernard)
    do_mark_read(actor=actor(cast.bernard), conversation=entry.conversation)
    assert client.get(url, {"unread": "true"}).json()["count"] == 0
    for bad in ({"folder": "drafts"}, {"since": "hier"}, {"unread": "peut-être"}):
        response = client.get(url, bad)
        assert response.status_code == 422, bad
        assert response.json()["error"]["code"] == "validation_error"


def test_conversations_query_budget(cast: Any, client: Any, token_for: Any) -> None:
    karim_to_bernard(cast)
    secret = token_for(cast.bernard)
    url = reverse("api:conversation_list")
    client.get(url, headers=bearer(secret))
    # The token, the memberships, the count, the page (its metadata in subqueries).
    with query_budget(4):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 1
    for number in range(3):
        do_send_message(
            actor=actor(cast.garcia),
            subject=f"Sortie {number}",
            body="Autorisation à signer.",
            recipients=[cast.bernard],
        )
    with query_budget(4):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 4


# -- drive ---------------------------------------------------------------------------------------


def _lea_files(cast: Any) -> Any:
    top = root(cast.lea)
    upload(cast.lea, top, "exposé.pdf", PDF)
    upload(cast.lea, top, "notes.txt", b"Volcans\n")
    return top


def test_drive_root_items_and_download(cast: Any, client: Any, token_for: Any) -> None:
    _lea_files(cast)
    secret = token_for(cast.lea)
    root_body = client.get(reverse("api:drive_root"), headers=bearer(secret)).json()
    assert root_body["permission"] == "owner"
    items_url = reverse("api:drive_items", kwargs={"public_id": root_body["public_id"]})
    body = client.get(items_url, headers=bearer(secret)).json()
    assert [(i["name"], i["kind"], i["size"]) for i in body["items"]] == [
        ("exposé.pdf", "file", len(PDF)),
        ("notes.txt", "file", 8),
    ]
    file_url = reverse("api:drive_download", kwargs={"public_id": body["items"][0]["public_id"]})
    response = client.get(file_url, headers=bearer(secret))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"


def test_drive_root_before_the_drive_exists_is_404(cast: Any, client: Any) -> None:
    client.force_login(cast.noah)
    response = client.get(reverse("api:drive_root"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_drive_items_query_budget(cast: Any, client: Any, token_for: Any) -> None:
    top = _lea_files(cast)
    secret = token_for(cast.lea)
    url = reverse("api:drive_items", kwargs={"public_id": top.public_id})
    client.get(url, headers=bearer(secret))
    # The token, the memberships, the folder (with its space), the count, the page.
    with query_budget(5):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 2
    for number in range(5):
        upload(cast.lea, top, f"fiche-{number}.txt", b"x")
    with query_budget(5):
        assert client.get(url, headers=bearer(secret)).json()["count"] == 7


def _lea_file(cast: Any) -> dict[str, Any]:
    return {"public_id": upload(cast.lea, root(cast.lea), "exposé.pdf", PDF).public_id}


test_isolation = isolation_test(
    [
        Isolation(
            route="api:conversation_detail",
            owner="bernard",
            kwargs=lambda c: {"public_id": KARIM_CONVERSATION},
            refused=("garcia", "sophie", "lea", "principal_moulin", "principal_curie"),
            api=True,
            anonymous_status=401,
            setup=karim_to_bernard,
        ),
        Isolation(
            route="api:drive_items",
            owner="lea",
            kwargs=lambda c: {"public_id": root(c.lea).public_id},
            refused=("noah", "sophie", "bernard", "principal_moulin", "hugo", "principal_curie"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:drive_download",
            owner="lea",
            kwargs=lambda c: _lea_file(c),
            refused=("noah", "sophie", "bernard", "principal_moulin", "hugo", "principal_curie"),
            api=True,
            anonymous_status=401,
        ),
    ]
)
