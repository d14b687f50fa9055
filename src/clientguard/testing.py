"""Builders for tests: one line per record, with sensible defaults.

These are public API, for your own unit tests of your own policies::

    from clientguard.testing import invoice, payment, ledger

    inv = invoice("acme", issued="2025-01-01", due="2025-01-31", total="100.00")
    book = ledger(inv, payment("acme", on="2025-02-10", amount="100.00", pays=inv))

Dates are ``datetime.date`` or ISO strings (``"2025-01-31"``); amounts are Decimal, int or
strings (never floats, as everywhere in clientguard). Ids are made from the arguments where
you give none (``acme/2025-01-01/100.00`` for that invoice), so the same call gives the same
record; pass ``id=`` when two records would otherwise look alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import cast

from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.model import (
    Allocation,
    AnyRecord,
    CreditNote,
    Customer,
    Invoice,
    InvoiceStatus,
    Payment,
    TimeEntry,
    WorkRequest,
)
from clientguard.money import FxTable, to_decimal
from clientguard.records import Link

__all__ = [
    "DEFAULT_SOURCE",
    "AmountLike",
    "DateLike",
    "Pays",
    "Refunds",
    "as_date",
    "credit_note",
    "customer",
    "fx_table",
    "invoice",
    "ledger",
    "payment",
    "time_entry",
    "work_request",
]

DateLike = date | str
AmountLike = Decimal | int | str
Pays = (Invoice | str | Sequence[tuple[Invoice | str, AmountLike]] | Mapping[str, AmountLike]
        | None)
"""What a payment or credit note pays: one invoice (in full, up to the amount; the whole
amount when the invoice is in another currency), one invoice id (the whole amount: the
builder does not know that invoice's total), a list of ``(invoice or id, amount)`` pairs, or a
mapping of invoice id to amount. Allocated amounts are in the paying document's currency.
Anything else is a ``TypeError`` naming the argument and these forms."""

_PAYS_FORMS = ("an Invoice, an invoice id, a list of (invoice or id, amount) pairs, or a "
               "mapping of invoice id to amount")

DEFAULT_SOURCE = "test"


def as_date(value: DateLike) -> date:
    """A date from a ``date`` or an ISO string."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def customer(
    id: str,
    name: str | None = None,
    *,
    group: str | None = None,
    tax_id: str | None = None,
    email: str | None = None,
    source: str = DEFAULT_SOURCE,
) -> Customer:
    """A customer; ``name`` defaults to the id with a capital letter."""
    return Customer(
        id=id,
        name=name if name is not None else id.capitalize(),
        group_id=group,
        tax_id=tax_id,
        email=email,
        source=source,
    )


def invoice(
    customer: str,
    *,
    issued: DateLike,
    total: AmountLike,
    due: DateLike | None = None,
    terms: int = 30,
    paid: DateLike | None = None,
    status: InvoiceStatus | None = None,
    currency: str = "EUR",
    id: str | None = None,
    number: str | None = None,
    amount_due: AmountLike | None = None,
    fx_rate: AmountLike | None = None,
    source: str = DEFAULT_SOURCE,
    disputed: bool = False,
    disputed_on: DateLike | None = None,
) -> Invoice:
    """An invoice. ``due`` defaults to ``issued + terms`` days; ``paid`` sets status ``paid``
    and ``paid_on`` (a paid date without payment records); otherwise status is ``open``.
    ``disputed_on`` (the day a dispute was raised) implies ``disputed``."""
    issue_date = as_date(issued)
    ident = id or f"{customer}/{issue_date}/{total}"
    return Invoice(
        id=ident,
        customer_id=customer,
        number=number or ident,
        issue_date=issue_date,
        due_date=as_date(due) if due is not None else issue_date + timedelta(days=terms),
        currency=currency,
        total=total,
        status=status or ("paid" if paid is not None else "open"),
        paid_on=as_date(paid) if paid is not None else None,
        amount_due=amount_due,
        fx_rate=fx_rate,
        disputed=disputed or disputed_on is not None,
        disputed_on=as_date(disputed_on) if disputed_on is not None else None,
        source=source,
    )


def _allocations(
    pays: Pays, amount: Decimal | None, currency: str, on: date | None, *, argument: str
) -> tuple[Allocation, ...]:
    if pays is None:
        return ()
    if isinstance(pays, Invoice | str):
        if amount is None:  # the document's own amount is wrong, and its error says so
            return ()
        if isinstance(pays, str):
            return (Allocation(invoice_id=pays, amount=amount, date=on),)
        # The invoice's total is in its own currency: only in the same currency does it cap
        # the allocation, which is in the document's currency.
        share = min(amount, pays.total) if pays.currency == currency else amount
        return (Allocation(invoice_id=pays.id, amount=share, date=on),)
    if isinstance(pays, Mapping):
        pairs: list[tuple[object, object]] = list(pays.items())
    elif isinstance(pays, Sequence):
        pairs = []
        for n, item in enumerate(pays):
            if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
                raise TypeError(
                    f"{argument}: item {n} is {item!r}, not an (invoice or id, amount) pair; "
                    f"{argument} takes {_PAYS_FORMS}")
            pairs.append((item[0], item[1]))
    else:
        raise TypeError(f"{argument}: {pays!r} is a {type(pays).__name__}; "
                        f"{argument} takes {_PAYS_FORMS}")
    allocations = []
    for target, part in pairs:
        if not isinstance(target, Invoice | str):
            raise TypeError(f"{argument}: {target!r} names no invoice (an Invoice or an "
                            f"invoice id); {argument} takes {_PAYS_FORMS}")
        ident = target.id if isinstance(target, Invoice) else target
        # A bad amount (a float, text) is left to the model: its DataError says so.
        allocations.append(Allocation(invoice_id=ident, amount=part, date=on))
    return tuple(allocations)


Refunds = AmountLike | Sequence[tuple[DateLike, AmountLike]] | None
"""What a credit note paid back to the client in cash: one amount (undated: it counts from the
credit note's issue date), or a list of ``(date, amount)`` pairs, in the credit note's
currency."""


def _refunds(refunded: Refunds) -> tuple[dict[str, object], ...]:
    # Plain values: a bad amount is the credit note's error, naming it and refunds.N.amount.
    if refunded is None:
        return ()
    if isinstance(refunded, Decimal | int | str):
        return ({"amount": refunded},)
    if isinstance(refunded, float):
        return ({"amount": refunded},)  # the model's error: a float is no amount
    if not isinstance(refunded, Sequence):
        raise TypeError(f"refunded: {refunded!r} is a {type(refunded).__name__}; refunded "
                        "takes one amount or a list of (date, amount) pairs")
    rows: list[dict[str, object]] = []
    for n, item in enumerate(refunded):
        if isinstance(item, str | bytes) or not isinstance(item, Sequence) or len(item) != 2:
            raise TypeError(f"refunded: item {n} is {item!r}, not a (date, amount) pair; "
                            "refunded takes one amount or a list of (date, amount) pairs")
        on, amount = cast(tuple[DateLike, AmountLike], item)
        rows.append({"amount": amount, "date": as_date(on)})
    return tuple(rows)


def _amount_or_none(amount: AmountLike) -> Decimal | None:
    # A bad amount is left to the record, whose DataError names the record and the field.
    try:
        return to_decimal(amount)
    except DataError:
        return None


def payment(
    customer: str,
    *,
    on: DateLike,
    amount: AmountLike,
    pays: Pays = None,
    applied_on: DateLike | None = None,
    currency: str = "EUR",
    id: str | None = None,
    fx_rate: AmountLike | None = None,
    source: str = DEFAULT_SOURCE,
) -> Payment:
    """A payment received ``on`` a date. ``pays`` says which invoices it pays (see
    :data:`Pays`); what is not allocated is unapplied cash. ``applied_on`` dates the
    allocations when they were made later than the money came in."""
    day = as_date(on)
    value = _amount_or_none(amount)
    return Payment(
        id=id or f"pay/{customer}/{day}/{amount}",
        customer_id=customer,
        date=day,
        amount=amount if value is None else value,
        currency=currency,
        allocations=_allocations(
            pays, value, currency, as_date(applied_on) if applied_on else None,
            argument="pays",
        ),
        fx_rate=fx_rate,
        source=source,
    )


def credit_note(
    customer: str,
    *,
    issued: DateLike,
    total: AmountLike,
    applies_to: Pays = None,
    applied_on: DateLike | None = None,
    currency: str = "EUR",
    id: str | None = None,
    fx_rate: AmountLike | None = None,
    source: str = DEFAULT_SOURCE,
    refunded: Refunds = None,
) -> CreditNote:
    """A credit note; ``applies_to`` takes the same forms as a payment's ``pays``;
    ``refunded`` is what was paid back to the client in cash (see :data:`Refunds`)."""
    day = as_date(issued)
    value = _amount_or_none(total)
    return CreditNote(
        id=id or f"cn/{customer}/{day}/{total}",
        customer_id=customer,
        issue_date=day,
        total=total if value is None else value,
        currency=currency,
        allocations=_allocations(
            applies_to, value, currency, as_date(applied_on) if applied_on else None,
            argument="applies_to",
        ),
        fx_rate=fx_rate,
        source=source,
        refunds=_refunds(refunded),
    )


def time_entry(
    customer: str | None = None,
    *,
    on: DateLike,
    hours: AmountLike,
    person: str | None = None,
    billable: bool | None = None,
    source: str = DEFAULT_SOURCE,
    client_name: str | None = None,
    entry_id: str | None = None,
) -> TimeEntry:
    """Hours spent on a client's work on one day: for the customer ``customer``, or, as a
    time tracker names it, for the client named ``client_name`` (the ledger matches it)."""
    return TimeEntry(
        customer_id=customer,
        customer_name=client_name,
        id=entry_id,
        date=as_date(on),
        hours=hours,
        person=person,
        billable=billable,
        source=source,
    )


def work_request(
    customer: str,
    *,
    requested: DateLike,
    wanted: DateLike | None = None,
    lead_days: int | None = None,
    id: str | None = None,
    source: str = DEFAULT_SOURCE,
    customer_source: str | None = None,
) -> WorkRequest:
    """A work request; give ``wanted`` or ``lead_days`` (days from request to wanted-by).
    ``customer_source``: the source whose customer ``customer`` is, for a request from a
    ticket system (default: a customer of ``source``)."""
    requested_on = as_date(requested)
    if wanted is not None:
        wanted_by = as_date(wanted)
    elif lead_days is not None:
        wanted_by = requested_on + timedelta(days=lead_days)
    else:
        raise TypeError("work_request() needs wanted= or lead_days=")
    return WorkRequest(
        id=id or f"req/{customer}/{requested_on}/{wanted_by}",
        customer_id=customer,
        customer_source=customer_source,
        requested_on=requested_on,
        wanted_by=wanted_by,
        source=source,
    )


def fx_table(
    base: str, rates: Mapping[str, Mapping[DateLike, AmountLike]], *, max_staleness_days: int = 7
) -> FxTable:
    """An FxTable from ``{"USD": {"2025-01-01": "0.92"}}`` (base units per unit)."""
    return FxTable(
        base,
        {
            currency: {as_date(d): to_decimal(r, what="rate") for d, r in by_date.items()}
            for currency, by_date in rates.items()
        },
        max_staleness_days,
    )


def ledger(
    *records: AnyRecord,
    base_currency: str = "EUR",
    fx: FxTable | None = None,
    strict: bool = True,
    links: Iterable[Link] = (),
) -> Ledger:
    """A ledger of the records given (checked as :meth:`Ledger.build` checks them);
    ``links`` are customers that are one client, each ``(source, id)``."""
    return Ledger.build(records, base_currency=base_currency, fx=fx, strict=strict, links=links)
