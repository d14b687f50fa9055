"""Interest claims: what one client owes by law for paying late, invoice by invoice.

:func:`claim` gathers, for one customer as of a date, each invoice paid after its due date or
still open past it, with the days of delay, the statutory rate of each period, the statutory
interest and the fixed compensation, from :func:`clientguard.metrics.cost.lateness_costs` (so
the amounts agree with the review's to the cent). :mod:`clientguard.report.claim` writes it as
a printable document (a Polish *nota odsetkowa*, an English statement of statutory interest)
and as JSON. docs/claims.md has the rules and a worked example.

Decisions (docs/claims.md):

- Every late invoice of the customer counts, not only those due in the policy's look-back
  window: a debt does not stop being owed when it leaves the review's window. What is
  time-barred as of ``as_of`` (PL art. 118 KC, or arts. 554, 646 and 751 KC for a firm whose
  claims run two years, ``Policy.pl_limitation_years``; UK Limitation Act 1980 s.5:
  :mod:`clientguard.metrics.cost.limitation`) is listed apart and left out of the totals; for
  the EU baseline the limitation period is not checked (no harmonised period). A debt partly
  paid before its main claim was barred keeps the interest on the part paid (barred day by
  day); the interest on the part left unpaid goes with the debt, and the working shows the
  two principals on lines of their own. In the UK such a payment also restarts the debt's
  six years from its date (Limitation Act 1980 s.29(5)); the fixed sum and each day's
  interest keep their own. The debtor's acknowledgement of a debt (``acknowledgements``)
  made before its bar restarts the debt's period in both laws (art. 123 § 1 pkt 2 and art.
  124 § 1 KC; s.29(5)(a)); the invoice's line says which one did.
- An invoice paid late bears interest up to the day of payment; one still open bears it up to
  ``as_of`` and keeps accruing (the document says so, and its principal is not part of the
  claim). A partial payment lowers the principal from the day after it, per period, as
  :func:`~clientguard.metrics.cost.statutory_interest` computes.
- Amounts are rounded once per invoice to the currency's minor unit (``ROUND_HALF_EVEN``); a
  total is the sum of the rounded lines, as a reader adds them up.
- Nothing is invented: a detail of the creditor or the debtor that the ledger and the config do
  not have is None, and the document leaves a field to fill.

Pure: no clock, no files. ``as_of`` is passed in; only what had happened by then counts.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence, Set
from datetime import date, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict

from clientguard import wording
from clientguard.errors import ClientguardError
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext
from clientguard.ledger import linked_customers
from clientguard.metrics.cost import (
    Acknowledgement,
    Band,
    RateTable,
    acknowledged_debts,
    jurisdiction_of,
    lateness_costs,
    limitation,
    time_barred_from,
)
from clientguard.metrics.cost.lateness_costs import _payment_days, claimed_interest
from clientguard.metrics.cost.limitation import (
    Acknowledged,
    Limitation,
    PrincipalPart,
    interest_goes_with_main_claim,
    period_parts,
)
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.money import ZERO, round_money
from clientguard.names import begun_by, ids_named
from clientguard.policy import Policy
from clientguard.settlement import (
    AppliedPart,
    Settlement,
    UnappliedPart,
    check_as_of,
    settle,
    unapplied_parts,
)
from clientguard.unapplied import client_covers, covered

if TYPE_CHECKING:
    from clientguard.ledger import Ledger
    from clientguard.metrics.cost import FixedCompensation, InterestPeriod, InvoiceLatenessCost
    from clientguard.model import Invoice

__all__ = [
    "Claim",
    "ClaimError",
    "ClaimPeriod",
    "ClaimedInvoice",
    "Party",
    "UnappliedMoney",
    "UnappliedPaidPart",
    "claim",
    "find_customer",
    "find_debtor",
    "linked_customers",
]

ClaimJurisdiction = Literal["pl", "eu", "uk"]
PaidBy = Literal["payment", "credit_note", "payment_and_credit_note"]
"""What pays an invoice of a claim that the client's unapplied money pays."""


class ClaimError(ClientguardError, LookupError):
    """A claim that cannot be made: an unknown client or invoice, an invoice that is not late,
    or a client under no late-payment law. The message says what to do."""


class Party(BaseModel):
    """A creditor or a debtor as a claim names it. A detail that is None is left to fill in."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str | None = None
    #: Postal address, lines separated by newlines.
    address: str | None = None
    #: Tax number (a Polish NIP as ten digits).
    tax_id: str | None = None
    #: Bank account for the payment (IBAN, without spaces); the creditor's only.
    iban: str | None = None
    email: str | None = None
    phone: str | None = None
    #: Where the creditor issues its documents (a town); the creditor's only.
    place: str | None = None


class ClaimPeriod(BaseModel):
    """Days of delay with one principal and one statutory rate: one line of the working."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    start: date
    #: Inclusive.
    end: date
    days: int
    #: The balance outstanding on these days, in the invoice's currency.
    principal: Decimal
    #: The annual statutory rate applied, in percent.
    rate_pct: Decimal
    #: The rate table's period (``2025-H2``) the rate comes from.
    rate_period: str
    #: False where the rate table marks the rate as not confirmed.
    rate_confirmed: bool
    #: ``principal x rate_pct / 100 x days / day_count``, rounded to the minor unit (shown;
    #: the invoice's interest is rounded once from the exact sum).
    interest: Decimal
    #: True where these days' interest is time-barred as of ``as_of``: shown, not claimed.
    time_barred: bool = False
    #: None where ``principal`` is the whole balance outstanding on these days; for a debt
    #: partly paid before its main claim was time-barred, the days before the bar are two
    #: lines with the same dates: ``"paid_before_bar"`` (the part of the balance paid before
    #: the bar: its interest is barred day by day) and ``"left_unpaid"`` (the part left unpaid
    #: until the bar: its interest is barred with the main claim).
    principal_part: PrincipalPart | None = None


class UnappliedPaidPart(BaseModel):
    """What one unapplied payment or credit note of the client pays of one invoice of a
    claim (:attr:`ClaimedInvoice.unapplied_parts`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["payment", "credit_note"]
    #: The document's id in the source (the owner's, to find it in the books; the letter
    #: never shows it).
    document_id: str
    #: The day the money came: the payment's date, the credit note's issue date.
    came_on: date
    #: The day the claim counts the part paid: ``came_on``, or the invoice's issue date for
    #: money that came before the invoice was issued.
    counted_on: date
    #: What it pays of the invoice, in the invoice's currency.
    amount: Decimal


class ClaimedInvoice(BaseModel):
    """One late invoice of a claim, with its interest and compensation."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    invoice_id: str
    number: str
    issue_date: date
    due_date: date
    currency: str
    total: Decimal
    #: The day it was paid in full; None while open.
    paid_on: date | None
    #: Interest runs to this day: ``paid_on``, or ``as_of`` while open.
    interest_until: date
    #: The days of delay the interest is owed for: from the day after the payment term ended
    #: (in Poland moved off a Saturday or a day free from work by art. 115 KC) to
    #: ``interest_until``. Where no interest could be priced, the days past the due date.
    days_late: int
    #: True while open: interest keeps accruing after ``as_of``.
    still_open: bool
    #: What was still unpaid as of ``as_of`` (zero once paid).
    open_balance: Decimal
    periods: tuple[ClaimPeriod, ...]
    #: Statutory interest, rounded to the currency's minor unit; None where the rate table has
    #: no rate for a day of the delay (``notes`` says which).
    interest: Decimal | None
    #: The fixed compensation, rounded, in ``compensation_currency``; None where the law's
    #: sum could not be found (``notes`` says why).
    compensation: Decimal | None
    compensation_currency: str | None
    #: The sum as the law states it (EUR 40/70/100, GBP 40/70/100) and its currency.
    compensation_statutory: Decimal | None
    compensation_statutory_currency: str | None
    #: PL: False when the EUR sum could not be converted to PLN (no exchange rate): the
    #: document leaves the PLN amount to fill in, at the rate of ``compensation_rule_date``.
    compensation_converted: bool
    #: PL: NBP's EUR rate used (PLN per EUR); None when not converted or not PL.
    compensation_fx_rate: Decimal | None
    #: The day whose exchange rate the law takes (PL: the last business day of the month
    #: before the month the invoice fell due).
    compensation_rule_date: date | None
    #: The band of the law that sets the sum: ``flat``, ``low``, ``middle`` or ``high``.
    compensation_band: Band | None
    #: The band's rule in English words (e.g. "debt not above PLN 5,000").
    compensation_band_rule: str | None
    #: The debt the band was read on, exactly as compared with its limits, in
    #: ``compensation_debt_currency`` (PL: PLN, UK: GBP), where it is not ``total`` in
    #: ``currency``: the invoice less the credit notes and payments applied to it by its due
    #: date (what fell due), or a debt in another currency converted (PL: at the NBP table of
    #: ``compensation_rule_date``; UK: at the due date). None where it is the total, and
    #: under a flat sum (EU; PL before 2020), whatever the debt (schema 1.5).
    compensation_debt: Decimal | None = None
    compensation_debt_currency: str | None = None
    #: The first day a debtor can raise limitation against this invoice's claim (the
    #: compensation and the first day's interest; each later day's interest is barred later):
    #: None where the limitation period is not checked (EU law). docs/claims.md, "Limitation".
    #: Under a Polish period of two years, the main claim is barred earlier, on
    #: ``main_claim_time_barred_from``.
    time_barred_from: date | None = None
    #: The first day a debtor can raise limitation against the debt itself where it is not
    #: ``time_barred_from``: where the claim runs two years (``Claim.pl_limitation_years``;
    #: arts. 554, 646 and 751 KC), a year earlier; for a UK debt partly paid before it was
    #: barred, the day after the sixth anniversary of the last such payment (Limitation Act
    #: 1980 s.29(5)); where the debtor's acknowledgement set it (``acknowledged_on``), always,
    #: even on ``time_barred_from``'s day (two years run anew can end with the
    #: compensation's three). A debt left unpaid until then loses all its interest that day.
    #: None otherwise where it is ``time_barred_from``.
    main_claim_time_barred_from: date | None = None
    #: The day of the debtor's acknowledgement of the debt that set
    #: ``main_claim_time_barred_from`` (its period ran anew from it: art. 124 § 1 KC,
    #: Limitation Act 1980 s.29(5)(a)); None where none moved the bar.
    acknowledged_on: date | None = None
    #: The note recorded with that acknowledgement (where it is: a letter, an e-mail); None
    #: with ``acknowledged_on``, and for one recorded without a note.
    acknowledgement_note: str | None = None
    #: The part of ``interest`` time-barred as of ``as_of`` (``interest`` minus
    #: ``interest_claimed``); zero when none is, None with ``interest``.
    interest_time_barred: Decimal | None = None
    #: The statutory interest the claim asks for: ``interest`` without what is time-barred,
    #: rounded once from its exact amount. None with ``interest``.
    interest_claimed: Decimal | None = None
    #: The fixed compensation is time-barred as of ``as_of``: shown, not claimed.
    compensation_time_barred: bool = False
    #: The day of the client's unapplied payment or credit note that pays this invoice, open in
    #: the books, in full (the last such document, where several do): the claim counts it paid
    #: that day (``paid_on``; ``clientguard.unapplied``, docs/claims.md, "Unapplied money").
    #: None for an invoice no such money pays, and for one it pays in part (as schema 1.6
    #: meant it; schema 1.7 also set it there, to the last document's day, which a 1.6 reader
    #: takes for "paid in full"): ``unapplied_parts`` names each document of any line.
    unapplied_paid_on: date | None = None
    #: What the money that pays it in full is: ``payment``, ``credit_note``, or
    #: ``payment_and_credit_note`` where a payment and a credit note that came on the day the
    #: last of that money came each pay part of it (None with ``unapplied_paid_on``; until
    #: 2026-12-08 such an invoice said ``payment``, and one a credit note paid said ``payment``
    #: where a payment of the same day went to another invoice).
    unapplied_paid_by: PaidBy | None = None
    #: What the unapplied money pays of the invoice, in full or in part, in ``currency``: the
    #: sum of ``unapplied_parts``' amounts (None where it pays nothing of it).
    unapplied_paid: Decimal | None = None
    #: Each unapplied payment and credit note that pays part (or the rest) of the invoice, in
    #: the order the money came: what the letter names, each with its day and amount. Empty
    #: where no such money pays it.
    unapplied_parts: tuple[UnappliedPaidPart, ...] = ()
    #: The client disputes the invoice as of ``as_of`` (``Invoice.disputed_by``): the line is
    #: shown and held, its interest and compensation not in ``totals`` but in
    #: ``disputed_totals`` until the dispute is settled (docs/claims.md, "Disputed invoices").
    disputed: bool = False
    #: The day the dispute was raised, where the source dates it.
    disputed_on: date | None = None
    notes: tuple[str, ...] = ()

    @property
    def interest_time_barred_from(self) -> date | None:
        """The first day any of the interest is time-barred: the main claim's where the debt
        was left unpaid until it was barred (all of it that day, but for the interest on a part
        paid before the bar, barred on its own days) and that is the earlier (a Polish debt
        of two years), else ``time_barred_from`` (the first day's own: a UK debt whose six
        years a payment restarted loses its first day's interest before the debt). None where
        the limitation period is not checked."""
        main = self.main_claim_time_barred_from
        if main is not None and interest_goes_with_main_claim(self.paid_on, main):
            return main if self.time_barred_from is None else min(main,
                                                                  self.time_barred_from)
        return self.time_barred_from


class UnappliedMoney(BaseModel):
    """A payment or credit note of the client that pays no invoice in the books as of the
    claim's date: the claim counts the open invoices it would pay as paid the day it came."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: Literal["payment", "credit_note"]
    document_id: str
    #: The customer whose document it is: the claim's, or a customer linked with it (one
    #: company kept in two tools); never another company of its group.
    customer_id: str
    #: The day the money came: the payment's date, the credit note's issue date.
    on: date
    currency: str
    #: What of it is unapplied, in ``currency``.
    amount: Decimal


class Claim(BaseModel):
    """What one client owes by law for paying late, as of a date."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    customer_id: str
    jurisdiction: ClaimJurisdiction
    as_of: date
    issued_on: date
    #: The document's number, if one was given; else a field to fill in.
    number: str | None
    creditor: Party
    debtor: Party
    invoices: tuple[ClaimedInvoice, ...]
    #: Statutory interest claimed by currency: the sum of the lines' ``interest_claimed``.
    interest_totals: dict[str, Decimal]
    #: Fixed compensation by currency, of the lines whose sum is known and not time-barred.
    compensation_totals: dict[str, Decimal]
    #: Interest plus compensation by currency: what the document demands.
    totals: dict[str, Decimal]
    #: Days the debtor is asked to pay within, from receiving the document.
    pay_within_days: int
    #: The rate table used, and the periods whose rate it marks as not confirmed.
    rate_table: str
    unconfirmed_periods: tuple[str, ...]
    #: Interest and compensation time-barred as of ``as_of``, by currency: shown apart, not in
    #: ``totals`` (a debtor may still pay it of its own will; a court would not grant it).
    time_barred_totals: dict[str, Decimal] = {}
    #: False where the limitation period is not checked: the EU baseline, whose directive
    #: harmonises none (the debtor's national law sets it).
    limitation_checked: bool = True
    #: Polish law: 2 where the firm's main claims run two years (``Policy.pl_limitation_years``:
    #: a sale, a contract for work, services; arts. 554, 646 and 751 KC). None under art. 118
    #: KC's three years, and under EU and UK law.
    pl_limitation_years: int | None = None
    #: The client's payments and credit notes unapplied as of ``as_of`` that pay at least one
    #: of the invoices the claim reads (each line they pay, in full or in part, names them in
    #: ``unapplied_parts``; one they pay by its due date is on no line: it was not late):
    #: the owner should apply them in the books, dated the day they came (docs/claims.md,
    #: "Unapplied money").
    unapplied: tuple[UnappliedMoney, ...] = ()
    #: The interest and compensation of the disputed lines (``ClaimedInvoice.disputed``), by
    #: currency, not time-barred: held until the disputes are settled, not in ``totals``
    #: (the review's ``claimable_disputed``; until 2026-12-08 in ``totals``).
    disputed_totals: dict[str, Decimal] = {}

    @property
    def complete(self) -> bool:
        """True when every line has its interest and its compensation in a known sum."""
        return all(
            i.interest is not None and i.compensation is not None and i.compensation_converted
            for i in self.invoices
        )


def find_customer(ledger: Ledger, client: str) -> str:
    """The customer id ``client`` names: an id of the ledger, an id within its source (in a
    ledger of several sources), or a customer's name (case and spaces ignored).

    Raises :class:`ClaimError` naming the closest ids and names when none matches, or the
    candidates when a name is shared.
    """
    ids = ledger.customer_ids
    if client in ids:
        return client
    matches = ids_named(client, {cid: ledger.name_of(cid) for cid in ids})
    if len(matches) == 1:
        return matches[0]
    if matches:
        raise ClaimError(ngettext(
            "{client} names {n} customer ({ids}): give the id",
            "{client} names {n} customers ({ids}): give the id", len(matches),
        ).format(client=repr(client), n=len(matches), ids=", ".join(matches)))
    names = {ledger.name_of(cid): cid for cid in ids}
    # A customer whose name is its id is offered once.
    close = difflib.get_close_matches(client, list(dict.fromkeys([*ids, *names])), n=3,
                                      cutoff=0.6)
    # The one name the text begins ("ACME" for "ACME Sp. z o.o."), first.
    begun = begun_by(client, {cid: ledger.name_of(cid) for cid in ids})
    if begun is not None:
        close = [begun, *(c for c in close if c != begun)][:3]
    hint = _did_you_mean(
        repr(c) if c in ids else _("{name} (id {id})").format(name=repr(c), id=names[c])
        for c in close
    )
    raise ClaimError(_(
        "no customer {client} in the ledger{hint} (clientguard review lists the clients; a "
        "customer is named by its id or its name)"
    ).format(client=repr(client), hint=hint))


def find_debtor(ledger: Ledger, client: str) -> tuple[str, tuple[str, ...]]:
    """The customer ``client`` names (as :func:`find_customer`) and the customers linked with
    it (:func:`linked_customers`), one debtor. A name that the linked customers share (one
    company named alike in two tools) names them, by the id the review gives the client; a
    name of customers not linked is refused as :func:`find_customer` refuses it."""
    if client not in ledger.customer_ids:
        matches = ids_named(client, {cid: ledger.name_of(cid) for cid in ledger.customer_ids})
        if len(matches) > 1:
            debtor = linked_customers(ledger, matches[0])
            if set(matches) <= set(debtor):
                shown = ledger.group_of(matches[0])
                return (shown if shown in debtor else debtor[0]), debtor
            # Different debtors, for all the review knows (a group's members are different
            # companies): which to claim from is the user's to say. Each is named once, the
            # customers linked as one company together (until 2026-12-08 the message listed
            # each customer and called linked ones "not linked").
            debtors = list(dict.fromkeys(
                tuple(m for m in linked_customers(ledger, cid) if m in matches)
                for cid in matches))
            raise ClaimError(_(
                "{client} names {n} debtors that are not linked as one company ({ids}): "
                "give the id of the one to claim from, or link them (clientguard links "
                "suggest) if they are one company kept in two tools"
            ).format(client=repr(client), n=len(debtors), ids=", ".join(
                _("{name} (id {id})").format(name=ledger.name_of(ids[0]), id=ids[0])
                if len(ids) == 1 else
                _("{name} (ids {ids}, linked)").format(
                    name=ledger.name_of(ids[0]), ids=" + ".join(ids))
                for ids in debtors)))
    customer_id = find_customer(ledger, client)
    return customer_id, linked_customers(ledger, customer_id)


def _did_you_mean(close: Iterable[str]) -> str:
    """``; did you mean 'a' or 'b'?`` of the close matches, in the reader's language; empty
    without any."""
    found = list(close)
    return _("; did you mean {names}?").format(names=wording.or_list(found)) if found else ""


def claim(
    ledger: Ledger,
    client: str,
    *,
    as_of: date,
    policy: Policy | None = None,
    invoices: Sequence[str] | None = None,
    creditor: Party | None = None,
    issued_on: date | None = None,
    number: str | None = None,
    pay_within_days: int = 7,
    tables: Mapping[str, RateTable] | None = None,
    acknowledgements: Iterable[Acknowledgement] = (),
) -> Claim:
    """The statutory interest and compensation one client owes as of ``as_of``.

    ``client`` is a customer's id or name (:func:`find_customer`). ``invoices`` limits the
    claim to those invoices (ids or numbers); each must be the client's and late, and name one
    of its invoices alone (not one's id and another's number). The law is
    the client's jurisdiction in ``policy`` (``client_jurisdictions``, else ``jurisdiction``).
    ``creditor`` is the firm (the config's ``[firm]``); the debtor's details come from the
    ledger's customer record. ``issued_on`` (default ``as_of``) and ``number`` name the
    document. A client with no late invoice gives a claim with no invoices.
    ``acknowledgements`` are the debtor's acknowledgements of its debts (of any client: the
    claim takes the ones of this client's invoices, made by ``as_of``); one made before a
    debt was time-barred restarts its period (docs/claims.md, "Acknowledgements"), as the
    review counts it when given the same ones.

    Raises :class:`ClaimError` for an unknown client or invoice, an invoice that is not the
    client's or not late, a key that names more than one of the client's invoices, a client
    under no late-payment law (``none``), and ``pay_within_days`` below 1;
    :class:`~clientguard.errors.DataError` for an acknowledgement of an invoice or a customer
    the ledger does not hold.
    """
    as_of = check_as_of(as_of)
    if isinstance(pay_within_days, bool) or not isinstance(pay_within_days, int) \
            or pay_within_days < 1:
        raise ClaimError(_(
            "pay_within_days is {value}: give a whole number of days, 1 or more"
        ).format(value=repr(pay_within_days)))
    policy = policy or Policy()
    # Read once: the lateness costs and the lines below both read them (a generator read
    # twice would leave the claim's amounts without them).
    acknowledgements = tuple(acknowledgements)
    acknowledged = acknowledged_debts(ledger, acknowledgements)
    # One company kept in two tools (linked) is one debtor: its claim covers the invoices of
    # every linked customer, as the review's advice counts them (until 2026-12-08 the claim
    # of either id covered its own half, and their shared name was refused).
    customer_id, debtor_ids = find_debtor(ledger, client)
    jurisdiction = jurisdiction_of(ledger, customer_id, policy)
    if jurisdiction not in ("pl", "eu", "uk"):
        raise ClaimError(_(
            "no late-payment law applies to {client} (policy jurisdiction: {jurisdiction}): "
            "set jurisdiction = \"pl\", \"eu\" or \"uk\" in the policy, or the client's entry "
            "in client_jurisdictions"
        ).format(client=repr(ledger.name_of(customer_id)), jurisdiction=jurisdiction))
    own: tuple[Invoice, ...] = tuple(sorted(
        (i for member in debtor_ids for i in ledger.invoices_of(member)),
        key=lambda i: (i.issue_date, i.id))) if len(debtor_ids) > 1 else \
        ledger.invoices_of(customer_id)
    # Before the replay: only invoices issued by as_of exist for the claim.
    own = tuple(i for i in own if i.issue_date <= as_of)
    selected = _selected(ledger, customer_id, own, invoices, debtor_ids)
    settlements = settle(ledger, as_of=as_of, policy=policy)
    mine = {i.id: settlements[i.id] for i in selected if i.id in settlements}
    # What the client's unapplied money would pay of its open invoices is a part payment on
    # the money's day, beside the books' allocations, as the review counts it (one rule:
    # clientguard.unapplied): interest runs until the amount due is received (Directive
    # 2011/7/EU art. 3(1)(b)), on what was still owed each day, not to as_of. An invoice it
    # pays in full is settled on the later of that day and the books' last payment.
    group = ledger.group_of(customer_id)
    by_id = {i.id: i for i in selected}
    cover = client_covers(ledger, as_of=as_of, policy=policy).get(group)
    reached = {i: c for i, c in (covered({group: cover}) if cover is not None else {}).items()
               if i in mine and mine[i].settled_on is None}
    paid_in = {i: c.parts for i, c in reached.items()}
    settled = {i: c.settled_on for i, c in reached.items() if c.settled_on is not None}
    for invoice_id, day in settled.items():
        mine[invoice_id] = _as_paid(mine[invoice_id], by_id[invoice_id], day, policy)
    # One it pays in part still owes the rest: the line's open balance.
    owing = {i: found.open_balance for i, found in mine.items()}
    for invoice_id, reach in reached.items():
        if reach.settled_on is None:
            owing[invoice_id] -= sum((p.application.amount for p in reach.parts), ZERO)
    if invoices is not None:
        for invoice in selected:
            found = mine.get(invoice.id)
            if found is not None and found.cancelled:
                raise ClaimError(_(
                    "invoice {number} of {client} was cancelled by credit notes (no payment "
                    "applied to it before they settled it): the client never owed it, so "
                    "there is nothing to claim on it"
                ).format(number=invoice.number, client=ledger.name_of(customer_id)))
            if found is None or not found.days_late:
                paid = (_(", paid {day}").format(day=found.settled_on)
                        if found and found.settled_on else "")
                raise ClaimError(_(
                    "invoice {number} of {client} is not late as of {as_of} (due {due}{paid}): "
                    "there is nothing to claim on it"
                ).format(number=invoice.number, client=ledger.name_of(customer_id),
                         as_of=as_of, due=invoice.due_date, paid=paid))
            if jurisdiction == "pl" and _in_term(invoice.due_date, found.settled_on, as_of):
                raise ClaimError(_(
                    "invoice {number} of {client} is not late in law as of {as_of}: due "
                    "{due}, a Saturday or a day free from work, its term ends {term_end} (art. "
                    "115 KC){paid}; there is nothing to claim on it"
                ).format(number=invoice.number, client=ledger.name_of(customer_id),
                         as_of=as_of, due=invoice.due_date,
                         term_end=polish_term_end(invoice.due_date),
                         paid=(_(", and it was paid {day}").format(day=found.settled_on)
                               if found.settled_on else "")))
    # Every late invoice counts, whatever the policy's look-back window (a debt stays owed):
    # the window is widened to reach the earliest due date, and the amounts are the metrics'.
    earliest = min((i.due_date for i in selected), default=as_of)
    wide = policy.model_copy(update={"lookback_days": max(1, (as_of - earliest).days + 1)})
    costs = lateness_costs(ledger, as_of=as_of, policy=wide, settlements=mine, tables=tables,
                           acknowledgements=acknowledgements, unapplied=paid_in)
    found_cost = costs.get(customer_id)
    items = found_cost.invoices if found_cost is not None else ()
    if len(debtor_ids) > 1:
        # Every linked customer's late invoices: one debtor.
        items = tuple(item for member in debtor_ids if member in costs
                      for item in costs[member].invoices)
    if jurisdiction == "pl":
        # Late by the agreed date but paid (or, open, looked at) by the end of its term as
        # art. 115 KC moves it off a Saturday or a day free from work: owed nothing in law.
        items = tuple(item for item in items if not _in_term(
            item.due_date, mine[item.invoice_id].settled_on, as_of))
    # A Polish claim of two years says so; three (art. 118 KC) is the law's general period.
    short = (policy.pl_limitation_years
             if jurisdiction == "pl" and policy.pl_limitation_years != 3 else None)
    # The debtor's own money (its linked customers'), never a group sister's: each company
    # of a group is its own debtor (docs/claims.md).
    parts = [part for part in unapplied_parts(ledger, as_of=as_of)
             if part.customer_id in debtor_ids]
    # A line the money pays in full names the day the last document that pays it came (for
    # money that came before the invoice was issued, not the issue date its part is counted
    # on); every line it reaches names each document, its day and what it pays.
    came: dict[tuple[str, str], date] = {(p.kind, p.document_id): p.on for p in parts}
    lines = [
        _line(item, by_id[item.invoice_id], owing[item.invoice_id], jurisdiction,
              as_of, short,
              _payment_days(ledger, jurisdiction, by_id[item.invoice_id], as_of),
              acknowledged,
              _came(paid_in[item.invoice_id], came) if item.invoice_id in settled else None,
              _paid_by(paid_in[item.invoice_id], came) if item.invoice_id in settled else None,
              _paid_parts(paid_in.get(item.invoice_id, ()), came))
        for item in items
    ]
    # The document lists the invoices by due date, then number (the order they fell due).
    lines.sort(key=lambda line: (line.due_date, line.number, line.invoice_id))
    # A disputed line is held, as the review's advice holds it (claimable_disputed): shown,
    # its claimable part in disputed_totals, not in what the document demands.
    asked = [line for line in lines if not line.disputed]
    interest_totals = _sums((line.currency, line.interest_claimed) for line in asked)
    compensation_totals = _sums(
        (line.compensation_currency, line.compensation)
        for line in asked if line.compensation_converted and not line.compensation_time_barred
    )
    totals = _sums([*interest_totals.items(), *compensation_totals.items()])
    held = [line for line in lines if line.disputed]
    disputed_totals = _sums([
        *((line.currency, line.interest_claimed) for line in held),
        *((line.compensation_currency, line.compensation) for line in held
          if line.compensation_converted and not line.compensation_time_barred),
    ])
    time_barred_totals = _sums([
        *((line.currency, line.interest_time_barred) for line in lines
          if line.interest_time_barred),
        *((line.compensation_currency, line.compensation) for line in lines
          if line.compensation_converted and line.compensation_time_barred),
    ])
    customer = ledger.customer(customer_id)
    debtor = Party(
        name=customer.name if customer is not None else None,
        tax_id=customer.tax_id if customer is not None else None,
        email=customer.email if customer is not None else None,
    )
    unconfirmed = tuple(dict.fromkeys(
        p.rate_period for line in lines for p in line.periods if not p.rate_confirmed
    ))
    table = (tables or {}).get(jurisdiction) or RateTable.packaged(jurisdiction)
    return Claim(
        customer_id=customer_id,
        jurisdiction=jurisdiction,
        as_of=as_of,
        issued_on=issued_on or as_of,
        number=number,
        creditor=creditor or Party(),
        debtor=debtor,
        invoices=tuple(lines),
        interest_totals=interest_totals,
        compensation_totals=compensation_totals,
        totals=totals,
        pay_within_days=pay_within_days,
        rate_table=table.name,
        unconfirmed_periods=unconfirmed,
        time_barred_totals=time_barred_totals,
        limitation_checked=time_barred_from(jurisdiction, as_of) is not None,
        pl_limitation_years=short,
        disputed_totals=disputed_totals,
        unapplied=_unapplied_used(parts, {(p.application.document_kind,
                                            p.application.document_id)
                                           for shares in paid_in.values() for p in shares}),
    )


def _as_paid(found: Settlement, invoice: Invoice, day: date, policy: Policy) -> Settlement:
    """``found`` (open in the books) as if the unapplied money that pays it had been applied
    on ``day``: settled that day, late until then (or not at all)."""
    beyond = (day - invoice.due_date).days
    late = max(0, beyond)
    return found.model_copy(update={
        "status": "settled", "settled_on": day, "basis": "allocations",
        "applied": found.applied + found.open_balance, "open_balance": ZERO,
        "open_balance_base": ZERO, "days_to_pay": (day - invoice.issue_date).days,
        "days_beyond_terms": beyond,
        "days_late": late, "late": late > policy.grace_days,
    })


def _paid_by(parts: Sequence[AppliedPart], came: Mapping[tuple[str, str], date]) -> PaidBy:
    """What the unapplied money that pays an invoice is: the kinds of the documents of its
    part payments (``parts``: one per document, in the order the money came) that came on
    the day the last of them came (by kind and id in ``came``; not the day a part is counted,
    which for a prepayment is the invoice's issue date)."""
    last = parts[-1].application
    day = came[(last.document_kind, last.document_id)]
    kinds = {p.application.document_kind for p in parts
             if came[(p.application.document_kind, p.application.document_id)] == day}
    if kinds >= {"payment", "credit_note"}:
        return "payment_and_credit_note"
    return "credit_note" if "credit_note" in kinds else "payment"


def _paid_parts(
    paid: Sequence[AppliedPart], came: Mapping[tuple[str, str], date]
) -> tuple[UnappliedPaidPart, ...]:
    """What each document of ``paid`` (what the unapplied money pays of an invoice, one part
    per document in the order the money came) pays of it: its kind and id, the day it came
    (by kind and id in ``came``), the day the part is counted, and the amount."""
    return tuple(
        UnappliedPaidPart(
            kind="credit_note" if p.application.document_kind == "credit_note" else "payment",
            document_id=p.application.document_id,
            came_on=came[(p.application.document_kind, p.application.document_id)],
            counted_on=p.date, amount=p.application.amount)
        for p in paid)


def _came(paid: Sequence[AppliedPart], came: Mapping[tuple[str, str], date]) -> date | None:
    """The day the last document of ``paid`` (what the unapplied money pays of an invoice)
    came, by its kind and id in ``came``; None where nothing pays it."""
    if not paid:
        return None
    last = paid[-1].application
    return came[(last.document_kind, last.document_id)]


def _unapplied_used(
    parts: Sequence[UnappliedPart], used: Set[tuple[str, str]]
) -> tuple[UnappliedMoney, ...]:
    """The unapplied documents (``parts``) that pay the claim's invoices (``used``, by kind
    and id), in the order they came: what the note names (until 2026-12-08 every document up
    to the last day that paid one, whether it paid one of them or not)."""
    return tuple(
        UnappliedMoney(kind=p.kind, document_id=p.document_id, customer_id=p.customer_id,
                       on=p.on, currency=p.currency, amount=p.amount)
        for p in sorted(parts, key=lambda p: (p.on, p.kind != "payment"))
        if (p.kind, p.document_id) in used)


def _selected(
    ledger: Ledger, customer_id: str, own: Sequence[Invoice], wanted: Sequence[str] | None,
    debtor_ids: Sequence[str] = (),
) -> tuple[Invoice, ...]:
    """The client's invoices ``wanted`` names, each by its id or its number. A key that names
    more than one of them (one invoice's id and another's number, as QuickBooks' Id 1037 and
    DocNumber 1037; or a number two invoices share) is refused, naming each and the key that
    names it alone: picking one would claim on the wrong invoice (the acknowledgements file
    refuses the same keys)."""
    if wanted is None:
        return tuple(own)
    by_id = {i.id: i for i in own}
    by_number: dict[str, list[Invoice]] = {}
    for i in own:
        by_number.setdefault(i.number, []).append(i)
    chosen: dict[str, Invoice] = {}
    for key in wanted:
        named = _named(key, by_id, by_number)
        if len(named) > 1:
            raise _ambiguous(ledger, customer_id, key, named, by_id, by_number)
        invoice = named[0] if named else None
        if invoice is None:
            other = _invoice_elsewhere(ledger, key)
            if other is not None and other.customer_id not in (debtor_ids or (customer_id,)):
                raise ClaimError(_(
                    "invoice {invoice} is {owner}'s, not {client}'s"
                ).format(invoice=repr(key), owner=ledger.name_of(other.customer_id),
                         client=ledger.name_of(customer_id)))
            close = difflib.get_close_matches(key, list({**by_id, **by_number}), n=3,
                                              cutoff=0.6)
            raise ClaimError(_(
                "{client} has no invoice {invoice}{hint} (give an invoice's id or number)"
            ).format(client=ledger.name_of(customer_id), invoice=repr(key),
                     hint=_did_you_mean(repr(c) for c in close)))
        chosen[invoice.id] = invoice
    return tuple(chosen.values())


def _named(
    key: str, by_id: Mapping[str, Invoice], by_number: Mapping[str, Sequence[Invoice]]
) -> list[Invoice]:
    """The invoices ``key`` names: the one whose id it is, then every one whose number it is,
    each once."""
    found = {invoice.id: invoice for invoice in by_number.get(key, ())}
    invoice = by_id.get(key)
    if invoice is not None:
        found = {invoice.id: invoice, **found}
    return list(found.values())


def _ambiguous(
    ledger: Ledger,
    customer_id: str,
    key: str,
    named: Sequence[Invoice],
    by_id: Mapping[str, Invoice],
    by_number: Mapping[str, Sequence[Invoice]],
) -> ClaimError:
    """The error for a key that names several of the client's invoices: each, and the key
    that names it alone (its number where ``key`` is its id, its id where ``key`` is its
    number)."""
    invoices = "; ".join(
        _("no. {number} (id {id})").format(number=invoice.number, id=invoice.id)
        for invoice in named
    )
    alone = [
        repr(other)
        for invoice in named
        for other in ((invoice.number if invoice.id == key else invoice.id),)
        if other != key and [i.id for i in _named(other, by_id, by_number)] == [invoice.id]
    ]
    client = ledger.name_of(customer_id)
    if alone:
        return ClaimError(_(
            "{invoice} names more than one invoice of {client}: {invoices}. Give the one meant "
            "as {alone}"
        ).format(invoice=repr(key), client=client, invoices=invoices,
                 alone=wording.or_list(alone)))
    return ClaimError(_(
        "{invoice} names more than one invoice of {client}: {invoices}, and no id or number "
        "names one of them alone: claim without choosing invoices to claim every late one"
    ).format(invoice=repr(key), client=client, invoices=invoices))


def _invoice_elsewhere(ledger: Ledger, key: str) -> Invoice | None:
    try:
        return ledger.invoice(key)
    except KeyError:
        return next((i for i in ledger.invoices if i.number == key), None)


def _line(
    item: InvoiceLatenessCost,
    invoice: Invoice,
    open_balance: Decimal,
    jurisdiction: ClaimJurisdiction,
    as_of: date,
    pl_years: int | None,
    payments: tuple[date, ...],
    acknowledged: Acknowledged,
    unapplied_on: date | None = None,
    paid_by: PaidBy | None = None,
    unapplied_parts: tuple[UnappliedPaidPart, ...] = (),
) -> ClaimedInvoice:
    """``pl_years``: a Polish main claim's period where it is not art. 118 KC's three years
    (``Claim.pl_limitation_years``), else None. ``payments``: the days the debtor paid part of
    the invoice, which restart a UK debt's six years (as the lateness costs passed them);
    ``acknowledged``: the debtor's acknowledgements (the same the lateness costs read);
    ``unapplied_on``: the day of the unapplied money that pays it in full, if any, ``paid_by``
    what that money is, and ``unapplied_parts`` what each document of it pays (in full or in
    part)."""
    interest = item.statutory_interest
    compensation = item.compensation
    currency = item.currency
    # The lateness costs priced the limitation with the same function: one rule, one answer.
    bar = limitation(jurisdiction, due_date=item.due_date,
                     settled_on=None if item.still_open else _paid_on(item),
                     as_of=as_of, interest=interest, pl_years=pl_years or 3,
                     payments=payments,
                     acknowledgements=acknowledged.of(invoice.id, invoice.customer_id, as_of))
    moved_by = bar.acknowledgement if bar is not None else None
    periods = tuple(
        part
        for p in (interest.periods if interest is not None else ())
        for part in _period_lines(p, currency, bar)
    )
    debt = _band_debt(compensation, invoice)
    interest_claimed = barred = None
    if interest is not None:
        # The one rounding of a line, which the review's claimable adds up too.
        interest_claimed, barred = claimed_interest(
            interest.amount, item.interest_time_barred, currency)
    return ClaimedInvoice(
        invoice_id=invoice.id,
        number=invoice.number,
        issue_date=invoice.issue_date,
        due_date=invoice.due_date,
        currency=currency,
        total=invoice.total,
        paid_on=None if item.still_open else _paid_on(item),
        interest_until=item.due_date + timedelta(days=item.days_late),
        # The law's days of delay, as the periods count them (art. 115 KC), not the days past
        # the agreed due date that the review measures lateness by.
        days_late=interest.days_late if interest is not None else item.days_late,
        still_open=item.still_open,
        open_balance=open_balance,
        periods=periods,
        interest=interest.rounded(currency) if interest is not None else None,
        compensation=compensation.rounded() if compensation is not None else None,
        compensation_currency=compensation.currency if compensation is not None else None,
        compensation_statutory=compensation.statutory_amount if compensation else None,
        compensation_statutory_currency=(
            compensation.statutory_currency if compensation else None
        ),
        compensation_converted=compensation is not None and compensation.priced,
        compensation_fx_rate=compensation.fx_rate if compensation else None,
        compensation_rule_date=compensation.rule_date if compensation else None,
        compensation_band=compensation.band if compensation else None,
        compensation_band_rule=compensation.band_rule if compensation else None,
        compensation_debt=debt[0] if debt is not None else None,
        compensation_debt_currency=debt[1] if debt is not None else None,
        time_barred_from=bar.time_barred_from if bar is not None else None,
        # The debt's own bar where it is not the compensation's, and always where an
        # acknowledgement set it (under two years it may set it on the compensation's day):
        # the document cites it with the acknowledgement.
        main_claim_time_barred_from=(
            bar.main_claim_time_barred_from
            if bar is not None and (bar.main_claim_time_barred_from != bar.time_barred_from
                                    or moved_by is not None)
            else None),
        acknowledged_on=moved_by.on if moved_by is not None else None,
        acknowledgement_note=moved_by.note or None if moved_by is not None else None,
        interest_time_barred=barred,
        interest_claimed=interest_claimed,
        compensation_time_barred=item.compensation_time_barred,
        unapplied_paid_on=unapplied_on,
        unapplied_paid_by=paid_by if unapplied_on is not None else None,
        unapplied_paid=(sum((part.amount for part in unapplied_parts), ZERO)
                        if unapplied_parts else None),
        unapplied_parts=unapplied_parts,
        disputed=invoice.disputed_by(as_of),
        disputed_on=invoice.disputed_on if invoice.disputed_by(as_of) else None,
        notes=item.notes,
    )


def _band_debt(
    compensation: FixedCompensation | None, invoice: Invoice
) -> tuple[Decimal, str] | None:
    """The debt a compensation's band was read on and its currency, where the document must
    print it: the band is not flat and the debt is not the invoice's total in its currency (a
    credit note applied by the due date lowered it, or it was converted), so that a reader
    seeing "PLN 6,000.00" beside "debt not above PLN 5,000" sees the 4,000.00 it was read on
    (docs/claims.md, "Fixed compensation"). None otherwise."""
    if compensation is None or compensation.band == "flat":
        return None
    if compensation.band_currency == invoice.currency and compensation.debt == invoice.total:
        return None
    return compensation.debt, compensation.band_currency


def _in_term(due: date, settled_on: date | None, as_of: date) -> bool:
    """Whether a Polish debt due on ``due`` was paid (or, open, is looked at as of
    ``as_of``) by the end of its term as art. 115 KC moves it off a Saturday or a day free
    from work: not late in law, however late by the agreed date."""
    return (settled_on or as_of) <= polish_term_end(due)


def _paid_on(item: InvoiceLatenessCost) -> date:
    """The day a late invoice was paid in full: its interest runs to it."""
    return item.due_date + timedelta(days=item.days_late)


def _period_lines(
    period: InterestPeriod, currency: str, bar: Limitation | None
) -> tuple[ClaimPeriod, ...]:
    """One line of the working a period, or one a part of it where the limitation ``bar``
    splits it (:func:`~clientguard.metrics.cost.limitation.period_parts`): where the
    time-barred days end inside it (the barred days first: the bar moves later with the day),
    and, for a debt partly paid before its main claim was barred, by the principal paid before
    and the principal left unpaid (barred with the main claim)."""
    confirmed = period.rate_period.evidence != "unconfirmed"
    return tuple(
        ClaimPeriod(
            start=part.start, end=part.end, days=(part.end - part.start).days + 1,
            principal=part.principal, rate_pct=period.rate_pct,
            rate_period=period.rate_period.label, rate_confirmed=confirmed,
            interest=round_money(part.interest, currency), time_barred=part.time_barred,
            principal_part=part.part,
        )
        for part in period_parts(period, bar)
    )


def _sums(pairs: Iterable[tuple[str | None, Decimal | None]]) -> dict[str, Decimal]:
    sums: dict[str, Decimal] = {}
    for currency, amount in pairs:
        if currency is not None and amount is not None:
            sums[currency] = sums.get(currency, Decimal(0)) + amount
    return dict(sorted(sums.items()))
