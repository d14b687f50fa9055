"""Payment documents made a block at a time (issue 21): the payments of whole documents inside
a block of checked rows are made from the block's values and repeated cells in one pass, their
allocations and payments made together, and give exactly what the row reader gives and what
the builder's per-document short way gave (the same records, rejections, notes and order).

"The per-document way" below is that way: :class:`PaymentDocuments` made to hand every
document to ``_Builder._checked_document`` (:data:`OTHER_WAY`), as every document went before.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")

import clientguard as cg
from clientguard import trust
from clientguard.ledger import Ledger
from clientguard.model import Payment
from clientguard.records import Rejection
from clientguard.report import render
from clientguard.review import review
from clientguard_csv import CsvConnector
from clientguard_csv import columnar as columnar_module
from clientguard_csv import documents as documents_module
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Loaded, read_records

from .conftest import bench_pipeline, shape

Write = Callable[..., Path]
ReadAlike = Callable[..., Any]

STATUS = {"open": ["open"]}
STREAMS = ("customers", "invoices", "credit_notes", "payments", "time_entries",
           "work_requests")



@contextmanager
def per_document_way() -> Iterator[None]:
    """Every document of a block handed to the builder's per-document short way."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(documents_module.PaymentDocuments, "values",
                      lambda self, *args: documents_module.OTHER_WAY)
        yield


# ------------------------------------------------------------- one pass, made together


def test_a_blocks_allocations_and_payments_are_made_together(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 300 payments of two rows each (600 allocations), in blocks of 100 rows: 6 blocks, each
    # of 50 documents, whose first and last go the row path (they may go on in the next
    # block). So 6 * 48 = 288 documents are made a block at a time: their allocations and
    # payments by one call each a block (12 calls in all), not one a payment (288 * 2 calls
    # before, where each document made its own). The payments of the 12 documents at the
    # blocks' edges take the row path's short way, one a call (_Builder._payment), and
    # their allocations one a row: 12 + 24 = 36 more. So 12 + 36 = 48 calls (before: 288 +
    # 24 for the allocations, 288 + 12 for the payments, 612).
    monkeypatch.setattr(columnar_module, "BATCH_ROWS", 100)
    invoices = ["id,number,customer_id,issue_date,due_date,total,currency,status,paid_on,"
                "amount_due,fx_rate"]
    payments = ["id,customer_id,invoice_id,date,amount,currency,fx_rate"]
    for n in range(300):
        invoices.append(f"i{n},N{n},c{n % 7},2024-01-01,2024-01-31,100.00,EUR,open,,,")
        payments.append(f"p{n},c{n % 7},i{n},2024-02-0{1 + n % 9},60.00,EUR,")
        payments.append(f"p{n},c{n % 7},i{n},2024-02-0{1 + n % 9},40.00,EUR,")
    mapping = mapping_from_dict({
        "date_formats": ["iso"], "decimal": ".", "thousands": "",
        "invoices": {"columns": {c: c for c in invoices[0].split(",")}, "status": STATUS},
        "payments": {"group_rows": True,
                     "columns": {c: c for c in payments[0].split(",")}},
    })
    sources = {"invoices": [write("inv.csv", "\n".join([*invoices, ""]))],
               "payments": [write("pay.csv", "\n".join([*payments, ""]))]}
    calls: dict[str, int] = {"Allocation": 0, "Payment": 0}
    filler = trust._filler  # (looked up once by each call of either function of trust)

    def counted(model: Any) -> Any:
        if model.__name__ in calls:
            calls[model.__name__] += 1
        return filler(model)

    monkeypatch.setattr(trust, "_filler", counted)
    items = list(read_records(mapping, sources, reader="arrow"))
    made = [i.record for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert len(made) == 300
    assert all(str(p.amount) == "100.00" and len(p.allocations) == 2 for p in made)
    # One string a customer and a currency, shared by every payment (as the row path's).
    assert all(p.customer_id is sys.intern(f"c{n % 7}") and p.currency is sys.intern("EUR")
               for n, p in enumerate(made))
    assert calls == {"Allocation": 6 + 24, "Payment": 6 + 12}


# ------------------------------------------------------------- the same records


def _pulled(folder: Path, reader: str) -> tuple[list[str], list[Any], str]:
    """The records' reprs, the rejections and the review's JSON of a read of the folder."""
    bench = bench_pipeline()
    connector = CsvConnector(mapping=bench.MAPPING, reader=reader,
                             **{s: folder / f"{s}.csv" for s in STREAMS})
    pulled = cg.connector.pull(connector)
    ledger = Ledger.from_connector(
        CsvConnector(mapping=bench.MAPPING, reader=reader,
                     **{s: folder / f"{s}.csv" for s in STREAMS}),
        base_currency="EUR", fx=bench.read_fx(folder), strict=False)
    as_of = date.fromisoformat(json.loads((folder / "meta.json").read_text())["as_of"])
    document = render(review(ledger, as_of=as_of), "json")
    return ([repr(r) for r in pulled.records],
            [*pulled.rejected, pulled.locations, pulled.skipped, pulled.duplicates,
             pulled.notes], document)


@pytest.mark.parametrize("invoices", [None, 500, 2_000, 5_000],
                         ids=["sample-firm", "500", "2000", "5000"])
def test_the_benchmarks_files_give_the_same_records_and_review_every_way(
    invoices: int | None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The sample firm (sample_records' defaults) and the benchmark's inputs, written as
    # ``python -m bench`` writes them: read by the row reader, by the columnar reader as it
    # made each document before, and as it makes them now, in blocks of 8192 rows and of
    # 64 (documents at many blocks' edges).
    from clientguard.sample import sample_records

    bench = bench_pipeline()
    data = (sample_records(0) if invoices is None
            else sample_records(0, invoices=invoices, customers=40))
    bench.write_csv(data, tmp_path)
    python = _pulled(tmp_path, "python")
    arrow = _pulled(tmp_path, "arrow")
    with per_document_way():
        before = _pulled(tmp_path, "arrow")
    monkeypatch.setattr(columnar_module, "BATCH_ROWS", 64)
    small = _pulled(tmp_path, "arrow")
    for other in (arrow, before, small):
        assert other[0] == python[0]
        assert other[1] == python[1]
        assert other[2] == python[2]  # the review's JSON, byte for byte


# ------------------------------------------------------------- random files

INVOICES = "\n".join([
    "id,number,customer_id,issue_date,due_date,total,currency,status,paid_on,amount_due,"
    "fx_rate",
    "INV-1,N1,acme,2024-01-01,2024-01-31,500.00,EUR,open,,,",
    "INV-2,N2,acme,2024-01-02,2024-02-01,500.00,EUR,open,,,",
    "INV-3,N3,acme,2024-01-03,2024-02-02,500.00,USD,open,,,",
    "INV-4,N4,beta,2024-01-04,2024-02-03,500.00,USD,open,,,",
    "INV-5,N5,beta,2024-01-05,2024-02-04,500.00,EUR,open,,,",
    "",
])

#: Each cell's choices: mostly what takes the short way (so that most blocks hold whole
#: documents), and each way a row or a document may not.
_GOOD = 12


def _cells(good: list[str], bad: list[str]) -> st.SearchStrategy[str]:
    return st.sampled_from(good * _GOOD + bad)


_ids = _cells([f"P{n}" for n in range(30)], ["=P1", " P2 ", "p1"])
_invoice = _cells(["INV-1", "INV-2", "INV-3", "INV-4", "INV-5"],
                  ["", "INV-9", "inv-1", "=INV-1"])
_customer = _cells(["", "acme", "beta"], ["zed", "ACME", "=acme"])
_day = _cells(["2024-02-01", "2024-02-02"],
              ["2024-13-01", "", "1800-01-01", "=2024-02-01", " 2024-02-03"])
_amount = _cells(["10.00", "0", "5.5", "0.001"], ["-3", "1e3", "abc", "", "999999999999999999"])
_currency = _cells(["EUR", "USD", ""], ["eur", "€", "$", "XXX", "EURO", "=EUR", "zł"])
_rate = _cells(["", "", "1.1"], ["0", "abc", "0.5", "=1"])

_document = st.tuples(
    _ids, _customer, _day, _currency, _rate,
    st.lists(st.tuples(_invoice, _amount, st.sampled_from([None] * 20 + ["other"])),
             min_size=1, max_size=4))


def _payments_file(documents: list[Any]) -> str:
    lines = ["id,customer_id,invoice_id,date,amount,currency,fx_rate"]
    for ident, customer, day, currency, rate, rows in documents:
        for invoice, amount, other in rows:
            # A row that writes a cell its document repeats otherwise: a mixed document.
            row_currency = ("USD" if currency != "USD" else "EUR") if other else currency
            lines.append(",".join([ident, customer, invoice, day, amount, row_currency,
                                   rate]))
    return "\n".join([*lines, ""])


@settings(max_examples=150, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(documents=st.lists(_document, min_size=1, max_size=60),
       block=st.sampled_from([3, 5, 8, 8192]),
       options=st.sampled_from([{}, {"currency": "EUR"},
                                {"payments_extra": {"fx_rate_inverse": True}}]))
def test_random_payments_files_read_alike_every_way(
    documents: list[Any], block: int, options: dict[str, Any], tmp_path: Path,
    read_alike: ReadAlike,
) -> None:
    payments_columns = {c: c for c in ("id", "customer_id", "invoice_id", "date", "amount",
                                       "currency", "fx_rate")}
    mapping: dict[str, Any] = {
        "date_formats": ["iso"], "decimal": ".", "thousands": "",
        "invoices": {"columns": {c: c for c in INVOICES.split("\n")[0].split(",")},
                     "status": STATUS},
        "payments": {"group_rows": True, "columns": payments_columns,
                     **options.get("payments_extra", {})},
    }
    if "currency" in options:
        mapping["currency"] = options["currency"]
    inv = tmp_path / "inv.csv"
    inv.write_text(INVOICES, encoding="utf-8")
    pay = tmp_path / "pay.csv"
    pay.write_text(_payments_file(documents), encoding="utf-8")
    sources = {"invoices": [inv], "payments": [pay]}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(columnar_module, "BATCH_ROWS", block)
        # The row reader and the columnar reader: the same items and log (conftest.py).
        read_alike(mapping, sources)
        parsed = mapping_from_dict(mapping)
        now = [shape(i) for i in read_records(parsed, sources, reader="arrow")]
        with per_document_way():
            before = [shape(i) for i in read_records(parsed, sources, reader="arrow")]
    assert now == before


def test_a_document_of_two_currencies_goes_the_row_path(write: Write,
                                                        read_alike: ReadAlike) -> None:
    # Three documents, the middle one (the only one wholly inside the block) paying an EUR
    # invoice and a USD one in a cell each: its rows disagree on the currency, so no payment
    # is made of it and the row path rejects it, on its second row's line (4), naming the
    # currency column (the reason is _Builder._same_in_every_row's).
    inv = write("inv.csv", INVOICES)
    pay = write("pay.csv", "\n".join([
        "id,customer_id,invoice_id,date,amount,currency,fx_rate",
        "P0,acme,INV-1,2024-02-01,10.00,EUR,",
        "P1,acme,INV-2,2024-02-01,10.00,EUR,",
        "P1,acme,INV-3,2024-02-01,10.00,USD,",
        "P2,beta,INV-4,2024-02-01,10.00,USD,",
        "",
    ]))
    mapping = {
        "date_formats": ["iso"], "decimal": ".", "thousands": "",
        "invoices": {"columns": {c: c for c in INVOICES.split("\n")[0].split(",")},
                     "status": STATUS},
        "payments": {"group_rows": True, "columns": {
            c: c for c in ("id", "customer_id", "invoice_id", "date", "amount", "currency",
                           "fx_rate")}},
    }
    read_alike(mapping, {"invoices": [inv], "payments": [pay]})
    items = list(read_records(mapping_from_dict(mapping),
                              {"invoices": [inv], "payments": [pay]}, reader="arrow"))
    made = [i.record.id for i in items
            if isinstance(i, Loaded) and isinstance(i.record, Payment)]
    assert made == ["P0", "P2"]
    rejected = [(i.record_id, i.location) for i in items if isinstance(i, Rejection)]
    assert [(ident, where.line if where else None, where.column if where else None)
            for ident, where in rejected] == [("P1", 4, "currency")]
