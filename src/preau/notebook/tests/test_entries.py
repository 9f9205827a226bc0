"""The notebook's rules: writing to families, signing, answering, asking, replying, reminding."""

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.core.testing import log_in_with_second_factor, query_budget
from preau.directory.models import Enrolment, Guardianship, SchoolYear
from preau.notebook import actions
from preau.notebook.actions import EntryData
from preau.notebook.models import Entry, Kind, NotebookSettings, Signature
from preau.notebook.tests.helpers import build, lea_request, noah_observation, trip
from preau.notifications.models import Kind as NotificationKind
from preau.notifications.models import Notification

pytestmark = pytest.mark.django_db
User = get_user_model()


def actor_for(user: Any) -> Actor:
    return Actor(user, {})


def grow_class(cast: Any, more: int) -> None:
    """``more`` students in 4e B, each with a legal guardian."""
    year = SchoolYear.current()
    students = User.objects.bulk_create(
        User(username=f"eleve.extra{i}", first_name=f"Élève{i}", last_name=f"Extra{i:02d}")
        for i in range(more)
    )
    guardians = User.objects.bulk_create(
        User(username=f"parent.extra{i}", first_name=f"Parent{i}", last_name=f"Extra{i:02d}")
        for i in range(more)
    )
    Enrolment.objects.bulk_create(
        Enrolment(
            establishment=cast.moulin, school_year=year, student=s, school_class=cast.class_4b
        )
        for s in students
    )
    Guardianship.objects.bulk_create(
        Guardianship(guardian=g, student=s, legal=True)
        for s, g in zip(students, guardians, strict=True)
    )


def information(title: str = "Cantine fermée vendredi", **values: Any) -> EntryData:
    return EntryData(
        kind=values.pop("kind", Kind.INFORMATION),
        title=title,
        text=values.pop("text", "La cantine sera fermée vendredi midi : prévoir un repas."),
        **values,
    )


def class_students(cast: Any) -> list[Any]:
    return list(User.objects.filter(enrolments__school_class=cast.class_4b).order_by("last_name"))


def send_queries(cast: Any) -> int:
    actor = actor_for(cast.garcia)
    students = class_students(cast)
    assert actor.taught_class_ids  # the actor's directory parts are read before counting
    with CaptureQueriesContext(connection) as context:
        actions.do_write(actor=actor, students=students, data=information(), audience="4e B")
    return len(context.captured_queries)


def test_a_class_send_makes_one_entry_per_student_in_constant_queries(cast: Any) -> None:
    first = send_queries(cast)
    # The students' check, one insert of entries, the audit row, the guardians, the quiet
    # hours, the preferences, one insert of notifications, and the transactions' savepoints.
    assert first == 11
    assert Entry.objects.count() == 2
    grow_class(cast, 20)
    actor = actor_for(cast.garcia)
    students = class_students(cast)
    assert actor.taught_class_ids
    with query_budget(first, warm=True):
        entries = actions.do_write(
            actor=actor, students=students, data=information("Sortie"), audience="4e B"
        )
    assert len(entries) == 22 and len({e.batch for e in entries}) == 1
    assert (
        Notification.objects.filter(
            kind=NotificationKind.NOTEBOOK, title__contains="Sortie"
        ).count()
        == 22
    )


def test_a_class_entry_reaches_each_family_with_only_its_childs_entry(
    cast: Any, client: Any
) -> None:
    students = class_students(cast)
    entries = actions.do_write(
        actor=actor_for(cast.garcia), students=students, data=information("Sortie"), audience="4e B"
    )
    notified = Notification.objects.filter(kind=NotificationKind.NOTEBOOK)
    guardians = set(
        Guardianship.objects.filter(student__in=students, legal=True).values_list(
            "guardian_id", flat=True
        )
    )
    # The legal guardians of the class's students, each once; no student, no one else.
    assert sorted(notified.values_list("recipient_id", flat=True)) == sorted(guardians)
    by_student = {e.student_id: e for e in entries}
    for guardian, child, other in (
        (cast.karim, cast.noah, cast.lea),
        (cast.sophie, cast.lea, cast.noah),
    ):
        client.force_login(guardian)
        link = notified.get(recipient=guardian).url
        assert client.get(link)["Location"] == reverse(
            "notebook:entry", args=[by_student[child.pk].public_id]
        )
        other_entry = reverse("notebook:entry", args=[by_student[other.pk].public_id])
        assert client.get(other_entry).status_code == 404


def test_a_teacher_writes_only_to_the_students_they_teach(cast: Any, client: Any) -> None:
    client.force_login(cast.garcia)
    response = client.post(
        reverse("notebook:write"),
        {
            "student": cast.jade.public_id,
            "kind": Kind.INFORMATION,
            "title": "Bonjour",
            "text": "Un mot",
        },
    )
    assert response.status_code == 200
    assert not Entry.objects.exists()


def test_writing_from_the_form_to_a_class(cast: Any, client: Any) -> None:
    client.force_login(cast.bernard)
    upload = SimpleUploadedFile("programme.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")
    response = client.post(
        reverse("notebook:write"),
        {
            "school_class": cast.class_4b.public_id,
            "kind": Kind.CONVOCATION,
            "title": "Réunion parents-professeurs",
            "text": "Je vous attends pour la réunion de rentrée.",
            "meeting_date": (timezone.localdate() + timedelta(days=7)).isoformat(),
            "meeting_time": "18:00",
            "place": "Salle polyvalente",
            "attachments": [upload],
        },
    )
    entries = list(Entry.objects.order_by("student__first_name"))
    assert [e.student for e in entries] == [cast.lea, cast.noah]
    assert response.status_code == 302
    assert response["Location"] == reverse("notebook:batch", args=[entries[0].batch])
    # The file is stored once, both entries carry it.
    files = [e.attachments.get() for e in entries]
    assert files[0].file.name == files[1].file.name
    client.force_login(cast.karim)
    assert client.get(reverse("notebook:attachment", args=[files[1].public_id])).status_code == 200
    assert client.get(reverse("notebook:attachment", args=[files[0].public_id])).status_code == 404


BAD = [
    ({"kind": Kind.CONVOCATION, "place": "Bureau du CPE"}, "date, une heure et un lieu"),
    ({"kind": Kind.AUTHORISATION, "answer_by": "2099-01-01"}, "Posez la question"),
    ({"kind": Kind.INFORMATION, "text": "   "}, "obligatoire"),
    ({"kind": Kind.INFORMATION, "school_class": ""}, "un élève, ou une classe"),
]


@pytest.mark.parametrize(("values", "message"), BAD, ids=[b[1] for b in BAD])
def test_bad_input_gives_a_clear_message_and_writes_nothing(
    cast: Any, client: Any, values: dict[str, Any], message: str
) -> None:
    client.force_login(cast.cpe_moulin)
    data = {
        "school_class": cast.class_4b.public_id,
        "title": "Un mot",
        "text": "Le texte du mot.",
        **values,
    }
    response = client.post(reverse("notebook:write"), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Entry.objects.exists() and not Notification.objects.exists()


def test_a_refused_attachment_writes_nothing(cast: Any, client: Any) -> None:
    client.force_login(cast.cpe_moulin)
    upload = SimpleUploadedFile("virus.exe", b"MZ\x90\x00", "application/octet-stream")
    response = client.post(
        reverse("notebook:write"),
        {
            "student": cast.noah.public_id,
            "kind": Kind.INFORMATION,
            "title": "Un mot",
            "text": "Le texte.",
            "attachments": [upload],
        },
    )
    assert "« virus.exe » n&#x27;est pas accepté" in response.content.decode()
    assert not Entry.objects.exists()


def test_signing_twice_changes_nothing(cast: Any, client: Any) -> None:
    build(cast)
    entry = noah_observation(cast)
    client.force_login(cast.karim)
    url = reverse("notebook:sign", args=[entry.public_id])
    assert client.post(url).status_code == 302
    entry.refresh_from_db()
    signed_at = entry.signed_at
    assert signed_at is not None
    assert client.post(url).status_code == 302
    entry.refresh_from_db()
    assert entry.signed_at == signed_at
    assert Signature.objects.filter(entry=entry).count() == 1
    assert AuditEntry.objects.filter(action="notebook.sign").count() == 1
    page = client.get(reverse("notebook:entry", args=[entry.public_id])).content.decode()
    assert "Vous avez signé ce mot." in page


def test_another_familys_entry_cannot_be_signed(cast: Any, client: Any) -> None:
    build(cast)
    entry = noah_observation(cast)
    client.force_login(cast.sophie)
    assert client.post(reverse("notebook:sign", args=[entry.public_id])).status_code == 404
    assert not Signature.objects.filter(entry=entry).exists()


def test_one_guardian_signs_unless_every_guardian_is_asked(cast: Any) -> None:
    mother = User.objects.create(username="parent.noah2", first_name="Nadia", last_name="Leroy")
    Guardianship.objects.create(guardian=mother, student=cast.noah, legal=True)
    bernard = actor_for(cast.bernard)
    [one] = actions.do_write(actor=bernard, students=[cast.noah], data=information("Un"))
    [every] = actions.do_write(
        actor=bernard, students=[cast.noah], data=information("Deux", every_guardian=True)
    )
    karim = actor_for(cast.karim)
    assert actions.do_sign(actor=karim, entry=one).signed_at is not None
    assert actions.do_sign(actor=karim, entry=every).signed_at is None
    assert actions.do_sign(actor=actor_for(mother), entry=every).signed_at is not None


def test_an_authorisation_is_answered_and_changed_until_its_deadline(
    cast: Any, client: Any
) -> None:
    build(cast)
    entry = trip(cast, cast.lea)
    client.force_login(cast.sophie)
    url = reverse("notebook:answer", args=[entry.public_id])
    client.post(url, {"answer": "yes"})
    entry.refresh_from_db()
    assert entry.answer is True and entry.answered_by == cast.sophie
    assert entry.signed_at is not None  # answering signs
    client.post(url, {"answer": "no"})
    entry.refresh_from_db()
    assert entry.answer is False
    with pytest.raises(ValidationError, match="La date limite de réponse est passée"):
        actions.do_answer(
            actor=actor_for(cast.sophie),
            entry=entry,
            answer=True,
            now=entry.answer_by + timedelta(minutes=1),
        )
    entry.refresh_from_db()
    assert entry.answer is False
    # The author sees, per student, who signed and the answers.
    client.force_login(cast.garcia)
    page = client.get(reverse("notebook:batch", args=[entry.batch])).content.decode()
    assert "1 signé(s) sur 2" in page and "0 oui, 1 non" in page
    assert "Karim Leroy : non signé" in page


def test_the_student_does_not_see_entries_for_guardians_only(cast: Any, client: Any) -> None:
    [entry] = actions.do_write(
        actor=actor_for(cast.cpe_moulin),
        students=[cast.noah],
        data=information("Entretien confidentiel", guardians_only=True),
    )
    client.force_login(cast.noah)
    page = client.get(reverse("notebook:student", args=[cast.noah.public_id])).content.decode()
    assert "Entretien confidentiel" not in page
    assert client.get(reverse("notebook:entry", args=[entry.public_id])).status_code == 404
    client.force_login(cast.karim)
    page = client.get(reverse("notebook:student", args=[cast.noah.public_id])).content.decode()
    assert "Entretien confidentiel" in page


def test_a_guardian_writes_to_the_head_teacher_who_answers(cast: Any, client: Any) -> None:
    client.force_login(cast.karim)
    response = client.post(
        reverse("notebook:ask"),
        {
            "child": cast.noah.public_id,
            "kind": Kind.REQUEST,
            "recipient": "head_teacher",
            "title": "Rendez-vous",
            "text": "Pourrions-nous nous rencontrer ?",
        },
    )
    entry = Entry.objects.get(title="Rendez-vous")
    assert response.status_code == 302
    assert entry.addressed_to == cast.bernard and entry.author == cast.karim
    assert Notification.objects.filter(recipient=cast.bernard, kind="notebook").exists()
    client.force_login(cast.garcia)
    assert client.get(reverse("notebook:entry", args=[entry.public_id])).status_code == 404
    client.force_login(cast.bernard)
    assert "Rendez-vous" in client.get(reverse("notebook:index")).content.decode()
    client.post(reverse("notebook:reply", args=[entry.public_id]), {"text": "Mardi 17 h ?"})
    assert Notification.objects.filter(
        recipient=cast.karim, title__contains="Réponse dans le carnet"
    ).exists()
    client.force_login(cast.karim)
    page = client.get(reverse("notebook:entry", args=[entry.public_id])).content.decode()
    assert "Mardi 17 h ?" in page


def test_a_guardian_writes_to_school_life(cast: Any, client: Any) -> None:
    entry = actions.do_ask(
        actor=actor_for(cast.sophie),
        student=cast.lea,
        kind=Kind.MESSAGE,
        recipient="school_life",
        title="Cantine",
        text="Léa ne mangera pas à la cantine lundi.",
    )
    assert entry.addressed_to is None
    assert Notification.objects.filter(recipient=cast.cpe_moulin, kind="notebook").exists()
    client.force_login(cast.bernard)
    assert client.get(reverse("notebook:entry", args=[entry.public_id])).status_code == 404
    client.force_login(cast.cpe_moulin)
    assert "Cantine" in client.get(reverse("notebook:index")).content.decode()


def test_an_empty_request_writes_nothing(cast: Any, client: Any) -> None:
    client.force_login(cast.karim)
    response = client.post(
        reverse("notebook:ask"),
        {
            "child": cast.noah.public_id,
            "kind": Kind.REQUEST,
            "recipient": "school_life",
            "title": "Objet",
            "text": "",
        },
    )
    assert "obligatoire" in response.content.decode()
    assert not Entry.objects.exists()


def test_reminders_go_after_the_delay_and_once(cast: Any) -> None:
    build(cast)
    NotebookSettings.objects.create(establishment=cast.moulin, reminder_days=4)
    entry = noah_observation(cast)
    # Léa's trip is answered (so signed) at once.
    lea_trip = trip(cast, cast.lea)
    actions.do_answer(actor=actor_for(cast.sophie), entry=lea_trip, answer=True)
    reminders = Notification.objects.filter(
        recipient=cast.karim, title__startswith="À signer", title__contains=entry.title
    )
    with time_machine.travel(entry.created_at + timedelta(days=3, hours=23), tick=False):
        call_command("remind_notebook")
    assert not reminders.exists()
    with time_machine.travel(entry.created_at + timedelta(days=4, hours=1), tick=False):
        call_command("remind_notebook")
        call_command("remind_notebook")
    assert reminders.count() == 1
    entry.refresh_from_db()
    assert entry.reminded_at is not None
    # A signed entry, and an establishment that turned reminders off, are left alone.
    with time_machine.travel(lea_trip.created_at + timedelta(days=30), tick=False):
        actions.do_remind_unsigned()
    assert not Notification.objects.filter(
        recipient=cast.sophie, title__startswith="À signer"
    ).exists()
    NotebookSettings.objects.filter(establishment=cast.moulin).update(reminder_days=0)
    Entry.objects.update(reminded_at=None)
    assert actions.do_remind_unsigned(now=timezone.now() + timedelta(days=60)) == 0


def test_the_head_sets_the_reminder_delay(cast: Any, client: Any) -> None:
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("notebook:settings", args=[cast.moulin.public_id])
    assert client.post(url, {"reminder_days": 5}).status_code == 302
    assert NotebookSettings.objects.get(establishment=cast.moulin).reminder_days == 5
    assert AuditEntry.objects.filter(action="notebook.settings.update").exists()


def test_the_home_panel_lists_what_to_sign_until_it_is_signed(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.karim)
    home = client.get(reverse("portal:home")).content.decode()
    assert "À signer pour Noah" in home and noah_observation(cast).title in home
    client.post(reverse("notebook:sign", args=[noah_observation(cast).public_id]))
    client.post(
        reverse("notebook:answer", args=[trip(cast, cast.noah).public_id]), {"answer": "no"}
    )
    home = client.get(reverse("portal:home")).content.decode()
    assert "À signer pour Noah" not in home


def test_the_printable_notebook_and_its_pdf(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.karim)
    page = client.get(reverse("notebook:print", args=[cast.noah.public_id])).content.decode()
    assert noah_observation(cast).title in page
    assert "Date et signature du responsable" in page and "@media print" in page
    response = client.get(reverse("notebook:pdf", args=[cast.noah.public_id]))
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-")


def test_the_history_puts_entries_to_sign_first_and_filters_by_kind(cast: Any, client: Any) -> None:
    build(cast)
    client.force_login(cast.sophie)
    url = reverse("notebook:student", args=[cast.lea.public_id])
    page = client.get(url).content.decode()
    assert page.index("Sortie au théâtre") < page.index("Photo de classe")
    page = client.get(url, {"kind": "request"}).content.decode()
    assert lea_request(cast).title in page and "Photo de classe" not in page


def test_an_observation_records_a_punishment_of_its_student(cast: Any, client: Any) -> None:
    from preau.discipline import demo as discipline_demo
    from preau.discipline.tests.helpers import noah_detention

    discipline_demo.build(cast)
    detention = noah_detention(cast)
    client.force_login(cast.bernard)
    data = {
        "kind": Kind.DISCIPLINE,
        "title": "Retenue mercredi",
        "text": "Noah sera retenu mercredi.",
        "measure": detention.public_id,
    }
    response = client.post(reverse("notebook:write"), {**data, "student": cast.lea.public_id})
    assert "La punition liée doit concerner l&#x27;élève choisi." in response.content.decode()
    assert not Entry.objects.exists()
    client.post(reverse("notebook:write"), {**data, "student": cast.noah.public_id})
    entry = Entry.objects.get()
    assert entry.measure == detention
    page = client.get(reverse("notebook:entry", args=[entry.public_id])).content.decode()
    assert reverse("discipline:measure", args=[detention.public_id]) in page


def test_a_teacher_writes_to_a_group_they_teach(cast: Any, client: Any) -> None:
    from preau.directory import versions
    from preau.directory.models import GroupMembership, Subject, TeachingAssignment, TeachingGroup

    year = SchoolYear.current()
    latin = TeachingGroup.objects.create(establishment=cast.moulin, school_year=year, name="Latin")
    for student in (cast.lea, cast.jade):
        GroupMembership.objects.create(establishment=cast.moulin, group=latin, student=student)
    TeachingAssignment.objects.create(
        establishment=cast.moulin,
        school_year=year,
        teacher=cast.garcia,
        subject=Subject.objects.filter(establishment=cast.moulin).first(),
        group=latin,
    )
    versions.bump()
    client.force_login(cast.garcia)
    client.post(
        reverse("notebook:write"),
        {
            "group": latin.public_id,
            "kind": Kind.INFORMATION,
            "title": "Sortie latin",
            "text": "Visite du musée.",
        },
    )
    entries = Entry.objects.filter(title="Sortie latin").order_by("student__first_name")
    assert [e.student for e in entries] == [cast.jade, cast.lea]
    assert {e.audience for e in entries} == {"Latin"}
