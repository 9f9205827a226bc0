"""The demo files: built once, small, and Garcia's reading folder reaches 4e B."""

import re
from typing import Any

import pytest
from django.http import Http404

from preau.drive import demo, policies
from preau.drive.models import Node, Share
from preau.drive.tests.helpers import actor_for

pytestmark = pytest.mark.django_db


def test_the_demo_is_idempotent_and_small(cast: Any) -> None:
    demo.build(cast)
    built = (Node.objects.count(), Share.objects.count())
    demo.build(cast)
    assert (Node.objects.count(), Share.objects.count()) == built
    files = Node.objects.filter(kind="file")
    assert files.count() >= 10
    assert all(0 < size < 50_000 for size in files.values_list("size", flat=True))


def test_garcias_share_reaches_4e_b_only(cast: Any) -> None:
    demo.build(cast)
    lectures = Node.objects.get(name="Lectures", space__owner=cast.garcia)
    questionnaire = Node.objects.get(name="Le Horla - questionnaire.pdf")
    assert policies.access_node(actor_for(cast.noah), questionnaire.public_id)
    assert lectures in [s.node for s in policies.shared_with_me(actor_for(cast.noah))]
    for user in (cast.jade, cast.hugo, cast.karim):
        with pytest.raises(Http404):
            policies.access_node(actor_for(user), questionnaire.public_id)


def test_the_generated_pdf_is_well_formed() -> None:
    data = demo.pdf("Titre (essai)", ["Ligne é"])
    assert data.startswith(b"%PDF-1.4") and data.endswith(b"%%EOF\n")
    start = int(re.search(rb"startxref\n(\d+)", data).group(1))
    assert data[start : start + 4] == b"xref"
    for number, offset in enumerate(re.findall(rb"(\d{10}) 00000 n", data), start=1):
        assert data[int(offset) :].startswith(b"%d 0 obj" % number)
    assert demo.pdf("A", ["b"]) == demo.pdf("A", ["b"])
