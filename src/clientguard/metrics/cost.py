"""What lateness costs: financing cost, statutory late-payment interest, fixed compensation.

Three numbers (DESIGN.md section 4 "Cost"; the legal rules are in docs/metrics/cost.md):

- :func:`financing_cost`: what carrying the client's debt costs the firm at its own cost of
  capital, ``amount x days_late x cost_of_capital / day_count``.
- :func:`statutory_interest`: the interest the law grants on a late commercial debt, from the
  day after the due date, on the balance still outstanding, at the rate of a published table
  (:class:`RateTable`). Poland and the EU baseline take the rate of the half-year that contains
  each day of delay (the rate can step mid-delay); the UK fixes one rate for the whole debt,
  from the half-year in which interest starts to run.
- :func:`fixed_compensation`: the lump sum owed once per late invoice (Poland EUR 40/70/100,
  EU EUR 40, UK GBP 40/70/100).

Pure: no clock and no network. The only file read is the packaged rate tables, through
:mod:`importlib.resources`. Money is :class:`~decimal.Decimal` and a float is refused; amounts
are never rounded here, only by the results' ``rounded()`` at output (``ROUND_HALF_EVEN``).
"""

from __future__ import annotations

import bisect
import calendar
import csv
import functools
import io
import itertools
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Literal, Protocol, TypeAlias

from pydantic import BaseModel, ConfigDict, field_validator

from clientguard.errors import DataError
from clientguard.money import is_currency, round_money, to_decimal
from clientguard.policy import Policy

if TYPE_CHECKING:
    from clientguard.ledger import Ledger
    from clientguard.model import Invoice
    from clientguard.settlement import AppliedPart, Settlement

Jurisdiction: TypeAlias = Literal["pl", "eu", "uk"]
#: ``V`` seen in a cited source, ``D`` derived from seen inputs by the legal rule,
#: ``K`` not confirmed (used, but flagged in every result that relies on it).
Evidence: TypeAlias = Literal["V", "D", "K"]
#: Days in the year that divide the annual rate: a fixed number (365 by default, the Polish and
#: UK practice), or ``"actual"`` (365, or 366 for a day in a leap year).
DayCount: TypeAlias = int | Literal["actual"]
Band: TypeAlias = Literal["flat", "low", "middle", "high"]
#: A balance step: ``(day, amount outstanding at the end of that day)``.
BalanceStep: TypeAlias = tuple[date, Decimal | int | str]

JURISDICTIONS: tuple[Jurisdiction, ...] = ("pl", "eu", "uk")

_PACKAGED_FILES: Mapping[str, str] = {
    "pl": "pl_commercial.csv",
    "eu": "eu_ecb.csv",
    "uk": "uk_boe.csv",
}
_REQUIRED_COLUMNS = ("period_start", "period_end", "statutory_rate_pct")
_OPTIONAL_COLUMNS = (
    "reference_rate_pct",
    "margin_pp",
    "evidence",
    "source",
    "note",
    "medical_public_debtor_rate_pct",
)
_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)


class FxRates(Protocol):
    """Anything that converts to one base currency, such as :class:`clientguard.FxTable`.

    ``rate(currency, on)`` is the number of units of the base currency per one unit of
    ``currency`` on ``on``; for the base currency itself it is 1.
    """

    def rate(self, currency: str, on: date) -> Decimal: ...


class RatePeriod(BaseModel):
    """One row of a rate table: the statutory late-payment rate for a period (a half-year).

    ``statutory_rate_pct`` is the annual rate in percent (``Decimal("15.75")``); it is, by law,
    ``reference_rate_pct + margin_pp``. ``evidence`` and ``source`` say how far the row can be
    trusted and where it was read, so that a report can cite them. In the UK table a row's
    period is the half-year in which interest *starts to run*, and its reference rate is the
    base rate on the day before (31 December or 30 June).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    period_start: date
    period_end: date
    statutory_rate_pct: Decimal
    reference_rate_pct: Decimal | None = None
    margin_pp: Decimal | None = None
    #: None for a row of the user's own table that carries no flag.
    evidence: Evidence | None = None
    source: str = ""
    note: str = ""
    #: Poland only: the rate when the debtor is a public entity that is a medical entity
    #: (ref + 8 pp from 2020; the one common rate before).
    medical_public_debtor_rate_pct: Decimal | None = None

    @field_validator(
        "statutory_rate_pct",
        "reference_rate_pct",
        "margin_pp",
        "medical_public_debtor_rate_pct",
        mode="before",
    )
    @classmethod
    def _no_float(cls, value: object) -> object:
        # A float rate would carry a binary rounding error into every day of interest.
        if isinstance(value, float):
            raise ValueError(f"{value!r} is a float; give rates as Decimal or str")
        return value

    @property
    def rate(self) -> Decimal:
        """The annual statutory rate as a fraction (``Decimal("0.1575")``)."""
        return self.statutory_rate_pct / _HUNDRED

    @property
    def label(self) -> str:
        """``2025-H2`` for a calendar half-year, else ``start..end``."""
        start, end = _half_year(self.period_start)
        if (start, end) == (self.period_start, self.period_end):
            return _half_year_label(start)
        return f"{self.period_start}..{self.period_end}"


class RateTable:
    """Statutory late-payment rates by period, each row with its evidence and source.

    Build it from the packaged tables (:meth:`packaged`), from a CSV file of the same shape
    (:meth:`from_csv`), or from rows (``RateTable(rows)``: :class:`RatePeriod` objects or
    mappings with the CSV's column names). Periods may leave gaps but may not overlap; a day
    in a gap has no rate, and asking for it is a :class:`DataError` that names the period,
    never a silent zero. Immutable.
    """

    __slots__ = ("_ends", "_rows", "_starts", "name")

    def __init__(
        self, rows: Iterable[RatePeriod | Mapping[str, object]], *, name: str = "custom rate table"
    ) -> None:
        parsed = [
            row if isinstance(row, RatePeriod) else _parse_row(row, f"{name}, row {number}")
            for number, row in enumerate(rows, start=1)
        ]
        if not parsed:
            raise DataError(f"{name}: a rate table needs at least one row")
        # Sorted by start so that a look-up is a bisection and overlaps sit side by side.
        parsed.sort(key=lambda row: row.period_start)
        for before, after in itertools.pairwise(parsed):
            if after.period_start <= before.period_end:
                raise DataError(
                    f"{name}: periods {before.period_start}..{before.period_end} and "
                    f"{after.period_start}..{after.period_end} overlap"
                )
        self.name: str = name
        self._rows: tuple[RatePeriod, ...] = tuple(parsed)
        self._starts: tuple[date, ...] = tuple(row.period_start for row in parsed)
        self._ends: tuple[date, ...] = tuple(row.period_end for row in parsed)

    @classmethod
    def packaged(cls, jurisdiction: Jurisdiction) -> RateTable:
        """The table shipped with clientguard: ``"pl"``, ``"eu"`` or ``"uk"``."""
        return _packaged_table(_check_jurisdiction(jurisdiction))

    @classmethod
    def from_csv(cls, path: str | Path, *, name: str | None = None) -> RateTable:
        """Read a CSV with at least ``period_start,period_end,statutory_rate_pct`` columns.

        Optional columns: ``reference_rate_pct, margin_pp, evidence, source, note,
        medical_public_debtor_rate_pct``. Dates are ISO (``2025-07-01``), rates are percent.
        An unknown column, a bad value or an overlap is a :class:`DataError` naming the file
        and the line.
        """
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise DataError(f"cannot read rate table {file}: {error}") from None
        except UnicodeDecodeError:
            raise DataError(f"rate table {file} is not UTF-8 text: save it as UTF-8") from None
        return cls._from_text(text, name=name or str(file))

    @classmethod
    def _from_text(cls, text: str, *, name: str) -> RateTable:
        reader = csv.DictReader(io.StringIO(text))
        columns = tuple(reader.fieldnames or ())
        missing = [column for column in _REQUIRED_COLUMNS if column not in columns]
        if missing:
            raise DataError(f"{name}: missing column(s) {', '.join(missing)}")
        unknown = [c for c in columns if c not in _REQUIRED_COLUMNS + _OPTIONAL_COLUMNS]
        if unknown:
            raise DataError(
                f"{name}: unknown column(s) {', '.join(unknown)}; known: "
                f"{', '.join(_REQUIRED_COLUMNS + _OPTIONAL_COLUMNS)}"
            )
        rows = [_parse_row(record, f"{name}, line {reader.line_num}") for record in reader]
        return cls(rows, name=name)

    @property
    def rows(self) -> tuple[RatePeriod, ...]:
        """The rows, in period order."""
        return self._rows

    def row_for(self, day: date) -> RatePeriod:
        """The row whose period contains ``day``; a :class:`DataError` naming the period if none."""
        index = bisect.bisect_right(self._starts, day) - 1
        if index >= 0 and day <= self._ends[index]:
            return self._rows[index]
        start, end = _half_year(day)
        raise DataError(
            f"{self.name}: no rate for {day} (period {_half_year_label(start)}, "
            f"{start}..{end}); the table covers {self._coverage()}. "
            "Add a row for that period, or pass a table that has it"
        )

    def rate_for(self, day: date) -> Decimal:
        """The annual statutory rate for ``day``, as a fraction (15.75% is ``0.1575``)."""
        return self.row_for(day).rate

    def _coverage(self) -> str:
        spans: list[list[date]] = []
        for row in self._rows:
            if spans and row.period_start == spans[-1][1] + _ONE_DAY:
                spans[-1][1] = row.period_end
            else:
                spans.append([row.period_start, row.period_end])
        return ", ".join(f"{start}..{end}" for start, end in spans)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, RateTable) and self._rows == other._rows

    def __hash__(self) -> int:
        return hash(self._rows)

    def __repr__(self) -> str:
        return f"RateTable(name={self.name!r}, {len(self._rows)} rows: {self._coverage()})"

    def __reduce__(self) -> tuple[object, ...]:
        # Picklable, so that a review can run per company on a process pool.
        return (_rebuild_table, (self._rows, self.name))


def _rebuild_table(rows: tuple[RatePeriod, ...], name: str) -> RateTable:
    return RateTable(rows, name=name)


@functools.cache
def _packaged_table(jurisdiction: Jurisdiction) -> RateTable:
    filename = _PACKAGED_FILES[jurisdiction]
    resource = resources.files("clientguard").joinpath("data").joinpath("rates").joinpath(filename)
    return RateTable._from_text(
        resource.read_text(encoding="utf-8"), name=f"packaged {jurisdiction} table ({filename})"
    )


class InterestPeriod(BaseModel):
    """A stretch of consecutive days of delay with one principal and one rate: the working."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    #: Inclusive.
    end: date
    days: int
    #: The balance outstanding on these days, in the debt's currency.
    principal: Decimal
    #: The annual rate applied, in percent.
    rate_pct: Decimal
    #: The divisor used for these days (365, or 366 under ``"actual"`` in a leap year).
    day_count: int
    #: ``principal x rate_pct / 100 x days / day_count``, unrounded.
    interest: Decimal
    #: The table row the rate came from, with its evidence flag and source.
    rate_period: RatePeriod


class StatutoryInterest(BaseModel):
    """Statutory interest on one late debt, with the per-period working.

    ``amount`` is unrounded, in the debt's currency; :meth:`rounded` rounds it for output.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    jurisdiction: Jurisdiction
    due_date: date
    until: date
    #: Days in ``(due_date, until]``: the days of delay looked at (some may bear no interest
    #: because nothing was outstanding).
    days_late: int
    day_count: DayCount
    medical_public_debtor: bool
    #: UK only: the day whose base rate fixes the rate for the whole debt (31 Dec or 30 Jun).
    rate_reference_date: date | None
    amount: Decimal
    periods: tuple[InterestPeriod, ...]
    #: Name of the rate table used.
    table: str
    #: Labels of the periods whose rate is not confirmed (evidence ``K``); a report must say so.
    unconfirmed_periods: tuple[str, ...]

    def rounded(self, currency: str) -> Decimal:
        """``amount`` rounded to the currency's minor unit, ``ROUND_HALF_EVEN``."""
        return round_money(self.amount, currency)


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
    #: The date whose exchange rates were used (PL: NBP's last business day of the month
    #: before the month the debt fell due; EU and UK: the due date).
    rule_date: date
    #: True when ``amount`` was converted from ``statutory_currency`` (PL to PLN).
    converted: bool
    #: Units of ``currency`` per unit of ``statutory_currency`` used, when converted.
    fx_rate: Decimal | None
    note: str

    def rounded(self) -> Decimal:
        """``amount`` rounded to the minor unit of ``currency``, ``ROUND_HALF_EVEN``."""
        return round_money(self.amount, self.currency)


def financing_cost(
    *,
    amount: Decimal | int | str,
    days_late: int,
    cost_of_capital: Decimal | int | str,
    day_count: int = 365,
) -> Decimal:
    """What carrying a late amount costs the firm: ``amount x days_late x rate / day_count``.

    ``cost_of_capital`` is an annual fraction (``Decimal("0.08")`` for 8%). Unrounded, in the
    amount's currency. A float, a negative amount or negative days is a :class:`DataError`.
    """
    principal = _non_negative(to_decimal(amount, what="financing_cost amount"), "amount")
    rate = to_decimal(cost_of_capital, what="cost_of_capital")
    if isinstance(days_late, bool) or not isinstance(days_late, int):
        raise DataError(f"days_late must be a whole number of days, not {days_late!r}")
    if days_late < 0:
        raise DataError(f"days_late is {days_late}: late days cannot be negative")
    basis = _check_day_count(day_count)
    if not isinstance(basis, int):
        raise DataError("financing_cost needs a fixed day_count such as 365")
    return principal * days_late * rate / basis


def statutory_interest(
    *,
    jurisdiction: Jurisdiction,
    due_date: date,
    balances: Sequence[BalanceStep],
    until: date,
    table: RateTable | None = None,
    day_count: DayCount = 365,
    medical_public_debtor: bool = False,
) -> StatutoryInterest:
    """Statutory late-payment interest on one debt, from the day after ``due_date`` to ``until``.

    ``balances`` are steps ``(day, amount)``: the amount outstanding at the end of that day,
    after whatever was paid on it, in date order. The first step must be on or before the due
    date (usually ``(due_date, total)``); a partial payment is a step down, full payment a step
    to zero. A day of delay bears interest on the balance outstanding when it began, so the day
    a payment arrives still bears interest on the balance before it: a debt paid in full on
    day P accrues ``P - due_date`` days, as the Polish "do dnia zapłaty" and the UK practice
    count them.

    The rate follows the jurisdiction: ``"pl"`` and ``"eu"`` take, for each day, the row of the
    table that contains it; ``"uk"`` takes one row for the whole debt, the one containing the
    day interest starts to run (the day after the due date). ``table`` defaults to the packaged
    one. ``medical_public_debtor`` (Poland only) uses the +8 pp rate for a public medical debtor.

    Raises :class:`DataError` for a float or negative amount, steps out of order or starting
    after the due date, or a day of delay with no rate in the table (naming the period).
    """
    jurisdiction = _check_jurisdiction(jurisdiction)
    if medical_public_debtor and jurisdiction != "pl":
        raise DataError("the medical public debtor rate exists only in Polish law (pl)")
    basis = _check_day_count(day_count)
    rates = table if table is not None else RateTable.packaged(jurisdiction)
    step_days, step_amounts = _balance_steps(balances)
    if step_days[0] > due_date:
        raise DataError(
            f"balances start on {step_days[0]}, after the due date {due_date}: give the "
            "balance outstanding on the due date as the first step"
        )

    first_day = due_date + _ONE_DAY
    days_late = max(0, (until - due_date).days)
    fixed_row: RatePeriod | None = None
    reference_date: date | None = None
    if jurisdiction == "uk" and days_late > 0:
        # One rate for the whole debt: the half-year in which interest starts to run.
        fixed_row = rates.row_for(first_day)
        reference_date = fixed_row.period_start - _ONE_DAY

    periods: list[InterestPeriod] = []
    for start, end in _segments(first_day, until, step_days, rates, fixed_row, basis):
        # The balance when the day began: the last step on an earlier day.
        principal = step_amounts[bisect.bisect_left(step_days, start) - 1]
        if principal == 0:
            continue
        row = fixed_row if fixed_row is not None else rates.row_for(start)
        rate_pct = _rate_pct(row, rates, medical_public_debtor)
        divisor = basis if isinstance(basis, int) else 366 if calendar.isleap(start.year) else 365
        days = (end - start).days + 1
        periods.append(
            InterestPeriod(
                start=start,
                end=end,
                days=days,
                principal=principal,
                rate_pct=rate_pct,
                day_count=divisor,
                interest=principal * rate_pct * days / (_HUNDRED * divisor),
                rate_period=row,
            )
        )

    unconfirmed = tuple(
        dict.fromkeys(p.rate_period.label for p in periods if p.rate_period.evidence == "K")
    )
    return StatutoryInterest(
        jurisdiction=jurisdiction,
        due_date=due_date,
        until=until,
        days_late=days_late,
        day_count=basis,
        medical_public_debtor=medical_public_debtor,
        rate_reference_date=reference_date,
        amount=sum((p.interest for p in periods), Decimal(0)),
        periods=tuple(periods),
        table=rates.name,
        unconfirmed_periods=unconfirmed,
    )


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
      due (the ``rule_date``); with ``fx`` the result is in PLN, without it in EUR, with
      ``converted=False`` and a note. A debt in another currency than PLN is converted to PLN
      at the same date for the band, and needs ``fx``.
    - ``"eu"`` (Directive 2011/7/EU): EUR 40.
    - ``"uk"`` (s.5A of the 1998 Act): GBP 40 for a debt below GBP 1,000, GBP 70 from 1,000
      to below 10,000, GBP 100 from 10,000. A debt in another currency is converted to GBP at
      the due date, and needs ``fx``.

    ``fx`` converts through its base currency: ``fx.rate(a, d) / fx.rate(b, d)`` units of b per
    unit of a. Raises :class:`DataError` for a float or non-positive amount, an unknown
    currency, or a conversion that needs an ``fx`` that was not given.
    """
    jurisdiction = _check_jurisdiction(jurisdiction)
    debt = to_decimal(amount, what="fixed_compensation amount")
    if debt <= 0:
        raise DataError(f"fixed_compensation amount is {debt}: a late debt is positive")
    if not is_currency(currency):
        raise DataError(f"unknown currency code {currency!r}: use an upper-case ISO 4217 code")
    if jurisdiction == "pl":
        return _pl_compensation(debt, currency, due_date, fx)
    if jurisdiction == "uk":
        return _uk_compensation(debt, currency, due_date, fx)
    return FixedCompensation(
        jurisdiction="eu",
        amount=Decimal(40),
        currency="EUR",
        statutory_amount=Decimal(40),
        statutory_currency="EUR",
        band="flat",
        band_rule="EUR 40 whatever the amount (Directive 2011/7/EU, art. 6)",
        debt=debt,
        band_currency=currency,
        rule_date=due_date,
        converted=False,
        fx_rate=None,
        note="EUR 40 is the Directive's minimum; national laws may convert it or add to it",
    )


# Art. 10 ust. 1 as in force from 1 January 2020 (three bands); before it, EUR 40 flat.
_PL_BANDS_FROM = date(2020, 1, 1)
_PL_LOW_LIMIT = Decimal(5000)
_PL_HIGH_LIMIT = Decimal(50000)
_UK_LOW_LIMIT = Decimal(1000)
_UK_HIGH_LIMIT = Decimal(10000)


def _pl_compensation(
    debt: Decimal, currency: str, due_date: date, fx: FxRates | None
) -> FixedCompensation:
    rule_date = last_polish_business_day_before(due_date)
    debt_pln = debt if currency == "PLN" else _convert(debt, currency, "PLN", rule_date, fx)
    band: Band
    if due_date < _PL_BANDS_FROM:
        euros, band, rule = 40, "flat", "EUR 40 whatever the amount (art. 10 ust. 1, 2016-2019)"
    elif debt_pln <= _PL_LOW_LIMIT:
        euros, band, rule = 40, "low", "debt not above PLN 5,000"
    elif debt_pln < _PL_HIGH_LIMIT:
        euros, band, rule = 70, "middle", "debt above PLN 5,000 and below PLN 50,000"
    else:
        euros, band, rule = 100, "high", "debt of PLN 50,000 or more"
    statutory = Decimal(euros)
    if fx is None:
        return FixedCompensation(
            jurisdiction="pl",
            amount=statutory,
            currency="EUR",
            statutory_amount=statutory,
            statutory_currency="EUR",
            band=band,
            band_rule=rule,
            debt=debt_pln,
            band_currency="PLN",
            rule_date=rule_date,
            converted=False,
            fx_rate=None,
            note=(
                f"in EUR, not converted: the law owes it in PLN at the NBP average EUR rate of "
                f"{rule_date}; pass fx to convert"
            ),
        )
    eur_pln = _cross_rate("EUR", "PLN", rule_date, fx)
    return FixedCompensation(
        jurisdiction="pl",
        amount=statutory * eur_pln,
        currency="PLN",
        statutory_amount=statutory,
        statutory_currency="EUR",
        band=band,
        band_rule=rule,
        debt=debt_pln,
        band_currency="PLN",
        rule_date=rule_date,
        converted=True,
        fx_rate=eur_pln,
        note=f"EUR {euros} at {eur_pln} PLN/EUR of {rule_date} (use NBP's average rate, table A)",
    )


def _uk_compensation(
    debt: Decimal, currency: str, due_date: date, fx: FxRates | None
) -> FixedCompensation:
    debt_gbp = debt if currency == "GBP" else _convert(debt, currency, "GBP", due_date, fx)
    band: Band
    if debt_gbp < _UK_LOW_LIMIT:
        pounds, band, rule = 40, "low", "debt below GBP 1,000"
    elif debt_gbp < _UK_HIGH_LIMIT:
        pounds, band, rule = 70, "middle", "debt of GBP 1,000 or more and below GBP 10,000"
    else:
        pounds, band, rule = 100, "high", "debt of GBP 10,000 or more"
    return FixedCompensation(
        jurisdiction="uk",
        amount=Decimal(pounds),
        currency="GBP",
        statutory_amount=Decimal(pounds),
        statutory_currency="GBP",
        band=band,
        band_rule=rule,
        debt=debt_gbp,
        band_currency="GBP",
        rule_date=due_date,
        converted=False,
        fx_rate=None,
        note="fixed sum under s.5A of the Late Payment of Commercial Debts (Interest) Act 1998",
    )


def last_polish_business_day_before(due_date: date) -> date:
    """The last Polish business day of the month before ``due_date``'s month.

    Art. 10 ust. 1a: the compensation is converted at NBP's average EUR rate of this day.
    Business days exclude weekends and Polish public holidays (the movable ones included:
    Corpus Christi fell on 31 May 2018, so a debt due in June 2018 uses 30 May).
    """
    day = due_date.replace(day=1) - _ONE_DAY
    holidays = _polish_public_holidays(day.year)
    while day.weekday() >= 5 or day in holidays:
        day -= _ONE_DAY
    return day


@functools.cache
def _polish_public_holidays(year: int) -> frozenset[date]:
    # Ustawa o dniach wolnych od pracy: fixed days, Easter-based days, and 24 December from 2025.
    easter = _easter_sunday(year)
    fixed = [(1, 1), (1, 6), (5, 1), (5, 3), (8, 15), (11, 1), (11, 11), (12, 25), (12, 26)]
    if year >= 2025:
        fixed.append((12, 24))
    movable = [easter, easter + _ONE_DAY, easter + timedelta(days=49), easter + timedelta(days=60)]
    return frozenset([date(year, month, day) for month, day in fixed] + movable)


def _easter_sunday(year: int) -> date:
    # The anonymous Gregorian algorithm (Meeus/Jones/Butcher).
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday_shift = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * weekday_shift) // 451
    month, day = divmod(h + weekday_shift - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _segments(
    first_day: date,
    until: date,
    step_days: Sequence[date],
    rates: RateTable,
    fixed_row: RatePeriod | None,
    basis: DayCount,
) -> list[tuple[date, date]]:
    """Split ``[first_day, until]`` where the principal, the rate row or the divisor can change."""
    if until < first_day:
        return []
    cuts = {first_day, until + _ONE_DAY}
    # A step at the end of day d changes the principal from d + 1.
    cuts.update(d + _ONE_DAY for d in step_days)
    if fixed_row is None:
        # Period starts and the days after period ends (which may open a gap with no rate).
        cuts.update(row.period_start for row in rates.rows)
        cuts.update(row.period_end + _ONE_DAY for row in rates.rows)
    if basis == "actual":
        cuts.update(date(year, 1, 1) for year in range(first_day.year + 1, until.year + 1))
    inside = sorted(cut for cut in cuts if first_day <= cut <= until + _ONE_DAY)
    return [(start, after - _ONE_DAY) for start, after in itertools.pairwise(inside)]


def _rate_pct(row: RatePeriod, rates: RateTable, medical_public_debtor: bool) -> Decimal:
    if not medical_public_debtor:
        return row.statutory_rate_pct
    if row.medical_public_debtor_rate_pct is None:
        raise DataError(f"{rates.name}: no medical public debtor rate for period {row.label}")
    return row.medical_public_debtor_rate_pct


def _balance_steps(balances: Sequence[BalanceStep]) -> tuple[list[date], list[Decimal]]:
    if not balances:
        raise DataError("balances is empty: give at least (due_date, amount outstanding)")
    days: list[date] = []
    amounts: list[Decimal] = []
    for day, value in balances:
        amount = _non_negative(to_decimal(value, what=f"balance on {day}"), f"balance on {day}")
        if days and day <= days[-1]:
            raise DataError(
                f"balances must be in date order, one step a day: {day} comes after {days[-1]}"
            )
        days.append(day)
        amounts.append(amount)
    return days, amounts


def _convert(amount: Decimal, currency: str, to: str, on: date, fx: FxRates | None) -> Decimal:
    if fx is None:
        raise DataError(
            f"a {currency} debt must be converted to {to} at the rate of {on} to find its "
            "compensation band: pass fx"
        )
    return amount * _cross_rate(currency, to, on, fx)


def _cross_rate(currency: str, to: str, on: date, fx: FxRates) -> Decimal:
    """Units of ``to`` per unit of ``currency``, through the fx's base currency."""
    return fx.rate(currency, on) / fx.rate(to, on)


def _parse_row(record: Mapping[str, object], where: str) -> RatePeriod:
    """A :class:`RatePeriod` from a CSV record or mapping; a :class:`DataError` naming ``where``."""
    if None in record:
        # csv.DictReader files the values beyond the header under the key None.
        raise DataError(f"{where}: more values than columns")
    unknown = [key for key in record if key not in _REQUIRED_COLUMNS + _OPTIONAL_COLUMNS]
    if unknown:
        raise DataError(f"{where}: unknown field(s) {', '.join(map(str, unknown))}")
    start = _date_field(record, "period_start", where)
    end = _date_field(record, "period_end", where)
    if end < start:
        raise DataError(f"{where}: period_end {end} is before period_start {start}")
    statutory = _decimal_field(record, "statutory_rate_pct", where)
    if statutory is None:
        raise DataError(f"{where}: statutory_rate_pct is empty")
    evidence = _text_field(record, "evidence")
    if evidence not in ("", "V", "D", "K"):
        raise DataError(f"{where}: evidence {evidence!r} is not one of V, D, K")
    return RatePeriod(
        period_start=start,
        period_end=end,
        statutory_rate_pct=statutory,
        reference_rate_pct=_decimal_field(record, "reference_rate_pct", where),
        margin_pp=_decimal_field(record, "margin_pp", where),
        evidence=evidence or None,
        source=_text_field(record, "source"),
        note=_text_field(record, "note"),
        medical_public_debtor_rate_pct=_decimal_field(
            record, "medical_public_debtor_rate_pct", where
        ),
    )


def _date_field(record: Mapping[str, object], field: str, where: str) -> date:
    value = record.get(field)
    if isinstance(value, date):
        return value
    text = str(value).strip() if value is not None else ""
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise DataError(f"{where}: {field} {text!r} is not an ISO date (YYYY-MM-DD)") from None


def _decimal_field(record: Mapping[str, object], field: str, where: str) -> Decimal | None:
    value = record.get(field)
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return to_decimal(value, what=f"{where}: {field}")


def _text_field(record: Mapping[str, object], field: str) -> str:
    value = record.get(field)
    return "" if value is None else str(value).strip()


def _non_negative(value: Decimal, what: str) -> Decimal:
    if value < 0:
        raise DataError(f"{what} is {value}: it cannot be negative")
    return value


def _check_jurisdiction(jurisdiction: str) -> Jurisdiction:
    for known in JURISDICTIONS:
        if jurisdiction == known:
            return known
    raise DataError(f"unknown jurisdiction {jurisdiction!r}: use one of {', '.join(JURISDICTIONS)}")


def _check_day_count(day_count: object) -> DayCount:
    if day_count == "actual":
        return "actual"
    if isinstance(day_count, bool) or not isinstance(day_count, int) or day_count <= 0:
        raise DataError(f"day_count must be a positive whole number or 'actual', not {day_count!r}")
    return day_count


def _half_year(day: date) -> tuple[date, date]:
    if day.month <= 6:
        return date(day.year, 1, 1), date(day.year, 6, 30)
    return date(day.year, 7, 1), date(day.year, 12, 31)


def _half_year_label(day: date) -> str:
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


# ------------------------------------------------------------------ per invoice, per client
class InvoiceLatenessCost(BaseModel):
    """What one late invoice cost, in its own currency and in the base currency."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: str
    customer_id: str
    currency: str
    due_date: date
    #: Days late as of the review (still counting for an open invoice).
    days_late: int
    #: True while the invoice is still open: its costs keep growing.
    still_open: bool
    #: Sum over the days of delay of the balance the client still had to pay that day
    #: (currency x days): the base of the financing cost, so a partial payment lowers it from
    #: its date on. Credit notes applied by the review date are off it from the due date:
    #: credited money is not money the client kept (docs/metrics/lateness.md), so it carries
    #: no financing cost, as in ``PaymentProfile.financing_cost``.
    balance_days: Decimal
    #: ``balance_days x cost_of_capital / 365``, in the invoice's currency (unrounded).
    financing_cost: Decimal
    financing_cost_base: Decimal
    #: Statutory interest as of the review date; None where no jurisdiction applies or the
    #: rate table has no rate for a day of the delay (then ``notes`` says which).
    statutory_interest: StatutoryInterest | None
    statutory_interest_base: Decimal
    compensation: FixedCompensation | None
    #: The compensation in the base currency; None where it could not be converted.
    compensation_base: Decimal | None
    notes: tuple[str, ...] = ()


class ClientLatenessCost(BaseModel):
    """What a customer's lateness cost over the window: the sums and each invoice's working."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    #: The law the statutory amounts follow; ``none`` when none applies.
    jurisdiction: str
    invoices: tuple[InvoiceLatenessCost, ...]
    #: Base currency, unrounded.
    financing_cost: Decimal
    statutory_interest: Decimal
    #: Fixed compensation that could be converted to the base currency.
    compensation: Decimal
    #: Compensation that could not be converted, by currency (e.g. EUR for a PLN book
    #: without an FxTable).
    compensation_unconverted: dict[str, Decimal]
    #: ``statutory_interest + compensation``: what the law lets the firm claim, base currency.
    claimable: Decimal
    notes: tuple[str, ...] = ()


def balance_days(
    balances: Sequence[BalanceStep], *, due_date: date, until: date
) -> Decimal:
    """Sum, over each day in ``(due_date, until]``, of the balance outstanding when it began.

    ``balances`` are steps as :func:`statutory_interest` takes them (the balance at the end of
    each day, the first step on or before the due date). Paid in full on day P: ``total x
    (P - due_date)``, the "amount x days late" of DESIGN.md section 4.

    Raises :class:`DataError` as :func:`statutory_interest` does: no steps, a float or negative
    amount, steps out of order, or a first step after the due date (the balance on the first
    day of delay would be unknown).
    """
    total = Decimal(0)
    days, amounts = _balance_steps(balances)
    if days[0] > due_date:
        raise DataError(
            f"balances start on {days[0]}, after the due date {due_date}: give the "
            "balance outstanding on the due date as the first step"
        )
    day = due_date + _ONE_DAY
    while day <= until:
        index = bisect.bisect_left(days, day) - 1
        principal = amounts[index]
        # Run to the next change of balance, or to ``until``.
        nxt = bisect.bisect_left(days, day)
        end = min(until, days[nxt]) if nxt < len(days) else until
        total += principal * ((end - day).days + 1)
        day = end + _ONE_DAY
    return total


def lateness_costs(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    settlements: Mapping[str, Settlement] | None = None,
    tables: Mapping[str, RateTable] | None = None,
) -> dict[str, ClientLatenessCost]:
    """Per customer, what its late invoices due in the look-back window cost as of ``as_of``.

    An invoice counts when it was paid after its due date, or is open past it (costs still
    growing, counted to ``as_of``). ``grace_days`` decide whether an invoice counts as *late*
    in the findings, never whether its days past due cost money: the payment profile's
    financing cost counts them too, and the law runs interest from the day after the due
    date. For each invoice: the financing cost at ``policy.cost_of_capital`` on the balance
    the client still had to pay each day of delay (credit notes carry none: they are off the
    balance from the due date, as in ``PaymentProfile.financing_cost``); the statutory
    interest, on the balance outstanding each day of delay (a credit note lowers it from its
    own date), and the fixed compensation, of the customer's jurisdiction
    (``policy.client_jurisdictions``, else ``policy.jurisdiction``). Amounts in the invoice
    currency convert to base at the invoice's own rate; compensation converts with the
    ledger's FxTable (or not at all: then it is listed by currency). ``tables`` overrides the
    packaged rate table of a jurisdiction. A day without a statutory rate, or a compensation
    that needs a rate the ledger lacks, leaves a note on the invoice instead of stopping the
    review.
    """
    from clientguard.settlement import applied_parts, settle

    policy = policy or Policy()
    settlements = (
        settlements if settlements is not None else settle(ledger, as_of=as_of, policy=policy)
    )
    first_due = as_of - timedelta(days=policy.lookback_days - 1)
    by_customer: dict[str, list[InvoiceLatenessCost]] = {}
    for invoice_id, settlement in settlements.items():
        if not settlement.days_late:
            continue
        invoice = ledger.invoice(invoice_id)
        if not first_due <= invoice.due_date <= as_of:
            continue
        jurisdiction = policy.client_jurisdictions.get(
            invoice.customer_id,
            policy.client_jurisdictions.get(
                ledger.group_of(invoice.customer_id), policy.jurisdiction
            ),
        )
        until = settlement.settled_on or as_of
        parts = applied_parts(ledger, invoice_id)
        # Statutory interest runs on what was outstanding each day; the financing cost only on
        # what the client still had to pay (credited money carries none).
        steps = _balance_after_due(ledger, invoice, as_of, parts)
        paying = _balance_after_due(ledger, invoice, as_of, parts, credits_from_due=True)
        if settlement.settled_on is not None and settlement.basis == "paid_on":
            # The source's paid date settles the rest: nothing is owed from the end of that
            # day, which may also be the day of the last allocation (never before it).
            _settled_at(steps, settlement.settled_on)
            _settled_at(paying, settlement.settled_on)
        rate = ledger.rate_to_base(invoice)
        exposure = balance_days(paying, due_date=invoice.due_date, until=until)
        financing = exposure * policy.cost_of_capital / 365
        notes: list[str] = []
        interest: StatutoryInterest | None = None
        compensation: FixedCompensation | None = None
        compensation_base: Decimal | None = None
        if jurisdiction != "none":
            try:
                interest = statutory_interest(
                    jurisdiction=jurisdiction,
                    due_date=invoice.due_date,
                    balances=steps,
                    until=until,
                    table=(tables or {}).get(jurisdiction),
                )
                if interest.unconfirmed_periods:
                    notes.append(
                        "statutory rate not confirmed for "
                        + ", ".join(interest.unconfirmed_periods)
                    )
            except DataError as exc:
                notes.append(f"no statutory interest: {exc}")
            try:
                compensation = fixed_compensation(
                    jurisdiction=jurisdiction,
                    amount=invoice.total,
                    currency=invoice.currency,
                    due_date=invoice.due_date,
                    fx=ledger.fx,
                )
                if compensation.currency == ledger.base_currency:
                    compensation_base = compensation.amount
                elif ledger.fx is not None:
                    try:
                        compensation_base = ledger.fx.convert(
                            compensation.amount, compensation.currency, compensation.rule_date
                        )
                    except DataError as exc:
                        notes.append(f"compensation not converted: {exc}")
                else:
                    notes.append(
                        f"compensation stated in {compensation.currency}: the ledger has no "
                        f"FxTable to convert it to {ledger.base_currency}"
                    )
            except DataError as exc:
                notes.append(f"no fixed compensation: {exc}")
        by_customer.setdefault(invoice.customer_id, []).append(
            InvoiceLatenessCost(
                invoice_id=invoice_id,
                customer_id=invoice.customer_id,
                currency=invoice.currency,
                due_date=invoice.due_date,
                days_late=settlement.days_late,
                still_open=settlement.settled_on is None,
                balance_days=exposure,
                financing_cost=financing,
                financing_cost_base=financing * rate,
                statutory_interest=interest,
                statutory_interest_base=(interest.amount * rate) if interest else Decimal(0),
                compensation=compensation,
                compensation_base=compensation_base,
                notes=tuple(notes),
            )
        )
    result: dict[str, ClientLatenessCost] = {}
    for customer_id in sorted(by_customer):
        items = by_customer[customer_id]
        unconverted: dict[str, Decimal] = {}
        for item in items:
            if item.compensation is not None and item.compensation_base is None:
                unconverted[item.compensation.currency] = (
                    unconverted.get(item.compensation.currency, Decimal(0))
                    + item.compensation.amount
                )
        interest_total = sum((i.statutory_interest_base for i in items), Decimal(0))
        compensation_total = sum(
            (i.compensation_base for i in items if i.compensation_base is not None), Decimal(0)
        )
        jurisdiction = policy.client_jurisdictions.get(
            customer_id,
            policy.client_jurisdictions.get(ledger.group_of(customer_id), policy.jurisdiction),
        )
        result[customer_id] = ClientLatenessCost(
            customer_id=customer_id,
            jurisdiction=jurisdiction,
            invoices=tuple(items),
            financing_cost=sum((i.financing_cost_base for i in items), Decimal(0)),
            statutory_interest=interest_total,
            compensation=compensation_total,
            compensation_unconverted=unconverted,
            claimable=interest_total + compensation_total,
            notes=tuple(dict.fromkeys(n for i in items for n in i.notes)),
        )
    return result


def _settled_at(steps: list[tuple[date, Decimal]], day: date) -> None:
    """End ``steps`` with a zero balance at the end of ``day`` (one step a day)."""
    if steps and steps[-1][0] == day:
        steps[-1] = (day, Decimal(0))
    else:
        steps.append((day, Decimal(0)))


def _balance_after_due(
    ledger: Ledger,
    invoice: Invoice,
    as_of: date,
    parts: Iterable[AppliedPart],
    *,
    credits_from_due: bool = False,
) -> list[tuple[date, Decimal]]:
    """Balance steps for :func:`statutory_interest`: the balance at the end of the due date,
    then the balance at the end of each later day something was applied (up to ``as_of``).

    With ``credits_from_due`` the credit notes applied by ``as_of`` count from the due date
    whatever their own date: the balance the client still had to pay, the financing base.
    """
    counted = [part for part in parts if part.date <= as_of]
    if credits_from_due:
        # Credit notes first (all on the due date), then the payments in their own order.
        counted.sort(key=lambda part: part.application.document_kind == "payment")
    balance = invoice.total
    by_day: dict[date, Decimal] = {}
    for part in counted:
        balance = max(Decimal(0), balance - part.application.amount)
        credit = part.application.document_kind != "payment"
        day = invoice.due_date if credits_from_due and credit else part.date
        by_day[max(day, invoice.due_date)] = balance
    steps = [(invoice.due_date, by_day.pop(invoice.due_date, invoice.total))]
    steps.extend(sorted(by_day.items()))
    return steps
