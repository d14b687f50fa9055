"""What is time-barred, in every report: how much of what the law granted was left out of
``claimable``, where ``claimable`` is reported (docs/report-schema.md, docs/html-report.md).

The book is the one of tests/test_limitation.py: PLN 10,000 due 15 December 2021, paid
14 January 2022, under Polish law. Worked out there by hand: the interest of its 16 days of
2021 is 10,000 x 10.10% x 16 / 365 = 44.2739..., of its 14 days of 2022 10,000 x 11.75% x 14 /
365 = 45.0684...; the compensation EUR 70 x 4.6000 = PLN 322.00. On 30 June 2025 (art. 118 KC:
the claims due in 2021 barred from 1 January 2025) 45.07 is claimable and 44.2739... + 322.00
= 366.27 is time-barred; on 31 December 2024 nothing is yet (89.34 + 322.00 = 411.34
claimable). The client's name holds what each format must escape.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
from datetime import date, timedelta
from decimal import Decimal

import jsonschema  # type: ignore[import-untyped]
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.i18n import using
from clientguard.policy import Policy
from clientguard.report import render
from clientguard.report.document import SCHEMA_VERSION, schema
from clientguard.report.spreadsheet import COLUMNS
from clientguard.review import Review, review
from clientguard.testing import customer, fx_table, invoice, ledger

NAME = '=HYPERLINK("http://evil") <b>ACME</b> & sp. z o.o.'
FX = fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}})
ACROSS_NEW_YEAR = invoice("acme", issued="2021-11-15", due="2021-12-15", paid="2022-01-14",
                          total="10000.00", currency="PLN", id="F1", number="FV/12/2021")
BARRED_ON = date(2025, 6, 30)
NOT_YET = date(2024, 12, 31)
NBSP = "\u00a0"


def _review(as_of: date, jurisdiction: str = "pl", lang: str = "en") -> Review:
    book = ledger(customer("acme", NAME), ACROSS_NEW_YEAR, base_currency="PLN", fx=FX)
    with using(lang):
        return review(book, as_of=as_of,
                      policy=Policy(jurisdiction=jurisdiction, lookback_days=2000))


def _render(as_of: date, fmt: str, *, lang: str = "en", jurisdiction: str = "pl",
            csv_dialect: str = "rfc4180") -> str:
    result = _review(as_of, jurisdiction, lang)
    with using(lang):
        return render(result, fmt, csv_dialect=csv_dialect)


def _client_rows(text: str, delimiter: str = ",") -> list[dict[str, str]]:
    rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    return [dict(zip(COLUMNS, row, strict=True)) for row in rows[1:] if row[2] == "acme"]


# --- JSON -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "claimable", "time_barred"),
    [(BARRED_ON, "45.07", "366.27"), (NOT_YET, "411.34", "0.00")],
    ids=["barred", "not yet"],
)
def test_the_json_says_how_much_is_time_barred_for_the_book_and_the_client(
    as_of: date, claimable: str, time_barred: str
) -> None:
    document = json.loads(_render(as_of, "json"))
    jsonschema.Draft202012Validator(schema()).validate(document)
    assert document["schema_version"] == SCHEMA_VERSION == "1.10"
    (client,) = document["clients"]
    assert client["name"] == NAME  # JSON keeps the text; a program escapes it for its output
    for part in (document["book"], client):
        assert (part["claimable"], part["time_barred"]) == (claimable, time_barred)


def test_a_1_5_document_without_the_field_is_no_longer_the_schema() -> None:
    # The schema lists exactly the fields of its version: the field is required in 1.6.
    document = json.loads(_render(BARRED_ON, "json"))
    del document["clients"][0]["time_barred"]
    with pytest.raises(jsonschema.ValidationError, match="time_barred"):
        jsonschema.Draft202012Validator(schema()).validate(document)


# --- CSV --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lang", "dialect", "delimiter", "claimable", "time_barred"),
    [
        ("en", "rfc4180", ",", "45.07", "366.27"),
        ("pl", "rfc4180", ",", "45.07", "366.27"),  # the default's numbers never change
        ("en", "excel", ",", "45.07", "366.27"),
        ("pl", "excel", ";", "45,07", "366,27"),  # Excel on a Polish Windows: decimal comma
    ],
)
def test_the_csv_has_a_time_barred_column_on_each_row_of_the_client(
    lang: str, dialect: str, delimiter: str, claimable: str, time_barred: str
) -> None:
    text = _render(BARRED_ON, "csv", lang=lang, csv_dialect=dialect)
    header = next(csv.reader(io.StringIO(text.removeprefix("\ufeff")), delimiter=delimiter))
    assert header[COLUMNS.index("time_barred")] == (
        "time_barred" if lang == "en" else "Przedawnione")
    rows = _client_rows(text, delimiter)
    assert rows
    for row in rows:
        assert (row["claimable"], row["time_barred"]) == (claimable, time_barred)
        # The name next to it stays text: neutralised against formulas.
        assert row["client_name"] == "'" + NAME


def test_the_csv_writes_zero_when_nothing_is_time_barred() -> None:
    rows = _client_rows(_render(NOT_YET, "csv"))
    assert {(r["claimable"], r["time_barred"]) for r in rows} == {("411.34", "0.00")}


# --- HTML -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "lang", "card", "clause"),
    [
        (BARRED_ON, "en", "366.27 PLN", "; 366.27 PLN time-barred and left out."),
        (NOT_YET, "en", "0.00 PLN", "; 0.00 PLN time-barred and left out."),
        (BARRED_ON, "pl", f"366,27{NBSP}zł", f"; przedawnione i pominięte: 366,27{NBSP}zł."),
    ],
    ids=["barred", "not yet", "polish"],
)
def test_the_html_shows_a_card_for_the_book_and_a_clause_for_the_client(
    as_of: date, lang: str, card: str, clause: str
) -> None:
    page = _render(as_of, "html", lang=lang)
    title = "Time-barred, left out" if lang == "en" else "Przedawnione, pominięte"
    found = re.search(rf'{re.escape(title)}</span><b>([^<]*)</b>', page)
    assert found is not None
    assert found.group(1) == card
    label = "Cost of lateness:" if lang == "en" else "Koszt opóźnień:"
    (cost,) = [line for line in page.splitlines() if line.startswith(f"<p><b>{label}</b>")]
    assert cost.endswith(clause + "</p>")
    # Every text from the data escaped: the name never reaches the page as markup.
    assert "<b>ACME</b>" not in page
    assert html.escape(NAME) in page


def test_without_a_late_payment_law_the_html_shows_no_time_barred_card() -> None:
    # Nothing can be time-barred under no law; "0.00 time-barred" beside "no late-payment law
    # applies" would read as a limitation that was checked.
    page = _render(BARRED_ON, "html", jurisdiction="none")
    assert "no late-payment law applies" in page
    assert "time-barred" not in page.lower()


# --- the table --------------------------------------------------------------------------------


def _joined(text: str) -> str:
    """The table's wrapped lines joined back into sentences."""
    return re.sub(r"\n +", " ", text)


@pytest.mark.parametrize(
    ("lang", "clause"),
    [
        ("en", "Cost of lateness: 82.19 PLN financing; 45.07 PLN claimable under late-payment "
               "law; 366.27 PLN time-barred and left out."),
        ("pl", f"przedawnione i pominięte: 366,27{NBSP}zł."),
    ],
)
def test_the_table_says_what_is_time_barred_in_the_clients_cost_line(
    lang: str, clause: str
) -> None:
    # 82.19: the financing cost of the invoice's 30 days late over the window, as the review
    # reports it (the line's first part, unchanged by this feature).
    text = _render(BARRED_ON, "table", lang=lang)
    assert clause in _joined(text)


def test_the_table_says_nothing_of_it_when_nothing_is_time_barred() -> None:
    text = _joined(_render(NOT_YET, "table"))
    assert "Cost of lateness: " in text
    assert "411.34 PLN claimable under late-payment law." in text
    assert "time-barred" not in text


def test_the_table_names_the_client_with_its_control_characters_escaped() -> None:
    book = ledger(customer("acme", "ACME\x1b[2J"), ACROSS_NEW_YEAR, base_currency="PLN",
                  fx=FX)
    result = review(book, as_of=BARRED_ON,
                    policy=Policy(jurisdiction="pl", lookback_days=2000))
    with using("en"):
        text = render(result, "table")
    assert "\x1b" not in text
    assert "366.27 PLN time-barred and left out." in _joined(text)


# --- invariant --------------------------------------------------------------------------------


@settings(max_examples=25, deadline=None)
@given(days=st.integers(0, 3000))
def test_claimable_and_time_barred_add_up_to_what_the_law_granted(days: int) -> None:
    # Once paid, the invoice bears 89.34 of interest and 322.00 of compensation (411.34), as of
    # any later day: the reports split it between claimable and time-barred, to the cent (each
    # rounded on its own, so within a cent of rounding).
    as_of = date(2022, 1, 14) + timedelta(days=days)
    document = json.loads(_render(as_of, "json"))
    (client,) = document["clients"]
    total = Decimal(client["claimable"]) + Decimal(client["time_barred"])
    assert abs(total - Decimal("411.34")) <= Decimal("0.01")
    (row, *_) = _client_rows(_render(as_of, "csv"))
    assert (row["claimable"], row["time_barred"]) == (client["claimable"], client["time_barred"])
