"""Guardians read their own child's hand-ins, nothing else; home panels for students and
guardians."""

import html
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from preau.directory.models import Enrolment
from preau.dropbox.actions import do_hand_in, do_open_drop_box, do_return_work
from preau.dropbox.demo import pdf_upload
from preau.dropbox.models import Submission
from preau.dropbox.tests.helpers import BOX_ID, box_with_work, open_box, pdf_file

pytestmark = pytest.mark.django_db


def text(response: Any) -> str:
    return html.unescape(response.content.decode())


def test_a_guardian_sees_their_child_status_and_feedback_only(cast: Any, client: Any) -> None:
    box = box_with_work(cast)
    do_hand_in(actor=cast.lea, box=box, files=[pdf_upload("lea.pdf", "Lea")])
    do_return_work(actor=cast.garcia, box=box, student=cast.lea, feedback="Excellent, Léa.")
    do_return_work(actor=cast.garcia, box=box, student=cast.noah, feedback="Soigne l'écriture.")
    client.force_login(cast.karim)
    page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    assert "Noah Leroy" in page and "Corrigé rendu" in page and "Soigne l'écriture." in page
    assert "Léa" not in page and "Excellent" not in page
    assert "devoir-noah.pdf" not in page  # the status, not the work
    assert "Déposer" not in page and "Retirer" not in page
    index = text(client.get(reverse("dropbox:index")))
    assert "Travaux à rendre de Noah" in index and "Corrigé rendu" in index


def test_a_guardian_cannot_act_for_the_child(cast: Any, client: Any) -> None:
    open_box(cast)
    client.force_login(cast.karim)
    url = reverse("dropbox:hand_in", args=[BOX_ID])
    assert client.post(url, {"files": [pdf_file()]}).status_code == 404
    assert not Submission.objects.exists()


def test_another_family_child_is_a_404(cast: Any, client: Any) -> None:
    open_box(cast)
    client.force_login(cast.karim)
    assert client.get(reverse("dropbox:index"), {"child": cast.lea.public_id}).status_code == 404


def test_a_guardian_follows_a_child_in_another_establishment(cast: Any, client: Any) -> None:
    """Sophie works in the collège; her son Hugo is at the lycée Marie Curie."""
    box = do_open_drop_box(
        actor=cast.dupont,
        establishment=cast.curie,
        audience=cast.class_2nde3,
        title="Compte rendu de TP",
        instructions="",
        deadline=timezone.now() + timedelta(days=2),
    )
    client.force_login(cast.sophie)
    index = text(client.get(reverse("dropbox:index"), {"child": cast.hugo.public_id}))
    assert "Compte rendu de TP" in index and "À rendre" in index
    page = text(client.get(reverse("dropbox:detail", args=[box.public_id])))
    assert "Hugo Martin" in page and "Léa" not in page
    client.force_login(cast.karim)
    assert client.get(reverse("dropbox:detail", args=[box.public_id])).status_code == 404


def test_the_student_panel_lists_what_is_due_soon(cast: Any, client: Any) -> None:
    box = open_box(cast)
    client.force_login(cast.noah)
    home = text(client.get(reverse("portal:home")))
    assert "À rendre bientôt" in home and "Rédaction" in home and "À rendre" in home
    do_hand_in(actor=cast.noah, box=box, files=[pdf_upload("a.pdf", "A")])
    home = text(client.get(reverse("portal:home")))
    assert "Rédaction" in home and "Rendu" in home


def test_the_guardian_panel_shows_upcoming_and_missing(cast: Any, client: Any) -> None:
    now = timezone.now()
    open_box(cast)
    do_open_drop_box(
        actor=cast.garcia,
        establishment=cast.moulin,
        audience=cast.class_4b,
        title="Poésie",
        instructions="",
        opens_at=now - timedelta(days=4),
        deadline=now - timedelta(days=1),
    )
    client.force_login(cast.karim)
    home = text(client.get(reverse("portal:home")))
    assert "Noah doit rendre" in home and "Rédaction" in home
    assert "Non rendus" in home and "Poésie" in home


def test_a_student_who_changed_class_keeps_their_hand_in(cast: Any, client: Any) -> None:
    box = box_with_work(cast)
    do_return_work(actor=cast.garcia, box=box, student=cast.noah, feedback="Bien vu.")
    Enrolment.objects.filter(student=cast.noah).update(school_class=cast.class_3a)
    client.force_login(cast.garcia)
    assert "Leroy" in text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
    for name in ("noah", "karim"):
        client.force_login(getattr(cast, name))
        page = text(client.get(reverse("dropbox:detail", args=[BOX_ID])))
        assert "Bien vu." in page, name
    client.force_login(cast.jade)  # in 3e A from the start: not hers
    assert client.get(reverse("dropbox:detail", args=[BOX_ID])).status_code == 404
