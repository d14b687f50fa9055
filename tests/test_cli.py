"""The command line, end to end in a temporary folder: sync, review, reports, errors."""

from __future__ import annotations

import contextlib
import csv
import errno
import io
import json
import os
import re
import shutil
import socket as socket_module
import sqlite3
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
from collections.abc import Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from html import unescape
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

if os.name == "posix":
    pass

from clientguard import cli as cli_module
from clientguard import connectors
from clientguard.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, SyncProgress, main
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    ProgressEvent,
    RawPage,
    Stream,
)
from clientguard.errors import ApiError, AuthError, ErrorContext, UnknownConnectorError
from clientguard.ledger import Location
from clientguard.model import Customer, Invoice
from clientguard.policy import Policy
from clientguard.store import Store

csv_connector = pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

HEADER = "Number,Client,Issued,Due,Total,Paid\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(csv_books: Callable[..., Path]) -> Path:
    """A folder with a mapping, one invoices file and a clientguard.toml naming them."""
    folder = csv_books()
    (folder / "exports").mkdir()
    (folder / "exports" / "2025-q1.csv").write_text(
        HEADER
        + "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n"
        + "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
        + "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
    )
    write_config(folder, ["exports/2025-q1.csv"])
    return folder


def write_config(folder: Path, files: list[str], extra: str = "") -> None:
    listed = ", ".join(json.dumps(f) for f in files)
    (folder / "clientguard.toml").write_text(
        'base_currency = "EUR"\n'
        'store = "data/clientguard.db"\n'
        f"{extra}\n"
        "[sources.books]\n"
        'connector = "csv"\n'
        'mapping = "mapping.toml"\n'
        f"invoices = [{listed}]\n"
    )


def stored(folder: Path) -> dict[str, int]:
    with Store.open(folder / "data" / "clientguard.db", create=False) as store:
        (status,) = store.status()
        return dict(status.records)


# ----------------------------------------------------------------------------- sync


def test_sync_fills_a_new_store_then_adds_only_what_is_new(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    # Two customers made from the invoice rows, three invoices.
    assert "books (csv)" in out
    assert "5 new, 0 updated, 0 unchanged, 0 rejected" in out
    assert stored(books) == {"customer": 2, "invoice": 3}

    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "0 new, 0 updated, 5 unchanged, 0 rejected" in out
    assert stored(books) == {"customer": 2, "invoice": 3}

    (books / "exports" / "2025-q2.csv").write_text(
        HEADER
        + "A-3,Acme,2025-04-01,2025-05-01,1000.00,\n"
        + "C-1,Cedar,2025-04-15,2025-05-15,200.00,2025-05-10\n"
    )
    write_config(books, ["exports/2025-q1.csv", "exports/2025-q2.csv"])
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "3 new, 0 updated, 5 unchanged, 0 rejected" in out  # A-3, C-1 and Cedar
    assert stored(books) == {"customer": 3, "invoice": 5}


@pytest.mark.parametrize(
    ("argv", "said"),
    [
        # A file option naming no file, or a folder: found by the read, after the sync was
        # recorded, until the connector checked its files first (Connector.check_inputs).
        (["--source", "books", "--option", "invoices=exports/2025-q2.csv"],
         "exports/2025-q2.csv: cannot be read: No such file or directory"),
        (["--source", "books", "--option", "invoices=exports"],
         "exports: cannot be read: Is a directory"),
        # A web address: named as typed (a path wrote it https:/example.com/x.csv).
        (["--source", "books", "--option", "invoices=https://example.com/x.csv"],
         "clientguard: https://example.com/x.csv: cannot be read: No such file or directory"),
        # Refused before a sync is recorded already, kept so: a stream the connector lacks,
        # an option value the source does not take, a required option missing, and a
        # --since (an option of review, not of sync) with a date that is no date.
        (["--source", "books", "--stream", "invoice"], "has no stream 'invoice'"),
        (["--source", "books", "--option", "reader=fast"], "reader:"),
        (["--source", "csv", "--option", "invoices=exports/2025-q1.csv"],
         "give either preset= or mapping="),
        (["--since", "2025-13-01"], "unrecognized arguments: --since"),
    ],
)
def test_a_usage_mistake_in_sync_leaves_the_stores_history_unchanged(
    books: Path, capsys: pytest.CaptureFixture[str], argv: list[str], said: str
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        before = store.status()
    try:
        code, _out, err = run(capsys, "--lang", "en", "sync", "--quiet", *argv)
    except SystemExit as exited:  # argparse's own refusal
        code, err = int(str(exited.code)), capsys.readouterr().err
    assert code == EXIT_USAGE
    assert said in err
    # The last sync is still the complete one, of the one source: no review is warned.
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        assert store.status() == before
        assert [s.last_sync_status for s in store.status()] == ["complete"]
        assert store.warnings() == ()


def test_paths_in_the_config_are_relative_to_it_not_to_the_current_folder(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = books / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    code, _out, err = run(capsys, "sync", "--quiet", "--config", str(books / "clientguard.toml"))
    assert (code, err) == (EXIT_OK, "")
    assert stored(books) == {"customer": 2, "invoice": 3}


def test_sync_keeps_rejected_rows_and_lists_them(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (books / "exports" / "2025-q1.csv").open("a") as file:
        file.write("B-2,Birch,2025-03-01,2025-04-01,5O.00,\n")  # a letter O in the total
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "1 rejected" in out
    assert "clientguard rejections --source books" in out
    code, out, _ = run(capsys, "rejections")
    assert code == EXIT_OK
    assert "B-2" in out
    assert "2025-q1.csv, line 5" in out


def test_sync_says_how_many_duplicate_rows_it_folded(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (books / "exports" / "2025-q1.csv").open("a") as file:
        file.write("A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n")  # line 2, again
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "5 new, 0 updated, 0 unchanged, 0 rejected, 1 duplicate row folded" in out
    assert "  invoices: 5 new, 0 updated, 0 unchanged, 0 rejected, 1 duplicate row folded" in out
    assert stored(books) == {"customer": 2, "invoice": 3}


@pytest.mark.parametrize(
    ("encoding", "told"),
    [("cp1250", "read as cp1250, a guess from its bytes"), ("utf-8", "read as utf-8, a guess")],
)
def test_sync_says_when_it_guessed_a_files_encoding(
    books: Path, capsys: pytest.CaptureFixture[str], encoding: str, told: str
) -> None:
    export = books / "exports" / "2025-q1.csv"
    export.write_bytes((export.read_text() + "Ł-1,Łódź Sp. z o.o.,2025-01-02,2025-02-01,5.00,"
                        "\n").encode(encoding))
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    (note,) = [line for line in out.splitlines() if line.startswith("  note: ")]
    assert "2025-q1.csv" in note
    assert told in note
    assert "set encoding in the mapping" in note
    code, _out, err = run(capsys, "review", "--source", "books", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    assert "clientguard: source books: note: " in err
    assert told in err


def test_sync_of_a_plain_ascii_file_guesses_nothing_worth_saying(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "note:" not in out


def test_sync_progress_goes_to_stderr_and_the_summary_to_stdout(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = run(capsys, "sync")
    assert code == EXIT_OK
    assert "books invoices: 5 records in 1 page" in err
    assert "records in" not in out


def test_sync_with_options_on_the_command_line_and_no_config(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (books / "clientguard.toml").unlink()
    code, out, _ = run(
        capsys, "sync", "--quiet", "--source", "csv", "--store", "other.db",
        "--option", "mapping=mapping.toml", "--option", "invoices=exports/2025-q1.csv",
    )
    assert code == EXIT_OK
    assert "csv (csv) -> other.db: 5 new" in out


class PagedOptions(ConnectorOptions):
    count: int = 6
    """Invoices in the source."""
    per_page: int = 2
    """Invoices per page."""
    fail_on_page: int | None = None
    """Fetching this page fails, as a dropped connection would."""
    api_key: SecretStr | None = None
    """A secret."""


class PagedConnector(Connector):
    """Invoices on pages, sorted by change time: an API's incremental stream."""

    name: ClassVar[str] = "paged"
    streams: ClassVar[tuple[Stream, ...]] = (
        Stream(name="customers", kind="customer", id_field="id"),
        Stream(name="invoices", kind="invoice", id_field="id", cursor_field="updated",
               sorted_by_cursor=True),
    )
    Options = PagedOptions
    options: PagedOptions

    def __init__(self, **options: Any) -> None:
        super().__init__(clock=lambda: datetime(2025, 6, 1, tzinfo=UTC), **options)

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        key = self.options.api_key
        if key is not None and key.get_secret_value() != "right-key":
            raise AuthError("the API refused the key (401)", ErrorContext(self.name, stream.name,
                                                                          401))
        if stream.name == "customers":
            yield RawPage.of([{"id": "acme", "name": "Acme"}])
            return
        rows = [
            {"id": f"INV-{n}", "updated": (datetime(2025, 5, 1, tzinfo=UTC)
                                          + timedelta(days=n)).isoformat()}
            for n in range(1, self.options.count + 1)
        ]
        rows = [r for r in rows if since is None or datetime.fromisoformat(r["updated"]) >= since]
        for number, start in enumerate(range(0, len(rows), self.options.per_page), start=1):
            if number == self.options.fail_on_page:
                raise ApiError("connection reset by the API", ErrorContext(self.name,
                                                                          stream.name))
            yield RawPage.of(rows[start:start + self.options.per_page],
                             Location(detail=f"page {number}"))

    def to_model(self, stream: Stream, raw: Mapping[str, Any]) -> Mapped:
        if stream.kind == "customer":
            return Customer(id=raw["id"], name=raw["name"], source=self.name)
        n = int(raw["id"].split("-")[1])
        return Invoice(
            id=raw["id"], customer_id="acme", number=raw["id"],
            issue_date=date(2025, 1, n), due_date=date(2025, 2, n), currency="EUR",
            total="100.00", status="paid", paid_on=date(2025, 2, n), source=self.name,
        )


@pytest.fixture
def paged(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    connectors.register("paged", PagedConnector, replace=True)
    yield tmp_path
    connectors.unregister("paged")


def test_a_crash_mid_sync_leaves_a_consistent_store_that_the_next_sync_completes(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Fetching page 2 fails: page 1 is already stored.
    code, out, err = run(capsys, "sync", "--quiet", "--source", "paged",
                         "--option", "fail_on_page=2")
    assert code == EXIT_USAGE
    assert "connection reset by the API" in err
    assert "Traceback" not in err
    with Store.open(paged / "clientguard.db") as store:
        ledger = store.load(base_currency="EUR")
        assert [i.id for i in ledger.invoices] == ["INV-1", "INV-2"]
        assert store.state("paged").cursor("invoices") == datetime(2025, 5, 3, tzinfo=UTC)

    code, out, err = run(capsys, "sync", "--quiet", "--source", "paged")
    assert code == EXIT_OK
    # Resumed at the cursor: INV-2 read again (inclusive bound), INV-3..6 new.
    assert "invoices: 4 new, 0 updated, 1 unchanged" in out
    with Store.open(paged / "clientguard.db") as store:
        assert [i.id for i in store.load(base_currency="EUR").invoices] == [
            f"INV-{n}" for n in range(1, 7)
        ]


def test_a_second_sync_of_a_busy_store_fails_with_a_clear_message(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    messages: list[tuple[int, str]] = []

    class Busy(PagedConnector):
        def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
            if stream.name == "invoices" and not messages:
                code = main(["sync", "--quiet", "--source", "paged"])
                messages.append((code, capsys.readouterr().err))
            yield from super().fetch(stream, since=since)

    connectors.register("busy", Busy)
    try:
        code, _, _ = run(capsys, "sync", "--quiet", "--source", "busy")
    finally:
        connectors.unregister("busy")
    assert code == EXIT_OK
    ((second_code, second_err),) = messages
    assert second_code == EXIT_USAGE
    assert "another clientguard sync is writing to" in second_err
    assert "Traceback" not in second_err


def test_a_secret_in_the_config_file_is_refused_and_never_echoed(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (paged / "clientguard.toml").write_text(
        '[sources.api]\nconnector = "paged"\napi_key = "sk_live_LEAKED"\n'
    )
    code, out, err = run(capsys, "sync", "--quiet")
    assert code == EXIT_USAGE
    assert "api_key is a secret" in err
    assert "CLIENTGUARD_API_API_KEY" in err
    assert "sk_live_LEAKED" not in out + err


@pytest.mark.parametrize(
    ("key", "code", "message"),
    [
        ("right-key", EXIT_OK, "api (paged)"),
        ("wrong-key", EXIT_USAGE, "the API refused the key"),
    ],
    ids=["good credentials", "bad credentials"],
)
def test_secrets_come_from_the_environment(
    paged: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    key: str,
    code: int,
    message: str,
) -> None:
    (paged / "clientguard.toml").write_text('[sources.api]\nconnector = "paged"\n')
    monkeypatch.setenv("CLIENTGUARD_API_API_KEY", key)
    got, out, err = run(capsys, "sync", "--quiet")
    assert got == code
    assert message in out + err
    assert "Traceback" not in err
    assert key not in out + err
    store_bytes = b"".join(p.read_bytes() for p in paged.glob("clientguard.db*"))
    assert key.encode() not in store_bytes


@pytest.mark.parametrize(
    ("live", "expected"),
    [
        # A log (cron): one line per stream with records, and each wait, said as such.
        (False, "paged: waiting 30 s: rate limit (minute)\n"
                "paged invoices: 5 records in 2 pages, 1 rejected\n"),
        # A terminal: the line is rewritten page by page, each count said once.
        (True, "\r\x1b[Kpaged invoices: 3 records in 1 page"
               "\r\x1b[Kpaged: waiting 30 s: rate limit (minute)\n"
               "\r\x1b[Kpaged invoices: 5 records in 2 pages, 1 rejected\n"),
    ],
    ids=["log", "terminal"],
)
def test_progress_shows_records_pages_and_rate_limit_waits(live: bool, expected: str) -> None:
    from clientguard.cli import SyncProgress
    from clientguard.connector import ProgressEvent

    out = io.StringIO()
    progress = SyncProgress(out, "paged", live=live)
    progress(ProgressEvent("page", "paged", "invoices", pages=1, records=3))
    progress(ProgressEvent("wait", "paged", None, wait_seconds=30.0,
                           reason="rate limit (minute)"))
    progress(ProgressEvent("stream_done", "paged", "customers"))
    progress(ProgressEvent("stream_done", "paged", "invoices", pages=2, records=5, rejected=1))
    progress.close()
    assert out.getvalue() == expected


@pytest.mark.parametrize(
    ("read", "total", "shown"),
    [
        (250, 1000, "paged invoices: 3 records in 1 page, 25% read"),
        (999, 1000, "paged invoices: 3 records in 1 page, 99% read"),  # never rounded up
        (1200, 1000, "paged invoices: 3 records in 1 page, 100% read"),  # a file that grew
        (None, 1000, "paged invoices: 3 records in 1 page"),
        (0, 0, "paged invoices: 3 records in 1 page"),  # an empty file: no share of nothing
        (10, None, "paged invoices: 3 records in 1 page"),  # an API without a total
    ],
)
def test_sync_progress_says_the_share_read_when_the_source_knows_its_size(
    read: int | None, total: int | None, shown: str
) -> None:
    from clientguard.cli import SyncProgress
    from clientguard.connector import ProgressEvent

    out = io.StringIO()
    progress = SyncProgress(out, "paged", live=True)
    progress(ProgressEvent("page", "paged", "invoices", pages=1, records=3, read=read,
                           total=total))
    assert out.getvalue() == "\r\x1b[K" + shown


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_sync_of_a_csv_file_on_a_terminal_says_the_share_of_the_file_read(
    books: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import clientguard_csv.connector as csv_connector

    monkeypatch.setattr(csv_connector, "PAGE_SIZE", 1)  # a page per row: shares below 100%
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["sync"]) == EXIT_OK
    shares = [int(m) for m in re.findall(r"(\d+)% read", terminal.getvalue())]
    assert shares, terminal.getvalue()
    assert shares == sorted(shares)
    assert all(0 <= share <= 100 for share in shares)
    assert "so far" not in terminal.getvalue()


# ----------------------------------------------------------------------------- review


HOSTILE = (
    'H-1,<script>alert(1)</script>,2025-03-01,2025-03-31,400.00,2025-05-15\n'
    'H-2,"=HYPERLINK(""x"")",2025-03-01,2025-03-31,400.00,\n'
)


@pytest.fixture
def synced(books: Path, capsys: pytest.CaptureFixture[str]) -> Path:
    """The books, with two customers whose names attack a browser and a spreadsheet, synced."""
    with (books / "exports" / "2025-q1.csv").open("a") as file:
        file.write(HOSTILE)
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    return books


@pytest.mark.parametrize(
    ("argv", "fmt"),
    [
        (["--format", "table", "--output", "review.txt"], "table"),
        (["--format", "json", "--output", "review.json"], "json"),
        (["--output", "review.csv"], "csv"),  # the format from the file's suffix
        (["--format", "html", "--output", "review.html"], "html"),
    ],
    ids=["table", "json", "csv", "html"],
)
def test_review_writes_every_format_from_the_store(
    synced: Path, capsys: pytest.CaptureFixture[str], argv: list[str], fmt: str
) -> None:
    code, out, err = run(capsys, "review", "--as-of", "2025-06-30", *argv)
    assert code == EXIT_OK
    assert out == ""
    assert f"wrote the {fmt} report to {argv[-1]}" in err
    text = (synced / argv[-1]).read_text(encoding="utf-8")
    if fmt == "table":
        assert "clientguard review as of 2025-06-30 (EUR)" in text
        assert "Acme" in text
    elif fmt == "json":
        import jsonschema  # type: ignore[import-untyped]

        from clientguard.report.document import schema

        document = json.loads(text)
        jsonschema.Draft202012Validator(schema()).validate(document)
        names = {c["name"] for c in document["clients"]}
        assert {"Acme", "Birch", "<script>alert(1)</script>", '=HYPERLINK("x")'} <= names
    elif fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        cells = [cell for row in rows for cell in row]
        assert '\'=HYPERLINK("x")' in cells
        assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    else:
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        assert "<script" not in text
        assert "=HYPERLINK(&quot;x&quot;)" in text
        assert "http://" not in text
        assert "https://" not in text


def test_review_prints_the_table_on_stdout_by_default(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    assert out.startswith("clientguard review as of 2025-06-30 (EUR)")
    assert max(len(line) for line in out.splitlines()) <= 100


def test_review_says_how_many_records_were_left_out(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with (books / "exports" / "2025-q1.csv").open("a") as file:
        file.write("B-2,Birch,2025-03-01,2025-04-01,50.00,XYZ\n")  # no such currency
    run(capsys, "sync", "--quiet")
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    assert "1 record was rejected and left out of the review" in err
    assert "clientguard rejections" in err
    _, out, _ = run(capsys, "review", "--as-of", "2025-06-30")
    assert "Records not loaded:" in out
    assert "invoice B-2" in out
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30", "--strict")
    assert code == EXIT_USAGE
    assert "B-2" in err


def test_review_can_pull_a_source_directly_without_a_store(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "review", "--quiet", "--source", "books", "--as-of", "2025-06-30",
                       "--format", "json")
    assert code == EXIT_OK
    assert {c["name"] for c in json.loads(out)["clients"]} == {"Acme", "Birch"}
    assert not (books / "data" / "clientguard.db").exists()


def equal_clients(count: int, dominant: bool = False) -> str:
    """``count`` clients with one invoice each, paid on the due date (no lateness); with
    ``dominant`` the first bills ten times as much."""
    rows = []
    for n in range(count):
        total = "1000.00" if dominant and n == 0 else "100.00"
        rows.append(f"E-{n},Client {n:02d},2025-03-01,2025-03-31,{total},2025-03-31\n")
    return HEADER + "".join(rows)


@pytest.mark.parametrize(
    ("clients", "dominant", "fail_on", "expected"),
    [
        # 11 equal clients: 9.1% of revenue each, under the 10% watch line, HHI 909: nothing.
        (11, False, "watch", EXIT_OK),
        (11, False, "critical", EXIT_OK),
        # 4 equal clients: 25% each, a revenue-share warning (20%..35%); the book: watch.
        (4, False, "watch", EXIT_FINDINGS),
        (4, False, "warning", EXIT_FINDINGS),
        (4, False, "critical", EXIT_OK),
        # One client with 1000 of 1300: 77%, over the 35% critical line.
        (4, True, "critical", EXIT_FINDINGS),
    ],
)
def test_fail_on_makes_the_exit_code_say_whether_a_finding_reached_the_severity(
    books: Path,
    capsys: pytest.CaptureFixture[str],
    clients: int,
    dominant: bool,
    fail_on: str,
    expected: int,
) -> None:
    (books / "exports" / "2025-q1.csv").write_text(equal_clients(clients, dominant))
    assert main(["sync", "--quiet"]) == EXIT_OK
    # (As of mid-June the March records are under the 90 days after which data is stale.)
    code, _, _ = run(capsys, "review", "--as-of", "2025-06-15", "--fail-on", fail_on)
    assert code == expected


def test_review_uses_the_policy_file_given(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (synced / "strict.toml").write_text("revenue_share_critical = 0.99\n")
    _, out, _ = run(capsys, "review", "--as-of", "2025-06-30", "--format", "json",
                    "--policy", "strict.toml")
    assert json.loads(out)["policy"]["revenue_share_critical"] == "0.99"


@pytest.mark.parametrize(
    ("name", "opening"),
    [
        # review --output's suffix rule (docs/cli.md, "--format"): .json is the JSON document,
        # .csv the CSV's header row (report/spreadsheet.py COLUMNS), .txt a table, .html the page.
        ("demo.json", "{"),
        ("demo.csv", "as_of,currency,client_id,"),
        ("demo.txt", "Sample firm (clientguard demo)"),
        ("demo.htm", "<!doctype html>"),
    ],
)
def test_demo_writes_the_format_its_output_suffix_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    name: str, opening: str,
) -> None:
    # Until 2026-12-07 demo --output wrote HTML under any name: demo.json held a page.
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "demo", "--output", name)
    assert code == EXIT_OK
    assert (tmp_path / name).read_text("utf-8").startswith(opening)
    assert out.rstrip().endswith(name + (" (open it in a browser)." if "htm" in name else "."))


def test_demo_refuses_an_output_whose_suffix_names_no_format(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # As review --output report.pdf: an error listing the formats, and no file (a .pdf never
    # holds HTML).
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "demo", "--output", "report.pdf")
    assert code == EXIT_USAGE
    assert err.startswith("clientguard: cannot tell the report format from 'report.pdf': its "
                          "suffix .pdf is none of .json (json)")
    assert out == ""
    assert not (tmp_path / "report.pdf").exists()


def test_demo_prints_the_review_and_writes_the_html_beside_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "demo")
    assert code == EXIT_OK
    assert "clientguard review as of 2026-06-30 (EUR)" in out
    assert "CONSIDER ENDING" in out
    page = (tmp_path / "demo-report.html").read_text(encoding="utf-8")
    assert page.startswith("<!doctype html>")
    assert "http://" not in page
    assert "https://" not in page
    assert "demo-report.html" in out


# ----------------------------------------------------------------------------- user errors


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["sync", "--source", "nosuch"], "no connector named 'nosuch' is installed"),
        (["sync", "--config", "missing.toml"], "config file missing.toml does not exist"),
        (["review", "--store", "missing.db"], "there is no store at missing.db"),
        (["review", "--policy", "missing.toml", "--store", "x.db"],
         "policy file missing.toml does not exist"),
        (["sync"], "no source to read: pass --source NAME"),
    ],
    ids=["unknown connector", "missing config", "missing store", "missing policy", "no source"],
)
def test_user_errors_print_one_message_and_exit_2_without_a_traceback(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    code, _out, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert message in err
    assert err.startswith("clientguard: ")
    assert "Traceback" not in err


def test_a_bad_date_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["review", "--as-of", "31/06/2026"])
    assert exited.value.code == EXIT_USAGE
    assert "'31/06/2026' is not a date in YYYY-MM-DD form" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv",
    [["sync", "--debug", "--source", "nosuch"], ["--debug", "sync", "--source", "nosuch"]],
    ids=["after the command", "before the command"],
)
def test_debug_shows_the_traceback_and_keeps_the_exit_status(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    argv: list[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    code, _out, err = run(capsys, *argv)
    assert code == EXIT_USAGE
    assert "Traceback" in err
    assert UnknownConnectorError.__name__ in err
    assert err.rstrip().splitlines()[-1].startswith("clientguard: ")


def _mapping_with(books: Path, line: str, table: str = "") -> None:
    text = (books / "mapping.toml").read_text()
    if table:
        text = text.replace("[invoices.columns]", f"[invoices]\n{line}\n\n[invoices.columns]")
    else:
        text = f"{line}\n{text}"
    (books / "mapping.toml").write_text(text)


@pytest.mark.parametrize("debug", [[], ["--debug"]], ids=["plain", "debug"])
def test_a_bug_is_exit_70_with_or_without_debug(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], debug: list[str]
) -> None:
    import clientguard.cli as cli

    def broken(_args: Any) -> int:
        raise RuntimeError("a bug")

    monkeypatch.setattr(cli, "_policy_command", broken)
    code, _out, err = run(capsys, "policy", *debug)
    assert code == 70
    assert "RuntimeError: a bug" in err
    assert "this is a bug in clientguard" in err


def _latin1_policy_file(books: Path) -> None:
    (books / "policy.toml").write_bytes("# café\n".encode("latin-1"))
    write_config(books, ["exports/2025-q1.csv"], 'policy = "policy.toml"')


USER_ERRORS: dict[str, tuple[Any, list[str], str]] = {
    "non-UTF-8 config": (
        lambda b: (b / "clientguard.toml").write_bytes(
            (b / "clientguard.toml").read_bytes() + "# café\n".encode("latin-1")),
        ["sync"], "clientguard.toml is not UTF-8 text"),
    "non-UTF-8 mapping": (
        lambda b: (b / "mapping.toml").write_bytes(
            "# café\n".encode("latin-1") + (b / "mapping.toml").read_bytes()),
        ["sync"], "mapping.toml: line 1 is not UTF-8 text"),
    "non-UTF-8 policy file": (
        _latin1_policy_file, ["review"], "policy.toml is not UTF-8 text"),
    "lookback of 10^8 days": (
        lambda b: write_config(b, ["exports/2025-q1.csv"], "[policy]\nlookback_days = 100000000"),
        ["review"], "lookback_days: Input should be less than or equal to 36525"),
    "a grace of 10^9 days": (
        lambda b: write_config(b, ["exports/2025-q1.csv"], "[policy]\ngrace_days = 1000000000"),
        ["review"], "grace_days: Input should be less than or equal to 36525"),
    "terms of 10^9 days": (
        lambda b: _mapping_with(b, "default_terms_days = 1000000000", table="invoices"),
        ["sync"], "default_terms_days: Input should be less than or equal to 9999"),
    **{
        f"encoding {name}": (
            lambda b, name=name: _mapping_with(b, f'encoding = "{name}"'),
            ["sync"], f"'{name}' is not a text encoding")
        for name in ("rot13", "hex", "base64", "zlib", "bz2", "uu", "quopri")
    },
    "encoding utf-32 of a UTF-8 file": (
        lambda b: _mapping_with(b, 'encoding = "utf-32"'),
        ["sync"], "cannot be read as utf-32"),
}


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
@pytest.mark.parametrize("case", sorted(USER_ERRORS))
def test_every_user_error_is_exit_2_and_one_line_saying_what_to_fix(
    books: Path, capsys: pytest.CaptureFixture[str], case: str, debug: bool
) -> None:
    change, argv, message = USER_ERRORS[case]
    if argv == ["review"]:
        assert run(capsys, "sync", "--source", "books")[0] == EXIT_OK
    change(books)
    code, _out, err = run(capsys, *argv, *(["--source", "books"] if argv == ["sync"] else []),
                          *(["--debug"] if debug else []))
    assert code == EXIT_USAGE
    last = err.splitlines()[-1]
    assert last.startswith("clientguard: ")
    assert message in last
    if not debug:
        assert "Traceback" not in err
        assert len(err.splitlines()) == 1


@pytest.mark.parametrize(
    "argv",
    [["review", "--as-of", "0001-01-01"], ["review", "--as-of", "9999-12-31"],
     ["demo", "--as-of", "9999-12-31"], ["demo", "--as-of", "0001-01-01"],
     ["demo", "--as-of", "1900-01-01"]],
)
def test_a_review_date_past_what_a_record_may_carry_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(argv)
    assert exited.value.code == EXIT_USAGE
    assert "is outside the dates clientguard reviews: give one from" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ('base_curency = "EUR"\n', "unknown key 'base_curency'; did you mean 'base_currency'?"),
        ('base_currency = "eur"\n', "base_currency 'eur' is not an ISO 4217 code"),
        ("[policy]\nchronic_late_shar = 0.4\n", "did you mean 'chronic_late_share'?"),
        ("store = \n", "is not valid TOML"),
    ],
    ids=["typo", "currency", "policy key", "bad toml"],
)
def test_config_file_problems_are_named(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    config: str,
    message: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "clientguard.toml").write_text(config)
    code, _, err = run(capsys, "sync", "--source", "csv")
    assert code == EXIT_USAGE
    assert message in err


# ----------------------------------------------------------------------------- small commands


def test_connectors_lists_the_installed_ones_with_their_versions(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from importlib.metadata import version

    code, out, _ = run(capsys, "connectors")
    assert code == EXIT_OK
    (line,) = [row for row in out.splitlines() if row.startswith("csv ")]
    assert line.split()[1:3] == [version("clientguard-csv"), "clientguard-csv"]


def test_connectors_name_shows_options_and_where_secrets_come_from(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "connectors", "paged")
    assert code == EXIT_OK
    assert "invoices (invoice, incremental)" in out
    assert "api_key (SecretStr | None; secret: from $CLIENTGUARD_PAGED_API_KEY)" in out
    assert "per_page (int; default 2)" in out


def test_policy_prints_the_default_policy_as_toml_that_loads_back(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "policy")
    assert code == EXIT_OK
    tomllib.loads(out)
    (tmp_path / "policy.toml").write_text(out)
    assert Policy.from_toml(tmp_path / "policy.toml") == Policy()


@pytest.mark.parametrize(
    "command", ["demo", "sync", "review", "rejections", "connectors", "policy"]
)
def test_every_command_has_help_with_examples(
    capsys: pytest.CaptureFixture[str], command: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main([command, "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "Examples:" in out
    assert f"clientguard {command}" in out


class NotedConnector(PagedConnector):
    """A source without one of its streams: the fetcher reads it as empty, with a note."""

    name: ClassVar[str] = "noted"

    def fetch(self, stream: Stream, *, since: datetime | None) -> Iterator[RawPage]:
        if stream.name == "invoices":
            yield RawPage((), last=True, notes=("invoices: not read, the account has none",))
            return
        yield from super().fetch(stream, since=since)


def test_sync_prints_the_connectors_notes(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    connectors.register("noted", NotedConnector, replace=True)
    try:
        code, out, _ = run(capsys, "sync", "--quiet", "--source", "noted")
    finally:
        connectors.unregister("noted")
    assert code == EXIT_OK
    assert "  note: invoices: not read, the account has none" in out


# ----------------------------------------------------------------------------- the store's truth


@pytest.mark.parametrize("fmt", ["table", "json", "csv", "html"])
def test_a_review_after_an_interrupted_sync_says_the_sync_did_not_complete(
    paged: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    run(capsys, "sync", "--quiet", "--source", "paged", "--option", "fail_on_page=2")
    code, out, err = run(capsys, "review", "--as-of", "2025-06-30", "--format", fmt)
    assert code == EXIT_OK
    assert "the last sync of source 'paged'" in err
    assert "did not complete" in err
    if fmt == "json":
        document = json.loads(out)
        (note, *_) = document["data_quality"]["notes"]
        assert "the last sync of source 'paged'" in note
        assert document["data_warnings"][0] == note
    elif fmt == "csv":
        (header, first, *_) = list(csv.reader(io.StringIO(out)))
        row = dict(zip(header, first, strict=True))
        assert (row["signal"], row["severity"]) == ("data_quality", "warning")
        assert "the last sync of source 'paged'" in row["message"]
    else:
        # Before the review itself, where a reader starts.
        text = unescape(re.sub(r"<[^>]*>", "", out)) if fmt == "html" else out
        flat = " ".join(text.split())
        assert "did not complete" in flat
        assert flat.index("the last sync of source 'paged'") < flat.index("Acme")
    # A complete sync ends the warning.
    run(capsys, "sync", "--quiet", "--source", "paged")
    code, out, err = run(capsys, "review", "--as-of", "2025-06-30", "--format", fmt)
    assert "did not complete" not in out + err


# ``rejections`` reads the records too: it lists the ledger's own rejections and notes.
DAMAGED = [
    ("UPDATE records SET location = 'page one' WHERE record_id = 'INV-1'", "column location",
     {"review", "rejections"}),
    ("UPDATE records SET kind = 'receipt' WHERE record_id = 'INV-1'", "column kind",
     {"review", "rejections"}),
    ("UPDATE records SET data = '{' WHERE record_id = 'INV-1'", "column data",
     {"review", "rejections"}),
    ("UPDATE cursors SET cursor = 'last tuesday'", "column cursor", {"review", "sync"}),
    ("DROP TABLE rejections", "the table rejections is missing",
     {"review", "rejections", "sync"}),
]


@pytest.mark.parametrize(("statement", "message", "readers"), DAMAGED,
                         ids=["location", "kind", "data", "cursor", "table"])
@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_hand_edited_store_is_a_user_error_that_names_the_row(
    paged: Path, capsys: pytest.CaptureFixture[str], statement: str, message: str,
    readers: set[str], debug: bool,
) -> None:
    run(capsys, "sync", "--quiet", "--source", "paged")
    db = sqlite3.connect(paged / "clientguard.db")
    db.execute(statement)
    db.commit()
    db.close()
    commands = {
        "review": ["review", "--as-of", "2025-06-30"],
        "rejections": ["rejections"],
        "sync": ["sync", "--quiet", "--source", "paged"],
    }
    for command, argv in commands.items():
        code, _, err = run(capsys, *argv, *(["--debug"] if debug else []))
        if command not in readers:  # the damage is in what this command does not read
            assert code == EXIT_OK, (command, err)
            continue
        assert code == EXIT_USAGE, command
        last = err.rstrip().splitlines()[-1]
        assert last.startswith("clientguard: the store ")
        assert "is damaged" in last
        assert message in last
        assert ("Traceback" in err) is debug
        if not debug:
            assert err.count("\n") == 1


def test_a_review_of_a_read_only_store_leaves_it_usable(
    paged: Path, capsys: pytest.CaptureFixture[str],
    as_nobody: Callable[[Path, Callable[[], list[Any]]], list[Any]],
) -> None:
    # Warm up: every module a review and a sync import is loaded before the user changes.
    run(capsys, "sync", "--quiet", "--source", "paged", "--store", "warm.db")
    run(capsys, "review", "--store", "warm.db", "--as-of", "2025-06-30")
    # Not below pytest's own temporary folder, which only its owner may enter.
    folder = Path(tempfile.mkdtemp(prefix="clientguard-ro-", dir="/tmp" if os.name == "posix"
                                   else None))
    try:
        store = folder / "clientguard.db"

        def steps() -> list[Any]:
            os.chdir(folder)
            codes: list[Any] = []
            for argv in (
                ["sync", "--quiet", "--source", "paged", "--option", "count=4"],
                ("store", 0o400),
                ["review", "--as-of", "2025-06-30"],
                ["rejections"],
                ("store", 0o600),
                ["sync", "--quiet", "--source", "paged", "--option", "count=5"],
                ("folder", 0o555),
                ["review", "--as-of", "2025-06-30"],
                ("folder", 0o755),
                ["sync", "--quiet", "--source", "paged"],
            ):
                if isinstance(argv, tuple):
                    os.chmod(store if argv[0] == "store" else folder, argv[1])
                    codes.append(sorted(
                        (p.name, stat.S_IMODE(p.stat().st_mode)) for p in folder.iterdir()
                    ))
                    continue
                err = io.StringIO()
                with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(err):
                    codes.append([main(argv), err.getvalue()])
            return codes

        results = as_nobody(folder, steps)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    first_sync, _, review, rejections, files, second_sync = results[:6]
    _, review_in_folder, files_after, last_sync = results[6:]
    assert first_sync[0] == EXIT_OK, first_sync
    assert review[0] == EXIT_OK, review
    assert rejections[0] == EXIT_OK, rejections
    # Nothing the read-only review left behind is read-only, and the sync writes again.
    assert all(mode & stat.S_IWUSR for _, mode in files), files
    assert second_sync == [EXIT_OK, ""]
    # A store in a read-only folder is read too, and leaves nothing behind either.
    assert review_in_folder[0] == EXIT_OK, review_in_folder
    assert [name for name, _ in files_after] == ["clientguard.db", "clientguard.db.lock"]
    assert last_sync == [EXIT_OK, ""]


@pytest.mark.parametrize("wait", ["nan", "inf", "-inf", "-1", "soon", "1e400"])
def test_a_wait_that_is_not_a_finite_number_of_seconds_is_refused(
    capsys: pytest.CaptureFixture[str], wait: str
) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["sync", "--source", "paged", f"--wait={wait}"])
    assert exited.value.code == EXIT_USAGE
    err = capsys.readouterr().err
    assert f"argument --wait: {wait!r} is not a number of seconds" in err
    assert "Traceback" not in err


def full_device(folder: Path) -> Path:
    """A device like /dev/full (every write fails: no space left) in ``folder``: a test
    never risks the machine's own /dev/full. Skips where one cannot be made (not root)."""
    device = folder / "full"
    try:
        os.mknod(device, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
        with device.open("w") as probe:
            probe.write("x")
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            return device
        pytest.skip(f"cannot make a full device here: {exc.strerror}")
    except AttributeError:
        pytest.skip("no device nodes here")
    pytest.skip("the device made here is not a full one")


@pytest.mark.parametrize("command", ["review", "demo"])
def test_a_report_written_to_a_full_device_fails_and_the_device_stays(
    synced: Path, capsys: pytest.CaptureFixture[str], command: str
) -> None:
    device = full_device(synced)
    argv = ["review", "--as-of", "2025-06-30"] if command == "review" else ["demo"]
    code, _, err = run(capsys, *argv, "--output", str(device))
    assert code == EXIT_USAGE
    assert f"cannot write {device}: No space left on device" in err
    assert "wrote the" not in err
    assert stat.S_ISCHR(device.stat().st_mode)


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="no /dev/full here")
def test_a_report_on_a_full_stdout_fails(
    synced: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with open("/dev/full", "w", encoding="utf-8") as full:
        monkeypatch.setattr(sys, "stdout", full)
        code = main(["review", "--as-of", "2025-06-30"])
    assert code == EXIT_USAGE
    assert "cannot write to stdout: No space left on device" in (
        capsys.readouterr().err
    )


@pytest.mark.skipif(not hasattr(socket_module, "AF_UNIX"), reason="no Unix sockets here")
def test_a_file_option_naming_a_socket_is_refused_before_the_sync_is_recorded(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A socket passed the check (only folders were refused) and the read failed after the
    # sync was recorded: the store's last sync was then a failed one.
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        before = store.status()
    listener = socket_module.socket(socket_module.AF_UNIX, socket_module.SOCK_STREAM)
    try:
        listener.bind("exports/feed.sock")  # relative: tmp_path may be longer than 107 bytes
        code, _out, err = run(capsys, "--lang", "en", "sync", "--quiet", "--source", "books",
                              "--option", "invoices=exports/feed.sock")
        pl_code, _out, pl_err = run(capsys, "--lang", "pl", "sync", "--quiet", "--source",
                                    "books", "--option", "invoices=exports/feed.sock")
    finally:
        listener.close()
    assert code == pl_code == EXIT_USAGE
    assert "exports/feed.sock: cannot be read: it is a socket, not a file" in err
    assert "exports/feed.sock: nie można odczytać pliku: to gniazdo (socket)" in pl_err
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        assert store.status() == before
        assert [s.last_sync_status for s in store.status()] == ["complete"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_file_option_naming_a_named_pipe_is_refused_before_it_is_opened(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Before: the check let a named pipe through (only folders, sockets and disks were
    # refused) and the read's open waited for a writer for ever: the sync hung. Here, from
    # 20 s on, the pipe is opened for writing and closed again and again (the read opens a
    # file more than once), should anything wait on it: the test fails instead of hanging.
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        before = store.status()
    pipe = books / "exports" / "feed.csv"
    os.mkfifo(pipe)
    done = threading.Event()

    def unblock() -> None:
        done.wait(20)
        while not done.wait(0.2):
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))

    watchdog = threading.Thread(target=unblock, daemon=True)
    watchdog.start()
    started = time.monotonic()
    try:
        code, _out, err = run(capsys, "--lang", "en", "sync", "--quiet", "--source", "books",
                              "--option", "invoices=exports/feed.csv")
        pl_code, _out, pl_err = run(capsys, "--lang", "pl", "sync", "--quiet", "--source",
                                    "books", "--option", "invoices=exports/feed.csv")
    finally:
        done.set()
        watchdog.join()
    assert time.monotonic() - started < 20
    assert code == pl_code == EXIT_USAGE
    assert ("exports/feed.csv: cannot be read: it is a named pipe (FIFO), not a file; the file "
            "is read more than once (its header, then its rows), which a pipe cannot give: "
            "save the export to a file and give its path") in err
    assert "exports/feed.csv: nie można odczytać pliku: to potok nazwany (FIFO)" in pl_err
    with Store.open(books / "data" / "clientguard.db", create=False) as store:
        assert store.status() == before
        assert [s.last_sync_status for s in store.status()] == ["complete"]


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes here")
def test_a_report_to_a_pipe_is_written_into_it(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pipe = synced / "report.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    try:
        code, _, _ = run(capsys, "review", "--as-of", "2025-06-30", "--format", "json",
                         "--output", str(pipe))
    finally:
        if reader.is_alive() and stat.S_ISFIFO(pipe.stat().st_mode):
            # Nothing opened the pipe for writing: let the reader go.
            with contextlib.suppress(OSError):
                os.close(os.open(pipe, os.O_WRONLY | os.O_NONBLOCK))
        reader.join(timeout=30)
    assert code == EXIT_OK
    assert stat.S_ISFIFO(pipe.stat().st_mode)
    assert json.loads(received[0])["schema"] == "clientguard.review"


def test_a_report_replaces_a_regular_file_atomically_and_follows_a_link(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = synced / "reports" / "review.json"
    target.parent.mkdir()
    target.write_text("old")
    target.chmod(0o600)
    link = synced / "latest.json"
    link.symlink_to(target)
    code, _, _ = run(capsys, "review", "--as-of", "2025-06-30", "--output", str(link))
    assert code == EXIT_OK
    assert link.is_symlink()
    assert json.loads(target.read_text())["schema"] == "clientguard.review"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in target.parent.iterdir()) == ["review.json"]


def test_a_report_into_a_missing_folder_is_a_clear_error(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30", "--output", "nowhere/r.html")
    assert code == EXIT_USAGE
    assert err.startswith("clientguard: cannot write nowhere/r.html: ")
    assert "Traceback" not in err


@pytest.mark.skipif(not hasattr(os, "fork"), reason="kills a forked process")
def test_a_csv_sync_killed_mid_file_never_counts_a_rejection_twice(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(csv_connector.connector, "PAGE_SIZE", 2)
    rows = [
        f"D-{n},Dune,2025-03-0{n},2025-04-01,{'1O.00' if n % 2 else '10.00'},\n"
        for n in range(1, 9)  # odd rows have a letter O in the total: rejected
    ]
    with (books / "exports" / "2025-q1.csv").open("a") as file:
        file.writelines(rows)

    def rejections() -> list[str]:
        with Store.open(books / "data" / "clientguard.db", read_only=True) as store:
            return sorted(str(r) for r in store.rejections())

    assert main(["sync", "--quiet"]) == EXIT_OK
    complete = rejections()
    assert len(complete) == 4

    child = os.fork()
    if child == 0:  # pragma: no cover (the killed process)
        rejected_page_seen = False

        def killing(self: Any, event: ProgressEvent) -> None:
            nonlocal rejected_page_seen
            if event.event != "page":
                return
            if rejected_page_seen:  # the page with a rejection is stored: die as kill -9 does
                os._exit(137)
            rejected_page_seen = event.rejected > 0

        try:
            monkeypatch.setattr(SyncProgress, "__call__", killing)
            main(["sync"])
        finally:
            os._exit(1)
    _, status = os.waitpid(child, 0)
    assert os.waitstatus_to_exitcode(status) == 137
    capsys.readouterr()

    interrupted = rejections()
    assert len(interrupted) == len(set(interrupted))
    assert set(interrupted) <= set(complete)
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    assert "the last sync of source 'books'" in err
    assert "did not complete: it was interrupted or is still running" in err

    assert main(["sync", "--quiet"]) == EXIT_OK
    assert rejections() == complete
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert "did not complete" not in err


@pytest.mark.skipif(not Path("/dev/stdout").exists(), reason="no /dev/stdout here")
def test_a_report_to_dev_stdout_goes_into_the_redirection(synced: Path) -> None:
    redirected = synced / "out.json"
    with redirected.open("wb") as out:
        before = os.fstat(out.fileno()).st_ino
        done = subprocess.run(
            [sys.executable, "-m", "clientguard.cli", "review", "--as-of", "2025-06-30",
             "--format", "json", "--output", "/dev/stdout"],
            stdout=out, stderr=subprocess.PIPE, check=False, cwd=synced, timeout=120,
        )
    assert done.returncode == EXIT_OK, done.stderr
    assert redirected.stat().st_ino == before  # written into, not replaced
    assert json.loads(redirected.read_text())["schema"] == "clientguard.review"
    assert stat.S_ISCHR(Path("/dev/null").stat().st_mode)


@pytest.mark.parametrize("debug", [False, True], ids=["plain", "debug"])
def test_a_failing_source_among_several_keeps_the_exit_status_with_or_without_debug(
    paged: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    debug: bool,
) -> None:
    (paged / "clientguard.toml").write_text(
        '[sources.bad]\nconnector = "paged"\n\n[sources.good]\nconnector = "paged"\n'
    )
    monkeypatch.setenv("CLIENTGUARD_BAD_API_KEY", "wrong-key")
    code, out, err = run(capsys, "sync", "--quiet", *(["--debug"] if debug else []))
    assert code == EXIT_USAGE
    assert "clientguard: source bad: the API refused the key (401)" in err
    assert "good (paged)" in out  # the other source still synced
    assert ("Traceback" in err) is debug


# ----------------------------------------------------------------------------- verdicts (issue 16)


def test_review_of_an_empty_store_is_an_error_that_says_to_sync(
    paged: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A first sync that fails on its first page leaves a store with no records.
    code, _, _ = run(capsys, "sync", "--quiet", "--source", "paged", "--option", "fail_on_page=1")
    assert code == EXIT_USAGE
    code, out, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == EXIT_USAGE
    assert out == ""
    assert "holds no invoices" in err
    assert "did not complete" in err
    assert "run clientguard sync" in err


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        ([], EXIT_OK),
        (["--fail-on", "critical"], EXIT_FINDINGS),
        (["--fail-on", "watch"], EXIT_FINDINGS),
        (["--fail-on", "critical", "--allow-no-data"], EXIT_OK),
    ],
)
def test_no_data_in_the_window_is_said_first_and_fails_fail_on(
    books: Path, capsys: pytest.CaptureFixture[str], argv: list[str], expected: int
) -> None:
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    # The books end in April 2025: nothing falls due in the year to 2027-06-30.
    code, out, err = run(capsys, "review", "--as-of", "2027-06-30", *argv)
    assert code == expected
    assert out.splitlines()[2].startswith("!! No data in the window")
    assert "No data in the window" in err


FIRM_RULES = '''
from decimal import Decimal
from clientguard.findings import Finding, Severity, Signal
from clientguard.review import Recommendation


def acme_is_watched(ledger, as_of, policy):
    return [Finding(customer_id=c.id, signal=Signal.CUSTOM, severity=Severity.WATCH,
                    metric="acme_is_watched", value=Decimal(1), threshold=Decimal(1),
                    message="Acme is on the firm's watch list.")
            for c in ledger.customers if c.name == "Acme"]


def birch_needs_new_terms(verdict):
    if verdict.ledger.name_of(verdict.client_id) == "Birch":
        return Recommendation.REVISE_TERMS
    return None
'''


def test_the_configs_signals_and_verdict_rules_run_in_the_review(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (books / "firm_rules_cli.py").write_text(FIRM_RULES)
    monkeypatch.syspath_prepend(str(books))
    write_config(books, ["exports/2025-q1.csv"],
                 'signals = ["firm_rules_cli:acme_is_watched"]\n'
                 'verdict_rules = ["firm_rules_cli:birch_needs_new_terms"]')
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    code, out, _ = run(capsys, "review", "--as-of", "2025-06-30", "--format", "json")
    assert code == EXIT_OK
    clients = {c["name"]: c for c in json.loads(out)["clients"]}
    assert clients["Acme"]["recommendation"] == "monitor"
    assert "Acme is on the firm's watch list." in clients["Acme"]["reasons"]
    assert clients["Birch"]["recommendation"] == "revise_terms"
    assert clients["Birch"]["changed_by"] == ["birch_needs_new_terms"]


def test_a_signal_path_that_does_not_load_is_a_user_error(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(books, ["exports/2025-q1.csv"], 'signals = ["no_such_module:rule"]')
    assert main(["sync", "--quiet"]) == EXIT_OK
    capsys.readouterr()
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30")
    assert code == EXIT_USAGE
    assert "'no_such_module:rule'" in err


def test_review_warns_of_a_link_to_a_customer_the_records_do_not_hold(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write_config(books, ["exports/2025-q1.csv"],
                 extra='[links]\nclients = [["books:Acme", "books:Nobody"]]\n')
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30", "--quiet")
    assert code == EXIT_OK
    assert "the links name customers the records do not hold, left out: books:Nobody" in err
    code, out, _ = run(capsys, "links", "list")
    assert out.splitlines() == ["customer,same_as", "books:Acme,books:Nobody"]


@pytest.mark.parametrize(
    ("lang", "says"),
    [
        ("en", "the links file {path} named in [links] files does not exist: write it with "
               "clientguard links suggest > links.csv (and check each pair), or remove it from "
               "[links] files"),
        ("pl", "plik powiązań {path} wskazany w [links] files nie istnieje: utwórz go poleceniem "
               "clientguard links suggest > links.csv (i sprawdź każdą parę) albo usuń go z "
               "[links] files"),
    ],
)
def test_a_links_file_not_written_yet_stops_no_sync_and_the_review_says_what_to_do(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, says: str
) -> None:
    # The order a new user follows: name links.csv in the config, sync, then write it with
    # links suggest (which reads the synced customers). Until 2026-12-07 sync refused to run
    # ("cannot read the links file links.csv: No such file or directory"), though it never
    # uses links.
    write_config(books, ["exports/2025-q1.csv"], extra='[links]\nfiles = ["links.csv"]\n')
    assert run(capsys, "--lang", lang, "sync", "--quiet")[0] == EXIT_OK
    code, _, err = run(capsys, "--lang", lang, "review", "--as-of", "2025-06-30")
    assert code == EXIT_USAGE
    assert err.endswith(": " + says.format(path="links.csv") + "\n")  # the config's own path
    # links suggest, the command that writes the file, runs without it.
    code, out, _ = run(capsys, "links", "suggest")
    assert code == EXIT_OK
    assert out.splitlines()[0] == "customer,same_as,matched_on,names"


# ----------------------------------------------------------------- what a first-time user met
@pytest.mark.parametrize("where", ["before", "after"])
def test_config_and_store_work_before_or_after_the_command(
    books: Path, capsys: pytest.CaptureFixture[str], where: str
) -> None:
    # The config file moved away from the working folder, the store named on the line.
    (books / "conf").mkdir()
    (books / "clientguard.toml").rename(books / "conf" / "c1.toml")
    for name in ("mapping.toml", "exports"):
        (books / name).rename(books / "conf" / name)
    given = ["--config", "conf/c1.toml", "--store", "other.db"]
    for command in (["sync", "--quiet"], ["review", "--as-of", "2025-06-30", "--quiet"]):
        argv = [*given, *command] if where == "before" else [*command, *given]
        code, out, err = run(capsys, *argv)
        assert code == EXIT_OK, err
    assert (books / "other.db").is_file()
    assert not (books / "conf" / "data").exists()  # the config's own store was not used
    assert "Acme" in out


@pytest.mark.parametrize("name", ["r.pdf", "review.docx", "out.JSONL"])
def test_an_output_suffix_that_names_no_format_is_an_error_listing_them(
    books: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30", "--output", name)
    assert code == EXIT_USAGE
    assert not (books / name).exists()
    assert f"cannot tell the report format from '{name}'" in err
    assert ".json (json), .csv (csv), .html (html), .htm (html), .txt (table)" in err
    # --format says it: the file is written in that format whatever its name.
    code, _, err = run(capsys, "review", "--as-of", "2025-06-30", "--output", name,
                       "--format", "json")
    assert code == EXIT_OK, err
    assert json.loads((books / name).read_text())["as_of"] == "2025-06-30"


@pytest.mark.parametrize(
    "argv",
    [["clientguard", "policy"], ["clientguard-csv", "presets"],
     ["clientguard-csv", "preset", "zoho"]],
    ids=["clientguard policy", "clientguard-csv presets", "clientguard-csv preset"],
)
def test_a_reader_that_stops_reading_is_no_error(argv: list[str]) -> None:
    # `clientguard policy | head -2`: the reader closes the pipe before the command writes.
    import subprocess

    command = [str(Path(sys.executable).parent / argv[0]), *argv[1:]]
    if not Path(command[0]).exists():
        pytest.skip(f"{argv[0]} is not installed beside {sys.executable}")
    read, write = os.pipe()
    os.close(read)  # the reader is gone before a byte is written
    try:
        done = subprocess.run(command, stdout=write, stderr=subprocess.PIPE, timeout=60,
                              check=False)
    finally:
        os.close(write)
    assert done.returncode == 0
    assert done.stderr.decode() == ""


# ------------------------------------------------------------------------------ forecast
def test_forecast_prints_the_13_weeks_and_the_open_invoices(
    synced: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(capsys, "forecast", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    assert out.startswith("Cash-in forecast as of 2025-06-30 (EUR)")
    weeks = [line for line in out.splitlines() if re.match(r"\d+ +\d{4}-\d\d-\d\d", line)]
    assert [line.split()[0] for line in weeks] == [str(n) for n in range(1, 14)]
    assert weeks[0].split()[1] == "2025-07-01"
    assert "Open invoices, most likely late first" in out
    assert "rests on:" in out
    assert max(len(line) for line in out.splitlines()) <= 100


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_forecast_keeps_the_review_tables_width_in_every_language(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    lang: str,
) -> None:
    # The sample firm (the demo's data), whose Polish heading alone was 107 columns: "Prognoza
    # wpływów na dzień 2026-06-30 (EUR) z otwartych faktur: 31; podstawa nauki: 1 302
    # zapłacone faktury." Every line fits the review's 100 columns (report.table.WIDTH),
    # counted as a terminal shows them, and the heading is broken between words only: its
    # lines joined by a space are the sentence, and "1 302" (a no-break space) stays whole.
    from clientguard.report.text import columns
    from clientguard.sample import SAMPLE_AS_OF, sample_ledger

    book = sample_ledger()
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_module, "_review_ledger", lambda args, config: book)
    code, out, _ = run(capsys, "forecast", "--as-of", SAMPLE_AS_OF.isoformat(), "--lang", lang,
                       "--limit", "3")
    assert code == EXIT_OK
    lines = out.splitlines()
    assert max(columns(line) for line in lines) <= 100
    heading = lines[:lines.index(next(line for line in lines if line.startswith(
        ("WEEK ", "TYDZ "))))]
    if lang == "en":
        assert heading == ["Cash-in forecast as of 2026-06-30 (EUR), from 31 open invoices; "
                           "learned from 1,302 paid invoices."]
    else:
        assert " ".join(heading) == (
            "Prognoza wpływów na dzień 2026-06-30 (EUR) z otwartych faktur: 31; podstawa nauki: "
            "1\N{NO-BREAK SPACE}302 zapłacone faktury.")
        assert len(heading) == 2


def test_forecast_backtest_prints_every_method(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ibm = Path(__file__).resolve().parents[2] / "shared" / "reference" / "data" / (
        "ibm_accounts_receivable.csv")
    if not ibm.exists():
        pytest.skip("the IBM sample in ../shared is absent")
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "forecast", "--backtest", "--source", "csv", "--option",
                       f"invoices={ibm}", "--option", "preset=ibm-ar", "--quiet")
    assert code == EXIT_OK
    methods = [line.split()[0] for line in out.splitlines()[3:]]
    assert methods == ["forecast", "client_mean", "last_invoice", "book_mean"]
    assert "16 monthly origins 2012-07-01 to 2013-10-01" in out


@pytest.mark.parametrize(("typo", "meant"), [("invoice", "invoices"), ("mapings", "mapping"),
                                              ("paymnets", "payments")])
def test_a_typo_in_a_connector_option_names_the_nearest_option(
    books: Path, capsys: pytest.CaptureFixture[str], typo: str, meant: str
) -> None:
    text = (books / "clientguard.toml").read_text()
    (books / "clientguard.toml").write_text(text + f'{typo} = "exports/2025-q1.csv"\n')
    code, _, err = run(capsys, "sync", "--quiet")
    assert code == EXIT_USAGE
    assert f"{typo}: not an option of this connector; did you mean {meant!r}?" in err


# ------------------------------------------------------------------------- review progress


def test_review_on_a_terminal_shows_each_stage_and_clears_the_line(
    synced: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["review", "--as-of", "2025-06-30"]) == EXIT_OK
    written = terminal.getvalue()
    stages = [part.rstrip("\u2026") for part in written.split("\r\x1b[K") if part]
    assert stages == [
        "clientguard review: loading the store and building the ledger",
        "clientguard review: replaying the invoices",
        "clientguard review: computing the metrics and the forecast",
        "clientguard review: running the signals",
        "clientguard review: judging the clients",
        "clientguard review: writing the report",
    ]
    assert written.endswith("\r\x1b[K")  # cleared before the report is printed
    assert "Acme" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "tty", "shown"),
    [
        ([], False, False),  # a cron log stays clean
        (["--quiet"], True, False),
        (["--progress"], False, True),
        (["--progress", "--quiet"], False, False),  # --quiet wins
    ],
    ids=["log", "quiet-terminal", "progress-in-log", "quiet-wins"],
)
def test_review_progress_only_on_a_terminal_or_when_asked(
    synced: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    argv: list[str], tty: bool, shown: bool,
) -> None:
    err = FakeTerminal() if tty else io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["review", "--as-of", "2025-06-30", *argv]) == EXIT_OK
    written = err.getvalue()
    if shown:
        # In a log: plain lines, one per stage, no terminal control codes.
        assert "\x1b" not in written
        assert "\r" not in written
        assert written.splitlines()[:2] == [
            "clientguard review: loading the store and building the ledger",
            "clientguard review: replaying the invoices",
        ]
    else:
        assert "clientguard review:" not in written


def test_review_progress_with_sources_read_directly_names_the_ledger_built(
    books: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["review", "--source", "books", "--as-of", "2025-06-30", "--progress"]) == 0
    assert "clientguard review: building the ledger of books\n" in err.getvalue()
    assert "books invoices: " in err.getvalue()  # the pull's progress, asked for


def test_review_of_sources_in_a_log_writes_no_pull_progress(
    books: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    err = io.StringIO()
    monkeypatch.setattr(sys, "stderr", err)
    assert main(["review", "--source", "books", "--as-of", "2025-06-30"]) == 0
    assert "books invoices: " not in err.getvalue()
    assert "clientguard review:" not in err.getvalue()


def test_an_error_during_review_clears_the_progress_line_first(
    books: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # Never synced: no store, an error said while the stage line is open.
    terminal = FakeTerminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert main(["review", "--as-of", "2025-06-30"]) == EXIT_USAGE
    written = terminal.getvalue()
    cleared = written.rindex("\r\x1b[K")
    assert "loading the store" in written[:cleared]
    assert written[cleared:].startswith("\r\x1b[Kclientguard: ")  # the error on a clean line
    assert "run `clientguard sync` first" in written[cleared:]


# ---------------------------------------------------------------------- --as-of after today

@pytest.mark.parametrize(("lang", "said"), [
    ("en", "clientguard: warning: --as-of 2026-03-07 is after today (2025-12-07): clientguard "
           "review counts every invoice due by then and unpaid today as overdue, and stale-data "
           "notices measure to that day; leave --as-of out to work as of today"),
    ("pl", "clientguard: ostrzeżenie: --as-of 7 marca 2026 to data po dzisiejszej (7 grudnia "
           "2025): clientguard review uznaje za przeterminowaną każdą fakturę wymagalną do tego "
           "dnia i dziś niezapłaconą, a uwagi o nieaktualnych danych liczą dni do tego dnia; "
           "pomiń --as-of, by liczyć stan na dziś"),
])
def test_a_review_as_of_after_today_says_so(
    synced: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    lang: str, said: str,
) -> None:
    # The core never reads the clock; the command line does (cli._today), so it is the one to
    # say that a date three months ahead counts invoices not yet due today as overdue.
    monkeypatch.setattr(cli_module, "_today", lambda: date(2025, 12, 7))
    code, _, err = run(capsys, "--lang", lang, "review", "--as-of", "2026-03-07", "--no-save",
                       "--format", "json")
    assert code in (EXIT_OK, EXIT_FINDINGS)
    assert said in " ".join(err.split())
    # Today and before: no word of it.
    for day in ("2025-12-07", "2025-06-30"):
        _, _, err = run(capsys, "--lang", lang, "review", "--as-of", day, "--no-save",
                        "--format", "json")
        assert "--as-of" not in err


@pytest.mark.parametrize(("command", "lang", "said"), [
    # Each command's own name, not "the review" (which forecast, claim, rejections and
    # portfolio said, and whose "leave --as-of out to review" told a forecast to review).
    ("forecast", "en", "clientguard: warning: --as-of 2026-03-07 is after today (2025-12-07): "
     "clientguard forecast counts every invoice due by then and unpaid today as overdue, and "
     "stale-data notices measure to that day; leave --as-of out to work as of today"),
    ("forecast", "pl", "clientguard: ostrzeżenie: --as-of 7 marca 2026 to data po dzisiejszej "
     "(7 grudnia 2025): clientguard forecast uznaje za przeterminowaną każdą fakturę wymagalną "
     "do tego dnia i dziś niezapłaconą, a uwagi o nieaktualnych danych liczą dni do tego dnia; "
     "pomiń --as-of, by liczyć stan na dziś"),
    ("rejections", "en", "clientguard: warning: --as-of 2026-03-07 is after today "
     "(2025-12-07): clientguard rejections counts every invoice due by then"),
])
def test_every_command_that_takes_as_of_warns_of_a_date_after_today(
    synced: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    command: str, lang: str, said: str,
) -> None:
    # A forecast or the data-quality notes as of three months ahead count the same invoices
    # as overdue as a review would.
    monkeypatch.setattr(cli_module, "_today", lambda: date(2025, 12, 7))
    _, _, err = run(capsys, "--lang", lang, command, "--as-of", "2026-03-07")
    assert said in " ".join(err.split())
    _, _, err = run(capsys, "--lang", lang, command, "--as-of", "2025-12-07")
    assert "--as-of" not in err


@pytest.mark.parametrize("lang", ["en", "pl"])
def test_forecast_prints_a_dash_for_an_undated_invoices_interval(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    lang: str,
) -> None:
    # docs/forecast.md's worked example: Y, 50 days past due, is older than every paid delay
    # (not dated: docs/cli.md says its date and interval show "-"); X's interval has a first
    # day (due + 20) and no end ("..?"). The interval of Y printed "-..?".
    from clientguard.testing import invoice as make_invoice
    from clientguard.testing import ledger as make_ledger

    as_of = date(2025, 6, 30)
    records = []
    for n, delay in enumerate([0, 10, 20, 40] * 3):
        due = as_of - timedelta(days=delay)
        records.append(make_invoice("c", issued=due - timedelta(days=30), due=due,
                                    total="100", paid=as_of, id=f"c-{n}"))
    for ident, age, total in (("X", 15, "1000"), ("Y", 50, "2000")):
        due = as_of - timedelta(days=age)
        records.append(make_invoice("c", issued=due - timedelta(days=30), due=due,
                                    total=total, id=ident))
    book = make_ledger(*records)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli_module, "_review_ledger", lambda args, config: book)
    monkeypatch.setattr(cli_module, "_today", lambda: date(2025, 7, 1))
    code, out, _ = run(capsys, "forecast", "--as-of", "2025-06-30", "--lang", lang,
                       "--source", "csv", "--option", "invoices=x.csv")
    assert code == EXIT_OK
    rows = {line.split()[0]: line.split() for line in out.splitlines()
            if line.split() and line.split()[0] in ("X", "Y")}
    # INVOICE CLIENT DUE PREDICTED INTERVAL P-LATE P>30
    assert rows["Y"][3:5] == ["-", "-"]
    assert rows["X"][4] == "2025-07-05..?"  # due 2025-06-15 + 20 days, no end
