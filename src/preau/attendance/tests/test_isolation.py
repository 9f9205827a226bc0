"""Every attendance route that takes an identifier, and who must get a 404 for it: another
family, a teacher of another class or of another lesson, another establishment."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.files.base import ContentFile

from preau.attendance import actions
from preau.attendance.models import AttendanceRecord, Justification, RecordKind
from preau.attendance.tests.helpers import build_week, reason
from preau.core.testing import Isolation, isolation_test
from preau.directory.models import SchoolYear
from preau.timetable.models import Lesson

pytestmark = pytest.mark.django_db

OTHER_SCHOOL = ("principal_curie", "dupont", "hugo")


def _week(cast: Any) -> None:
    build_week(cast)


def _lesson(name: str) -> Any:
    def kwargs(c: Any) -> dict[str, Any]:
        school_class = c.class_4b if name == "4b" else c.class_3a
        lesson = (
            Lesson.objects.filter(school_class=school_class, teachers=c.bernard)
            .order_by("start")
            .first()
        )
        return {"public_id": lesson.public_id}

    return kwargs


def _records(cast: Any) -> None:
    """An absence of Noah (4e B) with a justification and its document, one of Jade (3e A)."""
    build_week(cast)
    year = SchoolYear.current()
    for student in (cast.noah, cast.jade):
        lesson = (
            Lesson.objects.filter(
                school_class=cast.class_4b if student == cast.noah else cast.class_3a
            )
            .order_by("start")
            .first()
        )
        record = AttendanceRecord.objects.create(
            establishment=cast.moulin,
            school_year=year,
            student=student,
            kind=RecordKind.ABSENCE,
            start=lesson.start,
            end=lesson.end,
            lesson=lesson,
        )
        justification = Justification(
            establishment=cast.moulin,
            record=record,
            author=cast.karim,
            reason=reason(cast, "illness"),
            submitted_at=lesson.end,
            document_name="certificat.pdf",
            document_type="application/pdf",
        )
        justification.document.save("document.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
        justification.save()
    actions.ensure_reasons(cast.curie)


def _record(name: str) -> Any:
    def kwargs(c: Any) -> dict[str, Any]:
        student = c.noah if name == "noah" else c.jade
        return {"public_id": AttendanceRecord.objects.get(student=student).public_id}

    return kwargs


def _class(name: str) -> Any:
    return lambda c: {"public_id": (c.class_4b if name == "4b" else c.class_3a).public_id}


def _student(name: str) -> Any:
    return lambda c: {"public_id": getattr(c, name).public_id}


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


test_isolation = isolation_test(
    [
        # Roll call: the lesson's teacher (and school life); not a teacher of the class who does
        # not give this lesson, not the family, not another school.
        Isolation(
            "attendance:roll_call",
            "bernard",
            _lesson("4b"),
            ("garcia", "noah", "karim", *OTHER_SCHOOL),
            setup=_week,
        ),
        Isolation(
            "attendance:roll_call",
            "cpe_moulin",
            _lesson("3a"),
            ("garcia", "jade", "sophie", *OTHER_SCHOOL),
            setup=_week,
        ),
        Isolation(
            "attendance:roll_call",
            "bernard",
            _lesson("4b"),
            ("garcia", "karim", *OTHER_SCHOOL),
            method="post",
            owner_status=400,  # a past lesson: the teacher may no longer change it
            setup=_week,
        ),
        # A record: the family, the class's teachers, school life.
        Isolation(
            "attendance:record",
            "karim",
            _record("noah"),
            ("sophie", "lea", "jade", *OTHER_SCHOOL),
            setup=_records,
        ),
        Isolation(
            "attendance:record",
            "bernard",
            _record("jade"),
            ("garcia", "sophie", "karim", "noah", *OTHER_SCHOOL),
            setup=_records,
        ),
        Isolation(
            "attendance:justify",
            "karim",
            _record("noah"),
            ("sophie", "noah", "bernard", "cpe_moulin", *OTHER_SCHOOL),
            method="post",
            owner_status=302,
            setup=_records,
        ),
        Isolation(
            "attendance:decide",
            "cpe_moulin",
            _record("noah"),
            ("karim", "sophie", "bernard", *OTHER_SCHOOL),
            method="post",
            data={"decision": "accept"},
            owner_status=302,
            setup=_records,
        ),
        Isolation(
            "attendance:document",
            "karim",
            _record("noah"),
            ("sophie", "lea", *OTHER_SCHOOL),
            setup=_records,
        ),
        # Totals: the class's teachers and school life; never another class's teacher.
        Isolation(
            "attendance:class",
            "bernard",
            _class("3a"),
            ("garcia", "jade", "sophie", "karim", *OTHER_SCHOOL),
        ),
        Isolation(
            "attendance:student",
            "garcia",
            _student("noah"),
            ("karim", "sophie", "lea", *OTHER_SCHOOL),
        ),
        Isolation(
            "attendance:student",
            "bernard",
            _student("jade"),
            ("garcia", "sophie", "karim", *OTHER_SCHOOL),
        ),
        # Reasons: the head and the CPE of the establishment.
        Isolation(
            "attendance:reasons",
            "principal_moulin",
            _moulin,
            ("bernard", "karim", "noah", "principal_curie", "dupont"),
        ),
        Isolation(
            "attendance:reasons",
            "cpe_moulin",
            _moulin,
            ("garcia", "sophie", "principal_curie"),
        ),
    ]
)
