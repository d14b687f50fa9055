"""A currency symbol in an amount's cell that several currencies share (``$``, ``¥``, ``kr``)
is still a statement about the currency: ``$1,020.00`` in a row whose currency is PLN (the
mapping's, the currency column's, or the paid invoice's) is not 1,020 zloty, and is
rejected at its cell, never read as the row's currency. Each file is read both ways (the
row reader and the columnar reader), and the two must give the same."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from clientguard.model import Invoice, Payment
from clientguard.records import Rejection
from clientguard_csv.amounts import AmountError, AmountFormat, parse_amount
from clientguard_csv.columnar import arrow_available
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)

INVOICE_COLUMNS = {"number": "No", "customer_name": "Client", "issue_date": "Date",
                   "due_date": "Due", "total": "Total"}


def read(write: Write, mapping: dict[str, Any], **texts: str) -> list[Item]:
    """Read the files (stream to content) both ways; the items, the same either way."""
    paths = {stream: [write(f"{stream}.csv", text)] for stream, text in texts.items()}
    parsed = mapping_from_dict(mapping)
    outcomes = [list(read_records(parsed, paths, log=ReadLog(), reader=reader))
                for reader in READERS]
    for other in outcomes[1:]:
        assert other == outcomes[0]
    return outcomes[0]


def outcome(items: list[Item], kind: type[Invoice] | type[Payment]) -> tuple[Any, ...]:
    """The one record of ``kind`` as (amount, currency), or the one rejection as (line,
    column, reason)."""
    found: list[tuple[Any, ...]] = []
    for item in items:
        if isinstance(item, Rejection):
            assert item.location is not None
            found.append((item.location.line, item.location.column, item.reason))
        elif isinstance(item, Loaded) and isinstance(item.record, Invoice) and kind is Invoice:
            found.append((item.record.total, item.record.currency))
        elif isinstance(item, Loaded) and isinstance(item.record, Payment):
            found.append((item.record.amount, item.record.currency))
    assert len(found) == 1, found
    return found[0]


@pytest.mark.parametrize(
    ("default", "currency_cell", "total_cell", "expected"),
    [
        # The mapping's currency (the file has no currency column).
        ("PLN", None, "$1,020.00", (2, "Total", "'$1,020.00' is in dollars or pesos ('$'), "
                                    "but the row's currency is PLN")),
        ("EUR", None, "-$5.00", (2, "Total", "'-$5.00' is in dollars or pesos ('$'), but the "
                                 "row's currency is EUR")),
        ("PLN", None, "¥100", (2, "Total", "'¥100' is in yen or yuan ('¥'), but the row's "
                               "currency is PLN")),
        ("EUR", None, "100 kr", (2, "Total", "'100 kr' is in kronor, kroner or krónur ('kr'), "
                                 "but the row's currency is EUR")),
        ("USD", None, "$1,020.00", (Decimal("1020.00"), "USD")),
        ("MXN", None, "$1,020.00", (Decimal("1020.00"), "MXN")),  # pesos write $ too
        ("JPY", None, "¥100", (Decimal("100"), "JPY")),
        ("SEK", None, "100 kr", (Decimal("100"), "SEK")),
        ("DKK", None, "100 kr.", (Decimal("100"), "DKK")),
        # The currency column.
        ("USD", "EUR", "$5.00", (2, "Total", "'$5.00' is in dollars or pesos ('$'), but the "
                                 "row's currency is EUR")),
        ("USD", "CAD", "$5.00", (Decimal("5.00"), "CAD")),
        # A marker that names one currency, as before.
        ("USD", "CAD", "US$5.00", (2, "Total", "'US$5.00' is in USD, but the row's currency "
                                   "is CAD")),
    ],
)
def test_a_shared_symbol_is_read_only_in_a_currency_that_writes_it(
    write: Write, default: str, currency_cell: str | None, total_cell: str,
    expected: tuple[Any, ...],
) -> None:
    columns = dict(INVOICE_COLUMNS)
    header, cells = "No,Client,Date,Due,Total", f'1,Acme,2026-01-05,2026-02-04,"{total_cell}"'
    if currency_cell is not None:
        columns["currency"] = "Currency"
        header, cells = header + ",Currency", cells + f",{currency_cell}"
    mapping = {"currency": default, "invoices": {"columns": columns}}
    items = read(write, mapping, invoices=f"{header}\n{cells}\n")
    assert outcome(items, Invoice) == expected


@pytest.mark.parametrize(
    ("invoice_total", "payment_cell", "expected"),
    [
        # A payment without a currency column is in its invoice's currency.
        ("€100.00", "$10.00", (2, "Amount", "'$10.00' is in dollars or pesos ('$'), but the "
                               "row's currency is EUR")),
        ("US$100.00", "$10.00", (Decimal("10.00"), "USD")),
    ],
)
def test_a_payment_in_a_shared_symbol_must_match_its_invoice(
    write: Write, invoice_total: str, payment_cell: str, expected: tuple[Any, ...]
) -> None:
    mapping = {"invoices": {"columns": INVOICE_COLUMNS},
               "payments": {"columns": {"invoice_number": "Invoice", "amount": "Amount",
                                        "date": "Paid"}}}
    items = read(
        write, mapping,
        invoices=f'No,Client,Date,Due,Total\n1,Acme,2026-01-05,2026-02-04,"{invoice_total}"\n',
        payments=f'Invoice,Amount,Paid\n1,"{payment_cell}",2026-01-20\n',
    )
    assert outcome(items, Payment) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("€ $5.00", "'€ $5.00' names two currencies: EUR and dollars or pesos ('$')"),
        ("PLN ¥5", "'PLN ¥5' names two currencies: PLN and yen or yuan ('¥')"),
    ],
)
def test_a_cell_with_a_code_and_a_symbol_of_other_currencies_is_refused(
    text: str, message: str
) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(text, AmountFormat(".", ","))
    assert str(caught.value) == message


def test_a_code_and_a_symbol_it_writes_name_that_code() -> None:
    assert parse_amount("USD $5.00", AmountFormat(".", ",")) == (Decimal("5.00"), "USD", None)


@pytest.mark.parametrize(
    ("header", "cells", "reason"),
    [
        # The file has a currency column, and this row's cell is empty: the cell is named.
        ("No,Client,Date,Due,Total,Currency", "1,Acme,2026-01-05,2026-02-04,100.00,",
         "no currency: the row's 'Currency' is empty and the mapping sets no currency (write "
         'the code in the cell, or add currency = "EUR" to the mapping, the code of the rows '
         "without one)"),
        # No currency column at all: the mapping is what lacks it.
        ("No,Client,Date,Due,Total", "1,Acme,2026-01-05,2026-02-04,100.00",
         "no currency: the file has no currency column and the mapping sets no currency (add "
         'currency = "EUR", or the code of the file\'s currency)'),
    ],
)
def test_a_row_without_a_currency_says_whether_its_cell_or_the_file_lacks_it(
    write: Write, header: str, cells: str, reason: str
) -> None:
    columns = dict(INVOICE_COLUMNS)
    if "Currency" in header:
        columns["currency"] = "Currency"
    items = read(write, {"invoices": {"columns": columns}}, invoices=f"{header}\n{cells}\n")
    (line, _, said) = outcome(items, Invoice)
    assert (line, said) == (2, reason)
