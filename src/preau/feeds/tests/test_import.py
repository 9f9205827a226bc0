"""Importing the AAF feed: a complete import, its re-import, deltas, departures and returns."""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from preau.audit.models import AuditEntry
from preau.core.actor import Actor
from preau.directory.actions import do_appoint_head
from preau.directory.models import (
    Academy,
    Enrolment,
    Establishment,
    Function,
    GroupMembership,
    Guardianship,
    Membership,
    Profile,
    SchoolClass,
    Subject,
    TeachingAssignment,
    TeachingGroup,
)
from preau.feeds.actions import feed_files, import_file
from preau.feeds.generate import generate
from preau.feeds.models import FeedImport, StructureLink

User = get_user_model()
FILES = Path(__file__).parent / "files"
COMPLETE = sorted(FILES.glob("*_Complet_*.xml"))
DELTA = FILES / "ENT_Delta_20260915_Eleve_0000.xml"


@pytest.fixture
def academy(db: Any) -> Academy:
    return Academy.objects.create(code="GRENOBLE", name="Académie de Grenoble")


def run(paths: list[Path], academy: Academy, *, dry_run: bool = False) -> list[FeedImport]:
    logs = [import_file(f, academy=academy, dry_run=dry_run) for f in feed_files(paths)]
    for log in logs:
        assert not log.error, log.error
    return logs


def person(directory_id: str) -> Any:
    return User.objects.get(directory_id=directory_id)


def active_profiles(directory_id: str) -> set[tuple[str, str]]:
    return set(
        Membership.objects.filter(person__directory_id=directory_id, is_active=True).values_list(
            "establishment__uai", "profile"
        )
    )


def copy_without(tmp_path: Path, source: Path, identifier: str) -> Path:
    """The file without the record of ``identifier`` (a person who left)."""
    text = source.read_text(encoding="utf-8")
    pattern = rf"<addRequest>(?:(?!</addRequest>).)*<id>{identifier}</id>.*?</addRequest>"
    target = tmp_path / source.name
    target.write_text(re.sub(pattern, "", text, flags=re.S), encoding="utf-8")
    return target


def test_a_complete_import_creates_people_classes_and_guardianships(academy: Academy) -> None:
    logs = run(COMPLETE, academy)
    assert [log.kind for log in logs] == [
        "EtabEducNat",
        "MefEducNat",
        "MatiereEducNat",
        "PersRelEleve",
        "Eleve",
        "PersEducNat",
    ]
    alpes = Establishment.objects.get(uai="0381001G")
    assert alpes.name == "COLLEGE LES ALPES" and alpes.academy == academy
    assert StructureLink.objects.get(jointure="1001").classes == ["5B", "6A"]

    mael = person("E200")
    assert (mael.first_name, mael.last_name, mael.ine) == ("Maël", "Fabre", "123456789AB")
    assert mael.username == "mael.fabre" and not mael.has_usable_password()
    assert str(mael.birth_date) == "2015-04-12"
    assert active_profiles("E200") == {("0381001G", Profile.STUDENT)}
    assert Enrolment.objects.get(student=mael).school_class.name == "6A"
    sixth = SchoolClass.objects.get(establishment=alpes, name="6A")
    assert sixth.level.mef.startswith("100")

    # Both parents guard both children; they are members where each child is.
    assert set(
        Guardianship.objects.filter(guardian__directory_id="R100").values_list(
            "student__directory_id", "legal"
        )
    ) == {("E200", True), ("E201", True)}
    assert active_profiles("R100") == {
        ("0381001G", Profile.GUARDIAN),
        ("0381002H", Profile.GUARDIAN),
    }

    # The teacher teaches maths in two classes and heads the 6A; the CPE has her function.
    colette = person("P300")
    assert active_profiles("P300") == {("0381001G", Profile.TEACHER)}
    assert set(
        TeachingAssignment.objects.filter(teacher=colette, school_class__isnull=False).values_list(
            "school_class__name", "subject__label"
        )
    ) == {("6A", "MATHEMATIQUES"), ("5B", "MATHEMATIQUES")}
    sixth.refresh_from_db()
    assert sixth.head_teacher == colette
    assert Membership.objects.get(person__directory_id="P301").functions == [Function.CPE]

    # Each file is logged; the audit has one summary row per establishment it changed.
    eleve = next(log for log in logs if log.kind == "Eleve")
    assert eleve.records == 3 and eleve.counts["person.created"] == 3
    assert eleve.counts["enrolment.created"] == 3
    assert AuditEntry.objects.filter(action="feeds.import", establishment=alpes).count() == 3


def groups_of(directory_id: str) -> set[str]:
    return set(
        GroupMembership.objects.filter(student__directory_id=directory_id).values_list(
            "group__name", flat=True
        )
    )


def group_assignments(directory_id: str) -> set[tuple[str, str]]:
    return set(
        TeachingAssignment.objects.filter(
            teacher__directory_id=directory_id, group__isnull=False
        ).values_list("group__name", "subject__label")
    )


def staff_delta(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ENT_Delta_20260916_PersEducNat_0000.xml"
    path.write_text(
        f'<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n{body}</ficAlimMENESR>\n',
        encoding="utf-8",
    )
    return path


def test_a_complete_import_creates_teaching_groups_and_their_members(academy: Academy) -> None:
    logs = run(COMPLETE, academy)
    alpes = Establishment.objects.get(uai="0381001G")
    groups = TeachingGroup.objects.filter(establishment=alpes)
    assert set(groups.values_list("name", flat=True)) == {"6A-G1", "6A-G2", "LATIN"}
    assert {g.school_year for g in groups} == {SchoolClass.objects.get(name="6A").school_year}
    assert groups_of("E200") == {"6A-G1", "LATIN"}
    assert groups_of("E202") == {"6A-G2"}
    assert groups_of("E201") == set()
    assert set(
        GroupMembership.objects.filter(student__directory_id="E200").values_list(
            "establishment", flat=True
        )
    ) == {alpes.pk}

    # Colette teaches maths to both halves of the 6A, besides her classes; Paul teaches Latin,
    # a subject created in the collège with its national label, and is a teacher by it.
    assert group_assignments("P300") == {("6A-G1", "MATHEMATIQUES"), ("6A-G2", "MATHEMATIQUES")}
    assert group_assignments("P303") == {("LATIN", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN")}
    assert active_profiles("P303") == {("0381001G", Profile.TEACHER)}
    assert TeachingAssignment.objects.filter(teacher__directory_id="P300").count() == 4

    eleve = next(log for log in logs if log.kind == "Eleve")
    assert eleve.counts["group.created"] == 3 and eleve.counts["group.joined"] == 3
    staff = next(log for log in logs if log.kind == "PersEducNat")
    assert staff.counts["assignment.created"] == 5  # two classes and three groups


def test_a_delta_moves_a_student_between_groups_and_a_teacher_out_of_one(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    [log] = run([DELTA], academy)
    assert groups_of("E202") == {"LATIN"}  # from the 6A-G2, replaced
    assert groups_of("E200") == {"6A-G1", "LATIN"}  # not in the delta: unchanged
    assert groups_of("E203") == set()  # added without groups
    assert log.counts["group.joined"] == 1 and log.counts["group.left"] == 1
    assert "group.created" not in log.counts

    # A teacher's modification replaces their group assignments; one naming neither group
    # attribute leaves them.
    [log] = run(
        [
            staff_delta(
                tmp_path,
                """<modifyRequest><identifier><id>P300</id></identifier><modifications>
<modification name="ENTAuxEnsGroupesMatieres" operation="replace">
<value>1001$6A-G1$061300</value></modification></modifications></modifyRequest>
<modifyRequest><identifier><id>P303</id></identifier><modifications>
<modification name="mail" operation="replace"><value>paul.garnier@ac-grenoble.fr</value>
</modification></modifications></modifyRequest>
""",
            )
        ],
        academy,
    )
    assert group_assignments("P300") == {("6A-G1", "MATHEMATIQUES")}
    assert TeachingAssignment.objects.filter(teacher__directory_id="P300").count() == 3
    assert group_assignments("P303") == {("LATIN", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN")}
    assert log.counts["assignment.deleted"] == 1 and "assignment.created" not in log.counts


def test_groups_made_in_preau_keep_their_members_and_teachers(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    alpes = Establishment.objects.get(uai="0381001G")
    club = TeachingGroup.objects.create(
        establishment=alpes,
        school_year=SchoolClass.objects.get(name="6A").school_year,
        name="ATELIER THEATRE",
    )
    # Zélie's record has no ENTEleveGroupes, Maël's names his groups: the feed is the authority
    # on the groups it names, never on one made in Préau.
    for directory_id in ("E200", "E201"):
        GroupMembership.objects.create(
            establishment=alpes, group=club, student=person(directory_id)
        )
    french = Subject.objects.create(establishment=alpes, code="FR", label="Français")
    TeachingAssignment.objects.create(
        establishment=alpes,
        school_year=club.school_year,
        teacher=person("P300"),
        subject=french,
        group=club,
    )
    assert all(log.counts == {} for log in run(COMPLETE, academy))
    assert groups_of("E201") == {"ATELIER THEATRE"}
    assert groups_of("E200") == {"6A-G1", "LATIN", "ATELIER THEATRE"}
    assert ("ATELIER THEATRE", "Français") in group_assignments("P300")

    # A delta that replaces Colette's group subjects leaves the club; one that names only
    # ENTAuxEnsGroupes (no subject, so no assignment) changes none of her assignments.
    run(
        [
            staff_delta(
                tmp_path,
                """<modifyRequest><identifier><id>P300</id></identifier><modifications>
<modification name="ENTAuxEnsGroupesMatieres" operation="replace">
<value>1001$6A-G1$061300</value></modification></modifications></modifyRequest>
""",
            )
        ],
        academy,
    )
    assert group_assignments("P300") == {
        ("6A-G1", "MATHEMATIQUES"),
        ("ATELIER THEATRE", "Français"),
    }
    [log] = run(
        [
            staff_delta(
                tmp_path,
                """<modifyRequest><identifier><id>P300</id></identifier><modifications>
<modification name="ENTAuxEnsGroupes" operation="replace">
<value>1001$6A-G2</value></modification></modifications></modifyRequest>
""",
            )
        ],
        academy,
    )
    assert log.counts == {}
    assert group_assignments("P300") == {
        ("6A-G1", "MATHEMATIQUES"),
        ("ATELIER THEATRE", "Français"),
    }


def test_direction_staff_are_deputies_and_the_head_is_left_alone(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    direction = Membership.objects.get(person__directory_id="P302")
    assert direction.profile == Profile.DIRECTION
    assert direction.functions == [Function.DEPUTY_HEAD]

    # The academy appoints her head in its console. The feed cannot tell the head from a
    # deputy: it keeps the head function and does not make the head a deputy too.
    academy_admin = User.objects.create(username="admin.academie", is_superuser=True)
    alpes = Establishment.objects.get(uai="0381001G")
    do_appoint_head(actor=Actor(academy_admin), establishment=alpes, person=person("P302"))
    [log] = run([next(p for p in COMPLETE if "_PersEducNat_" in p.name)], academy)
    direction.refresh_from_db()
    assert direction.functions == [Function.HEAD] and direction.is_active
    assert log.counts == {"membership.updated": 1}
    assert all(log.counts == {} for log in run(COMPLETE, academy))

    # Listed by the feed under another profile, the head keeps the membership she was
    # appointed in; without the head function, it would close.
    staff = next(p for p in COMPLETE if "_PersEducNat_" in p.name)
    changed = tmp_path / staff.name
    changed.write_text(
        staff.read_text(encoding="utf-8")
        .replace("National_DIR", "National_ENS")
        .replace("1001$DIR$DIRECTION$D0010$DIRECTION", "1001$ENS$ENSEIGNEMENT$L0202$LETTRES"),
        encoding="utf-8",
    )
    run([changed], academy)
    assert active_profiles("P302") == {
        ("0381001G", Profile.DIRECTION),
        ("0381001G", Profile.TEACHER),
    }
    assert Membership.objects.get(
        person__directory_id="P302", profile=Profile.DIRECTION
    ).functions == [Function.HEAD]
    Membership.objects.filter(person__directory_id="P302").update(functions=[Function.DEPUTY_HEAD])
    run([changed], academy)
    assert active_profiles("P302") == {("0381001G", Profile.TEACHER)}
    # And a deputy whom the feed no longer lists with DIR loses the deputy's function.
    assert Membership.objects.get(person__directory_id="P302", is_active=True).functions == []


def test_a_delta_that_does_not_say_the_profile_keeps_the_direction(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    # Only the attachment is replaced: no profile, no function in the delta. The member of the
    # direction stays one, with the deputy's function.
    [log] = run(
        [
            staff_delta(
                tmp_path,
                """<modifyRequest><identifier><id>P302</id></identifier><modifications>
<modification name="ENTPersonStructRattach" operation="replace"><value>1001</value>
</modification></modifications></modifyRequest>
""",
            )
        ],
        academy,
    )
    assert log.counts == {}
    direction = Membership.objects.get(person__directory_id="P302", is_active=True)
    assert direction.profile == Profile.DIRECTION
    assert direction.functions == [Function.DEPUTY_HEAD]


def test_a_head_listed_as_a_teacher_with_dir_is_not_made_a_deputy(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    academy_admin = User.objects.create(username="admin.academie", is_superuser=True)
    alpes = Establishment.objects.get(uai="0381001G")
    do_appoint_head(actor=Actor(academy_admin), establishment=alpes, person=person("P302"))
    staff = next(p for p in COMPLETE if "_PersEducNat_" in p.name)
    changed = tmp_path / staff.name
    changed.write_text(
        staff.read_text(encoding="utf-8").replace("National_DIR", "National_ENS"),
        encoding="utf-8",
    )
    run([changed], academy)
    teacher = Membership.objects.get(person__directory_id="P302", profile=Profile.TEACHER)
    assert teacher.is_active and Function.DEPUTY_HEAD not in teacher.functions


def test_a_reimport_of_the_same_files_writes_nothing(academy: Academy) -> None:
    run(COMPLETE, academy)
    with CaptureQueriesContext(connection) as queries:
        logs = run(COMPLETE, academy)
    assert all(log.counts == {} for log in logs)
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if re.match(r"\s*(INSERT|UPDATE|DELETE)", q["sql"])
        # the import's own log and its scratch list of the ids met
        and not re.search(r'"feeds_(feedimport|seenid)"', q["sql"])
    ]
    assert writes == []


def test_a_delta_adds_modifies_and_deletes(academy: Academy) -> None:
    run(COMPLETE, academy)
    [log] = run([DELTA], academy)
    assert not log.complete
    awa = person("E203")
    assert active_profiles("E203") == {("0381001G", Profile.STUDENT)}
    assert Guardianship.objects.filter(guardian__directory_id="R102", student=awa).exists()

    moussa = person("E202")
    assert moussa.first_name == "Moussa Ibrahim" and moussa.last_name == "Diallo"
    assert Enrolment.objects.get(student=moussa).school_class.name == "5B"

    # Zélie's membership closes, and her account with it: deleted in three months.
    zelie = person("E201")
    assert active_profiles("E201") == set()
    assert zelie.left_at is not None and not zelie.is_active
    # Her parents stay members of the collège (Maël) but no longer of the lycée.
    assert active_profiles("R100") == {("0381001G", Profile.GUARDIAN)}
    assert person("R100").left_at is None
    assert log.counts["membership.closed"] == 3  # Zélie, and her two parents at the lycée


def test_who_leaves_a_complete_feed_is_closed_then_reopened_on_return(
    academy: Academy, tmp_path: Path
) -> None:
    run(COMPLETE, academy)
    students = next(p for p in COMPLETE if "_Eleve_" in p.name)
    staff = next(p for p in COMPLETE if "_PersEducNat_" in p.name)
    run([copy_without(tmp_path, students, "E202"), copy_without(tmp_path, staff, "P301")], academy)

    moussa, cpe = person("E202"), person("P301")
    assert active_profiles("E202") == set() and moussa.left_at is not None
    assert active_profiles("P301") == set() and cpe.left_at is not None
    # His guardian has no child left in the feed's establishments: she leaves too.
    assert active_profiles("R102") == set() and person("R102").left_at is not None
    # The others stay.
    assert person("E200").left_at is None and person("P300").is_active

    run([students, staff], academy)
    for directory_id in ("E202", "P301", "R102"):
        back = person(directory_id)
        assert back.left_at is None and back.is_active
        assert active_profiles(directory_id)
    assert Membership.objects.get(person__directory_id="P301").functions == [Function.CPE]


def test_a_person_created_by_hand_is_not_closed_by_a_complete_file(academy: Academy) -> None:
    run(COMPLETE, academy)
    alpes = Establishment.objects.get(uai="0381001G")
    hand = User.objects.create(username="stagiaire.alpes")
    Membership.objects.create(
        person=hand,
        establishment=alpes,
        school_year=Membership.objects.filter(establishment=alpes).first().school_year,
        profile=Profile.TEACHER,
    )
    run(COMPLETE, academy)
    assert Membership.objects.get(person=hand).is_active


def test_a_dry_run_writes_nothing_and_says_what_would_change(academy: Academy) -> None:
    before = (User.objects.count(), Membership.objects.count(), Establishment.objects.count())
    out = io.StringIO()
    call_command(
        "import_aaf", *[str(p) for p in COMPLETE], "--dry-run", "--academy", "GRENOBLE", stdout=out
    )
    after = (User.objects.count(), Membership.objects.count(), Establishment.objects.count())
    assert after == before
    assert not StructureLink.objects.exists()
    text = out.getvalue()
    assert "changerait" in text and "establishment.created: 2" in text
    assert "+ 0381001G COLLEGE LES ALPES" in text
    logs = FeedImport.objects.filter(dry_run=True)
    assert logs.count() == 6 and all(log.error == "" for log in logs)


def test_the_command_shows_progress_only_when_asked(academy: Academy) -> None:
    err = io.StringIO()
    call_command(
        "import_aaf", str(FILES), "--academy", "GRENOBLE", stdout=io.StringIO(), stderr=err
    )
    assert "%" not in err.getvalue()  # not a terminal
    captured = io.StringIO()
    real, sys.stderr = sys.stderr, captured
    try:
        call_command(
            "import_aaf", str(FILES), "--progress", "--academy", "GRENOBLE", stdout=io.StringIO()
        )
    finally:
        sys.stderr = real
    assert "100 %" in captured.getvalue()
    # The folder held the delta too, imported after the complete files.
    assert person("E203").is_active and person("E201").left_at is not None


def test_a_generated_academy_has_groups_and_direction_and_reimports_writing_nothing(
    academy: Academy, tmp_path: Path
) -> None:
    written = generate(tmp_path, 300, 2)
    run([tmp_path], academy)
    assert TeachingGroup.objects.count() == written["groups"]
    assert GroupMembership.objects.count() > written["students"]  # a half, some Latin too
    assert TeachingAssignment.objects.filter(group__isnull=False).count() == written["groups"]
    deputies = Membership.objects.filter(
        profile=Profile.DIRECTION, is_active=True, person__directory_id__isnull=False
    )
    assert [m.functions for m in deputies] == [[Function.DEPUTY_HEAD]] * written["direction"]
    assert all(log.counts == {} for log in run([tmp_path], academy))
