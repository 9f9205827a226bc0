"""Demo timetable (idempotent): the 2026-2027 holidays of the three zones, the zones of the two
schools, and a full week for 4e B and 3e A (collège Jean Moulin) and 2nde 3 (lycée Marie
Curie), with courses in week A or B; then, in the coming school week, a cancelled lesson and a
room change for 4e B.

The holidays are the national calendar of the 2026-2027 school year (ministry of education,
« calendrier scolaire » published for 2026-2027), entered by hand: see docs/timetable.md.
Courses take their teachers from the classes' teaching assignments (the cast's: M. Bernard
maths in 4e B and 3e A, Mme Garcia French in 4e B; the generated population's for the other
subjects, when it is built), placed in a fixed grid with no teacher in two places at once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.core.actor import Actor
from preau.directory.models import SchoolYear, TeachingAssignment
from preau.timetable import actions
from preau.timetable.generation import sync_lessons
from preau.timetable.models import (
    Course,
    CourseTeacher,
    Holiday,
    Lesson,
    LessonStatus,
    TimetableSettings,
    Weeks,
    Zone,
)

if TYPE_CHECKING:
    from preau.demo.cast import Cast

# (label, zone or "" for every zone, first day without lessons, last day without lessons)
HOLIDAYS_2026_2027 = [
    ("Vacances de la Toussaint", "", date(2026, 10, 17), date(2026, 11, 1)),
    ("Vacances de Noël", "", date(2026, 12, 19), date(2027, 1, 3)),
    ("Vacances d'hiver", "A", date(2027, 2, 13), date(2027, 2, 28)),
    ("Vacances d'hiver", "B", date(2027, 2, 20), date(2027, 3, 7)),
    ("Vacances d'hiver", "C", date(2027, 2, 6), date(2027, 2, 21)),
    ("Vacances de printemps", "A", date(2027, 4, 10), date(2027, 4, 25)),
    ("Vacances de printemps", "B", date(2027, 4, 17), date(2027, 5, 2)),
    ("Vacances de printemps", "C", date(2027, 4, 3), date(2027, 4, 18)),
    ("Pont de l'Ascension", "", date(2027, 5, 6), date(2027, 5, 9)),
    ("Vacances d'été", "", date(2027, 7, 3), date(2027, 8, 31)),
]
ZONES = {"0781832": Zone.C, "0691664": Zone.A}  # Versailles: zone C; Lyon: zone A

# One hour slots: Monday, Tuesday, Thursday, Friday all day; Wednesday morning.
HOURS = [
    (time(8, 0), time(9, 0)),
    (time(9, 0), time(10, 0)),
    (time(10, 15), time(11, 15)),
    (time(11, 15), time(12, 15)),
    (time(13, 45), time(14, 45)),
    (time(14, 45), time(15, 45)),
    (time(16, 0), time(17, 0)),
]
SLOTS = [(day, hour) for hour in range(len(HOURS)) for day in (1, 2, 4, 5)] + [
    (3, hour) for hour in range(4)
]
# Weekly hours per subject: every week, and one more hour in week A or B.
COLLEGE_HOURS = {
    "020700": (4, Weeks.A),
    "061300": (3, Weeks.B),
    "030201": (3, None),
    "040600": (3, None),
    "100100": (3, None),
    "062900": (1, Weeks.A),
    "062700": (1, Weeks.B),
    "070200": (1, Weeks.A),
    "080100": (1, None),
    "080200": (1, None),
}
LV2 = {"030602", "030102"}  # taught at the same time to the class's language groups
LV2_HOURS = (2, Weeks.A)
LYCEE_HOURS = {
    "020700": (4, None),
    "061300": (4, None),
    "030201": (3, None),
    "040600": (3, None),
    "062700": (3, None),
    "062900": (1, Weeks.A),
    "043100": (1, Weeks.B),
    "100100": (2, None),
}
ROOMS = {
    "020700": "A0",
    "061300": "B1",
    "030201": "C2",
    "030602": "C3",
    "030102": "C4",
    "040600": "A1",
    "062900": "L1",
    "062700": "L2",
    "070200": "T1",
    "080100": "D1",
    "080200": "D2",
    "043100": "A2",
}


def _room(code: str, index: int) -> str:
    """A room per subject and class (sport: the gym or the stadium)."""
    if code == "100100":
        return "Gymnase" if index % 2 == 0 else "Stade"
    return f"{ROOMS.get(code, 'S')}{index + 1}"


def _holidays() -> None:
    existing = set(Holiday.objects.values_list("zone", "first_day"))
    Holiday.objects.bulk_create(
        [
            Holiday(zone=zone, label=label, first_day=first, last_day=last)
            for label, zones, first, last in HOLIDAYS_2026_2027
            for zone in (zones or "ABC")
            if (zone, first) not in existing
        ]
    )


def _settings(establishment: Any, year: SchoolYear) -> None:
    monday = year.start_date - timedelta(days=year.start_date.weekday())
    TimetableSettings.objects.get_or_create(
        establishment=establishment,
        defaults={"zone": ZONES.get(establishment.uai[:7], Zone.C), "week_a_start": monday},
    )


class Grid:
    """Who is busy when, across the classes placed so far (a teacher is never in two places)."""

    def __init__(self) -> None:
        self.busy: dict[tuple[int, int, str], set[Any]] = defaultdict(set)

    def _letters(self, weeks: str) -> tuple[str, ...]:
        return ("A", "B") if weeks == Weeks.EVERY else (weeks,)

    def free(self, slot: tuple[int, int], weeks: str, keys: list[Any]) -> bool:
        return all(not (set(keys) & self.busy[(*slot, letter)]) for letter in self._letters(weeks))

    def take(self, slot: tuple[int, int], weeks: str, keys: list[Any]) -> None:
        for letter in self._letters(weeks):
            self.busy[(*slot, letter)].update(keys)


def _plan_class(
    school_class: Any, hours: dict[str, tuple[int, Any]], grid: Grid, index: int
) -> list[Course]:
    """The class's courses: each subject's hours on different days where possible."""
    assignments = list(
        TeachingAssignment.objects.filter(
            establishment=school_class.establishment, school_year=school_class.school_year
        )
        .filter(school_class=school_class)
        .select_related("subject", "teacher")
        | TeachingAssignment.objects.filter(
            establishment=school_class.establishment,
            school_year=school_class.school_year,
            group__name__startswith=f"{school_class.name} ",
        ).select_related("subject", "teacher", "group")
    )
    by_subject: dict[str, list[Any]] = defaultdict(list)
    for assignment in assignments:
        by_subject[assignment.subject.code].append(assignment)
    wanted: list[tuple[list[Any], str]] = []  # assignments taught together, weeks
    for code, (every, extra) in hours.items():
        if code not in by_subject:
            continue
        group = [a for a in by_subject[code] if a.school_class_id][:1]
        wanted += [(group, Weeks.EVERY)] * every + ([(group, extra)] if extra else [])
    lv2 = [a for code in LV2 for a in by_subject.get(code, []) if a.group_id]
    if lv2:
        every, extra = LV2_HOURS
        wanted += [(lv2, Weeks.EVERY)] * every + [(lv2, extra)]
    courses = []
    days_used: dict[str, set[int]] = defaultdict(set)
    for together, weeks in wanted:
        code = together[0].subject.code
        keys = [("class", school_class.pk)] + [("teacher", a.teacher_id) for a in together]
        candidates = [s for s in SLOTS if grid.free(s, weeks, keys)]
        fresh = [s for s in candidates if s[0] not in days_used[code]]
        if not candidates:
            continue
        slot = (fresh or candidates)[0]
        grid.take(slot, weeks, keys)
        days_used[code].add(slot[0])
        start, end = HOURS[slot[1]]
        for assignment in together:
            courses.append(
                Course(
                    establishment=school_class.establishment,
                    school_year=school_class.school_year,
                    school_class=None if assignment.group_id else school_class,
                    group=assignment.group if assignment.group_id else None,
                    subject=assignment.subject,
                    room=_room(code, index),
                    weekday=slot[0],
                    start_time=start,
                    end_time=end,
                    weeks=weeks,
                )
            )
            courses[-1].teacher = assignment.teacher
    return courses


def _coming_lesson(course_filter: dict[str, Any]) -> Lesson | None:
    return (
        Lesson.objects.filter(
            start__gt=timezone.now(), status=LessonStatus.PLANNED, **course_filter
        )
        .order_by("start")
        .first()
    )


def build(cast: Cast) -> None:
    _holidays()
    year = SchoolYear.current()
    for establishment in (cast.moulin, cast.curie):
        _settings(establishment, year)
    if not Course.objects.filter(
        school_year=year, establishment__in=[cast.moulin, cast.curie]
    ).exists():
        for establishment, classes, hours in (
            (cast.moulin, [cast.class_4b, cast.class_3a], COLLEGE_HOURS),
            (cast.curie, [cast.class_2nde3], LYCEE_HOURS),
        ):
            grid = Grid()
            courses: list[Course] = []
            for index, school_class in enumerate(classes):
                courses += _plan_class(school_class, hours, grid, index)
            Course.objects.bulk_create(courses)
            CourseTeacher.objects.bulk_create(
                [
                    CourseTeacher(establishment=establishment, course=c, teacher=c.teacher)
                    for c in courses
                ]
            )
            sync_lessons(courses)
    if Lesson.objects.filter(establishment=cast.moulin, changed_at__isnull=False).exists():
        return
    cpe = Actor(cast.cpe_moulin)
    maths = _coming_lesson({"school_class": cast.class_4b, "subject__code": "061300"})
    if maths is not None:
        actions.do_cancel_lesson(
            actor=cpe, lesson=maths, note="M. Bernard accompagne la sortie des 3e au musée."
        )
    french = _coming_lesson({"school_class": cast.class_4b, "subject__code": "020700"})
    if french is not None:
        actions.do_change_room(
            actor=cpe, lesson=french, room="CDI", note="Séance de recherche au CDI."
        )
