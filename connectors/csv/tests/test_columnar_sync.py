"""A sync through the columnar reader hands the records of rows it checked together to the
framework as runs (``MadeRecords``: a block of records with their file and lines); the row reader
hands them one by one. Both give the same pull and the same ledger: the records, the rejections
(file, line, column, reason), the locations, the duplicates, the load report and a strict
load's error, whatever rows are bad, wherever the pages are cut and whatever the source is
called. Each case is a small book written inline with ``clientguard.testing``'s builders, as
CSV, with bad rows put among the good ones."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow (the fast extra)")

from clientguard.connector import MadeRecords, pull
from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.model import Invoice, Payment
from clientguard.testing import customer, invoice, payment, time_entry, work_request
from clientguard_csv import CsvConnector
from clientguard_csv import connector as connector_module

Write = Callable[..., Path]
Shaped = Callable[[Any], Any]

MAPPING: dict[str, Any] = {
    "encoding": "utf-8",
    "date_formats": ["iso"],
    "customers": {"columns": {"id": "id", "name": "name"}},
    "invoices": {
        "columns": {c: c for c in ("id", "number", "customer_id", "issue_date", "due_date",
                                   "total", "currency", "status", "paid_on", "amount_due")},
        "status": {"open": ["open"], "paid": ["paid"]},
    },
    "payments": {
        "group_rows": True,
        "columns": {c: c for c in ("id", "customer_id", "invoice_id", "date", "amount",
                                   "currency")},
    },
    "time_entries": {"columns": {c: c for c in ("customer_id", "date", "hours", "person",
                                                "billable")}},
    "work_requests": {"columns": {c: c for c in ("id", "customer_id", "requested_on",
                                                 "wanted_by")}},
}

START = date(2024, 1, 1)


def _book() -> dict[str, list[dict[str, str]]]:
    """Three customers, 60 invoices, payments of one and of two invoices, hours and work
    requests: each stream's rows, as cells by column."""
    customers = [customer("c1", "Acme"), customer("c2", "Beta"), customer("c3", "Gamma")]
    invoices = [invoice(f"c{n % 3 + 1}", id=f"INV-{n:03d}", issued=START + timedelta(days=n),
                        total=f"{100 + n}.50", amount_due=f"{100 + n}.50" if n % 2 else "0",
                        status="open" if n % 2 else "paid") for n in range(60)]
    payments = [payment(i.customer_id, id=f"PAY-{n:03d}", on=i.issue_date + timedelta(days=9),
                        amount=i.total, pays=i) for n, i in enumerate(invoices[:30:2])]
    # One payment of two invoices of one customer (rows 31 and 34): two rows of a document.
    pair = (invoices[31], invoices[34])
    payments.append(payment("c2", id="PAY-PAIR", on=START + timedelta(days=50),
                            amount=sum(i.total for i in pair), pays={i: i.total for i in pair}))
    hours = [time_entry(f"c{n % 3 + 1}", on=START + timedelta(days=n), hours="1.5",
                        person="Ann", billable=n % 2 == 0) for n in range(20)]
    requests = [work_request(f"c{n % 3 + 1}", id=f"REQ-{n:02d}", requested=START + timedelta(
        days=n), lead_days=7) for n in range(12)]
    return {
        "customers": [{"id": c.id, "name": c.name} for c in customers],
        "invoices": [_cells(i) for i in invoices],
        "payments": [_cells(p, a.invoice_id, a.amount) for p in payments for a in p.allocations],
        "time_entries": [{"customer_id": str(t.customer_id), "date": str(t.date),
                          "hours": str(t.hours), "person": str(t.person),
                          "billable": "yes" if t.billable else "no"} for t in hours],
        "work_requests": [{"id": w.id, "customer_id": w.customer_id,
                           "requested_on": str(w.requested_on),
                           "wanted_by": str(w.wanted_by)} for w in requests],
    }


def _cells(record: Invoice | Payment, *allocation: object) -> dict[str, str]:
    if isinstance(record, Invoice):
        return {"id": record.id, "number": record.number, "customer_id": record.customer_id,
                "issue_date": str(record.issue_date), "due_date": str(record.due_date),
                "total": str(record.total), "currency": record.currency,
                "status": record.status, "paid_on": "",
                "amount_due": str(record.amount_due)}
    invoice_id, amount = allocation
    return {"id": record.id, "customer_id": record.customer_id, "invoice_id": str(invoice_id),
            "date": str(record.date), "amount": str(amount), "currency": record.currency}


Edit = Callable[[dict[str, list[dict[str, str]]]], None]


def _set(stream: str, row: int, **cells: str) -> Edit:
    def edit(book: dict[str, list[dict[str, str]]]) -> None:
        book[stream][row] = {**book[stream][row], **cells}
    return edit


def _again(stream: str, row: int, at: int, **cells: str) -> Edit:
    """Row ``row`` of ``stream`` again, before row ``at``, with ``cells`` changed."""
    def edit(book: dict[str, list[dict[str, str]]]) -> None:
        book[stream].insert(at, {**book[stream][row], **cells})
    return edit


def _without(stream: str) -> Edit:
    def edit(book: dict[str, list[dict[str, str]]]) -> None:
        book[stream] = []
    return edit


#: Bad rows among the good ones, by case.
CASES: dict[str, list[Edit]] = {
    "clean": [],
    "a customer not in the customers file": [_set("invoices", 5, customer_id="c9"),
                                             _set("invoices", 59, customer_id="c9")],
    "customers made from the invoice rows": [_without("customers")],
    "an invoice row repeated as it is": [_again("invoices", 7, 8), _again("invoices", 0, 60)],
    # (A payment names invoice 4: by the first row with its id, as the row reader finds it.)
    "an invoice id again, differing": [_again("invoices", 3, 40, total="1.00"),
                                       _again("invoices", 4, 42, customer_id="c1")],
    "bad cells": [_set("invoices", 2, issue_date="2024-02-30"),
                  _set("invoices", 9, total="-5"), _set("invoices", 11, currency="XYZ"),
                  _set("invoices", 0, due_date=""), _set("payments", 3, amount="-1")],
    "a client matching no customer": [_set("time_entries", 4, customer_id="c9"),
                                      _set("work_requests", 0, customer_id="c9"),
                                      _set("work_requests", 11, wanted_by="not a date")],
    "a work request id again, differing": [_again("work_requests", 2, 6, wanted_by="2024-09-09")],
}


def _write(write: Write, book: dict[str, list[dict[str, str]]]) -> dict[str, Path]:
    files = {}
    for stream, rows in book.items():
        if not rows:
            continue
        header = list(MAPPING[stream]["columns"].values())
        lines = [",".join(header), *(",".join(row[c] for c in header) for row in rows)]
        files[stream] = write(f"{stream}.csv", "\n".join(lines) + "\n")
    return files


def _load(files: dict[str, Path], reader: str, source: str | None, shaped: Shaped) -> Any:
    """Everything a pull and a load of ``files`` give that a user could tell apart."""
    def connector() -> CsvConnector:
        return CsvConnector(mapping=MAPPING, reader=reader, **files)

    pulled = pull(connector(), source=source)
    ledger = Ledger.from_connector(connector(), base_currency="EUR", strict=False,
                                   source=source)
    try:
        Ledger.from_connector(connector(), base_currency="EUR", strict=True, source=source)
        error = None
    except DataError as exc:
        error = str(exc)
    return {
        "records": [shaped(r) for r in pulled.records],
        "rejected": [shaped(r) for r in pulled.rejected],
        "locations": list(pulled.locations.items()),
        "counts": (pulled.skipped, pulled.duplicates, pulled.notes),
        "report": (dict(ledger.report.accepted), [shaped(r) for r in ledger.report.rejected]),
        "ledger": [(shaped(r), ledger.location_of(r)) for r in ledger.records()],
        "strict": error,
    }


@pytest.mark.parametrize("source", [None, "books"])
@pytest.mark.parametrize("page_size", [1000, 7, 1])
@pytest.mark.parametrize("edits", CASES.values(), ids=CASES.keys())
def test_a_sync_of_runs_loads_what_a_sync_of_single_rows_loads(
    edits: list[Edit], page_size: int, source: str | None, write: Write, shaped: Shaped,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", page_size)
    book = _book()
    for edit in edits:
        edit(book)
    files = _write(write, book)
    plain = _load(files, "python", source, shaped)
    runs = _load(files, "arrow", source, shaped)
    for part, expected in plain.items():
        assert runs[part] == expected, part


def test_the_columnar_sync_hands_checked_rows_as_runs_cut_at_the_page_size(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 7)
    book = _book()
    _set("invoices", 20, customer_id="c9")(book)  # a rejection between two runs
    files = _write(write, book)
    conn = CsvConnector(mapping=MAPPING, reader="arrow", **files)
    conn.clock()  # a sync starts
    fetch = {name: list(conn.fetch(conn.stream(name), since=None))
             for name in ("customers", "invoices")}
    pages = fetch["invoices"]
    runs = [item for page in pages for item in page.items if isinstance(item, MadeRecords)]
    # 59 invoices in runs (the rest is the rejection), seven records or items a page.
    assert sum(len(run.records) for run in runs) == 59
    assert [len(page.items) if not any(isinstance(i, MadeRecords) for i in page.items)
            else sum(len(i.records) if isinstance(i, MadeRecords) else 1 for i in page.items)
            for page in pages] == [7] * 8 + [4]
    assert all(run.file == str(files["invoices"]) for run in runs)
    lines = [line for run in runs for line in run.lines]
    assert lines == [n for n in range(2, 62) if n != 22]  # the header is line 1
