"""The demo cast: the named people every demo and every test starts from.

Two academies, two establishments, and fourteen people whose relations exercise every access rule:
another family (Karim), another class (3e A), another establishment (Lycée Marie Curie, in another
academy), a guardian with children in two schools (Sophie).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction

from preau.directory.models import (
    Academy,
    AcademyAdministrator,
    Enrolment,
    Establishment,
    EstablishmentKind,
    Function,
    Guardianship,
    Level,
    Membership,
    Period,
    PeriodKind,
    Profile,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    uai_check_letter,
)

User = get_user_model()

DEMO_PASSWORD = "Preau-Demo-2026"  # noqa: S105 - the published password of the demo accounts
# The published authenticator key of the demo's administrators (README): with it, any TOTP app
# gives their second factor. Only the demo (accounts/demo.py) uses it.
DEMO_TOTP_SECRET = "PREAUDEMOPREAUDEMOPREAUDEMO23456"  # noqa: S105

LEVELS = [
    ("6", "6e", "10010012110", 6),
    ("5", "5e", "10110001110", 5),
    ("4", "4e", "10210001110", 4),
    ("3", "3e", "10310019110", 3),
    ("2", "2nde", "20010018110", 2),
    ("1", "1re", "20111101110", 1),
    ("T", "Tle", "20212101110", 0),
]
# Ordered from 6e (first) to Tle (last).
LEVEL_ORDER = {"6": 1, "5": 2, "4": 3, "3": 4, "2": 5, "1": 6, "T": 7}

COLLEGE_SUBJECTS = [
    ("020700", "Français", "FRANC"),
    ("061300", "Mathématiques", "MATHS"),
    ("030201", "Anglais LV1", "AGL1"),
    ("030602", "Espagnol LV2", "ESP2"),
    ("040600", "Histoire-géographie", "HIGEO"),
    ("062900", "Sciences de la vie et de la Terre", "SVT"),
    ("062700", "Physique-chimie", "PH-CH"),
    ("070200", "Technologie", "TECHN"),
    ("080100", "Arts plastiques", "A-PLA"),
    ("080200", "Éducation musicale", "EDMUS"),
    ("100100", "Éducation physique et sportive", "EPS"),
]
LYCEE_SUBJECTS = [
    *COLLEGE_SUBJECTS[:7],
    ("043100", "Sciences économiques et sociales", "SES"),
    ("023000", "Philosophie", "PHILO"),
    ("100100", "Éducation physique et sportive", "EPS"),
]


def uai(digits: str) -> str:
    return digits + uai_check_letter(digits)


MOULIN_UAI = uai("0781832")
CURIE_UAI = uai("0691664")


@dataclass
class Cast:
    """The cast, looked up by username: ``cast.lea``, ``cast.principal_moulin``…"""

    admin: Any
    rectorat_versailles: Any
    principal_moulin: Any
    cpe_moulin: Any
    bernard: Any
    garcia: Any
    lea: Any
    noah: Any
    jade: Any
    sophie: Any
    karim: Any
    principal_curie: Any
    dupont: Any
    hugo: Any
    moulin: Any
    curie: Any
    class_4b: Any
    class_3a: Any
    class_2nde3: Any

    USERNAMES = {
        "admin": "admin",
        "rectorat_versailles": "rectorat.versailles",
        "principal_moulin": "principal.moulin",
        "cpe_moulin": "cpe.moulin",
        "bernard": "prof.bernard",
        "garcia": "prof.garcia",
        "lea": "eleve.lea",
        "noah": "eleve.noah",
        "jade": "eleve.jade",
        "sophie": "parent.sophie",
        "karim": "parent.karim",
        "principal_curie": "principal.curie",
        "dupont": "prof.dupont",
        "hugo": "eleve.hugo",
    }

    @classmethod
    def load(cls) -> Cast:
        users = {u.username: u for u in User.objects.filter(username__in=cls.USERNAMES.values())}
        moulin = Establishment.objects.get(uai=MOULIN_UAI)
        curie = Establishment.objects.get(uai=CURIE_UAI)
        year = SchoolYear.current()
        classes = {
            (c.establishment_id, c.name): c
            for c in SchoolClass.objects.filter(
                school_year=year, name__in=["4e B", "3e A", "2nde 3"]
            )
        }
        return cls(
            **{attr: users[name] for attr, name in cls.USERNAMES.items()},
            moulin=moulin,
            curie=curie,
            class_4b=classes[(moulin.pk, "4e B")],
            class_3a=classes[(moulin.pk, "3e A")],
            class_2nde3=classes[(curie.pk, "2nde 3")],
        )


# The people of the cast: username, first name, last name, birth date, e-mail.
PEOPLE = [
    ("admin", "Alice", "Administratrice", None, "admin@preau.localhost"),
    ("rectorat.versailles", "Régis", "Vasseur", None, "r.vasseur@ac-versailles.localhost"),
    ("principal.moulin", "Hélène", "Moreau", None, "principal.moulin@preau.localhost"),
    ("cpe.moulin", "Julien", "Petit", None, "cpe.moulin@preau.localhost"),
    ("prof.bernard", "Marc", "Bernard", None, "m.bernard@preau.localhost"),
    ("prof.garcia", "Inès", "Garcia", None, "i.garcia@preau.localhost"),
    ("eleve.lea", "Léa", "Martin", date(2013, 3, 14), ""),
    ("eleve.noah", "Noah", "Leroy", date(2013, 7, 2), ""),
    ("eleve.jade", "Jade", "Roux", date(2012, 1, 23), ""),
    ("parent.sophie", "Sophie", "Martin", None, "sophie.martin@example.org"),
    ("parent.karim", "Karim", "Leroy", None, "karim.leroy@example.org"),
    ("principal.curie", "François", "Lambert", None, "principal.curie@preau.localhost"),
    ("prof.dupont", "Claire", "Dupont", None, "c.dupont@preau.localhost"),
    ("eleve.hugo", "Hugo", "Martin", date(2010, 11, 5), ""),
]


def ensure_levels() -> dict[str, Level]:
    levels = {}
    for code, label, mef, _order in LEVELS:
        levels[code], _ = Level.objects.get_or_create(
            code=code, defaults={"label": label, "mef": mef, "order": LEVEL_ORDER[code]}
        )
    return levels


def ensure_subjects(establishment: Establishment, subjects: list[tuple[str, str, str]]) -> dict:
    existing = {s.code: s for s in Subject.objects.filter(establishment=establishment)}
    Subject.objects.bulk_create(
        [
            Subject(establishment=establishment, code=code, label=label, short_label=short)
            for code, label, short in subjects
            if code not in existing
        ]
    )
    return {s.code: s for s in Subject.objects.filter(establishment=establishment)}


def ensure_periods(establishment: Establishment, year: SchoolYear, kind: str) -> None:
    first = year.start_date.year
    if kind == PeriodKind.TRIMESTER:
        bounds = [
            (date(first, 9, 1), date(first, 11, 30)),
            (date(first, 12, 1), date(first + 1, 3, 8)),
            (date(first + 1, 3, 9), date(first + 1, 7, 4)),
        ]
    else:
        bounds = [
            (date(first, 9, 1), date(first + 1, 1, 24)),
            (date(first + 1, 1, 25), date(first + 1, 7, 4)),
        ]
    for number, (start, end) in enumerate(bounds, start=1):
        Period.objects.get_or_create(
            establishment=establishment,
            school_year=year,
            number=number,
            defaults={"kind": kind, "start_date": start, "end_date": end},
        )


@transaction.atomic
def build_cast(password: str = DEMO_PASSWORD, *, password_hash: str | None = None) -> Cast:
    """Create the cast if missing (idempotent) and return it.

    ``password_hash``, when given, is stored as is (a caller building many accounts hashes once).
    """
    year = SchoolYear.current()
    levels = ensure_levels()
    versailles, _ = Academy.objects.get_or_create(
        code="VERSAILLES", defaults={"name": "Académie de Versailles"}
    )
    lyon, _ = Academy.objects.get_or_create(code="LYON", defaults={"name": "Académie de Lyon"})
    moulin, _ = Establishment.objects.get_or_create(
        uai=MOULIN_UAI,
        defaults={
            "name": "Collège Jean Moulin",
            "kind": EstablishmentKind.COLLEGE,
            "academy": versailles,
            "city": "Versailles",
            "primary_colour": "#1d4e89",
            "accent_colour": "#f2a541",
            "welcome_text": "Bienvenue sur l'ENT du collège Jean Moulin.",
        },
    )
    curie, _ = Establishment.objects.get_or_create(
        uai=CURIE_UAI,
        defaults={
            "name": "Lycée Marie Curie",
            "kind": EstablishmentKind.LYCEE,
            "academy": lyon,
            "city": "Lyon",
            "primary_colour": "#5b2a86",
            "accent_colour": "#f7b32b",
            "welcome_text": "Bienvenue sur l'ENT du lycée Marie Curie.",
        },
    )
    ensure_periods(moulin, year, PeriodKind.TRIMESTER)
    ensure_periods(curie, year, PeriodKind.SEMESTER)
    moulin_subjects = ensure_subjects(moulin, COLLEGE_SUBJECTS)
    curie_subjects = ensure_subjects(curie, LYCEE_SUBJECTS)

    hashed = password_hash or make_password(password)
    users = {}
    for username, first, last, birth, email in PEOPLE:
        users[username], _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "birth_date": birth,
                "email": email,
                "password": hashed,
                "is_superuser": username == "admin",
                "is_staff": username == "admin",
            },
        )
    u = users.__getitem__

    def member(
        username: str,
        establishment: Establishment,
        profile: str,
        functions: list[str] | None = None,
    ) -> None:
        Membership.objects.get_or_create(
            person=u(username),
            establishment=establishment,
            school_year=year,
            profile=profile,
            defaults={"functions": functions or []},
        )

    AcademyAdministrator.objects.get_or_create(academy=versailles, person=u("rectorat.versailles"))
    member("principal.moulin", moulin, Profile.DIRECTION, [Function.HEAD])
    member("cpe.moulin", moulin, Profile.EDUCATION, [Function.CPE])
    member("prof.bernard", moulin, Profile.TEACHER)
    member("prof.garcia", moulin, Profile.TEACHER)
    for student in ("eleve.lea", "eleve.noah", "eleve.jade"):
        member(student, moulin, Profile.STUDENT)
    member("parent.sophie", moulin, Profile.GUARDIAN)
    member("parent.karim", moulin, Profile.GUARDIAN)
    member("principal.curie", curie, Profile.DIRECTION, [Function.HEAD])
    member("prof.dupont", curie, Profile.TEACHER)
    member("eleve.hugo", curie, Profile.STUDENT)
    member("parent.sophie", curie, Profile.GUARDIAN)

    def school_class(
        establishment: Establishment, name: str, level: str, head: Any = None
    ) -> SchoolClass:
        obj, _ = SchoolClass.objects.get_or_create(
            establishment=establishment,
            school_year=year,
            name=name,
            defaults={"level": levels[level], "head_teacher": head},
        )
        return obj

    class_4b = school_class(moulin, "4e B", "4", u("prof.bernard"))
    class_3a = school_class(moulin, "3e A", "3")
    class_2nde3 = school_class(curie, "2nde 3", "2", u("prof.dupont"))
    if class_4b.head_teacher_id is None:
        class_4b.head_teacher = u("prof.bernard")
        class_4b.save(update_fields=["head_teacher"])

    def enrol(username: str, school_class: SchoolClass) -> None:
        Enrolment.objects.get_or_create(
            student=u(username),
            school_year=year,
            establishment=school_class.establishment,
            defaults={"school_class": school_class},
        )

    enrol("eleve.lea", class_4b)
    enrol("eleve.noah", class_4b)
    enrol("eleve.jade", class_3a)
    enrol("eleve.hugo", class_2nde3)

    def teach(username: str, subject: Subject, school_class: SchoolClass) -> None:
        TeachingAssignment.objects.get_or_create(
            teacher=u(username),
            subject=subject,
            school_class=school_class,
            group=None,
            defaults={"establishment": school_class.establishment, "school_year": year},
        )

    teach("prof.bernard", moulin_subjects["061300"], class_4b)
    teach("prof.bernard", moulin_subjects["061300"], class_3a)
    teach("prof.garcia", moulin_subjects["020700"], class_4b)
    teach("prof.dupont", curie_subjects["062700"], class_2nde3)

    for guardian, student, relationship in [
        ("parent.sophie", "eleve.lea", "Mère"),
        ("parent.sophie", "eleve.hugo", "Mère"),
        ("parent.karim", "eleve.noah", "Père"),
    ]:
        Guardianship.objects.get_or_create(
            guardian=u(guardian),
            student=u(student),
            defaults={
                "relationship": relationship,
                "legal": True,
                "financial": True,
                "contact": True,
            },
        )
    return Cast.load()
