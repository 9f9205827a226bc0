"""The resulting level of a component, on cases computed by hand (docs/skills.md)."""

from __future__ import annotations

import pytest

from preau.skills.rules import resulting_level


@pytest.mark.parametrize(
    ("levels", "expected"),
    [
        ([], None),
        ([4], 4),
        ([1, 2], 2),  # mean 1.5: halfway goes up
        ([2, 3], 3),  # mean 2.5
        ([3, 3, 4], 3),  # mean 3.33
        ([1, 1, 4], 2),  # mean 2.0
        ([1, 2, 2, 2], 2),  # mean 1.75
        ([1, 1, 1, 2], 1),  # mean 1.25
        ([3, 4, 4, 4], 4),  # mean 3.75
        ([2, 2, 3, 3, 4, 4], 3),  # mean 3.0
    ],
)
def test_resulting_level_is_the_mean_rounded_half_up(levels: list[int], expected: int) -> None:
    assert resulting_level(levels) == expected
