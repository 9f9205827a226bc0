"""The national reference data and the cycles."""

from __future__ import annotations

import pytest

from preau.skills.cycles import cycle_of, levels_of
from preau.skills.models import Component, Mastery
from preau.skills.reference import load_components

pytestmark = pytest.mark.django_db


def test_the_eight_components_of_the_skills_book() -> None:
    codes = list(Component.objects.values_list("code", flat=True))
    assert codes == ["D1.1", "D1.2", "D1.3", "D1.4", "D2", "D3", "D4", "D5"]
    french = Component.objects.get(code="D1.1")
    assert french.domain == 1
    assert french.lsu_code == "CPD_FRA"
    assert "langue française" in french.label
    assert (
        Component.objects.get(code="D4").short_label == "Systèmes naturels et systèmes techniques"
    )


def test_loading_twice_changes_nothing() -> None:
    before = list(Component.objects.values_list("pk", "code", "label"))
    load_components(Component)
    assert list(Component.objects.values_list("pk", "code", "label")) == before


def test_four_mastery_levels() -> None:
    assert [m.value for m in Mastery] == [1, 2, 3, 4]
    assert str(Mastery(1).label) == "Maîtrise insuffisante"
    assert str(Mastery(4).label) == "Très bonne maîtrise"


def test_cycles_from_directory_levels() -> None:
    assert [cycle_of(code) for code in ("CM1", "CM2", "6", "5", "4", "3")] == [3, 3, 3, 4, 4, 4]
    assert cycle_of("2") is None
    assert cycle_of(None) is None
    assert levels_of(4) == ["5", "4", "3"]
