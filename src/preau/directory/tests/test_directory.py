from typing import Any

import pytest
from django.urls import reverse

from preau.core.actor import Actor
from preau.core.testing import Isolation, isolation_test, query_budget
from preau.directory import policies

pytestmark = pytest.mark.django_db

test_isolation = isolation_test(
    [
        # A guardian sees their child; not another family, another class, another school.
        Isolation(
            route="directory:student",
            owner="sophie",
            kwargs=lambda c: {"public_id": c.lea.public_id},
            refused=("karim", "noah", "principal_curie", "dupont", "hugo"),
        ),
        # A teacher sees the students of the classes they teach only.
        Isolation(
            route="directory:student",
            owner="bernard",
            kwargs=lambda c: {"public_id": c.jade.public_id},
            refused=("garcia", "karim", "principal_curie", "lea"),
        ),
        Isolation(
            route="directory:class",
            owner="garcia",
            kwargs=lambda c: {"public_id": c.class_4b.public_id},
            refused=("jade", "dupont", "principal_curie", "hugo"),
        ),
        Isolation(
            route="directory:class",
            owner="jade",
            kwargs=lambda c: {"public_id": c.class_3a.public_id},
            refused=("lea", "garcia", "sophie", "principal_curie"),
        ),
    ]
)


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def test_visible_students_by_role(cast: Any) -> None:
    def names(user: Any) -> set[str]:
        return set(policies.visible_students(actor_for(user)).values_list("username", flat=True))

    assert names(cast.lea) == {"eleve.lea"}
    assert names(cast.sophie) == {"eleve.lea"}  # Hugo is at Marie Curie: another establishment
    assert names(cast.garcia) == {"eleve.lea", "eleve.noah"}
    assert names(cast.bernard) == {"eleve.lea", "eleve.noah", "eleve.jade"}
    assert {"eleve.lea", "eleve.noah", "eleve.jade"} <= names(cast.cpe_moulin)
    assert "eleve.hugo" not in names(cast.principal_moulin)
    assert names(cast.principal_curie) >= {"eleve.hugo"}


def test_guardian_switches_establishment_to_see_other_child(cast: Any, client: Any) -> None:
    client.force_login(cast.sophie)
    url = reverse("directory:student", kwargs={"public_id": cast.hugo.public_id})
    assert client.get(url).status_code == 404
    response = client.post(
        reverse("portal:switch_establishment"), {"establishment": str(cast.curie.public_id)}
    )
    assert response.status_code == 302
    assert client.get(url).status_code == 200


def test_malformed_identifier_is_404(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    assert client.get("/directory/students/not-a-uuid/").status_code == 404


def test_class_page_query_budget(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    url = reverse("directory:class", kwargs={"public_id": cast.class_4b.public_id})
    client.get(url)
    # user, memberships and teaching assignments (the actor), the class, its roster, its
    # teachers. The school year and the establishment's services come from the cache.
    with query_budget(6):
        response = client.get(url)
    assert response.status_code == 200
    assert "Léa" in response.content.decode()


def test_class_list_and_student_page_query_budgets(cast: Any, client: Any) -> None:
    client.force_login(cast.principal_moulin)
    classes = reverse("directory:classes")
    student = reverse("directory:student", kwargs={"public_id": cast.lea.public_id})
    client.get(classes)
    client.get(student)
    # user, memberships (the actor), the classes with their levels and head teachers
    with query_budget(3):
        assert client.get(classes).status_code == 200
    # user, memberships, the student, the enrolment, the teachers, the guardians
    with query_budget(6):
        assert client.get(student).status_code == 200
