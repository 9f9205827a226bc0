"""OneRoster 1.2 CSV: the export against the binding's column lists, the import's checks (file
and line named, nothing written), idempotence on the demo school, and the round trip of a fresh
establishment through an empty directory."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from preau.audit.models import AuditEntry
from preau.core.actor import current_school_year
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory import actions
from preau.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    GroupMembership,
    Guardianship,
    Level,
    Membership,
    Period,
    Profile,
    SchoolClass,
    TeachingAssignment,
)
from preau.rosters import oneroster

pytestmark = pytest.mark.django_db

User = get_user_model()

# The headers of the OneRoster 1.2 CSV binding, written out here independently of the module
# (Préau's own extension columns, « metadata.preau.* », follow them on the right).
SPEC = {
    "orgs.csv": "sourcedId,status,dateLastModified,name,type,identifier,parentSourcedId",
    "academicSessions.csv": (
        "sourcedId,status,dateLastModified,title,type,startDate,endDate,parentSourcedId,schoolYear"
    ),
    "courses.csv": (
        "sourcedId,status,dateLastModified,schoolYearSourcedId,title,courseCode,grades,"
        "orgSourcedId,subjects,subjectCodes"
    ),
    "classes.csv": (
        "sourcedId,status,dateLastModified,title,grades,courseSourcedId,classCode,classType,"
        "location,schoolSourcedId,termSourcedIds,subjects,subjectCodes,periods"
    ),
    "users.csv": (
        "sourcedId,status,dateLastModified,enabledUser,username,userIds,givenName,familyName,"
        "middleName,identifier,email,sms,phone,agentSourcedIds,grades,password,"
        "userMasterIdentifier,resourceSourcedIds,preferredGivenName,preferredMiddleName,"
        "preferredFamilyName,primaryOrgSourcedId,pronouns"
    ),
    "roles.csv": (
        "sourcedId,status,dateLastModified,userSourcedId,roleType,role,beginDate,endDate,"
        "orgSourcedId,userProfileSourcedId"
    ),
    "enrollments.csv": (
        "sourcedId,status,dateLastModified,classSourcedId,schoolSourcedId,userSourcedId,role,"
        "primary,beginDate,endDate"
    ),
}
ROLE_VALUES = {
    "aide",
    "counselor",
    "districtAdministrator",
    "guardian",
    "parent",
    "principal",
    "proctor",
    "relative",
    "siteAdministrator",
    "student",
    "systemAdministrator",
    "teacher",
}


def unzip(raw: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(raw)) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def rows(files: dict[str, bytes], name: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(files[name].decode("utf-8"))))


def zipped(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


test_isolation = isolation_test(
    [
        Isolation(
            route="administration:oneroster_export",
            owner="principal_moulin",
            refused=("principal_curie", "cpe_moulin", "bernard", "sophie"),
            kwargs=lambda c: {"public_id": c.moulin.public_id},
        ),
        Isolation(
            route="administration:oneroster_import",
            owner="principal_moulin",
            refused=("principal_curie", "cpe_moulin", "bernard", "sophie"),
            kwargs=lambda c: {"public_id": c.moulin.public_id},
            method="post",
            owner_status=400,  # no archive sent
        ),
    ]
)


def test_the_export_follows_the_binding(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    response = client.get(reverse("administration:oneroster_export", args=[c.moulin.public_id]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    files = unzip(response.content)
    assert set(files) == {"manifest.csv", *SPEC}

    manifest = {r["propertyName"]: r["value"] for r in rows(files, "manifest.csv")}
    assert manifest["manifest.version"] == "1.0"
    assert manifest["oneroster.version"] == "1.2"
    for name in SPEC:
        assert manifest[f"file.{name.removesuffix('.csv')}"] == "bulk"
    assert manifest["file.demographics"] == "absent"

    ids: dict[str, set[str]] = {}
    for name, header in SPEC.items():
        first_line = files[name].decode("utf-8").split("\r\n", 1)[0].split(",")
        spec_columns = header.split(",")
        assert first_line[: len(spec_columns)] == spec_columns, name
        assert all(column.startswith("metadata.") for column in first_line[len(spec_columns) :])
        table = rows(files, name)
        assert table, f"{name} has no row"
        ids[name] = {r["sourcedId"] for r in table}
        assert len(ids[name]) == len(table), f"duplicate sourcedId in {name}"
        # Bulk mode: status and dateLastModified are left empty.
        assert {(r["status"], r["dateLastModified"]) for r in table} == {("", "")}

    orgs = {r["type"]: r for r in rows(files, "orgs.csv")}
    assert orgs["school"]["identifier"] == c.moulin.uai
    assert orgs["school"]["sourcedId"] == str(c.moulin.public_id)
    assert orgs["school"]["parentSourcedId"] == orgs["district"]["sourcedId"]
    users = {r["sourcedId"]: r for r in rows(files, "users.csv")}
    roles = {r["userSourcedId"]: r["role"] for r in rows(files, "roles.csv")}
    assert set(roles.values()) <= ROLE_VALUES | {"ext:documentaliste", "ext:collectivite"}
    assert roles[str(c.lea.public_id)] == "student"
    assert roles[str(c.sophie.public_id)] == "guardian"
    assert roles[str(c.bernard.public_id)] == "teacher"
    assert roles[str(c.principal_moulin.public_id)] == "principal"
    assert str(c.hugo.public_id) not in users  # Marie Curie's pupil
    lea = users[str(c.lea.public_id)]
    assert (lea["givenName"], lea["familyName"], lea["grades"]) == ("Léa", "Martin", "08")
    assert str(c.sophie.public_id) in lea["agentSourcedIds"].split(",")
    for enrollment in rows(files, "enrollments.csv"):
        assert enrollment["classSourcedId"] in ids["classes.csv"]
        assert enrollment["userSourcedId"] in users
        assert enrollment["role"] in {"student", "teacher"}
    courses = ids["courses.csv"]
    sessions = ids["academicSessions.csv"]
    for klass in rows(files, "classes.csv"):
        assert klass["courseSourcedId"] in courses
        assert set(klass["termSourcedIds"].split(",")) <= sessions
    lea_classes = {
        e["classSourcedId"]
        for e in rows(files, "enrollments.csv")
        if e["userSourcedId"] == str(c.lea.public_id)
    }
    assert str(c.class_4b.public_id) in lea_classes


def test_importing_the_demo_export_again_changes_nothing(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    first = oneroster.export_files(c.moulin)
    counts = (User.objects.count(), Membership.objects.count(), Enrolment.objects.count())
    response = client.post(
        reverse("administration:oneroster_import", args=[c.moulin.public_id]),
        {"file": SimpleUploadedFile("moulin.zip", oneroster.export_zip(c.moulin))},
    )
    assert response.status_code == 200, response.context["result"].problems
    assert "Archive importée" in response.content.decode()
    assert (User.objects.count(), Membership.objects.count(), Enrolment.objects.count()) == counts
    entry = AuditEntry.objects.get(establishment=c.moulin, action="rosters.oneroster.imported")
    assert entry.after == {}  # nothing to change
    assert oneroster.export_files(c.moulin) == first


def test_a_wrong_archive_is_refused_by_file_and_line(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    files = oneroster.export_files(c.moulin)
    users = files["users.csv"].decode().split("\r\n")
    users[2] = users[2].replace(users[2].split(",")[6], "", 1)  # no given name on line 3
    users.append(users[4])  # line 4 again at the end: a duplicate sourcedId
    files["users.csv"] = "\r\n".join(users).encode()
    enrollments = files["enrollments.csv"].decode().split("\r\n")
    cells = enrollments[1].split(",")
    cells[5] = "00000000-0000-0000-0000-000000000000"  # someone not in users.csv
    enrollments[1] = ",".join(cells)
    files["enrollments.csv"] = "\r\n".join(enrollments).encode()
    people, memberships = User.objects.count(), Membership.objects.count()
    response = client.post(
        reverse("administration:oneroster_import", args=[c.moulin.public_id]),
        {"file": SimpleUploadedFile("bad.zip", zipped(files))},
    )
    assert response.status_code == 400
    problems = {(p.file, p.line) for p in response.context["result"].problems}
    assert ("users.csv", 3) in problems
    assert ("users.csv", len(users)) in problems
    body = response.content.decode()
    assert "rien n&#x27;a été importé" in body or "rien n'a été importé" in body
    assert (User.objects.count(), Membership.objects.count()) == (people, memberships)

    # Another establishment's archive, a missing file, a file that is no archive.
    curie = oneroster.export_files(c.curie)
    result = client.post(
        reverse("administration:oneroster_import", args=[c.moulin.public_id]),
        {"file": SimpleUploadedFile("curie.zip", zipped(curie))},
    ).context["result"]
    assert [p.file for p in result.problems] == ["orgs.csv"]
    del files["roles.csv"]
    result = oneroster.check_archive(zipped(files), c.moulin)[1]
    assert ("roles.csv", 0) in {(p.file, p.line) for p in result}
    assert oneroster.check_archive(b"not a zip", c.moulin)[1][0].message == (
        "Ce fichier n'est pas une archive ZIP."
    )


def build_fresh_school(c: Any) -> Establishment:
    """A small lycée of its own academy, built through the directory's actions."""
    head = c.admin
    academy = Academy.objects.create(code="A99", name="Académie d'essai")
    school = actions.do_create_establishment(
        actor=head, academy=academy, uai="0999001N", name="Lycée d'essai", kind="lycee", city="Ici"
    )
    year = current_school_year()
    actions.do_create_period(
        actor=head,
        establishment=school,
        kind="semester",
        number=1,
        start_date=year.start_date,
        end_date=date(year.end_date.year, 1, 31),
    )
    actions.do_create_period(
        actor=head,
        establishment=school,
        kind="semester",
        number=2,
        start_date=date(year.end_date.year, 2, 1),
        end_date=year.end_date,
    )
    maths = actions.do_create_subject(
        actor=head, establishment=school, code="061300", label="Mathématiques", short_label="MATHS"
    )
    english = actions.do_create_subject(
        actor=head, establishment=school, code="030201", label="Anglais LV1"
    )
    teacher = actions.do_create_member(
        actor=head,
        establishment=school,
        first_name="Anne",
        last_name="Essai",
        email="anne@example.org",
        profile=Profile.TEACHER,
    ).membership.person
    klass = actions.do_create_class(
        actor=head,
        establishment=school,
        name="2nde 1",
        level=Level.objects.get(code="2"),
        head_teacher=teacher,
    )
    pupils = [
        actions.do_create_member(
            actor=head,
            establishment=school,
            first_name=first,
            last_name="Essai",
            birth_date=date(2010, 1, day),
            profile=Profile.STUDENT,
            school_class=klass,
        ).membership.person
        for day, first in enumerate(["Ugo", "Vera", "Wil"], start=1)
    ]
    actions.do_create_guardian(
        actor=head, establishment=school, student=pupils[0], first_name="Paul", last_name="Essai"
    )
    group = actions.do_create_group(
        actor=head, establishment=school, name="Anglais euro", students=pupils[:2]
    )
    actions.do_create_assignment(
        actor=head, establishment=school, teacher=teacher, subject=maths, school_class=klass
    )
    actions.do_create_assignment(
        actor=head, establishment=school, teacher=teacher, subject=english, group=group
    )
    return school


def erase(school: Establishment) -> None:
    """Forget the school, its academy and its people, as in a database that never had them."""
    people = list(
        User.objects.filter(memberships__establishment=school).values_list("pk", flat=True)
    )
    TeachingAssignment.objects.filter(establishment=school).delete()
    academy = school.academy
    school.delete()
    User.objects.filter(pk__in=people).delete()
    academy.delete()


def test_a_fresh_establishment_goes_round_trip_through_an_empty_directory(
    cast: Any, tmp_path: Any
) -> None:
    school = build_fresh_school(cast)
    exported = tmp_path / "essai.zip"
    call_command("oneroster_export", str(exported), establishment="0999001N", stdout=io.StringIO())
    before = unzip(exported.read_bytes())
    assert len(rows(before, "users.csv")) == 5
    erase(school)
    assert not Establishment.objects.filter(uai="0999001N").exists()

    call_command("oneroster_import", str(exported), dry_run=True, stdout=io.StringIO())
    assert not Establishment.objects.filter(uai="0999001N").exists()
    call_command("oneroster_import", str(exported), stdout=io.StringIO())

    school = Establishment.objects.get(uai="0999001N")
    after = tmp_path / "again.zip"
    call_command("oneroster_export", str(after), establishment="0999001N", stdout=io.StringIO())
    assert unzip(after.read_bytes()) == before
    assert exported.read_bytes() == after.read_bytes()
    # What Préau keeps, beyond the files: the class, its pupils, the group, the guardian.
    klass = SchoolClass.objects.get(establishment=school, name="2nde 1")
    assert Enrolment.objects.filter(school_class=klass).count() == 3
    assert klass.head_teacher.last_name == "Essai"
    assert GroupMembership.objects.filter(group__name="Anglais euro").count() == 2
    assert Guardianship.objects.filter(guardian__first_name="Paul").count() == 1
    assert Period.objects.filter(establishment=school).count() == 2
    assert AuditEntry.objects.filter(
        establishment=school, action="rosters.oneroster.imported"
    ).exists()

    # Importing it once more finds everything by sourcedId.
    people = User.objects.count()
    call_command("oneroster_import", str(exported), stdout=io.StringIO())
    assert User.objects.count() == people


def test_the_import_command_reports_problems(cast: Any, tmp_path: Any) -> None:
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK not really")
    err = io.StringIO()
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("oneroster_import", str(path), stderr=err)
    assert "archive ZIP" in err.getvalue()


def test_the_export_runs_a_fixed_number_of_queries(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    url = reverse("administration:oneroster_export", args=[c.moulin.public_id])
    client.get(url)
    # The session's person, the actor's academies and memberships, the establishment; then the
    # periods, classes, groups, subjects, assignments, memberships, enrolments, guardianships
    # and group members of the establishment.
    with query_budget(EXPORT_QUERIES):
        assert client.get(url).status_code == 200


EXPORT_QUERIES = 13
