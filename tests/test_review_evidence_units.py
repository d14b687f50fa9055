"""The evidence line writes each finding's value and threshold in its metric's unit.

The unit is declared for every built-in metric (``review._METRIC_UNITS``), never guessed from
the name: a share of the hours "with no revenue" or a probability does not end in ``share``,
and was written as a bare decimal (``0.2, from 0.1``) where a person reads a percentage.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest

from clientguard import review
from clientguard.ledger import Ledger
from clientguard.model import AnyRecord
from clientguard.review import _METRIC_UNITS, _METRIC_WORDS
from clientguard.sample import sample_ledger
from clientguard.testing import credit_note, customer, invoice, ledger, time_entry

AS_OF = date(2025, 12, 31)


def unbilled_hours() -> Ledger:
    """``big`` is invoiced 5,000.00 a month in 2025 and logs 100 hours a month; ``c`` logs 20
    hours a month (240 of the 1,440 hours, 16.7%) and its one invoice was credited in full."""
    records: list[AnyRecord] = [customer("big"), customer("c")]
    for month in range(1, 13):
        records.append(invoice("big", issued=date(2025, month, 1), total="5000.00",
                               id=f"b{month}", paid=date(2025, month, 20)))
        records.append(time_entry("big", on=date(2025, month, 5), hours="100",
                                  entry_id=f"tb{month}"))
        records.append(time_entry("c", on=date(2025, month, 5), hours="20",
                                  entry_id=f"tc{month}"))
    credited = invoice("c", issued="2025-11-01", total="500.00", id="c1")
    records += [credited, credit_note("c", issued="2025-11-02", total="500.00",
                                      applies_to=credited, id="cn1")]
    return ledger(*records)


def expected_late_only() -> Ledger:
    """``x`` paid each of its 11 invoices of 2023 60 days past due and owes one of 3,000.00,
    not yet due; ``y``, invoiced and paid on time every month, owes 60,000.00, so x holds
    4.8% of the open receivables (no concentration finding): x's only finding is the
    forecast's, which puts the chance of its open invoice being late at 100% (all its paid
    invoices were), over expected_late_warning (75%)."""
    records: list[AnyRecord] = [customer("x"), customer("y")]
    for month in range(1, 12):
        due = invoice("x", issued=date(2023, month, 1), total="3000.00").due_date
        records.append(invoice("x", issued=date(2023, month, 1), total="3000.00",
                               id=f"x{month}", paid=due + timedelta(days=60)))
    records.append(invoice("x", issued="2025-12-20", total="3000.00", id="xopen"))
    for month in range(1, 13):
        records.append(invoice("y", issued=date(2025, month, 1), total="5000.00",
                               id=f"y{month}", paid=date(2025, month, 20)))
    records.append(invoice("y", issued="2025-12-15", total="60000.00", id="yopen"))
    return ledger(*records)


@pytest.mark.parametrize(
    ("book", "client", "lang", "expected"),
    [
        pytest.param(unbilled_hours, "c", None,
                     "team capacity: share of the team's hours, with no revenue 17%, from 10%",
                     id="hours-without-revenue-en"),
        pytest.param(unbilled_hours, "c", "pl",
                     "obciążenie zespołu: udział w godzinach zespołu, bez przychodu 17%, "
                     "próg 10%", id="hours-without-revenue-pl"),
        pytest.param(expected_late_only, "x", None,
                     "expected late payment: probability of paying late 100%, from 75%",
                     id="probability-en"),
        pytest.param(expected_late_only, "x", "pl",
                     "przewidywane opóźnienie w płatności: prawdopodobieństwo spóźnienia 100%, "
                     "próg 75%", id="probability-pl"),
    ],
)
def test_a_share_or_probability_is_written_as_a_percentage(
    book: Callable[[], Ledger], client: str, lang: str | None, expected: str
) -> None:
    verdict = review(book(), as_of=AS_OF, lang=lang).clients[client]
    assert verdict.evidence.endswith(expected)


def test_every_built_in_metric_declares_its_unit() -> None:
    # Every metric with words has a unit, and every metric a built-in signal gave on the
    # demo's sample firm and on the books above (all the client findings' kinds) has words.
    assert set(_METRIC_UNITS) == set(_METRIC_WORDS)
    seen = {
        finding.metric
        for made, as_of in ((sample_ledger(seed=7, as_of=date(2026, 6, 30)), date(2026, 6, 30)),
                            (unbilled_hours(), AS_OF), (expected_late_only(), AS_OF))
        for verdict in review(made, as_of=as_of).clients.values()
        for finding in verdict.findings
    }
    assert {"p_late", "hours_share_without_revenue", "late_share"} <= seen
    assert seen <= set(_METRIC_UNITS)
