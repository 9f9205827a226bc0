"""Comment grids, the head teacher's general comments and decisions, validation and
publication with the stored PDFs and the families' notifications."""

from __future__ import annotations

import html
import io
from typing import Any

import pytest
from django.urls import reverse
from pypdf import PdfReader

from preau.core.testing import query_budget
from preau.notifications.models import Notification
from preau.reportcards import actions
from preau.reportcards.models import (
    SUBJECT_COMMENT_MAX,
    CouncilState,
    ReportCard,
    SubjectComment,
)
from preau.reportcards.tests.helpers import (
    FRENCH,
    MATHS,
    actor_for,
    card_of,
    open_council,
    publish,
    subject,
)

pytestmark = pytest.mark.django_db


def _grid(council: Any, code: str, cast: Any) -> str:
    return reverse(
        "reportcards:subject",
        kwargs={"public_id": council.public_id, "subject_id": subject(cast, code).public_id},
    )


def _cell(council: Any, code: str, cast: Any, card: Any) -> str:
    return reverse(
        "reportcards:subject_cell",
        kwargs={
            "public_id": council.public_id,
            "subject_id": subject(cast, code).public_id,
            "card_id": card.public_id,
        },
    )


def pdf_text(content: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)


def test_opening_a_period_makes_a_report_card_per_student(cast: Any) -> None:
    council = open_council(cast, marks=False)
    assert set(council.report_cards.values_list("student", flat=True)) == {
        cast.lea.pk,
        cast.noah.pk,
    }
    # Opened again: nothing doubles.
    open_council(cast, marks=False)
    assert ReportCard.objects.filter(council=council).count() == 2


def test_only_the_head_opens_a_period(cast: Any, client: Any) -> None:
    from preau.reportcards.tests.helpers import first_period

    url = reverse("reportcards:open_period", args=[first_period(cast.moulin).public_id])
    client.force_login(cast.bernard)
    assert client.post(url).status_code == 404
    client.force_login(cast.principal_moulin)
    assert client.post(url).status_code == 302
    assert ReportCard.objects.filter(student=cast.lea).count() == 1


def test_teacher_fills_the_grid_with_the_plain_form(cast: Any, client: Any) -> None:
    council = open_council(cast)
    lea, noah = card_of(council, cast.lea), card_of(council, cast.noah)
    client.force_login(cast.bernard)
    url = _grid(council, MATHS, cast)
    # The user, memberships, services and teaching assignments; the council, the subject, the
    # report cards, the comments; the class's students, marks and subject coefficients (the
    # averages beside each box).
    with query_budget(11):
        page = client.get(url)
    assert page.status_code == 200
    assert f'name="text-{lea.public_id}"' in page.text
    response = client.post(
        url,
        {
            f"text-{lea.public_id}": "Très bon trimestre.",
            f"version-{lea.public_id}": "0",
            f"original-{lea.public_id}": "",
            f"text-{noah.public_id}": "Des efforts à poursuivre.",
            f"version-{noah.public_id}": "0",
            f"original-{noah.public_id}": "",
        },
    )
    assert response.status_code == 302
    texts = dict(SubjectComment.objects.values_list("report_card__student", "text"))
    assert texts == {cast.lea.pk: "Très bon trimestre.", cast.noah.pk: "Des efforts à poursuivre."}


def test_autosave_refuses_a_lost_update(cast: Any, client: Any) -> None:
    council = open_council(cast)
    lea = card_of(council, cast.lea)
    key = str(lea.public_id)
    url = _cell(council, MATHS, cast, lea)
    client.force_login(cast.bernard)
    first = client.post(url, {f"text-{key}": "Première version.", f"version-{key}": "0"})
    assert first.status_code == 200
    assert "Enregistré" in first.text
    assert 'value="1"' in first.text  # the new version, swapped in for the next save
    # A second window still on version 0 types over it: refused, the saved words shown.
    stale = client.post(url, {f"text-{key}": "Autre texte.", f"version-{key}": "0"})
    assert "modifiée ailleurs" in stale.text
    assert "Première version." in stale.text
    assert SubjectComment.objects.get().text == "Première version."
    # Saved again over the version it was shown: accepted.
    again = client.post(url, {f"text-{key}": "Autre texte.", f"version-{key}": "1"})
    assert "Enregistré" in again.text
    assert SubjectComment.objects.get().text == "Autre texte."


def test_plain_form_keeps_an_untouched_cell_written_elsewhere(cast: Any, client: Any) -> None:
    """A cell left as it was does not overwrite what another window saved meanwhile."""
    council = open_council(cast)
    lea, noah = card_of(council, cast.lea), card_of(council, cast.noah)
    actions.do_save_subject_comments(
        actor=actor_for(cast.bernard),
        council=council,
        subject=subject(cast, MATHS),
        entries=[actions.CommentInput(lea, "Écrit ailleurs.", 0)],
    )
    client.force_login(cast.bernard)
    response = client.post(
        _grid(council, MATHS, cast),
        {
            f"text-{lea.public_id}": "",
            f"version-{lea.public_id}": "0",
            f"original-{lea.public_id}": "",
            f"text-{noah.public_id}": "Sérieux.",
            f"version-{noah.public_id}": "0",
            f"original-{noah.public_id}": "",
        },
    )
    assert response.status_code == 302
    texts = dict(SubjectComment.objects.values_list("report_card__student", "text"))
    assert texts == {cast.lea.pk: "Écrit ailleurs.", cast.noah.pk: "Sérieux."}


def test_too_long_a_comment_writes_nothing(cast: Any, client: Any) -> None:
    council = open_council(cast)
    lea, noah = card_of(council, cast.lea), card_of(council, cast.noah)
    client.force_login(cast.bernard)
    response = client.post(
        _grid(council, MATHS, cast),
        {
            f"text-{lea.public_id}": "x" * (SUBJECT_COMMENT_MAX + 1),
            f"version-{lea.public_id}": "0",
            f"original-{lea.public_id}": "",
            f"text-{noah.public_id}": "Correct.",
            f"version-{noah.public_id}": "0",
            f"original-{noah.public_id}": "",
        },
    )
    assert response.status_code == 400
    assert "L'appréciation de Léa Martin fait 401 caractères : 400 au plus." in html.unescape(
        response.text
    )
    assert "Correct." in response.text  # what was typed stays in the form
    assert not SubjectComment.objects.exists()


def test_a_teacher_writes_only_their_subject(cast: Any, client: Any) -> None:
    council = open_council(cast)
    lea = card_of(council, cast.lea)
    client.force_login(cast.garcia)
    assert client.get(_grid(council, MATHS, cast)).status_code == 404
    key = str(lea.public_id)
    response = client.post(
        _cell(council, MATHS, cast, lea), {f"text-{key}": "Non.", f"version-{key}": "0"}
    )
    assert response.status_code == 404
    assert client.get(_grid(council, FRENCH, cast)).status_code == 200
    assert not SubjectComment.objects.exists()


def test_head_teacher_enters_general_comments_and_decisions(cast: Any, client: Any) -> None:
    council = open_council(cast)
    lea = card_of(council, cast.lea)
    url = reverse("reportcards:general", args=[council.public_id])
    client.force_login(cast.garcia)  # teaches the class, does not head it
    assert client.get(url).status_code == 404
    client.force_login(cast.bernard)
    # The user, memberships and services; the council, its report cards with their students.
    with query_budget(5):
        assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            f"comment-{lea.public_id}": "Excellent trimestre, bravo.",
            f"decision-{lea.public_id}": "felicitations",
            f"version-{lea.public_id}": "0",
            f"original-{lea.public_id}": "",
            f"original_decision-{lea.public_id}": "",
        },
    )
    assert response.status_code == 302
    lea.refresh_from_db()
    assert (lea.general_comment, lea.decision, lea.version) == (
        "Excellent trimestre, bravo.",
        "felicitations",
        1,
    )
    refused = client.post(
        url,
        {
            f"comment-{lea.public_id}": "Bien.",
            f"decision-{lea.public_id}": "prix",
            f"version-{lea.public_id}": "1",
        },
    )
    assert refused.status_code == 400
    assert "Décision inconnue pour Léa Martin." in refused.text


def test_validation_locks_and_only_the_head_decides(cast: Any, client: Any) -> None:
    council = open_council(cast)
    validate = reverse("reportcards:validate", args=[council.public_id])
    client.force_login(cast.bernard)
    assert client.post(validate).status_code == 404
    client.force_login(cast.principal_moulin)
    assert client.post(validate).status_code == 302
    council.refresh_from_db()
    assert council.state == CouncilState.VALIDATED
    lea = card_of(council, cast.lea)
    client.force_login(cast.bernard)
    response = client.post(
        _grid(council, MATHS, cast),
        {f"text-{lea.public_id}": "Trop tard.", f"version-{lea.public_id}": "0"},
        follow=True,
    )
    assert "La saisie de ces bulletins est close" in html.unescape(response.text)
    key = str(lea.public_id)
    autosave = client.post(
        _cell(council, MATHS, cast, lea), {f"text-{key}": "Trop tard.", f"version-{key}": "0"}
    )
    assert "La saisie de ces bulletins est close" in html.unescape(autosave.text)
    assert not SubjectComment.objects.exists()
    # Reopened by the head: writable again.
    client.force_login(cast.principal_moulin)
    client.post(reverse("reportcards:reopen", args=[council.public_id]))
    council.refresh_from_db()
    assert council.state == CouncilState.DRAFT


def test_publication_stores_the_pdfs_and_tells_the_families(
    cast: Any, client: Any, django_capture_on_commit_callbacks: Any
) -> None:
    council = open_council(cast)
    lea = card_of(council, cast.lea)
    bernard = actor_for(cast.bernard)
    actions.do_save_subject_comments(
        actor=bernard,
        council=council,
        subject=subject(cast, MATHS),
        entries=[actions.CommentInput(lea, "Très bon travail en géométrie.", 0)],
    )
    actions.do_save_general(
        actor=bernard,
        council=council,
        entries=[actions.GeneralInput(lea, "Un trimestre remarquable.", "felicitations", 0)],
    )
    pdf_url = reverse("reportcards:pdf", args=[lea.public_id])
    client.force_login(cast.sophie)
    assert client.get(pdf_url).status_code == 404  # not published yet
    client.force_login(cast.principal_moulin)
    client.post(reverse("reportcards:validate", args=[council.public_id]))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reportcards:publish", args=[council.public_id]))
    assert response.status_code == 302
    lea.refresh_from_db()
    assert lea.pdf and card_of(council, cast.noah).pdf
    stored = lea.pdf.read()
    text = pdf_text(stored)
    for expected in (
        "Collège Jean Moulin",
        "MARTIN Léa".title().split()[1],
        "4e B",
        "16,00",  # maths
        "13,50",  # French
        "14,75",  # overall
        "Très bon travail en géométrie.",
        "Un trimestre remarquable.",
        "Félicitations",
    ):
        assert expected in text, expected
    titles = set(Notification.objects.values_list("recipient__username", flat=True))
    assert {"parent.sophie", "parent.karim", "eleve.lea", "eleve.noah"} <= titles
    # The family downloads the very file stored.
    client.force_login(cast.sophie)
    download = client.get(pdf_url)
    assert download.status_code == 200
    assert download["Content-Type"] == "application/pdf"
    assert b"".join(download.streaming_content) == stored
    # Published is final.
    client.force_login(cast.principal_moulin)
    client.post(reverse("reportcards:reopen", args=[council.public_id]))
    council.refresh_from_db()
    assert council.state == CouncilState.PUBLISHED


def test_progress_of_the_pdfs(cast: Any, client: Any) -> None:
    council = open_council(cast)
    publish(cast, council)  # the task runs on commit: not in this test's transaction
    url = reverse("reportcards:progress", args=[council.public_id])
    client.force_login(cast.principal_moulin)
    # The user, memberships and services; the council; the count of stored PDFs.
    with query_budget(5):
        waiting = client.get(url)
    assert 'value="0"' in waiting.text and 'hx-trigger="every 1s"' in waiting.text
    from preau.reportcards.tasks import make_council_pdfs

    result = make_council_pdfs.enqueue(council.pk)
    assert result.return_value == 2
    done = client.get(url)
    assert 'value="2"' in done.text and "hx-trigger" not in done.text
    assert Notification.objects.filter(recipient=cast.sophie).count() == 1
    # Run again: nothing made twice, nobody told twice.
    assert make_council_pdfs.enqueue(council.pk).return_value == 0
    assert Notification.objects.filter(recipient=cast.sophie).count() == 1


def test_families_list_every_published_report_card(cast: Any, client: Any) -> None:
    council = open_council(cast)
    client.force_login(cast.sophie)
    assert "Aucun bulletin publié" in client.get(reverse("reportcards:index")).text
    publish(cast, council)
    # The user and memberships; the children and their enrolments (selected_child); the
    # published report cards with their councils; the savepoint around the session's save (the
    # child chosen is kept).
    with query_budget(7):
        page = client.get(reverse("reportcards:index"), {"child": cast.lea.public_id})
    assert reverse("reportcards:pdf", args=[card_of(council, cast.lea).public_id]) in page.text
    assert reverse("reportcards:pdf", args=[card_of(council, cast.noah).public_id]) not in page.text


def test_the_pdf_shows_the_periods_absences(cast: Any, client: Any) -> None:
    """Léa missed a whole day (justified) and a morning (not yet), and came late once."""
    from datetime import datetime, time, timedelta

    from preau.attendance.models import AttendanceRecord, HalfDay, RecordKind, RecordStatus
    from preau.timetable.generation import PARIS

    council = open_council(cast)
    day = council.period.start_date
    while day.weekday() != 1:  # a Tuesday, and the Wednesday after it
        day += timedelta(days=1)

    def record(kind: str, status: str, start: datetime, **extra: Any) -> AttendanceRecord:
        return AttendanceRecord.objects.create(
            establishment=cast.moulin,
            school_year=council.school_year,
            student=cast.lea,
            kind=kind,
            status=status,
            start=start,
            end=start + timedelta(hours=1),
            **extra,
        )

    ill = record(RecordKind.ABSENCE, RecordStatus.JUSTIFIED, datetime.combine(day, time(8), PARIS))
    away = record(
        RecordKind.ABSENCE,
        RecordStatus.UNEXPLAINED,
        datetime.combine(day + timedelta(days=1), time(9), PARIS),
    )
    HalfDay.objects.bulk_create(
        [
            HalfDay(
                establishment=cast.moulin, record=r, student=cast.lea, day=d, afternoon=afternoon
            )
            for r, d, afternoon in (
                (ill, day, False),
                (ill, day, True),
                (away, day + timedelta(days=1), False),
            )
        ]
    )
    record(
        RecordKind.LATENESS,
        RecordStatus.UNEXPLAINED,
        datetime.combine(day + timedelta(days=7), time(8, 10), PARIS),
        minutes=10,
    )
    publish(cast, council)
    client.force_login(cast.sophie)
    lea = card_of(council, cast.lea)
    response = client.get(reverse("reportcards:pdf", args=[lea.public_id]))
    text = " ".join(pdf_text(b"".join(response.streaming_content)).split())
    assert "Demi-journées d'absence : 3 (justifiées : 2, non justifiées : 1)" in text
    assert "Retards : 1" in text
    # Noah's report card counts none of Léa's.
    client.force_login(cast.karim)
    noah = card_of(council, cast.noah)
    response = client.get(reverse("reportcards:pdf", args=[noah.public_id]))
    text = " ".join(pdf_text(b"".join(response.streaming_content)).split())
    assert "Demi-journées d'absence : 0 (justifiées : 0, non justifiées : 0)" in text
