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
from decimal import Decimal
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
        "columns": {c: c for c in ("id", "customer_id", "customer_name", "invoice_id", "date",
                                   "amount", "currency", "fx_rate")},
    },
    "time_entries": {"columns": {c: c for c in ("customer_id", "date", "hours", "person",
                                                "billable")}},
    "work_requests": {"columns": {c: c for c in ("id", "customer_id", "requested_on",
                                                 "wanted_by")}},
}

START = date(2024, 1, 1)


def _book() -> dict[str, list[dict[str, str]]]:
    """Three customers, 60 invoices, payments of one, two and three invoices (one with an
    unapplied remainder, one in dollars at a rate), hours and work requests: each stream's
    rows, as cells by column. The payments' rows, by position: 0-14 one invoice each,
    15-16 ``PAY-PAIR``, 17-20 ``PAY-TRIO`` (three invoices, then the remainder's row
    without one), 21-22 ``PAY-USD``, 23-29 one invoice each."""
    customers = [customer("c1", "Acme"), customer("c2", "Beta"), customer("c3", "Gamma")]
    invoices = [invoice(f"c{n % 3 + 1}", id=f"INV-{n:03d}", issued=START + timedelta(days=n),
                        total=f"{100 + n}.50", amount_due=f"{100 + n}.50" if n % 2 else "0",
                        status="open" if n % 2 else "paid") for n in range(60)]
    payments = [payment(i.customer_id, id=f"PAY-{n:03d}", on=i.issue_date + timedelta(days=9),
                        amount=i.total, pays=i) for n, i in enumerate(invoices[:30:2])]
    # One payment of two invoices of one customer (rows 31 and 34): two rows of a document.
    pair = (invoices[31], invoices[34])
    payments.append(payment("c2", id="PAY-PAIR", on=START + timedelta(days=50),
                            amount=sum(i.total for i in pair), pays={i.id: i.total for i in pair}))
    trio = (invoices[36], invoices[39], invoices[42])  # of c1; 25.00 left unapplied
    payments.append(payment("c1", id="PAY-TRIO", on=START + timedelta(days=52),
                            amount=sum(i.total for i in trio) + Decimal("25.00"),
                            pays={i.id: i.total for i in trio}))
    dollars = (invoices[41], invoices[44])  # of c3, paid in dollars at a rate
    payments.append(payment("c3", id="PAY-USD", on=START + timedelta(days=55), amount="220.00",
                            currency="USD", fx_rate="0.92",
                            pays={dollars[0].id: Decimal("100.00"),
                                  dollars[1].id: Decimal("120.00")}))
    payments += [payment(i.customer_id, id=f"PAY-{n:03d}", on=i.issue_date + timedelta(days=9),
                         amount=i.total, pays=i) for n, i in enumerate(invoices[46::2], 46)]
    hours = [time_entry(f"c{n % 3 + 1}", on=START + timedelta(days=n), hours="1.5",
                        person="Ann", billable=n % 2 == 0) for n in range(20)]
    requests = [work_request(f"c{n % 3 + 1}", id=f"REQ-{n:02d}", requested=START + timedelta(
        days=n), lead_days=7) for n in range(12)]
    return {
        "customers": [{"id": c.id, "name": c.name} for c in customers],
        "invoices": [_cells(i) for i in invoices],
        "payments": [_cells(p, *part) for p in payments for part in _parts(p)],
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
    return {"id": record.id, "customer_id": record.customer_id, "customer_name": "",
            "invoice_id": str(invoice_id),
            "date": str(record.date), "amount": str(amount), "currency": record.currency,
            "fx_rate": "" if record.fx_rate is None else str(record.fx_rate)}


def _parts(paid: Payment) -> list[tuple[str, Decimal]]:
    """A payment's rows: an invoice and the amount allocated to it each, then the amount left
    unapplied, on a row without an invoice."""
    parts = [(a.invoice_id, a.amount) for a in paid.allocations]
    left = paid.amount - sum((a.amount for a in paid.allocations), Decimal(0))
    return [*parts, ("", left)] if left else parts


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


def _moved(stream: str, row: int, at: int) -> Edit:
    """Row ``row`` of ``stream`` moved to before row ``at`` (of the rows as they were)."""
    def edit(book: dict[str, list[dict[str, str]]]) -> None:
        rows = book[stream]
        rows.insert(at, rows[row])
        del rows[row + 1 if at <= row else row]
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
    # Payments: documents of several rows (see _book for the rows' positions).
    "a payment's rows not next to each other": [_moved("payments", 18, 24)],
    "a payment's row at the end, apart": [_moved("payments", 16, 30)],
    "a payment id again, differing": [_again("payments", 3, 12, amount="7.00"),
                                      _again("payments", 15, 25)],
    "the first payment's id again": [_again("payments", 0, 12, amount="7.00")],
    "a payment document twice, as it is": [_again("payments", 17, 26),
                                           _again("payments", 18, 26)],
    "a payment to an unknown customer": [_set("payments", 5, customer_id="c9"),
                                         _set("payments", 20, customer_id="c9")],
    "a remainder of another customer": [_set("payments", 20, customer_id="c2")],
    "a payment row of another customer's invoice": [_set("payments", 19, invoice_id="INV-040")],
    "a payment of an unknown invoice": [_set("payments", 8, invoice_id="INV-999"),
                                        _set("payments", 22, invoice_id="INV-998")],
    "a bad amount in a document's second row": [_set("payments", 18, amount="12.5x"),
                                                _set("payments", 16, amount="-3.00")],
    "a document's rows in two currencies": [_set("payments", 22, currency="EUR")],
    "a document's rows on two dates": [_set("payments", 19, date="2024-03-01")],
    "a payment's rate of zero, a bad date": [_set("payments", 21, fx_rate="0"),
                                             _set("payments", 22, fx_rate="0"),
                                             _set("payments", 9, date="2024-02-30")],
    "a payment with no id": [_set("payments", 10, id="")],
    "an unapplied payment alone": [_set("payments", 11, invoice_id="")],
    "an unapplied payment of an unknown customer": [
        _set("payments", 11, invoice_id="", customer_id="c9")],
    "an unapplied payment making its customer": [
        _without("customers"), _set("payments", 11, invoice_id="", customer_id="c9")],
    "a payment naming no customer": [_set("payments", 15, customer_id=""),
                                     _set("payments", 16, customer_id="")],
    "a payment naming no customer, of two customers' invoices": [
        _set("payments", 15, customer_id=""), _set("payments", 16, customer_id="",
                                                    invoice_id="INV-036")],
    "a payment naming its customer by name": [
        *(_set("payments", row, customer_id="", customer_name="beta ltd") for row in (15, 16))],
    "a payment naming another customer by name": [
        *(_set("payments", row, customer_id="", customer_name="Gamma") for row in (15, 16))],
    "a payment with no currency": [_set("payments", 15, currency=""),
                                   _set("payments", 16, currency="")],
    "a payment with no currency, its remainder first": [
        _moved("payments", 20, 17),
        *(_set("payments", row, currency="") for row in range(17, 21))],
    "payments of rejected invoices": [_set("invoices", 36, total="x"),
                                      _set("invoices", 48, currency="XYZ")],
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
        "read log": connector().inspect(),  # rows, records, rejections, folded rows by file
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


def test_the_columnar_sync_hands_whole_payment_documents_as_runs(
    write: Write, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A document a block of checked rows starts or ends with may go on beyond it: its rows go
    # one by one, as every row of a document does that does not take the short way.
    monkeypatch.setattr(connector_module, "PAGE_SIZE", 1000)
    book = _book()
    files = _write(write, book)
    conn = CsvConnector(mapping=MAPPING, reader="arrow", **files)
    conn.clock()  # a sync starts
    for name in ("customers", "invoices"):
        list(conn.fetch(conn.stream(name), since=None))
    pages = list(conn.fetch(conn.stream("payments"), since=None))
    runs = [item for page in pages for item in page.items if isinstance(item, MadeRecords)]
    ids = [row["id"] for row in book["payments"]]
    firsts = {ident: ids.index(ident) + 2 for ident in ids}  # the header is line 1
    middle = list(firsts)[1:-1]
    assert [record.id for run in runs for record in run.records] == middle
    assert [line for run in runs for line in run.lines] == [firsts[i] for i in middle]
    trio = next(r for run in runs for r in run.records if r.id == "PAY-TRIO")
    assert isinstance(trio, Payment)
    assert [(a.invoice_id, a.amount) for a in trio.allocations] == [
        ("INV-036", Decimal("136.50")), ("INV-039", Decimal("139.50")),
        ("INV-042", Decimal("142.50"))]
    assert trio.amount == Decimal("443.50")  # with the 25.00 left unapplied
    usd = next(r for run in runs for r in run.records if r.id == "PAY-USD")
    assert isinstance(usd, Payment)
    assert (usd.currency, usd.fx_rate, usd.amount) == ("USD", Decimal("0.92"), Decimal("220.00"))
