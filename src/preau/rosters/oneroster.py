"""OneRoster 1.2 CSV (bulk) export and import of an establishment (mapping in docs/rosters.md).

The archive holds manifest.csv and the data files orgs, academicSessions, courses, classes,
users, roles and enrollments, their columns in the order of the 1EdTech CSV binding, followed
by ``metadata.preau.*`` extension columns that carry what OneRoster has no field for (the kind of
a course or class, the class or group an assignment teaches), so that an export imported again
gives the same export. sourcedIds are Préau's public ids; rows Préau has no id for (the school
year, a level's course, an enrolment) get a UUID derived from what they stand for.

In bulk mode the status and dateLastModified columns are left empty, as the binding asks.
The import checks the whole archive first (each problem named by file and line) and writes
nothing when there is one; a correct archive is written in one transaction, matched by sourcedId,
so importing it twice changes nothing the second time. It adds and updates, never deletes; it
never changes the identity of a person already known (their account may reach other schools).
"""

from __future__ import annotations

import csv
import io
import uuid
import zipfile
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from preau.audit.actions import record
from preau.core.actor import current_school_year
from preau.directory import versions
from preau.directory.actions import unique_username
from preau.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    EstablishmentKind,
    GroupMembership,
    Guardianship,
    Level,
    Membership,
    Period,
    PeriodKind,
    Profile,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)

User = get_user_model()

# Derived sourcedIds: stable across exports and databases.
NAMESPACE = uuid.UUID("5f0c3c52-8d3e-4f7e-9a53-6b0d2c1e7a10")

COMMON = ["sourcedId", "status", "dateLastModified"]
COLUMNS: dict[str, list[str]] = {
    "orgs": [*COMMON, "name", "type", "identifier", "parentSourcedId"],
    "academicSessions": [
        *COMMON,
        "title",
        "type",
        "startDate",
        "endDate",
        "parentSourcedId",
        "schoolYear",
    ],
    "courses": [
        *COMMON,
        "schoolYearSourcedId",
        "title",
        "courseCode",
        "grades",
        "orgSourcedId",
        "subjects",
        "subjectCodes",
    ],
    "classes": [
        *COMMON,
        "title",
        "grades",
        "courseSourcedId",
        "classCode",
        "classType",
        "location",
        "schoolSourcedId",
        "termSourcedIds",
        "subjects",
        "subjectCodes",
        "periods",
    ],
    "users": [
        *COMMON,
        "enabledUser",
        "username",
        "userIds",
        "givenName",
        "familyName",
        "middleName",
        "identifier",
        "email",
        "sms",
        "phone",
        "agentSourcedIds",
        "grades",
        "password",
        "userMasterIdentifier",
        "resourceSourcedIds",
        "preferredGivenName",
        "preferredMiddleName",
        "preferredFamilyName",
        "primaryOrgSourcedId",
        "pronouns",
    ],
    "roles": [
        *COMMON,
        "userSourcedId",
        "roleType",
        "role",
        "beginDate",
        "endDate",
        "orgSourcedId",
        "userProfileSourcedId",
    ],
    "enrollments": [
        *COMMON,
        "classSourcedId",
        "schoolSourcedId",
        "userSourcedId",
        "role",
        "primary",
        "beginDate",
        "endDate",
    ],
}
EXTENSIONS = {
    "orgs": ["metadata.preau.kind", "metadata.preau.city"],
    "courses": ["metadata.preau.kind", "metadata.preau.shortLabel"],
    "classes": ["metadata.preau.kind", "metadata.preau.section"],
}
REQUIRED = {
    "orgs": ["sourcedId", "name", "type"],
    "academicSessions": ["sourcedId", "title", "type", "startDate", "endDate", "schoolYear"],
    "courses": ["sourcedId", "title", "orgSourcedId"],
    "classes": [
        "sourcedId",
        "title",
        "courseSourcedId",
        "classType",
        "schoolSourcedId",
        "termSourcedIds",
    ],
    "users": ["sourcedId", "enabledUser", "givenName", "familyName"],
    "roles": ["sourcedId", "userSourcedId", "roleType", "role", "orgSourcedId"],
    "enrollments": ["sourcedId", "classSourcedId", "schoolSourcedId", "userSourcedId", "role"],
}
# Every file the 1.2 manifest lists; the ones Préau does not write are « absent ».
MANIFEST_FILES = [
    "academicSessions",
    "categories",
    "classes",
    "classResources",
    "courses",
    "courseResources",
    "demographics",
    "enrollments",
    "lineItemLearningObjectiveIds",
    "lineItems",
    "lineItemScoreScales",
    "orgs",
    "resources",
    "resultLearningObjectiveIds",
    "results",
    "resultScoreScales",
    "roles",
    "scoreScales",
    "userProfiles",
    "userResources",
    "users",
]

ROLES = {
    Profile.STUDENT: "student",
    Profile.GUARDIAN: "guardian",
    Profile.TEACHER: "teacher",
    Profile.DIRECTION: "principal",
    Profile.EDUCATION: "counselor",
    Profile.STAFF: "siteAdministrator",
    Profile.LIBRARIAN: "ext:documentaliste",
    Profile.AUTHORITY: "ext:collectivite",
}
PROFILES = {role: profile for profile, role in ROLES.items()} | {
    "parent": Profile.GUARDIAN,
    "relative": Profile.GUARDIAN,
    "administrator": Profile.STAFF,
}
PERIOD_TYPES = {PeriodKind.TRIMESTER: "term", PeriodKind.SEMESTER: "semester"}
PERIOD_KINDS = {"term": PeriodKind.TRIMESTER, "gradingPeriod": PeriodKind.TRIMESTER} | {
    "semester": PeriodKind.SEMESTER
}
# French year levels as the CEDS grade codes OneRoster uses.
GRADES = {
    "CP": "01",
    "CE1": "02",
    "CE2": "03",
    "CM1": "04",
    "CM2": "05",
    "6": "06",
    "5": "07",
    "4": "08",
    "3": "09",
    "2": "10",
    "1": "11",
    "T": "12",
}
MAX_ARCHIVE = 20_000_000
MAX_FILE = 50_000_000


def derived(*parts: Any) -> str:
    return str(uuid.uuid5(NAMESPACE, ":".join(str(p) for p in parts)))


def year_sourced_id(year: Any) -> str:
    return derived("school-year", year.label)


def _csv(columns: list[str], rows: list[list[Any]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(columns)
    for row in sorted(rows, key=lambda r: str(r[0])):
        writer.writerow(["" if v is None else str(v) for v in row])
    return out.getvalue().encode("utf-8")


# -- export ----------------------------------------------------------------------------------------


def export_files(establishment: Establishment) -> dict[str, bytes]:
    """The archive's files by name (a fixed number of queries)."""
    with translation.override("fr"):
        return _export_files(establishment)


def _export_files(school: Establishment) -> dict[str, bytes]:
    year = current_school_year()
    year_id = year_sourced_id(year)
    school_id = str(school.public_id)
    academy = school.academy
    end_year = str(year.end_date.year)
    empty = ["", ""]  # status and dateLastModified, left empty in bulk mode

    orgs = [
        [academy.public_id, *empty, academy.name, "district", academy.code, "", "", ""],
        [
            school.public_id,
            *empty,
            school.name,
            "school",
            school.uai,
            academy.public_id,
            school.kind,
            school.city,
        ],
    ]
    sessions = [
        [year_id, *empty, year.label, "schoolYear", year.start_date, year.end_date, "", end_year]
    ]
    for period in Period.objects.filter(establishment=school, school_year=year):
        sessions.append(
            [
                period.public_id,
                *empty,
                str(period),
                PERIOD_TYPES[period.kind],
                period.start_date,
                period.end_date,
                year_id,
                end_year,
            ]
        )

    classes = list(
        SchoolClass.objects.filter(establishment=school, school_year=year).select_related("level")
    )
    groups = list(TeachingGroup.objects.filter(establishment=school, school_year=year))
    subjects = list(Subject.objects.filter(establishment=school))
    assignments = list(
        TeachingAssignment.objects.filter(establishment=school, school_year=year).select_related(
            "subject", "school_class__level", "group"
        )
    )
    courses = []
    level_course = {}
    for level in {c.level_id: c.level for c in classes}.values():
        level_course[level.pk] = derived("level", school_id, level.code)
        courses.append(
            [
                level_course[level.pk],
                *empty,
                year_id,
                level.label,
                level.code,
                GRADES.get(level.code, ""),
                school_id,
                "",
                "",
                "level",
                "",
            ]
        )
    groups_course = derived("groups", school_id)
    if groups:
        courses.append(
            [
                groups_course,
                *empty,
                year_id,
                "Groupes",
                "GROUPES",
                "",
                school_id,
                "",
                "",
                "groups",
                "",
            ]
        )
    for subject in subjects:
        courses.append(
            [
                subject.public_id,
                *empty,
                year_id,
                subject.label,
                subject.code,
                "",
                school_id,
                subject.label,
                "",
                "subject",
                subject.short_label,
            ]
        )

    class_rows = []
    for c in classes:
        class_rows.append(
            [
                c.public_id,
                *empty,
                c.name,
                GRADES.get(c.level.code, ""),
                level_course[c.level_id],
                c.name,
                "homeroom",
                "",
                school_id,
                year_id,
                "",
                "",
                "",
                "class",
                "",
            ]
        )
    for g in groups:
        class_rows.append(
            [
                g.public_id,
                *empty,
                g.name,
                "",
                groups_course,
                g.name,
                "scheduled",
                "",
                school_id,
                year_id,
                "",
                "",
                "",
                "group",
                "",
            ]
        )
    for a in assignments:
        section = a.school_class or a.group
        grades = GRADES.get(a.school_class.level.code, "") if a.school_class else ""
        class_rows.append(
            [
                a.public_id,
                *empty,
                f"{a.subject.label} · {section.name}",
                grades,
                a.subject.public_id,
                a.subject.code,
                "scheduled",
                "",
                school_id,
                year_id,
                a.subject.label,
                "",
                "",
                "assignment",
                section.public_id,
            ]
        )

    memberships = list(
        Membership.objects.filter(establishment=school, school_year=year, is_active=True)
        .select_related("person")
        .order_by("person_id", "profile")
    )
    people = {m.person_id: m.person for m in memberships}
    enrolments = list(
        Enrolment.objects.filter(establishment=school, school_year=year).select_related(
            "school_class__level"
        )
    )
    class_of = {e.student_id: e.school_class for e in enrolments}
    guardianships = Guardianship.objects.filter(
        student_id__in=people, guardian_id__in=people
    ).values_list("guardian_id", "student_id")
    agents: dict[int, list[str]] = defaultdict(list)
    for guardian_id, student_id in guardianships:
        agents[student_id].append(str(people[guardian_id].public_id))
        agents[guardian_id].append(str(people[student_id].public_id))

    users = []
    for person in people.values():
        school_class = class_of.get(person.pk)
        users.append(
            [
                person.public_id,
                *empty,
                "true" if person.is_active else "false",
                person.username,
                f"{{AAF:{person.directory_id}}}" if person.directory_id else "",
                person.first_name,
                person.last_name,
                "",
                person.ine,
                person.email,
                "",
                "",
                ",".join(sorted(agents.get(person.pk, []))),
                GRADES.get(school_class.level.code, "") if school_class else "",
                "",
                "",
                "",
                "",
                "",
                "",
                school_id,
                "",
            ]
        )
    roles = []
    seen: set[int] = set()
    for m in memberships:
        kind = "secondary" if m.person_id in seen else "primary"
        seen.add(m.person_id)
        roles.append(
            [m.public_id, *empty, m.person.public_id, kind, ROLES[m.profile], "", "", school_id, ""]
        )

    enrollments = []

    def enrol(kind: str, section: Any, person: Any, role: str, primary: str) -> None:
        enrollments.append(
            [
                derived(kind, section.public_id, person.public_id),
                *empty,
                section.public_id,
                school_id,
                person.public_id,
                role,
                primary,
                "",
                "",
            ]
        )

    students_of_class: dict[int, list[Any]] = defaultdict(list)
    for e in enrolments:
        if e.student_id in people:
            students_of_class[e.school_class_id].append(people[e.student_id])
            enrol("enrolment", e.school_class, people[e.student_id], "student", "false")
    for c in classes:
        if c.head_teacher_id in people:
            enrol("head-teacher", c, people[c.head_teacher_id], "teacher", "true")
    students_of_group: dict[int, list[Any]] = defaultdict(list)
    for gm in GroupMembership.objects.filter(
        establishment=school, group__school_year=year
    ).select_related("group"):
        if gm.student_id in people:
            students_of_group[gm.group_id].append(people[gm.student_id])
            enrol("group", gm.group, people[gm.student_id], "student", "false")
    for a in assignments:
        if a.teacher_id in people:
            enrol("assignment", a, people[a.teacher_id], "teacher", "true")
        section_students = (
            students_of_class[a.school_class_id]
            if a.school_class_id
            else students_of_group[a.group_id]
        )
        for student in section_students:
            enrol("assignment", a, student, "student", "false")

    manifest = [
        ["manifest.version", "1.0"],
        ["oneroster.version", "1.2"],
        *[[f"file.{name}", "bulk" if name in COLUMNS else "absent"] for name in MANIFEST_FILES],
        ["source.systemName", "Préau"],
        ["source.systemCode", school.uai],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["propertyName", "value"])
    writer.writerows(manifest)
    files = {"manifest.csv": out.getvalue().encode("utf-8")}
    data = {
        "orgs": orgs,
        "academicSessions": sessions,
        "courses": courses,
        "classes": class_rows,
        "users": users,
        "roles": roles,
        "enrollments": enrollments,
    }
    for name, rows in data.items():
        files[f"{name}.csv"] = _csv(COLUMNS[name] + EXTENSIONS.get(name, []), rows)
    return files


def export_zip(establishment: Establishment) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in export_files(establishment).items():
            # A fixed date keeps two exports of the same data byte for byte identical.
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
    return buffer.getvalue()


# -- import ----------------------------------------------------------------------------------------


@dataclass
class Problem:
    file: str
    line: int
    message: str


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    counts: list[tuple[str, int]] = field(default_factory=list)
    dry_run: bool = False
    establishment: Any = None


class _Archive:
    """The archive's rows by file, each a dict of column to value, with its line number."""

    def __init__(self) -> None:
        self.rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
        self.problems: list[Problem] = []

    def problem(self, file: str, line: int, message: str) -> None:
        self.problems.append(Problem(file, line, message))


def _read_archive(raw: bytes) -> _Archive:
    archive = _Archive()
    try:
        zipped = zipfile.ZipFile(io.BytesIO(raw))
        names = set(zipped.namelist())
    except zipfile.BadZipFile:
        archive.problem("", 0, _("Ce fichier n'est pas une archive ZIP."))
        return archive
    if sum(info.file_size for info in zipped.infolist()) > MAX_FILE:
        archive.problem("", 0, _("L'archive décompressée dépasse 50 Mo."))
        return archive
    if "manifest.csv" not in names:
        archive.problem("manifest.csv", 0, _("Fichier manquant."))
        return archive
    manifest = dict(
        ([*row, "", ""])[:2]
        for row in csv.reader(io.StringIO(zipped.read("manifest.csv").decode("utf-8-sig")))
    )
    if manifest.get("oneroster.version") != "1.2":
        archive.problem("manifest.csv", 0, _("La version OneRoster doit être 1.2."))
    for name in COLUMNS:
        filename = f"{name}.csv"
        if manifest.get(f"file.{name}") != "bulk":
            archive.problem("manifest.csv", 0, _("« file.%s » doit valoir « bulk ».") % name)
            continue
        if filename not in names:
            archive.problem(filename, 0, _("Fichier manquant."))
            continue
        try:
            text = zipped.read(filename).decode("utf-8-sig")
        except UnicodeDecodeError:
            archive.problem(filename, 0, _("Le fichier doit être encodé en UTF-8."))
            continue
        reader = csv.reader(io.StringIO(text, newline=""))
        header = next(reader, [])
        expected = COLUMNS[name]
        if header[: len(expected)] != expected:
            archive.problem(filename, 1, _("En-tête attendu : %s.") % ",".join(expected))
            continue
        extra = header[len(expected) :]
        if any(not column.startswith("metadata.") for column in extra):
            archive.problem(
                filename, 1, _("Les colonnes ajoutées doivent commencer par « metadata. ».")
            )
            continue
        rows = []
        seen: set[str] = set()
        for number, values in enumerate(reader, start=2):
            if not any(values):
                continue
            row = dict(zip(header, [*values, *[""] * (len(header) - len(values))], strict=False))
            for column in REQUIRED[name]:
                if not row.get(column, "").strip():
                    archive.problem(
                        filename, number, _("Valeur obligatoire manquante : « %s ».") % column
                    )
            if row.get("status", "") not in ("", "active", "tobedeleted"):
                archive.problem(filename, number, _("Statut inconnu : « %s ».") % row["status"])
            if row.get("sourcedId") in seen:
                archive.problem(
                    filename, number, _("sourcedId en double : « %s ».") % row["sourcedId"]
                )
            seen.add(row.get("sourcedId", ""))
            if row.get("status") != "tobedeleted":
                rows.append((number, row))
        archive.rows[name] = rows
    return archive


def _uuid(value: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def _iso(value: str) -> date | None:
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


@dataclass
class _Plan:
    """What the archive says, checked and resolved against the database."""

    academy: dict[str, str] = field(default_factory=dict)
    school: dict[str, str] = field(default_factory=dict)
    periods: list[dict[str, Any]] = field(default_factory=list)
    subjects: dict[str, dict[str, str]] = field(default_factory=dict)
    levels: dict[str, Level] = field(default_factory=dict)  # course sourcedId → level
    classes: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups: dict[str, dict[str, Any]] = field(default_factory=dict)
    assignments: dict[str, dict[str, Any]] = field(default_factory=dict)
    users: dict[str, dict[str, str]] = field(default_factory=dict)
    roles: list[dict[str, str]] = field(default_factory=list)
    enrollments: list[dict[str, str]] = field(default_factory=list)


def _plan(archive: _Archive, establishment: Establishment | None) -> _Plan:
    plan = _Plan()
    problem = archive.problem
    year = current_school_year()

    schools = [(n, r) for n, r in archive.rows.get("orgs", []) if r["type"] == "school"]
    if len(schools) != 1:
        problem("orgs.csv", 0, _("L'archive doit décrire un seul établissement (type school)."))
        return plan
    number, plan.school = schools[0]
    school_id = plan.school["sourcedId"]
    if establishment is not None and plan.school.get("identifier") != establishment.uai:
        problem(
            "orgs.csv",
            number,
            _("Cette archive décrit l'établissement « %(uai)s », pas « %(ours)s ».")
            % {"uai": plan.school.get("identifier"), "ours": establishment.uai},
        )
        return plan
    if establishment is None:
        if _uuid(school_id) is None:
            problem("orgs.csv", number, _("Le sourcedId d'un établissement doit être un UUID."))
        parents = {r["sourcedId"]: r for _n, r in archive.rows["orgs"] if r["type"] == "district"}
        plan.academy = parents.get(plan.school.get("parentSourcedId", ""), {})
        if not plan.academy:
            problem("orgs.csv", number, _("L'académie (type district) parente est absente."))
        if plan.school.get("metadata.preau.kind") not in EstablishmentKind.values:
            problem("orgs.csv", number, _("Type d'établissement inconnu (metadata.preau.kind)."))

    # Rows that already exist elsewhere must not be taken over through their sourcedId.
    owned: dict[type, set[str]] = {}
    ids = {
        model: {r["sourcedId"] for _n, r in archive.rows.get(file, []) if _uuid(r["sourcedId"])}
        for model, file in (
            (Period, "academicSessions"),
            (Subject, "courses"),
            (SchoolClass, "classes"),
            (TeachingGroup, "classes"),
            (TeachingAssignment, "classes"),
            (Membership, "roles"),
        )
    }
    for model, wanted in ids.items():
        elsewhere = model.objects.filter(public_id__in=wanted)
        if establishment is not None:
            elsewhere = elsewhere.exclude(establishment=establishment)
        else:
            elsewhere = elsewhere.exclude(establishment__uai=plan.school.get("identifier"))
        owned[model] = {str(v) for v in elsewhere.values_list("public_id", flat=True)}

    def foreign(model: type, file: str, number: int, sourced_id: str) -> bool:
        if sourced_id in owned[model]:
            problem(
                file,
                number,
                _("Le sourcedId « %s » appartient à un autre établissement.") % sourced_id,
            )
            return True
        return False

    def valid_id(file: str, number: int, value: str) -> bool:
        if _uuid(value) is None:
            problem(file, number, _("Le sourcedId « %s » doit être un UUID.") % value)
            return False
        return True

    # Academic sessions: the current school year and its periods.
    year_ids = set()
    periods = []
    for number, row in archive.rows.get("academicSessions", []):
        start, end = _iso(row["startDate"]), _iso(row["endDate"])
        if start is None or end is None:
            problem("academicSessions.csv", number, _("Date illisible (AAAA-MM-JJ)."))
            continue
        if row["type"] == "schoolYear":
            if row["title"] != year.label:
                problem(
                    "academicSessions.csv",
                    number,
                    _("L'année « %(title)s » n'est pas l'année en cours (%(year)s).")
                    % {"title": row["title"], "year": year.label},
                )
            year_ids.add(row["sourcedId"])
        elif row["type"] in PERIOD_KINDS:
            if valid_id("academicSessions.csv", number, row["sourcedId"]) and not foreign(
                Period, "academicSessions.csv", number, row["sourcedId"]
            ):
                if end <= start:
                    problem("academicSessions.csv", number, _("La fin doit être après le début."))
                periods.append(
                    {"id": row["sourcedId"], "kind": PERIOD_KINDS[row["type"]]}
                    | {"start": start, "end": end}
                )
        else:
            problem("academicSessions.csv", number, _("Type inconnu : « %s ».") % row["type"])
    if not year_ids:
        problem("academicSessions.csv", 0, _("L'année scolaire (type schoolYear) est absente."))
    for number, p in enumerate(sorted(periods, key=lambda p: p["start"]), start=1):
        plan.periods.append(p | {"number": number})

    # Courses: levels, groups, subjects.
    levels = {level.code: level for level in Level.objects.all()}
    course_kind: dict[str, str] = {}
    codes: dict[str, str] = {}
    for number, row in archive.rows.get("courses", []):
        kind = row.get("metadata.preau.kind") or "subject"
        course_kind[row["sourcedId"]] = kind
        if kind == "level":
            level = levels.get(row["courseCode"])
            if level is None:
                problem("courses.csv", number, _("Niveau inconnu : « %s ».") % row["courseCode"])
            else:
                plan.levels[row["sourcedId"]] = level
        elif kind == "subject":
            if not row["courseCode"]:
                problem("courses.csv", number, _("Valeur obligatoire manquante : « courseCode »."))
            elif row["courseCode"] in codes:
                problem(
                    "courses.csv",
                    number,
                    _("Code de matière en double : « %s ».") % row["courseCode"],
                )
            codes[row["courseCode"]] = row["sourcedId"]
            if valid_id("courses.csv", number, row["sourcedId"]) and not foreign(
                Subject, "courses.csv", number, row["sourcedId"]
            ):
                plan.subjects[row["sourcedId"]] = row
    if establishment is not None:
        taken = Subject.objects.filter(establishment=establishment, code__in=codes).exclude(
            public_id__in=[s for s in codes.values() if _uuid(s)]
        )
        for subject in taken:
            problem(
                "courses.csv",
                0,
                _("Le code de matière « %s » est déjà celui d'une autre matière.") % subject.code,
            )

    # Users and their roles.
    users = {r["sourcedId"]: (n, r) for n, r in archive.rows.get("users", [])}
    for sourced_id, (number, row) in users.items():
        if valid_id("users.csv", number, sourced_id):
            plan.users[sourced_id] = row
        if row["enabledUser"] not in ("true", "false"):
            problem("users.csv", number, _("enabledUser vaut « true » ou « false »."))
    profiles: dict[str, set[str]] = defaultdict(set)
    for number, row in archive.rows.get("roles", []):
        if row["userSourcedId"] not in users:
            problem("roles.csv", number, _("Personne inconnue : « %s ».") % row["userSourcedId"])
        elif row["orgSourcedId"] != school_id:
            continue  # a role in another organisation of the archive
        elif row["role"] not in PROFILES:
            problem("roles.csv", number, _("Rôle inconnu : « %s ».") % row["role"])
        elif valid_id("roles.csv", number, row["sourcedId"]) and not foreign(
            Membership, "roles.csv", number, row["sourcedId"]
        ):
            profiles[row["userSourcedId"]].add(PROFILES[row["role"]])
            plan.roles.append(row | {"profile": PROFILES[row["role"]]})

    # Classes: homeroom classes, groups, teaching assignments.
    rows = archive.rows.get("classes", [])
    for number, row in rows:
        kind = row.get("metadata.preau.kind") or (
            "class" if row["classType"] == "homeroom" else "group"
        )
        if not valid_id("classes.csv", number, row["sourcedId"]):
            continue
        if row["schoolSourcedId"] != school_id:
            problem(
                "classes.csv", number, _("Établissement inconnu : « %s ».") % row["schoolSourcedId"]
            )
        if not set(row["termSourcedIds"].split(",")) & year_ids:
            problem(
                "classes.csv", number, _("La classe n'est pas de l'année scolaire de l'archive.")
            )
        course = row["courseSourcedId"]
        if course not in course_kind:
            problem("classes.csv", number, _("Cours inconnu : « %s ».") % course)
            continue
        if kind == "class":
            if course not in plan.levels:
                problem("classes.csv", number, _("Le cours d'une classe doit être un niveau."))
            elif not foreign(SchoolClass, "classes.csv", number, row["sourcedId"]):
                plan.classes[row["sourcedId"]] = {
                    "name": row["title"],
                    "level": plan.levels[course],
                }
        elif kind == "group":
            if not foreign(TeachingGroup, "classes.csv", number, row["sourcedId"]):
                plan.groups[row["sourcedId"]] = {"name": row["title"], "students": []}
        elif kind == "assignment":
            if course not in plan.subjects:
                problem(
                    "classes.csv", number, _("Le cours d'un enseignement doit être une matière.")
                )
            elif not foreign(TeachingAssignment, "classes.csv", number, row["sourcedId"]):
                plan.assignments[row["sourcedId"]] = {
                    "subject": course,
                    "section": row.get("metadata.preau.section", ""),
                    "number": number,
                    "teacher": None,
                }
        else:
            problem("classes.csv", number, _("Genre de classe inconnu : « %s ».") % kind)
    for assignment in plan.assignments.values():
        if assignment["section"] not in plan.classes and assignment["section"] not in plan.groups:
            problem(
                "classes.csv",
                assignment["number"],
                _("Classe ou groupe enseigné inconnu (metadata.preau.section)."),
            )

    # Enrollments.
    for number, row in archive.rows.get("enrollments", []):
        section, person = row["classSourcedId"], row["userSourcedId"]
        if person not in plan.users:
            problem("enrollments.csv", number, _("Personne inconnue : « %s ».") % person)
            continue
        if row["role"] not in ("student", "teacher"):
            problem("enrollments.csv", number, _("Rôle inconnu : « %s ».") % row["role"])
            continue
        expected = Profile.STUDENT if row["role"] == "student" else Profile.TEACHER
        if expected not in profiles[person] and not (
            row["role"] == "teacher" and profiles[person] & {Profile.DIRECTION, Profile.LIBRARIAN}
        ):
            problem(
                "enrollments.csv",
                number,
                _("Cette personne n'a pas le rôle « %s » dans l'établissement.") % row["role"],
            )
            continue
        if section in plan.classes:
            key = "students" if row["role"] == "student" else "head_teacher"
            plan.enrollments.append({"class": section, "person": person, "as": key})
        elif section in plan.groups:
            if row["role"] == "student":
                plan.groups[section]["students"].append(person)
        elif section in plan.assignments:
            if row["role"] == "teacher" and row.get("primary") != "false":
                plan.assignments[section]["teacher"] = person
        else:
            problem("enrollments.csv", number, _("Classe inconnue : « %s ».") % section)
    for assignment in plan.assignments.values():
        if assignment["teacher"] is None:
            problem(
                "classes.csv", assignment["number"], _("Cet enseignement n'a pas d'enseignant.")
            )
    if establishment is not None:
        _conflicts(plan, establishment, year, problem)
    return plan


def _conflicts(plan: _Plan, establishment: Establishment, year: Any, problem: Any) -> None:
    """Rows of the establishment, under other sourcedIds, that the archive's would collide with."""
    scope = {"establishment": establishment, "school_year": year}
    numbers = {p["number"] for p in plan.periods}
    for period in Period.objects.filter(number__in=numbers, **scope).exclude(
        public_id__in=[p["id"] for p in plan.periods]
    ):
        problem(
            "academicSessions.csv",
            0,
            _("L'établissement a déjà une période « %s » sous un autre sourcedId.") % period,
        )
    for model, rows in ((SchoolClass, plan.classes), (TeachingGroup, plan.groups)):
        names = {values["name"] for values in rows.values()}
        for row in model.objects.filter(name__in=names, **scope).exclude(public_id__in=list(rows)):
            problem(
                "classes.csv",
                0,
                _("L'établissement a déjà « %s » sous un autre sourcedId.") % row.name,
            )
    existing = TeachingAssignment.objects.filter(**scope).exclude(
        public_id__in=list(plan.assignments)
    )
    taken = {
        (
            str(a.teacher.public_id),
            str(a.subject.public_id),
            str((a.school_class or a.group).public_id),
        )
        for a in existing.select_related("teacher", "subject", "school_class", "group")
    }
    for values in plan.assignments.values():
        if (values["teacher"], values["subject"], values["section"]) in taken:
            problem(
                "classes.csv",
                values["number"],
                _("Ce service d'enseignement existe déjà sous un autre sourcedId."),
            )


def check_archive(raw: bytes, establishment: Establishment | None) -> tuple[_Plan, list[Problem]]:
    archive = _read_archive(raw)
    if archive.problems:
        return _Plan(), archive.problems
    plan = _plan(archive, establishment)
    return plan, sorted(archive.problems, key=lambda p: (p.file, p.line))


def do_import_zip(
    *, actor: Any, establishment: Establishment | None, upload: Any, dry_run: bool = False
) -> Result:
    """Check the archive; unless ``dry_run``, write it in one transaction when it is correct.

    ``establishment`` None (the command line): the archive's school is found by its UAI, or
    created with its academy."""
    raw = upload.read(MAX_ARCHIVE + 1)
    if len(raw) > MAX_ARCHIVE:
        return Result([Problem("", 0, _("L'archive dépasse 20 Mo."))], dry_run=dry_run)
    if establishment is None:
        plan, problems = check_archive(raw, None)
        if not problems:
            found = Establishment.objects.filter(uai=plan.school.get("identifier")).first()
            if found is not None:
                plan, problems = check_archive(raw, found)
            establishment = found
    else:
        plan, problems = check_archive(raw, establishment)
    if problems or dry_run:
        return Result(problems, counts=_counts(plan), dry_run=dry_run, establishment=establishment)
    with transaction.atomic():
        establishment = _write(actor, establishment, plan)
    return Result(counts=_counts(plan), establishment=establishment)


def _counts(plan: _Plan) -> list[tuple[str, int]]:
    return [
        (_("Périodes"), len(plan.periods)),
        (_("Matières"), len(plan.subjects)),
        (_("Classes"), len(plan.classes)),
        (_("Groupes"), len(plan.groups)),
        (_("Services d'enseignement"), len(plan.assignments)),
        (_("Personnes"), len(plan.users)),
        (_("Rattachements"), len(plan.roles)),
    ]


def _upsert(model: type, public_id: str, values: dict[str, Any], **scope: Any) -> tuple[Any, bool]:
    """The row with this public id, created or brought up to date; whether it changed."""
    row = model.objects.filter(public_id=public_id).first()
    if row is None:
        return model.objects.create(public_id=public_id, **scope, **values), True
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    for name in changed:
        setattr(row, name, values[name])
    if changed:
        row.save(update_fields=changed)
    return row, bool(changed)


def _write(actor: Any, establishment: Establishment | None, plan: _Plan) -> Establishment:
    year = current_school_year()
    if establishment is None:
        academy = Academy.objects.filter(code=plan.academy["identifier"]).first()
        if academy is None:
            academy = Academy.objects.create(
                public_id=plan.academy["sourcedId"],
                code=plan.academy["identifier"],
                name=plan.academy["name"],
            )
        establishment = Establishment.objects.create(
            public_id=plan.school["sourcedId"],
            uai=plan.school["identifier"],
            name=plan.school["name"],
            kind=plan.school["metadata.preau.kind"],
            city=plan.school.get("metadata.preau.city", ""),
            academy=academy,
        )
        record(
            actor=actor,
            establishment=establishment,
            action="rosters.oneroster.establishment",
            target=establishment,
            after={"uai": establishment.uai, "name": establishment.name},
        )
    scope = {"establishment": establishment}
    changes: dict[str, int] = defaultdict(int)

    def note(kind: str, changed: bool) -> None:
        if changed:
            changes[kind] += 1

    for p in plan.periods:
        note(
            "periods",
            _upsert(
                Period,
                p["id"],
                {"kind": p["kind"], "number": p["number"], "start_date": p["start"]}
                | {"end_date": p["end"]},
                school_year=year,
                **scope,
            )[1],
        )
    subjects = {}
    for sourced_id, row in plan.subjects.items():
        values = {
            "code": row["courseCode"],
            "label": row["title"],
            "short_label": row.get("metadata.preau.shortLabel", ""),
        }
        subjects[sourced_id], changed = _upsert(Subject, sourced_id, values, **scope)
        note("subjects", changed)
    classes = {}
    for sourced_id, values in plan.classes.items():
        classes[sourced_id], changed = _upsert(
            SchoolClass, sourced_id, values, school_year=year, **scope
        )
        note("classes", changed)

    # People: found by sourcedId, or created with it; a known person's identity is kept.
    known = {str(u.public_id): u for u in User.objects.filter(public_id__in=list(plan.users))}
    people = {}
    for sourced_id, row in plan.users.items():
        person = known.get(sourced_id)
        if person is None:
            username = row.get("username", "")
            if not username or User.objects.filter(username__iexact=username).exists():
                username = unique_username(row["givenName"], row["familyName"])
            directory_id = row.get("userIds", "").strip("{}").partition("AAF:")[2] or None
            if directory_id and User.objects.filter(directory_id=directory_id).exists():
                directory_id = None
            person = User(
                public_id=sourced_id,
                username=username,
                first_name=row["givenName"],
                last_name=row["familyName"],
                email=row.get("email", ""),
                ine=row.get("identifier", "")[:11],
                directory_id=directory_id,
                is_active=row["enabledUser"] == "true",
            )
            person.set_unusable_password()
            person.save()
            changes["people"] += 1
        people[sourced_id] = person
    for row in plan.roles:
        person = people[row["userSourcedId"]]
        membership = Membership.objects.filter(public_id=row["sourcedId"]).first() or (
            Membership.objects.filter(
                person=person, school_year=year, profile=row["profile"], **scope
            ).first()
        )
        if membership is None:
            membership = Membership.objects.create(
                public_id=row["sourcedId"],
                person=person,
                school_year=year,
                profile=row["profile"],
                **scope,
            )
            record(
                actor=actor,
                establishment=establishment,
                action="rosters.member.attach",
                target=membership,
                after={"person": person.username, "profile": row["profile"]},
            )
            changes["memberships"] += 1

    for entry in plan.enrollments:
        school_class, person = classes[entry["class"]], people[entry["person"]]
        if entry["as"] == "head_teacher":
            if school_class.head_teacher_id != person.pk:
                school_class.head_teacher = person
                school_class.save(update_fields=["head_teacher"])
                changes["classes"] += 1
            continue
        enrolment = Enrolment.objects.filter(student=person, school_year=year, **scope).first()
        if enrolment is None:
            Enrolment.objects.create(
                student=person, school_year=year, school_class=school_class, **scope
            )
            changes["enrolments"] += 1
        elif enrolment.school_class_id != school_class.pk:
            enrolment.school_class = school_class
            enrolment.save(update_fields=["school_class"])
            changes["enrolments"] += 1
    groups = {}
    for sourced_id, values in plan.groups.items():
        group, changed = _upsert(
            TeachingGroup, sourced_id, {"name": values["name"]}, school_year=year, **scope
        )
        note("groups", changed)
        groups[sourced_id] = group
        present = set(
            GroupMembership.objects.filter(group=group).values_list("student_id", flat=True)
        )
        missing = {people[s].pk for s in values["students"]} - present
        GroupMembership.objects.bulk_create(
            [GroupMembership(group=group, student_id=pk, **scope) for pk in sorted(missing)]
        )
        if missing:
            changes["group members"] += len(missing)
    for sourced_id, values in plan.assignments.items():
        section = values["section"]
        _assignment, changed = _upsert(
            TeachingAssignment,
            sourced_id,
            {
                "teacher": people[values["teacher"]],
                "subject": subjects[values["subject"]],
                "school_class": classes.get(section),
                "group": groups.get(section),
            },
            school_year=year,
            **scope,
        )
        note("assignments", changed)

    # Guardians, from the students' agents.
    guardians = {r["userSourcedId"] for r in plan.roles if r["profile"] == Profile.GUARDIAN}
    for sourced_id, row in plan.users.items():
        for agent in filter(None, row.get("agentSourcedIds", "").split(",")):
            student, guardian = people.get(sourced_id), people.get(agent)
            if agent not in guardians or student is None or guardian is None or agent == sourced_id:
                continue
            _link, made = Guardianship.objects.get_or_create(guardian=guardian, student=student)
            note("guardianships", made)

    record(
        actor=actor,
        establishment=establishment,
        action="rosters.oneroster.imported",
        after=dict(sorted(changes.items())),
    )
    versions.bump()
    return establishment
