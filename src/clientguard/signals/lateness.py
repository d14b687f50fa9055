"""Signals: the thresholds of a :class:`~clientguard.policy.Policy` applied to the metrics,
giving :class:`~clientguard.findings.Finding` objects.

Organised by signal, one section each. Every section has a public entry point over a ledger
and pure ``flag_*`` functions over metrics a caller may already hold, so a user can apply their
own policy to numbers they computed once.

Late payment (docs/metrics/lateness.md, sections 4 and 5):

``chronic_late``
    At least ``min_invoices`` invoices due in the look-back window, and late on at least
    ``chronic_late_share`` of them (paid late, or past due and unpaid), by count or by
    amount. Severity by the
    amount-weighted days late: ``watch`` up to ``late_days_warning``, ``warning`` above it,
    ``critical`` above ``late_days_critical``, and ``critical`` too when an open invoice is more
    than ``open_days_past_due_critical`` days past due.
``worsening_late``
    With at least ``trend_min_months`` months of invoices due over ``trend_history_days``, the
    monthly amount-weighted days late has a Mann-Kendall p-value at most ``trend_alpha`` for an
    upward trend and a Theil-Sen slope of at least ``trend_min_slope`` days a month. With a
    shorter history, or when the trend test finds nothing, the late share of the last
    ``recent_days`` beats that of the rest of the window by at least ``recent_late_share_rise``,
    each period with at least ``recent_min_invoices`` invoices (on a long history, with a
    one-sided Fisher exact p-value at most ``trend_alpha`` too). Severity by how late the client
    is now (the trend line at its last month, or the recent period's weighted days late) on the
    same bands as above.

Messages round at output only (days to whole days or one decimal, money half-even to the
currency's minor unit); the findings' values and evidence keep full precision.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from operator import attrgetter
from typing import Any, NamedTuple

from clientguard import wording
from clientguard.findings import Evidence, Finding, Number, Severity, Signal, by_severity
from clientguard.frozen import Frozen
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import client_name
from clientguard.metrics.cost.interest import carrying_cost
from clientguard.metrics.lateness import (
    DAYS_PER_YEAR,
    PaymentProfile,
    _payment_profiles_judged,
    payment_profiles,
)
from clientguard.metrics.trend import LatenessTrend, fisher_exact_greater, lateness_trend
from clientguard.money import round_money
from clientguard.policy import Policy
from clientguard.settlement import cancelled_by_credit, check_as_of, is_cancelled, replay
from clientguard.signals.shared import active, shared
from clientguard.unapplied import Covered, as_paid, client_covers, covered

__all__ = [
    "DisputeSplit",
    "Materiality",
    "aggravating_facts",
    "client_profiles",
    "covered_days",
    "dispute_splits",
    "flag_chronic_late",
    "flag_dispute",
    "flag_worsening_late",
    "judged_profiles",
    "late_payer_findings",
    "late_payers",
    "late_payment",
    "lateness_key",
    "lateness_severity",
    "materiality",
    "recently_better",
    "unapplied_covers",
    "undisputed_profile",
    "yearly_cost",
]

_ZERO = Decimal(0)
_ONE = Decimal(1)


# ================================================================================ late payment
def late_payment(ledger: Ledger, as_of: date, policy: Policy) -> list[Finding]:
    """The built-in late-payment signal: ``chronic_late``, ``worsening_late`` and ``dispute``
    findings as of ``as_of``, most serious first (the signal interface of
    :mod:`clientguard.signals`).

    Per client (:func:`client_profiles`): the companies of a group, and customers linked
    across sources, are judged as one client, on all their invoices together, as every other
    signal judges them (until 2026-12-07 each company was judged alone, so a client of two
    linked customers with two invoices each, all 60 days late, escaped judgement). Lateness
    that is not material (:func:`materiality`) is at most ``watch``; a client whose late
    invoices are mostly disputed gets a ``dispute`` finding and its chronic lateness is judged
    on its undisputed invoices alone; the open invoices a client's unapplied payments and
    credit notes would pay (:func:`clientguard.unapplied.covers`: per currency, oldest due
    first, disputed ones skipped) are judged as paid on the day that money came
    (:func:`judged_profiles`; until 2026-12-07 a client whose unapplied money covered its open
    balance was judged on its settled invoices alone, however late the money came).
    """
    check_as_of(as_of)
    profiles = dict(shared("client_profiles", ledger, as_of, policy, client_profiles))
    names = {client: _client_name(ledger, client) for client in profiles}
    firm_due = sum((p.amount_due for p in profiles.values()), _ZERO)
    # Its open invoices the unapplied money would pay are open only until the money is
    # applied in the books: judged as paid on the money's day (docs/review.md, "Unapplied
    # money").
    profiles.update(judged_profiles(ledger, as_of, policy, lateness_key(ledger)))
    # Shared: the review reads the same splits for the payment-run advice.
    splits = shared("dispute_splits", ledger, as_of, policy, dispute_splits)
    return late_payer_findings(profiles, policy=policy, names=names, disputes=splits,
                               firm_due=firm_due)


def unapplied_covers(profile: PaymentProfile) -> bool:
    """Whether the profile's unapplied payments and credit (not refunded), in the base
    currency, reach its whole open balance, which is not zero. An approximation in base
    currency (each document at its own rate): the review decides what the money pays with
    :func:`clientguard.unapplied.covers`, in the documents' own currencies."""
    return profile.open_balance > 0 and (
        profile.unapplied_cash + profile.unapplied_credit >= profile.open_balance)


def covered_days(ledger: Ledger, as_of: date, policy: Policy) -> dict[str, Covered]:
    """Every open invoice the clients' unapplied money would pay (in full, or in part), by
    id, with its part payments and, paid in full, its day (:func:`clientguard.unapplied.
    covered`, once per review)."""
    return covered(shared("unapplied_covers", ledger, as_of, policy, client_covers))


def _customer_profiles(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> dict[str, PaymentProfile]:
    """Every customer's payment profile (:func:`~clientguard.metrics.lateness.
    payment_profiles`). Inside ``signals.shared``'s sharing (a review), made once, in the one
    pass over the replay that also makes the profiles :func:`judged_profiles` reads of the
    customers whose unapplied money pays an open invoice (until 2026-12-08 those were a
    second pass over those customers' rows: most of a million-invoice book's)."""
    if not active():
        return payment_profiles(ledger, as_of=as_of, policy=policy)
    return shared("payment_profiles", ledger, as_of, policy, _profile_pass)[0]


def _profile_pass(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> tuple[dict[str, PaymentProfile], dict[str, PaymentProfile]]:
    """Every customer's profile, and those of the customers with an open invoice their
    unapplied money pays, made with what it pays (empty without such an invoice)."""
    paid = covered_days(ledger, as_of, policy)
    if not paid:
        return payment_profiles(ledger, as_of=as_of, policy=policy), {}
    return _payment_profiles_judged(ledger, as_of=as_of, policy=policy, paid=paid)


def judged_profiles(
    ledger: Ledger, as_of: date, policy: Policy, by: Callable[[str], str] | None = None
) -> dict[str, PaymentProfile]:
    """The profiles (of the keys ``by`` gives; None: per customer) of the clients with an open
    invoice their unapplied money would pay, made with what it pays of them as part payments
    on the money's day (``payment_profiles``' ``paid``): what their lateness is judged on.
    Empty without such an invoice."""
    paid = covered_days(ledger, as_of, policy)
    if not paid:
        return {}
    alone = _judged_alone(ledger, as_of, policy, paid)
    if by is None:
        return dict(alone)
    own, together = _judged_split(ledger, paid, by, alone)
    # A customer ``by`` keeps under its own id, with no other customer under it, has the
    # same profile per client as per customer: read, not made again. Only the customers of
    # the other keys (a group's, linked customers') are read again, together: a second
    # pass over a million rows for the same numbers was 0.17 s of a review.
    profiles = {c: alone[c] for c in own}
    if together:
        group_of = ledger.group_of
        client_pass = shared("client_pass", ledger, as_of, policy, _client_pass) \
            if active() else None
        if client_pass is not None and client_pass[1] is not None and (
                client_pass[2] == together and all(by(c) == group_of(c) for c in together)):
            # Inside a review: from client_profiles' pass of a group's companies, its
            # tallies copied before their first covered invoice (as the customers' are).
            profiles.update(client_pass[1])
        else:
            profiles.update(payment_profiles(ledger, as_of=as_of, policy=policy, by=by,
                                             customers=together, paid=paid))
    return dict(sorted(profiles.items()))


def _judged_alone(
    ledger: Ledger, as_of: date, policy: Policy, paid: dict[str, Covered]
) -> dict[str, PaymentProfile]:
    """The judged profiles per customer (:func:`judged_profiles` without ``by``): inside a
    review, made in its one pass of every customer's profiles (:func:`_customer_profiles`;
    the review reads them per customer, the late-payment signal per client); alone, from
    those customers' rows."""
    if active():
        return shared("payment_profiles", ledger, as_of, policy, _profile_pass)[1]
    customers = {ledger.invoice(i).customer_id for i in paid}
    return payment_profiles(ledger, as_of=as_of, policy=policy, customers=customers,
                            paid=paid)


def _judged_split(
    ledger: Ledger, paid: dict[str, Covered], by: Callable[[str], str],
    alone: Mapping[str, PaymentProfile],
) -> tuple[set[str], frozenset[str]]:
    """The customers of the invoices in ``paid`` judged per client on their own profile
    (``by`` keeps them under their own id, with no other customer under it, and ``alone``
    has it), and the customers judged together per key (every customer of those customers'
    other keys)."""
    customers = {ledger.invoice(i).customer_id for i in paid}
    keys = {by(c) for c in customers}
    joined = {c for c in ledger.customer_ids if by(c) in keys}
    shared_keys = {by(c) for c in joined if by(c) != c}
    own = {c for c in customers if by(c) == c and c not in shared_keys and c in alone}
    return own, frozenset(joined - own)


def lateness_key(ledger: Ledger) -> Callable[[str], str]:
    """A customer id to the key its lateness is judged under: its client (``group_of``) where
    the client has more than one company (a group, or customers linked across sources), else
    the customer itself (a group of one keeps its customer's id and name, as before)."""
    group_of, members = ledger.group_of, ledger.members

    def key(customer: str) -> str:
        client = group_of(customer)
        return client if len(members(client)) > 1 else customer

    return key


def client_profiles(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> dict[str, PaymentProfile]:
    """The payment profiles lateness is judged on, by :func:`lateness_key`: each customer's
    own (``payment_profiles``), but one profile of all the invoices of a client of several
    companies (a group, or linked customers), as if they were one customer's. Without such a
    client, the customers' profiles themselves (no second pass)."""
    profiles = _customer_profiles(ledger, as_of=as_of, policy=policy)
    group_of, members = ledger.group_of, ledger.members
    # The customers of a client of several companies (the client's id may be one of theirs).
    joined = {customer for customer in ledger.customer_ids
              if len(members(group_of(customer))) > 1}
    if not joined:
        return profiles
    if active():
        together = shared("client_pass", ledger, as_of, policy, _client_pass)[0]
    else:
        together = payment_profiles(ledger, as_of=as_of, policy=policy, by=group_of,
                                    customers=joined)
    clients = {group_of(customer) for customer in joined}
    result = {c: p for c, p in profiles.items() if c not in joined}
    result.update((c, together[c]) for c in clients if c in together)
    return dict(sorted(result.items()))


def _client_pass(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> tuple[dict[str, PaymentProfile], dict[str, PaymentProfile] | None, frozenset[str]]:
    """Inside a review, one pass over the rows of the customers of clients of several
    companies (:func:`client_profiles`): their profiles per client (``group_of``), and the
    judged profiles per client of the customers judged together (:func:`judged_profiles`
    with :func:`lateness_key`, the third item; None when none is, or when one of them is not
    a client of several companies: judged_profiles makes them alone)."""
    group_of, members = ledger.group_of, ledger.members
    joined = {customer for customer in ledger.customer_ids
              if len(members(group_of(customer))) > 1}
    paid = covered_days(ledger, as_of, policy)
    together: frozenset[str] = frozenset()
    if paid:
        _, together = _judged_split(ledger, paid, lateness_key(ledger),
                                    _judged_alone(ledger, as_of, policy, paid))
    if together and together <= joined:
        # Of these, lateness_key is group_of: the judged keys are the clients'.
        plain, judged = _payment_profiles_judged(
            ledger, as_of=as_of, policy=policy, paid=paid, by=group_of, customers=joined,
            judged=together)
        return plain, judged, together
    return (payment_profiles(ledger, as_of=as_of, policy=policy, by=group_of,
                             customers=joined), None, together)


def _client_name(ledger: Ledger, client: str) -> str:
    """The client's name as the review writes it: the customer's, or a group's members."""
    if len(ledger.members(client)) == 1:
        return ledger.name_of(client)
    return client_name(ledger, client)


def late_payers(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> list[Finding]:
    """Chronic and worsening late payers (and disputes) as of ``as_of``, most serious first.

    At most one finding of each signal per client (:func:`lateness_key`: a customer, or the
    companies of a group or of linked customers together). Raises TypeError when ``as_of`` is
    not a date.
    """
    check_as_of(as_of)
    return late_payment(ledger, as_of, policy or Policy())


class DisputeSplit(Frozen):
    """A customer's invoices due in the window, split into disputed and undisputed (and the
    overdue balance of each part, whenever its invoices fell due: :func:`dispute_splits`)."""

    customer_id: str
    invoices_late: int
    """Late invoices due in the window (disputed or not)."""
    disputed_late: int
    """Of those, disputed."""
    disputed_ids: tuple[str, ...]
    """The disputed late invoices, in ledger order."""
    disputed_overdue: Decimal
    """What is still open on the disputed invoices past due (base currency), whenever they
    fell due, as the profile's overdue balance counts: a disputed invoice open since before
    the window is in it (until 2026-12-07 it was left out)."""
    disputed_cost: Decimal
    """The financing cost of the disputed invoices' lateness over the window."""
    disputed_weighted_days_late: Decimal | None
    """Amount-weighted days late of the disputed invoices due in the window."""
    undisputed_due: int
    undisputed_late: int
    undisputed_open_late: int
    undisputed_amount: Decimal
    undisputed_weighted_days_late: Decimal | None
    undisputed_late_ids: tuple[str, ...]
    undisputed_overdue: Decimal
    undisputed_cost: Decimal
    undisputed_late_amount: Decimal = _ZERO
    """The amount of the undisputed late invoices (base currency): with ``undisputed_amount``,
    the undisputed late share by amount."""
    undisputed: PaymentProfile
    """The customer's payment profile counted on its undisputed invoices alone, every field
    (:func:`payment_profiles` with ``only``): what :func:`undisputed_profile` judges, so that no
    disputed invoice, however late or long open, weighs on the undisputed lateness."""

    @property
    def disputed_share(self) -> Decimal | None:
        """Disputed late invoices over late invoices; None when none is late."""
        if not self.invoices_late:
            return None
        return Decimal(self.disputed_late) / self.invoices_late


def dispute_splits(
    ledger: Ledger, *, as_of: date, policy: Policy
) -> dict[str, DisputeSplit]:
    """Per customer with a disputed invoice due in the window, or open and past due since
    before it: the lateness split into disputed and undisputed invoices, counted as
    :class:`PaymentProfile` counts (paid late or past due and unpaid, open invoices at
    ``as_of - due_date``; the overdue balance of every invoice open and past due, whenever it
    fell due, the rest of the invoices due in the window). Empty, without a replay, when no
    invoice is disputed."""
    if not _any_disputed(ledger):
        return {}
    window_start = as_of - timedelta(days=policy.lookback_days)
    grace, rate_of, base = policy.grace_days, ledger.rate_to_base, ledger.base_currency
    sums: dict[str, dict[str, Any]] = {}
    cancelled = cancelled_by_credit(ledger)
    # Per client, as lateness is judged (late_payment): a group's companies together.
    key = lateness_key(ledger)
    # The open invoices unapplied money would pay, as paid on its day (judged_profiles).
    paid = covered_days(ledger, as_of, policy)
    if paid:
        # Paid by the money on its day, not cancelled by a later credit note (as in the
        # profiles: payment_profiles' ``paid``).
        cancelled = {i: day for i, day in cancelled.items() if i not in paid}
    for row in replay(ledger, as_of=as_of, policy=policy):
        if paid and row.status == "open" and row.invoice.id in paid:
            row = as_paid(row, paid[row.invoice.id])
        invoice, days_late = row.invoice, row.days_late
        due = invoice.due_date
        if due <= window_start and row.status == "open" and days_late:
            # Open and past due since before the window: not in the window's counts, but
            # overdue, as the profile counts it (a disputed invoice open for a year is a
            # disputed balance overdue, and makes the client one with a split).
            part = "disputed" if invoice.disputed_by(as_of) else "undisputed"
            rate = _ONE if invoice.currency == base else rate_of(invoice)
            _tally(sums, key(invoice.customer_id))[part]["overdue"] += row.open_balance * rate
            continue
        if not window_start < due <= as_of or days_late is None or invoice.total == _ZERO:
            continue
        if row.status == "paid_date_unknown" or is_cancelled(row, cancelled):
            # Cancelled by credit notes: out of the population, as in the payment profile.
            continue
        rate = _ONE if invoice.currency == base else rate_of(invoice)
        amount = invoice.total * rate
        late = days_late > grace
        amount_days = row.late_amount_days
        overdue = _ZERO
        if row.status == "open" and days_late:
            amount_days += row.open_balance * days_late
            overdue = row.open_balance * rate
        part = "disputed" if invoice.disputed_by(as_of) else "undisputed"
        tally = _tally(sums, key(invoice.customer_id))[part]
        tally["due"] += 1
        tally["amount"] += amount
        tally["weighted"] += amount * days_late
        tally["amount_days"] += amount_days * rate
        tally["overdue"] += overdue
        if late:
            tally["late"] += 1
            tally["late_amount"] += amount
            tally["open_late"] += row.status == "open"
            tally["ids"].append(invoice.id)
    disputing = {customer for customer, parts in sums.items()
                 if parts["disputed"]["due"] or parts["disputed"]["overdue"]}
    if not disputing:
        return {}
    alone = payment_profiles(
        ledger, as_of=as_of, policy=policy,
        only=lambda invoice: (
            key(invoice.customer_id) in disputing and not invoice.disputed_by(as_of)
        ),
        by=key,
        paid=paid,
    )
    splits = {}
    for customer, parts in sums.items():
        disputed, undisputed = parts["disputed"], parts["undisputed"]
        if customer not in disputing:
            continue
        rate = policy.cost_of_capital
        splits[customer] = DisputeSplit(
            customer_id=customer,
            invoices_late=disputed["late"] + undisputed["late"],
            disputed_late=disputed["late"],
            disputed_ids=tuple(disputed["ids"]),
            disputed_overdue=disputed["overdue"],
            disputed_cost=carrying_cost(disputed["amount_days"], rate, DAYS_PER_YEAR),
            disputed_weighted_days_late=(
                disputed["weighted"] / disputed["amount"] if disputed["amount"] else None
            ),
            undisputed_due=undisputed["due"],
            undisputed_late=undisputed["late"],
            undisputed_open_late=undisputed["open_late"],
            undisputed_amount=undisputed["amount"],
            undisputed_weighted_days_late=(
                undisputed["weighted"] / undisputed["amount"] if undisputed["amount"] else None
            ),
            undisputed_late_ids=tuple(undisputed["ids"]),
            undisputed_overdue=undisputed["overdue"],
            undisputed_cost=carrying_cost(undisputed["amount_days"], rate, DAYS_PER_YEAR),
            undisputed_late_amount=undisputed["late_amount"],
            undisputed=alone[customer],
        )
    return splits


def _tally(sums: dict[str, dict[str, Any]], customer: str) -> dict[str, Any]:
    """The disputed and undisputed tallies of ``customer`` in :func:`dispute_splits`, made
    empty the first time it is met. Internal."""
    return sums.setdefault(customer, {
        k: {"due": 0, "late": 0, "open_late": 0, "amount": _ZERO, "weighted": _ZERO,
            "ids": [], "overdue": _ZERO, "amount_days": _ZERO, "late_amount": _ZERO}
        for k in ("disputed", "undisputed")
    })


def _any_disputed(ledger: Ledger) -> bool:
    """Whether any invoice of the ledger is marked disputed, whatever the date: kept on the
    ledger (it never changes), so that the review and the dispute split read the invoices
    for it once. Internal."""
    kept = ledger.memo.get(_DISPUTED_MEMO)
    if not isinstance(kept, bool):
        # Read in C (a million invoices: a generator's frame a step took a third as long
        # again as the reading itself).
        kept = ledger.memo[_DISPUTED_MEMO] = any(map(_DISPUTED, ledger.invoices))
    return kept


_DISPUTED = attrgetter("disputed")
"""An invoice's ``disputed`` flag."""

_DISPUTED_MEMO = "signals.any_disputed"
"""The key of :func:`_any_disputed`'s answer in the ledger's memo."""


def late_payer_findings(
    profiles: Mapping[str, PaymentProfile],
    *,
    policy: Policy,
    names: Mapping[str, str] | None = None,
    disputes: Mapping[str, DisputeSplit] | None = None,
    firm_due: Decimal | None = None,
) -> list[Finding]:
    """The late-payment findings for profiles already computed, most serious first.

    Materiality weighs each customer's overdue balance against ``firm_due``, the firm's
    invoicing due in the window; by default the invoicing of all the profiles given (the
    firm's, when they are every customer's)."""
    names = names or {}
    disputes = disputes or {}
    if firm_due is None:
        firm_due = sum((p.amount_due for p in profiles.values()), _ZERO)
    findings = []
    for customer, profile in profiles.items():
        name = names.get(customer, customer)
        split = disputes.get(customer)
        dispute = (
            flag_dispute(profile, split, policy, name=name, firm_due=firm_due)
            if split is not None
            else None
        )
        worsening = None
        if dispute is not None and split is not None:
            # The habit a dispute does not explain: the undisputed invoices alone. The monthly
            # trend mixes both kinds, so it is not judged for such a client.
            profile = undisputed_profile(profile, split, policy)
            findings.append(dispute)
        else:
            worsening = flag_worsening_late(profile, policy, name=name, firm_due=firm_due)
        chronic = flag_chronic_late(
            profile, policy, name=name, worsening=worsening is not None, firm_due=firm_due
        )
        findings.extend(f for f in (chronic, worsening) if f is not None)
    return by_severity(findings)


def lateness_severity(days_late: Decimal, policy: Policy) -> tuple[Severity, Decimal | None]:
    """The severity band of an amount-weighted days late, and the band's threshold crossed.

    More than ``late_days_critical`` is critical, more than ``late_days_warning`` a warning,
    else watch (threshold None). "More than", as in Tesorio's bands: up to 15 days is its best
    grade, so exactly 15 is not yet a warning.

    The days are compared as the evidence line and the tables write them, to the tenth: 15.004
    days, written "15.0 days", is not more than 15 (until 2026-12-08 it was a warning beside a
    watch at 15.00, both written "15.0 days"; docs/review.md, "Figures compared as shown").
    """
    days_late = wording.shown_days(days_late)
    if days_late > policy.late_days_critical:
        return Severity.CRITICAL, policy.late_days_critical
    if days_late > policy.late_days_warning:
        return Severity.WARNING, policy.late_days_warning
    return Severity.WATCH, None


class Materiality(NamedTuple):
    """Whether a lateness is worth acting on, with the numbers that say so."""

    material: bool
    yearly_cost: Decimal
    """The financing cost over the window, scaled to a year (base currency)."""
    overdue: Decimal
    """The overdue balance on ``as_of`` (base currency)."""
    reason: str
    """Why it is material, or why it is only watched, in words."""


def yearly_cost(cost: Decimal, policy: Policy) -> Decimal:
    """``cost`` over the look-back window scaled to a year (``cost x 365 / lookback_days``):
    how materiality weighs a lateness's cost, and how the review's evidence line states it.

    A window of 365 or 366 days is a year (a leap year's 366, as the sentences name it "the
    last 12 months" and state its cost "a year"): its cost is not scaled, so one sentence
    does not state 40.00 EUR and 39.89 EUR both as the year's (until 2026-12-08)."""
    if policy.lookback_days in (365, 366):
        return cost
    return cost * 365 / policy.lookback_days


def materiality(
    cost: Decimal,
    overdue: Decimal,
    invoiced: Decimal,
    *,
    firm_invoiced: Decimal,
    policy: Policy,
    currency: str,
    aged_days: int | None = None,
) -> Materiality:
    """Is a lateness material? ``cost`` is its financing cost over the window, ``overdue`` the
    balance past due, ``invoiced`` the client's invoicing due in the window and
    ``firm_invoiced`` the firm's (all base currency).

    With ``aged_days`` (old debt, ``cross_aging``), ``overdue`` is the part of the balance on
    invoices more than ``aged_days`` old that is past due, and the sentences say so ("0.00 EUR
    more than 90 days old is past due"): until 2026-12-08 they called the whole aged balance
    "overdue", an invoice not yet due included.

    Material when any of: the yearly cost reaches ``material_late_cost``; the overdue balance
    reaches ``material_overdue`` and ``material_overdue_client_share`` of the client's
    invoicing; the overdue balance reaches ``material_overdue_firm_share`` of the firm's
    invoicing. ``docs/review.md`` argues each default.

    The yearly cost and the overdue balance are compared as the sentence writes them, rounded
    half-even to the currency's minor unit: 39.9999 EUR a year is written "40.00 EUR" and is
    material from 40.00 EUR (until 2026-12-07 it was "only watched: it costs 40.00 EUR a year
    (material from 40.00 EUR)"). The returned numbers keep full precision.
    """
    yearly = yearly_cost(cost, policy)
    firm_line = policy.material_overdue_firm_share * firm_invoiced
    shown_yearly, shown_overdue = round_money(yearly, currency), round_money(overdue, currency)
    if shown_yearly >= policy.material_late_cost:
        return Materiality(True, yearly, overdue,
                           _("it costs {yearly} a year (material from {limit})").format(
                               yearly=wording.money(yearly, currency),
                               limit=wording.money(policy.material_late_cost, currency)))
    client_line = max(policy.material_overdue, policy.material_overdue_client_share * invoiced)
    aged = wording.count(aged_days, "day") if aged_days is not None else ""
    if overdue > 0 and shown_overdue >= round_money(client_line, currency):
        return Materiality(True, yearly, overdue, (
            _("{overdue} more than {days} old is past due (material from {limit})")
            if aged_days is not None else
            _("{overdue} is overdue (material from {limit})")).format(
                overdue=wording.money(overdue, currency), days=aged,
                limit=wording.money(client_line, currency)))
    # The firm-share test is a share, and is compared as the sentence writes it (a share of
    # the firm's invoicing beside its line): the same in every base currency. Until
    # 2026-12-08 it compared money to the cent, and 41.54 EUR of 830.81 (4.99994%, written
    # "5.0%") was material while the same book in USD at 1.25, 51.925 of 1,038.5125,
    # written 51.92 against a line written 51.93, was not.
    firm_lines = (policy.material_overdue_firm_share,)
    if overdue > 0 and firm_invoiced > 0 and wording.shown_share(
            overdue / firm_invoiced, firm_lines, whole_from=None,
    ) >= policy.material_overdue_firm_share:
        return Materiality(True, yearly, overdue, (
            _("{overdue} more than {days} old is past due, {share} of the firm's invoicing "
              "(material from {limit})")
            if aged_days is not None else
            _("{overdue} is overdue, {share} of the firm's invoicing (material from "
              "{limit})")).format(
                overdue=wording.money(overdue, currency), days=aged,
                share=_percent(overdue / firm_invoiced, lines=firm_lines),
                limit=_percent(policy.material_overdue_firm_share)))
    lines = max(client_line, _ZERO)
    if firm_invoiced > 0:
        lines = min(lines, firm_line)
    return Materiality(
        False, yearly, overdue, (
            _("only watched: it costs {yearly} a year (material from {cost_limit}) and "
              "{overdue} more than {days} old is past due (material from {overdue_limit})")
            if aged_days is not None else
            _("only watched: it costs {yearly} a year (material from {cost_limit}) and "
              "{overdue} is overdue (material from {overdue_limit})")).format(
            yearly=wording.money(yearly, currency),
            cost_limit=wording.money(policy.material_late_cost, currency),
            overdue=wording.money(overdue, currency), days=aged,
            overdue_limit=wording.money(lines, currency),
        ),
    )


def _profile_materiality(
    profile: PaymentProfile, policy: Policy, firm_due: Decimal | None
) -> Materiality:
    return materiality(
        profile.financing_cost,
        profile.overdue_balance,
        profile.amount_due,
        firm_invoiced=profile.amount_due if firm_due is None else firm_due,
        policy=policy,
        currency=profile.currency,
    )


def aggravating_facts(
    profile: PaymentProfile, policy: Policy, *, worsening: bool
) -> tuple[str, ...]:
    """The facts beside the weighted days late that make a lateness weigh more: a late share
    of ``late_share_high`` or more, invoices past due and unpaid on ``as_of``, a worsening
    trend."""
    facts = []
    if profile.late_share is not None and profile.late_share >= policy.late_share_high:
        facts.append(
            _("late on {share} of its invoices").format(share=_percent(profile.late_share))
        )
    if profile.invoices_open_late:
        count = profile.invoices_open_late
        facts.append(
            ngettext(
                "{n} invoice past due and unpaid", "{n} invoices past due and unpaid", count
            ).format(n=count)
        )
    if worsening:
        facts.append(_("paying later and later"))
    return tuple(facts)


def _chronic_share(profile: PaymentProfile, policy: Policy) -> bool:
    """Late on ``chronic_late_share`` of the invoices due, by count or by amount: most of the
    money late is a habit of the money, whatever the count (one large invoice months late
    among small ones paid on time; docs/review.md, "How lateness is judged")."""
    if profile.late_share is not None and _reaches_chronic(profile.late_share, policy):
        return True
    share = profile.late_amount_share
    return share is not None and _reaches_chronic(share, policy)


def _reaches_chronic(share: Decimal, policy: Policy) -> bool:
    """``share`` reaches ``chronic_late_share`` as the sentence writes it beside that line
    ("late share 49.96%, chronic from 50%", not "50%": docs/review.md, "Figures compared as
    shown")."""
    line = policy.chronic_late_share
    return wording.shown_share(share, (line,), whole_from=None) >= line


def flag_chronic_late(
    profile: PaymentProfile,
    policy: Policy,
    *,
    name: str | None = None,
    worsening: bool = False,
    firm_due: Decimal | None = None,
) -> Finding | None:
    """A ``chronic_late`` finding when the profile's late share by count, or else by amount
    (the finding's metric is then ``late_amount_share``), reaches ``chronic_late_share``, else
    None.

    Too few invoices due in the window (under ``min_invoices``) is never chronic: one or two
    slips do not make a habit. The severity weighs the evidence: the weighted days late, raised
    by ``aggravation`` for each aggravating fact (:func:`aggravating_facts`; ``worsening``
    says the lateness is also found worsening), on the ``late_days_*`` bands; critical too
    when an open invoice is more than ``open_days_past_due_critical`` days past due; and at
    most ``watch`` when the lateness is not material (:func:`materiality`, against
    ``firm_due``, the firm's invoicing due in the window; the profile's own when None).
    """
    share = profile.late_share
    if share is None or profile.invoices_due < policy.min_invoices:
        return None
    if not _chronic_share(profile, policy):
        return None
    amount_share = profile.late_amount_share
    by_count = _reaches_chronic(share, policy)
    chronic_lines = (policy.chronic_late_share,)
    weighted = profile.weighted_days_late or _ZERO
    facts = aggravating_facts(profile, policy, worsening=worsening)
    weighed = weighted * (1 + policy.aggravation * len(facts))
    severity, band = lateness_severity(weighed, policy)
    oldest = profile.oldest_open_days_past_due
    open_critical = oldest is not None and oldest > policy.open_days_past_due_critical
    severity_metric = "weighed_days_late" if weighed != weighted else "weighted_days_late"
    severity_threshold = band
    if open_critical and severity is not Severity.CRITICAL:
        severity = Severity.CRITICAL
        severity_metric = "oldest_open_days_past_due"
        severity_threshold = Decimal(policy.open_days_past_due_critical)
    matters = _profile_materiality(profile, policy, firm_due)
    capped = not matters.material and severity > Severity.WATCH
    if capped:
        severity, severity_metric, severity_threshold = Severity.WATCH, "materiality", None
    who = name or profile.customer_id
    window = wording.in_last_days((profile.period[1] - profile.period[0]).days + 1)
    late, due, still_open = profile.invoices_late, profile.invoices_due, profile.invoices_open_late
    of_due = wording.count_of(due, "invoice")
    if still_open == late:
        # The same English for every count; Polish agrees the verb with the late invoices.
        counted = ngettext(
            "{who} has {late} of the {due} due {window} past due and still unpaid",
            "{who} has {late} of the {due} due {window} past due and still unpaid",
            late,
        ).format(who=who, late=late, due=of_due, window=window)
    elif still_open:
        counted = ngettext(
            "{who} paid {paid_late} of the {due} due {window} late and {still_open} more is "
            "past due and unpaid",
            "{who} paid {paid_late} of the {due} due {window} late and {still_open} more are "
            "past due and unpaid",
            still_open,
        ).format(
            who=who, paid_late=late - still_open, due=of_due, window=window, still_open=still_open
        )
    else:
        counted = _("{who} paid {late} of the {due} due {window} late").format(
            who=who, late=late, due=of_due, window=window
        )
    if by_count:
        sentence = _(
            "{counted}, on average {days} late weighted by amount "
            "(late share {share}, chronic from {limit})"
        ).format(
            counted=counted,
            days=wording.days_late(weighted, _bands(policy)),
            share=_percent(share, lines=chronic_lines),
            limit=_percent(policy.chronic_late_share),
        )
        metric, value, threshold = "late_share", share, policy.chronic_late_share
    else:
        assert amount_share is not None  # checked above
        sentence = _(
            "{counted}, on average {days} late weighted by amount (late share {share}, but "
            "{amount_share} of the amount due was paid late or is unpaid, chronic from {limit} "
            "of the amount)"
        ).format(
            counted=counted,
            days=wording.days_late(weighted, _bands(policy)),
            share=_percent(share, lines=chronic_lines),
            amount_share=_percent(amount_share, lines=chronic_lines),
            limit=_percent(policy.chronic_late_share),
        )
        metric, value, threshold = (
            "late_amount_share", amount_share, policy.chronic_late_share
        )
    if facts:
        sentence += _("; it weighs as {days}, being also {facts}").format(
            days=wording.days_late(weighed, _bands(policy)), facts=wording.and_list(facts)
        )
    if open_critical:
        sentence += _("; invoice {invoice} is {days} past due and unpaid").format(
            invoice=profile.oldest_open_invoice_label or profile.oldest_open_invoice_id,
            days=wording.quantity(oldest, "day"),
        )
    if profile.financing_cost > 0 and (profile.period[1] - profile.period[0]).days + 1 in (
            365, 366):
        sentence += _("; carrying the lateness cost {cost} at {rate} a year").format(
            cost=wording.money(profile.financing_cost, profile.currency),
            rate=_percent(policy.cost_of_capital),
        )
    elif profile.financing_cost > 0:
        # Another window than a year: its cost is the window's, and the materiality reason's
        # "a year" is that cost scaled to 365 days; the sentence says which is which.
        sentence += _(
            "; carrying the lateness cost {cost} over {window} at {rate} a year"
        ).format(
            cost=wording.money(profile.financing_cost, profile.currency),
            window=wording.window(profile.period),
            rate=_percent(policy.cost_of_capital),
        )
    better = recently_better(profile, policy)
    if better:
        sentence += _("; lately better: late on {late} of its {due} due {window}").format(
            late=profile.recent.invoices_late,
            due=wording.count_of(profile.recent.invoices, "invoice"),
            window=wording.in_last_days(policy.recent_days),
        )
    if not matters.material:
        sentence += f"; {matters.reason}"
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.CHRONIC_LATE,
        severity=severity,
        metric=metric,
        value=value,
        threshold=threshold,
        message=sentence + ".",
        evidence=Evidence(
            record_kind="invoice",
            record_ids=profile.late_invoice_ids,
            numbers={
                "invoices_due": due,
                "invoices_late": late,
                "invoices_open_late": still_open,
                "late_share": share,
                "late_amount_share": profile.late_amount_share,
                "weighted_days_late": profile.weighted_days_late,
                "weighed_days_late": weighed,
                "aggravating_facts": len(facts),
                "mean_days_late": profile.mean_days_late,
                "median_days_late": profile.median_days_late,
                "p90_days_late": profile.p90_days_late,
                "p10_days_late": profile.p10_days_late,
                "weighted_days_beyond_terms": profile.weighted_days_beyond_terms,
                "severity_metric": severity_metric,
                "severity_threshold": severity_threshold,
                "oldest_open_days_past_due": oldest,
                "oldest_open_invoice_id": profile.oldest_open_invoice_id,
                "financing_cost": profile.financing_cost,
                "yearly_cost": matters.yearly_cost,
                "overdue": matters.overdue,
                "material": "yes" if matters.material else "no",
                "currency": profile.currency,
                "min_invoices": policy.min_invoices,
            },
            period=profile.period,
        ),
    )


def flag_dispute(
    profile: PaymentProfile,
    split: DisputeSplit,
    policy: Policy,
    *,
    name: str | None = None,
    firm_due: Decimal | None = None,
) -> Finding | None:
    """A ``dispute`` finding when the customer's lateness would be chronic (``min_invoices``
    due, a late share of ``chronic_late_share`` or more by count or by amount) and at
    least ``dispute_share`` of its
    late invoices in the window are disputed, else None.

    ``warning`` when the disputed lateness is material (:func:`materiality` on the disputed
    invoices' cost and overdue balance), else ``watch``.
    """
    share = split.disputed_share
    if share is None or profile.invoices_due < policy.min_invoices:
        return None
    if not _chronic_share(profile, policy):
        return None
    if share < policy.dispute_share:
        return None
    matters = materiality(
        split.disputed_cost,
        split.disputed_overdue,
        profile.amount_due,
        firm_invoiced=profile.amount_due if firm_due is None else firm_due,
        policy=policy,
        currency=profile.currency,
    )
    severity = Severity.WARNING if matters.material else Severity.WATCH
    who = name or profile.customer_id
    days = (profile.period[1] - profile.period[0]).days + 1
    sentence = _(
        "{who} disputes {disputed} of its {late} due {window} ({share}, a dispute from {limit})"
    ).format(
        who=who,
        disputed=split.disputed_late,
        late=wording.count_of(split.invoices_late, "late invoice"),
        window=wording.in_last_days(days),
        share=_percent(share),
        limit=_percent(policy.dispute_share),
    )
    if split.disputed_weighted_days_late is not None:
        sentence += _(", {days} late weighted by amount").format(
            days=_days_late(split.disputed_weighted_days_late)
        )
    sentence += f"; {matters.reason}"
    sentence += _(
        ". Its undisputed invoices were late on {late} of {due}: shorter terms would not "
        "settle a dispute."
    ).format(late=split.undisputed_late, due=split.undisputed_due)
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.DISPUTE,
        severity=severity,
        metric="disputed_late_share",
        value=share,
        threshold=policy.dispute_share,
        message=sentence,
        evidence=Evidence(
            record_kind="invoice",
            record_ids=split.disputed_ids,
            numbers={
                "invoices_late": split.invoices_late,
                "disputed_late": split.disputed_late,
                "disputed_late_share": share,
                "disputed_weighted_days_late": split.disputed_weighted_days_late,
                "disputed_overdue": split.disputed_overdue,
                "disputed_cost": split.disputed_cost,
                "undisputed_due": split.undisputed_due,
                "undisputed_late": split.undisputed_late,
                "material": "yes" if matters.material else "no",
                "currency": profile.currency,
            },
            period=profile.period,
        ),
    )


def undisputed_profile(
    profile: PaymentProfile, split: DisputeSplit, policy: Policy
) -> PaymentProfile:
    """The customer's profile counted on its undisputed invoices alone (the habit a dispute
    does not explain): ``split.undisputed``, every field of which (counts, shares, days and
    their quantiles, cost, balances, aging, the oldest open invoice, the recent and earlier
    periods, the trend series) leaves the disputed invoices out, so that they are judged
    exactly as any client's (docs/review.md, "Disputes"). Raises ValueError when ``split`` is
    of another customer than ``profile``."""
    if split.customer_id != profile.customer_id:
        raise ValueError(
            f"undisputed_profile: the split is of customer {split.customer_id!r}, the profile "
            f"of {profile.customer_id!r}; pass the split dispute_splits gives for the profile's "
            "customer"
        )
    return split.undisputed


def flag_worsening_late(
    profile: PaymentProfile,
    policy: Policy,
    *,
    name: str | None = None,
    firm_due: Decimal | None = None,
) -> Finding | None:
    """A ``worsening_late`` finding when lateness is rising, else None.

    The trend test when the monthly series is long enough (``trend_min_months``); otherwise
    the short-history test, recent period against the rest of the window. At most ``watch``
    when the lateness is not material (:func:`materiality`).
    """
    who = name or profile.customer_id
    if len(profile.monthly) >= policy.trend_min_months:
        trend = lateness_trend(profile.monthly)
        finding = _flag_trend(profile, trend, policy, who) if trend is not None else None
        if finding is not None and recently_better(profile, policy):
            # The line still rises over two years, but the client's latest invoices are paid
            # on time more often than chance allows: it is not paying later and later now, and
            # "the trend ends at 25 days" would misstate a client on time for five months.
            return None
        if finding is None:
            # A long history the trend line does not see move: a client on time for two
            # years and late on its last three invoices has a Theil-Sen slope of 0 (most pairs
            # of months are two on-time months). The recent shift is judged too, and on a long
            # history it must also be more than chance (docs/metrics/lateness.md, section 5).
            finding = _flag_recent_rise(profile, policy, who, significance=policy.trend_alpha)
    else:
        finding = _flag_recent_rise(profile, policy, who)
    if finding is None:
        return None
    matters = _profile_materiality(profile, policy, firm_due)
    numbers = {**finding.evidence.numbers, "material": "yes" if matters.material else "no"}
    update: dict[str, Any] = {"evidence": finding.evidence.model_copy(update={"numbers": numbers})}
    if not matters.material:
        update["message"] = f"{finding.message.rstrip('.')}; {matters.reason}."
        if finding.severity > Severity.WATCH:
            update["severity"] = Severity.WATCH
    return finding.model_copy(update=update)


def _flag_trend(
    profile: PaymentProfile, trend: LatenessTrend, policy: Policy, who: str
) -> Finding | None:
    p_value = Decimal(repr(trend.test.p_value))
    slope = trend.line.slope
    if p_value > policy.trend_alpha or slope < policy.trend_min_slope:
        return None
    now = max(trend.end_days_late, _ZERO)
    severity, band = lateness_severity(now, policy)
    start = max(trend.start_days_late, _ZERO)
    sentence = _(
        "{who}'s days late rose from {start} to {now} over {months} months with invoices due, "
        "{first} to {last} (+{slope} a month, Mann-Kendall {p_value})."
    ).format(
        who=who,
        start=_days(start),
        now=_days(now),
        months=trend.months,
        first=wording.month(trend.first_month),
        last=wording.month(trend.last_month),
        slope=wording.quantity(slope, "day", 1),
        p_value=wording.p_value(trend.test.p_value),
    )
    ids = tuple(i for point in profile.monthly for i in point.invoice_ids)
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.WORSENING_LATE,
        severity=severity,
        metric="days_late_trend_slope",
        value=slope,
        threshold=policy.trend_min_slope,
        message=sentence,
        evidence=Evidence(
            record_kind="invoice",
            record_ids=ids,
            numbers={
                "test": "mann_kendall",
                "months": trend.months,
                "slope_days_per_month": slope,
                "p_value": p_value,
                "alpha": policy.trend_alpha,
                "mann_kendall_s": trend.test.s,
                "mann_kendall_z": Decimal(repr(trend.test.z)),
                "p_value_method": trend.test.method,
                "start_days_late": trend.start_days_late,
                "end_days_late": trend.end_days_late,
                "severity_metric": "end_days_late",
                "severity_threshold": band,
            },
            period=(trend.first_month, profile.as_of),
        ),
    )


def recently_better(profile: PaymentProfile, policy: Policy) -> bool:
    """Whether the invoices due in the last ``recent_days`` are late less often than those
    before them in the window, by a fall of at least ``recent_late_share_rise`` with a
    one-sided Fisher exact p-value at most ``trend_alpha`` (the mirror of the recent rise),
    each period with at least ``recent_min_invoices`` invoices. Late on all 9 invoices before
    and on 0 of the last 3: p = 1/220; on 1 of the last 3: p = 10/220 = 0.045."""
    recent, before = profile.recent, profile.before
    enough = policy.recent_min_invoices
    if recent.invoices < enough or before.invoices < enough:
        return False
    if recent.late_share is None or before.late_share is None:
        return False
    if before.late_share - recent.late_share < policy.recent_late_share_rise:
        return False
    # Fewer late recently than chance allows <=> more late before than chance allows (the
    # margins are fixed): the upper tail of the period before.
    p_value = fisher_exact_greater(
        before.invoices_late, before.invoices, recent.invoices_late, recent.invoices
    )
    return Decimal(repr(p_value)) <= policy.trend_alpha


def _flag_recent_rise(
    profile: PaymentProfile, policy: Policy, who: str, *, significance: Decimal | None = None
) -> Finding | None:
    """The recent period against the rest of the window. With ``significance`` (a long
    history), the rise must also have a one-sided Fisher exact p-value at most that level:
    on two years of invoices a client late on a third of them is late on two of any three
    fairly often, and that is not a change."""
    recent, before = profile.recent, profile.before
    enough = policy.recent_min_invoices
    if recent.invoices < enough or before.invoices < enough:
        return None
    if recent.late_share is None or before.late_share is None:  # only without invoices
        return None
    rise = recent.late_share - before.late_share
    if rise < policy.recent_late_share_rise:
        return None
    p_value = None
    if significance is not None:
        p_value = fisher_exact_greater(
            recent.invoices_late, recent.invoices, before.invoices_late, before.invoices
        )
        if Decimal(repr(p_value)) > significance:
            return None
    severity, band = lateness_severity(recent.weighted_days_late or _ZERO, policy)
    before_days = (before.end - before.start).days + 1
    sentence = _(
        "{who} was late on {recent_late} of its {recent} due {recent_window} "
        "({recent_share}), against {before_late} of {before} {before_window} before "
        "({before_share}): up {points}, on average {days} late weighted by amount lately."
    ).format(
        who=who,
        recent_late=recent.invoices_late,
        recent=wording.count_of(recent.invoices, "invoice"),
        recent_window=wording.in_last_days(policy.recent_days),
        recent_share=_percent(recent.late_share),
        before_late=before.invoices_late,
        before=before.invoices,
        before_window=wording.in_days(before_days),
        before_share=_percent(before.late_share),
        points=wording.points(rise),
        days=_days_late(recent.weighted_days_late or _ZERO),
    )
    shift: dict[str, Number] = {}
    if p_value is not None:
        sentence = sentence[:-1] + _(
            " (Fisher's exact test {p_value}: more than chance, though the trend over "
            "{months} months with invoices due has not moved yet)."
        ).format(p_value=wording.p_value(p_value), months=len(profile.monthly))
        shift = {"p_value": Decimal(repr(p_value)), "p_value_method": "fisher_exact",
                 "alpha": policy.trend_alpha}
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.WORSENING_LATE,
        severity=severity,
        metric="late_share_rise",
        value=rise,
        threshold=policy.recent_late_share_rise,
        message=sentence,
        evidence=Evidence(
            record_kind="invoice",
            record_ids=before.invoice_ids + recent.invoice_ids,
            numbers={
                "test": "recent_vs_before",
                "months": len(profile.monthly),
                "recent_invoices": recent.invoices,
                "recent_late": recent.invoices_late,
                "recent_late_share": recent.late_share,
                "recent_weighted_days_late": recent.weighted_days_late,
                "before_invoices": before.invoices,
                "before_late": before.invoices_late,
                "before_late_share": before.late_share,
                "before_weighted_days_late": before.weighted_days_late,
                "severity_metric": "recent_weighted_days_late",
                "severity_threshold": band,
                **shift,
            },
            period=(before.start, recent.end),
        ),
    )


# ================================================================================ formatting
_percent = partial(wording.percent, places=1)
"""A share as these sentences write it: one decimal, none when whole (``12.3%``, ``36%``)."""

_days = partial(wording.days, whole_from=10, trim=True)
"""Days as these sentences write them: whole days from 10 up, one decimal below (so that half
a day late does not read "0 days late")."""

def _bands(policy: Policy) -> tuple[Decimal, Decimal]:
    """The days-late bands a weighed lateness is "more than" (:func:`lateness_severity`)."""
    return (Decimal(policy.late_days_warning), Decimal(policy.late_days_critical))


_days_late = partial(wording.quantity, noun="day", whole_from=10, trim=True)
""":data:`_days` with the word agreeing with the number: ``1 day``, ``4.5 days``, ``29 days``
(``1 dzień``, ``4,5 dnia``, ``29 dni``)."""
