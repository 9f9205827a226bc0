from typing import Any

import pytest
from django.test import override_settings
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test, query_budget

pytestmark = pytest.mark.django_db


def api_url(name: str, public_id: Any = None) -> str:
    return reverse(f"api:{name}", kwargs={"public_id": public_id} if public_id else None)


test_isolation = isolation_test(
    [
        # A guardian sees their child; not another family, another class, another school.
        Isolation(
            route="api:student_detail",
            owner="sophie",
            kwargs=lambda c: {"public_id": c.lea.public_id},
            refused=("karim", "noah", "jade", "principal_curie", "dupont", "hugo"),
            api=True,
            anonymous_status=401,
        ),
        # A teacher sees the students of the classes they teach only.
        Isolation(
            route="api:student_detail",
            owner="bernard",
            kwargs=lambda c: {"public_id": c.jade.public_id},
            refused=("garcia", "karim", "principal_curie", "lea"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:class_detail",
            owner="garcia",
            kwargs=lambda c: {"public_id": c.class_4b.public_id},
            refused=("jade", "dupont", "principal_curie", "hugo"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:class_detail",
            owner="jade",
            kwargs=lambda c: {"public_id": c.class_3a.public_id},
            refused=("lea", "garcia", "sophie", "karim", "principal_curie"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:class_students",
            owner="lea",
            kwargs=lambda c: {"public_id": c.class_4b.public_id},
            refused=("jade", "principal_curie", "hugo"),
            api=True,
            anonymous_status=401,
        ),
        Isolation(
            route="api:class_students",
            owner="principal_curie",
            kwargs=lambda c: {"public_id": c.class_2nde3.public_id},
            refused=("principal_moulin", "bernard", "lea", "sophie"),
            api=True,
            anonymous_status=401,
        ),
    ]
)


def test_class_list_follows_policy(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    body = client.get(api_url("class_list")).json()
    assert [c["name"] for c in body["items"]] == ["4e B"]
    assert body["items"][0]["head_teacher"]["last_name"] == "Bernard"
    assert body["items"][0]["level"] == {"code": "4", "label": "4e"}
    assert (body["count"], body["page"], body["pages"]) == (1, 1, 1)


def test_class_detail(cast: Any, client: Any) -> None:
    client.force_login(cast.lea)
    body = client.get(api_url("class_detail", cast.class_4b.public_id)).json()
    assert body["name"] == "4e B"
    assert body["establishment"]["uai"] == cast.moulin.uai
    assert {t["subject"]["label"] for t in body["teachers"]} == {"Mathématiques", "Français"}


def test_roster(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    body = client.get(api_url("class_students", cast.class_4b.public_id)).json()
    assert [s["first_name"] for s in body["items"]] == ["Noah", "Léa"]  # Leroy, Martin
    assert set(body["items"][0]) == {"public_id", "first_name", "last_name"}


def test_student_detail(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    body = client.get(api_url("student_detail", cast.lea.public_id)).json()
    assert body["school_class"]["name"] == "4e B"
    assert body["establishment"]["uai"] == cast.moulin.uai


def test_other_school_child_through_establishment_header(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    url = api_url("student_detail", cast.hugo.public_id)
    assert client.get(url).status_code == 404
    response = client.get(url, headers={"X-Preau-Establishment": str(cast.curie.public_id)})
    assert response.status_code == 200
    assert response.json()["school_class"]["name"] == "2nde 3"


def test_missing_and_forbidden_are_the_same_404(cast: Any, client: Any) -> None:
    client.force_login(cast.karim)
    forbidden = client.get(api_url("student_detail", cast.lea.public_id))
    missing = client.get(api_url("student_detail", "00000000-0000-4000-8000-000000000000"))
    malformed = client.get("/api/v1/students/not-a-uuid")
    assert forbidden.status_code == missing.status_code == malformed.status_code == 404
    assert forbidden.json() == missing.json() == malformed.json()


# -- pagination ------------------------------------------------------------------------------


def test_pages(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    first = client.get(api_url("class_list"), {"page_size": 1}).json()
    second = client.get(api_url("class_list"), {"page_size": 1, "page": 2}).json()
    assert (first["count"], first["pages"], first["page"]) == (2, 2, 1)
    assert second["page"] == 2
    assert len(first["items"]) == len(second["items"]) == 1
    assert {first["items"][0]["name"], second["items"][0]["name"]} == {"4e B", "3e A"}


@override_settings(API_MAX_PAGE_SIZE=1)
def test_page_size_is_capped(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    body = client.get(api_url("class_list"), {"page_size": 1000}).json()
    assert len(body["items"]) == 1
    assert body["pages"] == 2


def test_page_out_of_range_is_404(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    response = client.get(api_url("class_list"), {"page": 3, "page_size": 1})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_empty_list_has_one_page(cast: Any, client: Any) -> None:
    client.force_login(cast.admin)  # no membership: no establishment, no class
    body = client.get(api_url("class_list")).json()
    assert body == {"items": [], "count": 0, "page": 1, "pages": 1}


@pytest.mark.parametrize("query", [{"page": 0}, {"page": "x"}, {"page_size": 0}])
def test_bad_page_parameters_are_422(cast: Any, client: Any, query: dict) -> None:
    client.force_login(cast.principal_moulin)
    response = client.get(api_url("class_list"), query)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "validation_error"
    assert error["details"][0]["loc"][0] == "query"


# -- query budgets ---------------------------------------------------------------------------


def test_class_list_query_budget(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    client.get(api_url("class_list"))  # warm the per-process school year cache
    # 1 user, 1 memberships (the establishment), 1 count, 1 page of classes with level and
    # head teacher.
    with query_budget(4):
        response = client.get(api_url("class_list"))
    assert response.status_code == 200


def test_roster_query_budget(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    url = api_url("class_students", cast.class_4b.public_id)
    client.get(url)
    # 1 user, 1 memberships, 1 teaching assignments (taught classes), 1 the class, 1 roster.
    with query_budget(5):
        response = client.get(url)
    assert response.status_code == 200
