"""The export of a person's data: what the archive holds, and what it never does."""

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.privacy.actions import EXPORT_ACTION
from preau.privacy.registry import providers
from preau.privacy.tests.helpers import LEA_FILE, NOAH_FILE, export_of, records, some_data

pytestmark = pytest.mark.django_db


def test_every_service_with_personal_data_is_registered() -> None:
    services = {provider.service for provider in providers()}
    assert services >= {
        "accounts",
        "directory",
        "audit",
        "notifications",
        "messaging",
        "news",
        "bookmarks",
        "dropbox",
        "drive",
        "calendar",
        "notebook",
        "logbook",
        "attendance",
        "meetings",
        "grades",
    }


def test_a_students_archive_holds_her_message_mark_and_file(cast: Any, client: Any) -> None:
    some_data(cast)
    archive = export_of(client, cast.lea)
    names = archive.namelist()
    assert "LISEZMOI.txt" in names and "index.json" in names

    identity = records(archive, "accounts/identite.json")
    assert identity[0]["identifiant"] == "eleve.lea"

    messages = records(archive, "messaging/messages.json")
    # Bodies as stored (sanitised HTML).
    bodies = sorted(m["texte"] for m in messages)
    assert bodies == [
        "<p>Léa, pense à refaire l'exercice 3.</p>",
        "<p>Voici ma correction, monsieur.</p>",
    ]
    received = next(m for m in messages if m["folder"] == "inbox")
    assert received["sujet"] == "Exercice 3"
    assert received["expediteur_nom"] == cast.bernard.last_name

    # The attachment she sent, as metadata and as bytes.
    sent = records(archive, "messaging/pieces_jointes_envoyees.json")
    assert [a["original_name"] for a in sent] == ["correction.pdf"]
    attachment = next(n for n in names if n.startswith("messaging/pieces-jointes/"))
    assert attachment.endswith("-correction.pdf")

    marks = records(archive, "grades/mes_notes.json")
    assert [(m["evaluation"], Decimal(m["value"])) for m in marks] == [
        ("Contrôle fractions", Decimal("17"))
    ]

    documents = records(archive, "drive/documents.json")
    assert "revision.pdf" in {d["name"] for d in documents}
    (stored,) = [n for n in names if n.startswith("drive/documents/")]
    assert stored.endswith("-revision.pdf")
    assert archive.read(stored) == LEA_FILE

    membership = records(archive, "directory/rattachements.json")
    assert {m["etablissement"] for m in membership} == {cast.moulin.name}
    index = records(archive, "index.json")
    assert index["services"]["grades"]["fichiers_json"]["mes_notes.json"] == 1


def test_no_one_elses_data_reaches_the_archive(cast: Any, client: Any) -> None:
    some_data(cast)
    archive = export_of(client, cast.lea)
    everything = b"".join(archive.read(name) for name in archive.namelist())
    # Noah's mark and file, Karim's message to Bernard about Noah.
    assert {Decimal(m["value"]) for m in records(archive, "grades/mes_notes.json")} == {
        Decimal("17")
    }
    assert records(archive, "grades/notes_saisies.json") == []
    assert str(cast.noah.public_id).encode() not in everything
    assert NOAH_FILE not in everything
    assert b"brouillon.pdf" not in everything
    assert b"Noah n'a pas compris" not in everything
    assert "Noah et les équations".encode() not in everything


def test_a_teachers_archive_holds_what_he_created_and_entered(cast: Any, client: Any) -> None:
    some_data(cast)
    archive = export_of(client, cast.bernard)
    created = records(archive, "grades/evaluations_creees.json")
    assert [a["title"] for a in created] == ["Contrôle fractions"]
    entered = records(archive, "grades/notes_saisies.json")
    assert sorted(Decimal(m["value"]) for m in entered) == [Decimal("6.5"), Decimal("17")]
    assert records(archive, "grades/mes_notes.json") == []
    # Messages he received (Léa's, Karim's) and sent; not Léa's attachment as a file of his.
    subjects = {m["sujet"] for m in records(archive, "messaging/messages.json")}
    assert subjects == {"Exercice 3", "Ma correction", "Noah et les équations"}
    assert not [n for n in archive.namelist() if n.startswith("messaging/pieces-jointes/")]


def test_a_guardians_archive_holds_his_own_data_not_his_childs(cast: Any, client: Any) -> None:
    some_data(cast)
    archive = export_of(client, cast.karim)
    links = records(archive, "directory/responsabilites.json")
    assert {(g["eleve_prenom"], g["responsable_prenom"]) for g in links} == {
        (cast.noah.first_name, cast.karim.first_name)
    }
    assert [m["sujet"] for m in records(archive, "messaging/messages.json")] == [
        "Noah et les équations"
    ]
    assert records(archive, "grades/mes_notes.json") == []
    assert records(archive, "attendance/absences_et_retards.json") == []


def test_an_export_is_audited_and_limited_to_one_an_hour(cast: Any, client: Any) -> None:
    export_of(client, cast.lea)
    entry = AuditEntry.objects.get(action=EXPORT_ACTION)
    assert entry.actor == cast.lea
    assert entry.establishment == cast.moulin
    assert entry.target_id == str(cast.lea.public_id)

    again = client.post("/privacy/export.zip")
    assert again.status_code == 429
    assert "Vous avez déjà demandé l&#x27;export de vos données" in again.content.decode()
    assert AuditEntry.objects.filter(action=EXPORT_ACTION).count() == 1

    # Someone else is not held back by Léa's export.
    export_of(client, cast.noah)

    with time_machine.travel(timezone.now() + timedelta(minutes=61)):
        archive = export_of(client, cast.lea)
        # The earlier export is itself among the entries about her.
        about = records(archive, "audit/me_concernant.json")
        assert [e["action"] for e in about] == [EXPORT_ACTION, EXPORT_ACTION]
    assert AuditEntry.objects.filter(action=EXPORT_ACTION, actor=cast.lea).count() == 2


def test_the_export_is_a_post(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    assert client.get("/privacy/export.zip").status_code == 405
    assert not AuditEntry.objects.filter(action=EXPORT_ACTION).exists()


def test_someone_without_an_establishment_cannot_export(cast: Any, client: Any) -> None:
    client.force_login(cast.rectorat_versailles)
    assert client.post("/privacy/export.zip").status_code == 404


def test_a_file_lost_by_the_storage_is_named_not_fatal(cast: Any, client: Any) -> None:
    from django.core.files.storage import default_storage

    from preau.drive.models import Node
    from preau.privacy.tests.helpers import upload

    upload(cast.lea, "perdu.pdf", LEA_FILE)
    node = Node.objects.get(name="perdu.pdf")
    default_storage.delete(node.blob)
    archive = export_of(client, cast.lea)
    drive = records(archive, "index.json")["services"]["drive"]
    assert drive["documents"] == 0
    assert drive["documents_introuvables"] == [f"drive/documents/{node.public_id}-perdu.pdf"]
    assert "perdu.pdf" in {d["name"] for d in records(archive, "drive/documents.json")}
