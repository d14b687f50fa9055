"""Trend statistics: Mann-Kendall (with ties) and Theil-Sen, against published and
independently computed values; the monthly lateness series by hand.

scipy is a test-only oracle here (``pip install '.[dev]'``); the tests that need it skip
with a reason when it is absent.
"""

from __future__ import annotations

import itertools
import math
import random
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from statistics import pvariance

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.metrics.trend import (
    mann_kendall,
    median,
    month_index,
    monthly_series,
    theil_sen,
)

D = Decimal


def _s_by_definition(values: Sequence[int]) -> int:
    """Mann-Kendall S straight from its definition: sum of sign(x_j - x_i) over i < j."""
    return sum(
        (b > a) - (b < a) for a, b in itertools.combinations(values, 2)
    )


# ---------------------------------------------------------------------------- Mann-Kendall
def test_published_example_with_a_tie() -> None:
    """The worked example "A Mann-Kendall Example (By Hand)", College of the Holy Cross
    (mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt): 14 values, one tied pair
    (12.9 twice). S = 72 - 18 = 54; V = 14*13*33/18 - 2*1*9/18 = 332.667;
    Z = (54 - 1)/sqrt(V) = 2.9058; one-sided p about 0.0018."""
    text = "12.9 14.8 13.2 15.7 13.8 15.6 12.9 11.0 17.3 15.9 19.0 18.3 20.1 21.7"
    series = [D(v) for v in text.split(" ")]
    result = mann_kendall(series)
    assert result.s == 54
    assert result.var_s == pytest.approx(14 * 13 * 33 / 18 - 2 * 1 * 9 / 18)
    assert result.z == pytest.approx(2.9058, abs=5e-5)
    assert result.p_value == pytest.approx(0.0018, abs=5e-5)
    assert (result.method, result.tie_groups) == ("normal", (2,))


@pytest.mark.parametrize(
    ("values", "alternative", "expected"),
    [
        # n = 3 has 6 orderings with S = 3, 1, 1, -1, -1, -3. [1, 2, 3]: S = 3, only the
        # sorted order reaches it: p = 1/6.
        ([1, 2, 3], "greater", 1 / 6),
        # [1, 3, 2]: S = 1; S >= 1 in 3 of 6 orderings: p = 1/2.
        ([1, 3, 2], "greater", 1 / 2),
        # [3, 2, 1]: S = -3 is the least likely downward ordering: P(S <= -3) = 1/6.
        ([3, 2, 1], "less", 1 / 6),
        # two-sided doubles the smaller tail: 2 * 1/6.
        ([3, 2, 1], "two-sided", 2 / 6),
        # n = 4, sorted: 1 of 24 orderings.
        ([1, 2, 3, 4], "greater", 1 / 24),
    ],
)
def test_exact_p_values_by_counting(values: list[int], alternative: str, expected: float) -> None:
    result = mann_kendall(values, alternative=alternative)  # type: ignore[arg-type]
    assert result.method == "exact"
    assert result.p_value == pytest.approx(expected)


def test_tie_corrected_variance_equals_the_permutation_variance() -> None:
    """With ties the variance of S over every ordering of the values is exactly the
    tie-corrected formula. Checked by enumerating all 5,040 orderings of 7 values that hold a
    pair and a triple: (7*6*19 - 2*1*9 - 3*2*11) / 18 = (798 - 18 - 66) / 18 = 39.667."""
    values = (5, 5, 1, 2, 2, 2, 9)
    by_enumeration = pvariance([_s_by_definition(p) for p in itertools.permutations(values)])
    result = mann_kendall(list(values))
    assert result.var_s == pytest.approx(by_enumeration)
    assert result.var_s == pytest.approx((798 - 18 - 66) / 18)
    assert result.tie_groups == (3, 2)


def test_all_values_equal_is_no_trend() -> None:
    result = mann_kendall([D(4)] * 6)
    assert (result.s, result.var_s, result.p_value) == (0, 0.0, 1.0)


def test_too_short_is_an_error() -> None:
    with pytest.raises(ValueError, match="at least two"):
        mann_kendall([D(1)])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(-50, 50), min_size=2, max_size=30))
def test_s_matches_definition_and_reversal_flips_it(values: list[int]) -> None:
    forward = mann_kendall(values)
    backward = mann_kendall(values[::-1], alternative="less")
    assert forward.s == _s_by_definition(values)
    assert backward.s == -forward.s
    assert backward.p_value == pytest.approx(forward.p_value)
    assert 0 <= forward.p_value <= 1


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("alternative", ["greater", "less", "two-sided"])
def test_exact_p_value_matches_scipy(seed: int, alternative: str) -> None:
    stats = pytest.importorskip("scipy.stats", reason="scipy is the test-only oracle")
    rng = random.Random(seed)
    n = rng.randint(4, 26)
    values = rng.sample(range(1000), n)  # distinct: no ties, so both are exact
    ours = mann_kendall(values, alternative=alternative)  # type: ignore[arg-type]
    theirs = stats.kendalltau(range(n), values, method="exact", alternative=alternative)
    assert ours.method == "exact"
    assert ours.p_value == pytest.approx(theirs.pvalue, rel=1e-9, abs=1e-12)
    assert ours.tau == pytest.approx(theirs.statistic)


@pytest.mark.parametrize("seed", range(6))
def test_normal_approximation_with_ties_matches_scipy(seed: int) -> None:
    """scipy's asymptotic Kendall test has no continuity correction; with x = time (no ties
    in x) its variance is the tie-corrected Mann-Kendall variance, so z without the
    correction is S / sqrt(var) for both. Our corrected z and p are then checked from it."""
    stats = pytest.importorskip("scipy.stats", reason="scipy is the test-only oracle")
    rng = random.Random(100 + seed)
    n = rng.randint(12, 40)
    values = [rng.randint(0, 6) for _ in range(n)]  # many ties
    ours = mann_kendall(values, alternative="two-sided")
    theirs = stats.kendalltau(range(n), values, method="asymptotic")
    uncorrected = ours.s / math.sqrt(ours.var_s)
    assert 2 * stats.norm.sf(abs(uncorrected)) == pytest.approx(theirs.pvalue, rel=1e-9)
    corrected = (abs(ours.s) - 1) / math.sqrt(ours.var_s) if ours.s else 0.0
    assert ours.p_value == pytest.approx(min(1.0, 2 * stats.norm.sf(corrected)), rel=1e-9)


# ---------------------------------------------------------------------------- Theil-Sen
def test_theil_sen_by_hand() -> None:
    """x = 1..5, y = 1 2 4 3 5. The ten pairwise slopes sorted: -1, 1/2, 1/2, 2/3, 1, 1, 1,
    3/2, 2, 2; the median is (1 + 1) / 2 = 1. Residuals y - x: 0 0 1 -1 0, median 0."""
    line = theil_sen([1, 2, 3, 4, 5], [1, 2, 4, 3, 5])
    assert (line.slope, line.intercept, line.n) == (D(1), D(0), 5)
    assert line.at(10) == D(10)


def test_theil_sen_ignores_one_wild_month() -> None:
    # y = 2x + 3 with one outlier (x = 4 -> 500): the median slope stays 2.
    ys = [2 * x + 3 for x in range(9)]
    ys[4] = 500
    line = theil_sen(list(range(9)), ys)
    assert (line.slope, line.intercept) == (D(2), D(3))


@pytest.mark.parametrize("seed", range(8))
def test_theil_sen_matches_scipy(seed: int) -> None:
    stats = pytest.importorskip("scipy.stats", reason="scipy is the test-only oracle")
    rng = random.Random(seed)
    xs = sorted(rng.sample(range(24_300, 24_340), rng.randint(3, 24)))  # month indexes, gaps
    ys = [D(rng.randint(0, 9000)) / 100 for _ in xs]
    ours = theil_sen(xs, ys)
    theirs = stats.theilslopes([float(y) for y in ys], xs, method="joint")
    assert float(ours.slope) == pytest.approx(theirs.slope, rel=1e-9, abs=1e-9)
    assert float(ours.intercept) == pytest.approx(theirs.intercept, rel=1e-9, abs=1e-6)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(-20, 20),
    st.integers(-50, 50),
    st.lists(st.integers(0, 40), min_size=2, max_size=15, unique=True),
)
def test_theil_sen_recovers_an_exact_line(slope: int, intercept: int, xs: list[int]) -> None:
    line = theil_sen(xs, [intercept + slope * x for x in xs])
    assert (line.slope, line.intercept) == (D(slope), D(intercept))


def test_theil_sen_errors() -> None:
    with pytest.raises(ValueError, match="different x"):
        theil_sen([3, 3], [1, 2])
    with pytest.raises(ValueError, match="x has 2 values and y has 3"):
        theil_sen([1, 2], [1, 2, 3])
    with pytest.raises(ValueError, match="median"):
        median([])


# ---------------------------------------------------------------------------- monthly series
def test_monthly_series_weights_by_amount_and_skips_empty_months() -> None:
    # January: 100 at 10 days and 300 at 0 -> (1000 + 0) / 400 = 2.5.
    # February: nothing (skipped, not zero). March: 200 at 20 -> 20.
    series = monthly_series(
        [
            (date(2025, 1, 5), D(100), 10, "a"),
            (date(2025, 3, 31), D(200), 20, "b"),
            (date(2025, 1, 31), D(300), 0, "c"),
        ]
    )
    assert [(p.month, p.invoices, p.amount, p.weighted_days_late, p.invoice_ids)
            for p in series] == [
        (date(2025, 1, 1), 2, D(400), D("2.5"), ("a", "c")),
        (date(2025, 3, 1), 1, D(200), D(20), ("b",)),
    ]
    # The gap stays in the x axis: March is two months after January.
    assert series[1].index - series[0].index == 2
    assert month_index(date(2025, 1, 9)) + 12 == month_index(date(2026, 1, 1))


def test_monthly_series_leaves_out_a_month_that_weighs_nothing() -> None:
    assert monthly_series([(date(2025, 1, 5), D(0), 10, "a")]) == ()
