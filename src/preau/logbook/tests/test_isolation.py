"""Every logbook route with an id: other families, classes and establishments get a 404."""

from typing import Any

from django.core.files.base import ContentFile

from preau.core.testing import Isolation, isolation_test
from preau.logbook.models import Attachment, Entry, Homework
from preau.logbook.tests.helpers import Week, garcia_entry, garcia_homework
from preau.timetable.models import Lesson

OTHER_SCHOOL = ("dupont", "hugo", "principal_curie")
NOT_4B_READERS = ("jade", *OTHER_SCHOOL)
NOT_GARCIA = ("bernard", "lea", "sophie", "principal_moulin", *OTHER_SCHOOL)
POSTED = {"method": "post", "owner_status": 302}


def _week(cast: Any) -> None:
    week = Week(cast)
    entry = garcia_entry(cast, week)
    garcia_homework(cast, week)
    attached = Attachment(
        establishment=cast.moulin,
        entry=entry,
        original_name="a.pdf",
        size=9,
        content_type="application/pdf",
    )
    attached.file.save("a.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attached.save()


def _french(cast: Any) -> dict[str, Any]:
    return {"public_id": Lesson.objects.get(logbook_entry__isnull=False).public_id}


def _homework(cast: Any) -> dict[str, Any]:
    homework = Homework.objects.get()
    return {"public_id": homework.lesson.public_id, "homework_id": homework.public_id}


def _class(name: str) -> Any:
    return lambda cast: {"public_id": getattr(cast, name).public_id}


test_isolation = isolation_test(
    [
        Isolation("logbook:lesson", "lea", _french, NOT_4B_READERS, setup=_week),
        Isolation("logbook:entry_edit", "garcia", _french, NOT_GARCIA, setup=_week),
        Isolation("logbook:homework_create", "garcia", _french, NOT_GARCIA, setup=_week),
        Isolation("logbook:copy", "garcia", _french, NOT_GARCIA, setup=_week),
        Isolation("logbook:homework_edit", "garcia", _homework, NOT_GARCIA, setup=_week),
        Isolation("logbook:homework_delete", "garcia", _homework, NOT_GARCIA, setup=_week),
        Isolation(
            "logbook:mark_done",
            "lea",
            lambda cast: {"public_id": Homework.objects.get().public_id},
            ("jade", "sophie", "garcia", *OTHER_SCHOOL),
            setup=_week,
            data={"done": "1"},
            **POSTED,
        ),
        Isolation(
            "logbook:attachment",
            "sophie",
            lambda cast: {"public_id": Attachment.objects.get().public_id},
            NOT_4B_READERS,
            setup=_week,
        ),
        Isolation(
            "logbook:class",
            "bernard",
            _class("class_3a"),
            ("garcia", "lea", "jade", "sophie", *OTHER_SCHOOL),
            setup=_week,
        ),
        Isolation(
            "logbook:workload",
            "garcia",
            _class("class_4b"),
            ("noah", "karim", "jade", *OTHER_SCHOOL),
            setup=_week,
        ),
        Isolation(
            "logbook:visa",
            "principal_moulin",
            _class("class_4b"),
            ("bernard", "cpe_moulin", "lea", *OTHER_SCHOOL),
        ),
        Isolation(
            "logbook:settings",
            "principal_moulin",
            lambda cast: {"public_id": cast.moulin.public_id},
            ("bernard", "cpe_moulin", "sophie", "principal_curie", "dupont"),
        ),
    ]
)


def test_entries_exist_for_the_cases(cast: Any) -> None:
    _week(cast)
    assert Entry.objects.count() == 1
