"""A review of several sources pulled directly (``review --source books --source archive``,
``Ledger.from_connector`` merged) is the review of the same sources synced into the store,
byte for byte: the sources' notes by source, each source's in its connector's order, and
each prefixed with the source's name (docs/sources.md, "Merging in any order")."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from clientguard import Ledger, review
from clientguard.cli import EXIT_OK, main
from clientguard.report.document import render_json
from clientguard.store import Store

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")
from clientguard_csv import CsvConnector

AS_OF = date(2026, 6, 30)

COLUMNS = {
    "customers": ("id", "name"),
    "invoices": ("id", "number", "customer_id", "issue_date", "due_date", "total", "currency"),
    "payments": ("id", "customer_id", "invoice_id", "date", "amount", "currency"),
}
MAPPING: dict[str, Any] = {
    "date_formats": ["iso"], "decimal": ".", "thousands": "",
    **{stream: {"columns": {c: c for c in columns}} for stream, columns in COLUMNS.items()},
}
MAPPING_TOML = 'date_formats = ["iso"]\ndecimal = "."\nthousands = ""\n' + "".join(
    f"[{stream}.columns]\n" + "".join(f'{c} = "{c}"\n' for c in columns)
    for stream, columns in COLUMNS.items())

# Two sources, each of files in cp1250 (Polish letters in a memo column): the connector
# notes that each file's encoding was a guess, one note a file, in the order it reads them:
# customers, then the invoices' files as listed (z before a); the payments' rows are ASCII (no
# note). Each source has three rows its connector rejects: a second, different customer of
# one id, a day that does not exist, a payment of an invoice no file holds.
SOURCES: dict[str, dict[str, list[tuple[str, list[str]]]]] = {
    "books": {
        "customers": [("customers.csv", ["c1,Łódź Sp. z o.o.", "c2,Żółw", "c1,Łódź S.A."])],
        "invoices": [
            ("z_invoices.csv", ["1,FV 1,c1,2026-03-01,2026-03-31,1000.00,EUR",
                                "2,FV 2,c1,2026-13-01,2026-04-30,500.00,EUR"]),
            ("a_invoices.csv", ["3,FV 3 zaległa,c2,2026-01-10,2026-02-09,300.00,EUR"]),
        ],
        "payments": [("payments.csv", ["p1,c1,99,2026-04-02,400.00,EUR",
                                       "p2,c2,3,2026-04-03,50.00,EUR"])],
    },
    "archive": {
        "customers": [("customers2.csv", ["k1,Kraków Sp. z o.o.", "k1,Kraków S.A."])],
        "invoices": [
            ("y_invoices.csv", ["7,FV 7,k1,2026-02-01,2026-03-03,700.00,EUR",
                                "8,FV 8,k1,2026-02-31,2026-03-03,1.00,EUR"]),
            ("b_invoices.csv", ["9,FV 9 żółć,k1,2026-01-10,2026-02-09,90.00,EUR"]),
        ],
        "payments": [("payments2.csv", ["q1,k1,98,2026-04-02,40.00,EUR",
                                        "q2,k1,7,2026-04-03,70.00,EUR"])],
    },
}


def exports(folder: Path, source: str) -> dict[str, list[Path]]:
    paths: dict[str, list[Path]] = {}
    for stream, files in SOURCES[source].items():
        memo = "paid" if stream == "payments" else "zażółć"
        for name, rows in files:
            path = folder / name
            path.write_bytes("\n".join([
                ",".join([*COLUMNS[stream], "memo"]), *(f"{row},{memo}" for row in rows), "",
            ]).encode("cp1250"))
            paths.setdefault(stream, []).append(path)
    return paths


def csv(folder: Path, source: str) -> CsvConnector:
    return CsvConnector(mapping=MAPPING, **exports(folder, source))


def notes(folder: str) -> list[str]:
    """By hand: each source's notes in its files' order, the sources by name (as the store
    lists them), each prefixed with its source's name; the files named as they were given
    (``folder`` before each name)."""
    return [
        f"{source}: {folder}{name}: read as cp1250, a guess from its bytes (set encoding in "
        "the mapping to be sure)"
        for source, names in (
            ("archive", ["customers2.csv", "y_invoices.csv", "b_invoices.csv"]),
            ("books", ["customers.csv", "z_invoices.csv", "a_invoices.csv"]))
        for name in names
    ]


@pytest.mark.parametrize("order", [("books", "archive"), ("archive", "books")])
def test_the_sources_ledgers_merged_are_the_stores_ledger_of_them_byte_for_byte(
    tmp_path: Path, order: tuple[str, str]
) -> None:
    """Before: the merge sorted the notes by their text (books' a_invoices.csv before its
    z_invoices.csv, the store the other way), and from_connector wrote "csv: " where the
    store writes the source's name ("books: ")."""
    first, second = (Ledger.from_connector(csv(tmp_path, source), base_currency="EUR",
                                           strict=False, source=source)
                     for source in order)
    direct = first.merge(second, strict=False)
    assert list(direct.report.notes) == notes(f"{tmp_path}/")
    # Three rejections a source, by source (archive first), each source's in the order read.
    assert [(r.source, r.kind) for r in direct.report.rejected] == [
        (source, kind) for source in ("archive", "books")
        for kind in ("customer", "invoice", "payment")]
    with Store.open(tmp_path / "clientguard.db") as store:
        for source in order:
            store.sync(csv(tmp_path, source), source=source)
        loaded = store.load(base_currency="EUR", strict=False)
    assert loaded.report.notes == direct.report.notes
    assert render_json(review(loaded, as_of=AS_OF)) == render_json(review(direct, as_of=AS_OF))


def test_one_source_pulled_directly_says_its_notes_as_the_store_does(tmp_path: Path) -> None:
    """Before: ``Ledger.from_connector(conn, source="books")`` said "csv: customers.csv:
    ...", the store "books: customers.csv: ...": the two reviews differed."""
    direct = Ledger.from_connector(csv(tmp_path, "books"), base_currency="EUR", strict=False,
                                   source="books")
    assert list(direct.report.notes) == notes(f"{tmp_path}/")[3:]
    with Store.open(tmp_path / "clientguard.db") as store:
        store.sync(csv(tmp_path, "books"), source="books")
        loaded = store.load(base_currency="EUR", strict=False)
    assert render_json(review(loaded, as_of=AS_OF)) == render_json(review(direct, as_of=AS_OF))


def test_review_of_two_sources_is_the_review_after_sync_byte_for_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line: ``review --source books --source archive`` (each source pulled and
    built, then merged) against ``sync`` then ``review`` (one load of the store)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING_TOML)
    config = 'base_currency = "EUR"\n'
    for source in ("books", "archive"):  # books first in the config: the store sorts by name
        files = {stream: [p.name for p in paths]
                 for stream, paths in exports(tmp_path, source).items()}
        config += (f'\n[sources.{source}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
                   + "".join(f"{stream} = {json.dumps(names)}\n"
                             for stream, names in files.items()))
    (tmp_path / "clientguard.toml").write_text(config)
    review_args = ["review", "--as-of", AS_OF.isoformat(), "--format", "json", "--quiet"]
    code = main([*review_args, "--source", "books", "--source", "archive"])
    direct, err = capsys.readouterr()
    assert code == EXIT_OK, err
    document = json.loads(direct)
    assert [n for n in document["data_quality"]["notes"] if "cp1250" in n] == notes("")
    assert document["data_quality"]["rejected"] == 6
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    code = main(review_args)
    stored, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert stored == direct
