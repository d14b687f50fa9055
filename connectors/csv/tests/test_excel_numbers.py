"""Ids that Excel read as numbers before the CSV was saved.

A long invoice number, customer id or NIP in a column formatted as a number is saved in
scientific notation (``1.23E+11``, ``1,23E+11`` in a Polish locale): its digits are not in the
file, so the row is rejected at that cell, saying how to export it, never loaded as an id that
two invoices share. An invoice number whose leading zeros Excel dropped (``1`` for ``0001``)
is never matched to the padded one, but the payment's rejection says so. Each file is read
both ways (the row reader and the columnar reader), and the two must give the same items."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.model import Invoice, Payment
from clientguard.records import Rejection
from clientguard_csv.amounts import AmountError, AmountFormat, parse_amount
from clientguard_csv.columnar import arrow_available
from clientguard_csv.excel_numbers import is_scientific, zeros_key
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, read_records

Write = Callable[..., Path]
Shaped = Callable[[Any], Any]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)

#: The end of every rejection of an id in scientific notation.
TEXT = ("as Excel saves a long number in a column formatted as a number: the digits past the "
        "first few are not in the file, so the id, number or tax id it stood for is lost (two "
        "of them can read alike); format column {column!r} as Text in the spreadsheet before "
        "saving the CSV, or export the CSV from the tool directly without opening it in Excel")


def lost(cell: str, column: str) -> str:
    return f"{cell!r} is a number in scientific notation, " + TEXT.format(column=column)


def read(write: Write, shaped: Shaped, mapping: dict[str, Any], **texts: str) -> list[Item]:
    """Read the files (stream to content) both ways; the items, the same either way (every
    field, location and reason: see conftest's ``shape``)."""
    paths = {stream: [write(f"{stream}.csv", text)] for stream, text in texts.items()}
    parsed = mapping_from_dict(mapping)
    outcomes = [list(read_records(parsed, paths, log=ReadLog(), reader=reader))
                for reader in READERS]
    for other in outcomes[1:]:
        assert [shaped(i) for i in other] == [shaped(i) for i in outcomes[0]]
    return outcomes[0]


def found(items: list[Item], kind: type[Invoice] | type[Payment]) -> list[tuple[Any, ...]]:
    """Each record of ``kind`` as (line, id, number or amount), each rejection as (line,
    column, reason)."""
    out: list[tuple[Any, ...]] = []
    for item in items:
        if isinstance(item, Rejection):
            assert item.location is not None
            out.append((item.location.line, item.location.column, item.reason))
        elif isinstance(item, Loaded) and isinstance(item.record, kind):
            assert item.location is not None
            record = item.record
            out.append((item.location.line, record.id,
                        record.number if isinstance(record, Invoice) else record.amount))
    return out


INVOICES = {"currency": "PLN", "invoices": {"columns": {
    "number": "No", "customer_id": "Customer", "customer_tax_id": "NIP",
    "issue_date": "Date", "due_date": "Due", "total": "Total"}}}
HEADER = "No,Customer,NIP,Date,Due,Total\n"
#: Rows before the one under test, so that its customer is known (the columnar reader's
#: short way) and the file is more than one block's first row.
BEFORE = "".join(f"F/{n},C1,5260250274,2026-01-05,2026-02-04,10.00\n" for n in range(1, 4))


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        # Excel's scientific notation in the number, the customer id or the tax id.
        ("1.23E+11,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "No", lost("1.23E+11", "No"))),
        ('"1,23E+11",C1,5260250274,2026-01-05,2026-02-04,20.00',
         (5, "No", lost("1,23E+11", "No"))),
        ("1.23457E+11,C1,5260250274,2026-01-05,2026-02-04,20.00",
         (5, "No", lost("1.23457E+11", "No"))),
        ("1.2E+15,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "No", lost("1.2E+15", "No"))),
        (" 2E+05 ,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "No", lost("2E+05", "No"))),
        ("1.23e+11,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "No", lost("1.23e+11", "No"))),
        ("1.23E+011,C1,5260250274,2026-01-05,2026-02-04,20.00",
         (5, "No", lost("1.23E+011", "No"))),  # LibreOffice's three-digit exponent
        ("F/9,1.23E+11,5260250274,2026-01-05,2026-02-04,20.00",
         (5, "Customer", lost("1.23E+11", "Customer"))),
        ("F/9,C1,5.26025E+09,2026-01-05,2026-02-04,20.00",
         (5, "NIP", lost("5.26025E+09", "NIP"))),
        # The first in the mapping's order, where two are.
        ("1.2E+15,1.23E+11,5260250274,2026-01-05,2026-02-04,20.00",
         (5, "No", lost("1.2E+15", "No"))),
        # Before any other cell's problem: the row has no identity.
        ("1.2E+15,C1,5260250274,2026-13-05,2026-02-04,20.00", (5, "No", lost("1.2E+15", "No"))),
        # Read as written: not Excel's notation, or Excel's text.
        ("2E+5,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "2E+5", "2E+5")),
        ("1E+999999,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "1E+999999", "1E+999999")),
        ("12E+05,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "12E+05", "12E+05")),
        ("FV1.2E+15,C1,5260250274,2026-01-05,2026-02-04,20.00", (5, "FV1.2E+15", "FV1.2E+15")),
        ('"=""1.23E+11""",C1,5260250274,2026-01-05,2026-02-04,20.00',
         (5, "1.23E+11", "1.23E+11")),
        ("123456789012,C1,5260250274,2026-01-05,2026-02-04,20.00",
         (5, "123456789012", "123456789012")),
    ],
)
def test_an_id_in_excels_scientific_notation_is_rejected_at_its_cell(
    write: Write, shaped: Shaped, row: str, expected: tuple[Any, ...]
) -> None:
    items = read(write, shaped, INVOICES, invoices=f"{HEADER}{BEFORE}{row}\nF/8,C1,5260250274,"
                 "2026-01-05,2026-02-04,30.00\n")
    lines = found(items, Invoice)
    assert lines[:3] == [(n + 1, f"F/{n}", f"F/{n}") for n in range(1, 4)]
    assert lines[3:] == [expected, (6, "F/8", "F/8")]


def test_two_invoices_that_excel_wrote_alike_are_both_rejected(
    write: Write, shaped: Shaped
) -> None:
    text = (HEADER + "1.23E+11,C1,,2026-01-05,2026-02-04,10.00\n"
            "1.23E+11,C1,,2026-01-06,2026-02-05,20.00\n")
    items = read(write, shaped, INVOICES, invoices=text)
    assert found(items, Invoice) == [(2, "No", lost("1.23E+11", "No")),
                                     (3, "No", lost("1.23E+11", "No"))]


PAYMENTS = {"currency": "PLN",
            "invoices": {"columns": {"number": "No", "customer_id": "Customer",
                                     "issue_date": "Date", "due_date": "Due",
                                     "total": "Total"}},
            "payments": {"group_rows": True,
                         "columns": {"id": "Payment", "invoice_number": "Invoice",
                                     "customer_id": "Customer", "date": "Paid",
                                     "amount": "Amount"}}}
PAID_INVOICES = ("No,Customer,Date,Due,Total\n"
                 + "".join(f"{n},C1,2026-01-05,2026-02-04,10.00\n" for n in range(1, 4))
                 + "123456789012,C1,2026-01-05,2026-02-04,10.00\n")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("P4,1.23E+11,C1,2026-01-20,10.00", (5, "Invoice", lost("1.23E+11", "Invoice"))),
        ("1.2E+15,3,C1,2026-01-20,10.00", (5, "Payment", lost("1.2E+15", "Payment"))),
        ("P4,3,1.23E+11,2026-01-20,10.00", (5, "Customer", lost("1.23E+11", "Customer"))),
        ("P4,123456789012,C1,2026-01-20,10.00", (5, "P4", Decimal("10.00"))),
    ],
)
def test_a_payment_naming_an_invoice_in_scientific_notation_is_rejected_at_its_cell(
    write: Write, shaped: Shaped, row: str, expected: tuple[Any, ...]
) -> None:
    payments = ("Payment,Invoice,Customer,Paid,Amount\n"
                + "".join(f"P{n},{n},C1,2026-01-20,10.00\n" for n in range(1, 4)) + row + "\n")
    items = read(write, shaped, PAYMENTS, invoices=PAID_INVOICES, payments=payments)
    assert found(items, Payment) == [
        *((n + 1, f"P{n}", Decimal("10.00")) for n in range(1, 4)), expected]


def test_a_document_of_several_rows_is_rejected_at_the_row_of_the_cell(
    write: Write, shaped: Shaped
) -> None:
    payments = ("Payment,Invoice,Customer,Paid,Amount\n"
                "P1,1,C1,2026-01-20,10.00\nP1,1.23E+11,C1,2026-01-20,5.00\n")
    items = read(write, shaped, PAYMENTS, invoices=PAID_INVOICES, payments=payments)
    assert found(items, Payment) == [(3, "Invoice", lost("1.23E+11", "Invoice"))]


@pytest.mark.parametrize(
    ("stream", "columns", "text", "expected"),
    [
        ("customers", {"id": "Id", "name": "Name", "tax_id": "NIP"},
         "Id,Name,NIP\nC1,Acme,5.26025E+09\n", (2, "NIP", lost("5.26025E+09", "NIP"))),
        ("customers", {"id": "Id", "name": "Name", "group_id": "Group"},
         "Id,Name,Group\nC1,Acme,1.2E+15\n", (2, "Group", lost("1.2E+15", "Group"))),
        ("customers", {"id": "Id", "name": "Name"},
         "Id,Name\n1.2E+15,Acme\n", (2, "Id", lost("1.2E+15", "Id"))),
    ],
)
def test_a_customers_id_or_tax_id_in_scientific_notation_is_rejected(
    write: Write, shaped: Shaped, stream: str, columns: dict[str, str], text: str,
    expected: tuple[Any, ...],
) -> None:
    items = read(write, shaped, {"currency": "PLN", stream: {"columns": columns}},
                 **{stream: text})
    rejections = [(i.location.line, i.location.column, i.reason) for i in items
                  if isinstance(i, Rejection) and i.location is not None]
    assert rejections == [expected]


@pytest.mark.parametrize(
    ("cell", "fmt"),
    [
        ("1.23457E+11", AmountFormat(".", ",")),
        ("1,23457E+11", AmountFormat(",", " ")),
        ("1.5E-05", AmountFormat(".", "")),
    ],
)
def test_an_amount_in_scientific_notation_is_refused_saying_why(
    cell: str, fmt: AmountFormat
) -> None:
    with pytest.raises(AmountError) as caught:
        parse_amount(cell, fmt)
    assert str(caught.value).startswith(f"{cell!r} is a number in scientific notation, as "
                                        "Excel saves a long number in a narrow column")


def test_an_invoice_total_in_scientific_notation_rejects_its_row_either_way(
    write: Write, shaped: Shaped
) -> None:
    text = HEADER + BEFORE + "F/9,C1,,2026-01-05,2026-02-04,1.23457E+11\n"
    items = read(write, shaped, INVOICES, invoices=text)
    (line, column, reason), = found(items, Invoice)[3:]
    assert (line, column) == (5, "Total")
    assert reason.startswith("'1.23457E+11' is a number in scientific notation")


@pytest.mark.parametrize(
    ("cell", "scientific"),
    [("1.23E+11", True), ("1,23E+11", True), ("-1.2E+15", True), ("9E-05", True),
     ("2E+5", False), ("1e27", False), ("0E+00", False), ("12E+05", False), ("E+05", False),
     ("1.E+05", False), ("", False), ("1.23E+1111", False), ("INV-1E+05", False)],
)
def test_what_is_excels_scientific_notation(cell: str, scientific: bool) -> None:
    assert is_scientific(cell) is scientific


ZEROS_INVOICES = ("No,Customer,Date,Due,Total\n0001,C1,2026-01-05,2026-02-04,10.00\n"
                  "001,C2,2026-01-05,2026-02-04,10.00\n7,C1,2026-01-05,2026-02-04,10.00\n"
                  "0000000000042,C1,2026-01-05,2026-02-04,10.00\n")


def zeros(number: str, other: str, customer: str) -> str:
    return (f"no invoice has the number {number!r} in the invoices file(s); invoice number "
            f"{other!r} (customer {customer!r}) differs from it only by leading zeros, as where "
            "Excel dropped them (it reads a column of digits as numbers): format the column as "
            "Text in the spreadsheet before saving the CSV, or export the CSV from the tool "
            "directly; the two are not matched unasked")


@pytest.mark.parametrize(
    ("invoice", "customer", "expected"),
    [
        # The row's customer's invoice first, else the fewest zeros apart.
        ("1", "C1", (2, "Invoice", zeros("1", "0001", "C1"))),
        ("1", "C2", (2, "Invoice", zeros("1", "001", "C2"))),
        ("1", "", (2, "Invoice", zeros("1", "001", "C2"))),
        ("01", "C1", (2, "Invoice", zeros("01", "0001", "C1"))),
        # The zeros dropped in the invoices file instead.
        ("007", "C1", (2, "Invoice", zeros("007", "7", "C1"))),
        # Ten zeros at most are looked for.
        ("42", "C1", (2, "Invoice", "no invoice has the number '42' in the invoices file(s)")),
        # No such number, with zeros or without: as before.
        ("2", "C1", (2, "Invoice", "no invoice has the number '2' in the invoices file(s)")),
        ("F1", "C1", (2, "Invoice", "no invoice has the number 'F1' in the invoices file(s)")),
        # The number as written: matched.
        ("0001", "C1", (2, "P1", Decimal("10.00"))),
    ],
)
def test_a_payment_naming_an_invoice_without_its_leading_zeros_says_so_and_is_not_matched(
    write: Write, shaped: Shaped, invoice: str, customer: str, expected: tuple[Any, ...]
) -> None:
    payments = (f"Payment,Invoice,Customer,Paid,Amount\nP1,{invoice},{customer},2026-01-20,10.00\n"
                "P2,7,C1,2026-01-20,10.00\nP3,7,C1,2026-01-21,10.00\n")
    items = read(write, shaped, PAYMENTS, invoices=ZEROS_INVOICES, payments=payments)
    assert found(items, Payment) == [expected, (3, "P2", Decimal("10.00")),
                                     (4, "P3", Decimal("10.00"))]


#: The end of the rejection of a payment naming a number that an invoice rejected for Excel's
#: scientific notation may have been.
LOST_TEXT = ("may be it: Excel saved that number in scientific notation, losing the digits past "
             "the first few, so the two are not matched; format that column as Text before "
             "saving the invoices CSV, or export it from the tool directly")


#: Three invoices (1 to 3) before the one under test, which is on line 5.
THREE_INVOICES = "".join(PAID_INVOICES.splitlines(keepends=True)[:4])


def lost_invoice(number: str, cell: str, where: str) -> str:
    """The rejection of a payment naming invoice ``number``, which ``cell`` (rejected at
    ``where``, after the invoices file's path) may have been."""
    return (f"no invoice has the number {number!r} in the invoices file(s); invoice number "
            f"{cell!r} ({{invoices}}, {where}) " + LOST_TEXT)


@pytest.mark.parametrize(
    ("invoice", "payment", "expected"),
    [
        # The invoice's number saved as 1.23E+11: a payment naming a number that rounds to it
        # (half away from zero, as Excel shows it) is told so, and not matched.
        ("1.23E+11", "123456789012",
         lost_invoice("123456789012", "1.23E+11", "line 5, column 'No'")),
        ("1.23E+11", "122500000000",
         lost_invoice("122500000000", "1.23E+11", "line 5, column 'No'")),
        ('"1,23457E+11"', "123456789012",
         lost_invoice("123456789012", "1,23457E+11", "line 5, column 'No'")),
        ("1E+12", "999600000000",
         lost_invoice("999600000000", "1E+12", "line 5, column 'No'")),
        # A number that does not round to it, or of other digits: as before.
        ("1.23E+11", "123500000000",
         "no invoice has the number '123500000000' in the invoices file(s)"),
        ("1.23E+11", "1234567890123",
         "no invoice has the number '1234567890123' in the invoices file(s)"),
        ("1.23E+11", "F/123", "no invoice has the number 'F/123' in the invoices file(s)"),
    ],
)
def test_a_payment_naming_an_invoice_excel_saved_in_scientific_notation_says_so(
    write: Write, shaped: Shaped, tmp_path: Path, invoice: str, payment: str, expected: str
) -> None:
    invoices = THREE_INVOICES + f"{invoice},C1,2026-01-05,2026-02-04,20.00\n"
    payments = f"Payment,Invoice,Customer,Paid,Amount\nP1,{payment},C1,2026-01-20,20.00\n"
    items = read(write, shaped, PAYMENTS, invoices=invoices, payments=payments)
    assert found(items, Payment) == [
        (5, "No", lost(invoice.strip('"'), "No")),
        (2, "Invoice", expected.format(invoices=tmp_path / "invoices.csv"))]


def test_invoices_excel_saved_alike_are_counted_in_the_payments_rejection(
    write: Write, shaped: Shaped, tmp_path: Path
) -> None:
    invoices = ("No,Customer,Date,Due,Total\n1.23E+11,C1,2026-01-05,2026-02-04,10.00\n"
                "1.23E+11,C1,2026-01-06,2026-02-05,20.00\n")
    payments = "Payment,Invoice,Customer,Paid,Amount\nP1,123456789012,C1,2026-01-20,20.00\n"
    items = read(write, shaped, PAYMENTS, invoices=invoices, payments=payments)
    assert found(items, Payment)[2:] == [(2, "Invoice", lost_invoice(
        "123456789012", "1.23E+11",
        "line 2, column 'No', and 1 more written alike"
    ).format(invoices=tmp_path / "invoices.csv"))]


def test_a_payment_naming_an_invoice_rejected_for_its_customers_id_says_why(
    write: Write, shaped: Shaped, tmp_path: Path
) -> None:
    # The invoice's number is intact; its customer id is not: the payment names the row, the
    # cell and what to do, rather than only "was itself rejected (line)".
    invoices = THREE_INVOICES + "F/9,1.2E+15,2026-01-05,2026-02-04,20.00\n"
    payments = "Payment,Invoice,Customer,Paid,Amount\nP1,F/9,C1,2026-01-20,20.00\n"
    items = read(write, shaped, PAYMENTS, invoices=invoices, payments=payments)
    assert found(items, Payment)[1:] == [(2, "Invoice", (
        f"invoice number 'F/9' was itself rejected ({tmp_path / 'invoices.csv'}, line 5, "
        "column 'Customer'), so nothing can be allocated to it: Excel saved '1.2E+15' there in "
        "scientific notation, losing digits; format that column as Text before saving the "
        "invoices CSV, or export it from the tool directly"))]


def customer_zeros(named: str, where: str, *others: str) -> str:
    """The rejection of a row naming customer id ``named``, not in ``where``, that the
    ``others`` (each as the reason writes it) differ from only by leading zeros."""
    which, verb = ("customer id", "differs") if len(others) == 1 else ("customer ids", "differ")
    # The row's id and one other are "the two"; with two others or more, three ids or more
    # are named, so "they" (until 2026-12-07 "the two" whatever the count).
    who = "the two are" if len(others) == 1 else "they are"
    return (f"customer id {named!r} is not in {where}; {which} {', '.join(others)} {verb} "
            "from it only by leading zeros, as where Excel dropped them (it reads a column of "
            "digits as numbers): format the column as Text in the spreadsheet before saving the "
            f"CSV, or export the CSV from the tool directly; {who} not matched unasked")


CUSTOMERS = {"currency": "PLN", "customers": {"columns": {"id": "Id", "name": "Name"}},
             "invoices": {"columns": {"number": "No", "customer_id": "Customer",
                                      "issue_date": "Date", "due_date": "Due",
                                      "total": "Total"}}}


@pytest.mark.parametrize(
    ("customers", "named", "expected"),
    [
        # Excel dropped the zeros in the invoices file, or in the customers file.
        ("00123,Acme\n", "123",
         (3, "Customer", customer_zeros("123", "the customers file", "'00123' ('Acme')"))),
        ("123,Acme\n", "00123",
         (3, "Customer", customer_zeros("00123", "the customers file", "'123' ('Acme')"))),
        # Two that differ from it so: both named, neither taken.
        ("0123,Acme\n00123,Beta\n", "123",
         (3, "Customer", customer_zeros("123", "the customers file", "'0123' ('Acme')",
                                        "'00123' ('Beta')"))),
        # Fewer zeros than it has, but some: 7 and 07 both differ from 007 only by zeros (07
        # was left out before), the fewest zeros apart first.
        ("7,Acme\n07,Beta\n", "007",
         (3, "Customer", customer_zeros("007", "the customers file", "'07' ('Beta')",
                                        "'7' ('Acme')"))),
        # Zeros alone are one number (0 was not named before).
        ("0,Cash\n", "000",
         (3, "Customer", customer_zeros("000", "the customers file", "'0' ('Cash')"))),
        # No such id with zeros or without, or not digits: as before.
        ("00124,Acme\n", "123",
         (3, "Customer", "customer id '123' is not in the customers file")),
        ("C00123,Acme\n", "C123",
         (3, "Customer", "customer id 'C123' is not in the customers file")),
        # The id as written: read.
        ("00123,Acme\n", "00123", (3, "F/2", "F/2")),
    ],
)
def test_an_invoice_naming_a_customer_id_without_its_leading_zeros_says_so_and_is_not_matched(
    write: Write, shaped: Shaped, customers: str, named: str, expected: tuple[Any, ...]
) -> None:
    first = customers.split(",")[0]
    invoices = (f"No,Customer,Date,Due,Total\nF/1,{first},2026-01-05,2026-02-04,10.00\n"
                f"F/2,{named},2026-01-05,2026-02-04,10.00\n")
    items = read(write, shaped, CUSTOMERS, customers="Id,Name\n" + customers,
                 invoices=invoices)
    assert found(items, Invoice) == [(2, "F/1", "F/1"), expected]


def test_a_payment_naming_its_invoices_customer_without_leading_zeros_says_so(
    write: Write, shaped: Shaped
) -> None:
    # Without a customers file, the invoices make customer 00123; the payment's 123 is not
    # taken for it, and the rejection says the two differ only by leading zeros.
    invoices = "No,Customer,Date,Due,Total\n1,00123,2026-01-05,2026-02-04,10.00\n"
    payments = ("Payment,Invoice,Customer,Paid,Amount\nP1,1,123,2026-01-20,10.00\n"
                "P2,1,C9,2026-01-20,10.00\n")
    items = read(write, shaped, PAYMENTS, invoices=invoices, payments=payments)
    assert found(items, Payment) == [
        (2, "Customer", "invoice 1 belongs to customer '00123', not '123'; the two ids differ "
         "only by leading zeros, as where Excel dropped them (it reads a column of digits as "
         "numbers): format the column as Text in the spreadsheet before saving the CSV, or "
         "export the CSV from the tool directly; the two are not matched unasked"),
        (3, "Customer", "invoice 1 belongs to customer '00123', not 'C9'"),
    ]


@pytest.mark.parametrize(
    ("owner", "named", "hint"),
    [
        ("00123", "123", True),
        # Both with zeros, fewer on one: still only zeros apart (no hint before).
        ("07", "007", True),
        ("007", "07", True),
        ("0", "000", True),
        ("123", "1230", False),
        ("C07", "C007", False),
    ],
)
def test_a_payment_naming_its_invoices_customer_with_other_zeros_says_so(
    write: Write, shaped: Shaped, owner: str, named: str, hint: bool
) -> None:
    invoices = f"No,Customer,Date,Due,Total\n1,{owner},2026-01-05,2026-02-04,10.00\n"
    payments = f"Payment,Invoice,Customer,Paid,Amount\nP1,1,{named},2026-01-20,10.00\n"
    items = read(write, shaped, PAYMENTS, invoices=invoices, payments=payments)
    # Written from the task: the owner, the id named, and why they may be one.
    reason = f"invoice 1 belongs to customer {owner!r}, not {named!r}" + (
        "; the two ids differ only by leading zeros, as where Excel dropped them (it reads a "
        "column of digits as numbers): format the column as Text in the spreadsheet before "
        "saving the CSV, or export the CSV from the tool directly; the two are not matched "
        "unasked" if hint else "")
    assert found(items, Payment) == [(2, "Customer", reason)]


def test_hours_naming_a_customer_id_without_its_leading_zeros_say_so(
    write: Write, shaped: Shaped
) -> None:
    # No customers file: the invoices made customer 00123 (its name is its id, said once).
    mapping = {**PAYMENTS, "time_entries": {"columns": {
        "customer_id": "Customer", "date": "Day", "hours": "Hours"}}}
    invoices = "No,Customer,Date,Due,Total\n1,00123,2026-01-05,2026-02-04,10.00\n"
    hours = "Customer,Day,Hours\n00123,2026-01-05,2\n123,2026-01-05,3\n"
    items = read(write, shaped, mapping, invoices=invoices, time_entries=hours)
    assert found(items, Invoice) == [
        (2, "1", "1"), (3, "Customer", customer_zeros("123", "the invoices", "'00123'"))]


# ---------------------------------------------------------------- customers made twice over
# Without a customers file, the rows make the customers: an invoices file one of whose exports
# went through Excel names 123 where the others name 00123, and the read made two customers of
# one client without a word. Now the read says so, once the stream is read, naming both ids,
# the first row of each and the names on those rows; it never joins them.

SPLIT = {"currency": "PLN",
         "invoices": {"columns": {"number": "No", "customer_id": "Customer",
                                  "customer_name": "Client", "issue_date": "Date",
                                  "due_date": "Due", "total": "Total"}},
         "credit_notes": {"columns": {"number": "Note", "customer_id": "Customer",
                                      "customer_name": "Client",
                                      "invoice_number": "Invoice", "issue_date": "Date",
                                      "total": "Total"}},
         "payments": {"columns": {"id": "Payment", "customer_id": "Customer",
                                  "customer_name": "Client", "invoice_number": "Invoice",
                                  "date": "Paid", "amount": "Amount"}}}
SPLIT_HEADER = "No,Customer,Client,Date,Due,Total\n"


def split_invoices(*customers: str) -> str:
    """An invoices file: three invoices (F/1, F/2, F/3 of the same dates) of each of
    ``customers`` (each ``id:name``), a customer's rows together, the first on line 2."""
    rows = [f"F/{n}-{ident},{ident},{name},2026-01-0{n},2026-02-0{n},10.00\n"
            for ident, _, name in (c.partition(":") for c in customers) for n in (1, 2, 3)]
    return SPLIT_HEADER + "".join(rows)


def read_logged(write: Write, shaped: Shaped, mapping: dict[str, Any],
                **texts: str) -> tuple[list[Item], ReadLog]:
    """:func:`read`, and the read's log: the same log either way (the groups of ids too)."""
    paths = {stream: [write(f"{stream}.csv", text)] for stream, text in texts.items()}
    parsed = mapping_from_dict(mapping)
    outcomes: list[tuple[list[Any], list[Item], ReadLog]] = []
    for reader in READERS:
        log = ReadLog()
        items = list(read_records(parsed, paths, log=log, reader=reader))
        outcomes.append(([shaped(i) for i in items], items, log))
    for shapes, _, log in outcomes[1:]:
        assert shapes == outcomes[0][0]
        assert log == outcomes[0][2]
    return outcomes[0][1], outcomes[0][2]


def groups(log: ReadLog, tmp_path: Path) -> list[list[tuple[str, str, int | None, str]]]:
    """Each group of ids the read found, as (id, file name, first line, name) of each."""
    out = []
    for group in log.leading_zeros:
        assert group.source == "csv"
        out.append([(c.id, Path(c.first.file or "").relative_to(tmp_path).as_posix(),
                     c.first.line, c.name) for c in group.customers])
    return out


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        # Three invoices of each: the first row of each id (lines 2 and 5), as the rows name
        # the customer.
        (("00123:Acme", "123:Acme"),
         [[("00123", "invoices.csv", 2, "Acme"), ("123", "invoices.csv", 5, "Acme")]]),
        # The other way round, and a customer between them.
        (("123:Acme", "777:Beta", "0000123:ACME Sp. z o.o."),
         [[("123", "invoices.csv", 2, "Acme"),
           ("0000123", "invoices.csv", 8, "ACME Sp. z o.o.")]]),
        # Three forms of one number: one group of three.
        (("0123:Acme", "00123:Acme", "123:Acme"),
         [[("0123", "invoices.csv", 2, "Acme"), ("00123", "invoices.csv", 5, "Acme"),
           ("123", "invoices.csv", 8, "Acme")]]),
        # Two groups, in the order each was found (its second id made).
        (("007:Acme", "042:Beta", "42:Beta", "7:Acme"),
         [[("042", "invoices.csv", 5, "Beta"), ("42", "invoices.csv", 8, "Beta")],
          [("007", "invoices.csv", 2, "Acme"), ("7", "invoices.csv", 11, "Acme")]]),
        # Zeros alone are one number too.
        (("0:Cash", "000:Cash"),
         [[("0", "invoices.csv", 2, "Cash"), ("000", "invoices.csv", 5, "Cash")]]),
        # Excel keeps an id with a letter in it as text, zeros and all: not looked at.
        (("C-00123:Acme", "C-123:Acme"), []),
        (("C00123:Acme", "C123:Acme"), []),
        # Other numbers, or one id on every row: nothing to say.
        (("00123:Acme", "1230:Acme", "124:Acme"), []),
        (("00123:Acme",), []),
    ],
)
def test_customers_made_of_ids_that_differ_only_by_leading_zeros_are_said_not_joined(
    write: Write, shaped: Shaped, tmp_path: Path, customers: tuple[str, ...],
    expected: list[list[tuple[str, str, int, str]]],
) -> None:
    items, log = read_logged(write, shaped, SPLIT, invoices=split_invoices(*customers))
    assert groups(log, tmp_path) == expected
    # Never joined: a customer of every id, each invoice its own row's.
    made = [i.record.id for i in items if isinstance(i, Loaded)
            and i.record.kind == "customer"]
    assert made == [c.partition(":")[0] for c in customers]
    invoices = [(i.record.number, i.record.customer_id) for i in items
                if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    assert invoices == [(f"F/{n}-{c.partition(':')[0]}", c.partition(":")[0])
                        for c in customers for n in (1, 2, 3)]


def test_the_warning_names_both_ids_where_they_are_their_names_and_what_to_do(
    write: Write, shaped: Shaped, tmp_path: Path
) -> None:
    _, log = read_logged(write, shaped, SPLIT, invoices=split_invoices("00123:Acme", "123:Acme"))
    (group,) = log.leading_zeros
    invoices = tmp_path / "invoices.csv"
    # Written by hand from the task: both ids, the first line of each with its name, why, and
    # the three ways out (text column, customers file, a links file's line: customer,same_as,
    # each "source:id").
    assert str(group) == (
        f"customer ids '00123' ({invoices}, line 2, 'Acme') and '123' ({invoices}, line 5, "
        "'Acme') differ only by leading zeros, as where Excel dropped them (it reads a column "
        "of digits as numbers), and are read as 2 customers: the same name on each, so very "
        "likely one client; if one, its documents, share, lateness and verdict are split "
        "between them; they are not joined unasked. Format the customer id column as Text in "
        "the spreadsheet and export the CSV again, or give a customers file; if they are one "
        "client, link them in a links file (header customer,same_as; line csv:00123,csv:123) "
        "named in [links] files of clientguard.toml")


@pytest.mark.parametrize(
    ("customers", "likely", "links"),
    [
        # The names normalise alike (case, a legal suffix): very likely one client.
        (("00123:Acme", "123:ACME Sp. z o.o."), "the same name on each, so very likely one "
         "client", "line csv:00123,csv:123"),
        (("00123:Acme", "123:Beta"), "named differently, so maybe two clients",
         "line csv:00123,csv:123"),
        # No names on the rows (the name is the id): nothing said of names.
        (("00123:00123", "123:123"), "maybe one client", "line csv:00123,csv:123"),
        (("0123:Acme", "00123:Acme", "123:Acme"), "the same name on each, so very likely one "
         "client", "lines csv:0123,csv:00123; csv:0123,csv:123"),
    ],
)
def test_the_warning_says_how_likely_one_client_from_the_names_on_the_rows(
    write: Write, shaped: Shaped, customers: tuple[str, ...], likely: str, links: str
) -> None:
    _, log = read_logged(write, shaped, SPLIT, invoices=split_invoices(*customers))
    (group,) = log.leading_zeros
    text = str(group)
    assert f"customers: {likely}; if one" in text
    assert f"(header customer,same_as; {links}) named in [links]" in text
    if customers[0].endswith(":00123"):  # the name is the id: not repeated after the line
        assert "'00123' (" in text
        assert "line 2)" in text


PAY_HEADER = "Payment,Customer,Client,Invoice,Paid,Amount\n"
NOTE_HEADER = "Note,Customer,Client,Invoice,Date,Total\n"


@pytest.mark.parametrize(
    ("stream", "text", "expected"),
    [
        # Unapplied payments (no invoice) and credit notes make customers too: 0777 beside
        # the invoices' 777.
        ("payments", PAY_HEADER + "P1,0777,Beta,,2026-01-20,10.00\nP2,777,Beta,,2026-01-21,5.00\n",
         [[("777", "invoices.csv", 5, "Beta"), ("0777", "payments.csv", 2, "Beta")]]),
        ("credit_notes", NOTE_HEADER + "K1,777,Beta,,2026-01-20,5.00\nK2,00777,Beta,,"
         "2026-01-21,5.00\n",
         [[("777", "invoices.csv", 5, "Beta"), ("00777", "credit_notes.csv", 3, "Beta")]]),
        # A document naming its invoice is its invoice's customer's: naming 0777 beside an
        # invoice of 777 rejects it (as before), making no customer, so nothing to say.
        ("payments", PAY_HEADER + "P1,0777,Beta,F/1-777,2026-01-20,10.00\n", []),
        ("credit_notes", NOTE_HEADER + "K1,0777,Beta,F/1-777,2026-01-20,5.00\n", []),
    ],
)
def test_a_payment_or_credit_note_making_a_customer_that_differs_by_zeros_is_said(
    write: Write, shaped: Shaped, tmp_path: Path, stream: str, text: str,
    expected: list[list[tuple[str, str, int, str]]],
) -> None:
    items, log = read_logged(write, shaped, SPLIT,
                             invoices=split_invoices("123:Acme", "777:Beta"),
                             **{stream: text})
    assert groups(log, tmp_path) == expected
    if not expected:
        (rejection,) = [i for i in items if isinstance(i, Rejection)]
        assert rejection.reason.startswith(
            "invoice F/1-777 belongs to customer '777', not '0777'; the two ids differ only by "
            "leading zeros")


def test_with_a_customers_file_the_rows_are_rejected_and_nothing_more_is_said(
    write: Write, shaped: Shaped
) -> None:
    # The customers file decides: 123 is not in it, the row is rejected naming 00123
    # (as before), and no customer is made twice over.
    items, log = read_logged(write, shaped, {**SPLIT, "customers": {"columns": {
        "id": "Id", "name": "Name"}}}, customers="Id,Name\n00123,Acme\n",
        invoices=split_invoices("00123:Acme", "123:Acme"))
    assert log.leading_zeros == []
    rejected = [i.reason for i in items if isinstance(i, Rejection)]
    assert len(rejected) == 3
    assert all(r.startswith("customer id '123' is not in the customers file; customer id "
                            "'00123' ('Acme') differs from it only by") for r in rejected)


@pytest.mark.parametrize(
    ("customers", "expected"),
    [
        # The task's case: 7 and 07 listed (the invoices name 007, rejected: no member).
        ("7,Acme\n07,Acme\n", [[("7", "customers.csv", 2, "Acme"),
                                 ("07", "customers.csv", 3, "Acme")]]),
        ("007,Acme\n8,Beta\n7,Acme\n0007,ACME\n",
         [[("007", "customers.csv", 2, "Acme"), ("7", "customers.csv", 4, "Acme"),
           ("0007", "customers.csv", 5, "ACME")]]),
        # A row of the file repeated is one customer, said once.
        ("7,Acme\n7,Acme\n", []),
        ("7,Acme\n8,Beta\n", []),
    ],
)
def test_ids_a_customers_file_lists_that_differ_only_by_zeros_are_said(
    write: Write, shaped: Shaped, tmp_path: Path, customers: str,
    expected: list[list[tuple[str, str, int, str]]],
) -> None:
    # Before, only customers made from the rows were looked at: a customers file that lists
    # 7 and 07 split the client's documents between them without a word. Expected by hand:
    # each id at its row of the file (the header is line 1).
    _items, log = read_logged(write, shaped, {**SPLIT, "customers": {"columns": {
        "id": "Id", "name": "Name"}}}, customers="Id,Name\n" + customers,
        invoices=SPLIT_HEADER + "F/1,007,Acme,2026-01-05,2026-02-04,10.00\n")
    assert groups(log, tmp_path) == expected
    assert all(group.listed for group in log.leading_zeros)


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        # A payment adds a third form of the invoices' pair: one group of the three, said
        # once (not the pair "read as 2 customers" first, then the three again).
        ({"invoices": split_invoices("00123:Acme", "123:Acme"),
          "payments": PAY_HEADER + "P1,0123,Acme,,2026-01-20,10.00\n"},
         [[("00123", "invoices.csv", 2, "Acme"), ("123", "invoices.csv", 5, "Acme"),
           ("0123", "payments.csv", 2, "Acme")]]),
        # Grown by a credit note and then a payment: still one group, said once, whole.
        ({"invoices": split_invoices("00123:Acme", "123:Acme"),
          "credit_notes": NOTE_HEADER + "K1,0123,Acme,,2026-01-20,5.00\n",
          "payments": PAY_HEADER + "P1,000123,Acme,,2026-01-20,10.00\n"},
         [[("00123", "invoices.csv", 2, "Acme"), ("123", "invoices.csv", 5, "Acme"),
           ("0123", "credit_notes.csv", 2, "Acme"), ("000123", "payments.csv", 2, "Acme")]]),
        # A group the invoices make that no later stream grows, beside one the payments make:
        # each once, in the order found.
        ({"invoices": split_invoices("00123:Acme", "123:Acme", "777:Beta"),
          "payments": PAY_HEADER + "P1,0777,Beta,,2026-01-20,10.00\n"},
         [[("00123", "invoices.csv", 2, "Acme"), ("123", "invoices.csv", 5, "Acme")],
          [("777", "invoices.csv", 8, "Beta"), ("0777", "payments.csv", 2, "Beta")]]),
    ],
    ids=["grown by a payment", "grown twice", "one grown, one not"],
)
def test_a_group_that_grows_in_a_later_stream_is_said_once_with_all_its_members(
    write: Write, shaped: Shaped, tmp_path: Path, texts: dict[str, str],
    expected: list[list[tuple[str, str, int, str]]],
) -> None:
    # The groups are said once the last stream with files that makes customers is read:
    # before, a group a later stream grew was said twice, first with fewer members than the
    # records hold. Expected by hand: each id's first row (the invoices file has three rows
    # an id, from line 2).
    _, log = read_logged(write, shaped, SPLIT, **texts)
    assert groups(log, tmp_path) == expected


@given(st.text(alphabet="0123456789", min_size=1, max_size=30),
       st.text(alphabet="0123456789", min_size=1, max_size=30))
def test_ids_of_digits_share_a_key_exactly_when_they_are_one_number(a: str, b: str) -> None:
    # The oracle: two strings of digits differ only by leading zeros exactly when they read
    # as the same integer.
    assert (zeros_key(a) == zeros_key(b)) is (int(a) == int(b))
    assert zeros_key("0" * 5 + a) == zeros_key(a)


@pytest.mark.parametrize("ident", ["C-00123", "00123 ", "-0123", "+123", "12.0", "١٢٣", ""])
def test_an_id_that_is_not_digits_alone_has_no_key(ident: str) -> None:
    assert zeros_key(ident) is None
