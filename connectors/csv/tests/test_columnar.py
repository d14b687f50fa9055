"""The columnar reader (``reader = "arrow"``) gives exactly what the row reader gives.

Each test reads the same files both ways (the ``read_alike`` fixture of conftest.py): the same
records field by field (types, a Decimal's digits, the fields set), the same rejections
(file, line, column, reason, row), the same skipped and folded rows, in the same order, and
the same log. The files: the benchmark's (as ``python -m bench`` writes them), the real
exports of the shared reference, every case of the short way and of the long way, and random
files of messy cells. The fuzz corpus is read both ways in test_fuzz.py.
"""

from __future__ import annotations

import codecs
import sys
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")

import clientguard as cg
from clientguard.model import Allocation, Customer, Invoice, Payment
from clientguard.trust import checked_record
from clientguard_csv import CsvConnector
from clientguard_csv import connector as connector_module
from clientguard_csv import reading as reading_module
from clientguard_csv.columnar import CheckedInvoice, arrow_loaded
from clientguard_csv.mapping import load_preset, mapping_from_dict
from clientguard_csv.reading import Loaded, ReadLog, read_records

from .conftest import bench_pipeline

Write = Callable[..., Path]
ReadAlike = Callable[..., Any]
CheckedShare = Callable[[dict[str, Any], str, Path], float]

ROOT = Path(__file__).resolve().parents[3]
REFERENCE = ROOT.parent / "shared" / "reference"

HEADER = ("id,number,customer_id,issue_date,due_date,total,currency,status,paid_on,"
          "amount_due,fx_rate")
#: The benchmark's mapping (bench/pipeline.py), for invoices and payments.
MAPPING: dict[str, Any] = {
    "encoding": "utf-8",
    "delimiter": ",",
    "date_formats": ["iso"],
    "decimal": ".",
    "thousands": "",
    "invoices": {
        "columns": {c: c for c in HEADER.split(",")},
        "status": {"draft": ["draft"], "open": ["open"], "paid": ["paid"], "void": ["void"]},
    },
    "payments": {
        "group_rows": True,
        "columns": {c: c for c in ("id", "customer_id", "invoice_id", "date", "amount",
                                   "currency", "fx_rate")},
    },
}
PAYMENTS_HEADER = "id,customer_id,invoice_id,date,amount,currency,fx_rate"



# ---------------------------------------------------------------- the benchmark's files


@pytest.fixture(scope="module")
def bench_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The files ``python -m bench`` writes for 10,000 invoices."""
    from clientguard.sample import sample_records

    folder = tmp_path_factory.mktemp("bench")
    bench_pipeline().write_csv(sample_records(0, invoices=10_000, customers=40), folder)
    return folder


def test_the_benchmarks_files_read_alike_and_mostly_the_short_way(
    bench_files: Path, read_alike: ReadAlike, checked_share: CheckedShare
) -> None:
    bench = bench_pipeline()
    streams = ("customers", "invoices", "credit_notes", "payments", "time_entries",
               "work_requests")
    log = read_alike(bench.MAPPING, {s: [bench_files / f"{s}.csv"] for s in streams})
    how = {f.stream: f.reader for f in log.files}
    assert how["invoices"] == how["payments"] == "arrow"  # pyarrow parsed them
    assert how["time_entries"] == how["work_requests"] == "arrow"
    assert sum(f.records for f in log.files if f.stream == "invoices") == 10_000
    # The short way is taken, not skipped: nearly every row of these streams passes.
    for stream in ("invoices", "payments", "time_entries", "work_requests"):
        assert checked_share(bench.MAPPING, stream, bench_files / f"{stream}.csv") > 0.99


def test_a_sync_of_the_benchmarks_files_is_the_same_either_way(bench_files: Path) -> None:
    bench = bench_pipeline()
    streams = ("customers", "invoices", "credit_notes", "payments", "time_entries",
               "work_requests")
    pulled = {}
    for reader in ("python", "arrow"):
        connector = CsvConnector(mapping=bench.MAPPING, reader=reader,
                                 **{s: bench_files / f"{s}.csv" for s in streams})
        pulled[reader] = cg.connector.pull(connector)
    python, arrow = pulled["python"], pulled["arrow"]
    assert [r.__dict__ for r in arrow.records] == [r.__dict__ for r in python.records]
    assert [r.model_fields_set for r in arrow.records] == [
        r.model_fields_set for r in python.records]
    assert arrow.rejected == python.rejected
    assert arrow.locations == python.locations
    assert (arrow.skipped, arrow.duplicates, arrow.notes) == (
        python.skipped, python.duplicates, python.notes)


# ---------------------------------------------------------------- the real exports

#: The real exports (skipped where the shared reference is absent), with a mapping each.
REAL: list[tuple[str, str | dict[str, Any], dict[str, str]]] = [
    ("online-retail", {
        "currency": "GBP",
        "invoices": {"default_terms_days": 30, "columns": {
            "id": "InvoiceNo", "issue_date": "InvoiceDate", "customer_id": "CustomerID",
            "total": "amount_gbp"}},
    }, {"invoices": "data/online_retail_uci_invoices.csv"}),
    ("ibm", "ibm-ar", {"invoices": "data/ibm_accounts_receivable.csv"}),
    ("ibm-own", {
        "currency": "USD", "day_first": False,
        "invoices": {"columns": {
            "id": "invoiceNumber", "customer_id": "customerID", "issue_date": "InvoiceDate",
            "terms_days": "DaysToSettle", "total": "InvoiceAmount", "paid_on": "SettledDate"}},
    }, {"invoices": "data/ibm_accounts_receivable.csv"}),
    ("freshbooks", "freshbooks", {"invoices": "data/tool_exports/freshbooks_invoices_export.csv"}),
    ("wave", "wave", {"invoices": "data/tool_exports/wave_transactions_export.csv",
                      "payments": "data/tool_exports/wave_transactions_export.csv"}),
    ("zoho", "zoho", {"invoices": "data/tool_exports/zoho_invoices_export.csv"}),
    ("invoice2go", "invoice2go",
     {"invoices": "data/tool_exports/invoice2go_invoices_export.csv"}),
    ("invoicely", "invoicely", {"invoices": "data/tool_exports/invoicely_invoices_export.csv"}),
    ("invoiceninja", "invoiceninja",
     {"invoices": "data/tool_exports/invoiceninja_v4_invoices.csv",
      "payments": "data/tool_exports/invoiceninja_v4_payments.csv"}),
]


@pytest.mark.parametrize(("name", "preset", "files"), REAL, ids=[r[0] for r in REAL])
def test_the_real_exports_read_alike(
    name: str, preset: str | dict[str, Any], files: dict[str, str], read_alike: ReadAlike
) -> None:
    paths = {stream: REFERENCE / relative for stream, relative in files.items()}
    for path in paths.values():
        if not path.is_file():
            pytest.skip(f"the real export {path.name} is absent (expected at {path})")
    mapping = load_preset(preset) if isinstance(preset, str) else preset
    read_alike(mapping, {stream: [path] for stream, path in paths.items()})


def test_the_online_retail_export_is_parsed_by_pyarrow_and_mostly_checked(
    checked_share: CheckedShare,
) -> None:
    _, mapping, files = REAL[0]
    path = REFERENCE / files["invoices"]
    if not path.is_file():
        pytest.skip(f"the real export {path.name} is absent (expected at {path})")
    assert isinstance(mapping, dict)
    items = list(read_records(mapping_from_dict(mapping), {"invoices": [path]}, reader="arrow"))
    invoices = sum(isinstance(i, Loaded) and isinstance(i.record, Invoice) for i in items)
    customers = sum(isinstance(i, Loaded) and isinstance(i.record, Customer) for i in items)
    # Every row that becomes an invoice passes the checks (those that make their customer,
    # the first of each, still go the long way); the rows without a customer or with a
    # negative amount (the cancellations) are rejected the long way.
    share = checked_share(mapping, "invoices", path)
    rows = sum(1 for _ in path.open(encoding="utf-8")) - 1
    assert round(share * rows) == invoices
    assert 0 < customers < invoices


# ---------------------------------------------------------------- each case


def _invoices(write: Write, rows: list[str], *, header: str = HEADER, name: str = "inv.csv",
              newline: str = "\n", encoding: str = "utf-8") -> Path:
    return write(name, newline.join([header, *rows]) + newline, encoding)


CLEAN = "i1,N1,c1,2024-01-01,2024-01-31,100.00,EUR,paid,2024-01-20,0,1.1"

#: Rows that the columnar reader must send the long way, each with the rejection or the
#: record the row reader makes of it.
CASES = [
    CLEAN,
    "i1,N1,c1,2024-01-01,2024-01-31,-5,EUR,open,,5,",  # a negative total
    "i1,N1,c1,2024-01-01,2024-02-30,5,EUR,open,,5,",  # no such day
    "i1,N1,c1,1899-12-31,2024-01-31,5,EUR,open,,5,",  # before the first date
    "i1,N1,c1,2024-01-01,3000-01-01,5,EUR,open,,5,",  # after the last date
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,3000-01-01,5,",  # paid date dropped: open
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,,3000-01-01,5,",  # paid date kept, out of bounds
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,,2024-01-05,,",  # paid by its date
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,,,0,",  # paid: nothing due
    "i1,N1,c1,2024-01-01,2024-01-31,0,EUR,,,0,",  # open: nothing at all
    "i1,N1,c1,2024-01-01,2024-01-31, 5,EUR,open,,5,",  # a space before the total
    "i1,N1,c1,2024-01-01,2024-01-31,1e3,EUR,open,,5,",
    "i1,N1,c1,2024-01-01,2024-01-31,1000000000000000000,EUR,open,,,",  # 19 digits
    "i1,N1,c1,2024-01-01,2024-01-31,999999999999999999.99,EUR,open,,,",  # 18 digits
    "i1,N1,c1,2024-01-01,2024-01-31,\u0661\u0662,EUR,open,,,",  # Arabic-Indic digits
    "i1,N1,c1,2024-01-01,2024-01-31,5,eur,open,,,",  # lower case: made upper
    "i1,N1,c1,2024-01-01,2024-01-31,5,XYZ,open,,,",  # no such currency
    "i1,N1,c1,2024-01-01,2024-01-31,5,,open,,,",  # no currency, none in the mapping
    "i1,N1,c1,2024-01-01,2024-01-31,5,EURO,open,,,",
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,Paid,,,",  # a status in another case
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,sent,,,",  # not in the status table
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,,,0",  # a zero rate
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,,,-1",
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,,,0.0000000000001",
    "i1,N1,c1,2024-01-01,,5,EUR,open,,,",  # no due date, no terms
    ",,c1,2024-01-01,2024-01-31,5,EUR,open,,,",  # no id, no number
    ",N7,c1,2024-01-01,2024-01-31,5,EUR,open,,,",  # the number is the id
    "i1,,c1,2024-01-01,2024-01-31,5,EUR,open,,,",  # the id is the number
    "i 1,N  1,c1,2024-01-01,2024-01-31,5,EUR,open,,,",  # spaces made one
    "i1,N1,c  1,2024-01-01,2024-01-31,5,EUR,open,,,",  # a customer id with two spaces
    "i1,N1,,2024-01-01,2024-01-31,5,EUR,open,,,",  # no customer
    "i1,N1,c9,2024-01-01,2024-01-31,5,EUR,open,,,",  # a new customer: made from the row
    "i1,N1,c1,2024-01-01T23:30:00-05:00,2024-01-31,5,EUR,open,,,",
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,,,,",  # one more, empty, field
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR,open,,,,x",  # one more field
    "i1,N1,c1,2024-01-01,2024-01-31,5,EUR",  # too short
    " , , , , , , , , , , ",  # blanks
    ",,,,,,,,,,",
]


@pytest.mark.parametrize("row", CASES)
def test_each_case_reads_alike(row: str, write: Write, read_alike: ReadAlike) -> None:
    # The case between clean rows, so that the file is parsed by pyarrow where it can be.
    path = _invoices(write, [CLEAN.replace("i1", "i0"), row, CLEAN.replace("i1", "i2")])
    read_alike(MAPPING, {"invoices": [path]})


@pytest.mark.parametrize(("row", "amount"), [
    ("p1,c1,i1,2024-01-20,60.00,EUR,", "60.00"),
    ("p1,c1,i1,2024-01-20,-60.00,EUR,", None),  # a refund: rejected
    ("p1,c1,i1,2024-01-20,€60.00,EUR,", "60.00"),  # a marker: the long way, the same amount
    ("p1,c1,i1,2024-01-20,$60.00,EUR,", None),  # dollars or pesos, not euros: rejected
    ("p1,c1,,2024-01-20,60,EUR,", "60"),  # unapplied
    ("p1,c1,i9,2024-01-20,60,EUR,", None),  # an invoice the file does not have
    ("p1,c1,i1, 2024-01-20,60,EUR,", "60"),  # the date written otherwise, the same
    ("p1,c1,i1,2024-01-21,60,EUR,", None),  # another date than the payment's other row
])
@pytest.mark.parametrize("second", [
    "p1,c1,i1,2024-01-20,40.00,EUR,",
    # Each row checked, the payment then made without validation where every rule holds
    # (the date's bounds, the currency, the rate, the amount's digits), else validated:
    "p1,c1,i1,2024-01-20,40.00,EUR,1.25",  # a rate the other row has not
    "p1,c1,,2024-01-20,40.00,EUR,",  # unapplied
    "p1,c1,i1,2024-01-20,999999999999999999.00,EUR,",  # 18 digits: with 60 more, 19
])
def test_payments_read_alike(row: str, amount: str | None, second: str, write: Write,
                             read_alike: ReadAlike) -> None:
    invoices = _invoices(write, [CLEAN])
    payments = write("pay.csv", "\n".join([PAYMENTS_HEADER, row, second, ""]))
    log = read_alike(MAPPING, {"invoices": [invoices], "payments": [payments]})
    assert [f.reader for f in log.files] == ["arrow", "arrow"]
    if second == "p1,c1,i1,2024-01-20,40.00,EUR,":
        assert next(f for f in log.files if f.stream == "payments").records == (
            1 if amount is not None else 0)


@pytest.mark.parametrize("rows", [
    ["p1,c1,i1,1899-12-31,60,EUR,", "p1,c1,i1,1899-12-31,40,EUR,"],  # before the first date
    ["p1,c1,i1,3000-01-01,60,EUR,", "p1,c1,i1,3000-01-01,40,EUR,"],  # after the last one
    ["p1,c1,i1,2024-01-20,60,XYZ,", "p1,c1,i1,2024-01-20,40,XYZ,"],  # no such currency
    ["p1,c1,i1,2024-01-20,60,EURO,", "p1,c1,i1,2024-01-20,40,EURO,"],
    ["p1,c1,i1,2024-01-20,60,,", "p1,c1,i1,2024-01-20,40,,"],  # the invoice's currency
    ["p1,c1,i1,2024-01-20,999999999999999999,EUR,", "p1,c1,i1,2024-01-20,1,EUR,"],
    ["p1,c1,i1,2024-01-20,60,EUR,0.5", "p1,c1,,2024-01-20,0.001,EUR,0.5"],
    ["p1,c1,i1,2024-01-20,60,EUR,0", "p1,c1,i1,2024-01-20,40,EUR,0"],  # a zero rate
    ["p1,c1,i1,2024-01-20,60,EUR,-2", "p1,c1,i1,2024-01-20,40,EUR,-2"],  # a negative one
])
def test_payments_of_checked_rows_read_alike(rows: list[str], write: Write,
                                             read_alike: ReadAlike,
                                             checked_share: CheckedShare) -> None:
    invoices = _invoices(write, [CLEAN])
    payments = write("pay.csv", "\n".join([PAYMENTS_HEADER, *rows, ""]))
    read_alike(MAPPING, {"invoices": [invoices], "payments": [payments]})
    assert checked_share(MAPPING, "payments", payments) == 1


def test_a_payment_of_checked_rows_is_made_without_validation(write: Write) -> None:
    # Validation would give the payment a dict of its own; made from checked values, it
    # keeps only its values, and is equal, field by field, to the validated one.
    invoices = _invoices(write, ["i0,N0,c1,2024-01-01,2024-01-31,1.00,EUR,open,,,", CLEAN])
    payments = write("pay.csv", "\n".join([PAYMENTS_HEADER, "p1,c1,i1,2024-01-20,60.00,EUR,",
                                           "p1,c1,,2024-01-20,40.00,EUR,", ""]))
    mapping = mapping_from_dict(MAPPING)
    sources = {"invoices": [invoices], "payments": [payments]}
    made, validated = (
        [i.record for i in read_records(mapping, sources, reader=reader)
         if isinstance(i, Loaded) and isinstance(i.record, Payment)]
        for reader in ("arrow", "python"))
    assert [p.__dict__ for p in made] == [p.__dict__ for p in validated]
    assert [p.model_fields_set for p in made] == [p.model_fields_set for p in validated]
    assert str(made[0].amount) == "100.00"
    assert made[0].customer_id is sys.intern("c1")
    if sys.implementation.name == "cpython":
        assert sys.getsizeof(made[0].__dict__) < sys.getsizeof(validated[0].__dict__)


@pytest.mark.parametrize("row", [
    "p1,c1,Acme,i1,2024-01-20,60.00",  # the invoice's customer, by id and name
    "p1,,Acme,i1,2024-01-20,60.00",  # by name alone: compared as names
    "p1,,ACME Ltd.,i1,2024-01-20,60.00",  # a name that normalises alike
    "p1,,Beta,i1,2024-01-20,60.00",  # another customer's name
    "p1,c2,,i1,2024-01-20,60.00",  # another customer's id
    "p1,,,i1,2024-01-20,60.00",  # no customer: the invoice's
    "p1,,, i1 ,2024-01-20,60.00",  # the invoice id with spaces around
    "p1,c1,,,2024-01-20,60.00",  # no invoice: unapplied
])
def test_payments_naming_customers_read_alike(row: str, write: Write,
                                              read_alike: ReadAlike) -> None:
    mapping = {**MAPPING, "customers": {"columns": {"id": "id", "name": "name"}},
               "payments": {"group_rows": True, "currency": "EUR", "columns": {
                   c: c for c in ("id", "customer_id", "customer_name", "invoice_id", "date",
                                  "amount")}}}
    customers = write("cust.csv", "id,name\nc1,Acme\nc2,Beta\n")
    payments = write("pay.csv", "\n".join([
        "id,customer_id,customer_name,invoice_id,date,amount", row,
        "p1,c1,Acme,i1,2024-01-20,40.00", ""]))
    read_alike(mapping, {"customers": [customers], "invoices": [_invoices(write, [CLEAN])],
                         "payments": [payments]})


@pytest.mark.parametrize(("invoice", "payment"), [
    # A customer id that differs from a known one only by leading zeros (Excel dropped them):
    # rejected with the hint, the invoice's or the payment's.
    ("i2,N2,123,2024-01-01,2024-01-31,5,EUR,open,,,", "p2,00123,i1,2024-01-20,5,EUR,"),
    ("i2,N2,0000123,2024-01-01,2024-01-31,5,EUR,open,,,", "p2,123,i1,2024-01-20,5,EUR,"),
    # An invoice id Excel saved in scientific notation: the payment naming a number that
    # rounds to it says so; one naming an invoice rejected for its customer's id says why.
    ("1.23E+11,N2,00123,2024-01-01,2024-01-31,5,EUR,open,,,",
     "p2,00123,123456789012,2024-01-20,5,EUR,"),
    ("i2,N2,1.2E+15,2024-01-01,2024-01-31,5,EUR,open,,,", "p2,00123,i2,2024-01-20,5,EUR,"),
])
def test_rows_that_went_through_excel_read_alike(invoice: str, payment: str, write: Write,
                                                  read_alike: ReadAlike) -> None:
    mapping = {**MAPPING, "customers": {"columns": {"id": "id", "name": "name"}}}
    customers = write("cust.csv", "id,name\n00123,Acme\nc1,Beta\n")
    clean = CLEAN.replace("c1", "00123")
    invoices = _invoices(write, [clean, invoice, clean.replace("i1", "i3")])
    payments = write("pay.csv", "\n".join([
        PAYMENTS_HEADER, "p1,00123,i1,2024-01-20,60.00,EUR,", payment, ""]))
    read_alike(mapping, {"customers": [customers], "invoices": [invoices],
                         "payments": [payments]})


@pytest.mark.parametrize(("name", "content", "how"), [
    ("plain", f"{HEADER}\n{CLEAN}\n", "arrow"),
    ("no last line end", f"{HEADER}\n{CLEAN}", "arrow"),
    ("CRLF", f"{HEADER}\r\n{CLEAN}\r\n", "arrow"),
    ("a preamble", f"Invoices\n\nAs of 2024-12-31\n{HEADER}\n{CLEAN}\n", "arrow"),
    ("a quoted header", '"id","number",' + HEADER.split(",", 2)[2] + f"\n{CLEAN}\n", "arrow"),
    ("a quoted cell", f'{HEADER}\n{CLEAN}\n"i2",N2,c1,2024-01-01,2024-01-31,5,EUR,,,,\n',
     "arrow-rows"),
    ("a line break in a quoted cell",
     f'{HEADER}\n{CLEAN}\ni2,"N\n2",c1,2024-01-01,2024-01-31,5,EUR,,,,\n', "arrow-rows"),
    ("a blank line", f"{HEADER}\n{CLEAN}\n\ni2,N2,c1,2024-01-01,2024-01-31,5,EUR,,,,\n",
     "arrow-rows"),
    ("a lone CR", f"{HEADER}\n{CLEAN}\ri2,N2,c1,2024-01-01,2024-01-31,5,EUR,,,,\n",
     "arrow-rows"),
    ("a NUL", f"{HEADER}\n{CLEAN}\x00\n", "arrow-rows"),
    ("a short row", f"{HEADER}\n{CLEAN}\ni2,N2\n", "arrow-rows"),
    ("only the header", f"{HEADER}\n", "arrow-rows"),
    ("a byte-order mark", f"\ufeff{HEADER}\n{CLEAN}\n", "arrow"),
    ("a byte-order mark on the first row", f"{HEADER}\n\ufeff{CLEAN}\n", "arrow-rows"),
    # Two "CSV UTF-8" exports joined: the second's mark is no part of its header's first
    # cell (the row reader leaves it out; pyarrow would keep it).
    ("a byte-order mark on a later line",
     f"\ufeff{HEADER}\n{CLEAN}\n\ufeff{HEADER}\n{CLEAN.replace('i1,N1', 'i2,N2')}\n",
     "arrow-rows"),
    ("a cell longer than the csv module's limit",
     f"{HEADER}\n{CLEAN}\ni2,{'N' * 140_000},c1,2024-01-01,2024-01-31,5,EUR,,,,\n",
     "arrow-rows"),
])
def test_what_pyarrow_parses_and_what_the_row_reader_parses(
    name: str, content: str, how: str, write: Write, read_alike: ReadAlike
) -> None:
    path = write("inv.csv", content.encode("utf-8"))
    log = read_alike(MAPPING, {"invoices": [path]})
    assert [f.reader for f in log.files] == [how], name


@pytest.mark.parametrize(("encoding", "content", "how"), [
    ("cp1250", "i1,N1,Spółka,2024-01-01,2024-01-31,5,PLN,,,,", "arrow"),
    ("latin-1", "i1,N1,Café,2024-01-01,2024-01-31,5,EUR,,,,", "arrow"),
    ("utf-8", "i1,N1,Spółka,2024-01-01,2024-01-31,5,PLN,,,,", "arrow"),
    ("utf-16", "i1,N1,Spółka,2024-01-01,2024-01-31,5,PLN,,,,", "arrow-rows"),
])
def test_encodings(encoding: str, content: str, how: str, write: Write,
                   read_alike: ReadAlike) -> None:
    path = write("inv.csv", f"{HEADER}\n{content}\n", encoding)
    log = read_alike({**MAPPING, "encoding": encoding}, {"invoices": [path]})
    assert [f.reader for f in log.files] == [how]


@pytest.mark.parametrize("stray", [b"\xff", b"\xc3", b"\xed\xa0\x80"])  # a surrogate, too
def test_bytes_the_encoding_cannot_read_reject_their_row_alike(
    stray: bytes, write: Write, read_alike: ReadAlike
) -> None:
    content = f"{HEADER}\n{CLEAN}\n".encode() + b"i2,N2,c1" + stray + (
        b",2024-01-01,2024-01-31,5,EUR,,,,\n")
    log = read_alike(MAPPING, {"invoices": [write("inv.csv", content)]})
    assert log.files[0].rejected == 1


@pytest.mark.parametrize("mapping", [
    # thousands and decimal commas, in a semicolon file
    {**MAPPING, "delimiter": ";", "decimal": ",", "thousands": "."},
    {**MAPPING, "thousands": ","},
    {**MAPPING, "thousands": " "},
    {**MAPPING, "invoices": {**MAPPING["invoices"], "fx_rate_inverse": True}},
    {**MAPPING, "invoices": {**MAPPING["invoices"], "amount_sign": "negate"}},
    {**MAPPING, "date_formats": [], "day_first": True},
    {**MAPPING, "currency": "PLN"},
])
def test_mappings_read_alike(mapping: dict[str, Any], write: Write,
                             read_alike: ReadAlike) -> None:
    delimiter = mapping.get("delimiter", ",")
    rows = [
        ("i1", "N1", "c1", "2024-01-01", "2024-01-31", "1.234,50", "EUR", "paid", "2024-01-20",
         "0", "0,5"),
        ("i2", "N2", "c1", "2024-01-01", "2024-01-31", "1,234.50", "EUR", "open", "", "5", "2"),
        ("i3", "N3", "c1", "01/02/2024", "13/02/2024", "1 234.50", "", "open", "", "", "0.25"),
        ("i4", "N4", "c1", "2024-01-01", "2024-01-31", "1234.5", "", "open", "", "", "4"),
        ("i5", "N5", "c1", "2024-01-01", "2024-01-31", "-12", "EUR", "open", "", "", ""),
        ("i6", "N6", "c1", "2024-01-01", "2024-01-31", "1234,5", "EUR", "open", "", "1,5", ""),
    ]
    lines = [delimiter.join(f'"{c}"' if delimiter in c else c for c in cells)
             for cells in rows]
    path = _invoices(write, lines, header=HEADER.replace(",", delimiter))
    read_alike(mapping, {"invoices": [path]})


def test_terms_make_the_due_date_alike(write: Write, read_alike: ReadAlike) -> None:
    mapping = {**MAPPING, "invoices": {**MAPPING["invoices"], "columns": {
        **{c: c for c in HEADER.split(",") if c != "due_date"}, "terms_days": "terms"}}}
    header = HEADER.replace("due_date", "terms")
    rows = [CLEAN.replace("2024-01-31", "30"), CLEAN.replace("2024-01-31", "Net 45"),
            CLEAN.replace("2024-01-31", ""), CLEAN.replace("2024-01-31", "soon"),
            CLEAN.replace("2024-01-01,2024-01-31", "9999-12-01,9999"),
            CLEAN.replace("2024-01-01,2024-01-31", "2999-12-01,60")]  # due after LAST_DATE
    read_alike(mapping, {"invoices": [_invoices(write, rows, header=header)]})
    default = {**mapping, "invoices": {**mapping["invoices"], "default_terms_days": 14}}
    read_alike(default, {"invoices": [_invoices(write, rows, header=header, name="b.csv")]})


def test_a_customers_file_and_made_customers_read_alike(
    write: Write, read_alike: ReadAlike
) -> None:
    customers = write("cust.csv", "id,name\nc1,Acme\nc2,Beta\n")
    mapping = {**MAPPING, "customers": {"columns": {"id": "id", "name": "name"}}}
    rows = [CLEAN, CLEAN.replace("i1", "i2").replace("c1", "c2"),
            CLEAN.replace("i1", "i3").replace("c1", "c3")]
    invoices = _invoices(write, rows)
    read_alike(mapping, {"customers": [customers], "invoices": [invoices]})
    read_alike(MAPPING, {"invoices": [invoices]})  # customers made from the invoices


def test_the_records_made_from_checked_values_equal_validated_ones() -> None:
    values = {"id": "i1", "customer_id": "c1", "number": "N1",
              "issue_date": date(2024, 1, 1), "due_date": date(2024, 1, 31),
              "currency": "EUR", "total": Decimal("100.50"), "status": "paid",
              "paid_on": date(2024, 1, 20), "amount_due": Decimal("0"),
              "fx_rate": Decimal("1.1"), "disputed": False, "disputed_on": None,
              "source": "csv"}
    validated = Invoice(**values)
    made = checked_record(Invoice, {**values, "updated_at": None}, set(values))
    assert made == validated
    assert made.__dict__ == validated.__dict__
    assert list(made.__dict__) == list(validated.__dict__)
    assert made.model_fields_set == validated.model_fields_set
    assert made.model_dump_json() == validated.model_dump_json()
    part = checked_record(Allocation, {"invoice_id": "i1", "amount": Decimal("5"), "date": None},
                          {"invoice_id", "amount"})
    assert part == Allocation(invoice_id="i1", amount=Decimal("5"))
    assert part.model_fields_set == {"invoice_id", "amount"}


def test_a_checked_invoice_holds_the_invoice_s_first_fields_in_its_order() -> None:
    # The builder makes the invoice from these values by position (trust.checked_record_in_order).
    assert CheckedInvoice._fields == tuple(Invoice.model_fields)[:len(CheckedInvoice._fields)]
    assert tuple(Invoice.model_fields)[len(CheckedInvoice._fields):] == (
        "disputed", "disputed_on", "source", "updated_at")


def test_records_made_the_short_way_share_customer_ids_and_currencies_in_memory(
    write: Write, checked_share: CheckedShare,
) -> None:
    # As validated records do (model.CustomerRef, interned currency codes).
    rows = [CLEAN.replace("i1", f"i{n}").replace(",c1,", "," + "".join(["c", "1"]) + ",")
            for n in range(3)]
    path = _invoices(write, rows)
    assert checked_share(MAPPING, "invoices", path) == 1
    invoices = [i.record for i in read_records(mapping_from_dict(MAPPING), {"invoices": [path]},
                                               reader="arrow")
                if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    assert len(invoices) == 3
    for invoice in invoices:
        assert invoice.customer_id is sys.intern("c1")
        assert invoice.currency is sys.intern("EUR")


def test_records_made_the_short_way_share_equal_amounts_and_numbers_in_memory(
    write: Write, checked_share: CheckedShare,
) -> None:
    # Two invoices of the same total and nothing due, one open for its whole total, one whose
    # number is its id; another's number differs from its id.
    # (The first row makes customer c1, the long way: the others take the short one.)
    rows = ["i0,N0,c1,2024-01-01,2024-01-31,1.00,EUR,open,,,",
            "i1,N1,c1,2024-01-01,2024-01-31,100.50,EUR,paid,,0.00,",
            "i2,N2,c1,2024-01-02,2024-01-31,100.50,EUR,paid,,0.00,",
            "i3,i3,c1,2024-01-03,2024-01-31,7.25,EUR,open,,7.25,"]
    path = _invoices(write, rows)
    assert checked_share(MAPPING, "invoices", path) == 1
    mapping = mapping_from_dict(MAPPING)
    arrow = [i.record for i in read_records(mapping, {"invoices": [path]}, reader="arrow")
             if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    rows_read = [i.record for i in read_records(mapping, {"invoices": [path]}, reader="python")
                 if isinstance(i, Loaded) and isinstance(i.record, Invoice)]
    first, second, third = arrow[1:]
    # The values are those the row reader's validated records hold, digits and all.
    for made, validated in zip(arrow, rows_read, strict=True):
        assert made.__dict__ == validated.__dict__
        assert [str(made.total), str(made.amount_due)] == [str(validated.total),
                                                           str(validated.amount_due)]
    assert str(first.amount_due) == "0.00"
    assert str(third.amount_due) == "7.25"
    # ... held once in memory.
    assert first.total is second.total
    assert first.amount_due is second.amount_due
    assert third.amount_due is third.total
    assert third.number is third.id
    assert first.number == "N1"


def test_payment_amounts_written_alike_are_one_decimal(write: Write) -> None:
    invoices = _invoices(write, ["i0,N0,c1,2024-01-01,2024-01-31,1.00,EUR,open,,,",
                                 "i1,N1,c1,2024-01-01,2024-01-31,100.00,EUR,open,,,",
                                 "i2,N2,c1,2024-01-01,2024-01-31,100.00,EUR,open,,,"])
    payments = write("pay.csv", "\n".join([PAYMENTS_HEADER,
                                           "p1,c1,i1,2024-01-10,40.00,EUR,",
                                           "p2,c1,i2,2024-01-11,40.00,EUR,"]) + "\n", "utf-8")
    mapping = mapping_from_dict(MAPPING)
    paid = [i.record for i in read_records(mapping, {"invoices": [invoices],
                                                     "payments": [payments]}, reader="arrow")
            if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert [str(p.allocations[0].amount) for p in paid] == ["40.00", "40.00"]
    assert paid[0].allocations[0].amount is paid[1].allocations[0].amount


def test_records_made_from_checked_values_keep_no_table_of_names_of_their_own() -> None:
    # A record made from checked values keeps only its values (the field names are in one
    # table for all the model's records): less memory than a validated record's dict.
    values = {"id": "i1", "customer_id": "c1", "number": "N1",
              "issue_date": date(2024, 1, 1), "due_date": date(2024, 1, 31),
              "currency": "EUR", "total": Decimal("100.50"), "status": "paid",
              "paid_on": None, "amount_due": Decimal("0"), "fx_rate": None,
              "disputed": False, "disputed_on": None, "source": "csv"}
    # Many validated records first: they must not take the shared table away.
    validated = [Invoice(**values) for _ in range(200)]
    made = [checked_record(Invoice, {**values, "updated_at": None}, set(values))
            for _ in range(200)]
    assert all(m == v for m, v in zip(made, validated, strict=True))
    assert list(made[-1].__dict__) == list(Invoice.model_fields)
    if sys.implementation.name == "cpython":
        assert sys.getsizeof(made[-1].__dict__) < sys.getsizeof(validated[-1].__dict__) / 2


def test_reader_arrow_without_pyarrow_is_refused(monkeypatch: pytest.MonkeyPatch,
                                                 write: Write) -> None:
    path = _invoices(write, [CLEAN])
    monkeypatch.setattr(connector_module, "arrow_available", lambda: False)
    with pytest.raises(cg.errors.ClientguardError, match=r"pyarrow"):
        CsvConnector(mapping=MAPPING, invoices=str(path), reader="arrow")
    CsvConnector(mapping=MAPPING, invoices=str(path), reader="auto")  # auto: the row reader


@pytest.mark.parametrize(("rows", "loaded", "how"), [
    pytest.param(10, True, "python", id="tiny-file-pyarrow-loaded"),
    pytest.param(400, True, "arrow", id="small-file-pyarrow-loaded"),
    pytest.param(400, False, "python", id="small-file-pyarrow-not-loaded"),
    pytest.param(25_000, False, "arrow", id="large-file-pyarrow-not-loaded"),
])
def test_auto_reads_small_files_by_columns_only_once_pyarrow_is_loaded(
    rows: int, loaded: bool, how: str, write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Importing pyarrow costs about 0.2 s of CPU: worth it for a large file, and for a small
    # one only where it is paid already (a portfolio's later firms).
    lines = [f"i{n},N{n},c1,2024-01-01,2024-01-31,{n}.00,EUR,open,,{n}.00,"
             for n in range(1, rows + 1)]
    path = _invoices(write, lines)
    monkeypatch.setattr(reading_module, "arrow_loaded", lambda: loaded)
    monkeypatch.setattr(reading_module._RowReads, "bytes", 0)  # no earlier reads counted
    by_way: dict[str, list[Any]] = {}
    for reader in ("auto", "python"):
        log = ReadLog()
        by_way[reader] = list(read_records(
            mapping_from_dict(MAPPING), {"invoices": [path]}, log=log, reader=reader))
        if reader == "auto":
            assert [f.reader for f in log.files] == [how]
    assert by_way["auto"] == by_way["python"]
    made = [getattr(item, "record", None) for item in by_way["auto"]]
    assert sum(isinstance(record, Invoice) for record in made) == rows


def test_auto_takes_the_columnar_reader_once_a_process_reads_in_bulk(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A portfolio of small firms: each file alone is too small to pay for pyarrow's import,
    # but once the process has read a large file's worth by rows, the import pays off.
    monkeypatch.setattr(reading_module, "arrow_loaded", lambda: False)
    monkeypatch.setattr(reading_module._RowReads, "bytes", 0)
    monkeypatch.setattr(reading_module, "ARROW_MIN_BYTES", 100_000)
    lines = [f"i{n},N{n},c1,2024-01-01,2024-01-31,{n}.00,EUR,open,,{n}.00,"
             for n in range(1, 501)]
    path = _invoices(write, lines)
    size = path.stat().st_size
    assert 16 << 10 <= size < 50_000
    ways = []
    for _ in range(4):
        log = ReadLog()
        list(read_records(mapping_from_dict(MAPPING), {"invoices": [path]}, log=log,
                          reader="auto"))
        ways.append(log.files[0].reader)
    firsts = 100_000 // size  # the files read by rows before the count reaches the limit
    assert ways == ["python"] * firsts + ["arrow"] * (4 - firsts)


def test_arrow_loaded_is_true_once_the_columnar_reader_has_read_a_file(
    write: Write,
) -> None:
    path = _invoices(write, [CLEAN])
    list(read_records(mapping_from_dict(MAPPING), {"invoices": [path]}, reader="arrow"))
    assert arrow_loaded()


# ---------------------------------------------------------------- random messy cells

IDS = ["i1", "i2", "i3", "", " i4", "i  5", "Ż6", "i\t7"]
CUSTOMERS = ["c1", "c2", " c1", "", "c  1", "Café", "c3"]
DATES = ["2024-01-31", "2024-02-29", "2023-02-29", "", " 2024-01-01", "1899-12-31",
         "3000-01-01", "2024-01-01T10:00:00+01:00", "01/02/2024", "2024/01/05", "31.01.2024"]
AMOUNTS = ["100", "100.50", "-5", "1,000.00", "1.000,00", "1,00", "", " 7", "$5", "(5.00)",
           "1e3", "9" * 19, "9" * 18, "0", "0.00", "\u0661\u0662", "12.", ".5", "5 zł",
           "1 234,56"]
CURRENCIES = ["EUR", "eur", "", "EU", "XYZ", " USD", "zł", "PLN"]
STATUSES = ["paid", "open", "", "PAID", "weird", "void", "draft"]
RATES = ["", "1.1", "0", "-1", "abc", "0.5", "4,25"]

_row = st.tuples(
    st.sampled_from(IDS), st.sampled_from(IDS), st.sampled_from(CUSTOMERS),
    st.sampled_from(DATES), st.sampled_from(DATES), st.sampled_from(AMOUNTS),
    st.sampled_from(CURRENCIES), st.sampled_from(STATUSES), st.sampled_from(DATES),
    st.sampled_from(AMOUNTS), st.sampled_from(RATES),
)
_payment_row = st.tuples(
    st.sampled_from(["p1", "p2", "p3", ""]), st.sampled_from(CUSTOMERS),
    st.sampled_from(IDS), st.sampled_from(DATES), st.sampled_from(AMOUNTS),
    st.sampled_from(CURRENCIES), st.sampled_from(RATES),
)


def _line(cells: tuple[str, ...], delimiter: str, quote: bool) -> str:
    if quote:
        return delimiter.join('"' + c.replace('"', '""') + '"' for c in cells)
    return delimiter.join(cells)


@settings(max_examples=120, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    # (each row quoted or not, and ended by 0 to 2 delimiters more: padding, some rows only)
    rows=st.lists(st.tuples(_row, st.booleans(), st.sampled_from([0, 0, 0, 1, 2])),
                  min_size=1, max_size=30),
    payments=st.lists(_payment_row, max_size=12),
    delimiter=st.sampled_from([",", ";"]),
    separators=st.sampled_from([(".", ""), (".", ","), (",", "."), (",", " ")]),
    dates=st.sampled_from([["iso"], [], ["%d.%m.%Y", "iso"]]),
    currency=st.sampled_from([None, "EUR", "eur"]),
    inverse=st.booleans(),
    sign=st.sampled_from(["as-is", "as-is", "negate"]),
    layout=st.sampled_from(["plain", "crlf", "bom", "blank line", "cp1250", "no end"]),
    customers_file=st.booleans(),
)
def test_messy_files_read_alike(
    write: Write, read_alike: ReadAlike, rows: list[tuple[tuple[str, ...], bool, int]],
    payments: list[tuple[str, ...]], delimiter: str, separators: tuple[str, str],
    dates: list[str], currency: str | None, inverse: bool, sign: str, layout: str,
    customers_file: bool,
) -> None:
    decimal, thousands = separators
    mapping: dict[str, Any] = {
        **MAPPING, "delimiter": delimiter, "decimal": decimal, "thousands": thousands,
        "date_formats": dates, "day_first": True if not dates else None,
        "invoices": {**MAPPING["invoices"], "fx_rate_inverse": inverse, "amount_sign": sign},
    }
    if currency is not None:
        mapping["currency"] = currency
    if customers_file:
        mapping["customers"] = {"columns": {"id": "id", "name": "name"}}
    newline = "\r\n" if layout == "crlf" else "\n"
    lines = [_line(cells, delimiter, quote) + delimiter * pad for cells, quote, pad in rows]
    if layout == "blank line":
        lines.insert(len(lines) // 2, "")
    encoding = "cp1250" if layout == "cp1250" else "utf-8"
    mapping["encoding"] = encoding
    text = newline.join([HEADER.replace(",", delimiter), *lines])
    text += "" if layout == "no end" else newline
    data = text.encode(encoding, errors="replace")
    if layout == "bom":
        data = codecs.BOM_UTF8 + data
    sources = {"invoices": [write("inv.csv", data)]}
    if payments:
        sources["payments"] = [write("pay.csv", newline.join(
            [PAYMENTS_HEADER.replace(",", delimiter),
             *(delimiter.join(cells) for cells in payments)]).encode(encoding, "replace"))]
    if customers_file:
        sources["customers"] = [write("cust.csv", "id,name\nc1,Acme\nc2,Beta\n")]
    try:
        mapping_from_dict(mapping)
    except cg.errors.ClientguardError:
        return  # a mapping the connector refuses (e.g. a lower-case currency)
    read_alike(mapping, sources)
