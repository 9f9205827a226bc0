"""CSV import: a correct file becomes courses and lessons; any problem is reported and nothing
is imported."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from preau.core.testing import log_in_with_second_factor
from preau.directory.models import SchoolYear
from preau.timetable.models import Course, Lesson
from preau.timetable.tests.helpers import moulin_week

pytestmark = pytest.mark.django_db

HEADER = "classe;groupe;matiere;enseignants;salle;jour;debut;fin;semaine;du;au\n"
GOOD = (
    HEADER
    + "4e B;;061300;prof.bernard;B12;lundi;08:00;09:00;;;\n"
    + "4e B;;Français;prof.garcia;A03;mardi;9h00;10h00;A;;\n"
    + "3e A;;MATHS;prof.bernard;B12;lundi;10:00;11:00;;;\n"
)


def post(client, cast, text, **extra):
    log_in_with_second_factor(client, cast.principal_moulin)
    url = reverse("timetable:import", kwargs={"public_id": cast.moulin.public_id})
    upload = SimpleUploadedFile("edt.csv", text.encode(), content_type="text/csv")
    return client.post(url, {"file": upload, **extra})


def test_a_correct_file_is_imported_with_its_lessons(cast, client):
    response = post(client, cast, GOOD)
    assert response.status_code == 302
    assert Course.objects.filter(establishment=cast.moulin).count() == 3
    french = Course.objects.get(subject__code="020700")
    assert (french.weeks, french.room) == ("A", "A03")
    assert Lesson.objects.filter(course__establishment=cast.moulin).count() > 60


def test_overlaps_for_a_teacher_a_room_or_a_class_are_reported_and_nothing_imported(cast, client):
    text = (
        HEADER
        + "4e B;;061300;prof.bernard;B12;lundi;08:00;09:00;;;\n"
        # The same teacher at the same time, in another class.
        + "3e A;;061300;prof.bernard;B14;lundi;08:30;09:30;;;\n"
        # The same room.
        + "3e A;;020700;prof.garcia;B12;lundi;08:00;08:30;;;\n"
        # The same class, week A against every week.
        + "4e B;;020700;prof.garcia;A03;lundi;08:45;09:15;A;;\n"
        # Week A and week B at the same time do not meet.
        + "3e A;;020700;prof.garcia;C1;mardi;08:00;09:00;A;;\n"
        + "3e A;;062900;prof.garcia;C1;mardi;08:00;09:00;B;;\n"
    )
    response = post(client, cast, text)
    assert response.status_code == 200
    report = response.context["report"]
    assert {(p.line, p.column) for p in report} == {(3, "debut"), (4, "debut"), (5, "debut")}
    messages = " ".join(p.message for p in report)
    assert "même enseignant" in messages and "même salle (B12)" in messages
    assert "même classe (4e B)" in messages
    assert not Course.objects.exists()
    assert not Lesson.objects.exists()


def test_an_overlap_with_an_existing_course_is_reported(cast, client):
    moulin_week(cast)
    response = post(client, cast, HEADER + "3e A;;020700;prof.garcia;A03;mardi;09:30;10:30;;;\n")
    report = response.context["report"]
    assert len(report) == 1 and "cours existant" in report[0].message
    # Replacing the year's timetable: no overlap with the courses being replaced.
    response = post(
        client, cast, HEADER + "3e A;;020700;prof.garcia;A03;mardi;09:30;10:30;;;\n", replace="on"
    )
    assert response.status_code == 302
    assert Course.objects.filter(valid_until__isnull=True).count() == 1


def test_bad_lines_are_reported_by_line_and_column(cast, client):
    year = SchoolYear.current()
    outside = year.end_date.replace(year=year.end_date.year + 1).strftime("%d/%m/%Y")
    text = (
        HEADER
        + "4e Z;;061300;prof.bernard;B12;lundi;08:00;09:00;;;\n"
        + "4e B;;Cuisine;prof.inconnu;B12;dimanche;25:00;09:00;C;;\n"
        + f"4e B;;061300;prof.bernard;B12;lundi;10:00;09:00;;{outside};\n"
        + "4e B;2nde 3 groupe;061300;prof.bernard;B12;lundi;10:00;11:00;;;\n"
        # Another establishment's teacher.
        + "4e B;;061300;prof.dupont;B12;mercredi;10:00;11:00;;;\n"
    )
    report = post(client, cast, text).context["report"]
    found = {(p.line, p.column) for p in report}
    assert {
        (2, "classe"),
        (3, "matiere"),
        (3, "enseignants"),
        (3, "jour"),
        (3, "debut"),
        (3, "semaine"),
        (4, "fin"),
        (4, "du"),
        (5, "classe"),
        (6, "enseignants"),
    } <= found
    assert any("en dehors de l'année scolaire" in p.message for p in report)
    assert not Course.objects.exists()


def test_missing_columns_are_reported(cast, client):
    report = post(client, cast, "classe;matiere\n4e B;061300\n").context["report"]
    assert {p.column for p in report} == {"groupe", "enseignants", "salle", "jour", "debut", "fin"}


def test_another_establishment_cannot_import_here(cast, client):
    log_in_with_second_factor(client, cast.principal_curie)
    url = reverse("timetable:import", kwargs={"public_id": cast.moulin.public_id})
    upload = SimpleUploadedFile("edt.csv", GOOD.encode(), content_type="text/csv")
    assert client.post(url, {"file": upload}).status_code == 404
    assert not Course.objects.exists()
