"""Cells written for Excel: ``="0001"`` is the text ``0001``, a formula is no value.

Exports meant for Excel write a cell as ``="0001"`` so that Excel keeps the leading zeros
(and does not make an id a number or a date); some write every text cell so. The connector
reads the text inside such a whole-cell wrapper (a quote inside doubled, as Excel writes it:
``="a""b"`` is ``a"b``) for every field, and rejects a row whose mapped cell is any other
formula (``=SUM(A1:A3)``), naming the column: the file holds the formula, not its result.
Each file is read both ways (the row reader and the columnar reader), which must agree.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from clientguard.model import Customer, Invoice, Payment
from clientguard.records import Rejection
from clientguard_csv.columnar import arrow_available
from clientguard_csv.fields import spreadsheet_text
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, Skipped, read_records

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)

COLUMNS = ("number", "customer", "issue_date", "due_date", "total", "currency", "amount_due",
           "terms")


def mapping(decimal: str = ".", thousands: str = "", delimiter: str = ",",
            date_formats: tuple[str, ...] = ("iso",), **invoices: Any) -> dict[str, Any]:
    return {
        "encoding": "utf-8", "delimiter": delimiter, "date_formats": list(date_formats),
        "decimal": decimal, "thousands": thousands,
        "invoices": {"columns": {"number": "number", "customer_name": "customer",
                                 "issue_date": "issue_date", "due_date": "due_date",
                                 "total": "total", "currency": "currency",
                                 "amount_due": "amount_due", "terms_days": "terms"},
                     **invoices},
        "payments": {"columns": {"invoice_number": "invoice", "date": "date",
                                 "amount": "amount"}},
    }


def read(write: Write, mapping_: dict[str, Any], **texts: str) -> tuple[list[Item], ReadLog]:
    """Read the files (stream to content) both ways; the items and log, the same either way."""
    paths = {stream: [write(f"{stream}.csv", text)] for stream, text in texts.items()}
    parsed = mapping_from_dict(mapping_)
    outcomes = []
    for reader in READERS:
        log = ReadLog()
        outcomes.append((list(read_records(parsed, paths, log=log, reader=reader)), log))
    (items, log), *others = outcomes
    for other_items, other_log in others:
        assert other_items == items
        assert [i.location for i in other_items] == [i.location for i in items]
        assert other_log == log
    return items, log


def invoices_file(cells: dict[str, str], delimiter: str = ",") -> str:
    """A header and one invoice row, ``cells`` written over a plain row's, as they are (the
    file's text: a cell holding the delimiter must come quoted)."""
    row = {"number": "0001", "customer": "Acme", "issue_date": "2024-01-05",
           "due_date": "2024-02-04", "total": "100.00", "currency": "EUR", "amount_due": "",
           "terms": "", **cells}
    return (delimiter.join(COLUMNS) + "\n" + delimiter.join(row[c] for c in COLUMNS) + "\n")


def the_invoice(items: list[Item]) -> Invoice:
    found = [i.record for i in items if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    assert len(found) == 1, [i for i in items if isinstance(i, Rejection)]
    return found[0]


def rejections(items: list[Item]) -> list[Rejection]:
    return [i for i in items if isinstance(i, Rejection)]


# ------------------------------------------------------------ the text inside the wrapper

@pytest.mark.parametrize(
    ("settings_", "cells", "field", "expected"),
    [
        # Ids keep their zeros, written raw or quoted as a CSV writer quotes it.
        ({}, {"number": '="0001"'}, "number", "0001"),
        ({}, {"number": '"=""0001"""'}, "number", "0001"),
        ({}, {"number": '="INV/2024/001"'}, "number", "INV/2024/001"),
        # Excel's doubled quote is one quote; inside a CSV-quoted cell it is doubled again.
        ({}, {"number": '="A""7"'}, "number", 'A"7'),
        ({}, {"number": '"=""A""""7"""'}, "number", 'A"7'),
        ({}, {"customer": '="Acme ""North"" Ltd"'}, "customer_id", 'Acme "North" Ltd'),
        # Spaces inside and around are the cell's own, stripped as any cell is.
        ({}, {"number": ' ="  0001 " '}, "number", "0001"),
        # Amounts under both decimal separators, with thousands.
        ({}, {"total": '="00123.50"'}, "total", Decimal("123.50")),
        ({"decimal": ",", "delimiter": ";"}, {"total": '="00123,50"'}, "total",
         Decimal("123.50")),
        ({"decimal": ","}, {"total": '"=""00123,50"""'}, "total", Decimal("123.50")),
        ({"decimal": ",", "thousands": ".", "delimiter": ";"}, {"total": '="1.234,56"'},
         "total", Decimal("1234.56")),
        ({"decimal": ".", "thousands": ","}, {"total": '"=""1,234.56"""'}, "total",
         Decimal("1234.56")),
        ({}, {"amount_due": '="40.00"'}, "amount_due", Decimal("40.00")),
        # Dates, ISO and day first.
        ({}, {"issue_date": '="2024-01-05"'}, "issue_date", date(2024, 1, 5)),
        ({"date_formats": ("%d.%m.%Y",)},
         {"issue_date": '="05.01.2024"', "due_date": "04.02.2024"}, "issue_date",
         date(2024, 1, 5)),
        # A number of days: no due date, terms of 014 days after 5 January.
        ({}, {"due_date": "", "terms": '="014"'}, "due_date", date(2024, 1, 19)),
        # The currency.
        ({}, {"currency": '="PLN"'}, "currency", "PLN"),
        # An empty wrapper is an empty cell: no amount due (the invoice's total is due).
        ({}, {"amount_due": '=""'}, "amount_due", None),
        ({}, {"due_date": '=""', "terms": "30"}, "due_date", date(2024, 2, 4)),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_wrapped_cell_reads_as_the_text_inside_it(
    write: Write, settings_: dict[str, Any], cells: dict[str, str], field: str,
    expected: object,
) -> None:
    delimiter = settings_.get("delimiter", ",")
    items, _ = read(write, mapping(**settings_),
                    invoices=invoices_file(cells, delimiter=delimiter))
    assert getattr(the_invoice(items), field) == expected


def test_a_payment_naming_0001_is_allocated_to_the_invoice_written_as_wrapped(
    write: Write,
) -> None:
    """The issue's case: the invoices file writes ``="0001"``, the payments file ``0001``."""
    items, _ = read(write, mapping(),
                    invoices=invoices_file({"number": '="0001"'}),
                    payments='invoice,date,amount\n0001,2024-02-01,="100.00"\n')
    assert rejections(items) == []
    payments = [i.record for i in items if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert [(a.invoice_id, a.amount) for p in payments for a in p.allocations] == [
        ("0001", Decimal("100.00"))]


def test_every_text_cell_wrapped_reads_as_the_plain_export(write: Write) -> None:
    """A tool that wraps every text cell: the same records as its plain export."""
    plain = ("number,customer,issue_date,due_date,total,currency,amount_due,terms\n"
             "0001,Acme,2024-01-05,2024-02-04,100.00,EUR,,\n"
             "0002,Beta,2024-01-06,2024-02-05,250.50,EUR,,\n")
    wrapped = ('number,customer,issue_date,due_date,total,currency,amount_due,terms\n'
               '="0001",="Acme",="2024-01-05",="2024-02-04",100.00,="EUR",="",=""\n'
               '="0002",="Beta",="2024-01-06",="2024-02-05",250.50,="EUR",="",=""\n')
    plain_items, _ = read(write, mapping(), invoices=plain)
    wrapped_items, _ = read(write, mapping(), invoices=wrapped)
    assert [i.record for i in wrapped_items if isinstance(i, Loaded)] == [
        i.record for i in plain_items if isinstance(i, Loaded)]
    assert all(isinstance(i, Loaded) for i in wrapped_items)


def test_a_mapping_rule_compares_the_text_inside_the_wrapper(write: Write) -> None:
    text = ('number,customer,issue_date,due_date,total,currency,amount_due,terms,kind\n'
            '="0001",Acme,2024-01-05,2024-02-04,100.00,EUR,,,="invoice"\n'
            '="0002",Acme,2024-01-05,2024-02-04,100.00,EUR,,,="proforma"\n')
    items, log = read(write, mapping(drop={"kind": ["proforma"]}), invoices=text)
    assert [i.record.number for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Invoice)] == ["0001"]
    assert [i.reason for i in items if isinstance(i, Skipped)] == [
        "invoices.drop: 'kind' is 'proforma'"]
    assert log.files[0].skipped == 1


# ------------------------------------------------------------ formulas and look-alikes

@pytest.mark.parametrize(
    ("cells", "column", "formula"),
    [
        ({"total": "=SUM(A1:A3)"}, "total", "=SUM(A1:A3)"),
        ({"total": "=100"}, "total", "=100"),
        ({"issue_date": "=TODAY()"}, "issue_date", "=TODAY()"),
        ({"due_date": '="2024-"&"02-04"'}, "due_date", '="2024-"&"02-04"'),
        # Spaces around a formula are stripped as any cell's.
        ({"total": " =A1*2 "}, "total", "=A1*2"),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_a_formula_in_a_mapped_cell_rejects_its_row_naming_the_column(
    write: Write, cells: dict[str, str], column: str, formula: str,
) -> None:
    items, log = read(write, mapping(), invoices=invoices_file(cells))
    [rejection] = rejections(items)
    assert rejection.location is not None
    assert (rejection.location.line, rejection.location.column) == (2, column)
    assert f"column {column!r} is a spreadsheet formula ({formula!r})" in rejection.reason
    assert "export the values" in rejection.reason
    # The row as written is kept in the rejection: nothing is lost.
    row = rejection.record["row"]  # type: ignore[index]
    assert formula in [cell.strip() for cell in row]
    assert log.files[0].rejected == 1


def test_a_formula_in_a_column_the_mapping_does_not_read_is_no_concern(write: Write) -> None:
    text = ('number,customer,issue_date,due_date,total,currency,amount_due,terms,vat\n'
            '="0001",Acme,2024-01-05,2024-02-04,100.00,EUR,,,=E2*0.23\n')
    items, _ = read(write, mapping(), invoices=text)
    assert (the_invoice(items).number, the_invoice(items).total) == ("0001", Decimal("100.00"))


def test_a_formula_where_a_mapping_rule_looks_rejects_the_row(write: Write) -> None:
    text = ('number,customer,issue_date,due_date,total,currency,amount_due,terms,kind\n'
            '0001,Acme,2024-01-05,2024-02-04,100.00,EUR,,,=IF(E2>0;"invoice";"proforma")\n')
    items, log = read(write, mapping(keep={"kind": ["invoice"]}), invoices=text)
    [rejection] = rejections(items)
    assert rejection.location is not None
    assert rejection.location.column == "kind"
    assert "column 'kind' is a spreadsheet formula" in rejection.reason
    assert (log.files[0].skipped, log.files[0].rejected) == (0, 1)


@pytest.mark.parametrize(
    ("cells", "field", "expected"),
    [
        # An = inside a value, not at its start, is the value's own.
        ({"customer": 'Acme ="North"'}, "customer_id", 'Acme ="North"'),
        ({"number": 'INV="1"'}, "number", 'INV="1"'),
        # What the exporter wrapped is text, even an = (it is not read as a formula again).
        ({"number": '="=1"'}, "number", "=1"),
        # A text field (a number, a name, an id) is read as written, whatever it starts
        # with: a hostile name is data the reports neutralise, and rejecting it would let a
        # name hide its invoices from the review. Not a wrapper: as written.
        ({"number": "=A2"}, "number", "=A2"),
        ({"customer": "=B7"}, "customer_id", "=B7"),
        ({"number": '="00"&"01"'}, "number", '="00"&"01"'),
        ({"number": '="A"7"'}, "number", '="A"7"'),
    ],
    ids=lambda v: v if isinstance(v, str) else None,
)
def test_other_cells_with_an_equals_sign_are_read_as_written(
    write: Write, cells: dict[str, str], field: str, expected: str,
) -> None:
    # (Beside a wrapped cell of the same row, which is read as its text.)
    items, _ = read(write, mapping(), invoices=invoices_file({"total": '="100.00"', **cells}))
    invoice = the_invoice(items)
    assert (getattr(invoice, field), invoice.total) == (expected, Decimal("100.00"))


def test_a_customer_made_from_a_wrapped_name_is_named_by_the_text(write: Write) -> None:
    items, _ = read(write, mapping(), invoices=invoices_file({"customer": '="Acme"'}))
    customers = [i.record for i in items
                 if isinstance(i, Loaded) and isinstance(i.record, Customer)]
    assert [c.name for c in customers] == ["Acme"]


# ------------------------------------------------------------ the wrapper itself

@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ('="0001"', "0001"),
        ('="a""b"', 'a"b'),
        ('=""""', '"'),
        ('=""', ""),
        ('=" x "', "x"),
        ('="line\nbreak"', "line\nbreak"),
        ("=SUM(A1:A3)", None),
        ('="a"b"', None),
        ('="a', None),
        ('="a"&"b"', None),
        ("=", None),
    ],
    ids=repr,
)
def test_spreadsheet_text(cell: str, expected: str | None) -> None:
    assert spreadsheet_text(cell) == expected


_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="\x85"),
                min_size=1, max_size=20).filter(lambda t: t.strip() != ""
                                                and not t.strip().startswith("="))


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(number=_TEXT)
@example(number="TOTAL")  # a totals row either way (found by a random run)
def test_any_number_wrapped_reads_as_the_same_number_written_plain(
    write: Write, number: str,
) -> None:
    """Whatever the text, Excel's wrapper of it (its quotes doubled) is read as the text,
    the same as the text written as a plain CSV cell: the same invoice number, or, where the
    text makes the row no invoice (a totals word such as ``TOTAL``), the same rejection."""
    outcomes = []
    for cell in (number, '="' + number.replace('"', '""') + '"'):
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerow([cell, "Acme", "2024-01-05", "2024-02-04", "100.00", "EUR", "", ""])
        items, _ = read(write, mapping(), invoices=out.getvalue())
        refused = rejections(items)
        outcomes.append([r.reason for r in refused] if refused else the_invoice(items).number)
    assert outcomes[0] == outcomes[1]


def test_a_header_written_for_excel_matches_the_mapping(write: Write) -> None:
    """An export that wraps every text cell for Excel wraps its header too (`="number"`): the
    header is its text, so the mapping's columns are found and the rows read as plain ones."""
    plain = ('number,customer,issue_date,due_date,total,currency,amount_due,terms\n'
             '0001,Acme,2024-01-05,2024-02-04,100.00,EUR,,\n')
    header, row = plain.splitlines()
    wrapped = ",".join(f'="{cell}"' for cell in header.split(",")) + "\n" + ",".join(
        f'="{cell}"' if cell else cell for cell in row.split(",")) + "\n"
    items, _ = read(write, mapping(), invoices=wrapped)
    invoice = the_invoice(items)
    assert (invoice.number, invoice.total, invoice.issue_date.isoformat()) == (
        "0001", Decimal("100.00"), "2024-01-05")
