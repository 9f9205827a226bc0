"""What an establishment pushes: who sees it, who manages it, and its audit trail."""

from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.bookmarks import actions, policies, selectors
from preau.bookmarks.models import Audience, PushedBookmark
from preau.bookmarks.tests.helpers import actor_for, push
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.demo.cast import Cast
from preau.directory.models import Membership, Profile, SchoolYear
from preau.portal.registry import get_service

pytestmark = pytest.mark.django_db

EVERYONE = list(Cast.USERNAMES)


def seen_by(cast: Any, title: str) -> set[str]:
    """Who finds ``title`` among their pushed bookmarks, by policy queryset and by the cached
    reader the panel uses — which must agree."""
    found = set()
    for name in EVERYONE:
        actor = actor_for(getattr(cast, name))
        by_query = {b.title for b in policies.visible_pushed_bookmarks(actor)}
        reader = policies.reader_of(actor)
        by_cache = {link.title for link in selectors.links_for([reader] if reader else [])}
        assert by_query == by_cache, name
        if title in by_query:
            found.add(name)
    return found


def test_a_bookmark_pushed_to_4e_b(cast: Any) -> None:
    push(cast.moulin, "Lumni 4e", classes=(cast.class_4b,))
    # Its students, their guardians (Sophie through Léa, Karim through Noah), its teachers.
    assert seen_by(cast, "Lumni 4e") == {"lea", "noah", "sophie", "karim", "bernard", "garcia"}


def test_a_bookmark_pushed_to_guardians(cast: Any) -> None:
    push(cast.moulin, "Menus de la cantine", profiles=(Profile.GUARDIAN,))
    assert seen_by(cast, "Menus de la cantine") == {"sophie", "karim"}


def test_a_bookmark_pushed_to_the_whole_establishment(cast: Any) -> None:
    push(cast.moulin, "Catalogue du CDI")
    expected = {"principal_moulin", "cpe_moulin", "bernard", "garcia", "lea", "noah", "jade"}
    assert seen_by(cast, "Catalogue du CDI") == expected | {"sophie", "karim"}


def test_a_deactivated_bookmark_is_shown_to_nobody(cast: Any) -> None:
    push(cast.moulin, "Ancien lien", active=False)
    assert seen_by(cast, "Ancien lien") == set()


def test_the_bookmarks_page_shows_what_is_pushed(cast: Any, client: Any) -> None:
    push(cast.moulin, "Lumni 4e", classes=(cast.class_4b,))
    push(cast.moulin, "Menus de la cantine", profiles=(Profile.GUARDIAN,))
    client.force_login(cast.lea)
    page = client.get(reverse("bookmarks:index")).content.decode()
    assert "Proposés par Collège Jean Moulin" in page
    assert "Lumni 4e" in page
    assert "Menus de la cantine" not in page
    client.force_login(cast.jade)
    assert "Lumni 4e" not in client.get(reverse("bookmarks:index")).content.decode()


def test_a_guardian_sees_what_the_school_of_each_child_pushes(cast: Any, client: Any) -> None:
    push(cast.moulin, "Cantine Moulin", profiles=(Profile.GUARDIAN,))
    push(cast.curie, "Parcoursup", classes=(cast.class_2nde3,))
    push(cast.curie, "Cantine Curie", profiles=(Profile.GUARDIAN,))
    push(cast.curie, "Réservé aux élèves", profiles=(Profile.STUDENT,))
    client.force_login(cast.sophie)
    home = client.get(reverse("portal:home") + f"?child={cast.hugo.public_id}").content.decode()
    assert "Proposés pour Hugo" in home
    assert "Parcoursup" in home
    assert "Cantine Curie" in home
    assert "Cantine Moulin" not in home
    assert "Réservé aux élèves" not in home
    home = client.get(reverse("portal:home") + f"?child={cast.lea.public_id}").content.decode()
    assert "Cantine Moulin" in home
    assert "Parcoursup" not in home
    # Her bookmarks page, in Moulin, adds what Hugo's lycée pushes to his guardians and class.
    page = client.get(reverse("bookmarks:index")).content.decode()
    assert "Cantine Moulin" in page
    assert "Proposés pour Hugo par Lycée Marie Curie" in page
    assert "Parcoursup" in page
    assert "Réservé aux élèves" not in page
    # Karim, whose son is at Moulin, sees nothing of Curie's.
    client.force_login(cast.karim)
    page = client.get(reverse("bookmarks:index")).content.decode()
    assert "Cantine Moulin" in page
    assert "Cantine Curie" not in page


def test_the_panel_runs_a_fixed_number_of_queries(cast: Any) -> None:
    for n in range(6):
        push(cast.moulin, f"Lien {n}", classes=(cast.class_4b, cast.class_3a))
        push(cast.moulin, f"Profil {n}", profiles=(Profile.GUARDIAN, Profile.STUDENT))
    sophie = actor_for(cast.sophie)
    child = next(c for c in sophie.children if c.student == cast.lea)
    with query_budget(4, warm=True):
        # Léa's establishment's pushed bookmarks, their profiles, their classes; Sophie's own.
        panel = selectors.panel_data(sophie, child)
    assert len(panel["pushed"]) == 12
    with query_budget(0, warm=True):  # then from the cache, until a bookmark changes
        selectors.panel_data(sophie, child)
    lea = actor_for(cast.lea)
    lea.enrolment  # noqa: B018 - the actor is resolved before the panel is asked for
    with query_budget(1, warm=True):  # the establishment's list is cached: Léa's own
        assert len(selectors.panel_data(lea, None)["pushed"]) == 12


def test_the_panel_forgets_a_changed_bookmark(cast: Any) -> None:
    head = actor_for(cast.principal_moulin)
    bookmark = actions.do_create_pushed_bookmark(
        actor=head, establishment=cast.moulin, title="CDI", url="https://cdi.example/"
    )
    assert [link.title for link in selectors.panel_data(actor_for(cast.lea), None)["pushed"]] == [
        "CDI"
    ]
    actions.do_set_pushed_bookmark_active(actor=head, bookmark=bookmark, active=False)
    assert selectors.panel_data(actor_for(cast.lea), None) is None


def test_the_service_is_registered() -> None:
    service = get_service("bookmarks")
    assert service is not None
    assert service.url() == "/bookmarks/"
    assert service.panel_template == "bookmarks/panel.html"


# -- management ---------------------------------------------------------------------------------


def test_the_head_pushes_a_bookmark_to_classes(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("bookmarks:manage", args=[cast.moulin.public_id])
    response = client.post(
        url,
        {
            "title": "Lumni",
            "url": "https://www.lumni.fr/college",
            "description": "Réviser en vidéo",
            "audience": Audience.CLASSES,
            "classes": [str(cast.class_4b.public_id), str(cast.class_3a.public_id)],
            "position": 5,
        },
    )
    assert response.status_code == 302
    bookmark = PushedBookmark.objects.get()
    assert bookmark.establishment == cast.moulin
    assert bookmark.created_by == cast.principal_moulin
    assert set(bookmark.classes.values_list("name", flat=True)) == {"4e B", "3e A"}
    page = client.get(url).content.decode()
    assert "Classes : 3e A, 4e B" in page
    entry = AuditEntry.objects.get(action="bookmarks.pushed.create")
    assert entry.establishment == cast.moulin
    assert entry.actor == cast.principal_moulin
    assert entry.after["classes"] == ["3e A", "4e B"]
    assert entry.after["url"] == "https://www.lumni.fr/college"


def test_another_establishments_class_is_not_a_choice(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    response = client.post(
        reverse("bookmarks:manage", args=[cast.moulin.public_id]),
        {
            "title": "Parcoursup",
            "url": "https://www.parcoursup.gouv.fr/",
            "audience": Audience.CLASSES,
            "classes": [str(cast.class_2nde3.public_id)],
            "position": 0,
        },
    )
    assert response.status_code == 200
    assert not PushedBookmark.objects.exists()
    with pytest.raises(PermissionDenied):
        actions.do_create_pushed_bookmark(
            actor=actor_for(cast.principal_moulin),
            establishment=cast.moulin,
            title="Parcoursup",
            url="https://www.parcoursup.gouv.fr/",
            audience=Audience.CLASSES,
            classes=[cast.class_2nde3],
        )
    assert not PushedBookmark.objects.exists()


def test_an_audience_needs_its_profiles_or_classes(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("bookmarks:manage", args=[cast.moulin.public_id])
    for audience, message in (
        (Audience.PROFILES, "Choisissez au moins un profil."),
        (Audience.CLASSES, "Choisissez au moins une classe."),
    ):
        response = client.post(
            url, {"title": "X", "url": "https://x.example/", "audience": audience, "position": 0}
        )
        assert message in response.content.decode()
    assert not PushedBookmark.objects.exists()


def test_edit_deactivate_and_delete_are_audited(cast: Any, client: Any) -> None:
    head = actor_for(cast.principal_moulin)
    bookmark = actions.do_create_pushed_bookmark(
        actor=head,
        establishment=cast.moulin,
        title="Cantine",
        url="https://cantine.example/",
        audience=Audience.PROFILES,
        profiles=[Profile.GUARDIAN],
    )
    log_in_with_second_factor(client, cast.principal_moulin)
    school = cast.moulin.public_id
    edit = reverse("bookmarks:pushed_edit", args=[school, bookmark.public_id])
    assert "Cantine" in client.get(edit).content.decode()
    response = client.post(
        edit,
        {
            "title": "Menus de la cantine",
            "url": "https://cantine.example/menus",
            "audience": Audience.PROFILES,
            "profiles": [Profile.GUARDIAN, Profile.STUDENT],
            "position": 3,
        },
    )
    assert response.status_code == 302
    active = reverse("bookmarks:pushed_active", args=[school, bookmark.public_id])
    assert client.post(active, {"active": "0"}).status_code == 302
    bookmark.refresh_from_db()
    assert not bookmark.active
    assert "Désactivé" in client.get(reverse("bookmarks:manage", args=[school])).content.decode()
    assert client.post(active, {"active": "1"}).status_code == 302
    delete = reverse("bookmarks:pushed_delete", args=[school, bookmark.public_id])
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not PushedBookmark.objects.exists()

    entries = list(
        AuditEntry.objects.filter(establishment=cast.moulin, action__startswith="bookmarks.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert entries == [
        "bookmarks.pushed.create",
        "bookmarks.pushed.update",
        "bookmarks.pushed.deactivate",
        "bookmarks.pushed.reactivate",
        "bookmarks.pushed.delete",
    ]
    update = AuditEntry.objects.get(action="bookmarks.pushed.update")
    assert update.before["title"] == "Cantine"
    assert update.before["profiles"] == [Profile.GUARDIAN]
    assert update.after["title"] == "Menus de la cantine"
    assert update.after["profiles"] == sorted([Profile.GUARDIAN, Profile.STUDENT])
    assert AuditEntry.objects.get(action="bookmarks.pushed.delete").before["position"] == 3


def test_only_managers_may_write(cast: Any) -> None:
    bookmark = push(cast.moulin, "CDI")
    for name in ("cpe_moulin", "bernard", "lea", "sophie", "principal_curie"):
        actor = actor_for(getattr(cast, name))
        with pytest.raises(PermissionDenied):
            actions.do_create_pushed_bookmark(
                actor=actor, establishment=cast.moulin, title="X", url="https://x.example/"
            )
        with pytest.raises(PermissionDenied):
            actions.do_delete_pushed_bookmark(actor=actor, bookmark=bookmark)
    assert PushedBookmark.objects.count() == 1


def test_the_librarian_manages_their_establishments_bookmarks(cast: Any, client: Any) -> None:
    librarian = get_user_model().objects.create(
        username="doc.moulin", first_name="Anne", last_name="Leclerc"
    )
    Membership.objects.create(
        person=librarian,
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        profile=Profile.LIBRARIAN,
    )
    client.force_login(librarian)
    index = client.get(reverse("bookmarks:index")).content.decode()
    assert "Gérer les signets proposés par l'établissement" in index.replace("&#x27;", "'")
    url = reverse("bookmarks:manage", args=[cast.moulin.public_id])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "title": "Catalogue du CDI",
            "url": "https://cdi.example/",
            "audience": "establishment",
            "position": 0,
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.get(action="bookmarks.pushed.create").actor == librarian
    assert client.get(reverse("bookmarks:manage", args=[cast.curie.public_id])).status_code == 404


def test_the_head_sees_the_management_link_and_the_cpe_does_not(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    link = reverse("bookmarks:manage", args=[cast.moulin.public_id])
    assert link in client.get(reverse("bookmarks:index")).content.decode()
    client.force_login(cast.cpe_moulin)
    assert link not in client.get(reverse("bookmarks:index")).content.decode()
    assert client.get(link).status_code == 404


def test_the_management_page_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    for n in range(5):
        push(cast.moulin, f"Classes {n}", classes=(cast.class_4b,))
        push(cast.moulin, f"Profils {n}", profiles=(Profile.TEACHER,))
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("bookmarks:manage", args=[cast.moulin.public_id])
    client.get(url)
    with query_budget(5, warm=True):
        # the establishment; the pushed bookmarks, their profiles, their classes (with
        # names); the classes the form offers. The actor and the services come from the cache.
        assert client.get(url).status_code == 200
