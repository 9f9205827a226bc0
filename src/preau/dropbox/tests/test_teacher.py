"""The teacher's side: opening, the roster of hand-ins, returning work, the ZIP, deleting."""

import html
import io
import zipfile
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.testing import query_budget
from preau.directory.models import Enrolment
from preau.dropbox.actions import do_hand_in
from preau.dropbox.demo import pdf_upload
from preau.dropbox.models import DropBox, FileRole, Submission, SubmissionFile
from preau.dropbox.tests.helpers import BOX_ID, box_with_work, open_box, pdf_file
from preau.dropbox.tests.test_hand_in import stored_files
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db
User = get_user_model()


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def local(moment: Any) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%dT%H:%M")


def test_a_teacher_opens_a_drop_box_and_the_class_is_told(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    form = text(client.get(reverse("dropbox:create")))
    assert "4e B" in form and "3e A" not in form  # only the classes she teaches
    deadline = timezone.now() + timedelta(days=7)
    response = client.post(
        reverse("dropbox:create"),
        {
            "audience": f"class:{cast.class_4b.public_id}",
            "title": "Exposé",
            "instructions": "<p>Dix minutes.</p><script>alert(1)</script>",
            "deadline": local(deadline),
            "max_files": "2",
            "accepts_late": "on",
        },
    )
    assert response.status_code == 302
    box = DropBox.objects.get(title="Exposé")
    assert box.school_class == cast.class_4b and box.teacher == cast.garcia
    assert box.instructions == "<p>Dix minutes.</p>"
    assert box.accepts_late and box.max_files == 2
    # Typed in Paris time, stored in UTC.
    assert abs((box.deadline - deadline).total_seconds()) < 60
    told = Notification.objects.filter(kind=Kind.DROPBOX, url=f"/dropbox/{box.public_id}/")
    assert {n.recipient for n in told} == {cast.lea, cast.noah}
    assert AuditEntry.objects.filter(action="dropbox.open").exists()


def test_an_opening_later_notifies_at_the_opening(cast: Any, client: Any) -> None:
    opens_at = timezone.now() + timedelta(days=2)
    box = open_box(cast, opens_at=opens_at, deadline=opens_at + timedelta(days=3))
    notices = Notification.objects.filter(kind=Kind.DROPBOX)
    assert notices.count() == 2
    # Written for the opening moment; quiet hours may hold them longer.
    assert all(n.created_at == opens_at and n.deliver_at >= opens_at for n in notices)
    client.force_login(cast.garcia)
    assert "les élèves ne le voient pas encore" in text(
        client.get(reverse("dropbox:detail", args=[BOX_ID]))
    )
    # Opening it now instead: the notices are written for now.
    client.post(
        reverse("dropbox:edit", args=[BOX_ID]),
        {
            "title": box.title,
            "opens_at": local(timezone.now() - timedelta(minutes=1)),
            "deadline": local(box.deadline),
            "max_files": "3",
        },
    )
    notices = Notification.objects.filter(kind=Kind.DROPBOX)
    assert notices.count() == 2
    assert all(n.created_at <= timezone.now() for n in notices)


def test_the_form_refuses_another_class_and_a_past_deadline(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    response = client.post(
        reverse("dropbox:create"),
        {
            "audience": f"class:{cast.class_3a.public_id}",
            "title": "Exposé",
            "deadline": local(timezone.now() - timedelta(days=1)),
            "max_files": "1",
        },
    )
    assert response.status_code == 200
    assert not DropBox.objects.exists()
    page = text(response)
    assert "Sélectionnez un choix valide" in page
    assert "La date limite doit être à venir" in page


def test_the_roster_costs_the_same_with_30_students(cast: Any, client: Any) -> None:
    box = box_with_work(cast)
    client.force_login(cast.garcia)
    client.get(reverse("dropbox:detail", args=[BOX_ID]))  # the school year, the services
    # The person (1), memberships (1), children (1), the drop box (1), the students (1), their
    # hand-ins (1) and files (1), « seen by the teacher » (1).
    with query_budget(8):
        small = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert small.count('scope="row"') == 2
    year = cast.class_4b.school_year
    for number in range(28):
        student = User.objects.create(username=f"eleve.extra{number}", last_name=f"Extra{number}")
        Enrolment.objects.create(
            establishment=cast.moulin, school_year=year, student=student, school_class=cast.class_4b
        )
        if number % 2:
            do_hand_in(actor=student, box=box, files=[pdf_upload(f"d{number}.pdf", "D")])
    with query_budget(8):
        page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert page.count('scope="row"') == 30
    assert "Extra27" in page


def test_the_teacher_returns_work_and_the_student_is_told(cast: Any, client: Any) -> None:
    box_with_work(cast)
    client.force_login(cast.garcia)
    overview = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "devoir-noah.pdf" in overview and "Rendu" in overview and "Non rendu" not in overview
    url = reverse("dropbox:student", args=[BOX_ID, cast.noah.public_id])
    assert client.post(url, {"feedback": "  "}).status_code == 200  # nothing to return
    assert not Submission.objects.filter(returned_at__isnull=False).exists()
    response = client.post(
        url, {"feedback": "Bon travail.\nRevoir la conclusion.", "corrections": [pdf_file("c.pdf")]}
    )
    assert response.status_code == 302
    submission = Submission.objects.get(student=cast.noah)
    assert submission.returned_at is not None and submission.returned_by == cast.garcia
    assert submission.files.filter(role=FileRole.CORRECTION).count() == 1
    entry = AuditEntry.objects.get(action="dropbox.return")
    assert entry.after["feedback"].startswith("Bon travail") and entry.after["corrections"] == [
        "c.pdf"
    ]
    told = Notification.objects.filter(recipient=cast.noah, kind=Kind.DROPBOX).latest("id")
    assert told.body == "Votre travail est corrigé et rendu."
    client.force_login(cast.noah)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Revoir la conclusion." in page and "c.pdf" in page


def test_the_zip_holds_every_hand_in_by_student(cast: Any, client: Any) -> None:
    box = box_with_work(cast)
    do_hand_in(actor=cast.lea, box=box, files=[pdf_upload("lea.pdf", "Lea")])
    client.force_login(cast.garcia)
    response = client.get(reverse("dropbox:archive", args=[BOX_ID]))
    assert response.status_code == 200 and response.streaming
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    assert sorted(archive.namelist()) == ["Leroy Noah/1-devoir-noah.pdf", "Martin Léa/1-lea.pdf"]
    assert archive.read("Martin Léa/1-lea.pdf").startswith(b"%PDF-")


def test_moving_the_deadline_re_judges_lateness(cast: Any, client: Any) -> None:
    box = box_with_work(cast)
    assert not Submission.objects.get(student=cast.noah).is_late()
    client.force_login(cast.garcia)
    response = client.post(
        reverse("dropbox:edit", args=[BOX_ID]),
        {
            "title": "Rédaction",
            "opens_at": local(box.opens_at),
            "deadline": local(timezone.now() - timedelta(minutes=1)),
            "max_files": "3",
        },
    )
    assert response.status_code == 302
    assert Submission.objects.get(student=cast.noah).is_late()  # handed in since
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Rendu en retard" in page and "Non rendu" in page  # Noah, then Léa
    assert AuditEntry.objects.filter(action="dropbox.update").exists()


def test_deleting_a_drop_box_with_work_needs_a_confirmation(
    cast: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    box_with_work(cast)
    client.force_login(cast.garcia)
    url = reverse("dropbox:delete", args=[BOX_ID])
    assert "1 élève a déjà rendu son travail" in text(client.get(url))
    assert client.post(url).status_code == 200
    assert DropBox.objects.filter(public_id=BOX_ID).exists() and len(stored_files()) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, {"delete_work": "on"}).status_code == 302
    assert not DropBox.objects.exists() and not SubmissionFile.objects.exists()
    assert stored_files() == []
    entry = AuditEntry.objects.get(action="dropbox.delete")
    assert entry.before["hand_ins"] == 1 and entry.before["files"] == 1


def test_an_empty_drop_box_is_deleted_at_once_with_its_pending_notices(
    cast: Any, client: Any
) -> None:
    opens_at = timezone.now() + timedelta(days=1)
    open_box(cast, opens_at=opens_at, deadline=opens_at + timedelta(days=1))
    client.force_login(cast.garcia)
    assert client.post(reverse("dropbox:delete", args=[BOX_ID])).status_code == 302
    assert not DropBox.objects.exists()
    assert not Notification.objects.filter(kind=Kind.DROPBOX).exists()


def test_closing_and_reopening(cast: Any, client: Any) -> None:
    open_box(cast)
    client.force_login(cast.garcia)
    client.post(reverse("dropbox:close", args=[BOX_ID]), {"closed": "1"})
    assert DropBox.objects.get().closed_at is not None
    client.post(reverse("dropbox:close", args=[BOX_ID]), {"closed": "0"})
    assert DropBox.objects.get().closed_at is None
    assert AuditEntry.objects.filter(action__in=["dropbox.close", "dropbox.reopen"]).count() == 2


def test_the_head_and_the_cpe_read_without_the_files(cast: Any, client: Any) -> None:
    box_with_work(cast)
    for name in ("principal_moulin", "cpe_moulin"):
        client.force_login(getattr(cast, name))
        assert "Rédaction" in text(client.get(reverse("dropbox:index")))
        page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
        assert "Consultation seule" in page
        assert "Rendu" in page and "devoir-noah.pdf" not in page
        assert "Modifier" not in page and "/archive.zip" not in page


def test_the_teacher_panel_shows_new_work_until_she_looks(cast: Any, client: Any) -> None:
    box_with_work(cast)
    client.force_login(cast.garcia)
    home = text(client.get(reverse("portal:home")))
    assert "Nouveaux dépôts" in home and "Rédaction" in home
    client.get(reverse("dropbox:detail", args=[BOX_ID]))
    assert "Nouveaux dépôts" not in text(client.get(reverse("portal:home")))
