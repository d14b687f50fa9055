"""The SQLite store: upserts, cursors, crashes, locks, rejections and the schema."""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import stat
from collections.abc import Iterator, Mapping
from contextlib import closing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import SecretStr

from clientguard import i18n
from clientguard import store as store_module
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Skip,
    Stream,
)
from clientguard.errors import ConfigError, DataError, StoreError
from clientguard.ledger import Ledger, Location
from clientguard.model import Customer, Invoice, Payment, TimeEntry
from clientguard.store import SCHEMA_VERSION, Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
KILLED = 137


def ts(day: int) -> str:
    return datetime(2025, 5, day, tzinfo=UTC).isoformat()


class MemoryOptions(ConnectorOptions):
    pages: dict[str, list[list[dict[str, Any]]]]
    """Raw pages by stream name."""
    crash_after: int | None = None
    """Raise after yielding this many pages of ``crash_stream`` (a crash mid-sync)."""
    crash_stream: str = "invoices"
    kill_after: int | None = None
    """End the process at once (no cleanup, as ``kill -9`` does) after this many pages of
    ``crash_stream`` were stored."""
    api_key: SecretStr | None = None
    """A secret: it must never reach the store."""


class MemoryConnector(Connector):
    """Raw pages from memory; the invoices stream is incremental and sorted by change time."""

    name: ClassVar[str] = "memory"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(
            name="invoices",
            kind="invoice",
            id_field="id",
            cursor_field="updated",
            sorted_by_cursor=True,
            duplicates="latest",
        ),
        Stream(name="payments", kind="payment", id_field="id"),
        Stream(name="hours", kind="time_entry"),
    )
    Options = MemoryOptions
    options: MemoryOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: NOW, **options)
        self.calls: list[tuple[str, datetime | None]] = []

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        self.calls.append((stream.name, since))
        for number, page in enumerate(self.options.pages.get(stream.name, []), start=1):
            if stream.name == self.options.crash_stream:
                if self.options.crash_after == number - 1:
                    raise RuntimeError("connection lost")
                if self.options.kill_after == number - 1:
                    # The sync asks for this page once the ones before it are stored.
                    os._exit(KILLED)
            rows = [
                raw
                for raw in page
                if since is None or datetime.fromisoformat(raw["updated"]) >= since
            ]
            yield RawPage(
                tuple(
                    RawRecord(raw, Location(file=f"{stream.name}.csv", line=number * 10 + i))
                    for i, raw in enumerate(rows)
                ),
                # A row may carry the fetcher's note on it (an approximate date...).
                notes=tuple(raw["note"] for raw in rows if "note" in raw),
            )

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if raw.get("deleted"):
            return Skip("deleted at the source", deleted=True)
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["name"], source=self.name)
        if stream.kind == "time_entry":
            return TimeEntry(
                customer_id=raw["customer"], date=date(2025, 5, 1), hours=raw["hours"],
                source=self.name,
            )
        if stream.kind == "payment":
            return Payment(
                id=raw["id"], customer_id="c1", date=date(2025, 5, 20), amount=raw["amount"],
                currency="EUR", allocations=raw.get("allocations", ()), source=self.name,
            )
        invoice = Invoice(
            id=raw["id"],
            customer_id=raw.get("customer", "c1"),
            number=raw["id"],
            issue_date=date(2025, 5, 1),
            due_date=date(2025, 5, 31),
            currency="EUR",
            total=raw["total"],
            status="open",
            source=self.name,
        )
        if "customer_name" in raw:
            # Like a CSV export, an invoice row may also name its customer.
            named = Customer(id=invoice.customer_id, name=raw["customer_name"], source=self.name)
            return (named, invoice)
        return invoice


def inv(ident: str, total: str = "100.00", day: int = 1, **extra: Any) -> dict[str, Any]:
    return {"id": ident, "total": total, "updated": ts(day), **extra}


def memory(**pages: list[list[dict[str, Any]]]) -> MemoryConnector:
    return MemoryConnector(pages=pages)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


def invoice_totals(store: Store) -> dict[str, Decimal]:
    ledger = store.load(base_currency="EUR", strict=False)
    return {i.id: i.total for i in ledger.invoices}


# ----------------------------------------------------------------------------- upserts


def test_a_first_sync_stores_every_record_and_load_gives_them_back(store: Store) -> None:
    conn = memory(
        customers=[[{"id": "c1", "name": "Acme"}]],
        invoices=[[inv("A"), inv("B", total="0.10")]],
    )
    result = store.sync(conn)
    assert (result.new, result.updated, result.unchanged, result.rejected) == (3, 0, 0, 0)
    ledger = store.load(base_currency="EUR")
    assert [c.name for c in ledger.customers] == ["Acme"]
    # Decimal text survives exactly, trailing zero included.
    assert {i.id: str(i.total) for i in ledger.invoices} == {"A": "100.00", "B": "0.10"}
    assert ledger.location_of(ledger.invoice("B")) == Location(file="invoices.csv", line=11)


class PlacedConnector(MemoryConnector):
    """Each raw record at the location its ``where`` names (files, columns, API pages mixed
    within one stream)."""

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        for page in self.options.pages.get(stream.name, []):
            yield RawPage(tuple(RawRecord(raw, Location(**raw["where"])) for raw in page))


WHERES = [
    pytest.param([{"file": "invoices.csv", "line": 2}, {"file": "invoices.csv", "line": 3}],
                 id="lines-of-one-file"),
    pytest.param([{"file": "invoices.csv", "line": 2}, {"file": "old.csv", "line": 2}],
                 id="two-files"),
    pytest.param([{"file": "invoices.csv", "line": 2},
                  {"file": "invoices.csv", "line": 3, "column": "total"}], id="a-column"),
    pytest.param([{"detail": "GET Invoices page 1"}, {"file": "invoices.csv", "line": 9}],
                 id="api-page-first"),
    pytest.param([{"file": "ä ö.csv", "line": 1}, {"file": 'q"uote.csv', "line": 1}],
                 id="names-that-need-escaping"),
    pytest.param([{"line": 4}, {"line": 5}, {"file": "x.csv", "line": 6}],
                 id="lines-without-a-file"),
]


@pytest.mark.parametrize("wheres", WHERES)
def test_a_synced_record_is_stored_as_its_json_and_its_location_as_json_dumps_writes_it(
    store: Store, wheres: list[dict[str, Any]]
) -> None:
    # Older stores and other readers of the file hold these texts: the sync's own way of
    # writing them must give exactly what model_dump_json and json.dumps give.
    connector = PlacedConnector(pages={"invoices": [
        [inv(f"I{n}", where=where) for n, where in enumerate(wheres)]]})
    expected = {f"I{n}": json.dumps(where, sort_keys=True) for n, where in enumerate(wheres)}
    stream = connector.stream("invoices")
    made = {f"I{n}": connector.to_model(stream, inv(f"I{n}")) for n in range(len(wheres))}
    store.sync(connector)
    rows = store._db.execute("SELECT record_id, data, location FROM records WHERE kind = ?",
                             ("invoice",)).fetchall()
    assert {ident: location for ident, _, location in rows} == expected
    assert {ident: data for ident, data, _ in rows} == {
        ident: record.model_dump_json() for ident, record in made.items()  # type: ignore[union-attr]
    }


@pytest.mark.parametrize("wheres", WHERES)
def test_load_gives_every_record_the_location_it_was_synced_from(
    store: Store, wheres: list[dict[str, Any]]
) -> None:
    invoices = [inv(f"I{n}", where=where) for n, where in enumerate(wheres)]
    customer = {"id": "c1", "name": "Acme", "where": {"file": "customers.csv", "line": 2}}
    store.sync(PlacedConnector(pages={"customers": [[customer]], "invoices": [invoices]}))
    ledger = store.load(base_currency="EUR")
    assert {i.id: ledger.location_of(i) for i in ledger.invoices} == {
        f"I{n}": Location(**where) for n, where in enumerate(wheres)
    }
    assert ledger.location_of(ledger.customers[0]) == Location("customers.csv", 2)


@pytest.mark.parametrize(
    ("second", "expected"),
    [
        # (invoices on the second sync, (new, updated, unchanged), totals afterwards)
        ([inv("A"), inv("B")], ((0, 0, 2), {"A": "100.00", "B": "100.00"})),
        ([inv("A"), inv("B", total="150.00", day=2)], ((0, 1, 1), {"A": "100.00", "B": "150.00"})),
        ([inv("A"), inv("B"), inv("C", day=3)], ((1, 0, 2), {"A": "100.00", "B": "100.00",
                                                          "C": "100.00"})),
    ],
    ids=["nothing changed", "one changed", "one added"],
)
def test_a_second_sync_upserts_by_id_and_never_duplicates(
    store: Store,
    second: list[dict[str, Any]],
    expected: tuple[tuple[int, int, int], dict[str, str]],
) -> None:
    store.sync(memory(invoices=[[inv("A"), inv("B")]]))
    result = store.sync(memory(invoices=[second]), full=True)
    assert (result.new, result.updated, result.unchanged) == expected[0]
    assert invoice_totals(store) == {k: Decimal(v) for k, v in expected[1].items()}


def test_two_versions_of_a_record_in_one_page_count_as_new_then_updated(store: Store) -> None:
    # The invoices stream keeps the latest version of an id: both versions reach one page,
    # are written in order, and the second is compared with the first (on a first sync too,
    # where nothing stored is there to compare with).
    result = store.sync(memory(invoices=[[inv("A"), inv("B"), inv("A", total="12.00")]]))
    assert (result.new, result.updated, result.unchanged) == (2, 1, 0)
    assert invoice_totals(store) == {"A": Decimal("12.00"), "B": Decimal("100.00")}


def test_a_page_larger_than_one_lookup_is_counted_right(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Stored records are looked up a few hundred ids at a time; a page spans several lookups.
    monkeypatch.setattr(store_module, "_IDS_PER_QUERY", 2)
    store.sync(memory(invoices=[[inv("A"), inv("B"), inv("C")]]))
    second = [inv("A"), inv("B", total="11.00"), inv("C"), inv("D"), inv("E")]
    result = store.sync(memory(invoices=[second]), full=True)
    assert (result.new, result.updated, result.unchanged) == (2, 1, 2)


def test_records_of_different_kinds_may_share_an_id(store: Store) -> None:
    # QuickBooks numbers invoices and payments separately: invoice 1 and payment 1 coexist.
    store.sync(memory(invoices=[[inv("1")]], payments=[[{"id": "1", "amount": "5.00"}]]))
    ledger = store.load(base_currency="EUR")
    assert [i.id for i in ledger.invoices] == ["1"]
    assert [p.id for p in ledger.payments] == ["1"]


def test_money_is_stored_as_text_never_as_real(store: Store, tmp_path: Path) -> None:
    store.sync(memory(invoices=[[inv("A", total="0.10")]]))
    db = sqlite3.connect(tmp_path / "clientguard.db")
    types = {row[0] for row in db.execute("SELECT DISTINCT typeof(data) FROM records")}
    real_columns = [
        (table, column)
        for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        for (_, column, kind, *_rest) in db.execute(f"PRAGMA table_info({table})")
        if "REAL" in kind.upper() or "FLOAT" in kind.upper()
    ]
    stored_total = db.execute(
        "SELECT json_extract(data, '$.total'), typeof(json_extract(data, '$.total')) "
        "FROM records WHERE record_id = 'A'"
    ).fetchone()
    db.close()
    assert types == {"text"}
    assert real_columns == []
    assert stored_total == ("0.10", "text")


# ----------------------------------------------------------------------------- cursors, crashes


def test_the_next_sync_starts_from_the_stored_cursor(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=3)], [inv("B", day=7)]]))
    assert store.state("memory").cursor("invoices") == datetime(2025, 5, 7, tzinfo=UTC)
    conn = memory(invoices=[[inv("A", day=3)], [inv("B", day=7), inv("C", day=9)]])
    result = store.sync(conn)
    assert ("invoices", datetime(2025, 5, 7, tzinfo=UTC)) in conn.calls
    # B is re-read at the inclusive lower bound; only C is new.
    assert (result.new, result.unchanged) == (1, 1)
    assert store.state("memory").cursor("invoices") == datetime(2025, 5, 9, tzinfo=UTC)


def test_full_sync_ignores_the_cursor(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=3)]]))
    conn = memory(invoices=[[inv("A", day=3)]])
    store.sync(conn, full=True)
    assert ("invoices", None) in conn.calls


def same_file(path: Path) -> Path:
    return path


def through_a_symlink(path: Path) -> Path:
    link = path.parent / "elsewhere" / "link.db"
    link.parent.mkdir()
    link.symlink_to(path)
    return link


def through_dot_dot(path: Path) -> Path:
    (path.parent / "sub").mkdir()
    return path.parent / "sub" / ".." / path.name


@pytest.mark.parametrize(
    "other_name",
    [same_file, through_a_symlink, through_dot_dot],
    ids=["same path", "symlink", "dot-dot"],
)
def test_a_second_sync_of_the_same_store_is_refused_while_one_runs(
    tmp_path: Path, other_name: Any
) -> None:
    path = tmp_path / "clientguard.db"
    second_attempt: list[BaseException] = []
    if other_name is through_a_symlink and not hasattr(os, "symlink"):
        pytest.skip("no symbolic links here")
    Store.open(path).close()
    other_path = other_name(path)

    class Interleaving(MemoryConnector):
        def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
            if stream.name == "invoices":
                with Store.open(other_path) as other:
                    try:
                        other.sync(memory(invoices=[[inv("X")]]), source="other")
                    except StoreError as exc:
                        second_attempt.append(exc)
            yield from super().fetch(stream, since=since)

    with Store.open(path) as first:
        result = first.sync(Interleaving(pages={"invoices": [[inv("A")]]}))
        assert result.new == 1
        (refused,) = second_attempt
        assert "another clientguard sync is writing to" in str(refused)
        assert f"(source memory, process {os.getpid()})" in str(refused)
        # A Python caller's option (Store.sync's wait=), not the command line's --wait.
        assert "pass wait=SECONDS to wait for it" in str(refused)
        assert first.sources() == ("memory",)
        # Once the first sync is over, the lock is free again.
        assert first.sync(memory(invoices=[[inv("X")]]), source="other").new == 1


def test_a_source_belongs_to_one_connector(store: Store) -> None:
    class Other(MemoryConnector):
        name: ClassVar[str] = "other"

    store.sync(memory(invoices=[[inv("A")]]), source="books")
    with pytest.raises(StoreError, match="holds records of the memory connector"):
        store.sync(Other(pages={}), source="books")


# ----------------------------------------------------------------------------- rejections


def test_rejections_of_earlier_syncs_are_kept_listed_and_cleared_when_fixed(
    store: Store,
) -> None:
    store.sync(memory(invoices=[[inv("A", day=2), inv("B", total="-5", day=2)]]))
    # An incremental sync that does not read B again keeps B's rejection.
    store.sync(memory(invoices=[[inv("C", day=4)]]))
    (kept,) = store.rejections()
    assert (kept.record_id, kept.field, kept.location) == (
        "B", "total", Location(file="invoices.csv", line=11)
    )
    ledger = store.load(base_currency="EUR", strict=False)
    assert sorted(i.id for i in ledger.invoices) == ["A", "C"]
    assert [r.record_id for r in ledger.report.rejected] == ["B"]
    with pytest.raises(DataError, match=r"invoice B \(memory, invoices.csv, line 11\)"):
        store.load(base_currency="EUR")

    # B arrives fixed: its rejection goes.
    store.sync(memory(invoices=[[inv("B", total="5.00", day=5)]]))
    assert store.rejections() == ()
    assert store.load(base_currency="EUR").invoice("B").total == Decimal("5.00")


def test_a_full_read_replaces_the_rejections_of_its_stream(store: Store) -> None:
    store.sync(memory(customers=[[{"id": "c1", "name": "Acme"}, {"id": "c2"}]]))
    assert [r.record_id for r in store.rejections()] == ["c2"]
    store.sync(memory(customers=[[{"id": "c1", "name": "Acme"}]]))
    assert store.rejections() == ()


def test_build_problems_are_reported_at_load_with_the_stored_location(store: Store) -> None:
    allocation = [{"invoice_id": "missing", "amount": "5.00"}]
    store.sync(memory(payments=[[{"id": "P1", "amount": "5.00", "allocations": allocation}]]))
    ledger = store.load(base_currency="EUR", strict=False)
    (problem,) = ledger.report.rejected
    assert problem.record_id == "P1"
    assert problem.location == Location(file="payments.csv", line=10)


def test_a_record_the_source_reports_deleted_is_removed(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=2), inv("B", day=2)]]))
    result = store.sync(memory(invoices=[[inv("B", day=5, deleted=True)]]))
    assert result.removed == 1
    assert sorted(invoice_totals(store)) == ["A"]


# ---------------------------------------------- a record edited at the source so it is rejected


def what_a_review_counts(ledger: Ledger) -> tuple[list[tuple[str, str]], list[str],
                                                   list[tuple[str | None, Location | None]]]:
    """The customers and invoices (kind, id) a review counts, and the rejections it lists
    (id, where)."""
    return (
        sorted([("customer", c.id) for c in ledger.customers]
               + [("invoice", i.id) for i in ledger.invoices]),
        list(ledger.report.notes),
        [(r.record_id, r.location) for r in ledger.report.rejected],
    )


def direct(conn: MemoryConnector) -> Ledger:
    return Ledger.from_connector(conn, base_currency="EUR", strict=False)


@pytest.mark.parametrize("full", [False, True], ids=["incremental", "full"])
def test_a_record_edited_so_that_it_is_rejected_is_no_longer_counted(
    store: Store, full: bool
) -> None:
    before = memory(customers=[[{"id": "c1", "name": "Acme"}]],
                    invoices=[[inv("A", day=1), inv("B", total="5000.00", day=1)]])
    store.sync(before)
    # B's total edited to what is not a number: the source now holds A and a B it cannot map.
    # And a second, different row of customer c1 (rejected: the stream's duplicates rule):
    # the first row, read by this sync, stays stored, as a direct load keeps it.
    now = memory(customers=[[{"id": "c1", "name": "Acme"}, {"id": "c1", "name": "Beta"}]],
                 invoices=[[inv("A", day=1), inv("B", total="5OOO.00", day=5)]])
    result = store.sync(now, full=full)
    (stream,) = [s for s in result.streams if s.stream == "invoices"]
    assert (stream.full_read, stream.rejected) == (full, 1)
    # The stored B (5000.00 EUR) went: removed, not "kept and counted" as not read.
    assert stream.removed == 1
    assert not any("not in this full read" in note for note in stream.notes)
    ledger = store.load(base_currency="EUR", strict=False)
    assert invoice_totals(store) == {"A": Decimal("100.00")}
    assert [c.name for c in ledger.customers] == ["Acme"]
    # The rejections are listed with where each is (the pages' second rows: line 11).
    assert [(r.record_id, r.field, r.location) for r in ledger.report.rejected] == [
        ("c1", "id", Location(file="customers.csv", line=11)),
        ("B", "total", Location(file="invoices.csv", line=11))]
    # What a direct load of the source as it is now counts and lists, the same.
    assert what_a_review_counts(ledger) == what_a_review_counts(direct(now))

    # B fixed at the source: stored again, its rejection gone.
    fixed = memory(customers=[[{"id": "c1", "name": "Acme"}]],
                   invoices=[[inv("A", day=1), inv("B", total="4000.00", day=6)]])
    again = store.sync(fixed, full=full)
    assert (again.new, again.rejected) == (1, 0)
    assert store.rejections() == ()
    assert invoice_totals(store) == {"A": Decimal("100.00"), "B": Decimal("4000.00")}
    ledger = store.load(base_currency="EUR")
    assert what_a_review_counts(ledger) == what_a_review_counts(direct(fixed))


def test_a_rejected_record_takes_along_what_only_it_yielded(store: Store) -> None:
    # Invoice A names its buyer (a customer derived from the invoice row); edited so that it
    # cannot be mapped, A goes and so does the buyer no other record names.
    store.sync(memory(invoices=[[inv("A", customer="c9", customer_name="Acme", day=1)]]))
    assert [c.id for c in store.load(base_currency="EUR").customers] == ["c9"]
    now = memory(invoices=[[inv("A", total="x", customer="c9", customer_name="Acme", day=5)]])
    result = store.sync(now)
    assert result.removed == 2  # A and the buyer only it named
    ledger = store.load(base_currency="EUR", strict=False)
    assert what_a_review_counts(ledger) == what_a_review_counts(direct(now))
    assert (ledger.customers, ledger.invoices) == ((), ())


# ----------------------------------------------------------------------------- time entries, prune


def test_time_entries_without_ids_are_neither_duplicated_nor_merged(store: Store) -> None:
    two_equal = [{"customer": "c1", "hours": "2"}, {"customer": "c1", "hours": "2"}]
    store.sync(memory(hours=[two_equal]))
    again = store.sync(memory(hours=[two_equal]))
    assert (again.new, again.unchanged, again.removed) == (0, 2, 0)
    assert [t.hours for t in store.load(base_currency="EUR").time_entries] == [2, 2]

    # One entry edited in the source: the full read replaces it, it does not add to it.
    edited = store.sync(memory(hours=[[{"customer": "c1", "hours": "2"},
                                       {"customer": "c1", "hours": "3"}]]))
    assert (edited.new, edited.unchanged, edited.removed) == (1, 1, 1)
    assert sorted(t.hours for t in store.load(base_currency="EUR").time_entries) == [2, 3]


@pytest.mark.parametrize(("prune", "left"), [(False, ["c1", "c2"]), (True, ["c1"])])
def test_prune_removes_what_a_full_read_no_longer_has(
    store: Store, prune: bool, left: list[str]
) -> None:
    store.sync(memory(customers=[[{"id": "c1", "name": "A"}, {"id": "c2", "name": "B"}]]))
    result = store.sync(memory(customers=[[{"id": "c1", "name": "A"}]]), prune=prune)
    assert result.removed == (1 if prune else 0)
    assert [c.id for c in store.load(base_currency="EUR").customers] == left


@pytest.mark.parametrize(("prune", "notes"), [
    # Kept, and said: the full read replaced the stream's notes (a connector's "run --full
    # --prune" among them), so the store says what it kept that the source no longer has.
    (False, ("memory: 1 stored record of customers was not in this full read (deleted or "
             "voided at the source?): kept and counted; run `clientguard sync --source "
             "memory --full --prune` to remove what the source no longer has",)),
    (True, ()),
])
def test_a_full_read_without_prune_says_what_it_kept_that_the_source_no_longer_has(
    store: Store, prune: bool, notes: tuple[str, ...]
) -> None:
    store.sync(memory(customers=[[{"id": "c1", "name": "A"}, {"id": "c2", "name": "B"}]]))
    assert store.notes() == ()  # a first read: nothing stored before it
    store.sync(memory(customers=[[{"id": "c1", "name": "A"}]]), full=True, prune=prune)
    assert store.notes() == notes
    # Read again in full with both: nothing kept unseen, nothing to say.
    store.sync(memory(customers=[[{"id": "c1", "name": "A"}, {"id": "c2", "name": "B"}]]),
               full=True)
    assert store.notes() == ()


def test_prune_never_removes_what_an_incremental_read_did_not_cover(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=2), inv("B", day=6)]]))
    result = store.sync(memory(invoices=[[inv("B", day=6)]]), prune=True)
    assert result.removed == 0
    assert sorted(invoice_totals(store)) == ["A", "B"]


# ----------------------------------------------------------------------------- the file


def test_the_store_is_private_in_wal_mode_and_holds_no_secret(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "clientguard.db"
    with Store.open(path) as store:
        store.sync(MemoryConnector(pages={"invoices": [[inv("A")]]}, api_key="sk_live_SECRET"))
        mode = store._db.execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    if os.name == "posix":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    for file in path.parent.iterdir():
        assert b"sk_live_SECRET" not in file.read_bytes()


def test_a_new_store_has_large_pages_and_an_older_store_keeps_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    new_path, old_path = tmp_path / "new.db", tmp_path / "old.db"
    with Store.open(new_path) as store:
        assert store._db.execute("PRAGMA page_size").fetchone()[0] == 16384
    # A store made by an earlier clientguard has SQLite's default pages (4,096 bytes): it
    # keeps them (WAL mode fixes a store's page size), and syncs and loads as before.
    monkeypatch.setattr(store_module, "_PAGE_SIZE", 4096)
    with Store.open(old_path) as store:
        store.sync(memory(invoices=[[inv("A"), inv("B")]]))
    monkeypatch.undo()
    with Store.open(old_path) as store:
        result = store.sync(memory(invoices=[[inv("A"), inv("B", total="5.00"), inv("C")]]),
                            full=True)
        assert store._db.execute("PRAGMA page_size").fetchone()[0] == 4096
        assert (result.new, result.updated, result.unchanged) == (1, 1, 1)
        assert invoice_totals(store) == {"A": Decimal("100.00"), "B": Decimal("5.00"),
                                         "C": Decimal("100.00")}


@pytest.mark.parametrize(
    ("prepare", "message"),
    [
        (lambda p: p.write_bytes(b"not a database at all, just text" * 50),
         "not a clientguard store"),
        (lambda p: sqlite3.connect(p).execute("CREATE TABLE invoices (x)").connection.commit(),
         "SQLite database but not a clientguard store"),
        (lambda p: p.mkdir(), "is a folder"),
    ],
    ids=["text file", "foreign database", "folder"],
)
def test_what_is_not_a_store_is_refused_with_a_clear_message(
    tmp_path: Path, prepare: Any, message: str
) -> None:
    path = tmp_path / "thing.db"
    prepare(path)
    with pytest.raises(StoreError, match=message):
        Store.open(path)


def test_opening_a_missing_store_for_reading_says_to_sync_first(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="run `clientguard sync` first"):
        Store.open(tmp_path / "nowhere.db", create=False)
    assert not (tmp_path / "nowhere.db").exists()


def test_reading_an_empty_store_says_to_sync_first(tmp_path: Path) -> None:
    Store.open(tmp_path / "new.db").close()
    (tmp_path / "empty.db").touch()
    with Store.open(tmp_path / "new.db", read_only=True) as store:
        assert store.rejections() == ()
    with pytest.raises(StoreError, match=r"empty.db is empty: run `clientguard sync` first"):
        Store.open(tmp_path / "empty.db", read_only=True)
    assert (tmp_path / "empty.db").read_bytes() == b""


def test_a_store_from_a_newer_clientguard_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "clientguard.db"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer clientguard"):
        Store.open(path)


def test_an_older_store_is_migrated_and_keeps_its_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        store.sync(memory(invoices=[[inv("A")]]))
    step = ("CREATE TABLE notes (text TEXT)", "INSERT INTO notes VALUES ('migrated')")
    monkeypatch.setattr(store_module, "MIGRATIONS", (*store_module.MIGRATIONS, step))
    monkeypatch.setattr(store_module, "SCHEMA_VERSION", SCHEMA_VERSION + 1)
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION + 1
        assert store._db.execute("SELECT text FROM notes").fetchall() == [("migrated",)]
        assert sorted(invoice_totals(store)) == ["A"]


def test_a_stored_record_that_no_longer_validates_is_a_rejection_not_a_crash(
    store: Store, tmp_path: Path
) -> None:
    store.sync(memory(invoices=[[inv("A"), inv("B")]]))
    db = sqlite3.connect(tmp_path / "clientguard.db")
    db.execute("UPDATE records SET data = json_set(data, '$.currency', 'eur') "
               "WHERE record_id = 'B'")
    # as written by another clientguard (this one does not check again what it checked itself)
    db.execute("UPDATE meta SET value = json_set(value, '$.digest', 'another') "
               "WHERE key = 'records_checked_by'")
    db.commit()
    db.close()
    ledger = store.load(base_currency="EUR", strict=False)
    assert [i.id for i in ledger.invoices] == ["A"]
    (problem,) = ledger.report.rejected
    assert (problem.record_id, problem.field) == ("B", "currency")


def test_load_of_an_unknown_source_names_the_known_ones(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A")]]), source="books")
    with pytest.raises(StoreError, match="no source 'xero'; it holds: books"):
        store.load(base_currency="EUR", sources=["xero"])


def test_a_stream_that_yields_several_kinds_counts_each(store: Store) -> None:
    # Two invoice rows naming one customer: 2 invoices and 1 customer are new (the customer
    # arrives twice, unchanged, and is stored once).
    result = store.sync(
        memory(invoices=[[inv("i1", customer="c9", customer_name="Nine"),
                          inv("i2", customer="c9", customer_name="Nine")]]),
        source="books",
    )
    (invoices,) = [s for s in result.streams if s.stream == "invoices"]
    assert invoices.new == 3
    assert invoices.new_by_kind == {"customer": 1, "invoice": 2}
    assert invoices.updated_by_kind == {}


# ----------------------------------------------------------------------------- notes


def test_a_streams_notes_are_kept_added_to_by_increments_and_replaced_by_a_full_read(
    store: Store,
) -> None:
    store.sync(memory(invoices=[[inv("A", note="A: date approximate")]]))
    assert store.notes() == ("memory: A: date approximate",)
    # An incremental read sees only what changed: the notes of the rest still hold.
    store.sync(memory(invoices=[[inv("A", note="A: date approximate"),
                                 inv("B", day=5, note="B: date approximate")]]))
    assert store.notes() == ("memory: A: date approximate", "memory: B: date approximate")
    # A full read says everything again: its notes replace the stream's.
    store.sync(memory(invoices=[[inv("A"), inv("B", day=5, note="B: date approximate")]]),
               full=True)
    assert store.notes() == ("memory: B: date approximate",)
    assert store.load(base_currency="EUR").report.notes == ("memory: B: date approximate",)


# ----------------------------------------------------------------------------- migration

STORE_V1 = Path(__file__).parent / "data" / "store_v1.sql"
"""A store written by clientguard 0.1 (schema version 1, before source identity), as the SQL
dump of the file (``sqlite3 .dump``): the memory connector above synced under the source name
"books" (customer c1; invoices A, B and a row without a total, rejected; payment P1 paying A).
Its records carry ``source`` "memory", the connector's name."""


def test_a_version_1_store_opens_and_its_records_carry_their_source_name(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    with closing(sqlite3.connect(path)) as db:
        db.executescript(STORE_V1.read_text(encoding="utf-8"))
    with Store.open(path) as old:
        assert old.schema_version == SCHEMA_VERSION == 12
        ledger = old.load(base_currency="EUR", strict=False)
        assert {(r.kind, r.source, getattr(r, "id", None)) for r in ledger.records()} == {
            ("customer", "books", "c1"), ("invoice", "books", "A"), ("invoice", "books", "B"),
            ("payment", "books", "P1"),
        }
        assert [a.document_id for a in ledger.applications("A")] == ["P1"]
        (rejection,) = old.rejections()
        assert (rejection.source, rejection.record_id) == ("books", "BAD")
        assert str(rejection).startswith("invoice BAD (books, invoices.csv, line 12)")
        # The next sync of the same data finds every migrated record unchanged.
        again = old.sync(MemoryConnector(pages={
            "customers": [[{"id": "c1", "name": "Acme"}]],
            "invoices": [[inv("A"), inv("B", total="0.10")]],
            "payments": [[{"id": "P1", "amount": "100.00",
                           "allocations": [{"invoice_id": "A", "amount": "100.00"}]}]],
        }), source="books", full=True)
        assert (again.new, again.updated, again.unchanged) == (0, 0, 4)


def _sources_with_cursors(streams: dict[str, tuple[str, tuple[str, ...]]],
                          db: sqlite3.Connection) -> None:
    """Each source of ``streams`` (name: connector, its streams) registered in the store
    ``db``, with a cursor for each of its streams, as an earlier clientguard left them."""
    for source, (connector, names) in streams.items():
        db.execute("INSERT INTO sources (source, connector) VALUES (?, ?)", (source, connector))
        for stream in names:
            db.execute("INSERT INTO cursors (source, stream, cursor, sync_id) "
                       "VALUES (?, ?, '2025-05-02T00:00:00+00:00', 1)", (source, stream))


def test_a_schema_8_store_reads_what_earlier_versions_stored_wrong_in_full_next_time(
    tmp_path: Path,
) -> None:
    # Schema 9: what an earlier clientguard stored wrong and an incremental read would not
    # read again (Xero's ISO dates rejected, its "IsDeleted": "false" allocations dropped,
    # QuickBooks' written-off invoices stored paid) is read again: those cursors go.
    path = tmp_path / "old.db"
    with Store.open(path):
        pass
    streams = {"books": ("xero", ("invoices", "payments", "credit_notes", "contacts")),
               "qbo": ("quickbooks", ("invoices", "payments", "credit_memos")),
               "stripe": ("stripe", ("invoices",)), "sheet": ("csv", ("invoices",)),
               "tickets": ("jira", ("work_requests",)), "repo": ("github", ("work_requests",))}
    with closing(sqlite3.connect(path)) as db, db:
        _sources_with_cursors(streams, db)
        # Work requests as an earlier clientguard stored them (Jira's without a link to the
        # issue's id), and their rejections.
        for source, ident in (("tickets", "ACME-12"), ("repo", "acme/app#7")):
            db.execute("INSERT INTO records (source, kind, record_id, stream, data, first_sync, "
                       "changed_sync, seen_sync) VALUES (?, 'work_request', ?, "
                       "'work_requests', '{}', 1, 1, 1)", (source, ident))
            db.execute("INSERT INTO rejections (source, stream, sync_id, kind, connector, "
                       "record_id, reason) VALUES (?, 'work_requests', 1, 'work_request', "
                       "'x', 'X-1', 'no wanted date')", (source,))
        db.execute("PRAGMA user_version = 8")
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 12
        kept = {(source, stream) for source in streams for stream in store.state(source).cursors}
        requests = store._db.execute(
            "SELECT source, record_id FROM records WHERE kind = 'work_request'").fetchall()
        refused = store._db.execute("SELECT source FROM rejections").fetchall()
    # (Stripe's invoices go too, by schema 10: the next test.)
    assert kept == {("qbo", "payments"), ("qbo", "credit_memos"), ("sheet", "invoices")}
    # Read again in full by the next sync; nothing goes before it (a review in between still
    # has every request and rejection).
    assert sorted(requests) == [("repo", "acme/app#7"), ("tickets", "ACME-12")]
    assert sorted(refused) == [("repo",), ("tickets",)]


def test_a_schema_9_store_reads_what_earlier_versions_read_wrong_in_full_next_time(
    tmp_path: Path,
) -> None:
    # Schema 10: Xero's invoices written off by a credit note to Bad Debts (stored settled)
    # and those credit notes, QuickBooks' invoices cleared to an expense (stored written
    # off), Stripe's invoices paid in instalments, overpaid, charged back or
    # refunded, Fakturownia's corrections paid back in cash: those cursors go, the others stay.
    path = tmp_path / "old.db"
    with Store.open(path):
        pass
    streams = {"books": ("xero", ("invoices", "payments", "credit_notes", "contacts")),
               "stripe": ("stripe", ("customers", "invoices", "credit_notes")),
               "fk": ("fakturownia", ("invoices", "credit_notes")),
               "qbo": ("quickbooks", ("invoices", "credit_memos")),
               "sheet": ("csv", ("invoices", "credit_notes"))}
    with closing(sqlite3.connect(path)) as db, db:
        _sources_with_cursors(streams, db)
        for source in streams:
            db.execute("INSERT INTO records (source, kind, record_id, stream, data, first_sync, "
                       "changed_sync, seen_sync) VALUES (?, 'invoice', 'I1', 'invoices', '{}', "
                       "1, 1, 1)", (source,))
        db.execute("PRAGMA user_version = 9")
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 12
        kept = {(source, stream) for source in streams for stream in store.state(source).cursors}
        records = store._db.execute("SELECT source FROM records").fetchall()
    assert kept == {("books", "payments"), ("books", "contacts"), ("stripe", "customers"),
                    ("fk", "invoices"), ("qbo", "credit_memos"), ("sheet", "invoices"),
                    ("sheet", "credit_notes")}
    # Read again in full by the next sync; no record goes before it.
    assert len(records) == len(streams)


def test_records_synced_under_a_source_name_carry_it(store: Store) -> None:
    store.sync(memory(customers=[[{"id": "c1", "name": "Acme"}]], invoices=[[inv("A")]]),
               source="old-books")
    store.sync(memory(customers=[[{"id": "c1", "name": "Acme"}]], invoices=[[inv("A")]]),
               source="new-books")
    ledger = store.load(base_currency="EUR")
    # Two sources, each with a customer c1 and an invoice A: both kept, keyed by source.
    assert [(i.source, i.id) for i in ledger.invoices] == [
        ("new-books", "new-books:A"), ("old-books", "old-books:A")]
    assert ledger.customer_ids == ("new-books:c1", "old-books:c1")
    assert ledger.location_of(ledger.invoice("old-books:A")) == Location("invoices.csv", 10)
    linked = store.load(base_currency="EUR",
                        links=[(("old-books", "c1"), ("new-books", "c1"))])
    assert linked.members(linked.group_of("old-books:c1")) == ("new-books:c1", "old-books:c1")


def test_one_source_sending_an_id_twice_names_the_source_and_both_places(store: Store) -> None:
    store.sync(memory(customers=[[{"id": "c1", "name": "Acme"}, {"id": "c1", "name": "Birch"}]]),
               source="books")
    (rejection,) = store.rejections()
    assert (rejection.source, rejection.record_id) == ("books", "c1")
    assert rejection.location == Location("customers.csv", 11)
    assert rejection.reason == (
        "another customer with id c1 came first in source books (first from books, "
        "customers.csv, line 10) and differs"
    )


# ----------------------------------------------------------------------------- interruptions

INVOICE_PAGES = [
    [
        inv("A", day=2), inv("B", day=3), inv("X", total="-5", day=3),
        {"total": "1", "updated": ts(3)},
    ],
    [inv("C", day=5), inv("Y", total="-1", day=5)],
    [inv("D", day=8)],
]
"""Three pages of an incremental stream with rejections: X and Y (an id, a bad total) and a
row without an id, all on the page a resumed sync reads again from its cursor."""

CUSTOMER_PAGES = [
    [{"id": "c1", "name": "Acme"}, {"id": "c2"}, {"name": "no id"}],
    [{"id": "c3", "name": "Birch"}, {"id": "c4"}],
    [{"id": "c5", "name": "Cedar"}],
]
"""Three pages of a stream read in full, with rejections on the first two pages."""


def rejection_keys(store: Store) -> list[tuple[str | None, str, str]]:
    return sorted(
        ((r.record_id, r.reason, repr(r.record)) for r in store.rejections()),
        key=lambda key: (key[0] or "", key[1], key[2]),
    )


def clean_rejections(tmp_path: Path, **pages: list[list[dict[str, Any]]]) -> list[Any]:
    """The rejections one uninterrupted sync of ``pages`` stores: what every store should
    hold after it, however many interruptions came before."""
    with Store.open(tmp_path / "clean.db") as clean:
        clean.sync(memory(**pages))
        return rejection_keys(clean)


def test_a_crash_after_the_first_page_keeps_it_and_the_next_sync_completes(
    store: Store, tmp_path: Path
) -> None:
    pages = INVOICE_PAGES
    crashing = MemoryConnector(pages={"invoices": pages}, crash_after=1)
    with pytest.raises(RuntimeError, match="connection lost"):
        store.sync(crashing)

    # What the first page gave is stored, with its cursor; nothing else is.
    assert sorted(invoice_totals(store)) == ["A", "B"]
    assert store.state("memory").cursor("invoices") == datetime(2025, 5, 3, tzinfo=UTC)
    assert [key[0] for key in rejection_keys(store)] == [None, "X"]
    (status,) = store.status()
    assert status.last_sync_status == "failed"

    resumed = memory(invoices=pages)
    result = store.sync(resumed)
    assert ("invoices", datetime(2025, 5, 3, tzinfo=UTC)) in resumed.calls
    assert (result.new, result.unchanged) == (2, 1)  # C and D new, B re-read at the bound
    assert sorted(invoice_totals(store)) == ["A", "B", "C", "D"]
    (status,) = store.status()
    assert status.last_sync_status == "complete"
    assert status.records == {"invoice": 4}
    # The rejections of the page read twice are stored once, the row without an id too.
    assert rejection_keys(store) == clean_rejections(tmp_path, invoices=pages)
    assert status.rejections == 3


def test_an_interrupted_full_read_never_duplicates_rejections_and_is_warned_about(
    store: Store, tmp_path: Path
) -> None:
    store.sync(memory(customers=CUSTOMER_PAGES))
    clean = clean_rejections(tmp_path, customers=CUSTOMER_PAGES)
    assert len(clean) == 3
    assert store.warnings() == ()

    crashing = MemoryConnector(
        pages={"customers": CUSTOMER_PAGES}, crash_stream="customers", crash_after=1
    )
    with pytest.raises(RuntimeError):
        store.sync(crashing)
    # In the window before the next complete sync: no rejection twice, none made up.
    keys = rejection_keys(store)
    assert len(keys) == len(set(keys))
    assert set(keys) <= set(clean)
    ledger = store.load(base_currency="EUR", strict=False)
    assert len(ledger.report.rejected) == len(keys)
    (warning,) = ledger.report.warnings
    assert "the last sync of source 'memory'" in warning
    assert "did not complete: it failed" in warning
    assert store.warnings() == (warning,)

    store.sync(memory(customers=CUSTOMER_PAGES))
    assert rejection_keys(store) == clean
    assert store.warnings() == ()
    assert store.load(base_currency="EUR", strict=False).report.warnings == ()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked process")
@pytest.mark.parametrize(
    ("stream", "earlier_sync"),
    [("customers", True), ("invoices", False)],
    ids=["read in full, after a complete sync", "incremental, first sync"],
)
def test_a_sync_killed_mid_stream_resumes_with_every_record_and_rejection_once(
    tmp_path: Path, stream: str, earlier_sync: bool
) -> None:
    path = tmp_path / "clientguard.db"
    pages = {"customers": CUSTOMER_PAGES, "invoices": INVOICE_PAGES}
    clean = clean_rejections(tmp_path, **{stream: pages[stream]})
    if earlier_sync:
        with Store.open(path) as store:
            store.sync(memory(**{stream: pages[stream]}))

    child = os.fork()
    if child == 0:  # pragma: no cover (the killed process)
        try:
            with Store.open(path) as store:
                store.sync(
                    MemoryConnector(pages={stream: pages[stream]}, crash_stream=stream,
                                    kill_after=1)
                )
        finally:
            os._exit(1)  # not killed: the test fails below
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == KILLED

    with Store.open(path) as store:
        keys = rejection_keys(store)
        assert len(keys) == len(set(keys))
        assert set(keys) <= set(clean)
        (warning,) = store.warnings()
        assert "was interrupted or is still running" in warning
        store.sync(memory(**{stream: pages[stream]}))
        assert rejection_keys(store) == clean
        assert store.warnings() == ()
        (status_after,) = store.status()
        expected = {"customers": {"customer": 3}, "invoices": {"invoice": 4}}[stream]
        assert status_after.records == expected


# ----------------------------------------------------------------------------- damaged stores

DAMAGES = [
    pytest.param(
        "UPDATE records SET location = 'line 10' WHERE record_id = 'A'",
        "table records, row (source 'memory', kind 'invoice', record_id 'A'), column "
        "location: 'line 10' is not JSON",
        id="location not JSON",
    ),
    pytest.param(
        """UPDATE records SET location = '{"line": "ten"}' WHERE record_id = 'A'""",
        "column location: its line 'ten' is not int",
        id="location of the wrong shape",
    ),
    pytest.param(
        "UPDATE records SET kind = 'receipt' WHERE record_id = 'A'",
        "table records, row (source 'memory', kind 'receipt', record_id 'A'), column kind: "
        "'receipt' is not a kind of record",
        id="unknown kind",
    ),
    pytest.param(
        "UPDATE records SET data = '{\"id\": \"A\", oops' WHERE record_id = 'A'",
        "record_id 'A'), column data: not a JSON object",
        id="record not JSON",
    ),
    pytest.param(
        "UPDATE records SET data = '[1, 2]' WHERE record_id = 'A'",
        "column data: not a JSON object",
        id="record a JSON list",
    ),
    pytest.param(
        "UPDATE records SET data = 42 WHERE record_id = 'A'",
        "column data: not a JSON object",  # TEXT affinity: stored as '42'
        id="record a number",
    ),
    pytest.param(
        "UPDATE cursors SET cursor = 'yesterday'",
        "table cursors, row (source 'memory', stream 'invoices'), column cursor: "
        "'yesterday' is not a date-time with a time zone",
        id="cursor not a date",
    ),
    pytest.param(
        "UPDATE cursors SET cursor = '2025-05-03T00:00:00'",
        "column cursor: '2025-05-03T00:00:00' is not a date-time with a time zone",
        id="cursor without a time zone",
    ),
    pytest.param(
        "UPDATE cursors SET cursor = 20250503",
        "column cursor: '20250503' is not a date-time",  # TEXT affinity
        id="cursor a number",
    ),
    pytest.param(
        "UPDATE rejections SET location = '{\"file\": ' WHERE record_id = 'B'",
        "table rejections, row (id 1), column location",
        id="rejection location not JSON",
    ),
    pytest.param(
        "UPDATE rejections SET record = 'total: -5' WHERE record_id = 'B'",
        "table rejections, row (id 1), column record: not JSON",
        id="rejected record not JSON",
    ),
    pytest.param(
        "UPDATE syncs SET started_at = 'soon'",
        "table syncs, row (source 'memory'), column started_at",
        id="sync start not a date",
    ),
    pytest.param("DROP TABLE cursors", "the table cursors is missing", id="missing table"),
    pytest.param(
        "PRAGMA user_version = -3", "its schema version (PRAGMA user_version) is -3",
        id="negative schema version",
    ),
]


def damage(path: Path, statement: str) -> None:
    db = sqlite3.connect(path)
    try:
        db.execute(statement)
        db.commit()
    finally:
        db.close()


def read_everything(path: Path, *, read_only: bool = False) -> None:
    with Store.open(path, read_only=read_only) as store:
        store.state("memory")
        store.status()
        store.rejections()
        store.load(base_currency="EUR", strict=False)


@pytest.mark.parametrize(("statement", "message"), DAMAGES)
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_damaged_store_is_a_store_error_naming_table_row_and_column(
    tmp_path: Path, statement: str, message: str, read_only: bool
) -> None:
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        store.sync(memory(invoices=[[inv("A", day=2), inv("B", total="-5", day=3)]]))
    read_everything(path)  # sound before the edit
    damage(path, statement)
    with pytest.raises(StoreError) as raised:
        read_everything(path, read_only=read_only)
    text = str(raised.value)
    assert message in text
    assert "is damaged" in text
    assert "\n" not in text


def test_a_full_sync_gets_past_a_damaged_cursor_and_replaces_it(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=2)]]))
    damage(store.path, "UPDATE cursors SET cursor = 'yesterday'")
    with pytest.raises(StoreError, match=r"sync --full --source memory"):
        store.sync(memory(invoices=[[inv("A", day=2)]]))
    store.sync(memory(invoices=[[inv("A", day=2), inv("B", day=4)]]), full=True)
    assert store.state("memory").cursor("invoices") == datetime(2025, 5, 4, tzinfo=UTC)


def test_a_sync_stopped_by_a_damaged_row_ends_failed_and_its_warning_names_the_row(
    store: Store,
) -> None:
    # The first sync of a store this clientguard has not vouched for (synced by another
    # version) checks every stored record (Store._vouch): a damaged row stops it. Before, that
    # sync stayed "running" for good, and its warning said to run `clientguard sync` again,
    # which stops at the same row.
    store.sync(memory(invoices=[[inv("A", day=2)]]))
    damage(store.path, "UPDATE records SET location = 'line 10' WHERE record_id = 'A'")
    damage(store.path, "DELETE FROM meta WHERE key = 'records_checked_by'")
    row = "row (source 'memory', kind 'invoice', record_id 'A'), column location"
    for full in (False, True):
        with pytest.raises(StoreError, match="correct or delete that row") as raised:
            store.sync(memory(invoices=[[inv("A", day=2)]]), full=full)
        assert row in str(raised.value)
    syncs = store._db.execute("SELECT status, finished_at, error FROM syncs ORDER BY id")
    first, *failed = syncs.fetchall()
    assert first[0] == "complete"
    assert [(status, finished) for status, finished, _ in failed] == [
        ("failed", NOW.isoformat())] * 2
    assert all(row in error for _, _, error in failed)
    assert [s.last_sync_status for s in store.status()] == ["failed"]
    (warning,) = store.warnings()
    assert "run `clientguard sync` again" not in warning
    assert row in warning
    assert warning.endswith("correct or delete that row (e.g. in the sqlite3 shell)")
    with i18n.using("pl"):
        (polish,) = store.warnings()
    assert polish.startswith("ostatnia synchronizacja źródła 'memory'")
    assert "uruchom ponownie" not in polish


class _ReadOnlyFileSystem(sqlite3.Connection):
    """A connection whose every statement fails as one to a store in WAL mode on a read-only
    file system does (SQLite cannot make the -shm file): a test run as root cannot make a
    folder it may not write."""

    error: ClassVar[sqlite3.Error]

    def execute(self, sql: str, parameters: Any = (), /) -> sqlite3.Cursor:
        raise self.error


@pytest.mark.parametrize("when", ["at the first statement", "at connect"])
def test_a_store_that_cannot_be_written_says_it_is_read_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, when: str
) -> None:
    # The reviewer's `mount -o remount,bind,ro` of the store's folder: `clientguard sync` said
    # "cannot use the store ...: unable to open database file", nothing of what to do.
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        store.sync(memory(invoices=[[inv("A", day=2)]]))
    try:  # SQLite's own error for a file it cannot open: SQLITE_CANTOPEN
        sqlite3.connect(tmp_path / "no such folder" / "x.db")
    except sqlite3.OperationalError as exc:
        cantopen = exc
    assert cantopen.sqlite_errorcode == sqlite3.SQLITE_CANTOPEN
    real = sqlite3.connect
    monkeypatch.setattr(_ReadOnlyFileSystem, "error", cantopen, raising=False)

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        if when == "at connect":
            raise cantopen
        return real(*args, factory=_ReadOnlyFileSystem, **kwargs)

    monkeypatch.setattr(sqlite3, "connect", connect)
    os.chmod(path, 0o400)  # what os.access says of a file on a read-only file system too
    with pytest.raises(StoreError) as raised:
        Store.open(path)
    assert str(raised.value) == (
        f"cannot write to the store {path} (open it for writing): the store (or its -wal or "
        "-shm file, or its folder) is read-only (unable to open database file); make them "
        "writable and run it again")
    with i18n.using("pl"), pytest.raises(StoreError, match="jest tylko do odczytu"):
        Store.open(path)


# ----------------------------------------------------------------------------- a full disk


def big_page(prefix: str, count: int = 200) -> list[dict[str, Any]]:
    return [inv(f"{prefix}{n}", day=9, note="x" * 2_000) for n in range(count)]


def test_a_full_store_says_the_disk_is_full_and_keeps_the_pages_before(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=2)]]))
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    # Pages free inside the file (schema 11 makes the notes' table anew) are written first.
    free = store._db.execute("PRAGMA freelist_count").fetchone()[0]
    # SQLite's own size limit fails a write exactly as a full disk does (SQLITE_FULL).
    store._db.execute(f"PRAGMA max_page_count = {pages + 4 - free}")
    with pytest.raises(StoreError) as raised:
        store.sync(memory(invoices=[[inv("B", day=3)], big_page("C")]))
    text = str(raised.value)
    assert "the disk is full" in text
    assert "(store page 2 of invoices)" in text
    assert "nothing of it was written" in text
    assert "no transaction is active" not in text
    # Page 1 is stored; nothing of page 2 is.
    assert sorted(invoice_totals(store)) == ["A", "B"]
    assert store.state("memory").cursor("invoices") == datetime(2025, 5, 3, tzinfo=UTC)

    store._db.execute("PRAGMA max_page_count = 1073741823")
    store.sync(memory(invoices=[[inv("B", day=3)], big_page("C")]))
    assert len(invoice_totals(store)) == 202


class FailingCommits:
    """A connection whose COMMIT fails as on a full disk, after SQLite rolled the
    transaction back itself (as it may for SQLITE_FULL and SQLITE_IOERR)."""

    def __init__(self, real: sqlite3.Connection) -> None:
        self.real = real

    def execute(self, statement: str, *args: Any) -> Any:
        if statement == "COMMIT":
            self.real.execute("ROLLBACK")
            raise sqlite3.OperationalError("database or disk is full")
        return self.real.execute(statement, *args)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)


def test_a_commit_that_fails_on_a_full_disk_says_so(store: Store) -> None:
    store.sync(memory(invoices=[[inv("A", day=2)]]))
    real = store._db
    store._db = FailingCommits(real)  # type: ignore[assignment]
    try:
        with pytest.raises(StoreError, match="the disk is full") as raised:
            store.sync(memory(invoices=[[inv("B", day=3)]]))
    finally:
        store._db = real
    assert "nothing of it was written" in str(raised.value)
    assert "cannot rollback" not in str(raised.value)
    assert sorted(invoice_totals(store)) == ["A"]


COLUMNS = [
    ("records", "kind"), ("records", "record_id"), ("records", "data"),
    ("records", "location"), ("records", "source"), ("records", "stream"),
    ("cursors", "cursor"), ("cursors", "stream"), ("cursors", "source"),
    ("rejections", "kind"), ("rejections", "connector"), ("rejections", "record_id"),
    ("rejections", "field"), ("rejections", "reason"), ("rejections", "location"),
    ("rejections", "record"), ("syncs", "started_at"), ("syncs", "finished_at"),
    ("syncs", "status"), ("sources", "connector"), ("sources", "source"),
]
"""Every column a read of the store interprets."""

GARBAGE = st.one_of(
    st.none(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.binary(max_size=20),
    st.text(max_size=30),
    st.sampled_from([
        "{", "[]", "null", "{}", '{"line": -1}', '{"line": true}', '{"file": 3}', "receipt",
        "invoice", "2025-05-03", "2025-05-03T00:00:00+00:00", "9999-99-99T00:00:00Z",
        '{"id": "A", "kind": "payment"}', '{"source": 1}', "\x00", "NaN",
    ]),
)


@given(damages=st.lists(st.tuples(st.sampled_from(COLUMNS), GARBAGE), min_size=1, max_size=3))
@settings(
    max_examples=80, deadline=None, derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
def test_any_damaged_column_is_read_as_a_store_error_or_read_fine(
    tmp_path_factory: pytest.TempPathFactory,
    damages: list[tuple[tuple[str, str], object]],
) -> None:
    path = tmp_path_factory.mktemp("damaged") / "clientguard.db"
    with Store.open(path) as store:
        store.sync(memory(
            invoices=[[inv("A", day=2), inv("B", total="-5", day=3)]],
            customers=[[{"id": "c1", "name": "Acme"}, {"name": "no id"}]],
        ))
    db = sqlite3.connect(path)
    try:
        for (table, column), value in damages:
            # Not a parameter in the statement: table and column come from the list above.
            with contextlib.suppress(sqlite3.IntegrityError):  # refused by SQLite itself
                db.execute(f"UPDATE {table} SET {column} = ? WHERE rowid IN "
                           f"(SELECT rowid FROM {table} LIMIT 1)", (value,))
        db.commit()
    except sqlite3.OperationalError:  # a WITHOUT ROWID table: damage every row instead
        db.rollback()
        for (table, column), value in damages:
            with contextlib.suppress(sqlite3.IntegrityError):
                db.execute(f"UPDATE {table} SET {column} = ?", (value,))
        db.commit()
    finally:
        db.close()
    # Read fine, or a StoreError: never another exception (exit 70 in the CLI).
    errors = []
    for read_only in (False, True):
        try:
            read_everything(path, read_only=read_only)
        except StoreError as exc:
            errors.append(str(exc))
    assert all("\n" not in error and "is damaged" in error for error in errors), errors


@pytest.mark.skipif(os.name != "posix", reason="file modes")
def test_a_read_only_store_with_pages_still_in_its_wal_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "clientguard.db"
    with Store.open(path) as store:
        store.sync(memory(invoices=[[inv("A", day=2)]]))
    # A writer that stopped before SQLite copied its pages into the main file (a killed
    # sync): they are only in the -wal file.
    writer = Store.open(path)
    try:
        writer._db.execute("PRAGMA wal_autocheckpoint = 0")
        writer.sync(memory(invoices=[[inv("B", day=3)]]))
        assert path.with_name("clientguard.db-wal").stat().st_size > 0
        path.chmod(0o400)
        with Store.open(path, read_only=True) as reader:
            assert sorted(invoice_totals(reader)) == ["A", "B"]
        for suffix in ("-wal", "-shm"):
            assert path.with_name(f"clientguard.db{suffix}").stat().st_mode & stat.S_IWUSR
    finally:
        path.chmod(0o600)
        writer.close()
    with Store.open(path) as store:
        assert store.sync(memory(invoices=[[inv("C", day=4)]])).new == 1


@pytest.mark.parametrize("name", ["plain.db", "a b#1%20?.db"], ids=["plain", "URI characters"])
@pytest.mark.parametrize("mode", [0o600, 0o400], ids=["writable", "read-only"])
def test_a_store_is_read_read_only_whatever_its_name(
    tmp_path: Path, name: str, mode: int
) -> None:
    if os.name != "posix" and "?" in name:
        pytest.skip("not a file name here")
    path = tmp_path / "odd #%" / name
    with Store.open(path) as store:
        store.sync(memory(invoices=[[inv("A", day=2)]]))
    path.chmod(mode)
    try:
        with Store.open(path, read_only=True) as reader:
            assert sorted(invoice_totals(reader)) == ["A"]
    finally:
        path.chmod(0o600)
    assert sorted(p.name for p in path.parent.iterdir()) == [name, f"{name}.lock"]


# ---------------------------------------------------------------- usage mistakes, Ctrl-C


class _InterruptedConnector(MemoryConnector):
    """Stores the first invoice page, then the user presses Ctrl-C."""

    def fetch(self, stream: Stream, *, since: Any) -> Iterator[RawPage]:
        for number, page in enumerate(super().fetch(stream, since=since)):
            if number == 1:
                raise KeyboardInterrupt
            yield page


def test_a_stream_the_connector_lacks_is_refused_before_a_sync_is_recorded(
    store: Store,
) -> None:
    store.sync(memory(invoices=INVOICE_PAGES))
    (before,) = store.status()

    with pytest.raises(ConfigError, match="has no stream 'invoice'"):
        store.sync(memory(invoices=INVOICE_PAGES), streams=["invoice"])

    # Nothing was read: the last sync is still the complete one, and no review is warned.
    (after,) = store.status()
    assert after.last_sync_status == "complete"
    assert after.last_sync_at == before.last_sync_at
    assert store.warnings() == ()


def test_a_first_sync_with_a_wrong_stream_leaves_the_store_without_a_sync(
    store: Store,
) -> None:
    with pytest.raises(ConfigError):
        store.sync(memory(invoices=INVOICE_PAGES), streams=["invoices", "nope"])
    assert [s.last_sync_status for s in store.status()] in ([], [None])
    assert store.warnings() == ()


def test_a_sync_stopped_by_ctrl_c_is_reported_interrupted_not_failed(store: Store) -> None:
    with pytest.raises(KeyboardInterrupt):
        store.sync(_InterruptedConnector(pages={"invoices": INVOICE_PAGES}))

    (status,) = store.status()
    assert status.last_sync_status == "interrupted"
    (warning,) = store.warnings()
    # NOW of tests/test_store.py is the connector's clock: 2025-06-01 12:00 UTC.
    assert warning == (
        "the last sync of source 'memory' (started 2025-06-01 12:00 UTC) did not complete: "
        "it was interrupted, so its records and rejections may be incomplete or out of date; "
        "run `clientguard sync` again"
    )


@pytest.mark.parametrize(
    ("connector", "how"),
    [
        (MemoryConnector(pages={"invoices": INVOICE_PAGES}, crash_stream="invoices",
                         crash_after=1), "zakończyła się błędem"),
        (_InterruptedConnector(pages={"invoices": INVOICE_PAGES}), "została przerwana"),
    ],
    ids=["failed", "interrupted"],
)
def test_the_warning_is_in_polish_with_a_polish_date(
    store: Store, connector: MemoryConnector, how: str
) -> None:
    with pytest.raises((RuntimeError, KeyboardInterrupt)):
        store.sync(connector)
    with i18n.using("pl"):
        (warning,) = store.warnings()
    # The date written out as wording.day writes it in Polish (CLDR long date).
    assert warning == (
        "ostatnia synchronizacja źródła 'memory' (rozpoczęta 1 czerwca 2025, 12:00 UTC) "
        f"nie dobiegła końca: {how}, więc jego rekordy i odrzucenia mogą być niepełne lub "
        "nieaktualne; uruchom ponownie `clientguard sync`"
    )
