"""Trend: the monthly lateness series, the Mann-Kendall test and the Theil-Sen slope.

"Pays late more and more often" is a question about a trend, so it gets a trend test
(docs/metrics/lateness.md, section 4):

* :func:`monthly_series`: per calendar month, the amount-weighted days late of the invoices due
  in that month. Months with no invoice due are skipped, not counted as zero: a quiet month says
  nothing about how the client pays.
* :func:`mann_kendall`: the Mann-Kendall test for a monotonic trend (Mann 1945, Kendall 1975;
  as in Gilbert 1987, ch. 16). ``S`` is the number of later-larger pairs minus later-smaller
  pairs. Without ties the p-value is exact (the distribution of ``S`` counted over all
  permutations, as Kendall tabulated it) for up to :data:`EXACT_MAX_N` points; with ties, or
  more points, it is the normal approximation with the tie-corrected variance
  ``(n(n-1)(2n+5) - sum t(t-1)(2t+5)) / 18`` and a continuity correction of one.
* :func:`theil_sen`: the Theil-Sen slope (Theil 1950, Sen 1968), the median of the slopes of
  every pair of points, with the intercept ``median(y - slope x)``: robust to one wild month.
* :func:`fisher_exact_greater`: the one-sided Fisher exact test (Fisher 1935; Agresti 2002,
  section 3.5) that the recent invoices are late more often than those before: the shift a
  long, flat history hides from the Theil-Sen slope (a client on time for two years and late
  on its last three invoices has a median pairwise slope of 0).

Plain Python, no numpy or scipy. Days and slopes are :class:`~decimal.Decimal`; the test
statistics (variance, z, p) are floats, since they are probabilities, not money.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from fractions import Fraction
from functools import lru_cache
from typing import Literal

from clientguard.frozen import Frozen

__all__ = [
    "EXACT_MAX_N",
    "Alternative",
    "LatenessTrend",
    "MannKendall",
    "MonthPoint",
    "MonthlyLateness",
    "TheilSen",
    "fisher_exact_greater",
    "lateness_trend",
    "mann_kendall",
    "median",
    "month_index",
    "monthly_series",
    "theil_sen",
]

Alternative = Literal["greater", "less", "two-sided"]
"""The alternative hypothesis: an upward trend, a downward trend, or either."""

EXACT_MAX_N = 50
"""Up to this many points without ties, :func:`mann_kendall` gives the exact p-value."""

_TWO = Decimal(2)


class MonthPoint(Frozen):
    """One month of the lateness series."""

    month: date
    """The first day of the month."""
    index: int
    """Months since year 0 (``year * 12 + month - 1``): the x of the trend, so that a skipped
    month still leaves its gap."""
    invoices: int
    """Invoices due in the month."""
    amount: Decimal
    """Their total in the base currency (the weights)."""
    weighted_days_late: Decimal
    """``sum(amount x days_late) / sum(amount)`` over those invoices."""
    invoice_ids: tuple[str, ...] = ()
    """Those invoices, in the order given."""


def month_index(day: date) -> int:
    """Months since year 0: consecutive months differ by one."""
    return day.year * 12 + day.month - 1


class MonthlyLateness:
    """The monthly series built one invoice at a time (what :func:`monthly_series` does over
    a list), for a caller that reads each invoice once anyway."""

    __slots__ = ("_months",)

    def __init__(self) -> None:
        # month index -> [sum of amount x days late, sum of amount, invoice ids]
        self._months: dict[int, tuple[list[Decimal], list[str]]] = {}

    def add(self, due: date, amount: Decimal, days_late: int, invoice_id: str) -> None:
        """Count one invoice due on ``due`` of ``amount`` (base currency), ``days_late``."""
        self._add(due, amount, amount * days_late, invoice_id)

    def _add(self, due: date, amount: Decimal, weighted: Decimal, invoice_id: str) -> None:
        """:meth:`add` of an invoice whose ``amount x days_late`` (``weighted``) the caller
        has already computed (the payment profiles: one product for three sums)."""
        key = due.year * 12 + due.month - 1
        month = self._months.get(key)
        if month is None:
            self._months[key] = ([weighted, amount], [invoice_id])
        else:
            sums = month[0]
            sums[0] += weighted
            sums[1] += amount
            month[1].append(invoice_id)

    def points(self) -> tuple[MonthPoint, ...]:
        """The series: months in order, a month that weighs nothing left out."""
        points = []
        for key in sorted(self._months):
            (weighted, amount), ids = self._months[key]
            if amount == 0:
                continue
            points.append(
                MonthPoint(
                    month=date(key // 12, key % 12 + 1, 1),
                    index=key,
                    invoices=len(ids),
                    amount=amount,
                    weighted_days_late=weighted / amount,
                    invoice_ids=tuple(ids),
                )
            )
        return tuple(points)


def monthly_series(
    items: Iterable[tuple[date, Decimal, int, str]],
) -> tuple[MonthPoint, ...]:
    """The monthly amount-weighted days late, from ``(due_date, amount, days_late,
    invoice_id)`` items.

    Months are the calendar months of the due dates, in order; a month with no item is left
    out. A month whose items all weigh nothing (zero amounts) is left out too: its weighted
    mean is undefined.
    """
    series = MonthlyLateness()
    for due, amount, days_late, invoice_id in items:
        series.add(due, amount, days_late, invoice_id)
    return series.points()


class MannKendall(Frozen):
    """The result of a Mann-Kendall trend test."""

    n: int
    """Points in the series."""
    s: int
    """Later-larger pairs minus later-smaller pairs (positive for an upward trend)."""
    var_s: float
    """Variance of ``S`` under "no trend", corrected for ties."""
    z: float
    """The normal score with a continuity correction: ``(S - 1) / sqrt(var_s)`` for ``S > 0``,
    ``(S + 1) / sqrt(var_s)`` for ``S < 0``, 0 for ``S = 0``."""
    tau: float
    """Kendall's tau between time and value: ``S / (n(n-1)/2)``."""
    p_value: float
    """The p-value for ``alternative``."""
    alternative: Alternative
    """``greater`` (upward trend), ``less`` or ``two-sided``."""
    method: Literal["exact", "normal"]
    """``exact`` (no ties, at most :data:`EXACT_MAX_N` points) or ``normal``."""
    tie_groups: tuple[int, ...]
    """The size of each group of equal values (groups of two or more), largest first."""


def mann_kendall(
    values: Sequence[Decimal | int | float], *, alternative: Alternative = "greater"
) -> MannKendall:
    """The Mann-Kendall test on a series in time order.

    Raises ValueError for fewer than two values.
    """
    n = len(values)
    if n < 2:
        raise ValueError(f"the Mann-Kendall test needs at least two values, got {n}")
    s = 0
    for i in range(n - 1):
        first = values[i]
        for later in values[i + 1 :]:
            if later > first:
                s += 1
            elif later < first:
                s -= 1
    counts: dict[Decimal | int | float, int] = {}
    for value in values:
        counts[value] = counts.get(value, 0) + 1
    ties = tuple(sorted((t for t in counts.values() if t > 1), reverse=True))
    var_s = (n * (n - 1) * (2 * n + 5) - sum(t * (t - 1) * (2 * t + 5) for t in ties)) / 18
    sd = math.sqrt(var_s)
    if s > 0:
        z = (s - 1) / sd
    elif s < 0:
        z = (s + 1) / sd
    else:
        z = 0.0
    pairs = n * (n - 1) // 2
    if not ties and n <= EXACT_MAX_N:
        method: Literal["exact", "normal"] = "exact"
        upper, lower = _exact_tails(n, s)
    else:
        method = "normal"
        if sd == 0:
            # Every value equal: S is 0 under any ordering.
            upper = lower = 1.0
        else:
            upper, lower = _normal_sf(z), _normal_sf(-z)
    if alternative == "greater":
        p = upper
    elif alternative == "less":
        p = lower
    else:
        p = min(1.0, 2 * min(upper, lower))
    return MannKendall(
        n=n,
        s=s,
        var_s=var_s,
        z=z,
        tau=s / pairs,
        p_value=p,
        alternative=alternative,
        method=method,
        tie_groups=ties,
    )


def _normal_sf(z: float) -> float:
    """P(Z >= z) for a standard normal Z."""
    return 0.5 * math.erfc(z / math.sqrt(2))


@lru_cache(maxsize=EXACT_MAX_N + 1)
def _inversion_counts(n: int) -> tuple[int, ...]:
    """How many permutations of n distinct values have k inversions, for each k.

    Built by inserting the values one at a time: the m-th value adds 0 to m-1 inversions
    (the Mahonian numbers). Without ties ``S = n(n-1)/2 - 2 x inversions``.
    """
    counts = [1]
    for m in range(2, n + 1):
        size = len(counts) + m - 1
        grown = [0] * size
        window = 0
        for k in range(size):
            if k < len(counts):
                window += counts[k]
            if k - m >= 0:
                window -= counts[k - m]
            grown[k] = window
        counts = grown
    return tuple(counts)


def _exact_tails(n: int, s: int) -> tuple[float, float]:
    """``(P(S >= s), P(S <= s))`` under "no trend", exactly, for n distinct values."""
    counts = _inversion_counts(n)
    total = math.factorial(n)
    pairs = n * (n - 1) // 2
    # S >= s  <=>  inversions <= (pairs - s) / 2
    at_most = (pairs - s) // 2
    upper = Fraction(sum(counts[: at_most + 1]), total)
    # S <= s  <=>  inversions >= (pairs - s) / 2
    at_least = -((s - pairs) // 2)  # ceil((pairs - s) / 2)
    lower = Fraction(sum(counts[at_least:]), total)
    return float(upper), float(lower)


class TheilSen(Frozen):
    """A Theil-Sen line: the median pairwise slope and the median intercept."""

    slope: Decimal
    """The median of ``(y_j - y_i) / (x_j - x_i)`` over every pair with ``x_i != x_j``."""
    intercept: Decimal
    """``median(y - slope x)``."""
    n: int
    """Points used."""

    def at(self, x: Decimal | int) -> Decimal:
        """The line's value at ``x``."""
        return self.intercept + self.slope * x


def median(values: Sequence[Decimal]) -> Decimal:
    """The median: the middle value, or the mean of the two middle values. Raises ValueError
    when empty."""
    ordered = sorted(values)
    count = len(ordered)
    if count == 0:
        raise ValueError("the median of nothing is undefined")
    middle = count // 2
    if count % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / _TWO


def theil_sen(x: Sequence[Decimal | int], y: Sequence[Decimal | int]) -> TheilSen:
    """The Theil-Sen line through ``(x, y)``.

    Raises ValueError when the lengths differ, or when there is no pair of points with
    different x.
    """
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} values and y has {len(y)}")
    xs = [Decimal(v) for v in x]
    ys = [Decimal(v) for v in y]
    slopes = [
        (ys[j] - ys[i]) / (xs[j] - xs[i])
        for i in range(len(xs))
        for j in range(i + 1, len(xs))
        if xs[j] != xs[i]
    ]
    if not slopes:
        raise ValueError("the Theil-Sen slope needs two points with different x")
    slope = median(slopes)
    intercept = median([yi - slope * xi for xi, yi in zip(xs, ys, strict=True)])
    return TheilSen(slope=slope, intercept=intercept, n=len(xs))



class LatenessTrend(Frozen):
    """The trend of a monthly lateness series: the test, the line, and where the line runs."""

    months: int
    """Points in the series (months with invoices due)."""
    first_month: date
    """The series' first month."""
    last_month: date
    """The series' last month."""
    test: MannKendall
    """The one-sided Mann-Kendall test for an upward trend."""
    line: TheilSen
    """The Theil-Sen line, in days late per month."""
    start_days_late: Decimal
    """The line's value at the first month."""
    end_days_late: Decimal
    """The line's value at the last month."""


def lateness_trend(series: Sequence[MonthPoint]) -> LatenessTrend | None:
    """Mann-Kendall (upward) and Theil-Sen over a monthly series; None for fewer than two
    points. No thresholds: :mod:`clientguard.signals` decides what is worsening."""
    if len(series) < 2:
        return None
    values = [point.weighted_days_late for point in series]
    xs = [point.index for point in series]
    line = theil_sen(xs, values)
    return LatenessTrend(
        months=len(series),
        first_month=series[0].month,
        last_month=series[-1].month,
        test=mann_kendall(values, alternative="greater"),
        line=line,
        start_days_late=line.at(xs[0]),
        end_days_late=line.at(xs[-1]),
    )


def fisher_exact_greater(recent_late: int, recent: int, before_late: int, before: int) -> float:
    """The one-sided Fisher exact p-value that the recent period's invoices are late more
    often than those before it: with the ``recent_late + before_late`` late invoices of the
    ``recent + before`` spread at random over the two periods, the probability that the
    recent ``recent`` hold ``recent_late`` or more of them (the hypergeometric upper tail;
    ``scipy.stats.fisher_exact(alternative="greater")`` on the table
    ``[[recent_late, recent - recent_late], [before_late, before - before_late]]``).

    Exact, in integers: ``sum over k >= recent_late of C(late, k) C(total - late, recent - k)
    / C(total, recent)``. On time for 9 invoices and late on 2 of the next 3: 10 / 220 =
    0.045. Raises ValueError for a count below zero or a late count above its period's.
    """
    if min(recent_late, before_late) < 0 or recent_late > recent or before_late > before:
        raise ValueError(
            f"late counts must be within their periods: {recent_late} of {recent}, "
            f"{before_late} of {before}"
        )
    total, late = recent + before, recent_late + before_late
    ways = math.comb(total, recent)
    if ways == 0:
        return 1.0
    tail = sum(
        math.comb(late, k) * math.comb(total - late, recent - k)
        for k in range(recent_late, min(late, recent) + 1)
    )
    return float(Fraction(tail, ways))
