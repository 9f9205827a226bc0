"""Shares: who receives them, read against edit, who may share with whom."""

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from preau.directory.models import TeachingGroup
from preau.drive import actions, policies
from preau.drive.errors import QuotaExceeded
from preau.drive.models import MIB, DriveSettings, Node, Space
from preau.drive.tests.helpers import PDF, actor_for, root, upload
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def garcia_folder(cast: Any, permission: str = "read") -> tuple[Node, Node]:
    """Garcia's folder « Lectures » holding a PDF, shared with 4e B."""
    garcia = actor_for(cast.garcia)
    folder = actions.do_create_folder(actor=garcia, parent=root(cast.garcia), name="Lectures")
    file = upload(cast.garcia, folder, "Le Horla.pdf", PDF)
    folder.grant = policies.grant_for(garcia, folder)
    actions.do_share(actor=garcia, node=folder, permission=permission, school_class=cast.class_4b)
    return folder, file


def test_a_class_share_reaches_its_students_only(cast: Any) -> None:
    folder, file = garcia_folder(cast)
    for user in (cast.noah, cast.lea):
        reader = actor_for(user)
        assert policies.access_node(reader, file.public_id).grant.permission == "read"
        assert [s.node for s in policies.shared_with_me(reader)] == [folder]
    for user in (cast.jade, cast.bernard, cast.principal_moulin, cast.karim, cast.hugo):
        with pytest.raises(Http404):
            policies.access_node(actor_for(user), file.public_id)
        assert not policies.shared_with_me(actor_for(user)).exists()
    # Each student of 4e B was told, in the drive's kind.
    told = Notification.objects.filter(kind=Kind.DRIVE).values_list("recipient", flat=True)
    assert set(told) == {cast.noah.pk, cast.lea.pk}


def test_a_trashed_share_is_out_of_reach(cast: Any) -> None:
    folder, file = garcia_folder(cast)
    actions.do_trash(actor=actor_for(cast.garcia), node=folder)
    with pytest.raises(Http404):
        policies.access_node(actor_for(cast.noah), file.public_id)
    assert not policies.shared_with_me(actor_for(cast.noah)).exists()


def test_read_lets_nothing_be_written(cast: Any) -> None:
    folder, file = garcia_folder(cast)
    noah = actor_for(cast.noah)
    shared = policies.access_folder(noah, folder.public_id)
    with pytest.raises(PermissionDenied):
        upload(cast.noah, shared, "copie.pdf", PDF)
    inner = policies.access_file(noah, file.public_id)
    with pytest.raises(PermissionDenied):
        actions.do_rename(actor=noah, node=inner, name="Autre.pdf")
    with pytest.raises(PermissionDenied):
        actions.do_trash(actor=noah, node=inner)
    # Reading is enough to copy into one's own space.
    mine = root(cast.noah)
    actions.do_copy(actor=noah, node=inner, target=mine)
    assert Space.objects.get(owner=cast.noah).used_bytes == len(PDF)


def test_edit_lets_students_work_inside_on_the_owners_quota(cast: Any) -> None:
    DriveSettings.objects.create(establishment=cast.moulin, teacher_quota_mb=1)
    folder, _file = garcia_folder(cast, permission="edit")
    noah = actor_for(cast.noah)
    shared = policies.access_folder(noah, folder.public_id)
    added = upload(cast.noah, shared, "mon exposé.pdf", PDF)
    assert added.space.owner == cast.garcia
    assert Space.objects.get(owner=cast.garcia).used_bytes == 2 * len(PDF)
    inner = policies.access_file(noah, added.public_id)
    actions.do_rename(actor=noah, node=inner, name="exposé de Noah.pdf")
    # The shared folder itself stays as its owner named and placed it.
    with pytest.raises(PermissionDenied):
        actions.do_rename(actor=noah, node=shared, name="À moi")
    with pytest.raises(PermissionDenied):
        actions.do_trash(actor=noah, node=shared)
    with pytest.raises(QuotaExceeded):
        upload(cast.noah, shared, "gros.txt", b"x" * MIB)
    # Only the owner shares.
    with pytest.raises(PermissionDenied):
        actions.do_share(actor=noah, node=inner, person=cast.lea)


def test_who_may_share_with_whom(cast: Any) -> None:
    lea = actor_for(cast.lea)
    file = upload(cast.lea, root(cast.lea), "notes.pdf", PDF)
    file.grant = policies.grant_for(lea, file)
    # A student: classmates only, to read only.
    actions.do_share(actor=lea, node=file, person=cast.noah)
    assert policies.access_node(actor_for(cast.noah), file.public_id)
    for kwargs in (
        {"person": cast.jade},
        {"person": cast.garcia},
        {"person": cast.noah, "permission": "edit"},
        {"school_class": cast.class_4b},
    ):
        with pytest.raises(PermissionDenied):
            actions.do_share(actor=lea, node=file, **kwargs)
    # A teacher: the classes taught, not the others; colleagues; never a guardian.
    garcia = actor_for(cast.garcia)
    doc = upload(cast.garcia, root(cast.garcia), "progression.pdf", PDF)
    doc.grant = policies.grant_for(garcia, doc)
    actions.do_share(actor=garcia, node=doc, school_class=cast.class_4b, permission="edit")
    actions.do_share(actor=garcia, node=doc, person=cast.bernard, permission="edit")
    actions.do_share(actor=garcia, node=doc, person=cast.noah)
    for kwargs in (
        {"school_class": cast.class_3a},
        {"person": cast.jade},
        {"person": cast.karim},
        {"person": cast.dupont},
        {"school_class": cast.class_2nde3},
    ):
        with pytest.raises(PermissionDenied):
            actions.do_share(actor=garcia, node=doc, **kwargs)
    # Staff: anyone of the establishment, every class and group; still no guardian.
    cpe = actor_for(cast.cpe_moulin)
    memo = upload(cast.cpe_moulin, root(cast.cpe_moulin), "règlement.pdf", PDF)
    memo.grant = policies.grant_for(cpe, memo)
    group = TeachingGroup.objects.create(
        establishment=cast.moulin, school_year=cast.class_3a.school_year, name="Latin"
    )
    for kwargs in ({"school_class": cast.class_3a}, {"person": cast.jade}, {"group": group}):
        actions.do_share(actor=cpe, node=memo, **kwargs)
    with pytest.raises(PermissionDenied):
        actions.do_share(actor=cpe, node=memo, person=cast.sophie)
    # A guardian shares nothing.
    sophie = actor_for(cast.sophie)
    own = upload(cast.sophie, root(cast.sophie), "justificatif.pdf", PDF)
    own.grant = policies.grant_for(sophie, own)
    assert not policies.can_share(sophie, own)


def test_a_group_share_reaches_the_groups_students(cast: Any) -> None:
    from preau.directory.models import GroupMembership

    group = TeachingGroup.objects.create(
        establishment=cast.moulin, school_year=cast.class_3a.school_year, name="Latin"
    )
    GroupMembership.objects.create(establishment=cast.moulin, group=group, student=cast.jade)
    cpe = actor_for(cast.cpe_moulin)
    memo = upload(cast.cpe_moulin, root(cast.cpe_moulin), "latin.pdf", PDF)
    memo.grant = policies.grant_for(cpe, memo)
    actions.do_share(actor=cpe, node=memo, group=group)
    assert policies.access_node(actor_for(cast.jade), memo.public_id)
    with pytest.raises(Http404):
        policies.access_node(actor_for(cast.noah), memo.public_id)


def test_resolve_path_inside_a_share(cast: Any) -> None:
    folder, file = garcia_folder(cast, permission="edit")
    noah = actor_for(cast.noah)
    start = policies.access_folder(noah, folder.public_id)
    found = policies.resolve_path(noah, ["le horla.pdf"], start=start)
    assert found.pk == file.pk
    assert found.grant.edit_inside
    with pytest.raises(Http404):
        policies.resolve_path(noah, ["absent.pdf"], start=start)
    with pytest.raises(Http404):
        policies.resolve_path(noah, ["Lectures"])  # not in Noah's own space


def test_a_node_shared_twice_is_listed_once_with_the_best_right(cast: Any) -> None:
    folder, _file = garcia_folder(cast)
    actions.do_share(actor=actor_for(cast.garcia), node=folder, person=cast.noah, permission="edit")
    listed = list(policies.shared_with_me(actor_for(cast.noah)))
    assert [share.node for share in listed] == [folder]
    assert listed[0].best_permission == "edit"
    assert policies.access_node(actor_for(cast.noah), folder.public_id).grant.permission == "edit"
