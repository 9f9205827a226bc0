"""Demo discipline records at the collège Jean Moulin, and the establishments' lists.

- An incident in 4e B (a quarrel in Mr Bernard's maths lesson): Noah its author, Léa its victim.
- A detention for Noah given by Mr Bernard, published; his father has not yet acknowledged it.
- Extra work for Léa given by Ms Garcia.
- An « avertissement » for Jade (3e A), pronounced by the head.

Dates follow today (the incident two school days ago, the detention next Wednesday afternoon), kept
inside the school year. Idempotent: rows are found by what they say before being created.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from preau.directory.models import SchoolYear
from preau.discipline.actions import guardians_of
from preau.discipline.models import (
    Incident,
    IncidentCategory,
    Involvement,
    Kind,
    Measure,
    OtherPunishment,
    Role,
)
from preau.notifications.actions import notify
from preau.notifications.models import Kind as NotificationKind

CATEGORIES = [
    "Bavardages répétés",
    "Insolence",
    "Violence verbale",
    "Violence physique",
    "Dégradation de matériel",
    "Usage du téléphone portable",
    "Travail non fait",
]
OTHERS = ["Travail d'intérêt scolaire", "Confiscation du téléphone jusqu'au soir"]

INCIDENT = "Noah a insulté Léa pendant la correction d'exercice puis a refusé de se calmer."
DETENTION_REASON = "Insolence et insulte envers une camarade en cours de mathématiques"
DETENTION_TEXT = (
    "Noah est retenu deux heures pour avoir insulté une camarade et refusé de se calmer en "
    "cours de mathématiques. Il fera un travail écrit sur le respect en classe."
)
DETENTION_NOTES = "Deuxième incident ce trimestre ; entretien prévu avec le professeur principal."
EXTRA_WORK_REASON = "Leçon non apprise pour la troisième fois"
WARNING_REASON = "Utilisation répétée du téléphone portable en cours"


def _clamp(day: date, year: SchoolYear) -> date:
    return min(max(day, year.start_date), year.end_date)


def _school_day_before(day: date, days: int) -> date:
    while days:
        day -= timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


def _next(day: date, weekday: int) -> date:
    """The next given weekday after ``day`` (Monday is 0)."""
    return day + timedelta(days=(weekday - day.weekday()) % 7 or 7)


def _lists(establishment: Any) -> None:
    for label in CATEGORIES:
        IncidentCategory.objects.get_or_create(establishment=establishment, label=label)
    for label in OTHERS:
        OtherPunishment.objects.get_or_create(establishment=establishment, label=label)


def _measure(cast: Any, student: Any, kind: str, reason: str, **values: Any) -> tuple:
    return Measure.objects.get_or_create(
        establishment=cast.moulin,
        student=student,
        kind=kind,
        reason=reason,
        defaults={"school_year": SchoolYear.current(), **values},
    )


@transaction.atomic
def build(cast: Any) -> None:
    year = SchoolYear.current()
    today = timezone.localdate()
    _lists(cast.moulin)
    _lists(cast.curie)
    incident_day = _clamp(_school_day_before(today, 2), year)
    quarrel = IncidentCategory.objects.get(establishment=cast.moulin, label="Violence verbale")
    incident, created = Incident.objects.get_or_create(
        establishment=cast.moulin,
        description=INCIDENT,
        defaults={
            "school_year": year,
            "category": quarrel,
            "occurred_at": timezone.make_aware(datetime.combine(incident_day, time(10, 20))),
            "place": "Salle B12",
            "reported_by": cast.bernard,
        },
    )
    if created:
        Involvement.objects.bulk_create(
            Involvement(establishment=cast.moulin, incident=incident, student=student, role=role)
            for student, role in ((cast.noah, Role.AUTHOR), (cast.lea, Role.VICTIM))
        )
    detention, created = _measure(
        cast,
        cast.noah,
        Kind.DETENTION,
        DETENTION_REASON,
        incident=incident,
        decided_by=cast.bernard,
        decided_on=incident_day,
        detention_date=_clamp(_next(today, 2), year),
        start_time=time(13, 30),
        end_time=time(15, 30),
        place="Salle d'étude (B04)",
        supervisor=cast.cpe_moulin,
        family_text=DETENTION_TEXT,
        staff_notes=DETENTION_NOTES,
        acknowledgement_required=True,
        published_at=timezone.now(),
    )
    if created:
        notify(
            recipients=guardians_of(cast.noah),
            establishment=cast.moulin,
            kind=NotificationKind.DISCIPLINE,
            title=f"Retenue pour {cast.noah.first_name}",
            body=DETENTION_TEXT,
            url=reverse("discipline:measure", args=[detention.public_id]),
        )
    _measure(
        cast,
        cast.lea,
        Kind.EXTRA_WORK,
        EXTRA_WORK_REASON,
        decided_by=cast.garcia,
        decided_on=_clamp(_school_day_before(today, 1), year),
        due_date=_clamp(_next(today, 0) + timedelta(days=7), year),
        family_text=(
            "Léa recopiera et apprendra la leçon sur le discours rapporté, et rédigera dix "
            "phrases d'exemple."
        ),
        acknowledgement_required=False,
        published_at=timezone.now(),
    )
    _measure(
        cast,
        cast.jade,
        Kind.WARNING,
        WARNING_REASON,
        decided_by=cast.principal_moulin,
        decided_on=_clamp(_school_day_before(today, 3), year),
        family_text=(
            "Malgré plusieurs rappels, Jade a utilisé son téléphone pendant les cours. Un "
            "avertissement est prononcé ; il sera effacé de son dossier administratif à la fin "
            "de l'année scolaire."
        ),
        staff_notes="Téléphone confisqué deux fois en novembre.",
        acknowledgement_required=True,
        published_at=timezone.now(),
    )
