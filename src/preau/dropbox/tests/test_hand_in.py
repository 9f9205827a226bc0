"""A student hands in: files checked before they are stored, the rules of time, withdrawals."""

import html
import io
import zipfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from preau.core import uploads
from preau.directory.models import GroupMembership, Subject, TeachingAssignment, TeachingGroup
from preau.dropbox.actions import HandInRefused, do_close_drop_box, do_hand_in, do_withdraw_file
from preau.dropbox.demo import pdf_upload
from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile
from preau.dropbox.tests.helpers import BOX_ID, PDF, box_with_correction, open_box, pdf_file

pytestmark = pytest.mark.django_db


def stored_files() -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def hand_in(client: Any, *files: Any) -> Any:
    return client.post(reverse("dropbox:hand_in", args=[BOX_ID]), {"files": list(files)})


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def messages_of(response: Any) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_a_student_hands_in_then_replaces_a_file(
    cast: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    open_box(cast)
    client.force_login(cast.noah)
    page = client.get(reverse("dropbox:detail", args=[BOX_ID]))
    assert "À rendre" in text(page)
    response = hand_in(client, pdf_file("brouillon.pdf"))
    assert response.status_code == 302
    submission = Submission.objects.get(drop_box__public_id=BOX_ID, student=cast.noah)
    assert submission.submitted_at is not None and not submission.is_late()
    (first,) = submission.files.all()
    assert first.original_name == "brouillon.pdf" and first.size == len(PDF)
    assert len(stored_files()) == 1

    # Replace it: withdraw the draft, hand in the final version.
    with django_capture_on_commit_callbacks(execute=True):
        url = reverse("dropbox:withdraw", args=[BOX_ID, first.public_id])
        assert client.post(url).status_code == 302
    submission.refresh_from_db()
    assert submission.submitted_at is None
    assert stored_files() == []
    hand_in(client, pdf_file("final.pdf"))
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "final.pdf" in page and "brouillon.pdf" not in page
    assert "Rendu" in page
    download = client.get(
        reverse("dropbox:download", args=[BOX_ID, submission.files.get().public_id])
    )
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"].startswith("attachment")


def test_several_files_at_once_up_to_the_limit(cast: Any, client: Any) -> None:
    open_box(cast, max_files=2)
    client.force_login(cast.noah)
    hand_in(client, pdf_file("a.pdf"), pdf_file("b.pdf"))
    assert SubmissionFile.objects.count() == 2
    response = hand_in(client, pdf_file("c.pdf"))
    assert response.status_code == 302
    response = client.get(response.url)
    assert "2 fichier(s) par élève au plus" in messages_of(response)
    assert SubmissionFile.objects.count() == 2
    assert len(stored_files()) == 2


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("devoir.exe", b"MZ\x90\x00", "n'est pas accepté"),
        ("devoir.pdf", b"MZ\x90\x00 not a pdf", "n'est pas accepté"),
        ("devoir.docx", b"PK\x03\x04 broken", "n'est pas accepté"),
        ("vide.pdf", b"", "est vide"),
        ("gros.pdf", PDF + b"0" * 2048, "dépasse"),
    ],
)
def test_refused_files_leave_nothing_stored(
    cast: Any, client: Any, settings: Any, name: str, data: bytes, message: str
) -> None:
    settings.DROPBOX_MAX_FILE_BYTES = len(PDF) + 1024
    open_box(cast)
    client.force_login(cast.noah)
    response = hand_in(client, pdf_file("ok.pdf"), SimpleUploadedFile(name, data))
    assert response.status_code == 400
    assert message in text(response)
    assert not Submission.objects.exists()
    assert not SubmissionFile.objects.exists()
    assert stored_files() == []


def test_a_request_far_too_big_is_refused_before_it_is_read(
    cast: Any, client: Any, settings: Any
) -> None:
    settings.DROPBOX_MAX_FILE_BYTES = 1024
    open_box(cast, max_files=1)
    client.force_login(cast.noah)
    response = hand_in(client, pdf_file("gros.pdf", PDF + b"0" * (2 * 1024 * 1024)))
    assert response.status_code == 302
    assert response.wsgi_request._stream._pos == 0  # the body was left unread
    assert "trop lourds" in messages_of(client.get(response.url))
    assert stored_files() == [] and not Submission.objects.exists()


def test_a_hand_in_still_needs_its_csrf_token(cast: Any) -> None:
    open_box(cast)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.noah)
    assert hand_in(client, pdf_file()).status_code == 403
    assert not Submission.objects.exists()
    page = client.get(reverse("dropbox:detail", args=[BOX_ID]))
    token = page.cookies["csrftoken"].value
    response = client.post(
        reverse("dropbox:hand_in", args=[BOX_ID]),
        {"files": [pdf_file()], "csrfmiddlewaretoken": token},
    )
    assert response.status_code == 302 and Submission.objects.exists()


def test_after_the_deadline_a_hand_in_is_refused_unless_late_ones_are_accepted(
    cast: Any, client: Any
) -> None:
    now = timezone.now()
    box = open_box(cast, opens_at=now - timedelta(days=5), deadline=now - timedelta(hours=1))
    client.force_login(cast.noah)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Non rendu" in page and "n'accepte plus de dépôt" in page
    response = hand_in(client, pdf_file())
    assert "est passée : ce casier n'accepte plus de dépôt" in messages_of(client.get(response.url))
    assert not Submission.objects.exists() and stored_files() == []

    DropBox.objects.filter(pk=box.pk).update(accepts_late=True)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "sera marqué en retard" in page
    hand_in(client, pdf_file())
    submission = Submission.objects.get()
    assert submission.is_late()
    assert "Rendu en retard" in text(client.get(reverse("dropbox:detail", args=[BOX_ID])))


def test_files_handed_in_on_time_stay_after_the_deadline(cast: Any) -> None:
    now = timezone.now()
    box = open_box(cast, deadline=now + timedelta(hours=1), accepts_late=True)
    submission = do_hand_in(actor=cast.noah, box=box, files=[pdf_upload("a.pdf", "A")])
    on_time = submission.files.get()
    later = now + timedelta(hours=2)
    with pytest.raises(HandInRefused, match="rendus à temps"):
        do_withdraw_file(actor=cast.noah, box=box, file=on_time, now=later)
    do_hand_in(actor=cast.noah, box=box, files=[pdf_upload("b.pdf", "B")], now=later)
    late = SubmissionFile.objects.get(original_name="b.pdf")
    submission.refresh_from_db()
    assert submission.is_late()
    do_withdraw_file(actor=cast.noah, box=box, file=late, now=later)
    submission.refresh_from_db()
    # Back to what was handed in on time.
    assert not submission.is_late() and submission.submitted_at == on_time.created_at


def test_a_closed_drop_box_takes_nothing(cast: Any, client: Any) -> None:
    box = open_box(cast)
    do_hand_in(actor=cast.noah, box=box, files=[pdf_upload("a.pdf", "A")])
    do_close_drop_box(actor=cast.garcia, box=box)
    client.force_login(cast.noah)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Ce casier est fermé" in page and "Retirer" not in page
    response = hand_in(client, pdf_file("b.pdf"))
    assert "fermé" in messages_of(client.get(response.url))
    file = SubmissionFile.objects.get()
    client.post(reverse("dropbox:withdraw", args=[BOX_ID, file.public_id]))
    assert SubmissionFile.objects.filter(role=FileRole.WORK).count() == 1


def test_returned_work_can_no_longer_change(cast: Any, client: Any) -> None:
    box_with_correction(cast)
    client.force_login(cast.noah)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Corrigé rendu" in page and "Bien." in page and "corrige.pdf" in page
    response = hand_in(client, pdf_file("encore.pdf"))
    assert "corrigé et rendu" in messages_of(client.get(response.url))
    assert SubmissionFile.objects.filter(role=FileRole.WORK).count() == 1


def test_a_drop_box_not_yet_open_is_hidden_from_students(cast: Any, client: Any) -> None:
    now = timezone.now()
    open_box(cast, opens_at=now + timedelta(days=1), deadline=now + timedelta(days=4))
    for name in ("noah", "karim"):
        client.force_login(getattr(cast, name))
        assert "Rédaction" not in text(client.get(reverse("dropbox:index")))
        assert client.get(reverse("dropbox:detail", args=[BOX_ID])).status_code == 404
    client.force_login(cast.noah)
    assert hand_in(client, pdf_file()).status_code == 404
    assert not Submission.objects.exists()


def office_file(extension: str) -> bytes:
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w") as archive:
        if extension == "odt":
            archive.writestr("mimetype", uploads.ODT, compress_type=zipfile.ZIP_STORED)
            archive.writestr("content.xml", "<office:document-content/>")
        else:
            archive.writestr("[Content_Types].xml", "<Types/>")
            archive.writestr("word/document.xml", "<w:document/>")
    return output.getvalue()


def test_office_documents_are_judged_by_their_container(
    cast: Any, client: Any, settings: Any
) -> None:
    # Every upload goes to a temporary file, as large ones do: checked and stored from there.
    settings.FILE_UPLOAD_MAX_MEMORY_SIZE = 0
    open_box(cast)
    client.force_login(cast.noah)
    response = hand_in(
        client,
        SimpleUploadedFile("devoir.docx", office_file("docx")),
        SimpleUploadedFile("devoir.odt", office_file("odt")),
        pdf_file(),
    )
    assert response.status_code == 302
    names = sorted(SubmissionFile.objects.values_list("original_name", "content_type"))
    assert [n for n, _ in names] == ["devoir.docx", "devoir.odt", "devoir.pdf"]
    assert len(stored_files()) == 3
    # An office name on another container is refused.
    response = hand_in(client, SimpleUploadedFile("faux.odt", office_file("docx")))
    assert response.status_code == 400 and len(stored_files()) == 3


def test_a_group_drop_box_is_for_the_group_only(cast: Any, client: Any) -> None:
    year = cast.class_4b.school_year
    group = TeachingGroup.objects.create(establishment=cast.moulin, school_year=year, name="Latin")
    GroupMembership.objects.create(establishment=cast.moulin, group=group, student=cast.lea)
    TeachingAssignment.objects.create(
        establishment=cast.moulin,
        school_year=year,
        teacher=cast.garcia,
        subject=Subject.objects.get(establishment=cast.moulin, code="020700"),
        group=group,
    )
    client.force_login(cast.garcia)
    response = client.post(
        reverse("dropbox:create"),
        {
            "audience": f"group:{group.public_id}",
            "title": "Version latine",
            "deadline": timezone.localtime(timezone.now() + timedelta(days=2)).strftime(
                "%Y-%m-%dT%H:%M"
            ),
            "max_files": "1",
        },
    )
    assert response.status_code == 302
    box = DropBox.objects.get(title="Version latine")
    assert box.group == group and box.school_class is None
    url = reverse("dropbox:detail", args=[box.public_id])
    for name, status in (("lea", 200), ("sophie", 200), ("noah", 404), ("karim", 404)):
        client.force_login(getattr(cast, name))
        assert client.get(url).status_code == status, name
    client.force_login(cast.garcia)
    page = text(client.get(url))
    assert page.count('scope="row"') == 1 and "Martin Léa" in page.replace("\n", " ")
