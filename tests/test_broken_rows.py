"""Whether a row rejected without an id is a stored record's own row, broken
(clientguard.broken_rows, docs/cli.md "The store"): its customer, amount and dates as far as
the row can be read. The stored record is invoice 1 of 100.00 EUR, customer c1 (Acme), issued
2026-01-01, due 2026-01-31; each row's answer is worked out by hand from those values."""

from __future__ import annotations

import pytest

from clientguard.broken_rows import is_own_row

INVOICE = {"id": "1", "customer_id": "c1", "number": "FV 1", "issue_date": "2026-01-01",
           "due_date": "2026-01-31", "currency": "EUR", "total": "100.00"}
PAYMENT = {"id": "p1", "customer_id": "c1", "date": "2026-02-03", "amount": "1234.56",
           "currency": "PLN"}


@pytest.mark.parametrize(("record", "cells", "own"), [
    (INVOICE, ["", "", "c1", "2026-01-01", "2026-01-31", "100.00", "EUR"], True),
    # the customer by its name, the dates written day first, the total with a marker
    (INVOICE, ["", "", "ACME", "01.01.2026", "31.01.2026", "100,00 EUR", "EUR"], True),
    # the dates emptied or broken too: not readable, not compared
    (INVOICE, ["", "", "c1", "", "soon", "100.00", "EUR"], True),
    # only the due date left readable: one of the record's dates
    (INVOICE, ["", "", "c1", "", "2026-01-31", "100.00", "EUR"], True),
    # another client, another amount, another date: another row
    (INVOICE, ["", "", "c9", "2026-01-01", "2026-01-31", "100.00", "EUR"], False),
    (INVOICE, ["", "", "c1", "2026-01-01", "2026-01-31", "70.00", "EUR"], False),
    (INVOICE, ["", "", "c1", "2026-02-01", "2026-03-03", "100.00", "EUR"], False),
    # the customer emptied: nothing to tell the record by, kept
    (INVOICE, ["", "", "", "2026-01-01", "2026-01-31", "100.00", "EUR"], False),
    # a payment: 1 234,56 and (1,234.56) are its amount, whatever the sign and separators
    (PAYMENT, ["", "c1", "", "2026-02-03", "1 234,56", "PLN"], True),
    (PAYMENT, ["", "c1", "", "03/02/2026", "(1,234.56)", "PLN"], True),
    (PAYMENT, ["", "c1", "", "2026-02-03", "1234.65", "PLN"], False),
])
def test_a_rejected_row_is_the_records_own_only_where_its_cells_are_the_records(
    record: dict[str, str], cells: list[str], own: bool,
) -> None:
    assert is_own_row(record, {"row": tuple(cells)}, "Acme") is own


@pytest.mark.parametrize("raw", [None, "a line", {"row": ()}, 7])
def test_a_row_whose_cells_are_not_at_hand_is_never_the_records(raw: object) -> None:
    assert is_own_row(INVOICE, raw, "Acme") is False
