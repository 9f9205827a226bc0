"""Who may define skills, evaluate them and read whose levels. The one place these rules live.

Skills (items): every teacher and the direction of an establishment read its skills; a teacher
defines and changes the skills of the subjects they teach there (the head and deputies any).

Results: a student reads their own; a guardian their children's (only once the assessment's
marks are published, grades' own rule); a teacher those of the students of the classes and
groups they teach or head; the head, deputies and CPE those of their establishment. Anyone else
gets 404, the same answer as for a thing that does not exist.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet

from preau.directory.models import SchoolClass, Subject
from preau.directory.policies import get_or_404, visible_classes, visible_students
from preau.grades.models import Assessment
from preau.skills.models import AssessedSkill, Skill

if TYPE_CHECKING:
    from preau.core.actor import Actor

User = get_user_model()


def reads_establishment(actor: Actor) -> bool:
    """Direction and school life (head, deputies, CPE) of the current establishment."""
    return actor.establishment is not None and (
        actor.sees_whole_establishment or actor.can_administer_establishment
    )


# -- skills (items) ----------------------------------------------------------------------------


def visible_skills(actor: Actor) -> QuerySet[Skill]:
    """The skills of the current establishment, for its teachers and its direction."""
    if actor.establishment is None or not (actor.is_teacher or reads_establishment(actor)):
        return Skill.objects.none()
    return Skill.objects.filter(establishment=actor.establishment)


def managed_subjects(actor: Actor) -> QuerySet[Subject]:
    """Subjects whose skills the actor defines: those they teach; every one for the head."""
    establishment = actor.establishment
    if establishment is None:
        return Subject.objects.none()
    subjects = Subject.objects.filter(establishment=establishment)
    if actor.can_administer_establishment:
        return subjects
    return subjects.filter(pk__in={a.subject_id for a in actor.teaching_assignments})


def can_manage_skill(actor: Actor, skill: Skill) -> bool:
    if actor.establishment is None or actor.establishment.pk != skill.establishment_id:
        return False
    if actor.can_administer_establishment:
        return True
    return skill.subject_id in {a.subject_id for a in actor.teaching_assignments}


def access_skill(actor: Actor, public_id: Any) -> Skill:
    return get_or_404(visible_skills(actor).select_related("subject", "component"), public_id)


# -- summaries -----------------------------------------------------------------------------------


def reads_as_staff(actor: Actor) -> bool:
    """Teachers, direction and school life read summaries as staff (every result)."""
    return actor.establishment is not None and (actor.is_teacher or reads_establishment(actor))


def summary_students(actor: Actor) -> QuerySet:
    """Students whose summary the actor reads as staff: those of the classes and groups a
    teacher teaches or heads; every student of the establishment for its direction and CPE."""
    if not reads_as_staff(actor):
        return User.objects.none()
    return visible_students(actor)


def access_summary_student(actor: Actor, public_id: Any) -> Any:
    return get_or_404(summary_students(actor), public_id)


def summary_classes(actor: Actor) -> QuerySet[SchoolClass]:
    """Classes whose summary the actor reads: those a teacher teaches or heads; every class of
    the establishment for its direction and CPE."""
    if not reads_as_staff(actor):
        return SchoolClass.objects.none()
    return visible_classes(actor)


def access_summary_class(actor: Actor, public_id: Any) -> SchoolClass:
    return get_or_404(summary_classes(actor).select_related("level", "head_teacher"), public_id)


# -- assessments ---------------------------------------------------------------------------------
# Which assessments the actor reads and evaluates is grades' rule (grades.policies): the
# teacher of the subject and the class enters levels as they enter marks.


def access_assessed_skill(actor: Actor, assessment: Assessment, public_id: Any) -> AssessedSkill:
    """One column of an assessment the actor already reached through grades' policies."""
    return get_or_404(
        AssessedSkill.objects.filter(assessment_id=assessment.pk).select_related(
            "skill", "component"
        ),
        public_id,
    )


def attachable_skills(actor: Actor, assessment: Assessment) -> QuerySet[Skill]:
    """The skills an assessment may evaluate: the active ones of its subject, in its
    establishment."""
    return Skill.objects.filter(
        establishment_id=assessment.establishment_id,
        subject_id=assessment.subject_id,
        is_active=True,
    ).select_related("component")
