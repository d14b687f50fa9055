"""Reading Fakturownia's values: string amounts with a dot or a decimal comma, dates, NIPs."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientguard.errors import DataError
from clientguard_fakturownia.values import (
    optional_amount,
    parse_amount,
    parse_date,
    parse_timestamp,
    tax_id_of,
)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("100.00", Decimal("100.00")),
        ("59,00", Decimal("59.00")),  # Polish decimal comma, as in Fakturownia's examples
        ("0,00", Decimal("0.00")),
        ("1 234,56", Decimal("1234.56")),  # thousands separated by a space
        ("1\u00a0234,56", Decimal("1234.56")),  # ... or a no-break space
        ("1.234,56", Decimal("1234.56")),  # dot groups thousands when a comma follows
        ("1,234.56", Decimal("1234.56")),  # comma groups thousands when a dot follows
        ("-10", Decimal("-10")),  # a correction lowers the amount
        ("  72,57 ", Decimal("72.57")),
        (12300, Decimal("12300")),
        (Decimal("10.23"), Decimal("10.23")),
    ],
)
def test_amounts_are_exact_whichever_separator(value: object, expected: Decimal) -> None:
    assert parse_amount(value, field="price_gross") == expected


@pytest.mark.parametrize(
    "value", ["", "abc", "1,2,3", "1.2.3", "12,34,56", None, True, 10.23, "NaN", "1e5"]
)
def test_what_is_not_an_amount_is_refused_naming_the_field(value: object) -> None:
    with pytest.raises(DataError, match="price_gross"):
        parse_amount(value, field="price_gross")


def test_an_empty_optional_amount_is_none() -> None:
    assert optional_amount("", field="paid") is None
    assert optional_amount(None, field="paid") is None
    assert optional_amount("0,00", field="paid") == Decimal("0.00")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-08-26", date(2026, 8, 26)),
        # A timestamp's own calendar day, never shifted to UTC (that would give the 30th).
        ("2026-07-31T00:30:00.000+02:00", date(2026, 7, 31)),
        ("", None),
        (None, None),
    ],
)
def test_dates(value: object, expected: date | None) -> None:
    assert parse_date(value, field="paid_date") == expected


def test_a_bad_date_names_the_field() -> None:
    with pytest.raises(DataError, match="payment_to"):
        parse_date("31.08.2026", field="payment_to")


def test_a_naive_timestamp_is_warsaw_time() -> None:
    moment = parse_timestamp("2026-01-15T10:00:00")
    assert moment is not None
    offset = moment.utcoffset()
    assert offset is not None
    assert offset.total_seconds() == 3600
    assert parse_timestamp("garbage") is None


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("525-244-57-67", None, "5252445767"),
        ("PL5252445767", "", "5252445767"),
        ("525 244 57 67", "NIP", "5252445767"),
        ("DE 123.456.789", None, "DE123456789"),  # a foreign VAT number keeps its prefix
        ("90010112345", "PESEL", "90010112345"),
        ("", None, None),
        (None, None, None),
    ],
)
def test_tax_ids_have_one_canonical_form(value: object, kind: object, expected: str | None) -> None:
    assert tax_id_of(value, kind) == expected
