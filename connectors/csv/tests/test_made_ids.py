"""Payments and work requests without an id column: ids made from their content, and
overlapping exports (January, then January to February) that hold the same row twice.

Each file is read by the row reader and by the columnar reader, which must give the same."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

import clientguard as cg
from clientguard.connector import pull
from clientguard.model import Payment, WorkRequest
from clientguard_csv import CsvConnector
from clientguard_csv.columnar import arrow_available
from clientguard_csv.mapping import mapping_from_dict
from clientguard_csv.reading import Folded, Item, Loaded, Reader, ReadLog, read_records

Write = Callable[..., Path]

MAPPING: dict[str, Any] = {
    "currency": "USD",
    "invoices": {"columns": {"number": "Invoice", "customer_name": "Client",
                             "issue_date": "Date", "due_date": "Due", "total": "Total"}},
    "payments": {"columns": {"invoice_number": "Invoice", "amount": "Amount", "date": "Date"}},
    "work_requests": {"columns": {"customer_name": "Client", "requested_on": "Asked",
                                  "wanted_by": "Wanted"}},
}
INVOICES = "Invoice,Client,Date,Due,Total\n1,Acme,2025-01-10,2025-02-10,100.00\n"
PAYMENTS = "Invoice,Amount,Date\n"
JAN_20 = "1,40.00,2025-01-20\n"
FEB_03 = "1,25.00,2025-02-03\n"

READERS: tuple[Reader, ...] = ("python", "arrow") if arrow_available() else ("python",)


def read(write: Write, sources: dict[str, list[str]]) -> tuple[list[Item], ReadLog]:
    """Read the files (name to content, per stream) both ways; the items and log, which must
    be the same either way."""
    paths = {stream: [write(f"{stream}-{n}.csv", text) for n, text in enumerate(texts)]
             for stream, texts in sources.items()}
    mapping = mapping_from_dict(MAPPING)
    outcomes = []
    for reader in READERS:
        log = ReadLog()
        outcomes.append((list(read_records(mapping, paths, log=log, reader=reader)), log))
    (items, log), *others = outcomes
    for other_items, other_log in others:
        assert other_items == items
        assert [(i.location, type(i)) for i in other_items] == [
            (i.location, type(i)) for i in items]
        assert other_log == log
    return items, log


def payments_of(items: list[Item]) -> list[tuple[str, Decimal, str | None]]:
    """Each payment loaded: its id, amount and the file it came from."""
    return [(i.record.id, i.record.amount, Path(i.location.file or "").name)
            for i in items if isinstance(i, Loaded) and isinstance(i.record, Payment)]


@pytest.mark.parametrize(
    ("files", "payments", "duplicates"),
    [
        # The January export, then a January-February one that repeats January's row: one
        # payment of 40.00 (the second file's copy is folded and counted), and February's.
        ([JAN_20, JAN_20 + FEB_03], [("p-e19fa2250f62", "40.00", "payments-0.csv"),
                                     ("p-27659ed989a2", "25.00", "payments-1.csv")], [0, 1]),
        # The same file given twice: every row of the second is the first's again.
        ([JAN_20 + FEB_03, JAN_20 + FEB_03], [("p-e19fa2250f62", "40.00", "payments-0.csv"),
                                              ("p-27659ed989a2", "25.00", "payments-0.csv")],
         [0, 2]),
        # Two identical rows in one file are two payments (a client may pay the same amount
        # twice on one day), as before; an export that holds them both again adds none...
        ([JAN_20 * 2, JAN_20 * 2], [("p-e19fa2250f62", "40.00", "payments-0.csv"),
                                    ("p-e19fa2250f62-2", "40.00", "payments-0.csv")], [0, 2]),
        # ... and one that holds the second one only where the first has it once adds it.
        ([JAN_20, JAN_20 * 2], [("p-e19fa2250f62", "40.00", "payments-0.csv"),
                                ("p-e19fa2250f62-2", "40.00", "payments-1.csv")], [0, 1]),
    ],
)
def test_a_payment_in_two_overlapping_exports_is_one_payment(
    write: Write, files: list[str], payments: list[tuple[str, str, str]], duplicates: list[int]
) -> None:
    items, log = read(write, {"invoices": [INVOICES],
                              "payments": [PAYMENTS + rows for rows in files]})
    assert payments_of(items) == [(i, Decimal(a), f) for i, a, f in payments]
    assert [f.duplicates for f in log.files if f.stream == "payments"] == duplicates
    folded = [i for i in items if isinstance(i, Folded)]
    assert len(folded) == sum(duplicates)
    # Every row is a record, a rejection, a skip or a folded duplicate.
    assert all(f.rows == f.records + f.rejected + f.skipped + f.duplicates + f.folded
               for f in log.files if f.stream == "payments")


@pytest.mark.parametrize("reader", READERS)
def test_overlapping_payment_exports_pay_an_invoice_once(write: Write, reader: Reader) -> None:
    invoices = write("invoices.csv", INVOICES)
    jan = write("jan.csv", PAYMENTS + JAN_20)
    janfeb = write("janfeb.csv", PAYMENTS + JAN_20 + FEB_03)
    connector = CsvConnector(mapping=MAPPING, reader=reader, invoices=invoices,
                             payments=[jan, janfeb])
    pulled = pull(connector)
    assert pulled.duplicates == 1  # the sync's summary: "1 duplicate row folded"
    ledger = cg.Ledger.from_connector(connector, base_currency="USD")
    assert sorted(p.amount for p in ledger.payments) == [Decimal("25.00"), Decimal("40.00")]
    assert [f.duplicates for f in connector.inspect().files] == [0, 0, 1]


def test_a_work_request_in_two_overlapping_exports_is_one_request(write: Write) -> None:
    header = "Client,Asked,Wanted\n"
    row = "Acme,2025-01-02,2025-01-09\n"
    items, log = read(write, {"invoices": [INVOICES],
                              "work_requests": [header + row, header + row + row]})
    requests = [(i.record.id, Path(i.location.file or "").name) for i in items
                if isinstance(i, Loaded) and isinstance(i.record, WorkRequest)]
    assert requests == [("w-b889c0306ac2", "work_requests-0.csv"),
                        ("w-b889c0306ac2-2", "work_requests-1.csv")]
    assert [f.duplicates for f in log.files if f.stream == "work_requests"] == [0, 1]
