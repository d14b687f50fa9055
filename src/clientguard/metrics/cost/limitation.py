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
  not yet time-barred on 9 July 2018; one barred before stays barred. A firm whose claims run
  two years (a sale, art. 554 KC; a contract for work, art. 646 KC; services, art. 751 KC;
  ``pl_years=2``, the policy's ``pl_limitation_years``) has its main claim barred after two
  years, to the end of a year too (art. 118's exception is for periods *shorter* than two
  years), by the same transitional rule. The fixed compensation of art. 10 of the 2013 Act:
  three years from the day it became due, on its own, whatever the main claim's period (SN,
  III CZP 37/20, 30 September 2021). Interest for delay: a periodic claim, each day's
  interest barred three years after that day, but at the latest with the main claim (SN, 7
  judges, III CZP 42/04, 26 January 2005, on a sale of art. 554 KC): an invoice paid before
  its main claim was time-barred keeps the interest of each day for three years; one left
  unpaid until then loses all of it.
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
    "PL_YEARS",
    "PL_YEAR_END_RULE_FROM",
    "Limitation",
    "interest_goes_with_main_claim",
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
PL_YEARS = (2, 3)
"""The periods of a Polish main claim clientguard applies, in years: 2 (arts. 554, 646 and
751 KC: a sale, a contract for work, some services) or 3 (art. 118 KC), the policy's
``pl_limitation_years``."""


class Limitation(NamedTuple):
    """Where one late invoice's claim stands against the limitation period as of a date."""

    time_barred_from: date
    """The first day a debtor can raise limitation against the fixed compensation and the
    first day's interest (each later day's interest is barred later); under a period of
    three years (and in the UK), against the main claim too."""
    compensation_time_barred: bool
    """The fixed compensation is time-barred as of the date."""
    interest_barred_through: date | None
    """The last day of delay whose interest is time-barred as of the date; None when none is."""
    interest_time_barred: Decimal
    """The part of the statutory interest (unrounded, the invoice's currency) on the days up to
    ``interest_barred_through``: what the law no longer enforces."""
    main_claim_time_barred_from: date
    """The first day a debtor can raise limitation against the main claim, the debt itself:
    ``time_barred_from`` under the law's general period, earlier under a Polish period of two
    years. A debt left unpaid until then loses all its interest that day (III CZP 42/04)."""

    @property
    def anything_barred(self) -> bool:
        """Some of the claim (interest or compensation) is time-barred as of the date."""
        return self.compensation_time_barred or self.interest_barred_through is not None


def _add_years(day: date, years: int) -> date:
    """The same date ``years`` later; 29 February becomes 28 February (art. 112 KC: a period
    ends on the day of the same date, or the last day of the month without one)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def time_barred_from(
    jurisdiction: Jurisdiction, became_due: date, *, pl_years: int = 3
) -> date | None:
    """The first day a claim that became due on ``became_due`` is time-barred under the law of
    ``jurisdiction``; None for ``eu`` (no harmonised period: national law decides).

    Poland: ``pl_years`` (3, art. 118 KC; 2, arts. 554, 646 and 751 KC) to the end of that
    calendar year (art. 118 KC since 9 July 2018), so 1 January ``pl_years + 1`` years after
    the year it became due; a claim already barred on 9 July 2018 under the old rule (the
    years to the same date, art. 112 KC) stays so. UK: the day after the sixth anniversary
    (Limitation Act 1980 s.5); ``pl_years`` is Poland's alone.

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    _check_pl_years(pl_years)
    if jurisdiction == "pl":
        return _polish_bar(became_due, pl_years)
    if jurisdiction == "uk":
        return _add_years(became_due, 6) + _ONE_DAY
    return None


def _polish_bar(became_due: date, years: int) -> date:
    """:func:`time_barred_from` of a Polish claim of ``years``."""
    if became_due.year + years >= 2019:  # barred no earlier than 2019: the new rule (fast path)
        return date(became_due.year + years + 1, 1, 1)
    old = _add_years(became_due, years) + _ONE_DAY
    if old <= PL_YEAR_END_RULE_FROM:
        return old
    return date(became_due.year + years + 1, 1, 1)


def _check_pl_years(pl_years: int) -> None:
    if pl_years not in PL_YEARS:
        raise ValueError(f"a Polish limitation period is 2 or 3 years, not {pl_years!r}")


def interest_goes_with_main_claim(settled_on: date | None, main_claim_barred_from: date) -> bool:
    """Whether a debt paid in full on ``settled_on`` (None: not yet) was left unpaid until its
    main claim was time-barred on ``main_claim_barred_from``: then all its interest is barred
    with it (III CZP 42/04), and paying the barred debt later does not revive it."""
    return settled_on is None or settled_on >= main_claim_barred_from


def limitation(
    jurisdiction: Jurisdiction,
    *,
    due_date: date,
    settled_on: date | None,
    as_of: date,
    interest: StatutoryInterest | None = None,
    pl_years: int = 3,
) -> Limitation | None:
    """Where a late invoice due on ``due_date`` and paid in full on ``settled_on`` (None while
    open) stands as of ``as_of``: None where the limitation period is not checked (``eu``).

    The main claim and the fixed compensation became due the day after the term ended: after
    ``due_date``, or in Poland after the next day that is no Saturday and no day free from work
    where ``due_date`` is one (art. 115 KC: due on Saturday 30 December 2023, the term ended on
    Tuesday 2 January 2024, so the claim is barred from 1 January 2028, not 2027); the
    interest of each day of delay on that day. The main claim runs ``pl_years`` in Poland
    (:func:`time_barred_from`); the compensation and each day's interest the law's general
    period. ``interest`` (the invoice's statutory interest, its periods) gives
    :attr:`Limitation.interest_time_barred`, zero without it.

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    _check_pl_years(pl_years)
    first_day = _term_end(jurisdiction, due_date) + _ONE_DAY
    barred_from = time_barred_from(jurisdiction, first_day)
    if barred_from is None:
        return None
    main_from = (_polish_bar(first_day, pl_years) if jurisdiction == "pl" and pl_years != 3
                 else barred_from)
    if main_from > as_of:
        # The common case: nothing is barred yet (the main claim, with its interest, first).
        return Limitation(barred_from, False, None, Decimal(0), main_from)
    compensation_barred = barred_from <= as_of
    if settled_on is not None and not interest_goes_with_main_claim(settled_on, main_from):
        # Paid before the main claim was barred: each day's interest on its own, the first
        # day's barred with the compensation (both became due on the first day of delay).
        if not compensation_barred:
            return Limitation(barred_from, False, None, Decimal(0), main_from)
        through: date | None = _last_barred_day(jurisdiction, first_day, settled_on, as_of)
    else:
        # Left unpaid until the main claim was barred: its interest went with it (III CZP
        # 42/04). The days of delay end on the day of payment, or on as_of while open.
        through = settled_on or as_of
    barred = _interest_through(interest, through) if interest is not None else Decimal(0)
    return Limitation(barred_from, compensation_barred, through, barred, main_from)


def last_barred_due_date(jurisdiction: Jurisdiction, as_of: date, *,
                         pl_years: int = 3) -> date | None:
    """The last due date with something of its claim time-barred as of ``as_of`` (a debt left
    unpaid: :func:`limitation` says ``anything_barred``; under the law's general period, the
    compensation): every invoice due on it or before may have, every one due later has not.
    None where the limitation period is not checked (``eu``). Found once for a review, so that
    each invoice is one comparison of dates (issue 21).

    Raises ``ValueError`` for a ``pl_years`` other than 2 or 3.
    """
    if time_barred_from(jurisdiction, as_of, pl_years=pl_years) is None:
        return None
    # A claim that became due by 1 January 1900 is barred as of any date clientguard sees.
    last_term_end = _last_barred_day(jurisdiction, date(1900, 1, 1), as_of, as_of,
                                     pl_years=pl_years) - _ONE_DAY
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


def _last_barred_day(jurisdiction: Jurisdiction, first: date, last: date, as_of: date, *,
                     pl_years: int = 3) -> date:
    """The last day ``d`` of ``first..last`` whose own claim (``time_barred_from(d)``, a
    Polish one of ``pl_years``) is barred as of ``as_of`` (``first`` itself when none is). The
    bar moves later with the day, so the barred days are the first ones: found by halving (a
    dozen steps over years of delay)."""
    if jurisdiction == "pl" and first.year + pl_years >= 2019:
        # The end-of-year rule alone: the days of the years up to the (pl_years + 1)th before
        # as_of's.
        return min(last, date(as_of.year - pl_years - 1, 12, 31))
    low, high = first.toordinal(), last.toordinal()
    while low < high:
        middle = (low + high + 1) // 2
        barred = time_barred_from(jurisdiction, date.fromordinal(middle), pl_years=pl_years)
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
