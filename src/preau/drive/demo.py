"""Demo files: a few folders and small generated files for the cast, Inès Garcia's reading
folder shared with her class 4e B, and the shared folders of the demo workspaces (« Club
théâtre », « Conseil pédagogique »).

Every file is made here, byte for byte the same on each run (a PDF written by hand, PNG images
drawn with Pillow, plain text), so the demo stays small and deterministic. Idempotent: a person
whose space (or a workspace whose shared folder) already holds something is left as it is.
"""

from __future__ import annotations

import io
import zlib
from typing import Any

from PIL import Image, ImageDraw

from preau.core.actor import SESSION_ESTABLISHMENT_KEY, Actor
from preau.drive import actions, policies
from preau.drive.models import Node
from preau.groups.demo import CLUB, COUNCIL
from preau.groups.models import Workspace


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


# Per demo workspace: who adds the files, and the files of its shared folder.
GROUP_FILES: dict[str, tuple[str, list[tuple[str, Any]]]] = {
    CLUB: (
        "garcia",
        [
            (
                "Scène 2 - texte annoté.pdf",
                lambda: pdf(
                    "Scene 2",
                    [
                        "LE VALET. - Monsieur, on vous demande.",
                        "LE MAITRE. - Qu'on attende ! (Il sort.)",
                        "Annotations : entrer par la gauche, parler fort.",
                    ],
                ),
            ),
            (
                "Répartition des rôles.txt",
                lambda: "Le maître : Noah\nLa servante : Léa\nLe valet : à choisir\n".encode(),
            ),
            ("Affiche de la représentation.png", lambda: png("Club theatre - 20 juin", "#8a1c4a")),
        ],
    ),
    COUNCIL: (
        "principal_moulin",
        [
            (
                "Compte rendu du conseil de rentrée.pdf",
                lambda: pdf(
                    "Conseil de rentree",
                    ["Projets de l'année validés.", "Prochain conseil : fin du trimestre."],
                ),
            ),
        ],
    ),
}


def _fill_workspace(cast: Any, name: str) -> None:
    """The shared folder of a demo workspace, filled when it is empty."""
    workspace = Workspace.objects.filter(
        establishment=cast.moulin, name=name, archived_at__isnull=True
    ).first()
    if workspace is None:
        return
    uploader, files = GROUP_FILES[name]
    actor = Actor(getattr(cast, uploader), {SESSION_ESTABLISHMENT_KEY: str(cast.moulin.public_id)})
    top = actions.root_of(actions.do_ensure_group_space(workspace=workspace))
    if Node.objects.filter(parent=top).exists():
        return
    top.grant = policies.grant_for(actor, top)
    for file_name, content in files:
        actions.do_upload_file(
            actor=actor, folder=top, name=file_name, content=io.BytesIO(content())
        )


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
    for name in GROUP_FILES:
        _fill_workspace(cast, name)
