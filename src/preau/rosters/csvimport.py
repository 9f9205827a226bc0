"""Import of students, guardians and teachers from a spreadsheet's CSV file (docs/rosters.md).

The file's columns are mapped to Préau's fields (guessed from common French headers), then every
line is checked against the file itself and the establishment's directory in a fixed number of
queries, whatever the number of lines. The report lists each problem with its line and column;
a file with any error imports nothing. A correct file is written in one transaction through the
directory's actions, which audit each creation and issue the activation codes.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from preau.audit.actions import record
from preau.core.actor import current_school_year
from preau.core.csvfile import read_rows
from preau.directory import actions as directory
from preau.directory import versions
from preau.directory.models import Enrolment, Guardianship, Level, Membership, Profile, SchoolClass

User = get_user_model()

MAX_BYTES = 2_000_000
MAX_LINES = 5000
MAX_SHOWN = 300

FIELDS: list[tuple[str, Any]] = [
    ("last_name", gettext_lazy("Nom")),
    ("first_name", gettext_lazy("Prénom")),
    ("birth_date", gettext_lazy("Date de naissance")),
    ("profile", gettext_lazy("Profil")),
    ("school_class", gettext_lazy("Classe")),
    ("level", gettext_lazy("Niveau (pour créer une classe)")),
    ("email", gettext_lazy("Adresse e-mail")),
    ("guardian_of", gettext_lazy("Responsable de (identifiant de l'élève)")),
    ("directory_id", gettext_lazy("Identifiant annuaire")),
    ("ine", gettext_lazy("INE")),
]
FIELD_NAMES = [name for name, _label in FIELDS]
IMPORTED_PROFILES = [Profile.STUDENT, Profile.GUARDIAN, Profile.TEACHER]


def key(text: str) -> str:
    """Compare names without case, accents, punctuation or extra spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(re.sub(r"[^a-z0-9@.]+", " ", text.lower()).split())


# Headers seen in the files of French schools' software and spreadsheets, by Préau field.
HEADERS = {
    "last_name": ["nom", "nom de famille", "nom d usage", "nom eleve", "last name", "lastname"],
    "first_name": ["prenom", "prenom eleve", "first name", "firstname"],
    "birth_date": ["date de naissance", "date naissance", "ne e le", "ne le", "naissance"],
    "profile": ["profil", "role", "type", "categorie", "fonction"],
    "school_class": ["classe", "division", "classe eleve"],
    "level": ["niveau", "mef"],
    "email": ["e mail", "email", "mail", "courriel", "adresse e mail", "adresse mail"],
    "guardian_of": ["responsable de", "eleve", "enfant", "identifiant eleve", "id eleve"],
    "directory_id": ["identifiant", "id", "identifiant annuaire", "uid", "id annuaire"],
    "ine": ["ine", "numero ine"],
}
_GUESS = {header: name for name, headers in HEADERS.items() for header in headers}

PROFILE_WORDS = {
    Profile.STUDENT: ["eleve", "eleves", "elv", "student", "national elv"],
    Profile.GUARDIAN: [
        "responsable",
        "responsable legal",
        "parent",
        "tuteur",
        "tut",
        "guardian",
        "national tut",
    ],
    Profile.TEACHER: ["enseignant", "professeur", "prof", "ens", "teacher", "national ens"],
}
_PROFILES = {word: profile for profile, words in PROFILE_WORDS.items() for word in words}


def guess_mapping(header: list[str]) -> list[str]:
    """A Préau field for each header column it recognises ("" otherwise), each used once."""
    used: set[str] = set()
    mapping = []
    for column in header:
        name = _GUESS.get(key(column), "")
        if name in used:
            name = ""
        used.add(name)
        mapping.append(name)
    return mapping


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Line:
    number: int
    last_name: str = ""
    first_name: str = ""
    birth_date: date | None = None
    profile: str = ""
    school_class: Any = None  # a SchoolClass, or the name of one to create
    new_class_level: Any = None
    email: str = ""
    guardian_of: list[str] = field(default_factory=list)
    directory_id: str = ""
    ine: str = ""
    existing: Any = None  # the person already known, when matched


@dataclass
class Report:
    header: list[str] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    new_classes: list[str] = field(default_factory=list)

    def count(self, profile: str, *, existing: bool) -> int:
        return sum(
            1 for line in self.lines if line.profile == profile and bool(line.existing) == existing
        )

    @property
    def summary(self) -> list[tuple[str, int, int]]:
        """(profile label, new people, people already known) per profile in the file."""
        labels = dict(Profile.choices)
        return [
            (
                str(labels[p]),
                self.count(p, existing=False),
                self.count(p, existing=True),
            )
            for p in IMPORTED_PROFILES
            if any(line.profile == p for line in self.lines)
        ]


def parse_date(value: str) -> date | None:
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(value.strip(), pattern).date()
        except ValueError:
            continue
    return None


def header_of(text: str) -> list[str]:
    rows = read_rows(text)
    return rows[0] if rows else []


def _identity(last_name: str, first_name: str) -> tuple[str, str]:
    return key(last_name), key(first_name)


class _Directory:
    """What the checks need from the database, read in five queries (four when the file names
    no directory id)."""

    def __init__(self, establishment: Any, year: Any, directory_ids: set[str]) -> None:
        self.classes = {
            key(c.name): c
            for c in SchoolClass.objects.filter(establishment=establishment, school_year=year)
        }
        self.levels: dict[str, Level] = {}
        for level in Level.objects.all():
            for name in (level.code, level.label, level.mef):
                if name:
                    self.levels.setdefault(key(name), level)
        self.by_directory_id = {
            person.directory_id: person
            for person in User.objects.filter(directory_id__in=directory_ids)
        }
        # The establishment's people (of any year), to recognise someone already imported.
        self.by_name_birth: dict[tuple[str, str, date], Any] = {}
        self.by_name_email: dict[tuple[str, str, str], Any] = {}
        self.students: dict[str, Any] = {}
        self.profiles: dict[int, set[str]] = {}
        memberships = Membership.objects.filter(establishment=establishment).select_related(
            "person"
        )
        for membership in memberships:
            person = membership.person
            names = _identity(person.last_name, person.first_name)
            if person.birth_date:
                self.by_name_birth.setdefault((*names, person.birth_date), person)
            if person.email:
                self.by_name_email.setdefault((*names, person.email.lower()), person)
            if membership.school_year_id == year.pk:
                self.profiles.setdefault(person.pk, set()).add(membership.profile)
                if membership.profile == Profile.STUDENT and membership.is_active:
                    for identifier in (person.directory_id, person.ine):
                        if identifier:
                            self.students.setdefault(identifier, person)
        # A guardian is often known by name only: the same name guarding the same pupil.
        self.by_name_ward: dict[tuple[str, str, str], Any] = {}
        guardianships = (
            Guardianship.objects.filter(
                student__memberships__establishment=establishment,
                student__memberships__school_year=year,
                student__memberships__profile=Profile.STUDENT,
            )
            .select_related("guardian", "student")
            .distinct()
        )
        for guardianship in guardianships:
            guardian, student = guardianship.guardian, guardianship.student
            names = _identity(guardian.last_name, guardian.first_name)
            for identifier in (student.directory_id, student.ine):
                if identifier:
                    self.by_name_ward.setdefault((*names, identifier), guardian)


def check(text: str, mapping: list[str], *, establishment: Any, default_profile: str) -> Report:
    """Read and check every line; nothing is written (5 queries whatever the file's size)."""
    rows = read_rows(text)
    report = Report(header=rows[0] if rows else [])
    if not rows or not any(rows[0]):
        report.errors.append(Problem(1, "", _("Le fichier est vide.")))
        return report
    header = report.header
    columns = {name: i for i, name in enumerate(mapping) if name}
    for required in ("last_name", "first_name"):
        if required not in columns:
            label = dict(FIELDS)[required]
            report.errors.append(
                Problem(1, "", _("Aucune colonne n'est associée au champ « %s ».") % label)
            )
    if report.errors:
        return report
    body = [(number, values) for number, values in enumerate(rows[1:], start=2) if any(values)]
    if not body:
        report.errors.append(Problem(2, "", _("Le fichier ne contient aucune personne.")))
        return report
    if len(body) > MAX_LINES:
        report.errors.append(Problem(0, "", _("Trop de lignes (au plus %d).") % MAX_LINES))
        return report

    def cell(values: list[str], name: str) -> str:
        position = columns.get(name)
        return values[position] if position is not None and position < len(values) else ""

    year = current_school_year()
    directory_ids = {cell(v, "directory_id") for _n, v in body} - {""}
    known = _Directory(establishment, year, directory_ids)
    labels = dict(FIELDS)
    today = timezone.localdate()
    seen_ids: dict[str, int] = {}
    seen_people: dict[tuple[str, str, Any], int] = {}
    file_students: set[str] = set()

    for number, values in body:

        def problem(name: str, message: str, number: int = number) -> None:
            position = columns.get(name)
            column = header[position] if position is not None and position < len(header) else ""
            report.errors.append(Problem(number, column or str(labels.get(name, "")), message))

        line = Line(number=number)
        line.last_name, line.first_name = cell(values, "last_name"), cell(values, "first_name")
        for name in ("last_name", "first_name"):
            if not getattr(line, name):
                problem(name, _("Valeur obligatoire manquante."))
        word = cell(values, "profile")
        line.profile = _PROFILES.get(key(word), "") if word else default_profile
        if not line.profile:
            problem(
                "profile", _("Profil inconnu : « %s » (élève, responsable ou enseignant).") % word
            )
        birth = cell(values, "birth_date")
        if birth:
            line.birth_date = parse_date(birth)
            if line.birth_date is None:
                problem("birth_date", _("Date illisible : « %s » (JJ/MM/AAAA).") % birth)
            elif line.birth_date >= today:
                problem("birth_date", _("La date de naissance doit être passée."))
        elif line.profile == Profile.STUDENT:
            problem("birth_date", _("La date de naissance d'un élève est obligatoire."))
        line.email = cell(values, "email")
        if line.email:
            try:
                validate_email(line.email)
            except ValidationError:
                problem("email", _("Adresse e-mail invalide : « %s ».") % line.email)
        line.directory_id, line.ine = cell(values, "directory_id"), cell(values, "ine").upper()
        if len(line.directory_id) > 64:
            problem("directory_id", _("Identifiant trop long (64 caractères au plus)."))
        if line.ine and not re.fullmatch(r"[0-9A-Z]{11}", line.ine):
            problem("ine", _("INE invalide : « %s » (11 chiffres et lettres).") % line.ine)

        class_name = cell(values, "school_class")
        if class_name and line.profile and line.profile != Profile.STUDENT:
            problem("school_class", _("Seul un élève est inscrit dans une classe."))
        elif class_name:
            line.school_class = known.classes.get(key(class_name))
            if line.school_class is None:
                level_name = cell(values, "level")
                level = known.levels.get(key(level_name)) if level_name else None
                if level is None and level_name:
                    problem("level", _("Niveau inconnu : « %s ».") % level_name)
                elif level is None:
                    problem(
                        "school_class",
                        _("Classe inconnue : « %s » (indiquez son niveau pour la créer).")
                        % class_name,
                    )
                else:
                    line.school_class, line.new_class_level = class_name, level
                    if key(class_name) not in {key(n) for n in report.new_classes}:
                        report.new_classes.append(class_name)

        wards = [w for w in re.split(r"[,;|\s]+", cell(values, "guardian_of")) if w]
        if wards and line.profile and line.profile != Profile.GUARDIAN:
            problem("guardian_of", _("Seul un responsable a des élèves à charge."))
        elif line.profile == Profile.GUARDIAN and not wards:
            problem(
                "guardian_of", _("Indiquez l'identifiant de l'élève dont c'est le responsable.")
            )
        line.guardian_of = wards

        # The same person twice in the file.
        if line.directory_id:
            if line.directory_id in seen_ids:
                problem(
                    "directory_id",
                    _("Même identifiant que la ligne %d.") % seen_ids[line.directory_id],
                )
            seen_ids.setdefault(line.directory_id, number)
        who = (*_identity(line.last_name, line.first_name), line.birth_date or line.email.lower())
        if line.last_name and line.first_name and who[2]:
            if who in seen_people:
                problem("last_name", _("Même personne que la ligne %d.") % seen_people[who])
            seen_people.setdefault(who, number)
        if line.profile == Profile.STUDENT:
            file_students.update(i for i in (line.directory_id, line.ine) if i)

        # Someone already known: by directory id anywhere, by name and birth date (or e-mail)
        # among the establishment's people.
        names = _identity(line.last_name, line.first_name)
        existing = known.by_directory_id.get(line.directory_id) if line.directory_id else None
        if existing is not None and _identity(existing.last_name, existing.first_name) != names:
            problem(
                "directory_id",
                _("Cet identifiant annuaire appartient déjà à une autre personne."),
            )
            existing = None
        elif existing is None and line.birth_date:
            existing = known.by_name_birth.get((*names, line.birth_date))
        elif existing is None and line.email:
            existing = known.by_name_email.get((*names, line.email.lower()))
        for ward in wards if existing is None else []:
            existing = existing or known.by_name_ward.get((*names, ward))
        if existing is not None:
            line.existing = existing
            already = line.profile in known.profiles.get(existing.pk, set())
            report.notices.append(
                Problem(
                    number,
                    "",
                    _("Personne déjà connue : elle n'est pas recréée et reste inchangée.")
                    if already
                    else _("Personne déjà connue : elle est rattachée à l'établissement."),
                )
            )
        report.lines.append(line)

    # Guardians name their students by identifier: in the file or already in the establishment.
    for line in report.lines:
        for ward in line.guardian_of:
            if ward not in file_students and ward not in known.students:
                position = columns.get("guardian_of")
                report.errors.append(
                    Problem(
                        line.number,
                        header[position] if position is not None else "",
                        _("Élève inconnu : « %s » (ni dans le fichier ni dans l'établissement).")
                        % ward,
                    )
                )
    report.errors.sort(key=lambda p: p.line)
    return report


@dataclass(frozen=True)
class Created:
    person: Any
    profile: str
    activation_code: str


@dataclass
class Outcome:
    created: list[Created] = field(default_factory=list)
    attached: int = 0
    classes: int = 0
    guardianships: int = 0


def write(*, actor: Any, establishment: Any, report: Report, filename: str) -> Outcome:
    """Write a report without errors in one transaction: classes, students, teachers, guardians.

    New people go through directory.actions.do_create_member (audited, activation code, the
    student's enrolment); people already known get the membership they lack and their class.
    """
    if report.errors:
        raise ValueError("a report with errors is never written")
    year = current_school_year()
    outcome = Outcome()
    order = {Profile.STUDENT: 0, Profile.TEACHER: 1, Profile.GUARDIAN: 2}
    with transaction.atomic():
        classes: dict[str, Any] = {}
        for line in report.lines:
            if line.new_class_level is not None and key(line.school_class) not in classes:
                classes[key(line.school_class)] = directory.do_create_class(
                    actor=actor,
                    establishment=establishment,
                    name=line.school_class,
                    level=line.new_class_level,
                )
                outcome.classes += 1
        students: dict[str, Any] = {}
        for line in sorted(report.lines, key=lambda ln: (order[ln.profile], ln.number)):
            school_class = line.school_class
            if isinstance(school_class, str):
                school_class = classes[key(school_class)]
            person = line.existing
            if person is None:
                created = directory.do_create_member(
                    actor=actor,
                    establishment=establishment,
                    first_name=line.first_name,
                    last_name=line.last_name,
                    email=line.email,
                    birth_date=line.birth_date,
                    profile=line.profile,
                    school_class=school_class,
                )
                person = created.membership.person
                identifiers = {"directory_id": line.directory_id or None, "ine": line.ine}
                changed = [k for k, v in identifiers.items() if v]
                if changed:
                    for name in changed:
                        setattr(person, name, identifiers[name])
                    person.save(update_fields=changed)
                outcome.created.append(Created(person, line.profile, created.activation_code))
            else:
                membership, made = Membership.objects.get_or_create(
                    person=person,
                    establishment=establishment,
                    school_year=year,
                    profile=line.profile,
                )
                if made:
                    outcome.attached += 1
                    record(
                        actor=actor,
                        establishment=establishment,
                        action="rosters.member.attach",
                        target=membership,
                        after={"person": person.username, "profile": line.profile},
                    )
                already = Enrolment.objects.filter(
                    student=person, establishment=establishment, school_year=year
                ).values_list("school_class_id", flat=True)
                if (
                    school_class is not None
                    and line.profile == Profile.STUDENT
                    and school_class.pk not in already
                ):
                    directory.do_enrol_student(
                        actor=actor,
                        establishment=establishment,
                        student=person,
                        school_class=school_class,
                    )
            if line.profile == Profile.STUDENT:
                for identifier in (line.directory_id, line.ine):
                    if identifier:
                        students[identifier] = person
            for ward in line.guardian_of:
                student = students.get(ward) or _enrolled_student(establishment, year, ward)
                if not Guardianship.objects.filter(guardian=person, student=student).exists():
                    directory.do_link_guardian(
                        actor=actor, establishment=establishment, student=student, guardian=person
                    )
                    outcome.guardianships += 1
        record(
            actor=actor,
            establishment=establishment,
            action="rosters.csv.imported",
            after={
                "file": filename,
                "created": len(outcome.created),
                "attached": outcome.attached,
                "classes": outcome.classes,
                "guardianships": outcome.guardianships,
            },
        )
        versions.bump()
    return outcome


def _enrolled_student(establishment: Any, year: Any, identifier: str) -> Any:
    return User.objects.distinct().get(
        Q(directory_id=identifier) | Q(ine=identifier),
        memberships__establishment=establishment,
        memberships__school_year=year,
        memberships__profile=Profile.STUDENT,
        memberships__is_active=True,
    )
