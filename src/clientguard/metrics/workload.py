"""Workload: how much of the team's time each client takes, for what it pays, and how rushed.

- **Capacity** (:func:`workload`): each client's share of the hours logged over the window;
  hours share divided by revenue share (a client taking 40% of the hours for 20% of the revenue
  scores 2.0); revenue per hour against the firm's average. With ``R`` the book's revenue (the
  denominator of the revenue shares) and ``H`` its hours, the firm's average is ``R / H``, so
  ``hours_to_revenue = (R / H) / (revenue per hour)``: the two numbers tell one story.
- **Rush** (:func:`rush_profiles`): the share of a client's work requests wanted within
  ``rush_lead_days`` of being asked (the lead time, zero or negative included), over the
  window, and its change from the period before the recent one to the recent one. The lead
  time is counted in working days by default (:func:`lead_counter`): the working days from
  the day asked (included) to the day wanted (not included), so a request made on Friday for
  Monday has a lead of 1 and one made on Saturday for Monday of 0 (its lead starts on the
  next working day); ``rush_days="calendar"`` counts ``wanted_by - requested_on`` in
  calendar days.

Clients are groups where customers are grouped (one client under common control), as in
:mod:`clientguard.metrics.concentration`. Pure: no thresholds, no clock, no I/O.
"""

from __future__ import annotations

import bisect
import functools
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Literal

from clientguard.frozen import Frozen
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import (
    book_measures,
    client_of,
    hours_by_client,
    revenue_by_client,
    window,
)
from clientguard.metrics.cost.polish_calendar import is_polish_day_off
from clientguard.money import ZERO

__all__ = [
    "ClientWorkload",
    "Holidays",
    "RushDays",
    "RushProfile",
    "Workload",
    "lead_counter",
    "rush_profiles",
    "workload",
]

RushDays = Literal["working", "calendar"]
"""How a work request's lead time is counted: ``working`` days (Monday to Friday, less the
public holidays of :data:`Holidays`) or ``calendar`` days."""
Holidays = Literal["pl"]
"""The public-holiday calendars clientguard knows: ``pl``, the Polish days free from work
(:func:`~clientguard.metrics.cost.polish_calendar.is_polish_day_off`, the calendar of art.
115 KC). Without one, working days are Monday to Friday."""


# ---------------------------------------------------------------------------------- capacity
class ClientWorkload(Frozen):
    """One client's hours against what it paid, over the window."""

    client_id: str
    """The client (group or customer id)."""
    hours: Decimal
    """Hours logged on its work."""
    hours_share: Decimal | None
    """``hours / total hours``; None when nobody logged any hours in the window."""
    revenue: Decimal
    """Its net revenue in the window (base currency; zero or negative when credit notes
    match or exceed its invoices)."""
    revenue_share: Decimal | None
    """Its share of revenue as the revenue basis of concentration gives it; None when its net
    revenue is zero or negative (it has no share: see the concentration report's
    ``excluded``)."""
    hours_to_revenue: Decimal | None
    """``hours_share / revenue_share``: 1 is in proportion, 2 takes twice the time its revenue
    would justify. None when either share is missing."""
    revenue_per_hour: Decimal | None
    """``revenue / hours`` (base currency per hour); None without hours."""
    revenue_per_hour_vs_firm: Decimal | None
    """``revenue_per_hour / firm average``: below 1 pays less per hour than the book does
    (the reciprocal of ``hours_to_revenue``). None when either is missing."""


class Workload(Frozen):
    """Hours and revenue of every client over one window."""

    period: tuple[date, date]
    """First and last day of the window, both included."""
    total_hours: Decimal
    """Hours logged on every client's work."""
    total_revenue: Decimal
    """The book's revenue: the sum of the positive net revenues (the revenue shares'
    denominator)."""
    firm_revenue_per_hour: Decimal | None
    """``total_revenue / total_hours``; None without hours."""
    clients: dict[str, ClientWorkload]
    """Per client with hours or revenue in the window, by hours (most first), then by id."""


def workload(ledger: Ledger, *, as_of: date, lookback_days: int = 365) -> Workload:
    """Hours share, hours-to-revenue ratio and revenue per hour per client over the window
    ``(as_of - lookback_days, as_of]``."""
    first, last = window(as_of, lookback_days)
    hours = hours_by_client(ledger, first=first, last=last)
    revenue = revenue_by_client(ledger, first=first, last=last)
    revenue_book = book_measures(revenue)
    total_hours = sum(hours.values(), ZERO)
    total_revenue = revenue_book.total
    firm_rate = total_revenue / total_hours if total_hours > 0 else None
    clients: dict[str, ClientWorkload] = {}
    # Most hours first: the order a person reads a capacity table in.
    for client in sorted(set(hours) | set(revenue), key=lambda c: (-hours.get(c, ZERO), c)):
        client_hours = hours.get(client, ZERO)
        client_revenue = revenue.get(client, ZERO)
        hours_share = client_hours / total_hours if total_hours > 0 else None
        revenue_share = revenue_book.shares.get(client)
        ratio = (
            hours_share / revenue_share
            if hours_share is not None and revenue_share is not None
            else None
        )
        rate = client_revenue / client_hours if client_hours > 0 else None
        clients[client] = ClientWorkload(
            client_id=client,
            hours=client_hours,
            hours_share=hours_share,
            revenue=client_revenue,
            revenue_share=revenue_share,
            hours_to_revenue=ratio,
            revenue_per_hour=rate,
            revenue_per_hour_vs_firm=(
                rate / firm_rate if rate is not None and firm_rate else None
            ),
        )
    return Workload(
        period=(first, last),
        total_hours=total_hours,
        total_revenue=total_revenue,
        firm_revenue_per_hour=firm_rate,
        clients=clients,
    )


# ---------------------------------------------------------------------------------- rush
class RushProfile(Frozen):
    """How often a client wants work "for yesterday"."""

    client_id: str
    """The client (group or customer id)."""
    requests: int
    """Work requests made in the window."""
    rush_requests: int
    """Of those, wanted within ``rush_lead_days`` of being asked."""
    rush_share: Decimal | None
    """``rush_requests / requests``; None without requests."""
    period: tuple[date, date]
    """The window, first and last day."""
    recent_period: tuple[date, date]
    """The recent period: the last ``recent_days`` up to ``as_of``."""
    recent_requests: int
    """Requests made in the recent period."""
    recent_rush_share: Decimal | None
    """Rush share in the recent period; None without requests in it."""
    before_period: tuple[date, date]
    """The ``recent_days`` before the recent period."""
    before_requests: int
    """Requests made in the period before."""
    before_rush_share: Decimal | None
    """Rush share in the period before; None without requests in it."""
    change: Decimal | None
    """``recent_rush_share - before_rush_share`` in share points (0.25 = +25 pp); None when
    either period has no requests."""
    median_lead_days: Decimal | None
    """Median lead time of the window's requests, in the days of :attr:`rush_days` (working
    days by default; a half day for an even count)."""
    rush_days: RushDays
    """The days lead times were counted in: ``working`` or ``calendar``."""
    rush_request_ids: tuple[str, ...]
    """The rush requests of the window, in the ledger's order (requested on, id)."""


def rush_profiles(
    ledger: Ledger,
    *,
    as_of: date,
    rush_lead_days: int,
    lookback_days: int = 365,
    recent_days: int = 90,
    rush_days: RushDays = "working",
    holidays: Holidays | None = None,
) -> dict[str, RushProfile]:
    """The rush profile of every client with work requests in the window, by client id.

    A request is in a period when its ``requested_on`` is; it is rush work when its lead time
    (:func:`lead_counter` of ``rush_days`` and ``holidays``: working days, Monday to Friday
    less ``holidays``' public holidays, by default) is at most ``rush_lead_days``. The recent
    period is
    ``(as_of - recent_days, as_of]`` and the one before is the ``recent_days`` before it, both
    counted whether or not they fall inside the window.
    """
    group = client_of(ledger)
    requests = ledger.work_requests
    first, last = window(as_of, lookback_days)
    recent = window(as_of, recent_days)
    before = window(recent[0] - timedelta(days=1), recent_days)
    start = min(first, before[0])
    lo = bisect.bisect_left(requests, start, key=lambda w: w.requested_on)
    hi = bisect.bisect_right(requests, last, key=lambda w: w.requested_on)
    lead_of = lead_counter(rush_days, holidays)

    # Per client: [requests, rush] for the window, the recent period and the one before.
    counts: dict[str, list[int]] = {}
    leads: dict[str, list[int]] = {}
    rush_ids: dict[str, list[str]] = {}
    for request in requests[lo:hi]:
        client = group(request.customer_id)
        tally = counts.setdefault(client, [0, 0, 0, 0, 0, 0])
        lead = lead_of(request.requested_on, request.wanted_by)
        is_rush = lead <= rush_lead_days
        day = request.requested_on
        if first <= day:
            tally[0] += 1
            tally[1] += is_rush
            leads.setdefault(client, []).append(lead)
            if is_rush:
                rush_ids.setdefault(client, []).append(request.id)
        if recent[0] <= day:
            tally[2] += 1
            tally[3] += is_rush
        elif before[0] <= day <= before[1]:
            tally[4] += 1
            tally[5] += is_rush

    profiles = {}
    for client in sorted(counts):
        n, rush, n_recent, rush_recent, n_before, rush_before = counts[client]
        if n == 0:
            continue  # requests only before the window
        recent_share = _share(rush_recent, n_recent)
        before_share = _share(rush_before, n_before)
        profiles[client] = RushProfile(
            client_id=client,
            requests=n,
            rush_requests=rush,
            rush_share=_share(rush, n),
            period=(first, last),
            recent_period=recent,
            recent_requests=n_recent,
            recent_rush_share=recent_share,
            before_period=before,
            before_requests=n_before,
            before_rush_share=before_share,
            change=(
                recent_share - before_share
                if recent_share is not None and before_share is not None
                else None
            ),
            median_lead_days=_median(leads.get(client, [])),
            rush_days=rush_days,
            rush_request_ids=tuple(rush_ids.get(client, ())),
        )
    return profiles


def lead_counter(
    rush_days: RushDays = "working", holidays: Holidays | None = None
) -> Callable[[date, date], int]:
    """A function ``(requested_on, wanted_by) -> lead time`` in the days of ``rush_days``.

    ``calendar``: ``(wanted_by - requested_on).days``. ``working``: the working days of
    ``[requested_on, wanted_by)`` (the day asked counts, the day wanted does not; negative,
    the same count, when ``wanted_by`` is earlier), working days being Monday to Friday less
    the public holidays of ``holidays``. An end that falls on a day off counts as the next
    working day: Saturday for Monday is 0 (the lead starts on Monday), Friday for Saturday 1,
    as Friday for Monday. Each date's working-day ordinal is computed once per counter.
    """
    if rush_days == "calendar":
        return _calendar_lead
    if rush_days != "working":
        raise ValueError(f"rush_days {rush_days!r}: use 'working' or 'calendar'")
    if holidays is None:
        return lambda asked, wanted: _weekdays_before(wanted) - _weekdays_before(asked)
    if holidays != "pl":
        raise ValueError(f"no public-holiday calendar {holidays!r}: use 'pl' or None")
    ordinals: dict[date, int] = {}

    def ordinal(day: date) -> int:
        known = ordinals.get(day)
        if known is None:
            known = ordinals[day] = _weekdays_before(day) - _polish_weekday_holidays_before(day)
        return known

    return lambda asked, wanted: ordinal(wanted) - ordinal(asked)


def _calendar_lead(asked: date, wanted: date) -> int:
    return (wanted - asked).days


def _weekdays_before(day: date) -> int:
    """Mondays to Fridays before ``day`` since 1 January of year 1 (a Monday, ordinal 1)."""
    weeks, rest = divmod(day.toordinal() - 1, 7)
    return 5 * weeks + min(rest, 5)


_HOLIDAY_EPOCH = 2000
"""The year the Polish holiday counts start from (earlier years count negatively): only the
difference of two counts is ever used."""


def _polish_weekday_holidays_before(day: date) -> int:
    """Polish public holidays falling Monday to Friday before ``day``, counted from
    :data:`_HOLIDAY_EPOCH`."""
    in_year = _polish_weekday_holidays(day.year)
    return _polish_weekday_holidays_before_year(day.year) + bisect.bisect_left(in_year, day)


@functools.cache
def _polish_weekday_holidays(year: int) -> tuple[date, ...]:
    """The Polish public holidays of ``year`` that fall Monday to Friday, in order (a holiday on
    a Saturday or Sunday takes no working day)."""
    first = date(year, 1, 1)
    days = (first + timedelta(days=n) for n in range((date(year, 12, 31) - first).days + 1))
    return tuple(day for day in days if day.weekday() < 5 and is_polish_day_off(day))


@functools.cache
def _polish_weekday_holidays_before_year(year: int) -> int:
    if year >= _HOLIDAY_EPOCH:
        return sum(len(_polish_weekday_holidays(y)) for y in range(_HOLIDAY_EPOCH, year))
    return -sum(len(_polish_weekday_holidays(y)) for y in range(year, _HOLIDAY_EPOCH))


def _share(part: int, whole: int) -> Decimal | None:
    return Decimal(part) / whole if whole else None


def _median(values: list[int]) -> Decimal | None:
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return Decimal(ordered[middle])
    return Decimal(ordered[middle - 1] + ordered[middle]) / 2
