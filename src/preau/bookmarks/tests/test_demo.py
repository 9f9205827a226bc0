"""The demo bookmarks: realistic, valid, and built once however often the demo runs."""

from typing import Any

import pytest
from django.urls import reverse

from preau.bookmarks import demo
from preau.bookmarks.models import Bookmark, BookmarkFolder, PushedBookmark, PushedBookmarkClass

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        model.objects.count()
        for model in (PushedBookmark, PushedBookmarkClass, Bookmark, BookmarkFolder)
    )


def test_the_demo_is_idempotent_and_valid(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    for row in [*PushedBookmark.objects.all(), *Bookmark.objects.all()]:
        row.full_clean()
    assert set(PushedBookmark.objects.values_list("establishment", flat=True)) == {
        cast.moulin.pk,
        cast.curie.pk,
    }
    assert BookmarkFolder.objects.filter(owner=cast.lea).exists()
    assert BookmarkFolder.objects.filter(owner=cast.bernard).exists()


def test_the_demo_shows_on_the_pages(cast: Any, client: Any) -> None:
    demo.build(cast)
    client.force_login(cast.lea)
    page = client.get(reverse("bookmarks:index")).content.decode()
    for title in ("Catalogue du CDI", "Lumni", "Menus de la cantine", "Vikidia", "Révisions"):
        assert title in page
    assert "Éduscol" not in page  # for the staff
    client.force_login(cast.sophie)
    home = client.get(reverse("portal:home") + f"?child={cast.hugo.public_id}").content.decode()
    assert "Parcoursup" in home
    client.force_login(cast.bernard)
    page = client.get(reverse("bookmarks:index")).content.decode()
    assert "GeoGebra" in page
    assert "Éduscol" in page
