"""Exchange rates from the command line: [rates] in clientguard.toml (a file, the ECB's and the
NBP's tables from a local server), `clientguard rates`, and `review` converting with them.
The trial's case: an Invoice2go invoice in ILS in a USD book."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import EXIT_OK, EXIT_USAGE, main
from clientguard.fx.files import TEMPLATE

pytest.importorskip("clientguard_csv", reason="the CSV connector is not installed")

INVOICES = (
    "Number,Client,Issued,Due,Total,Currency\n"
    "1,Barry Gordon,2025-01-02,2025-02-01,953.55,ILS\n"
    "2,James Gordon,2025-01-02,2025-02-01,70.20,USD\n"
)

# 1 EUR = 1.0321 USD = 3.7813 ILS on 2 January 2025 (the ECB's rates of that day).
ECB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject>
<gesmes:Sender><gesmes:name>European Central Bank</gesmes:name></gesmes:Sender>
<Cube>
<Cube time="2025-01-02">
<Cube currency="USD" rate="1.0321"/><Cube currency="ILS" rate="3.7813"/></Cube>
<Cube time="2024-12-31">
<Cube currency="USD" rate="1.0389"/><Cube currency="ILS" rate="3.7950"/></Cube>
</Cube>
</gesmes:Envelope>
"""


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


Config = Callable[[str], None]


@pytest.fixture
def book(csv_books: Callable[..., Path]) -> Config:
    """A USD book with one ILS invoice; returns a writer of its clientguard.toml, given the
    [rates] part."""
    folder = csv_books(None, paid=False)
    (folder / "invoices.csv").write_text(INVOICES)

    def write(rates: str) -> None:
        (folder / "clientguard.toml").write_text(
            'base_currency = "USD"\nstore = "cg.db"\n\n'
            '[sources.invoice2go]\nconnector = "csv"\nmapping = "mapping.toml"\n'
            'invoices = "invoices.csv"\n\n' + rates
        )

    write("")
    return write


def revenue(capsys: pytest.CaptureFixture[str], *extra: str) -> tuple[int, dict[str, object]]:
    code, out, _ = run(capsys, "review", "--as-of", "2025-03-31", "--format", "json",
                       "--quiet", *extra)
    return code, json.loads(out)


def test_without_rates_the_ils_invoice_is_left_out_with_a_warning_that_says_what_to_configure(
    book: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    """A currency with no rate at all (docs/cli.md, "Exchange rates"): a lenient review goes
    on with the USD invoice, warns on stderr what to configure and lists the ILS invoice among
    the rejected; --strict stops at it."""
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, out, err = run(capsys, "review", "--as-of", "2025-03-31", "--format", "json",
                         "--quiet")
    assert code == EXIT_OK, err
    assert "warning: no exchange rates from ILS to the base currency USD" in err
    assert "clientguard.toml" in err
    assert "[rates]" in err
    assert "fx=" not in err  # a remedy for Python, not for the command line
    document = json.loads(out)
    assert document["data_quality"]["rejected"] == 1
    (reason,) = document["data_quality"]["rejections"]
    assert "no ILS->USD rate for 2025-01-02" in reason
    assert "fx=" not in reason
    assert document["book"]["revenue"]["total"] == "70.20"
    code, _, err = run(capsys, "review", "--as-of", "2025-03-31", "--strict", "--quiet")
    assert code == EXIT_USAGE
    assert "no ILS->USD rate for 2025-01-02" in err
    assert "clientguard rates template" in err


def test_a_rates_file_from_the_template_makes_the_ils_invoice_load(
    book: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "rates", "template")
    assert (code, out) == (EXIT_OK, TEMPLATE)
    # The user's own rate: 0.2730 USD per ILS on 2 January.
    (tmp_path / "rates.csv").write_text(out + "2025-01-02,ILS,USD,0.2730\n")
    book('[rates]\nfile = "rates.csv"\n')
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "rates file" in out
    assert "3 rates" in out
    code, document = revenue(capsys)
    quality = document["data_quality"]
    assert isinstance(quality, dict)
    assert quality["rejected"] == 0
    book_part = document["book"]
    assert isinstance(book_part, dict)
    # 953.55 ILS x 0.2730 = 260.32 USD, and 70.20 USD.
    assert book_part["revenue"]["total"] == "330.52"


def test_the_ecbs_rates_from_a_server_are_stored_listed_and_crossed_into_usd(
    book: Config, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    httpserver.expect_request("/stats/eurofxref/eurofxref-hist.xml").respond_with_data(
        ECB_XML, content_type="text/xml")
    book(f'[rates]\nstart = 2024-12-01\n[rates.ecb]\nbase_url = "{httpserver.url_for("/")}"\n')
    assert run(capsys, "sync", "--quiet")[0] == EXIT_OK
    code, out, _ = run(capsys, "rates")
    assert code == EXIT_OK
    assert "ecb: 4 rates of 2 currencies in EUR, 2024-12-31 to 2025-01-02" in out
    code, document = revenue(capsys)
    quality = document["data_quality"]
    assert isinstance(quality, dict)
    assert quality["rejected"] == 0
    # 953.55 ILS = 953.55 / 3.7813 EUR = 953.55 x 1.0321 / 3.7813 USD = 260.27 USD.
    book_part = document["book"]
    assert isinstance(book_part, dict)
    assert book_part["revenue"]["total"] == "330.47"


def test_review_of_sources_directly_reads_the_rates_too(
    book: Config, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n2025-01-02,ILS,USD,0.2730\n")
    book('[rates]\nfile = "rates.csv"\n')
    code, document = revenue(capsys, "--source", "invoice2go")
    assert code == EXIT_OK
    quality = document["data_quality"]
    assert isinstance(quality, dict)
    assert quality["rejected"] == 0


def test_the_nbp_table_from_a_server_applies_from_the_next_day(
    book: Config, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer, tmp_path: Path
) -> None:
    # A PLN book: the EUR invoice of 3 January is converted at the table of 2 January.
    (tmp_path / "invoices.csv").write_text(
        "Number,Client,Issued,Due,Total,Currency\n1,Klient,2025-01-03,2025-02-01,100.00,EUR\n")
    tables = [{"table": "A", "no": "001/A/NBP/2025", "effectiveDate": "2025-01-02",
               "rates": [{"currency": "euro", "code": "EUR", "mid": 4.2718}]},
              {"table": "A", "no": "002/A/NBP/2025", "effectiveDate": "2025-01-03",
               "rates": [{"currency": "euro", "code": "EUR", "mid": 4.2700}]}]
    httpserver.expect_request(
        "/api/exchangerates/tables/A/2025-01-01/2025-01-10/").respond_with_json(tables)
    book(f'[rates]\n[rates.nbp]\nbase_url = "{httpserver.url_for("/")}"\n')
    text = (tmp_path / "clientguard.toml").read_text().replace('"USD"', '"PLN"')
    (tmp_path / "clientguard.toml").write_text(text)
    assert run(capsys, "sync", "--quiet", "--source", "invoice2go")[0] == EXIT_OK
    code, out, _ = run(capsys, "rates", "sync", "--from", "2025-01-01", "--to", "2025-01-10")
    assert code == EXIT_OK
    assert "rates nbp (2025-01-01 to 2025-01-10): 2 rates on 2 days" in out
    code, document = revenue(capsys)
    assert code == EXIT_OK
    book_part = document["book"]
    assert isinstance(book_part, dict)
    assert book_part["revenue"]["total"] == "427.18"  # 100 EUR x 4.2718, not x 4.2700


@pytest.mark.parametrize(
    ("rates", "message"),
    [
        ("[rates]\n", "[rates] names no source"),
        ("[rates]\nfiles = \"r.csv\"\n", "unknown key 'files'; did you mean 'file'?"),
        ("[rates]\nfile = \"r.csv\"\nmax_staleness_days = -1\n", "max_staleness_days"),
        ("[rates]\nstart = \"January\"\n[rates.ecb]\n", "rates.start must be a date"),
        ("[rates.boe]\n", "unknown key 'boe'"),
        ("[rates.ecb]\nbase_url = \"ecb.europa.eu\"\n", "base_url must be an http(s)"),
        ("[rates.nbp]\ntimeout = \"soon\"\n", "timeout must be a positive number"),
        ("[rates.nbp]\nurl = \"https://api.nbp.pl\"\n", "unknown option 'url'"),
    ],
)
def test_a_bad_rates_table_is_a_config_error_naming_it(
    book: Config, capsys: pytest.CaptureFixture[str], rates: str, message: str
) -> None:
    book(rates)
    code, _, err = run(capsys, "rates", "sync")
    assert code == EXIT_USAGE
    assert message in err


def test_rates_sync_without_a_rates_table_says_what_to_add(
    book: Config, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(capsys, "rates", "sync")
    assert code == EXIT_USAGE
    assert "no [rates] table" in err
    assert "clientguard rates template" in err


def test_the_trials_invoice2go_export_loads_with_a_rates_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    reference_file: Callable[[str], Path],
) -> None:
    # The trial: Invoice2go's export has an ILS invoice in a USD book (2021-01-28).
    export = reference_file("data/tool_exports/invoice2go_invoices_export.csv")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n2021-01-27,ILS,USD,0.3060\n")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "USD"\nstore = "cg.db"\n\n'
        f'[sources.invoice2go]\nconnector = "csv"\npreset = "invoice2go"\n'
        f'invoices = "{export}"\n\n[rates]\nfile = "rates.csv"\n'
    )
    code, out, _ = run(capsys, "sync", "--quiet")
    assert code == EXIT_OK
    assert "0 rejected" in out
    # --strict: any record left out (the ILS invoice without its rate) would fail the review.
    code, _, err = run(capsys, "review", "--as-of", "2021-06-30", "--strict", "--quiet")
    assert code == EXIT_OK
    assert "rejected" not in err
    assert "ILS" not in err


def test_a_second_rates_sync_reads_the_banks_on_from_the_last_stored_day(
    book: Config, capsys: pytest.CaptureFixture[str], httpserver: HTTPServer
) -> None:
    def table(day: str, mid: str) -> dict[str, object]:
        return {"table": "A", "no": "x", "effectiveDate": day,
                "rates": [{"currency": "euro", "code": "EUR", "mid": mid}]}

    httpserver.expect_ordered_request(
        "/api/exchangerates/tables/A/2025-01-01/2025-01-31/").respond_with_json(
        [table("2025-01-02", "4.27"), table("2025-01-31", "4.21")])
    httpserver.expect_ordered_request(
        "/api/exchangerates/tables/A/2025-01-24/2025-02-10/").respond_with_json(
        [table("2025-01-31", "4.21"), table("2025-02-10", "4.20")])
    book(f'[rates]\nstart = 2025-01-01\n[rates.nbp]\nbase_url = "{httpserver.url_for("/")}"\n')
    assert run(capsys, "rates", "sync", "--to", "2025-01-31")[0] == EXIT_OK
    code, out, _ = run(capsys, "rates", "sync", "--to", "2025-02-10")
    assert code == EXIT_OK
    assert "rates nbp (2025-01-24 to 2025-02-10)" in out
    httpserver.check_assertions()
    _, out, _ = run(capsys, "rates")
    assert "nbp: 3 rates of 1 currency in PLN, 2025-01-02 to 2025-02-10" in out
