"""Xero's records mapped to clientguard's model: pure functions, one per kind of record.

Every function takes one raw record as Xero's JSON gives it (decoded with
``parse_float=Decimal``) and returns a model record or a :class:`~clientguard.connector.Skip`
with the reason it is left out. A record that breaks the model raises
:class:`~clientguard.errors.DataError` (or ``KeyError`` for a missing field): the sync turns
that into a rejection naming the record.

The rules, with the facts behind them (docs/connectors/xero.md):

* **Dates.** Xero writes ``/Date(1539993600000+0000)/``: milliseconds since the epoch in UTC,
  then the writer's offset. Date fields (``Date``, ``DueDate``, ``FullyPaidOnDate``, a
  payment's, credit note's, over- or prepayment's and an allocation's ``Date``; the spec marks
  them ``x-is-msdate``) mean a calendar date in the organisation's zone, and Xero writes them
  two ways: midnight UTC of the date with ``+0000`` (today's API) or local midnight with the
  organisation's offset (older organisations, and Xero's own documentation:
  ``/Date(1398600000000+1200)/`` is 2014-04-28, 12:00 UTC on the 27th). So the date is the
  one at which the value is midnight in its own offset, else the one at which it is midnight
  UTC, else (a value with a time of day) the local date in its own offset
  (:func:`ms_date`); never the machine's zone (xero-python #179 shows what that does). Where
  Xero also sends ``DateString``/``DueDateString`` (``2018-10-20T00:00:00``, the local date),
  that is read instead. A date field that Xero writes in ISO form itself (``"Date": "2009-03-29"``
  or ``"2024-09-24T00:00:00.000Z"``, seen by xero-node #323/#334 and Xero-OpenAPI #633) is the
  date as written. ``UpdatedDateUTC`` (``x-is-msdate-time``) is a moment: the
  milliseconds are UTC and the offset is not applied (:func:`parse_ms_date`).
* **Statuses.** ``DRAFT`` and ``SUBMITTED`` (awaiting approval) are ``draft``; ``AUTHORISED``
  is ``open``; ``PAID`` is ``paid``; ``VOIDED`` and ``DELETED`` are ``void``. Draft and void
  invoices are kept (so that an invoice voided after an earlier sync is updated) and every
  analysis ignores them. ``ARCHIVED`` is told by its amounts (:func:`archived_status`): still
  owed is ``open``, settled is ``paid``, neither is ``void``.
* **Sales only.** Bills (``ACCPAY``), supplier credit notes (``ACCPAYCREDIT``), spend-money
  over- and prepayments and payments of bills are skipped, each with its reason.
* **Paid date.** ``FullyPaidOnDate`` is used only on a ``PAID`` invoice: Xero leaves a stale
  one on an invoice whose payment was later removed (INV-0012 in the recorded data).
* **Payments.** ``DELETED`` payments are skipped and reported as deleted. A payment on a sales
  invoice (``ACCRECPAYMENT``) becomes a Payment allocated in full to that invoice, in the
  invoice's currency. Refunds (``ARCREDITPAYMENT``, ``AROVERPAYMENTPAYMENT``,
  ``ARPREPAYMENTPAYMENT``: money paid back to the client) are skipped.
* **Credit notes, overpayments, prepayments.** An authorised or paid sales credit note is a
  CreditNote with its allocations; a received overpayment or prepayment is a Payment (cash
  came in) with its allocations. Deleted allocations are left out (``IsDeleted``, a boolean
  or its text: Xero writes some flags as ``"false"``). Drafts are skipped;
  voided or deleted documents are skipped and reported as deleted. The cash refunds of an
  overpayment or prepayment (its ``Payments``: money paid back to the client) are taken off
  its amount: the Payment is the money the client left with the firm, so what it leaves
  unallocated is Xero's ``RemainingCredit``, and one refunded in full leaves nothing
  unapplied. A credit note's total is revenue and cannot shrink: its cash refunds (its
  ``Payments``, the ARCREDITPAYMENT payments the payments stream skips) are its ``refunds``,
  each on its own date, so that what it leaves as unapplied credit is Xero's
  ``RemainingCredit`` from the day of each refund on.
* **Bad debts written off.** A credit note coded to a bad-debt account writes the invoice
  off rather than crediting it: the invoice stays open and late for that part, and the
  credit note keeps only its credit part (:mod:`clientguard_xero.bad_debts`, which says how
  the connector tells the accounts apart).
* **Currency rate.** Xero's ``CurrencyRate`` is *units of the document's currency per one
  unit of the organisation's base currency* (see :func:`fx_rate`); the model's ``fx_rate`` is
  the other way round, so it is ``1 / CurrencyRate``. A missing rate, 0 (Xero writes 0 on
  base-currency payments) and 1 (base-currency documents) give no ``fx_rate``.
* **Contacts.** A contact merged into another (``MergedToContactID``) keeps its record, with
  the contact it was merged into as its ``group_id``, so that concentration counts both as one
  client; documents are re-pointed to the surviving contact where the merge is known.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import (
    Allocation,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Payment,
)
from clientguard.money import to_decimal
from clientguard.tax_id import normalise_tax_id
from clientguard_xero import bad_debts

__all__ = [
    "ARCHIVED",
    "INVOICE_STATUS",
    "SOURCE",
    "Resolve",
    "archived_status",
    "contact_to_customer",
    "credit_note_to_model",
    "credit_note_write_offs",
    "fx_rate",
    "invoice_to_model",
    "overpayment_to_model",
    "parse_ms_date",
    "payment_to_model",
    "prepayment_to_model",
    "supplier_only",
    "updated_at",
    "xero_date",
    "xero_timestamp",
]

SOURCE = "xero"

_MS_DATE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
_ISO_DATE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}(?:$|T)")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MIDNIGHT = time(0)
_LARGEST_OFFSET = timedelta(hours=14)

INVOICE_STATUS: Mapping[str, InvoiceStatus] = {
    "DRAFT": "draft",
    "SUBMITTED": "draft",
    "AUTHORISED": "open",
    "PAID": "paid",
    "VOIDED": "void",
    "DELETED": "void",
}
"""Xero invoice status to the model's. ``ARCHIVED`` (listed only with ``includeArchived=true``)
has no one status: it is told by the invoice's amounts (:func:`archived_status`)."""

ARCHIVED = "ARCHIVED"
"""The status of an invoice archived in Xero. Xero's spec lists it only under
``includeArchived`` ("Invoices with a status of ARCHIVED will be included") and says nothing of
what the invoice was before, so :func:`archived_status` reads what it still says of money."""


def archived_status(raw: Mapping[str, Any]) -> InvoiceStatus:
    """What an ``ARCHIVED`` invoice is to a receivables review, by its amounts.

    Archiving files a document away; it settles no debt. So an archived invoice with
    ``AmountDue`` above 0 is ``open`` (owed, and late once due: hiding it would hide a debt);
    one with nothing due that was paid or credited (``AmountPaid`` or ``AmountCredited`` above
    0, or a ``FullyPaidOnDate``) is ``paid``; one with nothing due, paid or credited is ``void``
    (Xero's voided and deleted invoices show 0 for all three, as the recorded responses do).
    Without ``AmountDue`` it cannot be told: a :class:`DataError` says so."""
    if raw.get("AmountDue") is None:
        raise DataError("AmountDue: is missing on an ARCHIVED invoice, so whether it is still "
                        "owed cannot be told")
    due = _amount(raw, "AmountDue")
    if due > 0:
        return "open"
    settled = sum((to_decimal(raw[field], what=field) for field in ("AmountPaid",
                   "AmountCredited") if raw.get(field) is not None), Decimal(0))
    if settled > 0 or xero_date(raw, "FullyPaidOnDate") is not None:
        return "paid"
    return "void"

Resolve = Callable[[str], str]
"""Maps a contact id to the contact that survives it (itself when never merged)."""


def _same(contact_id: str) -> str:
    return contact_id


# --------------------------------------------------------------------------- values


def _quoted(value: str) -> str:
    """``value`` quoted for a message, its middle left out past 60 characters (a field may
    hold a megabyte)."""
    return repr(value if len(value) <= 60 else f"{value[:30]}...{value[-20:]}")


def _ms_moment(value: str) -> tuple[datetime, str | None]:
    """The UTC moment of a ``/Date(milliseconds+zone)/`` value, and its zone (None: none
    given). A value outside the calendar (``/Date(253402300800000)/`` is the first moment
    of the year 10000; a number of thousands of digits) raises ValueError naming it, as a
    value of another shape does: never an OverflowError."""
    match = _MS_DATE.match(value.strip())
    if match is None:
        raise ValueError(f"{_quoted(value)} is not a Xero date (/Date(milliseconds+zone)/)")
    digits = match.group(1)
    try:
        if len(digits.lstrip("-")) > 15:  # 10^15 ms is past the year 30000
            raise OverflowError
        return _EPOCH + timedelta(milliseconds=int(digits)), match.group(2)
    except OverflowError:
        raise ValueError(
            f"{_quoted(value)} is outside the calendar (years 1 to 9999): a damaged date"
        ) from None


def parse_ms_date(value: str) -> datetime:
    """``/Date(1539993600000+0000)/`` as an aware UTC datetime.

    The milliseconds are UTC; the offset, where present, only says which zone the writer was
    in and is not applied (applying it, as pyxero does, turns UTC into local time). Raises
    ValueError for a value of another shape or outside the calendar.
    """
    return _ms_moment(value)[0]


def ms_date(value: str) -> date:
    """The calendar date a ``/Date(milliseconds+hhmm)/`` date field means (see the module's
    rules): the date at which the value is midnight in its own offset (``+1200`` local
    midnight), else the UTC date when it is midnight UTC (``+0000``, or an informational
    offset), else the date in its own offset."""
    moment, given = _ms_moment(value)
    zone = given or "+0000"
    offset = timedelta(hours=int(zone[1:3]), minutes=int(zone[3:]))
    if int(zone[3:]) >= 60 or offset > _LARGEST_OFFSET:
        raise ValueError(f"{_quoted(value)}: {zone} is not a time zone offset (at most 14 "
                         "hours)")
    try:
        local = moment + (offset if zone[0] == "+" else -offset)
    except OverflowError:  # 9999-12-31 23:00 UTC, +1400: the local date is past the calendar
        raise ValueError(
            f"{_quoted(value)} is outside the calendar (years 1 to 9999): a damaged date"
        ) from None
    if local.time() == _MIDNIGHT or moment.time() != _MIDNIGHT:
        return local.date()
    return moment.date()


def xero_date(raw: Mapping[str, Any], field: str) -> date | None:
    """A date field: its ``<field>String`` companion where present, else the date the
    ``/Date(...)/`` value means (:func:`ms_date`). None when the field is absent or empty."""
    companion = raw.get(f"{field}String")
    if isinstance(companion, str) and len(companion) >= 10:
        try:
            return date.fromisoformat(companion[:10])
        except ValueError:
            raise ValueError(f"{field}String: {_quoted(companion)} is not a date "
                             "(YYYY-MM-DD...)") from None
    value = raw.get(field)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ValueError(f"{field}: {value!r} is not a Xero date")
    if _ISO_DATE.match(value):
        return _iso_date(field, value)
    try:
        return ms_date(value)
    except ValueError as exc:
        raise ValueError(f"{field}: {exc}") from None


def _iso_date(field: str, value: str) -> date:
    """The date an ISO value of a date field means: the date as written (``2009-03-29``,
    ``2016-12-16T00:00:00`` like ``DateString``, ``2024-09-24T00:00:00.000Z``), the date of
    the writer's own day, which :func:`ms_date`'s rules also give for every form Xero writes
    (local midnight in its offset, midnight UTC, a time of day in its offset)."""
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text).date()
    except ValueError:
        raise ValueError(f"{field}: {_quoted(value)} is not a date (YYYY-MM-DD, or "
                         "/Date(milliseconds+zone)/)") from None


def xero_timestamp(value: object) -> datetime | None:
    """``UpdatedDateUTC`` (``/Date(...)/``) or its ISO companion, as UTC; None when absent."""
    if not isinstance(value, str) or not value:
        return None
    if value.startswith("/Date("):
        return parse_ms_date(value)
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    try:
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:  # 9999-12-31T23:00:00-14:00 is in the year 10000 in UTC
        raise ValueError(
            f"{_quoted(value)} is outside the calendar in UTC (years 1 to 9999): a damaged "
            "date"
        ) from None


def updated_at(raw: Mapping[str, Any]) -> datetime | None:
    """When Xero last changed the record: ``UpdatedDateUTCString`` (spec 16.1.0 and later)
    where present, else ``UpdatedDateUTC``."""
    for field in ("UpdatedDateUTCString", "UpdatedDateUTC"):
        try:
            moment = xero_timestamp(raw.get(field))
        except ValueError as exc:
            raise ValueError(f"{field}: {exc}") from None
        if moment is not None:
            return moment
    return None


def fx_rate(raw: Mapping[str, Any], *, use_rates: bool = True) -> Decimal | None:
    """The model's ``fx_rate`` (base per unit of the document's currency) from Xero's
    ``CurrencyRate`` (units of the document's currency per unit of base).

    How we know Xero's direction: the spec's own examples. A quote in AUD dated 24 October
    2019 carries ``CurrencyRate: 0.937053`` and one in NZD dated 1 February 2020 carries
    ``1.547150``. An AUD was worth about 1.07 NZD and a US dollar about 1.55 NZD on those days,
    so the rates are 0.94 AUD per NZD (an NZD-based organisation, Xero's demo company) and
    1.55 NZD per USD (a USD-based one): document currency per unit of base, both times. The
    reverse reading (1.07 and 0.65) matches neither. The Payment schema's own example, "e.g.
    0.7500", reads the same way as Xero's screens ("1 NZD = 0.7500 USD").

    The rate converts to the *Xero organisation's* base currency: pass ``use_rates=False``
    when the ledger is built in another currency, and give the ledger an FxTable instead.
    """
    if not use_rates:
        return None
    value = raw.get("CurrencyRate")
    if value is None or value == "":
        return None
    rate = to_decimal(value, what="CurrencyRate")
    if rate <= 0 or rate == 1:
        return None
    return Decimal(1) / rate


def _id(raw: Mapping[str, Any], field: str, *, where: str = "") -> str:
    """A record's id (Xero's are GUID strings; a number is read as its digits). Null, empty,
    absent or of another type is a :class:`DataError` naming ``field``: ``str(None)`` would
    make every such record one record with the id ``None``, each replacing the last."""
    value = raw.get(field)
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str) and value.strip():
        return value.strip()
    if value is None or value == "":
        raise DataError(f"{where}{field}: is missing: the record cannot be told from another")
    raise DataError(f"{where}{field}: a {type(value).__name__} is not an id")


def _amount(raw: Mapping[str, Any], field: str) -> Decimal:
    return to_decimal(raw[field], what=field)


def _contact_id(raw: Mapping[str, Any], resolve: Resolve) -> str:
    contact = raw.get("Contact")
    if not isinstance(contact, Mapping) or not contact.get("ContactID"):
        raise DataError("Contact.ContactID is missing: the document names no client")
    return resolve(_id(contact, "ContactID", where="Contact."))


def _listed(raw: Mapping[str, Any], field: str) -> list[Any] | tuple[Any, ...]:
    """The list ``raw[field]`` (empty when absent or null); anything else is a
    :class:`DataError` naming the field."""
    listed = raw.get(field) or ()
    if not isinstance(listed, list | tuple):
        raise DataError(f"{field}: a {type(listed).__name__} where a list was due")
    return listed


def _allocations(raw: Mapping[str, Any]) -> tuple[Allocation, ...]:
    allocations = []
    for index, item in enumerate(_listed(raw, "Allocations")):
        if not isinstance(item, Mapping):
            raise DataError(f"Allocations.{index}: is not an object")
        if _flag(item, "IsDeleted", where=f"Allocations.{index}."):
            continue
        invoice = item.get("Invoice") or {}
        invoice_id = invoice.get("InvoiceID") if isinstance(invoice, Mapping) else None
        if not invoice_id:
            raise DataError("an allocation names no Invoice.InvoiceID")
        allocations.append(
            Allocation(
                invoice_id=_id(invoice, "InvoiceID", where=f"Allocations.{index}.Invoice."),
                amount=_amount(item, "Amount"),
                date=xero_date(item, "Date"),
            )
        )
    return tuple(allocations)


_FLAGS = {"true": True, "false": False}


def _flag(raw: Mapping[str, Any], field: str, *, where: str = "") -> bool | None:
    """A boolean field: ``true``/``false``, or the same written as text (Xero's own GET
    /Payments example writes ``"IsReconciled": "false"``); None when absent, null or empty. Anything
    else is a :class:`DataError` naming the field: ``"false"`` read by its truth is true, and
    an allocation marked ``"IsDeleted": "false"`` was dropped."""
    value = raw.get(field)
    if value is None or isinstance(value, bool):
        return value
    if value == "":  # Xero's empty value, as in "TaxNumber": ""
        return None
    if isinstance(value, str) and value.strip().lower() in _FLAGS:
        return _FLAGS[value.strip().lower()]
    raise DataError(f"{where}{field}: {value!r} is not true or false")


def _text(value: object) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


# --------------------------------------------------------------------------- records


def supplier_only(raw: Mapping[str, Any]) -> bool:
    """True for a contact its flags call a supplier and no customer (``IsSupplier`` true,
    ``IsCustomer`` false): the contacts stream skips it. Xero sets ``IsCustomer`` only once a
    sales transaction is approved, and the flags lag, so a sales document may still name it."""
    return _flag(raw, "IsSupplier") is True and _flag(raw, "IsCustomer") is False


def contact_to_customer(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, named_by_sale: bool = False
) -> Customer | Skip:
    """A Xero contact as a Customer. A contact that is only a supplier is skipped, unless a
    sales document names it (``named_by_sale``): it is then a client whatever its flags say."""
    if not named_by_sale and supplier_only(raw):
        return Skip("supplier only (IsCustomer false): not a client")
    merged_into = _text(raw.get("MergedToContactID"))
    return Customer(
        id=_id(raw, "ContactID"),
        name=_text(raw.get("Name")) or _id(raw, "ContactID"),
        tax_id=normalise_tax_id(_text(raw.get("TaxNumber"))),
        email=_text(raw.get("EmailAddress")),
        group_id=resolve(merged_into) if merged_into else None,
        source=SOURCE,
        updated_at=updated_at(raw),
    )


def invoice_to_model(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, use_rates: bool = True
) -> Invoice | Skip:
    """A Xero sales invoice (``ACCREC``) as an Invoice; bills are skipped."""
    kind = raw.get("Type")
    if kind != "ACCREC":
        return Skip(f"{kind or 'untyped'} invoice: only sales invoices (ACCREC) are read")
    xero_status = str(raw.get("Status", ""))
    status = archived_status(raw) if xero_status == ARCHIVED else INVOICE_STATUS.get(xero_status)
    if status is None:
        known = ", ".join((*INVOICE_STATUS, ARCHIVED))
        raise DataError(f"Status {xero_status!r} is not one of {known}")
    issue_date = xero_date(raw, "Date")
    if issue_date is None:
        raise DataError("Date (the issue date) is missing")
    due_date = xero_date(raw, "DueDate")
    if due_date is None:
        if status in ("open", "paid"):
            raise DataError(f"DueDate is missing on a {xero_status} invoice")
        # A draft or void invoice may have no due date yet; it is never measured for lateness.
        due_date = issue_date
    paid_on = xero_date(raw, "FullyPaidOnDate") if status == "paid" else None
    total = _amount(raw, "Total")
    amount_due = raw.get("AmountDue")
    owed = None if amount_due is None else to_decimal(amount_due, what="AmountDue")
    written_off = bad_debts.written_off_of(raw)
    if written_off > 0 and status in ("open", "paid"):
        # A bad debt written off by a credit note to Bad Debts: the client never paid that
        # part, so the invoice stays open for it, and late (bad_debts).
        owed = min(total, (owed or Decimal(0)) + written_off)
        if owed > 0:
            status, paid_on = "open", None
    return Invoice(
        id=_id(raw, "InvoiceID"),
        customer_id=_contact_id(raw, resolve),
        number=str(raw.get("InvoiceNumber") or ""),
        issue_date=issue_date,
        due_date=due_date,
        currency=str(raw["CurrencyCode"]),
        total=total,
        status=status,
        paid_on=paid_on,
        amount_due=owed,
        fx_rate=fx_rate(raw, use_rates=use_rates),
        source=SOURCE,
        updated_at=updated_at(raw),
    )


_REFUNDS = {
    "ARCREDITPAYMENT": "refund of a credit note",
    "AROVERPAYMENTPAYMENT": "refund of an overpayment",
    "ARPREPAYMENTPAYMENT": "refund of a prepayment",
}


def payment_to_model(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, use_rates: bool = True
) -> Payment | Skip:
    """A payment on a sales invoice as a Payment allocated to that invoice."""
    kind = str(raw.get("PaymentType") or "")
    if kind in _REFUNDS:
        return Skip(f"{kind}: {_REFUNDS[kind]} (money paid back to the client)")
    if kind != "ACCRECPAYMENT":
        return Skip(f"{kind or 'untyped'} payment: only payments of sales invoices are read")
    if raw.get("Status") == "DELETED":
        return Skip("deleted payment", deleted=True)
    invoice = raw.get("Invoice")
    if not isinstance(invoice, Mapping) or not invoice.get("InvoiceID"):
        raise DataError("Invoice.InvoiceID is missing: the payment names no invoice")
    invoice_id = _id(invoice, "InvoiceID", where="Invoice.")
    on = xero_date(raw, "Date")
    if on is None:
        raise DataError("Date is missing")
    amount = _amount(raw, "Amount")
    currency = invoice.get("CurrencyCode") or raw.get("CurrencyCode")
    if not currency:
        raise DataError("Invoice.CurrencyCode is missing: the payment's currency is unknown")
    return Payment(
        id=_id(raw, "PaymentID"),
        customer_id=_contact_id(invoice, resolve),
        date=on,
        amount=amount,
        currency=str(currency),
        allocations=(Allocation(invoice_id=invoice_id, amount=amount, date=on),),
        fx_rate=fx_rate(raw, use_rates=use_rates),
        source=SOURCE,
    )


def credit_note_to_model(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, use_rates: bool = True
) -> CreditNote | Skip:
    """An issued sales credit note (``ACCRECCREDIT``) as a CreditNote with its allocations
    and its cash refunds (its ``Payments``: money paid back to the client, each on its
    ``Date``; deleted ones left out)."""
    kind = raw.get("Type")
    if kind != "ACCRECCREDIT":
        return Skip(f"{kind or 'untyped'} credit note: only sales credit notes are read")
    status = raw.get("Status")
    if status in ("DELETED", "VOIDED"):
        return Skip(f"{str(status).lower()} credit note", deleted=True)
    if status in ("DRAFT", "SUBMITTED"):
        return Skip(f"{str(status).lower()} credit note: not issued yet")
    if status not in ("AUTHORISED", "PAID"):
        raise DataError(f"Status {status!r} is not a credit note status")
    issue_date = xero_date(raw, "Date")
    if issue_date is None:
        raise DataError("Date is missing")
    total = _amount(raw, "Total")
    allocations = _allocations(raw)
    written = _written_off(raw)
    if written:
        # A bad debt written off (bad_debts): the credit note keeps its credit part only;
        # what it wrote off stays owed on the invoices.
        total -= sum((w.amount for w in written), Decimal(0))
        allocations = _less_written_off(allocations, written)
        if total == 0 and not _listed(raw, "Payments"):
            # deleted=True: a store drops the copy an earlier version saved as a credit.
            return Skip(
                "bad debt written off (its lines post to a bad-debt account): no credit; "
                "the invoices it is allocated to stay open for it", deleted=True)
    return CreditNote(
        id=_id(raw, "CreditNoteID"),
        customer_id=_contact_id(raw, resolve),
        issue_date=issue_date,
        total=total,
        currency=str(raw["CurrencyCode"]),
        allocations=allocations,
        fx_rate=fx_rate(raw, use_rates=use_rates),
        source=SOURCE,
        refunds=_credit_refunds(raw),
    )


def credit_note_write_offs(
    raw: Mapping[str, Any], codes: Iterable[str]
) -> tuple[bad_debts.WriteOff, ...]:
    """What an issued sales credit note writes off of each invoice, the accounts ``codes``
    being the bad-debt ones (:func:`~clientguard_xero.bad_debts.write_offs`: its allocations,
    deleted ones left out, each on its date or the credit note's). Empty for any other
    document, and for a credit note with no line coded to those accounts."""
    if raw.get("Type") != "ACCRECCREDIT" or raw.get("Status") not in ("AUTHORISED", "PAID"):
        return ()
    wanted = [str(code) for code in codes]
    if not wanted:
        return ()
    issued = xero_date(raw, "Date")
    return bad_debts.write_offs(
        raw, wanted, [(a.invoice_id, a.amount, a.date or issued) for a in _allocations(raw)])


def _written_off(raw: Mapping[str, Any]) -> tuple[bad_debts.WriteOff, ...]:
    """What the credit note writes off, by the bad-debt accounts the connector attached
    (none attached: the chart of accounts was not read, and the credit note is a credit)."""
    codes = raw.get(bad_debts.BAD_DEBT_ACCOUNTS_KEY)
    if not isinstance(codes, list | tuple) or not codes:
        return ()
    return credit_note_write_offs(raw, codes)


def _less_written_off(
    allocations: tuple[Allocation, ...], written: tuple[bad_debts.WriteOff, ...]
) -> tuple[Allocation, ...]:
    """``allocations`` less what each wrote off; those left with nothing are dropped."""
    taken = {w.allocation: w.amount for w in written}
    kept = []
    for place, allocation in enumerate(allocations):
        amount = allocation.amount - taken.get(place, Decimal(0))
        if amount > 0:
            kept.append(Allocation(invoice_id=allocation.invoice_id, amount=amount,
                                   date=allocation.date))
    return tuple(kept)


def _credit_refunds(raw: Mapping[str, Any]) -> tuple[dict[str, Any], ...]:
    """A credit note's cash refunds: its ``Payments`` (Xero's ARCREDITPAYMENT payments),
    deleted ones left out, each on its own ``Date`` (the credit note's date when it has
    none). Plain values: the CreditNote checks them, naming ``refunds.N``."""
    refunds = []
    for index, item in enumerate(_listed(raw, "Payments")):
        if not isinstance(item, Mapping):
            raise DataError(f"Payments.{index}: is not an object")
        if item.get("Status") == "DELETED":
            continue
        refunds.append({
            "amount": to_decimal(item.get("Amount"), what=f"Payments.{index}.Amount"),
            "date": xero_date(item, "Date"),
        })
    return tuple(refunds)


def _prepaid_to_model(
    raw: Mapping[str, Any], id_field: str, what: str, resolve: Resolve, use_rates: bool
) -> Payment | Skip:
    kind = str(raw.get("Type") or "")
    if kind.startswith("SPEND") or kind.startswith("AP"):
        return Skip(f"{kind}: money paid out, not received from a client")
    status = raw.get("Status")
    if status in ("VOIDED", "DELETED"):
        return Skip(f"{str(status).lower()} {what}", deleted=True)
    if status not in ("AUTHORISED", "PAID"):
        raise DataError(f"Status {status!r} is not an {what} status")
    on = xero_date(raw, "Date")
    if on is None:
        raise DataError("Date is missing")
    total = _amount(raw, "Total")
    refunded = _refunded(raw)
    if refunded > total:
        raise DataError(f"Payments: refunds of {refunded} are more than the {what}'s Total of "
                        f"{total}")
    return Payment(
        id=_id(raw, id_field),
        customer_id=_contact_id(raw, resolve),
        date=on,
        amount=total - refunded,
        currency=str(raw["CurrencyCode"]),
        allocations=_allocations(raw),
        fx_rate=fx_rate(raw, use_rates=use_rates),
        source=SOURCE,
    )


def _refunded(raw: Mapping[str, Any]) -> Decimal:
    """What of an overpayment or prepayment was paid back to the client in cash: its
    ``Payments`` (Xero's AROVERPAYMENTPAYMENT and ARPREPAYMENTPAYMENT refunds, which the
    payments stream skips), deleted ones left out."""
    refunded = Decimal(0)
    for index, item in enumerate(_listed(raw, "Payments")):
        if not isinstance(item, Mapping):
            raise DataError(f"Payments.{index}: is not an object")
        if item.get("Status") == "DELETED":
            continue
        refunded += to_decimal(item.get("Amount"), what=f"Payments.{index}.Amount")
    return refunded


def overpayment_to_model(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, use_rates: bool = True
) -> Payment | Skip:
    """A received overpayment as a Payment: the cash the client left with the firm (its
    ``Total`` less the refunds in its ``Payments``), applied to invoices by its allocations;
    what is neither allocated nor refunded (Xero's ``RemainingCredit``) stays unapplied
    cash."""
    return _prepaid_to_model(raw, "OverpaymentID", "overpayment", resolve, use_rates)


def prepayment_to_model(
    raw: Mapping[str, Any], resolve: Resolve = _same, *, use_rates: bool = True
) -> Payment | Skip:
    """A received prepayment as a Payment, like an overpayment (net of its refunds)."""
    return _prepaid_to_model(raw, "PrepaymentID", "prepayment", resolve, use_rates)
