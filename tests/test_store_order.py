"""The store lists rejections and the connectors' notes in the order a direct load of the
source has them: its connector's declared streams, each stream's as they came (not by the
streams' names), so that a review of the store is the review of the source, byte for byte."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

from clientguard import Ledger, review
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Stream,
)
from clientguard.model import Customer, Invoice, TimeEntry
from clientguard.records import Location
from clientguard.report.document import render_json
from clientguard.store import Store
from clientguard_csv import CsvConnector

AS_OF = date(2026, 6, 30)

COLUMNS = {
    "customers": ("id", "name"),
    "invoices": ("id", "number", "customer_id", "issue_date", "due_date", "total", "currency"),
    "credit_notes": ("id", "customer_id", "invoice_id", "issue_date", "total", "currency"),
    "payments": ("id", "customer_id", "invoice_id", "date", "amount", "currency"),
}
MAPPING: dict[str, Any] = {
    "date_formats": ["iso"], "decimal": ".", "thousands": "",
    **{stream: {"columns": {c: c for c in columns}} for stream, columns in COLUMNS.items()},
}
# Each file is in cp1250 (Polish letters in its memo column): the connector notes that its
# encoding was a guess, one note per file. Each stream has a row it rejects (a second,
# different customer c1, a 13th month, an amount that is no number).
FILES = {
    "customers": [("customers.csv", ["c1,Łódź Sp. z o.o.", "c2,Żółw", "c1,Łódź S.A."])],
    "invoices": [
        # Two files, the first named after the second: their notes come in the files'
        # order (z before a), as a direct load has them.
        ("z_invoices.csv", ["1,FV 1,c1,2026-03-01,2026-03-31,1000.00,EUR",
                            "2,FV 2,c1,2026-13-01,2026-04-30,500.00,EUR"]),
        ("a_invoices.csv", ["3,FV 3 zaległa,c2,2026-01-10,2026-02-09,300.00,EUR"]),
    ],
    "credit_notes": [("credit_notes.csv", ["cn1,c1,1,2026-13-05,10.00,EUR",
                                           "cn2,c2,3,2026-03-05,10.00,EUR"])],
    "payments": [("payments.csv", ["p1,c1,1,2026-04-02,400.00,EUR",
                                   "p2,c2,3,2026-04-03,czterysta,EUR"])],
}


def exports(folder: Path) -> dict[str, list[Path]]:
    paths: dict[str, list[Path]] = {}
    for stream, files in FILES.items():
        for name, rows in files:
            path = folder / name
            # A memo column the mapping leaves out, in Polish: every file has its letters.
            path.write_bytes("\n".join([
                ",".join([*COLUMNS[stream], "memo"]), *(f"{row},zażółć" for row in rows), "",
            ]).encode("cp1250"))
            paths.setdefault(stream, []).append(path)
    return paths


def csv(folder: Path) -> CsvConnector:
    return CsvConnector(mapping=MAPPING, **exports(folder))


def test_a_review_of_the_store_is_the_review_of_the_csv_files_byte_for_byte(
    tmp_path: Path,
) -> None:
    direct = Ledger.from_connector(csv(tmp_path), base_currency="EUR", strict=False)
    # The fixture does what it is for: a rejection in each of the four streams, and notes
    # in each (two in invoices), in the connector's declared order (customers, invoices,
    # credit_notes, payments), which is not the streams' names' order.
    assert [r.kind for r in direct.report.rejected] == [
        "customer", "invoice", "credit_note", "payment"]
    files = [note.split(":")[1].strip() for note in direct.report.notes if "cp1250" in note]
    assert [Path(f).name for f in files] == [
        "customers.csv", "z_invoices.csv", "a_invoices.csv", "credit_notes.csv",
        "payments.csv"]
    expected = render_json(review(direct, as_of=AS_OF))
    with Store.open(tmp_path / "clientguard.db") as store:
        store.sync(csv(tmp_path))
        assert render_json(review(store.load(base_currency="EUR", strict=False),
                                  as_of=AS_OF)) == expected
        # Read again (each file in full): the same order still.
        store.sync(csv(tmp_path))
        assert render_json(review(store.load(base_currency="EUR", strict=False),
                                  as_of=AS_OF)) == expected


class PagesOptions(ConnectorOptions):
    pages: dict[str, list[list[dict[str, Any]]]]
    """Raw pages by stream name."""


class Listed(Connector):
    """Raw pages from memory: customers, invoices (incremental) and hours, declared in that
    order (by name hours would come second). A row's ``note`` is a note of its page; a row
    without a field its kind needs is rejected."""

    name: ClassVar[str] = "listed"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="invoices", kind="invoice", id_field="id", cursor_field="updated",
               sorted_by_cursor=True),
        Stream(name="hours", kind="time_entry"),
    )
    Options = PagesOptions
    options: PagesOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: datetime(2025, 6, 1, tzinfo=UTC), **options)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        for number, page in enumerate(self.options.pages.get(stream.name, []), start=1):
            rows = [raw for raw in page
                    if since is None or datetime.fromisoformat(raw["updated"]) >= since]
            yield RawPage(
                tuple(RawRecord(raw, Location(file=f"{stream.name}.csv", line=number * 10 + i))
                      for i, raw in enumerate(rows)),
                notes=tuple(raw["note"] for raw in rows if "note" in raw))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["name"], source=self.name)
        if stream.kind == "time_entry":
            return TimeEntry(customer_id=raw["customer"], date=date(2025, 5, 1),
                             hours=raw["hours"], source=self.name)
        return Invoice(id=raw["id"], customer_id="c1", number=raw["id"],
                       issue_date=date(2025, 5, 1), due_date=date(2025, 5, 31),
                       currency="EUR", total=raw["total"], status="open", source=self.name)


class Reordered(Listed):
    """The connector, a version later: it declares a new stream, ``people`` (customers from
    another endpoint), first; by name it would come after the others."""

    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="people", kind="customer", id_field="id"),
        *Listed.streams,
    )


def test_the_order_follows_the_connector_a_stream_added_and_incremental_syncs(
    tmp_path: Path,
) -> None:
    customers = [[{"id": "c1", "name": "Acme", "note": "customers: a note"}, {"id": "c2"}]]
    hours = [[{"hours": "2", "note": "hours: a note"}]]  # no customer: rejected
    with Store.open(tmp_path / "clientguard.db") as store:
        store.sync(Listed(pages={
            "customers": customers,
            "invoices": [[{"id": "A", "total": "x", "updated": "2025-05-01T00:00:00+00:00",
                           "note": "invoices: a note"}]],
            "hours": hours,
        }))
        declared = ["customer", "invoice", "time_entry"]
        assert [r.kind for r in store.rejections()] == declared
        notes = ("listed: customers: a note", "listed: invoices: a note",
                 "listed: hours: a note")
        assert store.notes() == notes
        # An incremental sync that reads nothing new of invoices (its rejection and note
        # kept from the first sync) and the others in full (theirs replaced): the same order.
        store.sync(Listed(pages={"customers": customers, "hours": hours}))
        assert [r.kind for r in store.rejections()] == declared
        assert store.notes() == notes
        # The connector, a version later, declares people first: its rejection and note come
        # first from its first sync on, the other streams' after them as before.
        store.sync(Reordered(pages={
            "people": [[{"id": "k1", "note": "people: a note"}]],
            "customers": customers, "hours": hours,
        }))
        assert [(r.kind, r.record_id) for r in store.rejections()] == [
            ("customer", "k1"), ("customer", "c2"), ("invoice", "A"), ("time_entry", None)]
        assert store.notes() == ("listed: people: a note", *notes)


def test_a_streams_notes_keep_the_order_they_came_in(tmp_path: Path) -> None:
    # One stream, three files whose encodings were guessed: a note each, in the files' order
    # (neither their names' order nor its reverse).
    order = ["m.csv", "z.csv", "a.csv"]
    for name in order:
        (tmp_path / name).write_bytes(f"id,name\nc_{name[0]},Łódź\n".encode("cp1250"))
    connector = CsvConnector(mapping=MAPPING, customers=[tmp_path / n for n in order])
    with Store.open(tmp_path / "clientguard.db") as store:
        store.sync(connector)
        assert [Path(n.split(": ")[1]).name for n in store.notes()] == order


def test_a_store_of_schema_10_keeps_its_order_until_the_next_sync_gives_the_declared_one(
    tmp_path: Path,
) -> None:
    path = tmp_path / "clientguard.db"
    pages = {
        "customers": [[{"id": "c1", "name": "Acme", "note": "customers: b note"},
                       {"id": "c2", "note": "customers: a note"}]],
        "hours": [[{"hours": "2", "note": "hours: a note"}]],
    }
    with Store.open(path) as store:
        store.sync(Listed(pages=pages))
    # As schema 10 left it: no order of the streams, no position of the notes.
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE stream_order")
        db.execute("ALTER TABLE stream_notes DROP COLUMN position")
        db.execute("PRAGMA user_version = 10")
    with Store.open(path) as store:
        assert store.schema_version == 12
        # Until the source's next sync: the notes of a stream by their text, as before.
        assert store.notes() == ("listed: customers: a note", "listed: customers: b note",
                                 "listed: hours: a note")
        store.sync(Listed(pages=pages))
        # The notes as they came, the streams in the declared order.
        assert store.notes() == ("listed: customers: b note", "listed: customers: a note",
                                 "listed: hours: a note")
        assert [r.kind for r in store.rejections()] == ["customer", "time_entry"]
