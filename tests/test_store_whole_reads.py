"""A stream its connector reads whole on every sync is pruned after each complete read
(``prunes_each_full_read``): a payment deleted at the source leaves the store at the next
sync, not at the next ``sync --full --prune``. A read that stops before its last page, and a
connector that says its read was not whole, prune nothing.

Which payments stay is worked out by hand for each row: the first sync stores P1 and P2,
the second gives only P1.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
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
    Stream,
)
from clientguard.model import Customer, Payment
from clientguard.store import Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class PagesOptions(ConnectorOptions):
    pages: dict[str, list[list[str]]]
    """Raw pages of ids, by stream name."""
    fail_before: int | None = None
    """Raise before yielding this page (1-based) of every stream: a read cut short."""
    whole: bool = True
    """What the connector answers for ``payments`` (``prunes_each_full_read``)."""


class PagesConnector(Connector):
    """Customers and payments from memory, neither with a change filter."""

    name: ClassVar[str] = "pages"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="payments", kind="payment", id_field="id"),
    )
    Options = PagesOptions
    options: PagesOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: NOW, **options)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        pages = self.options.pages.get(stream.name, [])
        for number, ids in enumerate(pages, start=1):
            if self.options.fail_before == number:
                raise RuntimeError("connection lost")
            yield RawPage(tuple(RawRecord({"id": i}) for i in ids), last=number == len(pages))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["id"], source=self.name)
        return Payment(id=raw["id"], customer_id="c1", date=date(2025, 5, 20),
                       amount="10.00", currency="EUR", source=self.name)


class WholePayments(PagesConnector):
    """Says its payments are read whole (when ``whole``), as Fakturownia's connector does."""

    def prunes_each_full_read(self, stream: str) -> bool:
        return stream == "payments" and self.options.whole


def stored(store: Store, kind: str) -> list[str]:
    return sorted(str(getattr(r, "id", None)) for r in store.records() if r.kind == kind)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


@pytest.mark.parametrize(
    ("connector", "options", "payments", "removed"),
    [
        # Read whole, said whole: P2 is gone at the source, and from the store.
        (WholePayments, {}, ["P1"], 1),
        # Over two pages: the prune waits for the last.
        (WholePayments, {"second_page": True}, ["P1"], 1),
        # The connector says this read was not whole (no banking module): nothing removed.
        (WholePayments, {"whole": False}, ["P1", "P2"], 0),
        # A connector that says nothing prunes only with --prune, as before.
        (PagesConnector, {}, ["P1", "P2"], 0),
    ],
)
def test_a_stream_read_whole_every_sync_drops_what_the_source_deleted(
    store: Store, connector: type[PagesConnector], options: dict[str, Any],
    payments: list[str], removed: int,
) -> None:
    store.sync(connector(pages={"payments": [["P1", "P2"]]}))
    pages = [["P1"], []] if options.pop("second_page", False) else [["P1"]]
    result = store.sync(connector(pages={"payments": pages}, **options))
    assert stored(store, "payment") == payments
    assert result.removed == removed


def test_a_read_cut_short_prunes_nothing(store: Store) -> None:
    store.sync(WholePayments(pages={"payments": [["P1", "P2"]]}))
    # The second page fails: P2 might be on it.
    with pytest.raises(RuntimeError, match="connection lost"):
        store.sync(WholePayments(pages={"payments": [["P1"], ["P2"]]}, fail_before=2))
    assert stored(store, "payment") == ["P1", "P2"]


def test_only_the_streams_said_whole_are_pruned(store: Store) -> None:
    store.sync(WholePayments(pages={"customers": [["c1", "c2"]], "payments": [["P1", "P2"]]}))
    store.sync(WholePayments(pages={"customers": [["c1"]], "payments": [["P1"]]}))
    # The customers stream is read in full too, but not said whole: c2 is kept, with a note.
    assert stored(store, "customer") == ["c1", "c2"]
    assert stored(store, "payment") == ["P1"]
    assert any("1 stored record of customers was not in this full read" in note
               for note in store.notes())
    assert not any("of payments" in note for note in store.notes())
