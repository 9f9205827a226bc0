"""What the privacy tests start from: Léa with a message, a published mark and a file; and
the same for others, which must never reach her archive."""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass
from typing import Any

from django.core.files.base import ContentFile

from preau.core.actor import Actor
from preau.drive import actions as drive
from preau.grades.actions import do_publish_now, record_marks
from preau.grades.tests.helpers import assessment
from preau.messaging.actions import do_send_message
from preau.messaging.content import CheckedFile
from preau.messaging.tests.helpers import PDF_BYTES, karim_to_bernard

LEA_FILE = b"%PDF-1.4\n% Fiche de revision de Lea\n%%EOF\n"
NOAH_FILE = b"%PDF-1.4\n% Brouillon de Noah\n%%EOF\n"


@dataclass
class Year:
    exam: Any


def upload(person: Any, name: str, data: bytes) -> Any:
    actor = Actor(person, {})
    space = drive.do_ensure_personal_space(actor=actor)
    return drive.do_upload_file(
        actor=actor, folder=drive.root_of(space), name=name, content=ContentFile(data, name=name)
    )


def some_data(cast: Any) -> Year:
    """Bernard writes to Léa; Léa answers with a PDF; marks for Léa (17) and Noah (6,5) are
    published; Léa and Noah each keep a file; Karim writes to Bernard about Noah."""
    do_send_message(
        actor=Actor(cast.bernard, {}),
        subject="Exercice 3",
        body="Léa, pense à refaire l'exercice 3.",
        recipients=[cast.lea],
    )
    do_send_message(
        actor=Actor(cast.lea, {}),
        subject="Ma correction",
        body="Voici ma correction, monsieur.",
        recipients=[cast.bernard],
        attachments=[CheckedFile(PDF_BYTES, "correction.pdf", "pdf", "application/pdf")],
    )
    exam = assessment(cast)
    record_marks(
        Actor(cast.bernard, {}),
        exam,
        {str(cast.lea.public_id): "17", str(cast.noah.public_id): "6,5"},
    )
    do_publish_now(actor=Actor(cast.bernard, {}), assessment=exam)
    upload(cast.lea, "revision.pdf", LEA_FILE)
    upload(cast.noah, "brouillon.pdf", NOAH_FILE)
    karim_to_bernard(cast)
    return Year(exam=exam)


def export_of(client: Any, person: Any) -> zipfile.ZipFile:
    client.force_login(person)
    response = client.post("/privacy/export.zip")
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == "application/zip"
    return zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))


def records(archive: zipfile.ZipFile, path: str) -> list[dict[str, Any]]:
    return json.loads(archive.read(path))
