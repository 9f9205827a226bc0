"""Demo médiacentre: fictional publishers' resources and their licences in both schools, links
of Collège Jean Moulin's teachers for 4e B, a few favourites and some months of openings.

Idempotent: resources are found by their identifier or title before being created.
"""

from __future__ import annotations

import hashlib
from datetime import date, timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from preau.directory.models import Level, Profile, SchoolClass, SchoolYear
from preau.resources import selectors
from preau.resources.models import (
    Favourite,
    IdentifierKind,
    Licence,
    LicenceAudience,
    LicenceSeat,
    LicenceTarget,
    MonthlyReader,
    OpeningCount,
    Resource,
    ResourceKind,
    ResourcePlacement,
)

MANUAL_4E = "Manuel numérique de mathématiques 4e"
DICTIONARY = "Dictionnaire Hirondelle junior"
ATLAS = "Atlas interactif d'histoire-géographie"
PHYSICS_2NDE = "Physique-chimie 2de, manuel numérique"
# Fictional publishers: the addresses lead nowhere real.
PUBLISHERS = [
    # title, publisher, identifier, url, subject, levels
    (
        MANUAL_4E,
        "Éditions Hirondelle",
        "ark:/99999/hirondelle-maths-4e",
        "https://manuels.hirondelle.example/maths-4e",
        "Mathématiques",
        ["4"],
        "Le manuel de la classe, avec ses exercices interactifs et ses vidéos de cours.",
    ),
    (
        DICTIONARY,
        "Éditions Hirondelle",
        "ark:/99999/hirondelle-dictionnaire",
        "https://dictionnaire.hirondelle.example/",
        "Français",
        ["6", "5", "4", "3"],
        "Définitions, conjugaisons et synonymes.",
    ),
    (
        ATLAS,
        "Cartographies du Héron",
        "HERON-ATLAS-HG",
        "https://atlas.heron.example/",
        "Histoire-géographie",
        ["5", "4", "3"],
        "Cartes animées et frises chronologiques.",
    ),
]


def _resource(establishment: Any, row: tuple, levels: dict[str, Level]) -> Resource:
    title, publisher, identifier, url, subject, level_codes, description = row
    resource, created = Resource.objects.get_or_create(
        establishment=establishment,
        identifier=identifier,
        defaults={
            "kind": ResourceKind.PUBLISHER,
            "title": title,
            "publisher": publisher,
            "identifier_kind": (
                IdentifierKind.ARK if identifier.startswith("ark:/") else IdentifierKind.DISTRIBUTOR
            ),
            "url": url,
            "subject": subject,
            "description": description,
        },
    )
    if created:
        resource.levels.set([levels[code] for code in level_codes])
    return resource


def _licence(
    establishment: Any,
    resource: Resource,
    author: Any,
    starts_on: date,
    ends_on: date,
    *,
    seats: int | None = None,
    classes: list[SchoolClass] | None = None,
) -> Licence:
    audience = LicenceAudience.CLASSES if classes else LicenceAudience.ESTABLISHMENT
    licence, created = Licence.objects.get_or_create(
        establishment=establishment,
        resource=resource,
        starts_on=starts_on,
        defaults={
            "ends_on": ends_on,
            "audience": audience,
            "seats": seats,
            "created_by": author,
            "reference": "Commande 2026-017" if seats else "",
        },
    )
    if created and classes:
        LicenceTarget.objects.bulk_create(
            [
                LicenceTarget(establishment=establishment, licence=licence, school_class=c)
                for c in classes
            ]
        )
    return licence


def _link(teacher: Any, school_class: SchoolClass, title: str, url: str, subject: str) -> None:
    resource, created = Resource.objects.get_or_create(
        establishment=school_class.establishment,
        kind=ResourceKind.LINK,
        title=title,
        created_by=teacher,
        defaults={"url": url, "subject": subject},
    )
    if created:
        ResourcePlacement.objects.create(
            establishment=school_class.establishment, resource=resource, school_class=school_class
        )


def _openings(establishment: Any, resource: Resource, today: date, per_day: int) -> None:
    """Some months of counters (and as many readers as make them worth showing)."""
    if OpeningCount.objects.filter(resource=resource, establishment=establishment).exists():
        return
    counts, readers = [], []
    first = (today.replace(day=1) - timedelta(days=100)).replace(day=1)
    day = first
    while day <= today:
        if day.weekday() < 5:
            counts.append(
                OpeningCount(
                    establishment=establishment,
                    resource=resource,
                    day=day,
                    profile=Profile.STUDENT,
                    count=per_day + day.day % 3,
                )
            )
        if day.day == 1:
            people = per_day * 3 if day < today.replace(day=1) else 3
            readers.extend(
                MonthlyReader(
                    establishment=establishment,
                    resource=resource,
                    month=day,
                    reader=hashlib.sha256(f"demo:{resource.pk}:{day}:{n}".encode()).hexdigest()[
                        :32
                    ],
                )
                for n in range(people)
            )
        day += timedelta(days=1)
    OpeningCount.objects.bulk_create(counts)
    MonthlyReader.objects.bulk_create(readers, ignore_conflicts=True)


@transaction.atomic
def build(cast: Any) -> None:
    year = SchoolYear.current()
    today = timezone.localdate()
    levels = {level.code: level for level in Level.objects.all()}
    moulin = cast.moulin
    manual, dictionary, atlas = (_resource(moulin, row, levels) for row in PUBLISHERS)
    fourth = list(
        SchoolClass.objects.filter(establishment=moulin, school_year=year, level__code="4")
    )
    manual_licence = _licence(
        moulin,
        manual,
        cast.principal_moulin,
        year.start_date,
        year.end_date,
        seats=60,
        classes=fourth or [cast.class_4b],
    )
    _licence(moulin, dictionary, cast.principal_moulin, year.start_date, year.end_date)
    # Last year's atlas, not renewed: its licence has ended.
    last_year_end = year.start_date - timedelta(days=1)
    _licence(
        moulin,
        atlas,
        cast.principal_moulin,
        last_year_end - timedelta(days=364),
        last_year_end,
        seats=30,
    )
    physics = _resource(
        cast.curie,
        (
            PHYSICS_2NDE,
            "Éditions du Martinet",
            "ark:/99999/martinet-pc-2de",
            "https://lycee.martinet.example/physique-2de",
            "Physique-chimie",
            ["2"],
            "Cours, simulations et exercices corrigés.",
        ),
        levels,
    )
    _licence(cast.curie, physics, cast.principal_curie, year.start_date, year.end_date, seats=400)

    _link(
        cast.bernard,
        cast.class_4b,
        "GeoGebra : le théorème de Pythagore",
        "https://www.geogebra.org/",
        "Mathématiques",
    )
    _link(
        cast.bernard,
        cast.class_4b,
        "MathALÉA : calcul littéral 4e",
        "https://coopmaths.fr/alea/",
        "Mathématiques",
    )
    _link(
        cast.garcia,
        cast.class_4b,
        "Lumni : les figures de style",
        "https://www.lumni.fr/college",
        "Français",
    )

    for person, resource in ((cast.lea, dictionary), (cast.noah, manual), (cast.noah, dictionary)):
        Favourite.objects.get_or_create(person=person, resource=resource)
        selectors.forget_favourites(person)
    for person in (cast.lea, cast.noah):
        LicenceSeat.objects.get_or_create(
            licence=manual_licence,
            person=person,
            defaults={"establishment": moulin, "first_opened_at": timezone.now()},
        )
    _openings(moulin, manual, today, 9)
    _openings(moulin, dictionary, today, 4)
    selectors.forget_catalogue(moulin)
    selectors.forget_catalogue(cast.curie)
