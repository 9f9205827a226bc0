"""The CSV import of people in the console: upload, column mapping, validation report, import;
refusals, encodings, all or nothing, and the report's query budget."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from preau.accounts.models import ActivationCode
from preau.audit.models import AuditEntry
from preau.core.csvfile import UnreadableFile, decode, read_rows
from preau.core.testing import Isolation, isolation_test, log_in_with_second_factor, query_budget
from preau.directory.models import Enrolment, Guardianship, Membership, Profile, SchoolClass
from preau.rosters import csvimport
from preau.rosters.actions import do_start_import
from preau.rosters.models import RosterImport

pytestmark = pytest.mark.django_db

User = get_user_model()

HEADER = "Nom;Prénom;Date de naissance;Classe;Profil;Identifiant;Responsable de;Courriel"
# Seven lines, four of them wrong: a bad date and an unknown class (line 4), the same pupil twice
# (line 6), a guardian of a pupil nobody knows (line 8). Léa Martin (line 5) is already known.
WRONG = "\n".join(
    [
        HEADER,
        "Durand;Émile;12/05/2013;4e B;Élève;E1;;",
        "Durand;Claire;;;Responsable;;E1;claire.durand@example.org",
        "Petit;Zoé;31/02/2013;4e Z;élève;E2;;",
        "Martin;Léa;14/03/2013;4e B;Élève;;;",
        "Durand;Émile;12/05/2013;4e B;Élève;;;",
        "Blanc;Paul;;;Enseignant;;;p.blanc@example.org",
        "Roux;Marc;;;Responsable;;E9;",
    ]
)
RIGHT = "\n".join(
    [
        HEADER,
        "Durand;Émile;12/05/2013;4e B;Élève;E1;;",
        "Durand;Claire;;;Responsable;;E1;claire.durand@example.org",
        "Petit;Zoé;28/02/2013;4e B;élève;E2;;",
        "Martin;Léa;14/03/2013;4e B;Élève;;;",
        "Blanc;Paul;;;Enseignant;;;p.blanc@example.org",
        "Roux;Marc;;;Responsable;;E2 E1;",
    ]
)


def csv_file(text: str, encoding: str = "cp1252", name: str = "eleves.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(encoding), content_type="text/csv")


def upload(client: Any, c: Any, content: Any) -> Any:
    return client.post(
        reverse("administration:rosters", args=[c.moulin.public_id]), {"file": content}
    )


def batch_of(c: Any, text: str = RIGHT) -> RosterImport:
    return do_start_import(
        actor=c.principal_moulin, establishment=c.moulin, filename="eleves.csv", text=text
    )


def import_kwargs(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id, "import_id": batch_of(c).public_id}


# The import pages belong to Jean Moulin's administrators: Marie Curie's head, the CPE (no
# administrative function), a teacher and a guardian get 404.
REFUSED = ("principal_curie", "cpe_moulin", "bernard", "sophie")
test_isolation = isolation_test(
    [
        Isolation(
            route="administration:rosters",
            owner="principal_moulin",
            refused=REFUSED,
            kwargs=lambda c: {"public_id": c.moulin.public_id},
        ),
        Isolation(
            route="administration:roster_import",
            owner="principal_moulin",
            refused=REFUSED,
            kwargs=import_kwargs,
        ),
        Isolation(
            route="administration:roster_import_run",
            owner="principal_moulin",
            refused=REFUSED,
            kwargs=import_kwargs,
            method="post",
        ),
    ]
)


def test_the_whole_journey_upload_mapping_report_fix_import(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    people_before = User.objects.count()

    # 1. Upload, as Excel writes it in France (Windows-1252, « ; »).
    response = upload(client, c, csv_file(WRONG))
    batch = RosterImport.objects.get(establishment=c.moulin, filename="eleves.csv")
    assert response.status_code == 302
    assert response.url == reverse(
        "administration:roster_import", args=[c.moulin.public_id, batch.public_id]
    )

    # 2. The mapping is guessed from the French headers and shown for each column.
    assert batch.mapping == [
        "last_name",
        "first_name",
        "birth_date",
        "school_class",
        "profile",
        "directory_id",
        "guardian_of",
        "email",
    ]
    page = client.get(response.url)
    body = page.content.decode()
    assert page.status_code == 200
    assert "Date de naissance" in body and "Prénom" in body

    # 3. The report names each problem by line and column; nothing is written yet.
    report = page.context["report"]
    errors = {(p.line, p.column) for p in report.errors}
    assert (4, "Date de naissance") in errors
    assert (4, "Classe") in errors
    assert (6, "Nom") in errors  # the same person as line 2
    assert (8, "Responsable de") in errors
    assert len(report.errors) == 4
    assert [n.line for n in report.notices] == [5]  # Léa Martin is already known
    assert "Importer</button>" not in body
    assert User.objects.count() == people_before
    refused = client.post(
        reverse("administration:roster_import_run", args=[c.moulin.public_id, batch.public_id])
    )
    assert refused.status_code == 409
    assert User.objects.count() == people_before

    # 4. The fixed file, in UTF-8 with a BOM and « , » this time, is clean.
    fixed = RIGHT.replace(";", ",")
    response = upload(client, c, csv_file(fixed, encoding="utf-8-sig"))
    page = client.get(response.url)
    assert page.context["report"].errors == []
    assert "Importer</button>" in page.content.decode()
    batch = RosterImport.objects.filter(establishment=c.moulin).latest("created_at")

    # 5. The import writes everything and shows each new person's activation code once.
    done = client.post(
        reverse("administration:roster_import_run", args=[c.moulin.public_id, batch.public_id])
    )
    assert done.status_code == 200
    outcome = done.context["outcome"]
    assert len(outcome.created) == 5  # Émile, Zoé, Paul, Claire, Marc (Léa already exists)
    assert outcome.guardianships == 3
    assert User.objects.count() == people_before + 5
    emile = User.objects.get(directory_id="E1")
    assert (emile.first_name, str(emile.birth_date)) == ("Émile", "2013-05-12")
    assert Enrolment.objects.get(student=emile, establishment=c.moulin).school_class == c.class_4b
    claire = User.objects.get(email="claire.durand@example.org")
    assert Guardianship.objects.filter(guardian=claire, student=emile).exists()
    marc = User.objects.get(last_name="Roux", first_name="Marc")
    assert set(
        Guardianship.objects.filter(guardian=marc).values_list("student__directory_id", flat=True)
    ) == {"E1", "E2"}
    assert (
        Membership.objects.get(person__last_name="Blanc", establishment=c.moulin).profile
        == Profile.TEACHER
    )
    assert ActivationCode.objects.filter(person=emile, establishment=c.moulin).count() == 1
    assert outcome.created[0].activation_code in done.content.decode()
    assert (
        AuditEntry.objects.filter(establishment=c.moulin, action="rosters.csv.imported").count()
        == 1
    )
    assert (
        AuditEntry.objects.filter(establishment=c.moulin, action="directory.member.create").count()
        >= 5
    )
    batch.refresh_from_db()
    assert batch.text == "" and batch.imported_at is not None
    # A finished import is gone from the console.
    again = client.get(
        reverse("administration:roster_import", args=[c.moulin.public_id, batch.public_id])
    )
    assert again.status_code == 404

    # Importing the same file again recognises everyone and creates nobody.
    response = upload(client, c, csv_file(RIGHT))
    report = client.get(response.url).context["report"]
    assert report.errors == []
    assert len(report.notices) == 6


def test_the_mapping_can_be_changed(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    text = "Famille;Prénoms;Né(e) le;Div.\nDurand;Émile;12/05/2013;4e B\n"
    batch = batch_of(c, text)
    assert batch.mapping == ["", "", "birth_date", ""]
    url = reverse("administration:roster_import", args=[c.moulin.public_id, batch.public_id])
    report = client.get(url).context["report"]
    assert [p.message for p in report.errors] == [
        "Aucune colonne n'est associée au champ « Nom ».",
        "Aucune colonne n'est associée au champ « Prénom ».",
    ]
    same_twice = {
        "column_0": "last_name",
        "column_1": "last_name",
        "default_profile": "National_ELV",
    }
    response = client.post(url, same_twice)
    assert "est associé à plusieurs colonnes" in response.content.decode()
    mapping = {
        "column_0": "last_name",
        "column_1": "first_name",
        "column_2": "birth_date",
        "column_3": "school_class",
        "default_profile": "National_ELV",
    }
    assert client.post(url, mapping).status_code == 302
    batch.refresh_from_db()
    assert batch.mapping == ["last_name", "first_name", "birth_date", "school_class"]
    assert client.get(url).context["report"].errors == []
    header_only = csvimport.check(
        "Nom;Prénom\n", ["last_name", "first_name"], establishment=c.moulin, default_profile=""
    )
    assert [p.message for p in header_only.errors] == ["Le fichier ne contient aucune personne."]


def test_an_unreadable_file_is_refused_with_a_message(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    response = upload(client, c, csv_file(RIGHT, encoding="utf-16"))
    assert response.status_code == 200
    assert "enregistrez-le depuis le tableur" in response.content.decode()
    assert not RosterImport.objects.exists()
    with pytest.raises(UnreadableFile):
        decode(b"Nom;Pr\x81nom\n")  # a byte Windows-1252 does not define
    assert "vide" in upload(client, c, csv_file("")).content.decode()


def test_encodings_and_separators(cast: Any) -> None:
    for raw in (RIGHT.encode("cp1252"), RIGHT.encode("utf-8"), ("\ufeff" + RIGHT).encode()):
        rows = read_rows(decode(raw))
        assert rows[1][:2] == ["Durand", "Émile"]
    rows = read_rows('Nom,Prénom\n"Le Gall, dit Yann",Yann\n')
    assert rows[1] == ["Le Gall, dit Yann", "Yann"]


def test_ten_lines_with_one_bad_line_write_nothing(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    lines = [f"Nouveau{i};Élève{i};01/01/2013;4e B" for i in range(10)]
    lines[6] = "Nouveau6;Élève6;2013-13-45;4e B"
    batch = batch_of(c, "Nom;Prénom;Date de naissance;Classe\n" + "\n".join(lines))
    people = User.objects.count()
    response = client.post(
        reverse("administration:roster_import_run", args=[c.moulin.public_id, batch.public_id])
    )
    assert response.status_code == 409
    assert [(p.line, p.column) for p in response.context["report"].errors] == [
        (8, "Date de naissance")
    ]
    assert User.objects.count() == people
    assert not AuditEntry.objects.filter(action="rosters.csv.imported").exists()


def test_a_failure_while_writing_rolls_everything_back(
    cast: Any, client: Any, monkeypatch: Any
) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    batch = batch_of(c)
    people, classes = User.objects.count(), SchoolClass.objects.count()

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("the database went away")

    monkeypatch.setattr(csvimport.directory, "do_link_guardian", broken)
    with pytest.raises(RuntimeError):
        client.post(
            reverse("administration:roster_import_run", args=[c.moulin.public_id, batch.public_id])
        )
    assert (User.objects.count(), SchoolClass.objects.count()) == (people, classes)
    batch.refresh_from_db()
    assert batch.imported_at is None


def test_an_unknown_class_with_its_level_is_created(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    text = "Nom;Prénom;Date de naissance;Classe;Niveau\nNeuf;Ana;02/02/2014;6e Z;6e\n"
    batch = batch_of(c, text)
    url = reverse("administration:roster_import", args=[c.moulin.public_id, batch.public_id])
    report = client.get(url).context["report"]
    assert report.errors == [] and report.new_classes == ["6e Z"]
    client.post(
        reverse("administration:roster_import_run", args=[c.moulin.public_id, batch.public_id])
    )
    ana = User.objects.get(first_name="Ana", last_name="Neuf")
    assert Enrolment.objects.get(student=ana).school_class.name == "6e Z"


def report_page_queries(c: Any, client: Any, lines: int) -> int:
    rows = [f"Nom{i};Prénom{i};01/01/2013;4e B;Élève;ID{i};" for i in range(lines)]
    rows += [f"Parent{i};Prénom{i};;;Responsable;;ID{i}" for i in range(lines)]
    header = "Nom;Prénom;Date de naissance;Classe;Profil;Identifiant;Responsable de\n"
    batch = batch_of(c, header + "\n".join(rows))
    url = reverse("administration:roster_import", args=[c.moulin.public_id, batch.public_id])
    with query_budget(REPORT_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.context["report"].errors == []
    return len(response.context["report"].lines)


# The session's person, the actor's academies and memberships, the establishment and the
# import; then the check's five reads of the directory (classes, levels, people by directory id,
# the establishment's members, their guardians). The school year and the console's services are
# kept between requests: a first visit reads them.
REPORT_QUERIES = 10


def test_the_report_page_runs_the_same_queries_whatever_the_file_size(
    cast: Any, client: Any
) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    client.get(reverse("administration:rosters", args=[c.moulin.public_id]))
    assert report_page_queries(c, client, 3) == 6
    assert report_page_queries(c, client, 150) == 300


def test_the_command_checks_then_imports(cast: Any, tmp_path: Any) -> None:
    c = cast
    wrong, right = tmp_path / "wrong.csv", tmp_path / "right.csv"
    wrong.write_bytes(WRONG.encode("cp1252"))
    right.write_bytes(RIGHT.encode("utf-8"))
    people = User.objects.count()
    err = io.StringIO()
    with pytest.raises(CommandError, match="4 error"):
        call_command("import_csv", str(wrong), establishment=c.moulin.uai, stderr=err)
    assert "line 4, column Date de naissance" in err.getvalue()
    call_command(
        "import_csv", str(right), establishment=c.moulin.uai, dry_run=True, stdout=io.StringIO()
    )
    assert User.objects.count() == people
    out = io.StringIO()
    call_command("import_csv", str(right), establishment=c.moulin.uai, stdout=out)
    assert User.objects.count() == people + 5
    assert "5 created" in out.getvalue()


def test_the_import_and_export_page_query_budget(cast: Any, client: Any) -> None:
    c = cast
    log_in_with_second_factor(client, c.principal_moulin)
    url = reverse("administration:rosters", args=[c.moulin.public_id])
    client.get(url)
    # The session's person, the actor's academies and memberships, the establishment.
    with query_budget(4):
        assert client.get(url).status_code == 200
