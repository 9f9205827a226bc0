"""Report cards (« bulletins ») and the class council (« conseil de classe »).

For a period and a class, the head opens the council (``ClassCouncil``): one ``ReportCard`` per
student of the class. Each teacher writes a comment (« appréciation ») per student for their
subject (``SubjectComment``); the head teacher writes the general comment and records the
council's decision. The head validates the council (comments are then locked) and publishes it:
the PDF of every report card is then made once and stored, so that a family downloads the same
document years later, and guardians and students are told.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import (
    Establishment,
    Period,
    PublicIdModel,
    SchoolClass,
    SchoolYear,
    Subject,
)

# Limits of what a report card's box holds once printed.
SUBJECT_COMMENT_MAX = 400
GENERAL_COMMENT_MAX = 800


class CouncilState(models.TextChoices):
    DRAFT = "draft", _("En saisie")
    VALIDATED = "validated", _("Validé")
    PUBLISHED = "published", _("Publié")


class CouncilDecision(models.TextChoices):
    """What a class council may award or warn (kept as choices: each school uses a few)."""

    NONE = "", _("Aucune mention")
    ENCOURAGEMENTS = "encouragements", _("Encouragements")
    COMPLIMENTS = "compliments", _("Compliments")
    CONGRATULATIONS = "felicitations", _("Félicitations")
    WARNING_WORK = "warning_work", _("Mise en garde travail")
    WARNING_CONDUCT = "warning_conduct", _("Mise en garde comportement")
    WARNING_BOTH = "warning_both", _("Mise en garde travail et comportement")


class ClassCouncil(PublicIdModel):
    """The report cards of one class for one period, and where they stand."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    period = models.ForeignKey(Period, on_delete=models.PROTECT, verbose_name=_("période"))
    school_class = models.ForeignKey(
        SchoolClass, on_delete=models.PROTECT, related_name="+", verbose_name=_("classe")
    )
    state = models.CharField(
        _("état"), max_length=16, choices=CouncilState.choices, default=CouncilState.DRAFT
    )
    opened_at = models.DateTimeField(_("ouvert le"))
    validated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    validated_at = models.DateTimeField(_("validé le"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    # Families are told once every PDF is stored (a task run again tells nobody twice).
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("conseil de classe")
        verbose_name_plural = _("conseils de classe")
        constraints = [
            models.UniqueConstraint(fields=["period", "school_class"], name="council_unique")
        ]
        indexes = [models.Index(fields=["establishment", "school_year", "state"])]

    def __str__(self) -> str:
        return f"{self.school_class} · {self.period}"

    @property
    def is_draft(self) -> bool:
        return self.state == CouncilState.DRAFT

    @property
    def is_published(self) -> bool:
        return self.state == CouncilState.PUBLISHED


def _pdf_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder."""
    return f"reportcards/{instance.establishment.public_id}/{instance.public_id}.pdf"


class ReportCard(PublicIdModel):
    """One student's report card for a period: the general comment, the council's decision and,
    once published, the stored PDF."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    council = models.ForeignKey(ClassCouncil, on_delete=models.CASCADE, related_name="report_cards")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_cards"
    )
    general_comment = models.TextField(
        _("appréciation générale"), max_length=GENERAL_COMMENT_MAX, blank=True
    )
    decision = models.CharField(
        _("décision du conseil"),
        max_length=20,
        choices=CouncilDecision.choices,
        default=CouncilDecision.NONE,
        blank=True,
    )
    # Bumped at each change of the general comment or the decision: a form sent from an older
    # copy is refused instead of overwriting someone else's words.
    version = models.PositiveIntegerField(default=0)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(null=True, blank=True)
    pdf = models.FileField(upload_to=_pdf_name, blank=True, max_length=200)
    pdf_made_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["council", "student"], name="report_card_unique")
        ]
        indexes = [models.Index(fields=["student", "establishment"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.council}"


class SubjectComment(models.Model):
    """A teacher's comment on one student for one subject of a report card."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    report_card = models.ForeignKey(
        ReportCard, on_delete=models.CASCADE, related_name="subject_comments"
    )
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("appréciation"), max_length=SUBJECT_COMMENT_MAX, blank=True)
    version = models.PositiveIntegerField(default=0)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        verbose_name = _("appréciation")
        verbose_name_plural = _("appréciations")
        constraints = [
            models.UniqueConstraint(
                fields=["report_card", "subject"], name="subject_comment_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.report_card} · {self.subject}"
