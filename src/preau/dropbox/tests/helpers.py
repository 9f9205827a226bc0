"""Rows the drop box tests start from, with fixed public ids so that routes can name them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from preau.dropbox.actions import do_hand_in, do_open_drop_box, do_return_work
from preau.dropbox.demo import pdf, pdf_upload
from preau.dropbox.models import DropBox, FileRole, SubmissionFile
from preau.notifications.models import Notification

BOX_ID = uuid.UUID("8d3a2f10-7c1e-4d5b-9e0a-3f2b1c4d0001")
NOAH_FILE = uuid.UUID("8d3a2f10-7c1e-4d5b-9e0a-3f2b1c4d0002")
CORRECTION_FILE = uuid.UUID("8d3a2f10-7c1e-4d5b-9e0a-3f2b1c4d0003")

PDF = pdf("Mon devoir")


def pdf_file(name: str = "devoir.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def open_box(cast: Any, **options: Any) -> DropBox:
    """Mme Garcia's drop box for 4e B, due in three days unless told otherwise."""
    now = timezone.now()
    values = {
        "title": "Rédaction",
        "instructions": "Une page.",
        "deadline": now + timedelta(days=3),
        "opens_at": now - timedelta(days=1),
        **options,
    }
    box = do_open_drop_box(
        actor=cast.garcia, establishment=cast.moulin, audience=cast.class_4b, **values
    )
    DropBox.objects.filter(pk=box.pk).update(public_id=BOX_ID)
    # The opening notices link to the drop box by its public id.
    Notification.objects.filter(url=f"/dropbox/{box.public_id}/").update(url=f"/dropbox/{BOX_ID}/")
    box.refresh_from_db()
    return box


def box_with_work(cast: Any) -> DropBox:
    """The drop box, with Noah's PDF handed in (fixed id)."""
    box = open_box(cast)
    do_hand_in(actor=cast.noah, box=box, files=[pdf_upload("devoir-noah.pdf", "Noah")])
    SubmissionFile.objects.filter(submission__student=cast.noah, role=FileRole.WORK).update(
        public_id=NOAH_FILE
    )
    return box


def box_with_correction(cast: Any) -> DropBox:
    """Noah's work returned with a corrected PDF (fixed id)."""
    box = box_with_work(cast)
    do_return_work(
        actor=cast.garcia,
        box=box,
        student=cast.noah,
        feedback="Bien.",
        corrections=[pdf_upload("corrige.pdf", "Corrige")],
    )
    SubmissionFile.objects.filter(role=FileRole.CORRECTION).update(public_id=CORRECTION_FILE)
    return box
