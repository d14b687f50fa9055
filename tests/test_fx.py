"""Exchange rates from outside the records: a rates file, the NBP's table A and the ECB's
reference rates over real HTTP (pytest-httpserver, responses written in the banks' published
formats), the rates table of the store, and the FxTable a review gets from them."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

from clientguard.errors import ConfigError, ConnectorError, DataError
from clientguard.fx import RateRow, fx_table
from clientguard.fx.banks import EcbRates, NbpRates, ecb_rows, nbp_rows
from clientguard.fx.files import TEMPLATE, read_rates_file
from clientguard.store import Store
from clientguard.testing import invoice, ledger

D = Decimal


def row(source: str, base: str, currency: str, day: str, rate: str,
        applies: str | None = None) -> RateRow:
    return RateRow(source, base, currency, date.fromisoformat(day), D(rate),
                   date.fromisoformat(applies or day))


# ----------------------------------------------------------------------------- the table


def test_rates_in_the_ledgers_base_are_used_as_published() -> None:
    table = fx_table([row("file:r.csv", "USD", "ILS", "2025-01-31", "0.2790")], "USD")
    assert table.rate("ILS", date(2025, 1, 31)) == D("0.2790")
    # A weekend invoice takes Friday's rate (within the staleness window).
    assert table.rate("ILS", date(2025, 2, 2)) == D("0.2790")


def test_rates_to_another_base_are_crossed_through_the_ledgers_base_the_same_day() -> None:
    # The ECB publishes per euro; in a USD ledger ILS is (EUR per ILS) / (EUR per USD), and
    # EUR itself 1 / (EUR per USD). 1 EUR = 1.0400 USD = 3.8000 ILS.
    eur_per_usd, eur_per_ils = D(1) / D("1.0400"), D(1) / D("3.8000")
    table = fx_table([
        RateRow("ecb", "EUR", "USD", date(2025, 1, 2), eur_per_usd, date(2025, 1, 2)),
        RateRow("ecb", "EUR", "ILS", date(2025, 1, 2), eur_per_ils, date(2025, 1, 2)),
    ], "USD")
    assert table.rate("ILS", date(2025, 1, 2)).quantize(D("0.000001")) == D("0.273684")
    assert table.rate("EUR", date(2025, 1, 2)).quantize(D("0.0001")) == D("1.0400")
    # 380 ILS is 100 EUR is 104 USD.
    assert table.convert(D(380), "ILS", date(2025, 1, 2)).quantize(D("0.01")) == D("104.00")


def test_a_day_without_the_ledgers_base_gives_no_cross_rates() -> None:
    table = fx_table([row("ecb", "EUR", "ILS", "2025-01-02", "0.26")], "USD",
                     remedy="add [rates]")
    with pytest.raises(DataError, match=r"no ILS->USD rate for 2025-01-02: add \[rates\]"):
        table.rate("ILS", date(2025, 1, 2))


def test_the_source_named_first_wins_a_day_both_have() -> None:
    rows = [row("ecb", "EUR", "USD", "2025-01-02", "0.96"),
            row("file:own.csv", "EUR", "USD", "2025-01-02", "0.95"),
            row("ecb", "EUR", "USD", "2025-01-03", "0.97")]
    table = fx_table(rows, "EUR", order=["file:own.csv", "ecb"])
    assert table.rate("USD", date(2025, 1, 2)) == D("0.95")
    assert table.rate("USD", date(2025, 1, 3)) == D("0.97")
    assert fx_table(rows, "EUR", order=["ecb"]).rate("USD", date(2025, 1, 2)) == D("0.96")


@pytest.mark.parametrize(
    ("invoice_date", "table_used"),
    [
        ("2025-01-03", "2025-01-02"),  # Friday: Thursday's table, never the same day's
        ("2025-01-06", "2025-01-03"),  # Monday: Friday's
        ("2025-01-05", "2025-01-03"),  # Sunday: Friday's
        ("2025-01-07", "2025-01-03"),  # Tuesday after Epiphany (no table on 6 Jan): Friday's
    ],
)
def test_the_nbp_rate_is_the_last_business_day_before_the_invoice(
    invoice_date: str, table_used: str
) -> None:
    # Art. 31a of the VAT Act: the mid rate of the last business day before the invoice date.
    tables = [{"table": "A", "no": f"00{i}/A/NBP/2025", "effectiveDate": day,
               "rates": [{"currency": "euro", "code": "EUR", "mid": D(f"4.2{i}")}]}
              for i, day in enumerate(["2025-01-02", "2025-01-03", "2025-01-07"], start=1)]
    table = fx_table(nbp_rows(tables), "PLN")
    published = {"2025-01-02": D("4.21"), "2025-01-03": D("4.22"), "2025-01-07": D("4.23")}
    assert table.rate("EUR", date.fromisoformat(invoice_date)) == published[table_used]
    book = ledger(invoice("klient", issued=invoice_date, total="100.00", currency="EUR",
                          id="FV-1"), base_currency="PLN", fx=table)
    assert book.base_amount(book.invoice("FV-1")) == D(100) * published[table_used]


# ----------------------------------------------------------------------------- a rates file


def test_the_template_is_a_rates_file_that_reads(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(TEMPLATE)
    rows = read_rates_file(path)
    assert [(r.currency, r.base, r.rate, r.published) for r in rows] == [
        ("USD", "EUR", D("0.9612"), date(2025, 1, 31)),
        ("ILS", "EUR", D("0.2681"), date(2025, 1, 31))]
    assert {r.source for r in rows} == {"file:rates.csv"}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,currency,rate\n", "line 1: the header has no 'base' column"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR,1,05\n", "line 2: has 5 fields"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR\n", "line 2: has 3 fields"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR,0;96\n",
         "line 2, column 'rate': '0;96' is not a number"),
        ("date,currency,base,rate\n31/01/2025,USD,EUR,0.96\n",
         "line 2, column 'date': '31/01/2025' is not a date"),
        ("# rates\ndate,currency,base,rate\n\n2025-01-31,usd,EUR,0.96\n",
         "line 4, column 'currency': 'usd' is not an upper-case ISO 4217"),
        ("date,currency,base,rate\n2025-01-31,USD,EURO,0.96\n", "column 'base': 'EURO'"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR,-0.96\n", "'-0.96' is not a positive"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR,NaN\n", "'NaN' is not a positive"),
        ("date,currency,base,rate\n2025-01-31,EUR,EUR,1\n", "currency and base are both EUR"),
        ("# only a comment\n", "has no header line"),
        ("date,currency,base,rate\n2025-01-31,USD,EUR,0.96\n2025-01-31,USD,EUR,0.97\n",
         "line 3: a second USD rate in EUR for 2025-01-31 (0.97; line 2 has 0.96)"),
        # A quote left open: the shared CSV reader's error, which says how to quote.
        ('date,currency,base,rate\n2025-01-31,USD,EUR,"0.96\n',
         "line 2: the row starting here cannot be read as CSV"),
    ],
)
def test_a_bad_rates_file_names_the_file_line_and_column(
    tmp_path: Path, text: str, message: str
) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        read_rates_file(path)
    assert message in str(caught.value)
    assert str(path) in str(caught.value)


@pytest.mark.parametrize(
    ("data", "rows"),
    [
        # Polish Excel's "CSV UTF-8": a byte-order mark, semicolons, CRLF, dates day first.
        ("\ufeffdate;currency;base;rate\r\n31.01.2025;USD;PLN;4.0631\r\n"
         "3.2.2025;EUR;PLN;4.2178\r\n".encode(),
         [("USD", "PLN", D("4.0631"), date(2025, 1, 31)),
          ("EUR", "PLN", D("4.2178"), date(2025, 2, 3))]),
        # Semicolons alone, with a comment line and a blank one before the header.
        (b"# our bank's rates\n\ndate;currency;base;rate\n2025-02-03;EUR;PLN;4.2178\n",
         [("EUR", "PLN", D("4.2178"), date(2025, 2, 3))]),
    ],
    ids=["polish-excel", "semicolons"],
)
def test_a_rates_file_is_read_as_a_spreadsheet_saves_it(
    tmp_path: Path, data: bytes, rows: list[tuple[str, str, D, date]]
) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(data)
    assert [(r.currency, r.base, r.rate, r.published) for r in read_rates_file(path)] == rows


@pytest.mark.parametrize(
    ("data", "message"),
    [
        # Excel's plain "CSV" on Polish Windows: windows-1250 writes "ł" as byte 0xB3, on the
        # comment line 1; the error names the line and says how to save the file.
        ("# kursy złotego\ndate,currency,base,rate\n2025-01-31,USD,PLN,4.0631\n"
         .encode("cp1250"), "line 1: the rates file is not UTF-8 text (byte 0xB3"),
        # Semicolons are read, a decimal comma still is not: the rate, not the header.
        (b"date;currency;base;rate\n2025-01-31;USD;PLN;4,0631\n",
         "line 2, column 'rate': '4,0631' is not a number (write it with a dot"),
        # Slashes are never read, whichever way round: 12/31 is December only in the US.
        (b"date;currency;base;rate\n12/31/2025;USD;PLN;4.0631\n",
         "line 2, column 'date': '12/31/2025' is not a date"),
    ],
    ids=["windows-1250", "decimal-comma", "slashes"],
)
def test_a_spreadsheets_rates_file_that_cannot_be_read_says_why(
    tmp_path: Path, data: bytes, message: str
) -> None:
    path = tmp_path / "rates.csv"
    path.write_bytes(data)
    with pytest.raises(ConfigError) as caught:
        read_rates_file(path)
    assert f"{path}, {message}" in str(caught.value)


# ----------------------------------------------------------------------------- the NBP


def nbp_table(day: date, rates: dict[str, str]) -> dict[str, object]:
    """One table A as api.nbp.pl writes it."""
    return {"table": "A", "no": f"{day:%j}/A/NBP/{day:%Y}", "effectiveDate": day.isoformat(),
            "rates": [{"currency": code.lower(), "code": code, "mid": D(mid)}
                      for code, mid in rates.items()]}


def nbp_body(*tables: dict[str, object]) -> str:
    return json.dumps(list(tables), default=str).replace('"mid": "', '"mid": ').replace(
        '"}', "}")


def test_nbp_reads_table_a_in_slices_of_93_days_and_a_slice_without_tables_is_empty(
    httpserver: HTTPServer,
) -> None:
    start, end = date(2025, 1, 1), date(2025, 7, 15)  # 196 days: three slices
    first = date(2025, 1, 2)
    httpserver.expect_ordered_request(
        "/api/exchangerates/tables/A/2025-01-01/2025-04-03/", query_string="format=json"
    ).respond_with_data(nbp_body(nbp_table(first, {"EUR": "4.2718", "USD": "4.1219",
                                                     "XDR": "5.4"})),
                        content_type="application/json")
    httpserver.expect_ordered_request(
        "/api/exchangerates/tables/A/2025-04-04/2025-07-05/"
    ).respond_with_data("404 NotFound - Not Found - Brak danych", status=404)
    httpserver.expect_ordered_request(
        "/api/exchangerates/tables/A/2025-07-06/2025-07-15/"
    ).respond_with_data(nbp_body(nbp_table(date(2025, 7, 7), {"EUR": "4.25"})),
                        content_type="application/json")
    with NbpRates(base_url=httpserver.url_for("/"), sleep=lambda s: None) as source:
        rows = source.fetch(start, end)
    httpserver.check_assertions()
    assert [(r.currency, r.published, r.applies_from, r.rate) for r in rows] == [
        ("EUR", first, first + timedelta(days=1), D("4.2718")),
        ("USD", first, first + timedelta(days=1), D("4.1219")),  # XDR is not a currency
        ("EUR", date(2025, 7, 7), date(2025, 7, 8), D("4.25")),
    ]
    assert {(r.source, r.base) for r in rows} == {("nbp", "PLN")}


def test_nbp_fails_loudly_on_a_bad_request(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/api/exchangerates/tables/A/2025-01-01/2025-01-31/").respond_with_data(
        "400 BadRequest - Przekroczony limit 93 dni / Limit of 93 days has been exceeded",
        status=400)
    with NbpRates(base_url=httpserver.url_for("/"), sleep=lambda s: None) as source, \
            pytest.raises(ConnectorError) as caught:
        source.fetch(date(2025, 1, 1), date(2025, 1, 31))
    assert caught.value.status == 400


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"table": "A"}, "expected a list of tables"),
        ([{"table": "A", "effectiveDate": "2025-01-02"}], "a table without rates"),
        ([{"table": "A", "effectiveDate": "2 Jan", "rates": []}], "is not a date"),
        ([{"table": "A", "effectiveDate": "2025-01-02",
           "rates": [{"code": "EUR", "mid": "-4.2"}]}], "not a positive rate"),
        ([{"table": "A", "effectiveDate": "2025-01-02",
           "rates": [{"code": "EUR", "mid": None}]}], "is not a rate"),
    ],
)
def test_a_malformed_nbp_table_is_a_data_error(body: object, message: str) -> None:
    with pytest.raises(DataError, match=message):
        nbp_rows(body)


# ----------------------------------------------------------------------------- the ECB

ECB_XML = """<?xml version="1.0" encoding="UTF-8"?>
<gesmes:Envelope xmlns:gesmes="http://www.gesmes.org/xml/2002-08-01" xmlns="http://www.ecb.int/vocabulary/2002-08-01/eurofxref">
\t<gesmes:subject>Reference rates</gesmes:subject>
\t<gesmes:Sender>
\t\t<gesmes:name>European Central Bank</gesmes:name>
\t</gesmes:Sender>
\t<Cube>
\t\t<Cube time="2025-01-03">
\t\t\t<Cube currency="USD" rate="1.0299"/>
\t\t\t<Cube currency="ILS" rate="3.7638"/>
\t\t</Cube>
\t\t<Cube time="2025-01-02">
\t\t\t<Cube currency="USD" rate="1.0321"/>
\t\t\t<Cube currency="ILS" rate="3.7813"/>
\t\t</Cube>
\t\t<Cube time="2024-12-31">
\t\t\t<Cube currency="USD" rate="1.0389"/>
\t\t</Cube>
\t</Cube>
</gesmes:Envelope>
"""

ECB_CSV = (
    "Date,USD,JPY,ILS,CYP,\n"
    "2025-01-03,1.0299,163.19,3.7638,N/A,\n"
    "2025-01-02,1.0321,163.06,3.7813,N/A,\n"
)


def zipped(name: str, text: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, text)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "content",
    [ECB_XML.encode(), ECB_CSV.encode(), zipped("eurofxref-hist.csv", ECB_CSV)],
    ids=["xml", "csv", "zip"],
)
def test_ecb_reference_rates_in_each_published_form(content: bytes) -> None:
    rows = {(r.currency, r.published): r for r in ecb_rows(content)}
    usd = rows[("USD", date(2025, 1, 2))]
    assert (usd.source, usd.base, usd.applies_from) == ("ecb", "EUR", date(2025, 1, 2))
    assert usd.rate == D(1) / D("1.0321")  # EUR per USD: the inverse of USD per EUR
    assert ("ILS", date(2025, 1, 3)) in rows


def test_ecb_over_http_keeps_the_range_asked(httpserver: HTTPServer) -> None:
    httpserver.expect_request("/stats/eurofxref/eurofxref-hist.xml").respond_with_data(
        ECB_XML, content_type="text/xml")
    with EcbRates(base_url=httpserver.url_for("/"), sleep=lambda s: None) as source:
        rows = source.fetch(date(2025, 1, 1), date(2025, 1, 2))
    assert sorted((r.currency, r.published) for r in rows) == [
        ("ILS", date(2025, 1, 2)), ("USD", date(2025, 1, 2))]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>', "DTD"),
        (b"<Cube><Cube time='2025-13-01'><Cube currency='USD' rate='1'/></Cube></Cube>",
         "is not a date"),
        (b"<Cube><Cube time='2025-01-02'><Cube currency='USD' rate='zero'/></Cube></Cube>",
         "is not a rate"),
        (b"Datum;USD\n", "no 'Date' header"),
        (b"<unclosed", "not an ECB rates file"),
        (zipped("readme.txt", "x"), "holds no CSV"),
    ],
)
def test_a_malformed_ecb_file_is_a_data_error(content: bytes, message: str) -> None:
    with pytest.raises(DataError, match=message):
        ecb_rows(content)


# ----------------------------------------------------------------------------- the store


def test_the_store_keeps_rates_and_a_file_replaces_its_own(tmp_path: Path) -> None:
    with Store.open(tmp_path / "s.db") as store:
        store.save_rates("ecb", [row("ecb", "EUR", "USD", "2025-01-02", "0.9689")])
        store.save_rates("file:r.csv", [row("file:r.csv", "EUR", "ILS", "2025-01-02", "0.26"),
                                        row("file:r.csv", "EUR", "ILS", "2025-01-03", "0.27")],
                         replace=True)
        store.save_rates("file:r.csv", [row("file:r.csv", "EUR", "ILS", "2025-01-03", "0.28")],
                         replace=True)
        store.save_rates("ecb", [row("ecb", "EUR", "USD", "2025-01-03", "0.97")])
    with Store.open(tmp_path / "s.db", create=False) as store:
        kept = {(r.source, r.currency, r.published): r.rate for r in store.rates()}
        summary = store.rates_summary()
    assert kept == {("ecb", "USD", date(2025, 1, 2)): D("0.9689"),
                    ("ecb", "USD", date(2025, 1, 3)): D("0.97"),
                    ("file:r.csv", "ILS", date(2025, 1, 3)): D("0.28")}
    assert summary[0] == ("ecb", "EUR", 1, 2, date(2025, 1, 2), date(2025, 1, 3))


def test_nbp_rows_keep_their_applies_from_day_through_the_store(tmp_path: Path) -> None:
    rows = nbp_rows([nbp_table(date(2025, 1, 3), {"EUR": "4.2"})])
    with Store.open(tmp_path / "s.db") as store:
        store.save_rates("nbp", rows)
        assert store.rates() == rows


def test_a_store_of_schema_version_2_gets_the_rates_table_when_opened(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "old.db"
    Store.open(path).close()
    db = sqlite3.connect(path)
    db.execute("DROP TABLE rates")
    db.execute("DROP TABLE stream_notes")
    for table in ("notifications", "review_clients", "reviews"):  # schema version 4's
        db.execute(f"DROP TABLE {table}")
    db.execute("PRAGMA user_version = 2")
    db.commit()
    db.close()
    with Store.open(path) as store:
        assert store.rates() == []
        store.save_rates("ecb", [row("ecb", "EUR", "USD", "2025-01-02", "0.97")])
        assert len(store.rates()) == 1
        assert store.notes() == ()


rates_st = st.decimals(min_value=D("0.0001"), max_value=D("10000"), places=4,
                       allow_nan=False, allow_infinity=False)


@settings(max_examples=60, deadline=None)
@given(eur_per_usd=rates_st, eur_per_ils=rates_st, amount=st.decimals(
    min_value=D("0.01"), max_value=D("1000000"), places=2))
def test_a_crossed_rate_converts_as_going_through_the_tables_base(
    eur_per_usd: Decimal, eur_per_ils: Decimal, amount: Decimal
) -> None:
    # ILS -> USD through the table must equal ILS -> EUR -> USD, whatever the rates.
    day = date(2025, 1, 2)
    table = fx_table([RateRow("ecb", "EUR", "USD", day, eur_per_usd, day),
                      RateRow("ecb", "EUR", "ILS", day, eur_per_ils, day)], "USD")
    in_usd = table.convert(amount, "ILS", day)
    through_eur = amount * eur_per_ils / eur_per_usd
    assert abs(in_usd - through_eur) <= through_eur * D("1E-20")
    # and back: EUR in USD is the inverse of USD in EUR
    assert abs(table.rate("EUR", day) * eur_per_usd - 1) <= D("1E-20")
