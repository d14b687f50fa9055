"""A review of several sources pulled directly (``review --source books --source archive``,
``Ledger.from_connector`` merged) is the review of the same sources synced into the store,
byte for byte: the sources' notes by source, each source's in its connector's order, and
each prefixed with the source's name (docs/sources.md, "Merging in any order")."""

from __future__ import annotations

import json
from datetime import date
from itertools import permutations
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
    "time_entries": ("customer_name", "date", "hours", "person"),
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


# The same sources with rows their connector takes and the ledger's build rejects (no row
# the CSV connector can check within its files): in each source, an invoice in a currency
# without a rate (no FxTable), a payment allocated to it (to an invoice not in the ledger), a
# payment over-applying an invoice; and a third source, a time sheet without customers, whose
# entries name their clients: one a customer of books' (Żółw), one of archive's (Kraków S.A.:
# archive's k1, "Kraków Sp. z o.o.", its legal suffix aside), one no one's (Nikt).
REJECTED_AT_BUILD: dict[str, dict[str, list[tuple[str, list[str]]]]] = {
    "books": {
        **SOURCES["books"],
        "invoices": [
            *SOURCES["books"]["invoices"],
            ("c_invoices.csv", ["5,FV 5,c1,2026-01-11,2026-02-10,40.00,USD"]),
        ],
        "payments": [("payments.csv", [
            "p1,c1,99,2026-04-02,400.00,EUR", "p2,c2,3,2026-04-03,50.00,EUR",
            "p3,c2,3,2026-04-04,300.00,EUR", "p5,c1,5,2026-04-05,10.00,EUR"])],
    },
    "archive": {
        **SOURCES["archive"],
        "invoices": [
            *SOURCES["archive"]["invoices"],
            ("d_invoices.csv", ["10,FV 10,k1,2026-01-12,2026-02-11,20.00,GBP"]),
        ],
        "payments": [("payments2.csv", [
            "q1,k1,98,2026-04-02,40.00,EUR", "q2,k1,7,2026-04-03,70.00,EUR",
            "q3,k1,7,2026-04-04,650.00,EUR", "q4,k1,10,2026-04-05,5.00,EUR"])],
    },
    "hours": {
        "time_entries": [("sheet.csv", [
            "Żółw,2026-03-02,2.5,Ann", "Nikt,2026-03-03,1.5,Ann",
            "Kraków S.A.,2026-03-04,4,Ola"])],
    },
}


def exports(folder: Path, source: str,
            sources: dict[str, dict[str, list[tuple[str, list[str]]]]] = SOURCES,
            ) -> dict[str, list[Path]]:
    paths: dict[str, list[Path]] = {}
    for stream, files in sources[source].items():
        memo = "paid" if stream == "payments" else "zażółć"
        for name, rows in files:
            path = folder / name
            path.write_bytes("\n".join([
                ",".join([*COLUMNS[stream], "memo"]), *(f"{row},{memo}" for row in rows), "",
            ]).encode("cp1250"))
            paths.setdefault(stream, []).append(path)
    return paths


def csv(folder: Path, source: str,
        sources: dict[str, dict[str, list[tuple[str, list[str]]]]] = SOURCES) -> CsvConnector:
    return CsvConnector(mapping=MAPPING, **exports(folder, source, sources))


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


# By hand, from REJECTED_AT_BUILD: each source's rejections together, the sources by name;
# first those its connector made (in its files' order: the customer of an id taken, the day
# that does not exist, the payment of an invoice no file holds), then those the build found,
# by kind (invoices, then payments) and id. The build's say the invoice as the ledger of
# several sources keys it, ``source:id``. Over-applied: books' invoice 3 (300.00) is paid 50.00
# by p2 on 3 April, then 300.00 by p3 on 4 April: 350.00; archive's invoice 7 (700.00), 70.00
# by q2, then 650.00 by q3: 720.00. The time sheet's Nikt is nobody's customer.
CONNECTOR_REJECTED = [("customer", "id"), ("invoice", "issue_date"), ("payment", "invoice_id")]
REJECTED_BY_BUILD = [
    *[("archive", kind, ident, field) for kind, ident, field in (
        ("customer", "k1", "id"), ("invoice", "8", "issue_date"), ("payment", "q1", "invoice_id"))],
    ("archive", "invoice", "10", "fx_rate"),
    ("archive", "payment", "q3", "allocations.0.amount"),
    ("archive", "payment", "q4", "allocations.0.invoice_id"),
    *[("books", kind, ident, field) for kind, ident, field in (
        ("customer", "c1", "id"), ("invoice", "2", "issue_date"), ("payment", "p1", "invoice_id"))],
    ("books", "invoice", "5", "fx_rate"),
    ("books", "payment", "p3", "allocations.0.amount"),
    ("books", "payment", "p5", "allocations.0.invoice_id"),
    ("hours", "time_entry", None, "customer_name"),
]
BUILD_REASONS = {
    "q3": "with this payment, allocations to invoice archive:7 add up to 720.00 EUR, more "
          "than its total of 700.00",
    "q4": "allocated to invoice archive:10, which is not in the ledger (or was rejected): "
          "load that invoice or remove the allocation",
    "p3": "with this payment, allocations to invoice books:3 add up to 350.00 EUR, more than "
          "its total of 300.00",
    "p5": "allocated to invoice books:5, which is not in the ledger (or was rejected): load "
          "that invoice or remove the allocation",
}


def stored(folder: Path) -> Ledger:
    with Store.open(folder / "clientguard.db") as store:
        for source in REJECTED_AT_BUILD:
            store.sync(csv(folder, source, REJECTED_AT_BUILD), source=source)
        return store.load(base_currency="EUR", strict=False)


@pytest.mark.parametrize("order", list(permutations(REJECTED_AT_BUILD)))
def test_what_the_build_rejects_is_said_and_placed_as_the_store_says_it(
    tmp_path: Path, order: tuple[str, ...]
) -> None:
    """Before: a source's ledger said "allocations to invoice 7", listed right after that
    source's other rejections, and the store "invoice archive:7", after all the sources'
    rejections: the two reviews differed in four sentences and their places."""
    first, *others = (Ledger.from_connector(csv(tmp_path, source, REJECTED_AT_BUILD),
                                            base_currency="EUR", strict=False, source=source)
                      for source in order)
    direct = first
    for other in others:
        direct = direct.merge(other, strict=False)
    loaded = stored(tmp_path)
    for ledger in (direct, loaded):
        rejected = ledger.report.rejected
        assert [(r.source, r.kind, r.record_id, r.field) for r in rejected] == REJECTED_BY_BUILD
        reasons = {r.record_id: r.reason for r in rejected if r.record_id in BUILD_REASONS}
        assert reasons == BUILD_REASONS
        # Nikt's 1.5 hours are not counted; Żółw's 2.5 and Kraków's 4 are, in their clients.
        assert sum(entry.hours for entry in ledger.time_entries) == 6.5
    assert render_json(review(loaded, as_of=AS_OF)) == render_json(review(direct, as_of=AS_OF))


def test_a_merge_with_a_source_built_again_rejects_its_records_once(tmp_path: Path) -> None:
    """Books built again from the same files and merged into the ledger of all three: the
    records its build rejected are rejected once each, in the merged ledger's words (not
    once in each build's), and only the records it keeps come twice: customers c1 and c2,
    invoices 1 and 3, payment p2 (5; the 3 it rejects are not said to come twice)."""
    def built(source: str) -> Ledger:
        return Ledger.from_connector(csv(tmp_path, source, REJECTED_AT_BUILD),
                                     base_currency="EUR", strict=False, source=source)

    merged = built("books").merge(built("archive"), strict=False).merge(built("hours"),
                                                                        strict=False)
    again = merged.merge(built("books"), strict=False)
    # (The connector's rows, raw input, are compared by value too since: each once, as
    # test_a_source_built_twice_and_merged_lists_each_rejection_once checks.)
    by_build = [r for r in again.report.rejected if not isinstance(r.record, dict)
                and r.field not in ("id",)]
    assert [(r.source, r.kind, r.record_id, r.field) for r in by_build] == [
        rejected for rejected in REJECTED_BY_BUILD
        if rejected[3] not in ("id", "issue_date", "invoice_id")]
    assert {r.record_id: r.reason for r in by_build if r.record_id in BUILD_REASONS} == (
        BUILD_REASONS)
    assert [(d.count, d.source) for d in again.report.delivered_twice] == [(5, "books")]


# Each case: the ledgers merged, in order (each a build of the named source's files); how
# many rejections the merge lists, counted by hand: a source of SOURCES has 3 (its connector's:
# a second customer of one id, a day that does not exist, a payment of an invoice no file
# holds); one of REJECTED_AT_BUILD has those 3 and 3 its build finds (an invoice in a currency
# without a rate, a payment to it, an over-applied invoice); hours has 1 (Nikt's entry) when
# merged with the others, whose customers its other entries name.
MERGES = [
    pytest.param([("books", SOURCES), ("books", SOURCES)], 3, id="books built twice"),
    pytest.param([("books", REJECTED_AT_BUILD), ("books", REJECTED_AT_BUILD)], 6,
                 id="books built twice, rejections of its build too"),
    pytest.param([("books", SOURCES)] * 3, 3, id="books built three times"),
    pytest.param([("books", SOURCES), ("archive", SOURCES), ("books", SOURCES)], 6,
                 id="books, archive, books again"),
    pytest.param([("books", REJECTED_AT_BUILD), ("archive", REJECTED_AT_BUILD),
                  ("hours", REJECTED_AT_BUILD), ("archive", REJECTED_AT_BUILD)],
                 len(REJECTED_BY_BUILD), id="all three, archive again"),
    # Different rejections are all kept: the second build of books has its connector's 3
    # (the same rows: once) and 3 more its build finds.
    pytest.param([("books", SOURCES), ("books", REJECTED_AT_BUILD)], 6,
                 id="books, then books with more rows"),
]


@pytest.mark.parametrize(("builds", "listed"), MERGES)
def test_a_source_built_twice_and_merged_lists_each_rejection_once(
    tmp_path: Path, builds: list[tuple[str, dict[str, dict[str, list[tuple[str, list[str]]]]]]],
    listed: int,
) -> None:
    """Before: books built twice and merged listed its connector's three rejections as
    five: the second customer of id c1 once, the day that does not exist and the payment of
    invoice 99 twice each (their raw rows were compared by the object holding them), and the
    review's data quality said 5 rejected records where the source has 3."""
    first, *others = (Ledger.from_connector(csv(tmp_path, source, sources),
                                            base_currency="EUR", strict=False, source=source)
                      for source, sources in builds)
    merged = first
    for other in others:
        merged = merged.merge(other, strict=False)
    rejected = merged.report.rejected
    assert len(rejected) == listed
    # Each once: no two alike in where and why.
    assert len({(r.source, r.kind, r.record_id, r.field, r.location, r.reason)
                for r in rejected}) == listed
    document = json.loads(render_json(review(merged, as_of=AS_OF)))
    assert document["data_quality"]["rejected"] == listed


def test_review_of_sources_the_build_rejects_from_is_the_review_after_sync(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The command line, with the rows the build rejects: ``review --source books --source
    archive --source hours`` (each source built, then merged) against ``sync`` then
    ``review``, byte for byte. Before, four sentences read ``invoice 7`` directly and
    ``invoice archive:7`` from the store, in other places of the list."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING_TOML)
    config = 'base_currency = "EUR"\n'
    for source in REJECTED_AT_BUILD:
        files = {stream: [p.name for p in paths]
                 for stream, paths in exports(tmp_path, source, REJECTED_AT_BUILD).items()}
        config += (f'\n[sources.{source}]\nconnector = "csv"\nmapping = "mapping.toml"\n'
                   + "".join(f"{stream} = {json.dumps(names)}\n"
                             for stream, names in files.items()))
    (tmp_path / "clientguard.toml").write_text(config)
    review_args = ["review", "--as-of", AS_OF.isoformat(), "--format", "json", "--quiet"]
    code = main([*review_args, "--source", "books", "--source", "archive", "--source", "hours"])
    direct, err = capsys.readouterr()
    assert code == EXIT_OK, err
    listed = json.loads(direct)["data_quality"]
    assert listed["rejected"] == len(REJECTED_BY_BUILD)
    assert [line for line in listed["rejections"] if "archive:7" in line] == [
        "payment q3 (archive, payments2.csv, line 4): allocations.0.amount: "
        + BUILD_REASONS["q3"]]
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    code = main(review_args)
    stored, err = capsys.readouterr()
    assert code == EXIT_OK, err
    assert stored == direct
