"""The remedy a missing exchange rate gives fits the user's case (docs/cli.md, "Exchange
rates"), through the command line: the review's data quality and ``clientguard rejections``,
in English and in Polish.

A document without a rate used to say "add exchange rates to clientguard.toml: a [rates]
table ..." to a user whose [rates] table simply lacked the currency or the day. Now: no
[rates] at all keeps that remedy; a currency no source has names the currency and the file
(and the banks read, which do not publish it); a rate too old names the day to add and the
max_staleness_days that would reach the latest rate; a bank whose stored rates end before
the document (or begin after it), or that was never synced, says to run clientguard rates
sync. Every sentence below is written by hand; the Polish follows the catalog's words for the
reason ("brak kursu EUR->USD na dzień ...").
"""

from __future__ import annotations

import importlib.util
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer

from clientguard.cli import main
from clientguard.config import RatesConfig
from clientguard.errors import DataError
from clientguard.fx import CLI_REMEDY
from clientguard.fx.configured import table_from
from clientguard.i18n import using
from clientguard.money import FxTable, RateRow, combined_fx, rate_reason_words

needs_csv = pytest.mark.skipif(importlib.util.find_spec("clientguard_csv") is None,
                               reason="the CSV connector is not installed")

CLI_REMEDY_PL = (
    "dodaj kursy walut do clientguard.toml: tabelę [rates] z file = \"rates.csv\" (przykładowy "
    "plik wypisuje clientguard rates template) albo dzienne tabele banków centralnych "
    "([rates.ecb] z kursami referencyjnymi euro, [rates.nbp] z tabelą A NBP), a potem uruchom "
    "clientguard rates sync"
)

MAPPING = """\
date_formats = ["iso"]
[invoices]
default_terms_days = 14
[invoices.columns]
number = "Number"
customer_name = "Customer"
issue_date = "Issued"
total = "Total"
currency = "Currency"
"""

# 1 EUR = 1.0321 USD = 3.7813 ILS on 2 January 2025, 1.0389 USD = 3.7950 ILS on 31 December
# 2024 (the ECB's rates of those days); the ECB publishes no UAH rate.
ECB_XML = """\
<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" \
xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
<gesmes:subject>Reference rates</gesmes:subject>
<Cube>
<Cube time="2025-01-02">
<Cube currency="USD" rate="1.0321"/><Cube currency="ILS" rate="3.7813"/></Cube>
<Cube time="2024-12-31">
<Cube currency="USD" rate="1.0389"/><Cube currency="ILS" rate="3.7950"/></Cube>
</Cube>
</gesmes:Envelope>
"""

FILE_EUR = "date,currency,base,rate\n2025-03-01,EUR,USD,1.05\n"

# (id, [rates] of clientguard.toml ({ecb}: the test server), rates.csv, sync the rates?,
#  the document (currency, issue date), English reason, Polish reason)
CASES = [
    pytest.param(
        "", None, True, ("EUR", "2025-01-02"),
        f"no EUR->USD rate for 2025-01-02: {CLI_REMEDY}",
        f"brak kursu EUR->USD na dzień 2025-01-02: {CLI_REMEDY_PL}",
        id="no-rates-table",
    ),
    pytest.param(
        '[rates]\nfile = "rates.csv"\n', FILE_EUR, True, ("ILS", "2025-03-02"),
        "no ILS->USD rate for 2025-03-02: [rates] has no ILS rate on any day: add ILS rates to "
        "rates.csv, or a central bank's table that publishes ILS ([rates.ecb] or [rates.nbp]), "
        "then run clientguard rates sync",
        "brak kursu ILS->USD na dzień 2025-03-02: [rates] nie ma kursu ILS z żadnego dnia: "
        "dodaj kursy ILS do rates.csv albo tabelę banku centralnego, który publikuje ILS "
        "([rates.ecb] lub [rates.nbp]), a potem uruchom clientguard rates sync",
        id="file-lacks-currency",
    ),
    pytest.param(
        # 1 March to 20 March is 19 days: max_staleness_days 19 reaches it.
        '[rates]\nfile = "rates.csv"\n', FILE_EUR, True, ("EUR", "2025-03-20"),
        "no EUR->USD rate for 2025-03-20: the latest earlier rate is from 2025-03-01, more "
        "than 7 days before; add the EUR rate of 2025-03-20 to rates.csv and run clientguard "
        "rates sync, or raise max_staleness_days in [rates] from 7 to 19",
        "brak kursu EUR->USD na dzień 2025-03-20: najbliższy wcześniejszy kurs pochodzi z "
        "2025-03-01, ponad 7 dni wcześniej; dodaj kurs EUR z dnia 2025-03-20 do rates.csv i "
        "uruchom clientguard rates sync albo zwiększ max_staleness_days w [rates] z 7 do 19",
        id="file-too-old",
    ),
    pytest.param(
        # 1 March to 5 March is 4 days: one more than the 3 allowed.
        '[rates]\nfile = "rates.csv"\nmax_staleness_days = 3\n', FILE_EUR, True,
        ("EUR", "2025-03-05"),
        "no EUR->USD rate for 2025-03-05: the latest earlier rate is from 2025-03-01, more "
        "than 3 days before; add the EUR rate of 2025-03-05 to rates.csv and run clientguard "
        "rates sync, or raise max_staleness_days in [rates] from 3 to 4",
        "brak kursu EUR->USD na dzień 2025-03-05: najbliższy wcześniejszy kurs pochodzi z "
        "2025-03-01, ponad 3 dni wcześniej; dodaj kurs EUR z dnia 2025-03-05 do rates.csv i "
        "uruchom clientguard rates sync albo zwiększ max_staleness_days w [rates] z 3 do 4",
        id="file-too-old-3-days",
    ),
    pytest.param(
        '[rates]\nfile = "rates.csv"\n', FILE_EUR, True, ("EUR", "2025-02-01"),
        "no EUR->USD rate for 2025-02-01: the EUR rates begin on 2025-03-01: add the EUR rate "
        "of 2025-02-01 to rates.csv, then run clientguard rates sync",
        "brak kursu EUR->USD na dzień 2025-02-01: kursy EUR są dostępne od 2025-03-01: dodaj "
        "kurs EUR z dnia 2025-02-01 do rates.csv, a potem uruchom clientguard rates sync",
        id="file-begins-later",
    ),
    pytest.param(
        '[rates]\nstart = 2024-12-01\n[rates.ecb]\nbase_url = "{ecb}"\n', None, True,
        ("UAH", "2025-01-02"),
        "no UAH->USD rate for 2025-01-02: [rates] has no UAH rate on any day, and the central "
        "banks' tables it reads ([rates.ecb]) do not publish one: add a rates file with UAH "
        "rates to [rates] (file = \"rates.csv\"; clientguard rates template prints one), then "
        "run clientguard rates sync",
        "brak kursu UAH->USD na dzień 2025-01-02: [rates] nie ma kursu UAH z żadnego dnia, a "
        "czytane w nim tabele banków centralnych ([rates.ecb]) go nie publikują: dodaj do "
        "[rates] plik z kursami UAH (file = \"rates.csv\"; przykładowy plik wypisuje "
        "clientguard rates template), a potem uruchom clientguard rates sync",
        id="ecb-does-not-publish",
    ),
    pytest.param(
        '[rates]\nfile = "rates.csv"\nstart = 2024-12-01\n[rates.ecb]\nbase_url = "{ecb}"\n',
        FILE_EUR, True, ("UAH", "2025-01-02"),
        "no UAH->USD rate for 2025-01-02: [rates] has no UAH rate on any day, and the central "
        "banks' tables it reads ([rates.ecb]) do not publish one: add UAH rates to rates.csv, "
        "then run clientguard rates sync",
        "brak kursu UAH->USD na dzień 2025-01-02: [rates] nie ma kursu UAH z żadnego dnia, a "
        "czytane w nim tabele banków centralnych ([rates.ecb]) go nie publikują: dodaj kursy "
        "UAH do rates.csv, a potem uruchom clientguard rates sync",
        id="ecb-does-not-publish-file",
    ),
    pytest.param(
        # The store's ECB rates end on 2 January; the invoice is of 20 February.
        '[rates]\nstart = 2024-12-01\n[rates.ecb]\nbase_url = "{ecb}"\n', None, True,
        ("ILS", "2025-02-20"),
        "no ILS->USD rate for 2025-02-20: the latest earlier rate is from 2025-01-02, more "
        "than 7 days before; clientguard rates sync has not been run since 2025-01-02 (the "
        "last day of the rates of [rates.ecb] in the store): run it",
        "brak kursu ILS->USD na dzień 2025-02-20: najbliższy wcześniejszy kurs pochodzi z "
        "2025-01-02, ponad 7 dni wcześniej; polecenia clientguard rates sync nie uruchomiono "
        "od 2025-01-02 (ostatni dzień kursów z [rates.ecb] w bazie): uruchom je",
        id="ecb-not-synced-since",
    ),
    pytest.param(
        # The store's ECB rates begin on 31 December; the invoice is of 1 December: read from
        # a week before it (the rate of the business day before a weekend invoice).
        '[rates]\nstart = 2024-12-01\n[rates.ecb]\nbase_url = "{ecb}"\n', None, True,
        ("ILS", "2024-12-01"),
        "no ILS->USD rate for 2024-12-01: the rates of [rates.ecb] in the store begin on "
        "2024-12-31: run clientguard rates sync --from 2024-11-24",
        "brak kursu ILS->USD na dzień 2024-12-01: kursy z [rates.ecb] są w bazie od "
        "2024-12-31: uruchom clientguard rates sync --from 2024-11-24",
        id="ecb-begins-later",
    ),
    pytest.param(
        '[rates]\nfile = "rates.csv"\n[rates.ecb]\nbase_url = "{ecb}"\n', FILE_EUR, False,
        ("EUR", "2025-03-02"),
        "no EUR->USD rate for 2025-03-02: the store holds no rates of [rates.ecb]: run "
        "clientguard rates sync",
        "brak kursu EUR->USD na dzień 2025-03-02: w bazie nie ma kursów z [rates.ecb]: "
        "uruchom clientguard rates sync",
        id="ecb-never-synced",
    ),
]


def _setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, httpserver: HTTPServer,
           rates: str, rates_file: str | None, sync_rates: bool,
           document: tuple[str, str]) -> None:
    """A store of two invoices, one in USD (the base) and ``document``, synced."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    httpserver.expect_request("/stats/eurofxref/eurofxref-hist.xml").respond_with_data(
        ECB_XML, content_type="text/xml")
    currency, issued = document
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "inv.csv").write_text(
        "Number,Customer,Issued,Total,Currency\n"
        f"A-1,Acme,{issued},100.00,{currency}\n"
        "A-2,Acme,2025-03-02,100.00,USD\n", encoding="utf-8")
    if rates_file is not None:
        (tmp_path / "rates.csv").write_text(rates_file, encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "USD"\nstore = "cg.db"\n'
        '[sources.csv]\nconnector = "csv"\nmapping = "map.toml"\ninvoices = "inv.csv"\n'
        + rates.format(ecb=httpserver.url_for("/")), encoding="utf-8")
    # Without --source, sync reads the rates too; with it, the documents only.
    assert main(["sync", "--quiet"] if sync_rates else ["sync", "--quiet", "--source", "csv"]) == 0


@needs_csv
@pytest.mark.parametrize(("rates", "rates_file", "sync_rates", "document", "english", "polish"),
                         CASES)
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_the_reviews_data_quality_gives_the_remedy_of_the_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    httpserver: HTTPServer, rates: str, rates_file: str | None, sync_rates: bool,
    document: tuple[str, str], english: str, polish: str, lang: str,
) -> None:
    _setup(tmp_path, monkeypatch, httpserver, rates, rates_file, sync_rates, document)
    capsys.readouterr()
    main(["--lang", lang, "review", "--as-of", "2025-06-30", "--format", "json"])
    out, _ = capsys.readouterr()
    reason = english if lang == "en" else polish
    place = "inv.csv, line 2" if lang == "en" else "inv.csv, wiersz 2"  # the reader's words
    assert json.loads(out)["data_quality"]["rejections"] == [
        f"invoice A-1 (csv, {place}): currency: {reason}"]


@needs_csv
@pytest.mark.parametrize(("rates", "rates_file", "sync_rates", "document", "english", "polish"),
                         CASES)
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_clientguard_rejections_gives_the_remedy_of_the_case(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    httpserver: HTTPServer, rates: str, rates_file: str | None, sync_rates: bool,
    document: tuple[str, str], english: str, polish: str, lang: str,
) -> None:
    _setup(tmp_path, monkeypatch, httpserver, rates, rates_file, sync_rates, document)
    capsys.readouterr()
    assert main(["--lang", lang, "rejections", "--as-of", "2025-06-30"]) == 0
    out, _ = capsys.readouterr()
    reason = english if lang == "en" else polish
    place = "inv.csv, line 2" if lang == "en" else "inv.csv, wiersz 2"  # the reader's words
    assert f"invoice A-1 (csv, {place}): currency: {reason}\n" in out


# ----------------------------------------------------------------- the table, without the CLI


def _eur_file_table(stored: bool) -> FxTable:
    rates = RatesConfig(files=(Path("rates.csv"),))
    rows = [RateRow("file:rates.csv", "USD", "EUR", date(2025, 3, 1), Decimal("1.05"),
                    date(2025, 3, 1))]
    return table_from(rows, "USD", rates, stored=stored)


@pytest.mark.parametrize("stored", [True, False])
def test_review_of_sources_directly_gives_the_files_remedy_too(stored: bool) -> None:
    # review --source reads the rates just now (stored=False): a file's case is the same.
    with pytest.raises(DataError) as caught:
        _eur_file_table(stored).rate("EUR", date(2025, 2, 1))
    assert str(caught.value) == (
        "no EUR->USD rate for 2025-02-01: the EUR rates begin on 2025-03-01: add the EUR rate "
        "of 2025-02-01 to rates.csv, then run clientguard rates sync")


def test_a_rates_table_naming_no_source_keeps_the_remedy_that_says_to_add_one() -> None:
    table = table_from([], "USD", RatesConfig())
    with pytest.raises(DataError) as caught:
        table.rate("EUR", date(2025, 1, 2))
    assert str(caught.value) == f"no EUR->USD rate for 2025-01-02: {CLI_REMEDY}"


def test_two_ledgers_merged_keep_the_first_tables_remedy_of_the_case() -> None:
    merged = combined_fx(_eur_file_table(True), FxTable("USD"))
    with pytest.raises(DataError) as caught:
        merged.rate("EUR", date(2025, 3, 20))
    assert str(caught.value).endswith(
        "add the EUR rate of 2025-03-20 to rates.csv and run clientguard rates sync, or raise "
        "max_staleness_days in [rates] from 7 to 19")


@pytest.mark.parametrize(
    "reason",
    [
        # A remedy of the case's shape with a currency that is not a code, or a day that is
        # not a date, is not the catalog's: shown as written, never half translated.
        "no EUR->USD rate for 2025-01-02: the eur rates begin on 2025-03-01: add the eur rate "
        "of 2025-01-02 to rates.csv, then run clientguard rates sync",
        "no EUR->USD rate for 2025-01-02: the store holds no rates of [rates.ecb]: run it",
    ],
)
def test_a_remedy_not_of_the_catalog_stays_as_written(reason: str) -> None:
    with using("pl"):
        words = rate_reason_words(reason)
    assert words.startswith("brak kursu EUR->USD na dzień 2025-01-02: ")
    assert words.endswith(reason.split(": ", 1)[1])
