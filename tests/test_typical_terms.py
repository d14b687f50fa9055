"""The advice to shorten payment terms starts from the client's typical terms: the median of
its latest ``typical_terms_invoices`` invoices' terms, rounded half-even to whole days as every
day count the review writes (docs/review.md, "Revisions"). Until 2026-12-07 a median between
two terms was cut down: 30 and 45 days gave "from 37 to 14 days" where the median is 37.5."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from clientguard.model import AnyRecord
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)


def _client(terms: list[int]) -> list[AnyRecord]:
    """24 invoices of 10,000 EUR, one a month from 1 November 2023 to 1 October 2025, on the terms
    given in turn; paid 10 and 40 days late in turn: late on all of them, 25 days weighted by
    amount (a warning), and a spread of 30 days between the 10th and 90th percentiles, so not a
    fixed payment run."""
    records: list[AnyRecord] = [customer("acme")]
    for n in range(24):
        year, month = divmod(2023 * 12 + 10 + n, 12)
        issued = date(year, month + 1, 1)
        days = terms[n % len(terms)]
        sent = invoice("acme", issued=issued, terms=days, total="10000.00", id=f"I{n:02d}")
        records += [sent, payment("acme", on=sent.due_date + timedelta(days=(10, 40)[n % 2]),
                                  amount="10000.00", pays=sent, id=f"P{n:02d}")]
    return records


@pytest.mark.parametrize(
    ("terms", "typical"),
    [
        ([30], 30),
        # 12 invoices at 30 days and 12 at 45: the median is (30 + 45) / 2 = 37.5, half-even 38.
        ([30, 45], 38),
        # 30 and 43: 36.5, half-even to the even 36.
        ([30, 43], 36),
        # 30 and 44: 37 exactly.
        ([30, 44], 37),
    ],
)
def test_shorter_terms_start_from_the_median_rounded_half_even(
    terms: list[int], typical: int
) -> None:
    acme = review(ledger(*_client(terms)), as_of=AS_OF).clients["acme"]
    shorter = [r.message for r in acme.revisions if r.kind == "shorter_terms"]
    assert shorter == [f"Shorten payment terms from {typical} to 14 days."]
