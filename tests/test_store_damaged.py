"""A store file damaged below the rows: a corrupted page, a truncated file, a broken header
(a disk that failed, a copy cut short, a file edited with a hex editor).

Every read says the store is damaged and what to do, as a StoreError (the command's exit 2 and
one line), never a raw ``sqlite3.DatabaseError`` (a traceback, exit 70); and a file that is
an SQLite store cut short is told apart from a file that is no SQLite database at all. The
byte layout used to damage a page is SQLite's file format (https://sqlite.org/fileformat.html):
a 100-byte header on page 1, the page size as a big-endian 2-byte integer at offset 16, and
each b-tree page starting with its type byte (2, 5, 10 or 13)."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import i18n
from clientguard.connector import Connector, ConnectorOptions, Mapped, RawPage, RawRecord, Stream
from clientguard.errors import StoreError
from clientguard.model import AnyRecord, Customer, Invoice
from clientguard.money import RateRow
from clientguard.records import Location
from clientguard.store import Store

NOW = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
HEADER = b"SQLite format 3\x00"
DAMAGED = "restore the store from a backup, or sync into a new store"


class RecordsOptions(ConnectorOptions):
    records: list[Any]


class RecordsConnector(Connector):
    """Yields the customers and invoices it is given, each with its line in a file."""

    name: ClassVar[str] = "records"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="invoices", kind="invoice", id_field="id"),
    )
    Options = RecordsOptions
    options: RecordsOptions

    def __init__(self, records: list[AnyRecord]) -> None:
        super().__init__(clock=lambda: NOW, records=records)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        rows = [r for r in self.options.records if f"{r.kind}s" == stream.name]
        yield RawPage(tuple(
            RawRecord({"record": r, "id": getattr(r, "id", None)},
                      Location(file=f"{stream.name}.csv", line=line))
            for line, r in enumerate(rows, start=2)
        ))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        record: AnyRecord = raw["record"]
        return record


def books(invoices: int) -> list[AnyRecord]:
    return [
        Customer(id="c1", name="Acme", source="records"),
        *(Invoice(id=f"I-{n}", customer_id="c1", number=f"{n}/2025",
                  issue_date=date(2025, 5, 1), due_date=date(2025, 5, 31), currency="EUR",
                  total=Decimal(f"{n}.00"), status="open", source="records")
          for n in range(1, invoices + 1)),
    ]


@pytest.fixture(scope="module")
def sound(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A closed store of 3,000 invoices (about 400 pages), with rates and a saved review."""
    path = tmp_path_factory.mktemp("sound") / "clientguard.db"
    with Store.open(path) as store:
        store.sync(RecordsConnector(books(3000)))
        store.save_rates("ecb", [RateRow("ecb", "EUR", "USD", date(2025, 5, 1),
                                         Decimal("1.1"), date(2025, 5, 1))])
        store.save_review(as_of=date(2025, 6, 30), policy_digest="p", version="1",
                          report="{}", summary={}, clients=[])
    assert not path.with_name(path.name + "-wal").exists()  # closed: all in the file
    return path


@pytest.fixture
def copy(sound: Path, tmp_path: Path) -> Path:
    path = tmp_path / "clientguard.db"
    shutil.copy(sound, path)
    return path


def roots(path: Path, table: str) -> tuple[list[int], int]:
    """The offsets of the b-tree page headers of ``table``'s root page and of its indexes'
    (a query may read an index only), and the page size."""
    db = sqlite3.connect(path)
    try:
        size = db.execute("PRAGMA page_size").fetchone()[0]
        pages = [row[0] for row in db.execute(
            "SELECT rootpage FROM sqlite_master WHERE tbl_name = ? AND rootpage > 0", (table,))]
    finally:
        db.close()
    # Page 1 holds the 100-byte file header before its b-tree header.
    return [(page - 1) * size + (100 if page == 1 else 0) for page in pages], size


def break_page(path: Path, table: str) -> None:
    """Overwrite the type byte of ``table``'s root pages with one no b-tree page has."""
    offsets, _ = roots(path, table)
    assert offsets
    with path.open("r+b") as file:
        for offset in offsets:
            file.seek(offset)
            file.write(b"\xff")


READS: dict[str, Callable[[Store], object]] = {
    "load": lambda s: s.load(base_currency="EUR", strict=False),
    "records": lambda s: list(s.records()),
    "customers": lambda s: s.customers(),
    "currencies": lambda s: s.currencies(),
    "first_document_date": lambda s: s.first_document_date(),
    "rejections": lambda s: s.rejections(),
    "state": lambda s: s.state("records"),
    "status": lambda s: s.status(),
    "warnings": lambda s: s.warnings(),
    "sources": lambda s: s.sources(),
    "notes": lambda s: s.notes(),
    "rates": lambda s: s.rates(),
    "rates_summary": lambda s: s.rates_summary(),
    "saved_reviews": lambda s: s.saved_reviews(),
    "review_report": lambda s: s.review_report(1),
}

# Each read, with a table it cannot do without (its root page is the one broken).
CASES = [
    ("records", "load"), ("records", "records"), ("records", "customers"),
    ("records", "currencies"), ("records", "first_document_date"),
    ("rejections", "load"), ("rejections", "rejections"),
    ("cursors", "state"), ("syncs", "status"), ("syncs", "warnings"),
    ("sources", "sources"), ("stream_notes", "notes"), ("rates", "rates"),
    ("rates", "rates_summary"), ("reviews", "saved_reviews"), ("reviews", "review_report"),
]


@pytest.mark.parametrize(("table", "read"), CASES, ids=[f"{t}-{r}" for t, r in CASES])
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_corrupted_page_is_a_store_error_saying_the_store_is_damaged(
    copy: Path, table: str, read: str, read_only: bool
) -> None:
    # Before: sqlite3.DatabaseError: database disk image is malformed, from each read.
    break_page(copy, table)

    with Store.open(copy, read_only=read_only) as store, pytest.raises(StoreError) as raised:
        READS[read](store)

    assert str(raised.value) == (
        f"the store {copy} is damaged: SQLite says database disk image is malformed; "
        f"{DAMAGED}")


def test_a_sync_into_a_store_with_a_corrupted_page_says_it_is_damaged(copy: Path) -> None:
    break_page(copy, "records")

    with Store.open(copy) as store, pytest.raises(StoreError, match="is damaged: SQLite"):
        store.sync(RecordsConnector(books(2)))


def test_a_corrupted_page_of_records_mid_read_is_a_store_error(copy: Path) -> None:
    # A page in the middle of the records, not their root: found after some records are
    # read (the generator has yielded them), still a StoreError.
    offsets, size = roots(copy, "records")
    data = bytearray(copy.read_bytes())
    middle = len(data) // size // 2 * size
    assert middle not in offsets
    data[middle] = 0xFF
    copy.write_bytes(bytes(data))

    with (Store.open(copy, read_only=True) as store,
          pytest.raises(StoreError, match="is damaged")):
        for _ in store.records():
            pass


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(at=st.floats(min_value=0.0, max_value=0.999), garbage=st.binary(min_size=1, max_size=64))
def test_bytes_overwritten_anywhere_past_the_header_never_escape_as_sqlite_errors(
    sound: Path, tmp_path_factory: pytest.TempPathFactory, at: float, garbage: bytes
) -> None:
    path = tmp_path_factory.mktemp("overwritten") / "clientguard.db"
    data = bytearray(sound.read_bytes())
    offset = 100 + int(at * (len(data) - 100 - len(garbage)))
    data[offset:offset + len(garbage)] = garbage
    path.write_bytes(bytes(data))

    # Read fine (SQLite keeps no checksum of a page: a changed digit reads as another
    # digit), or a StoreError of one line; never another exception.
    errors = []
    try:
        with Store.open(path, read_only=True) as store:
            for read in READS.values():
                try:
                    read(store)
                except StoreError as exc:
                    errors.append(str(exc))
    except StoreError as exc:
        errors.append(str(exc))
    assert all("\n" not in error for error in errors), errors


# ----------------------------------------------------------------------- the file's header


def truncated(size: int) -> Callable[[bytes], bytes]:
    return lambda data: data[:size]


def page_size_of(value: int) -> Callable[[bytes], bytes]:
    return lambda data: data[:16] + value.to_bytes(2, "big") + data[18:]


@pytest.mark.parametrize(
    "change",
    [truncated(100), truncated(4106), truncated(770_048), page_size_of(3),
     page_size_of(1000)],
    ids=["cut-at-100", "cut-in-page-2", "cut-at-half", "page-size-3", "page-size-1000"],
)
@pytest.mark.parametrize("read_only", [False, True], ids=["read-write", "read-only"])
def test_a_store_cut_short_or_with_a_broken_header_is_damaged_not_another_file(
    copy: Path, change: Callable[[bytes], bytes], read_only: bool
) -> None:
    # Before: "is not a clientguard store (not an SQLite database)", which sent the user
    # looking for the wrong file.
    copy.write_bytes(change(copy.read_bytes()))
    before = copy.read_bytes()

    with pytest.raises(StoreError) as raised:
        Store.open(copy, read_only=read_only).close()

    text = str(raised.value)
    assert text.startswith(f"the store {copy} is damaged: SQLite says ")
    assert text.endswith(DAMAGED)
    assert copy.read_bytes() == before  # refused, never written to


@pytest.mark.parametrize(
    "content",
    [b"date,total\n2025-05-01,10.00\n" * 200, bytes(range(256)) * 40,
     HEADER[:15] + b"\x01" + bytes(4096)],
    ids=["a-csv", "binary", "almost-the-header"],
)
def test_a_file_that_is_no_sqlite_database_is_still_said_to_be_none(
    tmp_path: Path, content: bytes
) -> None:
    path = tmp_path / "invoices.db"
    path.write_bytes(content)

    with pytest.raises(StoreError) as raised:
        Store.open(path).close()

    assert str(raised.value) == (
        f"{path} is not a clientguard store (not an SQLite database)")
    assert path.read_bytes() == content


def test_the_damaged_store_is_said_in_polish_too(copy: Path) -> None:
    break_page(copy, "records")

    with (i18n.using("pl"), Store.open(copy, read_only=True) as store,
          pytest.raises(StoreError) as raised):
        store.load(base_currency="EUR", strict=False)

    assert str(raised.value) == (
        f"magazyn {copy} jest uszkodzony: SQLite zgłasza database disk image is malformed; "
        "odtwórz magazyn z kopii zapasowej albo zsynchronizuj dane do nowego magazynu")
