"""Interest on a late debt: the financing cost at the firm's own cost of capital, and the
statutory interest the law grants, on the balance outstanding each day of delay.

Poland and the EU baseline take the rate of the half-year that contains each day of delay (the
rate can step mid-delay); the UK fixes one rate for the whole debt, from the half-year in which
interest starts to run. docs/metrics/cost.md has the rules and worked examples.
"""

from __future__ import annotations

import bisect
import calendar
import itertools
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, TypeAlias

from pydantic import BaseModel, ConfigDict

from clientguard.errors import DataError
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction, RatePeriod, RateTable, _check_jurisdiction
from clientguard.money import round_money, to_decimal
from clientguard.settlement import _Unvalidated

__all__ = [
    "BalanceStep",
    "DayCount",
    "InterestPeriod",
    "StatutoryInterest",
    "balance_days",
    "carrying_cost",
    "financing_cost",
    "statutory_interest",
]

#: Days in the year that divide the annual rate: a fixed number (365 by default, the Polish and
#: UK practice), or ``"actual"`` (365, or 366 for a day in a leap year).
DayCount: TypeAlias = int | Literal["actual"]
#: A balance step: ``(day, amount outstanding at the end of that day)``.
BalanceStep: TypeAlias = tuple[date, Decimal | int | str]

_ONE_DAY = timedelta(days=1)
_HUNDRED = Decimal(100)


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
    #: The day the payment term ended: ``due_date``, or in Poland, where it falls on a Saturday
    #: or a day free from work, the next day that is neither (art. 115 KC). Interest runs from
    #: the day after it.
    term_end: date
    until: date
    #: Days in ``(term_end, until]``: the days of delay looked at (some may bear no interest
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
    #: Labels of the periods whose rate is not confirmed (evidence ``unconfirmed``); a report
    #: must say so.
    unconfirmed_periods: tuple[str, ...]

    def rounded(self, currency: str) -> Decimal:
        """``amount`` rounded to the currency's minor unit, ``ROUND_HALF_EVEN``."""
        return round_money(self.amount, currency)


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
    return carrying_cost(principal * days_late, rate, basis)


def carrying_cost(
    amount_days: Decimal, cost_of_capital: Decimal, day_count: int = 365
) -> Decimal:
    """``amount_days x cost_of_capital / day_count``: what carrying ``amount_days`` (an amount
    times the days it was carried, summed) costs at an annual ``cost_of_capital``.

    The one owner of the financing formula (:func:`financing_cost`, the payment profiles'
    ``financing_cost`` and :func:`~clientguard.metrics.cost.lateness_costs` all use it).
    Divides last, so the product is exact before the one division; unrounded. Inputs are not
    checked: callers pass validated Decimals.
    """
    return amount_days * cost_of_capital / day_count


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
    """Statutory late-payment interest on one debt, from the day after its term ended to
    ``until``: the day after ``due_date``, or in Poland, where the due date falls on a
    Saturday or a day free from work, the day after the next day that is neither (art. 115 KC:
    a debt due on Saturday 1 November 2025 may be paid on Monday 3 November, interest runs
    from Tuesday 4 November).

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
    return _statutory_interest(
        jurisdiction, due_date, step_days, step_amounts, until, rates, basis,
        medical_public_debtor, trusted=False,
    )


def _statutory_interest(
    jurisdiction: Jurisdiction,
    due_date: date,
    step_days: Sequence[date],
    step_amounts: Sequence[Decimal],
    until: date,
    rates: RateTable,
    basis: DayCount,
    medical_public_debtor: bool,
    *,
    trusted: bool,
    table_cuts: Sequence[date] | None = None,
) -> StatutoryInterest:
    """:func:`statutory_interest` of checked steps: the days strictly rising, the first on or
    before the due date, the amounts non-negative Decimals (what
    :func:`~clientguard.settlement.balance_history` gives). ``table_cuts`` are
    :func:`_table_cuts` of ``rates`` where the caller keeps them. ``trusted``: every argument
    has exactly its declared type (dates, not datetimes; a bool), so the results are made
    without validation (the lateness costs' fast path); else they are validated, as for a
    caller's arguments."""
    make_period = _period if trusted else _validated_period
    make_interest = _interest if trusted else _validated_interest
    # Art. 115 KC: a Polish term ending on a Saturday or a day free from work ends on the next
    # day that is neither. The UK act and the directive's baseline count from the due date.
    term_end = polish_term_end(due_date) if jurisdiction == "pl" else due_date
    first_day = term_end + _ONE_DAY
    days_late = max(0, (until - term_end).days)
    fixed_row: RatePeriod | None = None
    reference_date: date | None = None
    if jurisdiction == "uk" and days_late > 0:
        # One rate for the whole debt: the half-year in which interest starts to run.
        fixed_row = rates.row_for(first_day)
        reference_date = fixed_row.period_start - _ONE_DAY

    periods: list[InterestPeriod] = []
    amount = Decimal(0)
    unconfirmed: dict[str, None] = {}
    for start, end in _segments(
        first_day, until, step_days, rates, fixed_row, basis, table_cuts
    ):
        # The balance when the day began: the last step on an earlier day.
        principal = step_amounts[bisect.bisect_left(step_days, start) - 1]
        if principal == 0:
            continue
        row = fixed_row if fixed_row is not None else rates.row_for(start)
        rate_pct = _rate_pct(row, rates, medical_public_debtor)
        divisor = basis if isinstance(basis, int) else 366 if calendar.isleap(start.year) else 365
        days = (end - start).days + 1
        interest = principal * rate_pct * days / (_HUNDRED * divisor)
        # The fields in the model's order, as validation would store them.
        periods.append(make_period({
            "start": start,
            "end": end,
            "days": days,
            "principal": principal,
            "rate_pct": rate_pct,
            "day_count": divisor,
            "interest": interest,
            "rate_period": row,
        }))
        amount += interest  # in the periods' order, from zero: what sum() would give
        if row.evidence == "unconfirmed":
            unconfirmed[row.label] = None

    return make_interest({
        "jurisdiction": jurisdiction,
        "due_date": due_date,
        "term_end": term_end,
        "until": until,
        "days_late": days_late,
        "day_count": basis,
        "medical_public_debtor": medical_public_debtor,
        "rate_reference_date": reference_date,
        "amount": amount,
        "periods": tuple(periods),
        "table": rates.name,
        "unconfirmed_periods": tuple(unconfirmed),
    })


InterestPlan: TypeAlias = tuple[tuple[int, Decimal | str, int], ...]
"""What the review's pricing of a claim's interest (:func:`_planned_interest`) reads of the
dates alone: per segment of the delay, the
index of its principal among the balance steps, its statutory rate (percent; where the table
has no rate for its first day, the :class:`DataError`'s message, raised only if its principal
is not zero, as :func:`_statutory_interest` looks its row up only then) and its number of
days. Invoices with the same due date, step days and end of the delay share it (issue 21: at a
million invoices most of those due before the review's window do)."""


def _interest_plan(
    jurisdiction: Jurisdiction,
    due_date: date,
    step_days: Sequence[date],
    until: date,
    rates: RateTable,
    table_cuts: Sequence[date],
) -> InterestPlan:
    """The :data:`InterestPlan` of a delay from ``due_date`` to ``until`` with balance steps
    on ``step_days``: :func:`_statutory_interest`'s segments and rows (a 365-day basis, not for
    a medical public debtor). Raises :class:`DataError` where :func:`_statutory_interest` does
    (a day of delay without a rate)."""
    term_end = polish_term_end(due_date) if jurisdiction == "pl" else due_date
    first_day = term_end + _ONE_DAY
    fixed_row: RatePeriod | None = None
    if jurisdiction == "uk" and until > term_end:
        fixed_row = rates.row_for(first_day)
    plan: list[tuple[int, Decimal | str, int]] = []
    for start, end in _segments(first_day, until, step_days, rates, fixed_row, 365, table_cuts):
        rate_pct: Decimal | str
        try:
            row = fixed_row if fixed_row is not None else rates.row_for(start)
        except DataError as exc:
            rate_pct = str(exc)
        else:
            rate_pct = row.statutory_rate_pct
        plan.append((bisect.bisect_left(step_days, start) - 1, rate_pct, (end - start).days + 1))
    return tuple(plan)


def _planned_interest(plan: InterestPlan, step_amounts: Sequence[Decimal]) -> Decimal:
    """``_statutory_interest(...).amount`` on a 365-day basis, not for a medical public
    debtor (the review's way, as :class:`~clientguard.metrics.cost.lateness_costs._Law` prices
    a claim), of checked steps' ``step_amounts`` and the :data:`InterestPlan` of their days,
    without its periods: each segment's ``principal x rate x days / (100 x 365)``, the same
    segments, rows and operations in the same order, so the same Decimal, digit for digit
    (issue 21: the review's sum of what is owed before its window reads the amount alone).
    Raises :class:`DataError` where :func:`_statutory_interest` does (a day of delay without
    a rate, of a segment whose principal is not zero)."""
    amount = Decimal(0)
    for index, rate_pct, days in plan:
        principal = step_amounts[index]
        if principal == 0:
            continue
        if isinstance(rate_pct, str):
            raise DataError(rate_pct)
        amount += principal * rate_pct * days / _PER_YEAR
    return amount


_PER_YEAR = _HUNDRED * 365
"""The divisor of a day's interest on a 365-day basis, ``_HUNDRED * divisor`` as
:func:`_statutory_interest` makes it: the same Decimal, made once."""


_period = _Unvalidated(InterestPeriod)
_interest = _Unvalidated(StatutoryInterest)


def _validated_period(values: dict[str, Any]) -> InterestPeriod:
    return InterestPeriod(**values)


def _validated_interest(values: dict[str, Any]) -> StatutoryInterest:
    return StatutoryInterest(**values)


def balance_days(
    balances: Sequence[BalanceStep], *, due_date: date, until: date
) -> Decimal:
    """Sum, over each day in ``(due_date, until]``, of the balance outstanding when it began.

    ``balances`` are steps as :func:`statutory_interest` takes them (the balance at the end of
    each day, the first step on or before the due date). Paid in full on day P: ``total x
    (P - due_date)``, the "amount x days late" of the financing cost
    (docs/metrics/cost.md).

    Raises :class:`DataError` as :func:`statutory_interest` does: no steps, a float or negative
    amount, steps out of order, or a first step after the due date (the balance on the first
    day of delay would be unknown).
    """
    days, amounts = _balance_steps(balances)
    if days[0] > due_date:
        raise DataError(
            f"balances start on {days[0]}, after the due date {due_date}: give the "
            "balance outstanding on the due date as the first step"
        )
    return _balance_days(days, amounts, due_date, until)


def _balance_days(
    days: Sequence[date], amounts: Sequence[Decimal], due_date: date, until: date
) -> Decimal:
    """:func:`balance_days` of checked steps (as :func:`_statutory_interest` takes them)."""
    total = Decimal(0)
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


def _segments(
    first_day: date,
    until: date,
    step_days: Sequence[date],
    rates: RateTable,
    fixed_row: RatePeriod | None,
    basis: DayCount,
    table_cuts: Sequence[date] | None = None,
) -> list[tuple[date, date]]:
    """Split ``[first_day, until]`` where the principal, the rate row or the divisor can change
    (``table_cuts``: :func:`_table_cuts` of ``rates``, where the caller keeps them)."""
    if until < first_day:
        return []
    after_until = until + _ONE_DAY
    cuts = {first_day, after_until}
    # A step at the end of day d changes the principal from d + 1.
    cuts.update(d + _ONE_DAY for d in step_days)
    if fixed_row is None:
        # Period starts and the days after period ends (which may open a gap with no rate):
        # those from first_day to after_until, the only ones kept below.
        if table_cuts is None:
            table_cuts = _table_cuts(rates)
        cuts.update(table_cuts[
            bisect.bisect_left(table_cuts, first_day):bisect.bisect_right(table_cuts, after_until)
        ])
    if basis == "actual":
        cuts.update(date(year, 1, 1) for year in range(first_day.year + 1, until.year + 1))
    inside = sorted(cut for cut in cuts if first_day <= cut <= after_until)
    return [(start, after - _ONE_DAY) for start, after in itertools.pairwise(inside)]


def _table_cuts(rates: RateTable) -> list[date]:
    """The days a rate table's rate can change on: each period's start and the day after each
    period's end, sorted."""
    cuts = {row.period_start for row in rates.rows}
    cuts.update(row.period_end + _ONE_DAY for row in rates.rows)
    return sorted(cuts)


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


def _non_negative(value: Decimal, what: str) -> Decimal:
    if value < 0:
        raise DataError(f"{what} is {value}: it cannot be negative")
    return value


def _check_day_count(day_count: object) -> DayCount:
    if day_count == "actual":
        return "actual"
    if isinstance(day_count, bool) or not isinstance(day_count, int) or day_count <= 0:
        raise DataError(f"day_count must be a positive whole number or 'actual', not {day_count!r}")
    return day_count
