"""Comment grids of the subjects taught to a group: in each class council, the group's teacher
writes for the students of that class who are in the group, under the council's own lock."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.core.testing import query_budget
from preau.directory.models import SchoolYear
from preau.grades.models import Assessment, Mark
from preau.reportcards import actions
from preau.reportcards.models import SUBJECT_COMMENT_MAX, SubjectComment
from preau.reportcards.tests.helpers import (
    SPANISH,
    actor_for,
    card_of,
    first_period,
    make_groups,
    open_class,
    open_council,
    publish,
    subject,
)
from preau.reportcards.tests.test_flow import pdf_text

pytestmark = pytest.mark.django_db


def _grid(council: Any, group: Any, cast: Any, code: str = SPANISH) -> str:
    return reverse(
        "reportcards:group",
        args=[council.public_id, group.public_id, subject(cast, code).public_id],
    )


def _cell(council: Any, group: Any, cast: Any, card: Any) -> str:
    return reverse(
        "reportcards:group_cell",
        args=[council.public_id, group.public_id, subject(cast, SPANISH).public_id, card.public_id],
    )


def _spanish_mark(cast: Any, group: Any, student: Any, value: str) -> None:
    period = first_period(cast.moulin)
    assessment = Assessment.objects.create(
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        group=group,
        subject=subject(cast, SPANISH),
        period=period,
        teacher=cast.garcia,
        title="Expression orale",
        date=period.start_date,
        publish_at=timezone.now() - timedelta(days=1),
    )
    Mark.objects.create(
        establishment=cast.moulin, assessment=assessment, student=student, value=Decimal(value)
    )


def _post(url: str, client: Any, card: Any, text: str, version: str = "0") -> Any:
    key = card.public_id
    return client.post(url, {f"text-{key}": text, f"version-{key}": version, f"original-{key}": ""})


def test_group_teacher_writes_for_their_students_of_each_class(cast: Any, client: Any) -> None:
    spanish, _techno = make_groups(cast)
    council_4b = open_council(cast)
    council_3a = open_class(cast, cast.class_3a)
    _spanish_mark(cast, spanish, cast.lea, "14.5")
    lea, noah = card_of(council_4b, cast.lea), card_of(council_4b, cast.noah)
    jade = card_of(council_3a, cast.jade)
    client.force_login(cast.garcia)
    # The 3e A council, which she reaches only through her group, lists her grid.
    index = client.get(reverse("reportcards:index"))
    assert "3e A" in index.text
    page = client.get(reverse("reportcards:council", args=[council_3a.public_id]))
    assert _grid(council_3a, spanish, cast) in page.text
    # The user, memberships, services and teaching assignments; the council, the group and its
    # subject, the report cards of the group's students, the comments; the class's students,
    # marks and subject coefficients (the averages beside each box).
    with query_budget(11):
        grid = client.get(_grid(council_4b, spanish, cast))
    assert grid.status_code == 200
    assert f'name="text-{lea.public_id}"' in grid.text
    assert f'name="text-{noah.public_id}"' not in grid.text  # not in the group
    assert "14,50" in grid.text
    assert _post(_grid(council_4b, spanish, cast), client, lea, "Bon oral.").status_code == 302
    assert _post(_grid(council_3a, spanish, cast), client, jade, "Régulière.").status_code == 302
    texts = dict(SubjectComment.objects.values_list("report_card__student", "text"))
    assert texts == {cast.lea.pk: "Bon oral.", cast.jade.pk: "Régulière."}
    # A box for a student outside the group is ignored by the plain form, refused by autosave.
    _post(_grid(council_4b, spanish, cast), client, noah, "Non.")
    assert client.post(_cell(council_4b, spanish, cast, noah)).status_code == 404
    assert not SubjectComment.objects.filter(report_card=noah).exists()


def test_each_class_council_keeps_its_own_lock(cast: Any, client: Any) -> None:
    spanish, _techno = make_groups(cast)
    council_4b = open_council(cast, marks=False)
    council_3a = open_class(cast, cast.class_3a)
    actions.do_validate(actor=actor_for(cast.principal_moulin), council=council_4b)
    lea, jade = card_of(council_4b, cast.lea), card_of(council_3a, cast.jade)
    client.force_login(cast.garcia)
    assert "La saisie est close." in client.get(_grid(council_4b, spanish, cast)).text
    refused = _post(_grid(council_4b, spanish, cast), client, lea, "Trop tard.")
    assert refused.status_code == 302
    key = lea.public_id
    cell = client.post(
        _cell(council_4b, spanish, cast, lea), {f"text-{key}": "Trop tard.", f"version-{key}": "0"}
    )
    assert "close" in cell.text
    assert _post(_grid(council_3a, spanish, cast), client, jade, "À temps.").status_code == 302
    assert list(SubjectComment.objects.values_list("text", flat=True)) == ["À temps."]


def test_group_autosave_refuses_a_lost_update_and_too_long_a_comment(
    cast: Any, client: Any
) -> None:
    spanish, _techno = make_groups(cast)
    council = open_council(cast, marks=False)
    lea = card_of(council, cast.lea)
    key = str(lea.public_id)
    url = _cell(council, spanish, cast, lea)
    client.force_login(cast.garcia)
    first = client.post(url, {f"text-{key}": "Première.", f"version-{key}": "0"})
    assert "Enregistré" in first.text
    stale = client.post(url, {f"text-{key}": "Autre.", f"version-{key}": "0"})
    assert "modifiée ailleurs" in stale.text and "Première." in stale.text
    long = _post(_grid(council, spanish, cast), client, lea, "x" * (SUBJECT_COMMENT_MAX + 1), "1")
    assert long.status_code == 400
    assert "fait 401 caractères : 400 au plus." in html.unescape(long.text)
    assert SubjectComment.objects.get().text == "Première."


def test_only_the_group_teacher_writes_and_only_where_the_group_has_students(
    cast: Any, client: Any
) -> None:
    spanish, techno = make_groups(cast)
    council_4b = open_council(cast, marks=False)
    council_3a = open_class(cast, cast.class_3a)
    lea = card_of(council_4b, cast.lea)
    # M. Bernard teaches the class and another group: not this grid, nor its cells.
    client.force_login(cast.bernard)
    assert client.get(_grid(council_4b, spanish, cast)).status_code == 404
    assert _post(_cell(council_4b, spanish, cast, lea), client, lea, "Non.").status_code == 404
    council_page = client.get(reverse("reportcards:council", args=[council_4b.public_id]))
    assert "Espagnol 4e-3e" not in council_page.text and "Technologie 4e B" in council_page.text
    # His group has no student in 3e A: no grid there.
    assert client.get(_grid(council_3a, techno, cast, "070200")).status_code == 404
    # The school life reads the grid, without writing.
    client.force_login(cast.cpe_moulin)
    page = client.get(_grid(council_4b, spanish, cast))
    assert page.status_code == 200 and "<textarea" not in page.text
    assert _post(_grid(council_4b, spanish, cast), client, lea, "Non.").status_code == 404
    assert not SubjectComment.objects.exists()


def test_a_subject_the_class_has_as_a_whole_has_no_group_grid(cast: Any, client: Any) -> None:
    """A maths group (support, say) leaves the class's maths box to the class's teacher."""
    spanish, _techno = make_groups(cast)
    from preau.directory.models import TeachingAssignment

    TeachingAssignment.objects.create(
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        teacher=cast.garcia,
        subject=subject(cast, "061300"),
        group=spanish,
    )
    council = open_council(cast, marks=False)
    client.force_login(cast.garcia)
    assert client.get(_grid(council, spanish, cast, "061300")).status_code == 404
    assert client.get(_grid(council, spanish, cast)).status_code == 200


def test_group_comments_and_teacher_on_the_report_card(cast: Any, client: Any) -> None:
    spanish, _techno = make_groups(cast)
    council = open_council(cast)
    _spanish_mark(cast, spanish, cast.lea, "14.5")
    lea = card_of(council, cast.lea)
    actions.do_save_subject_comments(
        actor=actor_for(cast.garcia),
        council=council,
        subject=subject(cast, SPANISH),
        group=spanish,
        entries=[actions.CommentInput(lea, "Très bonne participation en espagnol.", 0)],
    )
    publish(cast, council)
    client.force_login(cast.sophie)
    card = client.get(reverse("reportcards:card", args=[lea.public_id]))
    assert "Espagnol LV2" in card.text and "Garcia I." in card.text
    response = client.get(reverse("reportcards:pdf", args=[lea.public_id]))
    text = pdf_text(b"".join(response.streaming_content))
    assert "Très bonne participation en espagnol." in text
    assert "Garcia I." in text and "14,50" in text


def test_the_action_refuses_a_student_outside_the_group(cast: Any) -> None:
    spanish, _techno = make_groups(cast)
    council = open_council(cast, marks=False)
    with pytest.raises(actions.NotAllowed):
        actions.do_save_subject_comments(
            actor=actor_for(cast.garcia),
            council=council,
            subject=subject(cast, SPANISH),
            group=spanish,
            entries=[actions.CommentInput(card_of(council, cast.noah), "Non.", 0)],
        )
    assert not SubjectComment.objects.exists()
