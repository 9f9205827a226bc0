"""The shared folder of a group workspace: its members reach it by their role, nobody else."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from preau.calendar import actions as calendar_actions
from preau.calendar import policies as calendar_policies
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.drive import actions, demo, policies
from preau.drive.errors import QuotaExceeded
from preau.drive.models import MIB, DriveSettings, Node, Space
from preau.groups.models import Role, Workspace, WorkspaceMember
from preau.groups.tests.helpers import CLUB_ID, actor, club
from preau.portal.actions import do_update_services

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
# Not members of the club: a colleague (a member of the council, another workspace), a pupil
# of another class, a member's parent, the head and the CPE, another establishment's people.
NOT_MEMBERS = (
    "bernard",
    "jade",
    "sophie",
    "principal_moulin",
    "cpe_moulin",
    "dupont",
    "principal_curie",
    "hugo",
    "admin",
)


def club_files(cast: Any) -> Workspace:
    """The club with its demo shared folder, a folder « Décors », and a file Noah trashed."""
    workspace = club(cast)
    demo.build(cast)
    top = root_of(workspace, cast.garcia)
    noah = actor(cast.noah)
    top.grant = policies.grant_for(noah, top)
    sets = actions.do_create_folder(actor=noah, parent=top, name="Décors")
    sets.grant = top.grant
    old = actions.do_upload_file(
        actor=noah, folder=sets, name="ancien.pdf", content=io.BytesIO(PDF)
    )
    old.grant = top.grant
    actions.do_trash(actor=noah, node=old)
    return workspace


def root_of(workspace: Workspace, user: Any) -> Node:
    node = actions.root_of(actions.do_ensure_group_space(workspace=workspace))
    node.grant = policies.grant_for(actor(user), node)
    return node


def _named(name: str) -> Any:
    return lambda c: {"public_id": Node.objects.get(name=name).public_id}


def _case(route: str, kwargs: Any, **extra: Any) -> Isolation:
    return Isolation(route, "noah", kwargs, NOT_MEMBERS, setup=club_files, **extra)


POSTED = {"method": "post", "owner_status": 302}
WORKSPACE = {"public_id": CLUB_ID}

test_isolation = isolation_test(
    [
        _case("drive:group", lambda c: WORKSPACE),
        _case("drive:group_trash", lambda c: WORKSPACE),
        _case("drive:folder", _named("Décors")),
        _case("drive:upload", _named("Décors"), **POSTED),
        _case("drive:item", _named("Répartition des rôles.txt")),
        _case("drive:download", _named("Scène 2 - texte annoté.pdf")),
        _case("drive:thumbnail", _named("Affiche de la représentation.png")),
        _case("drive:rename", _named("Répartition des rôles.txt")),
        _case("drive:trash_item", _named("Répartition des rôles.txt"), **POSTED),
        _case("drive:restore", _named("ancien.pdf"), **POSTED),
    ]
)


def test_members_write_readers_and_the_archived_read(cast: Any) -> None:
    workspace = club_files(cast)
    sets = Node.objects.get(name="Décors")
    lea, noah = actor(cast.lea), actor(cast.noah)
    node = policies.access_folder(lea, sets.public_id)
    assert policies.can_write_into(lea, node) and policies.can_change(lea, node)
    assert not policies.can_share(lea, node)
    # Léa becomes a reader: she reads, and cannot upload, rename nor trash.
    WorkspaceMember.objects.filter(workspace=workspace, person=cast.lea).update(role=Role.READER)
    node = policies.access_folder(lea, sets.public_id)
    assert node.grant.permission == policies.READ
    assert not policies.can_write_into(lea, node) and not policies.can_change(lea, node)
    with pytest.raises(PermissionDenied):
        actions.do_upload_file(actor=lea, folder=node, name="x.pdf", content=io.BytesIO(PDF))
    # A muted member reads only.
    WorkspaceMember.objects.filter(workspace=workspace, person=cast.noah).update(
        muted_at=timezone.now()
    )
    assert not policies.can_write_into(noah, policies.access_folder(noah, sets.public_id))
    # An archived workspace: even its animator reads only.
    Workspace.objects.filter(pk=workspace.pk).update(archived_at=timezone.now())
    garcia = actor(cast.garcia)
    node = policies.access_folder(garcia, sets.public_id)
    assert not policies.can_write_into(garcia, node) and not policies.can_change(garcia, node)


def test_a_reader_gets_no_upload_form_and_a_refused_upload(cast: Any, client: Any) -> None:
    workspace = club_files(cast)
    WorkspaceMember.objects.filter(workspace=workspace, person=cast.lea).update(role=Role.READER)
    sets = Node.objects.get(name="Décors")
    client.force_login(cast.lea)
    page = client.get(reverse("drive:folder", args=[sets.public_id])).content.decode()
    assert "Ajouter des fichiers" not in page and "en lecture" in page
    file = SimpleUploadedFile("plan.pdf", PDF, content_type="application/pdf")
    response = client.post(reverse("drive:upload", args=[sets.public_id]), {"files": [file]})
    assert response.status_code == 404
    assert not Node.objects.filter(name="plan.pdf").exists()


def test_a_member_uses_the_folder_through_the_pages(cast: Any, client: Any) -> None:
    club_files(cast)
    client.force_login(cast.lea)
    listing = client.get(reverse("drive:groups")).content.decode()
    assert "Club théâtre" in listing and "Conseil pédagogique" not in listing
    page = client.get(reverse("drive:group", args=[CLUB_ID])).content.decode()
    assert "Répartition des rôles.txt" in page and "Ajouter des fichiers" in page
    top = Node.objects.get(space__workspace_id=club(cast).pk, parent__isnull=True)
    # Upload, rename, move into « Décors », trash and restore.
    file = SimpleUploadedFile("costumes.pdf", PDF, content_type="application/pdf")
    assert (
        client.post(reverse("drive:upload", args=[top.public_id]), {"files": [file]}).status_code
        == 302
    )
    costumes = Node.objects.get(name="costumes.pdf")
    assert costumes.created_by == cast.lea and costumes.space.workspace_id is not None
    url = reverse("drive:rename", args=[costumes.public_id])
    assert client.post(url, {"name": "Costumes.pdf"}).status_code == 302
    sets = Node.objects.get(name="Décors")
    url = reverse("drive:move", args=[costumes.public_id])
    assert client.post(url, {"target": str(sets.public_id)}).status_code == 302
    costumes.refresh_from_db()
    assert (costumes.name, costumes.parent_id) == ("Costumes.pdf", sets.pk)
    assert client.post(reverse("drive:trash_item", args=[costumes.public_id])).status_code == 302
    trash = client.get(reverse("drive:group_trash", args=[CLUB_ID])).content.decode()
    assert "Costumes.pdf" in trash and "ancien.pdf" in trash
    assert client.post(reverse("drive:restore", args=[costumes.public_id])).status_code == 302
    costumes.refresh_from_db()
    assert costumes.trashed_at is None
    # Léa's own trash is not the workspace's.
    assert "ancien.pdf" not in client.get(reverse("drive:trash")).content.decode()


def test_who_restores_and_deletes_forever(cast: Any, client: Any) -> None:
    club_files(cast)
    old = Node.objects.get(name="ancien.pdf")
    # Léa did not trash it and does not animate: no restoring, no deleting.
    client.force_login(cast.lea)
    assert client.post(reverse("drive:restore", args=[old.public_id])).status_code == 404
    assert client.post(reverse("drive:delete", args=[old.public_id])).status_code == 404
    # Noah trashed it: he restores it, but does not delete forever.
    noah = actor(cast.noah)
    node = policies.access_trashed(noah, old.public_id)
    assert policies.can_restore(noah, node) and not policies.can_delete_forever(noah, node)
    # Garcia animates: she deletes forever, and the space gets its bytes back.
    client.force_login(cast.garcia)
    space = Space.objects.get(workspace__public_id=CLUB_ID)
    assert client.post(reverse("drive:delete", args=[old.public_id])).status_code == 302
    assert not Node.objects.filter(pk=old.pk).exists()
    assert Space.objects.get(pk=space.pk).used_bytes == space.used_bytes - len(PDF)


def test_uploads_count_against_the_group_quota(cast: Any) -> None:
    workspace = club_files(cast)
    space = Space.objects.get(workspace=workspace)
    assert policies.space_quota(space) == 1024 * MIB
    DriveSettings.objects.create(establishment=cast.moulin, group_quota_mb=1)
    assert policies.space_quota(space) == MIB
    top = root_of(workspace, cast.lea)
    lea_space_before = Space.objects.filter(owner=cast.lea).values_list("used_bytes", flat=True)
    with pytest.raises(QuotaExceeded):
        actions.do_upload_file(
            actor=actor(cast.lea), folder=top, name="gros.pdf", content=io.BytesIO(PDF + b"0" * MIB)
        )
    assert list(Space.objects.filter(owner=cast.lea).values_list("used_bytes", flat=True)) == list(
        lea_space_before
    )
    small = actions.do_upload_file(
        actor=actor(cast.lea), folder=top, name="petit.pdf", content=io.BytesIO(PDF)
    )
    assert Space.objects.get(pk=space.pk).used_bytes >= small.size


def test_group_files_are_not_shared_nor_reached_by_a_share(cast: Any, client: Any) -> None:
    club_files(cast)
    roles = Node.objects.get(name="Répartition des rôles.txt")
    client.force_login(cast.garcia)
    assert client.get(reverse("drive:share", args=[roles.public_id])).status_code == 404
    # Copying into one's own space is a copy, counted in one's own quota.
    lea = actor(cast.lea)
    mine = actions.root_of(actions.do_ensure_personal_space(actor=lea))
    mine.grant = policies.grant_for(lea, mine)
    copy = actions.do_copy(actor=lea, node=policies.access_file(lea, roles.public_id), target=mine)
    assert copy.space.owner_id == cast.lea.pk


def test_another_establishment_never_reaches_it(cast: Any) -> None:
    club_files(cast)
    roles = Node.objects.get(name="Répartition des rôles.txt")
    for user in (cast.dupont, cast.principal_curie, cast.hugo):
        with pytest.raises(Http404):
            policies.access_node(actor(user), roles.public_id)
    assert not policies.group_spaces(actor(cast.dupont)).exists()
    assert policies.group_spaces(actor(cast.noah)).count() == 1


def test_the_group_folder_page_budget(cast: Any, client: Any) -> None:
    """The same queries with 3 files or 40 in the shared folder."""
    workspace = club_files(cast)
    client.force_login(cast.lea)
    url = reverse("drive:group", args=[CLUB_ID])
    client.get(url)
    # user, memberships, the workspace with Léa's membership, the space, its root, her
    # membership again for the rights (with the workspace), the settings, the page's count
    # and rows.
    with query_budget(9):
        client.get(url)
    top = root_of(workspace, cast.lea)
    for number in range(37):
        actions.do_upload_file(
            actor=actor(cast.lea), folder=top, name=f"f{number}.txt", content=io.BytesIO(b"x\n")
        )
    with query_budget(9):
        client.get(url)


def test_the_group_folders_list_budget(cast: Any, client: Any) -> None:
    """« Espaces de groupe » runs the same queries with 1 workspace or 30."""
    club_files(cast)
    client.force_login(cast.garcia)
    url = reverse("drive:groups")
    client.get(url)
    # user, memberships, the page's count and rows.
    with query_budget(4):
        page = client.get(url).content.decode()
    assert "Club théâtre" in page and "Conseil pédagogique" in page
    garcia = actor(cast.garcia)
    for number in range(28):
        workspace = Workspace.objects.create(establishment=cast.moulin, name=f"Atelier {number}")
        WorkspaceMember.objects.create(
            establishment=cast.moulin, workspace=workspace, person=garcia.user, role=Role.ANIMATOR
        )
    with query_budget(4):
        client.get(url)


def test_turning_the_workspaces_off_closes_their_folders_and_calendars(
    cast: Any, client: Any
) -> None:
    workspace = club_files(cast)
    calendar = calendar_actions.shared_calendar(establishment=cast.moulin, workspace=workspace)
    roles = Node.objects.get(name="Répartition des rôles.txt")
    do_update_services(
        actor=actor(cast.principal_moulin),
        establishment=cast.moulin,
        choices={"groups": (False, 50)},
    )
    client.force_login(cast.noah)
    assert client.get(reverse("drive:group", args=[CLUB_ID])).status_code == 404
    assert client.get(reverse("drive:groups")).status_code == 404
    assert client.get(reverse("drive:item", args=[roles.public_id])).status_code == 404
    with pytest.raises(Http404):
        calendar_policies.access_calendar(actor(cast.noah), calendar.public_id)
