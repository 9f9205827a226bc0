"""Files the import refuses, whole: hostile XML, broken files and unknown references. Each
refusal names the file and the element (its line), and nothing of the file is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth import get_user_model

from preau.directory.models import (
    Academy,
    Enrolment,
    GroupMembership,
    Membership,
    TeachingAssignment,
    TeachingGroup,
)
from preau.feeds.actions import describe_file, feed_files, import_file
from preau.feeds.models import FeedImport
from preau.feeds.xml import FeedError

User = get_user_model()
FILES = Path(__file__).parent / "files"
STRUCTURES = [
    FILES / "ENT_Complet_20260901_EtabEducNat_0000.xml",
    FILES / "ENT_Complet_20260901_PersRelEleve_0000.xml",
]
STUDENT = """<addRequest><identifier><id>{id}</id></identifier><attributes>
<attr name="ENTPersonJointure"><value>{id}</value></attr>
<attr name="sn"><value>Perrin</value></attr><attr name="givenName"><value>Lou</value></attr>
<attr name="ENTPersonStructRattach"><value>1001</value></attr>
<attr name="ENTEleveClasses"><value>1001${klass}</value></attr>{groups}
<attr name="ENTEleveAutoriteParentale"><value>{guardian}</value></attr>
</attributes></addRequest>
"""


@pytest.fixture
def academy(db: Any) -> Academy:
    academy = Academy.objects.create(code="GRENOBLE", name="Académie de Grenoble")
    for feed in feed_files(STRUCTURES):
        assert not import_file(feed, academy=academy).error
    return academy


def students(*records: str, prolog: str = '<?xml version="1.0" encoding="UTF-8"?>\n') -> str:
    return f"{prolog}<ficAlimMENESR>\n{''.join(records)}</ficAlimMENESR>\n"


def student(
    identifier: str, klass: str = "6A", guardian: str = "R100", groups: tuple[str, ...] = ()
) -> str:
    values = "".join(f"<value>{group}</value>" for group in groups)
    attr = f'<attr name="ENTEleveGroupes">{values}</attr>' if groups else ""
    return STUDENT.format(id=identifier, klass=klass, guardian=guardian, groups=attr)


def written() -> tuple[int, ...]:
    models = (User, Membership, Enrolment, TeachingGroup, GroupMembership, TeachingAssignment)
    return tuple(model.objects.count() for model in models)


def refused(tmp_path: Path, academy: Academy, content: str | bytes, kind: str = "Eleve") -> str:
    """Import ``content`` as a students' file (or another ``kind``); return the error, after
    checking that nothing was written."""
    path = tmp_path / f"ENT_Complet_20260902_{kind}_0000.xml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    before = written()
    log = import_file(describe_file(path), academy=academy)
    assert written() == before
    assert log.error and log.counts == {}
    assert FeedImport.objects.get(pk=log.pk).error == log.error
    assert path.name in log.error
    return log.error


def test_a_valid_file_of_the_same_shape_is_accepted(tmp_path: Path, academy: Academy) -> None:
    path = tmp_path / "ENT_Complet_20260902_Eleve_0000.xml"
    path.write_text(students(student("E900"), student("E901")), encoding="utf-8")
    log = import_file(describe_file(path), academy=academy)
    assert not log.error and log.counts["person.created"] == 2


def test_entity_expansion_is_refused(tmp_path: Path, academy: Academy) -> None:
    laughs = """<?xml version="1.0"?>
<!DOCTYPE ficAlimMENESR [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
]>
<ficAlimMENESR><addRequest><identifier><id>E900</id></identifier><attributes>
<attr name="sn"><value>&lol4;</value></attr></attributes></addRequest></ficAlimMENESR>
"""
    assert "DOCTYPE" in refused(tmp_path, academy, laughs)


def test_an_external_entity_is_refused(tmp_path: Path, academy: Academy) -> None:
    external = """<?xml version="1.0"?>
<!DOCTYPE ficAlimMENESR [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<ficAlimMENESR><addRequest><identifier><id>E900</id></identifier><attributes>
<attr name="sn"><value>&secret;</value></attr></attributes></addRequest></ficAlimMENESR>
"""
    error = refused(tmp_path, academy, external)
    assert "DOCTYPE" in error and "root:" not in error


def test_an_external_dtd_is_refused(tmp_path: Path, academy: Academy) -> None:
    dtd = students(
        student("E900"),
        prolog='<?xml version="1.0"?>\n<!DOCTYPE ficAlimMENESR '
        'SYSTEM "http://example.org/aaf.dtd">\n',
    )
    assert "DOCTYPE" in refused(tmp_path, academy, dtd)


def test_an_undeclared_entity_is_refused(tmp_path: Path, academy: Academy) -> None:
    error = refused(tmp_path, academy, students(student("E900").replace("Perrin", "&x;")))
    assert "XML invalide" in error


def test_a_bad_encoding_is_refused(tmp_path: Path, academy: Academy) -> None:
    content = students(student("E900"), student("E901")).encode("utf-8")
    content = content.replace(b"Perrin", "Pérrin".encode("latin-1"))
    error = refused(tmp_path, academy, content)
    assert "ligne 5" in error and "XML invalide" in error


def test_a_truncated_file_changes_nothing(tmp_path: Path, academy: Academy) -> None:
    content = students(student("E900"), student("E901"), student("E902"))[:-40]
    assert "XML invalide" in refused(tmp_path, academy, content)


def test_another_root_or_element_is_refused(tmp_path: Path, academy: Academy) -> None:
    assert "<ficAlimMENESR>" in refused(tmp_path, academy, "<?xml version='1.0'?><feed/>")
    odd = students(student("E900"), "<insertRequest/>")
    assert "<insertRequest>" in refused(tmp_path, academy, odd)


def test_a_duplicate_id_is_refused(tmp_path: Path, academy: Academy) -> None:
    error = refused(tmp_path, academy, students(student("E900"), student("E900")))
    assert "E900" in error and "en double" in error and "addRequest" in error


def test_a_class_the_structure_does_not_declare_is_refused(
    tmp_path: Path, academy: Academy
) -> None:
    error = refused(tmp_path, academy, students(student("E900"), student("E901", klass="6Z")))
    assert "6Z" in error and "E901" in error and "ligne 10" in error


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("7777$LATIN", "structure 7777 inconnue"),  # a structure the feed does not know
        ("1001$", "structure$groupe attendu"),  # no group name
        ("LATIN", "structure$groupe attendu"),  # no structure
        ("1001$" + "G" * 61, "structure$groupe attendu"),  # longer than a group's name
    ],
)
def test_a_malformed_or_unknown_group_is_refused(
    tmp_path: Path, academy: Academy, value: str, expected: str
) -> None:
    # The first student's group is fine: the refusal of the second takes it back too.
    content = students(student("E900", groups=("1001$LATIN",)), student("E901", groups=(value,)))
    error = refused(tmp_path, academy, content)
    assert expected in error and "ENTEleveGroupes" in error
    assert "<addRequest> E901" in error and "ligne 10" in error


TEACHER = """<addRequest><identifier><id>{id}</id></identifier><attributes>
<attr name="sn"><value>Garnier</value></attr><attr name="givenName"><value>Paul</value></attr>
<attr name="ENTPersonStructRattach"><value>1001</value></attr>
<attr name="ENTAuxEnsGroupesMatieres"><value>{value}</value></attr>
</attributes></addRequest>
"""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1001$LATIN", "structure$groupe$matière attendu"),  # no subject
        ("1001$LATIN$", "structure$groupe$matière attendu"),
        ("7777$LATIN$021000", "structure 7777 inconnue"),
    ],
)
def test_a_teachers_malformed_or_unknown_group_is_refused(
    tmp_path: Path, academy: Academy, value: str, expected: str
) -> None:
    content = students(
        TEACHER.format(id="P900", value="1001$LATIN$021000"),
        TEACHER.format(id="P901", value=value),
    )
    error = refused(tmp_path, academy, content, kind="PersEducNat")
    assert expected in error and "ENTAuxEnsGroupesMatieres" in error and "P901" in error


def test_a_link_to_an_unknown_guardian_is_refused(tmp_path: Path, academy: Academy) -> None:
    error = refused(tmp_path, academy, students(student("E900", guardian="R999")))
    assert "R999" in error and "E900" in error


def test_an_unknown_structure_is_refused(tmp_path: Path, academy: Academy) -> None:
    content = students(student("E900").replace("<value>1001</value>", "<value>7777</value>"))
    assert "7777" in refused(tmp_path, academy, content)


def test_a_modification_other_than_replace_is_refused(tmp_path: Path, academy: Academy) -> None:
    modify = """<modifyRequest><identifier><id>E900</id></identifier><modifications>
<modification name="ENTEleveClasses" operation="add"><value>1001$5B</value></modification>
</modifications></modifyRequest>"""
    assert "replace" in refused(tmp_path, academy, students(student("E900"), modify))


def test_a_file_name_that_says_nothing_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FeedError, match=r"export\.xml"):
        describe_file(tmp_path / "export.xml")
