"""The demo's report cards: published with their PDFs, built once however often the demo runs."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any

import pytest
import time_machine
from django.urls import reverse

from preau.directory.models import Enrolment, SchoolClass, SchoolYear, TeachingAssignment
from preau.grades.models import Assessment, Mark
from preau.reportcards import demo
from preau.reportcards.models import ClassCouncil, CouncilState, ReportCard, SubjectComment
from preau.reportcards.tests.test_flow import pdf_text
from preau.timetable.generation import PARIS

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


def built_on(day: date, cast: Any) -> ClassCouncil:
    """The demo built on ``day`` of this school year: its published council."""
    with time_machine.travel(datetime.combine(day, time(12), tzinfo=PARIS), tick=False):
        demo.build(cast)
    return ClassCouncil.objects.get(state=CouncilState.PUBLISHED)


def test_once_a_period_has_ended_the_published_report_cards_are_this_years(cast: Any) -> None:
    year = SchoolYear.current()
    council = built_on(date(year.start_date.year, 12, 10), cast)
    assert (council.school_year, council.school_class, council.period.number) == (
        year,
        cast.class_4b,
        1,
    )
    assert ReportCard.objects.get(council=council, student=cast.lea).pdf


def test_before_the_first_period_ends_last_years_stay_available(cast: Any, client: Any) -> None:
    """In October, no period of this year has ended: the families read last year's third
    trimester, when Léa was in 5e B, and still download it."""
    year = SchoolYear.current()
    council = built_on(date(year.start_date.year, 10, 15), cast)
    assert council.school_year.end_date < year.start_date
    assert council.school_class.name == "5e B" and council.period.number == 3
    card = ReportCard.objects.get(council=council, student=cast.lea)
    client.force_login(cast.sophie)
    index = client.get(reverse("reportcards:index"), {"child": cast.lea.public_id})
    pdf_url = reverse("reportcards:pdf", args=[card.public_id])
    assert pdf_url in index.text
    download = client.get(pdf_url)
    assert download.status_code == 200
    assert "5e B" in pdf_text(b"".join(download.streaming_content))
    client.force_login(cast.karim)
    assert client.get(pdf_url).status_code == 404
