"""The demo logbook: entries for 4e B and 3e A, a test and a hand-in, Léa's done marks."""

from typing import Any

from preau.dropbox.demo import build as dropbox_demo
from preau.logbook.demo import build
from preau.logbook.models import Entry, Homework, HomeworkDone
from preau.timetable.demo import build as timetable_demo
from preau.timetable.models import Course


def test_the_demo_fills_three_weeks_once(cast: Any) -> None:
    timetable_demo(cast)
    courses = Course.objects.count()
    dropbox_demo(cast)
    build(cast)
    assert Course.objects.count() == courses  # the timetable's courses, none added
    entries = Entry.objects.count()
    assert Entry.objects.filter(lesson__school_class=cast.class_4b).exists()
    assert Entry.objects.filter(lesson__school_class=cast.class_3a).exists()
    assert Homework.objects.filter(kind="test").exists()
    assert Homework.objects.filter(kind="hand_in", drop_box__isnull=False).exists()
    assert HomeworkDone.objects.filter(student=cast.lea).exists()
    build(cast)
    assert Entry.objects.count() == entries


def test_without_the_timetables_demo_the_courses_are_created(cast: Any) -> None:
    build(cast)
    assert Entry.objects.filter(lesson__school_class=cast.class_4b).exists()
