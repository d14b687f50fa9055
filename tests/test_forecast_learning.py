"""The forecast's learning, its fast paths pinned to their plain definitions: the clients'
tallies read off the learning's keys, and the interval calibration's count of the intervals
that cover at each level (issue 21)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.forecast import forecast
from clientguard.forecast.model import _TAIL_LEVELS, _covered_at_each_level
from clientguard.model import Invoice
from clientguard.testing import invoice, ledger

AS_OF = date(2024, 6, 30)
DUE = date(2023, 2, 4)


def paid_on_due_plus(client: str, ident: str, delay: int, total: str) -> Invoice:
    return invoice(client, issued=DUE - timedelta(days=30), due=DUE, total=total,
                   paid=DUE + timedelta(days=delay), id=f"{client}-{ident}")


def test_a_clients_delays_are_counted_across_bands_and_days() -> None:
    # A pays 0, 0, 0 and 4 days late: two of 100 on the same day (one key, counted twice),
    # one of 5,000 that day (the large band: a key of its own), one 4 days late. B pays 10,
    # 10, 10, 14 the same way. Amounts 100 x 6 and 5,000 x 2: the band edge is 100.
    # A: n 4, mean 1, within 1 + 1 + 1 + 9 = 12; B: n 4, mean 11, within 12.
    # EPV = 24 / (8 - 2) = 4; grand mean 6; between = 4 x 25 + 4 x 25 = 200;
    # VHM = (200 - 1 x 4) / (8 - (16 + 16) / 8) = 49; k = 4 / 49; Z = 4 / (4 + 4/49) = 0.98.
    records = []
    for client, delay in (("A", 0), ("B", 10)):
        records += [
            paid_on_due_plus(client, "0", delay, "100"),
            paid_on_due_plus(client, "1", delay, "100"),
            paid_on_due_plus(client, "2", delay, "5000"),
            paid_on_due_plus(client, "3", delay + 4, "100"),
        ]
    records.append(invoice("A", issued=date(2024, 6, 1), due=date(2024, 7, 10), total="100",
                           id="A-open"))
    result = forecast(ledger(*records), as_of=AS_OF)
    assert result.history == 8
    assert result.credibility_k == pytest.approx(4 / 49)
    (open_one,) = result.invoices
    assert open_one.client_invoices == 4
    assert open_one.client_weight == pytest.approx(0.98)
    assert [(c.customer_id, c.client_invoices) for c in result.clients] == [("A", 4), ("B", 4)]


# The levels: index i is level (40 - i) / 200, 0.200 down to 0.005; a level's interval covers
# an invoice when P(D <= delay) >= level - 1e-12 and P(D < delay) < 1 - level.
@pytest.mark.parametrize(
    ("pits", "covered"),
    [
        ([], [0] * 40),
        # Inside every interval.
        ([(0.05, 0.95)], [1] * 40),
        ([(0.5, 0.5)], [1] * 40),
        # P(D <= delay) = 0.1: covered from level 0.100 (index 20) down.
        ([(0.0, 0.1)], [0] * 20 + [1] * 20),
        # P(D < delay) = 0.9 is not below 1 - 0.100 = 0.9: covered from level 0.095 down.
        ([(0.9, 1.0)], [0] * 21 + [1] * 19),
        # Just below 0.1, within 1e-12: the tolerance covers it at 0.100 too.
        ([(0.0, 0.1 - 1e-13)], [0] * 20 + [1] * 20),
        ([(0.0, 0.1 - 1e-11)], [0] * 21 + [1] * 19),
        # Beyond every level: never covered.
        ([(0.0, 0.001)], [0] * 40),
        ([(0.999, 1.0)], [0] * 40),
        # Both ends bind: P(D <= delay) 0.15 (from index 10), P(D < delay) 0.82 (below
        # 1 - level from level 0.175, index 5): from index 10.
        ([(0.82, 0.15)], [0] * 10 + [1] * 30),
        # Together, each counted where it is covered.
        ([(0.05, 0.95), (0.0, 0.1), (0.9, 1.0), (0.0, 0.001)],
         [1] * 20 + [2] + [3] * 19),
    ],
)
def test_the_calibration_counts_the_intervals_that_cover_at_each_level(
    pits: list[tuple[float, float]], covered: list[int]
) -> None:
    assert (_TAIL_LEVELS[0], _TAIL_LEVELS[20], _TAIL_LEVELS[-1]) == (0.2, 0.1, 0.005)
    assert _covered_at_each_level(pits) == covered


def reference_covered(pits: list[tuple[float, float]]) -> list[int]:
    """Each level's covered intervals, every pit tested at every level (the plain count)."""
    return [sum(upto >= level - 1e-12 and below < 1 - level for below, upto in pits)
            for level in _TAIL_LEVELS]


# Probabilities near the levels' bounds (each level, 1 - each level, within the tolerance)
# as well as anywhere in [0, 1].
_NEAR_BOUNDS = st.sampled_from(
    [bound + step for level in _TAIL_LEVELS for bound in (level, 1 - level)
     for step in (0.0, 1e-12, -1e-12, 5e-13, -5e-13, 1e-16, -1e-16)] + [0.0, 1.0])
_PROBABILITIES = st.one_of(st.floats(0.0, 1.0), _NEAR_BOUNDS)


@settings(max_examples=400, deadline=None)
@given(pits=st.lists(st.tuples(_PROBABILITIES, _PROBABILITIES), max_size=60))
def test_the_intervals_covered_at_each_level_are_every_pit_tested_at_every_level(
    pits: list[tuple[float, float]],
) -> None:
    assert _covered_at_each_level(pits) == reference_covered(pits)
