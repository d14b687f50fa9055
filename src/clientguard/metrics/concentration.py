"""Concentration: how much of the book hangs on each client, and on the few largest.

A client's share is ``s_i = x_i / sum(x)``, where ``x`` is one of three bases
(docs/metrics/concentration.md has the formulas, worked examples and sources):

- ``revenue``: net revenue, invoices minus credit notes by issue date over the look-back window
  ``(as_of - lookback_days, as_of]``, in the base currency at each document's own rate;
- ``receivables``: the open balance of every invoice as of ``as_of`` (from the settlement replay
  of :mod:`clientguard.settlement`), in the base currency at the invoice's own rate;
- ``hours``: time entries over the window.

Companies with the same ``group_id`` count as one client (ASC 280-10-50-42 and IFRS 8.34 treat
entities under common control as one customer): every amount here is keyed by
:meth:`Ledger.group_of <clientguard.ledger.Ledger.group_of>`.

For the whole book: top-1/3/5/10 share, HHI on 0-10,000, the effective number of clients
``1 / sum(s_i^2)``, the Gini coefficient (and its small-sample correction) and the Lorenz curve.
A client whose amount is zero or negative (credit notes larger than its invoices in the window)
is listed in ``excluded`` and is never a divisor or part of the denominator.

Pure: no thresholds (those are in :class:`~clientguard.policy.Policy` and applied by the
signals), no clock, no I/O. Amounts and shares stay unrounded :class:`~decimal.Decimal`; only
messages and renderers round, half-even.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterable, Iterator, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Final, Literal, NamedTuple

from clientguard.frozen import Frozen
from clientguard.i18n import gettext
from clientguard.ledger import Ledger, linked_customers
from clientguard.money import ZERO
from clientguard.policy import Policy
from clientguard.settlement import Settlement, _open_rows, check_as_of, replay

__all__ = [
    "BASES",
    "COUNTED_STATUSES",
    "TOP_K",
    "Basis",
    "BookMeasures",
    "BookWithout",
    "ConcentrationPoint",
    "ConcentrationSeries",
    "ReceivablesPosition",
    "Step",
    "amounts_by_client",
    "book_measures",
    "client_name",
    "client_of",
    "concentration_series",
    "hours_by_client",
    "members_of_groups",
    "open_receivables",
    "revenue_by_client",
    "series_ends",
    "window",
    "without_client",
]

Basis = Literal["revenue", "receivables", "hours"]
"""What a share is a share of: net revenue over the window, open receivables as of the date,
or hours over the window."""
BASES: tuple[Basis, ...] = ("revenue", "receivables", "hours")

TOP_K: tuple[int, ...] = (1, 3, 5, 10)
"""The k of the top-k shares every report gives."""

Step = Literal["quarter", "month"]
"""How far apart the windows of a concentration series end."""

#: Invoices that count: a draft was never sent and a void one was cancelled.
COUNTED_STATUSES = frozenset({"open", "paid"})

_TEN_THOUSAND = Decimal(10_000)
_ONE = Decimal(1)


# ---------------------------------------------------------------------------------- the book
class BookMeasures(Frozen):
    """Shares of each client and the concentration of the whole book, from amounts per client.

    Made by :func:`book_measures`; never built by hand. Mappings of clients are in rank order
    (largest amount first; equal amounts by client id, so the order never depends on the order
    the records arrived in).
    """

    total: Decimal
    """The denominator: the sum of the positive amounts (clients with zero or negative amounts
    are left out of it and listed in ``excluded``)."""
    net_total: Decimal
    """The sum of every amount, negatives included (for revenue: the firm's net revenue in
    the window). Differs from ``total`` only when a client is excluded."""
    sum_of_squares: Decimal
    """``sum(x_i^2)`` over the clients with a positive amount; with ``total`` it gives the HHI
    of the book without any one client in constant time (:func:`without_client`)."""
    client_count: int
    """``n``: clients with a positive amount, the ones that have a share."""
    amounts: dict[str, Decimal]
    """Amount per client with a positive amount, in rank order (base currency, or hours)."""
    shares: dict[str, Decimal]
    """``x_i / total`` per client with a positive amount, 0..1, in rank order; they sum to 1
    within the last digit of Decimal's 28-digit precision."""
    ranks: dict[str, int]
    """Rank per client, 1 for the largest. Equal amounts share a rank and the next rank is
    skipped (1, 2, 2, 4: "competition" ranking, as SQL's ``RANK()``)."""
    excluded: dict[str, Decimal]
    """Clients with a zero or negative amount (e.g. credit notes larger than the window's
    invoices), by client id: reported, never divided by."""
    top_shares: dict[int, Decimal]
    """Share of the k largest clients for k in 1, 3, 5, 10 (all clients when fewer than k);
    empty when no client has a positive amount."""
    hhi: Decimal | None
    """Herfindahl-Hirschman index ``sum((100 s_i)^2)`` on 0..10,000 (``10,000/n`` for ``n``
    equal clients). Never read it alone: see ``effective_clients``. None for an empty book."""
    effective_clients: Decimal | None
    """``1 / sum(s_i^2)``: the number of equal-sized clients that would give the same HHI.
    None for an empty book."""
    gini: Decimal | None
    """Gini coefficient of the amounts, ``2 sum(i x_(i)) / (n sum x) - (n + 1) / n`` with
    ``x`` ascending: 0 when all clients are equal, at most ``(n - 1) / n``; one minus twice the
    area under ``lorenz``. None for an empty book."""
    gini_corrected: Decimal | None
    """``gini * n / (n - 1)``, the small-sample correction that lets one dominant client reach
    1 in a book of any size. None when ``n < 2``."""
    lorenz: tuple[tuple[Decimal, Decimal], ...]
    """Points of the Lorenz curve for a chart: ``(share of clients, share of amount)`` with
    clients from the smallest up, from ``(0, 0)`` to ``(1, 1)``; empty for an empty book."""

    @property
    def is_empty(self) -> bool:
        """True when no client has a positive amount: there is nothing to share."""
        return self.client_count == 0


def book_measures(amounts: Mapping[str, Decimal]) -> BookMeasures:
    """Every share and book measure from an amount per client.

    The pure core of :func:`clientguard.signals.concentration`: pass any mapping
    of client to amount (money or hours) to get shares, ranks, top-k shares, HHI, the effective
    number of clients, Gini and the Lorenz curve. Clients with a zero or negative amount are
    listed in ``excluded`` and left out of every measure. Amounts must be Decimal (an int is
    taken as is; a float is refused because shares would inherit its binary error).
    """
    positive: list[tuple[str, Decimal]] = []
    excluded: dict[str, Decimal] = {}
    for client, amount in amounts.items():
        if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int):
            raise TypeError(f"amount of {client!r} is {type(amount).__name__}; use Decimal")
        value = Decimal(amount)
        if value > 0:
            positive.append((client, value))
        else:
            excluded[client] = value
    # Rank order: largest first; equal amounts by client id, so the order is the same however
    # the mapping was built.
    positive.sort(key=lambda pair: (-pair[1], pair[0]))
    total = sum((amount for _, amount in positive), ZERO)
    net_total = total + sum(excluded.values(), ZERO)
    sum_of_squares = sum((amount * amount for _, amount in positive), ZERO)
    n = len(positive)
    ordered_excluded = dict(sorted(excluded.items()))
    if n == 0:
        return BookMeasures(
            total=total,
            net_total=net_total,
            sum_of_squares=sum_of_squares,
            client_count=0,
            amounts={},
            shares={},
            ranks={},
            excluded=ordered_excluded,
            top_shares={},
            hhi=None,
            effective_clients=None,
            gini=None,
            gini_corrected=None,
            lorenz=(),
        )

    shares = {client: amount / total for client, amount in positive}
    ranks: dict[str, int] = {}
    previous: Decimal | None = None
    rank = 0
    for position, (client, amount) in enumerate(positive, start=1):
        if amount != previous:
            rank, previous = position, amount
        ranks[client] = rank

    # Top-k from the cumulative amount (one division per k), not from summed rounded shares.
    cumulative: list[Decimal] = []
    running = ZERO
    for _, amount in positive:
        running += amount
        cumulative.append(running)
    top_shares = {k: cumulative[min(k, n) - 1] / total for k in TOP_K}

    hhi = _TEN_THOUSAND * sum_of_squares / (total * total)
    effective = total * total / sum_of_squares

    # Gini with x ascending (i = 1..n): the numerator is exact for amounts with few decimals,
    # so equal amounts give exactly 0.
    weighted = sum(
        (index * amount for index, (_, amount) in enumerate(reversed(positive), start=1)), ZERO
    )
    # Floor at 0: amounts converted at long rates carry 28 digits, and rounding can leave an
    # all-equal book a hair below zero.
    gini = max(ZERO, (2 * weighted - (n + 1) * total) / (n * total))
    gini_corrected = gini * n / (n - 1) if n > 1 else None

    lorenz: list[tuple[Decimal, Decimal]] = [(ZERO, ZERO)]
    running = ZERO
    for index, (_, amount) in enumerate(reversed(positive), start=1):
        running += amount
        lorenz.append((Decimal(index) / n, _ONE if index == n else running / total))
    lorenz[-1] = (_ONE, _ONE)

    return BookMeasures(
        total=total,
        net_total=net_total,
        sum_of_squares=sum_of_squares,
        client_count=n,
        amounts=dict(positive),
        shares=shares,
        ranks=ranks,
        excluded=ordered_excluded,
        top_shares=top_shares,
        hhi=hhi,
        effective_clients=effective,
        gini=gini,
        gini_corrected=gini_corrected,
        lorenz=tuple(lorenz),
    )


class BookWithout(Frozen):
    """The book's concentration if one client were gone: the what-if of ending it."""

    client_id: str
    """The client taken out."""
    total: Decimal
    """What the rest of the book adds up to (positive amounts only)."""
    client_count: int
    """Clients left with a positive amount."""
    top_client: str | None
    """The largest client left; None when no client is left."""
    top_share: Decimal | None
    """The largest remaining client's share of what is left."""
    hhi: Decimal | None
    """HHI of what is left, 0..10,000."""
    effective_clients: Decimal | None
    """Effective number of clients of what is left."""


_RECOUNT_BELOW: Final = Decimal(10) ** 12
"""``without_client`` counts the others' squares again where they are less than a trillionth
of the client's own: below that, taking the client's square out of the sum (28 significant
digits) would leave fewer than 16 right digits of theirs."""


def without_client(measures: BookMeasures, client_id: str) -> BookWithout:
    """Top-1 share, HHI and effective number of the book with ``client_id`` taken out.

    Constant time from ``total`` and ``sum_of_squares`` (a review asks this of every client).
    A client that is not in the book, or is excluded, leaves the measures as they are.
    """
    amount = measures.amounts.get(client_id, ZERO)
    total = measures.total - amount
    own = amount * amount
    squares = measures.sum_of_squares - own
    if squares * _RECOUNT_BELOW < own:
        # Nearly all of the sum was this client's: the subtraction kept only the digits of
        # Decimal's precision that were its (10^15 beside two clients of 1 left 0, "the only
        # client with revenue"). Counted again from the others, as rarely as a client so
        # dominant is.
        squares = sum((a * a for c, a in measures.amounts.items() if c != client_id), ZERO)
    remaining = (c for c in measures.amounts if c != client_id)
    top_client = next(remaining, None)
    count = measures.client_count - (1 if client_id in measures.amounts else 0)
    if top_client is None or total <= 0 or squares <= 0:
        return BookWithout(
            client_id=client_id,
            total=ZERO if top_client is None else total,
            client_count=count,
            top_client=None,
            top_share=None,
            hhi=None,
            effective_clients=None,
        )
    return BookWithout(
        client_id=client_id,
        total=total,
        client_count=count,
        top_client=top_client,
        top_share=measures.amounts[top_client] / total,
        hhi=_TEN_THOUSAND * squares / (total * total),
        effective_clients=total * total / squares,
    )


# ---------------------------------------------------------------------------------- amounts
def window(as_of: date, lookback_days: int) -> tuple[date, date]:
    """The first and last day (both included) of the window ``(as_of - lookback_days, as_of]``."""
    if lookback_days < 1:
        raise ValueError(f"lookback_days is {lookback_days}; a window needs at least one day")
    return as_of - timedelta(days=lookback_days - 1), as_of


def client_of(ledger: Ledger) -> Callable[[str], str]:
    """A fast look-up of the client (group or customer id) each customer id counts as."""
    groups = {customer_id: ledger.group_of(customer_id) for customer_id in ledger.customer_ids}
    return lambda customer_id: groups.get(customer_id, customer_id)


def revenue_by_client(ledger: Ledger, *, first: date, last: date) -> dict[str, Decimal]:
    """Net revenue per client issued from ``first`` to ``last`` (both included), base currency.

    Invoices that are ``open`` or ``paid`` add their total, credit notes take theirs off, each
    converted at the document's own rate (:meth:`Ledger.base_amount`). Keys are clients (group
    ids where customers are grouped); a client whose credit notes exceed its invoices in the
    window has a negative amount. Unrounded.

    The sums of the latest window asked are kept on the ledger (a ledger never changes): the
    revenue share and the workload of one review read the same window.
    """
    kept = ledger.memo.get(_REVENUE_MEMO)
    if isinstance(kept, _KeptRevenue) and kept.first == first and kept.last == last:
        return dict(kept.amounts)
    per_customer: dict[str, Decimal] = {}
    for _, customer_id, amount in _revenue_items(ledger, first, last):
        per_customer[customer_id] = per_customer.get(customer_id, ZERO) + amount
    amounts = _by_client(ledger, per_customer)
    ledger.memo[_REVENUE_MEMO] = _KeptRevenue(first, last, amounts)
    return dict(amounts)


_REVENUE_MEMO = "concentration.revenue"
"""The key of the kept revenue sums in the ledger's memo."""


class _KeptRevenue(NamedTuple):
    first: date
    last: date
    amounts: dict[str, Decimal]


def hours_by_client(ledger: Ledger, *, first: date, last: date) -> dict[str, Decimal]:
    """Hours logged per client from ``first`` to ``last`` (both included)."""
    per_customer: dict[str, Decimal] = {}
    for _, customer_id, hours in _hours_items(ledger, first, last):
        per_customer[customer_id] = per_customer.get(customer_id, ZERO) + hours
    return _by_client(ledger, per_customer)


def _revenue_items(ledger: Ledger, first: date, last: date) -> Iterator[tuple[date, str, Decimal]]:
    """``(issue date, customer id, signed base amount)`` of each revenue document in the
    window: invoices positive, credit notes negative."""
    base = ledger.base_currency
    to_base = ledger.base_amount
    invoices = ledger.invoices
    # The ledger keeps invoices and credit notes by issue date: bisect to the window.
    lo = bisect.bisect_left(invoices, first, key=lambda i: i.issue_date)
    hi = bisect.bisect_right(invoices, last, key=lambda i: i.issue_date)
    for invoice in invoices[lo:hi]:
        if invoice.status in COUNTED_STATUSES:
            # A base-currency document's rate is exactly 1: skip the look-up and the product.
            amount = invoice.total if invoice.currency == base else to_base(invoice)
            yield invoice.issue_date, invoice.customer_id, amount
    notes = ledger.credit_notes
    lo = bisect.bisect_left(notes, first, key=lambda c: c.issue_date)
    hi = bisect.bisect_right(notes, last, key=lambda c: c.issue_date)
    for note in notes[lo:hi]:
        amount = note.total if note.currency == base else to_base(note)
        yield note.issue_date, note.customer_id, -amount


def _hours_items(ledger: Ledger, first: date, last: date) -> Iterator[tuple[date, str, Decimal]]:
    entries = ledger.time_entries
    lo = bisect.bisect_left(entries, first, key=lambda t: t.date)
    hi = bisect.bisect_right(entries, last, key=lambda t: t.date)
    for entry in entries[lo:hi]:
        customer = entry.customer_id
        if customer is not None:  # always, in a ledger: it matched names to customers
            yield entry.date, customer, entry.hours


def _by_client(ledger: Ledger, per_customer: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Customer amounts summed into their clients (groups), in the customers' order."""
    group = client_of(ledger)
    result: dict[str, Decimal] = {}
    for customer_id, amount in per_customer.items():
        client = group(customer_id)
        result[client] = result.get(client, ZERO) + amount
    return result


class ReceivablesPosition(Frozen):
    """What one client owes as of a date, and how much of it is old."""

    client_id: str
    """The client (group or customer id)."""
    open_balance: Decimal
    """Open balance of its invoices as of the date, base currency at each invoice's rate."""
    aged_balance: Decimal
    """The part of ``open_balance`` on invoices issued more than ``aged_after_days`` before the
    date (lenders' "over 90 days past invoice date")."""
    aged_share: Decimal
    """``aged_balance / open_balance``, 0..1."""
    invoice_ids: tuple[str, ...]
    """The open invoices, in the ledger's order (issue date, id)."""
    aged_invoice_ids: tuple[str, ...]
    """The open invoices older than ``aged_after_days`` past their invoice date."""
    oldest_days: int
    """Days since the issue date of the oldest open invoice."""


def open_receivables(
    ledger: Ledger,
    *,
    as_of: date,
    aged_after_days: int = 90,
    policy: Policy | None = None,
    settlements: Mapping[str, Settlement] | None = None,
) -> dict[str, ReceivablesPosition]:
    """Open receivables per client as of ``as_of``, from the settlement replay.

    Every live invoice issued by ``as_of`` that the replay of :mod:`clientguard.settlement`
    leaves open counts with its open balance (``policy`` gives the replay its
    ``settle_tolerance``). Pass ``settlements`` when :func:`~clientguard.settlement.settle` has
    already run for the same ``as_of``; otherwise the replay runs here, in its lightweight form.
    The balance is converted to the base currency at the invoice's own rate
    (:meth:`Ledger.rate_to_base`): the rate the receivable was booked at, which needs no rate
    for ``as_of`` and does not move a client's share with the exchange rate. Clients with
    nothing open are left out.
    """
    if settlements is not None:
        open_items = (
            (ledger.invoice(s.invoice_id), s.open_balance)
            for s in settlements.values()
            if s.status == "open" and s.open_balance > 0
        )
    else:
        # The replay's plain rows (invoice, status, ..., open balance at index 5): a named
        # tuple per invoice cost a third of this function's time.
        open_items = (
            (row.invoice, row.open_balance)
            # The open rows, picked out by the replay (no pass over every row).
            for row in _open_rows(ledger, replay(ledger, as_of=as_of, policy=policy))
            if row.status == "open" and row.open_balance > 0
        )
    group = client_of(ledger)
    open_by: dict[str, Decimal] = {}
    aged_by: dict[str, Decimal] = {}
    ids_by: dict[str, list[str]] = {}
    aged_ids_by: dict[str, list[str]] = {}
    oldest_by: dict[str, int] = {}
    for invoice, open_balance in open_items:
        client = group(invoice.customer_id)
        balance = open_balance * ledger.rate_to_base(invoice)
        age = (as_of - invoice.issue_date).days
        open_by[client] = open_by.get(client, ZERO) + balance
        ids_by.setdefault(client, []).append(invoice.id)
        oldest_by[client] = max(oldest_by.get(client, 0), age)
        if age > aged_after_days:
            aged_by[client] = aged_by.get(client, ZERO) + balance
            aged_ids_by.setdefault(client, []).append(invoice.id)
    positions = {}
    for client in sorted(open_by):
        balance = open_by[client]
        aged = aged_by.get(client, ZERO)
        positions[client] = ReceivablesPosition(
            client_id=client,
            open_balance=balance,
            aged_balance=aged,
            aged_share=aged / balance,
            invoice_ids=tuple(ids_by[client]),
            aged_invoice_ids=tuple(aged_ids_by.get(client, ())),
            oldest_days=oldest_by[client],
        )
    return positions


def amounts_by_client(
    ledger: Ledger,
    *,
    basis: Basis,
    as_of: date,
    lookback_days: int = 365,
    policy: Policy | None = None,
) -> dict[str, Decimal]:
    """The amount per client that ``basis`` shares out: net revenue or hours over the window
    ending ``as_of``, or open receivables as of ``as_of`` (``policy`` gives the settlement
    replay its tolerance)."""
    if basis == "receivables":
        positions = open_receivables(ledger, as_of=as_of, policy=policy)
        return {client: p.open_balance for client, p in positions.items()}
    first, last = window(as_of, lookback_days)
    if basis == "revenue":
        return revenue_by_client(ledger, first=first, last=last)
    if basis == "hours":
        return hours_by_client(ledger, first=first, last=last)
    raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")


def members_of_groups(ledger: Ledger, clients: Iterable[str]) -> dict[str, tuple[str, ...]]:
    """The member customer ids of each client that is a group (common control), sorted.

    A client that is a lone customer under its own id is left out.
    """
    result = {}
    for client in sorted(clients):
        members = ledger.members(client)
        if members != (client,):
            result[client] = members
    return result


def client_name(ledger: Ledger, client: str) -> str:
    """How a person knows a client: the customer's name, or for a group the names of (up to
    three of) its companies, each once, and the group id, e.g. ``Acme DE + Acme PL (group
    acme)``.

    A client of customers the user linked across sources, none of them in a group of
    companies, is one company known to two tools: its name is its customer's, the one of the
    smallest ledger key, which is the client's id (docs/concepts.md, "Customers across
    sources"), not ``Acme + Acme (group archive:c1)``."""
    members = ledger.members(client)
    if members == (client,) or _linked_only(ledger, members):
        return ledger.name_of(client)
    # Each company once: customers linked as one company (kept in two tools) are named by the
    # first of them; the group is named by its companies' group id where they share one (a
    # link joining it may have given the client another id). Until 2026-12-08: "Alpha GmbH +
    # Alpha GmbH + Beta GmbH (group ninja:7)".
    names: list[str] = []
    named: set[str] = set()
    for member in members:
        if member in named:
            continue
        named.update(linked_customers(ledger, member) if ledger.links else (member,))
        names.append(ledger.name_of(member))
    shown = " + ".join(names[:3])
    if len(names) > 3:
        shown += gettext(" + {n} more").format(n=len(names) - 3)
    groups = {customer.group_id for member in members
              if (customer := ledger.customer(member)) is not None and customer.group_id}
    group = groups.pop() if len(groups) == 1 else client
    return gettext("{members} (group {group})").format(members=shown, group=group)


def _linked_only(ledger: Ledger, members: Iterable[str]) -> bool:
    """True when ``members`` are one client only through links: none names a group of
    companies (``group_id``)."""
    for member in members:
        customer = ledger.customer(member)
        if customer is not None and customer.group_id:
            return False
    return True


# ---------------------------------------------------------------------------------- over time
class ConcentrationPoint(Frozen):
    """The book's concentration on one window of a series."""

    as_of: date
    """The window's last day."""
    period: tuple[date, date] | None
    """First and last day of the window (None for receivables: a balance on ``as_of``)."""
    client_count: int
    """Clients with a positive amount in the window."""
    total: Decimal
    """The denominator: sum of the positive amounts."""
    top_client: str | None
    """The largest client (ties broken by id); None for an empty window."""
    top_shares: dict[int, Decimal]
    """Share of the k largest clients, k in 1, 3, 5, 10."""
    hhi: Decimal | None
    """HHI, 0..10,000."""
    effective_clients: Decimal | None
    """Effective number of clients."""
    gini: Decimal | None
    """Gini coefficient (uncorrected)."""


class ConcentrationSeries(Frozen):
    """The book measures on windows ending at regular dates: is dependence growing?"""

    basis: Basis
    """What the shares are shares of."""
    lookback_days: int
    """Length of each window (ignored for receivables, which are balances on a date)."""
    step: Step
    """How far apart the windows end."""
    points: tuple[ConcentrationPoint, ...]
    """One point per window, oldest first."""
    client_shares: dict[str, tuple[Decimal, ...]]
    """Share at every point (0 where it had none) of each client that was among the
    ``track`` largest at any point: a rising line is a growing dependence."""


def series_ends(as_of: date, *, step: Step = "quarter", periods: int = 12) -> tuple[date, ...]:
    """The last ``periods`` quarter (or month) ends on or before ``as_of``, oldest first, then
    ``as_of`` itself when it is not one, so that a series always ends at ``as_of``."""
    if periods < 1:
        raise ValueError(f"periods is {periods}; a series needs at least one window")
    months = 3 if step == "quarter" else 1
    # The month end at or before as_of that closes a period: the day before the first day of
    # the month after it.
    year, month = as_of.year, as_of.month
    candidate = _month_end(year, month)
    if candidate > as_of:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    while month % months:
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    ends = []
    for _ in range(periods):
        ends.append(_month_end(year, month))
        month -= months
        if month < 1:
            year, month = year - 1, month + 12
    ends.reverse()
    if ends[-1] != as_of:
        ends.append(as_of)
    return tuple(ends)


def _month_end(year: int, month: int) -> date:
    following = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return following - timedelta(days=1)


def concentration_series(
    ledger: Ledger,
    *,
    as_of: date,
    basis: Basis = "revenue",
    policy: Policy | None = None,
    step: Step = "quarter",
    periods: int = 12,
    track: int = 5,
) -> ConcentrationSeries:
    """The book measures on rolling windows ending at each quarter (or month) end.

    The default is the last twelve quarter ends on or before ``as_of`` (three years) and
    ``as_of``, each with a window of ``policy.lookback_days``: the same numbers as
    :func:`~clientguard.signals.concentration` gives for each of those dates.
    Receivables are replayed as of each date (a payment after the date does not count).
    """
    check_as_of(as_of)
    if basis not in BASES:
        raise ValueError(f"unknown basis {basis!r}: use one of {', '.join(BASES)}")
    lookback_days = (policy or Policy()).lookback_days
    ends = series_ends(as_of, step=step, periods=periods)
    daily = (
        None
        if basis == "receivables"
        else _DailyAmounts(ledger, basis, window(ends[0], lookback_days)[0], ends[-1])
    )
    points: list[ConcentrationPoint] = []
    per_point: list[BookMeasures] = []
    for end in ends:
        if daily is None:
            amounts = amounts_by_client(ledger, basis=basis, as_of=end, policy=policy)
        else:
            amounts = daily.by_client(*window(end, lookback_days))
        measures = book_measures(amounts)
        per_point.append(measures)
        points.append(
            ConcentrationPoint(
                as_of=end,
                period=None if basis == "receivables" else window(end, lookback_days),
                client_count=measures.client_count,
                total=measures.total,
                top_client=next(iter(measures.amounts), None),
                top_shares=measures.top_shares,
                hhi=measures.hhi,
                effective_clients=measures.effective_clients,
                gini=measures.gini,
            )
        )
    tracked: set[str] = set()
    for measures in per_point:
        tracked.update(list(measures.shares)[:track])
    client_shares = {
        client: tuple(m.shares.get(client, ZERO) for m in per_point) for client in sorted(tracked)
    }
    return ConcentrationSeries(
        basis=basis,
        lookback_days=lookback_days,
        step=step,
        points=tuple(points),
        client_shares=client_shares,
    )


class _DailyAmounts:
    """Revenue or hours per day and customer over a span: each window of a series sums the
    days it covers instead of walking every document again (a million invoices become a few
    thousand day-and-customer totals)."""

    def __init__(self, ledger: Ledger, basis: Basis, first: date, last: date) -> None:
        self.ledger = ledger
        items = _revenue_items if basis == "revenue" else _hours_items
        by_day: dict[date, dict[str, Decimal]] = {}
        for day, customer_id, amount in items(ledger, first, last):
            bucket = by_day.setdefault(day, {})
            bucket[customer_id] = bucket.get(customer_id, ZERO) + amount
        self.days = sorted(by_day)
        self.buckets = [by_day[day] for day in self.days]

    def by_client(self, first: date, last: date) -> dict[str, Decimal]:
        lo = bisect.bisect_left(self.days, first)
        hi = bisect.bisect_right(self.days, last)
        per_customer: dict[str, Decimal] = {}
        for bucket in self.buckets[lo:hi]:
            for customer_id, amount in bucket.items():
                per_customer[customer_id] = per_customer.get(customer_id, ZERO) + amount
        return _by_client(self.ledger, dict(sorted(per_customer.items())))
