"""How numbers are written for a person: money, shares, days, hours, counts and windows.

The one owner of the words around numbers in the findings' sentences, the review's advice and
the human reports (table, HTML). Signals, the review and the reports import it; it imports
only :mod:`clientguard.money`, so any layer may use it.

Rules (docs/review.md, "How numbers are written"):

- Numbers are rounded here only, at output, with ``ROUND_HALF_EVEN`` (banker's rounding):
  money to the currency's minor unit (2 decimals for EUR, 0 for JPY, 3 for KWD).
- Money in a sentence is the amount, then the ISO code: ``1,234.50 EUR``, ``-65.30 EUR``,
  ``1,235 JPY``. :func:`amount` is the number alone, for a column whose heading names the
  currency.
- Thousands are separated by commas in every number a person reads; a value that rounds to
  zero is written without a minus sign.
- A share is written as percent: whole percent by default (``12%``), or with ``places``
  decimals and a trailing ``.0`` dropped (``12.3%``, ``36%``); with ``whole_from`` the
  decimals are kept only below that many percent (``4.5%`` but ``12%``).
- Missing values are ``n/a`` in a sentence; a table passes its own mark (``missing="-"``).

Every function takes the value and its unit (currency, noun) and returns the whole phrase, so
that a caller never puts a currency code or a plural ``s`` next to a number itself: the Polish
report (issue 18) changes the separators and the word order here, with a ``locale`` argument,
and nowhere else. The JSON and CSV reports write machine numbers (``report.text.fixed``), which
never change with the language.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from clientguard.money import round_money

__all__ = [
    "NOT_AVAILABLE",
    "amount",
    "count",
    "days",
    "hours",
    "money",
    "number",
    "p_value",
    "percent",
    "points",
    "share",
    "window",
]

NOT_AVAILABLE = "n/a"
"""What a sentence says for a value that does not exist (a share of nothing)."""

_HUNDRED = Decimal(100)


def number(
    value: Decimal | int | None,
    places: int = 0,
    *,
    whole_from: Decimal | int | None = None,
    trim: bool = False,
    missing: str = NOT_AVAILABLE,
) -> str:
    """``value`` rounded half-even to ``places`` decimals, thousands separated: ``1,234.5``.

    With ``whole_from``, a value at least that large (either sign) is written whole. With
    ``trim``, a fraction of zeros is dropped (``36.0`` is written ``36``). Never ``-0``. An
    ``int`` is written whole; ``missing`` when there is no value.
    """
    if value is None:
        return missing
    if isinstance(value, int):
        return f"{value:,}"
    if whole_from is not None and abs(value) >= whole_from:
        places = 0
    rounded = value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)
    return _grouped(rounded, trim=trim)


def _grouped(rounded: Decimal, *, trim: bool = False) -> str:
    if rounded.is_zero():
        rounded = abs(rounded)
    text = f"{rounded:,f}"
    if trim and "." in text:
        text = text.rstrip("0").removesuffix(".")
    return text


def amount(value: Decimal, currency: str) -> str:
    """An amount rounded to the currency's minor unit, without the code: ``12,345.60``
    (``12,346`` in JPY), for a column whose heading names the currency."""
    return _grouped(round_money(value, currency))


def money(value: Decimal, currency: str) -> str:
    """An amount with its currency, as a sentence writes it: ``12,345.60 EUR``.

    ``currency`` is an ISO 4217 code (an unknown one is a ``DataError`` from
    :func:`clientguard.money.exponent`); an empty ``currency`` (a caller that has no currency
    to name) or ``hours`` (the unit of an hours concentration report) writes the number alone,
    to two decimals.
    """
    if not currency or currency == "hours":
        return number(value, 2)
    return f"{amount(value, currency)} {currency}"


def percent(
    share: Decimal | None,
    places: int = 0,
    *,
    whole_from: Decimal | int | None = None,
    missing: str = NOT_AVAILABLE,
) -> str:
    """A share (``0.1234``) as percent: ``12%``; ``12.3%`` with ``places=1``; with
    ``places=1, whole_from=10``, ``12%`` but ``4.5%``. A fraction of zeros is dropped
    (``36%``, not ``36.0%``). ``missing`` when there is no share."""
    if share is None:
        return missing
    return number(share * _HUNDRED, places, whole_from=whole_from, trim=True) + "%"


def share(value: Decimal | None) -> str:
    """A share as the concentration, capacity and rush findings write it: whole percent from
    10% up, one decimal below (``12%``, ``4.5%``), where a tenth of a point still matters."""
    return percent(value, 1, whole_from=10)


def points(change: Decimal, places: int = 1) -> str:
    """A change of a share in percentage points, without the unit: ``0.123`` -> ``12.3``."""
    return number(change * _HUNDRED, places, trim=True)


def days(
    value: Decimal | int | None,
    places: int = 1,
    *,
    whole_from: Decimal | int | None = None,
    trim: bool = False,
    missing: str = NOT_AVAILABLE,
) -> str:
    """A number of days (without the word): ``29.4`` (one decimal, as the tables show
    them); a sentence passes ``whole_from=10, trim=True`` to read ``29`` and ``4.5`` (whole
    days from 10, so that half a day late does not read "0 days late"). A whole number of days
    (an ``int``) is written whole. ``missing`` when there is none."""
    return number(value, places, whole_from=whole_from, trim=trim, missing=missing)


def hours(value: Decimal, places: int = 1) -> str:
    """A number of hours (without the word): ``1,234.5``."""
    return number(value, places)


def count(value: int, noun: str, plural: str | None = None) -> str:
    """A count with its noun: ``1 client``, ``1,234 clients`` (``plural`` when the plural is
    not the noun with an ``s``)."""
    word = noun if value == 1 else (plural or noun + "s")
    return f"{value:,} {word}"


def window(period: tuple[date, date] | None) -> str:
    """A look-back window as a sentence names it: ``the last 12 months`` (365 or 366 days),
    ``the last 24 months``, ``the last 90 days``; ``the window`` when there is none."""
    if period is None:
        return "the window"
    length = (period[1] - period[0]).days + 1
    if length in (365, 366):
        return "the last 12 months"
    if length in (730, 731):
        return "the last 24 months"
    return f"the last {length:,} days"


def p_value(p: float) -> str:
    """A p-value as a person reads it: ``p = 0.03``, ``p = 0.0042``, ``p < 0.001``."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {p:.2g}" if p < 0.01 else f"p = {p:.2f}"
