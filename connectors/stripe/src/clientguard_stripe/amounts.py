"""Stripe's minor units to exact major units, by Stripe's own exponent of each currency.

Stripe sends every amount as an integer in the currency's smallest unit: 1000 is USD 10.00,
JPY 1000 and KWD 1.000. The exponent is ISO 4217's
(:data:`clientguard.money.CURRENCY_EXPONENTS`) with the three exceptions Stripe documents
(https://docs.stripe.com/currencies):

* **MGA** is zero-decimal in Stripe's API (ISO 4217 gives it 2): ``500`` is MGA 500.
* **ISK** and **UGX** stay two-decimal in Stripe's API (ISO 4217 gives them 0): ``500`` is
  ISK 5.00 and UGX 5.00. Both "transitioned to a zero-decimal currency, but backwards
  compatibility requires you to represent it as a two-decimal value, where the decimal amount
  is always 00. For example, to charge 5 UGX, provide an amount value of 500" (the page's
  Special cases). UGX is also on the same page's zero-decimal list; the special case is the
  one about API amounts, and Stripe rounds a UGX invoice to a multiple of 100.

HUF and TWD are two-decimal in both: Stripe treats them as zero-decimal for payouts only,
"even though you can charge two-decimal amounts". The three-decimal currencies (BHD, JOD,
KWD, OMR, TND) are three-decimal in both (Stripe asks for a last digit of 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from clientguard.errors import DataError
from clientguard.money import CURRENCY_EXPONENTS, from_minor

__all__ = [
    "STRIPE_EXPONENT_OVERRIDES",
    "STRIPE_ZERO_DECIMAL",
    "currency_code",
    "from_stripe_minor",
    "stripe_exponent",
]

#: Where Stripe's exponent differs from ISO 4217's.
STRIPE_EXPONENT_OVERRIDES: Mapping[str, int] = {"MGA": 0, "ISK": 2, "UGX": 2}

#: The currencies whose amounts Stripe's API sends without decimals: its documented
#: zero-decimal list less UGX, which the page's Special cases keep two-decimal in the API
#: (for the tests and docs).
STRIPE_ZERO_DECIMAL: frozenset[str] = frozenset(
    {"BIF", "CLP", "DJF", "GNF", "JPY", "KMF", "KRW", "MGA", "PYG", "RWF", "VND",
     "VUV", "XAF", "XOF", "XPF"}
)


def currency_code(value: object, *, field: str = "currency") -> str:
    """Stripe's lower-case code as the model's upper-case ISO 4217 code."""
    if not isinstance(value, str) or not value.strip():
        raise DataError(f"{field}: {value!r} is not a currency code")
    code = value.strip().upper()
    if code not in CURRENCY_EXPONENTS:
        raise DataError(f"{field}: {value!r} is not an ISO 4217 currency code")
    return code


def stripe_exponent(currency: str) -> int:
    """The number of decimals Stripe's integer amounts carry in ``currency``."""
    if currency in STRIPE_EXPONENT_OVERRIDES:
        return STRIPE_EXPONENT_OVERRIDES[currency]
    try:
        return CURRENCY_EXPONENTS[currency]
    except KeyError:
        raise DataError(f"unknown currency code {currency!r}") from None


def from_stripe_minor(units: object, currency: str, *, field: str) -> Decimal:
    """An integer amount in Stripe's minor units as an exact Decimal in major units."""
    if isinstance(units, bool) or not isinstance(units, int):
        # A Decimal with no fraction is an integer that came through parse_float=Decimal.
        # Its exponent is looked at first: int() of 1e999999999 builds a billion digits
        # (minutes, and gigabytes); 40 digits is far past any amount (the model's bound).
        if (isinstance(units, Decimal) and units.is_finite() and units.adjusted() < 40
                and units == units.to_integral_value()):
            units = int(units)
        else:
            raise DataError(f"{field}: {units!r} is not an integer amount in minor units")
    return from_minor(units, currency, places=stripe_exponent(currency))
