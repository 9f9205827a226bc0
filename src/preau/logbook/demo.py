"""Demo logbook: three weeks of maths (M. Bernard, 4e B and 3e A) and French (Mme Garcia,
4e B) entries, homework including a test and a hand-in linked to Mme Garcia's drop box, and a
few homework ticked done by Léa.

The lessons come from the timetable's demo; when it has not set those courses, they are
created here through the timetable's actions (the same slots as its tests use). Idempotent: a
lesson that already has an entry is left as it is. Deterministic for a given day.
"""

from __future__ import annotations

from datetime import time, timedelta
from typing import TYPE_CHECKING, Any

from django.utils import timezone

from preau.directory.models import SchoolYear, Subject
from preau.logbook.actions import do_mark_done, do_save_entry, do_set_homework
from preau.logbook.models import Entry, HomeworkKind
from preau.timetable.actions import do_create_course
from preau.timetable.models import Course, Lesson, LessonStatus

if TYPE_CHECKING:
    from preau.demo.cast import Cast

MATHS, FRENCH = "061300", "020700"
WEEKS = 3

MATHS_CONTENT = [
    "<p>Calcul littéral : développer et réduire. Exercices 12 à 15 p. 64.</p>",
    "<p>Identités remarquables : <strong>(a + b)²</strong>, démonstration et exemples.</p>",
    "<p>Équations du premier degré : méthode et vérification.</p>",
    "<p>Théorème de Pythagore : énoncé, figure et premières applications.</p>",
    "<p>Correction du devoir ; réciproque de Pythagore.</p>",
]
FRENCH_CONTENT = [
    "<p>Lecture du <em>Horla</em> (Maupassant), première partie ; le journal intime.</p>",
    "<p>Le fantastique : hésitation du narrateur. Relevé des indices.</p>",
    "<p>Grammaire : l'imparfait et le passé simple dans le récit.</p>",
    "<p>Atelier d'écriture : un souvenir d'enfance, brouillon en classe.</p>",
    "<p>Vocabulaire de la peur ; lecture à voix haute.</p>",
]


def _subject(cast: Cast, code: str) -> Subject:
    return Subject.objects.get(establishment=cast.moulin, code=code)


def _course(cast: Cast, school_class: Any, code: str, teacher: Any, slot: tuple) -> None:
    """The course of ``teacher`` in that class and subject, created when the timetable's demo
    did not (Monday or Tuesday, one hour)."""
    subject = _subject(cast, code)
    if Course.objects.filter(
        establishment=cast.moulin, school_class=school_class, subject=subject, teachers=teacher
    ).exists():
        return
    weekday, start, room = slot
    do_create_course(
        actor=cast.principal_moulin,
        establishment=cast.moulin,
        school_year=SchoolYear.current(),
        school_class=school_class,
        subject=subject,
        teachers=[teacher],
        weekday=weekday,
        start_time=time(start),
        end_time=time(start + 1),
        room=room,
    )


def _lessons(cast: Cast, school_class: Any, code: str, teacher: Any) -> list[Lesson]:
    today = timezone.localdate()
    return list(
        Lesson.objects.filter(
            establishment=cast.moulin,
            school_class=school_class,
            subject=_subject(cast, code),
            teachers=teacher,
            date__gte=today - timedelta(weeks=WEEKS),
            date__lte=today + timedelta(weeks=2),
        )
        .exclude(status=LessonStatus.CANCELLED)
        .select_related("establishment", "school_year", "subject")
        .order_by("start")
    )


def _fill(cast: Cast, teacher: Any, lessons: list[Lesson], contents: list[str], plan: Any) -> list:
    """Entries for the past lessons; ``plan(index, lesson, next_lesson)`` gives the homework."""
    today = timezone.localdate()
    past = [lesson for lesson in lessons if lesson.date < today]
    set_homework = []
    for index, lesson in enumerate(past):
        if Entry.objects.filter(lesson=lesson).exists():
            continue
        do_save_entry(actor=teacher, lesson=lesson, content=contents[index % len(contents)])
        later = [other for other in lessons if other.start > lesson.start]
        spec = plan(index, lesson, later[0] if later else None)
        if spec is not None and later:
            set_homework.append(
                do_set_homework(
                    actor=teacher,
                    lesson=lesson,
                    due_lesson=later[0],
                    notify_people=False,
                    **spec,
                )
            )
    return set_homework


def build(cast: Cast) -> None:
    _course(cast, cast.class_4b, MATHS, cast.bernard, (1, 8, "B12"))
    _course(cast, cast.class_3a, MATHS, cast.bernard, (1, 10, "B12"))
    _course(cast, cast.class_4b, FRENCH, cast.garcia, (2, 9, "A03"))
    from preau.dropbox.models import DropBox

    essay = (
        DropBox.objects.filter(
            establishment=cast.moulin, teacher=cast.garcia, school_class=cast.class_4b
        )
        .order_by("-deadline")
        .first()
    )

    def maths_plan(index: int, lesson: Lesson, following: Lesson | None) -> dict | None:
        if index % 3 == 2:
            return {
                "kind": HomeworkKind.TEST,
                "minutes": 45,
                "instructions": "<p>Contrôle : calcul littéral et identités remarquables.</p>",
            }
        return {
            "kind": HomeworkKind.WRITTEN,
            "minutes": 20,
            "instructions": f"<p>Exercices {20 + index} et {21 + index} p. 66.</p>",
        }

    def french_plan(index: int, lesson: Lesson, following: Lesson | None) -> dict | None:
        if index % 2 == 1 and essay is not None:
            return {
                "kind": HomeworkKind.HAND_IN,
                "minutes": 60,
                "instructions": "<p>Rédaction : un souvenir d'enfance, une page.</p>",
                "drop_box": essay,
            }
        return {
            "kind": HomeworkKind.READ,
            "minutes": 30,
            "instructions": "<p>Lire la suite du <em>Horla</em> jusqu'au 8 mai.</p>",
        }

    maths_4b = _fill(
        cast,
        cast.bernard,
        _lessons(cast, cast.class_4b, MATHS, cast.bernard),
        MATHS_CONTENT,
        maths_plan,
    )
    _fill(
        cast,
        cast.bernard,
        _lessons(cast, cast.class_3a, MATHS, cast.bernard),
        MATHS_CONTENT,
        maths_plan,
    )
    french_4b = _fill(
        cast,
        cast.garcia,
        _lessons(cast, cast.class_4b, FRENCH, cast.garcia),
        FRENCH_CONTENT,
        french_plan,
    )
    # Léa ticked the homework already due, and the first maths homework still to come.
    today = timezone.localdate()
    for homework in [*maths_4b, *french_4b]:
        if homework.due_date < today:
            do_mark_done(actor=cast.lea, homework=homework, done=True)
    upcoming = [h for h in maths_4b if h.due_date >= today]
    if upcoming:
        do_mark_done(actor=cast.lea, homework=upcoming[0], done=True)
