"""Demo notifications for the cast, and the quiet hours of both establishments (idempotent)."""

from __future__ import annotations

import uuid
from datetime import time, timedelta
from typing import Any

from django.urls import reverse
from django.utils import timezone

from preau.notifications.delivery import next_allowed_time
from preau.notifications.models import Kind, Notification, NotificationPreference, QuietHours

NAMESPACE = uuid.UUID("0b6f4a9e-2f6d-4c1b-8a57-6a3e1f0d9c21")


def build(cast: Any) -> None:
    QuietHours.objects.get_or_create(establishment=cast.moulin)
    curie_hours, _ = QuietHours.objects.get_or_create(
        establishment=cast.curie, defaults={"start": time(20, 30), "end": time(7)}
    )
    NotificationPreference.objects.get_or_create(
        person=cast.sophie,
        defaults={"email_immediate": [Kind.ABSENCE], "email_digest": [Kind.GRADE, Kind.NEWS]},
    )
    now = timezone.now()
    lea_page = reverse("directory:student", args=[cast.lea.public_id])
    entries = [
        # (key, person, establishment, kind, title, body, url, hours ago, read)
        (
            "sophie-grade",
            cast.sophie,
            cast.moulin,
            Kind.GRADE,
            "Nouvelle note pour Léa en mathématiques",
            "Contrôle sur les fractions : 15/20.",
            lea_page,
            3,
            False,
        ),
        (
            "sophie-absence",
            cast.sophie,
            cast.moulin,
            Kind.ABSENCE,
            "Absence de Léa à justifier",
            "Mardi, de 8 h à 9 h : français.",
            lea_page,
            26,
            False,
        ),
        (
            "sophie-news",
            cast.sophie,
            cast.moulin,
            Kind.NEWS,
            "Réunion parents-professeurs de 4e",
            "Jeudi à 18 h, salle polyvalente.",
            "",
            50,
            True,
        ),
        (
            "sophie-hugo",
            cast.sophie,
            cast.curie,
            Kind.HOMEWORK,
            "Travail à faire pour Hugo",
            "Physique-chimie : exercices 4 à 7 page 112.",
            "",
            5,
            False,
        ),
        (
            "lea-homework",
            cast.lea,
            cast.moulin,
            Kind.HOMEWORK,
            "Travail à faire en français",
            "Lire le chapitre 3 du Horla.",
            "",
            2,
            False,
        ),
        (
            "lea-grade",
            cast.lea,
            cast.moulin,
            Kind.GRADE,
            "Nouvelle note en mathématiques",
            "Contrôle sur les fractions : 15/20.",
            "",
            3,
            True,
        ),
        (
            "lea-notebook",
            cast.lea,
            cast.moulin,
            Kind.NOTEBOOK,
            "Mot dans le carnet de correspondance",
            "À faire signer par un responsable.",
            "",
            1,
            False,
        ),
    ]
    existing = set(
        Notification.objects.filter(
            public_id__in=[uuid.uuid5(NAMESPACE, e[0]) for e in entries]
        ).values_list("public_id", flat=True)
    )
    rows = []
    for key, person, establishment, kind, title, body, url, hours_ago, read in entries:
        public_id = uuid.uuid5(NAMESPACE, key)
        if public_id in existing:
            continue
        sent = now - timedelta(hours=hours_ago)
        hours = curie_hours if establishment == cast.curie else QuietHours()
        deliver_at = min(next_allowed_time(sent, hours), now)
        rows.append(
            Notification(
                public_id=public_id,
                recipient=person,
                establishment=establishment,
                kind=kind,
                title=title,
                body=body,
                url=url,
                created_at=sent,
                deliver_at=deliver_at,
                read_at=deliver_at if read else None,
            )
        )
    Notification.objects.bulk_create(rows)
