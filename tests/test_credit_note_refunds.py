"""A credit note paid back to the client in cash is no longer credit the firm owes.

Before ``CreditNote.refunds`` existed, a credit note refunded in cash (Xero's credit note
``Payments``, a QuickBooks credit memo paid back by cheque, a Stripe credit note's refund)
stayed whole in the client's ``unapplied_credit``. These tests pin the rule end to end: the
model's checks, the payment profile as of a date (a refund dated after ``as_of`` does not
count yet), the builder, the store (and a store written before the field), and the lake.
Every expected figure is worked by hand in the comment beside it.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Mapping
from contextlib import closing
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.connector import Connector, ConnectorOptions, Mapped, RawPage, RawRecord, Stream
from clientguard.errors import DataError
from clientguard.model import CreditNote, Refund
from clientguard.settlement import unapplied_cash
from clientguard.store import SCHEMA_VERSION, Store
from clientguard.testing import credit_note, customer, invoice, ledger

ISSUED = date(2025, 3, 1)


def owed(book: cg.Ledger, as_of: date, client: str = "acme") -> Decimal:
    """The client's unapplied credit in its payment profile as of ``as_of`` (0 when none)."""
    profile = cg.payment_profiles(book, as_of=as_of).get(client)
    return Decimal(0) if profile is None else profile.unapplied_credit


# ----------------------------------------------------------------------------- the model


@pytest.mark.parametrize(
    ("refunds", "allocated", "field", "reason"),
    [
        pytest.param([{"amount": "101.00"}], None, "refunds",
                     "refunds sum to 101.00, more than the credit note total of 100.00",
                     id="more-than-the-total"),
        pytest.param([{"amount": "30.00"}, {"amount": "30.00"}], "50.00", "refunds",
                     "refunds (60.00) and allocations (50.00) sum to 110.00, more than the "
                     "credit note total of 100.00", id="refunded-and-applied-past-the-total"),
        pytest.param([{"amount": "-5.00"}], None, "refunds.0.amount", "is negative",
                     id="negative"),
        pytest.param([{"amount": 5.5}], None, "refunds.0.amount", "float",
                     id="a-float-is-no-money"),
        pytest.param([{"amount": "5.00", "date": date(3000, 1, 1)}], None, "refunds.0.date",
                     "outside the dates a record may carry", id="a-placeholder-date"),
        pytest.param([{"amount": "5.00", "to": "bank"}], None, "refunds.0.to",
                     "is not a field", id="an-unknown-field"),
    ],
)
def test_a_refund_the_credit_note_cannot_hold_is_refused_naming_the_field(
    refunds: list[dict[str, Any]], allocated: str | None, field: str, reason: str
) -> None:
    with pytest.raises(DataError) as caught:
        CreditNote(id="CN-1", customer_id="acme", issue_date=ISSUED, total=Decimal("100.00"),
                   currency="EUR", source="test", refunds=refunds,
                   allocations=[] if allocated is None else
                   [{"invoice_id": "INV-1", "amount": allocated}])
    (problem,) = caught.value.problems
    assert (problem.kind, problem.record_id, problem.field) == ("credit_note", "CN-1", field)
    assert reason in problem.reason


def test_refunds_and_allocations_may_use_the_whole_credit() -> None:
    target = invoice("acme", id="INV-1", issued="2025-02-01", total="100.00")
    note = credit_note("acme", issued=ISSUED, total="100.00", applies_to=[(target, "40.00")],
                       refunded=[("2025-03-10", "35.00"), ("2025-03-11", "25.00")])
    assert [(r.date, r.amount) for r in note.refunds] == [
        (date(2025, 3, 10), Decimal("35.00")), (date(2025, 3, 11), Decimal("25.00"))]


def test_a_credit_note_without_refunds_has_none() -> None:
    # The field is additive: every credit note made without it (a connector, a CSV row, a
    # stored record) has paid nothing back.
    assert credit_note("acme", issued=ISSUED, total="10.00").refunds == ()
    assert cg.Refund is Refund


# ----------------------------------------------------------------------------- unapplied credit


def refunded_book() -> cg.Ledger:
    """Credit of 100.00 issued 1 March: 40.00 applied to INV-1 on 5 March, 30.00 paid back on
    10 March, 20.00 on 10 April; 10.00 still owed after that."""
    target = invoice("acme", id="INV-1", issued="2025-02-01", due="2025-02-28", total="100.00")
    note = credit_note("acme", id="CN-1", issued=ISSUED, total="100.00",
                       applies_to=[(target, "40.00")], applied_on="2025-03-05",
                       refunded=[("2025-03-10", "30.00"), ("2025-04-10", "20.00")])
    return ledger(customer("acme"), target, note)


@pytest.mark.parametrize(
    ("as_of", "expected"),
    [
        (date(2025, 2, 28), "0"),  # not issued yet: no credit at all
        (date(2025, 3, 1), "100.00"),  # issued; nothing applied or paid back yet
        (date(2025, 3, 5), "60.00"),  # 100.00 - 40.00 applied
        (date(2025, 3, 10), "30.00"),  # 60.00 - 30.00 paid back
        (date(2025, 4, 9), "30.00"),  # the second refund is still to come
        (date(2025, 4, 10), "10.00"),  # 30.00 - 20.00 paid back
        (date(2026, 1, 1), "10.00"),
    ],
)
def test_unapplied_credit_leaves_out_what_was_paid_back_by_as_of(
    as_of: date, expected: str
) -> None:
    assert owed(refunded_book(), as_of) == Decimal(expected)


def test_a_credit_paid_back_in_full_is_no_unapplied_credit() -> None:
    note = credit_note("acme", id="CN-2", issued=ISSUED, total="50.00", refunded="50.00")
    book = ledger(customer("acme"), note)
    # Undated: paid back from the credit note's own date on.
    assert owed(book, ISSUED) == 0
    assert "acme" not in unapplied_cash(book, as_of=ISSUED)
    # Revenue is still lowered by the whole credit note: the refund does not undo it.
    assert book.credit_note("CN-2").total == Decimal("50.00")


def test_a_refund_dated_before_the_credit_note_counts_from_the_credit_notes_date() -> None:
    note = credit_note("acme", issued=ISSUED, total="50.00", refunded=[("2025-02-20", "20.00")])
    book = ledger(customer("acme"), note)
    assert owed(book, date(2025, 2, 25)) == 0  # no credit note yet, so nothing owed
    assert owed(book, ISSUED) == Decimal("30.00")  # 50.00 - 20.00


def test_unapplied_credit_in_another_currency_is_what_is_left_at_the_notes_rate() -> None:
    note = credit_note("acme", issued=ISSUED, total="100.00", currency="USD", fx_rate="0.9",
                       refunded=[("2025-03-02", "40.00")])
    book = ledger(customer("acme"), note, base_currency="EUR")
    # (100.00 - 40.00) USD x 0.9 = 54.00 EUR.
    assert owed(book, date(2025, 3, 2)) == Decimal("54.000")


@settings(max_examples=150, deadline=None)
@given(
    total=st.integers(min_value=1, max_value=100_000),
    parts=st.lists(st.tuples(st.integers(0, 40), st.integers(1, 100), st.booleans()),
                   max_size=6),
    day=st.integers(0, 45),
)
def test_unapplied_credit_is_never_negative_and_never_grows_with_time(
    total: int, parts: list[tuple[int, int, bool]], day: int
) -> None:
    # Each part: (days after issue, share of what is left in %, refund or allocation).
    target = invoice("acme", id="INV-1", issued="2025-02-01", total=str(total))
    left = total
    allocations: list[tuple[Any, str]] = []
    refunds: list[tuple[date, str]] = []
    applied_on = []
    for offset, share, is_refund in parts:
        amount = left * share // 100
        left -= amount
        on = date.fromordinal(ISSUED.toordinal() + offset)
        if is_refund:
            refunds.append((on, str(amount)))
        else:
            allocations.append((target, str(amount)))
            applied_on.append(on)
    note = CreditNote(
        id="CN", customer_id="acme", issue_date=ISSUED, total=Decimal(total), currency="EUR",
        source="test", refunds=[{"amount": a, "date": d} for d, a in refunds],
        allocations=[{"invoice_id": "INV-1", "amount": a, "date": d}
                     for (_, a), d in zip(allocations, applied_on, strict=True)],
    )
    book = ledger(customer("acme"), target, note)
    as_of = date.fromordinal(ISSUED.toordinal() + day)
    now, later = owed(book, as_of), owed(book, date.fromordinal(as_of.toordinal() + 1))
    assert Decimal(0) <= later <= now <= Decimal(total)
    # Past every date, what is owed is the total less everything applied or paid back.
    assert owed(book, date(2026, 1, 1)) == left


# ----------------------------------------------------------------------------- the store


class NotesOptions(ConnectorOptions):
    pages: dict[str, list[list[dict[str, Any]]]]


class NotesConnector(Connector):
    """Credit notes (with their refunds) from memory, incremental by ``updated``."""

    name: ClassVar[str] = "xero"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="credit_notes", kind="credit_note", id_field="id", cursor_field="updated"),
        Stream(name="customers", kind="customer", id_field="id", cursor_field="updated"),
    )
    Options = NotesOptions
    options: NotesOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: datetime(2025, 6, 1, tzinfo=UTC), **options)
        self.since: dict[str, datetime | None] = {}

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        self.since[stream.name] = since
        for page in self.options.pages.get(stream.name, []):
            yield RawPage(tuple(RawRecord(raw) for raw in page))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return cg.Customer(id=raw["id"], name="Acme", source=self.name)
        return CreditNote(id=raw["id"], customer_id="acme", issue_date=ISSUED,
                          total=Decimal("100.00"), currency="EUR", source=self.name,
                          refunds=raw.get("refunds", ()))


def notes(*refunds: dict[str, Any]) -> NotesConnector:
    return NotesConnector(pages={
        "customers": [[{"id": "acme", "updated": "2025-05-01T00:00:00+00:00"}]],
        "credit_notes": [[{"id": "CN-1", "updated": "2025-05-02T00:00:00+00:00",
                           "refunds": list(refunds)}]],
    })


def test_the_store_keeps_a_credit_notes_refunds(tmp_path: Path) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(notes({"amount": "30.00", "date": "2025-03-10"}, {"amount": "5.00"}))
        for _ in range(2):  # read back validated, then trusted (the sync vouched for them)
            book = store.load(base_currency="EUR")
            assert book.credit_note("CN-1").refunds == (
                Refund(amount=Decimal("30.00"), date=date(2025, 3, 10)),
                Refund(amount=Decimal("5.00")))
            # 100.00 - 30.00 - 5.00
            assert owed(book, date(2025, 3, 10)) == Decimal("65.00")


def test_a_store_written_before_refunds_reads_them_as_none_and_rereads_credit_notes(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cg.db"
    with Store.open(path) as store:
        store.sync(notes())
    # Make it the store an earlier clientguard wrote: schema version 4, credit notes stored
    # without the field, a cursor on every stream, and a CSV source's credit notes too.
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("UPDATE records SET data = json_remove(data, '$.refunds')")
        db.execute("INSERT INTO sources (source, connector) VALUES ('sheet', 'csv')")
        db.execute("INSERT INTO cursors (source, stream, cursor, sync_id) VALUES "
                   "('sheet', 'credit_notes', '2025-05-02T00:00:00+00:00', 1)")
        db.execute("PRAGMA user_version = 4")
        (old,) = db.execute("SELECT data FROM records WHERE kind = 'credit_note'").fetchone()
        assert "refunds" not in old
    with Store.open(path) as store:
        assert store.schema_version == SCHEMA_VERSION == 12
        (data,) = store._db.execute(
            "SELECT data FROM records WHERE kind = 'credit_note'").fetchone()
        note = store.load(base_currency="EUR").credit_note("CN-1")
        assert note.refunds == ()
        # Stored as this clientguard writes it: trusted at load, unchanged at the next sync.
        assert data == note.model_dump_json()
        cursors = dict(store._db.execute(
            "SELECT source || '/' || stream, cursor FROM cursors").fetchall())
        # Xero's credit notes are read in full next time (a refund made before the upgrade
        # changed nothing an incremental read would see), and since schema 9 every Xero
        # stream (records an earlier clientguard rejected or stored wrong); the CSV source
        # keeps its cursor.
        assert set(cursors) == {"sheet/credit_notes"}
        connector = notes({"amount": "100.00", "date": "2025-04-01"})
        result = store.sync(connector)
        assert connector.since["credit_notes"] is None
        assert connector.since["customers"] is None
        assert (result.updated, result.unchanged) == (1, 1)
        assert owed(store.load(base_currency="EUR"), date(2025, 4, 1)) == 0


# ----------------------------------------------------------------------------- the lake


def test_the_lake_keeps_refunds_and_a_lake_without_them_reads_as_none(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="the lake needs clientguard[parquet]")
    from clientguard.portfolio import read_firm, write_firm

    book = refunded_book()
    write_firm(tmp_path, "acme", book.records(), base_currency="EUR")
    read = read_firm(tmp_path, "acme")
    assert read.report.rejected == ()
    assert read.credit_note("CN-1").refunds == book.credit_note("CN-1").refunds
    assert owed(read, date(2025, 3, 10)) == Decimal("30.00")  # as for the ledger written
    # A lake written before the refunds table existed: the credit note has none.
    for part in (tmp_path / "refunds").rglob("*.parquet"):
        part.unlink()
    assert read_firm(tmp_path, "acme").credit_note("CN-1").refunds == ()


def test_a_refund_row_of_a_credit_note_the_lake_lacks_is_a_rejection(tmp_path: Path) -> None:
    pytest.importorskip("pyarrow", reason="the lake needs clientguard[parquet]")
    import pyarrow.parquet as pq

    from clientguard.portfolio import read_firm, write_firm

    book = refunded_book()
    write_firm(tmp_path, "acme", book.records(), base_currency="EUR")
    kept = [r for r in book.records() if not isinstance(r, CreditNote)]
    refunds = tmp_path / "refunds" / "firm_id=acme" / "part-0.parquet"
    saved = pq.read_table(refunds)
    write_firm(tmp_path, "acme", kept, base_currency="EUR")
    # The refunds of a lake another tool wrote: without clientguard's export digest (a file
    # of another clientguard export would be refused whole, docs/portfolio.md).
    metadata = {k: v for k, v in (saved.schema.metadata or {}).items()
                if k != b"clientguard.export"}
    pq.write_table(saved.replace_schema_metadata(metadata), refunds)
    rejected = read_firm(tmp_path, "acme").report.rejected
    # One rejection for the credit note's two refund rows, naming where the first one is.
    (rejection,) = rejected
    assert (rejection.kind, rejection.field) == ("refund", "credit_note_id")
    assert rejection.reason == (
        "the credit note 'CN-1' it belongs to is not in the credit_notes table")
    assert rejection.location == cg.Location(file="refunds/firm_id=acme/part-0.parquet",
                                             detail="row 1")
