"""Demo conversations of the cast (idempotent): a father and a teacher about Noah, the head to
the families of 4e B, a student and her French teacher about homework."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from preau.core.actor import Actor
from preau.demo.cast import Cast
from preau.messaging.actions import do_send_message
from preau.messaging.models import Conversation
from preau.messaging.policies import lists_by_code

KARIM_SUBJECT = "Absence de Noah jeudi"
HEAD_SUBJECT = "Réunion parents-professeurs de la 4e B"
LEA_SUBJECT = "Question sur la rédaction à rendre"


def _send(person: Any, when: Any, **kwargs: Any) -> Any:
    return do_send_message(actor=Actor(person), now=when, **kwargs).message


def build(cast: Cast) -> list[Conversation]:
    """Three conversations in Collège Jean Moulin; nothing is added when they exist."""
    if Conversation.objects.filter(
        establishment=cast.moulin, subject=KARIM_SUBJECT, created_by=cast.karim
    ).exists():
        return list(
            Conversation.objects.filter(
                establishment=cast.moulin,
                created_by__in=[cast.karim, cast.principal_moulin, cast.lea],
            )
        )
    start = timezone.now() - timedelta(days=3)
    first = _send(
        cast.karim,
        start,
        subject=KARIM_SUBJECT,
        body=(
            "Bonjour Monsieur Bernard,\n\nNoah a rendez-vous chez l'orthodontiste jeudi à "
            "10 h : il manquera le cours de mathématiques. Pourriez-vous me dire ce qu'il devra "
            "rattraper ?\n\nCordialement,\nKarim Leroy"
        ),
        recipients=[cast.bernard],
    )
    _send(
        cast.bernard,
        start + timedelta(hours=2),
        subject="",
        body=(
            "Bonjour Monsieur Leroy,\n\nMerci de me prévenir. Noah pourra reprendre les "
            "exercices 12 à 15 page 84 ; je lui donnerai la fiche de cours vendredi.\n\n"
            "Bien cordialement,\nM. Bernard"
        ),
        recipients=[cast.karim],
        reply_to=first,
    )
    head = Actor(cast.principal_moulin)
    families = lists_by_code(head)[f"guardians:{cast.class_4b.public_id}"]
    _send(
        cast.principal_moulin,
        start + timedelta(days=1),
        subject=HEAD_SUBJECT,
        body=(
            "Madame, Monsieur,\n\nLa réunion parents-professeurs de la 4e B aura lieu le mardi "
            "8 décembre de 17 h à 20 h. Les rendez-vous se prennent sur l'ENT.\n\n"
            "La principale, Hélène Moreau"
        ),
        lists=[families],
    )
    question = _send(
        cast.lea,
        start + timedelta(days=2),
        subject=LEA_SUBJECT,
        body=(
            "Bonjour Madame,\n\nPour la rédaction, faut-il écrire au présent ou au passé "
            "simple ?\n\nMerci,\nLéa"
        ),
        recipients=[cast.garcia],
    )
    _send(
        cast.garcia,
        start + timedelta(days=2, hours=1),
        subject="",
        body="Bonjour Léa,\n\nAu passé simple, comme dans le texte étudié en classe. Bon travail !",
        recipients=[cast.lea],
        reply_to=question,
    )
    return list(
        Conversation.objects.filter(
            establishment=cast.moulin, created_by__in=[cast.karim, cast.principal_moulin, cast.lea]
        )
    )
