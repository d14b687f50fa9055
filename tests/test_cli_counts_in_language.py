"""Counts a command prints in the reader's language: the export's records, the portfolio's
progress and summary, and `rates sync`'s lines (they were written ``2,566`` in Polish, which
a Polish reader takes for two and a half thousandths); `history --format json` writes its
numbers as plain decimals, as its CSV does (never ``9.1E-9``)."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from clientguard.cli import EXIT_OK, main
from clientguard.history import save_review
from clientguard.review import review
from clientguard.store import Store
from clientguard.testing import customer, invoice, ledger, payment

NBSP = "\xa0"  # Polish groups thousands with a no-break space (CLDR), as `sync` writes them


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("pl", f"Przejrzano 1{NBSP}234 z 1{NBSP}500 firm, ustalenia: 25{NBSP}678; wiersze w out"),
        ("en", "1,234 of 1,500 firms reviewed, findings: 25,678; rows in out"),
    ],
)
def test_the_portfolios_summary_groups_its_counts_in_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    lang: str, expected: str,
) -> None:
    import importlib

    # The module (the package's `run` is its function of that name).
    portfolio_run = importlib.import_module("clientguard.portfolio.run")

    def ran(*_args: object, progress: Callable[..., None], **_kwargs: object) -> Any:
        progress(None, 1234, 1500)  # a log's line: stderr is not a terminal here
        return SimpleNamespace(failed=[], reviewed=1234, firms=1500, findings=25678,
                               output="out")

    monkeypatch.setattr(portfolio_run, "run", ran)
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--lang", lang, "portfolio", "lake", "--output", "out")
    assert code == EXIT_OK
    assert out.strip() == expected
    progress = {"pl": f"1{NBSP}234 z 1{NBSP}500", "en": "1,234 of 1,500 firms done"}[lang]
    assert progress in err


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("pl", f"2{NBSP}566 rekordów firmy acme"), ("en", "2,566 records of firm acme written")],
)
def test_the_exports_count_is_grouped_in_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    lang: str, expected: str,
) -> None:
    import clientguard.portfolio.export as export

    monkeypatch.setattr(export, "export_store", lambda *_a, **_k: 2566)
    monkeypatch.chdir(tmp_path)
    Store.open(tmp_path / "cg.db").close()
    code, out, err = run(capsys, "--lang", lang, "--store", "cg.db", "export", "--format",
                         "parquet", "--firm-id", "acme", "--base-currency", "EUR", "lake")
    assert code == EXIT_OK, err
    assert expected in out


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("pl", f"plik kursów rates.csv: 1{NBSP}500 kursów"),
        ("en", "rates file rates.csv: 1,500 rates"),
    ],
)
def test_rates_sync_says_what_it_stored_in_the_language(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
    lang: str, expected: str,
) -> None:
    # 1,500 days of one rate: 1,500 rates (1 500 kursów: the genitive plural after 1 500).
    first = date(2020, 1, 1)
    rows = "".join(f"{first + timedelta(days=n)},EUR,PLN,4.{n % 100:02d}\n" for n in range(1500))
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n" + rows)
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "PLN"\nstore = "cg.db"\n\n[rates]\nfile = "rates.csv"\n')
    monkeypatch.chdir(tmp_path)
    code, out, err = run(capsys, "--lang", lang, "rates", "sync")
    assert code == EXIT_OK, err
    assert expected in out


def test_historys_json_writes_plain_decimals(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # A client of 12 invoices of 1.00 beside one of 12 of 100,000,000: its revenue share is
    # 12 / 1,200,000,012 = 0.0000000099999999..., which str() writes 9.99...E-9.
    records: list[Any] = [customer("ok", "On time"), customer("big", "Big")]
    for month in range(1, 13):
        for client, total in (("ok", "1.00"), ("big", "100000000")):
            made = invoice(client, issued=date(2024, month, 1), total=total, terms=30)
            records += [made, payment(client, on=date(2024, month, 20), amount=total,
                                      pays=made)]
    with Store.open(tmp_path / "cg.db") as store:
        save_review(store, review(ledger(*records), as_of=date(2024, 12, 31)))
    monkeypatch.chdir(tmp_path)
    code, out, _ = run(capsys, "history", "--store", "cg.db", "--format", "json")
    assert code == EXIT_OK
    rows = json.loads(out)
    shares = {row["client_id"]: row["revenue_share"] for row in rows}
    assert shares["ok"].startswith("0.00000000999999")
    assert all("E" not in str(value) for row in rows for value in row.values())


def test_plain_json_writes_every_decimal_plain_at_any_depth() -> None:
    from clientguard.findings import Severity
    from clientguard.report.text import plain_json

    document = {"share": Decimal("9.1E-9"), "zero": Decimal("-0.00"), "on": date(2025, 1, 2),
                "numbers": {"overdue": (Decimal("1E+3"), None)}, "severity": Severity.WATCH}
    assert plain_json(document) == {
        "share": "0.0000000091", "zero": "0.00", "on": "2025-01-02",
        "numbers": {"overdue": ["1000", None]}, "severity": "watch"}


def test_a_rates_error_cannot_drive_the_terminal(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
) -> None:
    # The rates file's name comes from the user's config, its cells from a spreadsheet: the
    # error quoting them is printed as every other error is (control characters escaped).
    name = "r\x1b[2Jates.csv"
    (tmp_path / name).write_text("date,currency,base,rate\n2025-01-02,EUR,PLN,abc\n")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "PLN"\nstore = "cg.db"\n\n[rates]\nfile = "r\\u001b[2Jates.csv"\n')
    monkeypatch.chdir(tmp_path)
    code, _, err = run(capsys, "rates", "sync")
    assert code != EXIT_OK
    assert "clientguard: rates:" in err
    assert "\x1b" not in err
