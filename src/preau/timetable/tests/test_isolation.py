"""Every timetable route that takes an identifier, and who must get a 404 for it."""

from __future__ import annotations

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.timetable.feeds import feed_for, token_of
from preau.timetable.models import Course, Lesson, TimetableFeed
from preau.timetable.tests.helpers import moulin_week

pytestmark = pytest.mark.django_db

# A 4e B lesson: not for another class (Jade, 3e A), another family (Karim is Noah's father
# but 3e A is not his child's), another establishment.
NOT_4B = ("jade", "principal_curie", "dupont", "hugo")
# A 3e A lesson: not for 4e B's students, guardians and French teacher.
NOT_3A = ("noah", "lea", "karim", "sophie", "garcia", "principal_curie", "hugo")
# The timetable console: head, deputy heads and CPE of the establishment only.
NOT_MANAGERS = ("bernard", "garcia", "lea", "sophie", "principal_curie", "dupont", "hugo")
# Changing a 4e B maths lesson: the school office and M. Bernard (room); not Mme Garcia, the
# students, their guardians, another establishment.
NOT_CHANGERS = ("garcia", "noah", "karim", "jade", "principal_curie", "dupont")


def _week(c: Any) -> None:
    moulin_week(c)


def _lesson(subject_class: str) -> Any:
    """A maths lesson (M. Bernard's) of the class."""

    def kwargs(c: Any) -> dict[str, Any]:
        school_class = getattr(c, subject_class)
        lesson = (
            Lesson.objects.filter(school_class=school_class, subject__code="061300")
            .order_by("start")
            .first()
        )
        return {"public_id": lesson.public_id}

    return kwargs


def _class(name: str) -> Any:
    return lambda c: {"public_id": getattr(c, name).public_id}


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _course(c: Any) -> dict[str, Any]:
    course = Course.objects.filter(school_class=c.class_4b).first()
    return {"public_id": c.moulin.public_id, "course_id": course.public_id}


def _noah_feed(c: Any) -> None:
    moulin_week(c)
    feed_for(person=c.noah, establishment=c.moulin)


def _feed(c: Any) -> dict[str, Any]:
    feed = TimetableFeed.objects.get(person=c.noah)
    return {"public_id": feed.public_id, "token": token_of(feed)}


test_isolation = isolation_test(
    [
        Isolation("timetable:lesson", "noah", _lesson("class_4b"), NOT_4B, setup=_week),
        Isolation("timetable:lesson", "karim", _lesson("class_4b"), NOT_4B, setup=_week),
        Isolation("timetable:lesson", "bernard", _lesson("class_3a"), NOT_3A, setup=_week),
        Isolation(
            "timetable:lesson_change", "bernard", _lesson("class_4b"), NOT_CHANGERS, setup=_week
        ),
        Isolation(
            "timetable:lesson_change", "cpe_moulin", _lesson("class_4b"), NOT_CHANGERS, setup=_week
        ),
        Isolation("timetable:class", "lea", _class("class_4b"), NOT_4B, setup=_week),
        Isolation("timetable:class", "bernard", _class("class_3a"), NOT_3A, setup=_week),
        Isolation("timetable:manage", "principal_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:manage", "cpe_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:course_create", "principal_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:course_edit", "principal_moulin", _course, NOT_MANAGERS, setup=_week),
        Isolation("timetable:course_remove", "cpe_moulin", _course, NOT_MANAGERS, setup=_week),
        Isolation("timetable:school_calendar", "principal_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:import", "principal_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:extra_lesson", "cpe_moulin", _moulin, NOT_MANAGERS),
        Isolation("timetable:changes", "cpe_moulin", _moulin, NOT_MANAGERS, setup=_week),
        # The feed's address is its secret: whoever holds it reads it, without logging in (the
        # refusals — a wrong or replaced token — are in test_feeds.py).
        Isolation("timetable:feed", "noah", _feed, (), setup=_noah_feed, anonymous_status=200),
    ]
)
