"""Stripe's minor units to major units, by Stripe's exponent (zero-decimal ones included)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from clientguard.errors import DataError
from clientguard_stripe.amounts import (
    STRIPE_ZERO_DECIMAL,
    currency_code,
    from_stripe_minor,
    stripe_exponent,
)


@pytest.mark.parametrize(
    ("units", "currency", "expected"),
    [
        (1000, "USD", Decimal("10.00")),
        (1099, "EUR", Decimal("10.99")),
        (500, "JPY", Decimal("500")),  # zero-decimal: as is
        (12345, "KRW", Decimal("12345")),
        (500, "MGA", Decimal("500")),  # zero-decimal in Stripe, two in ISO 4217
        (500, "ISK", Decimal("5.00")),  # two-decimal in Stripe, zero in ISO 4217
        (1000, "HUF", Decimal("10.00")),  # two-decimal in Stripe's API
        (5120, "KWD", Decimal("5.120")),  # three-decimal
        (0, "USD", Decimal("0.00")),
        (-100, "USD", Decimal("-1.00")),  # a customer credit balance
        (Decimal("1000"), "USD", Decimal("10.00")),  # an integer decoded as Decimal
    ],
)
def test_minor_units_become_exact_major_units(
    units: int | Decimal, currency: str, expected: Decimal
) -> None:
    amount = from_stripe_minor(units, currency, field="total")
    assert amount == expected
    assert amount.as_tuple().exponent == expected.as_tuple().exponent  # cents stay cents


def test_every_stripe_zero_decimal_currency_has_exponent_zero() -> None:
    assert all(stripe_exponent(code) == 0 for code in STRIPE_ZERO_DECIMAL)


@pytest.mark.parametrize("units", [10.5, Decimal("10.5"), "1000", None, True])
def test_what_is_not_an_integer_amount_is_refused_naming_the_field(units: object) -> None:
    with pytest.raises(DataError, match="amount_due"):
        from_stripe_minor(units, "USD", field="amount_due")


def test_currency_codes_are_upper_cased_and_checked() -> None:
    assert currency_code("usd") == "USD"
    with pytest.raises(DataError, match="currency"):
        currency_code("xyz")
    with pytest.raises(DataError, match="currency"):
        currency_code(None)
