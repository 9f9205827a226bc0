"""Every notebook route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest

from preau.core.testing import Isolation, isolation_test
from preau.notebook.tests.helpers import build, lea_request, noah_observation, trip

pytestmark = pytest.mark.django_db

# Noah's entry: not another family, not a classmate, not a teacher of another class, not
# another establishment.
NOT_NOAHS = ("sophie", "lea", "jade", "hugo", "dupont", "principal_curie")
# Family pages and buttons: nobody but Noah's guardians.
NOT_KARIM = ("sophie", "noah", "lea", "bernard", "cpe_moulin", "principal_curie")


def _observation(c: Any) -> dict[str, Any]:
    return {"public_id": noah_observation(c).public_id}


def _noah_trip(c: Any) -> dict[str, Any]:
    return {"public_id": trip(c, c.noah).public_id}


def _request(c: Any) -> dict[str, Any]:
    return {"public_id": lea_request(c).public_id}


def _batch(c: Any) -> dict[str, Any]:
    return {"batch": trip(c, c.noah).batch}


def _noah(c: Any) -> dict[str, Any]:
    return {"student_id": c.noah.public_id}


def _moulin(c: Any) -> dict[str, Any]:
    return {"public_id": c.moulin.public_id}


def _file(c: Any) -> dict[str, Any]:
    from preau.notebook.models import Attachment

    entry = noah_observation(c)
    return {"public_id": Attachment.objects.get(entry=entry).public_id}


def _with_file(c: Any) -> None:
    from django.core.files.base import ContentFile

    from preau.notebook.models import Attachment

    build(c)
    entry = noah_observation(c)
    attached = Attachment(
        establishment=entry.establishment,
        entry=entry,
        original_name="exercices.pdf",
        size=9,
        content_type="application/pdf",
    )
    attached.file.save("file.pdf", ContentFile(b"%PDF-1.4\n"), save=False)
    attached.save()


test_isolation = isolation_test(
    [
        Isolation("notebook:entry", "karim", _observation, NOT_NOAHS, setup=build),
        Isolation("notebook:entry", "noah", _observation, NOT_NOAHS, setup=build),
        Isolation("notebook:entry", "garcia", _observation, NOT_NOAHS, setup=build),
        # A request to the head teacher: not a teacher it was not addressed to, nor the student's
        # classmate's family.
        Isolation(
            "notebook:entry",
            "bernard",
            _request,
            ("garcia", "karim", "noah", "jade", "dupont", "principal_curie"),
            setup=build,
        ),
        Isolation("notebook:attachment", "karim", _file, NOT_NOAHS, setup=_with_file),
        Isolation(
            "notebook:sign",
            "karim",
            _observation,
            NOT_KARIM,
            method="post",
            owner_status=302,
            setup=build,
        ),
        Isolation(
            "notebook:answer",
            "karim",
            _noah_trip,
            NOT_KARIM,
            method="post",
            data={"answer": "yes"},
            owner_status=302,
            setup=build,
        ),
        Isolation(
            "notebook:reply",
            "sophie",
            _request,
            ("karim", "noah", "garcia", "jade", "dupont", "principal_curie"),
            method="post",
            data={"text": "Merci."},
            owner_status=302,
            setup=build,
        ),
        Isolation("notebook:student", "karim", _noah, NOT_NOAHS, setup=build),
        Isolation("notebook:student", "bernard", _noah, NOT_NOAHS, setup=build),
        Isolation("notebook:print", "karim", _noah, NOT_NOAHS, setup=build),
        Isolation("notebook:pdf", "noah", _noah, NOT_NOAHS, setup=build),
        # The class send's signatures: its author and school life.
        Isolation(
            "notebook:batch",
            "garcia",
            _batch,
            ("bernard", "karim", "sophie", "noah", "lea", "dupont", "principal_curie"),
            setup=build,
        ),
        Isolation(
            "notebook:open_batch",
            "cpe_moulin",
            _batch,
            ("bernard", "jade", "noah", "hugo", "dupont", "principal_curie"),
            setup=build,
        ),
        Isolation(
            "notebook:settings",
            "principal_moulin",
            _moulin,
            ("cpe_moulin", "bernard", "karim", "noah", "principal_curie"),
        ),
    ]
)
