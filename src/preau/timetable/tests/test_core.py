"""Courses become lessons; who reads which lessons; the selectors' query counts."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from unittest import mock

import pytest
from django.http import Http404

from preau.core.testing import query_budget
from preau.directory.models import SchoolYear
from preau.timetable import actions, generation, policies
from preau.timetable.generation import PARIS
from preau.timetable.models import (
    ClosedDay,
    Holiday,
    Lesson,
    LessonStatus,
    TimetableSettings,
    WeekOverride,
    Weeks,
)
from preau.timetable.schoolcalendar import school_calendar
from preau.timetable.tests.helpers import actor_for, course, lesson_on, moulin_week, plain_week

pytestmark = pytest.mark.django_db


def today(day):
    return mock.patch("django.utils.timezone.localdate", return_value=day)


def test_a_course_has_a_lesson_every_school_week_in_paris_time(cast):
    monday = plain_week()
    maths = moulin_week(cast)["maths_4b"]
    lesson = lesson_on(maths, monday)
    assert lesson.start.astimezone(PARIS).time() == time(8, 0)
    assert lesson.end - lesson.start == timedelta(hours=1)
    assert (lesson.school_class, lesson.room, lesson.status) == (cast.class_4b, "B12", "planned")
    assert list(lesson.teachers.all()) == [cast.bernard]
    year = SchoolYear.current()
    days = list(Lesson.objects.filter(course=maths).values_list("date", flat=True))
    assert all(d.isoweekday() == 1 and year.start_date <= d <= year.end_date for d in days)
    # Easter Monday and Whit Monday are public holidays: no lesson.
    assert len(days) < 52
    assert len(set(days)) == len(days)


def test_holidays_of_the_zone_and_closed_days_have_no_lessons(cast):
    monday = plain_week(6)
    TimetableSettings.objects.create(establishment=cast.moulin, zone="A")
    Holiday.objects.create(zone="A", label="Vacances", first_day=monday, last_day=monday)
    Holiday.objects.create(
        zone="B",
        label="Autre zone",
        first_day=monday + timedelta(days=1),
        last_day=monday + timedelta(days=1),
    )
    ClosedDay.objects.create(
        establishment=cast.moulin, day=monday + timedelta(days=7), label="Journée pédagogique"
    )
    week = moulin_week(cast)
    assert not Lesson.objects.filter(course=week["maths_4b"], date=monday).exists()
    assert not Lesson.objects.filter(
        course=week["maths_4b"], date=monday + timedelta(days=7)
    ).exists()
    assert Lesson.objects.filter(course=week["french_4b"], date=monday + timedelta(days=1)).exists()
    calendar = school_calendar(cast.moulin, monday, monday + timedelta(days=7))
    assert calendar.closure(monday) == "Vacances"


def test_weeks_a_and_b_alternate_over_school_weeks_with_overrides(cast):
    monday = plain_week(4)
    TimetableSettings.objects.create(establishment=cast.moulin, zone="C", week_a_start=monday)
    # A whole week of holidays two weeks later does not count in the alternation.
    Holiday.objects.create(
        zone="C",
        label="Vacances",
        first_day=monday + timedelta(days=12),
        last_day=monday + timedelta(days=22),
    )
    WeekOverride.objects.create(
        establishment=cast.moulin, monday=monday + timedelta(weeks=5), week="A"
    )
    calendar = school_calendar(cast.moulin, monday, monday + timedelta(weeks=8))
    letters = [calendar.week_letter(monday + timedelta(weeks=i)) for i in range(7)]
    assert letters == ["A", "B", "A", "A", "B", "A", "B"]
    week_a = course(
        cast,
        school_class=cast.class_4b,
        code="062900",
        teachers=[cast.garcia],
        weekday=4,
        start="14:00",
        end="15:00",
        weeks=Weeks.A,
    )
    thursdays = set(Lesson.objects.filter(course=week_a).values_list("date", flat=True))
    assert monday + timedelta(days=3) in thursdays
    assert monday + timedelta(days=10) not in thursdays


def test_changing_a_course_updates_future_lessons_in_place(cast):
    week = moulin_week(cast)
    maths = week["maths_4b"]
    future = Lesson.objects.filter(course=maths).order_by("date").last()
    public_id = future.public_id
    with today(future.date - timedelta(days=7)):
        actions.do_update_course(
            actor=cast.principal_moulin,
            course=maths,
            room="C01",
            start_time=time(8, 30),
            end_time=time(9, 30),
            teachers=[cast.bernard, cast.garcia],
        )
    future.refresh_from_db()
    assert future.public_id == public_id
    assert (future.room, future.start.astimezone(PARIS).time()) == ("C01", time(8, 30))
    assert set(future.teachers.all()) == {cast.bernard, cast.garcia}
    earlier = Lesson.objects.filter(course=maths).order_by("date").first()
    assert earlier.room == "B12"


def test_a_lesson_changed_on_its_own_keeps_its_change(cast):
    maths = moulin_week(cast)["maths_4b"]
    lesson = Lesson.objects.filter(course=maths).order_by("date").last()
    lesson.room, lesson.room_changed = "Gymnase", True
    lesson.save()
    with today(lesson.date - timedelta(days=7)):
        actions.do_update_course(actor=cast.principal_moulin, course=maths, room="C01")
    lesson.refresh_from_db()
    assert lesson.room == "Gymnase"


def test_lessons_that_carry_data_are_cancelled_not_deleted(cast):
    maths = moulin_week(cast)["maths_4b"]
    lessons = list(Lesson.objects.filter(course=maths).order_by("date"))
    kept, free = lessons[-1], lessons[-2]
    today = lessons[-3].date
    with (
        mock.patch("django.utils.timezone.localdate", return_value=today),
        mock.patch.object(generation, "lessons_with_data", return_value={kept.pk}),
    ):
        actions.do_update_course(actor=cast.principal_moulin, course=maths, weekday=3)
    kept.refresh_from_db()
    assert kept.status == LessonStatus.CANCELLED
    assert not Lesson.objects.filter(pk=free.pk).exists()
    assert Lesson.objects.filter(course=maths, date__gte=today, date__week_day=4).exists()
    assert Lesson.objects.filter(course=maths, date__lt=today, date__week_day=2).exists()


def test_removing_a_course_keeps_its_past_lessons(cast):
    maths = moulin_week(cast)["maths_4b"]
    lessons = list(Lesson.objects.filter(course=maths).order_by("date"))
    with mock.patch("django.utils.timezone.localdate", return_value=lessons[10].date):
        actions.do_remove_course(actor=cast.principal_moulin, course=maths)
    assert Lesson.objects.filter(course=maths).count() == 10
    maths.refresh_from_db()
    assert maths.valid_until == lessons[10].date - timedelta(days=1)


def test_who_reads_which_lesson(cast):
    monday = plain_week()
    week = moulin_week(cast)
    lesson_4b = lesson_on(week["maths_4b"], monday)
    lesson_3a = lesson_on(week["maths_3a"], monday)
    readers_4b = ["noah", "lea", "karim", "sophie", "bernard", "garcia", "cpe_moulin"]
    for name in readers_4b:
        assert policies.access_lesson(actor_for(getattr(cast, name)), lesson_4b.public_id)
    for name in ["jade", "principal_curie", "dupont", "hugo"]:
        with pytest.raises(Http404):
            policies.access_lesson(actor_for(getattr(cast, name)), lesson_4b.public_id)
    for name in ["noah", "karim", "garcia", "sophie"]:
        with pytest.raises(Http404):
            policies.access_lesson(actor_for(getattr(cast, name)), lesson_3a.public_id)
    with pytest.raises(Http404):
        policies.access_lesson(actor_for(cast.noah), "not-a-uuid")


def test_who_changes_a_lesson(cast):
    monday = plain_week()
    lesson = lesson_on(moulin_week(cast)["maths_4b"], monday)
    lesson = policies.access_lesson(actor_for(cast.cpe_moulin), lesson.public_id)
    assert policies.can_change_lesson(actor_for(cast.cpe_moulin), lesson)
    assert policies.can_change_lesson(actor_for(cast.principal_moulin), lesson)
    assert not policies.can_change_lesson(actor_for(cast.bernard), lesson)
    assert policies.can_change_room(actor_for(cast.bernard), lesson)
    assert not policies.can_change_room(actor_for(cast.garcia), lesson)
    assert not policies.can_change_lesson(actor_for(cast.principal_curie), lesson)
    assert not policies.can_change_room(actor_for(cast.noah), lesson)


def test_lessons_between_runs_two_queries_whatever_the_range(cast):
    monday = plain_week()
    moulin_week(cast)
    class_week = policies.class_timetable(actor_for(cast.principal_moulin), cast.class_4b)
    with query_budget(2, warm=True):
        one_week = policies.lessons_between(class_week, monday, monday + timedelta(days=7))
    with query_budget(2, warm=True):
        ten_weeks = policies.lessons_between(class_week, monday, monday + timedelta(weeks=10))
    assert len(one_week) == 2
    assert len(ten_weeks) > 10
    assert [lesson.subject.code for lesson in one_week] == ["061300", "020700"]


def test_own_and_child_timetables(cast):
    monday = plain_week()
    moulin_week(cast)
    end = monday + timedelta(days=7)
    assert len(policies.lessons_between(actor_for(cast.noah), monday, end)) == 2
    assert len(policies.lessons_between(actor_for(cast.jade), monday, end)) == 1
    assert len(policies.lessons_between(actor_for(cast.bernard), monday, end)) == 2
    assert len(policies.lessons_between(actor_for(cast.hugo), monday, end)) == 0
    karim = actor_for(cast.karim)
    noah = karim.children[0]
    assert len(policies.lessons_between(policies.child_timetable(karim, noah), monday, end)) == 2
    sophie = actor_for(cast.sophie)
    assert policies.child_timetable(sophie, noah) is None
    assert policies.teacher_timetable(actor_for(cast.bernard), cast.garcia) is None


def test_teacher_lessons_and_current_lesson(cast):
    monday = plain_week()
    week = moulin_week(cast)
    bernard = actor_for(cast.bernard)
    assert [lesson.school_class for lesson in policies.teacher_lessons(bernard, monday)] == [
        cast.class_4b,
        cast.class_3a,
    ]
    assert policies.teacher_lessons(actor_for(cast.noah), monday) == []
    at = datetime.combine(monday, time(10, 20), tzinfo=PARIS)
    assert policies.current_lesson(cast.bernard, at) == lesson_on(week["maths_3a"], monday)
    early = datetime.combine(monday, time(7, 50), tzinfo=PARIS)
    assert policies.current_lesson(cast.bernard, early) == lesson_on(week["maths_4b"], monday)
    assert policies.current_lesson(cast.garcia, at) is None
    cancelled = lesson_on(week["maths_3a"], monday)
    cancelled.status = LessonStatus.CANCELLED
    cancelled.save()
    assert policies.current_lesson(cast.bernard, at) is None


def test_the_students_of_a_lesson(cast):
    monday = plain_week()
    week = moulin_week(cast)
    lesson = lesson_on(week["maths_4b"], monday)
    with query_budget(1, warm=True):
        students = list(policies.lesson_students(lesson))
    assert students == [cast.noah, cast.lea]  # Leroy, Martin
    assert list(policies.lesson_students(lesson_on(week["maths_3a"], monday))) == [cast.jade]
