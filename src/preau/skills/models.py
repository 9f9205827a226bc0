"""Skills (« Compétences ») of the common core (« socle commun de connaissances, de
compétences et de culture »).

``Component``: the eight components of the common core that the national skills book (LSU)
records, national reference data loaded by a data migration (0002). ``Skill``: a finer skill
(« item ») a teacher of an establishment defines for a subject and attaches to a component.
``AssessedSkill``: what an assessment of grades evaluates — a component directly, or one of
its skills. ``SkillResult``: the mastery level (1 to 4) a student reached on it, or « absent »
or « non évalué ». Summaries (selectors.py) read results; nothing is stored twice.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel, SchoolYear, Subject
from preau.grades.models import Assessment


class Mastery(models.IntegerChoices):
    """The four national mastery levels (« niveaux de maîtrise »)."""

    INSUFFICIENT = 1, _("Maîtrise insuffisante")
    FRAGILE = 2, _("Maîtrise fragile")
    SATISFACTORY = 3, _("Maîtrise satisfaisante")
    VERY_GOOD = 4, _("Très bonne maîtrise")


class Component(models.Model):
    """One of the eight components of the common core (national, shared by every school)."""

    code = models.CharField(_("code"), max_length=8, unique=True)
    # The component's code in the national skills book's exchange format.
    lsu_code = models.CharField(_("code LSU"), max_length=8, unique=True)
    domain = models.PositiveSmallIntegerField(_("domaine"))
    domain_label = models.CharField(_("domaine"), max_length=120)
    label = models.CharField(_("composante"), max_length=200)
    short_label = models.CharField(_("libellé court"), max_length=60)
    position = models.PositiveSmallIntegerField(_("ordre"))

    class Meta:
        verbose_name = _("composante du socle")
        verbose_name_plural = _("composantes du socle")
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.code} {self.short_label}"


class Skill(PublicIdModel):
    """A finer skill (« item ») of a subject, defined by a teacher for their establishment."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    component = models.ForeignKey(
        Component, on_delete=models.PROTECT, related_name="skills", verbose_name=_("composante")
    )
    label = models.CharField(_("compétence"), max_length=200)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    is_active = models.BooleanField(_("proposée"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("compétence")
        verbose_name_plural = _("compétences")
        ordering = ["component__position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "subject", "component", "label"],
                name="skill_unique_label",
            )
        ]
        indexes = [models.Index(fields=["establishment", "subject"])]

    def __str__(self) -> str:
        return self.label


class AssessedSkill(PublicIdModel):
    """A component, or one skill of it, that an assessment evaluates (a column of the grid)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="assessed_skills"
    )
    component = models.ForeignKey(Component, on_delete=models.PROTECT, related_name="+")
    # None: the component itself is evaluated.
    skill = models.ForeignKey(
        Skill, on_delete=models.PROTECT, null=True, blank=True, related_name="assessed"
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("compétence évaluée")
        verbose_name_plural = _("compétences évaluées")
        ordering = ["position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "skill"],
                condition=Q(skill__isnull=False),
                name="assessed_skill_unique_skill",
            ),
            models.UniqueConstraint(
                fields=["assessment", "component"],
                condition=Q(skill__isnull=True),
                name="assessed_skill_unique_component",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return self.skill.label if self.skill_id else self.component.short_label


class ResultCode(models.TextChoices):
    """Results that are not a level and do not count in summaries."""

    ABSENT = "ABS", _("Absent")
    NOT_ASSESSED = "NE", _("Non évalué")


class SkillResult(models.Model):
    """One student's level on one assessed skill: 1 to 4, or a code (absent, non évalué)."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    assessed = models.ForeignKey(AssessedSkill, on_delete=models.CASCADE, related_name="results")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="skill_results"
    )
    level = models.PositiveSmallIntegerField(
        _("niveau"), choices=Mastery.choices, null=True, blank=True
    )
    code = models.CharField(_("code"), max_length=4, choices=ResultCode.choices, blank=True)
    # Raised on every change: a grid saved on an older version reports a conflict.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"), default=timezone.now)

    class Meta:
        verbose_name = _("niveau de maîtrise")
        verbose_name_plural = _("niveaux de maîtrise")
        constraints = [
            models.UniqueConstraint(
                fields=["assessed", "student"], name="skill_result_unique_student"
            ),
            models.CheckConstraint(
                condition=(Q(level__gte=1) & Q(level__lte=4) & Q(code=""))
                | (Q(level__isnull=True) & ~Q(code="")),
                name="skill_result_level_xor_code",
            ),
        ]
        indexes = [models.Index(fields=["establishment", "student", "school_year"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.assessed} · {self.display}"

    @property
    def display(self) -> str:
        """As typed in the grid: 1 to 4 or a code."""
        return self.code or str(self.level or "")
