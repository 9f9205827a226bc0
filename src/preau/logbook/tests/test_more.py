"""Copies from a previous year, deleting homework, the staff's pages and the thresholds."""

from datetime import datetime, time, timedelta
from typing import Any

from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.testing import log_in_with_second_factor
from preau.directory.models import SchoolClass, SchoolYear
from preau.logbook.models import Entry, Homework, LogbookSettings
from preau.logbook.tests.helpers import Week, garcia_homework
from preau.timetable.generation import PARIS
from preau.timetable.models import Lesson, LessonTeacher


def _last_year_entry(cast: Any, week: Week) -> Entry:
    """An entry of M. Bernard's in a 4e of the previous school year."""
    current = week.maths.school_year
    year, _ = SchoolYear.objects.get_or_create(
        label=f"{current.start_date.year - 1}-{current.start_date.year}",
        defaults={
            "start_date": current.start_date.replace(year=current.start_date.year - 1),
            "end_date": current.end_date.replace(year=current.end_date.year - 1),
        },
    )
    old_class = SchoolClass.objects.create(
        establishment=cast.moulin, school_year=year, name="4e B", level=cast.class_4b.level
    )
    day = week.maths.date.replace(year=week.maths.date.year - 1)
    start = datetime.combine(day, time(8), tzinfo=PARIS)
    lesson = Lesson.objects.create(
        establishment=cast.moulin,
        school_year=year,
        school_class=old_class,
        subject=week.maths.subject,
        date=day,
        start=start,
        end=start + timedelta(hours=1),
    )
    LessonTeacher.objects.create(establishment=cast.moulin, lesson=lesson, teacher=cast.bernard)
    return Entry.objects.create(
        establishment=cast.moulin,
        school_year=year,
        lesson=lesson,
        content="<p>Fractions, l'an dernier</p>",
        author=cast.bernard,
    )


def test_a_teacher_copies_an_entry_of_last_year(cast: Any, client: Any) -> None:
    week = Week(cast)
    source = _last_year_entry(cast, week)
    client.force_login(cast.bernard)
    url = reverse("logbook:copy", kwargs={"public_id": week.maths.public_id})
    assert str(source.public_id) in client.get(url).content.decode()
    assert client.post(url, {"source": str(source.public_id)}).status_code == 302
    assert Entry.objects.get(lesson=week.maths).content == "<p>Fractions, l'an dernier</p>"
    # Mme Garcia never taught it: not hers to copy.
    client.force_login(cast.garcia)
    url = reverse("logbook:copy", kwargs={"public_id": week.french.public_id})
    assert str(source.public_id) not in client.get(url).content.decode()


def test_a_teacher_changes_homework_and_is_warned_on_a_busy_day(cast: Any, client: Any) -> None:
    week = Week(cast)
    LogbookSettings.objects.create(establishment=cast.moulin, max_tests_per_day=1)
    homework = garcia_homework(cast, week, kind="test", minutes=50)
    client.force_login(cast.garcia)
    url = reverse(
        "logbook:homework_edit",
        kwargs={"public_id": week.french.public_id, "homework_id": homework.public_id},
    )
    assert "Exercice 4 p. 30" in client.get(url).content.decode()
    data = {
        "kind": "test",
        "instructions": "<p>Contrôle sur <em>Le Horla</em></p><script>x()</script>",
        "minutes": 55,
        "due_lesson": str(week.french_next.public_id),
    }
    # The homework itself does not count twice: one test that day is within the threshold.
    assert client.post(url, data).status_code == 302
    homework.refresh_from_db()
    assert homework.instructions == "<p>Contrôle sur <em>Le Horla</em></p>"
    assert homework.minutes == 55
    assert AuditEntry.objects.filter(action="logbook.homework.update").exists()
    # Another test the same day: warned.
    other = garcia_homework(cast, week, kind="read", minutes=10)
    other_url = reverse(
        "logbook:homework_edit",
        kwargs={"public_id": week.french.public_id, "homework_id": other.public_id},
    )
    response = client.post(other_url, {**data, "minutes": 10})
    assert "Charge de travail élevée" in response.content.decode()
    other.refresh_from_db()
    assert other.kind == "read"


def test_a_teacher_deletes_homework(cast: Any, client: Any) -> None:
    week = Week(cast)
    homework = garcia_homework(cast, week)
    client.force_login(cast.garcia)
    url = reverse(
        "logbook:homework_delete",
        kwargs={"public_id": week.french.public_id, "homework_id": homework.public_id},
    )
    assert client.post(url).status_code == 302
    assert not Homework.objects.exists()
    assert AuditEntry.objects.filter(action="logbook.homework.delete").exists()


def test_staff_pages(cast: Any, client: Any) -> None:
    Week(cast)
    for person in (cast.principal_moulin, cast.cpe_moulin):
        client.force_login(person)
        page = client.get(reverse("logbook:index")).content.decode()
        assert "4e B" in page and "3e A" in page
    client.force_login(cast.bernard)
    page = client.get(reverse("logbook:index")).content.decode()
    assert "Mes séances" in page and "3e A" in page
    client.force_login(cast.dupont)  # another establishment's teacher: none of these classes
    assert "4e B" not in client.get(reverse("logbook:index")).content.decode()


def test_the_head_sets_the_thresholds(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("logbook:settings", kwargs={"public_id": cast.moulin.public_id})
    response = client.post(url, {"max_tests_per_day": 2, "max_minutes_per_day": 120})
    assert response.status_code == 302
    settings = LogbookSettings.objects.get(establishment=cast.moulin)
    assert (settings.max_tests_per_day, settings.max_minutes_per_day) == (2, 120)
    assert AuditEntry.objects.filter(action="logbook.settings.update").exists()
    response = client.post(url, {"max_tests_per_day": -1, "max_minutes_per_day": 120})
    assert response.status_code == 200
    assert LogbookSettings.objects.get(establishment=cast.moulin).max_tests_per_day == 2


def test_a_replacement_teacher_writes_in_that_lesson_only(cast: Any, client: Any) -> None:
    week = Week(cast)
    Lesson.objects.filter(pk=week.french.pk).update(replacement_teacher=cast.bernard)
    client.force_login(cast.bernard)
    url = reverse("logbook:entry_edit", kwargs={"public_id": week.french.public_id})
    assert client.post(url, {"content": "Séance assurée en remplacement"}).status_code == 302
    assert Entry.objects.get(lesson=week.french).author == cast.bernard
    other = reverse("logbook:entry_edit", kwargs={"public_id": week.french_next.public_id})
    assert client.post(other, {"content": "Pas la mienne"}).status_code == 404
