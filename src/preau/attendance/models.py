"""Roll call (« Appel ») and attendance (« Absences et retards »).

A teacher's roll call of a lesson (``RollCall``) writes one ``AttendanceRecord`` per student who
was absent or late; everyone else was present. The CPE enters other records: an absence over a
range of days, a lateness or an early departure. Each absence is counted in half-days
(``HalfDay`` rows written with it, see ``halfdays.py``), so that totals, the alert list and the
absenteeism rate are plain aggregations. Guardians justify a record (``Justification``) with a
reason their establishment lets them use; the CPE accepts or refuses it.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from preau.directory.models import Establishment, PublicIdModel, SchoolYear
from preau.timetable.models import Lesson

# The national default list, seeded for every establishment (code, label, usable by guardians).
DEFAULT_REASONS = [
    ("illness", _("Maladie"), True),
    ("family", _("Raison familiale"), True),
    ("medical", _("Rendez-vous médical"), True),
    ("transport", _("Problème de transport"), True),
    ("summons", _("Convocation officielle (examen, JDC, justice)"), True),
    ("religious", _("Fête religieuse"), True),
    ("weather", _("Intempéries"), True),
    ("school", _("Activité organisée par l'établissement"), False),
    ("exclusion", _("Exclusion de cours ou de l'établissement"), False),
    ("other", _("Autre motif"), False),
]


class AbsenceReason(PublicIdModel):
    """A reason (« motif ») of an establishment; guardians choose among the usable ones."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    code = models.CharField(max_length=32, blank=True)
    label = models.CharField(_("motif"), max_length=80)
    guardian_usable = models.BooleanField(_("utilisable par les familles"), default=True)
    active = models.BooleanField(_("proposé"), default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        verbose_name = _("motif d'absence")
        verbose_name_plural = _("motifs d'absence")
        ordering = ["position", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["establishment", "label"], name="absence_reason_unique_label"
            )
        ]

    def __str__(self) -> str:
        return self.label


class RollCall(PublicIdModel):
    """The roll call of one lesson: taken once, edited in place."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    # RESTRICT: a lesson whose roll call was taken is part of the school's record (it goes
    # only with its whole establishment).
    lesson = models.OneToOneField(Lesson, on_delete=models.RESTRICT, related_name="roll_call")
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    taken_at = models.DateTimeField(_("fait le"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("modifié le"))

    class Meta:
        verbose_name = _("appel")
        verbose_name_plural = _("appels")
        indexes = [models.Index(fields=["establishment", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.lesson}"


class RecordKind(models.TextChoices):
    ABSENCE = "absence", _("Absence")
    LATENESS = "lateness", _("Retard")
    EARLY_DEPARTURE = "early", _("Départ anticipé")


class RecordStatus(models.TextChoices):
    UNEXPLAINED = "unexplained", _("À justifier")
    PENDING = "pending", _("Justification envoyée")
    JUSTIFIED = "justified", _("Justifiée")
    REFUSED = "refused", _("Justification refusée")


class AttendanceRecord(PublicIdModel):
    """An absence, a lateness or an early departure of one student.

    From a roll call: ``roll_call`` and ``lesson`` are set, ``start``/``end`` are the lesson's.
    Entered by the CPE: an absence from ``start`` to ``end`` (possibly several days), or a
    lateness / early departure at ``start``. ``minutes``: how late. A record is justified only
    once the CPE accepted a reason; until then it counts as unjustified.
    """

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    school_year = models.ForeignKey(SchoolYear, on_delete=models.PROTECT)
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="attendance_records"
    )
    kind = models.CharField(_("type"), max_length=16, choices=RecordKind.choices)
    start = models.DateTimeField(_("début"))
    end = models.DateTimeField(_("fin"))
    roll_call = models.ForeignKey(
        RollCall, on_delete=models.CASCADE, null=True, blank=True, related_name="records"
    )
    lesson = models.ForeignKey(
        Lesson, on_delete=models.RESTRICT, null=True, blank=True, related_name="+"
    )
    minutes = models.PositiveSmallIntegerField(_("minutes de retard"), null=True, blank=True)
    status = models.CharField(
        _("statut"), max_length=16, choices=RecordStatus.choices, default=RecordStatus.UNEXPLAINED
    )
    reason = models.ForeignKey(
        AbsenceReason, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("motif")
    )
    note = models.CharField(_("commentaire de la vie scolaire"), max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("absence ou retard")
        verbose_name_plural = _("absences et retards")
        ordering = ["-start", "id"]
        indexes = [
            models.Index(fields=["establishment", "student", "start"]),
            models.Index(fields=["establishment", "status", "start"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["roll_call", "student"],
                condition=Q(roll_call__isnull=False),
                name="attendance_one_record_per_roll_call",
            ),
            models.CheckConstraint(
                condition=Q(end__gte=F("start")), name="attendance_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(minutes__isnull=True) | Q(minutes__gte=1, minutes__lte=240),
                name="attendance_minutes_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.student} · {self.start:%Y-%m-%d}"

    @property
    def is_justified(self) -> bool:
        return self.status == RecordStatus.JUSTIFIED


class HalfDay(models.Model):
    """A half-day (morning or afternoon, a Paris day) an absence counts for."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    record = models.ForeignKey(AttendanceRecord, on_delete=models.CASCADE, related_name="half_days")
    student = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    day = models.DateField()
    afternoon = models.BooleanField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["record", "day", "afternoon"], name="half_day_unique_per_record"
            )
        ]
        indexes = [
            models.Index(fields=["establishment", "day"]),
            models.Index(fields=["student", "day"]),
        ]

    def __str__(self) -> str:
        return f"{self.day} {'PM' if self.afternoon else 'AM'}"


def _document_name(instance: Any, filename: str) -> str:
    """An unguessable path inside the establishment's folder; the extension is ours."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"attendance/{instance.establishment.public_id}/{uuid.uuid4().hex}.{extension}"


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Acceptée")
    REFUSED = "refused", _("Refusée")


class Justification(PublicIdModel):
    """A guardian's justification of a record (or the CPE's own), and the CPE's decision."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    record = models.OneToOneField(
        AttendanceRecord, on_delete=models.CASCADE, related_name="justification"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.ForeignKey(AbsenceReason, on_delete=models.PROTECT, verbose_name=_("motif"))
    comment = models.TextField(_("commentaire"), max_length=1000, blank=True)
    document = models.FileField(
        _("justificatif"), upload_to=_document_name, blank=True, max_length=200
    )
    document_name = models.CharField(max_length=200, blank=True)
    document_type = models.CharField(max_length=100, blank=True)
    submitted_at = models.DateTimeField(_("envoyée le"))
    decision = models.CharField(_("décision"), max_length=16, choices=Decision.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    decided_at = models.DateTimeField(_("décidée le"), null=True, blank=True)
    decision_comment = models.CharField(
        _("commentaire de la vie scolaire"), max_length=500, blank=True
    )

    class Meta:
        verbose_name = _("justification")
        verbose_name_plural = _("justifications")
        indexes = [models.Index(fields=["establishment", "decision", "submitted_at"])]

    def __str__(self) -> str:
        return f"{self.record} · {self.reason}"


class RollCallReminder(models.Model):
    """A lesson whose teachers were reminded that its roll call is missing: once per lesson."""

    establishment = models.ForeignKey(Establishment, on_delete=models.CASCADE)
    lesson = models.OneToOneField(Lesson, on_delete=models.CASCADE, related_name="+")
    sent_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.lesson_id} · {self.sent_at}"
