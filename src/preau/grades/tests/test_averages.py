"""The rules of averages on hand-computed cases (docs/grades.md)."""

from decimal import Decimal as D

from preau.grades.averages import (
    BONUS,
    OPTIONAL,
    Entry,
    assessment_stats,
    mean,
    overall_average,
    subject_average,
)


def e(value, scale=20, coefficient=1, kind="normal"):
    return Entry(None if value is None else D(str(value)), D(scale), D(str(coefficient)), kind)


def test_weighted_mean_on_twenty():
    # (12 * 1 + 15 * 2) / 3 = 14
    assert subject_average([e(12), e(15, coefficient=2)]) == D("14.00")


def test_other_scales_are_brought_to_twenty():
    # 8/10 → 16, 30/40 → 15, coefficients 1 and 3: (16 + 45) / 4 = 15.25
    assert subject_average([e(8, scale=10), e(30, scale=40, coefficient=3)]) == D("15.25")


def test_codes_do_not_count():
    # ABS, DISP and NN come as no value: only the 11 counts.
    assert subject_average([e(None), e(11), e(None, coefficient=4)]) == D("11.00")


def test_all_absent_gives_no_average_never_zero():
    assert subject_average([e(None), e(None)]) is None
    assert subject_average([]) is None


def test_coefficient_zero_counts_for_nothing():
    assert subject_average([e(4, coefficient=0), e(14)]) == D("14.00")
    assert subject_average([e(4, coefficient=0)]) is None


def test_rounding_is_half_up_to_the_hundredth():
    # 49.38/80 → 12.345 on 20 → 12.35 (half up, not banker's 12.34).
    assert subject_average([e("49.38", scale=80)]) == D("12.35")
    # 1/3 of 20: 6.666… → 6.67
    assert subject_average([e(1, scale=3)]) == D("6.67")


def test_optional_mark_lowering_the_average_is_ignored():
    assert subject_average([e(14), e(8, kind=OPTIONAL)]) == D("14.00")


def test_optional_mark_raising_the_average_counts():
    # (10 + 16) / 2 = 13
    assert subject_average([e(10), e(16, kind=OPTIONAL)]) == D("13.00")


def test_optional_marks_taken_from_the_best_while_each_raises():
    # Base 10. 18 counts → 14; 13 would lower 14: left out (so is 12).
    entries = [e(10), e(13, kind=OPTIONAL), e(18, kind=OPTIONAL), e(12, kind=OPTIONAL)]
    assert subject_average(entries) == D("14.00")


def test_optional_marks_alone_start_from_the_best():
    assert subject_average([e(9, kind=OPTIONAL), e(15, kind=OPTIONAL)]) == D("15.00")


def test_bonus_adds_only_the_points_above_the_middle():
    # Average 12 over coefficient 2 (12 and 12); bonus 16/20 → 6 points over 2 → +3 = 15.
    assert subject_average([e(12), e(12), e(16, kind=BONUS)]) == D("15.00")
    # A bonus below the middle adds nothing.
    assert subject_average([e(12), e(7, kind=BONUS)]) == D("12.00")
    # On 10: 9/10 is 18/20, 8 points with coefficient 0.5 → +4 on a single mark of 11.
    assert subject_average([e(11), e(9, scale=10, coefficient="0.5", kind=BONUS)]) == D("15.00")


def test_bonus_caps_at_twenty_and_alone_gives_nothing():
    assert subject_average([e(19), e(20, kind=BONUS)]) == D("20.00")
    assert subject_average([e(18, kind=BONUS)]) is None


def test_overall_average_weights_rounded_subject_averages():
    # Maths 14 (coef 3), French 11.333… → 11.33 (coef 2), art no average: (42 + 22.66) / 5
    assert overall_average([(D("14"), D(3)), (D("11.333"), D(2)), (None, D(1))]) == D("12.93")


def test_overall_average_skips_coefficient_zero_and_needs_one_subject():
    assert overall_average([(D("8"), D(0)), (D("12"), D(1))]) == D("12.00")
    assert overall_average([(None, D(1))]) is None
    assert overall_average([]) is None


def test_class_statistics_on_the_assessment_scale():
    stats = assessment_stats([D("7"), None, D("9.5"), D("3")])
    assert (stats.average, stats.minimum, stats.maximum, stats.count) == (
        D("6.50"),
        D("3"),
        D("9.5"),
        3,
    )
    assert assessment_stats([None]).average is None
    assert mean([D("10"), D("11"), None]) == D("10.50")
