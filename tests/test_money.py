"""Money: currency exponents, minor units, banker's rounding, Decimal-only input, FxTable."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.errors import DataError
from clientguard.money import (
    CURRENCY_EXPONENTS,
    FxTable,
    exponent,
    from_minor,
    is_currency,
    round_money,
    to_decimal,
)
from clientguard.testing import AmountLike, DateLike, fx_table

D = Decimal


# ---------------------------------------------------------------- currencies and exponents
@pytest.mark.parametrize(
    ("currency", "decimals"),
    [
        ("EUR", 2),
        ("USD", 2),
        ("PLN", 2),
        ("GBP", 2),
        ("JPY", 0),  # yen have no minor unit
        ("KRW", 0),
        ("CLP", 0),
        ("KWD", 3),  # 1 dinar = 1000 fils
        ("BHD", 3),
        ("TND", 3),
        ("UYW", 4),
    ],
)
def test_exponent_is_the_iso_4217_minor_unit(currency: str, decimals: int) -> None:
    assert exponent(currency) == decimals
    assert is_currency(currency)


@pytest.mark.parametrize("code", ["eur", "Eur", "EURO", "XYZ", "", "E U"])
def test_unknown_or_lower_case_code_is_refused(code: str) -> None:
    assert not is_currency(code)
    with pytest.raises(DataError, match="unknown currency code"):
        exponent(code)


@pytest.mark.parametrize(
    ("currency", "decimals"),
    [("HRK", 2), ("LTL", 2), ("LVL", 2), ("EEK", 2), ("BYR", 0), ("VEF", 2), ("ZWL", 2)],
)
def test_a_withdrawn_currency_of_a_books_history_is_still_a_currency(
    currency: str, decimals: int
) -> None:
    """A Croatian client's invoices of 2022 are in kuna (HRK, replaced by the euro on
    1 January 2023): they are read, not rejected as no ISO 4217 code (ISO 4217 list three)."""
    assert is_currency(currency)
    assert exponent(currency) == decimals


def test_every_code_is_three_upper_case_letters() -> None:
    assert all(len(c) == 3 and c.isalpha() and c.isupper() for c in CURRENCY_EXPONENTS)


# ---------------------------------------------------------------- minor units
@pytest.mark.parametrize(
    ("units", "currency", "major"),
    [
        (1234, "EUR", "12.34"),
        (100, "EUR", "1.00"),
        (5, "EUR", "0.05"),
        (-5, "EUR", "-0.05"),
        (0, "EUR", "0.00"),
        (1234, "JPY", "1234"),
        (1234, "KWD", "1.234"),
        (1, "KWD", "0.001"),
    ],
)
def test_from_minor_scales_by_the_exponent(units: int, currency: str, major: str) -> None:
    result = from_minor(units, currency)
    assert result == D(major)
    # The result carries the currency's decimals, so it prints as money.
    assert str(result) == major


@pytest.mark.parametrize(
    ("units", "currency", "places", "major"),
    [
        (500, "ISK", 2, "5.00"),  # Stripe keeps ISK two-decimal (ISO 4217: 0)
        (500, "MGA", 0, "500"),  # Stripe makes MGA zero-decimal (ISO 4217: 2)
        (1234, "EUR", 2, "12.34"),
    ],
)
def test_from_minor_takes_the_sources_own_exponent(
    units: int, currency: str, places: int, major: str
) -> None:
    result = from_minor(units, currency, places=places)
    assert str(result) == major


def test_from_minor_refuses_an_unknown_currency() -> None:
    with pytest.raises(DataError, match="'XXY'"):
        from_minor(100, "XXY")


# ---------------------------------------------------------------- rounding
@pytest.mark.parametrize(
    ("amount", "currency", "rounded"),
    [
        # Ties go to the even last digit (banker's rounding), not always up.
        ("2.675", "EUR", "2.68"),  # 7 is odd: up to 8
        ("2.665", "EUR", "2.66"),  # 6 is even: stays
        ("0.125", "EUR", "0.12"),  # 2 is even: stays
        ("0.135", "EUR", "0.14"),  # 3 is odd: up to 4
        ("-2.675", "EUR", "-2.68"),
        ("2.6750001", "EUR", "2.68"),  # not a tie
        ("2.6749999", "EUR", "2.67"),  # not a tie
        ("10", "EUR", "10.00"),
        ("0.5", "JPY", "0"),
        ("1.5", "JPY", "2"),
        ("2.5", "JPY", "2"),
        ("1.0005", "KWD", "1.000"),
        ("1.0015", "KWD", "1.002"),
    ],
)
def test_round_money_is_half_even_to_the_minor_unit(
    amount: str, currency: str, rounded: str
) -> None:
    result = round_money(D(amount), currency)
    assert result == D(rounded)
    assert str(result) == rounded


@given(
    st.decimals(min_value=-(10**9), max_value=10**9, allow_nan=False, allow_infinity=False),
    st.sampled_from(["EUR", "JPY", "KWD"]),
)
def test_round_money_moves_at_most_half_a_minor_unit(amount: Decimal, currency: str) -> None:
    rounded = round_money(amount, currency)
    half_unit = D(1).scaleb(-exponent(currency)) / 2
    assert abs(rounded - amount) <= half_unit
    assert rounded.as_tuple().exponent == -exponent(currency)


# ---------------------------------------------------------------- Decimal only
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (D("10.10"), D("10.10")),
        ("10.10", D("10.10")),
        (" 10.10 ", D("10.10")),
        ("-3", D(-3)),
        (7, D(7)),
        (0, D(0)),
        ("1e3", D(1000)),
    ],
)
def test_to_decimal_accepts_decimals_ints_and_numeric_strings(
    value: Decimal | str | int, expected: Decimal
) -> None:
    result = to_decimal(value)
    assert isinstance(result, Decimal)
    assert result == expected


def test_to_decimal_keeps_the_written_precision() -> None:
    assert str(to_decimal("10.10")) == "10.10"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (0.1, "is a float"),
        (10.0, "is a float"),
        (float("nan"), "is a float"),
        (True, "is a bool"),
        (False, "is a bool"),
        ("NaN", "not a finite number"),
        ("nan", "not a finite number"),
        ("sNaN", "not a finite number"),
        (D("NaN"), "not a finite number"),
        ("Infinity", "not a finite number"),
        ("-inf", "not a finite number"),
        (D("-Infinity"), "not a finite number"),
        ("abc", "is not a number"),
        ("", "is not a number"),
        ("1,50", "is not a number"),
        (None, "is not an amount"),
        ([1], "is not an amount"),
    ],
)
def test_to_decimal_refuses_what_is_not_exact_money(value: object, reason: str) -> None:
    with pytest.raises(DataError, match=reason) as caught:
        to_decimal(value, what="invoice total")
    assert str(caught.value).startswith("invoice total: ")


def test_float_error_says_what_to_pass_instead() -> None:
    with pytest.raises(DataError, match=r"string such as '0\.1'"):
        to_decimal(0.1)


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_to_decimal_of_a_decimal_string_is_that_decimal(value: Decimal) -> None:
    assert to_decimal(str(value)) == value


# ---------------------------------------------------------------- FxTable
# EUR per unit of the currency: USD fixed on Friday 3 Jan and Monday 6 Jan 2025.
RATES: Mapping[str, Mapping[DateLike, AmountLike]] = {
    "USD": {"2025-01-03": "0.9650", "2025-01-06": "0.9580"}, "GBP": {"2025-01-06": "1.2040"},
}


@pytest.mark.parametrize(
    ("currency", "on", "rate"),
    [
        ("USD", date(2025, 1, 3), "0.9650"),  # the exact date
        ("USD", date(2025, 1, 6), "0.9580"),  # the exact date
        ("USD", date(2025, 1, 4), "0.9650"),  # Saturday: Friday's fixing
        ("USD", date(2025, 1, 5), "0.9650"),  # Sunday: Friday's fixing
        ("USD", date(2025, 1, 13), "0.9580"),  # 7 days after the last fixing: still within
        ("GBP", date(2025, 1, 10), "1.2040"),
        ("EUR", date(1999, 1, 1), "1"),  # the base currency is always 1, on any date
    ],
)
def test_rate_takes_the_exact_date_else_the_latest_earlier_within_staleness(
    currency: str, on: date, rate: str
) -> None:
    table = fx_table("EUR", RATES)
    assert table.rate(currency, on) == D(rate)


@pytest.mark.parametrize(
    ("currency", "on", "message"),
    [
        # 8 days after the last fixing: stale
        ("USD", date(2025, 1, 14), r"no USD->EUR rate for 2025-01-14: the latest earlier rate "
         r"is from 2025-01-06, more than 7 days before"),
        # before the first fixing
        ("USD", date(2025, 1, 2), r"no USD->EUR rate for 2025-01-02"),
        ("GBP", date(2025, 1, 5), r"no GBP->EUR rate for 2025-01-05"),
        # a currency the table does not have
        ("CHF", date(2025, 1, 6), r"no CHF->EUR rate for 2025-01-06"),
    ],
)
def test_rate_outside_the_table_is_a_data_error_naming_currency_and_date(
    currency: str, on: date, message: str
) -> None:
    table = fx_table("EUR", RATES)
    with pytest.raises(DataError, match=message):
        table.rate(currency, on)


def test_staleness_is_configurable() -> None:
    strict = fx_table("EUR", RATES, max_staleness_days=0)
    assert strict.rate("USD", date(2025, 1, 6)) == D("0.9580")
    with pytest.raises(DataError, match="more than 0 days before"):
        strict.rate("USD", date(2025, 1, 4))
    loose = fx_table("EUR", RATES, max_staleness_days=30)
    assert loose.rate("USD", date(2025, 2, 5)) == D("0.9580")


@pytest.mark.parametrize(
    ("amount", "currency", "on", "converted"),
    [
        ("100.00", "USD", date(2025, 1, 6), "95.80"),  # 100 x 0.9580
        ("100.00", "USD", date(2025, 1, 4), "96.50"),  # Friday's 0.9650
        ("250", "GBP", date(2025, 1, 7), "301.00"),  # 250 x 1.2040
        ("0.01", "USD", date(2025, 1, 6), "0.009580"),  # unrounded: rounding is for output
        ("42.42", "EUR", date(2025, 1, 6), "42.42"),
    ],
)
def test_convert_multiplies_by_base_units_per_unit(
    amount: str, currency: str, on: date, converted: str
) -> None:
    table = fx_table("EUR", RATES)
    assert table.convert(D(amount), currency, on) == D(converted)


def test_from_rows_builds_the_same_table() -> None:
    rows: list[tuple[str, date, Decimal | str]] = [
        ("USD", date(2025, 1, 3), "0.9650"), ("USD", date(2025, 1, 6), D("0.9580")),
        ("GBP", date(2025, 1, 6), "1.2040"),
    ]
    assert FxTable.from_rows("EUR", rows) == fx_table("EUR", RATES)


@pytest.mark.parametrize(
    ("base", "rates", "message"),
    [
        ("eur", {}, "unknown currency code 'eur'"),
        ("EUR", {"usd": {date(2025, 1, 6): D("0.95")}}, "unknown currency code 'usd'"),
        ("EUR", {"USD": {date(2025, 1, 6): 0.95}}, "is a float"),
        ("EUR", {"USD": {date(2025, 1, 6): D(0)}}, "is not positive"),
        ("EUR", {"USD": {date(2025, 1, 6): D("-0.95")}}, "is not positive"),
        ("EUR", {"USD": {date(2025, 1, 6): D("NaN")}}, "not a finite number"),
    ],
)
def test_bad_table_is_refused(
    base: str, rates: Mapping[str, Mapping[date, Decimal]], message: str
) -> None:
    with pytest.raises(DataError, match=message):
        FxTable(base, rates)


@pytest.mark.parametrize("days", [-1, 36_526, 10**12])
def test_staleness_out_of_range_is_a_data_error_not_an_overflow_later(days: int) -> None:
    with pytest.raises(DataError, match="max_staleness_days"):
        fx_table("EUR", RATES, max_staleness_days=days)
