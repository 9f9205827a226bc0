"""The grades' pages: the grid (plain form and script), the families' marks, the class table,
the assessment form and the settings; query budgets."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import log_in_with_second_factor, query_budget
from preau.grades import actions
from preau.grades.actions import record_marks
from preau.grades.models import Assessment, GradeSettings, Mark
from preau.grades.tests.helpers import actor_for, assessment, at, monday
from preau.grades.tests.test_selectors import grow_class

pytestmark = pytest.mark.django_db


def cell(exam: Assessment, student: Any) -> str:
    return f"{exam.public_id}.{student.public_id}"


def test_grid_plain_form_saves_every_cell_at_once(cast: Any, client: Any) -> None:
    exam = assessment(cast)
    client.force_login(cast.bernard)
    url = reverse("grades:grid", args=[exam.public_id])
    response = client.post(
        url,
        {
            f"m-{cell(exam, cast.lea)}": "15,5",
            f"v-{cell(exam, cast.lea)}": "0",
            f"c-{cell(exam, cast.lea)}": "Bon travail",
            f"m-{cell(exam, cast.noah)}": "DISP",
            f"v-{cell(exam, cast.noah)}": "0",
            f"c-{cell(exam, cast.noah)}": "",
        },
    )
    assert response.status_code == 302
    marks = {m.student_id: m for m in Mark.objects.filter(assessment=exam)}
    assert marks[cast.lea.pk].value == Decimal("15.5")
    assert marks[cast.lea.pk].comment == "Bon travail"
    assert marks[cast.noah.pk].code == "DISP"


def test_grid_error_saves_nothing_and_says_who(cast: Any, client: Any) -> None:
    exam = assessment(cast)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("grades:grid", args=[exam.public_id]),
        {f"m-{cell(exam, cast.lea)}": "12", f"m-{cell(exam, cast.noah)}": "25"},
    )
    assert response.status_code == 400
    assert "Noah Leroy : la note 25 dépasse le barème (20)." in response.content.decode()
    assert 'value="25"' in response.content.decode()  # what was typed stays in the cell
    assert not Mark.objects.exists()


def test_grid_script_gets_versions_and_conflicts(cast: Any, client: Any) -> None:
    exam = assessment(cast)
    client.force_login(cast.bernard)
    url = reverse("grades:grid", args=[exam.public_id])
    name = cell(exam, cast.lea)
    answer = client.post(
        url, {f"m-{name}": "11", f"v-{name}": "0"}, headers={"Accept": "application/json"}
    )
    assert answer.json() == {"ok": True, "changed": 1, "versions": {name: 1}}
    # A second grid still holding version 0 tries to save 13.
    stale = client.post(
        url, {f"m-{name}": "13", f"v-{name}": "0"}, headers={"Accept": "application/json"}
    )
    assert stale.status_code == 409
    conflict = stale.json()["conflicts"][0]
    assert (conflict["cell"], conflict["theirs"], conflict["version"]) == (name, "11", 1)
    assert Mark.objects.get().value == Decimal(11)
    # The plain form shows the other value in the cell and what was typed beside it.
    page = client.post(url, {f"m-{name}": "14", f"v-{name}": "0"})
    assert page.status_code == 400
    html = page.content.decode()
    assert 'value="11"' in html and "votre saisie : 14" in html


def test_grid_page_budget(cast: Any, client: Any) -> None:
    grow_class(cast, 28)
    exam = assessment(cast)
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "12"})
    client.force_login(cast.bernard)
    url = reverse("grades:grid", args=[exam.public_id])
    # user, memberships, services, assignments, the assessment, its students, marks,
    # statistics.
    with query_budget(8):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count('data-cell="') == 30


def test_class_grid_budget_and_save(cast: Any, client: Any) -> None:
    from preau.directory.models import TeachingAssignment

    first = assessment(cast, title="Devoir 1")
    second = assessment(cast, title="Devoir 2")
    assignment = TeachingAssignment.objects.get(teacher=cast.bernard, school_class=cast.class_4b)
    url = reverse("grades:assignment_grid", args=[assignment.public_id])
    client.force_login(cast.bernard)
    # user, memberships, services, assignments, periods, assessments, students, marks.
    with query_budget(8):
        response = client.get(url)
    assert "Devoir 2" in response.content.decode()
    response = client.post(
        url,
        {
            f"m-{cell(first, cast.lea)}": "8",
            f"m-{cell(second, cast.lea)}": "16",
            f"m-{cell(second, cast.noah)}": "ABS",
        },
    )
    assert response.status_code == 302
    assert Mark.objects.count() == 3


def test_families_see_published_marks_with_statistics(cast: Any, client: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    with at(tuesday, "10:00"):
        exam = assessment(cast, title="Équations")
        record_marks(
            actor_for(cast.bernard),
            exam,
            {str(cast.lea.public_id): "14", str(cast.noah.public_id): "9,5"},
        )
        client.force_login(cast.lea)
        assert "Équations" not in client.get(reverse("grades:marks")).content.decode()
    with at(tuesday + timedelta(days=1), "18:05"):
        client.force_login(cast.lea)
        url = reverse("grades:marks")
        # user, the school year (the clock moved), memberships, services, guardianships (a
        # student may be a guardian too), enrolment, periods, class students, marks,
        # coefficients, statistics. The cache is emptied first: a day later, an in-process cache
        # has let the services' entry expire on the moved clock, Redis has not.
        cache.clear()
        with query_budget(11):
            response = client.get(url)
        html = response.content.decode()
        assert "Équations" in html and "<strong>14</strong>/20" in html
        assert "11,75 / 9,5 / 14" in html  # class mean, min, max
        client.force_login(cast.karim)
        html = client.get(url).content.decode()
        assert "Noah" in html and "9,5</strong>/20" in html and "<strong>14</strong>" not in html


def test_guardian_cannot_ask_for_another_familys_child(cast: Any, client: Any) -> None:
    client.force_login(cast.karim)
    response = client.get(reverse("grades:marks"), {"child": str(cast.lea.public_id)})
    assert response.status_code == 404


def test_teacher_creates_an_assessment_through_the_form(cast: Any, client: Any) -> None:
    from preau.directory.models import TeachingAssignment

    assignment = TeachingAssignment.objects.get(teacher=cast.bernard, school_class=cast.class_4b)
    client.force_login(cast.bernard)
    response = client.post(
        reverse("grades:new"),
        {
            "assignment": str(assignment.public_id),
            "title": "Interro surprise",
            "date": (monday() + timedelta(days=2)).isoformat(),
            "scale": "10",
            "coefficient": "0,5",
            "kind": "optional",
            "graded": "on",
        },
    )
    created = Assessment.objects.get(title="Interro surprise")
    assert response.url == reverse("grades:grid", args=[created.public_id])
    assert (created.scale, created.coefficient, created.kind) == (
        Decimal(10),
        Decimal("0.5"),
        "optional",
    )
    refused = client.post(
        reverse("grades:new"),
        {
            "assignment": str(assignment.public_id),
            "title": "Négatif",
            "date": monday().isoformat(),
            "scale": "20",
            "coefficient": "-2",
            "kind": "normal",
        },
    )
    assert "Le coefficient ne peut pas être négatif." in refused.content.decode()
    assert not Assessment.objects.filter(title="Négatif").exists()


def test_head_teacher_reads_every_subject_of_the_class_but_enters_only_theirs(
    cast: Any, client: Any
) -> None:
    """M. Bernard heads 4e B: he reads Mme Garcia's French marks there, and cannot change them."""
    from preau.grades.tests.helpers import FRENCH

    french = assessment(cast, teacher=cast.garcia, code=FRENCH, title="Dictée")
    record_marks(actor_for(cast.garcia), french, {str(cast.lea.public_id): "13"})
    client.force_login(cast.bernard)
    url = reverse("grades:grid", args=[french.public_id])
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Dictée" in html and 'value="13"' in html and " readonly" in html
    refused = client.post(
        url, {f"m-{cell(french, cast.lea)}": "5", f"v-{cell(french, cast.lea)}": "1"}
    )
    assert refused.status_code == 404
    assert client.get(reverse("grades:edit", args=[french.public_id])).status_code == 404
    assert Mark.objects.get(assessment=french).value == Decimal(13)
    # Another teacher of 4e B, who does not head it, reads only her own subject.
    maths = assessment(cast, title="Fractions")
    client.force_login(cast.garcia)
    assert client.get(reverse("grades:grid", args=[maths.public_id])).status_code == 404


def test_teacher_index_lists_their_assessments(cast: Any, client: Any) -> None:
    assessment(cast, title="Pythagore")
    client.force_login(cast.bernard)
    # user, memberships, services, periods, assignments, assessments, statistics, classes
    # headed.
    with query_budget(8):
        response = client.get(reverse("grades:index"))
    html = response.content.decode()
    assert "Pythagore" in html and "moyennes de la 4e B" in html


def test_class_averages_table(cast: Any, client: Any) -> None:
    exam = assessment(cast)
    record_marks(
        actor_for(cast.bernard),
        exam,
        {str(cast.lea.public_id): "14", str(cast.noah.public_id): "ABS"},
    )
    client.force_login(cast.bernard)
    url = reverse("grades:class", args=[cast.class_4b.public_id])
    # user, memberships, assignments, the class, periods, students, marks, coefficients.
    with query_budget(8):
        response = client.get(url)
    html = response.content.decode()
    assert "14,00" in html and "\N{EN DASH}" in html


def test_head_sets_the_publication_rule(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("grades:settings", args=[cast.moulin.public_id])
    assert client.get(url).status_code == 200
    response = client.post(url, {"delay_days": "2", "time": "17:30"})
    assert response.status_code == 302
    rule = GradeSettings.objects.get(establishment=cast.moulin)
    assert (rule.delay_days, rule.time.strftime("%H:%M")) == (2, "17:30")


def test_publish_now_from_the_grid(cast: Any, client: Any) -> None:
    exam = assessment(cast)
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "14"})
    client.force_login(cast.bernard)
    client.post(reverse("grades:publish", args=[exam.public_id]))
    exam.refresh_from_db()
    assert exam.publish_at is not None and exam.publish_at <= timezone.now()
    client.force_login(cast.lea)
    # As from the notification: the page opens on the assessment's period, whichever is today's.
    page = client.get(reverse("grades:marks"), {"devoir": str(exam.public_id)})
    assert "14</strong>/20" in page.content.decode()


def test_home_panel_shows_the_latest_marks(cast: Any, client: Any) -> None:
    exam = assessment(cast, title="Géométrie")
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "16"})
    actions.do_publish_now(actor=actor_for(cast.bernard), assessment=exam)
    client.force_login(cast.sophie)
    html = client.get(reverse("portal:home"), {"child": str(cast.lea.public_id)}).content.decode()
    assert "Dernières notes" in html and "Géométrie" in html


def test_head_sets_a_subject_coefficient_for_a_level(cast: Any, client: Any) -> None:
    from preau.grades.models import SubjectCoefficient
    from preau.grades.tests.helpers import subject

    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("grades:settings", args=[cast.moulin.public_id])
    maths = subject(cast)
    response = client.post(
        url,
        {
            "target": f"level-{cast.class_4b.level_id}",
            "subject": str(maths.public_id),
            "coefficient": "3",
        },
    )
    assert response.status_code == 302
    row = SubjectCoefficient.objects.get(subject=maths)
    assert (row.level_id, row.coefficient) == (cast.class_4b.level_id, Decimal(3))
    refused = client.post(
        url,
        {
            "target": f"class-{cast.class_4b.public_id}",
            "subject": str(maths.public_id),
            "coefficient": "-1",
        },
    )
    assert refused.status_code == 200
    assert not SubjectCoefficient.objects.filter(school_class=cast.class_4b).exists()
