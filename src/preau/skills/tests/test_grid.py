"""Attaching skills to an assessment and entering levels: the plain form and the autosave."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import query_budget
from preau.notifications.models import Kind, Notification
from preau.skills.actions import parse_cell
from preau.skills.models import AssessedSkill, ResultCode, SkillResult
from preau.skills.tests.helpers import assessment, column, level, skill

pytestmark = pytest.mark.django_db


def key(assessed: AssessedSkill, student: Any) -> str:
    return f"{assessed.public_id}_{student.public_id}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1", (1, "")),
        (" 4 ", (4, "")),
        ("s", (3, "")),
        ("TB", (4, "")),
        ("f", (2, "")),
        ("abs", (None, "ABS")),
        ("NE", (None, "NE")),
        ("", (None, "")),
    ],
)
def test_what_a_cell_accepts(text: str, expected: tuple[Any, str]) -> None:
    parsed = parse_cell(text)
    assert (parsed.level, parsed.code) == expected


def test_a_teacher_attaches_a_skill_and_a_component(cast: Any, client: Any) -> None:
    found = assessment(cast, graded=False, published=False)
    item = skill(cast)
    client.force_login(cast.bernard)
    url = reverse("skills:assessment", args=[found.public_id])
    assert client.post(url, {"choice": f"skill:{item.public_id}"}).status_code == 302
    assert client.post(url, {"choice": "component:D2"}).status_code == 302
    again = client.post(url, {"choice": "component:D2"})
    assert again.status_code == 400
    assert "évalue déjà" in again.content.decode()
    columns = list(AssessedSkill.objects.filter(assessment=found))
    assert [(c.component.code, c.skill_id) for c in columns] == [
        ("D1.3", item.pk),
        ("D2", None),
    ]
    # Removing a column with levels entered is refused; without, it goes.
    level(columns[0], cast.lea, 3)
    refused = client.post(url, {"remove": str(columns[0].public_id)})
    assert "effacez-les" in refused.content.decode()
    assert client.post(url, {"remove": str(columns[1].public_id)}).status_code == 302
    assert AssessedSkill.objects.filter(assessment=found).count() == 1


def test_another_teachers_subject_is_not_attachable(cast: Any, client: Any) -> None:
    found = assessment(cast)
    client.force_login(cast.garcia)
    url = reverse("skills:assessment", args=[found.public_id])
    assert client.post(url, {"choice": "component:D1.1"}).status_code == 404


def test_the_plain_form_saves_levels_and_codes(cast: Any, client: Any) -> None:
    found = assessment(cast, graded=False, published=False)
    first, second = column(found, item=skill(cast)), column(found, component="D2")
    client.force_login(cast.bernard)
    url = reverse("skills:grid", args=[found.public_id])
    page = client.get(url)
    assert page.status_code == 200
    assert f'name="c-{key(first, cast.lea)}"' in page.content.decode()
    response = client.post(
        url,
        {
            f"c-{key(first, cast.lea)}": "3",
            f"c-{key(first, cast.noah)}": "f",
            f"c-{key(second, cast.lea)}": "NE",
            f"c-{key(second, cast.noah)}": "",
        },
    )
    assert response.status_code == 302
    results = {(r.assessed_id, r.student_id): r for r in SkillResult.objects.all()}
    assert results[(first.pk, cast.lea.pk)].level == 3
    assert results[(first.pk, cast.noah.pk)].level == 2
    assert results[(second.pk, cast.lea.pk)].code == ResultCode.NOT_ASSESSED
    assert (second.pk, cast.noah.pk) not in results
    entry = AuditEntry.objects.get(action="skills.levels")
    assert len(entry.after["changes"]) == 3
    # A skills-only assessment is published by grades' rule once levels are entered.
    found.refresh_from_db()
    assert found.publish_at is not None
    # The families are told at that time, with a link to the skills rather than to the marks.
    told = Notification.objects.filter(recipient=cast.sophie, kind=Kind.GRADE).get()
    assert told.title.startswith("Compétences évaluées")
    assert told.url == reverse("skills:index")
    assert told.deliver_at == found.publish_at


def test_refusals_save_nothing(cast: Any, client: Any) -> None:
    found = assessment(cast)
    first = column(found)
    client.force_login(cast.bernard)
    url = reverse("skills:grid", args=[found.public_id])
    out_of_range = client.post(
        url, {f"c-{key(first, cast.lea)}": "2", f"c-{key(first, cast.noah)}": "5"}
    )
    assert out_of_range.status_code == 400
    assert "n&#x27;est pas un niveau" in out_of_range.content.decode()
    # What was typed stays in the form.
    assert 'value="5"' in out_of_range.content.decode()
    stranger = client.post(url, {f"c-{key(first, cast.jade)}": "2"})  # Jade is in 3e A
    assert stranger.status_code == 400
    assert "pas dans la classe" in stranger.content.decode()
    assert not SkillResult.objects.exists()


def test_autosave_detects_a_lost_update(cast: Any, client: Any) -> None:
    found = assessment(cast)
    first = column(found)
    client.force_login(cast.bernard)
    url = reverse("skills:cells", args=[found.public_id])
    cell = key(first, cast.lea)
    saved = client.post(url, {f"c-{cell}": "2", f"v-{cell}": "0"})
    assert saved.status_code == 200
    assert saved.json()["cells"][cell] == {"value": "2", "version": 1}
    # Another tab still shows version 0 and types 4: refused, the current value comes back.
    stale = client.post(url, {f"c-{cell}": "4", f"v-{cell}": "0"})
    assert stale.status_code == 409
    assert stale.json()["cells"][cell] == {"value": "2", "version": 1}
    assert SkillResult.objects.get().level == 2
    # On the current version it is saved; erasing removes the result.
    assert client.post(url, {f"c-{cell}": "4", f"v-{cell}": "1"}).json()["cells"][cell] == {
        "value": "4",
        "version": 2,
    }
    assert client.post(url, {f"c-{cell}": "", f"v-{cell}": "2"}).status_code == 200
    assert not SkillResult.objects.exists()


def test_autosave_refuses_bad_input(cast: Any, client: Any) -> None:
    found = assessment(cast)
    first = column(found)
    client.force_login(cast.bernard)
    url = reverse("skills:cells", args=[found.public_id])
    response = client.post(url, {f"c-{key(first, cast.lea)}": "0"})
    assert response.status_code == 400
    assert "n'est pas un niveau" in response.json()["error"]
    assert not SkillResult.objects.exists()


def test_grid_and_autosave_budgets(cast: Any, client: Any) -> None:
    found = assessment(cast)
    columns = [column(found, component=code) for code in ("D1.3", "D2", "D4")]
    for c in columns:
        level(c, cast.lea, 3)
    client.force_login(cast.bernard)
    # user, school year, memberships, services, assignments, the assessment, its columns, the
    # class's students, the results.
    with query_budget(9):
        assert client.get(reverse("skills:grid", args=[found.public_id])).status_code == 200
    cells = {f"c-{key(c, s)}": "2" for c in columns for s in (cast.lea, cast.noah)}
    cells.update({f"v-{key(c, cast.lea)}": "1" for c in columns})
    # user, memberships, assignments, the assessment, its columns, the students; the save in
    # its savepoint: locked results, insert, update, audit row.
    with query_budget(12):
        response = client.post(reverse("skills:cells", args=[found.public_id]), cells)
    assert response.status_code == 200, response.content
    assert response.json()["saved"] == 6


def test_the_teachers_index(cast: Any, client: Any) -> None:
    for n in range(4):
        column(assessment(cast, f"Devoir {n}"))
    assessment(cast, "Sans compétence")
    client.force_login(cast.bernard)
    # user, school year, memberships, services, assignments, assessments (with the count of
    # their skills), classes.
    with query_budget(7):
        response = client.get(reverse("skills:index"))
    page = response.content.decode()
    assert "Devoir 3" in page and "1 compétence : saisir les niveaux" in page
    assert "Sans compétence" in page
    assert "4e B" in page and "3e A" in page
    client.force_login(cast.garcia)
    assert "Devoir 3" not in client.get(reverse("skills:index")).content.decode()


def test_the_head_reads_a_grid_without_entering(cast: Any, client: Any) -> None:
    found = assessment(cast)
    level(column(found), cast.lea, 4)
    client.force_login(cast.principal_moulin)
    page = client.get(reverse("skills:grid", args=[found.public_id])).content.decode()
    assert '<input type="text"' not in page
    assert ">4<" in page.replace(" ", "").replace("\n", "")
    index = client.get(reverse("skills:index")).content.decode()
    assert "Bilans par classe" in index and "Mes devoirs" not in index
