"""Records derived from a raw record follow it in the store: a deletion, a void or an edit
that no longer yields one removes it; a record several raw records yield (a buyer named on
two documents) stays while one of them still yields it. Expected sets worked out by hand
from the raw records of each row."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, ClassVar

import pytest

from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    RawRecord,
    Skip,
    Stream,
    pull,
)
from clientguard.model import AnyRecord, Customer, Invoice, Payment
from clientguard.store import Store

NOW = datetime(2026, 5, 20, tzinfo=UTC)


class DerivesOptions(ConnectorOptions):
    invoices: list[dict[str, Any]]


class Derives(Connector):
    """Invoices whose raw record also yields a deposit payment ``<id>/deposit`` and, for a
    document without a client card, the buyer's customer ``buyer:<name>``."""

    name: ClassVar[str] = "derives"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="invoices", kind="invoice", id_field="id", duplicates="latest"),
    )
    Options = DerivesOptions
    options: DerivesOptions

    def __init__(self, invoices: list[dict[str, Any]]) -> None:
        super().__init__(clock=lambda: NOW, invoices=invoices)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        yield RawPage(tuple(RawRecord(raw) for raw in self.options.invoices), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if raw.get("deleted"):
            return Skip("deleted", deleted=True)
        customer = f"buyer:{raw['buyer']}" if "buyer" in raw else "c1"
        made: list[AnyRecord] = [Invoice(
            id=raw["id"], customer_id=customer, number=raw["id"], issue_date=date(2026, 4, 1),
            due_date=date(2026, 5, 1), currency="EUR", total="100", status="open",
            source=self.name)]
        if "buyer" in raw:
            made.insert(0, Customer(id=customer, name=raw["buyer"], source=self.name))
        if raw.get("deposit", "0") != "0":
            made.append(Payment(
                id=f"{raw['id']}/deposit", customer_id=customer, date=date(2026, 4, 1),
                amount=raw["deposit"], currency="EUR",
                allocations=({"invoice_id": raw["id"], "amount": raw["deposit"]},),
                source=self.name))
        return made


def keys(store: Store) -> set[str]:
    return {f"{r.kind}:{getattr(r, 'id', None)}" for r in store.records()}


FIRST = [{"id": "1", "deposit": "30"}, {"id": "2", "buyer": "Ann"}, {"id": "3", "buyer": "Ann"}]
BEFORE = {"invoice:1", "payment:1/deposit", "invoice:2", "invoice:3", "customer:buyer:Ann"}


@pytest.mark.parametrize(
    ("second", "expected", "removed"),
    [
        pytest.param([{"id": "1", "deleted": True}], BEFORE - {"invoice:1", "payment:1/deposit"},
                     2, id="deleted: the deposit goes with its invoice"),
        pytest.param([{"id": "1", "deposit": "0"}], BEFORE - {"payment:1/deposit"}, 1,
                     id="deposit edited to 0"),
        pytest.param([{"id": "1", "deposit": "30"}], BEFORE, 0, id="read again unchanged"),
        pytest.param([{"id": "2", "deleted": True}], BEFORE - {"invoice:2"}, 1,
                     id="a buyer another document still names stays"),
        pytest.param([{"id": "2", "deleted": True}, {"id": "3", "deleted": True}],
                     BEFORE - {"invoice:2", "invoice:3", "customer:buyer:Ann"}, 3,
                     id="the buyer goes with the last document naming it"),
        pytest.param([{"id": "3"}], BEFORE, 0,
                     id="a buyer one document no longer names, another still does"),
        pytest.param([{"id": "2"}, {"id": "3"}], BEFORE - {"customer:buyer:Ann"}, 1,
                     id="a buyer no document names any more"),
    ],
)
@pytest.mark.parametrize("full", [False, True])
def test_derived_records_follow_their_raw_record(
    tmp_path: Path, second: list[dict[str, Any]], expected: set[str], removed: int, full: bool,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(Derives(FIRST))
        assert keys(store) == BEFORE
        result = store.sync(Derives(second), full=full)
        assert keys(store) == expected
        assert result.removed == removed


def test_a_raw_record_read_twice_in_one_sync_keeps_what_its_latest_version_yields() -> None:
    pulled = pull(Derives([{"id": "1", "deposit": "30"}, {"id": "1", "deposit": "0"}]))
    assert {f"{r.kind}:{getattr(r, 'id', None)}" for r in pulled.records} == {"invoice:1"}


def test_pull_drops_what_a_deleted_raw_record_yielded() -> None:
    pulled = pull(Derives([{"id": "1", "deposit": "30"}, {"id": "1", "deleted": True}]))
    assert pulled.records == ()


def test_a_version_7_store_reads_streams_holding_derived_records_in_full_next(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cg.db"
    with Store.open(path) as store:
        store.sync(Derives(FIRST))
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("DROP TABLE record_origins")
        db.execute("INSERT INTO cursors (source, stream, cursor, sync_id) VALUES "
                   "('derives', 'invoices', '2026-05-01T00:00:00+00:00', 1)")
        db.execute("PRAGMA user_version = 7")
    with Store.open(path) as store:
        assert store.schema_version == 8
        # A stream that holds records of more than one kind lost its cursor.
        assert store.state("derives").cursor("invoices") is None
        # Nothing is guessed from an id's shape: the deposit stays until its invoice is read.
        store.sync(Derives([{"id": "1", "deleted": True}]))
        assert "payment:1/deposit" in keys(store)
        store.sync(Derives(FIRST))
        store.sync(Derives([{"id": "1", "deposit": "0"}]))
        assert "payment:1/deposit" not in keys(store)
