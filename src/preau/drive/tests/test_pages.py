"""The drive's pages as people use them: uploading, browsing, sharing, the trash, settings."""

import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.drive import actions, policies
from preau.drive.models import MIB, DriveSettings, Node, Space
from preau.drive.tests.helpers import PDF, actor_for, png, root, stored_files, upload

pytestmark = pytest.mark.django_db


def messages_of(response: Any) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


def test_a_pupil_uploads_several_files_at_once(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    page = client.get(reverse("drive:index"))
    assert page.status_code == 200
    top = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    response = client.post(
        reverse("drive:upload", args=[top.public_id]),
        {
            "files": [
                SimpleUploadedFile("exposé.pdf", PDF),
                SimpleUploadedFile("carte.png", png()),
                SimpleUploadedFile("virus.exe", b"MZ\x90\x00"),
            ]
        },
        follow=True,
    )
    shown = messages_of(response)
    assert "2 fichiers ajoutés." in shown
    assert any("virus.exe" in message for message in shown)
    assert sorted(
        Node.objects.filter(space__owner=cast.lea, kind="file").values_list("name", flat=True)
    ) == ["carte.png", "exposé.pdf"]
    assert len(stored_files()) == 2
    page = response.content.decode()
    assert "exposé.pdf" in page
    assert "utilisés sur 500" in page


def test_the_upload_handler_skips_a_file_over_the_size_limit(cast: Any, client: Any) -> None:
    DriveSettings.objects.create(establishment=cast.moulin, max_file_mb=1)
    client.force_login(cast.lea)
    client.get(reverse("drive:index"))
    top = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    response = client.post(
        reverse("drive:upload", args=[top.public_id]),
        {
            "files": [
                SimpleUploadedFile("gros.txt", b"a" * (2 * MIB)),
                SimpleUploadedFile("petit.txt", b"ok"),
            ]
        },
        follow=True,
    )
    shown = messages_of(response)
    assert any("gros.txt" in m and "taille maximale" in m for m in shown)
    assert [n.name for n in Node.objects.filter(kind="file")] == ["petit.txt"]
    assert len(stored_files()) == 1


def test_a_request_bigger_than_the_quota_is_not_read(cast: Any, client: Any) -> None:
    DriveSettings.objects.create(establishment=cast.moulin, student_quota_mb=1)
    client.force_login(cast.lea)
    client.get(reverse("drive:index"))
    top = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    response = client.post(
        reverse("drive:upload", args=[top.public_id]),
        {"files": [SimpleUploadedFile("gros.txt", b"a" * (2 * MIB))]},
        follow=True,
    )
    assert any("quota" in m for m in messages_of(response))
    assert stored_files() == []
    assert Space.objects.get(owner=cast.lea).used_bytes == 0


def test_the_script_gets_where_to_go(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    client.get(reverse("drive:index"))
    top = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    response = client.post(
        reverse("drive:upload", args=[top.public_id]),
        {"files": [SimpleUploadedFile("a.txt", b"hello")]},
        headers={"X-Requested-With": "XMLHttpRequest"},
    )
    assert json.loads(response.content) == {"redirect": reverse("drive:index")}
    # The messages wait for that page.
    assert "1 fichier ajouté." in messages_of(client.get(reverse("drive:index")))


def test_files_are_served_after_the_check_and_never_as_html(cast: Any, client: Any) -> None:
    top = root(cast.lea)
    pdf = upload(cast.lea, top, "cours.pdf", PDF)
    text = upload(cast.lea, top, "notes.txt", "<b>pas du HTML</b> é".encode())
    client.force_login(cast.lea)
    response = client.get(reverse("drive:download", args=[pdf.public_id]))
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment")
    assert response["X-Content-Type-Options"] == "nosniff"
    inline = client.get(reverse("drive:view", args=[pdf.public_id]))
    assert inline["Content-Type"] == "application/pdf"
    assert inline["Content-Disposition"].startswith("inline")
    shown = client.get(reverse("drive:view", args=[text.public_id]))
    assert shown["Content-Type"] == "text/plain; charset=utf-8"
    assert "sandbox" in shown["Content-Security-Policy"]
    page = client.get(reverse("drive:item", args=[text.public_id])).content.decode()
    assert "&lt;b&gt;pas du HTML&lt;/b&gt; é" in page


def test_x_accel_redirect_hands_the_file_to_the_web_server(
    cast: Any, client: Any, settings: Any
) -> None:
    settings.DRIVE_X_ACCEL_REDIRECT_PREFIX = "/protected-media/"
    pdf = upload(cast.lea, root(cast.lea), "cours.pdf", PDF)
    client.force_login(cast.lea)
    response = client.get(reverse("drive:download", args=[pdf.public_id]))
    assert response["X-Accel-Redirect"] == f"/protected-media/{pdf.blob}"
    assert response.content == b""


def test_a_thumbnail_is_made_once(cast: Any, client: Any) -> None:
    image = upload(cast.lea, root(cast.lea), "photo.png", png(800, 600))
    client.force_login(cast.lea)
    response = client.get(reverse("drive:thumbnail", args=[image.public_id]))
    assert response["Content-Type"] == "image/webp"
    assert len(stored_files()) == 2
    client.get(reverse("drive:thumbnail", args=[image.public_id]))
    assert len(stored_files()) == 2


def test_trash_page_says_the_files_still_count(cast: Any, client: Any) -> None:
    lea = actor_for(cast.lea)
    file = upload(cast.lea, root(cast.lea), "vieux.pdf", PDF)
    file.grant = policies.grant_for(lea, file)
    client.force_login(cast.lea)
    client.post(reverse("drive:trash_item", args=[file.public_id]))
    page = client.get(reverse("drive:trash")).content.decode()
    assert "vieux.pdf" in page
    assert "comptent dans votre quota" in page
    client.post(reverse("drive:restore", args=[file.public_id]))
    assert "vieux.pdf" in client.get(reverse("drive:index")).content.decode()


def test_sharing_through_the_page_notifies_and_shows(cast: Any, client: Any) -> None:
    doc = upload(cast.garcia, root(cast.garcia), "Le Horla.pdf", PDF)
    client.force_login(cast.garcia)
    page = client.get(reverse("drive:share", args=[doc.public_id])).content.decode()
    assert "4e B" in page and "3e A" not in page
    assert "Karim" not in page  # no guardian
    response = client.post(
        reverse("drive:share", args=[doc.public_id]),
        {"grantee": f"c:{cast.class_4b.public_id}", "permission": "read"},
    )
    assert response.status_code == 302
    client.force_login(cast.noah)
    assert "Le Horla.pdf" in client.get(reverse("drive:shared")).content.decode()
    assert client.get(reverse("drive:item", args=[doc.public_id])).status_code == 200
    client.force_login(cast.jade)
    assert "Le Horla.pdf" not in client.get(reverse("drive:shared")).content.decode()
    # A class outside the teacher's is refused by the form.
    client.force_login(cast.garcia)
    response = client.post(
        reverse("drive:share", args=[doc.public_id]),
        {"grantee": f"c:{cast.class_3a.public_id}", "permission": "read"},
    )
    assert response.status_code == 200
    assert not doc.shares.filter(school_class=cast.class_3a).exists()


def test_the_head_sets_the_quotas(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("drive:settings", args=[cast.moulin.public_id])
    assert client.get(url).status_code == 200
    values = {
        "student_quota_mb": 300,
        "teacher_quota_mb": 4000,
        "staff_quota_mb": 1000,
        "guardian_quota_mb": 50,
        "group_quota_mb": 500,
        "max_file_mb": 100,
    }
    assert client.post(url, values).status_code == 302
    saved = DriveSettings.objects.get(establishment=cast.moulin)
    assert (saved.student_quota_mb, saved.group_quota_mb) == (300, 500)
    assert AuditEntry.objects.filter(action="drive.settings.update").exists()
    assert client.post(url, {**values, "max_file_mb": 0}).status_code == 200
    space = actions.do_ensure_personal_space(actor=actor_for(cast.lea))
    assert policies.space_quota(space) == 300 * MIB
    console = client.get(reverse("administration:home")).content.decode()
    assert url in console or "Espace de stockage" in console


def test_the_home_panel_shows_recent_and_shared(cast: Any, client: Any) -> None:
    garcia = actor_for(cast.garcia)
    doc = upload(cast.garcia, root(cast.garcia), "Le Horla.pdf", PDF)
    doc.grant = policies.grant_for(garcia, doc)
    actions.do_share(actor=garcia, node=doc, school_class=cast.class_4b)
    upload(cast.noah, root(cast.noah), "mon exposé.pdf", PDF)
    client.force_login(cast.noah)
    page = client.get(reverse("portal:home")).content.decode()
    assert "mon exposé.pdf" in page
    assert "Le Horla.pdf" in page
    assert "utilisés sur" in page


def _many_files(user: Any, count: int) -> Node:
    actor = actor_for(user)
    folder = actions.do_create_folder(actor=actor, parent=root(user), name=f"Lot {count}")
    for number in range(count):
        upload(user, folder, f"fichier {number:03}.txt", b"x")
    return folder


@pytest.mark.parametrize("count", [3, 80])
def test_the_folder_page_costs_the_same_whatever_it_holds(
    cast: Any, client: Any, count: int
) -> None:
    folder = _many_files(cast.garcia, count)
    client.force_login(cast.garcia)
    url = reverse("drive:folder", args=[folder.public_id])
    client.get(url)
    # The session's user, the actor's memberships; the folder, its ancestors, the count and
    # the page of its contents; the settings, the owner's profiles, the max file size.
    with query_budget(8):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [3, 80])
def test_a_shared_folder_costs_the_same_whatever_it_holds(
    cast: Any, client: Any, count: int
) -> None:
    folder = _many_files(cast.garcia, count)
    folder.grant = policies.grant_for(actor_for(cast.garcia), folder)
    actions.do_share(actor=actor_for(cast.garcia), node=folder, school_class=cast.class_4b)
    client.force_login(cast.noah)
    url = reverse("drive:folder", args=[folder.public_id])
    client.get(url)
    with query_budget(10):
        assert client.get(url).status_code == 200


@pytest.mark.parametrize("count", [2, 60])
def test_shared_and_trash_pages_cost_the_same_whatever_they_hold(
    cast: Any, client: Any, count: int
) -> None:
    garcia = actor_for(cast.garcia)
    lea = actor_for(cast.lea)
    for number in range(count):
        doc = upload(cast.garcia, root(cast.garcia), f"doc {number}.pdf", PDF)
        doc.grant = policies.grant_for(garcia, doc)
        actions.do_share(actor=garcia, node=doc, person=cast.lea)
        mine = upload(cast.lea, root(cast.lea), f"mien {number}.pdf", PDF)
        mine.grant = policies.grant_for(lea, mine)
        actions.do_trash(actor=lea, node=mine)
    client.force_login(cast.lea)
    for route, budget in (("drive:shared", 6), ("drive:trash", 7)):
        client.get(reverse(route))
        with query_budget(budget):
            assert client.get(reverse(route)).status_code == 200


def test_moving_and_copying_through_the_pages(cast: Any, client: Any) -> None:
    garcia = actor_for(cast.garcia)
    top = root(cast.garcia)
    archive = actions.do_create_folder(actor=garcia, parent=top, name="Archives")
    inner = actions.do_create_folder(actor=garcia, parent=archive, name="2025")
    doc = upload(cast.garcia, top, "bilan.pdf", PDF)
    client.force_login(cast.garcia)
    page = client.get(reverse("drive:move", args=[archive.public_id])).content.decode()
    assert "/ Archives / 2025" not in page  # never into its own subtree
    response = client.post(
        reverse("drive:move", args=[doc.public_id]), {"target": str(inner.public_id)}
    )
    assert response.status_code == 302
    assert policies.resolve_path(garcia, ["Archives", "2025", "bilan.pdf"]).pk == doc.pk
    # A pupil the folder is shared with copies the file into their own space.
    archive.grant = policies.grant_for(garcia, archive)
    actions.do_share(actor=garcia, node=archive, school_class=cast.class_4b)
    client.force_login(cast.lea)
    page = client.get(reverse("drive:copy", args=[doc.public_id])).content.decode()
    lea_root = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    response = client.post(
        reverse("drive:copy", args=[doc.public_id]), {"target": str(lea_root.public_id)}
    )
    assert response.status_code == 302
    assert policies.resolve_path(actor_for(cast.lea), ["bilan.pdf"]).size == len(PDF)
    # The pupil cannot copy into Garcia's folder, nor move her file.
    response = client.post(
        reverse("drive:copy", args=[doc.public_id]), {"target": str(archive.public_id)}
    )
    assert response.status_code == 200
    assert client.get(reverse("drive:move", args=[doc.public_id])).status_code == 404


def test_a_refusal_before_reading_needs_no_csrf_token(cast: Any) -> None:
    """The body is not read, so the CSRF token in it cannot be: the page says why instead."""
    from django.test import Client

    DriveSettings.objects.create(establishment=cast.moulin, student_quota_mb=1)
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.lea)
    client.get(reverse("drive:index"))
    top = Node.objects.get(space__owner=cast.lea, parent__isnull=True)
    url = reverse("drive:upload", args=[top.public_id])
    response = client.post(url, {"files": [SimpleUploadedFile("gros.txt", b"a" * (2 * MIB))]})
    assert response.status_code == 302
    # Within the quota, the token is checked as usual.
    response = client.post(url, {"files": [SimpleUploadedFile("petit.txt", b"ok")]})
    assert response.status_code == 403
    assert stored_files() == []
