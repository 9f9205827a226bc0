"""A week of 4e B and 3e A lessons (the timetable's test courses) and logbook rows on them."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile

from preau.logbook.actions import do_save_entry, do_set_homework
from preau.logbook.models import Entry, Homework
from preau.timetable.models import Lesson
from preau.timetable.tests.helpers import lesson_on, moulin_week, plain_week

PDF = b"%PDF-1.4\n%test\n"


def pdf_upload(name: str = "fiche.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


class Week:
    """Courses of the week and the lessons of the chosen Monday and the next week."""

    def __init__(self, cast: Any) -> None:
        self.cast = cast
        self.courses = moulin_week(cast)
        self.monday = plain_week()
        tuesday = self.monday + timedelta(days=1)
        self.french = lesson_on(self.courses["french_4b"], tuesday)
        self.french_next = lesson_on(self.courses["french_4b"], tuesday + timedelta(days=7))
        self.maths = lesson_on(self.courses["maths_4b"], self.monday)
        self.maths_next = lesson_on(self.courses["maths_4b"], self.monday + timedelta(days=7))
        self.maths_3a = lesson_on(self.courses["maths_3a"], self.monday)


def fresh(lesson: Lesson) -> Lesson:
    return Lesson.objects.select_related("establishment", "school_year", "subject").get(
        pk=lesson.pk
    )


def garcia_homework(cast: Any, week: Week, **extra: Any) -> Homework:
    values = {"kind": "written", "minutes": 30, "instructions": "<p>Exercice 4 p. 30</p>"}
    values.update(extra)
    return do_set_homework(
        actor=cast.garcia,
        lesson=fresh(week.french),
        due_lesson=week.french_next,
        notify_people=False,
        **values,
    )


def garcia_entry(cast: Any, week: Week, content: str = "<p>Le Horla</p>") -> Entry:
    return do_save_entry(actor=cast.garcia, lesson=fresh(week.french), content=content)
