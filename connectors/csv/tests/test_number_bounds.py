"""Numbers a file holds that are not what they seem, and numbers past the model's bounds: each
is a rejection of its row naming the file, line and column, never a wrong number, and both
readers (the row reader and the columnar one, ``reader = "arrow"``) give the same records and
the same rejections.

* Under ``decimal = ","`` a dot that is not the mapping's thousands separator is refused, as a
  comma is under ``decimal = "."``: ``1.500`` is one thousand five hundred in one export and
  one and a half in another, so it is never guessed at (amounts, hours, rates alike).
* An exchange rate past ``MAX_RATE`` (or below ``MIN_RATE``), or one that makes the document's
  amount in the base currency larger than an amount may be, is refused by the model; the
  columnar reader's short way must not let it through unvalidated.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")

from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.records import Rejection
from clientguard.review import review
from clientguard_csv import CsvConnector

Write = Callable[..., Path]
READERS = ("python", "arrow")

CUSTOMERS = "id,name\nc1,Acme\n"
INVOICES = "id;customer_id;issue_date;due_date;currency;total;amount_due;fx_rate\n"
PAYMENTS = "id;customer_id;invoice_id;date;currency;amount;fx_rate\n"
HOURS = "customer_id;date;hours\n"


def _mapping(decimal: str = ".", thousands: str = ",", **invoices: Any) -> dict[str, Any]:
    return {
        "encoding": "utf-8", "date_formats": ["iso"], "decimal": decimal,
        "thousands": thousands,
        "customers": {"delimiter": ",", "columns": {"id": "id", "name": "name"}},
        "invoices": {"delimiter": ";", **invoices, "columns": {c: c for c in (
            "id", "customer_id", "issue_date", "due_date", "currency", "total", "amount_due",
            "fx_rate")}},
        "payments": {"delimiter": ";", "columns": {c: c for c in (
            "id", "customer_id", "invoice_id", "date", "currency", "amount", "fx_rate")}},
        "time_entries": {"delimiter": ";", "columns": {c: c for c in (
            "customer_id", "date", "hours")}},
    }


def _files(write: Write, invoices: list[str], payments: list[str] = (),  # type: ignore[assignment]
           hours: list[str] = ()) -> dict[str, str]:  # type: ignore[assignment]
    files = {"customers": str(write("c.csv", CUSTOMERS)),
             "invoices": str(write("i.csv", INVOICES + "".join(f"{r}\n" for r in invoices)))}
    if payments:
        files["payments"] = str(write("p.csv", PAYMENTS + "".join(f"{r}\n" for r in payments)))
    if hours:
        files["time_entries"] = str(write("t.csv", HOURS + "".join(f"{r}\n" for r in hours)))
    return files


def _where(rejection: Rejection) -> tuple[str, int | None, str | None]:
    assert rejection.location is not None
    return (Path(rejection.location.file or "").name, rejection.location.line,
            rejection.location.column)


def _load_both(mapping: dict[str, Any], files: dict[str, str],
               shaped: Callable[[Any], Any]) -> Ledger:
    """A lenient load with each reader; the two must give the same records and rejections.
    Returns the row reader's ledger."""
    books = [Ledger.from_connector(CsvConnector(mapping=mapping, reader=reader, **files),
                                   base_currency="EUR", strict=False) for reader in READERS]
    python, arrow = books
    assert [shaped(r) for r in arrow.records()] == [shaped(r) for r in python.records()]
    assert ([shaped(r) for r in arrow.report.rejected]
            == [shaped(r) for r in python.report.rejected])
    return python


# --------------------------------------------------- a dot under decimal = "," is refused

DOT_HINT = ("'.' is neither the mapping's decimal separator (',') nor its thousands "
            "separator ({thousands}); if '.' separates thousands in this file, set "
            "thousands = '.' in the mapping; if it is the decimal separator, set decimal = '.'")

# Each row: the cell's field, the rows of the files (the dotted cell in each), the rejected
# row's file, line and column.
DOTTED: list[tuple[str, dict[str, list[str]], tuple[str, int, str]]] = [
    ("total", {"invoices": ["I1;c1;2025-01-02;2025-02-01;EUR;1.500;;"]},
     ("i.csv", 2, "total")),
    ("fx_rate", {"invoices": ["I0;c1;2025-01-02;2025-02-01;EUR;10;;",
                              "I1;c1;2025-01-02;2025-02-01;USD;1500,00;;4.300"]},
     ("i.csv", 3, "fx_rate")),
    ("amount_due", {"invoices": ["I1;c1;2025-01-02;2025-02-01;EUR;2000;1.500;"]},
     ("i.csv", 2, "amount_due")),
    ("amount", {"invoices": ["I1;c1;2025-01-02;2025-02-01;EUR;2000;;"],
                "payments": ["P1;c1;I1;2025-01-20;EUR;1.500;"]},
     ("p.csv", 2, "amount")),
    ("hours", {"invoices": ["I1;c1;2025-01-02;2025-02-01;EUR;10;;"],
               "hours": ["c1;2025-01-03;1,5", "c1;2025-01-04;1.500"]},
     ("t.csv", 3, "hours")),
]


# A cell in the declared separators, by thousands separator, and what it reads as: it reads
# on beside the refused one.
DECLARED = {" ": ("1 500,25", "1500.25"), "'": ("1'500,25", "1500.25"), "": ("1500,25", "1500.25")}


@pytest.mark.parametrize("thousands", list(DECLARED))
@pytest.mark.parametrize(("field", "rows", "where"),
                         [pytest.param(*row, id=row[0]) for row in DOTTED])
def test_a_dot_under_decimal_comma_rejects_its_row_in_both_readers(
    write: Write, shaped: Callable[[Any], Any], thousands: str, field: str,
    rows: dict[str, list[str]], where: tuple[str, int, str],
) -> None:
    mapping = _mapping(",", thousands)
    declared, value = DECLARED[thousands]
    invoices = [*rows["invoices"], f"IG;c1;2025-01-05;2025-02-04;EUR;{declared};;"]
    files = _files(write, invoices, rows.get("payments", []), rows.get("hours", []))
    book = _load_both(mapping, files, shaped)
    [rejection] = book.report.rejected
    shown = repr(thousands) if thousands else "none"
    assert rejection.field == field
    assert _where(rejection) == where
    assert rejection.reason.endswith(DOT_HINT.format(thousands=shown))
    assert "is not an amount here" in rejection.reason
    assert str(book.invoice("IG").total) == value
    with pytest.raises(DataError, match=r"line \d+, column '" + field):
        Ledger.from_connector(CsvConnector(mapping=mapping, reader="arrow", **files),
                              base_currency="EUR")


# ------------------------------------------------------------ rates past the model's bounds

RATE_TOO_LARGE = "is more than 1,000,000,000,000 units of the base currency per unit"

# Each row: the invoice and payment rows, the mapping's invoices options, the rejected
# rows (file, line, column) and a phrase of each reason.
RATES: list[tuple[str, list[str], list[str], dict[str, Any],
                  list[tuple[tuple[str, int, str], str]]]] = [
    ("twenty nines", ["I1;c1;2025-01-02;2025-02-01;USD;100.00;;99999999999999999999"], [], {},
     [(("i.csv", 2, "fx_rate"), RATE_TOO_LARGE)]),
    # 16 digits: a plain cell the columnar reader checks itself (at most 18 digits).
    ("a plain rate on an invoice", ["I1;c1;2025-01-02;2025-02-01;USD;100.00;;1000000000000000"],
     [], {}, [(("i.csv", 2, "fx_rate"), RATE_TOO_LARGE)]),
    ("a plain rate on a payment",
     ["I1;c1;2025-01-02;2025-02-01;EUR;100.00;;"],
     ["P1;c1;;2025-01-20;USD;100.00;1000000000000000"], {},
     [(("p.csv", 2, "fx_rate"), RATE_TOO_LARGE)]),
    ("a fair rate, too large a total",
     ["I1;c1;2025-01-02;2025-02-01;USD;900000000000000000;;2"], [], {},
     [(("i.csv", 2, "fx_rate"), "converts the total of 900000000000000000 USD to "
       "1800000000000000000 in the base currency, more than 18 digits")]),
    ("a fair rate, too large an amount due",
     ["I1;c1;2025-01-02;2025-02-01;USD;1.00;100000000000000000;20"], [], {},
     [(("i.csv", 2, "fx_rate"), "converts the amount_due of 100000000000000000 USD")]),
    ("a rate the other way round, too small to invert",
     ["I1;c1;2025-01-02;2025-02-01;USD;100.00;;0.0000000000001"], [],
     {"fx_rate_inverse": True}, [(("i.csv", 2, "fx_rate"), RATE_TOO_LARGE)]),
    ("a rate below the smallest",
     ["I1;c1;2025-01-02;2025-02-01;USD;100.00;;0.0000000000001"], [], {},
     [(("i.csv", 2, "fx_rate"), "is less than 1E-12 units of the base currency")]),
]


@pytest.mark.parametrize(("invoices", "payments", "options", "rejected"),
                         [pytest.param(*row[1:], id=row[0]) for row in RATES])
def test_a_rate_past_the_bounds_rejects_its_row_in_both_readers(
    write: Write, shaped: Callable[[Any], Any], invoices: list[str], payments: list[str],
    options: dict[str, Any], rejected: list[tuple[tuple[str, int, str], str]],
) -> None:
    mapping = _mapping(**options)
    good = "I9;c1;2025-01-03;2025-02-02;USD;50.00;;0.9"  # a fair row beside the bad one
    files = _files(write, [*invoices, good], payments)
    book = _load_both(mapping, files, shaped)  # lenient: the bad row is in the report
    assert [(_where(r), r.field) for r in book.report.rejected] == [
        (where, "fx_rate") for where, _ in rejected]
    for rejection, (_, phrase) in zip(book.report.rejected, rejected, strict=True):
        assert phrase in rejection.reason
    kept = book.invoice("I9")
    assert kept.fx_rate == (1 / Decimal("0.9") if options else Decimal("0.9"))
    assert book.base_amount(kept) == Decimal("50.00") * kept.fx_rate
    review(book, as_of=date(2025, 6, 30))  # what is kept reviews
    for reader in READERS:  # strict: an error naming the file, line and column
        with pytest.raises(DataError) as caught:
            Ledger.from_connector(CsvConnector(mapping=mapping, reader=reader, **files),
                                  base_currency="EUR")
        assert [_where(p) for p in caught.value.problems] == [w for w, _ in rejected]


# -------------------------------------------------- amounts and hours finer than the bound


@pytest.mark.parametrize(
    ("invoices", "hours", "where", "phrase"),
    [
        # Seven decimals: past what the columnar reader checks itself (six), the long way.
        pytest.param(["I1;c1;2025-01-02;2025-02-01;EUR;0.0000001;;"], [],
                     ("i.csv", 2, "total"), "1E-7 is less than 0.000001 but not zero",
                     id="total"),
        pytest.param(["I1;c1;2025-01-02;2025-02-01;EUR;10;;"], ["c1;2025-01-03;0.0000001"],
                     ("t.csv", 2, "hours"), "1E-7 hours is less than 0.000001 but not zero",
                     id="hours"),
    ],
)
def test_a_number_finer_than_the_bound_rejects_its_row_in_both_readers(
    write: Write, shaped: Callable[[Any], Any], invoices: list[str], hours: list[str],
    where: tuple[str, int, str], phrase: str,
) -> None:
    book = _load_both(_mapping(), _files(write, invoices, hours=hours), shaped)
    [rejection] = book.report.rejected
    assert _where(rejection) == where
    assert phrase in rejection.reason
