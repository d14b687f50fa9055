"""Pure mapping from Stripe objects to clientguard records.

Each function takes one Stripe object (decoded with ``parse_float=Decimal``) and returns
records or a :class:`~clientguard.connector.Skip` with the reason; a malformed object raises
:class:`~clientguard.errors.DataError` naming the field. No clock, no network.

The rules (each one is in ``docs/connectors/stripe.md`` too):

* **Amounts** are integers in the currency's minor unit, converted by Stripe's exponent
  (:mod:`.amounts`: zero-decimal JPY as is, KWD by 1000, Stripe's ISK by 100).
* **Dates.** Stripe's times are Unix seconds; a date is the calendar day in the connector's
  ``timezone`` (the Stripe account's, as the connector reads it; the functions' default
  is UTC). The issue date is ``effective_at``
  (the date printed on the invoice; the finalisation unless backdated), else ``created``.
* **Due date** is ``due_date``. It is null for ``charge_automatically`` invoices, which
  Stripe charges when it finalises them: their due date is the finalisation date
  (``status_transitions.finalized_at``), the day the money was asked for (or the issue date
  when a backdated ``effective_at`` is later). A draft has neither and is due on its issue
  date (drafts are ignored by every metric anyway).
* **A negative total** (a downgrade's proration) is no invoice: Stripe credits it to the
  customer's balance, so it is a credit note ``<invoice id>/credit``, applied to no invoice
  (:func:`_negative_invoice`); a draft or void one is skipped.
* **Status**: ``draft``, ``open``, ``paid`` and ``void`` map to the same; ``uncollectible``
  (written off after failed collection) is ``open``: the client still owes the money and
  keeps counting as late. A paid invoice's ``paid_on`` is ``status_transitions.paid_at``.
  A void invoice keeps its ``amount_due`` in Stripe; only its status says it is dead.
* **What settled an invoice** becomes records the ledger replays, so that its open balance
  is Stripe's ``amount_remaining`` on every day:

  - the customer's credit balance applied at finalisation (``starting_balance`` below zero,
    ``ending_balance`` after it) is a payment ``<invoice id>/customer_balance`` dated the
    finalisation;
  - a pre-payment credit note is a credit note applied to the invoice (its
    ``pre_payment_amount``), on its own date; a post-payment credit note (a refund or a
    credit to the customer's balance after the invoice was paid) only lowers revenue. Of its
    post-payment part, what Stripe refunded (``refunds``' ``amount_refunded``) and what was
    credited outside Stripe (``out_of_band_amount``) is paid back: the credit note's
    ``refunds``, on its date (:func:`credit_note_refunds`). What was credited to the
    customer's balance stays unapplied credit (Stripe does not say which later invoice used
    a balance credit: docs/connectors/stripe.md);
  - what was paid (``amount_paid``) is a payment ``<invoice id>/paid`` dated ``paid_at``,
    applied up to what the invoice itself asked for: its ``amount_due`` less a debit the
    customer owed before it (a positive ``starting_balance``, which Stripe adds to
    ``amount_due``). The rest (that old debt) stays unapplied cash: Stripe does not say
    which earlier invoice the debt came from. What Stripe says was overpaid
    (``amount_overpaid``, credited to the customer's balance) is not part of the payment:
    the balance brings it back as the ``customer_balance`` payment of the invoice that uses
    it, or it was paid back to the client; an invoice without the field (older API
    versions) keeps its overpayment as unapplied cash;
  - what was paid on an **open or uncollectible** invoice (a part payment: ``amount_paid``
    above zero, no ``paid_at``) is the same payment ``<invoice id>/paid``, so that the open
    balance is Stripe's ``amount_remaining``. Its date is the ``paid_at`` of the latest paid
    invoice payment (``payments``, API versions from 2025-03-31.basil, when the list
    expands it); on older versions the day of its succeeded charge (``charge``, expanded);
    without either Stripe's invoice gives no payment date, and the payment is dated on the
    finalisation (the earliest the money can have come):
    :func:`approximate_payment_date` says which invoices that is, and the connector notes
    them on the page;
  - an invoice (open or paid) whose complete ``payments`` list holds two paid invoice
    payments or more, adding up to ``amount_paid``, is paid in parts: a payment
    ``<invoice id>/paid/<invoice payment id>`` per part, on its own ``paid_at``, applied
    earliest first (:func:`_dated_parts`), as Xero, QuickBooks and Fakturownia list an
    instalment each. The store links these payments to their invoice, so a later read
    that yields other ones (the invoice once paid, an event's snapshot) removes them;
  - what a dispute lost or still open took back comes off what was paid (off the part paid
    by the payment intent or charge it names; the invoice open again for it; an open
    dispute marks it ``disputed``), and a refund made without a credit note (one the
    invoice's credit notes do not name, by id) is a credit note refunded in full on its
    day: the disputes and refunds the connector hands the invoice (:mod:`.reversals`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, tzinfo
from decimal import Decimal
from typing import Any

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import (
    Allocation,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Payment,
    Refund,
)
from clientguard.money import ZERO
from clientguard.tax_id import normalise_tax_id
from clientguard_stripe.amounts import currency_code, from_stripe_minor
from clientguard_stripe.reversals import (
    CREDIT_NOTED_KEY,
    DISPUTE_OPEN,
    DISPUTE_WITHDRAWN,
    REFUND_COUNTED,
    REVERSALS_KEY,
    invoice_payment_handles,
    reversal_handles,
)

__all__ = [
    "SOURCE",
    "credit_note_from_stripe",
    "credit_note_refunds",
    "customer_from_stripe",
    "day_of",
    "invoice_records",
    "timestamp",
]

SOURCE = "stripe"

_STATUS: Mapping[str, InvoiceStatus] = {
    "draft": "draft",
    "open": "open",
    "paid": "paid",
    "uncollectible": "open",
    "void": "void",
}


# --------------------------------------------------------------------------- helpers


def _text(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()
    return text or None


def _id_of(value: object, *, field: str) -> str:
    """An id, or the ``id`` of an expanded object (``customer`` may be expanded)."""
    if isinstance(value, Mapping):
        value = value.get("id")
    text = _text(value)
    if text is None:
        raise DataError(f"{field}: is missing")
    return text


def _required_id(raw: Mapping[str, Any]) -> str:
    return _id_of(raw.get("id"), field="id")


#: The last second of 9999-12-31 UTC, the calendar's end: a larger number of seconds is no
#: Stripe timestamp (a timestamp in milliseconds, 1000 times too large, lands past it today).
_LAST_SECOND = 253_402_300_799


def timestamp(value: object, *, field: str) -> datetime | None:
    """Unix seconds (a whole number, as Stripe writes them) as an aware UTC datetime; None
    when null. Anything else, a fraction or a number past the year 9999 included (1e12, or
    milliseconds), is a :class:`DataError` naming ``field``: never a date guessed at."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise DataError(f"{field}: {value!r} is not a Unix timestamp")
    # The bound is checked before int(): int() of 1e999999999 builds a billion digits.
    if isinstance(value, Decimal) and not (
        value.is_finite() and value.adjusted() < 20 and value == value.to_integral_value()
    ):
        raise DataError(f"{field}: {value!r} is not a Unix timestamp (whole seconds)")
    seconds = int(value)
    if not -_LAST_SECOND <= seconds <= _LAST_SECOND:
        raise DataError(
            f"{field}: {seconds} is not a Unix timestamp in seconds: it is past the year "
            "9999 (a timestamp in milliseconds?)"
        )
    try:
        return datetime.fromtimestamp(seconds, UTC)
    except (OverflowError, OSError, ValueError):  # before the year 1
        raise DataError(f"{field}: {seconds} is before the year 1: not a Unix timestamp") from None


def day_of(value: object, zone: tzinfo, *, field: str) -> date | None:
    """The calendar day of a Unix timestamp in ``zone``; None when null."""
    moment = timestamp(value, field=field)
    return None if moment is None else moment.astimezone(zone).date()


def _required_day(value: object, zone: tzinfo, *, field: str) -> date:
    day = day_of(value, zone, field=field)
    if day is None:
        raise DataError(f"{field}: is missing")
    return day


def _minor(raw: Mapping[str, Any], key: str, currency: str, default: int | None = None) -> Decimal:
    value = raw.get(key, default)
    if value is None:
        if default is None:
            raise DataError(f"{key}: is missing")
        value = default
    return from_stripe_minor(value, currency, field=key)


# --------------------------------------------------------------------------- customers


def customer_from_stripe(raw: Mapping[str, Any]) -> Customer | Skip:
    """A Stripe customer. Its first tax id (``tax_ids``, expanded by the connector) is kept,
    given the VAT prefix of its ``country`` (the tax id's ISO code, else its ``type``'s, else
    the customer's ``address.country``) where it is typed without one (a ``no_vat``
    ``974760673MVA`` is ``NO974760673MVA``; a ``us_ein`` ``974760673`` is ``US974760673``)."""
    if raw.get("deleted") is True:
        return Skip("deleted customer", deleted=True)
    ident = _required_id(raw)
    tax_id = None
    tax_ids = raw.get("tax_ids")
    data = tax_ids.get("data") if isinstance(tax_ids, Mapping) else None
    address = raw.get("address")
    home = _text(address.get("country")) if isinstance(address, Mapping) else None
    if isinstance(data, list):
        for item in data:
            if isinstance(item, Mapping):
                # The shared form: a Polish VAT number is its NIP, as Fakturownia writes it.
                tax_id = normalise_tax_id(_text(item.get("value")),
                                          country=_country_of(item) or home)
                if tax_id:
                    break
    name = _text(raw.get("name")) or _text(raw.get("email")) or ident
    return Customer(
        id=ident,
        name=name,
        tax_id=tax_id,
        email=_text(raw.get("email")),
        source=SOURCE,
    )


def _country_of(item: Mapping[str, Any]) -> str | None:
    """The country of a Stripe tax id: its ``country``, else its ``type``'s (``us_ein`` is
    the US's, ``no_vat`` Norway's; an ``eu_vat`` or ``eu_oss_vat`` says none): a ``us_ein``
    ``974760673`` is written ``US974760673``, never read as a Norwegian number."""
    given = _text(item.get("country"))
    if given:
        return given
    kind = _text(item.get("type")) or ""
    code = kind.partition("_")[0]
    return code.upper() if len(code) == 2 and code != "eu" else None


# --------------------------------------------------------------------------- invoices


def _status_times(raw: Mapping[str, Any]) -> Mapping[str, Any]:
    transitions = raw.get("status_transitions")
    return transitions if isinstance(transitions, Mapping) else {}


def invoice_records(raw: Mapping[str, Any], zone: tzinfo = UTC) -> list[AnyRecord] | Skip:
    """A Stripe invoice as an Invoice, with the payments that settled it (see the module)."""
    if raw.get("deleted") is True:
        return Skip("deleted draft invoice", deleted=True)
    status_text = _text(raw.get("status"))
    status = _STATUS.get(status_text or "")
    if status is None:
        raise DataError(
            f"status: {raw.get('status')!r} is not one of draft, open, paid, uncollectible, void"
        )
    ident = _required_id(raw)
    customer_id = _id_of(raw.get("customer"), field="customer")
    currency = currency_code(raw.get("currency"))
    total = _minor(raw, "total", currency)
    times = _status_times(raw)
    issue_date = day_of(raw.get("effective_at"), zone, field="effective_at") or _required_day(
        raw.get("created"), zone, field="created"
    )
    if total < 0:
        return _negative_invoice(ident, customer_id, issue_date, currency, -total, status)
    finalized = day_of(times.get("finalized_at"), zone, field="status_transitions.finalized_at")
    due = day_of(raw.get("due_date"), zone, field="due_date")
    if due is None:
        # charge_automatically: Stripe asks for the money when it finalises the invoice.
        due = max(finalized or issue_date, issue_date)
    paid_day = day_of(times.get("paid_at"), zone, field="status_transitions.paid_at")
    amount_due_stripe = _minor(raw, "amount_due", currency, default=0)
    remaining = _minor(raw, "amount_remaining", currency, default=0)
    # A debit the customer owed before this invoice, which Stripe collects with it: part of
    # amount_due and amount_remaining, but no part of what this invoice itself is owed.
    debit = _debit_carried(raw, currency)
    amount_due: Decimal | None = None
    if status == "paid":
        amount_due = ZERO
    elif status == "open":
        amount_due = max(remaining - debit, ZERO)
    paid_on = paid_day if status == "paid" else None
    if status in ("draft", "void"):
        return [_invoice(raw, ident, customer_id, issue_date, due, currency, total, status,
                         None, amount_due)]
    records: list[AnyRecord] = []
    balance = _balance_applied(raw, currency)
    if balance > 0:
        records.append(
            Payment(
                id=f"{ident}/customer_balance",
                customer_id=customer_id,
                date=finalized or issue_date,
                amount=balance,
                currency=currency,
                allocations=(Allocation(invoice_id=ident, amount=min(balance, total)),),
                source=SOURCE,
            )
        )
    paid = _minor(raw, "amount_paid", currency, default=0)
    # What Stripe moved on to the customer's balance of what was paid (amount_overpaid): it
    # comes back as a later invoice's balance payment, or goes back to the client, so it is
    # not money this invoice's payment kept (counted here too, it was counted twice).
    overpaid = min(max(_minor(raw, "amount_overpaid", currency, default=0), ZERO), paid)
    # What this invoice asked for itself: Stripe's amount_due also carries a debit the
    # customer owed before it, which pays no part of this invoice's total.
    own_due = min(max(amount_due_stripe - debit, ZERO), total - min(balance, total))
    if paid > 0:
        dated = _dated_parts(raw, zone)
        parts: list[_Part]
        if dated is None:
            if paid_day is None:
                # A part payment of an open or uncollectible invoice: dated by its invoice
                # payments where the list has them, else by its expanded charge, else on
                # the finalisation (approximate).
                paid_day = _latest_part_payment(raw, zone) or finalized or issue_date
            parts = [("", paid_day, paid, frozenset())]
        else:
            parts = [(part_id, day, from_stripe_minor(minor, currency,
                                                      field="payments.data.amount_paid"),
                      handles)
                     for part_id, day, minor, handles in dated]
        # What was overpaid comes off the latest parts (the money came in order); what a
        # dispute lost or still open took back (docs/connectors/stripe.md, "A payment
        # reversed") off the part it names.
        received = _taken_off(parts, [(overpaid, frozenset())])
        kept = _taken_off(received, [
            (_reversal_amount(item, currency, "dispute"), frozenset(reversal_handles(item)))
            for item in _reversals(raw, "dispute") if item.get("status") in DISPUTE_WITHDRAWN
        ])
        kept_parts = _spread(kept, own_due)
        reopened = (sum((applied for *_, applied in _spread(received, own_due)), ZERO)
                    - sum((applied for *_, applied in kept_parts), ZERO))
        for part_id, day, amount, applied in kept_parts:
            records.append(
                Payment(
                    id=f"{ident}/paid{part_id and '/' + part_id}",
                    customer_id=customer_id,
                    date=day,
                    amount=amount,
                    currency=currency,
                    allocations=(Allocation(invoice_id=ident, amount=applied),)
                    if applied > 0
                    else (),
                    source=SOURCE,
                )
            )
    else:
        reopened = ZERO
    if reopened > 0:
        # The invoice is owed again: open, and late from its due date (Xero's reading of
        # a deleted payment).
        status, paid_on = "open", None
        amount_due = (amount_due or ZERO) + reopened
    records.insert(0, _invoice(raw, ident, customer_id, issue_date, due, currency, total,
                               status, paid_on, amount_due,
                               disputed_on=_open_dispute_day(raw, zone)))
    records += _refund_credit_notes(raw, ident, customer_id, currency, paid, zone)
    return records


def _negative_invoice(
    ident: str, customer_id: str, issue_date: date, currency: str, credit: Decimal,
    status: InvoiceStatus,
) -> list[AnyRecord] | Skip:
    """An invoice whose total is below zero (a downgrade's proration, a credit line larger
    than the charges): nothing to collect, and Stripe credits ``credit`` to the customer's
    balance when it finalises it. That is a credit note ``<invoice id>/credit`` of
    ``credit`` on the issue date, applied to no invoice, as a credit note's part credited
    to the balance is (docs/connectors/stripe.md, "A credit to the customer's balance counts
    twice once a later invoice uses it"). A draft has credited nothing yet and a void one
    credits nothing: skipped, and reported deleted so that a store drops a copy an earlier
    sync saved of the draft."""
    if status in ("draft", "void"):
        return Skip(f"{status} invoice with a negative total: it credits the customer nothing",
                    deleted=True)
    return [CreditNote(
        id=f"{ident}/credit",
        customer_id=customer_id,
        issue_date=issue_date,
        total=credit,
        currency=currency,
        source=SOURCE,
    )]


def _invoice(
    raw: Mapping[str, Any], ident: str, customer_id: str, issue_date: date, due: date,
    currency: str, total: Decimal, status: InvoiceStatus, paid_on: date | None,
    amount_due: Decimal | None, *, disputed_on: date | None = None,
) -> Invoice:
    return Invoice(
        id=ident,
        customer_id=customer_id,
        number=_text(raw.get("number")) or ident,
        issue_date=issue_date,
        due_date=due,
        currency=currency,
        total=total,
        status=status,
        paid_on=paid_on,
        amount_due=amount_due,
        disputed=disputed_on is not None,
        disputed_on=disputed_on,
        source=SOURCE,
    )


#: One part of what was paid on an invoice: (invoice payment id, or "" for the invoice's
#: one payment; day paid; amount; the payment intent and charge it was paid by, where known).
_Part = tuple[str, date, Decimal, frozenset[str]]


def _taken_off(parts: list[_Part], taken: list[tuple[Decimal, frozenset[str]]]) -> list[_Part]:
    """``parts`` less each ``(amount, handles)`` taken back: off the part paid by the
    payment intent or charge it names (a dispute is on one payment), the latest such part
    first; what no part named carries (or what exceeds it) off the latest parts first (the
    money came in order: the last that came goes first). A part left with nothing is
    dropped; nothing is taken below zero."""
    amounts = [amount for _, _, amount, _ in parts]
    latest_first = range(len(parts) - 1, -1, -1)
    for amount, handles in taken:
        named = [i for i in latest_first if handles & parts[i][3]]
        for i in (*named, *latest_first):
            off = min(amount, amounts[i])
            amounts[i] -= off
            amount -= off
    return [(part_id, day, amount, handles)
            for (part_id, day, _, handles), amount in zip(parts, amounts, strict=True)
            if amount > 0]


def _spread(parts: list[_Part], own_due: Decimal) -> list[tuple[str, date, Decimal, Decimal]]:
    """``(part id, day, amount, applied)`` of each part payment, each applied, earliest
    first, up to what the invoice still asks for (``own_due``); the rest of a part (an
    overpayment, an old debit) stays unapplied cash."""
    spread = []
    left = own_due
    for part_id, day, amount, _ in parts:
        applied = min(amount, left)
        left -= applied
        spread.append((part_id, day, amount, applied))
    return spread


def _reversals(raw: Mapping[str, Any], kind: str) -> list[Mapping[str, Any]]:
    """The disputes or refunds (``kind``) the connector handed the invoice (none when it
    read none: a restricted key without the permission, or a function called alone)."""
    given = raw.get(REVERSALS_KEY)
    if not isinstance(given, list):
        return []
    return [item for item in given if isinstance(item, Mapping) and item.get("object") == kind]


def _reversal_amount(item: Mapping[str, Any], currency: str, what: str) -> Decimal:
    """A dispute's or refund's ``amount``, in the invoice's currency (a different currency
    is a :class:`DataError`: Stripe disputes and refunds a charge in its own currency)."""
    ident = item.get("id")
    other = _text(item.get("currency"))
    if other is not None and other.upper() != currency:
        raise DataError(
            f"{what} {ident}: currency {other!r} is not the invoice's {currency}; the money "
            "taken back cannot be counted without a rate"
        )
    return from_stripe_minor(item.get("amount"), currency, field=f"{what} {ident}: amount")


def _open_dispute_day(raw: Mapping[str, Any], zone: tzinfo) -> date | None:
    """The day the earliest dispute still open was created, or None when none is open."""
    days = [
        _required_day(item.get("created"), zone, field=f"dispute {item.get('id')}: created")
        for item in _reversals(raw, "dispute") if item.get("status") in DISPUTE_OPEN
    ]
    return min(days, default=None)


def _refund_credit_notes(
    raw: Mapping[str, Any], ident: str, customer_id: str, currency: str, paid: Decimal,
    zone: tzinfo,
) -> list[AnyRecord]:
    """The refunds of the invoice's payments made without a credit note, each as a credit
    note ``<invoice id>/refund/<refund id>`` of its amount on its day, paid back in full:
    revenue lower by it, nothing owed. What of a refund the invoice's credit notes name as
    their refund (:data:`~clientguard_stripe.reversals.CREDIT_NOTED_KEY`, written by the
    connector from the credit notes' ``refunds``) is read with those credit notes and left
    out; a refund without the key is taken to be made without a credit note. Matched by
    refund id, never by amount: Stripe's ``post_payment_credit_notes_amount`` also counts
    credit notes credited to the customer's balance or outside Stripe, which refund
    nothing. The refunds counted are at most what was paid, earliest first."""
    refunds = []
    for item in _reversals(raw, "refund"):
        if item.get("status") not in REFUND_COUNTED:
            continue
        refund_id = _id_of(item.get("id"), field="refund: id")
        day = _required_day(item.get("created"), zone, field=f"refund {refund_id}: created")
        amount = _reversal_amount(item, currency, "refund")
        if CREDIT_NOTED_KEY in item:
            noted = item[CREDIT_NOTED_KEY]
            # None: an older credit note names the refund without an amount (all of it).
            amount -= (amount if noted is None else from_stripe_minor(
                noted, currency, field=f"refund {refund_id}: credited by credit notes"))
        refunds.append((day, refund_id, amount))
    left = paid
    notes: list[AnyRecord] = []
    for day, refund_id, whole in sorted(refunds):
        amount = min(whole, left)
        if amount <= 0:
            continue
        left -= amount
        notes.append(CreditNote(
            id=f"{ident}/refund/{refund_id}",
            customer_id=customer_id,
            issue_date=day,
            total=amount,
            currency=currency,
            source=SOURCE,
            refunds=(Refund(amount=amount, date=day),),
        ))
    return notes


def _dated_parts(
    raw: Mapping[str, Any], zone: tzinfo
) -> list[tuple[str, date, int, frozenset[str]]] | None:
    """An invoice paid in several parts, each as Stripe dates it: ``(invoice payment id,
    day paid, amount in minor units, its payment intent and charge)`` for every paid invoice
    payment the invoice lists, earliest first (then by id: a stable order for two parts of
    one day). None, and the invoice's payment stays one (dated as :func:`invoice_records`
    says), unless the list is complete (no ``has_more``), holds two parts or more, each
    with an id and a day, and they add up to the invoice's ``amount_paid`` exactly: a list
    cut short or a part not listed would put money on the wrong day."""
    listed = raw.get("payments")
    parts = _paid_invoice_payments(raw)
    if parts is None or len(parts) < 2 or not isinstance(listed, Mapping):
        return None
    if listed.get("has_more") is not False:
        return None
    paid = raw.get("amount_paid")
    if type(paid) is not int or sum(item["amount_paid"] for item in parts) != paid:
        return None
    dated = []
    for item in parts:
        part_id = _text(item.get("id"))
        times = item.get("status_transitions")
        moment = times.get("paid_at") if isinstance(times, Mapping) else None
        try:
            day = day_of(moment, zone, field="payments.data.status_transitions.paid_at")
        except DataError:
            return None
        if part_id is None or day is None:
            return None
        dated.append((part_id, day, int(item["amount_paid"]), invoice_payment_handles(item)))
    return sorted(dated, key=lambda part: (part[1], part[0]))


def _paid_invoice_payments(raw: Mapping[str, Any]) -> list[Mapping[str, Any]] | None:
    """The invoice's paid invoice payments (``payments.data`` with status ``paid``); None
    when the invoice does not carry the list (not expanded, or an older API version)."""
    listed = raw.get("payments")
    data = listed.get("data") if isinstance(listed, Mapping) else None
    if not isinstance(data, list):
        return None
    return [
        item for item in data
        if isinstance(item, Mapping) and item.get("status") == "paid"
        and type(item.get("amount_paid")) is int and item["amount_paid"] > 0
    ]


def _charge_day(raw: Mapping[str, Any], zone: tzinfo) -> date | None:
    """The day of the invoice's expanded charge (API versions before 2025-03-31.basil), when
    it succeeded; None when the charge is not expanded or did not succeed."""
    charge = raw.get("charge")
    if not isinstance(charge, Mapping) or charge.get("status") != "succeeded":
        return None
    return day_of(charge.get("created"), zone, field="charge.created")


def _latest_part_payment(raw: Mapping[str, Any], zone: tzinfo) -> date | None:
    """The day of the latest paid invoice payment, where the invoice lists them, else of
    its succeeded charge, where it is expanded."""
    if _paid_invoice_payments(raw) is None:
        return _charge_day(raw, zone)
    days = []
    for item in _paid_invoice_payments(raw) or ():
        times = item.get("status_transitions")
        moment = times.get("paid_at") if isinstance(times, Mapping) else None
        day = day_of(moment if moment is not None else item.get("created"), zone,
                     field="payments.data.status_transitions.paid_at")
        if day is not None:
            days.append(day)
    return max(days, default=None)


def approximate_payment_date(raw: Mapping[str, Any]) -> str | None:
    """Why the payment of what was paid on this invoice has an approximate date, or None
    when its date is Stripe's own (a paid invoice's ``paid_at``; an open invoice's single
    paid invoice payment) or nothing was paid."""
    status = _text(raw.get("status"))
    paid = raw.get("amount_paid")
    if status not in ("open", "uncollectible") or type(paid) is not int or paid <= 0:
        return None
    if _status_times(raw).get("paid_at") is not None:
        return None
    parts = _paid_invoice_payments(raw)
    if parts is None and _charge_day(raw, UTC) is not None:
        return None
    if parts is None or not parts:
        return "dated on its finalisation: the invoice does not list its payments"
    if len(parts) > 1 and _dated_parts(raw, UTC) is None:
        return f"{len(parts)} part payments, all dated on the latest"
    return None


def _balance_applied(raw: Mapping[str, Any], currency: str) -> Decimal:
    """The customer's credit balance Stripe used on this invoice (0 when none)."""
    starting = raw.get("starting_balance")
    ending = raw.get("ending_balance")
    if starting is None or ending is None:
        return ZERO
    start = from_stripe_minor(starting, currency, field="starting_balance")
    end = from_stripe_minor(ending, currency, field="ending_balance")
    # A credit balance is negative; using it moves it towards zero.
    if start >= 0 or end <= start:
        return ZERO
    return min(end, ZERO) - start


def _debit_carried(raw: Mapping[str, Any], currency: str) -> Decimal:
    """A debit the customer owed before this invoice and Stripe added to its ``amount_due``
    (``starting_balance`` above zero; the part ``ending_balance`` does not keep), else 0."""
    starting = raw.get("starting_balance")
    if starting is None:
        return ZERO
    start = from_stripe_minor(starting, currency, field="starting_balance")
    if start <= 0:
        return ZERO
    ending = raw.get("ending_balance")
    end = ZERO if ending is None else from_stripe_minor(ending, currency, field="ending_balance")
    return start - min(max(end, ZERO), start)


# --------------------------------------------------------------------------- credit notes


def credit_note_from_stripe(raw: Mapping[str, Any], zone: tzinfo = UTC) -> CreditNote | Skip:
    """A Stripe credit note; its pre-payment part is applied to the invoice it credits."""
    if _text(raw.get("status")) == "void":
        # deleted=True: a store drops the copy an earlier sync saved while it was issued.
        return Skip("void credit note: it has no effect", deleted=True)
    ident = _required_id(raw)
    currency = currency_code(raw.get("currency"))
    key = "total" if raw.get("total") is not None else "amount"
    total = _minor(raw, key, currency)
    if total < 0:
        raise DataError(f"{key}: {total} is negative")
    issue_date = day_of(raw.get("effective_at"), zone, field="effective_at") or _required_day(
        raw.get("created"), zone, field="created"
    )
    if raw.get("pre_payment_amount") is not None:
        applied = _minor(raw, "pre_payment_amount", currency)
    else:
        kind = _text(raw.get("type"))
        if kind == "pre_payment":
            applied = total
        elif kind == "post_payment":
            applied = ZERO
        else:
            raise DataError(
                f"type: {raw.get('type')!r} without pre_payment_amount: the part applied to "
                "the invoice is unknown"
            )
    invoice = raw.get("invoice")
    allocations: tuple[Allocation, ...] = ()
    if applied > 0 and invoice is not None:
        allocations = (
            Allocation(
                invoice_id=_id_of(invoice, field="invoice"),
                amount=min(applied, total),
                date=issue_date,
            ),
        )
    return CreditNote(
        id=ident,
        customer_id=_id_of(raw.get("customer"), field="customer"),
        issue_date=issue_date,
        total=total,
        currency=currency,
        allocations=allocations,
        source=SOURCE,
        refunds=tuple(
            {"amount": amount}
            for amount in credit_note_refunds(raw, currency, total - min(applied, total))
            if amount > 0
        ),
    )


def credit_note_refunds(
    raw: Mapping[str, Any], currency: str, post_payment: Decimal
) -> tuple[Decimal, Decimal]:
    """What of a credit note was paid back to the customer: (refunded through Stripe,
    credited outside Stripe), in major units.

    Stripe splits a credit note's post-payment part (``post_payment_amount``; where absent,
    ``post_payment``: its total less its pre-payment part) into refunds, a credit to the customer's
    balance and an amount "credited outside of Stripe" (``out_of_band_amount``), which add
    up to it (docs.stripe.com/api/credit_notes/create). The refunds are the ``refunds``
    list's ``amount_refunded`` (API versions from 2025-03-31.basil). An older credit note
    names one ``refund`` instead, without its amount: its refund is what the other two
    parts leave, where the balance credit is known (no ``customer_balance_transaction``, or
    one expanded with its ``amount``); otherwise it is unknown, and counted as not paid
    back (the credit stays owed, as before refunds were read). Neither part has a date of
    its own on the credit note: both count from its date (a refund made with the credit
    note, or linked to it).
    """
    outside = _minor(raw, "out_of_band_amount", currency, default=0)
    if raw.get("post_payment_amount") is not None:
        post_payment = _minor(raw, "post_payment_amount", currency)
    listed = raw.get("refunds")
    if isinstance(listed, list):
        refunded = ZERO
        for index, item in enumerate(listed):
            if not isinstance(item, Mapping):
                raise DataError(f"refunds.{index}: is not an object")
            refunded += from_stripe_minor(item.get("amount_refunded", 0), currency,
                                          field=f"refunds.{index}.amount_refunded")
        return refunded, outside
    if raw.get("refund") is None:
        return ZERO, outside
    balance_entry = raw.get("customer_balance_transaction")
    if balance_entry is None:
        credited = ZERO
    elif isinstance(balance_entry, Mapping) and balance_entry.get("amount") is not None:
        # A credit to the balance is a negative balance transaction.
        credited = -from_stripe_minor(balance_entry["amount"], currency,
                                      field="customer_balance_transaction.amount")
    else:
        return ZERO, outside
    return max(post_payment - outside - max(credited, ZERO), ZERO), outside
