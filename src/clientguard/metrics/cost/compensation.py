"""Fixed compensation: the lump sum owed once per late invoice (Poland EUR 40/70/100, EU EUR 40,
UK GBP 40/70/100), with the Polish business-day calendar its conversion date needs.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol, TypeAlias

from pydantic import BaseModel, ConfigDict

from clientguard.errors import DataError
from clientguard.metrics.cost.polish_calendar import is_polish_day_off, polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction, _check_jurisdiction
from clientguard.money import is_currency, round_money, to_decimal
from clientguard.settlement import _Unvalidated

__all__ = [
    "Band",
    "FixedCompensation",
    "FxRates",
    "PublishedFxRates",
    "fixed_compensation",
    "last_polish_business_day_before",
]

Band: TypeAlias = Literal["flat", "low", "middle", "high"]

_ONE_DAY = timedelta(days=1)


class FxRates(Protocol):
    """Anything that converts to one base currency, such as :class:`clientguard.FxTable`.

    ``rate(currency, on)`` is the number of units of the base currency per one unit of
    ``currency`` on ``on``; for the base currency itself it is 1.
    """

    def rate(self, currency: str, on: date) -> Decimal: ...


class PublishedFxRates(FxRates, Protocol):
    """An :class:`FxRates` whose rates apply from another day than the one they were
    published on, and that can say which rate was published on a day.

    The NBP's table A is one: Polish VAT converts a document at the table of the last
    business day *before* its date (art. 31a of the VAT Act), so a table built for documents
    applies each NBP table from the day after its ``effectiveDate``, and ``rate(c, d)`` is the
    table of the business day before ``d``. The Polish compensation wants the table published
    *on* its rule date (art. 10 ust. 1a of the 2013 Act): ``rate_published_on(c, d)``, the
    rate of the table published on ``d`` (else the latest published before it). An fx
    without this method (a rates file, the ECB's table, a plain FxTable) applies each rate
    from the day it was published, so its ``rate(c, d)`` is that rate already.
    """

    def rate_published_on(self, currency: str, day: date) -> Decimal: ...


class FixedCompensation(BaseModel):
    """The fixed sum owed once per late invoice, and how it was found."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: Jurisdiction
    #: The sum in ``currency``: PLN for Poland when an fx was given, else as the law states it.
    amount: Decimal
    currency: str
    #: The sum as the law states it: EUR 40/70/100 (PL), EUR 40 (EU), GBP 40/70/100 (UK).
    statutory_amount: Decimal
    statutory_currency: str
    band: Band
    #: The rule of the band, in words (e.g. "debt above PLN 5,000 and below PLN 50,000").
    band_rule: str
    #: The debt as compared with the band limits, in ``band_currency``.
    debt: Decimal
    band_currency: str
    #: The date whose exchange rates were used (PL: the last business day of the month before
    #: the month the debt fell due, whose NBP table, published that day, converts it; EU and
    #: UK: the due date).
    rule_date: date
    #: True when ``amount`` was converted from ``statutory_currency`` (PL to PLN).
    converted: bool
    #: Units of ``currency`` per unit of ``statutory_currency`` used, when converted.
    fx_rate: Decimal | None
    note: str

    def rounded(self) -> Decimal:
        """``amount`` rounded to the minor unit of ``currency``, ``ROUND_HALF_EVEN``."""
        return round_money(self.amount, self.currency)

    @property
    def priced(self) -> bool:
        """True when ``amount`` is the sum owed, in the currency it is owed in. False only for
        a Polish compensation left in EUR for want of an exchange rate: the law owes its PLN
        equivalent at the NBP rate of ``rule_date`` (art. 10 ust. 1a), unknown here, so a claim
        leaves the PLN amount to fill in and counts it in no total, and the review's
        ``claimable`` leaves it out too, whatever the book's currency (docs/claims.md, "Fixed
        compensation")."""
        return _priced(self.jurisdiction, self.currency)


def _priced(jurisdiction: str, currency: str) -> bool:
    """:attr:`FixedCompensation.priced` of a compensation of ``jurisdiction`` stated in
    ``currency``: a Polish one is priced once converted to PLN (only then is it in PLN),
    every other as the law states it."""
    return jurisdiction != "pl" or currency == "PLN"


def fixed_compensation(
    *,
    jurisdiction: Jurisdiction,
    amount: Decimal | int | str,
    currency: str,
    due_date: date,
    fx: FxRates | None = None,
) -> FixedCompensation:
    """The fixed sum owed for one late invoice of ``amount`` in ``currency``.

    - ``"pl"`` (art. 10 ust. 1 of the 2013 Act, as from 2020): EUR 40 when the debt does not
      exceed PLN 5,000; EUR 70 above PLN 5,000 and below PLN 50,000; EUR 100 from PLN 50,000.
      Debts due before 2020: EUR 40 whatever the amount. The sum is owed in PLN at the NBP
      average EUR rate of the last business day of the month before the month the debt fell
      due (the ``rule_date``; art. 10 ust. 1a): the table published on that day. With ``fx``
      the result is in PLN, without it in EUR, with ``converted=False`` and a note. A debt in
      another currency than PLN is converted to PLN with the same table for the band, and
      needs ``fx``. Where ``fx`` applies its rates from another day than they were published
      on (:class:`PublishedFxRates`, as a table of the NBP's rows for VAT does), the rates
      are those published on the rule date, never those in force for a document of that
      date (the table of the business day before).
    - ``"eu"`` (Directive 2011/7/EU): EUR 40.
    - ``"uk"`` (s.5A of the 1998 Act): GBP 40 for a debt below GBP 1,000, GBP 70 from 1,000
      to below 10,000, GBP 100 from 10,000. A debt in another currency is converted to GBP at
      the due date, and needs ``fx``.

    ``fx`` converts through its base currency: ``fx.rate(a, d) / fx.rate(b, d)`` units of b per
    unit of a (``rate_published_on`` in place of ``rate`` on the Polish rule date, where ``fx``
    has it). Raises :class:`DataError` for a float or non-positive amount, an unknown
    currency, or a conversion that needs an ``fx`` that was not given.
    """
    jurisdiction = _check_jurisdiction(jurisdiction)
    debt = to_decimal(amount, what="fixed_compensation amount")
    if debt <= 0:
        raise DataError(f"fixed_compensation amount is {debt}: a late debt is positive")
    if not is_currency(currency):
        raise DataError(f"unknown currency code {currency!r}: use an upper-case ISO 4217 code")
    return _fixed_compensation(jurisdiction, debt, currency, due_date, fx, trusted=False)


def _fixed_compensation(
    jurisdiction: Jurisdiction,
    debt: Decimal,
    currency: str,
    due_date: date,
    fx: FxRates | None,
    *,
    trusted: bool,
    unpriced_without_rate: bool = False,
) -> FixedCompensation:
    """:func:`fixed_compensation` of a checked positive Decimal ``debt`` in a known
    ``currency``. ``trusted``: every argument has exactly its declared type and ``fx`` gives
    Decimal rates (a ledger's :class:`~clientguard.money.FxTable`), so the result is made
    without validation (the lateness costs' fast path); else it is validated, as for a
    caller's arguments. ``unpriced_without_rate``: a Polish sum whose EUR to PLN rate ``fx``
    lacks is left in EUR, unpriced, as without ``fx`` (a ledger's claim leaves its PLN amount
    to fill in, and the review says so), not a :class:`DataError`."""
    make = _compensation if trusted else _validated
    if jurisdiction == "pl":
        return _pl_compensation(debt, currency, due_date, fx, make, unpriced_without_rate)
    if jurisdiction == "uk":
        return _uk_compensation(debt, currency, due_date, fx, make)
    # The fields in the model's order, as validation would store them.
    return make({
        "jurisdiction": "eu",
        "amount": _SUMS[_EU_EUROS],
        "currency": "EUR",
        "statutory_amount": _SUMS[_EU_EUROS],
        "statutory_currency": "EUR",
        "band": "flat",
        "band_rule": "EUR 40 whatever the amount (Directive 2011/7/EU, art. 6)",
        "debt": debt,
        "band_currency": currency,
        "rule_date": due_date,
        "converted": False,
        "fx_rate": None,
        "note": "EUR 40 is the Directive's minimum; national laws may convert it or add to it",
    })


def _compensation_terms(
    jurisdiction: Jurisdiction, debt: Decimal, currency: str, due_date: date,
    fx: FxRates | None, *, unpriced_without_rate: bool = False,
) -> tuple[Decimal, str, date]:
    """The ``amount``, ``currency`` and ``rule_date`` of :func:`_fixed_compensation`'s
    trusted result, and nothing else of it: what a sum of claims reads (the review's claim
    owed before its window, issue 21). The Directive's EUR 40 on its due date is known
    without making the model (a few microseconds an invoice, a hundred thousand late invoices
    in a long book); the Polish and UK sums are read off the model. Raises where
    :func:`_fixed_compensation` raises."""
    if jurisdiction == "eu":
        return _SUMS[_EU_EUROS], "EUR", due_date
    made = _fixed_compensation(jurisdiction, debt, currency, due_date, fx, trusted=True,
                               unpriced_without_rate=unpriced_without_rate)
    return made.amount, made.currency, made.rule_date


_compensation = _Unvalidated(FixedCompensation)

_EU_EUROS = 40
"""The Directive's sum, EUR 40 whatever the amount (art. 6)."""

_SUMS = {euros: Decimal(euros) for euros in (40, 70, 100)}
"""The fixed sums the laws set (EUR or GBP 40, 70, 100), each one Decimal that every
compensation of that sum holds (a Decimal is immutable; two of their own each, for each late
invoice of a review, were 16 MB at a million invoices)."""


def _validated(values: dict[str, Any]) -> FixedCompensation:
    return FixedCompensation(**values)


_Make: TypeAlias = Callable[[dict[str, Any]], FixedCompensation]


# Art. 10 ust. 1 as in force from 1 January 2020 (three bands); before it, EUR 40 flat.
_PL_BANDS_FROM = date(2020, 1, 1)
_PL_LOW_LIMIT = Decimal(5000)
_PL_HIGH_LIMIT = Decimal(50000)
_UK_LOW_LIMIT = Decimal(1000)
_UK_HIGH_LIMIT = Decimal(10000)


def _pl_compensation(
    debt: Decimal, currency: str, due_date: date, fx: FxRates | None, make: _Make,
    unpriced_without_rate: bool = False,
) -> FixedCompensation:
    # The month the debt fell due is that of the day its term ended (art. 115 KC): a debt due
    # on Saturday 31 January 2026 falls due on Monday 2 February, so January's last table.
    rule_date = last_polish_business_day_before(polish_term_end(due_date))
    # Art. 10 ust. 1a: the NBP table of the rule date itself, as published that day (for the
    # band of a foreign debt as for the sum).
    debt_pln = (
        debt if currency == "PLN"
        else _convert(debt, currency, "PLN", rule_date, fx, published=True)
    )
    band: Band
    if due_date < _PL_BANDS_FROM:
        euros, band, rule = 40, "flat", "EUR 40 whatever the amount (art. 10 ust. 1, 2016-2019)"
    elif debt_pln <= _PL_LOW_LIMIT:
        euros, band, rule = 40, "low", "debt not above PLN 5,000"
    elif debt_pln < _PL_HIGH_LIMIT:
        euros, band, rule = 70, "middle", "debt above PLN 5,000 and below PLN 50,000"
    else:
        euros, band, rule = 100, "high", "debt of PLN 50,000 or more"
    statutory = _SUMS[euros]
    eur_pln: Decimal | None = None
    missing: DataError | None = None
    if fx is not None:
        try:
            eur_pln = _cross_rate("EUR", "PLN", rule_date, fx, published=True)
        except DataError as exc:
            if not unpriced_without_rate:
                raise
            missing = exc
    if eur_pln is None:
        return make({
            "jurisdiction": "pl",
            "amount": statutory,
            "currency": "EUR",
            "statutory_amount": statutory,
            "statutory_currency": "EUR",
            "band": band,
            "band_rule": rule,
            "debt": debt_pln,
            "band_currency": "PLN",
            "rule_date": rule_date,
            "converted": False,
            "fx_rate": None,
            "note": (
                f"in EUR, not converted: the law owes it in PLN at the NBP average EUR rate of "
                f"the table published on {rule_date} (art. 10 ust. 1a); pass fx to convert"
                if missing is None else
                f"in EUR, not converted: the law owes it in PLN at the NBP average EUR rate of "
                f"the table published on {rule_date} (art. 10 ust. 1a), which fx lacks "
                f"({missing})"
            ),
        })
    return make({
        "jurisdiction": "pl",
        "amount": statutory * eur_pln,
        "currency": "PLN",
        "statutory_amount": statutory,
        "statutory_currency": "EUR",
        "band": band,
        "band_rule": rule,
        "debt": debt_pln,
        "band_currency": "PLN",
        "rule_date": rule_date,
        "converted": True,
        "fx_rate": eur_pln,
        "note": (
            f"EUR {euros} at {eur_pln} PLN/EUR, the rate of the table published on {rule_date} "
            "(art. 10 ust. 1a: use NBP's average rate, table A)"
        ),
    })


def _uk_compensation(
    debt: Decimal, currency: str, due_date: date, fx: FxRates | None, make: _Make
) -> FixedCompensation:
    debt_gbp = debt if currency == "GBP" else _convert(debt, currency, "GBP", due_date, fx)
    band: Band
    if debt_gbp < _UK_LOW_LIMIT:
        pounds, band, rule = 40, "low", "debt below GBP 1,000"
    elif debt_gbp < _UK_HIGH_LIMIT:
        pounds, band, rule = 70, "middle", "debt of GBP 1,000 or more and below GBP 10,000"
    else:
        pounds, band, rule = 100, "high", "debt of GBP 10,000 or more"
    return make({
        "jurisdiction": "uk",
        "amount": _SUMS[pounds],
        "currency": "GBP",
        "statutory_amount": _SUMS[pounds],
        "statutory_currency": "GBP",
        "band": band,
        "band_rule": rule,
        "debt": debt_gbp,
        "band_currency": "GBP",
        "rule_date": due_date,
        "converted": False,
        "fx_rate": None,
        "note": "fixed sum under s.5A of the Late Payment of Commercial Debts (Interest) Act 1998",
    })


def last_polish_business_day_before(due_date: date) -> date:
    """The last Polish business day of the month before ``due_date``'s month.

    Art. 10 ust. 1a: the compensation is converted at NBP's average EUR rate of this day (the
    table published on it).
    Business days exclude weekends and Polish public holidays (the movable ones included:
    Corpus Christi fell on 31 May 2018, so a debt due in June 2018 uses 30 May).
    """
    day = due_date.replace(day=1) - _ONE_DAY
    while day.weekday() >= 5 or is_polish_day_off(day):
        day -= _ONE_DAY
    return day


def _convert(
    amount: Decimal, currency: str, to: str, on: date, fx: FxRates | None, *,
    published: bool = False,
) -> Decimal:
    if fx is None:
        raise DataError(
            f"a {currency} debt must be converted to {to} at the rate of {on} to find its "
            "compensation band: pass fx"
        )
    return amount * _cross_rate(currency, to, on, fx, published=published)


def _cross_rate(
    currency: str, to: str, on: date, fx: FxRates, *, published: bool = False
) -> Decimal:
    """Units of ``to`` per unit of ``currency``, through the fx's base currency: its rates of
    ``on`` (``published``: those published on ``on``, :func:`_rates_published_on`)."""
    rate = _rates_published_on(fx) if published else fx.rate
    return rate(currency, on) / rate(to, on)


def _missing_eur_pln(fx: FxRates, day: date) -> tuple[tuple[str, ...], DataError | None]:
    """Which of the EUR and PLN rates published on ``day`` (art. 10 ust. 1a) ``fx`` lacks,
    in that order, and the error of the first: what a Polish sum left in EUR although the
    ledger has exchange rates (``unpriced_without_rate``) names. ``((), None)`` where ``fx``
    has both (the PLN rate of a PLN table, the EUR rate of an EUR one, is 1)."""
    rate = _rates_published_on(fx)
    lacking: list[str] = []
    first: DataError | None = None
    for code in ("EUR", "PLN"):
        try:
            rate(code, day)
        except DataError as exc:
            lacking.append(code)
            first = first or exc
    return tuple(lacking), first


def _rates_published_on(fx: FxRates) -> Callable[[str, date], Decimal]:
    """``fx``'s look-up of the rate published on a day: its ``rate_published_on`` where it
    applies its rates from another day (:class:`PublishedFxRates`), else its ``rate`` (a
    rate applies from the day it was published)."""
    published: Callable[[str, date], Decimal] | None = getattr(fx, "rate_published_on", None)
    return published if published is not None else fx.rate
