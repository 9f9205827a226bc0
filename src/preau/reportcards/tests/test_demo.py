"""The demo's report cards: published with their PDFs, built once however often the demo runs."""

from __future__ import annotations

from typing import Any

import pytest

from preau.directory.models import Enrolment, SchoolClass, TeachingAssignment
from preau.grades.models import Assessment, Mark
from preau.reportcards import demo
from preau.reportcards.models import ClassCouncil, CouncilState, ReportCard, SubjectComment
from preau.reportcards.tests.test_flow import pdf_text

pytestmark = pytest.mark.django_db


def counts() -> tuple[int, ...]:
    return tuple(
        m.objects.count()
        for m in (
            ClassCouncil,
            ReportCard,
            SubjectComment,
            SchoolClass,
            Enrolment,
            TeachingAssignment,
            Assessment,
            Mark,
        )
    )


def test_the_demo_publishes_report_cards_with_their_pdfs(cast: Any) -> None:
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    published = ClassCouncil.objects.get(state=CouncilState.PUBLISHED)
    lea = ReportCard.objects.get(council=published, student=cast.lea)
    assert lea.general_comment and lea.subject_comments.exists()
    text = pdf_text(lea.pdf.read())
    assert "Martin" in text and "Moyenne générale" in text
    assert ReportCard.objects.filter(council=published, pdf="").count() == 0
    # This year's councils are open for the teachers to fill.
    assert ClassCouncil.objects.filter(state=CouncilState.DRAFT, school_class=cast.class_4b)


def test_the_demo_writes_the_group_subjects_by_their_teachers(cast: Any) -> None:
    from preau.reportcards.tests.helpers import SPANISH, make_groups

    make_groups(cast)
    demo.build(cast)
    built = counts()
    demo.build(cast)
    assert counts() == built
    published = ClassCouncil.objects.get(state=CouncilState.PUBLISHED)
    lea = ReportCard.objects.get(council=published, student=cast.lea)
    spanish = lea.subject_comments.get(subject__code=SPANISH)
    assert spanish.text and spanish.author == cast.garcia
    assert not ReportCard.objects.get(council=published, student=cast.noah).subject_comments.filter(
        subject__code=SPANISH
    )
    text = pdf_text(lea.pdf.read())
    assert "Espagnol LV2" in text and "Garcia I." in text
