"""Messy exports a user really has, read alike by both readers: a thousands separator equal
to the delimiter in a row whose last cell is empty, two Excel "CSV UTF-8" exports joined
(each with its byte-order mark), a text that only looks like Excel's accounting dash, and a
payment naming an invoice number in another letter case.

Every file is read by the row reader and by the columnar reader (``read_alike``): both give
the same records, rejections and messages."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.errors import DataError
from clientguard.records import Rejection
from clientguard_csv import CsvConnector
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, ReadLog, read_records

from .conftest import ReadAlike

Write = Callable[..., Path]

INVOICES: dict[str, Any] = {
    "date_formats": ["iso"],
    "currency": "USD",
    "invoices": {"columns": {"number": "Number", "customer_name": "Client",
                             "issue_date": "Date", "due_date": "Due", "total": "Total"}},
}
HEADER = "Number,Client,Date,Due,Total,Notes"


def read(mapping: dict[str, Any], **files: list[Path]) -> list[Any]:
    """The items of a read with the row reader (the columnar reader gives the same:
    ``read_alike`` checks it in each test)."""
    return list(read_records(mapping_from_dict(mapping), files, log=ReadLog(), reader="python"))


def totals(items: list[Any]) -> dict[str, Decimal]:
    return {i.record.number: i.record.total for i in items
            if isinstance(i, Loaded) and isinstance(i.record, cg.Invoice)}


def rejected(items: list[Any]) -> dict[int, str]:
    return {i.location.line or 0: i.reason for i in items
            if isinstance(i, Rejection) and i.location is not None}


# ------------------------------------------------------------- a row wider than the header

# Each file, and the invoices it must give (number: total, as written in the file) and the
# lines it must reject. Each row is judged by its own cells: empty cells past the header are
# padding (a trailing delimiter, a spreadsheet's blank columns) unless a mapped amount and
# the cell after it, joined by the delimiter, are one amount grouped by thousands (1 and
# 200.00 are 1,200.00): then the amount was split, and the row is rejected.
JAN = "".join(f"{n},Acme,2026-01-10,2026-02-09,{n}0.00,,\n" for n in range(1, 4))  # padded
FEB = "".join(f"{n},Beta,2026-02-10,2026-03-09,{n}0.00,\n" for n in range(4, 6))  # not
# Excel writes the delimiters of blank columns at the end of a row only for the first rows it
# saves (Microsoft KB 77295: the first 16): 16 padded rows, then 4 that are not.
EXCEL = "".join(f"{n},Acme,2026-01-10,2026-02-09,{n}.00,{',' if n <= 16 else ''}\n"
                for n in range(1, 21))
WIDTH_CASES = [
    pytest.param(
        # The reviewer's file: invoice 7's "1,200.00" unquoted, its Notes empty. Read as
        # padding, its total was 1 (strict accepted it); invoice 8 is quoted, 9 has a note.
        f"{HEADER}\n7,Acme,2026-01-10,2026-02-09,1,200.00,\n"
        '8,Acme,2026-01-10,2026-02-09,"1,200.00",\n'
        "9,Acme,2026-01-10,2026-02-09,1,200.00,call first\n",
        {"8": Decimal("1200.00")}, {2, 4}, id="shifted-row-with-an-empty-last-cell"),
    pytest.param(
        # Two shifted rows next to each other: each splits its amount (2 + 500.00, 3 + 000.00).
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,\n"
        "2,Acme,2026-01-10,2026-02-09,2,500.00,\n3,Acme,2026-01-10,2026-02-09,3,000.00,\n"
        "4,Acme,2026-01-10,2026-02-09,40.00,\n",
        {"1": Decimal("10.00"), "4": Decimal("40.00")}, {3, 4}, id="two-shifted-rows"),
    pytest.param(
        # A shifted row first: the rows after it are narrower.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,1,000.00,\n"
        "2,Acme,2026-01-10,2026-02-09,20.00,\n",
        {"2": Decimal("20.00")}, {2}, id="shifted-first-row"),
    pytest.param(
        # A tool that ends every data row with a delimiter, but not the header: padding.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,,\n"
        "2,Acme,2026-01-10,2026-02-09,20.00,note,\n",
        {"1": Decimal("10.00"), "2": Decimal("20.00")}, set(), id="trailing-delimiter"),
    pytest.param(
        # Excel pads every row to the widest column it saw content or formatting in.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,,,,\n"
        "2,Acme,2026-01-10,2026-02-09,20.00,,,,\n",
        {"1": Decimal("10.00"), "2": Decimal("20.00")}, set(), id="excel-padding"),
    pytest.param(
        # In a padded file, a row one wider than the padding is shifted: 1 + 200.00.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,,\n"
        "2,Acme,2026-01-10,2026-02-09,1,200.00,,\n3,Acme,2026-01-10,2026-02-09,30.00,,\n",
        {"1": Decimal("10.00"), "3": Decimal("30.00")}, {3}, id="shifted-in-padded-file"),
    pytest.param(
        # Padded rows of two joined exports: the second header does not count.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,,\n{HEADER}\n"
        "2,Acme,2026-01-10,2026-02-09,20.00,,\n",
        {"1": Decimal("10.00"), "2": Decimal("20.00")}, {3}, id="padded-joined-exports"),
    pytest.param(
        # cat jan.csv feb.csv: January's tool ends each row with a delimiter, February's does
        # not. Every invoice is read (the 5 of the two files); line 5, February's header, is
        # the header again. (Rejected as shifted, January's three, by the file's narrowest.)
        f"{HEADER}\n{JAN}{HEADER}\n{FEB}",
        {str(n): Decimal(f"{n}0.00") for n in range(1, 6)}, {5},
        id="joined-padded-then-plain"),
    pytest.param(
        # The other way round: cat feb.csv jan.csv.
        f"{HEADER}\n{FEB}{HEADER}\n{JAN}",
        {str(n): Decimal(f"{n}0.00") for n in range(1, 6)}, {4},
        id="joined-plain-then-padded"),
    pytest.param(
        # Padded rows, the last line of the file without its trailing delimiter.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00,,\n"
        "2,Acme,2026-01-10,2026-02-09,20.00,,\n3,Beta,2026-02-10,2026-03-09,30.00,\n",
        {"1": Decimal("10.00"), "2": Decimal("20.00"), "3": Decimal("30.00")}, set(),
        id="last-row-unpadded"),
    pytest.param(
        # Excel's 16 padded rows, then 4: all 20 invoices (n.00 each).
        f"{HEADER}\n{EXCEL}", {str(n): Decimal(f"{n}.00") for n in range(1, 21)}, set(),
        id="excel-first-16-rows-padded"),
    pytest.param(
        # A split amount among Excel's padded rows is still one: line 3, 1 + 500.00.
        f"{HEADER}\n{EXCEL.replace(',2.00,,', ',1,500.00,,')}",
        {str(n): Decimal(f"{n}.00") for n in range(1, 21) if n != 2}, {3},
        id="split-amount-among-excel-padded-rows"),
    pytest.param(
        # Split in three: 1 + 200 + 000.00 under a header with two columns after Total;
        # beside it a padded row and one that is not, both read.
        "Number,Client,Date,Due,Total,Notes,Memo\n"
        "1,Acme,2026-01-10,2026-02-09,1,200,000.00,,\n2,Acme,2026-01-10,2026-02-09,20.00,,,\n"
        "3,Acme,2026-01-10,2026-02-09,30.00,,\n",
        {"2": Decimal("20.00"), "3": Decimal("30.00")}, {2}, id="split-in-three"),
    pytest.param(
        # A sign, a currency symbol, parentheses: ($1 + 200.00) is ($1,200.00); rows 3 (padded)
        # and 4 (not) are read.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,($1,200.00),\n"
        "2,Acme,2026-01-10,2026-02-09,-2,500.00,\n3,Acme,2026-01-10,2026-02-09,30.00,,\n"
        "4,Acme,2026-01-10,2026-02-09,40.00,\n",
        {"3": Decimal("30.00"), "4": Decimal("40.00")}, {2, 3}, id="split-with-sign-and-symbol"),
    pytest.param(
        # What only starts like the rest of an amount is a note: 1 + "200 days" is no
        # amount ('days' is no currency), 12 + "2026-01-01" not three digits and then no
        # digit, 1234 + "567.00" not 1 to 3 digits before the group, 1.5 + "200" a decimal
        # part before it; each row's total is as written, and so is the unpadded row 5's.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,1,200 days,\n"
        "2,Acme,2026-01-10,2026-02-09,12,2026-01-01,\n"
        "3,Acme,2026-01-10,2026-02-09,1234,567.00,\n"
        "4,Acme,2026-01-10,2026-02-09,1.5,200,\n5,Acme,2026-01-10,2026-02-09,50.00,\n",
        {"1": Decimal("1"), "2": Decimal("12"), "3": Decimal("1234"), "4": Decimal("1.5"),
         "5": Decimal("50.00")}, set(), id="notes-that-are-no-split"),
    pytest.param(
        # The price of a rule by content (docs/connectors/csv.md): a total of 1 in a padded
        # row whose Notes is 100.00 cannot be told from 1,100.00 split, and is rejected; the
        # same row unpadded is as wide as the header and read as written; a padded row whose
        # Notes is no number is read.
        f"{HEADER}\n1,Acme,2026-01-10,2026-02-09,1,100.00,\n"
        "2,Acme,2026-01-10,2026-02-09,1,100.00\n3,Acme,2026-01-10,2026-02-09,30.00,,\n",
        {"2": Decimal("1"), "3": Decimal("30.00")}, {2},
        id="small-total-beside-a-number-padded"),
]

@settings(max_examples=60, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.tuples(
    st.decimals(min_value=Decimal("0.01"), max_value=Decimal("99999.99"), places=2),
    st.sampled_from(["", "call first", "100.00", "250", "2026-01-01"]),
    st.integers(min_value=0, max_value=3)), min_size=1, max_size=20))
def test_padding_any_row_never_changes_what_a_row_reads(
    rows: list[tuple[Decimal, str, int]], write: Write, read_alike: ReadAlike,
) -> None:
    # Each row ended by 0 to 3 delimiters more, whatever the others do: every invoice is read
    # with its total as written. A total written with its cents (12.50) is never the first
    # piece of a split amount (12.50,100.00 is no amount), whatever its Notes cell holds.
    path = write("inv.csv", HEADER + "\n" + "".join(
        f"{n},Acme,2026-01-10,2026-02-09,{total},{notes}{',' * pad}\n"
        for n, (total, notes, pad) in enumerate(rows, start=1)))
    read_alike(INVOICES, {"invoices": [path]})
    items = read(INVOICES, invoices=[path])
    assert (totals(items), rejected(items)) == (
        {str(n): total for n, (total, _, _) in enumerate(rows, start=1)}, {})


# The same files under a semicolon: an amount never holds one, so a padded row is padding
# whatever its cells (the Polish Excel's 1;200,00 is a total of 1 and a note of 200,00).
SEMICOLON: dict[str, Any] = {**INVOICES, "decimal": ",", "thousands": " "}


def test_under_a_delimiter_no_amount_holds_empty_cells_past_the_header_are_padding(
    write: Write, read_alike: ReadAlike,
) -> None:
    path = write("inv.csv", f"{HEADER.replace(',', ';')}\n"
                 "1;Acme;2026-01-10;2026-02-09;1;200,00;\n"
                 "2;Acme;2026-01-10;2026-02-09;20,00;;\n3;Acme;2026-01-10;2026-02-09;30,00;\n")
    read_alike(SEMICOLON, {"invoices": [path]})
    items = read(SEMICOLON, invoices=[path])
    assert (totals(items), rejected(items)) == (
        {"1": Decimal("1"), "2": Decimal("20.00"), "3": Decimal("30.00")}, {})


def test_a_split_is_found_where_the_mapping_names_no_thousands_separator(
    write: Write, read_alike: ReadAlike,
) -> None:
    # thousands = "" under decimal = ".": a comma in an amount is refused, never read as
    # anything else, so 1 and 200.00 beside it are a split amount all the same.
    mapping = {**INVOICES, "decimal": ".", "thousands": ""}
    path = write("inv.csv", f"{HEADER}\n7,Acme,2026-01-10,2026-02-09,1,200.00,\n"
                 "8,Acme,2026-01-10,2026-02-09,30.00,\n9,Acme,2026-01-10,2026-02-09,90.00,,\n")
    read_alike(mapping, {"invoices": [path]})
    items = read(mapping, invoices=[path])
    assert (totals(items), set(rejected(items))) == (
        {"8": Decimal("30.00"), "9": Decimal("90.00")}, {2})


@pytest.mark.parametrize(("content", "invoices", "lines"), WIDTH_CASES)
def test_a_row_wider_than_the_header_is_padding_unless_it_splits_an_amount(
    content: str, invoices: dict[str, Decimal], lines: set[int], write: Write,
    read_alike: ReadAlike,
) -> None:
    path = write("inv.csv", content)
    read_alike(INVOICES, {"invoices": [path]})
    items = read(INVOICES, invoices=[path])
    assert totals(items) == invoices
    assert set(rejected(items)) == lines


def test_a_shifted_row_says_where_what_and_what_to_do(write: Write) -> None:
    path = write("inv.csv", f"{HEADER}\n7,Acme,2026-01-10,2026-02-09,1,200.00,\n"
                 "8,Acme,2026-01-10,2026-02-09,30.00,\n")
    (rejection,) = [i for i in read(INVOICES, invoices=[path]) if isinstance(i, Rejection)]
    assert rejection.location is not None
    assert (Path(rejection.location.file or "").name, rejection.location.line) == ("inv.csv", 2)
    assert rejection.reason == (
        "the row has 7 fields but the header has 6, the cells past it empty, but 'Total' "
        "('1') and 'Notes' ('200.00') joined by the delimiter are the amount '1,200.00', "
        "split at its thousands separator; the row is not read with shifted columns: quote "
        "the values that hold the delimiter in the export, or export amounts without "
        "thousands separators; if 'Total' really is '1', save the file without the empty "
        "cells past the header")


@pytest.mark.parametrize("reader", ["python", "arrow"])
def test_a_strict_load_refuses_the_shifted_row(write: Write, reader: str) -> None:
    path = write("inv.csv", f"{HEADER}\n7,Acme,2026-01-10,2026-02-09,1,200.00,\n"
                 "8,Acme,2026-01-10,2026-02-09,30.00,\n")
    with pytest.raises(DataError, match=r"line 2.*the row has 7 fields but the header has 6"):
        cg.Ledger.from_connector(CsvConnector(invoices=path, mapping=INVOICES, reader=reader),
                                 base_currency="USD", strict=True)


# --------------------------------------------------------- two exports joined, each a BOM

BOM = "\ufeff"
JOINED_HEADER = "Number,Client,Date,Due,Total"


@pytest.mark.parametrize("first_bom", [BOM, ""], ids=["bom-first", "no-bom-first"])
def test_a_second_exports_header_after_its_byte_order_mark_is_the_header_again(
    first_bom: str, write: Write, read_alike: ReadAlike
) -> None:
    # cat jan.csv feb.csv of two Excel "CSV UTF-8" files (each starts with EF BB BF).
    path = write("joined.csv", f"{first_bom}{JOINED_HEADER}\r\n1,Acme,2026-01-10,2026-02-09,"
                 f"10.00\r\n{BOM}{JOINED_HEADER}\r\n2,Beta,2026-01-10,2026-02-09,20.00\r\n")
    read_alike(INVOICES, {"invoices": [path]})
    items = read(INVOICES, invoices=[path])
    # Before: a customer "Client" was made and an invoice "\ufeffNumber" rejected for its
    # date 'Date'.
    assert sorted(i.record.name for i in items if isinstance(i, Loaded)
                  and isinstance(i.record, cg.Customer)) == ["Acme", "Beta"]
    assert totals(items) == {"1": Decimal("10.00"), "2": Decimal("20.00")}
    reasons = rejected(items)
    assert list(reasons) == [3]
    assert reasons[3].startswith("this row repeats the header (line 1)")


def test_the_rule_the_header_again_proposes_leaves_out_the_second_exports_header(
    write: Write, read_alike: ReadAlike
) -> None:
    path = write("joined.csv", f"{BOM}{JOINED_HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00\n"
                 f"{BOM}{JOINED_HEADER}\n2,Beta,2026-01-10,2026-02-09,20.00\n")
    mapping = {**INVOICES, "invoices": {**INVOICES["invoices"],
                                        "drop": {"Number": ["Number"]}}}
    log = read_alike(mapping, {"invoices": [path]})
    assert (log.files[0].records, log.files[0].skipped, log.files[0].rejected) == (4, 1, 0)


def test_a_byte_order_mark_on_a_data_line_is_no_part_of_its_first_cell(
    write: Write, read_alike: ReadAlike
) -> None:
    # A second export joined without its header: its first row starts with the mark. The
    # invoice is "2", as a payment names it, not "\ufeff2".
    path = write("joined.csv", f"{BOM}{JOINED_HEADER}\n1,Acme,2026-01-10,2026-02-09,10.00\n"
                 f"{BOM}2,Beta,2026-01-10,2026-02-09,20.00\n")
    read_alike(INVOICES, {"invoices": [path]})
    assert totals(read(INVOICES, invoices=[path])) == {"1": Decimal("10.00"),
                                                       "2": Decimal("20.00")}


# ----------------------------------------------------- text is no accounting dash


@pytest.mark.parametrize(("cell", "text"), [
    ("-N/A", "N/A"), ("-Infinity", "Infinity"), ("-abc", "abc"), ("brak -", "brak"),
    ("- TBD", "TBD"),
])
def test_text_beside_a_dash_is_not_an_amount_not_a_dash(
    cell: str, text: str, write: Write, read_alike: ReadAlike
) -> None:
    # Before: "'-N/A' is a dash, not an amount: Excel's Accounting format shows zero as a
    # dash ... or write 0 where the dash means zero": advice to write 0 for an amount that
    # is not known.
    path = write("inv.csv", f"{JOINED_HEADER}\n1,Acme,2026-01-10,2026-02-09,{cell}\n")
    read_alike(INVOICES, {"invoices": [path]})
    assert rejected(read(INVOICES, invoices=[path])) == {
        2: f"{cell!r} is not an amount: {text!r} is neither a number nor a currency marker"}


# ------------------------------------------------ an invoice number in another letter case

PAYMENTS: dict[str, Any] = {
    **INVOICES,
    "payments": {"columns": {"invoice_number": "Invoice", "date": "Date", "amount": "Amount"}},
}
CASE_INVOICES = ("Number,Client,Date,Due,Total\nINV-001,Acme,2026-01-10,2026-02-09,10.00\n"
                 "fv/1,Beta,2026-01-10,2026-02-09,10.00\n")


@pytest.mark.parametrize(("named", "hint"), [
    ("inv-001", "; invoice number 'INV-001' (customer 'Acme') differs from it only in letter "
                "case: write the number as the invoices file has it; the two are not matched "
                "unasked (two invoices may be told apart by case alone)"),
    ("FV/1", "; invoice number 'fv/1' (customer 'Beta') differs from it only in letter case: "
             "write the number as the invoices file has it; the two are not matched unasked "
             "(two invoices may be told apart by case alone)"),
    # Neither case nor zeros: no hint.
    ("INV 001", ""),
])
def test_a_payment_naming_an_invoice_in_another_case_is_told_the_near_match(
    named: str, hint: str, write: Write, read_alike: ReadAlike
) -> None:
    invoices = write("inv.csv", CASE_INVOICES)
    payments = write("pay.csv", f"Invoice,Date,Amount\n{named},2026-01-20,10.00\n")
    read_alike(PAYMENTS, {"invoices": [invoices], "payments": [payments]})
    items = read(PAYMENTS, invoices=[invoices], payments=[payments])
    # Never matched: no payment is made of the row.
    assert not [i for i in items if isinstance(i, Loaded) and isinstance(i.record, cg.Payment)]
    (rejection,) = [i for i in items if isinstance(i, Rejection)]
    assert rejection.reason == (
        f"no invoice has the number {named!r} in the invoices file(s){hint}")


def test_several_invoices_in_other_cases_are_counted_and_the_customers_first(
    write: Write, read_alike: ReadAlike
) -> None:
    invoices = write("inv.csv", "Number,Client,Date,Due,Total\n"
                     "INV-001,Acme,2026-01-10,2026-02-09,10.00\n"
                     "Inv-001,Beta,2026-01-10,2026-02-09,10.00\n")
    payments = write("pay.csv", "Invoice,Client,Date,Amount\ninv-001,Beta,2026-01-20,10.00\n")
    mapping = {**PAYMENTS, "payments": {"columns": {
        **PAYMENTS["payments"]["columns"], "customer_id": "Client"}}}
    read_alike(mapping, {"invoices": [invoices], "payments": [payments]})
    (rejection,) = [i for i in read(mapping, invoices=[invoices], payments=[payments])
                    if isinstance(i, Rejection)]
    assert rejection.reason.endswith(
        "; invoice number 'Inv-001' (customer 'Beta') differs from it only in letter case, and "
        "1 more written alike in another case: write the number as the invoices file has it; "
        "they are not matched unasked (two invoices may be told apart by case alone)")
