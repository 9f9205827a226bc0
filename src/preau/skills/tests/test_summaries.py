"""Per-student summaries per period and per cycle, the class summary, who reads them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import query_budget
from preau.directory.models import Enrolment, Level, SchoolClass, SchoolYear
from preau.grades.models import Assessment
from preau.skills import selectors
from preau.skills.models import ResultCode
from preau.skills.tests.helpers import assessment, column, level, period, skill

pytestmark = pytest.mark.django_db


def lines(summary: selectors.Summary) -> dict[str, tuple[list[int], int | None]]:
    return {ln.component.code: (ln.levels, ln.result) for ln in summary.lines if ln.obtained}


def test_a_period_summary_by_hand(cast: Any) -> None:
    first = assessment(cast, "Équations")
    second = assessment(cast, "Fonctions")
    other_period = assessment(cast, "Statistiques", number=2)
    item = column(first, item=skill(cast))  # D1.3
    direct = column(first, component="D1.3")
    methods = column(second, component="D2")
    again = column(second, item=skill(cast, "Modéliser", "D1.3"))
    level(item, cast.lea, 2)
    level(direct, cast.lea, 3)
    level(again, cast.lea, 3)  # D1.3: 2, 3, 3 → mean 2.67 → 3
    level(methods, cast.lea, 1)
    level(methods, cast.noah, 4)
    level(column(second, component="D4"), cast.lea, None, ResultCode.ABSENT)  # does not count
    level(column(other_period, component="D1.3"), cast.lea, 1)  # another period
    summary = selectors.student_summary(cast.lea, period(cast))
    assert lines(summary) == {"D1.3": ([2, 3, 3], 3), "D2": ([1], 1)}
    assert [ln.component.code for ln in summary.lines][:2] == ["D1.1", "D1.2"]
    d13 = next(ln for ln in summary.lines if ln.component.code == "D1.3")
    assert d13.counts == [(1, 0), (2, 1), (3, 2), (4, 0)]
    assert d13.result_label == "Maîtrise satisfaisante"


def test_families_see_only_published_assessments(cast: Any) -> None:
    shown = assessment(cast, "Publié")
    hidden = assessment(cast, "Pas encore", published=False)
    later = assessment(cast, "Demain", published=False)
    later.publish_at = timezone.now() + timedelta(days=1)
    later.save(update_fields=["publish_at"])
    for found, value in ((shown, 4), (hidden, 1), (later, 1)):
        level(column(found), cast.lea, value)
    staff = selectors.student_summary(cast.lea, period(cast))
    family = selectors.student_summary(cast.lea, period(cast), published_only=True)
    assert lines(staff) == {"D1.3": ([4, 1, 1], 2)}
    assert lines(family) == {"D1.3": ([4], 4)}


def test_a_cycle_summary_spans_the_years_of_the_cycle(cast: Any) -> None:
    """Léa in 4e this year was in 5e last year (cycle 4) and in 6e before (cycle 3)."""
    this_year = SchoolYear.current()
    levels = {lv.code: lv for lv in Level.objects.all()}

    def past(years_back: int, level_code: str) -> Assessment:
        start = this_year.start_date.replace(year=this_year.start_date.year - years_back)
        year = SchoolYear.objects.create(
            label=f"{start.year}-{start.year + 1}",
            start_date=start,
            end_date=date(start.year + 1, 8, 31),
        )
        school_class = SchoolClass.objects.create(
            establishment=cast.moulin, school_year=year, name="X", level=levels[level_code]
        )
        Enrolment.objects.create(
            establishment=cast.moulin, school_year=year, student=cast.lea, school_class=school_class
        )
        found_period = period(cast).__class__.objects.create(
            establishment=cast.moulin,
            school_year=year,
            kind="trimester",
            number=1,
            start_date=start,
            end_date=start + timedelta(days=80),
        )
        return Assessment.objects.create(
            establishment=cast.moulin,
            school_year=year,
            school_class=school_class,
            subject=skill(cast).subject,
            period=found_period,
            teacher=cast.bernard,
            title=f"Devoir de {level_code}e",
            date=start + timedelta(days=10),
            publish_at=timezone.now() - timedelta(days=300),
        )

    level(column(past(1, "5")), cast.lea, 1)
    level(column(past(2, "6")), cast.lea, 4)  # cycle 3: not in the cycle 4 summary
    level(column(assessment(cast)), cast.lea, 2)
    enrolment = Enrolment.objects.select_related("school_class__level").get(
        student=cast.lea, school_year=this_year
    )
    found = selectors.cycle_summary(cast.lea, enrolment, published_only=True)
    assert found.cycle == 4
    assert [y.pk for y in found.years][-1] == this_year.pk
    assert len(found.years) == 2
    assert lines(found.summary) == {"D1.3": ([1, 2], 2)}  # mean 1.5 → 2


def test_lycee_students_have_no_cycle(cast: Any) -> None:
    enrolment = Enrolment.objects.select_related("school_class__level").get(student=cast.hugo)
    assert selectors.cycle_summary(cast.hugo, enrolment).cycle is None


def test_the_class_summary(cast: Any) -> None:
    found = assessment(cast)
    first, second = column(found), column(found, component="D2")
    level(first, cast.lea, 1)
    level(first, cast.noah, 4)
    level(second, cast.noah, 2)
    components = selectors.components()
    rows = selectors.class_summary([cast.lea, cast.noah], period(cast), components)
    assert rows[0].results[2] == 1 and rows[0].results[4] is None
    assert rows[1].results[2] == 4 and rows[1].results[4] == 2


def test_student_page_shows_her_published_levels(cast: Any, client: Any) -> None:
    level(column(assessment(cast, "Publié"), item=skill(cast)), cast.lea, 3)
    level(column(assessment(cast, "Caché", published=False)), cast.lea, 1)
    client.force_login(cast.lea)
    page = client.get(reverse("skills:index")).content.decode()
    assert "Mes compétences" in page
    assert "Résoudre une équation" in page
    assert "Maîtrise satisfaisante" in page
    assert "Caché" not in page


def test_guardian_sees_the_child_and_not_another(cast: Any, client: Any) -> None:
    level(column(assessment(cast, "Publié")), cast.lea, 3)
    client.force_login(cast.sophie)
    page = client.get(reverse("skills:index"), {"child": str(cast.lea.public_id)})
    assert "Compétences de Léa Martin" in page.content.decode()
    assert "Maîtrise satisfaisante" in page.content.decode()
    other = client.get(reverse("skills:index"), {"child": str(cast.noah.public_id)})
    assert other.status_code == 404


def _several(cast: Any) -> None:
    for n in range(3):
        found = assessment(cast, f"Devoir {n}")
        for code in ("D1.3", "D2", "D4"):
            assessed = column(found, component=code)
            level(assessed, cast.lea, 1 + n)
            level(assessed, cast.noah, 4 - n)


def test_summary_budgets(cast: Any, client: Any) -> None:
    _several(cast)
    client.force_login(cast.lea)
    # user, school year, memberships, services, enrolment, periods, components, period
    # results, cycle enrolments, cycle results.
    with query_budget(10):
        assert client.get(reverse("skills:index")).status_code == 200
    client.force_login(cast.sophie)
    # user, memberships, children (2), periods, components, results, cycle enrolments, cycle
    # results, and the savepoint around keeping the chosen child in the session.
    with query_budget(11):
        response = client.get(reverse("skills:index"), {"child": str(cast.lea.public_id)})
    assert response.status_code == 200
    client.force_login(cast.principal_moulin)
    url = reverse("skills:class", args=[cast.class_4b.public_id])
    # user, memberships, the class, periods, components, students, results.
    with query_budget(7):
        assert client.get(url).status_code == 200
    url = reverse("skills:student", args=[cast.lea.public_id])
    # user, memberships, the student, enrolment, periods, components, period results, cycle
    # enrolments, cycle results.
    with query_budget(9):
        assert client.get(url).status_code == 200


def test_report_card_selector_budget(cast: Any) -> None:
    _several(cast)
    components, chosen = selectors.components(), period(cast)
    with query_budget(1):
        summary = selectors.student_summary(cast.lea, chosen, components_=components)
    assert lines(summary)["D2"] == ([1, 2, 3], 2)


def test_class_and_cycle_selectors_budgets(cast: Any) -> None:
    _several(cast)
    components, chosen = selectors.components(), period(cast)
    students = [cast.lea, cast.noah]
    with query_budget(1):
        rows = selectors.class_summary(students, chosen, components)
    assert [r.results[4] for r in rows] == [2, 3]  # D2: Léa 1, 2, 3; Noah 4, 3, 2
    enrolment = Enrolment.objects.select_related("school_class__level").get(
        student=cast.lea, school_year=SchoolYear.current()
    )
    # the enrolments of the cycle, the results of its years.
    with query_budget(2):
        found = selectors.cycle_summary(cast.lea, enrolment, components_=components)
    assert lines(found.summary)["D4"] == ([1, 2, 3], 2)
