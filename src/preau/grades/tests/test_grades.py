"""Assessments, marks, their validation, lost updates, publication and the audit trail."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from preau.audit.models import AuditEntry
from preau.grades import actions, policies, publication
from preau.grades.actions import MarkEntry, MarksRefused, record_marks
from preau.grades.models import Assessment, GradeSettings, Mark
from preau.grades.tests.helpers import (
    FRENCH,
    actor_for,
    assessment,
    at,
    monday,
    paris,
    subject,
)
from preau.notifications.models import Kind, Notification

pytestmark = pytest.mark.django_db


def ids(*students: Any) -> list[str]:
    return [str(s.public_id) for s in students]


# -- assessments ---------------------------------------------------------------------------------


def test_teacher_creates_an_assessment_in_the_period_of_its_date(cast: Any) -> None:
    created = assessment(cast, scale="40", coefficient="2")
    assert created.period.start_date <= created.date <= created.period.end_date
    assert (created.scale, created.coefficient, created.teacher) == (
        Decimal(40),
        Decimal(2),
        cast.bernard,
    )
    assert created.publish_at is None


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"coefficient": "-1"}, "négatif"),
        ({"scale": "0"}, "barème"),
        ({"title": "  "}, "intitulé"),
    ],
)
def test_invalid_assessments_are_refused_in_french(cast: Any, changes: dict, message: str) -> None:
    with pytest.raises(ValidationError) as refused:
        assessment(cast, **changes)
    assert message in " ".join(refused.value.messages)
    assert not Assessment.objects.exists()


def test_a_date_outside_the_grading_periods_is_refused(cast: Any) -> None:
    summer = date(monday().year + 1, 8, 10) if monday().month >= 9 else date(monday().year, 8, 10)
    with pytest.raises(ValidationError, match="période"):
        assessment(cast, day=summer)


def test_a_teacher_creates_only_for_a_subject_and_class_they_teach(cast: Any) -> None:
    # Mme Garcia teaches French in 4e B, not maths; M. Bernard teaches maths, not French.
    with pytest.raises(ValidationError, match="enseignez pas"):
        assessment(cast, teacher=cast.garcia)
    with pytest.raises(ValidationError, match="enseignez pas"):
        assessment(cast, code=FRENCH)
    assert assessment(cast, teacher=cast.garcia, code=FRENCH).subject == subject(cast, FRENCH)


def test_lowering_the_scale_under_a_mark_names_the_student(cast: Any) -> None:
    exam = assessment(cast)
    record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "17"})
    data = actions.AssessmentInput(title=exam.title, date=exam.date, scale=Decimal(10))
    with pytest.raises(ValidationError, match="Léa Martin a 17"):
        actions.do_update_assessment(actor=actor_for(cast.bernard), assessment=exam, data=data)


# -- marks ---------------------------------------------------------------------------------------


def test_marks_values_codes_and_comments(cast: Any) -> None:
    exam = assessment(cast, scale="10")
    saved = record_marks(
        actor_for(cast.bernard),
        exam,
        {
            str(cast.lea.public_id): MarkEntry("8,5", comment="Très bien"),
            str(cast.noah.public_id): "abs",
        },
    )
    assert saved.changed == 2
    marks = {m.student_id: m for m in Mark.objects.filter(assessment=exam)}
    assert (marks[cast.lea.pk].value, marks[cast.lea.pk].comment) == (Decimal("8.5"), "Très bien")
    assert (marks[cast.noah.pk].value, marks[cast.noah.pk].code) == (None, "ABS")
    # Clearing a cell removes the mark.
    record_marks(actor_for(cast.bernard), exam, {str(cast.noah.public_id): ""})
    assert not Mark.objects.filter(assessment=exam, student=cast.noah).exists()


def test_any_error_saves_nothing_and_names_the_student(cast: Any) -> None:
    exam = assessment(cast)
    with pytest.raises(MarksRefused) as refused:
        record_marks(
            actor_for(cast.bernard),
            exam,
            {str(cast.lea.public_id): "12", str(cast.noah.public_id): "21"},
        )
    assert refused.value.messages == ["Noah Leroy : la note 21 dépasse le barème (20)."]
    assert not Mark.objects.filter(assessment=exam).exists()
    with pytest.raises(MarksRefused, match="Léa Martin"):
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "douze"})
    with pytest.raises(MarksRefused, match="négative"):
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "-1"})


def test_a_student_outside_the_class_is_refused(cast: Any) -> None:
    exam = assessment(cast)
    # Jade is in 3e A: with Léa's valid mark in the same save, nothing is written.
    with pytest.raises(MarksRefused, match="ne fait pas partie"):
        record_marks(
            actor_for(cast.bernard),
            exam,
            {str(cast.lea.public_id): "12", str(cast.jade.public_id): "12"},
        )
    assert not Mark.objects.filter(assessment=exam).exists()


def test_only_the_subjects_teachers_record_marks(cast: Any) -> None:
    exam = assessment(cast)
    for user in (cast.garcia, cast.principal_moulin):
        with pytest.raises(ValidationError):
            record_marks(actor_for(user), exam, {str(cast.lea.public_id): "12"})


def test_a_changed_mark_is_a_conflict_never_overwritten(cast: Any) -> None:
    exam = assessment(cast)
    lea, noah = ids(cast.lea, cast.noah)
    # Both teachers' grids read an empty mark (version 0); the first save wins.
    record_marks(actor_for(cast.bernard), exam, {lea: MarkEntry("12", version=0)})
    with pytest.raises(MarksRefused) as refused:
        record_marks(
            actor_for(cast.bernard),
            exam,
            {lea: MarkEntry("15", version=0), noah: MarkEntry("9", version=0)},
        )
    conflict = refused.value.conflicts[0]
    assert (conflict.student, conflict.theirs, conflict.version, conflict.yours) == (
        cast.lea,
        "12",
        1,
        "15",
    )
    assert "Léa Martin" in refused.value.messages[0]
    # Nothing of that save was written, not even Noah's mark.
    assert list(Mark.objects.filter(assessment=exam).values_list("value", flat=True)) == [
        Decimal(12)
    ]
    # Typing the same value as the other teacher is no conflict; the version read now is.
    record_marks(actor_for(cast.bernard), exam, {lea: MarkEntry("12", version=0)})
    record_marks(actor_for(cast.bernard), exam, {lea: MarkEntry("15", version=1)})
    assert Mark.objects.get(assessment=exam, student=cast.lea).version == 2


def test_an_unchanged_cell_is_not_checked(cast: Any) -> None:
    """A plain form posts every cell: those left as read are not saved, whatever the version."""
    exam = assessment(cast)
    lea = str(cast.lea.public_id)
    record_marks(actor_for(cast.bernard), exam, {lea: "12"})
    record_marks(actor_for(cast.bernard), exam, {lea: "14"})
    saved = record_marks(actor_for(cast.bernard), exam, {lea: MarkEntry("14", version=1)})
    assert saved.changed == 0


# -- publication ---------------------------------------------------------------------------------


def test_publication_next_day_at_six_and_never_at_night_or_weekends(cast: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    friday = monday() + timedelta(days=4)
    assert publication.publication_time(cast.moulin, paris(tuesday, "10:00")) == paris(
        tuesday + timedelta(days=1), "18:00"
    )
    # Friday's marks would come out on Saturday: moved to Monday morning.
    assert publication.publication_time(cast.moulin, paris(friday, "10:00")) == paris(
        friday + timedelta(days=3), "07:00"
    )
    GradeSettings.objects.create(
        establishment=cast.moulin,
        delay_days=0,
        time=paris(tuesday, "21:30").timetz().replace(tzinfo=None),
    )
    # Same day at 21:30 is in the night: the next morning at 07:00.
    assert publication.publication_time(cast.moulin, paris(tuesday, "10:00")) == paris(
        tuesday + timedelta(days=1), "07:00"
    )


def test_families_are_notified_at_publication_time_and_see_marks_from_then(cast: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    with at(tuesday, "10:00"):
        exam = assessment(cast)
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "14"})
        exam.refresh_from_db()
        assert exam.publish_at == paris(tuesday + timedelta(days=1), "18:00")
        notified = Notification.objects.filter(kind=Kind.GRADE)
        assert set(notified.values_list("recipient__username", flat=True)) == {
            "eleve.lea",
            "eleve.noah",
            "parent.sophie",
            "parent.karim",
        }
        assert {n.deliver_at for n in notified} == {exam.publish_at}
        assert not policies.visible_marks(actor_for(cast.lea)).exists()
        assert policies.visible_marks(actor_for(cast.bernard)).count() == 1
        # More marks later do not notify again.
        record_marks(actor_for(cast.bernard), exam, {str(cast.noah.public_id): "9"})
        assert notified.count() == 4
    with at(tuesday + timedelta(days=1), "18:00"):
        assert policies.visible_marks(actor_for(cast.lea)).get().value == Decimal(14)
        assert policies.visible_marks(actor_for(cast.karim)).get().student == cast.noah


def test_publish_now_brings_the_notification_forward(cast: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    with at(tuesday, "10:00"):
        exam = assessment(cast)
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "14"})
        actions.do_publish_now(actor=actor_for(cast.bernard), assessment=exam)
        exam.refresh_from_db()
        assert exam.publish_at == paris(tuesday, "10:00")
        assert {n.deliver_at for n in Notification.objects.filter(kind=Kind.GRADE)} == {
            paris(tuesday, "10:00")
        }
        assert Notification.objects.filter(kind=Kind.GRADE).count() == 4
        assert policies.visible_marks(actor_for(cast.sophie)).count() == 1


def test_changes_after_publication_are_audited(cast: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    with at(tuesday, "10:00"):
        exam = assessment(cast)
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "14"})
        assert not AuditEntry.objects.filter(action="grades.marks.update").exists()
        actions.do_publish_now(actor=actor_for(cast.bernard), assessment=exam)
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "15,5"})
    entry = AuditEntry.objects.get(action="grades.marks.update")
    label = f"Léa Martin ({cast.lea.public_id})"
    assert (entry.before[label], entry.after[label], entry.actor) == ("14", "15,5", cast.bernard)


def test_deleting_an_assessment_withdraws_its_pending_notifications(cast: Any) -> None:
    tuesday = monday() + timedelta(days=1)
    with at(tuesday, "10:00"):
        exam = assessment(cast)
        record_marks(actor_for(cast.bernard), exam, {str(cast.lea.public_id): "14"})
        actions.do_delete_assessment(actor=actor_for(cast.bernard), assessment=exam)
    assert not Notification.objects.filter(kind=Kind.GRADE).exists()
    assert not Mark.objects.exists()
    assert AuditEntry.objects.filter(action="grades.assessment.delete").exists()


def test_subject_coefficients_are_set_by_the_head_only(cast: Any) -> None:
    maths = subject(cast)
    with pytest.raises(ValidationError):
        actions.do_set_subject_coefficient(
            actor=actor_for(cast.bernard),
            establishment=cast.moulin,
            subject=maths,
            coefficient=Decimal(3),
            school_class=cast.class_4b,
        )
    row = actions.do_set_subject_coefficient(
        actor=actor_for(cast.principal_moulin),
        establishment=cast.moulin,
        subject=maths,
        coefficient=Decimal(3),
        level=cast.class_4b.level,
    )
    assert row.coefficient == Decimal(3)
