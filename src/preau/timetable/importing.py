"""Import of a timetable from a CSV file (columns in docs/timetable.md).

The whole file is checked first; any problem — a name not found, a time that does not read, two
courses of the same teacher, room, class or group at overlapping times, a date outside the
school year — is reported with its line and column, and nothing is imported. A correct file is
imported in one transaction: the courses, then all their lessons at once.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Case, F, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from preau.audit.actions import record
from preau.directory.models import Profile, SchoolClass, Subject, TeachingGroup
from preau.portal.panel_cache import bump_scope
from preau.timetable.generation import delete_free_lessons, sync_lessons
from preau.timetable.models import Course, CourseTeacher, Lesson, Weeks

User = get_user_model()

MAX_BYTES = 1_000_000
MAX_LINES = 5000
MAX_SHOWN = 200
COLUMNS = ["classe", "groupe", "matiere", "enseignants", "salle", "jour", "debut", "fin"]
OPTIONAL = ["semaine", "du", "au"]
DAYS = {"lundi": 1, "mardi": 2, "mercredi": 3, "jeudi": 4, "vendredi": 5, "samedi": 6}
TIME = re.compile(r"^(\d{1,2})\s*[:hH]\s*(\d{2})?$")


@dataclass
class Problem:
    line: int
    column: str
    message: str


@dataclass
class Row:
    line: int
    school_class: Any = None
    group: Any = None
    subject: Any = None
    teachers: list[Any] = field(default_factory=list)
    room: str = ""
    weekday: int = 0
    start: time | None = None
    end: time | None = None
    weeks: str = Weeks.EVERY
    valid_from: date | None = None
    valid_until: date | None = None


@dataclass
class Result:
    problems: list[Problem] = field(default_factory=list)
    courses: int = 0
    lessons: int = 0


def _key(text: str) -> str:
    """Compare names without case, accents or extra spaces."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return " ".join(text.lower().split())


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _time(value: str) -> time | None:
    match = TIME.match(value.strip())
    if not match:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2) or 0)
    if hours > 23 or minutes > 59:
        return None
    return time(hours, minutes)


def _date(value: str) -> date | None:
    value = value.strip()
    for pattern in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(value, pattern).date()
        except ValueError:
            continue
    return None


def read_rows(
    text: str, *, establishment: Any, school_year: Any
) -> tuple[list[Row], list[Problem]]:
    """Parse and check every line against the establishment's names (5 queries)."""
    problems: list[Problem] = []
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=";,\t")
    except csv.Error:
        dialect = csv.excel
        dialect.delimiter = ";"
    reader = csv.reader(io.StringIO(text), dialect)
    header = next(reader, None)
    if not header:
        return [], [Problem(1, "", _("Le fichier est vide."))]
    names = [_key(h) for h in header]
    missing = [c for c in COLUMNS if c not in names]
    if missing:
        return [], [Problem(1, c, _("Colonne manquante : « %s ».") % c) for c in missing]
    index = {name: names.index(name) for name in COLUMNS + OPTIONAL if name in names}

    classes = {
        _key(c.name): c
        for c in SchoolClass.objects.filter(establishment=establishment, school_year=school_year)
    }
    groups = {
        _key(g.name): g
        for g in TeachingGroup.objects.filter(establishment=establishment, school_year=school_year)
    }
    subjects: dict[str, Subject] = {}
    for subject in Subject.objects.filter(establishment=establishment):
        for name in (subject.code, subject.label, subject.short_label):
            if name:
                subjects.setdefault(_key(name), subject)
    teachers: dict[str, Any] = {}
    for teacher in User.objects.filter(
        memberships__establishment=establishment,
        memberships__school_year=school_year,
        memberships__profile=Profile.TEACHER,
        is_active=True,
    ).distinct():
        teachers[_key(teacher.username)] = teacher
        if teacher.email:
            teachers.setdefault(_key(teacher.email), teacher)

    rows: list[Row] = []
    for number, values in enumerate(reader, start=2):
        if number > MAX_LINES + 1:
            problems.append(Problem(number, "", _("Trop de lignes (au plus %d).") % MAX_LINES))
            break
        if not any(v.strip() for v in values):
            continue

        def cell(name: str, values: list[str] = values) -> str:
            position = index.get(name)
            return (
                values[position].strip() if position is not None and position < len(values) else ""
            )

        def problem(column: str, message: str, number: int = number) -> None:
            problems.append(Problem(number, column, message))

        row = Row(line=number)
        class_name, group_name = cell("classe"), cell("groupe")
        if bool(class_name) == bool(group_name):
            problem("classe", _("Indiquez une classe ou un groupe (l'un des deux)."))
        elif class_name:
            row.school_class = classes.get(_key(class_name))
            if row.school_class is None:
                problem("classe", _("Classe inconnue : « %s ».") % class_name)
        else:
            row.group = groups.get(_key(group_name))
            if row.group is None:
                problem("groupe", _("Groupe inconnu : « %s ».") % group_name)
        row.subject = subjects.get(_key(cell("matiere")))
        if row.subject is None:
            problem("matiere", _("Matière inconnue : « %s ».") % cell("matiere"))
        names_given = [n for n in re.split(r"[,|]", cell("enseignants")) if n.strip()]
        if not names_given:
            problem("enseignants", _("Indiquez au moins un enseignant."))
        for name in names_given:
            teacher = teachers.get(_key(name))
            if teacher is None:
                problem(
                    "enseignants",
                    _("Enseignant inconnu dans l'établissement : « %s ».") % name.strip(),
                )
            else:
                row.teachers.append(teacher)
        row.room = cell("salle")[:40]
        day = _key(cell("jour"))
        row.weekday = DAYS.get(day) or (int(day) if day.isdigit() and 1 <= int(day) <= 6 else 0)
        if not row.weekday:
            problem("jour", _("Jour illisible : « %s » (lundi … samedi).") % cell("jour"))
        row.start, row.end = _time(cell("debut")), _time(cell("fin"))
        if row.start is None:
            problem("debut", _("Heure illisible : « %s » (HH:MM).") % cell("debut"))
        if row.end is None:
            problem("fin", _("Heure illisible : « %s » (HH:MM).") % cell("fin"))
        if row.start and row.end and row.end <= row.start:
            problem("fin", _("La fin doit être après le début."))
        weeks = cell("semaine").upper()
        if weeks in ("", "TOUTES", "T"):
            row.weeks = Weeks.EVERY
        elif weeks in ("A", "B"):
            row.weeks = weeks
        else:
            problem("semaine", _("Semaine illisible : « %s » (vide, A ou B).") % cell("semaine"))
        for column, attribute in (("du", "valid_from"), ("au", "valid_until")):
            if not cell(column):
                continue
            value = _date(cell(column))
            if value is None:
                problem(column, _("Date illisible : « %s » (JJ/MM/AAAA).") % cell(column))
            elif not school_year.start_date <= value <= school_year.end_date:
                problem(
                    column,
                    _("Le %(day)s est en dehors de l'année scolaire %(year)s.")
                    % {"day": cell(column), "year": school_year.label},
                )
            else:
                setattr(row, attribute, value)
        if row.valid_from and row.valid_until and row.valid_until < row.valid_from:
            problem("au", _("La fin doit être après le début."))
        rows.append(row)
    return rows, problems


def _weeks_meet(a: str, b: str) -> bool:
    return a == Weeks.EVERY or b == Weeks.EVERY or a == b


def _ranges_meet(a: Any, b: Any) -> bool:
    first = max(a.valid_from or date.min, b.valid_from or date.min)
    last = min(a.valid_until or date.max, b.valid_until or date.max)
    return first <= last


def overlaps(rows: list[Any]) -> list[Problem]:
    """Two courses that would be at the same time for the same teacher, room, class or group.

    ``rows`` are ``Row``s (line numbers) or existing courses (line 0). Compared within each
    weekday, so the work grows with the courses of a day, not their square over the week."""
    problems = []
    by_day: dict[int, list[Any]] = {}
    for row in rows:
        by_day.setdefault(row.weekday, []).append(row)

    def describe(row: Any) -> str:
        if isinstance(row, Row):
            return _("la ligne %d") % row.line
        return _("le cours existant %s") % row

    for day_rows in by_day.values():
        day_rows.sort(key=lambda r: r.start)
        for i, a in enumerate(day_rows):
            for b in day_rows[i + 1 :]:
                if b.start >= a.end:
                    break
                if not isinstance(a, Row) and not isinstance(b, Row):
                    continue
                if not (_weeks_meet(a.weeks, b.weeks) and _ranges_meet(a, b)):
                    continue
                reasons = []
                shared = {t.pk for t in a.teachers} & {t.pk for t in b.teachers}
                if shared:
                    reasons.append(_("même enseignant"))
                if a.room and b.room and _key(a.room) == _key(b.room):
                    reasons.append(_("même salle (%s)") % a.room)
                if a.school_class and b.school_class and a.school_class.pk == b.school_class.pk:
                    reasons.append(_("même classe (%s)") % a.school_class)
                if a.group and b.group and a.group.pk == b.group.pk:
                    reasons.append(_("même groupe (%s)") % a.group)
                if reasons:
                    row = b if isinstance(b, Row) else a
                    other = a if row is b else b
                    problems.append(
                        Problem(
                            row.line,
                            "debut",
                            _("Chevauche %(other)s : %(reasons)s.")
                            % {"other": describe(other), "reasons": ", ".join(reasons)},
                        )
                    )
    return problems


@dataclass
class _Existing:
    """An existing course in the shape ``overlaps`` compares."""

    course: Course
    teachers: list[Any]

    def __getattr__(self, name: str) -> Any:
        if name == "start":
            return self.course.start_time
        if name == "end":
            return self.course.end_time
        return getattr(self.course, name)

    def __str__(self) -> str:
        return str(self.course)


def do_import(
    *, actor: Any, establishment: Any, school_year: Any, upload: Any, replace: bool = False
) -> Result:
    """Check the file; import it only if it has no problem."""
    raw = upload.read(MAX_BYTES + 1)
    if len(raw) > MAX_BYTES:
        return Result([Problem(0, "", _("Le fichier dépasse 1 Mo."))])
    rows, problems = read_rows(_decode(raw), establishment=establishment, school_year=school_year)
    if problems:
        return Result(problems)
    if not rows:
        return Result([Problem(2, "", _("Le fichier ne contient aucun cours."))])
    compared: list[Any] = list(rows)
    if not replace:
        existing = (
            Course.objects.filter(establishment=establishment, school_year=school_year)
            .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=timezone.localdate()))
            .select_related("subject", "school_class", "group")
            .prefetch_related("teachers")
        )
        compared += [_Existing(course, list(course.teachers.all())) for course in existing]
    problems = overlaps(compared)
    if problems:
        return Result(sorted(problems, key=lambda p: p.line))
    return _write(
        actor=actor,
        establishment=establishment,
        school_year=school_year,
        rows=rows,
        replace=replace,
    )


@transaction.atomic
def _write(
    *, actor: Any, establishment: Any, school_year: Any, rows: list[Row], replace: bool
) -> Result:
    if replace:
        today = timezone.localdate()
        old = Course.objects.filter(establishment=establishment, school_year=school_year)
        delete_free_lessons(Lesson.objects.filter(course__in=old, slot__gte=today))
        with_lessons = set(
            Lesson.objects.filter(course__in=old).values_list("course_id", flat=True)
        )
        CourseTeacher.objects.filter(course__in=old).exclude(course__in=with_lessons).delete()
        old.exclude(pk__in=with_lessons).delete()
        yesterday = today - timedelta(days=1)
        Course.objects.filter(pk__in=with_lessons).update(
            valid_until=Case(
                When(valid_from__gt=yesterday, then=F("valid_from")), default=Value(yesterday)
            )
        )
    courses = Course.objects.bulk_create(
        [
            Course(
                establishment=establishment,
                school_year=school_year,
                school_class=row.school_class,
                group=row.group,
                subject=row.subject,
                room=row.room,
                weekday=row.weekday,
                start_time=row.start,
                end_time=row.end,
                weeks=row.weeks,
                valid_from=row.valid_from,
                valid_until=row.valid_until,
            )
            for row in rows
        ]
    )
    CourseTeacher.objects.bulk_create(
        [
            CourseTeacher(establishment=establishment, course=course, teacher=teacher)
            for course, row in zip(courses, rows, strict=True)
            for teacher in row.teachers
        ]
    )
    # Replacing a timetable during the year: the new courses start today (the old ones keep
    # their past lessons).
    counts = sync_lessons(courses, since=timezone.localdate() if replace else None)
    record(
        actor=actor,
        establishment=establishment,
        action="timetable.imported",
        after={"courses": len(courses), "lessons": counts["created"], "replace": replace},
    )
    bump_scope("timetable", [establishment.pk])
    return Result(courses=len(courses), lessons=counts["created"])
