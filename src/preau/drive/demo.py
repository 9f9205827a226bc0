"""Demo files: a few folders and small generated files for the cast, and Inès Garcia's
reading folder shared with her class 4e B.

Every file is made here, byte for byte the same on each run (a PDF written by hand, PNG images
drawn with Pillow, plain text), so the demo stays small and deterministic. Idempotent: a person
whose space already holds something is left as it is.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from PIL import Image, ImageDraw

from preau.core.actor import Actor
from preau.drive import actions, policies
from preau.drive.models import Node


def pdf(title: str, lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``title`` and ``lines`` in Helvetica (Latin-1 text)."""
    text = ["BT", "/F1 20 Tf", "60 780 Td", f"({_pdf_text(title)}) Tj", "/F1 12 Tf"]
    for line in lines:
        text += ["0 -22 Td", f"({_pdf_text(line)}) Tj"]
    text.append("ET")
    stream = zlib.compress("\n".join(text).encode("latin-1"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    output = io.BytesIO()
    output.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(output.tell())
        output.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    start = output.tell()
    output.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        output.write(b"%010d 00000 n \n" % offset)
    output.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, start)
    )
    return output.getvalue()


def _pdf_text(value: str) -> str:
    return value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def png(label: str, colour: str, size: tuple[int, int] = (480, 320)) -> bytes:
    image = Image.new("RGB", size, colour)
    draw = ImageDraw.Draw(image)
    draw.rectangle([16, 16, size[0] - 17, size[1] - 17], outline="white", width=4)
    draw.text((36, 36), label, fill="white")
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=False)
    return output.getvalue()


# Per person: folder path (names) → files (name, content builder).
FILES: dict[str, dict[tuple[str, ...], list[tuple[str, Any]]]] = {
    "garcia": {
        ("Français 4e B", "Lectures"): [
            (
                "Le Horla - questionnaire.pdf",
                lambda: pdf(
                    "Le Horla - questionnaire",
                    [
                        "1. Qui raconte l'histoire ? Justifiez.",
                        "2. Relevez les signes du fantastique dans le journal.",
                        "3. Le narrateur est-il fou ? Donnez votre avis.",
                    ],
                ),
            ),
            (
                "Liste de lectures.txt",
                lambda: (
                    "Le Horla, Maupassant\nLa Vénus d'Ille, Mérimée\n"
                    "Le Chat noir, Poe (traduction Baudelaire)\n".encode()
                ),
            ),
        ],
        ("Français 4e B", "Séquences"): [
            (
                "Séquence 3 - le récit fantastique.pdf",
                lambda: pdf(
                    "Séquence 3", ["Objectifs : définir le fantastique.", "Durée : 4 semaines."]
                ),
            ),
        ],
        ("Administratif",): [
            ("Progression annuelle.txt", lambda: "Trimestre 1 : le récit\n".encode()),
        ],
    },
    "bernard": {
        ("Mathématiques", "4e B"): [
            (
                "Fractions - exercices.pdf",
                lambda: pdf(
                    "Fractions", ["Exercice 1 : simplifier 12/18.", "Exercice 2 : 2/3 + 1/4."]
                ),
            ),
            ("Figure Thalès.png", lambda: png("Thales", "#1d4e89")),
        ],
    },
    "lea": {
        ("Exposé Moyen Âge",): [
            (
                "Plan.txt",
                lambda: "I. Le château fort\nII. La vie des paysans\nIII. Les croisades\n".encode(),
            ),
            ("Château.png", lambda: png("Chateau fort", "#7a5c3e")),
        ],
    },
    "noah": {
        ("Cours",): [("Notes de français.txt", lambda: b"Le narrateur du Horla...\n")],
    },
    "principal_moulin": {
        ("Conseil pédagogique",): [
            (
                "Ordre du jour.pdf",
                lambda: pdf("Conseil pédagogique", ["1. Projet d'établissement", "2. Sorties"]),
            ),
        ],
    },
    "dupont": {
        ("Physique 2nde 3",): [
            (
                "TP circuits électriques.pdf",
                lambda: pdf("TP circuits", ["Mesurer une tension.", "Loi des mailles."]),
            ),
        ],
    },
}


def _folder(actor: Actor, top: Node, names: tuple[str, ...]) -> Node:
    node = top
    for name in names:
        found = Node.objects.filter(parent=node, name_key=name.casefold()).first()
        node = found or actions.do_create_folder(actor=actor, parent=node, name=name)
        node.grant = top.grant
    return node


def _fill(user: Any) -> tuple[Actor, Node] | None:
    """The person's root, or None when their space already holds something."""
    actor = Actor(user, {})
    space = actions.do_ensure_personal_space(actor=actor)
    top = actions.root_of(space)
    if Node.objects.filter(parent=top).exists():
        return None
    top.grant = policies.grant_for(actor, top)
    return actor, top


def build(cast: Any) -> None:
    built: dict[str, tuple[Actor, Node]] = {}
    for name, folders in FILES.items():
        filled = _fill(getattr(cast, name))
        if filled is None:
            continue
        actor, top = filled
        built[name] = filled
        for path, files in folders.items():
            folder = _folder(actor, top, path)
            for file_name, content in files:
                actions.do_upload_file(
                    actor=actor, folder=folder, name=file_name, content=io.BytesIO(content())
                )
    shares = [
        ("garcia", ("Français 4e B", "Lectures"), {"school_class": cast.class_4b}, "read"),
        ("bernard", ("Mathématiques",), {"person": cast.garcia}, "edit"),
        ("lea", ("Exposé Moyen Âge",), {"person": cast.noah}, "read"),
        ("dupont", ("Physique 2nde 3",), {"school_class": cast.class_2nde3}, "read"),
    ]
    for name, path, grantee, permission in shares:
        if name not in built:
            continue
        actor, top = built[name]
        folder = policies.resolve_path(actor, list(path))
        actions.do_share(actor=actor, node=folder, permission=permission, **grantee)
