from typing import Any

import pytest
from django.urls import reverse

from preau.api.tests.conftest import bearer
from preau.core.testing import query_budget

pytestmark = pytest.mark.django_db

ME = "/api/v1/me"


def me(client: Any, user: Any, **headers: str) -> Any:
    client.force_login(user)
    return client.get(reverse("api:me"), headers=headers)


def test_url_is_the_documented_one() -> None:
    assert reverse("api:me") == ME


def test_student(cast: Any, client: Any) -> None:
    response = me(client, cast.lea)
    assert response.status_code == 200
    body = response.json()
    assert body["public_id"] == str(cast.lea.public_id)
    assert body["username"] == "eleve.lea"
    assert (body["first_name"], body["last_name"]) == ("Léa", "Martin")
    assert body["language"] == "fr"
    assert body["current_establishment"]["uai"] == cast.moulin.uai
    assert body["memberships"] == [
        {
            "establishment": {
                "public_id": str(cast.moulin.public_id),
                "uai": cast.moulin.uai,
                "name": "Collège Jean Moulin",
            },
            "profile": "National_ELV",
            "profile_label": "Élève",
            "functions": [],
        }
    ]
    assert body["children"] == []
    assert body["classes_taught"] == []
    assert body["groups_taught"] == []


def test_guardian_with_children_in_two_schools(cast: Any, client: Any) -> None:
    body = me(client, cast.sophie).json()
    assert sorted(m["establishment"]["uai"] for m in body["memberships"]) == sorted(
        [cast.moulin.uai, cast.curie.uai]
    )
    assert {m["profile"] for m in body["memberships"]} == {"National_TUT"}
    children = {c["first_name"]: c for c in body["children"]}
    assert set(children) == {"Léa", "Hugo"}
    assert children["Léa"]["public_id"] == str(cast.lea.public_id)
    assert children["Léa"]["enrolments"] == [
        {
            "establishment": {
                "public_id": str(cast.moulin.public_id),
                "uai": cast.moulin.uai,
                "name": cast.moulin.name,
            },
            "school_class": {"public_id": str(cast.class_4b.public_id), "name": "4e B"},
        }
    ]
    hugo = children["Hugo"]["enrolments"][0]
    assert hugo["establishment"]["uai"] == cast.curie.uai
    assert hugo["school_class"]["name"] == "2nde 3"
    # Karim's son is nowhere.
    assert str(cast.noah.public_id) not in str(body)


def test_teacher(cast: Any, client: Any) -> None:
    body = me(client, cast.bernard).json()
    assert body["memberships"][0]["profile"] == "National_ENS"
    taught = {c["name"]: c for c in body["classes_taught"]}
    assert set(taught) == {"4e B", "3e A"}
    assert taught["4e B"]["public_id"] == str(cast.class_4b.public_id)
    assert taught["4e B"]["subject"]["label"] == "Mathématiques"
    assert body["children"] == []


def test_head_lists_functions(cast: Any, client: Any) -> None:
    body = me(client, cast.principal_moulin).json()
    assert body["memberships"][0]["functions"] == ["head"]


def test_establishment_header_chooses_among_own(cast: Any, client: Any) -> None:
    body = me(client, cast.sophie, X_Preau_Establishment=str(cast.curie.public_id)).json()
    assert body["current_establishment"]["uai"] == cast.curie.uai


@pytest.mark.parametrize("value", ["not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_establishment_header_unknown_is_404(cast: Any, client: Any, value: str) -> None:
    response = me(client, cast.sophie, X_Preau_Establishment=value)
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_establishment"


def test_establishment_header_of_someone_else_is_404(cast: Any, client: Any) -> None:
    response = me(client, cast.lea, X_Preau_Establishment=str(cast.curie.public_id))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "unknown_establishment"


def test_token_actor_uses_first_establishment_then_header(
    cast: Any, client: Any, token_for: Any
) -> None:
    secret = token_for(cast.sophie)
    first = client.get(ME, headers=bearer(secret)).json()
    assert first["current_establishment"]["uai"] == first["memberships"][0]["establishment"]["uai"]
    chosen = client.get(
        ME, headers={**bearer(secret), "X-Preau-Establishment": str(cast.curie.public_id)}
    ).json()
    assert chosen["current_establishment"]["uai"] == cast.curie.uai


def test_query_budget_guardian(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    client.get(ME)  # warm the per-process school year cache
    # 1 user (session auth), 1 memberships with establishments, 2 children with enrolments.
    with query_budget(4):
        response = client.get(ME)
    assert response.status_code == 200
    with query_budget(0, warm=True):  # nothing changed: the person and the actor are cached
        client.get(ME)


def test_query_budget_teacher(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    client.get(ME)
    # 1 user, 1 memberships, 1 guardianships (none: no enrolment prefetch), 1 teaching
    # assignments with their subjects, classes and groups.
    with query_budget(4):
        response = client.get(ME)
    assert response.status_code == 200
