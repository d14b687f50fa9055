"""Within one sync each file is read once: a stream hands what it learned (customers, the
invoice index) to the next stream's fetch. These tests hold that hand-over to giving exactly
what a fresh read of each stream gives, and to never outliving its sync."""

from __future__ import annotations

import gc
import os
import weakref
from collections.abc import Callable, Generator, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from clientguard.connector import MadeRecord, MadeRecords, RawPage, Stream, pull
from clientguard.records import Location
from clientguard_csv import CsvConnector
from clientguard_csv.reading import Loaded, Skipped, read_records

Write = Callable[..., Path]

MAPPING: dict[str, Any] = {
    "currency": "EUR",
    "invoices": {"columns": {"number": "No", "customer_name": "Client", "issue_date": "Date",
                             "due_date": "Due", "total": "Total"}},
    "payments": {"columns": {"customer_name": "Client", "invoice_number": "Invoice",
                             "date": "Paid", "amount": "Amount"}},
    "credit_notes": {"columns": {"number": "Note", "invoice_number": "Invoice",
                                 "issue_date": "Date", "total": "Amount"}},
    "time_entries": {"columns": {"customer_name": "Client", "date": "Date", "hours": "Hours"}},
    "work_requests": {"columns": {"customer_name": "Client", "requested_on": "Asked",
                                  "wanted_by": "Wanted"}},
}

INVOICES = (
    "No,Client,Date,Due,Total\n"
    "INV-1,Acme Ltd,2025-01-02,2025-02-01,100.00\n"
    "INV-2,Beta GmbH,2025-01-05,2025-02-04,50.00\n"
    "INV-3,Gamma,2025-01-07,not a date,70.00\n"  # rejected: its payment says so
)
PAYMENTS = (
    "Client,Invoice,Paid,Amount\n"
    "ACME,INV-1,2025-02-10,60.00\n"
    "Gamma,INV-3,2025-02-11,70.00\n"
    "Delta,,2025-02-12,5.00\n"  # a customer made from a payment row
    ",INV-9,2025-02-13,1.00\n"  # no such invoice
)
NOTES = "Note,Invoice,Date,Amount\nCN-1,INV-2,2025-01-10,50.00\nCN-2,INV-3,2025-01-11,1.00\n"
TIME = "Client,Date,Hours\nDelta,2025-02-01,1.5\nNobody,2025-02-01,2\n"
REQUESTS = "Client,Asked,Wanted\nAcme,2025-02-01,2025-02-10\nNobody,2025-02-01,2025-02-09\n"


def files(write: Write) -> dict[str, Path]:
    return {
        "invoices": write("i.csv", INVOICES),
        "payments": write("p.csv", PAYMENTS),
        "credit_notes": write("c.csv", NOTES),
        "time_entries": write("t.csv", TIME),
        "work_requests": write("w.csv", REQUESTS),
    }


def outcome(items: Any) -> list[tuple[str, Any]]:
    """Records and rejections, comparable: the record, or the rejection's where and why."""
    out: list[tuple[str, Any]] = []
    for item in items:
        if isinstance(item, Loaded):
            out.append(("record", item.record))
        elif isinstance(item, Skipped):
            out.append(("skip", item.reason))
        else:
            out.append(("rejected", (item.kind, item.record_id, item.field, item.reason,
                                     str(item.location))))
    return out


def fresh(conn: CsvConnector, stream: str) -> list[tuple[str, Any]]:
    """One stream read on its own, from nothing (every earlier file read again)."""
    return outcome(read_records(conn.mapping, conn.sources(), streams=(stream,)))


def fetched(conn: CsvConnector, stream: str) -> list[tuple[str, Any]]:
    items: list[Any] = []
    for page in conn.fetch(conn.stream(stream), since=None):
        for raw in page.items:
            if isinstance(raw, MadeRecords):  # records of rows checked together
                items.extend(Loaded(record, Location(raw.file, line))
                             for record, line in zip(raw.records, raw.lines, strict=True))
                continue
            if isinstance(raw, MadeRecord):  # a record read, or a repeat folded into one
                items.append(Loaded(raw.record, raw.location))
                continue
            data = raw.data
            assert raw.location is not None  # every row says where it is
            if "record" in data:
                items.append(Loaded(data["record"], raw.location))
            elif "skip" in data:
                items.append(Skipped(data["skip"], raw.location))
            else:
                items.append(data["rejection"])
    return outcome(items)


@pytest.mark.parametrize("reader", ["python", "arrow"])
def test_a_sync_gives_what_a_fresh_read_of_each_stream_gives(write: Write, reader: str) -> None:
    if reader == "arrow":
        pytest.importorskip("pyarrow", reason="the columnar reader needs pyarrow")
    conn = CsvConnector(mapping=MAPPING, reader=reader, **files(write))
    conn.clock()  # a sync starts
    order = [s.name for s in conn.streams if s.name in conn.sources()]
    handed = {name: fetched(conn, name) for name in order}
    for name in order:
        assert handed[name] == fresh(conn, name), name
    rejected = [r for _, r in handed["payments"] if _ == "rejected"]
    assert any("was itself rejected" in r[3] for r in rejected)
    assert any("INV-9" in r[3] for r in rejected)
    # the customer made from a payment row is known to the time entries
    assert [r.customer_id for k, r in handed["time_entries"] if k == "record"] == ["Delta"]


def test_pull_matches_fresh_reads_and_a_second_sync_reads_the_files_again(write: Write) -> None:
    paths = files(write)
    conn = CsvConnector(mapping=MAPPING, **paths)
    whole = pull(conn)
    assert {r.id for r in whole.records if r.kind == "payment"}
    assert len(whole.rejected) == 6
    first = pull(conn, streams=["invoices", "credit_notes"])  # payments left for later
    assert "INV-1" in {r.id for r in first.records}
    # the same size and modification time: only reading the file again sees the change
    stat = paths["invoices"].stat()
    paths["invoices"].write_text(INVOICES.replace("INV-1,", "INV-7,"))
    os.utime(paths["invoices"], ns=(stat.st_atime_ns, stat.st_mtime_ns))
    second = pull(conn, streams=["payments"])
    reasons = [r.reason for r in second.rejected]
    assert "no invoice has the number 'INV-1' in the invoices file(s)" in reasons


def test_streams_out_of_order_twice_or_stopped_early_are_read_afresh(write: Write) -> None:
    conn = CsvConnector(mapping=MAPPING, **files(write))
    conn.clock()
    expected = {name: fresh(conn, name) for name in conn.sources()}
    assert fetched(conn, "payments") == expected["payments"]
    assert fetched(conn, "invoices") == expected["invoices"]  # out of order
    assert fetched(conn, "invoices") == expected["invoices"]  # twice
    pages = conn.fetch(conn.stream("credit_notes"), since=None)
    assert isinstance(pages, Generator)  # a generator, closed below
    next(pages, RawPage(()))  # stopped early: nothing half read is handed on
    pages.close()
    assert fetched(conn, "payments") == expected["payments"]
    assert fetched(conn, "work_requests") == expected["work_requests"]


def test_a_file_changed_between_two_fetches_is_read_again(write: Write) -> None:
    paths = files(write)
    conn = CsvConnector(mapping=MAPPING, clock=lambda: datetime(2025, 3, 1, tzinfo=UTC),
                        **paths)
    conn.clock()
    fetched(conn, "invoices")
    paths["invoices"].write_text(INVOICES + "INV-9,Acme Ltd,2025-01-02,2025-02-01,1.00\n")
    payments = fetched(conn, "credit_notes"), fetched(conn, "payments")
    assert payments[1] == fresh(conn, "payments")
    assert not any("INV-9" in str(v) for k, v in payments[1] if k == "rejected")



def test_a_connector_is_freed_as_soon_as_it_is_let_go(write: Write) -> None:
    # No reference cycle (its clock resets what the sync handed over): a portfolio that reads
    # thousands of firms in one process leaves nothing behind for the garbage collector.
    conn = CsvConnector(mapping=MAPPING, **files(write))
    pull(conn)
    conn.clock()  # a second sync starts: the hand-over is dropped
    assert conn._handover is None
    gone = weakref.ref(conn)
    gc.disable()
    try:
        del conn
        assert gone() is None
    finally:
        gc.enable()


@pytest.mark.usefixtures("collector_alone")
def test_a_pull_reads_the_files_with_the_collector_paused(write: Write) -> None:
    # Reading files is bounded work whose records all outlive it: the connector says so, and
    # the framework's pull then runs it with the collector paused (and on again after).
    seen: list[bool] = []

    class Watching(CsvConnector):
        def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
            seen.append(gc.isenabled())
            yield from super().fetch(stream, since=since)

    assert CsvConnector.bounded_read
    pull(Watching(mapping=MAPPING, **files(write)))
    assert seen
    assert not any(seen)
    assert gc.isenabled()
    conn = CsvConnector(mapping=MAPPING, **files(write))
    pages = conn.fetch(conn.stream("invoices"), since=None)
    next(pages)
    assert gc.isenabled()  # a fetch on its own never touches the collector


def test_pages_say_how_far_into_the_stream_files_the_read_is(write: Write) -> None:
    # Two invoice files of many rows: the share read grows page by page, across the files,
    # and the last page has read every byte of both.
    rows = "".join(f"INV-{n},Acme Ltd,2025-01-02,2025-02-01,100.00\n" for n in range(3000))
    first = write("a.csv", "No,Client,Date,Due,Total\n" + rows)
    second = write("b.csv", "No,Client,Date,Due,Total\n" + rows.replace("INV-", "B-"))
    total = first.stat().st_size + second.stat().st_size
    # The row reader's progress, row block by row block (the columnar reader, which `auto`
    # may choose for these files once pyarrow is loaded, moves it a file at a time).
    conn = CsvConnector(mapping=MAPPING, invoices=[first, second], reader="python")
    pages = list(conn.fetch(conn.stream("invoices"), since=None))
    assert len(pages) > 2
    assert {page.total for page in pages} == {total}
    read = [page.read for page in pages if page.read is not None]
    assert len(read) == len(pages)  # every page says how far it has read
    assert read == sorted(read)
    assert read[0] < first.stat().st_size < read[-2]
    assert read[-1] == total


def test_the_progress_of_a_csv_sync_carries_the_share_read(write: Write) -> None:
    from clientguard.connector import ProgressEvent

    rows = "".join(f"INV-{n},Acme Ltd,2025-01-02,2025-02-01,100.00\n" for n in range(3000))
    path = write("a.csv", "No,Client,Date,Due,Total\n" + rows)
    events: list[ProgressEvent] = []
    conn = CsvConnector(mapping=MAPPING, invoices=path, progress=events.append, reader="python")
    pull(conn)
    pages = [e for e in events if e.event == "page"]
    assert {e.total for e in pages} == {path.stat().st_size}
    assert pages[0].read is not None
    assert 0 < pages[0].read < path.stat().st_size
    assert pages[-1].read == path.stat().st_size
