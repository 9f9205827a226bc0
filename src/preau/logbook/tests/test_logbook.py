"""The logbook as its users meet it: teachers write, students and guardians read and tick."""

from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from preau.audit.models import AuditEntry
from preau.logbook.models import Attachment, Entry, Homework, HomeworkDone, LogbookSettings
from preau.logbook.tests.helpers import (
    Week,
    fresh,
    garcia_entry,
    garcia_homework,
    pdf_upload,
)
from preau.notifications.models import Kind, Notification


def _today(day: Any) -> Any:
    return mock.patch("django.utils.timezone.localdate", return_value=day)


@pytest.fixture(autouse=True)
def _stop_patches() -> Any:
    yield
    mock.patch.stopall()


@pytest.fixture
def week(cast: Any) -> Week:
    return Week(cast)


def _url(name: str, lesson: Any) -> str:
    return reverse(name, kwargs={"public_id": lesson.public_id})


# -- entries ------------------------------------------------------------------------------------


def test_a_teacher_writes_an_entry_sanitised_with_a_file(cast: Any, client: Any, week: Week):
    client.force_login(cast.garcia)
    response = client.post(
        _url("logbook:entry_edit", week.french),
        {
            "content": '<p onclick="x()">Le <strong>Horla</strong></p><script>alert(1)</script>',
            "attachments": [pdf_upload("texte.pdf")],
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get(lesson=week.french)
    assert entry.content == "<p>Le <strong>Horla</strong></p>"
    assert entry.attachments.get().original_name == "texte.pdf"
    assert AuditEntry.objects.filter(action="logbook.entry.save").exists()
    client.force_login(cast.lea)
    page = client.get(_url("logbook:lesson", week.french)).content.decode()
    assert "<strong>Horla</strong>" in page and "texte.pdf" in page
    assert "alert" not in page


def test_a_refused_file_stores_nothing(cast: Any, client: Any, week: Week, settings: Any):
    client.force_login(cast.garcia)
    fake = SimpleUploadedFile("cours.pdf", b"MZ\x90\x00not a pdf", content_type="application/pdf")
    response = client.post(
        _url("logbook:entry_edit", week.french), {"content": "Texte", "attachments": [fake]}
    )
    assert response.status_code == 200
    assert "« cours.pdf » n&#x27;est pas accepté" in response.content.decode()
    assert not Entry.objects.exists() and not Attachment.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(media.rglob("*.*"))


def test_a_teacher_cannot_write_in_another_teachers_lesson(cast: Any, client: Any, week: Week):
    client.force_login(cast.bernard)  # teaches 4e B, but not its French lessons
    response = client.post(_url("logbook:entry_edit", week.french), {"content": "Intrus"})
    assert response.status_code == 404
    response = client.post(
        _url("logbook:homework_create", week.french),
        {"kind": "read", "instructions": "x", "minutes": 5, "due_date": "2030-01-01"},
    )
    assert response.status_code == 404
    assert not Entry.objects.exists() and not Homework.objects.exists()


# -- homework -----------------------------------------------------------------------------------


def _homework_form(due: Any, **extra: Any) -> dict[str, Any]:
    data = {"kind": "written", "instructions": "Exercice 3", "minutes": 20}
    data.update(extra)
    if hasattr(due, "public_id"):
        data["due_lesson"] = str(due.public_id)
    else:
        data["due_date"] = due
    return data


def test_homework_set_notifies_the_class_and_its_guardians(
    cast: Any, client: Any, week: Week, django_capture_on_commit_callbacks: Any
):
    client.force_login(cast.garcia)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            _url("logbook:homework_create", week.french),
            _homework_form(week.french_next, instructions="<p>Lire <em>Le Horla</em></p>"),
        )
    assert response.status_code == 302
    homework = Homework.objects.get()
    assert homework.due_date == week.french_next.date
    assert homework.school_class == cast.class_4b
    notified = set(
        Notification.objects.filter(kind=Kind.HOMEWORK).values_list(
            "recipient__username", flat=True
        )
    )
    assert {"eleve.lea", "eleve.noah", "parent.sophie", "parent.karim"} <= notified
    assert not notified & {"eleve.jade", "prof.garcia", "eleve.hugo"}
    # Sophie's notice opens Léa's list, not her other child's (Hugo, the first).
    url = Notification.objects.get(recipient=cast.sophie, kind=Kind.HOMEWORK).url
    client.force_login(cast.sophie)
    assert "Travail à faire · Léa" in client.get(url).content.decode()


def test_due_dates_outside_the_school_year_are_refused(cast: Any, client: Any, week: Week):
    client.force_login(cast.garcia)
    year = week.french.school_year
    response = client.post(
        _url("logbook:homework_create", week.french),
        _homework_form((year.end_date + timedelta(days=3)).isoformat()),
    )
    assert response.status_code == 200
    assert "La date doit être dans l&#x27;année scolaire" in response.content.decode()
    response = client.post(
        _url("logbook:homework_create", week.french), _homework_form(week.french.date.isoformat())
    )
    assert "Le travail est à faire pour une date après la séance." in response.content.decode()
    response = client.post(
        _url("logbook:homework_create", week.french),
        {"kind": "written", "instructions": "x", "minutes": 5},
    )
    assert "Choisissez la séance ou la date" in response.content.decode()
    assert not Homework.objects.exists()


def test_a_due_lesson_of_another_class_is_refused(cast: Any, client: Any, week: Week):
    client.force_login(cast.garcia)
    response = client.post(
        _url("logbook:homework_create", week.french), _homework_form(week.maths_3a)
    )
    assert "Choisissez une séance suivante de la classe." in response.content.decode()
    assert not Homework.objects.exists()


def test_a_busy_day_warns_and_the_teacher_confirms(cast: Any, client: Any, week: Week):
    LogbookSettings.objects.create(establishment=cast.moulin, max_tests_per_day=1)
    day = week.french_next.date
    garcia_homework(cast, week, kind="test", minutes=50)
    client.force_login(cast.garcia)
    data = _homework_form(week.french_next, kind="test", minutes=30)
    response = client.post(_url("logbook:homework_create", week.french), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Charge de travail élevée" in page and "2 contrôle(s)" in page
    assert Homework.objects.count() == 1
    response = client.post(_url("logbook:homework_create", week.french), {**data, "confirm": "on"})
    assert response.status_code == 302
    assert Homework.objects.filter(due_date=day, kind="test").count() == 2
    client.force_login(cast.principal_moulin)
    workload = client.get(
        reverse("logbook:workload", kwargs={"public_id": cast.class_4b.public_id}),
        {"week": day.isoformat()},
    ).content.decode()
    assert "au-dessus du seuil" in workload


def test_a_hand_in_links_the_teachers_drop_box(cast: Any, client: Any, week: Week):
    from preau.dropbox.demo import build as dropbox_demo
    from preau.dropbox.models import DropBox

    dropbox_demo(cast)
    box = DropBox.objects.filter(teacher=cast.garcia).first()
    client.force_login(cast.garcia)
    data = _homework_form(week.french_next, kind="hand_in", drop_box=str(box.public_id))
    assert client.post(_url("logbook:homework_create", week.french), data).status_code == 302
    assert Homework.objects.get().drop_box == box
    _today(week.french.date).start()
    client.force_login(cast.lea)
    page = client.get(reverse("logbook:homework"), {"show": "all"}).content.decode()
    assert f"Rendre dans le casier « {escape(box.title)} »" in page


def test_another_teachers_drop_box_is_refused(cast: Any, client: Any, week: Week):
    from preau.dropbox.demo import build as dropbox_demo
    from preau.dropbox.models import DropBox

    dropbox_demo(cast)
    box = DropBox.objects.filter(teacher=cast.garcia).first()
    client.force_login(cast.bernard)
    data = _homework_form(week.maths_next, kind="hand_in", drop_box=str(box.public_id))
    response = client.post(_url("logbook:homework_create", week.maths), data)
    assert "Choisissez un de vos casiers" in response.content.decode()
    assert not Homework.objects.exists()


# -- done marks ---------------------------------------------------------------------------------


def test_done_marks_are_the_students_own(cast: Any, client: Any, week: Week):
    homework = garcia_homework(cast, week)
    client.force_login(cast.lea)
    url = reverse("logbook:mark_done", kwargs={"public_id": homework.public_id})
    assert client.post(url, {"done": "1"}).status_code == 302
    assert HomeworkDone.objects.filter(student=cast.lea, homework=homework).exists()
    # Her mother sees it for her; Noah's father sees nothing of it for Noah.
    client.force_login(cast.sophie)
    assert HomeworkDone.objects.count() == 1
    # The teacher sees a count, never who.
    client.force_login(cast.garcia)
    page = client.get(_url("logbook:lesson", week.french)).content.decode()
    assert "1 élève l'a marqué fait" in page
    assert "Martin" not in page and "Léa" not in page
    # Unticked.
    client.force_login(cast.lea)
    client.post(url, {"done": "0"})
    assert not HomeworkDone.objects.exists()


def test_guardians_see_their_childs_marks_only(cast: Any, client: Any, week: Week):
    _today(week.french.date).start()
    homework = garcia_homework(cast, week)
    HomeworkDone.objects.create(establishment=cast.moulin, homework=homework, student=cast.lea)
    client.force_login(cast.sophie)
    lea = client.get(reverse("logbook:homework"), {"child": cast.lea.public_id, "show": "done"})
    assert "Exercice 4 p. 30" in lea.content.decode()
    client.force_login(cast.karim)
    noah = client.get(reverse("logbook:homework"), {"show": "done"})
    assert "Exercice 4 p. 30" not in noah.content.decode()
    noah = client.get(reverse("logbook:homework"), {"show": "undone"})
    assert "Exercice 4 p. 30" in noah.content.decode()
    assert client.get(reverse("logbook:homework"), {"child": cast.lea.public_id}).status_code == 404


# -- copy -----------------------------------------------------------------------------------------


def test_a_teacher_copies_an_entry_from_another_class(cast: Any, client: Any, week: Week):
    from preau.logbook.actions import do_save_entry, do_set_homework

    source = do_save_entry(actor=cast.bernard, lesson=fresh(week.maths_3a), content="Pythagore")
    do_set_homework(
        actor=cast.bernard,
        lesson=fresh(week.maths_3a),
        kind="learn",
        instructions="Le théorème",
        minutes=15,
        due_date=week.maths_3a.date + timedelta(days=7),
        notify_people=False,
    )
    client.force_login(cast.bernard)
    page = client.get(_url("logbook:copy", week.maths)).content.decode()
    assert "3e A" in page
    response = client.post(_url("logbook:copy", week.maths), {"source": str(source.public_id)})
    assert response.status_code == 302
    copied = Entry.objects.get(lesson=week.maths)
    assert copied.content == "<p>Pythagore</p>"
    homework = Homework.objects.get(lesson=week.maths)
    assert homework.due_lesson == week.maths_next and homework.school_class == cast.class_4b
    assert AuditEntry.objects.filter(action="logbook.entry.copy").exists()


def test_another_teachers_entry_cannot_be_copied(cast: Any, client: Any, week: Week):
    from preau.logbook.actions import do_save_entry

    source = do_save_entry(actor=cast.bernard, lesson=fresh(week.maths_3a), content="Pythagore")
    client.force_login(cast.garcia)
    response = client.post(_url("logbook:copy", week.french), {"source": str(source.public_id)})
    assert "Choisissez une de vos séances." in response.content.decode()
    assert not Entry.objects.filter(lesson=week.french).exists()


# -- visa -----------------------------------------------------------------------------------------


def test_the_head_signs_and_later_changes_show_as_not_reviewed(cast: Any, client: Any, week: Week):
    _today(week.french_next.date + timedelta(days=1)).start()
    garcia_entry(cast, week)
    client.force_login(cast.principal_moulin)
    url = reverse("logbook:visa", kwargs={"public_id": cast.class_4b.public_id})
    response = client.post(
        url,
        {
            "period_start": week.monday.isoformat(),
            "period_end": (week.monday + timedelta(days=6)).isoformat(),
            "comment": "Bien tenu.",
        },
    )
    assert response.status_code == 302
    assert AuditEntry.objects.filter(action="logbook.visa.sign").exists()
    class_url = reverse("logbook:class", kwargs={"public_id": cast.class_4b.public_id})
    page = client.get(class_url).content.decode()
    assert "Visé" in page and "Pas encore visé" not in page and "Bien tenu." in page
    garcia_entry(cast, week, content="<p>Le Horla, corrigé</p>")
    assert "Pas encore visé" in client.get(class_url).content.decode()


def test_a_visa_outside_the_school_year_is_refused(cast: Any, client: Any):
    client.force_login(cast.principal_moulin)
    url = reverse("logbook:visa", kwargs={"public_id": cast.class_4b.public_id})
    response = client.post(url, {"period_start": "2001-09-01", "period_end": "2001-09-30"})
    assert "La période doit être dans l&#x27;année scolaire" in response.content.decode()
