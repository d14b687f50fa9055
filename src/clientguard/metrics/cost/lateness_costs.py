"""What each customer's late invoices cost as of a date: per invoice the financing cost, the
statutory interest and the fixed compensation, in its own currency and in the base currency;
per customer the sums.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, NamedTuple

from pydantic import BaseModel, ConfigDict

from clientguard.errors import ConfigError, DataError
from clientguard.i18n import gettext as _
from clientguard.ledger import linked_customers
from clientguard.metrics.cost.compensation import (
    FixedCompensation,
    _compensation_terms,
    _fixed_compensation,
    _missing_eur_pln,
    _priced,
    _rates_published_on,
)
from clientguard.metrics.cost.interest import (
    InterestPlan,
    StatutoryInterest,
    _balance_days,
    _interest_plan,
    _planned_interest,
    _statutory_interest,
    _table_cuts,
    carrying_cost,
)
from clientguard.metrics.cost.limitation import (
    Acknowledged,
    Acknowledgement,
    last_barred_due_date,
    limitation,
)
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction, RateTable
from clientguard.money import ONE, ZERO, FxTable, rate_reason_words, round_money
from clientguard.policy import Policy
from clientguard.settlement import (
    AppliedPart,
    Settlement,
    _balance_histories,
    _counted_parts,
    _history,
    _Settled,
    _Unvalidated,
    settle,
)

if TYPE_CHECKING:
    from clientguard.ledger import Ledger
    from clientguard.model import Invoice

__all__ = [
    "ClientLatenessCost",
    "InvoiceLatenessCost",
    "acknowledged_debts",
    "claimed_interest",
    "jurisdiction_of",
    "lateness_costs",
]


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
    #: The compensation in the base currency, rounded to its minor unit (half-even): the
    #: amount ``claimable`` adds up; None where it could not be converted.
    compensation_base: Decimal | None
    #: The part of ``statutory_interest`` time-barred as of the review date (the law no longer
    #: enforces it: docs/claims.md, "Limitation"), unrounded, and in the base currency; zero
    #: where none is or the limitation period is not checked (``eu``).
    interest_time_barred: Decimal = Decimal(0)
    interest_time_barred_base: Decimal = Decimal(0)
    #: The fixed compensation is time-barred as of the review date.
    compensation_time_barred: bool = False
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
    #: What the law lets the firm claim, base currency: each invoice's line as
    #: :func:`clientguard.claims.claim` states it (its interest less the time-barred part,
    #: rounded once to the minor unit of the invoice's currency by :func:`claimed_interest`,
    #: then, in another currency than the base, converted at the invoice's rate and rounded
    #: to the base's minor unit; and its ``compensation_base``, rounded, unless time-barred),
    #: added up: a sum of lines each to the cent of the base currency. So
    #: ``statutory_interest + compensation - time_barred`` to within the rounding of the
    #: lines, and a client's claim's total to the cent where its lines are in the base
    #: currency (its lines each converted and rounded where they are in another).
    claimable: Decimal
    #: The statutory interest and converted compensation time-barred as of the review date,
    #: base currency, each invoice's as the claim states it (:func:`claimed_interest`, then
    #: converted and rounded as ``claimable``'s lines):
    #: counted in ``statutory_interest`` and ``compensation``, left out of ``claimable``
    #: (docs/claims.md, "Limitation").
    time_barred: Decimal = Decimal(0)
    #: The fixed compensation, in EUR as Polish law states it, of the late invoices whose PLN
    #: sum the ledger has no rate for (``FixedCompensation.priced`` False), not time-barred:
    #: left out of ``claimable`` as the claim leaves it out of its totals (it is also in
    #: ``compensation_unconverted``, which counts the time-barred too).
    compensation_unpriced: Decimal = Decimal(0)
    #: Of ``compensation_unpriced``, the rates the ledger's FxTable lacks to convert it, each a
    #: currency and the day (the compensation's rule date, whose NBP table converts it): EUR
    #: in a PLN book, PLN in an EUR book, both in another; empty where the ledger has no
    #: FxTable at all (then every rate is missing).
    compensation_unpriced_missing_rates: tuple[tuple[str, date], ...] = ()
    #: The fixed compensation, by the currency the law states it in, that the claim asks in
    #: that currency but the ledger has no rate to convert to the base currency (GBP 40 under
    #: UK law in an EUR book without an FxTable), not time-barred: left out of ``claimable``,
    #: which is in the base currency alone (:func:`_priced_in_base` decides; it is also in
    #: ``compensation_unconverted``, which counts the time-barred too).
    compensation_unconvertible: dict[str, Decimal] = {}
    #: Of ``compensation_unconvertible``, the rates the ledger's FxTable lacks, each a
    #: currency and the day it is needed for (the compensation's rule date), in that order:
    #: empty where the ledger has no FxTable at all (then every rate is missing).
    compensation_missing_rates: tuple[tuple[str, date], ...] = ()
    #: The fixed compensation time-barred as of the review date that the claim counts in its
    #: ``time_barred_totals`` in a currency the ledger has no rate to convert to the base
    #: currency, by that currency: not in ``time_barred``, which is in the base currency.
    time_barred_unconvertible: dict[str, Decimal] = {}
    notes: tuple[str, ...] = ()


def jurisdiction_of(
    ledger: Ledger, customer_id: str, policy: Policy
) -> Literal["pl", "eu", "uk", "none"]:
    """The late-payment law a customer falls under: ``policy.client_jurisdictions`` by the
    customer's id, else by its client's (:meth:`Ledger.group_of`), else by the group id its
    client's name shows, else ``policy.jurisdiction`` (``none``: no law).

    Customers linked as one company (:func:`~clientguard.ledger.linked_customers`) are one
    debtor under one law: an entry for any of their ids is the law of all of them (until
    2026-12-08 an entry for ``wave:mark`` left its linked ``ninja:7`` under the default, and
    the one debtor's claim priced its lines under two laws). Two of their entries naming
    different laws are a :class:`~clientguard.errors.ConfigError` naming both, asking for
    one entry."""
    entries = policy.client_jurisdictions
    if entries and ledger.links:
        debtor = linked_customers(ledger, customer_id)
        laws = {member: entries[member] for member in debtor if member in entries}
        if len(set(laws.values())) > 1:
            raise ConfigError(_(
                "client_jurisdictions gives {entries}, but they are one company (linked "
                "customers, one debtor under one law): give one entry, for {client}, the "
                "client the review names"
            ).format(entries=", ".join(f"{member} = {law}" for member, law in laws.items()),
                     client=ledger.group_of(customer_id)))
        if laws:
            return next(iter(laws.values()))
    if not entries:
        return policy.jurisdiction
    if customer_id in entries:
        return entries[customer_id]
    client = ledger.group_of(customer_id)
    if client in entries:
        return entries[client]
    # The group id the client's name shows ("Alpha GmbH + Beta GmbH (group wave:grp)"), which
    # a link may have made another id than the client's (ninja:7): until 2026-12-08 an entry
    # for it applied to no member.
    groups = {customer.group_id for member in ledger.members(client)
              if (customer := ledger.customer(member)) is not None and customer.group_id}
    if len(groups) == 1 and (group := groups.pop()) in entries:
        return entries[group]
    return policy.jurisdiction


def acknowledged_debts(
    ledger: Ledger, acknowledgements: Iterable[Acknowledgement]
) -> Acknowledged:
    """``acknowledgements`` looked up by debt (:class:`Acknowledged`), each checked against
    ``ledger``: a :class:`~clientguard.errors.DataError` names one of an invoice or a customer
    the ledger does not hold (a typo would otherwise leave a debt barred without a word)."""
    given = tuple(acknowledgements)
    if not given:
        return Acknowledged()
    customers = set(ledger.customer_ids)
    for acknowledgement in given:
        if acknowledgement.invoice_id is not None:
            try:
                ledger.invoice(acknowledgement.invoice_id)
            except KeyError:
                raise DataError(_(
                    "the acknowledgement of {day} names the invoice {invoice}, which the ledger "
                    "does not hold: give the invoice's id as the ledger has it"
                ).format(day=acknowledgement.on, invoice=repr(acknowledgement.invoice_id))
                ) from None
        elif acknowledgement.customer_id not in customers:
            raise DataError(_(
                "the acknowledgement of {day} names the customer {customer}, which the ledger "
                "does not hold: give the customer's id as the ledger has it"
            ).format(day=acknowledgement.on, customer=repr(acknowledgement.customer_id)))
    return Acknowledged(given)


def lateness_costs(
    ledger: Ledger,
    *,
    as_of: date,
    policy: Policy | None = None,
    settlements: Mapping[str, Settlement] | None = None,
    tables: Mapping[str, RateTable] | None = None,
    acknowledgements: Iterable[Acknowledgement] = (),
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
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
    review. An invoice whose claim is time-barred as of ``as_of`` (docs/claims.md,
    "Limitation"; a Polish main claim runs ``policy.pl_limitation_years``) keeps its amounts,
    with the barred part in ``interest_time_barred`` and ``compensation_time_barred``; the
    customer's ``claimable`` leaves it out and ``time_barred`` counts it. ``acknowledgements``
    (the debtor's acknowledgements of its debts, :class:`~clientguard.metrics.cost.limitation.
    Acknowledgement`) restart a debt's period where the law says so (docs/claims.md,
    "Acknowledgements"); one made after ``as_of`` does not count. ``unapplied`` (invoice ids
    to parts: :func:`clientguard.unapplied.covered`) adds what a client's unapplied money pays
    of an invoice to the books' allocations, each on its day (docs/review.md, "Unapplied
    money").
    """
    policy = policy or Policy()
    settlements = (
        settlements if settlements is not None else settle(ledger, as_of=as_of, policy=policy)
    )
    return _lateness_costs(ledger, as_of, policy, settlements.items(), tables,
                           acknowledged_debts(ledger, acknowledgements), unapplied)


def _lateness_costs(
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    settlements: Iterable[tuple[str, _Settled]],
    tables: Mapping[str, RateTable] | None,
    acknowledged: Acknowledged | None = None,
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
) -> dict[str, ClientLatenessCost]:
    """:func:`lateness_costs` of ``settlements``, each by its invoice's id: settlements, or
    what the review reads of them from its replay (``settlement._LateRow``). Internal: the
    review's fast path."""
    first_due = _window_start(as_of, policy)
    by_customer: dict[str, list[InvoiceLatenessCost]] = {}
    owed: dict[str, _Owed] = {}
    for cost, line in _invoice_costs(
            ledger, as_of, policy, settlements, tables, first_due, as_of, acknowledged,
            unapplied):
        customer_id = cost.customer_id
        held = by_customer.get(customer_id)
        if held is None:
            by_customer[customer_id] = [cost]
            owed[customer_id] = line
        else:
            held.append(cost)
            owed[customer_id] = _added(owed[customer_id], line)
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
        claimed = owed[customer_id]
        jurisdiction = jurisdiction_of(ledger, customer_id, policy)
        result[customer_id] = ClientLatenessCost(
            customer_id=customer_id,
            jurisdiction=jurisdiction,
            invoices=tuple(items),
            financing_cost=sum((i.financing_cost_base for i in items), Decimal(0)),
            statutory_interest=interest_total,
            compensation=compensation_total,
            compensation_unconverted=unconverted,
            claimable=claimed.claimable,
            time_barred=claimed.time_barred,
            compensation_unpriced=claimed.unpriced,
            compensation_unconvertible=dict(claimed.unconvertible),
            compensation_missing_rates=tuple(sorted(claimed.missing_rates)),
            compensation_unpriced_missing_rates=tuple(sorted(claimed.unpriced_missing_rates)),
            time_barred_unconvertible=dict(claimed.barred_unconvertible),
            notes=tuple(dict.fromkeys(n for i in items for n in i.notes)),
        )
    return result


_NO_SUMS: Mapping[str, Decimal] = MappingProxyType({})
"""No sums by currency: the :class:`_Owed` of a line without a compensation left out."""


class _Owed(NamedTuple):
    """What the law lets the firm claim of a customer's late invoices (base currency), what of
    it is time-barred and left out, and the compensation left out for want of a rate."""

    claimable: Decimal
    time_barred: Decimal
    #: The fixed compensation, in EUR as Polish law states it, that is not time-barred and
    #: that the ledger has no rate to convert to PLN (``FixedCompensation.priced`` False): the
    #: claim leaves its PLN amount to fill in and out of its totals, so ``claimable`` leaves
    #: it out too.
    unpriced: Decimal = Decimal(0)
    #: The fixed compensation, not time-barred, that the claim asks in a currency the ledger
    #: has no rate to convert to the base currency, by that currency (:func:`_priced_in_base`):
    #: the claim counts it in its totals in that currency, ``claimable`` cannot.
    unconvertible: Mapping[str, Decimal] = _NO_SUMS
    #: Some fixed compensation is in ``claimable`` (so a claim of it is of "interest and
    #: compensation", not of interest alone).
    compensated: bool = False
    #: The fixed compensation, time-barred, that the claim counts in ``time_barred_totals`` in
    #: a currency the ledger has no rate to convert to the base currency, by that currency:
    #: ``time_barred`` cannot count it.
    barred_unconvertible: Mapping[str, Decimal] = _NO_SUMS
    #: Of ``unconvertible``, the rates the ledger's FxTable lacks, each a currency and the
    #: day it is needed for (none where the ledger has no FxTable at all).
    missing_rates: frozenset[tuple[str, date]] = frozenset()
    #: Of ``unpriced``, the rates the ledger's FxTable lacks (:func:`_missing_eur_pln`), each
    #: a currency and the rule date (none where the ledger has no FxTable at all).
    unpriced_missing_rates: frozenset[tuple[str, date]] = frozenset()


def _added(held: _Owed, line: _Owed) -> _Owed:
    """The sums of two :class:`_Owed`."""
    if not (line.unconvertible or line.barred_unconvertible or line.missing_rates
            or line.unpriced_missing_rates):
        # The common line (issue 21): nothing left out for want of a rate, so no sum by
        # currency and no set of missing rates to add, the same sums as below.
        return _Owed(held.claimable + line.claimable, held.time_barred + line.time_barred,
                     held.unpriced + line.unpriced, held.unconvertible,
                     held.compensated or line.compensated, held.barred_unconvertible,
                     held.missing_rates, held.unpriced_missing_rates)
    return _Owed(held.claimable + line.claimable, held.time_barred + line.time_barred,
                 held.unpriced + line.unpriced,
                 _summed(held.unconvertible, line.unconvertible),
                 held.compensated or line.compensated,
                 _summed(held.barred_unconvertible, line.barred_unconvertible),
                 held.missing_rates | line.missing_rates,
                 held.unpriced_missing_rates | line.unpriced_missing_rates)


def _summed(held: Mapping[str, Decimal], more: Mapping[str, Decimal]) -> Mapping[str, Decimal]:
    """Two sums by currency added up (``held`` itself where ``more`` is empty)."""
    if not more:
        return held
    total = dict(held)
    for currency, amount in more.items():
        total[currency] = total.get(currency, _NONE) + amount
    return total


class _LeftOut(NamedTuple):
    """A late invoice's fixed compensation that no base-currency sum counts, for want of a
    rate (:func:`_priced_in_base` gave None): ``amount`` in ``currency``, as the law states
    it; ``unpriced`` for a Polish one not converted to PLN (``FixedCompensation.priced``
    False: the claim leaves it to fill in), else one the claim counts in ``currency``."""

    unpriced: bool
    currency: str
    amount: Decimal
    #: The rates the ledger's FxTable lacks to convert it, each a currency and the day (the
    #: compensation's rule date, the rate it is converted at): ``currency`` itself, or, for
    #: an ``unpriced`` one, the EUR and PLN rates of the NBP table it lacks
    #: (:func:`_missing_eur_pln`); empty where the ledger has no FxTable at all.
    missing_rates: frozenset[tuple[str, date]] = frozenset()


def claimed_interest(
    interest: Decimal, time_barred: Decimal, currency: str
) -> tuple[Decimal, Decimal]:
    """One late invoice's statutory interest as a claim states it: ``(claimed, barred)``,
    ``claimed`` the exact interest less its exact time-barred part rounded once to the
    currency's minor unit (half-even), ``barred`` the rounded interest less ``claimed``, so
    that the two add up to the invoice's rounded interest (docs/claims.md, "Rounding" and
    "Limitation"). The one rounding of a claim's line: :func:`clientguard.claims.claim`'s
    lines and every ``claimable`` of the review are made with it, so the review's sum of a
    client and the client's claim agree to the cent."""
    claimed = round_money(interest - time_barred, currency)
    if not time_barred:
        # Nothing barred: the interest rounds as ``claimed`` does, the same Decimal (a
        # rounding of equal values), so the second rounding is saved (issue 21).
        return claimed, claimed - claimed
    return claimed, round_money(interest, currency) - claimed


def _left_out(
    compensation: FixedCompensation | None, compensation_base: Decimal | None,
    fx: FxTable | None,
) -> _LeftOut | None:
    """The compensation left out of the base sums (``compensation_base`` None, as
    :func:`_priced_in_base` decided it), else None. With ``fx`` (the ledger's FxTable), it
    was left out because ``fx`` lacks a rate of its rule date: named in its
    ``missing_rates`` (:func:`_missing_rates_of`)."""
    if compensation is None or compensation_base is not None:
        return None
    priced = compensation.priced
    return _LeftOut(not priced, compensation.currency, compensation.amount,
                    _missing_rates_of(priced, compensation.currency, compensation.rule_date,
                                      fx))


def _missing_rates_of(
    priced: bool, currency: str, rule_date: date, fx: FxTable | None
) -> frozenset[tuple[str, date]]:
    """The rates ``fx`` lacks that left a compensation in ``currency`` of ``rule_date`` out of
    the base sums: none without ``fx`` (every rate is missing, none to name); a priced one's
    ``currency`` on its rule date; a Polish one left in EUR, the EUR and PLN rates of the NBP
    table of its rule date that ``fx`` lacks (:func:`_missing_eur_pln`). A table of no rate
    at all (the command line's without ``[rates]``) is no table: naming every day of it as
    a rate it lacks would read as a table short of a few."""
    if fx is None or not fx.rates:
        return frozenset()
    if priced:
        return frozenset({(currency, rule_date)})
    return frozenset((code, rule_date) for code in _missing_eur_pln(fx, rule_date)[0])


def _priced_in_base(
    jurisdiction: Jurisdiction,
    amount: Decimal,
    currency: str,
    rule_date: date,
    base: str,
    fx: FxTable | None,
) -> Decimal | None:
    """The one rule of whether a fixed compensation of ``amount`` in ``currency`` (as
    :func:`fixed_compensation` states it) counts in a base-currency sum, and how much: the
    amount itself in the base currency; converted with ``fx`` in another
    (:func:`_sum_in_base`); either rounded to the minor unit of ``base`` (half-even), as the
    claim's line shows it in the base currency (a Polish EUR 70 at 4.3123 is 301.86 PLN, not
    301.861) and as a sum of lines adds it in another (EUR 40 at 4.1839 is 167.36 PLN, not
    167.3560); None where it cannot be priced in the base currency: a Polish
    one left in EUR (``FixedCompensation.priced`` False: the law owes PLN at a rate the
    ledger does not have, even in an EUR book), or any other without an ``fx``. The claim
    (:meth:`_Law.claim`) and the review's sums (:meth:`_Law.claim_amounts`) both ask it, so
    ``claimable`` and the claim leave out the same compensation, and the review says how much
    (``ClientReview.compensation_unpriced`` and ``compensation_unconvertible``). Raises
    :class:`DataError` where ``fx`` lacks a rate it needs."""
    if not _priced(jurisdiction, currency):
        return None
    if currency == base:
        return round_money(amount, base)
    if fx is None:
        return None
    return round_money(_sum_in_base(jurisdiction, amount, currency, rule_date, fx), base)


def _line(
    interest: Decimal | None,
    interest_barred: Decimal,
    currency: str,
    rate: Decimal,
    base: str,
    compensation_base: Decimal | None,
    compensation_barred: bool,
    left_out: _LeftOut | None = None,
) -> _Owed:
    """One late invoice's claim line in the base currency ``base``, as the claim states it:
    the interest (:func:`claimed_interest`, in the invoice's ``currency``; in another than
    ``base`` converted at the invoice's ``rate`` and rounded to the minor unit of ``base``,
    :func:`_line_in_base`) and the compensation in the base currency (rounded to its minor
    unit already, :func:`_priced_in_base`), each claimed or time-barred; and
    ``left_out``, a compensation no base sum counts (:func:`_left_out`): left out of
    ``claimable`` where it is not time-barred, else counted by currency in
    ``barred_unconvertible`` as the claim counts it in its time-barred totals (a Polish one
    unpriced is in no total of the claim)."""
    claimable = barred = _NONE
    if interest is not None:
        claimed, barred_interest = claimed_interest(interest, interest_barred, currency)
        claimable = _line_in_base(claimed, currency, rate, base)
        if barred_interest:
            barred = _line_in_base(barred_interest, currency, rate, base)
    if compensation_base is not None:
        if compensation_barred:
            barred += compensation_base
        else:
            claimable += compensation_base
            return _Owed(claimable, barred, compensated=True)
    if left_out is not None and not left_out.unpriced and compensation_barred:
        # Time-barred: the claim counts it in its time-barred totals in its own currency.
        return _Owed(claimable, barred,
                     barred_unconvertible={left_out.currency: left_out.amount})
    if left_out is not None and not compensation_barred:
        if left_out.unpriced:
            return _Owed(claimable, barred, left_out.amount,
                         unpriced_missing_rates=left_out.missing_rates)
        return _Owed(claimable, barred, _NONE, {left_out.currency: left_out.amount},
                     missing_rates=left_out.missing_rates)
    return _Owed(claimable, barred)


def _claimable_before_window(
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    settlements: Iterable[tuple[str, _Settled]],
    tables: Mapping[str, RateTable] | None,
    acknowledged: Acknowledged | None = None,
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
) -> dict[str, _Owed]:
    """Per customer, what the law lets the firm claim (statutory interest and the converted
    compensation, base currency, as ``ClientLatenessCost.claimable`` counts them: without what
    is time-barred, which is counted apart) on its late invoices due *before* the look-back
    window, as of ``as_of``: a debt does not stop being owed when it leaves the window, so
    what a client owes is this plus the window's ``claimable``, every late invoice as
    :func:`clientguard.claims.claim` counts them. ``settlements`` as for
    :func:`_lateness_costs`, and ``acknowledged``, the debtor's acknowledgements. Only the
    claim is priced (no financing cost, no
    :class:`InvoiceLatenessCost` an invoice): the sums are what the review keeps. A customer
    under no late-payment law has no entry. Internal: the review's."""
    owed: dict[str, _Owed] = {}
    before = _window_start(as_of, policy) - timedelta(days=1)
    law = _Law(ledger, policy, tables)
    for invoice_id, settlement in settlements:
        if not settlement.days_late or settlement.cancelled:
            continue
        invoice = ledger.invoice(invoice_id)
        due = invoice.due_date
        if due > before:
            continue
        customer_id = invoice.customer_id
        jurisdiction = law.of(customer_id)
        if jurisdiction == "none":
            continue
        # The balance outstanding each day alone: the claim's base (the balance still to
        # pay is the financing cost's, which is not priced here).
        counted = _with_unapplied(_counted_parts(ledger, invoice, settlement.as_of),
                                  unapplied, invoice_id)
        step_days, step_amounts = _step_columns(invoice, settlement, counted)
        settled_on = settlement.settled_on
        rate = ledger.rate_to_base(invoice)
        interest_barred = _NONE
        compensation_barred = False
        if law.may_be_time_barred(jurisdiction, due, as_of):
            # What is barred reads the interest's periods: the whole claim.
            interest, compensation, compensation_base, _notes = law.claim(
                jurisdiction, invoice, step_days, step_amounts, settled_on or as_of,
                _debt_fallen_due(invoice, counted, jurisdiction))
            interest_amount = interest.amount if interest is not None else None
            left_out = _left_out(compensation, compensation_base, ledger.fx)
            bar = limitation(jurisdiction, due_date=due, settled_on=settled_on, as_of=as_of,
                             interest=interest, pl_years=policy.pl_limitation_years,
                             payments=_payment_days(ledger, jurisdiction, invoice,
                                                    settlement.as_of, counted),
                             acknowledgements=(
                                 acknowledged.of(invoice_id, customer_id, as_of)
                                 if acknowledged else ()))
            if bar is not None and bar.anything_barred:
                interest_barred = bar.interest_time_barred
                compensation_barred = bar.compensation_time_barred
        else:
            # Nothing barred: the sums alone, the same Decimals without the periods' models.
            interest_amount, compensation_base, left_out = law.claim_amounts(
                jurisdiction, invoice, step_days, step_amounts, settled_on or as_of,
                _debt_fallen_due(invoice, counted, jurisdiction))
        line = _line(interest_amount, interest_barred, invoice.currency, rate,
                     ledger.base_currency, compensation_base, compensation_barred, left_out)
        held = owed.get(customer_id)
        owed[customer_id] = line if held is None else _added(held, line)
    return owed


class _Law:
    """What the late-payment law grants on a late invoice, with each customer's jurisdiction
    and each jurisdiction's rate table looked up once: the one pricing of a claim, for the
    lateness costs and for the review's sum of what is owed before its window."""

    def __init__(
        self, ledger: Ledger, policy: Policy, tables: Mapping[str, RateTable] | None
    ) -> None:
        self._ledger = ledger
        self._policy = policy
        self._tables = tables or {}
        self._laws: dict[str, tuple[RateTable, list[date]]] = {}
        self._jurisdictions: dict[str, Literal["pl", "eu", "uk", "none"]] = {}
        self._barred_through: dict[tuple[str, date], date | None] = {}
        # The interest's plans of the dates alone (issue 21): most late invoices due before
        # the review's window share their due date, step days and end with others. A plan
        # the table cannot make is kept as its DataError's message.
        self._plans: dict[tuple[str, date, date, tuple[date, ...]], InterestPlan | str] = {}
        self._priced: dict[tuple[str, Decimal, str, date], Decimal | None] = {}

    def may_be_time_barred(self, jurisdiction: Jurisdiction, due: date, as_of: date) -> bool:
        """Whether a late invoice due on ``due`` has a time-barred claim as of ``as_of``: one
        comparison an invoice, the last barred due date found once a law and a date
        (:func:`last_barred_due_date`); :func:`limitation` then says what is barred."""
        key = (jurisdiction, as_of)
        try:
            through = self._barred_through[key]
        except KeyError:
            through = self._barred_through[key] = last_barred_due_date(
                jurisdiction, as_of, pl_years=self._policy.pl_limitation_years)
        return through is not None and due <= through

    def of(self, customer_id: str) -> Literal["pl", "eu", "uk", "none"]:
        """The customer's jurisdiction (:func:`jurisdiction_of`)."""
        jurisdiction = self._jurisdictions.get(customer_id)
        if jurisdiction is None:
            jurisdiction = self._jurisdictions[customer_id] = jurisdiction_of(
                self._ledger, customer_id, self._policy
            )
        return jurisdiction

    def _table(self, jurisdiction: Jurisdiction) -> tuple[RateTable, list[date]]:
        """The jurisdiction's rate table (the caller's, else the packaged one) and its
        :func:`_table_cuts`, found once."""
        law = self._laws.get(jurisdiction)
        if law is None:
            table = self._tables.get(jurisdiction)
            if table is None:
                table = RateTable.packaged(jurisdiction)
            law = self._laws[jurisdiction] = (table, _table_cuts(table))
        return law

    def _plan(
        self, jurisdiction: Jurisdiction, due: date, step_days: list[date], until: date
    ) -> InterestPlan:
        """The :data:`~clientguard.metrics.cost.interest.InterestPlan` of a delay, made once
        per jurisdiction, due date, step days and end (:func:`_interest_plan`); raises its
        :class:`DataError` each time it is asked for one the rate table cannot make."""
        key = (jurisdiction, due, until, tuple(step_days))
        plan = self._plans.get(key)
        if plan is None:
            try:
                table, cuts = self._table(jurisdiction)
                plan = _interest_plan(jurisdiction, due, step_days, until, table, cuts)
            except DataError as exc:
                plan = str(exc)
            self._plans[key] = plan
        if isinstance(plan, str):
            raise DataError(plan)
        return plan

    def _in_base(
        self, jurisdiction: Jurisdiction, amount: Decimal, currency: str, rule_date: date
    ) -> Decimal | None:
        """:func:`_priced_in_base` of a compensation in the ledger's base currency, None also
        where the ledger's FxTable lacks the rate of ``rule_date`` (:func:`_missing_rates_of`
        names it), found once per jurisdiction, sum, currency and rule date (a law's few sums
        on each due date: issue 21). Equal sums give the same Decimal whatever their digits,
        as :func:`_priced_in_base` rounds its result to the base currency's minor unit."""
        key = (jurisdiction, amount, currency, rule_date)
        try:
            return self._priced[key]
        except KeyError:
            pass
        ledger = self._ledger
        try:
            in_base = _priced_in_base(jurisdiction, amount, currency, rule_date,
                                      ledger.base_currency, ledger.fx)
        except DataError:
            in_base = None  # fx lacks the rate of that day: _missing_rates_of names it
        self._priced[key] = in_base
        return in_base

    def claim_amounts(
        self,
        jurisdiction: Jurisdiction,
        invoice: Invoice,
        step_days: list[date],
        step_amounts: list[Decimal],
        until: date,
        debt: Decimal,
    ) -> tuple[Decimal | None, Decimal | None, _LeftOut | None]:
        """:meth:`claim`'s statutory interest amount (None where it has none) and
        compensation in the base currency (None where it has none or cannot be converted),
        the same Decimals, without the models and the notes: what a sum of the claims reads;
        and the compensation left out of it for want of a rate (:func:`_priced_in_base` gave
        None), else None."""
        interest: Decimal | None
        try:
            interest = _planned_interest(
                self._plan(jurisdiction, invoice.due_date, step_days, until), step_amounts)
        except DataError:
            interest = None  # claim notes it; the sum counts no interest, as with claim's None
        due = invoice.due_date
        if jurisdiction == "pl" and until <= polish_term_end(due):
            return interest, None, None  # not late in law: no compensation (see claim)
        ledger = self._ledger
        fx = ledger.fx
        if debt <= 0:
            return interest, None, None  # no compensation on no debt (_checked_compensation)
        try:
            # The compensation's sum alone, as _checked_compensation would make it.
            amount, currency, rule_date = _compensation_terms(
                jurisdiction, debt, invoice.currency, due, fx, unpriced_without_rate=True)
        except DataError:
            return interest, None, None
        in_base = self._in_base(jurisdiction, amount, currency, rule_date)
        if in_base is None:
            priced = _priced(jurisdiction, currency)
            return interest, None, _LeftOut(not priced, currency, amount,
                                            _missing_rates_of(priced, currency, rule_date, fx))
        return interest, in_base, None

    def claim(
        self,
        jurisdiction: Jurisdiction,
        invoice: Invoice,
        step_days: list[date],
        step_amounts: list[Decimal],
        until: date,
        debt: Decimal,
    ) -> tuple[StatutoryInterest | None, FixedCompensation | None, Decimal | None, list[str]]:
        """The statutory interest on the balance steps to ``until``, the fixed compensation
        on ``debt`` (:func:`_debt_fallen_due`), the compensation in the base currency (None
        where it cannot be converted), and the notes of what could not be priced."""
        ledger = self._ledger
        fx = ledger.fx
        base = ledger.base_currency
        due = invoice.due_date
        notes: list[str] = []
        interest: StatutoryInterest | None = None
        compensation: FixedCompensation | None = None
        compensation_base: Decimal | None = None
        try:
            law = self._table(jurisdiction)
            interest = _statutory_interest(
                jurisdiction, due, step_days, step_amounts, until, law[0], 365, False,
                trusted=True, table_cuts=law[1],
            )
            if interest.unconfirmed_periods:
                notes.append(
                    _("statutory rate not confirmed for {periods}").format(
                        periods=", ".join(interest.unconfirmed_periods)
                    )
                )
        except DataError as exc:
            notes.append(_("no statutory interest: {error}").format(
                error=rate_reason_words(str(exc))))
        if jurisdiction == "pl" and until <= polish_term_end(due):
            # Paid (or, open, looked at) by the end of its term as art. 115 KC moves it off a
            # Saturday or a day free from work: not late in law, so no compensation (art. 10
            # ust. 1 grants it for a debt paid late), as no interest.
            return interest, None, None, notes
        try:
            compensation = _checked_compensation(
                jurisdiction, debt, invoice.currency, due, fx
            )
        except DataError as exc:
            notes.append(_("no fixed compensation: {error}").format(
                error=rate_reason_words(str(exc))))
            return interest, None, None, notes
        try:
            compensation_base = _priced_in_base(
                jurisdiction, compensation.amount, compensation.currency,
                compensation.rule_date, base, fx)
        except DataError as exc:
            notes.append(_("compensation not converted: {error}").format(
                error=rate_reason_words(str(exc))))
        else:
            if compensation_base is None and fx is not None and not compensation.priced:
                # Polish law owes its PLN equivalent at the NBP rate of the rule date, which
                # the ledger's exchange rates lack: left to fill in as without them, and the
                # note names the rate, not a table the ledger has.
                # The reason in the reader's words (until 2026-12-08 English in a Polish note).
                notes.append(_("compensation not converted: {error}").format(
                    error=rate_reason_words(str(_missing_eur_pln(fx, compensation.rule_date)[1]))))
            elif compensation_base is None:
                # Polish law owes its PLN equivalent, at a rate the ledger does not have: the
                # claim leaves it to fill in, in no total, so it is in no base sum either
                # (even where the base is EUR, the sum as the law states it). Any other: the
                # claim counts it in its own currency, no base sum can.
                notes.append(
                    _(
                        "compensation stated in {currency}: the ledger has no FxTable to "
                        "convert it to {base}"
                    ).format(currency=compensation.currency,
                             base=base if compensation.priced else "PLN")
                )
        return interest, compensation, compensation_base, notes


def _debt_fallen_due(
    invoice: Invoice, counted: Iterable[AppliedPart], jurisdiction: str
) -> Decimal:
    """The debt that fell due, whose size sets a fixed compensation's band: what was left
    unpaid when the term ended, the invoice's total less the credit notes and the payments
    applied to it by its due date (``counted``, its applications as the replay dates them, in
    its order), never below zero: the principal of the first day of interest. A credit note
    before the due date lowers the price, and a part paid by then was paid on time: the
    client was late only on the rest. Art. 10 ust. 1 of the Polish act of 8 March 2013 reads
    the band on "wartość świadczenia pieniężnego", the money owed to which the right to
    interest of art. 7 ust. 1 attaches (interest "za okres od dnia wymagalności świadczenia
    pieniężnego do dnia zapłaty"), s.5A(2) of the Late Payment of Commercial Debts (Interest)
    Act 1998 on the size of "the debt" on which statutory interest began to run (s.5A(1));
    neither is the invoice's total where part of it was never late (docs/metrics/cost.md,
    "Fixed compensation"). A credit note after the due date, and a payment after it, do not
    change what fell due. Under Polish law the debt falls due when the term ends, moved off a
    Saturday or a holiday to the next working day (art. 115 KC, :func:`polish_term_end`): a
    credit note or a payment of that day counts, as it does for the interest and the
    compensation's rule date."""
    debt = invoice.total
    due = polish_term_end(invoice.due_date) if jurisdiction == "pl" else invoice.due_date
    for part in counted:
        if part.date <= due:
            # As the balance history steps down (settlement._history): never below zero.
            left = debt - part.application.amount
            debt = left if left > 0 else _NONE
    return debt if debt > 0 else _NONE


def _with_unapplied(
    counted: list[AppliedPart], unapplied: Mapping[str, Sequence[AppliedPart]] | None,
    invoice_id: str,
) -> list[AppliedPart]:
    """The invoice's applications ``counted`` with what the client's unapplied money pays of
    it (``unapplied``, by invoice id: :func:`clientguard.unapplied.covered`), each on its day,
    in date order (the books' first on a day): the balance steps of the books as if the owner
    had applied the money the day it came (an invoice it prepaid: its issue date)."""
    extra = unapplied.get(invoice_id) if unapplied else None
    if not extra:
        return counted
    return sorted([*counted, *extra], key=lambda part: part.date)


def _window_start(as_of: date, policy: Policy) -> date:
    """The first due date of the look-back window ``(as_of - lookback_days, as_of]``."""
    return as_of - timedelta(days=policy.lookback_days - 1)


def _invoice_costs(
    ledger: Ledger,
    as_of: date,
    policy: Policy,
    settlements: Iterable[tuple[str, _Settled]],
    tables: Mapping[str, RateTable] | None,
    first_due: date | None,
    last_due: date,
    acknowledged: Acknowledged | None = None,
    unapplied: Mapping[str, Sequence[AppliedPart]] | None = None,
) -> Iterator[tuple[InvoiceLatenessCost, _Owed]]:
    """What each late invoice of ``settlements`` due from ``first_due`` (None: whenever) to
    ``last_due`` cost as of ``as_of``, one at a time, in the order of ``settlements``, with its
    claim line in the base currency (claimed and time-barred, as the claim states it), with
    the debtor's acknowledgements ``acknowledged``."""
    cost_of_capital = policy.cost_of_capital
    law = _Law(ledger, policy, tables)
    for invoice_id, settlement in settlements:
        days_late = settlement.days_late
        if not days_late or settlement.cancelled:
            # Not late; or cancelled by credit notes (rule 10 of docs/metrics/lateness.md):
            # the client was never owed it, so it bore no interest and no compensation.
            continue
        invoice = ledger.invoice(invoice_id)
        due = invoice.due_date
        if due > last_due or (first_due is not None and due < first_due):
            continue
        customer_id = invoice.customer_id
        jurisdiction = law.of(customer_id)
        until = settlement.settled_on or as_of
        # Statutory interest runs on what was outstanding each day; the financing cost only on
        # what the client still had to pay (credited money carries none). Both from one look
        # at the invoice's applications: steps a settlement gives are checked already (days
        # rising from the due date, balances never negative).
        counted = _with_unapplied(_counted_parts(ledger, invoice, settlement.as_of),
                                  unapplied, invoice_id)
        steps, paying = _balance_histories(ledger, settlement, invoice, counted)
        rate = ledger.rate_to_base(invoice)
        step_days, step_amounts = _columns(steps)
        exposure = _balance_days(
            *((step_days, step_amounts) if paying is steps else _columns(paying)), due, until
        )
        financing = carrying_cost(exposure, cost_of_capital)
        interest_barred = interest_barred_base = _NONE
        compensation_barred = False
        if jurisdiction != "none":
            interest, compensation, compensation_base, notes = law.claim(
                jurisdiction, invoice, step_days, step_amounts, until,
                _debt_fallen_due(invoice, counted, jurisdiction))
            bar = (
                limitation(jurisdiction, due_date=due, settled_on=settlement.settled_on,
                           as_of=as_of, interest=interest, pl_years=policy.pl_limitation_years,
                           payments=_payment_days(ledger, jurisdiction, invoice,
                                                  settlement.as_of, counted),
                           acknowledgements=(
                               acknowledged.of(invoice_id, customer_id, as_of)
                               if acknowledged else ()))
                if law.may_be_time_barred(jurisdiction, due, as_of) else None
            )
            if bar is not None and bar.anything_barred:
                compensation_barred = bar.compensation_time_barred
                interest_barred = bar.interest_time_barred
                interest_barred_base = _in_base(interest_barred, rate)
        else:
            interest, compensation, compensation_base, notes = None, None, None, []
        line = _line(interest.amount if interest is not None else None, interest_barred,
                     invoice.currency, rate, ledger.base_currency, compensation_base,
                     compensation_barred,
                     _left_out(compensation, compensation_base, ledger.fx))
        # The fields in the model's order, as validation would store them.
        yield _invoice_cost({
            "invoice_id": invoice_id,
            "customer_id": customer_id,
            "currency": invoice.currency,
            "due_date": due,
            "days_late": days_late,
            "still_open": settlement.settled_on is None,
            "balance_days": exposure,
            "financing_cost": financing,
            "financing_cost_base": _in_base(financing, rate),
            "statutory_interest": interest,
            "statutory_interest_base": _in_base(interest.amount, rate) if interest else _NONE,
            "compensation": compensation,
            "compensation_base": compensation_base,
            "interest_time_barred": interest_barred,
            "interest_time_barred_base": interest_barred_base,
            "compensation_time_barred": compensation_barred,
            "notes": tuple(notes),
        }), line


def _payment_days(
    ledger: Ledger,
    jurisdiction: Jurisdiction,
    invoice: Invoice,
    as_of: date,
    counted: Iterable[AppliedPart] | None = None,
) -> tuple[date, ...]:
    """The days the client paid part of ``invoice``, of its applications counted by ``as_of``
    (``counted``, where the caller has them): each payment's own date (the day the money was
    received, not a later allocation's: the date of the payment, Limitation Act 1980
    s.29(5)). Only "the person liable" restarts the period (s.29(5); s.30(2): or its agent):
    a payment by the invoice's customer or by a customer of its group (a parent paying for its
    subsidiary, links of one client); one the ledger says another customer made (an allocation
    across clients) restarts nothing. Credit notes are not payments by the debtor and are left
    out. What restarts a UK debt's limitation period
    (:func:`~clientguard.metrics.cost.limitation.limitation`'s ``payments``); empty elsewhere,
    where a payment moves no period."""
    if jurisdiction != "uk":
        return ()
    if counted is None:
        counted = _counted_parts(ledger, invoice, as_of)
    group_of = ledger.group_of
    debtor = group_of(invoice.customer_id)
    days: list[date] = []
    for part in counted:
        application = part.application
        if application.document_kind != "payment" or application.amount <= 0:
            continue
        paid = ledger.payment(application.document_id)
        if group_of(paid.customer_id) == debtor:
            days.append(paid.date)
    return tuple(days)


_invoice_cost = _Unvalidated(InvoiceLatenessCost)
"""An :class:`InvoiceLatenessCost` of values :func:`lateness_costs` computed from a validated
ledger, with exactly the declared types: made without validating them again."""


_NONE = Decimal(0)
"""No statutory interest, in the base currency: one Decimal for every invoice without it."""


def _in_base(amount: Decimal, rate: Decimal) -> Decimal:
    """``amount x rate``: ``amount`` itself at a base-currency invoice's rate (the ledger's
    ``ONE``, ``Decimal(1)``), which multiplies to an equal Decimal with the same digits and
    exponent (``amount``, the result of an operation in the same context, already fits its
    precision): no second Decimal an invoice."""
    return amount if rate is ONE else amount * rate


def _line_in_base(amount: Decimal, currency: str, rate: Decimal, base: str) -> Decimal:
    """A claim line's ``amount`` (rounded to the minor unit of the invoice's ``currency``) in
    the base currency ``base`` as a sum of lines reads it: itself where ``currency`` is
    ``base``; else converted at the invoice's ``rate`` and rounded to the minor unit of
    ``base`` (half-even, :func:`round_money`), so that a client's ``claimable`` is the sum of
    its lines to the cent (0.31 EUR at 4.3123 is 1.34 PLN, not 1.336813)."""
    if currency == base:
        return amount
    return round_money(amount * rate, base)


def _columns(steps: list[tuple[date, Decimal]]) -> tuple[list[date], list[Decimal]]:
    """Balance steps as their days and their amounts."""
    return [day for day, _ in steps], [amount for _, amount in steps]


def _step_columns(
    invoice: Invoice, settlement: _Settled, counted: list[AppliedPart]
) -> tuple[list[date], list[Decimal]]:
    """The balance outstanding each day (:func:`~clientguard.settlement._history` of the parts
    ``counted``, credit notes on their own day) as :func:`_columns`: where no paid date
    settles the invoice and at most one part is counted (most late invoices: issue 21, the
    review's claim owed before its window), made without the steps' list, the same days and
    the same Decimals; else from :func:`~clientguard.settlement._history`."""
    if settlement.basis != "paid_on" and len(counted) <= 1:
        due = invoice.due_date
        total = invoice.total
        if not counted:
            return [due], [total]
        part = counted[0]
        left = total - part.application.amount
        balance = left if left > ZERO else ZERO  # as max(ZERO, left): ZERO itself at zero
        if part.date <= due:
            return [due], [balance]
        return [due, part.date], [total, balance]
    return _columns(_history(invoice, settlement, counted, credits_from_due=False))


def _sum_in_base(
    jurisdiction: Jurisdiction, amount: Decimal, currency: str, rule_date: date, fx: FxTable
) -> Decimal:
    """A compensation's sum in the ledger's base currency: a Polish one with the rates
    published on its rule date, the table that converted it from EUR (art. 10 ust. 1a), so EUR
    70 in PLN is EUR 70 again in an EUR book; the others with the rates of their rule date
    (the due date)."""
    if jurisdiction == "pl":
        rate = _rates_published_on(fx)
        return amount * rate(currency, rule_date)
    return fx.convert(amount, currency, rule_date)


def _checked_compensation(
    jurisdiction: Jurisdiction, total: Decimal, currency: str, due: date, fx: FxTable | None
) -> FixedCompensation:
    """:func:`fixed_compensation` of a ledger's invoice (its total a checked Decimal, its
    currency a known code, ``fx`` the ledger's table), made without validating it again."""
    if total <= 0:
        raise DataError(f"fixed_compensation amount is {total}: a late debt is positive")
    return _fixed_compensation(jurisdiction, total, currency, due, fx, trusted=True,
                               unpriced_without_rate=True)
