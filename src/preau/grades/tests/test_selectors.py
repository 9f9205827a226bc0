"""The averages selectors on a class: hand-computed figures and constant query counts."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from preau.core.testing import query_budget
from preau.directory.models import Enrolment, SchoolYear
from preau.grades import actions, selectors
from preau.grades.actions import record_marks
from preau.grades.tests.helpers import FRENCH, actor_for, assessment

pytestmark = pytest.mark.django_db
User = get_user_model()


def grow_class(cast: Any, extra: int) -> list[Any]:
    """Add ``extra`` students to 4e B."""
    year = SchoolYear.current()
    students = User.objects.bulk_create(
        [
            User(username=f"grades.extra{i}", first_name=f"Élève{i:02d}", last_name="Zed")
            for i in range(extra)
        ]
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                establishment=cast.moulin,
                school_year=year,
                student=s,
                school_class=cast.class_4b,
            )
            for s in students
        ]
    )
    return students


def test_class_table_hand_computed(cast: Any) -> None:
    lea, noah = str(cast.lea.public_id), str(cast.noah.public_id)
    bernard, garcia = actor_for(cast.bernard), actor_for(cast.garcia)
    # Maths: a test on 20 (coef 2), a quiz on 10 (coef 1), an optional one, a bonus.
    test = assessment(cast, coefficient="2")
    quiz = assessment(cast, scale="10", title="Quiz")
    optional = assessment(cast, kind="optional", title="Facultatif")
    bonus = assessment(cast, kind="bonus", title="Bonus")
    record_marks(bernard, test, {lea: "12", noah: "ABS"})
    record_marks(bernard, quiz, {lea: "9", noah: "DISP"})
    record_marks(bernard, optional, {lea: "10", noah: "NN"})
    record_marks(bernard, bonus, {lea: "14", noah: "ABS"})
    # French (Mme Garcia): Léa 8, Noah 16.
    french = assessment(cast, teacher=cast.garcia, code=FRENCH, title="Dictée")
    record_marks(garcia, french, {lea: "8", noah: "16"})
    actions.do_set_subject_coefficient(
        actor=actor_for(cast.principal_moulin),
        establishment=cast.moulin,
        subject=test.subject,
        coefficient=Decimal(3),
        school_class=cast.class_4b,
    )
    with query_budget(3, warm=True):
        table = selectors.class_table(cast.class_4b, test.period)
    rows = table.rows_by_student
    lea_maths = rows[cast.lea.pk].by_subject[test.subject_id]
    # (12*2 + 18*1) / 3 = 14; the optional 10 would lower it; bonus 14 adds 4/3 → 15.33.
    assert lea_maths.average == Decimal("15.33")
    # Noah: every maths mark is a code → no maths average; French 16 alone.
    assert test.subject_id not in rows[cast.noah.pk].by_subject or (
        rows[cast.noah.pk].by_subject[test.subject_id].average is None
    )
    # Léa overall: (15.33*3 + 8*1) / 4 = 13.4975 → 13.50; Noah: French only → 16.
    assert rows[cast.lea.pk].overall == Decimal("13.50")
    assert rows[cast.noah.pk].overall == Decimal("16.00")
    # Class averages: maths only Léa has one; French (8 + 16) / 2.
    assert table.subject_averages[test.subject_id] == Decimal("15.33")
    assert table.subject_averages[french.subject_id] == Decimal("12.00")
    assert table.overall_average == Decimal("14.75")


def test_query_counts_do_not_grow_with_the_class(cast: Any) -> None:
    students = grow_class(cast, 28)
    bernard = actor_for(cast.bernard)
    exams = [assessment(cast, title=f"Devoir {i}") for i in range(10)]
    for i, exam in enumerate(exams):
        record_marks(
            bernard, exam, {str(s.public_id): str((i * 7 + j) % 21) for j, s in enumerate(students)}
        )
    with query_budget(3, warm=True):
        table = selectors.class_table(cast.class_4b, exams[0].period)
    assert len(table.rows) == 30
    with query_budget(1, warm=True):
        stats = selectors.assessment_stats([e.pk for e in exams])
    assert stats[exams[0].pk].count == 28
    with query_budget(3, warm=True):
        report = selectors.student_report(students[0], cast.class_4b, exams[0].period)
    assert report.subjects[0].class_average is not None
