"""The catalogue per profile, opening a resource, counting, favourites and teachers' resources."""

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import query_budget
from preau.drive.tests.helpers import PDF, root, upload
from preau.resources import actions
from preau.resources.demo import ATLAS, DICTIONARY, MANUAL_4E, PHYSICS_2NDE
from preau.resources.models import (
    Favourite,
    LicenceSeat,
    MonthlyReader,
    OpeningCount,
    Resource,
    ResourceKind,
)
from preau.resources.tests.helpers import actor_for, build, licence, resource

pytestmark = pytest.mark.django_db

LINK_4B = "GeoGebra : le théorème de Pythagore"


def titles(client: Any, query: str = "") -> list[str]:
    response = client.get(reverse("resources:index") + query)
    assert response.status_code == 200
    return [r.title for r in response.context["page"].object_list]


def open_url(title: str) -> str:
    return reverse("resources:open", args=[resource(title).public_id])


def test_each_profile_sees_what_is_assigned_to_them(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    seen = titles(client)
    assert {MANUAL_4E, DICTIONARY, LINK_4B} <= set(seen)
    assert ATLAS not in seen and PHYSICS_2NDE not in seen
    # Jade is in 3e A: the collège's dictionary, not the 4e manual nor 4e B's links.
    client.force_login(cast.jade)
    seen = titles(client)
    assert DICTIONARY in seen and MANUAL_4E not in seen and LINK_4B not in seen
    # M. Bernard teaches 4e B: the class's licence covers its teachers.
    client.force_login(cast.bernard)
    assert {MANUAL_4E, DICTIONARY, LINK_4B} <= set(titles(client))
    # Guardians hold no licence and see no teacher's links.
    client.force_login(cast.sophie)
    assert titles(client) == []
    client.force_login(cast.hugo)
    assert titles(client) == [PHYSICS_2NDE]


@pytest.mark.parametrize("name", ["jade", "hugo", "sophie", "dupont"])
def test_opening_an_unassigned_resource_is_a_404(cast: Any, client: Any, name: str) -> None:
    build(cast)
    client.force_login(getattr(cast, name))
    counted = list(OpeningCount.objects.order_by("pk").values_list("count", flat=True))
    assert client.get(open_url(MANUAL_4E)).status_code == 404
    assert list(OpeningCount.objects.order_by("pk").values_list("count", flat=True)) == counted


def test_opening_redirects_and_counts_one_row_per_day(cast: Any, client: Any) -> None:
    build(cast)
    manual = resource(MANUAL_4E)
    today = timezone.localdate()
    client.force_login(cast.lea)
    LicenceSeat.objects.filter(person=cast.lea).delete()
    before = MonthlyReader.objects.filter(resource=manual, month=today.replace(day=1)).count()
    for expected in (1, 2, 3):
        response = client.get(open_url(MANUAL_4E))
        assert response.status_code == 302
        # The launch address as registered: nothing about the person is added.
        assert response["Location"] == manual.url
        row = OpeningCount.objects.get(resource=manual, day=today, profile="National_ELV")
        assert row.count == expected
    assert OpeningCount.objects.filter(resource=manual, day=today).count() == 1
    assert LicenceSeat.objects.filter(person=cast.lea, licence__resource=manual).count() == 1
    # One more reader this month, under a hash that does not name her.
    readers = MonthlyReader.objects.filter(resource=manual, month=today.replace(day=1))
    assert readers.count() == before + 1
    client.force_login(cast.noah)
    client.get(open_url(MANUAL_4E))
    assert OpeningCount.objects.get(resource=manual, day=today, profile="National_ELV").count == 4
    assert readers.count() == before + 2


def test_an_expired_licence_is_refused_with_a_clear_page(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    response = client.get(open_url(ATLAS))
    assert response.status_code == 410
    assert "Licence expirée" in response.content.decode()
    assert not OpeningCount.objects.filter(resource=resource(ATLAS), day=timezone.localdate())
    # Someone the licence never covered learns nothing.
    client.force_login(cast.hugo)
    assert client.get(open_url(ATLAS)).status_code == 404


def test_a_licence_not_yet_started_or_revoked_opens_nothing(cast: Any, client: Any) -> None:
    build(cast)
    dictionary = licence(DICTIONARY)
    dictionary.starts_on = timezone.localdate() + timedelta(days=1)
    dictionary.save(update_fields=["starts_on"])
    client.force_login(cast.lea)
    assert client.get(open_url(DICTIONARY)).status_code == 404
    manual = licence(MANUAL_4E)
    actions.do_revoke_licence(actor=None, licence=manual)
    assert client.get(open_url(MANUAL_4E)).status_code == 404
    assert MANUAL_4E not in titles(client)


def test_favourites_come_first_and_can_be_removed(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    manual = resource(MANUAL_4E)
    favourite = reverse("resources:favourite", args=[manual.public_id])
    assert client.post(favourite, {"favourite": "1"}).status_code == 302
    assert client.post(favourite, {"favourite": "1"}).status_code == 302
    assert Favourite.objects.filter(person=cast.lea, resource=manual).count() == 1
    seen = titles(client)
    # The demo's favourite (the dictionary) and the manual, alphabetically, then the others.
    assert seen[:2] == [DICTIONARY, MANUAL_4E]
    client.post(favourite, {"favourite": "0"})
    assert not Favourite.objects.filter(person=cast.lea, resource=manual).exists()
    assert titles(client)[0] == DICTIONARY
    # A resource she may not open cannot be a favourite.
    atlas = resource(ATLAS)
    response = client.post(
        reverse("resources:favourite", args=[atlas.public_id]), {"favourite": "1"}
    )
    assert response.status_code == 404


def test_filters_by_kind_subject_level_and_words(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    assert set(titles(client, "?kind=publisher")) == {MANUAL_4E, DICTIONARY}
    assert MANUAL_4E not in titles(client, "?kind=link")
    assert set(titles(client, "?subject=Mathématiques")) >= {MANUAL_4E, LINK_4B}
    assert DICTIONARY not in titles(client, "?subject=Mathématiques")
    assert titles(client, "?level=6") == [DICTIONARY]
    assert titles(client, "?q=hirondelle") == [DICTIONARY, MANUAL_4E]


def test_a_teacher_shares_a_document_with_a_class(cast: Any, client: Any) -> None:
    build(cast)
    node = upload(cast.bernard, root(cast.bernard), "pythagore.pdf", PDF)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("resources:add"),
        {
            "kind": ResourceKind.DOCUMENT,
            "title": "Fiche Pythagore",
            "drive_file": node.pk,
            "classes": [cast.class_4b.pk],
        },
    )
    assert response.status_code == 302
    document = Resource.objects.get(title="Fiche Pythagore")
    url = reverse("resources:open", args=[document.public_id])
    client.force_login(cast.lea)
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("drive:download", args=[node.public_id])
    assert client.get(response["Location"]).status_code == 200
    # 3e A's Jade and Léa's mother do not reach it.
    for person in (cast.jade, cast.sophie):
        client.force_login(person)
        assert client.get(url).status_code == 404


def test_a_teacher_link_is_checked_and_placed_in_their_classes_only(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.garcia)
    data = {"kind": "link", "title": "Piège", "url": "javascript:alert(1)"}
    response = client.post(reverse("resources:add"), {**data, "classes": [cast.class_4b.pk]})
    assert response.status_code == 200
    assert "http:// ou https://" in response.content.decode()
    # 3e A is not hers: not a choice.
    response = client.post(
        reverse("resources:add"),
        {**data, "url": "https://ok.example/", "classes": [cast.class_3a.pk]},
    )
    assert response.status_code == 200
    assert not Resource.objects.filter(title="Piège").exists()
    # Students cannot add.
    client.force_login(cast.lea)
    assert client.get(reverse("resources:add")).status_code == 404


def test_the_author_removes_their_link(cast: Any, client: Any) -> None:
    build(cast)
    link = resource(LINK_4B)
    client.force_login(cast.garcia)
    assert client.post(reverse("resources:delete", args=[link.public_id])).status_code == 404
    client.force_login(cast.bernard)
    assert client.post(reverse("resources:delete", args=[link.public_id])).status_code == 302
    assert not Resource.objects.filter(pk=link.pk).exists()


def _more(cast: Any, count: int) -> None:
    """``count`` more publishers' resources licensed to 4e B, and as many teacher's links."""
    for number in range(count):
        extra = actions.do_register_publisher_resource(
            actor=None,
            establishment=cast.moulin,
            title=f"Ressource {number}",
            publisher="Éditions Budget",
            url=f"https://budget.example/{number}",
        )
        actions.do_add_licence(
            actor=None,
            establishment=cast.moulin,
            resource=extra,
            audience="classes",
            classes=[cast.class_4b],
            starts_on=timezone.localdate(),
            ends_on=timezone.localdate() + timedelta(days=30),
        )
        actions.do_add_resource(
            actor=actor_for(cast.bernard),
            kind="link",
            title=f"Lien {number}",
            url=f"https://liens.example/{number}",
            classes=[cast.class_4b],
        )
        actions.do_set_favourite(actor=actor_for(cast.lea), resource=extra, favourite=True)


# The person and memberships (2), enrolment and groups (2); the LTI tools of the classes (1),
# the subjects for the filter (1), the levels (1), the page: counted, listed with favourites,
# their levels (3).
CATALOGUE_QUERIES = 10


def test_the_catalogue_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    url = reverse("resources:index")
    client.get(url)  # the school year and the services, cached for the process
    with query_budget(CATALOGUE_QUERIES):
        assert client.get(url).status_code == 200
    _more(cast, 6)
    with query_budget(CATALOGUE_QUERIES):
        response = client.get(url + "?q=e&kind=&subject=")
    assert response.status_code == 200
    assert len(response.context["page"].object_list) > 6


# The person and memberships (2), enrolment and groups (2), the resource (1), the running
# licence (1), then the counter (1 update), the monthly reader and the seat (2 inserts) in a
# savepoint (2).
OPEN_QUERIES = 11


def test_opening_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.lea)
    url = open_url(MANUAL_4E)
    client.get(url)
    with query_budget(OPEN_QUERIES):
        assert client.get(url).status_code == 302
    _more(cast, 4)
    with query_budget(OPEN_QUERIES):
        assert client.get(url).status_code == 302


def test_the_home_panel_lists_the_favourites_and_follows_their_changes(
    cast: Any, client: Any
) -> None:
    build(cast)
    client.force_login(cast.lea)
    home = client.get(reverse("portal:home")).content.decode()
    assert DICTIONARY in home and MANUAL_4E not in home
    manual = resource(MANUAL_4E)
    client.post(reverse("resources:favourite", args=[manual.public_id]), {"favourite": "1"})
    assert MANUAL_4E in client.get(reverse("portal:home")).content.decode()
    # A licence withdrawn takes its resource off the panel.
    actions.do_revoke_licence(actor=None, licence=licence(MANUAL_4E))
    assert MANUAL_4E not in client.get(reverse("portal:home")).content.decode()
