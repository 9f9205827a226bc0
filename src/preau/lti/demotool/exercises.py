"""The exercise sets of « Calcul mental » and their questions.

A launch's questions are drawn from its launch id, so that the answer page draws the same ones
again without keeping them anywhere, and two launches give different questions.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

QUESTIONS = 5
# The line item's maximum: Préau scales the score (correct answers out of QUESTIONS) to it.
MARKED_OUT_OF = 20
DEFAULT_SET = "tables"
# Typeset signs in the questions; an answer may use either minus sign.
MINUS = "\u2212"
TIMES = "\u00d7"


@dataclass(frozen=True)
class ExerciseSet:
    key: str
    title: str


SETS = {
    s.key: s
    for s in (
        ExerciseSet("tables", _("Tables de multiplication")),
        ExerciseSet("additions", _("Additions et soustractions")),
        ExerciseSet("relatifs", _("Nombres relatifs")),
    )
}


@dataclass(frozen=True)
class Question:
    text: str
    answer: int


def exercise_set(key: str) -> ExerciseSet:
    return SETS.get(key) or SETS[DEFAULT_SET]


def _question(draw: random.Random, key: str) -> Question:
    if key == "additions":
        a, b = draw.randint(12, 89), draw.randint(11, 59)
        if draw.random() < 0.5:
            return Question(f"{a} + {b}", a + b)
        a, b = max(a, b), min(a, b)
        return Question(f"{a} {MINUS} {b}", a - b)
    if key == "relatifs":
        a, b = draw.randint(-15, 15), draw.randint(-15, 15)
        shown = f"({b})" if b < 0 else str(b)
        return Question(f"{a} + {shown}", a + b)
    a, b = draw.randint(3, 9), draw.randint(3, 9)
    return Question(f"{a} {TIMES} {b}", a * b)


def questions(key: str, launch_id: str) -> list[Question]:
    seed = int.from_bytes(hashlib.sha256(f"{key}:{launch_id}".encode()).digest()[:8], "big")
    draw = random.Random(seed)  # noqa: S311 - exercise questions, not secrets
    return [_question(draw, exercise_set(key).key) for _ in range(QUESTIONS)]


def correct_answers(asked: list[Question], answers: list[str]) -> int:
    """How many answers are right; a blank or unreadable answer counts as wrong."""
    right = 0
    for question, answer in zip(asked, answers, strict=False):
        try:
            right += int(answer.strip().replace(MINUS, "-")) == question.answer
        except ValueError:
            continue
    return right
