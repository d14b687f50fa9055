"""Payment profiles: how each customer pays, from the settlement replay.

:func:`payment_profiles` reads every invoice once (through
:func:`clientguard.settlement.replay`) and gives, per customer: counts, late share by count
and by amount, mean, median, 90th-percentile and amount-weighted days late, amount-weighted
days beyond terms (Upflow's "average payment delay"), ADP, open and overdue balances with
aging buckets, the financing cost of the lateness, unapplied cash, and the monthly series the
trend test reads. Definitions, formulas, worked examples and sources are in
``docs/metrics/lateness.md``.

The company-level variants with one name each, never an ambiguous "DSO": :func:`dso_simple`,
:func:`dso_countback`, :func:`add_crf`, :func:`cei` (its sales divisor a parameter) and
:func:`average_payment_delay`. They are plain formulas over numbers the caller passes, checked
against the worked examples in ``reference/metrics/test_vectors.json``.

Profiles are per customer, even where customers share a ``group_id`` (each company's own
history); ``by`` gives one profile per client, which the review judges lateness on
(docs/review.md, "Lateness per client"). Pure: no clock, no I/O, no thresholds beyond what
the policy says the window and grace are. Amounts are in the base currency, each invoice at
its own rate (:meth:`Ledger.rate_to_base`), and never rounded here.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice

from clientguard.frozen import Frozen
from clientguard.ledger import Ledger
from clientguard.metrics.cost.interest import carrying_cost
from clientguard.metrics.trend import MonthlyLateness, MonthPoint
from clientguard.model import Invoice
from clientguard.money import ONE, ZERO, to_decimal
from clientguard.policy import Policy
from clientguard.settlement import (
    Replay,
    UnappliedCash,
    cancelled_by_credit,
    check_as_of,
    replay,
    unapplied_cash,
)
from clientguard.unapplied import Covered, as_paid

__all__ = [
    "AGING_LABELS",
    "DAYS_PER_YEAR",
    "AddCrf",
    "Aging",
    "PaymentProfile",
    "PeriodLateness",
    "add_crf",
    "average_payment_delay",
    "cei",
    "dso_countback",
    "dso_simple",
    "payment_profiles",
    "percentile",
]

DAYS_PER_YEAR = 365
"""The day count of the financing cost (``amount x days x rate / 365``), as in
:func:`clientguard.metrics.cost.financing_cost`."""

AGING_LABELS = ("current", "1-30", "31-60", "61-90", "91+")
"""The aging buckets, by days past due; ``current`` is not yet past due."""

_HUNDRED = Decimal(100)
_P90 = Decimal("0.9")
_P10 = Decimal("0.1")
_HALF = Decimal("0.5")


class Aging(Frozen):
    """Open balance by days past due as of a date, in the base currency."""

    current: Decimal = ZERO
    """Not yet past due (due today or later)."""
    days_1_30: Decimal = ZERO
    """1 to 30 days past due."""
    days_31_60: Decimal = ZERO
    """31 to 60 days past due."""
    days_61_90: Decimal = ZERO
    """61 to 90 days past due."""
    days_91_plus: Decimal = ZERO
    """91 days or more past due."""

    def buckets(self) -> dict[str, Decimal]:
        """Bucket label (:data:`AGING_LABELS`) to amount, in order."""
        return dict(
            zip(
                AGING_LABELS,
                (self.current, self.days_1_30, self.days_31_60, self.days_61_90,
                 self.days_91_plus),
                strict=True,
            )
        )


class PeriodLateness(Frozen):
    """Late share and weighted days late of the invoices due in one period."""

    start: date
    """First day of the period (included)."""
    end: date
    """Last day of the period (included)."""
    invoices: int
    """Invoices due in the period whose lateness is known."""
    invoices_late: int
    """Of those, how many were late (days late above the grace days), paid or still open."""
    late_share: Decimal | None
    """``invoices_late / invoices``; None without invoices."""
    weighted_days_late: Decimal | None
    """Amount-weighted days late; None without invoices."""
    invoice_ids: tuple[str, ...]
    """The invoices, in ledger order."""


class PaymentProfile(Frozen):
    """How one customer pays, as of a date, over the policy's look-back window."""

    customer_id: str
    """The customer; with ``payment_profiles(..., by=...)``, the key ``by`` gives (a client)."""
    as_of: date
    """The date of the replay."""
    currency: str
    """The base currency every amount here is in."""
    period: tuple[date, date]
    """First and last day of the look-back window ``(as_of - lookback_days, as_of]``."""
    invoices_due: int
    """Invoices due in the window whose lateness is known (settled, or still open). Invoices
    marked paid with no date, invoices of zero amount, and invoices cancelled by credit notes
    (``invoices_cancelled``) are not counted."""
    invoices_settled: int
    """Of ``invoices_due``, settled by ``as_of``."""
    invoices_open: int
    """Of ``invoices_due``, still open on ``as_of`` (all of them due by then)."""
    invoices_late: int
    """Of ``invoices_due``, late: days late above ``Policy.grace_days``, paid or still open."""
    invoices_open_late: int
    """Of ``invoices_late``, still unpaid on ``as_of`` (their days late is a lower bound)."""
    invoices_paid_date_unknown: int
    """Invoices due in the window marked paid with neither payments nor a paid date."""
    invoices_cancelled: int = 0
    """Invoices due in the window settled by credit notes alone by ``as_of`` (cancelled, not
    paid: :func:`clientguard.settlement.is_cancelled`): not in ``invoices_due``, nor in any
    share, day count, ADP, cost or trend point here (docs/metrics/lateness.md, rule 10)."""
    amount_due: Decimal
    """Total of ``invoices_due``."""
    late_amount: Decimal
    """Total of the late invoices."""
    late_share: Decimal | None
    """``invoices_late / invoices_due``; None without invoices due."""
    late_amount_share: Decimal | None
    """``late_amount / amount_due``."""
    mean_days_late: Decimal | None
    """Mean days late over ``invoices_due`` (on-time invoices count as 0)."""
    weighted_days_late: Decimal | None
    """``sum(amount x days_late) / sum(amount)`` over ``invoices_due`` (days beyond terms
    invoice-weighted, "DBT"). Open invoices count with ``as_of - due_date``."""
    weighted_days_beyond_terms: Decimal | None
    """``sum(amount x (paid - due)) / sum(amount)``: Upflow's "average payment delay", negative
    when the client pays early; open invoices count with ``as_of`` as the paid date."""
    median_days_late: Decimal | None
    """Median days late over ``invoices_due``."""
    p90_days_late: Decimal | None
    """90th percentile of days late (linear interpolation between order statistics, as
    numpy's default and Excel's PERCENTILE.INC)."""
    p10_days_late: Decimal | None = None
    """10th percentile of days late, interpolated as ``p90_days_late``: with it, the spread of
    the middle 80% of the days late (a client on a fixed payment run pays every invoice about
    as late). None without invoices due."""
    adp: Decimal | None
    """Average days to pay: mean ``settled_on - issue_date`` over the settled invoices due in
    the window; None when none is settled."""
    adp_weighted: Decimal | None
    """ADP weighted by amount."""
    open_balance: Decimal
    """Everything still owed on ``as_of``, whenever it was due."""
    overdue_balance: Decimal
    """The part of ``open_balance`` past due on ``as_of``."""
    aging: Aging
    """``open_balance`` by days past due."""
    oldest_open_days_past_due: int | None
    """Days past due of the oldest open invoice that is past due; None when none is."""
    oldest_open_invoice_id: str | None
    """That invoice."""
    oldest_open_invoice_label: str | None = None
    """That invoice as a person knows it (:meth:`clientguard.ledger.Ledger.invoice_label`: its
    number), as the findings' sentences name it; None when none is past due."""
    financing_cost: Decimal
    """What the lateness of the invoices due in the window cost the firm by ``as_of`` at
    ``Policy.cost_of_capital``: each amount paid after the due date, times its days after the
    due date, plus what is still open times ``as_of - due_date``, times the rate, over 365.
    Credit notes are not money the client kept, so they carry no cost."""
    unapplied_cash: Decimal
    """Payments received by ``as_of`` that pay no invoice (overpayments, money on account, money
    allocated to a voided invoice)."""
    unapplied_credit: Decimal
    """Credit notes issued by ``as_of`` neither applied to an invoice nor paid back to the
    client (their ``refunds``) by then: credit the firm still owes."""
    late_invoice_ids: tuple[str, ...]
    """The late invoices, in ledger order (the evidence)."""
    monthly: tuple[MonthPoint, ...]
    """Amount-weighted days late per month of due date over ``Policy.trend_history_days``;
    months without invoices are skipped."""
    recent: PeriodLateness
    """Invoices due in the last ``Policy.recent_days``."""
    before: PeriodLateness
    """Invoices due in the rest of the look-back window, before ``recent``."""


class _Period:
    """Running sums for one period."""

    __slots__ = ("amount", "count", "ids", "late", "weighted")

    def __init__(self) -> None:
        self.count = 0
        self.late = 0
        self.amount = ZERO
        self.weighted = ZERO
        self.ids: list[str] = []

    def add(self, invoice_id: str, amount: Decimal, weighted: Decimal, late: bool) -> None:
        """Count one invoice of ``amount``, ``weighted`` its ``amount x days_late``."""
        self.count += 1
        self.late += late
        self.amount += amount
        self.weighted += weighted
        self.ids.append(invoice_id)

    def copy(self) -> _Period:
        """A copy whose sums and ids go on apart from these."""
        copied = _Period()
        copied.count, copied.late = self.count, self.late
        copied.amount, copied.weighted = self.amount, self.weighted
        copied.ids = self.ids.copy()
        return copied

    def result(self, start: date, end: date) -> PeriodLateness:
        return PeriodLateness(
            start=start,
            end=end,
            invoices=self.count,
            invoices_late=self.late,
            late_share=Decimal(self.late) / self.count if self.count else None,
            weighted_days_late=self.weighted / self.amount if self.amount else None,
            invoice_ids=tuple(self.ids),
        )


class _Tally:
    """Running sums for one customer, filled in one pass over the replay."""

    __slots__ = (
        "adp_amount", "adp_count", "adp_sum", "adp_weighted", "aging", "amount", "amount_days",
        "before", "beyond_weighted", "cancelled", "days_late", "late", "late_amount", "late_ids",
        "months", "oldest", "oldest_id", "open", "open_balance", "open_late", "overdue",
        "recent", "settled", "unknown", "weighted_late",
    )

    def __init__(self) -> None:
        self.settled = self.open = self.late = self.open_late = self.unknown = 0
        self.cancelled = 0
        self.amount = self.late_amount = self.weighted_late = self.beyond_weighted = ZERO
        self.adp_sum = self.adp_count = 0
        self.adp_amount = self.adp_weighted = ZERO
        self.open_balance = self.overdue = self.amount_days = ZERO
        self.aging = [ZERO, ZERO, ZERO, ZERO, ZERO]
        self.days_late: list[int] = []
        self.late_ids: list[str] = []
        self.months = MonthlyLateness()
        self.oldest: int | None = None
        self.oldest_id: str | None = None
        self.recent = _Period()
        self.before = _Period()

    def copy(self) -> _Tally:
        """A deep copy (its lists, its periods and its months' sums and ids copied): the
        tally as it is now, which the rows added to this one later leave as it is."""
        copied = _Tally()
        for name in ("settled", "open", "late", "open_late", "unknown", "cancelled", "amount",
                     "late_amount", "weighted_late", "beyond_weighted", "adp_sum",
                     "adp_count", "adp_amount", "adp_weighted", "open_balance", "overdue",
                     "amount_days", "oldest", "oldest_id"):
            setattr(copied, name, getattr(self, name))  # numbers and strings: immutable
        copied.aging = self.aging.copy()
        copied.days_late = self.days_late.copy()
        copied.late_ids = self.late_ids.copy()
        copied.months._months = {key: (sums.copy(), ids.copy())
                                 for key, (sums, ids) in self.months._months.items()}
        copied.recent = self.recent.copy()
        copied.before = self.before.copy()
        return copied


def payment_profiles(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    only: Callable[[Invoice], bool] | None = None,
    by: Callable[[str], str] | None = None,
    customers: Collection[str] | None = None,
    paid: Mapping[str, Covered] | None = None,
) -> dict[str, PaymentProfile]:
    """Each customer's payment profile as of ``as_of``, by customer id (sorted).

    A customer has a profile when it has an invoice issued by ``as_of`` that is not draft or
    void, or money unapplied on that date. With ``only``, every field but the unapplied cash
    and credit (which belong to no invoice) counts only the invoices ``only`` accepts, as if
    the others were not in the ledger: counts, shares, days, costs, balances, aging, the oldest
    open invoice, the periods and the trend series (the undisputed invoices of a disputing
    client are judged so); a customer none of whose invoices it accepts has an empty profile.
    With ``by`` (a customer id to the key its invoices and unapplied money count under, e.g.
    ``ledger.group_of``), the profiles are of those keys: one profile of all the invoices of
    the customers ``by`` maps to one key, as if they were one customer's (the review judges
    lateness per client so: docs/review.md, "How lateness is judged").
    With ``customers``, only the profiles of those customers (or of their keys, with ``by``)
    are made, from their invoices and unapplied money alone: the same profiles as without it,
    for a caller that wants a few (a pass that reads only their rows, not every row through
    ``only``).
    With ``paid`` (invoice ids to what unapplied money pays of them:
    :func:`clientguard.unapplied.covered`), each of those invoices open on ``as_of`` counts
    with those part payments applied on the money's day (paid in full, settled on its day;
    :func:`clientguard.unapplied.as_paid`), as if the money had been applied then (the
    unapplied cash and credit are still as the books have them): what the review judges
    lateness on (docs/review.md, "Unapplied money").
    Raises TypeError when ``as_of`` is not a date.
    """
    check_as_of(as_of)
    policy = policy or Policy()
    tallies = _scan(ledger, as_of, policy, only, by, customers, paid)
    return _profiles(ledger, as_of, policy, tallies, by, customers)


def _payment_profiles_judged(
    ledger: Ledger, *, as_of: date, policy: Policy, paid: Mapping[str, Covered],
    by: Callable[[str], str] | None = None, customers: Collection[str] | None = None,
    judged: Collection[str] | None = None,
) -> tuple[dict[str, PaymentProfile], dict[str, PaymentProfile]]:
    """``payment_profiles(ledger, as_of=as_of, policy=policy, by=by, customers=customers)``
    and ``payment_profiles(ledger, as_of=as_of, policy=policy, by=by, customers=judged,
    paid=paid)`` (``judged``: by default the customers of the invoices in ``paid``), the same
    profiles, from one pass over the replay (:func:`_scan_judged`): what a review reads of
    every customer (or client), and what those whose unapplied money pays an open invoice are
    judged on. Internal: the review's fast path (:func:`clientguard.signals.lateness.
    _customer_profiles`, :func:`clientguard.signals.lateness.client_profiles`)."""
    check_as_of(as_of)
    if judged is None:
        judged = {ledger.invoice(i).customer_id for i in paid}
    tallies, judged_tallies = _scan_judged(ledger, as_of, policy, paid, judged, by, customers)
    return (_profiles(ledger, as_of, policy, tallies, by, customers),
            _profiles(ledger, as_of, policy, judged_tallies, by, judged))


def _profiles(
    ledger: Ledger, as_of: date, policy: Policy, tallies: Mapping[str, _Tally],
    by: Callable[[str], str] | None, customers: Collection[str] | None,
) -> dict[str, PaymentProfile]:
    """The profiles of ``tallies`` and of the unapplied money (of ``customers``' alone,
    where given; with ``by``, added up under its keys), by key, sorted."""
    unapplied = _held_unapplied(ledger, as_of)
    if customers is not None:
        unapplied = {c: cash for c, cash in unapplied.items() if c in customers}
    if by is not None:
        unapplied = _unapplied_by(unapplied, by)
    window_start = as_of - timedelta(days=policy.lookback_days - 1)
    recent_start = as_of - timedelta(days=policy.recent_days - 1)
    before_end = recent_start - timedelta(days=1)
    profiles = {}
    for customer in sorted(set(tallies) | set(unapplied)):
        tally = tallies.get(customer) or _Tally()
        cash = unapplied.get(customer)
        profiles[customer] = _profile(
            customer, tally, as_of, ledger.base_currency, (window_start, as_of),
            (recent_start, before_end), policy.cost_of_capital,
            cash.payments if cash else ZERO, cash.credit if cash else ZERO,
            None if tally.oldest_id is None else ledger.invoice_label(tally.oldest_id),
        )
    return profiles


_UNAPPLIED_MEMO = "metrics.lateness.unapplied_cash"
"""The key of the unapplied money kept in the ledger's memo (one date's)."""


def _held_unapplied(ledger: Ledger, as_of: date) -> dict[str, UnappliedCash]:
    """:func:`~clientguard.settlement.unapplied_cash` as of ``as_of``, kept on the ledger (a
    ledger never changes, so neither does its unapplied money on a date): a review that
    makes several passes of profiles (per customer, per client, on the settled invoices of a
    covered client) reads the payments once. A copy of the kept mapping (its values are
    frozen)."""
    kept = ledger.memo.get(_UNAPPLIED_MEMO)
    if not (isinstance(kept, tuple) and kept[0] == as_of):
        kept = ledger.memo[_UNAPPLIED_MEMO] = (as_of, unapplied_cash(ledger, as_of=as_of))
    return dict(kept[1])


def _unapplied_by(
    unapplied: dict[str, UnappliedCash], by: Callable[[str], str]
) -> dict[str, UnappliedCash]:
    """Each customer's unapplied money added up under its key ``by`` gives."""
    summed: dict[str, UnappliedCash] = {}
    for customer, cash in unapplied.items():
        key = by(customer)
        held = summed.get(key)
        summed[key] = cash if held is None else held.model_copy(update={
            "payments": held.payments + cash.payments, "credit": held.credit + cash.credit})
    return summed


def _scan(
    ledger: Ledger, as_of: date, policy: Policy, only: Callable[[Invoice], bool] | None = None,
    by: Callable[[str], str] | None = None, customers: Collection[str] | None = None,
    paid: Mapping[str, Covered] | None = None,
) -> dict[str, _Tally]:
    """One pass over the replay, adding each invoice to its customer's tally (with ``only``,
    each invoice it accepts; the customers of the others get a tally all the same; with
    ``by``, to the tally of the key ``by`` gives its customer; with ``customers``, the rows
    of those customers alone, and no tally of any other)."""
    tallies: dict[str, _Tally] = {}
    # The invoices settled by credit notes alone are cancelled, not paid (rule 10): out of
    # the population. The set is of the few credited invoices, made once per ledger.
    cancelled = cancelled_by_credit(ledger)
    rows: Iterable[Replay] = replay(ledger, as_of=as_of, policy=policy)
    if customers is not None:
        rows = [row for row in rows if row.invoice.customer_id in customers]
    if paid:
        rows = [as_paid(row, paid[row.invoice.id])
                if row.status == "open" and row.invoice.id in paid else row for row in rows]
        # Paid by the money on its day (in full or in part), not cancelled by a credit note
        # the ledger applies later (as of as_of it was open).
        cancelled = {i: day for i, day in cancelled.items() if i not in paid}
    if only is not None:
        # Filtered before the loop, so that the loop of every review pays nothing for it.
        kept = []
        for row in rows:
            if only(row.invoice):
                kept.append(row)
            else:
                key = row.invoice.customer_id if by is None else by(row.invoice.customer_id)
                if key not in tallies:
                    tallies[key] = _Tally()
        rows = kept
    _add_rows(tallies, rows, ledger, as_of, policy, by, cancelled)
    return tallies


def _scan_judged(
    ledger: Ledger, as_of: date, policy: Policy, paid: Mapping[str, Covered],
    judged: Collection[str], by: Callable[[str], str] | None = None,
    customers: Collection[str] | None = None,
) -> tuple[dict[str, _Tally], dict[str, _Tally]]:
    """``_scan(ledger, as_of, policy, by=by, customers=customers)`` and ``_scan(ledger,
    as_of, policy, by=by, customers=judged, paid=paid)`` from one pass over the replay.

    The rows of a key (a customer; with ``by``, its key) before the first of its invoices in
    ``paid`` are the same in both (only those invoices' rows differ): its tally is copied as
    it stands just before that row, and the copy goes on over the key's rows from there with
    ``paid`` applied, as ``_scan``'s does. The rows come in the ledger's order (issue date,
    id) and those invoices are open ones, mostly near the end: a million-invoice review read
    most of its rows a second time for them until 2026-12-08. Two passes, as given, where
    that does not hold: a key of ``judged`` with customers (of ``customers``) not in
    ``judged``, a key of ``judged`` without an invoice in ``paid``, or an invoice in ``paid``
    the replay has not."""
    key: Callable[[str], str] = (lambda customer: customer) if by is None else by
    scope = ledger.customer_ids if customers is None else customers
    keys = {key(c) for c in judged}
    rows: Sequence[Replay] = replay(ledger, as_of=as_of, policy=policy)
    if customers is not None:
        rows = [row for row in rows if row.invoice.customer_id in customers]
    cuts = _first_rows(rows, paid, ledger, judged, key) if (
        {c for c in scope if key(c) in keys} == set(judged)) else None
    if not cuts or set(cuts) != keys:  # (a key without an invoice in ``paid``)
        return (_scan(ledger, as_of, policy, None, by, customers),
                _scan(ledger, as_of, policy, None, by, judged, paid))
    cancelled = cancelled_by_credit(ledger)
    tallies: dict[str, _Tally] = {}
    copies: dict[str, _Tally] = {}
    at: dict[int, list[str]] = {}
    for judged_key, cut in cuts.items():
        at.setdefault(cut, []).append(judged_key)
    remaining = iter(rows)
    done = 0
    for cut in sorted(at):
        _add_rows(tallies, islice(remaining, cut - done), ledger, as_of, policy, by,
                  cancelled)
        done = cut
        for judged_key in at[cut]:
            tally = tallies.get(judged_key)
            if tally is not None:
                copies[judged_key] = tally.copy()
    _add_rows(tallies, remaining, ledger, as_of, policy, by, cancelled)
    # Each judged key's rows from its cut on, its covered invoices paid by the money (as
    # _scan's ``paid``), and not cancelled by a credit note the ledger applies later.
    after = []
    for index in range(min(at), len(rows)):
        row = rows[index]
        first = cuts.get(key(row.invoice.customer_id))
        if first is not None and index >= first:
            if row.status == "open" and row.invoice.id in paid:
                row = as_paid(row, paid[row.invoice.id])
            after.append(row)
    _add_rows(copies, after, ledger, as_of, policy, by,
              {i: day for i, day in cancelled.items() if i not in paid})
    return tallies, copies


def _first_rows(
    rows: Sequence[Replay], paid: Mapping[str, Covered], ledger: Ledger,
    judged: Collection[str], key: Callable[[str], str],
) -> dict[str, int] | None:
    """Per key (``key`` of a customer of ``judged``) of the invoices in ``paid`` of those
    customers, the index in ``rows`` (a replay, in the ledger's order: issue date, id) of the
    first of its invoices there (found by bisection); None when one of them is not in
    ``rows``."""
    first: dict[str, int] = {}
    for invoice_id in paid:
        invoice = ledger.invoice(invoice_id)
        if invoice.customer_id not in judged:
            continue
        index = bisect_left(rows, (invoice.issue_date, invoice_id), key=_ledger_order)
        if index == len(rows) or rows[index].invoice.id != invoice_id:
            return None
        judged_key = key(invoice.customer_id)
        if judged_key not in first or index < first[judged_key]:
            first[judged_key] = index
    return first


def _ledger_order(row: Replay) -> tuple[date, str]:
    """A replay row's place in the ledger's order."""
    return row.invoice.issue_date, row.invoice.id


def _add_rows(
    tallies: dict[str, _Tally], rows: Iterable[Replay], ledger: Ledger, as_of: date,
    policy: Policy, by: Callable[[str], str] | None, cancelled: Mapping[str, date | None],
) -> None:
    """Add each of ``rows`` to its customer's tally in ``tallies`` (with ``by``, to its key's),
    making the tallies it lacks: :func:`_scan`'s loop, for a caller that adds the rows of one
    replay in parts (``cancelled``: :func:`~clientguard.settlement.cancelled_by_credit`'s
    invoices, as the rows' profiles count them)."""
    window_start = as_of - timedelta(days=policy.lookback_days)  # excluded: (start, as_of]
    recent_start = as_of - timedelta(days=policy.recent_days)
    trend_start = as_of - timedelta(days=policy.trend_history_days)
    earliest = min(window_start, trend_start)
    grace = policy.grace_days
    base = ledger.base_currency
    rate_to_base = ledger.rate_to_base
    zero = ZERO
    for row in rows:
        # The fields read by name, each where it is needed: unpacking every row would touch
        # (count a reference to) all twelve of its values, most of which the rows settled
        # before every window never read.
        invoice = row.invoice
        status = row.status
        due = invoice.due_date
        # The tally's key: the customer, or the client ``by`` counts it under.
        customer = invoice.customer_id if by is None else by(invoice.customer_id)
        if due <= earliest and status == "settled":
            # Most of a long ledger: settled, and due before any window looks.
            if customer not in tallies:
                tallies[customer] = _Tally()
            continue
        tally = tallies.get(customer)
        if tally is None:
            tally = tallies[customer] = _Tally()
        if status == "paid_date_unknown":
            tally.unknown += window_start < due <= as_of
            continue
        rate = ONE if invoice.currency == base else rate_to_base(invoice)
        days_late = row.days_late
        if status == "open":
            open_balance = row.open_balance
            balance = open_balance if rate is ONE else open_balance * rate
            tally.open_balance += balance
            if days_late is None or days_late == 0:
                tally.aging[0] += balance
            else:
                tally.overdue += balance
                tally.aging[_aging_bucket(days_late)] += balance
                if tally.oldest is None or days_late > tally.oldest:
                    tally.oldest, tally.oldest_id = days_late, invoice.id
        total = invoice.total
        if due <= earliest or due > as_of or days_late is None or total == zero:
            # Not due in any window (or not due yet), or nothing to weigh.
            continue
        invoice_id = invoice.id
        # The few credited invoices' ids first: most rows are not among them.
        if cancelled and invoice_id in cancelled and status == "settled" and (
                row.basis == "allocations") and (
                (first_paid := cancelled[invoice_id]) is None
                or (row.settled_on is not None and first_paid > row.settled_on)):
            # settlement.is_cancelled, inlined (a million rows): neither late nor on time.
            tally.cancelled += window_start < due
            continue
        amount = total if rate is ONE else total * rate
        # amount x days late: one product for the month, the window and the period.
        weighted = amount * days_late
        if due > trend_start:
            # MonthlyLateness._add, inlined (most of a million rows): the month's sums and ids.
            month_key = due.year * 12 + due.month - 1
            month = tally.months._months.get(month_key)
            if month is None:
                tally.months._months[month_key] = ([weighted, amount], [invoice_id])
            else:
                sums = month[0]
                sums[0] += weighted
                sums[1] += amount
                month[1].append(invoice_id)
        if due <= window_start:
            continue
        late = days_late > grace  # settlement.is_late, inlined: days_late is set here
        tally.amount += amount
        tally.days_late.append(days_late)
        if days_late:
            tally.weighted_late += weighted
            late_amount_days = row.late_amount_days
            if status == "open":
                late_amount_days += row.open_balance * days_late
            tally.amount_days += late_amount_days if rate is ONE else late_amount_days * rate
        beyond = row.days_beyond_terms
        if beyond:
            tally.beyond_weighted += amount * beyond
        if late:
            tally.late += 1
            tally.late_amount += amount
            tally.late_ids.append(invoice_id)
        if status == "open":
            tally.open += 1
            tally.open_late += late
        else:
            days_to_pay = row.days_to_pay
            tally.settled += 1
            tally.adp_sum += days_to_pay or 0
            tally.adp_count += 1
            tally.adp_amount += amount
            if days_to_pay:
                tally.adp_weighted += amount * days_to_pay
        # _Period.add, inlined.
        period = tally.recent if due > recent_start else tally.before
        period.count += 1
        period.late += late
        period.amount += amount
        period.weighted += weighted
        period.ids.append(invoice_id)


def _aging_bucket(days_past_due: int) -> int:
    """The index in :data:`AGING_LABELS` of an amount this many days (at least 1) past due."""
    if days_past_due <= 30:
        return 1
    if days_past_due <= 60:
        return 2
    return 3 if days_past_due <= 90 else 4


def _profile(
    customer: str,
    tally: _Tally,
    as_of: date,
    currency: str,
    period: tuple[date, date],
    recent_period: tuple[date, date],
    cost_of_capital: Decimal,
    cash: Decimal,
    credit: Decimal,
    oldest_label: str | None = None,
) -> PaymentProfile:
    count = len(tally.days_late)
    ordered = sorted(tally.days_late)
    amount = tally.amount
    recent_start, before_end = recent_period
    return PaymentProfile(
        customer_id=customer,
        as_of=as_of,
        currency=currency,
        period=period,
        invoices_due=count,
        invoices_settled=tally.settled,
        invoices_open=tally.open,
        invoices_late=tally.late,
        invoices_open_late=tally.open_late,
        invoices_paid_date_unknown=tally.unknown,
        invoices_cancelled=tally.cancelled,
        amount_due=amount,
        late_amount=tally.late_amount,
        late_share=Decimal(tally.late) / count if count else None,
        late_amount_share=tally.late_amount / amount if amount else None,
        mean_days_late=Decimal(sum(ordered)) / count if count else None,
        weighted_days_late=tally.weighted_late / amount if amount else None,
        weighted_days_beyond_terms=tally.beyond_weighted / amount if amount else None,
        median_days_late=percentile(ordered, _HALF) if count else None,
        p90_days_late=percentile(ordered, _P90) if count else None,
        p10_days_late=percentile(ordered, _P10) if count else None,
        adp=Decimal(tally.adp_sum) / tally.adp_count if tally.adp_count else None,
        adp_weighted=tally.adp_weighted / tally.adp_amount if tally.adp_amount else None,
        open_balance=tally.open_balance,
        overdue_balance=tally.overdue,
        aging=Aging(
            current=tally.aging[0],
            days_1_30=tally.aging[1],
            days_31_60=tally.aging[2],
            days_61_90=tally.aging[3],
            days_91_plus=tally.aging[4],
        ),
        oldest_open_days_past_due=tally.oldest,
        oldest_open_invoice_id=tally.oldest_id,
        oldest_open_invoice_label=oldest_label,
        financing_cost=carrying_cost(tally.amount_days, cost_of_capital, DAYS_PER_YEAR),
        unapplied_cash=cash,
        unapplied_credit=credit,
        late_invoice_ids=tuple(tally.late_ids),
        monthly=tally.months.points(),
        recent=tally.recent.result(recent_start, as_of),
        before=tally.before.result(period[0], before_end),
    )


def percentile(ordered: Sequence[int | Decimal], q: Decimal) -> Decimal:
    """The ``q``-quantile (0..1) of values sorted ascending, interpolating linearly between
    order statistics (Hyndman and Fan's type 7: numpy's default, Excel's PERCENTILE.INC).

    Raises ValueError when empty or when ``q`` is outside 0..1.
    """
    if not ordered:
        raise ValueError("the percentile of nothing is undefined")
    if not ZERO <= q <= ONE:
        raise ValueError(f"q must be between 0 and 1, not {q}")
    position = (len(ordered) - 1) * q
    low = int(position)
    fraction = position - low
    value = Decimal(ordered[low])
    if fraction:
        value += (Decimal(ordered[low + 1]) - value) * fraction
    return value


# ---------------------------------------------------------------------------- named variants
def _number(value: Decimal | int | str, what: str) -> Decimal:
    return to_decimal(value, what=what)


def dso_simple(
    ar: Decimal | int | str, credit_sales: Decimal | int | str, days: int
) -> Decimal:
    """Days sales outstanding, simple method: ``AR / credit_sales x days``.

    ``ar`` is receivables at the end of the period, ``credit_sales`` the credit sales of the
    period, ``days`` its length. Source: creditguru, trymesha (docs/metrics/lateness.md, section 3).
    Raises ValueError when ``credit_sales`` is zero.
    """
    sales = _number(credit_sales, "credit_sales")
    if sales == 0:
        raise ValueError("dso_simple: credit_sales is zero, so DSO is undefined")
    # Multiply before dividing: exact whenever the quotient is.
    return _number(ar, "ar") * days / sales


def dso_countback(
    ar_end: Decimal | int | str,
    monthly_credit_sales: Sequence[Decimal | int | str],
    days_per_month: int | Sequence[int] = 30,
) -> Decimal:
    """Days sales outstanding, countback method.

    ``monthly_credit_sales`` runs from the oldest month to the latest. Starting from the
    latest month, take away each month's sales from the receivables and add its days while
    the receivables cover them; for the first month they do not, add the fraction
    ``remaining / sales`` of its days. ``days_per_month`` is one number for every month (30,
    the source's convention) or the actual days of each month, oldest first.
    Source: trymesha, benjipays, highako (docs/metrics/lateness.md, section 3).

    Raises ValueError when the receivables exceed the sales of every month given (pass more
    months) or when the lists differ in length.
    """
    remaining = _number(ar_end, "ar_end")
    sales = [_number(s, "monthly_credit_sales") for s in monthly_credit_sales]
    if isinstance(days_per_month, int):
        month_days = [days_per_month] * len(sales)
    else:
        month_days = list(days_per_month)
        if len(month_days) != len(sales):
            raise ValueError(
                f"dso_countback: {len(sales)} months of sales but {len(month_days)} month lengths"
            )
    total = ZERO
    for month_sales, days in zip(reversed(sales), reversed(month_days), strict=True):
        if remaining <= 0:
            return total
        if remaining >= month_sales:
            remaining -= month_sales
            total += days
        else:
            return total + days * remaining / month_sales
    if remaining > 0:
        raise ValueError(
            f"dso_countback: receivables exceed the credit sales of all {len(sales)} months "
            f"given by {remaining}; pass more months"
        )
    return total


class AddCrf(Frozen):
    """Average days delinquent, CRF method, with the two DSOs it is the difference of."""

    dso: Decimal
    """``total_ar / credit_sales x days``."""
    best_possible_dso: Decimal
    """``current_ar / credit_sales x days``: the DSO if nothing were past due."""
    add: Decimal
    """``dso - best_possible_dso``."""


def add_crf(
    total_ar: Decimal | int | str,
    current_ar: Decimal | int | str,
    credit_sales: Decimal | int | str,
    days: int,
) -> AddCrf:
    """Average days delinquent (CRF): DSO minus best possible DSO.

    ``current_ar`` is the part of the receivables not yet past due. Source: creditguru,
    quadient (docs/metrics/lateness.md, section 3). Raises ValueError when ``credit_sales`` is zero.
    """
    dso = dso_simple(total_ar, credit_sales, days)
    best = dso_simple(current_ar, credit_sales, days)
    return AddCrf(dso=dso, best_possible_dso=best, add=dso - best)


def cei(
    begin_ar: Decimal | int | str,
    credit_sales: Decimal | int | str,
    end_total_ar: Decimal | int | str,
    end_current_ar: Decimal | int | str,
    *,
    sales_divisor: int,
) -> Decimal:
    """Collection effectiveness index, in percent.

    ``(begin_ar + S' - end_total_ar) / (begin_ar + S' - end_current_ar) x 100`` with
    ``S' = credit_sales / sales_divisor``. Sources publish both ``sales_divisor=1`` (the
    period's sales, wizedu, gaviti) and the number of months (creditguru, Oracle: monthly
    sales = sales / N); the same data gives 79.6% and 55.9%, so the caller must choose
    (docs/metrics/lateness.md, section 3). Raises ValueError when the divisor is not positive or the
    denominator is zero.
    """
    if sales_divisor <= 0:
        raise ValueError(f"cei: sales_divisor must be positive, not {sales_divisor}")
    begin = _number(begin_ar, "begin_ar")
    sales = _number(credit_sales, "credit_sales") / sales_divisor
    collectible = begin + sales - _number(end_current_ar, "end_current_ar")
    if collectible == 0:
        raise ValueError("cei: nothing was collectible (the denominator is zero)")
    return (begin + sales - _number(end_total_ar, "end_total_ar")) / collectible * _HUNDRED


def average_payment_delay(
    invoices: Iterable[tuple[Decimal | int | str, int]],
) -> Decimal | None:
    """Upflow's average payment delay: ``sum(amount x days) / sum(amount)`` over
    ``(amount, days_from_due_to_paid)`` pairs, negative when paid early; None when the amounts
    sum to zero. The same measure as :attr:`PaymentProfile.weighted_days_beyond_terms`.
    Source: Upflow (docs/metrics/lateness.md, section 3)."""
    weights = ZERO
    total = ZERO
    for amount, days in invoices:
        value = _number(amount, "amount")
        weights += value
        total += value * days
    return total / weights if weights else None
