"""The command line, end to end in a temporary folder: sync, review, reports, errors."""

from __future__ import annotations

import csv
import io
import json
import tomllib
from collections.abc import Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar

import pytest
from pydantic import SecretStr

from clientguard import connectors
from clientguard.cli import EXIT_FINDINGS, EXIT_OK, EXIT_USAGE, main
from clientguard.connector import (
    Connector,
    ConnectorOptions,
    Mapped,
    RawPage,
    Stream,
)
from clientguard.errors import ApiError, AuthError, ErrorContext, UnknownConnectorError
from clientguard.ledger import Location
from clientguard.model import Customer, Invoice
from clientguard.policy import Policy
from clientguard.store import Store

csv_connector = pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

MAPPING = """\
currency = "EUR"
date_formats = ["iso"]

[invoices.columns]
number = "Number"
customer_name = "Client"
issue_date = "Issued"
due_date = "Due"
total = "Total"
paid_on = "Paid"
"""

HEADER = "Number,Client,Issued,Due,Total,Paid\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a mapping, one invoices file and a clientguard.toml naming them."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "exports").mkdir()
    (tmp_path / "exports" / "2025-q1.csv").write_text(
        HEADER
        + "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n"
        + "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
        + "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
    )
    write_config(tmp_path, ["exports/2025-q1.csv"])
    return tmp_path


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
        # A terminal: the line is rewritten page by page, with the running total.
        (True, "\r\x1b[Kpaged invoices: 3 records in 1 page (so far 3 records, 1 page)"
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


def test_debug_shows_the_traceback(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    with pytest.raises(UnknownConnectorError):
        main(["sync", "--debug", "--source", "nosuch"])
    with pytest.raises(UnknownConnectorError):
        main(["--debug", "sync", "--source", "nosuch"])


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
