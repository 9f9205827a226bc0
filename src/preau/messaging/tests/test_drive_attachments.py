"""Attaching files of one's own drive to a message: a checked copy travels with it."""

import io
from typing import Any

from django.urls import reverse

from preau.drive.actions import do_ensure_personal_space, do_upload_file, root_of
from preau.messaging.models import Attachment, Message
from preau.messaging.tests.helpers import actor

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def drive_file(person: Any, name: str, content: bytes) -> Any:
    who = actor(person)
    space = do_ensure_personal_space(actor=who)
    return do_upload_file(actor=who, folder=root_of(space), name=name, content=io.BytesIO(content))


def send(client: Any, data: dict[str, Any]) -> Any:
    return client.post(reverse("messaging:compose"), {"action": "send", **data})


def test_a_teacher_attaches_a_file_of_their_drive(client: Any, cast: Any) -> None:
    node = drive_file(cast.bernard, "Programme.pdf", PDF)
    client.force_login(cast.bernard)
    page = client.get(reverse("messaging:compose"))
    assert "Programme.pdf" in page.content.decode()
    response = send(
        client,
        {
            "subject": "Programme du trimestre",
            "body": "Ci-joint.",
            "people": [str(cast.karim.public_id)],
            "drive_files": [str(node.public_id)],
        },
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert attachment.original_name == "Programme.pdf"
    assert attachment.file.read() == PDF


def test_another_persons_drive_file_cannot_be_attached(client: Any, cast: Any) -> None:
    node = drive_file(cast.garcia, "Notes.pdf", PDF)
    drive_file(cast.bernard, "Programme.pdf", PDF)
    client.force_login(cast.bernard)
    response = send(
        client,
        {
            "subject": "Essai",
            "body": "Ci-joint.",
            "people": [str(cast.karim.public_id)],
            "drive_files": [str(node.public_id)],
        },
    )
    assert response.status_code == 400
    assert "Notes.pdf" not in response.content.decode()
    assert not Message.objects.exists()


def test_a_drive_file_the_messaging_does_not_carry_is_not_offered(client: Any, cast: Any) -> None:
    drive_file(cast.bernard, "chanson.mp3", b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"0" * 64)
    client.force_login(cast.bernard)
    page = client.get(reverse("messaging:compose")).content.decode()
    assert "chanson.mp3" not in page
