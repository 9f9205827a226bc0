"""Every bookmarks route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest
from django.urls import reverse

from preau.bookmarks.models import Bookmark, BookmarkFolder, PushedBookmark
from preau.bookmarks.tests.helpers import (
    LEA_BOOKMARK,
    LEA_FOLDER,
    MOULIN_PUSHED,
    lea_bookmarks,
    moulin_pushed,
)
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor

pytestmark = pytest.mark.django_db

# A person's bookmarks are theirs alone: not their classmate's, not their mother's, not their
# teacher's, not the head's, the academy's or a superuser's.
NOT_LEA = ("noah", "sophie", "bernard", "principal_moulin", "hugo", "rectorat_versailles", "admin")
# An establishment's pushed bookmarks: its head (and academy); not the CPE, a teacher, a
# student, a guardian, nor another establishment's head.
NOT_MANAGERS = ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie", "dupont")


def _bookmark(c: Any) -> dict[str, Any]:
    return {"public_id": LEA_BOOKMARK}


def _folder(c: Any) -> dict[str, Any]:
    return {"public_id": LEA_FOLDER}


def _pushed(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "bookmark_id": MOULIN_PUSHED}


test_isolation = isolation_test(
    [
        Isolation("bookmarks:edit", "lea", _bookmark, NOT_LEA, setup=lea_bookmarks),
        Isolation("bookmarks:delete", "lea", _bookmark, NOT_LEA, setup=lea_bookmarks),
        Isolation(
            "bookmarks:move",
            "lea",
            _bookmark,
            NOT_LEA,
            method="post",
            data={"folder": ""},
            owner_status=302,
            setup=lea_bookmarks,
        ),
        Isolation(
            "bookmarks:order",
            "lea",
            _bookmark,
            NOT_LEA,
            method="post",
            data={"direction": "up"},
            owner_status=302,
            setup=lea_bookmarks,
        ),
        Isolation("bookmarks:folder_edit", "lea", _folder, NOT_LEA, setup=lea_bookmarks),
        Isolation("bookmarks:folder_delete", "lea", _folder, NOT_LEA, setup=lea_bookmarks),
        Isolation(
            "bookmarks:folder_order",
            "lea",
            _folder,
            NOT_LEA,
            method="post",
            data={"direction": "down"},
            owner_status=302,
            setup=lea_bookmarks,
        ),
        Isolation(
            "bookmarks:manage",
            "principal_moulin",
            lambda c: {"public_id": c.moulin.public_id},
            NOT_MANAGERS,
        ),
        # The academy administers its establishments, Moulin's bookmarks included.
        Isolation(
            "bookmarks:manage",
            "rectorat_versailles",
            lambda c: {"public_id": c.moulin.public_id},
            ("principal_curie", "cpe_moulin"),
        ),
        Isolation(
            "bookmarks:pushed_edit", "principal_moulin", _pushed, NOT_MANAGERS, setup=moulin_pushed
        ),
        Isolation(
            "bookmarks:pushed_delete",
            "principal_moulin",
            _pushed,
            NOT_MANAGERS,
            setup=moulin_pushed,
        ),
        Isolation(
            "bookmarks:pushed_active",
            "principal_moulin",
            _pushed,
            NOT_MANAGERS,
            method="post",
            data={"active": "0"},
            owner_status=302,
            setup=moulin_pushed,
        ),
    ]
)


def test_refused_deletes_delete_nothing(cast: Any, client: Any) -> None:
    lea_bookmarks(cast)
    moulin_pushed(cast)
    for name in NOT_LEA:
        client.force_login(getattr(cast, name))
        assert client.post(reverse("bookmarks:delete", args=[LEA_BOOKMARK])).status_code == 404
        assert client.post(reverse("bookmarks:folder_delete", args=[LEA_FOLDER])).status_code == 404
    for name in NOT_MANAGERS:
        log_in_with_second_factor(client, getattr(cast, name))
        url = reverse("bookmarks:pushed_delete", args=[cast.moulin.public_id, MOULIN_PUSHED])
        assert client.post(url).status_code == 404
    assert Bookmark.objects.filter(public_id=LEA_BOOKMARK).exists()
    assert BookmarkFolder.objects.filter(public_id=LEA_FOLDER).exists()
    assert PushedBookmark.objects.filter(public_id=MOULIN_PUSHED).exists()


def test_another_establishment_cannot_reach_a_bookmark_through_its_own_id(
    cast: Any, client: Any
) -> None:
    """Curie's head names their own establishment and Moulin's bookmark: still a 404."""
    moulin_pushed(cast)
    log_in_with_second_factor(client, cast.principal_curie)
    assert client.get(reverse("bookmarks:manage", args=[cast.curie.public_id])).status_code == 200
    for route in ("bookmarks:pushed_edit", "bookmarks:pushed_delete"):
        url = reverse(route, args=[cast.curie.public_id, MOULIN_PUSHED])
        assert client.get(url).status_code == 404
    url = reverse("bookmarks:pushed_active", args=[cast.curie.public_id, MOULIN_PUSHED])
    assert client.post(url, {"active": "0"}).status_code == 404
    assert PushedBookmark.objects.get(public_id=MOULIN_PUSHED).active


def test_a_malformed_or_unknown_id_is_a_404(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    assert client.get(f"/bookmarks/{LEA_BOOKMARK}/edit/").status_code == 404
    assert client.get("/bookmarks/not-a-uuid/edit/").status_code == 404
