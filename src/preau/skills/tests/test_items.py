"""Teachers define the finer skills of their subjects, attached to a component."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test, query_budget
from preau.directory.models import Subject
from preau.skills.models import Component, Skill

pytestmark = pytest.mark.django_db

MATHS = "061300"
FRENCH = "020700"


def subject(cast: Any, code: str) -> Subject:
    return Subject.objects.get(establishment=cast.moulin, code=code)


def make_skill(cast: Any, label: str = "Résoudre une équation", code: str = MATHS) -> Skill:
    return Skill.objects.create(
        establishment=cast.moulin,
        subject=subject(cast, code),
        component=Component.objects.get(code="D1.3"),
        label=label,
        author=cast.bernard,
    )


def test_a_teacher_adds_a_skill_of_their_subject(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("skills:items"),
        {
            "subject": str(subject(cast, MATHS).public_id),
            "component": "D1.3",
            "label": "  Calculer  avec des fractions ",
        },
    )
    assert response.status_code == 302
    skill = Skill.objects.get()
    assert skill.label == "Calculer avec des fractions"
    assert skill.component.code == "D1.3"
    assert skill.establishment == cast.moulin
    assert skill.author == cast.bernard
    page = client.get(reverse("skills:items"))
    assert "Calculer avec des fractions" in page.content.decode()


def test_not_a_subject_they_teach(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    response = client.post(
        reverse("skills:items"),
        {"subject": str(subject(cast, FRENCH).public_id), "component": "D1.1", "label": "Lire"},
    )
    assert response.status_code == 400
    assert "Choisissez une matière" in response.content.decode()
    assert not Skill.objects.exists()


def test_empty_label_and_duplicates_are_refused(cast: Any, client: Any) -> None:
    make_skill(cast)
    client.force_login(cast.bernard)
    data = {"subject": str(subject(cast, MATHS).public_id), "component": "D1.3"}
    response = client.post(reverse("skills:items"), {**data, "label": "  "})
    assert "intitulé de la compétence" in response.content.decode()
    response = client.post(reverse("skills:items"), {**data, "label": "Résoudre une équation"})
    assert response.status_code == 400
    assert "existe déjà" in response.content.decode()
    assert Skill.objects.count() == 1


def test_a_teacher_retires_a_skill_and_moves_it(cast: Any, client: Any) -> None:
    skill = make_skill(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("skills:item", args=[skill.public_id]),
        {"label": skill.label, "component": "D4"},
    )
    assert response.status_code == 302
    skill.refresh_from_db()
    assert not skill.is_active
    assert skill.component.code == "D4"


def test_the_skills_page_budget(cast: Any, client: Any) -> None:
    for n in range(5):
        make_skill(cast, f"Compétence {n}")
    client.force_login(cast.bernard)
    url = reverse("skills:items")
    # user, school year, memberships, enabled services (navigation), assignments, subjects,
    # components, skills (with their subject and component).
    with query_budget(8):
        assert client.get(url).status_code == 200


def _skill(cast: Any) -> dict[str, Any]:
    skill = Skill.objects.filter(establishment=cast.moulin).first() or make_skill(cast)
    return {"public_id": skill.public_id}


test_isolation = isolation_test(
    [
        Isolation(
            route="skills:item",
            owner="bernard",
            kwargs=_skill,
            method="post",
            data={"label": "Résoudre une équation", "component": "D1.3", "is_active": "1"},
            owner_status=302,
            # A colleague of another subject, students, families, another establishment.
            refused=("garcia", "lea", "sophie", "principal_curie", "dupont"),
        )
    ]
)
