"""Every drive route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test
from preau.drive import actions, policies
from preau.drive.models import Node, Share
from preau.drive.tests.helpers import PDF, actor_for, png, root, upload

pytestmark = pytest.mark.django_db

# Garcia's own files: not her colleague's, not a pupil's or a parent's, not the head's or the
# CPE's, not another establishment's, the academy's or a superuser's.
NOT_GARCIA = (
    "bernard",
    "lea",
    "noah",
    "jade",
    "sophie",
    "principal_moulin",
    "cpe_moulin",
    "dupont",
    "principal_curie",
    "rectorat_versailles",
    "admin",
)
NOT_ADMINISTRATORS = ("cpe_moulin", "garcia", "lea", "sophie", "principal_curie", "dupont")


def garcia_files(cast: Any) -> None:
    garcia = actor_for(cast.garcia)
    private = actions.do_create_folder(actor=garcia, parent=root(cast.garcia), name="Privé")
    upload(cast.garcia, private, "notes.pdf", PDF)
    upload(cast.garcia, private, "photo.png", png())
    old = upload(cast.garcia, private, "ancien.pdf", PDF)
    old.grant = policies.grant_for(garcia, old)
    actions.do_trash(actor=garcia, node=old)
    shared = actions.do_create_folder(actor=garcia, parent=root(cast.garcia), name="Lectures")
    shared.grant = policies.grant_for(garcia, shared)
    actions.do_share(actor=garcia, node=shared, school_class=cast.class_4b)


def _node(name: str) -> Any:
    return lambda c: {"public_id": Node.objects.get(name=name).public_id}


def _share(c: Any) -> dict[str, Any]:
    return {"public_id": Share.objects.get(node__name="Lectures").public_id}


def _case(route: str, name: str, **kwargs: Any) -> Isolation:
    return Isolation(route, "garcia", _node(name), NOT_GARCIA, setup=garcia_files, **kwargs)


POSTED = {"method": "post", "owner_status": 302}

test_isolation = isolation_test(
    [
        _case("drive:folder", "Privé"),
        _case("drive:upload", "Privé", **POSTED),
        _case("drive:new_folder", "Privé", data={"name": "Nouveau"}, **POSTED),
        _case("drive:item", "notes.pdf"),
        _case("drive:download", "notes.pdf"),
        _case("drive:view", "notes.pdf"),
        _case("drive:thumbnail", "photo.png"),
        _case("drive:rename", "notes.pdf"),
        _case("drive:move", "notes.pdf"),
        _case("drive:copy", "notes.pdf"),
        _case("drive:share", "notes.pdf"),
        _case("drive:trash_item", "notes.pdf", **POSTED),
        _case("drive:restore", "ancien.pdf", **POSTED),
        _case("drive:delete", "ancien.pdf"),
        Isolation("drive:revoke", "garcia", _share, NOT_GARCIA, setup=garcia_files, **POSTED),
        Isolation(
            "drive:settings",
            "principal_moulin",
            lambda c: {"public_id": c.moulin.public_id},
            NOT_ADMINISTRATORS,
        ),
    ]
)


def test_refused_writes_change_nothing(cast: Any, client: Any) -> None:
    garcia_files(cast)
    notes = Node.objects.get(name="notes.pdf")
    old = Node.objects.get(name="ancien.pdf")
    for name in NOT_GARCIA:
        client.force_login(getattr(cast, name))
        assert client.post(reverse("drive:trash_item", args=[notes.public_id])).status_code == 404
        assert client.post(reverse("drive:delete", args=[old.public_id])).status_code == 404
        url = reverse("drive:rename", args=[notes.public_id])
        assert client.post(url, {"name": "volé.pdf"}).status_code == 404
    notes.refresh_from_db()
    assert notes.name == "notes.pdf" and notes.trashed_at is None
    assert Node.objects.filter(pk=old.pk).exists()


def test_a_share_with_4e_b_reaches_noah_not_jade(cast: Any, client: Any) -> None:
    garcia_files(cast)
    shared = Node.objects.get(name="Lectures")
    client.force_login(cast.noah)
    assert client.get(reverse("drive:folder", args=[shared.public_id])).status_code == 200
    assert "Lectures" in client.get(reverse("drive:shared")).content.decode()
    client.force_login(cast.jade)
    assert client.get(reverse("drive:folder", args=[shared.public_id])).status_code == 404
    assert "Lectures" not in client.get(reverse("drive:shared")).content.decode()
    # Noah reads the shared folder but cannot reach Garcia's other folders from it.
    client.force_login(cast.noah)
    private = Node.objects.get(name="Privé")
    assert client.get(reverse("drive:folder", args=[private.public_id])).status_code == 404
    top = Node.objects.get(space__owner=cast.garcia, parent__isnull=True)
    assert client.get(reverse("drive:folder", args=[top.public_id])).status_code == 404
