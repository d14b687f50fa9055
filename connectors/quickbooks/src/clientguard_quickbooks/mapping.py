"""Pure mapping from QuickBooks Online entities to clientguard records.

Each function takes one entity of a query response (decoded with ``parse_float=Decimal``)
and returns records or a :class:`~clientguard.connector.Skip` with the reason; a malformed
entity raises :class:`~clientguard.errors.DataError` naming the field. No clock, no network.

QuickBooks' quirks and what is done about them (each one is in
``docs/connectors/quickbooks.md`` too):

* **No status and no paid date on an invoice.** The status is derived from ``Balance``: 0 is
  ``paid``, more is ``open``. The paid date is derived from the payments and credit memos
  applied to the invoice: the ledger replays them (this module maps each payment line
  linked to an invoice to an allocation), so the invoice settles on the day its balance
  reached zero. A deposit taken on the invoice itself (``Deposit``) is a payment
  ``<invoice id>/deposit`` on the invoice's date.
* **A journal entry's credit: a bad debt written off, or a settlement.** A journal entry
  crediting Accounts Receivable, linked to the invoice in a payment (often of 0), brings the
  invoice's ``Balance`` down as if paid. What a payment settles on an invoice line with
  neither cash nor a credit memo, up to what its journal lines carry, is such a credit
  (:func:`journal_credits`). What it is depends on the account the journal entry debits
  (:mod:`.journals`): a bad-debt account is a write-off, and as Stripe's ``uncollectible``
  the invoice stays ``open`` for it, its ``amount_due`` ``Balance`` plus the write-off
  (attached under :data:`WRITE_OFFS_KEY`); Accounts Payable (netting what the firm owes the
  same company), another balance-sheet account or any other expense (a discount, bank
  charges) is a settlement, a payment
  ``<invoice id>/journal/<journal entry id>/<payment id>`` on the journal entry's date
  (attached under :data:`SETTLEMENTS_KEY`).
* **Voided invoices** stay in query results with ``TotalAmt`` and ``Balance`` 0 and
  "Voided" in ``PrivateNote``: they are ``void``. Another zero-amount invoice owes nothing
  and is ``paid`` on its issue date.
* **Payments** carry their applications as lines, each linked (``LinkedTxn``) to an
  ``Invoice`` or a ``CreditMemo``. A credit memo line means the credit memo pays that much
  of the payment's invoices (QuickBooks even creates zero-amount payments "to link credits
  to charges"): it becomes an allocation of the credit memo, dated the payment's date, and
  only the rest of the invoice lines is the payment's cash. Credits are matched to the
  payment's invoice lines in line order. Lines linked to other entities (journal entries,
  cheques, expenses) are not invoices. The payment's unapplied cash is its ``UnappliedAmt``:
  of the cash it applies (``TotalAmt - UnappliedAmt``), what its invoice lines leave paid
  those other lines (an opening balance entered as a journal entry, a cheque paying back an
  overpayment), charges the ledger does not hold, and is left out of the Payment, up to what
  those lines carry. Without ``UnappliedAmt`` all that is left stays unapplied.
* **Voided payments** stay in query results: Intuit zeroes their amounts and prepends
  "Voided" to ``PrivateNote``. One (``TotalAmt`` 0 and "Voided") applies nothing, not even
  the credit memos its lines still name, and is reported deleted, like every payment left
  with no effect (zero and nothing applied, or zero that only links credits), so that a store
  drops the copy an earlier sync saved (the invoice it paid is open again).
* **A credit memo refunded in cash.** QuickBooks pays a customer's credit back with a cheque
  (``Check``) or an expense (``Expense``) posted to Accounts Receivable, then links the credit
  memo to it in a payment ("receive payment" with nothing received): a payment line linked
  to a ``CreditMemo`` against a line linked to a ``Check`` or ``Expense``. What of the credit
  memo is left after the payment's invoices (credits are matched to invoices first, then to
  these lines, in line order) is paid back: a refund of the credit memo, dated the
  payment's date (:func:`credit_refunds`). A credit memo line against a ``JournalEntry`` is
  not read as a refund (a journal can move credit anywhere): that part stays unapplied
  credit.
* **Refund receipts** (``RefundReceipt``: money paid back to a customer for a product or
  service, from the bank or cash account ``DepositToAccountRef``, its lines crediting items
  as a sale's do) never touch Accounts Receivable and link to no credit memo or invoice
  (Intuit's reference lists no ``LinkedTxn`` for them). Each is a credit note of its
  ``TotalAmt`` refunded in full on its ``TxnDate`` (:func:`refund_receipt_from_qbo`), as a
  Stripe refund made without a credit note is: the customer's revenue is lower by it, and it
  is never unapplied credit. A customer's credit paid back is read from payments instead
  (the credit memo refunded in cash, above; an overpayment's cheque, below).
* **Exchange rates**: ``ExchangeRate`` is "the number of home currency units it takes to
  equal one unit of currency specified by CurrencyRef": home = foreign x rate, which is the
  model's direction (units of base per unit of document currency) when the ledger's base
  currency is the company's home currency. It is kept only for documents not in the home
  currency (see :class:`MappingRules`).
* **Sub-customers** (jobs, ``ParentRef``) carry their parent as ``group_id``, so that
  concentration counts a client and its jobs as one.
* **Time activities** (``TimeActivity``) name their customer by id (``CustomerRef``): the
  hours count for that customer, no name is matched. The duration is ``Hours`` and
  ``Minutes`` (and ``Seconds`` where sent); an activity entered as ``StartTime`` and
  ``EndTime`` lasts from one to the other less its break (``BreakHours``, ``BreakMinutes``).
  ``BillableStatus`` ``Billable`` and ``HasBeenBilled`` are billable, ``NotBillable`` is not.
  An activity for no customer (internal time) is skipped with its reason.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
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
    TimeEntry,
)
from clientguard.money import ZERO, is_currency, to_decimal

__all__ = [
    "APPLICATIONS_KEY",
    "DEFAULT_RULES",
    "SETTLEMENTS_KEY",
    "SOURCE",
    "WRITE_OFFS_KEY",
    "CreditApplication",
    "CreditRefund",
    "JournalCredit",
    "JournalSettlement",
    "MappingRules",
    "WriteOff",
    "answer_time",
    "credit_applications",
    "credit_memos_named",
    "credit_note_from_qbo",
    "credit_refunds",
    "customer_from_qbo",
    "invoice_records",
    "journal_credits",
    "last_updated",
    "payment_from_qbo",
    "refund_receipt_from_qbo",
    "time_entry_from_qbo",
]

SOURCE = "quickbooks"

#: Key under which the connector attaches a credit memo's applications (found in payments)
#: to the raw credit memo before it is mapped; not a QuickBooks field.
APPLICATIONS_KEY = "clientguard:applications"

#: Key under which the connector attaches an invoice's write-offs (found in the payments its
#: ``LinkedTxn`` names) to the raw invoice before it is mapped; not a QuickBooks field.
WRITE_OFFS_KEY = "clientguard:written_off"

#: Key under which the connector attaches what of an invoice journal entries settled (netted
#: against Accounts Payable, moved to another balance-sheet account) to the raw invoice
#: before it is mapped; not a QuickBooks field.
SETTLEMENTS_KEY = "clientguard:settled_by_journal"


@dataclass(frozen=True)
class MappingRules:
    """The connector's options that change how an entity maps."""

    home_currency: str | None = None
    """The company's home currency, where known. Documents in it get no ``fx_rate``."""
    source_rates: bool = True
    """Keep QuickBooks' ``ExchangeRate`` as ``fx_rate``. Turn off when the ledger's base
    currency is not the company's home currency: the rates would convert to the wrong one."""


DEFAULT_RULES = MappingRules()


@dataclass(frozen=True)
class CreditApplication:
    """Part of a credit memo applied to an invoice, as a payment's lines record it."""

    credit_memo_id: str
    invoice_id: str
    amount: Decimal
    date: date
    payment_id: str

    def to_raw(self) -> dict[str, str]:
        """The form attached to a raw credit memo under :data:`APPLICATIONS_KEY`."""
        return {
            "invoice_id": self.invoice_id,
            "amount": str(self.amount),
            "date": self.date.isoformat(),
            "payment_id": self.payment_id,
        }


@dataclass(frozen=True)
class CreditRefund:
    """Part of a credit memo paid back to the customer (a cheque or an expense), as a
    payment's lines link the two."""

    credit_memo_id: str
    amount: Decimal
    date: date
    payment_id: str
    paid_by: str
    """The transaction that paid it out, as ``<TxnType> <TxnId>`` (``Check 312``)."""

    def to_raw(self) -> dict[str, str]:
        """The form attached to a raw credit memo under :data:`APPLICATIONS_KEY`."""
        return {
            "refunded_by": self.paid_by,
            "amount": str(self.amount),
            "date": self.date.isoformat(),
            "payment_id": self.payment_id,
        }


@dataclass(frozen=True)
class JournalCredit:
    """Part of an invoice a payment settles with neither cash nor a credit memo, but with the
    credit of a line linked to another transaction: a journal entry crediting Accounts
    Receivable, as the payment's lines show. Whether that is a bad debt written off or a
    settlement, the journal entry's other side tells (:mod:`.journals`)."""

    invoice_id: str
    amount: Decimal
    date: date
    """The payment's date."""
    payment_id: str
    txn_type: str
    """The linked transaction's type: ``JournalEntry`` in the cases QuickBooks documents."""
    txn_id: str


@dataclass(frozen=True)
class WriteOff:
    """Part of an invoice written off as a bad debt: a journal entry's credit whose other side
    is a bad-debt account (bad debts, the allowance for bad debts, or one the firm lists:
    :func:`~.journals.is_bad_debt_account`). The client never paid it."""

    invoice_id: str
    amount: Decimal
    date: date
    payment_id: str
    journal_id: str = ""

    def to_raw(self) -> dict[str, str]:
        """The form attached to a raw invoice under :data:`WRITE_OFFS_KEY`."""
        return {
            "amount": str(self.amount),
            "date": self.date.isoformat(),
            "payment_id": self.payment_id,
            "journal_id": self.journal_id,
        }


@dataclass(frozen=True)
class JournalSettlement:
    """Part of an invoice settled by a journal entry's credit whose other side is a
    balance-sheet account: netted against what the firm owes the same company (Accounts
    Payable), or moved elsewhere. The invoice is paid that much on the journal entry's date."""

    invoice_id: str
    amount: Decimal
    date: date
    """The journal entry's date (the payment's, when the journal entry could not be read)."""
    payment_id: str
    journal_id: str

    def to_raw(self) -> dict[str, str]:
        """The form attached to a raw invoice under :data:`SETTLEMENTS_KEY`."""
        return {
            "amount": str(self.amount),
            "date": self.date.isoformat(),
            "payment_id": self.payment_id,
            "journal_id": self.journal_id,
        }


#: The entities a payment line may link a credit memo to that pay money out to the customer.
REFUND_TXN_TYPES = frozenset({"Check", "Expense"})


# --------------------------------------------------------------------------- helpers


def _amount(raw: Mapping[str, Any], key: str, *, default: Decimal | None = None) -> Decimal:
    value = raw.get(key)
    if value is None:
        if default is not None:
            return default
        raise DataError(f"{key}: is missing")
    return to_decimal(value, what=key)


def _text(value: object) -> str | None:
    # An object, a list or a bool is no text: str() of it would make an id "{'a': 1}" or
    # "True" (a record under a made-up id); None lets the caller name the field missing.
    if value is None or isinstance(value, bool | Mapping | list):
        return None
    text = str(value).strip()
    return text or None


def _ref(raw: Mapping[str, Any], key: str) -> str | None:
    """The ``value`` of a reference object such as ``CustomerRef``."""
    ref = raw.get(key)
    return _text(ref.get("value")) if isinstance(ref, Mapping) else None


def _required_ref(raw: Mapping[str, Any], key: str) -> str:
    value = _ref(raw, key)
    if value is None:
        raise DataError(f"{key}: is missing")
    return value


def _id(raw: Mapping[str, Any]) -> str:
    ident = _text(raw.get("Id"))
    if ident is None:
        raise DataError("Id: is missing")
    return ident


def _date(raw: Mapping[str, Any], key: str) -> date | None:
    value = raw.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise DataError(f"{key}: {value!r} is not a date")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise DataError(f"{key}: {value!r} is not a date (YYYY-MM-DD)") from None


def _required_date(raw: Mapping[str, Any], key: str) -> date:
    day = _date(raw, key)
    if day is None:
        raise DataError(f"{key}: is missing")
    return day


def last_updated(raw: Mapping[str, Any]) -> datetime | None:
    """``MetaData.LastUpdatedTime`` (``2026-04-08T13:16:17-07:00``) as an aware datetime."""
    meta = raw.get("MetaData")
    return _timestamp(meta.get("LastUpdatedTime") if isinstance(meta, Mapping) else None)


def answer_time(body: object) -> datetime | None:
    """When QuickBooks answered, by its own clock: the ``time`` of a query or CDC answer
    (``"time": "2026-05-05T05:15:56.621-07:00"``) as an aware datetime; None when the answer
    has none, or one that is not a moment with its offset."""
    return _timestamp(body.get("time") if isinstance(body, Mapping) else None)


def _timestamp(value: object) -> datetime | None:
    """A QuickBooks timestamp (``2026-04-08T13:16:17-07:00``, ``...Z``, milliseconds or
    not) as an aware datetime; None for anything else (no offset, not a string, unreadable)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        # A moment that is outside the calendar in UTC (9999-12-31T23:00:00-14:00) is
        # unreadable as a cursor too: the connector turns it to UTC.
        if moment.tzinfo is not None:
            moment.astimezone(UTC)
    except (ValueError, OverflowError):
        return None
    return moment if moment.tzinfo is not None else None


def _currency(raw: Mapping[str, Any], rules: MappingRules) -> str:
    code = _ref(raw, "CurrencyRef") or rules.home_currency
    if code is None:
        raise DataError(
            "CurrencyRef: is missing; give the connector home_currency for a company without "
            "multicurrency"
        )
    code = code.upper()
    if not is_currency(code):
        raise DataError(f"CurrencyRef: {code!r} is not an ISO 4217 currency code")
    return code


def _fx_rate(raw: Mapping[str, Any], currency: str, rules: MappingRules) -> Decimal | None:
    if not rules.source_rates or raw.get("ExchangeRate") is None:
        return None
    if rules.home_currency is not None and currency == rules.home_currency.upper():
        return None
    rate = to_decimal(raw.get("ExchangeRate"), what="ExchangeRate")
    if rate <= 0:
        return None  # QuickBooks writes 0 where it has no rate; the FxTable decides then
    return rate


# --------------------------------------------------------------------------- customers


def customer_from_qbo(raw: Mapping[str, Any]) -> Customer:
    """A QuickBooks customer (or sub-customer / job, grouped under its parent)."""
    name = (
        _text(raw.get("DisplayName"))
        or _text(raw.get("FullyQualifiedName"))
        or _text(raw.get("CompanyName"))
        or " ".join(p for p in (_text(raw.get("GivenName")), _text(raw.get("FamilyName"))) if p)
    )
    if not name:
        raise DataError("DisplayName: the customer has no name")
    email = raw.get("PrimaryEmailAddr")
    return Customer(
        id=_id(raw),
        name=name,
        email=_text(email.get("Address")) if isinstance(email, Mapping) else None,
        group_id=_ref(raw, "ParentRef"),
        source=SOURCE,
        updated_at=last_updated(raw),
    )


# --------------------------------------------------------------------------- invoices


def _is_voided(raw: Mapping[str, Any]) -> bool:
    note = _text(raw.get("PrivateNote")) or ""
    return "voided" in note.lower()


def _written_off(raw: Mapping[str, Any]) -> Decimal:
    """The total of the write-offs the connector attached to a raw invoice (see
    :data:`WRITE_OFFS_KEY`); 0 when none."""
    attached = raw.get(WRITE_OFFS_KEY) or []
    if not isinstance(attached, list):
        raise DataError(f"{WRITE_OFFS_KEY}: is not a list")
    written = ZERO
    for index, item in enumerate(attached):
        where = f"{WRITE_OFFS_KEY}.{index}"
        if not isinstance(item, Mapping):
            raise DataError(f"{where}: is not an object")
        amount = to_decimal(item.get("amount"), what=f"{where}.amount")
        if amount < 0:
            raise DataError(f"{where}.amount: {amount} is negative")
        written += amount
    return written


def _journal_settlements(raw: Mapping[str, Any]) -> list[tuple[str, Decimal, date]]:
    """The settlements by journal entry the connector attached to a raw invoice (see
    :data:`SETTLEMENTS_KEY`), as (``<journal entry id>/<payment id>``, amount, date): one
    per key, as each becomes the payment of that id. Those attached under one key (a journal
    entry and another transaction of the same id linked in one payment) are added up, on
    the earliest of their dates (the client's favour: one id cannot carry two)."""
    attached = raw.get(SETTLEMENTS_KEY) or []
    if not isinstance(attached, list):
        raise DataError(f"{SETTLEMENTS_KEY}: is not a list")
    found: dict[str, tuple[Decimal, date]] = {}
    for index, item in enumerate(attached):
        where = f"{SETTLEMENTS_KEY}.{index}"
        if not isinstance(item, Mapping):
            raise DataError(f"{where}: is not an object")
        amount = to_decimal(item.get("amount"), what=f"{where}.amount")
        if amount < 0:
            raise DataError(f"{where}.amount: {amount} is negative")
        journal, payment, day = (_text(item.get("journal_id")), _text(item.get("payment_id")),
                                 _date(item, "date"))
        if journal is None or payment is None or day is None:
            raise DataError(f"{where}: needs journal_id, payment_id and date")
        key = f"{journal}/{payment}"
        before = found.get(key)
        found[key] = (amount, day) if before is None else (before[0] + amount,
                                                           min(before[1], day))
    return [(key, amount, day) for key, (amount, day) in found.items()]


def invoice_records(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> AnyRecord | list[AnyRecord]:
    """An invoice, with its status derived from ``Balance`` (see the module)."""
    ident = _id(raw)
    customer_id = _required_ref(raw, "CustomerRef")
    issue_date = _required_date(raw, "TxnDate")
    # QuickBooks fills DueDate from the terms, and with the TxnDate when there are none.
    due_date = _date(raw, "DueDate") or issue_date
    currency = _currency(raw, rules)
    total = _amount(raw, "TotalAmt")
    balance = _amount(raw, "Balance")
    if total < 0:
        raise DataError(f"TotalAmt: {total} is negative")
    if balance < 0 or balance > total:
        raise DataError(f"Balance: {balance} is outside 0..TotalAmt ({total})")
    status: InvoiceStatus
    paid_on = None
    # What the client still owes: QuickBooks' Balance, plus what a journal entry wrote off
    # (the client never paid that part: see the module).
    owed = balance
    if total == 0 and _is_voided(raw):
        status = "void"
    elif total == 0:
        status, paid_on = "paid", issue_date  # nothing to collect
    else:
        owed = min(total, balance + _written_off(raw))
        # Paid: the date comes from the payments' allocations.
        status = "paid" if owed == 0 else "open"
    invoice = Invoice(
        id=ident,
        customer_id=customer_id,
        number=_text(raw.get("DocNumber")) or ident,
        issue_date=issue_date,
        due_date=due_date,
        currency=currency,
        total=total,
        status=status,
        paid_on=paid_on,
        amount_due=None if status == "void" else owed,
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
        updated_at=last_updated(raw),
    )
    records: list[AnyRecord] = [invoice]
    deposit = _amount(raw, "Deposit", default=ZERO)
    if deposit > 0 and status != "void":
        records.append(Payment(
            id=f"{ident}/deposit",
            customer_id=customer_id,
            date=issue_date,
            amount=deposit,
            currency=currency,
            allocations=(Allocation(invoice_id=ident, amount=min(deposit, total)),),
            fx_rate=invoice.fx_rate,
            source=SOURCE,
        ))
    # A settlement by journal entry (netting against what the firm owes the same company)
    # pays the invoice on the journal entry's date: a payment of its own, as a deposit is.
    for key, amount, day in ([] if status == "void" else _journal_settlements(raw)):
        if amount > 0:
            records.append(Payment(
                id=f"{ident}/journal/{key}",
                customer_id=customer_id,
                date=day,
                amount=min(amount, total),
                currency=currency,
                allocations=(Allocation(invoice_id=ident, amount=min(amount, total)),),
                fx_rate=invoice.fx_rate,
                source=SOURCE,
            ))
    return invoice if len(records) == 1 else records


# --------------------------------------------------------------------------- payments


@dataclass(frozen=True)
class _Lines:
    invoices: list[tuple[str, Decimal]]
    credits: list[tuple[str, Decimal]]
    refunds: list[tuple[str, Decimal]]
    """Lines linked to a cheque or an expense (``<TxnType> <TxnId>``, amount)."""
    others: Decimal = ZERO
    """What the lines linked to other transactions (journal entries, credit card credits)
    carry: a charge the payment's cash may pay, or a credit; the line does not say which."""
    other_lines: tuple[tuple[str, str, Decimal], ...] = ()
    """Those lines, in line order: (``TxnType``, ``TxnId``, amount)."""


def _payment_lines(raw: Mapping[str, Any]) -> _Lines:
    invoices: list[tuple[str, Decimal]] = []
    credits: list[tuple[str, Decimal]] = []
    refunds: list[tuple[str, Decimal]] = []
    others = ZERO
    other_lines: list[tuple[str, str, Decimal]] = []
    lines = raw.get("Line") or []
    if not isinstance(lines, list):
        raise DataError("Line: is not a list")
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            raise DataError(f"Line.{index}: is not an object")
        linked = line.get("LinkedTxn") or []
        if not linked:
            continue
        if not isinstance(linked, list):
            raise DataError(f"Line.{index}.LinkedTxn: a {type(linked).__name__} where a list "
                            "was due")
        if len(linked) != 1:
            raise DataError(
                f"Line.{index}.LinkedTxn: a line linked to {len(linked)} transactions cannot "
                "be split between them"
            )
        target = linked[0]
        kind = _text(target.get("TxnType")) if isinstance(target, Mapping) else None
        txn_id = _text(target.get("TxnId")) if isinstance(target, Mapping) else None
        if txn_id is None:
            raise DataError(f"Line.{index}.LinkedTxn.0.TxnId: is missing")
        amount = _amount(line, "Amount")
        if amount < 0:
            raise DataError(f"Line.{index}.Amount: {amount} is negative")
        if kind == "Invoice":
            invoices.append((txn_id, amount))
        elif kind == "CreditMemo":
            credits.append((txn_id, amount))
        elif kind in REFUND_TXN_TYPES:
            refunds.append((f"{kind} {txn_id}", amount))
        else:
            # Other types (JournalEntry, CreditCardCredit) are neither invoices nor refunds.
            others += amount
            other_lines.append((kind or "", txn_id, amount))
    return _Lines(invoices, credits, refunds, others, tuple(other_lines))


def _split(
    lines: _Lines,
) -> tuple[list[tuple[str, str, Decimal]], list[tuple[str, Decimal]], list[Decimal]]:
    """Credits matched to the invoice lines in line order; what is left needs cash.

    Returns (credit memo id, invoice id, amount) applications, (invoice id, cash need), and
    what each credit memo line has left after the invoices.
    """
    applications: list[tuple[str, str, Decimal]] = []
    needs: list[tuple[str, Decimal]] = []
    memos = [memo for memo, _ in lines.credits]
    left = [amount for _, amount in lines.credits]
    position = 0
    for invoice_id, amount in lines.invoices:
        need = amount
        while need > 0 and position < len(memos):
            take = min(need, left[position])
            if take > 0:
                applications.append((memos[position], invoice_id, take))
            need -= take
            left[position] -= take
            if left[position] <= 0:
                position += 1
        needs.append((invoice_id, need))
    return applications, needs, left


def _is_voided_payment(raw: Mapping[str, Any]) -> bool:
    """A voided payment: Intuit zeroes its amounts and prepends "Voided" to its note. A
    payment that still has money is not voided, whatever its note says."""
    return _is_voided(raw) and _amount(raw, "TotalAmt", default=ZERO) == 0


def credit_applications(raw: Mapping[str, Any]) -> list[CreditApplication]:
    """The credit memos a payment applies to its invoices (empty for a plain payment, and
    for a voided one: its credits are unapplied again)."""
    if _is_voided_payment(raw):
        return []
    lines = _payment_lines(raw)
    if not lines.credits:
        return []
    applications, _, _ = _split(lines)
    day = _required_date(raw, "TxnDate")
    ident = _id(raw)
    return [
        CreditApplication(memo, invoice_id, amount, day, ident)
        for memo, invoice_id, amount in applications
    ]


def credit_refunds(raw: Mapping[str, Any]) -> list[CreditRefund]:
    """The parts of credit memos a payment pays back to the customer: what its credit memo
    lines leave after its invoices, matched in line order to its lines linked to a cheque
    or an expense (see the module). Empty for a plain payment and a voided one."""
    if _is_voided_payment(raw):
        return []
    lines = _payment_lines(raw)
    if not lines.credits or not lines.refunds:
        return []
    _, _, left = _split(lines)
    day = _required_date(raw, "TxnDate")
    ident = _id(raw)
    refunds: list[CreditRefund] = []
    position = 0
    for paid_by, amount in lines.refunds:
        need = amount
        while need > 0 and position < len(left):
            take = min(need, left[position])
            if take > 0:
                refunds.append(CreditRefund(lines.credits[position][0], take, day, ident,
                                            paid_by))
            need -= take
            left[position] -= take
            if left[position] <= 0:
                position += 1
    return refunds


def credit_memos_named(raw: Mapping[str, Any]) -> frozenset[str]:
    """The ids of the credit memos a payment's lines name, whatever the payment applies: a
    voided payment names the memos it no longer applies, whose credit is open again. Lines
    that cannot be read name nothing (the payments stream rejects the payment, with the
    reason)."""
    lines = raw.get("Line")
    if not isinstance(lines, list):
        return frozenset()
    named: set[str] = set()
    for line in lines:
        linked = line.get("LinkedTxn") if isinstance(line, Mapping) else None
        for target in linked if isinstance(linked, list) else ():
            if isinstance(target, Mapping) and target.get("TxnType") == "CreditMemo":
                ident = _text(target.get("TxnId"))
                if ident is not None:
                    named.add(ident)
    return frozenset(named)


def _merge(pairs: Sequence[tuple[str, Decimal]]) -> tuple[Allocation, ...]:
    totals: dict[str, Decimal] = {}
    for invoice_id, amount in pairs:
        if amount > 0:
            totals[invoice_id] = totals.get(invoice_id, ZERO) + amount
    return tuple(Allocation(invoice_id=i, amount=a) for i, a in totals.items())


def _unapplied(raw: Mapping[str, Any], total: Decimal) -> Decimal | None:
    """``UnappliedAmt``: what of the payment QuickBooks holds as the customer's credit; None
    when the payment does not say."""
    if raw.get("UnappliedAmt") is None:
        return None
    unapplied = _amount(raw, "UnappliedAmt")
    if unapplied < 0 or unapplied > total:
        raise DataError(f"UnappliedAmt: {unapplied} is outside 0..TotalAmt ({total})")
    return unapplied


def _invoice_cash(
    needs: Sequence[tuple[str, Decimal]], amount: Decimal, unapplied: Decimal | None
) -> tuple[list[tuple[str, Decimal]], list[tuple[str, Decimal]], Decimal]:
    """The payment's cash matched to what its invoice lines need after the credit memos, in
    line order: (invoice id, cash) pairs, (invoice id, what no cash paid) pairs, and the
    applied cash left after the invoices. The cash applied is all of ``TotalAmt`` but what
    QuickBooks reports unapplied."""
    cash_left = amount if unapplied is None else amount - unapplied
    cash: list[tuple[str, Decimal]] = []
    uncovered: list[tuple[str, Decimal]] = []
    for invoice_id, need in needs:
        take = min(need, cash_left)
        if take > 0:
            cash.append((invoice_id, take))
            cash_left -= take
        if need - take > 0:
            uncovered.append((invoice_id, need - take))
    return cash, uncovered, cash_left


def journal_credits(raw: Mapping[str, Any]) -> list[JournalCredit]:
    """The parts of invoices a payment settles with neither cash nor a credit memo, but with
    the credit of a line linked to a journal entry (or another transaction that is neither an
    invoice, a credit memo, a cheque nor an expense): a zero payment linking the invoice to a
    journal entry crediting Accounts Receivable, for a bad debt written off or a netting
    alike (:mod:`.journals` tells them apart). What the invoice lines leave is matched to
    those lines in line order, and no more than they carry. Empty for a plain payment and a
    voided one (it settles nothing).

    Raises DataError naming the field, as :func:`payment_from_qbo` does, for a malformed
    payment."""
    if _is_voided_payment(raw):
        return []
    lines = _payment_lines(raw)
    if lines.others <= 0 or not lines.invoices:
        return []
    amount = _amount(raw, "TotalAmt")
    if amount < 0:
        raise DataError(f"TotalAmt: {amount} is negative")
    _, needs, _ = _split(lines)
    _, uncovered, _ = _invoice_cash(needs, amount, _unapplied(raw, amount))
    day = _required_date(raw, "TxnDate")
    ident = _id(raw)
    found: list[JournalCredit] = []
    left = [amount for _, _, amount in lines.other_lines]
    position = 0
    for invoice_id, rest in uncovered:
        while rest > 0 and position < len(left):
            take = min(rest, left[position])
            if take > 0:
                kind, txn_id, _ = lines.other_lines[position]
                found.append(JournalCredit(invoice_id, take, day, ident, kind, txn_id))
            rest -= take
            left[position] -= take
            if left[position] <= 0:
                position += 1
    return found


def payment_from_qbo(raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES) -> Payment | Skip:
    """A received payment with its cash allocations to invoices (see the module).

    A payment with no effect (voided, or zero with nothing applied) is skipped as deleted:
    a store removes the copy an earlier sync saved of it."""
    ident = _id(raw)
    amount = _amount(raw, "TotalAmt")
    if amount < 0:
        raise DataError(f"TotalAmt: {amount} is negative")
    if amount == 0 and _is_voided(raw):
        return Skip("voided payment (QuickBooks zeroed it)", deleted=True)
    unapplied = _unapplied(raw, amount)
    lines = _payment_lines(raw)
    _, needs, left = _split(lines)
    cash, _, cash_left = _invoice_cash(needs, amount, unapplied)
    # What the applied cash leaves after the invoices paid charges the ledger does not hold
    # (a journal entry's opening balance, a cheque paying back an overpayment): not
    # unapplied cash, so not part of the Payment. Only as much as those lines carry (less
    # what of the cheques the credit memos pay) is taken out; without UnappliedAmt nothing.
    elsewhere = ZERO
    if unapplied is not None:
        charges = lines.others + max(
            ZERO, sum((a for _, a in lines.refunds), ZERO) - sum(left, ZERO))
        elsewhere = min(cash_left, charges)
    received = amount - elsewhere
    if received == 0 and not cash:
        # deleted=True: no Payment stands for it, so none saved earlier (when it still had
        # money) may stay in a store.
        if amount > 0:
            return Skip(
                "payment applied only to transactions outside the ledger (journal entries, "
                "cheques, expenses): no invoice paid and no cash unapplied",
                deleted=True,
            )
        if lines.credits:
            return Skip(
                "zero-amount payment that only links credit memos to invoices or refunds (its "
                "applications are mapped as the credit memos' allocations and refunds)",
                deleted=True,
            )
        return Skip("zero-amount payment with nothing applied", deleted=True)
    currency = _currency(raw, rules)
    return Payment(
        id=ident,
        customer_id=_required_ref(raw, "CustomerRef"),
        date=_required_date(raw, "TxnDate"),
        amount=received,
        currency=currency,
        allocations=_merge(cash),
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
    )


# --------------------------------------------------------------------------- credit memos


def credit_note_from_qbo(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> CreditNote | Skip:
    """A credit memo, with the applications and refunds the connector found for it in
    payments.

    A voided credit memo (zero total, "Voided" in ``PrivateNote``) has no effect and is
    skipped.
    """
    total = _amount(raw, "TotalAmt")
    if total < 0:
        raise DataError(f"TotalAmt: {total} is negative")
    if total == 0 and _is_voided(raw):
        # deleted=True: a store drops the copy an earlier sync saved before it was voided.
        return Skip("voided credit memo: it has no effect", deleted=True)
    attached = raw.get(APPLICATIONS_KEY) or []
    pairs: list[tuple[str, Decimal, date]] = []
    refunds: list[tuple[date, Decimal]] = []
    for index, item in enumerate(attached):
        where = f"{APPLICATIONS_KEY}.{index}"
        if not isinstance(item, Mapping):
            raise DataError(f"{where}: is not an object")
        if item.get("refunded_by") is not None:
            day = _date(item, "date")
            if day is None:
                raise DataError(f"{where}: needs a date")
            refunds.append((day, to_decimal(item.get("amount"), what=f"{where}.amount")))
            continue
        invoice_id = _text(item.get("invoice_id"))
        day = _date(item, "date")
        if invoice_id is None or day is None:
            raise DataError(f"{where}: needs invoice_id and date")
        pairs.append((invoice_id, to_decimal(item.get("amount"), what=f"{where}.amount"), day))
    currency = _currency(raw, rules)
    return CreditNote(
        id=_id(raw),
        customer_id=_required_ref(raw, "CustomerRef"),
        issue_date=_required_date(raw, "TxnDate"),
        total=total,
        currency=currency,
        allocations=tuple(
            Allocation(invoice_id=invoice_id, amount=amount, date=day)
            for invoice_id, amount, day in sorted(pairs, key=lambda p: (p[2], p[0]))
        ),
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
        refunds=tuple({"amount": amount, "date": day} for day, amount in sorted(refunds)),
    )


# --------------------------------------------------------------------------- refund receipts


def refund_receipt_from_qbo(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> CreditNote | Skip:
    """A refund receipt: money paid back to a customer for a sale, as a credit note of
    ``TotalAmt`` refunded in full on its ``TxnDate`` (see the module). It lowers the
    customer's revenue on that day and is never credit the firm still owes.

    A voided refund receipt (zero total, "Voided" in ``PrivateNote``), one of zero, and one
    for no customer (``CustomerRef`` is optional on a refund receipt) have nothing to count:
    each is skipped as deleted, so that a store drops the copy an earlier sync saved.
    """
    ident = _id(raw)
    total = _amount(raw, "TotalAmt")
    if total < 0:
        raise DataError(f"TotalAmt: {total} is negative")
    if total == 0:
        reason = ("voided refund receipt: it has no effect" if _is_voided(raw)
                  else "refund receipt of zero: nothing paid back")
        return Skip(reason, deleted=True)
    customer_id = _ref(raw, "CustomerRef")
    if customer_id is None:
        return Skip("refund receipt for no customer: no client's revenue to lower",
                    deleted=True)
    day = _required_date(raw, "TxnDate")
    currency = _currency(raw, rules)
    return CreditNote(
        id=ident,
        customer_id=customer_id,
        issue_date=day,
        total=total,
        currency=currency,
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
        refunds=({"amount": total, "date": day},),
    )


# --------------------------------------------------------------------------- time activities

#: Hours are kept to a millionth of an hour (a minute is not an exact fraction of one).
HOURS_PLACES = Decimal("0.000001")

_BILLABLE = {"Billable": True, "HasBeenBilled": True, "NotBillable": False}


def _whole(raw: Mapping[str, Any], key: str) -> int:
    """A non-negative whole count (``Hours``, ``Minutes``...), 0 when absent."""
    value = raw.get(key)
    if value is None or value == "":
        return 0
    if isinstance(value, bool):
        raise DataError(f"{key}: {value!r} is not a number")
    try:
        number = Decimal(str(value).strip()) if isinstance(value, str) else Decimal(value)
    except ArithmeticError:
        raise DataError(f"{key}: {value!r} is not a number") from None
    if not number.is_finite():
        raise DataError(f"{key}: {value!r} is not a finite number")
    # The size is checked before int(): int() of 1e999999999 builds a billion digits. A
    # count of more than 10^9 hours, minutes or seconds is no time activity either.
    if number.adjusted() >= 9:
        raise DataError(f"{key}: {value!r} is more than a time activity can hold")
    if number < 0 or number != number.to_integral_value():
        raise DataError(f"{key}: {value!r} is not a whole, non-negative number")
    return int(number)


def _moment(raw: Mapping[str, Any], key: str) -> datetime | None:
    value = raw.get(key)
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        return datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise DataError(f"{key}: {value!r} is not a date-time") from None


def _seconds_worked(raw: Mapping[str, Any]) -> int:
    if any(raw.get(k) not in (None, "") for k in ("Hours", "Minutes", "Seconds")):
        return _whole(raw, "Hours") * 3600 + _whole(raw, "Minutes") * 60 + _whole(raw, "Seconds")
    start, end = _moment(raw, "StartTime"), _moment(raw, "EndTime")
    if start is None or end is None:
        raise DataError("Hours: is missing, and there is no StartTime and EndTime")
    if (start.tzinfo is None) != (end.tzinfo is None):
        raise DataError("StartTime, EndTime: one has a time zone and the other not")
    brk = _whole(raw, "BreakHours") * 3600 + _whole(raw, "BreakMinutes") * 60
    worked = int((end - start).total_seconds()) - brk
    if worked < 0:
        raise DataError(
            f"EndTime: {raw.get('EndTime')!r} is before StartTime plus the break; the "
            "activity's duration would be negative"
        )
    return worked


def time_entry_from_qbo(raw: Mapping[str, Any]) -> TimeEntry | Skip:
    """A QuickBooks time activity, counted for its customer by id (see the module)."""
    ident = _id(raw)
    customer_id = _ref(raw, "CustomerRef")
    if customer_id is None:
        return Skip("time activity for no customer (internal time)")
    day = _required_date(raw, "TxnDate")
    seconds = _seconds_worked(raw)
    if seconds == 0:
        return Skip("no hours")
    person = raw.get("EmployeeRef") or raw.get("VendorRef")
    name = _text(person.get("name")) if isinstance(person, Mapping) else None
    status = raw.get("BillableStatus")
    return TimeEntry(
        id=ident,
        customer_id=customer_id,
        date=day,
        hours=(Decimal(seconds) / 3600).quantize(HOURS_PLACES, ROUND_HALF_EVEN),
        person=name,
        billable=_BILLABLE.get(status) if isinstance(status, str) else None,
        source=SOURCE,
    )
