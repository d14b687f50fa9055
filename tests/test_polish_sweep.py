"""A Polish run leaves no English: the messages a sweep of every command with ``--lang pl``
found still in English (the saved reviews' errors of ``changes`` and ``notify``, the notify
settings and sends, a lake without the firm asked for), each in Polish, and the English
unchanged without ``--lang pl``.

The Polish expected is written here by hand, in the owners' words; the English is the
message as the source writes it."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import EXIT_OK, EXIT_USAGE, main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

# Acme pays A-2 46 days late and leaves A-3 open: the first review has findings to send.
INVOICES = (
    "Number,Client,Issued,Due,Total,Paid\n"
    "A-1,Acme,2025-01-02,2025-02-01,1000.00,2025-02-01\n"
    "A-2,Acme,2025-02-03,2025-03-05,1000.00,2025-04-20\n"
    "A-3,Acme,2025-03-03,2025-04-05,2500.00,\n"
    "B-1,Birch,2025-01-10,2025-02-09,300.00,2025-02-05\n"
)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def books(csv_books: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a CSV source and a store holding one saved review as of 2025-07-01."""
    folder = csv_books(config='base_currency = "EUR"\nstore = "data/clientguard.db"\n')
    for variable in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for name in ("EMAIL_TO", "EMAIL_FROM", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY",
                 "SMTP_PASSWORD", "SMTP_USER", "WEBHOOK_URL"):
        monkeypatch.delenv(f"CLIENTGUARD_NOTIFY_{name}", raising=False)
    (folder / "invoices.csv").write_text(INVOICES)
    assert main(["sync", "--quiet"]) == EXIT_OK
    assert main(["review", "--as-of", "2025-07-01", "--quiet", "--format", "json",
                 "--output", "review.json"]) == EXIT_OK
    return folder


def _env(monkeypatch: pytest.MonkeyPatch, **values: str) -> None:
    for name, value in values.items():
        monkeypatch.setenv(f"CLIENTGUARD_NOTIFY_{name}", value)


# One row per leak the sweep found: the environment it needs, the command, then the words
# of the English message and of its Polish.
CASES: dict[str, tuple[Callable[[pytest.MonkeyPatch], None], list[str], str, str]] = {
    "changes since a date before every saved review": (
        lambda mp: None,
        ["changes", "--since", "2020-01-01"],
        "has no saved review as of 2020-01-01 or before (the first is as of 2025-07-01): give a "
        "later --since, or backfill",
        "nie ma przeglądu zapisanego na dzień 2020-01-01 ani wcześniej (pierwszy jest na dzień "
        "2025-07-01): podaj późniejszą datę w --since albo odtwórz wcześniejsze przeglądy",
    ),
    "notify by e-mail without its settings": (
        lambda mp: None,
        ["notify", "--via", "email"],
        "notify email: set CLIENTGUARD_NOTIFY_EMAIL_TO (notify reads its settings and "
        "credentials from the environment only; docs/history.md)",
        "notify email: ustaw zmienną CLIENTGUARD_NOTIFY_EMAIL_TO (notify czyta ustawienia i "
        "dane logowania wyłącznie ze zmiennych środowiskowych; docs/history.md)",
    ),
    "notify to a webhook without its URL": (
        lambda mp: None,
        ["notify", "--via", "webhook"],
        "notify webhook: set CLIENTGUARD_NOTIFY_WEBHOOK_URL",
        "notify webhook: ustaw zmienną CLIENTGUARD_NOTIFY_WEBHOOK_URL",
    ),
    "a webhook URL that is not http": (
        lambda mp: _env(mp, WEBHOOK_URL="ftp://example.invalid/hook"),
        ["notify", "--via", "webhook"],
        "notify webhook: CLIENTGUARD_NOTIFY_WEBHOOK_URL is not an http(s) URL",
        "notify webhook: CLIENTGUARD_NOTIFY_WEBHOOK_URL nie jest adresem http(s)",
    ),
    "an SMTP port that is not a port": (
        lambda mp: _env(mp, SMTP_PORT="99999"),
        ["notify", "--via", "email"],
        # The port is no credential: the command line quotes it.
        "CLIENTGUARD_NOTIFY_SMTP_PORT '99999' is not a port",
        "CLIENTGUARD_NOTIFY_SMTP_PORT '99999' nie jest numerem portu",
    ),
    "an SMTP security that does not exist": (
        lambda mp: _env(mp, SMTP_SECURITY="smtps"),
        ["notify", "--via", "email"],
        "CLIENTGUARD_NOTIFY_SMTP_SECURITY 'smtps': use starttls or none",
        "CLIENTGUARD_NOTIFY_SMTP_SECURITY 'smtps': użyj starttls albo none",
    ),
    "a password without encryption": (
        lambda mp: _env(mp, SMTP_SECURITY="none", SMTP_PASSWORD="hunter2-not-shown"),
        ["notify", "--via", "email"],
        "CLIENTGUARD_NOTIFY_SMTP_SECURITY=none would send the password unencrypted; use starttls",
        "przy CLIENTGUARD_NOTIFY_SMTP_SECURITY=none hasło poszłoby niezaszyfrowane; użyj starttls",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_user_error_is_in_the_chosen_language(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    case: str, lang: str,
) -> None:
    prepare, argv, english, polish = CASES[case]
    prepare(monkeypatch)
    code, _out, err = run(capsys, "--lang", lang, *argv)
    assert code == EXIT_USAGE
    expected, other = (polish, english) if lang == "pl" else (english, polish)
    assert expected in err
    assert other not in err
    assert "hunter2" not in err


def test_changes_without_a_saved_review_is_polish(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _out, err = run(capsys, "--lang", "pl", "changes", "--store", "empty.db")
    # A store that does not exist is the store's own (already Polish) error; one that exists
    # with no review saved is history's.
    assert code == EXIT_USAGE
    code, _out, err = run(capsys, "--lang", "pl", "sync", "--quiet", "--store", "empty.db")
    assert code == EXIT_OK
    code, _out, err = run(capsys, "--lang", "pl", "changes", "--store", "empty.db")
    assert code == EXIT_USAGE
    assert "nie ma zapisanego przeglądu: uruchom clientguard review (bez --no-save)" in err
    assert "has no saved review" not in err


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("pl", "webhook odrzucił wiadomość: HTTP 400 invalid_payload",
         "the webhook refused the message"),
        ("en", "the webhook refused the message: HTTP 400 invalid_payload",
         "webhook odrzucił"),
    ],
)
def test_a_webhook_that_refuses_the_message_is_said_in_the_language(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    httpserver: HTTPServer, lang: str, expected: str, absent: str,
) -> None:
    httpserver.expect_request("/hook").respond_with_data("invalid_payload", status=400)
    _env(monkeypatch, WEBHOOK_URL=httpserver.url_for("/hook"))
    code, _out, err = run(capsys, "--lang", lang, "notify", "--via", "webhook")
    assert code != EXIT_OK
    assert expected in err
    assert absent not in err
    # Refused, not failed for a while: nothing is retried, and the next run sends again.
    assert len(httpserver.log) == 1
    again = ("nic nie zapisano jako wysłane, więc te zmiany wyśle następne uruchomienie"
             if lang == "pl" else "nothing is recorded as sent, so the next run sends")
    assert again in err


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("pl", "nie ma firmy 'nope'", "has no firm"),
        ("en", "has no firm 'nope'", "nie ma firmy"),
    ],
)
def test_a_portfolio_of_a_firm_the_lake_does_not_hold_is_said_in_the_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str, absent: str,
) -> None:
    pytest.importorskip("pyarrow", reason="the Parquet lake needs pyarrow")
    assert main(["export", "--format", "parquet", "--firm-id", "f1", "lake"]) == EXIT_OK
    capsys.readouterr()
    code, _out, err = run(capsys, "--lang", lang, "portfolio", "lake", "--output", "out",
                          "--firm", "nope", "--as-of", "2025-07-01", "--quiet")
    assert code == EXIT_USAGE
    assert expected in err
    assert absent not in err


@pytest.mark.parametrize(
    ("lang", "heads", "absent"),
    [
        ("pl", ["na dzień", "do monitoringu", "do renegocjacji warunków",
                "do rozważenia zakończenia współpracy"], ["as_of", "revise_terms", "monitor"]),
        ("en", ["as of", "monitor", "revise terms", "consider ending"],
         ["as_of", "revise_terms", "consider_ending"]),
    ],
)
def test_the_backfills_table_heads_are_in_the_language_over_their_counts(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, heads: list[str],
    absent: list[str],
) -> None:
    code, out, _err = run(capsys, "--lang", lang, "review", "--quiet", "--backfill", "monthly",
                          "--since", "2025-04-01", "--as-of", "2025-06-30")
    assert code == EXIT_OK
    head, *rows = out.splitlines()
    assert [r.split()[0] for r in rows] == ["2025-04-30", "2025-05-31", "2025-06-30"]
    for words in heads:
        assert words in head
    for code_word in absent:  # a whole word: the Polish "do monitoringu" is no leak of it
        assert not re.search(rf"\b{code_word}\b", head)
    # Each count stands under the end of its head: Acme (A-2 paid 46 days late, A-3 open past
    # due) is to revise its terms in every month, Birch (paid early) is not counted.
    assert all(len(r) == len(head) for r in rows)
    revise_end = head.index(heads[2]) + len(heads[2])
    assert all(r[revise_end - 1] == "1" for r in rows)


# ------------------------------------------------------------------ the second sweep's leaks


def _bad_rows(books: Path, count: int) -> None:
    """Append ``count`` invoices whose total is no amount: each a problem of the ledger."""
    with (books / "invoices.csv").open("a") as rows:
        for number in range(count):
            rows.write(f"X-{number},Acme,2025-01-02,2025-02-01,abc,\n")
    assert main(["sync", "--quiet"]) == EXIT_OK


# Polish counts in three forms (CLDR's pl plural rules): one (1), few (2-4, 22-24, but not
# 12-14) and many (0, 5-21, 25...).
@pytest.mark.parametrize(
    ("count", "polish", "english"),
    [
        (1, "1 problem w rekordach księgi:", "1 problem in the ledger's records:"),
        (2, "2 problemy w rekordach księgi:", "2 problems in the ledger's records:"),
        (5, "5 problemów w rekordach księgi:", "5 problems in the ledger's records:"),
    ],
)
@pytest.mark.parametrize("command", [["forecast"], ["review", "--no-save"]])
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_strict_run_counts_the_ledgers_problems_in_the_language(
    books: Path, capsys: pytest.CaptureFixture[str], command: list[str], lang: str,
    count: int, polish: str, english: str,
) -> None:
    _bad_rows(books, count)
    capsys.readouterr()
    code, _out, err = run(capsys, "--lang", lang, *command, "--as-of", "2025-07-01",
                          "--strict")
    assert code == EXIT_USAGE
    expected, other = (polish, english) if lang == "pl" else (english, polish)
    assert f"clientguard: {expected}\n" in err
    assert other not in err
    # Every problem is listed, each naming its record.
    assert sum(f"invoice X-{n} " in err for n in range(count)) == count


@pytest.mark.parametrize(
    ("count", "header", "more"),
    [
        (1, "1 problem w rekordach księgi:", None),
        (4, "4 problemy w rekordach księgi:", None),
        (12, "12 problemów w rekordach księgi:", None),
        (21, "21 problemów w rekordach księgi:", "... i jeszcze 1 problem (wszystkie są w "
         "DataError.problems; strict=False zachowuje poprawne rekordy)"),
        (22, "22 problemy w rekordach księgi:", "... i jeszcze 2 problemy (wszystkie"),
        (25, "25 problemów w rekordach księgi:", "... i jeszcze 5 problemów (wszystkie"),
    ],
)
def test_the_problems_header_takes_the_polish_plural_form_of_its_count(
    count: int, header: str, more: str | None
) -> None:
    from clientguard.errors import MESSAGE_CAP, DataError
    from clientguard.i18n import pgettext, using
    from clientguard.records import Rejection

    problem = Rejection("invoice", "books", "C-1", "total", "'abc' is not an amount")
    with using("pl"):
        text = str(DataError.from_problems(
            [problem] * count, what=pgettext("problems in", "the ledger's records")))
    lines = text.splitlines()
    assert lines[0] == header
    assert len(lines) == 1 + min(count, MESSAGE_CAP) + (more is not None)
    if more is None:
        assert "... and" not in text
        assert "i jeszcze" not in text
    else:
        assert lines[-1].strip().startswith(more)
        assert "more (every one" not in text


@pytest.mark.parametrize(
    ("lang", "header"),
    [("pl", "3 problemy w fakturze INV-9:"), ("en", "3 problems in invoice INV-9:")],
)
def test_a_record_that_breaks_the_model_is_counted_in_the_language(
    lang: str, header: str
) -> None:
    from datetime import date

    from clientguard.errors import DataError
    from clientguard.i18n import using
    from clientguard.model import Invoice

    with using(lang), pytest.raises(DataError) as caught:
        # Three problems: no customer, no currency and a total that is no amount.
        Invoice(id="INV-9", source="books", number="INV-9", status="paid",  # type: ignore[call-arg]
                issue_date=date(2025, 1, 1), due_date=date(2025, 1, 31), total="abc")
    assert str(caught.value).splitlines()[0] == header


# The CLIENTGUARD_NOTIFY_* values an error may quote, and the ones it never shows.
PORT = "99999"
PASSWORD = "hunter2-not-shown"
WEBHOOK_TOKEN = "T0001B0002XXXXXXXXXXXXXX"


@pytest.mark.parametrize(
    ("settings", "argv", "shown", "hidden"),
    [
        ({"SMTP_PORT": PORT, "SMTP_PASSWORD": PASSWORD}, ["notify", "--via", "email"],
         "CLIENTGUARD_NOTIFY_SMTP_PORT '99999' is not a port", [PASSWORD]),
        ({"SMTP_SECURITY": "smtps"}, ["notify", "--via", "email"],
         "CLIENTGUARD_NOTIFY_SMTP_SECURITY 'smtps': use starttls or none", []),
        ({"SMTP_SECURITY": "none", "SMTP_PASSWORD": PASSWORD}, ["notify", "--via", "email"],
         "CLIENTGUARD_NOTIFY_SMTP_SECURITY=none would send the password unencrypted", [PASSWORD]),
        # A password given as the port (a shell line gone wrong): shown nowhere, even there.
        ({"SMTP_PORT": PASSWORD, "SMTP_PASSWORD": PASSWORD}, ["notify", "--via", "email"],
         "CLIENTGUARD_NOTIFY_SMTP_PORT '[redacted]' is not a port", [PASSWORD]),
    ],
    ids=["port", "security", "password unencrypted", "password as the port"],
)
def test_the_command_line_hides_notifys_credentials_and_quotes_its_settings(
    books: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
    settings: dict[str, str], argv: list[str], shown: str, hidden: list[str],
) -> None:
    _env(monkeypatch, **settings)
    code, _out, err = run(capsys, "--lang", "en", *argv)
    assert code == EXIT_USAGE
    assert shown in err
    for secret in hidden:
        assert secret not in err


@pytest.mark.parametrize(
    ("name", "value", "secret"),
    [
        ("SMTP_PASSWORD", PASSWORD, True),
        ("SMTP_USER", "mailer@firm.example", True),
        ("WEBHOOK_URL", f"https://hooks.example/services/{WEBHOOK_TOKEN}", True),
        ("SMTP_PASSWD", PASSWORD, True),  # a misspelt name: notify does not read it
        ("SMTP_PORT", PORT, False),
        ("SMTP_SECURITY", "starttls", False),
        ("SMTP_HOST", "smtp.firm.example", False),
        ("SMTP_CAFILE", "/etc/ssl/firm-ca.pem", False),
        ("EMAIL_FROM", "clientguard@firm.example", False),
        ("EMAIL_TO", "owner@firm.example", False),
    ],
)
def test_a_printed_line_shows_a_notify_setting_only_when_it_is_no_credential(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, secret: bool
) -> None:
    from clientguard.cli import _scrub_secrets

    monkeypatch.setenv(f"CLIENTGUARD_NOTIFY_{name}", value)
    line = f"clientguard: CLIENTGUARD_NOTIFY_{name} {value!r}"
    scrubbed = _scrub_secrets(line)
    assert (value not in scrubbed) is secret
    assert ("[redacted]" in scrubbed) is secret
    if name == "WEBHOOK_URL":
        # The token alone, quoted without the rest of the URL, is hidden too.
        assert WEBHOOK_TOKEN not in _scrub_secrets(f"400 invalid_token {WEBHOOK_TOKEN}")


def test_a_connectors_variable_is_still_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    from clientguard.cli import _scrub_secrets

    monkeypatch.setenv("CLIENTGUARD_STRIPE_API_KEY", "sk_test_notshown42")
    assert "sk_test_notshown42" not in _scrub_secrets("refused sk_test_notshown42")


# Portfolio: the findings' messages are written in the run's language.
PORTFOLIO_WORDS = {
    # Acme 4,500 of 4,800 (93.75%), Birch 300 (6.25%): HHI 8,789.0625 + 39.0625 = 8,828.125,
    # above the 1,800 line; 1 / 0.8828125 = 1.13 equal clients.
    "pl": ("Wskaźnik HHI przychodów firmy wynosi 8\xa0828, powyżej progu 1\xa0800 rynku silnie "
           "skoncentrowanego", "The book's revenue HHI is"),
    "en": ("The book's revenue HHI is 8,828, above the 1,800 line of a highly concentrated "
           "market", "Wskaźnik HHI"),
}


@pytest.mark.parametrize("lang", ["pl", "en"])
def test_the_portfolios_findings_are_written_in_the_commands_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str,
) -> None:
    pytest.importorskip("pyarrow", reason="the Parquet lake needs pyarrow")
    from clientguard.portfolio import read_output
    from clientguard.portfolio.run import RUN_FILE

    assert main(["export", "--format", "parquet", "--firm-id", "f1", "lake"]) == EXIT_OK
    code, _out, _err = run(capsys, "--lang", lang, "portfolio", "lake", "--output", "out",
                           "--as-of", "2025-07-01", "--quiet", "--workers", "1")
    assert code == EXIT_OK
    _firms, findings = read_output(books / "out")
    messages = [f.message for f in findings]
    expected, other = PORTFOLIO_WORDS[lang]
    assert any(m.startswith(expected) for m in messages), messages
    assert not any(other in m for m in messages)
    assert json.loads((books / "out" / RUN_FILE).read_text())["lang"] == lang


@pytest.mark.parametrize(
    ("lang", "expected", "absent"),
    [
        ("pl", "nolake nie jest jeziorem danych clientguard: brak w nim pliku "
         "_clientguard_layout.json (zapisz go poleceniem clientguard export --format parquet)",
         "is not a clientguard lake"),
        ("en", "nolake is not a clientguard lake: it has no _clientguard_layout.json (write one "
         "with clientguard export --format parquet)", "jeziorem"),
    ],
)
def test_a_portfolio_of_a_folder_that_is_no_lake_is_said_in_the_language(
    books: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str, absent: str,
) -> None:
    (books / "nolake").mkdir()
    code, _out, err = run(capsys, "--lang", lang, "portfolio", "nolake", "--output", "out",
                          "--as-of", "2025-07-01", "--quiet")
    assert code == EXIT_USAGE
    assert expected in err
    assert absent not in err


def test_without_notify_importable_every_notify_value_is_hidden(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The line being printed may be notify's own import failing: then the command line
    cannot tell a setting from a credential, and hides them all."""
    import sys

    from clientguard.cli import _scrub_secrets

    monkeypatch.setitem(sys.modules, "clientguard.notify", None)  # import raises ImportError
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_SMTP_PORT", PORT)
    monkeypatch.setenv("CLIENTGUARD_NOTIFY_SMTP_PASSWORD", PASSWORD)
    scrubbed = _scrub_secrets(f"port {PORT}, password {PASSWORD}")
    assert scrubbed == "port [redacted], password [redacted]"


@pytest.mark.parametrize(("lang", "start"), [("pl", "proces roboczy"), ("en", "the worker")])
def test_the_row_of_a_firm_that_killed_its_worker_is_in_the_runs_language(
    lang: str, start: str, tmp_path: Path
) -> None:
    # The driver writes that row (its own language may be another): the task's language wins.
    from datetime import date

    from clientguard.i18n import using
    from clientguard.policy import Policy
    from clientguard.portfolio import read_output
    from clientguard.portfolio.firm import INTERNAL_ERROR
    from clientguard.portfolio.run import FirmTask, worker_died, write_failure

    task = FirmTask("f1", str(tmp_path / "lake"), str(tmp_path), date(2026, 6, 30), Policy(),
                    lang=lang)
    with using("en" if lang == "pl" else "pl"):
        write_failure(task, INTERNAL_ERROR, worker_died(task))
    (summary,), _ = read_output(tmp_path)
    assert summary.reason is not None
    assert summary.reason.startswith(start)


# ------------------------------------------------------------------ the fourth sweep's leaks

# history --format csv: the header row as the review's CSV writes it (report/spreadsheet.py):
# the column ids in English, Polish headings in Polish, in the same order; the cells (dates,
# ids, verdict and severity codes, numbers) the same in both.
HISTORY_HEADS = {
    "en": ["as_of", "client_id", "name", "verdict", "severity", "late_share",
           "weighted_days_late", "overdue", "revenue_share", "findings", "policy_digest"],
    "pl": ["Stan na", "Id klienta", "Klient", "Ocena", "Waga", "Udział spóźnionych faktur",
           "Średnie opóźnienie ważone kwotą (dni)", "Przeterminowane", "Udział w przychodach",
           "Liczba sygnałów", "Skrót zasad"],
}


def test_historys_csv_header_is_in_the_language_and_its_cells_are_not(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import csv

    tables = {}
    for lang in ("en", "pl"):
        code, out, _err = run(capsys, "--lang", lang, "history", "--format", "csv")
        assert code == EXIT_OK
        tables[lang] = list(csv.reader(out.splitlines()))
    for lang, heads in HISTORY_HEADS.items():
        assert tables[lang][0] == heads
    assert tables["pl"][1:] == tables["en"][1:]
    # The fixture's one saved review: Acme, revise_terms (A-2 46 days late, A-3 open), and
    # Birch ok, under the codes in both languages.
    assert [(r[0], r[1], r[3]) for r in tables["pl"][1:]] == [
        ("2025-07-01", "Acme", "revise_terms"), ("2025-07-01", "Birch", "ok")]


def _lake_with(tmp_path: Path, layout: str | None) -> Path:
    """A lake folder whose layout file holds ``layout`` (None: a lake of this version)."""
    from clientguard.portfolio.layout import LAYOUT_FILE, write_layout_file

    lake = tmp_path / "lake"
    write_layout_file(lake)
    if layout is not None:
        (lake / LAYOUT_FILE).write_text(layout)
    return lake


def _firm_ids(layout: str | None) -> Callable[[Path], object]:
    from clientguard.portfolio.layout import firm_ids

    return lambda tmp: firm_ids(_lake_with(tmp, layout))


def _firm(firm_id: str, *, base: str = "EUR") -> Callable[[Path], object]:
    from clientguard.portfolio.layout import write_firm

    return lambda tmp: write_firm(tmp / "lake", firm_id, [], base_currency=base)


def _read(firm_id: str) -> Callable[[Path], object]:
    from clientguard.portfolio.layout import read_firm

    return lambda tmp: read_firm(_lake_with(tmp, None), firm_id)


# A lake the driver reads or writes: its LayoutError in the reader's language.
LAYOUT_CASES: dict[str, tuple[Callable[[Path], object], str, str]] = {
    "a layout newer than this clientguard": (
        _firm_ids('{"layout": "clientguard-parquet", "layout_version": 99}'),
        "_clientguard_layout.json: layout version 99 is newer than this clientguard reads (1): "
        "upgrade clientguard",
        "_clientguard_layout.json: wersja układu 99 jest nowsza niż ta, którą czyta ta wersja "
        "clientguard (1): zaktualizuj clientguard",
    ),
    "a layout file that is not JSON": (
        _firm_ids("{nope"),
        "_clientguard_layout.json: cannot be read as JSON: ",
        "_clientguard_layout.json: nie można odczytać pliku jako JSON: ",
    ),
    "a layout file of another layout": (
        _firm_ids('{"layout": "delta"}'),
        "_clientguard_layout.json: not a clientguard-parquet layout file",
        "_clientguard_layout.json: to nie jest plik układu clientguard-parquet",
    ),
    "a firm id no path can hold": (
        _firm("../x"),
        "firm id '../x' cannot name a partition: use letters, digits, '.', '_' and '-' (at "
        "most 200), not starting with '.' or '_'",
        "identyfikator firmy '../x' nie może nazywać partycji: użyj liter, cyfr, '.', '_' i "
        "'-' (najwyżej 200 znaków), nie zaczynając od '.' ani '_'",
    ),
    "a firm id Hive escaped": (
        _firm("a%20b"),
        "; it is Hive's escaping of 'a b', which is no firm id either: give the firm an id of "
        "those characters",
        "; to zapis 'a b' w kodowaniu Hive, który też nie jest identyfikatorem firmy: nadaj "
        "firmie identyfikator z tych znaków",
    ),
    "a base currency that is no currency": (
        _firm("acme", base="EURO"),
        "base currency 'EURO' is not an ISO 4217 code",
        "waluta bazowa 'EURO' nie jest kodem ISO 4217",
    ),
    "a firm the lake does not hold": (
        _read("acme"),
        "the lake has no firm 'acme': firm/firm_id=acme is not there",
        "w jeziorze danych nie ma firmy 'acme': brak partycji firm/firm_id=acme",
    ),
}


@pytest.mark.parametrize("case", LAYOUT_CASES, ids=list(LAYOUT_CASES))
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_lakes_layout_error_is_in_the_readers_language(
    tmp_path: Path, case: str, lang: str
) -> None:
    pytest.importorskip("pyarrow", reason="the Parquet lake needs pyarrow")
    from clientguard.i18n import using
    from clientguard.portfolio.layout import LayoutError

    make, english, polish = LAYOUT_CASES[case]
    with using(lang), pytest.raises(LayoutError) as caught:
        make(tmp_path)
    expected, other = (polish, english) if lang == "pl" else (english, polish)
    assert expected in str(caught.value)
    assert other not in str(caught.value)


def test_a_newer_lake_is_refused_in_polish_on_the_command_line(
    books: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lake = _lake_with(books, '{"layout": "clientguard-parquet", "layout_version": 99}')
    code, _out, err = run(capsys, "--lang", "pl", "portfolio", str(lake), "--output", "out",
                          "--as-of", "2025-07-01", "--quiet")
    assert code == EXIT_USAGE
    assert "wersja układu 99 jest nowsza" in err
    assert "is newer than" not in err


@pytest.mark.parametrize(
    ("lang", "blocked", "broken"),
    [
        ("pl", "nie udało się zapisać jej wierszy: FileExistsError: ",
         "invoices/firm_id=broken/part-0.parquet: nie można odczytać pliku jako Parquet: "),
        ("en", "its rows could not be written: FileExistsError: ",
         "invoices/firm_id=broken/part-0.parquet: cannot be read as Parquet: "),
    ],
)
def test_a_firms_row_says_why_it_failed_in_the_runs_language(
    tmp_path: Path, lang: str, blocked: str, broken: str
) -> None:
    # The driver runs in English; the run is in ``lang``: each worker writes its firm's
    # reason in the run's language, a layout error of the firm's own files included.
    pytest.importorskip("pyarrow", reason="the Parquet lake needs pyarrow")
    from clientguard.portfolio import run as run_portfolio
    from clientguard.portfolio.layout import write_firm
    from clientguard.testing import customer, invoice

    lake, out = tmp_path / "lake", tmp_path / "out"
    records: list[Any] = [
        customer("acme"), invoice("acme", issued="2025-03-01", due="2025-03-31", total="100.00")]
    for firm in ("blocked", "broken"):
        write_firm(lake, firm, records, base_currency="EUR")
    (lake / "invoices" / "firm_id=broken" / "part-0.parquet").write_text("not parquet")
    (out / "findings").mkdir(parents=True)
    (out / "findings" / "firm_id=blocked").write_text("not a folder")

    summary = run_portfolio(lake, as_of=date(2025, 6, 30), output=out, workers=1, lang=lang)

    reasons = {o.firm_id: o.reason or "" for o in summary.failed}
    assert reasons["blocked"].startswith(blocked)
    nor = "ani jej wiersza błędu: " if lang == "pl" else "; nor its error row: "
    assert nor in reasons["blocked"]
    assert broken in reasons["broken"]


# A rates file that breaks a rule: the file, line and column in the reader's words.
FX_CASES: dict[str, tuple[str, str, str]] = {
    "no header line": (
        "# only a comment\n",
        "has no header line (date,currency,base,rate)",
        "nie ma wiersza nagłówka (date,currency,base,rate)",
    ),
    "a header without a column": (
        "date,currency,rate\n",
        "line 1: the header has no 'base' column; it needs date,currency,base,rate "
        "(clientguard rates template prints an example)",
        "wiersz 1: w nagłówku brak kolumny 'base'; potrzebne są date,currency,base,rate "
        "(przykład pokazuje clientguard rates template)",
    ),
    "a date that is not one": (
        "date,currency,base,rate\n31/01/2025,USD,EUR,0.96\n",
        "line 2, column 'date': '31/01/2025' is not a date YYYY-MM-DD or DD.MM.YYYY",
        "wiersz 2, kolumna 'date': '31/01/2025' nie jest datą w postaci RRRR-MM-DD ani "
        "DD.MM.RRRR",
    ),
    "a rate with a decimal comma": (
        "date,currency,base,rate\n2025-01-31,USD,EUR,0,96\n",
        "line 2: has 5 fields, the header 4 (a rate with a decimal comma? write it with a "
        "dot: 1.05)",
        "wiersz 2: ma 5 pól, a nagłówek 4 (kurs z przecinkiem dziesiętnym? zapisz go z "
        "kropką: 1.05)",
    ),
    "a currency in lower case": (
        "date,currency,base,rate\n2025-01-31,usd,EUR,0.96\n",
        "line 2, column 'currency': 'usd' is not an upper-case ISO 4217 currency code",
        "wiersz 2, kolumna 'currency': 'usd' nie jest kodem waluty ISO 4217 pisanym wielkimi "
        "literami",
    ),
    "a rate that is no number": (
        "date,currency,base,rate\n2025-01-31,USD,EUR,abc\n",
        "line 2, column 'rate': 'abc' is not a number (write it with a dot: 0.9612)",
        "wiersz 2, kolumna 'rate': 'abc' nie jest liczbą (zapisz ją z kropką: 0.9612)",
    ),
    "a rate of zero": (
        "date,currency,base,rate\n2025-01-31,USD,EUR,0\n",
        "line 2, column 'rate': '0' is not a positive rate",
        "wiersz 2, kolumna 'rate': '0' nie jest dodatnim kursem",
    ),
    "a currency in itself": (
        "date,currency,base,rate\n2025-01-31,EUR,EUR,1\n",
        "line 2: currency and base are both EUR",
        "wiersz 2: currency i base to ta sama waluta EUR",
    ),
    "two rates of one day": (
        "date,currency,base,rate\n2025-01-31,USD,EUR,0.96\n2025-01-31,USD,EUR,0.97\n",
        "line 3: a second USD rate in EUR for 2025-01-31 (0.97; line 2 has 0.96): keep one",
        "wiersz 3: drugi kurs USD w EUR na dzień 2025-01-31 (0.97; wiersz 2 ma 0.96): "
        "zostaw jeden",
    ),
    # The shared CSV reader's (clientguard.csvinput): the line, the byte and how to save it.
    "a file that is not UTF-8": (
        "date,currency,base,rate\n2025-01-31,USD,EUR,0.96 \xe9\n",
        "line 2: the rates file is not UTF-8 text (byte 0xE9",
        "wiersz 2: plik kursów nie jest tekstem UTF-8 (bajt 0xE9",
    ),
    "a line that is not CSV": (
        'date,currency,base,rate\n2025-01-31,"USD"x,EUR,0.96\n',
        "line 2: the row starting here cannot be read as CSV (",
        "wiersz 2: wiersza zaczynającego się tutaj nie da się odczytać jako CSV (",
    ),
    "a column named twice": (
        "date,currency,base,rate,rate\n2025-01-31,USD,EUR,0.96,0.97\n",
        "line 1: the header names the column 'rate' twice (columns 4 and 5): one of the two "
        "cells of every row would be lost; keep one column of that name",
        "wiersz 1: nagłówek podaje kolumnę 'rate' dwa razy (kolumny 4 i 5): jedna z dwóch "
        "komórek każdego wiersza zostałaby utracona; zostaw jedną kolumnę o tej nazwie",
    ),
}


@pytest.mark.parametrize("case", FX_CASES, ids=list(FX_CASES))
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_rates_files_error_is_in_the_readers_language(
    tmp_path: Path, case: str, lang: str
) -> None:
    from clientguard.errors import ConfigError
    from clientguard.fx.files import read_rates_file
    from clientguard.i18n import using

    text, english, polish = FX_CASES[case]
    path = tmp_path / "rates.csv"
    path.write_bytes(text.encode("latin-1"))
    with using(lang), pytest.raises(ConfigError) as caught:
        read_rates_file(path)
    message = str(caught.value)
    expected, other = (polish, english) if lang == "pl" else (english, polish)
    assert expected in message
    assert other not in message
    # Every message names the file: the rates file's own in the language's words, the shared
    # CSV reader's by its path and line.
    if case in ("a file that is not UTF-8", "a line that is not CSV", "a column named twice"):
        line = 1 if case == "a column named twice" else 2
        assert f"{path}, {'wiersz' if lang == 'pl' else 'line'} {line}: " in message
    else:
        assert (f"plik kursów {path}" if lang == "pl" else f"rates file {path}") in message
