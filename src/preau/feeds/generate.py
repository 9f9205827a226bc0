"""A synthetic academy in the AAF feed's format, for benchmarks and the memory test.

``python -m preau.feeds.generate <folder> [persons] [establishments]`` writes the six complete
files of an academy (structures, MEFs, subjects, staff, guardians, students): about 39 % of the
persons are students, 58 % guardians (two per family, siblings share them) and 3 % teachers,
with one member of the direction per establishment. A third of the students learn Latin, in a
group per level taught by one teacher, and each class is split in two halves (groups) for one
teacher's subject.
Written as a stream: the size of the academy costs disk, not memory.
"""

from __future__ import annotations

import random
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO
from xml.sax.saxutils import escape, quoteattr

from preau.directory.models import uai_check_letter

FIRST = [
    "Léa",
    "Noah",
    "Jade",
    "Hugo",
    "Emma",
    "Louis",
    "Chloé",
    "Gabriel",
    "Inès",
    "Arthur",
    "Manon",
    "Jules",
    "Camille",
    "Adam",
    "Sarah",
    "Raphaël",
    "Lina",
    "Paul",
    "Zoé",
    "Nathan",
    "Alice",
    "Tom",
    "Anna",
    "Sacha",
    "Rose",
    "Lucas",
    "Léna",
    "Ethan",
    "Mila",
    "Enzo",
    "Julia",
    "Malo",
    "Lou",
    "Théo",
    "Nina",
    "Axel",
    "Eva",
    "Yanis",
    "Clara",
    "Mathis",
    "Ambre",
    "Noé",
    "Lola",
    "Victor",
    "Iris",
    "Liam",
    "Romane",
    "Samuel",
]
SYLLABLES = [
    "ber",
    "car",
    "dan",
    "fon",
    "gar",
    "hou",
    "lam",
    "mar",
    "nor",
    "pet",
    "que",
    "ros",
    "sal",
    "tan",
    "vau",
    "bel",
    "chi",
    "dou",
    "fer",
    "gui",
]
SUBJECTS = [
    ("030201", "ANGLAIS LV1"),
    ("020700", "FRANCAIS"),
    ("061300", "MATHEMATIQUES"),
    ("040700", "HISTOIRE-GEOGRAPHIE"),
    ("062900", "PHYSIQUE-CHIMIE"),
    ("063700", "SCIENCES VIE & TERRE"),
    ("100100", "EDUCATION PHYSIQUE ET SPORTIVE"),
    ("030602", "ESPAGNOL LV2"),
]
LATIN = ("021000", "LANGUES ET CULTURES DE L'ANTIQUITE LATIN")
MEFS = [
    ("10010012110", "6EME", "6"),
    ("10110001110", "5EME", "5"),
    ("10210001110", "4EME", "4"),
    ("10310019110", "3EME", "3"),
]


def uai(number: int) -> str:
    digits = f"069{number:04d}"
    return digits + uai_check_letter(digits)


def last_name(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(3)).upper()


def record(
    out: IO[str], identifier: str, attributes: dict[str, list[str]], op: str = "add"
) -> None:
    out.write(f"<{op}Request><identifier><id>{escape(identifier)}</id></identifier><attributes>")
    for name, values in attributes.items():
        out.write(f"<attr name={quoteattr(name)}>")
        out.write("".join(f"<value>{escape(v)}</value>" for v in values))
        out.write("</attr>")
    out.write(f"</attributes></{op}Request>\n")


@contextmanager
def feed_file(folder: Path, kind: str, stamp: str) -> Iterator[IO[str]]:
    path = folder / f"ENT2D.{stamp}_Complet_{stamp}_{kind}_0000.xml"
    with path.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n<ficAlimMENESR>\n')
        yield out
        out.write("</ficAlimMENESR>\n")


def generate(
    folder: Path, persons: int, establishments: int, stamp: str = "20260901", first_uai: int = 1
) -> dict:
    """Write the files; return how many of each were written."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = random.Random(2026)  # noqa: S311 - reproducible names, nothing secret
    students_per = max(1, int(persons / 2.55 / establishments))
    classes_per = max(1, students_per // 27)
    teachers_per = max(2, students_per // 13)
    classes = {
        n: [f"{MEFS[c % 4][2]}E{c // 4 + 1}" for c in range(classes_per)]
        for n in range(establishments)
    }
    with feed_file(folder, "EtabEducNat", stamp) as out:
        for n in range(establishments):
            record(
                out,
                f"S{n}",
                {
                    "ENTStructureJointure": [f"S{n}"],
                    "ENTStructureUAI": [uai(first_uai + n)],
                    "ENTStructureNomCourant": [f"COLLEGE {last_name(rng)}"],
                    "ENTStructureTypeStruct": ["COLLEGE"],
                    "ENTStructureClasses": [f"{c}${c}" for c in classes[n]],
                },
            )
    with feed_file(folder, "MefEducNat", stamp) as out:
        for code, label, _short in MEFS:
            record(out, code, {"ENTMefJointure": [code], "ENTLibelleMef": [label]})
    with feed_file(folder, "MatiereEducNat", stamp) as out:
        for code, label in [*SUBJECTS, LATIN]:
            record(out, code, {"ENTMatJointure": [code], "ENTLibelleMatiere": [label]})
    counts = {
        "establishments": establishments,
        "students": 0,
        "guardians": 0,
        "teachers": 0,
        "direction": 0,
        "groups": 0,
    }
    with feed_file(folder, "PersEducNat", stamp) as out:
        for n in range(establishments):
            levels = sorted({c[0] for c in classes[n]})
            for t in range(teachers_per):
                subject = SUBJECTS[t % len(SUBJECTS)][0]
                taught = classes[n][t % classes_per :: max(1, teachers_per // classes_per + 1)][:6]
                attributes = {
                    "ENTPersonJointure": [f"T{n}-{t}"],
                    "sn": [last_name(rng)],
                    "givenName": [rng.choice(FIRST)],
                    "ENTPersonProfils": ["National_ENS"],
                    "ENTPersonStructRattach": [f"S{n}"],
                    "ENTPersonFonctions": [f"S{n}$ENS$ENSEIGNEMENT$L0000$X"],
                    "ENTAuxEnsClassesMatieres": [f"S{n}${c}${subject}" for c in taught],
                }
                if t == 0:  # the halves of every class, in the first teacher's subject
                    halves = [f"S{n}${c}-G{h}" for c in classes[n] for h in (1, 2)]
                    attributes["ENTAuxEnsGroupes"] = halves
                    attributes["ENTAuxEnsGroupesMatieres"] = [f"{g}${subject}" for g in halves]
                    counts["groups"] += len(halves)
                elif t == 1:  # Latin, one group per level
                    attributes["ENTAuxEnsGroupesMatieres"] = [
                        f"S{n}$LATIN{level}${LATIN[0]}" for level in levels
                    ]
                    counts["groups"] += len(levels)
                record(out, f"T{n}-{t}", attributes)
                counts["teachers"] += 1
            record(
                out,
                f"D{n}",
                {
                    "ENTPersonJointure": [f"D{n}"],
                    "sn": [last_name(rng)],
                    "givenName": [rng.choice(FIRST)],
                    "ENTPersonProfils": ["National_DIR"],
                    "ENTPersonStructRattach": [f"S{n}"],
                    "ENTPersonFonctions": [f"S{n}$DIR$DIRECTION$D0010$DIRECTION"],
                },
            )
            counts["direction"] += 1
    # Families: two guardians each; every fourth student is the sibling of the one before.
    families: list[tuple[str, list[str], str]] = []
    guardian = 0
    with feed_file(folder, "PersRelEleve", stamp) as out:
        for n in range(establishments):
            for s in range(students_per):
                if s % 4 == 3:
                    families.append((f"E{n}-{s}", families[-1][1], families[-1][2]))
                    continue
                name = last_name(rng)
                ids = [f"R{guardian}", f"R{guardian + 1}"]
                guardian += 2
                for identifier in ids:
                    record(
                        out,
                        identifier,
                        {
                            "ENTPersonJointure": [identifier],
                            "sn": [name],
                            "givenName": [rng.choice(FIRST)],
                            "mail": [f"{identifier.lower()}@example.org"],
                        },
                    )
                families.append((f"E{n}-{s}", ids, name))
        counts["guardians"] = guardian
    with feed_file(folder, "Eleve", stamp) as out:
        for index, (identifier, guardians, name) in enumerate(families):
            n = index // students_per
            s = index % students_per
            class_name = classes[n][s % classes_per]
            mef = next(code for code, _l, short in MEFS if class_name.startswith(short))
            groups = [f"S{n}${class_name}-G{s // classes_per % 2 + 1}"]
            if s % 3 == 0:
                groups.append(f"S{n}$LATIN{class_name[0]}")
            record(
                out,
                identifier,
                {
                    "ENTPersonJointure": [identifier],
                    "sn": [name],
                    "givenName": [rng.choice(FIRST)],
                    "ENTPersonDateNaissance": [
                        f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/2013"
                    ],
                    "ENTPersonStructRattach": [f"S{n}"],
                    "ENTEleveMEF": [mef],
                    "ENTEleveClasses": [f"S{n}${class_name}"],
                    "ENTEleveGroupes": groups,
                    "ENTEleveAutoriteParentale": guardians,
                },
            )
            counts["students"] += 1
    return counts


def main() -> None:
    folder = Path(sys.argv[1])
    persons = int(sys.argv[2]) if len(sys.argv) > 2 else 100_000
    establishments = int(sys.argv[3]) if len(sys.argv) > 3 else 60
    print(generate(folder, persons, establishments))


if __name__ == "__main__":
    main()
