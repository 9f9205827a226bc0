"""Discipline records: incidents, and the punishments and sanctions decided about students.

French law distinguishes two kinds of measures (code de l'éducation, art. R511-13 and R421-10;
circulaire n° 2014-059 du 27 mai 2014):

- **punitions scolaires**, decided by teachers and by the direction, education and supervision
  staff: an entry in the correspondence notebook, an apology, extra work, a detention, a
  one-off exclusion from a lesson;
- **sanctions disciplinaires**, pronounced by the head (or the deputy) alone or by the conseil de
  discipline: avertissement, blâme, mesure de responsabilisation, temporary exclusion from the
  class or from the establishment (eight days at most when the head decides), and permanent
  exclusion (conseil de discipline only). The last four may be suspended (« sursis »).

Both are kept in one table (``Measure``): they share their life (published to the family,
acknowledged, cancelled) and their pages; ``Measure.is_sanction`` tells them apart.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from preau.directory.models import PublicIdModel


class IncidentCategory(models.Model):
    """A kind of incident an establishment records (« bagarre », « insolence »…)."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("libellé"), max_length=80)
    active = models.BooleanField(_("proposée"), default=True)

    class Meta:
        verbose_name = _("catégorie d'incident")
        verbose_name_plural = _("catégories d'incident")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "label"], name="incident_category_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class OtherPunishment(models.Model):
    """A punishment an establishment adds to the national ones (« travail d'intérêt scolaire »…)."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    label = models.CharField(_("libellé"), max_length=80)
    active = models.BooleanField(_("proposée"), default=True)

    class Meta:
        verbose_name = _("autre punition")
        verbose_name_plural = _("autres punitions")
        ordering = ["label"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "label"], name="other_punishment_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class Incident(PublicIdModel):
    """Something that happened, as reported by a member of staff. Never shown to families."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    school_year = models.ForeignKey("directory.SchoolYear", on_delete=models.PROTECT)
    category = models.ForeignKey(
        IncidentCategory, on_delete=models.PROTECT, verbose_name=_("catégorie")
    )
    description = models.TextField(_("description"), max_length=4000)
    occurred_at = models.DateTimeField(_("date et heure"))
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("signalé par"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")
        ordering = ["-occurred_at"]
        indexes = [models.Index(fields=["establishment", "school_year", "occurred_at"])]

    def __str__(self) -> str:
        return f"{self.category} · {self.occurred_at:%d/%m/%Y}"


class Role(models.TextChoices):
    AUTHOR = "author", _("Auteur")
    VICTIM = "victim", _("Victime")
    WITNESS = "witness", _("Témoin")


class Involvement(models.Model):
    """A student of the establishment involved in an incident, and how."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="involvements")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    role = models.CharField(_("rôle"), max_length=10, choices=Role.choices)

    class Meta:
        verbose_name = _("élève impliqué")
        verbose_name_plural = _("élèves impliqués")
        constraints = [
            models.UniqueConstraint(fields=["incident", "student"], name="involvement_once")
        ]
        indexes = [models.Index(fields=["establishment", "student"])]

    def __str__(self) -> str:
        return f"{self.student} · {self.get_role_display()}"


class Kind(models.TextChoices):
    # Punitions scolaires.
    NOTEBOOK = "notebook", _("Inscription sur le carnet de correspondance")
    APOLOGY = "apology", _("Excuse orale ou écrite")
    EXTRA_WORK = "extra_work", _("Devoir supplémentaire")
    DETENTION = "detention", _("Retenue")
    LESSON_EXCLUSION = "lesson_exclusion", _("Exclusion ponctuelle d'un cours")
    OTHER = "other", _("Autre punition")
    # Sanctions disciplinaires.
    WARNING = "warning", _("Avertissement")
    REPRIMAND = "reprimand", _("Blâme")
    RESPONSIBILITY = "responsibility", _("Mesure de responsabilisation")
    CLASS_EXCLUSION = "class_exclusion", _("Exclusion temporaire de la classe")
    SCHOOL_EXCLUSION = "school_exclusion", _("Exclusion temporaire de l'établissement")
    PERMANENT_EXCLUSION = "permanent_exclusion", _("Exclusion définitive")


PUNISHMENTS = (
    Kind.NOTEBOOK,
    Kind.APOLOGY,
    Kind.EXTRA_WORK,
    Kind.DETENTION,
    Kind.LESSON_EXCLUSION,
    Kind.OTHER,
)
SANCTIONS = (
    Kind.WARNING,
    Kind.REPRIMAND,
    Kind.RESPONSIBILITY,
    Kind.CLASS_EXCLUSION,
    Kind.SCHOOL_EXCLUSION,
    Kind.PERMANENT_EXCLUSION,
)
# R511-13: the sanctions 3° to 6° may be suspended in whole or in part.
MAY_BE_SUSPENDED = (
    Kind.RESPONSIBILITY,
    Kind.CLASS_EXCLUSION,
    Kind.SCHOOL_EXCLUSION,
    Kind.PERMANENT_EXCLUSION,
)
# Sanctions with a period (exclusions, responsabilisation).
WITH_PERIOD = (Kind.RESPONSIBILITY, Kind.CLASS_EXCLUSION, Kind.SCHOOL_EXCLUSION)
# R421-10: the head alone pronounces temporary exclusions of eight days at most.
HEAD_MAX_EXCLUSION_DAYS = 8


class Measure(PublicIdModel):
    """A punishment or a sanction about one student."""

    establishment = models.ForeignKey(
        "directory.Establishment", on_delete=models.CASCADE, related_name="+"
    )
    school_year = models.ForeignKey("directory.SchoolYear", on_delete=models.PROTECT)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("élève"),
    )
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="measures",
        verbose_name=_("incident"),
    )
    kind = models.CharField(_("nature"), max_length=20, choices=Kind.choices)
    other_kind = models.ForeignKey(
        OtherPunishment,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("autre punition"),
    )
    reason = models.CharField(_("motif"), max_length=200)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("décidée par"),
    )
    decided_on = models.DateField(_("date de la décision"))
    by_council = models.BooleanField(_("prononcée par le conseil de discipline"), default=False)
    # A detention.
    detention_date = models.DateField(_("date de la retenue"), null=True, blank=True)
    start_time = models.TimeField(_("début"), null=True, blank=True)
    end_time = models.TimeField(_("fin"), null=True, blank=True)
    place = models.CharField(_("lieu"), max_length=120, blank=True)
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("surveillant"),
    )
    # Extra work.
    due_date = models.DateField(_("à rendre le"), null=True, blank=True)
    # Sanctions with a period.
    start_date = models.DateField(_("du"), null=True, blank=True)
    end_date = models.DateField(_("au"), null=True, blank=True)
    suspended = models.BooleanField(_("avec sursis"), default=False)
    # What the family reads, and what only the staff reads.
    family_text = models.TextField(_("texte pour la famille"), max_length=2000)
    staff_notes = models.TextField(_("notes internes"), max_length=2000, blank=True)
    acknowledgement_required = models.BooleanField(
        _("prise de connaissance demandée"), default=True
    )
    published_at = models.DateTimeField(_("publiée le"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("prise de connaissance le"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("prise de connaissance par"),
    )
    cancelled_at = models.DateTimeField(_("annulée le"), null=True, blank=True)
    cancel_reason = models.CharField(_("motif de l'annulation"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("punition ou sanction")
        verbose_name_plural = _("punitions et sanctions")
        ordering = ["-decided_on", "-created_at"]
        indexes = [
            models.Index(fields=["establishment", "school_year", "decided_on"]),
            models.Index(fields=["establishment", "student"]),
            models.Index(fields=["establishment", "detention_date"]),
            models.Index(fields=["establishment", "decided_by"]),
        ]

    def __str__(self) -> str:
        return f"{self.label} · {self.decided_on:%d/%m/%Y}"

    @property
    def is_sanction(self) -> bool:
        return self.kind in SANCTIONS

    @property
    def label(self) -> str:
        if self.kind == Kind.OTHER and self.other_kind_id is not None:
            return self.other_kind.label
        return str(self.get_kind_display())

    @property
    def awaits_acknowledgement(self) -> bool:
        return (
            self.acknowledgement_required
            and self.published_at is not None
            and self.acknowledged_at is None
            and self.cancelled_at is None
        )
