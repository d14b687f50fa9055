"""The command's words where the system or the data work against it: an operating-system error
said in the reader's language (docs/cli.md, "Errors"), a base currency without the rates to
reach it (docs/cli.md, "Exchange rates"), and the CSV for Excel (docs/report-schema.md)."""

from __future__ import annotations

import argparse
import errno
import importlib.util
import json
from pathlib import Path

import pytest

from clientguard import cli
from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.errors import os_reason
from clientguard.i18n import using


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(autouse=True)
def _folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)


# ----------------------------------------------------------------------------- OS errors

@pytest.mark.parametrize(
    ("code", "system", "lang", "expected"),
    [
        (errno.ENOENT, "No such file or directory", "en", "No such file or directory"),
        (errno.ENOENT, "No such file or directory", "pl",
         "nie ma takiego pliku ani folderu (komunikat systemu: No such file or directory)"),
        (errno.EACCES, "Permission denied", "pl",
         "brak uprawnień (komunikat systemu: Permission denied)"),
        (errno.EISDIR, "Is a directory", "pl",
         "to folder, nie plik (komunikat systemu: Is a directory)"),
        (errno.ENOSPC, "No space left on device", "pl",
         "brak miejsca na dysku (komunikat systemu: No space left on device)"),
        (errno.EROFS, "Read-only file system", "pl",
         "system plików jest tylko do odczytu (komunikat systemu: Read-only file system)"),
        # An errno without words of its own: the system's text alone.
        (errno.ECONNRESET, "Connection reset by peer", "pl", "Connection reset by peer"),
    ],
)
def test_an_os_error_is_said_in_the_readers_language_with_the_systems_text(
    code: int, system: str, lang: str, expected: str
) -> None:
    with using(lang):
        assert os_reason(OSError(code, system)) == expected


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: cannot write {path}: Is a directory\n"),
        ("pl", "clientguard: nie można zapisać {path}: to folder, nie plik (komunikat "
               "systemu: Is a directory)\n"),
    ],
)
def test_a_report_written_onto_a_folder_is_said_in_the_readers_language(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    folder = tmp_path / "reports"
    folder.mkdir()
    code, _, err = run(capsys, "--lang", lang, "demo", "--output", str(folder))
    assert code == EXIT_USAGE
    assert err.endswith(expected.format(path=folder))
    assert folder.is_dir()


def test_a_missing_folder_in_the_output_path_is_said_in_polish(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "nowhere" / "r.html"
    code, _, err = run(capsys, "--lang", "pl", "demo", "--output", str(target))
    assert code == EXIT_USAGE
    assert err.endswith(f"clientguard: nie można zapisać {target}: nie ma takiego pliku ani "
                        "folderu (komunikat systemu: No such file or directory)\n")


def test_an_os_error_of_any_command_keeps_its_path_escaped_and_is_in_polish(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def fails(args: argparse.Namespace) -> int:
        raise PermissionError(errno.EACCES, "Permission denied", "rates\x1b[2J.csv")

    monkeypatch.setattr(cli, "_rates_command", fails)
    code, _, err = run(capsys, "--lang", "pl", "rates")
    assert code == EXIT_USAGE
    assert err == ("clientguard: rates\\x1b[2J.csv: brak uprawnień (komunikat systemu: "
                   "Permission denied)\n")


# ----------------------------------------------------------------------------- rates

needs_csv = pytest.mark.skipif(importlib.util.find_spec("clientguard_csv") is None,
                               reason="the CSV connector is not installed")

ZOHO_HEADER = ("Invoice ID,Invoice Number,Customer ID,Customer Name,Invoice Date,Due Date,"
               "Currency Code,Total,Balance,Invoice Status,Last Payment Date,Exchange Rate\n")


def _invoices(tmp_path: Path, rate: str = "") -> Path:
    path = tmp_path / "inv.csv"
    path.write_text(
        ZOHO_HEADER
        + f"1,INV-1,c1,Acme,2026-01-05,2026-02-04,EUR,1000.00,0,Paid,2026-03-01,{rate}\n"
        + f"2,INV-2,c2,Beta,2026-02-05,2026-03-07,PLN,4000.00,4000.00,Overdue,,{rate}\n"
        + f"3,INV-3,c1,Acme,2026-03-05,2026-04-04,EUR,500.00,500.00,Overdue,,{rate}\n",
        encoding="utf-8")
    return path


def _review(*extra: str) -> list[str]:
    return ["review", "--source", "csv", "--option", "preset=zoho",
            "--option", "invoices=inv.csv", "--as-of", "2026-06-30", *extra]


@needs_csv
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: no exchange rates from EUR and PLN to the base currency USD, so "
               "the review would leave out 3 documents in them. Add the rates to "
               "clientguard.toml (a [rates] table with file = \"rates.csv\", which "
               "clientguard rates template prints, or [rates.ecb], [rates.nbp]) and run "
               "clientguard rates sync; or review in the documents' own currency "
               "(--base-currency EUR)\n"),
        ("pl", "clientguard: brak kursów walut z EUR i PLN na walutę bazową USD, więc przegląd "
               "pominąłby 3 dokumenty w tych walutach. Dodaj kursy do clientguard.toml "
               "(tabela [rates] z file = \"rates.csv\", którą wypisuje clientguard rates "
               "template, albo [rates.ecb], [rates.nbp]) i uruchom clientguard rates sync; "
               "albo wykonaj przegląd w walucie samych dokumentów (--base-currency EUR)\n"),
    ],
)
def test_a_base_currency_without_any_rate_is_a_usage_error_naming_the_rates(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    """Before: exit 0 and a report of no data ("no invoice falls due in the window"), every
    document rejected. EUR has 2 documents, PLN 1: EUR is the currency suggested."""
    _invoices(tmp_path)
    code, out, err = run(capsys, "--lang", lang, *_review("--base-currency", "USD"))
    assert code == EXIT_USAGE
    assert out == ""
    assert err == expected


@needs_csv
def test_one_currency_without_rates_is_a_warning_and_the_rest_is_reviewed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Base EUR: the EUR invoices convert, the PLN one cannot. A lenient review goes on with
    the EUR invoices, says on stderr which currency has no rate and what to add, and lists the
    PLN invoice among the rejected; --strict stops."""
    _invoices(tmp_path)
    code, out, err = run(capsys, *_review("--base-currency", "EUR", "--format", "json"))
    assert code == EXIT_OK, err
    assert err.startswith("clientguard: warning: no exchange rates from PLN to the base "
                          "currency EUR")
    assert "leave out 1 document in them" in err
    document = json.loads(out)
    assert document["data_quality"]["rejected"] == 1
    # Only Acme's two EUR invoices are left: 1000.00 + 500.00.
    assert document["book"]["revenue"]["total"] == "1500.00"
    code, _, err = run(capsys, *_review("--base-currency", "EUR", "--strict"))
    assert code == EXIT_USAGE
    assert "PLN" in err


@needs_csv
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", "clientguard: warning: the exchange rates of [rates] hold no rate from PLN to the "
               "base currency EUR, so the review would leave out 1 document in them. Add them "
               "to the rates file, or read a bank that publishes them ([rates.ecb], "
               "[rates.nbp]), and run clientguard rates sync; or review in the documents' own "
               "currency (--base-currency PLN)\n"),
        ("pl", "clientguard: ostrzeżenie: kursy walut z [rates] nie obejmują kursów z PLN na "
               "walutę bazową EUR, więc przegląd pominąłby 1 dokument w tych walutach. Dodaj "
               "je do pliku kursów albo czytaj bank, który je publikuje ([rates.ecb], "
               "[rates.nbp]), i uruchom clientguard rates sync; albo wykonaj przegląd w walucie "
               "samych dokumentów (--base-currency PLN)\n"),
    ],
)
def test_with_rates_configured_the_warning_does_not_ask_for_a_rates_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], lang: str, expected: str
) -> None:
    """[rates] names a file holding USD only: the PLN invoice has no rate, and the warning
    says to add PLN to the rates the user has, not to add a [rates] table they have."""
    _invoices(tmp_path)
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n2026-01-05,USD,EUR,0.92\n")
    (tmp_path / "clientguard.toml").write_text('[rates]\nfile = "rates.csv"\n')
    code, _, err = run(capsys, "--lang", lang, *_review("--base-currency", "EUR", "--quiet"))
    assert code == EXIT_OK, err
    assert err.startswith(expected)


@needs_csv
def test_documents_with_their_own_rate_need_no_table(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _invoices(tmp_path, rate="1.10")
    code, out, err = run(capsys, *_review("--base-currency", "USD", "--format", "json"))
    assert code == EXIT_OK, err
    assert '"base_currency": "USD"' in out


@needs_csv
def test_the_store_says_the_same(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _invoices(tmp_path)
    code, _, err = run(capsys, "--store", "cg.db", "sync", "--source", "csv", "--option",
                       "preset=zoho", "--option", "invoices=inv.csv")
    assert code == EXIT_OK, err
    code, _, err = run(capsys, "--store", "cg.db", "review", "--as-of", "2026-06-30",
                       "--base-currency", "USD", "--no-save")
    assert code == EXIT_USAGE
    assert "no exchange rates from EUR and PLN to the base currency USD" in err


# ----------------------------------------------------------------------------- CSV for Excel

@needs_csv
def test_the_excel_csv_is_written_with_its_byte_order_mark(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _invoices(tmp_path, rate="1.00")
    code, _, err = run(capsys, "--lang", "pl", *_review(
        "--base-currency", "EUR", "--output", "r.csv", "--csv-dialect", "excel"))
    assert code == EXIT_OK, err
    data = (tmp_path / "r.csv").read_bytes()
    assert data.startswith("\ufeffStan na;Waluta;".encode())
    assert b"\r\n" in data


@needs_csv
def test_the_csv_dialect_goes_with_the_csv_report_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _invoices(tmp_path, rate="1.00")
    code, out, err = run(capsys, *_review("--base-currency", "EUR", "--csv-dialect", "excel"))
    assert code == EXIT_USAGE
    assert err == ("clientguard: --csv-dialect goes with the CSV report: add --format csv (or "
                   "an --output ending in .csv)\n")
    assert out == ""
