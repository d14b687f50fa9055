"""The stale-data signal's newest record, as of a date: only what existed by then counts."""

from __future__ import annotations

from datetime import date

import pytest

from clientguard.signals.freshness import newest_record_on
from clientguard.testing import customer, invoice, ledger

AS_OF = date(2024, 1, 25)


@pytest.mark.parametrize(
    ("issued", "paid", "expected"),
    [
        # Issued the day after as_of, its source says paid the day before: it did not exist
        # on 25 January, so nothing is dated by then (a review of the ledger cut back to that
        # day has no record at all).
        ("2024-01-26", "2024-01-24", None),
        # Issued on 10 January, paid on 20 January: the payment date is the newest.
        ("2024-01-10", "2024-01-20", date(2024, 1, 20)),
        # Issued on 10 January, paid after as_of: the issue date is the newest.
        ("2024-01-10", "2024-02-01", date(2024, 1, 10)),
    ],
)
def test_a_paid_date_counts_only_on_an_invoice_issued_by_as_of(
    issued: str, paid: str, expected: date | None
) -> None:
    books = ledger(customer("a"), invoice("a", issued=issued, due=issued, total="10.00",
                                          id="I1", paid=paid))
    assert newest_record_on(books, AS_OF) == expected
