"""The grades demo on the cast: a term of marks, mostly published, the same on every build."""

from __future__ import annotations

from typing import Any

import pytest
from django.utils import timezone

from preau.directory.models import SchoolYear
from preau.grades import demo, selectors
from preau.grades.models import Assessment, Mark

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    return list(
        Mark.objects.order_by(
            "assessment__school_class__name", "assessment__title", "student__username"
        ).values_list(
            "assessment__school_class__name",
            "assessment__subject__code",
            "assessment__title",
            "student__username",
            "value",
            "code",
        )
    )


def test_a_term_of_marks_mostly_published(cast: Any) -> None:
    demo.build(cast)
    now = timezone.now()
    in_4b = Assessment.objects.filter(school_class=cast.class_4b)
    # This school year's, in one grading period begun by today (the current term).
    year = SchoolYear.current()
    assert set(Assessment.objects.values_list("school_year", flat=True)) == {year.pk}
    [period] = {a.period for a in in_4b}
    assert period.school_year == year and period.start_date <= timezone.localdate()
    assert all(a.date <= timezone.localdate() for a in in_4b)
    # Maths (M. Bernard) and French (Mme Garcia) in 4e B; maths in 3e A.
    assert set(in_4b.values_list("subject__code", flat=True)) == {"061300", "020700"}
    assert Assessment.objects.filter(school_class=cast.class_3a).exists()
    published = in_4b.filter(publish_at__lte=now).count()
    assert published >= in_4b.count() - 1
    # The latest maths test of 4e B waits for its publication.
    waiting = in_4b.filter(publish_at__gt=now)
    assert [a.subject.code for a in waiting] == ["061300"]
    # Léa's averages exist and are computed the same way as on her page.
    period = in_4b.first().period
    report = selectors.student_report(cast.lea, cast.class_4b, period, now=now)
    assert report.overall is not None
    assert {line.subject.code for line in report.subjects} == {"061300", "020700"}


def test_the_build_is_deterministic_and_idempotent(cast: Any) -> None:
    demo.build(cast)
    first = snapshot()
    demo.build(cast)
    assert snapshot() == first
    Mark.objects.all().delete()
    Assessment.objects.all().delete()
    demo.build(cast)
    assert snapshot() == first
