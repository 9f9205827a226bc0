"""The drive's actions: the tree, the quota, the trash, the checks before anything is stored."""

import io
from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.utils import timezone

from preau.drive import actions, policies
from preau.drive.errors import (
    FileTooLarge,
    FileTypeRefused,
    InvalidMove,
    InvalidName,
    NameConflict,
    QuotaExceeded,
)
from preau.drive.models import MIB, DriveSettings, Node, Space
from preau.drive.tests.helpers import PDF, actor_for, png, root, stored_files, upload

pytestmark = pytest.mark.django_db


def used(user: Any) -> int:
    return Space.objects.get(owner=user).used_bytes


def test_a_teacher_files_documents_in_folders(cast: Any) -> None:
    garcia = actor_for(cast.garcia)
    top = root(cast.garcia)
    lessons = actions.do_create_folder(actor=garcia, parent=top, name="Séquences")
    pdf = upload(cast.garcia, lessons, "Le Horla.pdf", PDF)
    picture = upload(cast.garcia, lessons, "affiche.png", png())
    assert pdf.content_type == "application/pdf"
    assert picture.content_type == "image/png"
    assert pdf.path == f"{lessons.path}{pdf.public_id.hex}/"
    assert used(cast.garcia) == len(PDF) + picture.size
    assert [n.name for n in policies.children(garcia, lessons)] == ["affiche.png", "Le Horla.pdf"]
    lessons.refresh_from_db()
    assert lessons.modified_by == cast.garcia
    # Names are unique among siblings whatever their case.
    with pytest.raises(NameConflict):
        upload(cast.garcia, lessons, "le horla.PDF", PDF)
    with pytest.raises(NameConflict):
        actions.do_create_folder(actor=garcia, parent=top, name="séquences")
    again = upload(cast.garcia, lessons, "Le Horla.pdf", PDF, on_conflict="rename")
    assert again.name == "Le Horla (2).pdf"


@pytest.mark.parametrize("name", ["", "  ", ".", "..", "a/b", "a\\b", "tab\there", "x" * 201])
def test_bad_names_are_refused(cast: Any, name: str) -> None:
    with pytest.raises(InvalidName):
        actions.do_create_folder(actor=actor_for(cast.lea), parent=root(cast.lea), name=name)
    assert Node.objects.filter(space__owner=cast.lea).count() == 1


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("virus.exe", b"MZ\x90\x00" + b"\x00" * 100),
        ("page.html", b"<html><script>alert(1)</script></html>"),
        ("dessin.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>"),
        ("faux.pdf", b"<html>not a pdf</html>"),
        ("notes.txt", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("archive.zip", b"PK\x03\x04" + b"\x00" * 100),
        ("faux.docx", b"PK\x03\x04" + b"\x00" * 100),
    ],
)
def test_forbidden_types_leave_nothing_stored(cast: Any, name: str, content: bytes) -> None:
    top = root(cast.lea)
    with pytest.raises(FileTypeRefused):
        upload(cast.lea, top, name, content)
    assert stored_files() == []
    assert used(cast.lea) == 0
    assert not Node.objects.filter(space__owner=cast.lea, kind="file").exists()


def test_over_size_and_over_quota_leave_nothing_stored(cast: Any) -> None:
    DriveSettings.objects.create(establishment=cast.moulin, student_quota_mb=2, max_file_mb=1)
    top = root(cast.lea)
    big = b"x" * (MIB + 1)
    with pytest.raises(FileTooLarge):
        upload(cast.lea, top, "gros.txt", big)
    # A stream without a declared size is read only up to the limit.
    stream = io.BytesIO(b"y" * (5 * MIB))
    with pytest.raises(FileTooLarge):
        actions.do_upload_file(
            actor=actor_for(cast.lea), folder=top, name="flux.txt", content=stream
        )
    assert stream.tell() <= MIB + 256 * 1024
    upload(cast.lea, top, "un.txt", b"a" * (MIB - 10))
    upload(cast.lea, top, "deux.txt", b"b" * (MIB - 10))
    assert len(stored_files()) == 2
    with pytest.raises(QuotaExceeded):
        upload(cast.lea, top, "trois.txt", b"c" * 100)
    assert len(stored_files()) == 2
    assert used(cast.lea) == 2 * (MIB - 10)


def test_quota_follows_the_profile(cast: Any) -> None:
    DriveSettings.objects.create(
        establishment=cast.moulin, student_quota_mb=10, teacher_quota_mb=30, guardian_quota_mb=3
    )
    for user, quota in [
        (cast.lea, 10),
        (cast.garcia, 30),
        (cast.sophie, 3),
        (cast.cpe_moulin, 2048),
    ]:
        space = actions.do_ensure_personal_space(actor=actor_for(user))
        assert policies.space_quota(space) == quota * MIB


def test_rename_keeps_the_extension(cast: Any) -> None:
    lea = actor_for(cast.lea)
    top = root(cast.lea)
    file = upload(cast.lea, top, "exposé.pdf", PDF)
    file.grant = policies.grant_for(lea, file)
    actions.do_rename(actor=lea, node=file, name="Exposé final.PDF")
    assert Node.objects.get(pk=file.pk).name == "Exposé final.PDF"
    with pytest.raises(InvalidName):
        actions.do_rename(actor=lea, node=file, name="exposé.exe")


def test_move_refuses_cycles_and_rewrites_paths(cast: Any) -> None:
    lea = actor_for(cast.lea)
    top = root(cast.lea)
    a = actions.do_create_folder(actor=lea, parent=top, name="A")
    b = actions.do_create_folder(actor=lea, parent=a, name="B")
    c = actions.do_create_folder(actor=lea, parent=top, name="C")
    file = upload(cast.lea, b, "f.txt", b"hello")
    for node in (a, b, c):
        node.grant = policies.grant_for(lea, node)
    with pytest.raises(InvalidMove):
        actions.do_move(actor=lea, node=a, target=b)
    with pytest.raises(InvalidMove):
        actions.do_move(actor=lea, node=a, target=a)
    actions.do_move(actor=lea, node=a, target=c)
    file.refresh_from_db()
    assert file.path == f"{c.path}{a.public_id.hex}/{b.public_id.hex}/{file.public_id.hex}/"
    assert policies.resolve_path(lea, ["c", "a", "B", "F.TXT"]).pk == file.pk


def test_copy_counts_against_the_quota(cast: Any) -> None:
    DriveSettings.objects.create(establishment=cast.moulin, student_quota_mb=1)
    lea = actor_for(cast.lea)
    top = root(cast.lea)
    folder = actions.do_create_folder(actor=lea, parent=top, name="Maths")
    inner = actions.do_create_folder(actor=lea, parent=folder, name="Cours")
    upload(cast.lea, inner, "cours.txt", b"z" * 400_000)
    folder.grant = policies.grant_for(lea, folder)
    copy = actions.do_copy(actor=lea, node=folder, target=top, on_conflict="rename")
    assert copy.name == "Maths (2)"
    copied = policies.resolve_path(lea, ["Maths (2)", "Cours", "cours.txt"])
    assert copied.blob != Node.objects.get(name="cours.txt", parent=inner).blob
    assert used(cast.lea) == 800_000
    assert len(stored_files()) == 2
    with pytest.raises(QuotaExceeded):
        actions.do_copy(actor=lea, node=folder, target=top, on_conflict="rename")
    assert len(stored_files()) == 2
    with pytest.raises(InvalidMove):
        actions.do_copy(actor=lea, node=folder, target=inner)


def test_trash_restore_and_purge(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    lea = actor_for(cast.lea)
    top = root(cast.lea)
    folder = actions.do_create_folder(actor=lea, parent=top, name="Brouillons")
    file = upload(cast.lea, folder, "brouillon.txt", b"draft")
    folder.grant = policies.grant_for(lea, folder)
    actions.do_trash(actor=lea, node=folder)
    assert not policies.children(lea, top).exists()
    assert Node.objects.get(pk=file.pk).trashed_at is not None
    # Trashed files still count until they are deleted forever.
    assert used(cast.lea) == 5
    assert [n.name for n in policies.trashed(lea)] == ["Brouillons"]
    # The name is free again while the folder is in the trash.
    actions.do_create_folder(actor=lea, parent=top, name="Brouillons")
    trashed = policies.access_trashed(lea, folder.public_id)
    restored = actions.do_restore(actor=lea, node=trashed)
    assert restored.name == "Brouillons (2)"
    assert policies.resolve_path(lea, ["Brouillons (2)", "brouillon.txt"]).pk == file.pk

    restored.grant = policies.grant_for(lea, restored)
    actions.do_trash(actor=lea, node=restored)
    Node.objects.filter(pk=restored.pk).update(trashed_at=timezone.now() - timedelta(days=31))
    with django_capture_on_commit_callbacks(execute=True):
        call_command("purge_drive_trash", stdout=io.StringIO())
    assert not Node.objects.filter(pk__in=[restored.pk, file.pk]).exists()
    assert used(cast.lea) == 0
    assert stored_files() == []


def test_delete_forever_frees_the_quota(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    lea = actor_for(cast.lea)
    file = upload(cast.lea, root(cast.lea), "a.pdf", PDF)
    file.grant = policies.grant_for(lea, file)
    actions.do_trash(actor=lea, node=file)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_empty_trash(actor=lea)
    assert used(cast.lea) == 0
    assert stored_files() == []


def test_replace_changes_the_content(cast: Any, django_capture_on_commit_callbacks: Any) -> None:
    lea = actor_for(cast.lea)
    file = upload(cast.lea, root(cast.lea), "notes.txt", b"one")
    file.grant = policies.grant_for(lea, file)
    with django_capture_on_commit_callbacks(execute=True):
        actions.do_replace_file(actor=lea, file=file, content=io.BytesIO(b"two, longer"))
    assert used(cast.lea) == len(b"two, longer")
    assert len(stored_files()) == 1
    with pytest.raises(FileTypeRefused):
        actions.do_replace_file(actor=lea, file=file, content=io.BytesIO(b"\x00binary"))


def test_nobody_else_writes_in_a_personal_space(cast: Any) -> None:
    top = root(cast.lea)
    for user in (cast.noah, cast.principal_moulin, cast.sophie, cast.admin):
        with pytest.raises(PermissionDenied):
            actions.do_create_folder(actor=actor_for(user), parent=top, name="Intrus")
        with pytest.raises(PermissionDenied):
            upload(user, top, "intrus.txt", b"x")
    assert stored_files() == []
