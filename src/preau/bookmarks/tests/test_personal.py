"""A person's own bookmarks and folders: adding, editing, moving, ordering, deleting."""

from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.bookmarks import actions, selectors
from preau.bookmarks.models import Bookmark, BookmarkFolder
from preau.bookmarks.tests.helpers import actor_for
from preau.core.testing import query_budget

pytestmark = pytest.mark.django_db


def titles(user: Any, folder: BookmarkFolder | None) -> list[str]:
    return list(
        Bookmark.objects.filter(owner=user, folder=folder)
        .order_by("position", "title")
        .values_list("title", flat=True)
    )


def test_a_pupil_files_bookmarks_in_folders(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    response = client.post(reverse("bookmarks:folder_add"), {"name": "Histoire"})
    assert response.status_code == 302
    folder = BookmarkFolder.objects.get(owner=cast.lea)
    response = client.post(
        reverse("bookmarks:add"),
        {
            "title": "Vikidia",
            "url": "https://fr.vikidia.org/",
            "description": "Encyclopédie",
            "folder": str(folder.public_id),
        },
    )
    assert response.status_code == 302
    bookmark = Bookmark.objects.get(owner=cast.lea)
    assert response["Location"] == f"/bookmarks/#bookmark-{bookmark.public_id}"
    assert bookmark.folder == folder
    page = client.get(reverse("bookmarks:index")).content.decode()
    assert "Histoire" in page
    assert "Vikidia" in page
    assert "fr.vikidia.org" in page
    # Personal bookmarks are private notes: nothing goes to any establishment's audit trail.
    assert not AuditEntry.objects.filter(action__startswith="bookmarks.").exists()


def test_the_add_page_offers_the_folder_asked_for(cast: Any, client: Any) -> None:
    folder = actions.do_create_folder(actor=actor_for(cast.lea), name="Anglais")
    client.force_login(cast.lea)
    page = client.get(reverse("bookmarks:add") + f"?folder={folder.public_id}").content.decode()
    assert f'<option value="{folder.public_id}" selected>' in page


def test_another_persons_folder_is_not_a_choice(cast: Any, client: Any) -> None:
    noahs = actions.do_create_folder(actor=actor_for(cast.noah), name="Maths")
    client.force_login(cast.lea)
    response = client.post(
        reverse("bookmarks:add"),
        {"title": "Lumni", "url": "https://www.lumni.fr/", "folder": str(noahs.public_id)},
    )
    assert response.status_code == 200
    assert not Bookmark.objects.exists()
    page = client.get(reverse("bookmarks:add") + f"?folder={noahs.public_id}").content.decode()
    assert f'<option value="{noahs.public_id}"' not in page
    assert client.get(reverse("bookmarks:add") + "?folder=pas-un-uuid").status_code == 200


def test_edit_and_move_between_folders(cast: Any, client: Any) -> None:
    lea = actor_for(cast.lea)
    french = actions.do_create_folder(actor=lea, name="Français")
    maths = actions.do_create_folder(actor=lea, name="Maths")
    first = actions.do_create_bookmark(actor=lea, title="A", url="https://a.example/", folder=maths)
    moved = actions.do_create_bookmark(
        actor=lea, title="B", url="https://b.example/", folder=french
    )
    client.force_login(cast.lea)
    response = client.post(
        reverse("bookmarks:move", args=[moved.public_id]), {"folder": str(maths.public_id)}
    )
    assert response.status_code == 302
    assert titles(cast.lea, maths) == ["A", "B"]
    response = client.post(
        reverse("bookmarks:edit", args=[first.public_id]),
        {"title": "A bis", "url": "https://a.example/bis", "folder": ""},
    )
    assert response.status_code == 302
    first.refresh_from_db()
    assert (first.title, first.url, first.folder) == ("A bis", "https://a.example/bis", None)
    # Moving to a folder posted by hand from someone else: refused, nothing moves.
    noahs = actions.do_create_folder(actor=actor_for(cast.noah), name="À moi")
    client.post(reverse("bookmarks:move", args=[moved.public_id]), {"folder": str(noahs.public_id)})
    moved.refresh_from_db()
    assert moved.folder == maths


def test_reorder_bookmarks_and_folders(cast: Any, client: Any) -> None:
    lea = actor_for(cast.lea)
    made = [
        actions.do_create_bookmark(actor=lea, title=t, url=f"https://{t}.example/")
        for t in ("un", "deux", "trois")
    ]
    client.force_login(cast.lea)
    client.post(reverse("bookmarks:order", args=[made[2].public_id]), {"direction": "up"})
    assert titles(cast.lea, None) == ["un", "trois", "deux"]
    client.post(reverse("bookmarks:order", args=[made[0].public_id]), {"direction": "down"})
    assert titles(cast.lea, None) == ["trois", "un", "deux"]
    client.post(reverse("bookmarks:order", args=[made[2].public_id]), {"direction": "up"})
    assert titles(cast.lea, None) == ["trois", "un", "deux"]  # already first
    actions.do_reorder_bookmarks(
        actor=lea, folder=None, public_ids=[made[1].public_id, made[0].public_id]
    )
    assert titles(cast.lea, None) == ["deux", "un", "trois"]

    a = actions.do_create_folder(actor=lea, name="A")
    b = actions.do_create_folder(actor=lea, name="B")
    client.post(reverse("bookmarks:folder_order", args=[b.public_id]), {"direction": "up"})
    assert list(BookmarkFolder.objects.filter(owner=cast.lea).values_list("name", flat=True)) == [
        "B",
        "A",
    ]
    assert a.public_id


def test_deleting_a_folder_keeps_its_bookmarks(cast: Any, client: Any) -> None:
    lea = actor_for(cast.lea)
    folder = actions.do_create_folder(actor=lea, name="Vieux")
    actions.do_create_bookmark(actor=lea, title="Hors", url="https://hors.example/")
    actions.do_create_bookmark(actor=lea, title="Dedans", url="https://in.example/", folder=folder)
    client.force_login(cast.lea)
    page = client.get(reverse("bookmarks:folder_delete", args=[folder.public_id]))
    assert page.status_code == 200
    assert BookmarkFolder.objects.filter(pk=folder.pk).exists()  # a GET deletes nothing
    response = client.post(reverse("bookmarks:folder_delete", args=[folder.public_id]))
    assert response.status_code == 302
    assert not BookmarkFolder.objects.filter(pk=folder.pk).exists()
    assert titles(cast.lea, None) == ["Hors", "Dedans"]


def test_deleting_a_bookmark_takes_a_post(cast: Any, client: Any) -> None:
    bookmark = actions.do_create_bookmark(
        actor=actor_for(cast.lea), title="Lumni", url="https://www.lumni.fr/"
    )
    client.force_login(cast.lea)
    url = reverse("bookmarks:delete", args=[bookmark.public_id])
    assert client.get(url).status_code == 200
    assert Bookmark.objects.filter(pk=bookmark.pk).exists()
    assert client.post(url).status_code == 302
    assert not Bookmark.objects.filter(pk=bookmark.pk).exists()
    assert client.get(reverse("bookmarks:move", args=[bookmark.public_id])).status_code == 405


def test_folder_names_are_unique_per_person(cast: Any, client: Any) -> None:
    actions.do_create_folder(actor=actor_for(cast.lea), name="Maths")
    actions.do_create_folder(actor=actor_for(cast.noah), name="Sciences")
    client.force_login(cast.lea)
    response = client.post(reverse("bookmarks:folder_add"), {"name": "maths"})
    assert response.status_code == 200
    assert "Vous avez déjà un dossier de ce nom." in response.content.decode()
    # Another person's folder of the same name is no clash.
    assert client.post(reverse("bookmarks:folder_add"), {"name": "Sciences"}).status_code == 302


def test_a_quota_bounds_the_page(cast: Any, client: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(actions, "MAX_BOOKMARKS", 1)
    client.force_login(cast.lea)
    assert (
        client.post(
            reverse("bookmarks:add"), {"title": "1", "url": "https://1.example/"}
        ).status_code
        == 302
    )
    response = client.post(reverse("bookmarks:add"), {"title": "2", "url": "https://2.example/"})
    assert response.status_code == 200
    assert "nombre maximal de signets" in response.content.decode()
    assert Bookmark.objects.filter(owner=cast.lea).count() == 1


def test_the_page_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    client.get(reverse("bookmarks:index"))
    lea = actor_for(cast.lea)

    def page() -> None:
        with query_budget(7):
            # user, memberships, enrolment, academies administered (the actor, cached until the
            # directory changes); folders, bookmarks; pushed bookmarks
            assert client.get(reverse("bookmarks:index")).status_code == 200

    page()
    for n in range(3):
        folder = actions.do_create_folder(actor=lea, name=f"Dossier {n}")
        for m in range(4):
            actions.do_create_bookmark(
                actor=lea, title=f"{n}-{m}", url=f"https://{n}-{m}.example/", folder=folder
            )
    page()


def test_the_panel_shows_the_first_bookmarks(cast: Any) -> None:
    lea = actor_for(cast.lea)
    assert selectors.panel_data(actor_for(cast.jade), None) is None  # nothing to show
    for n in range(7):
        actions.do_create_bookmark(actor=lea, title=f"Signet {n}", url=f"https://{n}.example/")
    panel = selectors.panel_data(actor_for(cast.lea), None)
    assert [b.title for b in panel["bookmarks"]] == [f"Signet {n}" for n in range(5)]
    actions.do_create_folder(actor=lea, name="Z")  # a change forgets the cached panel
    bookmark = Bookmark.objects.get(title="Signet 6")
    actions.do_reorder_bookmarks(actor=lea, folder=None, public_ids=[bookmark.public_id])
    panel = selectors.panel_data(actor_for(cast.lea), None)
    assert panel["bookmarks"][0].title == "Signet 6"
