"""Grades (« Notes »): assessments, marks, their publication and the coefficients of averages.

An ``Assessment`` (« devoir ») belongs to a class or a teaching group, a subject, a period and
its author; it is marked out of ``scale`` (20 by default) and weighs ``coefficient`` in the
subject's average. A ``Mark`` is one student's result: a value between 0 and the scale, or a
code (absent, exempt, not graded) that does not count. Marks reach students and guardians at
the assessment's ``publish_at``; until then only staff read them. How averages are computed
is in averages.py and docs/grades.md.
"""

from __future__ import annotations

from datetime import time
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    Level,
    Period,
    PublicIdModel,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingGroup,
)

DEFAULT_SCALE = Decimal(20)
MAX_SCALE = Decimal(1000)


class AssessmentKind(models.TextChoices):
    NORMAL = "normal", _("Normal")
    # Counts only when it raises the student's average in the subject.
    OPTIONAL = "optional", _("Facultatif")
    # Only the points above the middle of the scale count, added to the average.
    BONUS = "bonus", _("Bonus")


class MarkCode(models.TextChoices):
    ABSENT = "ABS", _("Absent")
    EXEMPT = "DISP", _("Dispensé")
    NOT_GRADED = "NN", _("Non noté")


class GradeSettings(models.Model):
    """When an establishment's marks reach families: ``delay_days`` after they are entered, at
    ``time`` (moved out of the quiet hours, see publication.py). No row: the defaults."""

    establishment = models.OneToOneField(
        Establishment, on_delete=models.CASCADE, related_name="grade_settings"
    )
    delay_days = models.PositiveSmallIntegerField(
        _("délai de publication (jours)"), default=1, validators=[MinValueValidator(0)]
    )
    time = models.TimeField(_("heure de publication"), default=time(18, 0))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("réglages des notes")
        verbose_name_plural = _("réglages des notes")
        constraints = [
            models.CheckConstraint(condition=Q(delay_days__lte=30), name="grades_delay_bounded")
        ]

    def __str__(self) -> str:
        return f"{self.establishment} · J+{self.delay_days} {self.time:%H:%M}"


class SubjectCoefficient(models.Model):
    """The weight of a subject in the overall average of a class, or of every class of a level.

    A class's own row wins over its level's; without either the weight is 1.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    subject = models.ForeignKey(Subject, on_delete=models.CASCADE, verbose_name=_("matière"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("classe")
    )
    level = models.ForeignKey(
        Level, on_delete=models.CASCADE, null=True, blank=True, verbose_name=_("niveau")
    )
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=5, decimal_places=2, default=Decimal(1)
    )

    class Meta:
        verbose_name = _("coefficient de matière")
        verbose_name_plural = _("coefficients de matière")
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, level__isnull=True)
                | Q(school_class__isnull=True, level__isnull=False),
                name="subject_coefficient_class_xor_level",
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gte=0), name="subject_coefficient_not_negative"
            ),
            models.UniqueConstraint(
                fields=["subject", "school_class"],
                condition=Q(school_class__isnull=False),
                name="subject_coefficient_unique_class",
            ),
            models.UniqueConstraint(
                fields=["establishment", "school_year", "subject", "level"],
                condition=Q(level__isnull=False),
                name="subject_coefficient_unique_level",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} · {self.school_class or self.level} · {self.coefficient}"


class Assessment(PublicIdModel):
    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    school_class = models.ForeignKey(
        SchoolClass,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("classe"),
    )
    group = models.ForeignKey(
        TeachingGroup,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("groupe"),
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, verbose_name=_("matière"))
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("période"))
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="assessments",
        verbose_name=_("auteur"),
    )
    title = models.CharField(_("intitulé"), max_length=120)
    date = models.DateField(_("date"))
    scale = models.DecimalField(
        _("noté sur"), max_digits=6, decimal_places=2, default=DEFAULT_SCALE
    )
    coefficient = models.DecimalField(
        _("coefficient"), max_digits=5, decimal_places=2, default=Decimal(1)
    )
    kind = models.CharField(
        _("type"), max_length=16, choices=AssessmentKind.choices, default=AssessmentKind.NORMAL
    )
    # False: the assessment evaluates skills only (the skills app attaches them), no mark.
    graded = models.BooleanField(_("noté"), default=True)
    # Students and guardians see the marks from this moment; None while no mark was entered.
    publish_at = models.DateTimeField(_("publication"), null=True, blank=True)
    # Whether families were told (once, at the first publication time fixed).
    announced = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("devoir")
        verbose_name_plural = _("devoirs")
        ordering = ["date", "created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(school_class__isnull=False, group__isnull=True)
                | Q(school_class__isnull=True, group__isnull=False),
                name="assessment_class_xor_group",
            ),
            models.CheckConstraint(
                condition=Q(scale__gt=0) & Q(scale__lte=MAX_SCALE), name="assessment_scale_positive"
            ),
            models.CheckConstraint(
                condition=Q(coefficient__gte=0), name="assessment_coefficient_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["establishment", "school_class", "subject", "period"]),
            models.Index(fields=["establishment", "group", "subject", "period"]),
            models.Index(fields=["establishment", "teacher", "date"]),
        ]

    def __str__(self) -> str:
        return f"{self.title} · {self.subject} · {self.school_class or self.group}"

    @property
    def audience(self) -> SchoolClass | TeachingGroup | None:
        return self.school_class or self.group

    def is_published(self, now: object = None) -> bool:
        moment = now or timezone.now()
        return self.publish_at is not None and self.publish_at <= moment


class Mark(models.Model):
    """One student's result in one assessment: a value on the scale or a code."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="marks")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="marks"
    )
    value = models.DecimalField(_("note"), max_digits=6, decimal_places=2, null=True, blank=True)
    code = models.CharField(_("code"), max_length=4, choices=MarkCode.choices, blank=True)
    comment = models.CharField(_("commentaire"), max_length=300, blank=True)
    # Raised on every change: a grid saved on an older version reports a conflict.
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifiée le"), default=timezone.now)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "student"], name="mark_unique_student"),
            models.CheckConstraint(
                condition=(Q(value__isnull=False) & Q(code=""))
                | (Q(value__isnull=True) & ~Q(code="")),
                name="mark_value_xor_code",
            ),
            models.CheckConstraint(
                condition=Q(value__isnull=True) | Q(value__gte=0), name="mark_not_negative"
            ),
        ]
        indexes = [models.Index(fields=["establishment", "student"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.assessment} · {self.display}"

    @property
    def display(self) -> str:
        """As typed in the grid: ``12,5`` or a code."""
        if self.code:
            return self.code
        return format_value(self.value)


def format_value(value: Decimal | None) -> str:
    """A mark the French way, without useless zeros: 12, 12,5, 12,25."""
    if value is None:
        return ""
    text = f"{value.quantize(Decimal('0.01')):f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")
