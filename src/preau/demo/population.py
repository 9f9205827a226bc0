"""The demo population: whole schools around the cast.

Collège Jean Moulin (Versailles) gets about 460 students in 16 classes and about 40 staff; Lycée
Marie Curie (Lyon) about 800 students. Every student has one or two guardians, a class and a
membership; every class has a head teacher and a teacher for each of its subjects. The cast keeps
its names and relations: generated people join the cast's classes but never its families.

The build is deterministic: a seeded ``random.Random`` draws every choice, in a fixed order, so the
same seed and size give the same people (``population_digest`` proves it). Rows are written with
``bulk_create`` and every account shares one password hash.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
import unicodedata
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Count

from preau.demo import names
from preau.demo.cast import (
    COLLEGE_SUBJECTS,
    CURIE_UAI,
    DEMO_PASSWORD,
    LYCEE_SUBJECTS,
    MOULIN_UAI,
    ensure_levels,
    ensure_subjects,
)
from preau.directory import versions
from preau.directory.models import (
    STAFF_PROFILES,
    Enrolment,
    Establishment,
    Function,
    GroupMembership,
    Guardianship,
    Level,
    Membership,
    Profile,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TeachingGroup,
)

User = get_user_model()

DEFAULT_SEED = 2026
BATCH_SIZE = 500

# Subjects the college teaches beyond the cast's list: the second modern language and Latin.
GERMAN = ("030102", "Allemand LV2", "ALL2")
LATIN = ("020300", "Latin", "LATIN")

FR, MATHS, ENGLISH, SPANISH = "020700", "061300", "030201", "030602"
HISTORY, LIFE_SCI, PHYSICS, TECHNOLOGY = "040600", "062900", "062700", "070200"
ARTS, MUSIC, SPORT, ECONOMICS, PHILOSOPHY = "080100", "080200", "100100", "043100", "023000"

# Who is asked first to be a class's head teacher.
HEAD_TEACHER_PREFERENCE = [
    FR,
    MATHS,
    HISTORY,
    ENGLISH,
    LIFE_SCI,
    PHYSICS,
    ECONOMICS,
    PHILOSOPHY,
    SPANISH,
    TECHNOLOGY,
    SPORT,
    ARTS,
    MUSIC,
]


@dataclass(frozen=True)
class SchoolSpec:
    """The shape of one demo establishment at its default size."""

    uai: str
    students: int
    staff_domain: str
    # Level code, share of the students, minimum number of classes (the cast needs some).
    levels: list[tuple[str, float, int]]
    class_size: int
    lettered: bool  # "4e B" (collège) or "2nde 3" (lycée)
    class_subjects: dict[str, list[str]]
    # How many classes (or groups) one teacher takes in each subject.
    loads: dict[str, int]
    # Non-teaching staff: profile, functions, how many, whether that number grows with the school.
    staff: list[tuple[str, list[str], int, bool]]
    lv2_levels: tuple[str, ...] = ()
    latin_levels: tuple[str, ...] = ()


COLLEGE_CORE = [FR, MATHS, ENGLISH, HISTORY, LIFE_SCI, PHYSICS, TECHNOLOGY, ARTS, MUSIC, SPORT]

MOULIN = SchoolSpec(
    uai=MOULIN_UAI,
    students=460,
    staff_domain="ac-versailles.example",
    levels=[("6", 0.25, 1), ("5", 0.25, 1), ("4", 0.25, 2), ("3", 0.25, 1)],
    class_size=29,
    lettered=True,
    class_subjects=dict.fromkeys("6543", COLLEGE_CORE),
    loads={
        FR: 4,
        MATHS: 4,
        ENGLISH: 5,
        HISTORY: 5,
        LIFE_SCI: 8,
        PHYSICS: 8,
        TECHNOLOGY: 8,
        ARTS: 16,
        MUSIC: 16,
        SPORT: 5,
        SPANISH: 6,
        GERMAN[0]: 12,
        LATIN[0]: 3,
    },
    staff=[
        (Profile.DIRECTION, [Function.DEPUTY_HEAD], 1, False),
        (Profile.STAFF, [Function.SECRETARY], 1, True),
        (Profile.LIBRARIAN, [], 1, False),
        (Profile.EDUCATION, [], 2, True),
    ],
    lv2_levels=("5", "4", "3"),
    latin_levels=("5", "4", "3"),
)

LYCEE_COMMON = [MATHS, ENGLISH, SPANISH, HISTORY, LIFE_SCI, PHYSICS, SPORT]

CURIE = SchoolSpec(
    uai=CURIE_UAI,
    students=800,
    staff_domain="ac-lyon.example",
    levels=[("2", 0.375, 3), ("1", 0.325, 1), ("T", 0.3, 1)],
    class_size=34,
    lettered=False,
    class_subjects={
        "2": [FR, *LYCEE_COMMON, ECONOMICS],
        "1": [FR, *LYCEE_COMMON],
        "T": [PHILOSOPHY, *LYCEE_COMMON],
    },
    loads={
        FR: 4,
        PHILOSOPHY: 5,
        MATHS: 5,
        ENGLISH: 6,
        SPANISH: 7,
        HISTORY: 6,
        LIFE_SCI: 8,
        PHYSICS: 8,
        ECONOMICS: 9,
        SPORT: 6,
    },
    staff=[
        (Profile.DIRECTION, [Function.DEPUTY_HEAD], 1, False),
        (Profile.EDUCATION, [Function.CPE], 2, True),
        (Profile.STAFF, [Function.SECRETARY], 1, True),
        (Profile.LIBRARIAN, [], 1, False),
        (Profile.EDUCATION, [], 3, True),
    ],
)

SPECS = (MOULIN, CURIE)
# Years of age at the start of the school year, by level, for a student never held back.
AGE_AT_START = {"6": 11, "5": 12, "4": 13, "3": 14, "2": 15, "1": 16, "T": 17}


class AlreadyPopulated(Exception):
    """The demo schools already have their population: the build runs once per database."""


@dataclass
class PopulationSummary:
    counts: dict[str, dict[str, int]] = field(default_factory=dict)

    def lines(self) -> list[str]:
        return [
            f"{name}: " + ", ".join(f"{count} {what}" for what, count in figures.items() if count)
            for name, figures in self.counts.items()
        ]


def ascii_slug(text: str) -> str:
    """« Anne-Sophie Le Gall » → « anne-sophielegall »: what a login or an e-mail can hold."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in plain.lower() if c.isalnum() or c == "-")


def scaled(value: int, factor: float) -> int:
    return max(1, round(value * factor))


def split_evenly(total: int, parts: int) -> list[int]:
    return [total // parts + (1 if i < total % parts else 0) for i in range(parts)]


def shares(total: int, weights: list[float]) -> list[int]:
    """Split ``total`` by ``weights`` (largest remainders), so that the parts add up exactly."""
    exact = [total * w / sum(weights) for w in weights]
    parts = [math.floor(x) for x in exact]
    order = sorted(range(len(weights)), key=lambda i: (parts[i] - exact[i], i))
    for i in order[: total - sum(parts)]:
        parts[i] += 1
    return parts


def division_name(level: Level, index: int, lettered: bool) -> str:
    if not lettered:
        return f"{level.label} {index + 1}"
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return f"{level.label} {letters}"


class Builder:
    """One build: the random stream, the names in use, and the rows waiting to be written."""

    def __init__(self, seed: int, password_hash: str, year: SchoolYear) -> None:
        self.rng = random.Random(seed)
        self.password_hash = password_hash
        self.year = year
        self.usernames = set(User.objects.values_list("username", flat=True))
        self.emails = {e.lower() for e in User.objects.values_list("email", flat=True) if e}

    # -- people ------------------------------------------------------------------------------
    def unique(self, base: str, taken: set[str], suffix: str = "") -> str:
        candidate, n = base, 1
        while candidate + suffix in taken:
            n += 1
            candidate = f"{base}{n}"
        taken.add(candidate + suffix)
        return candidate + suffix

    def person(
        self, first: str, last: str, *, domain: str = "", birth: date | None = None, ine: str = ""
    ) -> Any:
        base = f"{ascii_slug(first)}.{ascii_slug(last)}"
        username = self.unique(base, self.usernames)
        email = self.unique(base, self.emails, f"@{domain}") if domain else ""
        return User(
            username=username,
            first_name=first,
            last_name=last,
            email=email,
            birth_date=birth,
            ine=ine,
            password=self.password_hash,
        )

    def adult(self, *, woman: bool, last: str | None = None, domain: str = "") -> Any:
        first = self.rng.choice(names.WOMEN if woman else names.MEN)
        return self.person(first, last or self.rng.choice(names.LAST_NAMES), domain=domain)

    def birth_date(self, level_code: str) -> date:
        start = self.year.start_date
        age = AGE_AT_START[level_code] + (1 if self.rng.random() < 0.08 else 0)
        # Born in the calendar year that makes them ``age`` by the end of December.
        born_year = start.year - age
        return date(born_year, 1, 1) + timedelta(days=self.rng.randrange(365))

    def ine(self) -> str:
        return f"{self.rng.randrange(10**9, 10**10)}{self.rng.choice('ABCDEFGHJK')}"


@dataclass
class PlannedClass:
    school_class: SchoolClass
    level_code: str
    size: int  # students in the class, the cast's included
    students: list[Any] = field(default_factory=list)  # generated students only
    head: Any = None


def is_populated() -> bool:
    """Whether the demo schools already have their population (a class the cast lacks)."""
    year = SchoolYear.current()
    return SchoolClass.objects.filter(
        establishment__uai=MOULIN_UAI, school_year=year, name="6e A"
    ).exists()


@transaction.atomic
def build_population(
    students: int | None = None,
    *,
    seed: int = DEFAULT_SEED,
    password_hash: str | None = None,
) -> PopulationSummary:
    """Populate the cast's two establishments; ``students`` sizes the college (default 460).

    The lycée grows in proportion (800 students for 460). Requires the cast (build_cast).
    Raises AlreadyPopulated when run a second time on the same database.
    """
    if is_populated():
        raise AlreadyPopulated
    factor = (students / MOULIN.students) if students else 1.0
    builder = Builder(seed, password_hash or make_password(DEMO_PASSWORD), SchoolYear.current())
    levels = ensure_levels()
    summary = PopulationSummary()
    for spec in SPECS:
        establishment = Establishment.objects.get(uai=spec.uai)
        counts = _populate_school(builder, spec, establishment, levels, factor)
        summary.counts[establishment.name] = counts
    versions.bump()  # bulk writes send no signal: cached directory reads must go
    return summary


def _populate_school(
    b: Builder,
    spec: SchoolSpec,
    establishment: Establishment,
    levels: dict[str, Level],
    factor: float,
) -> dict[str, int]:
    rng, year = b.rng, b.year
    extra = [GERMAN, LATIN] if spec.latin_levels else []
    subjects = ensure_subjects(
        establishment, (COLLEGE_SUBJECTS if spec.lettered else LYCEE_SUBJECTS) + extra
    )

    # -- classes: the cast's are kept, the others created ------------------------------------
    existing = {
        c.name: c for c in SchoolClass.objects.filter(establishment=establishment, school_year=year)
    }
    cast_students: dict[int, int] = defaultdict(int)
    for enrolment in Enrolment.objects.filter(establishment=establishment, school_year=year):
        cast_students[enrolment.school_class_id] += 1
    total = round(spec.students * factor)
    planned: list[PlannedClass] = []
    new_classes = []
    level_totals = shares(total, [share for _code, share, _min in spec.levels])
    for (code, _share, minimum), level_total in zip(spec.levels, level_totals, strict=True):
        divisions = max(minimum, round(level_total / spec.class_size))
        for index, size in enumerate(split_evenly(level_total, divisions)):
            name = division_name(levels[code], index, spec.lettered)
            school_class = existing.get(name)
            if school_class is None:
                school_class = SchoolClass(
                    establishment=establishment, school_year=year, name=name, level=levels[code]
                )
                new_classes.append(school_class)
            planned.append(PlannedClass(school_class, code, size))
    SchoolClass.objects.bulk_create(new_classes, batch_size=BATCH_SIZE)

    # -- students, in families ---------------------------------------------------------------
    slots = []
    for plan in planned:
        room = max(0, plan.size - cast_students.get(plan.school_class.pk, 0))
        slots.extend([plan] * room)
    rng.shuffle(slots)
    students, guardians, links = [], [], []
    while slots:
        plan = slots.pop()
        family = [plan]
        wanted = rng.choices([1, 2, 3], weights=[70, 25, 5])[0]
        for _ in range(wanted - 1):
            # A sibling: another level of the same school, looked for among the next slots.
            sibling = next(
                (i for i, s in enumerate(slots[-20:]) if s.level_code != plan.level_code), None
            )
            if sibling is not None:
                family.append(slots.pop(len(slots) - min(20, len(slots)) + sibling))
        surname = rng.choice(names.LAST_NAMES)
        parents = []
        if rng.random() < 0.75:
            mother_surname = surname if rng.random() < 0.6 else rng.choice(names.LAST_NAMES)
            parents.append((b.adult(woman=True, last=mother_surname, domain="example.org"), "Mère"))
            parents.append((b.adult(woman=False, last=surname, domain="example.org"), "Père"))
        else:
            woman = rng.random() < 0.8
            relationship = "Mère" if woman else "Père"
            parents.append((b.adult(woman=woman, last=surname, domain="example.org"), relationship))
        guardians.extend(parent for parent, _relationship in parents)
        for child_plan in family:
            girl = rng.random() < 0.5
            first = rng.choice(names.GIRLS if girl else names.BOYS)
            child = b.person(first, surname, birth=b.birth_date(child_plan.level_code), ine=b.ine())
            child_plan.students.append(child)
            students.append(child)
            for position, (parent, relationship) in enumerate(parents):
                links.append((parent, child, relationship, position == 0))

    # The cast's students without a guardian get one (the cast's families stay as they are).
    orphans = User.objects.filter(
        enrolments__establishment=establishment,
        enrolments__school_year=year,
        guarded_by__isnull=True,
    ).order_by("username")
    for orphan in orphans:
        parent = b.adult(woman=True, last=orphan.last_name, domain="example.org")
        guardians.append(parent)
        links.append((parent, orphan, "Mère", True))

    # -- staff: teachers by subject load, then the other functions ---------------------------
    covered = set(
        TeachingAssignment.objects.filter(
            establishment=establishment, school_year=year, school_class__isnull=False
        ).values_list("subject__code", "school_class__name")
    )
    teachers: list[Any] = []
    class_work: list[tuple[int, str, PlannedClass]] = []  # teacher index, subject, class
    for code in spec.loads:
        targets = [
            p
            for p in planned
            if code in spec.class_subjects.get(p.level_code, ())
            and (code, p.school_class.name) not in covered
        ]
        for start in range(0, len(targets), spec.loads[code]):
            teachers.append(b.adult(woman=rng.random() < 0.6, domain=spec.staff_domain))
            for plan in targets[start : start + spec.loads[code]]:
                class_work.append((len(teachers) - 1, code, plan))

    # Groups: LV2 half-classes and a Latin option across the classes of a level.
    groups: list[tuple[str, str, list[Any]]] = []  # name, subject code, students
    for plan in planned:
        if plan.level_code not in spec.lv2_levels:
            continue
        german = [s for s in plan.students if rng.random() < 0.35]
        spanish = [s for s in plan.students if s not in german]
        for subject, label, members in (
            (SPANISH, "Espagnol", spanish),
            (GERMAN[0], "Allemand", german),
        ):
            if members:
                groups.append((f"{plan.school_class.name} {label}", subject, members))
    for code in spec.latin_levels:
        level_students = [s for p in planned if p.level_code == code for s in p.students]
        latinists = [s for s in level_students if rng.random() < 0.15]
        chunks = math.ceil(len(latinists) / 28)
        for index in range(chunks):
            name = f"Latin {levels[code].label}" + (f" {index + 1}" if chunks > 1 else "")
            groups.append((name, LATIN[0], latinists[index::chunks]))
    group_work: list[tuple[int, int]] = []  # teacher index, group index
    for code in spec.loads:
        indexes = [i for i, group in enumerate(groups) if group[1] == code]
        for start in range(0, len(indexes), spec.loads[code]):
            teachers.append(b.adult(woman=rng.random() < 0.6, domain=spec.staff_domain))
            group_work.extend(
                (len(teachers) - 1, i) for i in indexes[start : start + spec.loads[code]]
            )

    # Head teachers: one of the class's teachers, each heading one class if there are enough.
    heading: set[int] = set()
    by_class: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for teacher, code, plan in class_work:
        by_class[id(plan)].append((teacher, code))
    for plan in planned:
        if plan.school_class.head_teacher_id:
            continue
        candidates = sorted(
            by_class[id(plan)],
            key=lambda tc: (
                HEAD_TEACHER_PREFERENCE.index(tc[1]) if tc[1] in HEAD_TEACHER_PREFERENCE else 99
            ),
        )
        free = [t for t, _code in candidates if t not in heading]
        chosen = (free or [t for t, _code in candidates])[0]
        heading.add(chosen)
        plan.head = chosen

    staff = []
    for profile, functions, count, grows in spec.staff:
        for _ in range(scaled(count, factor) if grows else count):
            person = b.adult(woman=rng.random() < 0.6, domain=spec.staff_domain)
            staff.append((person, profile, functions))

    # -- writing -----------------------------------------------------------------------------
    User.objects.bulk_create(
        [*teachers, *(p for p, _profile, _f in staff), *guardians, *students],
        batch_size=BATCH_SIZE,
    )
    changed = []
    for plan in planned:
        if plan.head is not None:
            plan.school_class.head_teacher = teachers[plan.head]
            changed.append(plan.school_class)
    SchoolClass.objects.bulk_update(changed, ["head_teacher"], batch_size=BATCH_SIZE)

    def membership(person: Any, profile: str, functions: list[str] | None = None) -> Membership:
        return Membership(
            person=person,
            establishment=establishment,
            school_year=year,
            profile=profile,
            functions=list(functions or []),
        )

    Membership.objects.bulk_create(
        [
            *(membership(t, Profile.TEACHER) for t in teachers),
            *(membership(p, profile, functions) for p, profile, functions in staff),
            *(membership(g, Profile.GUARDIAN) for g in guardians),
            *(membership(s, Profile.STUDENT) for s in students),
        ],
        batch_size=BATCH_SIZE,
    )
    Enrolment.objects.bulk_create(
        [
            Enrolment(
                establishment=establishment,
                school_year=year,
                student=student,
                school_class=plan.school_class,
            )
            for plan in planned
            for student in plan.students
        ],
        batch_size=BATCH_SIZE,
    )
    Guardianship.objects.bulk_create(
        [
            Guardianship(
                guardian=parent,
                student=child,
                relationship=relationship,
                legal=True,
                financial=first,
                contact=True,
            )
            for parent, child, relationship, first in links
        ],
        batch_size=BATCH_SIZE,
    )
    group_rows = [
        TeachingGroup(establishment=establishment, school_year=year, name=name)
        for name, _code, _members in groups
    ]
    TeachingGroup.objects.bulk_create(group_rows, batch_size=BATCH_SIZE)
    GroupMembership.objects.bulk_create(
        [
            GroupMembership(establishment=establishment, group=row, student=student)
            for row, (_name, _code, members) in zip(group_rows, groups, strict=True)
            for student in members
        ],
        batch_size=BATCH_SIZE,
    )
    TeachingAssignment.objects.bulk_create(
        [
            *(
                TeachingAssignment(
                    establishment=establishment,
                    school_year=year,
                    teacher=teachers[teacher],
                    subject=subjects[code],
                    school_class=plan.school_class,
                )
                for teacher, code, plan in class_work
            ),
            *(
                TeachingAssignment(
                    establishment=establishment,
                    school_year=year,
                    teacher=teachers[teacher],
                    subject=subjects[groups[index][1]],
                    group=group_rows[index],
                )
                for teacher, index in group_work
            ),
        ],
        batch_size=BATCH_SIZE,
    )
    return school_counts(establishment, year)


def school_counts(establishment: Establishment, year: SchoolYear) -> dict[str, int]:
    """What an establishment holds for a school year, counted in the database."""
    scope = {"establishment": establishment, "school_year": year}
    profiles = dict(
        Membership.objects.filter(**scope)
        .values_list("profile")
        .annotate(n=Count("id"))
        .values_list("profile", "n")
    )
    staff = sum(n for profile, n in profiles.items() if profile in STAFF_PROFILES)
    return {
        "students": profiles.get(Profile.STUDENT, 0),
        "classes": SchoolClass.objects.filter(**scope).count(),
        "groups": TeachingGroup.objects.filter(**scope).count(),
        "staff": staff,
        "teachers": profiles.get(Profile.TEACHER, 0),
        "guardians": profiles.get(Profile.GUARDIAN, 0),
        "assignments": TeachingAssignment.objects.filter(**scope).count(),
    }


def population_digest() -> str:
    """A fingerprint of the demo schools (people, classes, families, teaching), ids left out."""
    year = SchoolYear.current()
    uais = [spec.uai for spec in SPECS]
    scope: dict[str, Any] = {"establishment__uai__in": uais, "school_year": year}
    data = {
        "people": list(
            User.objects.order_by("username").values_list(
                "username", "first_name", "last_name", "email", "birth_date", "ine"
            )
        ),
        "classes": list(
            SchoolClass.objects.filter(**scope)
            .order_by("establishment__uai", "name")
            .values_list("establishment__uai", "name", "level__code", "head_teacher__username")
        ),
        "enrolments": sorted(
            Enrolment.objects.filter(**scope).values_list("school_class__name", "student__username")
        ),
        "memberships": sorted(
            Membership.objects.filter(**scope).values_list(
                "establishment__uai", "person__username", "profile", "functions"
            ),
            key=repr,
        ),
        "guardianships": sorted(
            Guardianship.objects.values_list(
                "guardian__username", "student__username", "relationship", "financial"
            )
        ),
        "assignments": sorted(
            TeachingAssignment.objects.filter(**scope).values_list(
                "teacher__username", "subject__code", "school_class__name", "group__name"
            ),
            key=repr,
        ),
        "groups": sorted(
            GroupMembership.objects.filter(establishment__uai__in=uais).values_list(
                "group__name", "student__username"
            )
        ),
    }
    encoded = json.dumps(data, default=str, sort_keys=True).encode()
    return hashlib.sha256(encoded).hexdigest()
