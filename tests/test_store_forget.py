"""A source taken out of clientguard.toml, or renamed, can be forgotten (``clientguard store``).

A review reads every source the store holds: a source renamed in the config is counted twice,
under its old name and its new one, and one taken out of the config is counted still. ``clientguard
store`` says which stored sources the config no longer defines, a review warns about them, and
``clientguard store forget NAME --yes`` (``Store.forget``) removes every trace of one in one
transaction, leaving the other sources, the saved reviews and the exchange rates as they were.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest

from clientguard import store as store_module
from clientguard.cli import main
from clientguard.errors import StoreError
from clientguard.store import Store

#: Three invoices of two clients, and a row the connector rejects (its total is no amount).
INVOICES = (
    "Number,Client,Issued,Due,Total,Paid\n"
    "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n"
    "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
    "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
    "B-2,Birch,2025-01-11,2025-02-10,lots,\n"
)


def configure(folder: Path, *sources: str) -> None:
    """A clientguard.toml whose sources (each the CSV connector on the same export) are
    ``sources``."""
    tables = "".join(
        f'[sources.{name}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
        'invoices = ["invoices.csv"]\n'
        for name in sources
    )
    (folder / "clientguard.toml").write_text(
        f'base_currency = "EUR"\nstore = "data/clientguard.db"\n{tables}')


@pytest.fixture
def folder(csv_books: Callable[..., Path]) -> Path:
    books = csv_books()
    (books / "invoices.csv").write_text(INVOICES)
    return books


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def renamed(folder: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """A store synced as source ``books``, then again after the config renamed it ``ksiegi``:
    both names hold the same three invoices."""
    configure(folder, "books")
    assert run(capsys, "sync", "--quiet")[0] == 0
    configure(folder, "ksiegi")
    assert run(capsys, "sync", "--quiet")[0] == 0
    return folder / "data" / "clientguard.db"


def rows_of(path: Path) -> dict[str, dict[str, list[tuple[Any, ...]]]]:
    """Every row of every table that has a ``source`` column, by table and source (``rates``,
    whose sources are banks and files, included)."""
    with closing(sqlite3.connect(path)) as db:
        tables = [name for (name,) in db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")]
        found: dict[str, dict[str, list[tuple[Any, ...]]]] = {}
        for table in tables:
            columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
            if "source" not in columns:
                continue
            for row in sorted(db.execute(f"SELECT * FROM {table}"), key=repr):
                source = row[columns.index("source")]
                found.setdefault(table, {}).setdefault(source, []).append(row)
        return found


def invoices_by_source(path: Path) -> dict[str, int]:
    with Store.open(path, read_only=True) as store:
        ledger = store.load(base_currency="EUR", strict=False)
        counts: dict[str, int] = {}
        for invoice in ledger.invoices:
            counts[invoice.source] = counts.get(invoice.source, 0) + 1
        return counts


# ----------------------------------------------------------------------- Store.forget


def with_links_and_notes(path: Path, source: str) -> None:
    """What a source of an API holds besides records and rejections: a recorded account,
    derived records' links and a stream's note (written as the sync writes them)."""
    with closing(sqlite3.connect(path)) as db, db:
        db.execute("INSERT INTO source_identities (source, digests) VALUES (?, ?)",
                   (source, json.dumps({"account": "scrypt1:00"})))
        db.execute("INSERT INTO record_origins (source, stream, origin, kind, record_id) "
                   "VALUES (?, 'invoices', 'A-1', 'customer', 'Acme')", (source,))
        db.execute("INSERT INTO stream_notes (source, stream, note) "
                   "VALUES (?, 'invoices', 'read as cp1250')", (source,))
        db.execute("INSERT INTO rates (source, base, currency, published, applies_from, rate) "
                   "VALUES (?, 'EUR', 'PLN', '2025-01-02', '2025-01-02', '4.27')", (source,))


def test_forget_removes_every_trace_of_the_source_and_nothing_of_the_others(
    renamed: Path,
) -> None:
    with_links_and_notes(renamed, "books")
    before = rows_of(renamed)
    assert {"records", "rejections", "syncs", "sources", "source_identities",
            "record_origins", "stream_notes"} <= {
        table for table, by_source in before.items() if "books" in by_source}
    assert invoices_by_source(renamed) == {"books": 3, "ksiegi": 3}  # counted twice

    with Store.open(renamed) as store:
        removed = store.forget("books")

    # Two customers and three invoices (the rejected row is a rejection, not a record).
    assert removed == {"customer": 2, "invoice": 3}
    after = rows_of(renamed)
    assert not [table for table, by_source in after.items()
                if table != "rates" and "books" in by_source]
    # The other source, and the exchange rates (the store's, whatever their source is
    # called), row for row as they were.
    for table, by_source in before.items():
        for source, rows in by_source.items():
            if source != "books" or table == "rates":
                assert after[table][source] == rows
    assert invoices_by_source(renamed) == {"ksiegi": 3}


def test_a_source_the_store_does_not_hold_is_refused_with_the_ones_it_holds(
    renamed: Path,
) -> None:
    before = rows_of(renamed)
    with Store.open(renamed) as store, pytest.raises(StoreError) as caught:
        store.forget("book")
    assert "holds no source 'book' (it holds books, ksiegi): nothing was removed" in str(
        caught.value)
    assert rows_of(renamed) == before


def test_forget_waits_for_a_running_sync_and_removes_nothing_while_it_runs(
    renamed: Path,
) -> None:
    before = rows_of(renamed)
    with (Store.open(renamed) as store,
          store_module._SyncLock(renamed, wait=0, holder="ksiegi"),
          pytest.raises(StoreError, match="another clientguard sync is writing")):
        store.forget("books")
    assert rows_of(renamed) == before


def test_a_trusted_store_stays_trusted_after_a_source_is_forgotten(renamed: Path) -> None:
    # The store loads what this clientguard checked without checking it again (issue 21);
    # removing a source's records leaves the others as checked as they were.
    with Store.open(renamed) as store:
        assert store._trusted()
        store.forget("ksiegi")  # the source of the last sync
        assert store._trusted()
        store.forget("books")  # the last source: no sync left to vouch through
        assert not store._trusted()
        assert store.status() == ()


def test_a_forgotten_source_synced_again_starts_from_nothing(
    renamed: Path, capsys: pytest.CaptureFixture[str], folder: Path
) -> None:
    with Store.open(renamed) as store:
        store.forget("ksiegi")
    code, out, _ = run(capsys, "sync")
    assert code == 0
    assert "ksiegi (csv)" in out
    assert "5 new, 0 updated, 0 unchanged, 1 rejected" in out
    assert invoices_by_source(renamed) == {"books": 3, "ksiegi": 3}


# -------------------------------------------------------------------- clientguard store


def test_store_status_names_the_sources_the_config_no_longer_defines(
    renamed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "store")
    assert code == 0
    assert err == ""
    books, ksiegi = out.splitlines()
    assert books.startswith("books (csv): 2 customer, 3 invoice; 1 rejected record; last sync ")
    assert books.endswith(", complete; not a source of clientguard.toml: a review reads it too "
                          "(clientguard store forget books --yes removes it)")
    assert ksiegi.startswith("ksiegi (csv): 2 customer, 3 invoice; 1 rejected record; ")
    assert "not a source" not in ksiegi


def test_a_review_of_a_store_with_a_source_the_config_no_longer_defines_warns(
    renamed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == 0
    assert ("warning: the store holds the source books, which clientguard.toml does not "
            "define (renamed, or taken out of it): the review counts its records too; if they "
            "are not wanted, remove them with clientguard store forget books --yes") in err
    assert "ksiegi, which" not in err


def test_forget_without_yes_says_what_it_would_remove_and_removes_nothing(
    renamed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = rows_of(renamed)
    code, out, _ = run(capsys, "store", "forget", "books")
    assert code == 0
    assert out == ("clientguard store forget would remove the source books (csv): 2 customer, "
                   "3 invoice; nothing was removed: run it again with --yes to remove them\n")
    assert rows_of(renamed) == before


def test_forget_with_yes_removes_the_source_and_the_review_no_longer_warns(
    renamed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "store", "forget", "books", "--yes")
    assert code == 0
    assert err == ""
    assert out == "removed the source books from data/clientguard.db: 2 customer, 3 invoice\n"
    assert invoices_by_source(renamed) == {"ksiegi": 3}
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == 0
    assert "does not define" not in err


def test_forgetting_a_source_the_config_still_defines_says_the_next_sync_reads_it_again(
    renamed: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "store", "forget", "ksiegi", "--yes")
    assert code == 0
    assert ("warning: ksiegi is still a source of clientguard.toml: the next clientguard sync "
            "reads it again; take its [sources.ksiegi] table out to keep it out") in err


@pytest.mark.parametrize(("argv", "expected"), [
    (("store", "forget", "book", "--yes"),
     "the store data/clientguard.db holds no source 'book' (it holds books, ksiegi): nothing "
     "was removed"),
    (("store", "forget", "book"),
     "the store data/clientguard.db holds no source 'book' (it holds books, ksiegi): nothing "
     "was removed"),
    (("store", "forget"),
     "clientguard store forget needs the name of the source to remove (clientguard store "
     "lists them)"),
    (("store", "status", "books"), "clientguard store status takes no source name"),
])
def test_a_wrong_forget_is_a_usage_error_that_removes_nothing(
    renamed: Path, capsys: pytest.CaptureFixture[str], argv: tuple[str, ...], expected: str
) -> None:
    before = rows_of(renamed)
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert expected in err
    assert rows_of(renamed) == before


def test_store_status_of_an_empty_store_and_of_no_store(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    configure(folder, "books")
    code, _, err = run(capsys, "store")
    assert code == 2
    assert "there is no store at data/clientguard.db" in err
    with Store.open(folder / "data" / "clientguard.db"):
        pass
    code, out, _ = run(capsys, "store")
    assert code == 0
    assert out == "The store data/clientguard.db holds no source yet: clientguard sync fills it.\n"


def test_without_sources_in_the_config_no_stored_source_is_said_to_be_outside_it(
    folder: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A store filled by `sync --source csv --option ...` and no [sources] table: nothing to
    # compare with.
    code, _, _ = run(capsys, "sync", "--quiet", "--source", "csv",
                     "--option", "mapping=mapping.toml", "--option", "invoices=invoices.csv")
    assert code == 0
    code, out, _ = run(capsys, "store")
    assert code == 0
    assert out.startswith("csv (csv): 2 customer, 3 invoice;")
    assert "not a source" not in out
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == 0
    assert "does not define" not in err


def test_store_speaks_polish(renamed: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "--lang", "pl", "store", "forget", "books")
    assert code == 0
    assert out == ("clientguard store forget usunęłoby źródło books (csv): 2 klientów, "
                   "3 faktury; nic nie zostało usunięte: aby je usunąć, uruchom polecenie ponownie "
                   "z --yes\n")
    code, out, _ = run(capsys, "--lang", "pl", "store")
    assert "1 odrzucony rekord; ostatnia synchronizacja " in out
    assert "nie jest źródłem w clientguard.toml" in out


def test_an_untrusted_stores_stamp_goes_with_a_forgotten_source(renamed: Path) -> None:
    # Sync ids are given again once the last syncs are removed: a stamp left behind could
    # later match a sync by another clientguard that failed before vouching for its records.
    with closing(sqlite3.connect(renamed)) as db, db:
        db.execute("UPDATE meta SET value = json_set(value, '$.digest', 'another build') "
                   "WHERE key = ?", (store_module._VOUCHED,))
    with Store.open(renamed) as store:
        assert not store._trusted()
        store.forget("ksiegi")
        assert store._vouched() is None
        assert not store._trusted()
