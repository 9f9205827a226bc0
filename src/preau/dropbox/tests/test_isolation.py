"""Every drop box route that takes an identifier, and who must get a 404 for it."""

from typing import Any

import pytest
from django.urls import reverse

from preau.core.testing import Isolation, isolation_test
from preau.dropbox.models import SubmissionFile
from preau.dropbox.tests.helpers import (
    BOX_ID,
    CORRECTION_FILE,
    NOAH_FILE,
    box_with_correction,
    box_with_work,
    open_box,
)

pytestmark = pytest.mark.django_db

# Another class (Jade, 3e A), another establishment (Hugo, Dupont, its head), a colleague who
# teaches 4e B but did not open the drop box (Bernard), people with no establishment here.
OUTSIDERS = ("jade", "hugo", "dupont", "principal_curie", "bernard", "rectorat_versailles")
# Managing a drop box: its teacher only; not the head or the CPE, who only read.
NOT_MANAGERS = (
    "bernard",
    "noah",
    "karim",
    "principal_moulin",
    "cpe_moulin",
    "principal_curie",
    "dupont",
)


def _box(c: Any) -> dict[str, Any]:
    return {"public_id": BOX_ID}


def _noah_file(c: Any) -> dict[str, Any]:
    return {"public_id": BOX_ID, "file_id": NOAH_FILE}


test_isolation = isolation_test(
    [
        # Reading a drop box: its class's students, their guardians, its teacher, the head and
        # the CPE of the establishment.
        Isolation("dropbox:detail", "noah", _box, OUTSIDERS, setup=open_box),
        Isolation("dropbox:detail", "karim", _box, OUTSIDERS, setup=open_box),
        Isolation("dropbox:detail", "garcia", _box, OUTSIDERS, setup=open_box),
        Isolation("dropbox:detail", "principal_moulin", _box, OUTSIDERS, setup=open_box),
        Isolation("dropbox:edit", "garcia", _box, NOT_MANAGERS, setup=open_box),
        Isolation("dropbox:delete", "garcia", _box, NOT_MANAGERS, setup=open_box),
        Isolation(
            "dropbox:close",
            "garcia",
            _box,
            NOT_MANAGERS,
            method="post",
            data={"closed": "1"},
            owner_status=302,
            setup=open_box,
        ),
        Isolation("dropbox:archive", "garcia", _box, NOT_MANAGERS, setup=box_with_work),
        # Handing in: the class's students only (an empty form is refused with a 400).
        Isolation(
            "dropbox:hand_in",
            "noah",
            _box,
            (*OUTSIDERS, "karim", "garcia", "principal_moulin"),
            method="post",
            owner_status=400,
            setup=open_box,
        ),
        # A student's file: the student and the teacher; not a classmate, a guardian (who sees
        # the status, not the work), the head, nor anyone outside.
        Isolation(
            "dropbox:download",
            "noah",
            _noah_file,
            (*OUTSIDERS, "lea", "karim", "sophie", "principal_moulin", "cpe_moulin"),
            setup=box_with_work,
        ),
        Isolation("dropbox:download", "garcia", _noah_file, OUTSIDERS, setup=box_with_work),
        Isolation(
            "dropbox:download",
            "noah",
            lambda c: {"public_id": BOX_ID, "file_id": CORRECTION_FILE},
            (*OUTSIDERS, "lea", "karim", "principal_moulin"),
            setup=box_with_correction,
        ),
        Isolation(
            "dropbox:withdraw",
            "noah",
            _noah_file,
            (*OUTSIDERS, "lea", "karim", "garcia"),
            method="post",
            owner_status=302,
            setup=box_with_work,
        ),
        Isolation(
            "dropbox:student",
            "garcia",
            lambda c: {"public_id": BOX_ID, "student_id": c.noah.public_id},
            NOT_MANAGERS,
            setup=box_with_work,
        ),
    ]
)


def test_refused_withdrawals_keep_the_file(cast: Any, client: Any) -> None:
    box_with_work(cast)
    url = reverse("dropbox:withdraw", args=[BOX_ID, NOAH_FILE])
    for name in ("lea", "karim", "garcia", "jade", "hugo", "principal_moulin"):
        client.force_login(getattr(cast, name))
        assert client.post(url).status_code == 404, name
    assert SubmissionFile.objects.filter(public_id=NOAH_FILE).exists()


def test_a_teacher_cannot_return_work_to_a_student_of_another_class(cast: Any, client: Any) -> None:
    open_box(cast)
    client.force_login(cast.garcia)
    for student in (cast.jade, cast.hugo):
        url = reverse("dropbox:student", args=[BOX_ID, student.public_id])
        assert client.get(url).status_code == 404
        assert client.post(url, {"feedback": "Bien"}).status_code == 404


def test_another_establishment_sees_nothing_of_the_drop_box(cast: Any, client: Any) -> None:
    open_box(cast)
    for name in ("principal_curie", "dupont", "hugo"):
        client.force_login(getattr(cast, name))
        page = client.get(reverse("dropbox:index"))
        assert page.status_code == 200
        assert "Rédaction" not in page.content.decode()


def test_a_malformed_or_unknown_id_is_a_404(cast: Any, client: Any) -> None:
    client.force_login(cast.noah)
    assert client.get(f"/dropbox/{BOX_ID}/").status_code == 404
    assert client.get("/dropbox/not-a-uuid/").status_code == 404
