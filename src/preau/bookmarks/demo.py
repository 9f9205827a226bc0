"""Demo bookmarks: what each establishment of the cast pushes, and a few personal ones.

Idempotent: rows are found by their title before being created, so running it again adds
nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from preau.bookmarks import selectors
from preau.bookmarks.models import (
    Audience,
    Bookmark,
    BookmarkFolder,
    PushedBookmark,
    PushedBookmarkClass,
    PushedBookmarkProfile,
)
from preau.directory.models import Establishment, Profile, SchoolClass, SchoolYear

COLLEGE_LEVELS = ["6", "5", "4", "3"]
LYCEE_LEVELS = ["2", "1", "T"]

# Personal bookmarks: folder name (None: outside any folder), title, address, description.
PERSONAL = {
    "lea": [
        ("Français", "Dictionnaire Le Robert", "https://dictionnaire.lerobert.com/", ""),
        ("Français", "Conjugaison", "https://leconjugueur.lefigaro.fr/", "Pour vérifier un verbe."),
        ("Révisions", "Lumni, collège", "https://www.lumni.fr/college", ""),
        ("Révisions", "Khan Academy", "https://fr.khanacademy.org/", "Exercices de maths."),
        (None, "Vikidia", "https://fr.vikidia.org/", "L'encyclopédie des 8-13 ans."),
    ],
    "bernard": [
        ("Mathématiques", "GeoGebra", "https://www.geogebra.org/", "Figures dynamiques."),
        ("Mathématiques", "MathALÉA", "https://coopmaths.fr/alea/", "Exercices aléatoires."),
        ("Institution", "Bulletin officiel", "https://www.education.gouv.fr/bulletin-officiel", ""),
        (None, "Éduscol, mathématiques", "https://eduscol.education.fr/", ""),
    ],
}


def _classes(establishment: Establishment, year: SchoolYear, levels: list[str]) -> list:
    return list(
        SchoolClass.objects.filter(
            establishment=establishment, school_year=year, level__code__in=levels
        )
    )


def _push(
    establishment: Establishment,
    author: Any,
    position: int,
    title: str,
    url: str,
    description: str,
    *,
    profiles: list[str] | None = None,
    classes: list[SchoolClass] | None = None,
) -> None:
    audience = Audience.ESTABLISHMENT
    if profiles:
        audience = Audience.PROFILES
    elif classes is not None:
        audience = Audience.CLASSES
    bookmark, _ = PushedBookmark.objects.get_or_create(
        establishment=establishment,
        title=title,
        defaults={
            "url": url,
            "description": description,
            "audience": audience,
            "position": position,
            "created_by": author,
        },
    )
    for profile in profiles or []:
        PushedBookmarkProfile.objects.get_or_create(
            establishment=establishment, bookmark=bookmark, profile=profile
        )
    for school_class in classes or []:
        PushedBookmarkClass.objects.get_or_create(
            establishment=establishment, bookmark=bookmark, school_class=school_class
        )


def _personal(owner: Any, rows: list[tuple[str | None, str, str, str]]) -> None:
    folders: dict[str, BookmarkFolder] = {}
    for position, name in enumerate(dict.fromkeys(r[0] for r in rows if r[0])):
        folders[name], _ = BookmarkFolder.objects.get_or_create(
            owner=owner, name=name, defaults={"position": position}
        )
    for position, (folder, title, url, description) in enumerate(rows):
        Bookmark.objects.get_or_create(
            owner=owner,
            title=title,
            defaults={
                "folder": folders.get(folder) if folder else None,
                "url": url,
                "description": description,
                "position": position,
            },
        )
    selectors.forget_first_bookmarks(owner)


@transaction.atomic
def build(cast: Any) -> None:
    year = SchoolYear.current()
    teachers = [Profile.TEACHER, Profile.LIBRARIAN, Profile.DIRECTION, Profile.EDUCATION]
    for establishment, head, levels in (
        (cast.moulin, cast.principal_moulin, COLLEGE_LEVELS),
        (cast.curie, cast.principal_curie, LYCEE_LEVELS),
    ):
        uai = establishment.uai.lower()
        _push(
            establishment,
            head,
            0,
            "Catalogue du CDI",
            f"https://{uai}.esidoc.fr/",
            "Les livres, revues et ressources du centre de documentation.",
        )
        _push(
            establishment,
            head,
            10,
            "Menus de la cantine",
            f"https://restauration.{uai}.example/menus",
            "Les menus de la semaine et les inscriptions à la demi-pension.",
            profiles=[Profile.GUARDIAN, Profile.STUDENT],
        )
        _push(
            establishment,
            head,
            20,
            "Éduscol",
            "https://eduscol.education.fr/",
            "Programmes, ressources d'accompagnement et actualités pédagogiques.",
            profiles=teachers,
        )
        classes = _classes(establishment, year, levels)
        if levels == COLLEGE_LEVELS:
            _push(
                establishment,
                head,
                30,
                "Lumni",
                "https://www.lumni.fr/college",
                "Vidéos et jeux pour réviser, de la 6e à la 3e.",
                classes=classes,
            )
        else:
            _push(
                establishment,
                head,
                30,
                "Parcoursup",
                "https://www.parcoursup.gouv.fr/",
                "La plateforme d'admission dans l'enseignement supérieur.",
                classes=classes,
            )
            _push(
                establishment,
                head,
                40,
                "Onisep",
                "https://www.onisep.fr/",
                "Métiers et formations : pour préparer son orientation.",
                classes=classes,
            )
        selectors.forget_pushed(establishment)
    _personal(cast.lea, PERSONAL["lea"])
    _personal(cast.bernard, PERSONAL["bernard"])
