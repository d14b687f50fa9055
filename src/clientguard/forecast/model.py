"""The forecast: when each open invoice will be paid, learned from the ledger's own history.

The model (docs/forecast.md says why each part is as it is):

* **The delay.** An invoice's delay is ``settled_on - due_date`` in days (negative when paid
  early), from the settlement replay as of ``as_of``: only invoices settled by ``as_of`` (and
  those open on ``as_of``, censored: see Survival) teach the model, so nothing after
  ``as_of`` reaches a prediction.
* **The client's distribution.** The client's past delays, each weighted by its recency
  (``0.5 ** (age / Policy.forecast_half_life_days)``, the age counted from its due date to
  ``as_of``: the recency of the obligation, which does not depend on the delay, where the day
  paid would weigh a late payment more): a client whose last invoices slip moves its
  distribution with them (its trend).
* **The book's distribution** (the pool) for invoices like this one: the book's delays of
  invoices with the same disputed flag and in the same amount band (below or above the book's
  median amount), falling back to the disputed flag alone and then to the whole book where a
  pool has fewer than ``Policy.forecast_min_pool`` invoices. The flag is the dispute as it
  stood on ``as_of`` (``Invoice.disputed_by``): one raised later had not happened then.
* **Shrinkage.** The prediction is the mixture ``Z x client + (1 - Z) x pool`` with the
  Buhlmann-Straub credibility weight ``Z = n / (n + k)``, ``n`` the client's paid invoices
  and its open invoices already late (at their age), and ``k = EPV / VHM`` (the expected
  within-client variance of the delays over the variance of the clients' true means),
  estimated from the book (Buhlmann and Straub 1970; Buhlmann and Gisler, *A Course in
  Credibility Theory*, Springer 2005, section 4.8). The mixture's mean is the credibility
  estimate of the client's mean delay.
* **Survival.** An invoice still open as of ``as_of`` has not been paid by then: its
  distribution is conditioned on delays beyond its current age (``as_of - due_date``). The
  distributions are Kaplan-Meier estimates (Kaplan and Meier 1958): every invoice open on
  ``as_of`` is a right-censored delay, longer than its age (negative while not yet due), in
  its client's distribution and its pools, weighted by its due date as the paid ones; those
  already late (more than ``grace_days`` past due) in the credibility's tallies too. A
  client's part its own history leaves unresolved is completed by its pool's beyond its last
  paid delay (having paid none, beyond its youngest invoice already late). The chance no
  paid delay resolves (open invoices older than every paid one) is after the 13 weeks; an
  invoice already late whose history resolves less than the interval's first tenth, or that
  is older than all but a few paid
  (:data:`MIN_PAID_BEYOND`), is not dated and wholly after them. One not yet late may still
  be paid on time: never so, and dated from the book's slowest tenth where the history does
  not resolve it and what it leaves may be on time. An invoice on its last day on time
  (``age == grace_days``: due on ``as_of`` by default) is known unpaid only by the day
  before (:func:`_known_unpaid`): a payment that day would still be on time, as the lateness
  rules say, and a run during the day may not hold it yet.

Days are integers; weights and probabilities are floats (they are ratios of weights, never
money, and a million invoices must forecast in seconds); money stays Decimal (the cash-in
forecast multiplies Decimal balances by probabilities rounded to six places, each week's the
step of the running total's, so that the weeks and ``after`` add up to the balance exactly).
"""

from __future__ import annotations

import bisect
import math
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from itertools import compress
from typing import Any, NamedTuple

from clientguard.forecast.outlook import CashWeek, ClientOutlook, Forecast, InvoiceForecast
from clientguard.gcpause import collector_paused
from clientguard.ledger import Ledger
from clientguard.model import FIRST_DATE, Invoice
from clientguard.policy import Policy
from clientguard.settlement import (
    LIVE_STATUSES,
    Replay,
    _open_rows,
    _Unvalidated,
    cancelled_by_credit,
    check_as_of,
    is_cancelled,
    replay,
)

__all__ = [
    "Model",
    "forecast",
    "learn",
    "paid_by_client",
]

WEEKS = 13
"""The cash-in forecast's weeks: the treasurer's 13-week view."""
_Z80 = 1.2815515655446004
"""The standard normal's 90th percentile: the half-width of an 80% interval in sds."""
_PROBABILITY_PLACES = Decimal("0.000001")


_MOST_HALVINGS = 1000.0
"""The most half-lives a weight is raised or lowered by: 2 ** 1000 is about 1e301, within a
float; an invoice due centuries from ``as_of`` (the model takes 1900 to 2999) would overflow."""


def _recency(days: int, half_life: float) -> float:
    """The weight of an obligation due ``days`` before ``as_of`` (negative: not yet due):
    halved every ``half_life`` days, bounded so that no date the model takes overflows."""
    halvings: float = max(-_MOST_HALVINGS, min(_MOST_HALVINGS, days / half_life))
    return float(0.5**halvings)


class _Dist:
    """A weighted empirical distribution of integer delays: sorted values, cumulative
    weights. With right-censored delays (invoices open and already late: known only to be
    longer than their age) it is the Kaplan-Meier estimate: the chance of each paid delay is
    its share of the invoices still unpaid by then, so an open invoice older than every paid
    delay leaves a chance the history never resolves (:attr:`unresolved`)."""

    __slots__ = ("counts", "cum", "n", "resolved", "tau", "total", "unresolved", "values")

    def __init__(self, pairs: Iterable[tuple[int, float]], *, n: int,
                 censored: Iterable[tuple[int, float]] = (),
                 counts: Mapping[int, int] | None = None,
                 late_after: int | None = None) -> None:
        ordered = sorted(pairs)
        self.values = [v for v, _ in ordered]
        self.cum: list[float] = []
        cut = sorted(censored)
        running = 0.0
        if not cut:
            for _, weight in ordered:
                running += weight
                self.cum.append(running)
            self.total = running
            self.unresolved = 0.0
            self.tau = self.values[-1] if self.values else 0
        else:
            # Kaplan-Meier, weighted: an invoice open ``c`` days past due is at risk of being
            # paid at every delay up to ``c`` (it was unpaid then), and unknown beyond.
            total = sum(weight for _, weight in ordered) + sum(weight for _, weight in cut)
            # The weight at risk at each paid delay, added up from the longest delay down
            # (suffix sums): taken from the total by subtraction, an old history's tiny
            # weights vanished in a new invoice's (1 - 1e-77 is 1.0 in floats), and the
            # paid delays then counted for nothing.
            paid_after = [0.0] * (len(ordered) + 1)
            for k in range(len(ordered) - 1, -1, -1):
                paid_after[k] = paid_after[k + 1] + ordered[k][1]
            cut_values = [value for value, _ in cut]
            cut_after = [0.0] * (len(cut) + 1)
            for k in range(len(cut) - 1, -1, -1):
                cut_after[k] = cut_after[k + 1] + cut[k][1]
            survival = 1.0
            for k, (value, weight) in enumerate(ordered):
                # At risk: this paid invoice and those after it, and the open ones unpaid
                # at least this long (censored at ``value`` or later).
                at_risk = paid_after[k] + cut_after[bisect.bisect_left(cut_values, value)]
                jump = survival * weight / at_risk if at_risk > 0 else 0.0
                survival -= jump
                running = min(total, running + jump * total)  # float error: never above
                self.cum.append(running)
            self.total = total
            self.unresolved = max(0.0, survival)
            """The chance of a delay longer than every one the history resolves."""
            self.tau = max(self.values[-1], cut[-1][0]) if self.values else cut[-1][0]
            """The longest delay known (paid or open): the unresolved chance is at least it."""
        if self.values:
            self.resolved = self.values[-1]
        else:
            first_late = (len(cut) if late_after is None
                          else bisect.bisect_right(cut, (late_after, math.inf)))
            self.resolved = cut[first_late][0] if first_late < len(cut) else self.tau
        """Where what the history leaves unresolved begins: the longest paid delay; without
        one, the youngest open invoice already late (more than ``late_after`` days past due:
        every late one was unpaid that long, and nothing of its own resolves a later delay),
        else :attr:`tau`. Not the oldest open invoice: one dead invoice 200 days late would
        leave every other late invoice of a client that never paid unresolved to 200 days."""
        self.n = n
        """The paid invoices behind it (a histogram holds each delay once)."""
        seen = 0
        self.counts: list[int] = []
        """How many paid invoices had each value or less (cumulative, by ``values``)."""
        for value in self.values:
            seen += counts.get(value, 0) if counts is not None else 1
            self.counts.append(seen)

    def cdf(self, x: int) -> float:
        """P(delay <= x)."""
        if not self.total:
            return 0.0
        i = bisect.bisect_right(self.values, x)
        return self.cum[i - 1] / self.total if i else 0.0

    def paid_after(self, x: int) -> int:
        """How many paid invoices had a delay longer than ``x``."""
        if not self.counts:
            return 0
        i = bisect.bisect_right(self.values, x)
        return self.counts[-1] - (self.counts[i - 1] if i else 0)

    def mean(self) -> float:
        return self._mean(lambda value: value)

    def mean_positive(self) -> float:
        return self._mean(lambda value: max(0, value))

    def _mean(self, of: Callable[[int], int]) -> float:
        """The mean of ``of(delay)``; the unresolved chance counts at :attr:`tau` (the
        restricted mean: at least what is known)."""
        previous = 0.0
        total = 0.0
        for value, cum in zip(self.values, self.cum, strict=True):
            total += of(value) * (cum - previous)
            previous = cum
        if self.unresolved:
            total += of(self.tau) * self.unresolved * self.total
        return total / self.total if self.total else 0.0


@dataclass(frozen=True)
class _Mixture:
    client: _Dist | None
    pool: _Dist
    z: float
    known: dict[int, float] = field(default_factory=dict, compare=False, repr=False)
    """The cdf's values computed so far: a model hands out one mixture per client, flag and
    band, so its invoices (and their quantiles' searches) share them."""
    at_age: dict[tuple[int, int, float], _AtAge] = field(
        default_factory=dict, compare=False, repr=False)
    """What the model predicts from this mixture at each age, days known unpaid and interval
    level computed so far (:meth:`Model._at_age`)."""

    def cdf(self, x: int) -> float:
        value = self.known.get(x)
        if value is None:
            value = self.known[x] = self._cdf(x)
        return value

    def _cdf(self, x: int) -> float:
        pool = self.pool.cdf(x)
        if self.client is None or not self.z:
            return pool
        client = self.client.cdf(x)
        start = self.client.resolved
        if self.client.unresolved and x > start:
            # Beyond the last delay the client's own history resolves (its longest paid
            # delay; having paid none, its youngest invoice already late), the part it leaves
            # unresolved is paid as the pool's invoices unpaid that late were: the book's
            # experience, where the client has none. Not from its oldest open invoice: one
            # dead invoice 200 days late would push every other open invoice of the client
            # past 200 days. A late invoice of a client that never paid is thus dated as the
            # pool's invoices unpaid at its own age were. What the pool leaves unresolved too
            # stays so (after the 13 weeks, or never).
            base = self.pool.cdf(start)
            if base < 1:
                client += self.client.unresolved * (pool - base) / (1 - base)
        return self.z * client + (1 - self.z) * pool

    def unresolved_beyond(self) -> int | None:
        """The delay the chance no paid delay resolves lies beyond (None: there is none): the
        pool's last paid delay for its own part, and for the client's the later of its own
        last paid delay (where the book completes it) and the pool's. Beyond ``grace_days``,
        that chance is of a late payment; before, it may still be on time."""
        beyond: list[int] = []
        if self.pool.unresolved and (self.client is None or self.z < 1):
            beyond.append(self.pool.resolved)
        if self.client is not None and self.z and self.client.unresolved:
            beyond.append(max(self.client.resolved, self.pool.resolved))
        return min(beyond) if beyond else None

    def top(self) -> int:
        top = self.pool.values[-1] if self.pool.values else 0
        if self.client is not None and self.client.values:
            top = max(top, self.client.values[-1])
        return top

    def paid_after(self, x: int) -> int:
        """How many paid invoices its parts (the client's, when it has weight, and the
        pool's) hold with a delay longer than ``x``: the larger of the two (the pool
        holds the client's own, mostly)."""
        paid = self.pool.paid_after(x)
        if self.client is not None and self.z:
            paid = max(paid, self.client.paid_after(x))
        return paid

    def quantile(self, q: float, above: int) -> int | None:
        """The smallest x > above with P(D <= x | D > above) >= q; None where the chance
        the history resolves (paid delays) does not reach ``q``: the rest is of invoices
        not paid by any delay seen (the caller checks that mass remains above ``above``)."""
        base = self.cdf(above)
        target = base + q * (1 - base)
        top = self.top()
        if self.cdf(top) < target - 1e-12:
            return None
        low, high = above + 1, top
        while low < high:
            mid = (low + high) // 2
            if self.cdf(mid) >= target - 1e-12:
                high = mid
            else:
                low = mid + 1
        return low


class _AtAge(NamedTuple):
    """What a model predicts for an open invoice of one mixture and age (days past due)."""

    beyond: bool
    """Too few invoices were ever paid later than its age (:data:`MIN_PAID_BEYOND`): not
    dated, and counted after the 13 weeks."""
    predicted_on: date | None
    low: date | None
    high: date | None
    """None where the quantile falls in the chance no paid delay resolves (maybe never)."""
    p_late: float
    p_late_30: float
    weeks: tuple[tuple[int, float, Decimal], ...]
    """The weeks (0 to 12) it may be paid in, each with its chance, as a float and as the
    Decimal the cash-in multiplies the balance by; weeks of no chance are left out."""
    after: Decimal
    """The chance it is paid after the 13 weeks (or never), as the cash-in's Decimal."""


@dataclass(frozen=True)
class _Client:
    dist: _Dist
    z: float
    n: int
    """Its paid invoices."""
    mean: float | None
    """The recency-weighted mean delay of its paid invoices (None: none paid)."""
    trend: float | None
    open_late: int = 0
    """Its invoices open on the model's date and already late (right-censored delays)."""


class Model:
    """What :func:`learn` learned from a ledger as of a date: the clients' and the book's
    delay distributions and the credibility weights. Internal state; read it through
    :meth:`predict` and :meth:`outlook`."""

    def __init__(
        self,
        *,
        as_of: date,
        policy: Policy,
        clients: dict[str, _Client],
        pools: dict[tuple[bool | None, int | None], _Dist],
        band_edge: Decimal,
        k: float | None,
        history: int,
        base_amount: Callable[[Invoice], Decimal],
        tail_level: float = 0.1,
        tail: Sequence[int] = (),
    ) -> None:
        self.as_of = as_of
        self.policy = policy
        self._clients = clients
        self._pools = pools
        self._band_edge = band_edge
        self._base_amount = base_amount
        """An invoice's total in the base currency (:meth:`Ledger.base_amount`): its size,
        which decides its amount band, as for the invoices the model learned from."""
        self.k = k
        self.history = history
        self.tail_level = tail_level
        """The quantile level of the interval's ends (0.1 and 0.9 unless calibrated wider)."""
        self.tail = tail
        """The book's slowest tenth's delays past its 90th percentile (at least 1 day),
        sorted: the residual delay of an invoice not yet late that the history does not
        resolve (:meth:`_at_age`)."""
        self._mixtures: dict[tuple[str, bool, int], tuple[_Mixture, str, _Client | None]] = {}

    def _pool(self, disputed: bool, band: int) -> tuple[str, _Dist]:
        size = "large" if band else "small"
        flag = "disputed" if disputed else "not disputed"
        minimum = self.policy.forecast_min_pool
        for key, name in (
            ((disputed, band), f"{flag}, {size}"), ((disputed, None), flag), ((None, None), "book")
        ):
            pool = self._pools.get(key)
            if pool is not None and (pool.n >= minimum or key == (None, None)):
                return name, pool
        return "book", self._pools[(None, None)]

    def mixture(self, customer_id: str, disputed: bool, amount: Decimal) -> tuple[
        _Mixture, str, _Client | None
    ]:
        """The mixture an invoice of ``customer_id``, ``disputed`` or not, and of ``amount``
        is predicted from, the name of its pool and its client. ``amount`` is the invoice's
        total in the base currency (its size as the client sees it, however much is left to
        pay): its whole units decide the band, as they do for the invoices learned."""
        band = 1 if int(amount) > self._band_edge else 0
        key = (customer_id, disputed, band)
        held = self._mixtures.get(key)
        if held is None:
            name, pool = self._pool(disputed, band)
            client = self._clients.get(customer_id)
            z = client.z if client is not None else 0.0
            held = self._mixtures[key] = (
                _Mixture(client.dist if client else None, pool, z), name, client)
        return held

    def predict(self, row: Replay, open_balance_base: Decimal) -> InvoiceForecast:
        """The forecast of one invoice open as of the model's date."""
        return InvoiceForecast(**self._prediction(row, open_balance_base)[0])

    def _prediction(
        self, row: Replay, open_balance_base: Decimal
    ) -> tuple[dict[str, Any], _AtAge]:
        """The fields of :meth:`predict`'s forecast, in the model's order, and what the
        invoice's mixture says at its age (the weekly chances of :func:`forecast`)."""
        invoice = row.invoice
        customer_id = invoice.customer_id
        # As the dispute stood on the model's date: one raised later is not known then.
        disputed = invoice.disputed_by(self.as_of)
        # The band of its total, as it was learned (censored) by: not of what is left, which
        # put a large invoice paid but for 100 in the small band.
        mixture, pool_name, client = self.mixture(
            customer_id, disputed, self._base_amount(invoice))
        age = (self.as_of - invoice.due_date).days
        at = self._at_age(mixture, age, _known_unpaid(age, self.policy.grace_days))
        return {
            "invoice_id": invoice.id,
            "customer_id": customer_id,
            "due_date": invoice.due_date,
            "open_balance_base": open_balance_base,
            "days_past_due": age,
            "predicted_on": at.predicted_on,
            "low": at.low,
            "high": at.high,
            "p_late": at.p_late,
            "p_late_30": at.p_late_30,
            "client_weight": mixture.z,
            "client_invoices": client.n if client else 0,
            "client_mean_delay": client.mean if client else None,
            "client_trend": client.trend if client else None,
            "pool": pool_name,
            "pool_invoices": mixture.pool.n,
            "disputed": disputed,
            "beyond_history": at.beyond,
            "client_open_late": client.open_late if client else 0,
        }, at

    def _at_age(self, mixture: _Mixture, age: int, known: int) -> _AtAge:
        """What ``mixture`` predicts for an invoice ``age`` days past its due date and known
        unpaid ``known`` days past it (``age``, or ``age - 1`` where a payment on ``as_of``
        would still be on time: :func:`_known_unpaid`): the same for every such invoice (its
        due date is ``as_of - age``), so computed once per mixture, age and interval level
        and kept."""
        key = (age, known, self.tail_level)
        held = mixture.at_age.get(key)
        if held is not None:
            return held
        grace = self.policy.grace_days
        resolved = _resolves(mixture, known, self.tail_level)
        beyond = known > grace and (
            not resolved or mixture.paid_after(known) < MIN_PAID_BEYOND)
        unresolved_from = mixture.unresolved_beyond()
        tail: Sequence[int] | None = None
        low_d: int | None
        mid_d: int | None
        high_d: int | None
        if beyond:
            # Not dated: no (or too little) history of a payment this late. It is late
            # already, and wholly after the 13 weeks.
            low_d = mid_d = high_d = None
            p_late = p_late_30 = 1.0
        elif not resolved and (unresolved_from is None or unresolved_from < grace):
            # Not yet late, and unpaid longer than (nearly) every delay the history resolves,
            # where what it leaves unresolved may still be paid on time (a book that pays on
            # the issue day, and an invoice issued today): it is neither called certainly late
            # nor left undated. Its delay beyond its age is the book's slowest tenth's
            # residual (as before open invoices were censored).
            tail = self.tail or [1]
            low_d = known + _quantile(tail, self.tail_level)
            mid_d = known + _quantile(tail, 0.5)
            high_d = known + _quantile(tail, 1 - self.tail_level)
            p_late = _share_above(tail, grace - known)
            p_late_30 = 1.0 if known >= 30 else _share_above(tail, 30 - known)
        else:
            low_d = mixture.quantile(self.tail_level, known)
            mid_d = mixture.quantile(0.5, known)
            high_d = mixture.quantile(1 - self.tail_level, known)
            p_late = _p_above(mixture, grace, known)
            p_late_30 = _p_above(mixture, 30, known)
        due = self.as_of - timedelta(days=age)
        # The first day it may be paid: the day after the last day it is known unpaid
        # (``as_of`` itself for an invoice on its last day on time).
        first = due + timedelta(days=known + 1)
        weeks: list[tuple[int, float, Decimal]] = []
        # Each week's chance as the difference of the running chances rounded to six places:
        # the weeks' chances and ``after`` (the rest) add up to exactly 1, so the cash-in's
        # weeks and ``after`` add up to the open balance exactly, whatever its size.
        covered = 0.0
        rounded = Decimal(0)
        for week, p in enumerate(_weekly(mixture, age, known, beyond, tail)):
            if p > 0:
                covered += p
                upto = _probability(min(1.0, covered))
                weeks.append((week, p, upto - rounded))
                rounded = upto
        held = mixture.at_age[key] = _AtAge(
            beyond=beyond,
            predicted_on=_day(due, mid_d, first),
            low=_day(due, low_d, first),
            high=_day(due, high_d, first),
            p_late=p_late,
            p_late_30=p_late_30,
            weeks=tuple(weeks),
            after=1 - rounded,
        )
        return held

    def outlook(self, customer_id: str) -> ClientOutlook:
        """The client's expected days late on its next (not yet issued) invoice."""
        _, pool = self._pool(False, 0)  # the band of an amount at the edge
        client = self._clients.get(customer_id)
        z = client.z if client else 0.0
        expected = (1 - z) * pool.mean_positive()
        p_late = (1 - z) * (1 - pool.cdf(self.policy.grace_days))
        if client is not None:
            expected += z * client.dist.mean_positive()
            p_late += z * (1 - client.dist.cdf(self.policy.grace_days))
        return ClientOutlook(
            customer_id=customer_id,
            expected_days_late=expected,
            p_late=p_late,
            client_weight=z,
            client_invoices=client.n if client else 0,
        )


def _day(due: date, delay: int | None, first: date) -> date | None:
    if delay is None:
        return None
    return max(due + timedelta(days=delay), first)


MIN_PAID_BEYOND = 5
"""The fewest paid invoices later than a late invoice's age that its prediction may rest on:
with fewer (in the client's history, when it has weight, and in the pool), the invoice is not
dated and its balance is counted after the 13 weeks (docs/forecast.md, "Survival")."""


def _resolves(mixture: _Mixture, known: int, level: float) -> bool:
    """Whether the paid delays longer than ``known`` resolve at least ``level`` of an
    invoice's chance once it is known unpaid ``known`` days past due: its interval's first
    day can be dated (:meth:`_Mixture.quantile` finds it). An invoice already late that the
    history does not resolve is not dated at all (``beyond_history``); one not yet late is
    dated from the book's tail (:meth:`Model._at_age`)."""
    base = mixture.cdf(known)
    top = mixture.cdf(mixture.top())
    if top - base <= 1e-9:
        return False
    return top >= base + level * (1 - base) - 1e-12


def _quantile(ordered: Sequence[int], q: float) -> int:
    """The ``q`` quantile of sorted whole days (not empty)."""
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _share_above(ordered: Sequence[int], x: int) -> float:
    """The share of sorted whole days (not empty) above ``x``."""
    return (len(ordered) - bisect.bisect_right(ordered, x)) / len(ordered)


def _known_unpaid(age: int, grace_days: int) -> int:
    """The days past due an invoice open on ``as_of`` and ``age`` days past due is known to
    have been unpaid: ``age`` (the replay counts the payments dated ``as_of``), except on its
    last day on time (``age == grace_days``; with no grace, the due date itself), where it is
    ``age - 1``. The lateness rules call a payment that day on time (late is more than
    ``grace_days`` after the due date), and a review run during the day (the CLI's
    ``--as-of`` is today) may not yet hold a payment made that day: conditioning on the whole
    day would call the invoice certain to be late while it can still be paid on time
    (docs/forecast.md, "An invoice due on as_of")."""
    return age - 1 if age == grace_days else age


def _p_above(mixture: _Mixture, x: int, age: int) -> float:
    """P(D > x | D > age)."""
    base = mixture.cdf(age)
    if x <= age:
        return 1.0
    return max(0.0, min(1.0, (1 - mixture.cdf(x)) / (1 - base)))


# -------------------------------------------------------------------------------- learning
def _credibility_k(stats: dict[str, list[int]]) -> float | None:
    """Buhlmann-Straub's ``k = EPV / VHM`` with the nonparametric estimators (each invoice
    weight 1), from each client's ``[n, sum, sum of squares]`` of its delays: EPV = sum of
    within-client squared deviations / sum(n_c - 1); VHM = (sum n_c (mean_c - mean)^2 - (C - 1)
    EPV) / (N - sum n_c^2 / N). None when VHM <= 0 (the clients do not differ beyond noise:
    every weight is 0) or with fewer than two clients."""
    groups = [tally for tally in stats.values() if tally[0]]
    count = sum(n for n, _, _ in groups)
    if len(groups) < 2 or count <= len(groups):
        return None
    within = sum(squares - total * total / n for n, total, squares in groups)
    epv = within / (count - len(groups))
    grand = sum(total for _, total, _ in groups) / count
    between = sum(n * (total / n - grand) ** 2 for n, total, _ in groups)
    denominator = count - sum(n * n for n, _, _ in groups) / count
    vhm = (between - (len(groups) - 1) * epv) / denominator if denominator > 0 else 0.0
    if vhm <= 0:
        return None
    return epv / vhm


def learn(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    rows: Sequence[Replay] | None = None,
    calibrate: bool = True,
    _paid: _Paid | None = None,
    _censored: Sequence[_Censored] | None = None,
) -> Model:
    """Learn the delay distributions from the invoices settled by ``as_of`` and those open
    on ``as_of`` (right-censored: their delay is longer than their age).

    ``rows`` is the replay as of ``as_of`` where the caller already holds it; ``calibrate``
    False skips the interval's calibration (the plain deciles). ``_paid`` (internal) are the
    paid invoices' columns where the caller already holds them (the calibration's model), and
    ``_censored`` the open ones (read off ``rows`` when not given).
    """
    as_of = check_as_of(as_of)
    policy = policy or Policy()
    if rows is None:
        rows = replay(ledger, as_of=as_of, policy=policy)
    paid = _paid if _paid is not None else _paid_columns(ledger, rows)
    if _censored is None:
        _censored = _open_on(ledger, _open_rows(ledger, rows), as_of)
    half_life = float(policy.forecast_half_life_days)
    # Histograms (delay -> summed weight), not lists: a million invoices hold a few hundred
    # distinct delays, so sorting and summing stay cheap. The paid invoices are first counted
    # by (client, delay, day paid, disputed, amount band), in C (Counter over zipped columns),
    # and the weights are added once per distinct key, in the order the keys first occur.
    amounts = paid.amounts
    history = len(amounts)
    band_edge = _median_low(amounts) if amounts else 0
    # Each distinct amount's band once (a million paid invoices hold a few thousand distinct
    # whole amounts), then every invoice's read off it (in C).
    band_of = {amount: 1 if amount > band_edge else 0 for amount in set(amounts)}
    bands = list(map(band_of.__getitem__, amounts))
    # Each one's dispute as it stood on ``as_of``: one raised later had not happened yet.
    disputed_then = paid.disputed_as_of(as_of)
    keyed: Counter[tuple[str, int, date, bool, int]] = Counter(zip(
        paid.customers, paid.delays, paid.days, disputed_then, bands, strict=True))
    per_client: dict[str, dict[int, float]] = defaultdict(lambda: defaultdict(float))
    # Each client's count of each delay, read off the same keys (whole numbers, so their
    # order does not matter) instead of counting every paid invoice's (client, delay) again.
    per_client_counts: dict[str, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    # Each day paid's distance to ``as_of``, and each weight by the days from the due date
    # to ``as_of`` (the day paid's distance plus the delay).
    days_since: dict[date, int] = {}
    weights: dict[int, float] = {}
    pooled: dict[tuple[bool | None, int | None], dict[int, float]] = defaultdict(
        lambda: defaultdict(float))
    # Each pool's count of each delay (the paid invoices a prediction rests on beyond an age).
    pooled_counts: dict[tuple[bool | None, int | None], dict[int, int]] = defaultdict(
        lambda: defaultdict(int))
    # The three pools an invoice of each (disputed, band) adds to, looked up once per pair
    # (its own, its flag's and the book's), and their counts: one look-up a key for the six.
    targets: dict[tuple[bool, int], tuple[
        dict[int, float], dict[int, float], dict[int, float],
        dict[int, int], dict[int, int], dict[int, int]]] = {}
    for (customer_id, delay, day, disputed, band), count in keyed.items():
        # The recency of the obligation: days from its due date (the day paid less its
        # delay) to ``as_of``. Not from the day paid: a late payment is paid later, so that
        # weight grows with the delay itself and tilts the distribution to long delays.
        since = days_since.get(day)
        if since is None:
            since = days_since[day] = (as_of - day).days
        weight = weights.get(since + delay)
        if weight is None:
            weight = weights[since + delay] = _recency(since + delay, half_life)
        mass = weight * count
        per_client[customer_id][delay] += mass
        per_client_counts[customer_id][delay] += count
        pair = (disputed, band)
        histograms = targets.get(pair)
        if histograms is None:
            histograms = targets[pair] = (
                pooled[pair], pooled[(disputed, None)], pooled[(None, None)],
                pooled_counts[pair], pooled_counts[(disputed, None)],
                pooled_counts[(None, None)])
        own, flag, book_histogram, own_count, flag_count, book_count = histograms
        own[delay] += mass
        flag[delay] += mass
        book_histogram[delay] += mass
        own_count[delay] += count
        flag_count[delay] += count
        book_count[delay] += count
    # A key a paid invoice nearly (a tuple each): gone before the calibration learns its own.
    del keyed
    # The clients keep the order they first appear in (that of the keys).
    paid_stats, book_counts = _tallies(per_client_counts)
    # Every open invoice, right-censored at the days past due it is known unpaid (weighted
    # by its due date's recency, as the paid ones), in its client's distribution and its
    # pools: an invoice not yet due too, at its (negative) age. One on its last day on time
    # is known unpaid only by the day before (:func:`_known_unpaid`), as its prediction.
    # Those already late count in the credibility's tallies too (at their age: a lower bound
    # of their delay); those not yet late do not (their age says little of their delay).
    stats = {customer_id: list(tally) for customer_id, tally in paid_stats.items()}
    grace = policy.grace_days
    open_censored: dict[str, list[tuple[int, float]]] = defaultdict(list)
    pooled_open: dict[tuple[bool | None, int | None], list[tuple[int, float]]] = defaultdict(
        list)
    # Sorted: the clients they add to the tallies come in one order, whatever order the
    # caller found them in (the credibility's float sums follow it).
    late_count: Counter[str] = Counter()
    for customer_id, age, disputed, units in sorted(_censored):
        band = 1 if units > band_edge else 0
        censored_at = (_known_unpaid(age, grace), _recency(age, half_life))
        open_censored[customer_id].append(censored_at)
        for key in ((disputed, band), (disputed, None), (None, None)):
            if key in pooled:
                pooled_open[key].append(censored_at)
        if age <= grace:
            continue
        late_count[customer_id] += 1
        sums = stats.setdefault(customer_id, [0, 0, 0])
        sums[0] += 1
        sums[1] += age
        sums[2] += age * age
    counts = _pool_counts(disputed_then, bands)
    pools = {key: _Dist(histogram.items(), n=counts[key], censored=pooled_open.get(key, ()),
                        counts=pooled_counts[key])
             for key, histogram in pooled.items()}
    if (None, None) not in pools:
        # No history at all: a book that pays on the due date, and says so (pool of 0).
        pools[(None, None)] = _Dist([(0, 1.0)], n=0)
    # The book's slowest tenth's delays past its 90th percentile: what an invoice not yet
    # late but unpaid longer than the history resolves is dated from.
    ordered = sorted(book_counts)
    cut = _count_quantile(ordered, book_counts, history, 0.9) if history else 0
    tail: list[int] = []
    for delay in ordered:
        if delay > cut:
            tail.extend([max(1, delay - cut)] * book_counts[delay])
    k = _credibility_k(stats)
    clients: dict[str, _Client] = {}
    for customer_id, (n_all, _, _) in stats.items():
        histogram = per_client.get(customer_id, {})
        n, total, _ = paid_stats.get(customer_id, (0, 0, 0))
        censored = open_censored.get(customer_id, [])
        z = n_all / (n_all + k) if k is not None else 0.0
        dist = _Dist(histogram.items(), n=n, censored=censored,
                     counts=per_client_counts.get(customer_id), late_after=grace)
        mean: float | None = None
        trend: float | None = None
        if n:
            # What its paid invoices say ("mean +24 days"): without the open ones.
            weighted = (_Dist(histogram.items(), n=n) if censored else dist).mean()
            mean, trend = weighted, weighted - total / n
        clients[customer_id] = _Client(dist, z, n, mean, trend, late_count[customer_id])
    model = Model(
        as_of=as_of, policy=policy, clients=clients, pools=pools,
        band_edge=Decimal(band_edge), k=k, history=history, tail=tail,
        base_amount=ledger.base_amount,
    )
    if calibrate:
        model.tail_level = _out_of_time_tail(ledger, model, rows, paid)
    return model


def _count_quantile(ordered: Sequence[int], counts: Mapping[int, int], total: int,
                    q: float) -> int:
    """The value at position ``int(q x total)`` of the sorted values a histogram holds."""
    position = min(total - 1, int(q * total))
    seen = 0
    for value in ordered:
        seen += counts[value]
        if seen > position:
            return value
    return ordered[-1]


def _median_low(values: Sequence[int]) -> int:
    """The low median of ``values`` (not empty): :func:`statistics.median_low`, the value at
    position ``(n - 1) // 2`` of the sorted values, found by counting each distinct value
    (a million paid invoices hold a few thousand distinct whole amounts) rather than by
    sorting them all. Raises ValueError for no values."""
    counts = Counter(values)
    position = (len(values) - 1) // 2
    seen = 0
    for value in sorted(counts):
        seen += counts[value]
        if seen > position:
            return value
    raise ValueError("no median of no values")


def _delay_tallies(
    customers: Sequence[str], delays: Sequence[int]
) -> tuple[dict[str, list[int]], dict[int, int]]:
    """Each client's ``[n, sum, sum of squares]`` of its delays (the clients in the order
    they first appear), and the book's count of each delay, from the (client, delay) pairs
    counted once (in C): the book's counts are read off those pairs, a few hundred a
    client, instead of counting every paid invoice's delay again."""
    counts: dict[str, dict[int, int]] = {}
    for (customer_id, delay), count in Counter(zip(customers, delays, strict=True)).items():
        counts.setdefault(customer_id, {})[delay] = count
    return _tallies(counts)


def _tallies(
    counts: Mapping[str, Mapping[int, int]],
) -> tuple[dict[str, list[int]], dict[int, int]]:
    """Each client's ``[n, sum, sum of squares]`` of its delays (the clients in the order of
    ``counts``), and the book's count of each delay, from each client's count of each delay
    (:func:`learn` reads them off its keys; :func:`_delay_tallies` from the pairs)."""
    stats: dict[str, list[int]] = {}
    book: dict[int, int] = {}
    for customer_id, of_client in counts.items():
        n = total = squares = 0
        for delay, count in of_client.items():
            n += count
            total += delay * count
            squares += delay * delay * count
            book[delay] = book.get(delay, 0) + count
        stats[customer_id] = [n, total, squares]
    return stats, book


def _pool_counts(
    disputed: Sequence[bool], bands: Sequence[int]
) -> dict[tuple[bool | None, int | None], int]:
    """How many paid invoices each pool holds, by the pool's key (disputed flag, amount
    band; None: either), for every pool with one: the invoices of each flag, of each band,
    and of both, counted once each (in C) and the pools' counts derived from them."""
    total = len(disputed)
    disputed_count = disputed.count(True)
    large = bands.count(1)
    disputed_large = sum(compress(bands, disputed))
    counts: dict[tuple[bool | None, int | None], int] = {
        (True, 1): disputed_large,
        (True, 0): disputed_count - disputed_large,
        (True, None): disputed_count,
        (False, 1): large - disputed_large,
        (False, 0): total - disputed_count - large + disputed_large,
        (False, None): total - disputed_count,
        (None, None): total,
    }
    return {key: count for key, count in counts.items() if count}


class _Paid(NamedTuple):
    """The invoices settled by a date (with a delay), as columns in the replay's order."""

    customers: list[str]
    delays: list[int]
    days: list[date]
    """The day each was paid (settled)."""
    disputes: list[Invoice | None]
    """The invoice again where it is marked disputed, None where it is not: whether it was
    disputed depends on the day the model is learned as of (:meth:`disputed_as_of`)."""
    amounts: list[int]
    """Whole units of the base currency: the amount band is a classification cut, so whole
    units do."""

    def disputed_as_of(self, as_of: date) -> list[bool]:
        """Whether each was disputed as of ``as_of`` (:meth:`Invoice.disputed_by`): a
        dispute raised after ``as_of`` had not happened yet."""
        disputed = [False] * len(self.disputes)
        # The few marked disputed found in C (the rest are None), then each one's date read.
        for at in compress(range(len(self.disputes)), self.disputes):
            invoice = self.disputes[at]
            disputed[at] = invoice is not None and invoice.disputed_by(as_of)
        return disputed

    def by(self, day: date) -> _Paid:
        """Those paid by ``day``, in the same order."""
        keep = list(map(day.__ge__, self.days))  # paid <= day, each, in C
        return _Paid(
            customers=list(compress(self.customers, keep)),
            delays=list(compress(self.delays, keep)),
            days=list(compress(self.days, keep)),
            disputes=list(compress(self.disputes, keep)),
            amounts=list(compress(self.amounts, keep)),
        )


def paid_by_client(ledger: Ledger) -> _ClientPaid:
    """Whether a replay row is an invoice the client paid: settled on the source's paid date,
    or by applications of which one at least is a payment. An invoice of nothing (settled on
    its issue date) and one settled by credit notes alone (cancelled, not paid) say nothing of
    when the client pays, so the forecast does not learn from them and ``expected_late`` does
    not call their client late (docs/forecast.md). Call the result with a row."""
    # The one definition of an invoice cancelled rather than paid: the settlement's (rule 10
    # of docs/metrics/lateness.md), which the payment profiles read too.
    return _ClientPaid(cancelled_by_credit(ledger))


class _ClientPaid(NamedTuple):
    """The test :func:`paid_by_client` gives."""

    credit_only: Mapping[str, date | None]
    """The invoices credit notes are applied to, with the day of their first payment
    (:func:`~clientguard.settlement.cancelled_by_credit`)."""

    def __call__(self, row: Replay) -> bool:
        if row.status != "settled" or row.settled_on is None:
            return False
        if row.basis == "allocations":
            return not is_cancelled(row, self.credit_only)
        return row.basis == "paid_on"  # None: an invoice of nothing


class _Censored(NamedTuple):
    """An invoice open on the model's date: its delay is longer than ``age``
    (right-censored)."""

    customer_id: str
    age: int
    disputed: bool
    """As the dispute stood on the model's date."""
    units: int
    """Whole units of its amount in the base currency (its amount band)."""


def _open_on(
    ledger: Ledger, rows: Iterable[Replay], as_of: date, *, settled_after: bool = False,
) -> list[_Censored]:
    """The invoices of ``rows`` issued by ``as_of`` and open on it, late or not: each unpaid
    by its age then, a fact on ``as_of``. Every one, not only those already late: leaving
    out those not yet late keeps the short delays of the recent invoices (paid) and drops
    their long ones (still open), which tilts the history to short delays.
    ``settled_after``: ``rows`` are of a replay as of a later day, and an invoice settled
    after ``as_of`` was open on it (the calibration's model, as of ``recent_days``
    before)."""
    found: list[_Censored] = []
    base = ledger.base_currency
    for row in rows:
        invoice = row.invoice
        if invoice.issue_date > as_of:
            continue
        age = (as_of - invoice.due_date).days
        if row.status == "open":
            if row.open_balance <= 0:
                continue
        elif not (settled_after and row.status == "settled" and row.settled_on is not None
                  and row.settled_on > as_of):
            continue
        units = (int(invoice.total) if invoice.currency == base
                 else int(ledger.base_amount(invoice)))
        found.append(_Censored(invoice.customer_id, age, invoice.disputed_by(as_of), units))
    return found


def _paid_columns(ledger: Ledger, rows: Sequence[Replay]) -> _Paid:
    """The paid invoices of a replay as :class:`_Paid` columns (each base amount computed
    once, shared with the calibration's model)."""
    customers: list[str] = []
    delays: list[int] = []
    days: list[date] = []
    disputes: list[Invoice | None] = []
    amounts: list[int] = []
    base_amount = ledger.base_amount
    base = ledger.base_currency
    # Whole units by total: equal totals give one int (a million invoices hold a few
    # thousand distinct totals; an int of its own each was 32 bytes an invoice, at the
    # forecast's peak).
    whole: dict[Decimal, int] = {}
    # Only invoices the client paid (:func:`paid_by_client`, inlined: a million rows).
    credit_only = paid_by_client(ledger).credit_only
    for row in rows:
        delay = row.days_beyond_terms
        if row.status != "settled" or row.settled_on is None or delay is None:
            continue
        invoice = row.invoice
        basis = row.basis
        if basis == "allocations":
            if credit_only and invoice.id in credit_only and (
                    (first_paid := credit_only[invoice.id]) is None
                    or first_paid > row.settled_on):
                continue  # settlement.is_cancelled, inlined
        elif basis != "paid_on":
            continue
        customers.append(invoice.customer_id)
        delays.append(delay)
        days.append(row.settled_on)
        # The invoice itself, not its flag: the flag is read as of the model's date.
        disputes.append(invoice if invoice.disputed else None)
        # A base-currency invoice's rate is exactly 1: its whole units are its total's,
        # without the look-up of its rate.
        if invoice.currency == base:
            total = invoice.total
            units = whole.get(total)
            if units is None:
                units = whole[total] = int(total)
            amounts.append(units)
        else:
            amounts.append(int(base_amount(invoice)))
    return _Paid(customers=customers, delays=delays, days=days, disputes=disputes,
                 amounts=amounts)


def _out_of_time_tail(
    ledger: Ledger, model: Model, rows: Sequence[Replay], paid: _Paid
) -> float:
    """The quantile level of the 80% interval's ends, calibrated out of time: the model as of
    ``recent_days`` (90) before ``as_of`` (learned from the invoices paid by then) predicts
    the invoices settled since, each conditioned on being unpaid then, and the level (0.200
    down to 0.005) whose intervals covered nearest 80% of them is used (the narrowest on a
    tie); 0.1 (the plain deciles) with fewer than 30. Empirical deciles of a client's few
    invoices, and a book whose habits drift, cover less than 80%; a book of round-number
    delays covers more. Only what had happened by ``as_of`` is read."""
    span = model.policy.recent_days
    if (model.as_of - FIRST_DATE).days <= span:
        return 0.1  # no history can lie before the first date a record may carry
    start = model.as_of - timedelta(days=span)
    # The invoices paid by ``start``, as the replay as of ``as_of`` dates them (a replay as
    # of an earlier date never shows more paid), so no second replay is needed; their columns
    # are those of the model's own, filtered (no base amount is computed twice).
    # The day first: most rows were settled by ``start`` (or are open), and one test of it
    # turns them away. Those settled since were open on ``start``: with the rows still open,
    # the invoices open then, of which those already late are the earlier model's censored
    # delays (one pass over the rows for both).
    later = [row for row in rows
             if (day := row.settled_on) is not None and day > start and row.status == "settled"]
    earlier = learn(ledger, as_of=start, policy=model.policy, rows=(), calibrate=False,
                    _paid=paid.by(start),
                    _censored=_open_on(ledger, [*_open_rows(ledger, rows), *later], start,
                                       settled_after=True))
    if earlier.history < 30:
        return 0.1
    pits: list[tuple[float, float]] = []
    client_paid = paid_by_client(ledger)
    since = [row for row in later if row.days_beyond_terms is not None and client_paid(row)]
    # Every k-th, in the ledger's order: enough for a share to within about a point.
    for row in since[:: -(-len(since) // _CALIBRATION_SAMPLE) or 1]:
        delay = row.days_beyond_terms or 0  # never None here: the list keeps only those set
        invoice = row.invoice
        # As the model as of ``start`` would have judged it: a dispute raised since was
        # not known then.
        mixture, _, _ = earlier.mixture(
            invoice.customer_id, invoice.disputed_by(start), ledger.base_amount(invoice))
        if invoice.issue_date <= start:
            age = (start - invoice.due_date).days
            base = mixture.cdf(age)
            if base >= 1 - 1e-9:
                continue
            below = (mixture.cdf(delay - 1) - base) / (1 - base) if delay - 1 > age else 0.0
            upto = (mixture.cdf(delay) - base) / (1 - base)
        else:
            below, upto = mixture.cdf(delay - 1), mixture.cdf(delay)
        pits.append((below, upto))
    if len(pits) < 30:
        return 0.1
    best, gap = 0.1, 2.0
    for level, covered in zip(_TAIL_LEVELS, _covered_at_each_level(pits), strict=True):
        miss = abs(covered / len(pits) - 0.8)
        if miss < gap - 1e-9:
            best, gap = level, miss
    return best


def _covered_at_each_level(pits: Sequence[tuple[float, float]]) -> list[int]:
    """For each of :data:`_TAIL_LEVELS`, how many of ``pits`` (each invoice's ``(P(D <
    delay), P(D <= delay))``) the interval of that level covers: ``upto >= level - 1e-12``
    and ``below < 1 - level``. The levels descend, so each condition, once it holds, holds at
    every later level: a pit is covered from the first level both hold at, found by two
    searches, and the counts are a running sum (the same comparisons as testing every pit at
    every level, without the pass over the pits a level)."""
    firsts = [0] * (len(_TAIL_LEVELS) + 1)
    for below, upto in pits:
        # ``upto >= lows[i]`` fails for the first ones (``-lows`` ascends: exact negations);
        # ``below < highs[i]`` fails for the first ones (``highs`` ascends).
        first = max(bisect.bisect_left(_NEGATED_LOWS, -upto),
                    bisect.bisect_right(_HIGHS, below))
        firsts[first] += 1
    covered: list[int] = []
    running = 0
    for count in firsts[:-1]:
        running += count
        covered.append(running)
    return covered


_CALIBRATION_SAMPLE = 5000
"""The most invoices the interval's calibration scores (every k-th of those paid in the last
``recent_days``): a share of 5,000 is known to within about a percentage point."""
_TAIL_LEVELS = tuple(level / 200 for level in range(40, 0, -1))
"""The interval ends' quantile levels the calibration tries: 0.200 down to 0.005."""
_NEGATED_LOWS = tuple(-(level - 1e-12) for level in _TAIL_LEVELS)
"""Each level's least ``P(D <= delay)`` that its interval covers, negated (ascending)."""
_HIGHS = tuple(1 - level for level in _TAIL_LEVELS)
"""Each level's bound that ``P(D < delay)`` must be below for its interval to cover."""


_invoice_forecast = _Unvalidated(InvoiceForecast)
"""An :class:`InvoiceForecast` of the fields :meth:`Model._prediction` computed, every one of
exactly its declared type: made without validating them again."""


def _probability(value: float) -> Decimal:
    return Decimal(repr(value)).quantize(_PROBABILITY_PLACES)


def forecast(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    rows: Sequence[Replay] | None = None,
) -> Forecast:
    """The forecast as of ``as_of``: every open invoice's payment, each client's outlook,
    and the 13-week cash-in from the open invoices (docs/forecast.md).

    Learned from what had happened by ``as_of`` only. ``rows`` is the replay as of ``as_of``
    (with the same policy) where the caller already holds it (the review does). Raises
    TypeError when ``as_of`` is not a date.
    """
    as_of = check_as_of(as_of)
    policy = policy or Policy()
    with collector_paused():
        if rows is None:
            rows = replay(ledger, as_of=as_of, policy=policy)
        model = learn(ledger, as_of=as_of, policy=policy, rows=rows)
        predicted: list[InvoiceForecast] = []
        weekly: list[list[tuple[Decimal, float, Decimal]]] = [[] for _ in range(WEEKS)]
        after = Decimal(0)
        rate_to_base = ledger.rate_to_base
        # The open rows, picked out by the replay (no pass over every row).
        for row in _open_rows(ledger, rows):
            if row.status != "open" or row.open_balance <= 0:
                continue
            balance = row.open_balance * rate_to_base(row.invoice)
            values, at = model._prediction(row, balance)
            # Last, as the model declares it: how a person knows the invoice (its number).
            values["invoice_label"] = ledger.invoice_label(row.invoice.id)
            predicted.append(_invoice_forecast(values))
            for week, p, chance in at.weeks:
                weekly[week].append((balance, p, chance))
            after += balance * at.after
        weeks = tuple(_cash_week(as_of, week, weekly[week]) for week in range(WEEKS))
    customers = _customers_billed(ledger, as_of)
    predicted.sort(key=lambda f: (-f.p_late, f.due_date, f.invoice_id))
    return Forecast(
        as_of=as_of,
        invoices=tuple(predicted),
        clients=tuple(model.outlook(c) for c in customers),
        weeks=weeks,
        after=after,
        credibility_k=model.k,
        history=model.history,
    )


def _customers_billed(ledger: Ledger, as_of: date) -> list[str]:
    """The customers with a live invoice (not draft or void) issued by ``as_of``, sorted:
    those of the replay's rows, found from each customer's invoices (in issue-date order, so
    only the first few of each are read) rather than from every row of the replay."""
    billed = []
    for customer_id in ledger.customer_ids:  # sorted
        for invoice in ledger.invoices_of(customer_id):
            if invoice.issue_date > as_of:
                break
            if invoice.status in LIVE_STATUSES:
                billed.append(customer_id)
                break
    return billed


def _weekly(mixture: _Mixture, age: int, known: int, beyond: bool,
            tail: Sequence[int] | None = None) -> list[float]:
    """P(paid in each of the 13 weeks after ``as_of`` | unpaid ``known`` days past due) of an
    invoice ``age`` days past due (``beyond``: the history does not resolve it, so nothing is
    expected within the weeks; ``tail``: the residual delays it is dated from, where the
    history does not resolve it but it is not yet late). The chance no paid delay resolves is
    in none of the weeks: it is after them (or never). Where it may still be paid on
    ``as_of`` itself (``known < age``), that day's chance is counted in the first week: its
    cash is not in the data yet, so it is still to come."""
    if beyond:
        return [0.0] * WEEKS
    # The delay of the last day of each week (week 0 ends on as_of: the age itself).
    ends = [age + 7 * week for week in range(WEEKS + 1)]
    if tail is not None:
        cumulative = [bisect.bisect_right(tail, end - known) / len(tail) for end in ends]
        cumulative[0] = 0.0
        return [max(0.0, cumulative[w + 1] - cumulative[w]) for w in range(WEEKS)]
    base = mixture.cdf(known)
    if base >= 1:
        return [0.0] * WEEKS
    cumulative = [min(1.0, (mixture.cdf(end) - base) / (1 - base)) for end in ends]
    cumulative[0] = 0.0  # nothing is paid before as_of; as_of's own chance joins week 1
    return [max(0.0, cumulative[w + 1] - cumulative[w]) for w in range(WEEKS)]


def _cash_week(
    as_of: date, week: int, parts: list[tuple[Decimal, float, Decimal]]
) -> CashWeek:
    """The expected cash in a week and its 80% interval: each invoice is paid in the week or
    not (a Bernoulli draw of its balance), independently; the interval is the normal
    approximation ``mean +- 1.2816 sd`` (clipped at zero and at the week's whole balance).
    ``parts``: each invoice's balance, its chance of being paid in the week, and that chance
    as :func:`_probability` gives it."""
    expected = sum((b * chance for b, _, chance in parts), Decimal(0))
    variance = sum(float(b) ** 2 * p * (1 - p) for b, p, _ in parts)
    spread = Decimal(repr(_Z80 * math.sqrt(variance))).quantize(Decimal("0.01"))
    ceiling = sum((b for b, _, _ in parts), Decimal(0))
    start = as_of + timedelta(days=7 * week + 1)
    return CashWeek(
        week=week + 1,
        start=start,
        end=start + timedelta(days=6),
        expected=expected,
        low=max(Decimal(0), expected - spread),
        high=min(ceiling, expected + spread),
    )
