"""Demo drop boxes: Mme Garcia's French work for 4e B, handed in, returned and late.

Idempotent: a drop box already there (by title) is kept with its hand-ins. Deterministic: the
students are taken in name order and the files are small generated PDFs.
"""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING, Any

from django.core.files.base import ContentFile
from django.utils import timezone

from preau.directory.models import Enrolment, Subject
from preau.dropbox.actions import do_hand_in, do_open_drop_box, do_return_work
from preau.dropbox.files import CheckedUpload
from preau.dropbox.models import DropBox

if TYPE_CHECKING:
    from preau.demo.cast import Cast

ESSAY = "Rédaction : un souvenir d'enfance"
READING = "Fiche de lecture : Le Horla"


def pdf(text: str) -> bytes:
    """A one-page PDF showing ``text`` (ASCII), small enough to ship in the demo."""
    content = f"BT /F1 14 Tf 72 720 Td ({text}) Tj ET".encode("latin-1", "replace")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer << /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def pdf_upload(name: str, text: str) -> CheckedUpload:
    data = pdf(text)
    return CheckedUpload(
        upload=ContentFile(data, name=name),
        original_name=name,
        extension="pdf",
        content_type="application/pdf",
        size=len(data),
    )


def _students_4b(cast: Cast) -> list[Any]:
    """The students of 4e B other than Noah (whose hand-in the demo leaves to him), by name."""
    return [
        enrolment.student
        for enrolment in Enrolment.objects.filter(school_class=cast.class_4b)
        .exclude(student=cast.noah)
        .select_related("student")
        .order_by("student__last_name", "student__first_name", "student__username")
    ]


def build(cast: Cast) -> None:
    if DropBox.objects.filter(establishment=cast.moulin, title=ESSAY).exists():
        return
    now = timezone.now().replace(second=0, microsecond=0)
    french = Subject.objects.get(establishment=cast.moulin, code="020700")
    essay = do_open_drop_box(
        actor=cast.garcia,
        establishment=cast.moulin,
        audience=cast.class_4b,
        subject=french,
        title=ESSAY,
        instructions=(
            "<p>Racontez un souvenir d'enfance en <strong>une page</strong> environ, au passé "
            "composé et à l'imparfait.</p><ul><li>Un titre</li><li>Des paragraphes</li></ul>"
        ),
        opens_at=now - timedelta(days=5),
        deadline=(now + timedelta(days=3)).replace(hour=18, minute=0),
        max_files=2,
    )
    reading = do_open_drop_box(
        actor=cast.garcia,
        establishment=cast.moulin,
        audience=cast.class_4b,
        subject=french,
        title=READING,
        instructions="Remplissez la fiche distribuée en classe et déposez-la en PDF.",
        opens_at=now - timedelta(days=12),
        deadline=now - timedelta(days=2),
        accepts_late=True,
        max_files=1,
    )
    students = _students_4b(cast)
    for position, student in enumerate(students[:4]):
        do_hand_in(
            actor=student,
            box=essay,
            files=[pdf_upload(f"redaction-{student.last_name.lower()}.pdf", "Un souvenir")],
            now=now - timedelta(days=3, hours=position),
        )
    first = students[0]
    do_return_work(
        actor=cast.garcia,
        box=essay,
        student=first,
        feedback="Très beau récit, bien construit. Attention aux accords du participe passé.",
        corrections=[pdf_upload("redaction-corrigee.pdf", "Corrige : 15/20")],
    )
    readers = students[:3]
    for position, student in enumerate(readers):
        late = position == len(readers) - 1  # the last one handed in after the deadline
        do_hand_in(
            actor=student,
            box=reading,
            files=[pdf_upload(f"fiche-{student.last_name.lower()}.pdf", "Le Horla")],
            now=now - (timedelta(days=1) if late else timedelta(days=4 + position)),
        )
