"""Demo notebook entries at the collège Jean Moulin.

- Noah (4e B): an observation from Mr Bernard about homework not done, which his father has yet
  to sign.
- 4e B: Ms Garcia asks every family's authorisation for a theatre trip, answer within ten days;
  nobody has answered yet.
- Léa (4e B): a school photo notice from the CPE and a convocation from her head teacher, both
  signed by her mother; her mother's request to the head teacher, with his answer.

Dates follow today, kept inside the school year. Idempotent: entries are found by their
student and title before being created.
"""

from __future__ import annotations

import uuid
from datetime import datetime, time, timedelta
from typing import Any

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from preau.directory.models import SchoolYear
from preau.notebook.models import Entry, Kind, Recipient, Reply, Signature
from preau.notifications.actions import notify
from preau.notifications.models import Kind as NotificationKind

OBSERVATION_TITLE = "Devoir de mathématiques non fait"
OBSERVATION_TEXT = (
    "Noah n'a pas fait les exercices 12 à 15 page 84 pour la deuxième fois ce mois-ci. Merci de "
    "veiller avec lui à ce que le travail soit fait pour le prochain cours."
)
TRIP_TITLE = "Sortie au théâtre Montansier"
TRIP_TEXT = (
    "La classe de 4e B assistera à une représentation du « Bourgeois gentilhomme » au théâtre "
    "Montansier. Départ du collège à 13 h 30, retour vers 17 h 30. La sortie est gratuite pour "
    "les familles."
)
TRIP_QUESTION = "Autorisez-vous votre enfant à participer à la sortie au théâtre ?"
PHOTO_TITLE = "Photo de classe"
CONVOCATION_TITLE = "Bilan de mi-trimestre"
REQUEST_TITLE = "Rendez-vous médical jeudi matin"
REQUEST_REPLY = (
    "Bonjour Madame, c'est noté. Léa pourra récupérer le cours de mathématiques auprès de Noah. "
    "Cordialement, M. Bernard"
)


def _moment(days_ago: int, hour: int, year: SchoolYear) -> datetime:
    day = timezone.localdate() - timedelta(days=days_ago)
    day = min(max(day, year.start_date), year.end_date)
    return timezone.make_aware(datetime.combine(day, time(hour, 0)))


def _entry(cast: Any, student: Any, title: str, **values: Any) -> tuple[Entry, bool]:
    return Entry.objects.get_or_create(
        establishment=cast.moulin,
        student=student,
        title=title,
        defaults={"school_year": SchoolYear.current(), **values},
    )


def _signed(entry: Entry, guardian: Any, when: datetime) -> None:
    Signature.objects.get_or_create(
        entry=entry,
        guardian=guardian,
        defaults={"establishment": entry.establishment, "signed_at": when},
    )
    if entry.signed_at is None:
        entry.signed_at = when
        entry.save(update_fields=["signed_at"])


@transaction.atomic
def build(cast: Any) -> None:
    year = SchoolYear.current()
    now = timezone.now()
    observation, created = _entry(
        cast,
        cast.noah,
        OBSERVATION_TITLE,
        author=cast.bernard,
        kind=Kind.DISCIPLINE,
        text=OBSERVATION_TEXT,
        created_at=_moment(1, 11, year),
    )
    if created:
        notify(
            recipients=[cast.karim],
            establishment=cast.moulin,
            kind=NotificationKind.NOTEBOOK,
            title=f"Carnet de Noah : {OBSERVATION_TITLE}",
            body=OBSERVATION_TEXT,
            url=reverse("notebook:entry", args=[observation.public_id]),
        )

    existing = Entry.objects.filter(establishment=cast.moulin, title=TRIP_TITLE).first()
    batch = existing.batch if existing is not None else uuid.uuid4()
    answer_by = timezone.make_aware(
        datetime.combine(timezone.localdate() + timedelta(days=10), time(23, 59))
    )
    for student in (cast.lea, cast.noah):
        _entry(
            cast,
            student,
            TRIP_TITLE,
            author=cast.garcia,
            kind=Kind.AUTHORISATION,
            text=TRIP_TEXT,
            question=TRIP_QUESTION,
            answer_by=max(answer_by, now + timedelta(days=1)),
            batch=batch,
            audience=cast.class_4b.name,
            created_at=_moment(2, 9, year),
        )

    photo, _created = _entry(
        cast,
        cast.lea,
        PHOTO_TITLE,
        author=cast.cpe_moulin,
        kind=Kind.INFORMATION,
        text=(
            "La photo de classe aura lieu mardi matin. Les familles pourront commander les "
            "photos en ligne ; l'achat n'est pas obligatoire."
        ),
        created_at=_moment(12, 8, year),
    )
    _signed(photo, cast.sophie, _moment(11, 20, year))
    convocation, _created = _entry(
        cast,
        cast.lea,
        CONVOCATION_TITLE,
        author=cast.bernard,
        kind=Kind.CONVOCATION,
        text="Je souhaite faire le point avec vous sur le début de trimestre de Léa.",
        meeting_at=_moment(5, 17, year),
        place="Salle B12",
        created_at=_moment(9, 12, year),
    )
    _signed(convocation, cast.sophie, _moment(8, 19, year))

    request, created = _entry(
        cast,
        cast.lea,
        REQUEST_TITLE,
        author=cast.sophie,
        kind=Kind.REQUEST,
        recipient=Recipient.HEAD_TEACHER,
        addressed_to=cast.bernard,
        text=(
            "Bonjour, Léa a un rendez-vous chez l'orthodontiste jeudi à 9 h ; elle arrivera au "
            "collège vers 10 h 30. Merci de bien vouloir l'excuser. Sophie Martin"
        ),
        created_at=_moment(3, 21, year),
    )
    if created:
        Reply.objects.create(
            establishment=cast.moulin,
            entry=request,
            author=cast.bernard,
            text=REQUEST_REPLY,
            created_at=_moment(2, 8, year),
        )
