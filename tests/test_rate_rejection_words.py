"""The rejection users meet most, a document without an exchange rate, read in their language.

The reason a rejection keeps (``ledger.report.rejected``) stays English, as every rejection's
(docs/languages.md, "What stays English"); the review's data-quality section, which tells the
reader what to configure, shows it in the reader's language
(:func:`clientguard.money.rate_reason_words`). Every Polish sentence below is written by hand:
"brak kursu EUR->USD na dzień 2025-01-02", with the day noun agreeing with the number (1 dzień,
2 dni, 5 dni, 22 dni); dates stay ISO, as in every report.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from clientguard import review
from clientguard.cli import main
from clientguard.errors import DataError
from clientguard.fx import CLI_REMEDY
from clientguard.i18n import using
from clientguard.money import FxTable, rate_reason_words
from clientguard.testing import customer, invoice, ledger

CLI_REMEDY_PL = (
    "dodaj kursy walut do clientguard.toml: tabelę [rates] z file = \"rates.csv\" (przykładowy "
    "plik wypisuje clientguard rates template) albo dzienne tabele banków centralnych "
    "([rates.ecb] z kursami referencyjnymi euro, [rates.nbp] z tabelą A NBP), a potem uruchom "
    "clientguard rates sync"
)
DEFAULT_REMEDY = "add it to the FxTable or give the document its own fx_rate"
DEFAULT_REMEDY_PL = "dodaj ten kurs do FxTable albo podaj w dokumencie jego własny kurs (fx_rate)"

needs_csv = pytest.mark.skipif(importlib.util.find_spec("clientguard_csv") is None,
                               reason="the CSV connector is not installed")


def _table(staleness: int = 7, remedy: str | None = None,
           published: bool = False) -> FxTable:
    """EUR in USD from 1 March 2025 only."""
    rates = {"EUR": {date(2025, 3, 1): Decimal("1.05")}}
    table = FxTable("USD", rates, staleness, published=rates if published else {})
    return table if remedy is None else replace(table, remedy=remedy)


# (table, look-up, day, English reason, Polish words)
CASES = [
    pytest.param(
        _table(remedy=CLI_REMEDY), "rate", date(2025, 1, 2),
        f"no EUR->USD rate for 2025-01-02: {CLI_REMEDY}",
        f"brak kursu EUR->USD na dzień 2025-01-02: {CLI_REMEDY_PL}",
        id="none-earlier-cli",
    ),
    pytest.param(
        _table(), "rate", date(2025, 1, 2),
        f"no EUR->USD rate for 2025-01-02: {DEFAULT_REMEDY}",
        f"brak kursu EUR->USD na dzień 2025-01-02: {DEFAULT_REMEDY_PL}",
        id="none-earlier-default",
    ),
    pytest.param(
        _table(7, CLI_REMEDY), "rate", date(2025, 3, 20),
        "no EUR->USD rate for 2025-03-20: the latest earlier rate is from 2025-03-01, more "
        f"than 7 days before; {CLI_REMEDY}",
        "brak kursu EUR->USD na dzień 2025-03-20: najbliższy wcześniejszy kurs pochodzi z "
        f"2025-03-01, ponad 7 dni wcześniej; {CLI_REMEDY_PL}",
        id="stale-7",
    ),
    pytest.param(
        _table(1), "rate", date(2025, 3, 5),
        "no EUR->USD rate for 2025-03-05: the latest earlier rate is from 2025-03-01, more "
        f"than 1 day before; {DEFAULT_REMEDY}",
        "brak kursu EUR->USD na dzień 2025-03-05: najbliższy wcześniejszy kurs pochodzi z "
        f"2025-03-01, ponad 1 dzień wcześniej; {DEFAULT_REMEDY_PL}",
        id="stale-1",
    ),
    pytest.param(
        _table(2), "rate", date(2025, 3, 5),
        "no EUR->USD rate for 2025-03-05: the latest earlier rate is from 2025-03-01, more "
        f"than 2 days before; {DEFAULT_REMEDY}",
        "brak kursu EUR->USD na dzień 2025-03-05: najbliższy wcześniejszy kurs pochodzi z "
        f"2025-03-01, ponad 2 dni wcześniej; {DEFAULT_REMEDY_PL}",
        id="stale-2",
    ),
    pytest.param(
        _table(0), "rate", date(2025, 3, 5),
        "no EUR->USD rate for 2025-03-05: the latest earlier rate is from 2025-03-01, more "
        f"than 0 days before; {DEFAULT_REMEDY}",
        "brak kursu EUR->USD na dzień 2025-03-05: najbliższy wcześniejszy kurs pochodzi z "
        f"2025-03-01, ponad 0 dni wcześniej; {DEFAULT_REMEDY_PL}",
        id="stale-0",
    ),
    pytest.param(
        _table(22), "rate", date(2025, 5, 5),
        "no EUR->USD rate for 2025-05-05: the latest earlier rate is from 2025-03-01, more "
        f"than 22 days before; {DEFAULT_REMEDY}",
        "brak kursu EUR->USD na dzień 2025-05-05: najbliższy wcześniejszy kurs pochodzi z "
        f"2025-03-01, ponad 22 dni wcześniej; {DEFAULT_REMEDY_PL}",
        id="stale-22",
    ),
    pytest.param(
        # A remedy of the user's own is not in the catalogs: shown as the user wrote it.
        _table(remedy="ask Kasia for the rates"), "rate", date(2025, 1, 2),
        "no EUR->USD rate for 2025-01-02: ask Kasia for the rates",
        "brak kursu EUR->USD na dzień 2025-01-02: ask Kasia for the rates",
        id="own-remedy",
    ),
    pytest.param(
        _table(published=True), "rate_published_on", date(2025, 1, 2),
        f"no EUR->USD rate published on 2025-01-02: {DEFAULT_REMEDY}",
        f"brak kursu EUR->USD opublikowanego w dniu 2025-01-02: {DEFAULT_REMEDY_PL}",
        id="published-none",
    ),
    pytest.param(
        _table(5, published=True), "rate_published_on", date(2025, 3, 9),
        "no EUR->USD rate published on 2025-03-09: the latest earlier rate is from 2025-03-01, "
        f"more than 5 days before; {DEFAULT_REMEDY}",
        "brak kursu EUR->USD opublikowanego w dniu 2025-03-09: najbliższy wcześniejszy kurs "
        f"pochodzi z 2025-03-01, ponad 5 dni wcześniej; {DEFAULT_REMEDY_PL}",
        id="published-stale-5",
    ),
]


@pytest.mark.parametrize(("table", "lookup", "day", "english", "polish"), CASES)
@pytest.mark.parametrize("lang", ["en", "pl"])
def test_a_missing_rate_is_an_english_error_in_every_language(
    table: FxTable, lookup: str, day: date, english: str, polish: str, lang: str
) -> None:
    # The reason a rejection keeps: English, whichever language is active when it is made
    # (a store and a program compare it).
    with using(lang), pytest.raises(DataError) as caught:
        getattr(table, lookup)("EUR", day)
    assert str(caught.value) == english


@pytest.mark.parametrize(("table", "lookup", "day", "english", "polish"), CASES)
def test_a_missing_rate_reads_in_the_readers_language(
    table: FxTable, lookup: str, day: date, english: str, polish: str
) -> None:
    with using("en"):
        assert rate_reason_words(english) == english
    with using("pl"):
        assert rate_reason_words(english) == polish


@pytest.mark.parametrize(
    "reason",
    [
        "total: must be a number",
        "no invoice INV-9 for this allocation",
        # Near misses of the sentence stay as written, never half translated.
        "no EUR->USD rate for 2 January: add it",
        "no eur->USD rate for 2025-01-02: add it",
        "",
    ],
)
def test_any_other_reason_is_shown_as_written(reason: str) -> None:
    with using("pl"):
        assert rate_reason_words(reason) == reason


@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        ("en", f"invoice INV-1 (test): currency: no EUR->USD rate for 2025-01-02: {CLI_REMEDY}"),
        ("pl", "invoice INV-1 (test): currency: brak kursu EUR->USD na dzień 2025-01-02: "
               f"{CLI_REMEDY_PL}"),
    ],
)
def test_the_reviews_data_quality_says_the_missing_rate_in_the_readers_language(
    lang: str, expected: str
) -> None:
    books = ledger(
        customer("acme", "Acme"),
        invoice("acme", id="INV-1", issued="2025-01-02", total="100.00", currency="EUR"),
        invoice("acme", id="INV-2", issued="2025-03-02", total="100.00", currency="EUR"),
        base_currency="USD", fx=_table(remedy=CLI_REMEDY), strict=False,
    )
    result = review(books, as_of=date(2025, 6, 30), lang=lang)
    assert result.data_quality.rejections == (expected,)
    # The ledger's own report keeps the English reason, whatever the review's language.
    (rejection,) = books.report.rejected
    assert rejection.reason == f"no EUR->USD rate for 2025-01-02: {CLI_REMEDY}"


CURRENCIES = st.sampled_from(["EUR", "PLN", "GBP", "CHF", "JPY", "USD"])


@given(
    currency=CURRENCIES,
    base=CURRENCIES,
    first=st.dates(date(1990, 1, 1), date(2090, 12, 31)),
    gap=st.integers(-400, 400),
    staleness=st.integers(0, 60),
)
def test_every_missing_rate_of_a_table_reads_in_polish(
    currency: str, base: str, first: date, gap: int, staleness: int
) -> None:
    # Whatever the currencies, days and staleness: the English reason is recognised whole,
    # and the Polish names the same currencies and days.
    # Not the base itself, nor a day the rate covers: those have no error.
    assume(currency != base and not 0 <= gap <= staleness)
    table = FxTable(base, {currency: {first: Decimal("1.5")}}, staleness, remedy=CLI_REMEDY)
    day = first + timedelta(days=gap)
    with pytest.raises(DataError) as caught:
        table.rate(currency, day)
    with using("pl"):
        words = rate_reason_words(str(caught.value))
    assert words.startswith(f"brak kursu {currency}->{base} na dzień {day.isoformat()}: ")
    assert words.endswith(CLI_REMEDY_PL)
    assert (first.isoformat() in words) == (gap > 0)


@given(st.text(max_size=80))
def test_a_reason_that_is_not_a_missing_rate_is_never_changed(reason: str) -> None:
    assume(not reason.startswith("no "))
    with using("pl"):
        assert rate_reason_words(reason) == reason


# ------------------------------------------------------------------------ the command line


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

INVOICES = """\
Number,Customer,Issued,Total,Currency
A-1,Acme,2025-01-02,100.00,EUR
A-2,Acme,2025-03-02,100.00,USD
A-3,Acme,2025-03-12,100.00,USD
"""


@needs_csv
@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        # rates.csv has EUR from 2025-03-01 only: the remedy names that file and day (it
        # told a user with a [rates] table to add one; tests/test_rate_remedy.py has every case).
        ("en", "no EUR->USD rate for 2025-01-02: the EUR rates begin on 2025-03-01: add the EUR "
               "rate of 2025-01-02 to rates.csv, then run clientguard rates sync"),
        ("pl", "brak kursu EUR->USD na dzień 2025-01-02: kursy EUR są dostępne od 2025-03-01: "
               "dodaj kurs EUR z dnia 2025-01-02 do rates.csv, a potem uruchom clientguard "
               "rates sync"),
    ],
)
def test_the_commands_report_says_the_missing_rate_in_the_readers_language(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang: str, reason: str,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "inv.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n2025-03-01,EUR,USD,1.05\n",
                                        encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "USD"\n[rates]\nfile = "rates.csv"\n', encoding="utf-8")
    main(["--lang", lang, "review", "--as-of", "2025-06-30", "--format", "json",
          "--source", "csv", "--option", "mapping=map.toml", "--option", "invoices=inv.csv"])
    out, _ = capsys.readouterr()
    quality = json.loads(out)["data_quality"]
    # The record's place in the reader's words too (tests/test_record_place_words.py).
    place = "inv.csv, wiersz 2" if lang == "pl" else "inv.csv, line 2"
    assert quality["rejections"] == [f"invoice A-1 (csv, {place}): currency: {reason}"]


@needs_csv
@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        # rates.csv has EUR from 2025-03-01 only: the remedy names that file and day (it
        # told a user with a [rates] table to add one; tests/test_rate_remedy.py has every case).
        ("en", "no EUR->USD rate for 2025-01-02: the EUR rates begin on 2025-03-01: add the EUR "
               "rate of 2025-01-02 to rates.csv, then run clientguard rates sync"),
        ("pl", "brak kursu EUR->USD na dzień 2025-01-02: kursy EUR są dostępne od 2025-03-01: "
               "dodaj kurs EUR z dnia 2025-01-02 do rates.csv, a potem uruchom clientguard "
               "rates sync"),
    ],
)
def test_clientguard_rejections_says_the_missing_rate_as_the_review_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
    lang: str, reason: str,
) -> None:
    """The command that lists the rejections one by one words a missing rate as the review's
    data quality does, in the reader's language; the stored reason stays English."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CLIENTGUARD_CONFIG", raising=False)
    (tmp_path / "map.toml").write_text(MAPPING, encoding="utf-8")
    (tmp_path / "inv.csv").write_text(INVOICES, encoding="utf-8")
    (tmp_path / "rates.csv").write_text("date,currency,base,rate\n2025-03-01,EUR,USD,1.05\n",
                                        encoding="utf-8")
    (tmp_path / "clientguard.toml").write_text(
        'base_currency = "USD"\nstore = "cg.db"\n[rates]\nfile = "rates.csv"\n'
        '[sources.csv]\nconnector = "csv"\nmapping = "map.toml"\ninvoices = "inv.csv"\n',
        encoding="utf-8")
    assert main(["sync", "--quiet"]) == 0
    capsys.readouterr()
    assert main(["--lang", lang, "rejections", "--as-of", "2025-06-30"]) == 0
    out, _ = capsys.readouterr()
    place = "inv.csv, wiersz 2" if lang == "pl" else "inv.csv, line 2"
    assert f"invoice A-1 (csv, {place}): currency: {reason}\n" in out
