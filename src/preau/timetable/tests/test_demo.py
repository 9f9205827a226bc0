"""The demo timetable: built twice without change, with the cast's courses and this week's
changes."""

from __future__ import annotations

import pytest

from preau.timetable import demo
from preau.timetable.models import Course, Holiday, Lesson, LessonStatus, TimetableSettings

pytestmark = pytest.mark.django_db


def test_the_demo_timetable(cast):
    demo.build(cast)
    counts = (Course.objects.count(), Lesson.objects.count(), Holiday.objects.count())
    demo.build(cast)
    assert (Course.objects.count(), Lesson.objects.count(), Holiday.objects.count()) == counts
    assert TimetableSettings.objects.get(establishment=cast.moulin).zone == "C"
    assert TimetableSettings.objects.get(establishment=cast.curie).zone == "A"
    bernard = Course.objects.filter(teachers=cast.bernard, subject__code="061300")
    assert {c.school_class for c in bernard} == {cast.class_4b, cast.class_3a}
    assert {c.weeks for c in bernard} == {"every", "B"}
    assert Course.objects.filter(teachers=cast.garcia, school_class=cast.class_4b).count() == 5
    assert Course.objects.filter(school_class=cast.class_2nde3, teachers=cast.dupont).exists()
    # No teacher in two places: Bernard's courses never share a slot.
    slots = [(c.weekday, c.start_time, c.weeks) for c in bernard]
    assert len(slots) == len(set(slots))
    if Lesson.objects.filter(school_class=cast.class_4b, start__gt=demo.timezone.now()).exists():
        assert Lesson.objects.filter(
            school_class=cast.class_4b, status=LessonStatus.CANCELLED
        ).exists()
        assert Lesson.objects.filter(school_class=cast.class_4b, room_changed=True).exists()
