"""Money that went back after an invoice was paid through Stripe: disputes (chargebacks) and
refunds of the invoice's payments, none of which Stripe shows on the invoice object.

A card payment disputed by the cardholder's bank and a payment refunded without a credit
note leave the invoice ``paid`` with its ``amount_paid`` unchanged (docs/connectors/stripe.md,
"A payment reversed"). The connector reads the disputes (``GET /v1/disputes``) and refunds
(``GET /v1/refunds``) and hands each invoice the ones on its payments, matched by payment
intent or charge, under :data:`REVERSALS_KEY`; :func:`~clientguard_stripe.mapping.invoice_records`
then reads them (pure: no clock, no network):

* a dispute **lost**, or still **open** (``needs_response``, ``under_review``: Stripe debits
  the disputed amount from the balance when the dispute is created), takes its ``amount``
  off the invoice's payment: the invoice is open again for it, and late from its due date,
  as Xero reads a deleted payment. An open one also marks the invoice ``disputed`` from the
  day it was created (the client contests the charge; the outcome is pending);
* a dispute **won** (the funds come back), **prevented**, or an inquiry (``warning_*``: no
  funds move) changes nothing;
* a refund (``succeeded`` or ``pending``) not already paid back through a credit note is a
  credit note of its amount, refunded in full on the refund's day: the invoice's revenue is
  lower and nothing is owed either way, as a Stripe credit note with a refund reads. What of
  it a credit note of the invoice names (the credit note's ``refunds[].refund``, with its
  ``amount_refunded``) is read with that credit note: the connector reads the invoice's
  credit notes and writes it on the refund under :data:`CREDIT_NOTED_KEY`
  (:func:`credit_noted_refunds`). Refunds are matched to credit notes by id, never by
  amount: a credit note credited to the customer's balance refunds nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

__all__ = [
    "CREDIT_NOTED_KEY",
    "DISPUTE_OPEN",
    "DISPUTE_WITHDRAWN",
    "REFUND_COUNTED",
    "REVERSALS_KEY",
    "credit_noted_refunds",
    "invoice_of_refund_credit_note",
    "invoice_payment_handles",
    "lookup_param",
    "own_payment_lookups",
    "payment_handles",
    "payment_lookups",
    "reversal_handles",
    "reversal_lookup",
    "reversal_of",
    "reversals_by_invoice",
]

#: Key under which the connector hands an invoice the disputes and refunds of its payments
#: (a list of :func:`reversal_of` dicts); not a Stripe field.
REVERSALS_KEY = "clientguard:reversals"

#: Key under which the connector writes on a refund it hands an invoice how much of it (in
#: minor units) the invoice's credit notes name as their refund (0: none); not a Stripe field.
CREDIT_NOTED_KEY = "clientguard:credit_noted"

#: Dispute statuses whose amount is not with the firm: Stripe withdraws it when the dispute
#: is created and gives it back only when the dispute is won.
DISPUTE_WITHDRAWN = frozenset({"needs_response", "under_review", "lost"})

#: Dispute statuses still to be decided: the invoice is ``disputed``.
DISPUTE_OPEN = frozenset({"needs_response", "under_review"})

#: Refund statuses counted as money paid back (``failed`` and ``canceled`` are not).
REFUND_COUNTED = frozenset({"succeeded", "pending"})

#: The fields of a dispute or refund the mapping reads.
_KEPT = ("object", "id", "status", "amount", "currency", "created", "charge", "payment_intent")


def _ident(value: object) -> str | None:
    """An id, or the ``id`` of an expanded object."""
    if isinstance(value, Mapping):
        value = value.get("id")
    return value if isinstance(value, str) and value else None


def payment_handles(invoice: Mapping[str, Any]) -> set[str]:
    """The payment intents and charges that paid ``invoice``: its invoice payments'
    ``payment`` (``payments``, expanded; API versions from 2025-03-31.basil), else its
    ``charge`` and ``payment_intent`` (older versions)."""
    handles = set()
    for key in ("charge", "payment_intent"):
        ident = _ident(invoice.get(key))
        if ident is not None:
            handles.add(ident)
    listed = invoice.get("payments")
    data = listed.get("data") if isinstance(listed, Mapping) else None
    for item in data if isinstance(data, list) else ():
        handles |= invoice_payment_handles(item)
    return handles


def invoice_payment_handles(item: object) -> frozenset[str]:
    """The payment intent and charge of one invoice payment (its ``payment``)."""
    payment = item.get("payment") if isinstance(item, Mapping) else None
    if not isinstance(payment, Mapping):
        return frozenset()
    idents = (_ident(payment.get("charge")), _ident(payment.get("payment_intent")))
    return frozenset(ident for ident in idents if ident is not None)


def _lookup(obj: Mapping[str, Any], charge: object) -> str | None:
    """The id a payment's reversals are listed by: its payment intent (which covers every
    charge of it), else its charge."""
    return _ident(obj.get("payment_intent")) or _ident(charge)


def payment_lookups(invoice: Mapping[str, Any]) -> set[str]:
    """The ids the disputes and refunds of ``invoice``'s payments are listed by
    (``GET /v1/disputes?payment_intent=``, ``?charge=``): per payment, its payment intent,
    else its charge (:func:`lookup_param`); the payments are those of
    :func:`payment_handles`."""
    return _payment_lookups(invoice, own_only=False)


def own_payment_lookups(invoice: Mapping[str, Any]) -> set[str]:
    """The :func:`payment_lookups` of the payments ``invoice`` made itself: the payment
    intent an invoice creates when it is finalised (an invoice payment with ``is_default``
    true, from 2025-03-31.basil; its ``charge``/``payment_intent`` on older versions, which
    can attach no other). Such a payment is younger than the invoice, and so is every
    dispute or refund of it: for an invoice created since the cursor, the reversal events
    since the cursor name them all. An attached payment (``is_default`` false, or not said)
    may be older than the invoice, and so may its disputes and refunds."""
    return _payment_lookups(invoice, own_only=True)


def _payment_lookups(invoice: Mapping[str, Any], *, own_only: bool) -> set[str]:
    found = set()
    older = _lookup(invoice, invoice.get("charge"))
    if older is not None:
        found.add(older)
    listed = invoice.get("payments")
    data = listed.get("data") if isinstance(listed, Mapping) else None
    for item in data if isinstance(data, list) else ():
        payment = item.get("payment") if isinstance(item, Mapping) else None
        if not isinstance(payment, Mapping) or (own_only and item.get("is_default") is not True):
            continue
        ident = _lookup(payment, payment.get("charge"))
        if ident is not None:
            found.add(ident)
    return found


def reversal_lookup(obj: Mapping[str, Any]) -> str | None:
    """The id the reversals of the payment an event's object is on are listed by (see
    :func:`payment_lookups`): a dispute's or refund's payment intent, else its charge; a
    charge's (``charge.refunded``) payment intent, else the charge itself."""
    charge = obj.get("id") if obj.get("object") == "charge" else obj.get("charge")
    return _lookup(obj, charge)


def lookup_param(ident: str) -> str:
    """The list filter a :func:`payment_lookups` id goes in: ``payment_intent`` for a
    payment intent (``pi_...``), else ``charge`` (``ch_...``, ``py_...``)."""
    return "payment_intent" if ident.startswith("pi_") else "charge"


def reversal_handles(obj: Mapping[str, Any]) -> set[str]:
    """The payment intent and charge a dispute or refund is on."""
    return {h for h in (_ident(obj.get("charge")), _ident(obj.get("payment_intent"))) if h}


def reversal_of(obj: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a dispute or refund an invoice is handed (ids, not expanded objects)."""
    kept: dict[str, Any] = {key: obj.get(key) for key in _KEPT}
    kept["charge"], kept["payment_intent"] = (_ident(obj.get("charge")),
                                              _ident(obj.get("payment_intent")))
    return kept


def reversals_by_invoice(
    reversals: Iterable[Mapping[str, Any]], invoice_of: Mapping[str, str]
) -> dict[str, list[dict[str, Any]]]:
    """The reversals of each invoice, by invoice id, found through ``invoice_of`` (payment
    intent or charge id to invoice id); one on no invoice's payment is left out (a charge
    outside Stripe Billing)."""
    found: dict[str, list[dict[str, Any]]] = {}
    for obj in reversals:
        invoices = {invoice_of[h] for h in reversal_handles(obj) if h in invoice_of}
        for invoice in sorted(invoices):
            found.setdefault(invoice, []).append(reversal_of(obj))
    return found


def credit_noted_refunds(credit_notes: Iterable[Mapping[str, Any]]) -> dict[str, int | None]:
    """How much of each refund (by refund id, in minor units) the credit notes name as
    theirs: a credit note's ``refunds[].refund`` with its ``amount_refunded`` (API versions
    from 2025-03-31.basil; one refund may be split between credit notes), or its ``refund``
    (older versions, which do not say how much: None, the whole refund). A void credit note
    names none (it is no record: its refund, if any, is a refund without a credit note)."""
    named: dict[str, int | None] = {}
    for note in credit_notes:
        if note.get("status") == "void":
            continue
        listed = note.get("refunds")
        if isinstance(listed, list):
            for item in listed:
                ident = _ident(item.get("refund")) if isinstance(item, Mapping) else None
                amount = item.get("amount_refunded") if isinstance(item, Mapping) else None
                if ident is None:
                    continue
                before = named.get(ident, 0)
                named[ident] = (None if before is None or type(amount) is not int
                                else before + amount)
            continue
        ident = _ident(note.get("refund"))
        if ident is not None:
            named[ident] = None
    return named


def invoice_of_refund_credit_note(credit_note: Mapping[str, Any]) -> str | None:
    """The invoice whose refunds a change of ``credit_note`` (an event's snapshot) may read
    otherwise: its ``invoice`` when it names a refund (``refunds[].refund``, or an older
    ``refund``) or is void (a void credit note names none: the refund it named is one
    without a credit note again, whatever the snapshot still lists); None for a credit note
    that names no refund (credited to the balance or outside Stripe: it hides no refund)."""
    invoice = _ident(credit_note.get("invoice"))
    if invoice is None:
        return None
    if credit_note.get("status") == "void" or _ident(credit_note.get("refund")) is not None:
        return invoice
    listed = credit_note.get("refunds")
    if isinstance(listed, list) and any(
            isinstance(item, Mapping) and _ident(item.get("refund")) is not None
            for item in listed):
        return invoice
    return None
