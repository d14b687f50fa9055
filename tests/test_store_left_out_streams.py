"""A stream a connector's options leave out (``Connector.streams_left_out``) gives up what
earlier syncs stored of it at the next sync: its records, rejections, cursor and notes, with a
note said once in that sync's result. Before, a stream turned off kept counting for ever (a
QuickBooks source's refund receipts after ``refund_receipts = false``) until the whole source
was forgotten (``clientguard store forget``) and read again.

What each sync leaves is worked out by hand per test: the first sync stores what the pages
give, the second runs with the stream turned off.
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
    Skip,
    Stream,
)
from clientguard.i18n import using
from clientguard.model import Customer, Payment
from clientguard.store import Store, SyncResult

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)


class ToggleOptions(ConnectorOptions):
    pages: dict[str, list[str]]
    """One raw page of ids, by stream name; a payment id ``bad`` cannot be mapped."""
    payments: bool = True
    """Read the payments stream (False: left out, as QuickBooks' refund_receipts = false)."""
    said: bool = True
    """Whether the connector says payments are left out (False: the default hook, which says
    nothing)."""


class ToggleConnector(Connector):
    """Customers and payments from memory, payments incremental (a cursor is stored)."""

    name: ClassVar[str] = "toggle"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="payments", kind="payment", id_field="id", cursor_field="changed"),
    )
    Options = ToggleOptions
    options: ToggleOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: NOW, **options)
        if not self.options.payments:
            self.streams = tuple(  # type: ignore[misc]
                s for s in type(self).streams if s.name != "payments")

    def streams_left_out(self) -> Mapping[str, str]:
        if self.options.payments or not self.options.said:
            return {}
        return {"payments": "payments = false"}

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        ids = self.options.pages.get(stream.name, [])
        yield RawPage(tuple(RawRecord({"id": i, "changed": "2025-05-20T10:00:00+00:00"})
                            for i in ids), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["id"], source=self.name)
        if raw["id"] == "bad":
            raise ValueError("amount: not a number")
        return Payment(id=raw["id"], customer_id="c1", date=date(2025, 5, 20),
                       amount="10.00", currency="EUR", source=self.name)


def stored(store: Store, kind: str, source: str = "toggle") -> list[str]:
    return sorted(str(getattr(r, "id", None)) for r in store.records([source])
                  if r.kind == kind)


class Confused(ToggleConnector):
    """Says payments are left out while reading them."""

    def streams_left_out(self) -> Mapping[str, str]:
        return {"payments": "payments = false"}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with Store.open(tmp_path / "clientguard.db") as opened:
        yield opened


FIRST = {"customers": ["c1"], "payments": ["P1", "P2", "bad"]}
"""The first sync: one customer, two payments and a payment that is rejected."""


def test_a_stream_turned_off_leaves_the_store_at_the_next_sync_said_once(store: Store) -> None:
    store.sync(ToggleConnector(pages=FIRST))
    assert stored(store, "payment") == ["P1", "P2"]
    assert len(store.rejections()) == 1
    assert store.state("toggle").cursor("payments") is not None

    result = store.sync(ToggleConnector(pages=FIRST, payments=False))
    # P1 and P2 go, and the rejected row with them; the customer stays.
    assert stored(store, "payment") == []
    assert stored(store, "customer") == ["c1"]
    assert store.rejections() == ()
    (payments,) = [s for s in result.streams if s.stream == "payments"]
    assert (payments.pages, payments.removed, payments.full_read) == (0, 2, False)
    assert result.removed == 2
    assert payments.notes == (
        "payments: not read (payments = false), so the 2 records and 1 rejection earlier "
        "syncs stored of it were removed; turned on again, the stream is read in full",)
    # Said in this sync's result only: no note of it stays for the reviews.
    assert not any("payments" in n for n in store.notes())
    # The cursor goes too: turned on again, the stream is read in full.
    assert store.state("toggle").cursor("payments") is None

    # Said once: the next sync has nothing left to remove, and says nothing of payments.
    again = store.sync(ToggleConnector(pages=FIRST, payments=False))
    assert [s.stream for s in again.streams] == ["customers"]
    assert (again.removed, again.notes) == (0, ())

    # Only what the connector says is left out goes: a connector that says nothing (the
    # default hook) keeps what a stream missing from its streams stored, as before, and a
    # stream the sync reads is never removed, whatever the connector says.
    store.sync(ToggleConnector(pages=FIRST), source="quiet")
    store.sync(ToggleConnector(pages=FIRST, payments=False, said=False), source="quiet")
    assert stored(store, "payment", "quiet") == ["P1", "P2"]
    store.sync(Confused(pages=FIRST), source="confused")
    store.sync(Confused(pages={"payments": ["P1"]}), source="confused")
    assert stored(store, "payment", "confused") == ["P1", "P2"]


def test_turned_on_again_the_stream_is_read_in_full(store: Store) -> None:
    store.sync(ToggleConnector(pages=FIRST))
    store.sync(ToggleConnector(pages=FIRST, payments=False))
    result = store.sync(ToggleConnector(pages={"payments": ["P1"]}))
    (payments,) = [s for s in result.streams if s.stream == "payments"]
    assert payments.full_read is True
    assert stored(store, "payment") == ["P1"]


class Naming(ToggleConnector):
    """Payments that also yield the customer they name (as a Fakturownia document yields its
    buyer): P1 names c1, which the customers stream reads too; P2 names c2, which only P2
    yields. Customers are incremental, so a sync after the first reads none of them again."""

    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id", cursor_field="changed"),
        Stream(name="payments", kind="payment", id_field="id", cursor_field="changed"),
    )

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["id"], source=self.name)
        customer = {"P1": "c1", "P2": "c2"}[raw["id"]]
        return [Payment(id=raw["id"], customer_id=customer, date=date(2025, 5, 20),
                        amount="10.00", currency="EUR", source=self.name),
                Customer(id=customer, name=customer, source=self.name)]


def test_a_record_a_stream_still_read_yields_stays_when_a_stream_naming_it_is_turned_off(
    store: Store,
) -> None:
    # The first sync reads c1 from the customers stream, then P1 names it again (the payments
    # stream wrote it last). Payments turned off: P1 and P2 go, and c2, which only P2 yielded
    # (3 records); c1 stays, the customers stream's own record (docs/cli.md: "the records
    # derived from them that no other stream still yields"). Before, c1 went too (4 removed)
    # and the customers stream, incremental, never read it again.
    store.sync(Naming(pages={"customers": ["c1"], "payments": ["P1", "P2"]}))
    assert (stored(store, "customer"), stored(store, "payment")) == (["c1", "c2"], ["P1", "P2"])
    result = store.sync(Naming(pages={"customers": []}, payments=False))
    assert (stored(store, "customer"), stored(store, "payment")) == (["c1"], [])
    (payments,) = [s for s in result.streams if s.stream == "payments"]
    assert payments.removed == 3


class CardsOffOptions(ToggleOptions):
    customers: bool = True
    """Read the customers stream (False: left out, and said so)."""


class CardsOff(ToggleConnector):
    """Customers and payments, both incremental; a payment ``P1>c1`` also yields the customer
    it names (c1), ``-P1`` reports P1 deleted. The customers stream can be turned off."""

    streams: ClassVar[tuple[Stream, ...]] = Naming.streams
    Options = CardsOffOptions
    options: CardsOffOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        if not self.options.customers:
            self.streams = tuple(  # type: ignore[misc]
                s for s in type(self).streams if s.name != "customers")

    def streams_left_out(self) -> Mapping[str, str]:
        return {} if self.options.customers else {"customers": "customers = false"}

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        rows: list[dict[str, Any]] = []
        for text in self.options.pages.get(stream.name, []):
            ident, _, names = text.lstrip("-").partition(">")
            raw: dict[str, Any] = {"id": ident, "changed": "2025-05-20T10:00:00+00:00"}
            if text.startswith("-"):
                raw["deleted"] = True
            if names:
                raw["customer"] = names
            rows.append(raw)
        yield RawPage(tuple(RawRecord(raw) for raw in rows), last=True)

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if raw.get("deleted"):
            return Skip("deleted", deleted=True)
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["id"], source=self.name)
        return [Payment(id=raw["id"], customer_id=raw["customer"], date=date(2025, 5, 20),
                        amount="10.00", currency="EUR", source=self.name),
                Customer(id=raw["customer"], name=raw["customer"], source=self.name)]


def test_a_card_a_stored_payment_names_outlives_its_stream_turned_off_and_on_again(
    store: Store,
) -> None:
    # What each sync leaves, worked out from the pages (a fresh read of the source as it is
    # has the same customers and payments at each step).
    def after(result: SyncResult) -> tuple[list[str], list[str], int]:
        return stored(store, "customer"), stored(store, "payment"), result.removed

    # c1 is the customers stream's card, and P1 names it.
    store.sync(CardsOff(pages={"customers": ["c1"], "payments": ["P1>c1"]}))
    # Customers turned off: c1 stays, P1 still yields it (nothing removed, nothing said).
    assert after(store.sync(CardsOff(pages={}, customers=False))) == (["c1"], ["P1"], 0)
    # Turned on again, the customers stream no longer lists c1; its pruned full read keeps
    # c1, which P1 still yields. Before, the read took c1 along (its stream column still
    # said "customers"), and the store held a payment whose customer it did not have.
    result = store.sync(CardsOff(pages={"customers": []}), streams=["customers"], full=True,
                        prune=True)
    assert after(result) == (["c1"], ["P1"], 0)
    # The customers stream lists c1 again: its own card once more. A sync of the payments
    # stream alone deletes P1: c1 stays, the card of a stream the connection reads although
    # this sync does not (_SyncWriter.owners holds every stream the connector declares).
    store.sync(CardsOff(pages={"customers": ["c1"]}), streams=["customers"])
    result = store.sync(CardsOff(pages={"payments": ["-P1"]}), streams=["payments"])
    assert after(result) == (["c1"], [], 1)
    # A stream turned off owns nothing: customers off again, c1 (which nothing else yields)
    # goes with it, said in the customers stream's result.
    result = store.sync(CardsOff(pages={}, customers=False))
    assert after(result) == ([], [], 1)
    (customers,) = [s for s in result.streams if s.stream == "customers"]
    assert customers.removed == 1


# The note in Polish: said in the active language, as the sync's other messages are. Each
# row's Polish is the catalog's sentence with the counted nouns in their plural forms (1
# rekord, 2 rekordy, 5 rekordów; 1 odrzucony rekord) joined as Polish lists them ("i").
POLISH_NOTE = ("payments: strumień nie jest odczytywany (payments = false), więc usunięto to, "
               "co zapisały z niego wcześniejsze synchronizacje ({held}); po ponownym "
               "włączeniu zostanie odczytany w całości")


@pytest.mark.parametrize(
    ("payments", "held"),
    [
        (["P1"], "1 rekord"),
        (["P1", "P2", "bad"], "2 rekordy i 1 odrzucony rekord"),
        (["P1", "P2", "P3", "P4", "P5"], "5 rekordów"),
        (["P1", "P2", "P3", "P4", "P5", "bad"], "5 rekordów i 1 odrzucony rekord"),
    ],
)
def test_the_note_of_a_stream_turned_off_is_said_in_polish(
    store: Store, payments: list[str], held: str
) -> None:
    pages = {"customers": ["c1"], "payments": payments}
    store.sync(ToggleConnector(pages=pages))
    with using("pl"):
        result = store.sync(ToggleConnector(pages=pages, payments=False))
    (turned_off,) = [s for s in result.streams if s.stream == "payments"]
    assert turned_off.notes == (POLISH_NOTE.format(held=held),)
