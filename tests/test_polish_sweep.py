"""A Polish run leaves no English: the messages a sweep of every command with ``--lang pl``
found still in English (the saved reviews' errors of ``changes`` and ``notify``, the notify
settings and sends, a lake without the firm asked for), each in Polish, and the English
unchanged without ``--lang pl``.

The Polish expected is written here by hand, in the owners' words; the English is the
message as the source writes it."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import EXIT_OK, EXIT_USAGE, main

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

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
def books(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A folder with a CSV source and a store holding one saved review as of 2025-07-01."""
    monkeypatch.chdir(tmp_path)
    for variable in ("CLIENTGUARD_CONFIG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(variable, raising=False)
    for name in ("EMAIL_TO", "EMAIL_FROM", "SMTP_HOST", "SMTP_PORT", "SMTP_SECURITY",
                 "SMTP_PASSWORD", "SMTP_USER", "WEBHOOK_URL"):
        monkeypatch.delenv(f"CLIENTGUARD_NOTIFY_{name}", raising=False)
    (tmp_path / "mapping.toml").write_text(MAPPING)
    (tmp_path / "invoices.csv").write_text(INVOICES)
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "EUR"\n'
        'store = "data/clientguard.db"\n'
        "[sources.books]\n"
        'connector = "csv"\n'
        'mapping = "mapping.toml"\n'
        f"invoices = [{json.dumps('invoices.csv')}]\n"
    )
    assert main(["sync", "--quiet"]) == EXIT_OK
    assert main(["review", "--as-of", "2025-07-01", "--quiet", "--format", "json",
                 "--output", "review.json"]) == EXIT_OK
    return tmp_path


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
        # The command line hides the variables' values ('[redacted]'): only the words count.
        "is not a port",
        "nie jest numerem portu",
    ),
    "an SMTP security that does not exist": (
        lambda mp: _env(mp, SMTP_SECURITY="ssl"),
        ["notify", "--via", "email"],
        ": use starttls or none",
        ": użyj starttls albo none",
    ),
    "a password without encryption": (
        lambda mp: _env(mp, SMTP_SECURITY="none", SMTP_PASSWORD="hunter2-not-shown"),
        ["notify", "--via", "email"],
        "would send the password unencrypted; use starttls",
        "hasło poszłoby niezaszyfrowane; użyj starttls",
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
        ("pl", ["na dzień", "do obserwacji", "do renegocjacji warunków",
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
    for code_word in absent:
        assert code_word not in head
    # Each count stands under the end of its head: Acme (A-2 paid 46 days late, A-3 open past
    # due) is to revise its terms in every month, Birch (paid early) is not counted.
    assert all(len(r) == len(head) for r in rows)
    revise_end = head.index(heads[2]) + len(heads[2])
    assert all(r[revise_end - 1] == "1" for r in rows)
