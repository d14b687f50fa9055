"""The limitation period of late-payment claims: from which day a debtor who raises limitation
defeats the claim in court (a time-barred claim can still be paid voluntarily, but the law no
longer enforces it).

The rules, their sources and the choices made where the law is silent are in docs/claims.md
("Limitation"). In short:

- **Poland** (``pl``). Art. 118 KC: three years for claims connected with running a business
  and for periodic claims; since 9 July 2018 the period ends on the last day of the calendar
  year (it is not shorter than two years). Art. 120 § 1 KC: it runs from the day the claim
  became due (*wymagalne*): for an invoice, the day after its payment deadline. Art. 5 ust. 1
  of the amending act of 13 April 2018 (Dz.U. 2018 poz. 1104): the new rule applies to claims
  not yet time-barred on 9 July 2018; one barred before stays barred. The fixed compensation of
  art. 10 of the 2013 Act: three years from the day it became due, on its own (SN, III CZP
  37/20, 30 September 2021). Interest for delay: a periodic claim, each day's interest barred
  three years after that day, but at the latest with the main claim (SN, 7 judges, III CZP
  42/04, 26 January 2005): an invoice paid before its main claim was time-barred keeps the
  interest of each day for three years; one left unpaid until then loses all of it.
- **UK** (``uk``). Limitation Act 1980 s.5: six years from the day the cause of action accrued
  (the day excluded, so the sixth anniversary is the last day to sue). The debt and the fixed
  sum of s.5A accrue the day after the due date; each day's statutory interest on that day;
  and, as in Poland (clientguard's choice: no source read says otherwise), no interest on a
  debt that was left unpaid until it was itself time-barred.
- **EU baseline** (``eu``): the Directive harmonises no limitation period; each member state's
  law sets it. Not checked: :func:`time_barred_from` gives None.

Pure date arithmetic, a few operations an invoice (the review prices a million invoices).
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import NamedTuple

from clientguard.metrics.cost.interest import StatutoryInterest
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction

__all__ = [
    "PL_YEAR_END_RULE_FROM",
    "Limitation",
    "last_barred_due_date",
    "limitation",
    "time_barred_from",
]

PL_YEAR_END_RULE_FROM = date(2018, 7, 9)
"""The day art. 118 KC's end-of-year rule came into force (the act of 13 April 2018,
Dz.U. 2018 poz. 1104, art. 5 ust. 1: it applies to every claim not yet time-barred that day)."""

_ONE_DAY = timedelta(days=1)
_YEARS = {"pl": 3, "uk": 6}
"""The limitation period of a late-payment claim, in years: PL art. 118 KC (business and
periodic claims), UK Limitation Act 1980 s.5 (simple contract)."""


class Limitation(NamedTuple):
    """Where one late invoice's claim stands against the limitation period as of a date."""

    time_barred_from: date
    """The first day a debtor can raise limitation against the main claim, the fixed
    compensation and the first day's interest (each later day's interest is barred later)."""
    compensation_time_barred: bool
    """The fixed compensation is time-barred as of the date."""
    interest_barred_through: date | None
    """The last day of delay whose interest is time-barred as of the date; None when none is."""
    interest_time_barred: Decimal
    """The part of the statutory interest (unrounded, the invoice's currency) on the days up to
    ``interest_barred_through``: what the law no longer enforces."""


def _add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 28 February (art. 112 KC: a period
    ends on the day of the same date, or the last day of the month without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def time_barred_from(jurisdiction: Jurisdiction, became_due: date) -> date | None:
    """The first day a claim that became due on ``became_due`` is time-barred under the law of
    ``jurisdiction``; None for ``eu`` (no harmonised period: national law decides).

    Poland: three years to the end of that calendar year (art. 118 KC since 9 July 2018), so
    1 January four years after the year it became due; a claim already barred on 9 July 2018
    under the old rule (three years to the same date, art. 112 KC) stays so. UK: the day after
    the sixth anniversary (Limitation Act 1980 s.5).
    """
    if jurisdiction == "pl":
        if became_due.year >= 2016:  # barred no earlier than 2019: the new rule (fast path)
            return date(became_due.year + 4, 1, 1)
        old = _add_years(became_due, 3) + _ONE_DAY
        if old <= PL_YEAR_END_RULE_FROM:
            return old
        return date(became_due.year + 4, 1, 1)
    if jurisdiction == "uk":
        return _add_years(became_due, 6) + _ONE_DAY
    return None


def limitation(
    jurisdiction: Jurisdiction,
    *,
    due_date: date,
    settled_on: date | None,
    as_of: date,
    interest: StatutoryInterest | None = None,
) -> Limitation | None:
    """Where a late invoice due on ``due_date`` and paid in full on ``settled_on`` (None while
    open) stands as of ``as_of``: None where the limitation period is not checked (``eu``).

    The main claim and the fixed compensation became due the day after the term ended: after
    ``due_date``, or in Poland after the next day that is no Saturday and no day free from work
    where ``due_date`` is one (art. 115 KC: due on Saturday 30 December 2023, the term ended on
    Tuesday 2 January 2024, so the claim is barred from 1 January 2028, not 2027); the
    interest of each day of delay on that day. ``interest`` (the invoice's statutory interest,
    its periods) gives :attr:`Limitation.interest_time_barred`, zero without it.
    """
    first_day = _term_end(jurisdiction, due_date) + _ONE_DAY
    barred_from = time_barred_from(jurisdiction, first_day)
    if barred_from is None:
        return None
    if barred_from > as_of:
        # The common case: nothing is barred yet (the first day's interest is barred first).
        return Limitation(barred_from, False, None, Decimal(0))
    if settled_on is None or settled_on >= barred_from:
        # Left unpaid until the main claim was barred: its interest went with it (III CZP
        # 42/04). The days of delay end on the day of payment, or on as_of while open.
        through: date | None = settled_on or as_of
    else:
        through = _last_barred_day(jurisdiction, first_day, settled_on, as_of)
    barred = _interest_through(interest, through) if interest is not None else Decimal(0)
    return Limitation(barred_from, True, through, barred)


def last_barred_due_date(jurisdiction: Jurisdiction, as_of: date) -> date | None:
    """The last due date whose claim is time-barred (:func:`limitation` says
    ``compensation_time_barred``) as of ``as_of``: every invoice due on it or before is, every
    one due later is not. None where the limitation period is not checked (``eu``). Found once
    for a review, so that each invoice is one comparison of dates (issue 21)."""
    if time_barred_from(jurisdiction, as_of) is None:
        return None
    # A claim that became due by 1 January 1900 is barred as of any date clientguard sees.
    last_term_end = _last_barred_day(jurisdiction, date(1900, 1, 1), as_of, as_of) - _ONE_DAY
    # A due date whose term art. 115 KC moves past that day is not barred yet (due Saturday 30
    # December 2023, the term ends on 2 January 2024): the term end never moves back, so step
    # back to the last due date whose term ends by then (a few days at most).
    due = last_term_end
    while _term_end(jurisdiction, due) > last_term_end:
        due -= _ONE_DAY
    return due


def _term_end(jurisdiction: Jurisdiction, due_date: date) -> date:
    """The day a payment term due on ``due_date`` ended: in Poland moved by art. 115 KC
    (:func:`~clientguard.metrics.cost.polish_calendar.polish_term_end`), elsewhere the due
    date, as :func:`~clientguard.metrics.cost.statutory_interest` counts it."""
    return polish_term_end(due_date) if jurisdiction == "pl" else due_date


def _last_barred_day(jurisdiction: Jurisdiction, first: date, last: date, as_of: date) -> date:
    """The last day ``d`` of ``first..last`` whose own claim (``time_barred_from(d)``) is
    barred as of ``as_of`` (``first`` itself when none is). The bar moves later with the day,
    so the barred days are the first ones: found by halving (a dozen steps over years of
    delay)."""
    if jurisdiction == "pl" and first.year >= 2016:
        # The end-of-year rule alone: the days of the years up to as_of's fourth before.
        return min(last, date(as_of.year - 4, 12, 31))
    low, high = first.toordinal(), last.toordinal()
    while low < high:
        middle = (low + high + 1) // 2
        barred = time_barred_from(jurisdiction, date.fromordinal(middle))
        if barred is not None and barred <= as_of:
            low = middle
        else:
            high = middle - 1
    return date.fromordinal(low)


def _interest_through(interest: StatutoryInterest, through: date | None) -> Decimal:
    """The interest of ``interest``'s days up to ``through``: whole periods, and of a period
    cut by it the share of its days (interest is linear in the days of one period)."""
    if through is None:
        return Decimal(0)
    if through >= interest.until:
        return interest.amount
    barred = Decimal(0)
    for period in interest.periods:
        if period.end <= through:
            barred += period.interest
        elif period.start <= through:
            days = (through - period.start).days + 1
            barred += period.interest * days / period.days
    return barred
