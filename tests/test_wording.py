"""How numbers are written for a person: one rule each, in clientguard.wording.

Every expected text below is written from the rule (half-even at output, commas between
thousands, the code after the amount), not copied from the function's output.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard import wording
from clientguard.errors import DataError
from clientguard.findings import Signal
from clientguard.i18n import using
from clientguard.model import AnyRecord
from clientguard.review import review
from clientguard.testing import customer, invoice, ledger, payment


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [
        ("0.125", "EUR", "0.12 EUR"),  # half-even: half-up would say 0.13
        ("0.135", "EUR", "0.14 EUR"),
        ("1234567.891", "EUR", "1,234,567.89 EUR"),
        ("-65.3", "EUR", "-65.30 EUR"),
        ("-1234.5", "USD", "-1,234.50 USD"),
        ("-0.004", "EUR", "0.00 EUR"),  # rounds to zero: no minus sign
        ("1234.5", "JPY", "1,234 JPY"),  # zero decimals, half-even
        ("1235.5", "JPY", "1,236 JPY"),
        ("1.0005", "KWD", "1.000 KWD"),  # three decimals
        ("1E+3", "EUR", "1,000.00 EUR"),  # never exponent form
        ("12", "", "12.00"),  # no currency to name: the number alone
    ],
)
def test_money_is_the_rounded_amount_then_the_code(
    amount: str, currency: str, expected: str
) -> None:
    assert wording.money(Decimal(amount), currency) == expected


@pytest.mark.parametrize(
    ("amount", "currency", "expected"),
    [("12345.605", "EUR", "12,345.60"), ("-0.4", "JPY", "0"), ("999.999", "USD", "1,000.00")],
)
def test_an_amount_in_a_column_has_no_code(amount: str, currency: str, expected: str) -> None:
    assert wording.amount(Decimal(amount), currency) == expected


def test_an_unknown_currency_is_named() -> None:
    with pytest.raises(DataError, match="'XYZ'"):
        wording.money(Decimal(1), "XYZ")


@pytest.mark.parametrize(
    ("share", "options", "expected"),
    [
        ("0.1234", {}, "12%"),  # the tables and the review's advice: whole percent
        ("0.1234", {"places": 1}, "12.3%"),  # the lateness sentences
        ("0.36", {"places": 1}, "36%"),  # no ".0"
        ("0.125", {}, "12%"),  # half-even
        ("0.135", {}, "14%"),
        ("0.1234", {"places": 1, "whole_from": 10}, "12%"),  # the concentration sentences
        ("0.045", {"places": 1, "whole_from": 10}, "4.5%"),
        ("0.0999", {"places": 1, "whole_from": 10}, "10%"),  # 9.99 rounds up to 10.0
        ("1", {}, "100%"),
        ("-0.25", {}, "-25%"),
        ("-0.001", {}, "0%"),
        ("12.5", {}, "1,250%"),
    ],
)
def test_a_share_is_written_as_percent(
    share: str, options: dict[str, Any], expected: str
) -> None:
    assert wording.percent(Decimal(share), **options) == expected


def test_a_missing_share_or_number_says_so() -> None:
    assert wording.percent(None) == "n/a"
    assert wording.percent(None, missing="-") == "-"
    assert wording.days(None, missing="-") == "-"
    assert wording.number(None) == "n/a"


@pytest.mark.parametrize(
    ("value", "options", "expected"),
    [
        ("29.44", {}, "29.4"),  # the tables: one decimal
        ("29", {}, "29.0"),
        ("0.05", {}, "0.0"),  # half-even
        ("0.15", {}, "0.2"),
        ("29.4", {"whole_from": 10, "trim": True}, "29"),  # the sentences
        ("4.5", {"whole_from": 10, "trim": True}, "4.5"),
        ("4.0", {"whole_from": 10, "trim": True}, "4"),
        ("0.46", {"whole_from": 10, "trim": True}, "0.5"),  # not "0 days late"
        ("1234.5", {}, "1,234.5"),
        ("-3.25", {}, "-3.2"),
        (12, {}, "12"),  # a whole number of days stays whole
    ],
)
def test_days(value: str | int, options: dict[str, object], expected: str) -> None:
    days = value if isinstance(value, int) else Decimal(value)
    assert wording.days(days, **options) == expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "noun", "plural", "expected"),
    [
        (1, "client", None, "1 client"),
        (0, "client", None, "0 clients"),
        (1234, "invoice", None, "1,234 invoices"),
        (2, "day", None, "2 days"),
        (3, "analysis", "analyses", "3 analyses"),
    ],
)
def test_a_count_agrees_with_its_noun(
    value: int, noun: str, plural: str | None, expected: str
) -> None:
    assert wording.count(value, noun, plural) == expected


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 7, 1), date(2026, 6, 30), "the last 12 months"),
        (date(2023, 7, 1), date(2024, 6, 30), "the last 12 months"),  # 366 days
        (date(2024, 7, 1), date(2026, 6, 30), "the last 24 months"),
        (date(2026, 4, 1), date(2026, 6, 29), "the last 90 days"),
    ],
)
def test_a_window_is_named_by_its_length(start: date, end: date, expected: str) -> None:
    assert wording.window((start, end)) == expected


@pytest.mark.parametrize(
    ("p", "expected"), [(0.0004, "p < 0.001"), (0.0042, "p = 0.0042"), (0.031, "p = 0.031"),
                        # 10/220, one-sided Fisher: not "0.05", the level it is compared with
                        (10 / 220, "p = 0.045"), (0.34, "p = 0.34")]
)
def test_a_p_value(p: float, expected: str) -> None:
    assert wording.p_value(p) == expected


@given(
    st.decimals(min_value=-10**9, max_value=10**9, allow_nan=False, places=4),
    st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_money_reads_back_as_the_rounded_amount(amount: Decimal, currency: str) -> None:
    text = wording.money(amount, currency)
    number, code = text.split(" ")
    assert code == currency
    places = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    assert Decimal(number.replace(",", "")) == amount.quantize(Decimal(1).scaleb(-places))
    whole = number.lstrip("-").split(".")[0]
    assert all(len(group) == 3 for group in whole.split(",")[1:])  # commas between thousands
    assert not text.startswith("-0") or Decimal(number.replace(",", "")) != 0


AS_OF = date(2025, 6, 30)


def test_one_review_writes_every_amount_in_one_form() -> None:
    """The review's sentences (findings, summaries, advice) name a currency after the amount,
    never before it: once a concentration finding wrote "EUR 387,078.35" beside "65.30 EUR"."""
    records: list[AnyRecord] = [customer("big", "Big Ltd"), customer("small", "Small Ltd")]
    for month in range(1, 7):
        records.append(invoice("big", issued=f"2025-{month:02d}-01", total="9000.00"))
        records.append(invoice("small", issued=f"2025-{month:02d}-01", total="1000.00"))
        records.append(payment("small", on=f"2025-{month:02d}-28", amount="1000.00"))
    result = review(ledger(*records), as_of=AS_OF)
    clients = list(result.clients.values())
    sentences = [f.message for c in clients for f in c.findings]
    sentences += [c.summary for c in clients] + [c.what_if.message for c in clients]
    sentences += [r.message for c in clients for r in c.revisions] + [result.book.summary]
    signals = {f.signal for c in clients for f in c.findings}
    assert Signal.REVENUE_CONCENTRATION in signals  # the finding that wrote "EUR 1,000.00"
    text = " ".join(sentences)
    assert re.findall(r"\bEUR -?\d", text) == []
    assert len(re.findall(r"\d EUR\b", text)) >= 3


# A number of seconds keeps every decimal it was given and drops a trailing zero, with the
# language's separators (CLDR: Polish writes a decimal comma and a no-break space between
# thousands). Expected values by hand.
@pytest.mark.parametrize(
    ("value", "english", "polish"),
    [
        (0.5, "0.5", "0,5"),
        (30.0, "30", "30"),
        (30, "30", "30"),
        (2.25, "2.25", "2,25"),
        (0.1, "0.1", "0,1"),  # the float's shortest writing, not 0.1000000000000000055...
        (3600.0, "3,600", "3\N{NO-BREAK SPACE}600"),
        (Decimal("1.50"), "1.5", "1,5"),
    ],
)
def test_seconds_are_written_in_the_readers_language(
    value: float | int | Decimal, english: str, polish: str
) -> None:
    assert wording.seconds(value) == english
    with using("pl"):
        assert wording.seconds(value) == polish


@given(st.decimals(min_value=0, max_value=10**6, places=3, allow_nan=False))
def test_polish_seconds_are_the_english_ones_with_polish_separators(value: Decimal) -> None:
    with using("pl"):
        polish = wording.seconds(value)
    english = wording.seconds(value)
    assert polish == english.replace(",", "\N{NO-BREAK SPACE}").replace(".", ",")
    assert Decimal(english.replace(",", "")) == value  # nothing rounded away


# The record kinds, counted: one helper for the sync's summary (the kind as the data names it,
# in English whatever the number) and clientguard-csv's "records made" (English plurals).
# Polish takes CLDR's three forms (1, 2-4, 5+: klient, klientów; faktura, faktury, faktur)
# either way; expected texts written from those rules, and from the sync's and the csv
# connector's outputs as their own tests pin them ("(new: 2 customer, 3 invoice)",
# "records made: 2 customers, 1 invoice").
@pytest.mark.parametrize(
    ("kind", "n", "as_named", "english", "polish"),
    [
        ("customer", 2, True, "2 customer", "2 klientów"),
        ("invoice", 3, True, "3 invoice", "3 faktury"),
        ("invoice", 2466, True, "2,466 invoice", "2\N{NO-BREAK SPACE}466 faktur"),
        ("allocation", 5, True, "5 allocation", "5 rozliczeń"),
        ("credit_note", 1, True, "1 credit note", "1 korekta"),
        ("customer", 2, False, "2 customers", "2 klientów"),
        ("invoice", 1, False, "1 invoice", "1 faktura"),
        ("time_entry", 12, False, "12 time entries", "12 wpisów czasu pracy"),
        ("work_request", 22, False, "22 work requests", "22 zlecenia"),
        ("payment", 2566, False, "2,566 payments", "2\N{NO-BREAK SPACE}566 płatności"),
        # A kind a plugin adds: its own name, in any language.
        ("purchase_order", 3, False, "3 purchase order", "3 purchase order"),
        ("purchase_order", 3, True, "3 purchase order", "3 purchase order"),
    ],
)
def test_records_of_a_kind_are_counted_in_the_readers_language(
    kind: str, n: int, as_named: bool, english: str, polish: str
) -> None:
    assert wording.records_of_kind(kind, n, as_named=as_named) == english
    with using("pl"):
        assert wording.records_of_kind(kind, n, as_named=as_named) == polish


def test_the_sync_and_the_csv_connector_count_records_with_one_helper() -> None:
    # One owner of the record kinds' words: neither command keeps its own copy.
    import inspect

    import clientguard.cli
    import clientguard_csv.cli

    for module in (clientguard.cli, clientguard_csv.cli):
        source = inspect.getsource(module)
        assert "wording.records_of_kind(" in source
        assert '"{n} work request"' not in source
