"""Report-shaped exports (``carry_down``): a heading row per customer, its name carried down
to the rows below it until a totals line or a blank line (a one-cell row under a heading in
force is rejected, not taken for the next customer).

The files are small reports written here in the layouts of QuickBooks Online's *Open
Invoices* (the header's first cell empty, the customer only in the heading rows, ``Total for
...`` under each) and of a Polish "Należności" list (``Razem dla ...``, decimal commas). The
expected records are worked out by hand from the files. Every file is read both ways (the
row reader and the columnar reader): the two must give the same (docs/connectors/csv.md,
*Report-shaped exports*)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.model import Invoice, Payment
from clientguard.records import Location, Rejection
from clientguard_csv.columnar import arrow_available
from clientguard_csv.errors import MappingError
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Item, Loaded, Reader, ReadLog, Skipped, read_records

from .conftest import shape

Write = Callable[..., Path]

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)


def read(write: Write, mapping: dict[str, Any], text: str,
         stream: str = "invoices") -> tuple[list[Item], ReadLog]:
    """Read one file of ``stream`` every way; the items and log, the same every way."""
    paths = {stream: [write(f"{stream}.csv", text)]}
    parsed = mapping_from_dict(mapping)
    outcomes = []
    for reader in READERS:
        log = ReadLog()
        outcomes.append((list(read_records(parsed, paths, log=log, reader=reader)), log))
    (items, log), *others = outcomes
    for other_items, other_log in others:
        assert [shape(i) for i in other_items] == [shape(i) for i in items]
        assert other_log == log
    return items, log


def invoices(items: list[Item]) -> list[tuple[str, str, Decimal, Decimal | None]]:
    """Each invoice read: number, customer, total, amount due."""
    return [(i.record.number, i.record.customer_id, i.record.total, i.record.amount_due)
            for i in items if isinstance(i, Loaded) and isinstance(i.record, Invoice)]


def rejections(items: list[Item]) -> list[tuple[int | None, str]]:
    return [(r.location.line if r.location else None, r.reason)
            for r in items if isinstance(r, Rejection)]


def skips(items: list[Item]) -> list[tuple[int | None, str]]:
    return [(i.location.line, i.reason) for i in items if isinstance(i, Skipped)]


def counts(log: ReadLog) -> tuple[int, int, int, int]:
    """The file's rows, records, skipped and rejected."""
    f = log.files[0]
    return f.rows, f.records, f.skipped, f.rejected


# ---------------------------------------------------------------- the two layouts

QBO = (
    "Acme Trading Inc.\nOpen Invoices\nAs of December 7, 2026\n\n"
    ",Date,Transaction type,Num,Due date,Amount,Open balance\n"  # line 5
    "Alpha Corp,,,,,,\n"  # 6
    ",11/01/2026,Invoice,1001,12/01/2026,100.00,100.00\n"
    ",11/05/2026,Invoice,1002,12/05/2026,50.00,20.00\n"
    "Total for Alpha Corp,,,,,150.00,120.00\n"  # 9
    "\n"
    "Beta LLC,,,,,,\n"  # 11
    ',10/01/2026,Invoice,1003,10/31/2026,"1,200.00","1,200.00"\n'
    'Total for Beta LLC,,,,,"1,200.00","1,200.00"\n'  # 13
    "\n"
    'TOTAL,,,,,"1,350.00","1,320.00"\n'  # 15
)
QBO_MAPPING: dict[str, Any] = {
    "date_formats": ["%m/%d/%Y"], "currency": "USD",
    "invoices": {"carry_down": "customer_name",
                 "columns": {"number": "Num", "issue_date": "Date", "due_date": "Due date",
                             "total": "Amount", "amount_due": "Open balance"}},
}

POLISH = (
    "Należności na dzień 07.12.2026\n"
    "Numer;Data wystawienia;Termin płatności;Brutto;Pozostało\n"  # line 2
    "Acme Sp. z o.o.;;;;\n"  # 3
    "FV 1/2026;01.10.2026;15.10.2026;1 230,00;1 230,00\n"
    "FV 4/2026;03.11.2026;17.11.2026;615,50;300,00\n"
    "Razem dla Acme Sp. z o.o.;;;1 845,50;1 530,00\n"  # 6
    "\n"
    "Beta S.A.;;;;\n"  # 8
    "FV 2/2026;02.10.2026;16.10.2026;2 460,00;2 460,00\n"
    "Razem dla Beta S.A.;;;2 460,00;2 460,00\n"  # 10
    "\n"
    "Razem;;;4 305,50;3 990,00\n"  # 12
)
POLISH_MAPPING: dict[str, Any] = {
    "currency": "PLN", "decimal": ",", "thousands": " ", "date_formats": ["%d.%m.%Y"],
    "invoices": {"carry_down": "customer_name",
                 "columns": {"number": "Numer", "issue_date": "Data wystawienia",
                             "due_date": "Termin płatności", "total": "Brutto",
                             "amount_due": "Pozostało"}},
}


@pytest.mark.parametrize(
    ("text", "mapping", "expected", "skipped"),
    [
        pytest.param(QBO, QBO_MAPPING, [
            ("1001", "Alpha Corp", Decimal("100.00"), Decimal("100.00")),
            ("1002", "Alpha Corp", Decimal("50.00"), Decimal("20.00")),
            ("1003", "Beta LLC", Decimal("1200.00"), Decimal("1200.00")),
        ], [
            (6, "invoices.carry_down: a heading row: 'Alpha Corp' is the customer "
                "(customer_name) of the rows below it"),
            (9, "invoices.carry_down: a totals line ('Total for Alpha Corp'), which ends the "
                "rows of 'Alpha Corp' (heading on line 6)"),
            (11, "invoices.carry_down: a heading row: 'Beta LLC' is the customer "
                 "(customer_name) of the rows below it"),
            (13, "invoices.carry_down: a totals line ('Total for Beta LLC'), which ends the "
                 "rows of 'Beta LLC' (heading on line 11)"),
            (15, "invoices.carry_down: a totals line ('TOTAL')"),
        ], id="quickbooks-open-invoices"),
        pytest.param(POLISH, POLISH_MAPPING, [
            ("FV 1/2026", "Acme Sp. z o.o.", Decimal("1230.00"), Decimal("1230.00")),
            ("FV 4/2026", "Acme Sp. z o.o.", Decimal("615.50"), Decimal("300.00")),
            ("FV 2/2026", "Beta S.A.", Decimal("2460.00"), Decimal("2460.00")),
        ], [
            (3, "invoices.carry_down: a heading row: 'Acme Sp. z o.o.' is the customer "
                "(customer_name) of the rows below it"),
            (6, "invoices.carry_down: a totals line ('Razem dla Acme Sp. z o.o.'), which ends "
                "the rows of 'Acme Sp. z o.o.' (heading on line 3)"),
            (8, "invoices.carry_down: a heading row: 'Beta S.A.' is the customer "
                "(customer_name) of the rows below it"),
            (10, "invoices.carry_down: a totals line ('Razem dla Beta S.A.'), which ends the "
                 "rows of 'Beta S.A.' (heading on line 8)"),
            (12, "invoices.carry_down: a totals line ('Razem')"),
        ], id="polish-naleznosci"),
    ],
)
def test_a_report_shaped_export_reads_each_invoice_with_its_headings_customer(
    text: str, mapping: dict[str, Any], expected: list[tuple[str, str, Decimal, Decimal]],
    skipped: list[tuple[int | None, str]], write: Write,
) -> None:
    items, log = read(write, mapping, text)
    assert invoices(items) == expected
    assert rejections(items) == []
    # Every row is accounted for: 3 invoices and the 2 customers made from them, 2 headings
    # and 3 totals lines skipped (blank lines are no rows).
    assert skips(items) == skipped
    assert counts(log) == (8, 5, 5, 0)


def test_the_dates_of_a_carried_row_read_as_any_others(write: Write) -> None:
    items, _ = read(write, QBO_MAPPING, QBO)
    first = next(i.record for i in items
                 if isinstance(i, Loaded) and isinstance(i.record, Invoice))
    assert (first.issue_date, first.due_date, first.currency) == (
        date(2026, 11, 1), date(2026, 12, 1), "USD")


def test_without_carry_down_the_rejection_proposes_it(write: Write) -> None:
    mapping = {**QBO_MAPPING, "invoices": {
        "columns": {**QBO_MAPPING["invoices"]["columns"],
                    "customer_name": {"column": "Customer", "optional": True}}}}
    items, log = read(write, mapping, QBO)
    assert invoices(items) == []
    proposal = ("the row names no customer, as in a report that names each customer in a "
                "heading row above their rows ({heading!r}, line {line}): read such a file "
                "with carry_down = 'customer_name' in the mapping's [invoices] table (see "
                "'Report-shaped exports' in the CSV docs)")
    found = dict(rejections(items))
    assert found[7] == found[8] == proposal.format(heading="Alpha Corp", line=6)
    assert found[12] == proposal.format(heading="Beta LLC", line=11)
    assert counts(log) == (8, 0, 0, 8)


# ---------------------------------------------------------------- where no heading is in force

_HEADER = "Numer;Data;Brutto\n"
_MAPPING: dict[str, Any] = {"currency": "PLN", "decimal": ",", "date_formats": ["%d.%m.%Y"],
            "invoices": {"carry_down": "customer_name", "default_terms_days": 14,
                         "columns": {"number": "Numer", "issue_date": "Data",
                                     "total": "Brutto"}}}
_HOW = ("(carry_down = 'customer_name' gives a heading's name to the rows below it up to the "
        "next totals line or blank line): put the customer's heading row above it, or fill "
        "the name in")


@pytest.mark.parametrize(
    ("rows", "kept", "rejected"),
    [
        pytest.param("F/0;01.02.2026;1,00\nAcme;;\nF/1;01.02.2026;100,00\n", ["F/1"],
                     (2, f"the row names no customer, and no heading row above it names one "
                         f"{_HOW}"), id="before-any-heading"),
        pytest.param("Acme;;\nF/1;01.02.2026;100,00\nRazem dla Acme;;100,00\n"
                     "F/2;02.02.2026;5,00\n", ["F/1"],
                     (5, "the row names no customer, and the totals line on line 4 ('Razem "
                         f"dla Acme') ended the rows of 'Acme' (heading on line 2) {_HOW}"),
                     id="after-a-totals-line"),
        pytest.param("Acme;;\nF/1;01.02.2026;100,00\n\nF/2;02.02.2026;5,00\n", ["F/1"],
                     (5, "the row names no customer, and the blank line above it (line 4) "
                         f"ended the rows of 'Acme' (heading on line 2) {_HOW}"),
                     id="after-a-blank-line"),
        pytest.param("Acme;;\nF/1;01.02.2026;100,00\n;;\nF/2;02.02.2026;5,00\n", ["F/1"],
                     (5, "the row names no customer, and the blank line above it (line 4) "
                         f"ended the rows of 'Acme' (heading on line 2) {_HOW}"),
                     id="after-a-row-of-empty-cells"),
    ],
)
def test_a_row_under_no_heading_is_rejected_at_its_line_saying_why(
    rows: str, kept: list[str], rejected: tuple[int, str], write: Write
) -> None:
    items, log = read(write, _MAPPING, _HEADER + rows)
    assert [number for number, *_ in invoices(items)] == kept
    assert rejections(items) == [rejected]
    [rejection] = [i for i in items if isinstance(i, Rejection)]
    # Where: the line, and the headings as the column (the file has none for the customer).
    assert rejection.location == Location(str(log.files[0].file), rejected[0],
                                          "(heading row)")
    assert rejection.field == "customer_name"


def test_a_rejected_row_names_the_empty_column_where_the_file_has_one(write: Write) -> None:
    mapping = {**_MAPPING, "invoices": {**_MAPPING["invoices"], "columns": {
        **_MAPPING["invoices"]["columns"], "customer_name": "Kontrahent"}}}
    items, _ = read(write, mapping, "Kontrahent;Numer;Data;Brutto\n;F/1;01.02.2026;1,00\n")
    assert rejections(items) == [
        (2, f"the row names no customer ('Kontrahent' is empty), and no heading row above it "
            f"names one {_HOW}")]


# ---------------------------------------------------------------- what is and is not a heading

@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # The customer column filled on some rows: a row keeps its own customer, and the
        # heading stays in force below it.
        pytest.param("Kontrahent;Numer;Data;Brutto\nAcme;;;\n;F/1;01.02.2026;100,00\n"
                     "Beta;F/2;01.02.2026;5,00\n;F/3;02.02.2026;7,00\n",
                     [("F/1", "Acme"), ("F/2", "Beta"), ("F/3", "Acme")], id="own-customer"),
        # The heading in the customer's own column, not the first.
        pytest.param("Numer;Kontrahent;Data;Brutto\n;Acme;;\nF/1;;01.02.2026;100,00\n",
                     [("F/1", "Acme")], id="in-the-customer-column"),
        # Written for Excel: the text inside ="...".
        pytest.param('Numer;Kontrahent;Data;Brutto\n="Acme";;;\nF/1;;01.02.2026;100,00\n',
                     [("F/1", "Acme")], id="written-for-excel"),
        # A quoted cell over two lines is no blank line.
        pytest.param('Numer;Kontrahent;Data;Brutto;Opis\nAcme;;;;\n'
                     'F/1;;01.02.2026;100,00;"dwie\nlinie"\nF/2;;02.02.2026;5,00;\n',
                     [("F/1", "Acme"), ("F/2", "Acme")], id="a-cell-over-two-lines"),
        # The next heading takes over after a blank line. (Without a totals line or blank
        # line before it, a one-cell row under a heading in force is no longer taken for the
        # next customer: a note or an invoice row holding only its number looked the same,
        # and took the invoices below it; see the test below.)
        pytest.param("Numer;Kontrahent;Data;Brutto\nAcme;;;\nF/1;;01.02.2026;1,00\n\n"
                     "Beta;;;\nF/2;;01.02.2026;2,00\n",
                     [("F/1", "Acme"), ("F/2", "Beta")], id="next-heading"),
    ],
)
def test_each_row_takes_the_heading_in_force_unless_it_names_its_own(
    text: str, expected: list[tuple[str, str]], write: Write
) -> None:
    mapping = {**_MAPPING, "invoices": {**_MAPPING["invoices"], "columns": {
        **_MAPPING["invoices"]["columns"], "customer_name": "Kontrahent"}}}
    items, _ = read(write, mapping, text)
    assert [(number, customer) for number, customer, *_ in invoices(items)] == expected
    assert rejections(items) == []


def _refused(value: str, heading: str, line: int) -> str:
    """The rejection of a one-cell row under a heading in force (docs/connectors/csv.md)."""
    return (f"a row holding only {value!r}: it was not taken as a new customer heading "
            f"because nothing ended the rows of {heading!r} (heading on line {line}), no "
            "totals line or blank line since (carry_down = 'customer_name' takes a one-cell "
            "row for a heading only where no heading is in force): if it is a customer's "
            "heading, put a totals line or a blank line before it; if it is a note, leave "
            "such rows out with drop_matching; if it is a record, fill in its other cells")


def _unknown(value: str, line: int, heading: str, heading_line: int, column: str) -> str:
    """The rejection of a row below it that names no customer."""
    return (f"the row names no customer{column}, and whose rows these are is not known: the "
            f"row holding only {value!r} on line {line} (rejected) may name a new customer "
            f"or be a note under {heading!r} (heading on line {heading_line}); put a totals "
            "line or a blank line before each heading, leave note rows out with "
            "drop_matching, or fill the name in")


_PL_HEADER = POLISH.splitlines(keepends=True)[1]


@pytest.mark.parametrize(
    ("text", "mapping", "expected", "rejected"),
    [
        # An invoice row holding only its number: before, a heading, and FV 2/2026 went to a
        # customer "FV 1/2026". After the totals line, Beta's heading is read as ever.
        pytest.param(_PL_HEADER + "Acme Sp. z o.o.;;;;\nFV 1/2026;;;;\n"
                     "FV 2/2026;02.10.2026;16.10.2026;200,00;200,00\n"
                     "Razem dla Acme Sp. z o.o.;;;200,00;200,00\nBeta S.A.;;;;\n"
                     "FV 3/2026;03.10.2026;17.10.2026;50,00;50,00\n", POLISH_MAPPING,
                     [("FV 3/2026", "Beta S.A.", Decimal("50.00"))],
                     [(3, _refused("FV 1/2026", "Acme Sp. z o.o.", 2)),
                      (4, _unknown("FV 1/2026", 3, "Acme Sp. z o.o.", 2, ""))],
                     id="an-invoice-row-holding-only-its-number"),
        # A note row: before, the customer of FV 2/2026.
        pytest.param(_PL_HEADER + "Acme Sp. z o.o.;;;;\n"
                     "FV 1/2026;01.10.2026;15.10.2026;100,00;100,00\nBrak danych;;;;\n"
                     "FV 2/2026;02.10.2026;16.10.2026;200,00;200,00\n"
                     "Razem dla Acme Sp. z o.o.;;;300,00;300,00\n", POLISH_MAPPING,
                     [("FV 1/2026", "Acme Sp. z o.o.", Decimal("100.00"))],
                     [(4, _refused("Brak danych", "Acme Sp. z o.o.", 2)),
                      (5, _unknown("Brak danych", 4, "Acme Sp. z o.o.", 2, ""))],
                     id="a-note-row-polish"),
        pytest.param(QBO.splitlines(keepends=True)[4] + "Alpha Corp,,,,,,\n"
                     ",11/01/2026,Invoice,1001,12/01/2026,100.00,100.00\n"
                     "Note: disputed,,,,,,\n,11/02/2026,Invoice,1002,12/02/2026,50.00,50.00\n"
                     ",11/03/2026,Invoice,1003,12/03/2026,7.00,7.00\n"
                     "Total for Alpha Corp,,,,,157.00,157.00\n", QBO_MAPPING,
                     [("1001", "Alpha Corp", Decimal("100.00"))],
                     [(4, _refused("Note: disputed", "Alpha Corp", 2)),
                      (5, _unknown("Note: disputed", 4, "Alpha Corp", 2, "")),
                      (6, _unknown("Note: disputed", 4, "Alpha Corp", 2, ""))],
                     id="a-note-row-quickbooks"),
        # The next customer's heading with no totals line or blank line before it: its rows
        # are rejected (whose they are is not known), not given to Acme; a row that names its
        # own customer keeps it; a second one-cell row is refused the same way.
        pytest.param("Numer;Kontrahent;Data;Brutto\nAcme;;;\nF/1;;01.02.2026;1,00\n"
                     "Beta;;;\nF/2;;01.02.2026;2,00\nF/3;Gamma;01.02.2026;3,00\nDelta;;;\n"
                     "F/4;;01.02.2026;4,00\n",
                     {**_MAPPING, "invoices": {**_MAPPING["invoices"], "columns": {
                         **_MAPPING["invoices"]["columns"], "customer_name": "Kontrahent"}}},
                     [("F/1", "Acme", Decimal("1.00")), ("F/3", "Gamma", Decimal("3.00"))],
                     [(4, _refused("Beta", "Acme", 2)),
                      (5, _unknown("Beta", 4, "Acme", 2, " ('Kontrahent' is empty)")),
                      (7, _refused("Delta", "Acme", 2)),
                      (8, _unknown("Beta", 4, "Acme", 2, " ('Kontrahent' is empty)"))],
                     id="next-heading-without-a-totals-line"),
    ],
)
def test_a_one_cell_row_under_a_heading_in_force_is_rejected_not_a_new_customer(
    text: str, mapping: dict[str, Any], expected: list[tuple[str, str, Decimal]],
    rejected: list[tuple[int, str]], write: Write,
) -> None:
    items, log = read(write, mapping, text)
    assert [(n, c, t) for n, c, t, _ in invoices(items)] == expected
    assert rejections(items) == rejected
    # Nothing lost: every row is a record, skipped or rejected.
    rows, _, skipped, rejected_rows = counts(log)
    assert rows == len(expected) + skipped + rejected_rows


@pytest.mark.parametrize(
    ("heading", "total"),
    [
        # In the number column (the key column), where a row with amounts is a totals line
        # for "a totals word followed by any words": a one-cell row is held to the strict
        # rule (the word alone, before a colon, a currency, "for"/"dla"/"klient").
        pytest.param("Total Wine & More", "Razem dla Total Wine & More", id="total-wine"),
        pytest.param("Suma Sp. z o.o.", "Razem dla Suma Sp. z o.o.", id="suma-sp-z-oo"),
        pytest.param("Razem Logistyka S.A.", "Razem dla Razem Logistyka S.A.",
                     id="razem-logistyka"),
    ],
)
def test_a_customer_named_with_a_totals_word_is_a_heading_in_the_number_column(
    heading: str, total: str, write: Write
) -> None:
    items, _ = read(write, POLISH_MAPPING, _PL_HEADER + f"{heading};;;;\n"
                    "FV 1/2026;01.10.2026;15.10.2026;100,00;100,00\n"
                    f"{total};;;100,00;100,00\n")
    assert [(n, c) for n, c, *_ in invoices(items)] == [("FV 1/2026", heading)]
    assert rejections(items) == []
    assert skips(items)[0] == (2, f"invoices.carry_down: a heading row: {heading!r} is the "
                                  "customer (customer_name) of the rows below it")


@pytest.mark.parametrize(
    "label", ["Razem", "RAZEM:", "Razem PLN", "Total for Acme", "Razem dla Acme", "Ogółem"])
def test_a_one_cell_totals_label_in_the_number_column_still_ends_the_heading(
    label: str, write: Write
) -> None:
    # The strict rule still knows a totals line without amounts: the row below it is under
    # no heading.
    items, _ = read(write, POLISH_MAPPING, _PL_HEADER + "Acme;;;;\n"
                    "FV 1/2026;01.10.2026;15.10.2026;100,00;100,00\n"
                    f"{label};;;;\nFV 2/2026;02.10.2026;16.10.2026;5,00;5,00\n")
    assert [(n, c) for n, c, *_ in invoices(items)] == [("FV 1/2026", "Acme")]
    assert skips(items)[1] == (4, f"invoices.carry_down: a totals line ({label!r}), which "
                                  "ends the rows of 'Acme' (heading on line 2)")
    assert [line for line, _ in rejections(items)] == [5]


# QuickBooks Desktop's reports close a customer's rows with "Total" and the heading's own
# text, no "for": "Total 5013 · Another Thing" under "5013 · Another Thing", amounts in the
# totals columns (the QuickBooks Desktop export shown in the README of
# github.com/dustinmichels/GAS-snippets, snippets/quickbooks-macro), and the Open Invoices
# report's header ",Type,Date,Num,P. O. #,Terms,Due Date,Aging,Open Balance" with headings
# "3000" and "Total 3000" (a public importer's test of that report). Trimmed to two customers.
QBD = (
    ",Type,Date,Num,P. O. #,Terms,Due Date,Aging,Open Balance\n"
    "3000,,,,,,,,\n"  # line 2
    ",Invoice,03/10/2024,INV-B,,Net 30,04/09/2024,,200.00\n"
    ",Payment,03/15/2024,,,,,,-50.00\n"
    "Total 3000,,,,,,,,150.00\n"  # 5
    "5013 · Another Thing,,,,,,,,\n"  # 6
    ",Invoice,01/10/2024,INV-A,,Net 30,02/09/2024,,100.00\n"
    "Total 5013 · Another Thing,,,,,,,,100.00\n"  # 8
    "TOTAL,,,,,,,,250.00\n"
)
QBD_MAPPING: dict[str, Any] = {
    "date_formats": ["%m/%d/%Y"], "currency": "USD",
    "invoices": {"carry_down": "customer_name", "keep": {"Type": ["Invoice"]},
                 "columns": {"number": "Num", "issue_date": "Date", "due_date": "Due Date",
                             "total": "Open Balance"}},
}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(QBD, id="totals-with-amounts"),
        # The importer's test writes the totals lines without amounts: one-cell rows.
        pytest.param(QBD.replace(",150.00\n", ",\n").replace(",100.00\nTOTAL", ",\nTOTAL"),
                     id="totals-without-amounts"),
        pytest.param(QBD.replace("Total 3000,", "TOTAL  3000,"), id="any-case-and-spaces"),
    ],
)
def test_a_totals_word_and_the_headings_own_text_end_the_heading(
    text: str, write: Write
) -> None:
    # Before, "Total 3000" was neither a totals line nor a heading: with amounts, the keep
    # rule skipped it (its Type is empty) and 3000's heading stayed in force, so the next
    # customer's heading was refused and INV-A rejected; without amounts, it was refused as
    # a one-cell row under a heading, and INV-A rejected too.
    items, log = read(write, QBD_MAPPING, text)
    # By hand: INV-B under 3000, INV-A under the second heading; the payment is not kept.
    assert [(n, c, t) for n, c, t, _ in invoices(items)] == [
        ("INV-B", "3000", Decimal("200.00")),
        ("INV-A", "5013 · Another Thing", Decimal("100.00"))]
    assert rejections(items) == []
    written = text.splitlines()[4].split(",")[0]  # the label as the file writes it
    assert skips(items)[2] == (5, f"invoices.carry_down: a totals line ({written!r}), which "
                                  "ends the rows of '3000' (heading on line 2)")
    assert skips(items)[3][0] == 6  # the next heading
    assert skips(items)[4] == (8, "invoices.carry_down: a totals line ('Total 5013 · Another "
                                  "Thing'), which ends the rows of '5013 · Another Thing' "
                                  "(heading on line 6)")
    # 8 rows: 2 invoices (2 customers made), 2 headings, 3 totals lines, 1 payment skipped.
    assert counts(log) == (8, 4, 6, 0)


@pytest.mark.parametrize(
    "row",
    [
        # Another customer's name after the totals word: no totals line of this heading.
        pytest.param("Total Acme,,,,,,,,", id="another-name"),
        pytest.param("Total 30001,,,,,,,,", id="a-longer-name"),
        # The heading's text alone is no totals line either.
        pytest.param("3000,,,,,,,,", id="the-name-alone"),
    ],
)
def test_only_the_headings_own_text_after_the_totals_word_ends_it(
    row: str, write: Write
) -> None:
    # Without the heading to compare with, "Total Acme" may be a customer's name: such a
    # one-cell row under 3000's heading is refused as before (line 5), never a totals line;
    # "Total 3000" below it ends the heading, and the next customer reads.
    text = QBD.replace("Total 3000,", row + "\nTotal 3000,")
    items, _ = read(write, QBD_MAPPING, text)
    assert [(n, c) for n, c, *_ in invoices(items)] == [
        ("INV-B", "3000"), ("INV-A", "5013 · Another Thing")]
    assert [line for line, _ in rejections(items)] == [5]
    assert skips(items)[2] == (6, "invoices.carry_down: a totals line ('Total 3000'), which "
                                  "ends the rows of '3000' (heading on line 2)")


def test_a_page_title_the_mapping_drops_is_no_heading(write: Write) -> None:
    mapping = {**_MAPPING, "invoices": {**_MAPPING["invoices"],
                                        "drop_matching": {"Numer": ["Strona *"]}}}
    items, log = read(write, mapping, _HEADER + "Acme;;\nF/1;01.02.2026;1,00\n"
                      "Strona 2 z 2;;\nF/2;02.02.2026;2,00\n")
    assert [(n, c) for n, c, *_ in invoices(items)] == [("F/1", "Acme"), ("F/2", "Acme")]
    assert skips(items)[1] == (
        4, "invoices.drop_matching: 'Numer' is 'Strona 2 z 2', which matches 'Strona *'")
    assert counts(log) == (4, 3, 2, 0)


def test_the_quickbooks_rules_that_skip_dateless_rows_leave_the_headings_to_carry_down(
    write: Write
) -> None:
    # skip_blank = ["Date"] (as in the quickbooks-ar-aging preset) would skip the headings
    # too: carry_down reads them first.
    mapping = {**QBO_MAPPING, "invoices": {**QBO_MAPPING["invoices"],
                                           "skip_blank": ["Date"],
                                           "keep": {"Transaction type": ["Invoice"]}}}
    items, log = read(write, mapping, QBO)
    assert [(n, c) for n, c, *_ in invoices(items)] == [
        ("1001", "Alpha Corp"), ("1002", "Alpha Corp"), ("1003", "Beta LLC")]
    assert counts(log) == (8, 5, 5, 0)


def test_payments_of_a_report_take_their_headings_customer(write: Write) -> None:
    mapping = {**_MAPPING, "invoices": None,
               "payments": {"carry_down": "customer_name",
                            "columns": {"date": "Data", "amount": "Kwota"}}}
    del mapping["invoices"]
    items, log = read(write, mapping, "Data;Kwota\nAcme;\n01.02.2026;100,00\n"
                      "Razem dla Acme;100,00\nBeta;\n03.02.2026;5,50\n", stream="payments")
    paid = [(i.record.customer_id, i.record.date, i.record.amount)
            for i in items if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert paid == [("Acme", date(2026, 2, 1), Decimal("100.00")),
                    ("Beta", date(2026, 2, 3), Decimal("5.50"))]
    assert counts(log)[2:] == (3, 0)


# ---------------------------------------------------------------- the columnar reader

@pytest.mark.skipif(not arrow_available(), reason="the columnar reader needs pyarrow")
def test_the_columnar_reader_parses_a_report_and_still_checks_its_rows(
    write: Write, checked_share: Callable[[dict[str, Any], str, Path], float]
) -> None:
    # No blank line, no quote: pyarrow parses the text; a row that names its own known
    # customer takes the short way, the carried rows the row reader's: both give the same.
    mapping = {**_MAPPING, "invoices": {**_MAPPING["invoices"], "carry_down": "customer_id",
                                        "columns": {**_MAPPING["invoices"]["columns"],
                                                    "customer_id": "Kontrahent"}}}
    text = ("Kontrahent;Numer;Data;Brutto\nAcme;;;\n;F/1;01.02.2026;100,00\n"
            "Acme;F/2;02.02.2026;200,00\nRazem dla Acme;;;300,00\nBeta;;;\n"
            ";F/3;03.02.2026;5,00\nRazem dla Beta;;;5,00\n")
    items, log = read(write, mapping, text)
    assert [(n, c) for n, c, *_ in invoices(items)] == [
        ("F/1", "Acme"), ("F/2", "Acme"), ("F/3", "Beta")]
    assert counts(log) == (7, 5, 4, 0)  # lines 2 to 8
    log = ReadLog()
    list(read_records(mapping_from_dict(mapping), {"invoices": [write("invoices.csv", text)]},
                      log=log, reader="arrow"))
    assert log.files[0].reader == "arrow"
    assert checked_share(mapping, "invoices", write("invoices.csv", text)) > 0


# ---------------------------------------------------------------- the mapping

@pytest.mark.parametrize(
    ("invoices_table", "message"),
    [
        ({"carry_down": "currency", "default_terms_days": 14,
          "columns": {"number": "N", "customer_name": "K", "issue_date": "D", "total": "T"}},
         "invoices.carry_down: Input should be 'customer_id' or 'customer_name'"),
        ({"carry_down": "customer_name", "default_terms_days": 14,
          "columns": {"number": "N", "customer_name": {"join": ["A", "B"]},
                      "issue_date": "D", "total": "T"}},
         "invoices.carry_down: customer_name is joined from several columns"),
        # Without carry_down, a file with no customer column is refused, as ever.
        ({"default_terms_days": 14, "columns": {"number": "N", "issue_date": "D",
                                                "total": "T"}},
         "[invoices.columns] must map customer_id or customer_name"),
    ],
)
def test_a_wrong_carry_down_is_a_mapping_error_naming_the_key(
    invoices_table: dict[str, Any], message: str
) -> None:
    with pytest.raises(MappingError, match=re.escape(message)):
        mapping_from_dict({"invoices": invoices_table})


def test_carry_down_is_refused_for_the_customers_file() -> None:
    refused = "customers.carry_down: a customers file names its customers on every row"
    with pytest.raises(MappingError, match=re.escape(refused)):
        mapping_from_dict({"customers": {"carry_down": "customer_name",
                                         "columns": {"name": "Nazwa"}}})


# ---------------------------------------------------------------- the rule, as a property

_NAMES = ["Acme Sp. z o.o.", "Beta S.A.", "Gamma", "Delta Ltd", "Ewa Nowak"]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=st.lists(st.tuples(st.sampled_from(_NAMES),
                                 st.lists(st.integers(1, 99_999), min_size=1, max_size=3)),
                       min_size=1, max_size=4),
       blank=st.booleans())
def test_every_invoice_belongs_to_the_heading_above_it_and_every_other_row_is_counted(
    groups: list[tuple[str, list[int]]], blank: bool, write: Write
) -> None:
    lines = [_HEADER.rstrip("\n")]
    expected: list[tuple[str, str, Decimal]] = []
    for name, amounts in groups:
        lines.append(f"{name};;")
        for grosze in amounts:
            number = f"F/{len(expected) + 1}"
            lines.append(f"{number};01.02.2026;{grosze // 100},{grosze % 100:02d}")
            expected.append((number, name, Decimal(grosze) / 100))
        lines.append(f"Razem dla {name};;1,00")
        if blank:
            lines.append("")
    lines.append("Razem;;1,00")
    items, log = read(write, _MAPPING, "\n".join(lines) + "\n")
    assert [(n, c, t) for n, c, t, _ in invoices(items)] == expected
    customers = len({name for name, _ in groups})
    rows = len(expected) + 2 * len(groups) + 1
    assert counts(log) == (rows, len(expected) + customers, 2 * len(groups) + 1, 0)


_NOTES = ["Brak danych", "FV 9/2026", "Note: disputed", "Beta S.A."]


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(groups=st.lists(st.tuples(st.sampled_from(_NAMES),
                                 st.lists(st.tuples(st.integers(1, 99_999),
                                                    st.sampled_from([None, *_NOTES])),
                                          min_size=1, max_size=3)),
                       min_size=1, max_size=4))
def test_a_one_cell_row_inside_a_customers_rows_never_moves_an_invoice_to_another(
    groups: list[tuple[str, list[tuple[int, str | None]]]], write: Write
) -> None:
    # Each customer's rows, some with a one-cell row (a note, a number alone, another name)
    # above them, then the customer's totals line: every invoice read is its heading's,
    # every one not read is rejected, and every row is counted.
    lines = [_HEADER.rstrip("\n")]
    owner: dict[str, str] = {}
    for name, rows in groups:
        lines.append(f"{name};;")
        for grosze, note in rows:
            if note is not None:
                lines.append(f"{note};;")
            number = f"F/{len(owner) + 1}"
            lines.append(f"{number};01.02.2026;{grosze // 100},{grosze % 100:02d}")
            owner[number] = name
        lines.append(f"Razem dla {name};;1,00")
    items, log = read(write, _MAPPING, "\n".join(lines) + "\n")
    read_ones = [(n, c) for n, c, *_ in invoices(items)]
    assert all(owner[n] == c for n, c in read_ones)
    notes = sum(note is not None for _, rows in groups for _, note in rows)
    assert len(rejections(items)) == notes + len(owner) - len(read_ones)
    rows_, _, skipped, rejected = counts(log)
    assert (rows_, skipped) == (len(lines) - 1, 2 * len(groups))
    assert rows_ == len(read_ones) + skipped + rejected
