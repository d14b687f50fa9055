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
# lines it must reject. A row's cells past the header are padding only where every row of
# the file is as wide: a trailing delimiter on every data row, or a spreadsheet's padding.
WIDTH_CASES = [
    pytest.param(
        # The reviewer's file: invoice 7's "1,200.00" unquoted, its Notes empty. Read as
        # padding, its total was 1 (strict accepted it); invoice 8 is quoted, 9 has a note.
        f"{HEADER}\n7,Acme,2026-01-10,2026-02-09,1,200.00,\n"
        '8,Acme,2026-01-10,2026-02-09,"1,200.00",\n'
        "9,Acme,2026-01-10,2026-02-09,1,200.00,call first\n",
        {"8": Decimal("1200.00")}, {2, 4}, id="shifted-row-with-an-empty-last-cell"),
    pytest.param(
        # Two shifted rows next to each other are no padding of each other.
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
]


@pytest.mark.parametrize(("content", "invoices", "lines"), WIDTH_CASES)
def test_a_row_wider_than_the_header_is_read_only_as_the_files_padding(
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
        "the row has 7 fields but the header has 6: its cells past the header are empty, but "
        "they are no padding (the file's other rows have 6 fields): a value holds the "
        "delimiter unquoted (an amount with the delimiter as its thousands separator); the "
        "row is not read with shifted columns: quote the values that hold the delimiter in "
        "the export, or export amounts without thousands separators")


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
