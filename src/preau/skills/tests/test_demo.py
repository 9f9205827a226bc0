"""The demo's skills: built once however often the demo runs, and shown to Léa."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from preau.directory.models import SchoolYear
from preau.grades import demo as grades_demo
from preau.grades.models import Assessment
from preau.skills import demo
from preau.skills.models import AssessedSkill, Skill, SkillResult

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in (Skill, AssessedSkill, SkillResult))


def test_the_demo_is_built_once_and_lea_sees_her_summary(cast: Any, client: Any) -> None:
    # Mid-November of this school year: the first term, with its assessments published.
    year = SchoolYear.current()
    with time_machine.travel(datetime(year.start_date.year, 11, 20, 11, tzinfo=UTC)):
        grades_demo.build(cast)
        demo.build(cast)
        built = counts()
        demo.build(cast)
        assert counts() == built
        assert built[0] == 6
        assert not SkillResult.objects.exclude(assessed__assessment__school_class=cast.class_4b)
        for row in SkillResult.objects.all():
            row.full_clean()
        client.force_login(cast.lea)
        page = client.get(reverse("skills:index")).content.decode()
    assert "Compétences : calcul littéral" in page
    assert "Résoudre une équation du premier degré" in page
    assert "Maîtrise satisfaisante" in page
    # Two of grades' maths assessments and two of its French ones evaluate skills too.
    graded = Assessment.objects.filter(graded=True, assessed_skills__isnull=False).distinct()
    assert graded.count() == 4
