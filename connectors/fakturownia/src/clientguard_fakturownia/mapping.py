"""Pure mapping from Fakturownia's JSON to clientguard records.

Each function takes one raw record (a dict decoded with ``parse_float=Decimal``) and returns
a record, several records, or a :class:`~clientguard.connector.Skip` saying why the record is
left out on purpose. A record that cannot be mapped raises
:class:`~clientguard.errors.DataError` naming the field; the sync turns it into a rejection.
No clock, no network, no files.

The rules (each one is in ``docs/connectors/fakturownia.md`` too):

* **Which documents are invoices.** Sales documents of the kinds in
  :data:`DEFAULT_INVOICE_KINDS` become invoices; a ``correction`` (faktura korygująca) that
  lowers the amount becomes a credit note applied to the invoice it corrects (one that
  raises it is an extra invoice). Proformas, estimates, receipts, cash slips (KP/KW),
  accounting notes and cost documents (``income`` 0) are skipped with the reason.
* **A final invoice after advance invoices** (faktura końcowa after faktury zaliczkowe)
  states the whole order; each advance is an invoice of its own. When the connector gives
  the advances it names (:data:`ADVANCES_KEY`), the final invoice counts only ``price_gross``
  less their gross amounts, so that each złoty of the order counts once as revenue and as
  owed (see :func:`map_document`).
* **How much of a correction the corrected invoice takes.** A correction lowers revenue by
  its whole amount, but it can lower what the client owes on the corrected invoice only by
  what the invoice still has open: a correction issued after the invoice was paid leaves the
  client a credit (money to be refunded or set off). When the connector gives the corrected
  invoice with the correction (:data:`CORRECTED_INVOICE_KEY`), the credit note is applied to
  it only up to what its payments leave open (``price_gross`` less ``paid``), and the rest is
  credit the client holds (unapplied). Without it the whole correction is applied, as before.
  A final invoice is measured at the amount it counts at, ``price_gross`` less its advances
  (given with it under :data:`ADVANCES_KEY`), not at its whole ``price_gross``.
  Payments never pay a correction: a lowering correction linked to a payment is left out of
  the payment's allocations.
* **Status** (``issued``, ``sent``, ``paid``, ``partial``, ``rejected``): issued, sent and
  partial are ``open``; paid is ``paid`` with ``paid_date`` as the paid date; rejected is
  ``void``. A cancelled document (anulowany: ``kind`` ``canceled``, or ``cancelled`` set) is
  skipped as deleted, and a payment tied to it pays none of it. So is a correction of a
  cancelled invoice (given under :data:`CORRECTED_INVOICE_KEY`): it changes nothing that
  counts; lowering it, it neither allocates its credit nor leaves it with the client, and
  raising it, it is no extra invoice owed.
* **Due date** is ``payment_to``. A document without one ("no term") is rejected, unless the
  connector is given ``default_terms_days``. A ``payment_to`` before ``issue_date`` (an
  invoice issued after the money came in) is passed on as it is; the ledger counts it as due
  on its issue date, with a data-quality note.
* **Amounts** arrive as strings, with a dot or a decimal comma (:mod:`.values`).
* **Customer**: the client card's id (``client_id``). The client's ``tax_no``, or the
  invoice's ``buyer_tax_no`` (NIP), becomes the customer's ``tax_id`` in one canonical form
  (ten digits for a NIP), so that other sources can be matched by it. A document issued
  without a client card is billed to the customer ``nip:<NIP>``, made from the buyer fields.
* **Currencies**: the invoice's ``currency``; when Fakturownia converted it
  (``exchange_currency`` with ``exchange_currency_rate``, e.g. a EUR invoice with its PLN
  equivalent at the NBP rate), that rate is the invoice's ``fx_rate`` if the converted-to
  currency is the connector's ``home_currency`` (PLN by default). The rate's direction is
  Fakturownia's: units of ``exchange_currency`` per one unit of the invoice currency, which
  is the model's direction; a rate the NBP quotes per 100 units (HUF, JPY) is divided by its
  ``exchange_currency_rate_den``, the units it is for.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
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
from clientguard.money import ZERO, is_currency
from clientguard_fakturownia.values import (
    optional_amount,
    parse_amount,
    parse_date,
    parse_timestamp,
    tax_id_of,
    text_of,
)

__all__ = [
    "ADVANCES_KEY",
    "ADVANCE_FIELDS",
    "BUYER_ID_PREFIX",
    "CANCELLED_DOCUMENT",
    "CANCELLED_KIND",
    "CORRECTED_INVOICE_FIELDS",
    "CORRECTED_INVOICE_KEY",
    "CORRECTION_KINDS",
    "CORRECTS_CANCELLED",
    "DEFAULT_INVOICE_KINDS",
    "DEFAULT_RULES",
    "REFUNDS_KEY",
    "SOURCE",
    "MappingRules",
    "advances_named_by",
    "cancelled_invoice_corrected",
    "customer_from_client",
    "invoice_corrected_by",
    "invoice_lowered_by",
    "is_cancelled",
    "map_document",
    "offers_paid_by",
    "payment_from_banking",
    "refunds_paid_by",
]

SOURCE = "fakturownia"

#: Sales document kinds read as invoices (Fakturownia's ``kind``).
DEFAULT_INVOICE_KINDS: tuple[str, ...] = (
    "vat",  # faktura VAT
    "bill",  # rachunek (seller not a VAT payer)
    "advance",  # faktura zaliczkowa
    "final",  # faktura końcowa
    "vat_margin",  # faktura marża
    "vat_mp",  # faktura MP (split payment)
    "invoice_other",  # inna faktura
    "wdt",  # intra-community supply of goods
    "export_products",  # export of goods
)

#: Kinds that correct an earlier invoice.
CORRECTION_KINDS: tuple[str, ...] = ("correction",)

CANCELLED_KIND = "canceled"
"""The ``kind`` Fakturownia gives a document cancelled with ``POST /invoices/cancel.json``
("Anulowanie faktury"): read back, a cancelled invoice's kind is ``canceled`` (seen in an
end-to-end test against a live account, sixers/fakturownia-cli
``e2e/25-invoice-cancel.e2e.test.ts``). The connector asks for it beside the kinds it reads,
so that an incremental sync learns of a cancellation; :func:`map_document` skips such a
document as deleted."""

ADVANCES_KEY = "clientguard:advances"
"""Key under which a connector adds, to a final invoice's raw record (kind ``final``, faktura
końcowa), the advance invoices (kind ``advance``, faktury zaliczkowe) it settles, as a list
of objects with their :data:`ADVANCE_FIELDS`: the ones :func:`advances_named_by` names that
the connector could read. Not a Fakturownia field. With it the final invoice counts only what
it adds to its advances (see :func:`map_document`)."""

ADVANCE_FIELDS: tuple[str, ...] = (
    "id", "kind", "status", "cancelled", "currency", "price_gross",
)
"""What the mapping reads of each advance invoice under :data:`ADVANCES_KEY`."""

CORRECTED_INVOICE_KEY = "clientguard:corrected_invoice"
"""Key under which a connector adds, to a correction's raw record, the invoice it corrects as
``GET /invoices.json`` (or ``/invoices/{id}.json``) gives it, or only its
:data:`CORRECTED_INVOICE_FIELDS`. Not a Fakturownia field. With it
the correction takes from the invoice only what the invoice's payments leave open (the
amount the invoice counts at less its ``paid``): a correction of an invoice already paid in
full is credit the client holds, not a second settlement of the invoice (which the ledger
would reject as over-applying it). A final invoice counts at its ``price_gross`` less the
advances it names, so the connector gives those with it (under :data:`ADVANCES_KEY`, as for
the final invoice itself). Without it (the connector did not read the corrected invoice) the
whole correction is applied to the invoice."""

CORRECTED_INVOICE_FIELDS: tuple[str, ...] = (
    "id", "number", "kind", "cancelled", "currency", "price_gross", "paid", ADVANCES_KEY,
)
"""What the mapping reads of a corrected invoice under :data:`CORRECTED_INVOICE_KEY`: a
connector that keeps the invoices it read, to hand them to their corrections, keeps only
these (``kind`` and :data:`ADVANCES_KEY` for a final invoice, counted less its advances;
``kind`` and ``cancelled`` for a cancelled invoice, which a correction cannot lower;
``number`` to name it in the connector's note)."""

REFUNDS_KEY = "clientguard:refunds"
"""Key under which a connector adds, to a lowering correction's raw record, the cash refunds
of its credit: the banking payments tied to nothing but lowering corrections (money paid
back to the client), each as :func:`refunds_paid_by` gives its part for this correction
(``id``, ``amount``, ``date``, ``currency``). Not a Fakturownia field. With it the credit
note carries them as its ``refunds``, the model's part of a credit paid back in cash, as
Xero's credit note carries its ``Payments`` (see :func:`map_document`)."""

CORRECTS_CANCELLED = (
    "correction of a cancelled invoice (anulowana): the invoice counts nothing, so the "
    "correction changes nothing"
)
"""Why a correction of a cancelled invoice, lowering or raising it, is skipped
(:func:`map_document`): the reason a sync report counts; the connector's note names the two
documents."""

CANCELLED_DOCUMENT = (
    "cancelled document (anulowany, kind 'canceled' or cancelled: true): it has no effect"
)
"""Why a cancelled document is skipped (:func:`map_document`)."""

#: Why the other kinds are skipped, in words a person reads in the sync report.
_NOT_SALES: Mapping[str, str] = {
    "proforma": "a proforma is an offer, not an invoice",
    "estimate": "an order (zamówienie) is not an invoice",
    "client_order": "a non-accounting document is not an invoice",
    "receipt": "a receipt (paragon) is a retail sale, not an invoice to a client",
    "kp": "a cash receipt slip (KP) is not an invoice",
    "kw": "a cash payment slip (KW) is not an invoice",
    "dw": "an internal document (DW) is not an invoice",
    "accounting_note": "an accounting note is not an invoice",
    "correction_note": "a correction note changes data, not amounts",
    "wnt": "an intra-community acquisition is a purchase",
    "import_service": "an import of services is a purchase",
    "import_service_eu": "an import of services is a purchase",
    "import_products": "an import of goods is a purchase",
    "vat_rr": "a VAT RR invoice is a purchase from a farmer",
}

_STATUS: Mapping[str, InvoiceStatus] = {
    "issued": "open",
    "sent": "open",
    "partial": "open",
    "paid": "paid",
    "rejected": "void",
}


@dataclass(frozen=True)
class MappingRules:
    """The connector's options that change how a record maps (all have defaults)."""

    invoice_kinds: tuple[str, ...] = DEFAULT_INVOICE_KINDS
    home_currency: str = "PLN"
    default_terms_days: int | None = None


DEFAULT_RULES = MappingRules()


# --------------------------------------------------------------------------- helpers


def _required_text(raw: Mapping[str, Any], key: str) -> str:
    value = text_of(raw.get(key))
    if value is None:
        raise DataError(f"{key}: is missing")
    return value


def _required_date(raw: Mapping[str, Any], key: str) -> date:
    value = parse_date(raw.get(key), field=key)
    if value is None:
        raise DataError(f"{key}: is missing")
    return value


def _currency(raw: Mapping[str, Any], key: str = "currency") -> str:
    code = _required_text(raw, key).upper()
    if not is_currency(code):
        raise DataError(f"{key}: {raw.get(key)!r} is not an ISO 4217 currency code")
    return code


def _client_id(value: object) -> str | None:
    """The client card's id; Fakturownia uses -1 and 0 for "no card"."""
    text = text_of(value)
    return None if text in (None, "-1", "0") else text


def _is_income(raw: Mapping[str, Any]) -> bool:
    income = raw.get("income", True)
    return str(income).strip().lower() not in ("0", "false", "no")


def is_cancelled(raw: Mapping[str, Any]) -> bool:
    """Whether the document was cancelled (anulowany): its ``kind`` is ``canceled``
    (:data:`CANCELLED_KIND`, what the API gives back after a cancel), or its ``cancelled``
    flag, which every document carries (``false`` in the responses seen), is set."""
    if (text_of(raw.get("kind")) or "").lower() in (CANCELLED_KIND, "cancelled"):
        return True
    flag = raw.get("cancelled")
    return flag is True or str(flag).strip().lower() in ("true", "1", "yes")


# --------------------------------------------------------------------------- customers


def customer_from_client(raw: Mapping[str, Any]) -> Customer:
    """A client card (``GET /clients.json``) as a Customer."""
    name = text_of(raw.get("name"))
    if name is None:
        person = " ".join(
            p for p in (text_of(raw.get("first_name")), text_of(raw.get("last_name"))) if p
        )
        name = person or text_of(raw.get("shortcut"))
    if name is None:
        raise DataError("name: the client has no name, first/last name or short name")
    return Customer(
        id=_required_text(raw, "id"),
        name=name,
        tax_id=tax_id_of(raw.get("tax_no"), raw.get("tax_no_kind"), raw.get("country")),
        email=text_of(raw.get("email")),
        source=SOURCE,
        updated_at=parse_timestamp(raw.get("updated_at")),
    )


#: What the id of the customer a document without a client card bills starts with.
BUYER_ID_PREFIX = "nip:"


def _buyer_customer_id(tax_id: str) -> str:
    """The id of the customer a document without a client card bills: its buyer's NIP."""
    return f"{BUYER_ID_PREFIX}{tax_id}"


def _buyer_tax_id(raw: Mapping[str, Any]) -> str | None:
    """A document's ``buyer_tax_no`` (with its ``buyer_tax_no_kind``) in canonical form."""
    return tax_id_of(raw.get("buyer_tax_no"), raw.get("buyer_tax_no_kind"))


def _buyer_customer(raw: Mapping[str, Any], tax_id: str) -> Customer:
    """The customer of a document issued without a client card, from its buyer fields."""
    name = text_of(raw.get("buyer_name")) or " ".join(
        p for p in (text_of(raw.get("buyer_first_name")), text_of(raw.get("buyer_last_name")))
        if p
    )
    # The id is the number as typed (so that it stays what earlier pulls stored); the tax
    # id is that number in the buyer's state, for matching the client in other sources.
    return Customer(
        id=_buyer_customer_id(tax_id),
        name=name or f"NIP {tax_id}",
        tax_id=tax_id_of(raw.get("buyer_tax_no"), raw.get("buyer_tax_no_kind"),
                         raw.get("buyer_country")) or tax_id,
        email=text_of(raw.get("buyer_email")),
        source=SOURCE,
    )


def _customer_of(raw: Mapping[str, Any]) -> tuple[str, Customer | None]:
    """The customer id a document bills, and a Customer when it has no client card."""
    client = _client_id(raw.get("client_id"))
    if client is not None:
        return client, None
    tax_id = _buyer_tax_id(raw)
    if tax_id is None:
        raise DataError(
            "client_id: the document has no client card and no buyer_tax_no, so it cannot "
            "be tied to a client"
        )
    customer = _buyer_customer(raw, tax_id)
    return customer.id, customer


# --------------------------------------------------------------------------- invoices


def _fx_rate(raw: Mapping[str, Any], currency: str, rules: MappingRules) -> Decimal | None:
    """Fakturownia's conversion rate, when it converts into the home currency."""
    if currency == rules.home_currency:
        return None
    target = (text_of(raw.get("exchange_currency")) or "").upper()
    if target != rules.home_currency:
        return None
    return _rate_per_unit(raw)


def _rate_per_unit(raw: Mapping[str, Any], where: str = "") -> Decimal | None:
    """Fakturownia's conversion rate for one unit of the document's currency:
    ``exchange_currency_rate`` over ``exchange_currency_rate_den``. The NBP's table quotes
    some currencies per 100 units (``100 HUF = 1.0587 PLN``, ``100 JPY``: its
    ``przelicznik``), and Fakturownia keeps that count as the rate's denominator beside it
    (``"1.0"`` for a rate per unit, as every public response has it). None when there is no
    rate (empty, or zero or less); a denominator that is no positive number is rejected,
    naming it (``where`` prefixes the fields, for an invoice a payment embeds)."""
    rate = optional_amount(raw.get("exchange_currency_rate"),
                           field=f"{where}exchange_currency_rate")
    if rate is None or rate <= 0:
        return None
    field = f"{where}exchange_currency_rate_den"
    den = optional_amount(raw.get("exchange_currency_rate_den"), field=field)
    if den is None:
        return rate
    if den <= 0:
        raise DataError(
            f"{field}: {raw.get('exchange_currency_rate_den')!r} is not a positive number of "
            "units the rate is for (1, or 100 for a currency the NBP quotes per 100)"
        )
    return rate / den


def _due_date(raw: Mapping[str, Any], issue_date: date, rules: MappingRules) -> date:
    due = parse_date(raw.get("payment_to"), field="payment_to")
    if due is not None:
        return due
    if rules.default_terms_days is not None:
        return issue_date + timedelta(days=rules.default_terms_days)
    raise DataError(
        "payment_to: the document has no payment term (due date); set one in Fakturownia, "
        "or give the connector default_terms_days"
    )


def map_document(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> AnyRecord | Sequence[AnyRecord] | Skip:
    """One document of ``GET /invoices.json``: an invoice, a credit note, or a skip.

    A document without a client card also yields the Customer made from its buyer fields.
    """
    kind = (text_of(raw.get("kind")) or "vat").lower()
    # A document that is not a sale read here is skipped as deleted: one an earlier sync
    # stored as a sale (then edited into a cost document; a kind not read is not asked for,
    # kinds[], but may come where the account's API ignores the filter) leaves the store,
    # with the buyer only it named; for one never stored it removes nothing.
    if not _is_income(raw):
        return Skip("cost document (income 0): only sales are read", deleted=True)
    if is_cancelled(raw):
        # deleted=True: the open invoice (or the credit note) an earlier sync stored leaves.
        # Both lists give it; the connector counts it once a sync (its to_model).
        return Skip(CANCELLED_DOCUMENT, deleted=True)
    if kind in CORRECTION_KINDS:
        return _correction(raw, rules)
    if kind not in rules.invoice_kinds:
        reason = _NOT_SALES.get(kind, "not one of the invoice kinds read")
        return Skip(f"kind {kind!r}: {reason}", deleted=True)
    gross = parse_amount(raw.get("price_gross"), field="price_gross")
    if gross < 0:
        raise DataError(
            f"price_gross: {gross} is negative on a {kind!r} document; only a correction "
            "can lower an amount"
        )
    if kind == "final":
        return _final_invoice(raw, rules, gross)
    return _invoice(raw, rules, gross)


def advances_named_by(raw: Mapping[str, Any]) -> tuple[str, ...]:
    """The ids of the advance invoices a final invoice settles (its ``invoice_ids``, the
    list Fakturownia takes when a final invoice is made from its advances: a list of ids, or
    the ids separated by commas), each once, in the record's order. Empty for any other kind
    of document, and for a final invoice that names none. Never raises."""
    if (text_of(raw.get("kind")) or "").lower() != "final" or not _is_income(raw):
        return ()
    named = raw.get("invoice_ids")
    if isinstance(named, str):
        named = named.split(",")
    if not isinstance(named, list):
        return ()
    ids = (text_of(value) for value in named if not isinstance(value, (Mapping, list)))
    return tuple(dict.fromkeys(i for i in ids if i is not None))


def _final_invoice(raw: Mapping[str, Any], rules: MappingRules, gross: Decimal) -> (
    AnyRecord | list[AnyRecord] | Skip
):
    """A final invoice (faktura końcowa): the whole order, less its advance invoices.

    Polish VAT law has the final invoice state the whole value of the order and take off the
    advances already invoiced (ustawa o VAT, art. 106f ust. 3); each advance invoice is an
    invoice of its own, counted as revenue on its issue date and paid on its own terms. Counted
    at its ``price_gross``, the final invoice would count the advances' money a second time
    (as revenue, and as owed and late). So it counts ``price_gross`` less the gross amounts of
    the advances it names (:data:`ADVANCES_KEY`): what the order adds to them, owed by the
    final invoice's due date. The advances the connector could not read, and rejected ones,
    take nothing off.

    When the advances add up to more than ``price_gross``, the final invoice cannot be listing
    the whole order: it already states only what is left, and counts as it is. When they add
    up to all of it, nothing more is owed: the final invoice is skipped (``deleted``, so that
    a copy an earlier sync saved is dropped).
    """
    counted, advanced = _less_advances(raw, gross)
    if counted == 0:
        return Skip("final invoice wholly paid in advance: its advance invoices count the "
                    "whole order", deleted=True)
    return _invoice(raw, rules, counted, advanced=advanced)


def _less_advances(raw: Mapping[str, Any], gross: Decimal, *, field: str = "") -> (
    tuple[Decimal, bool]
):
    """What a final invoice of ``gross`` (its ``price_gross``) counts at, and whether its
    advances were taken off: ``gross`` less the advances given with it (:data:`ADVANCES_KEY`,
    rejected ones left out), or ``gross`` itself when none are given or when they add up to
    more (it then states only what is left). The one rule for the final invoice and for a
    correction of it (see :func:`_final_invoice`); ``field`` prefixes the fields an error
    names (the corrected invoice's key, for a correction)."""
    given = raw.get(ADVANCES_KEY)
    if given is None:
        return gross, False
    key = f"{field}{ADVANCES_KEY}"
    if not isinstance(given, list):
        raise DataError(f"{key}: is not a list")
    currency = _currency(raw, "currency")
    advanced = ZERO
    for index, advance in enumerate(given):
        where = f"{key}.{index}"
        if not isinstance(advance, Mapping):
            raise DataError(f"{where}: is not an object")
        if (text_of(advance.get("status")) or "").lower() == "rejected" or is_cancelled(
                advance):
            continue  # a rejected or cancelled advance invoice: nothing was advanced by it
        ident = text_of(advance.get("id"))
        theirs = (text_of(advance.get("currency")) or "").upper()
        if theirs != currency:
            raise DataError(
                f"{field}invoice_ids: advance invoice {ident} is in {theirs or 'no currency'}, "
                f"the final invoice in {currency}; the advances cannot be taken off its amount"
            )
        advanced += parse_amount(advance.get("price_gross"), field=f"{where}.price_gross")
    if advanced > gross:
        return gross, False  # it states only what is left after the advances
    return gross - advanced, advanced > 0


def _invoice(
    raw: Mapping[str, Any], rules: MappingRules, gross: Decimal, *, advanced: bool = False
) -> AnyRecord | list[AnyRecord]:
    """An invoice of ``gross``. ``advanced``: a final invoice less its advances, whose
    ``paid`` may or may not count the advances (Fakturownia does not say), so that what it
    leaves open is not known from the record."""
    status_text = (text_of(raw.get("status")) or "").lower()
    status = _STATUS.get(status_text)
    if status is None:
        raise DataError(
            f"status: {raw.get('status')!r} is not one of issued, sent, paid, partial, rejected"
        )
    customer_id, customer = _customer_of(raw)
    issue_date = _required_date(raw, "issue_date")
    currency = _currency(raw)
    paid = optional_amount(raw.get("paid"), field="paid")
    amount_due: Decimal | None = None
    if status == "paid":
        amount_due = ZERO
    elif status == "open" and paid is not None and not advanced:
        amount_due = max(gross - paid, ZERO)
    invoice = Invoice(
        id=_required_text(raw, "id"),
        customer_id=customer_id,
        number=text_of(raw.get("number")) or _required_text(raw, "id"),
        issue_date=issue_date,
        due_date=_due_date(raw, issue_date, rules),
        currency=currency,
        total=gross,
        status=status,
        paid_on=parse_date(raw.get("paid_date"), field="paid_date") if status == "paid" else None,
        amount_due=amount_due,
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
        updated_at=parse_timestamp(raw.get("updated_at")),
    )
    return [customer, invoice] if customer is not None else invoice


def _correction(
    raw: Mapping[str, Any], rules: MappingRules
) -> AnyRecord | list[AnyRecord] | Skip:
    """A correction: lowering the amount is a credit note against the corrected invoice.

    A correction of a cancelled invoice (the invoice given under
    :data:`CORRECTED_INVOICE_KEY` is cancelled, :func:`is_cancelled`) is skipped as deleted,
    whether it lowers or raises the invoice: the cancelled invoice counts nothing (no
    revenue, nothing owed, :func:`map_document`), so a change to its amount changes nothing
    either. A lowering one kept as a credit note was allocated to an invoice the ledger does
    not hold and refused with the advice to load that invoice, which no sync can; kept as
    credit the client holds, it would be credit for money the client never paid (what the
    client did pay on the cancelled invoice is its unapplied cash already,
    :func:`payment_from_banking`). A raising one kept was an extra invoice owed, and late,
    for a sale that was cancelled. ``deleted``: the credit note (or extra invoice) an earlier
    sync stored, when the invoice was cancelled after it, leaves the store."""
    gross = parse_amount(raw.get("price_gross"), field="price_gross")
    if gross == 0:
        return Skip("correction that changes no amount", deleted=True)
    if cancelled_invoice_corrected(raw) is not None:
        return Skip(CORRECTS_CANCELLED, deleted=True)
    if gross > 0:
        # It raises what the client owes: an extra invoice, due on its own payment term.
        return _invoice(raw, rules, gross)
    status = (text_of(raw.get("status")) or "").lower()
    if status == "rejected":
        # deleted=True: a store drops the credit note an earlier sync saved before rejection.
        return Skip("rejected correction: it has no effect", deleted=True)
    customer_id, customer = _customer_of(raw)
    issue_date = _required_date(raw, "issue_date")
    currency = _currency(raw)
    total = -gross
    corrected = _corrected_id(raw)
    allocations: tuple[Allocation, ...] = ()
    if corrected:
        invoice = _corrected_invoice(raw.get(CORRECTED_INVOICE_KEY), corrected)
        room = None if invoice is None else _left_to_correct(invoice, currency)
        applied = total if room is None else min(total, room)
        if applied > 0:
            allocations = (Allocation(invoice_id=corrected, amount=applied, date=issue_date),)
    applied_total = sum((a.amount for a in allocations), ZERO)
    note = CreditNote(
        id=_required_text(raw, "id"),
        customer_id=customer_id,
        issue_date=issue_date,
        total=total,
        currency=currency,
        allocations=allocations,
        fx_rate=_fx_rate(raw, currency, rules),
        source=SOURCE,
        refunds=_refunds(raw.get(REFUNDS_KEY), currency, total - applied_total),
    )
    return [customer, note] if customer is not None else note


def _refunds(given: object, currency: str, credit: Decimal) -> tuple[Refund, ...]:
    """The cash refunds of a credit note whose ``credit`` is left after its allocations, from
    the parts of refund payments a connector gave under :data:`REFUNDS_KEY`: oldest first
    (by date, then the payment's id), each up to what the ones before leave of ``credit``
    (a refund of more than the credit pays back no more than the credit: the rest is money
    the books hold against no document, which the credit note cannot carry). A part in
    another currency than the credit note's is left out (the payment's currency is the
    money paid; the credit note's amounts are in its own, and no rate converts them): that
    credit stays unapplied (docs/connectors/fakturownia.md)."""
    if given is None:
        return ()
    key = REFUNDS_KEY
    if not isinstance(given, list):
        raise DataError(f"{key}: is not a list")
    parts: list[tuple[date, str, Decimal]] = []
    for index, item in enumerate(given):
        where = f"{key}.{index}"
        if not isinstance(item, Mapping):
            raise DataError(f"{where}: is not an object")
        if (text_of(item.get("currency")) or "").upper() != currency:
            continue
        day = parse_date(item.get("date"), field=f"{where}.date")
        if day is None:
            raise DataError(f"{where}.date: is missing")
        amount = parse_amount(item.get("amount"), field=f"{where}.amount")
        if amount > 0:
            parts.append((day, text_of(item.get("id")) or "", amount))
    refunds: list[Refund] = []
    left = credit
    for day, _ident, amount in sorted(parts):  # oldest first: the order the money left
        if left <= 0:
            break
        paid_back = min(amount, left)
        refunds.append(Refund(amount=paid_back, date=day))
        left -= paid_back
    return tuple(refunds)


def refunds_paid_by(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> tuple[tuple[str, dict[str, Any]], ...]:
    """The cash refunds a banking payment (``include=invoices``) makes: for a payment tied
    to nothing but corrections that lower invoices (which :func:`payment_from_banking` skips
    as money paid back to the client), each correction's id with its part of the payment, as
    :data:`REFUNDS_KEY` holds them: the payment split between its corrections in the order
    Fakturownia lists them, each up to its credit (``price_gross`` below zero), the last
    taking what is left. Empty for any other payment, and for one whose amounts or date
    cannot be read (its mapping rejects it). Never raises."""
    try:
        if not _received(raw):
            return ()
        amount = parse_amount(raw.get("price"), field="price")
        day = parse_date(raw.get("paid_date"), field="paid_date")
        currency = _currency(raw)
        tied = _linked_invoices(raw, currency, rules)
    except (DataError, ValueError, TypeError, ArithmeticError):
        return ()
    corrections = [link for link in tied if link.not_read is None]
    if (day is None or amount <= 0 or not corrections or len(corrections) != len(tied)
            or any(link.gross is None or link.gross >= 0 for link in corrections)):
        return ()
    ident = text_of(raw.get("id"))
    parts: list[tuple[str, dict[str, Any]]] = []
    left = amount
    for index, link in enumerate(corrections):
        if left <= 0:
            break
        credit = -link.gross if link.gross is not None else left
        share = left if index == len(corrections) - 1 else min(left, credit)
        parts.append((link.invoice_id, {"id": ident, "amount": share,
                                        "date": day.isoformat(), "currency": currency}))
        left -= share
    return tuple(parts)


def _corrected_id(raw: Mapping[str, Any]) -> str | None:
    """The id of the invoice a correction corrects (``invoice_id``, else
    ``from_invoice_id``)."""
    return text_of(raw.get("invoice_id")) or text_of(raw.get("from_invoice_id"))


def _amount_changed(raw: Mapping[str, Any]) -> tuple[str, Decimal] | None:
    """The corrected invoice's id and the ``price_gross`` of ``raw`` when it is a sales
    correction, not rejected nor cancelled itself, whose amount reads, naming the invoice it
    corrects; None otherwise. Never raises."""
    kind = (text_of(raw.get("kind")) or "").lower()
    if kind not in CORRECTION_KINDS or not _is_income(raw) or is_cancelled(raw):
        return None
    if (text_of(raw.get("status")) or "").lower() == "rejected":
        return None
    try:
        gross = parse_amount(raw.get("price_gross"), field="price_gross")
    except (DataError, ValueError, TypeError, ArithmeticError):
        return None
    corrected = _corrected_id(raw)
    return None if corrected is None else (corrected, gross)


def invoice_lowered_by(raw: Mapping[str, Any]) -> str | None:
    """The id of the invoice whose open amount the document ``raw`` may lower: the corrected
    invoice of a sales correction that lowers the amount and is not rejected, the one kind of
    document that becomes a credit note applied to an invoice. None for any other document
    (an invoice, a correction that raises the amount or changes none, a rejected or
    cancelled one, one whose corrected invoice, given under :data:`CORRECTED_INVOICE_KEY`, is
    cancelled: it lowers nothing, :func:`cancelled_invoice_corrected`), and
    for one :func:`map_document` will reject (an amount it cannot read): only for the id
    given does the mapping read the corrected invoice under :data:`CORRECTED_INVOICE_KEY`.
    Never raises."""
    changed = _amount_changed(raw)
    if changed is None or changed[1] >= 0 or cancelled_invoice_corrected(raw) is not None:
        return None
    return changed[0]


def invoice_corrected_by(raw: Mapping[str, Any]) -> str | None:
    """The id of the invoice whose amount the document ``raw`` changes: the corrected invoice
    of a sales correction that lowers the amount or raises it (an extra invoice), not
    rejected nor cancelled itself. A connector hands that invoice to the correction
    (:data:`CORRECTED_INVOICE_KEY`): a lowering one takes from it only what is open, and
    either is left out when the invoice is cancelled (:func:`cancelled_invoice_corrected`).
    None for any other document (an invoice, a correction that changes no amount), and for
    one :func:`map_document` will reject (an amount it cannot read). Never raises."""
    changed = _amount_changed(raw)
    return None if changed is None or changed[1] == 0 else changed[0]


def cancelled_invoice_corrected(raw: Mapping[str, Any]) -> str | None:
    """The id of the invoice the correction ``raw`` corrects when the connector gave that
    invoice with it (:data:`CORRECTED_INVOICE_KEY`) and it is cancelled (:func:`is_cancelled`:
    its ``kind`` ``canceled``, or ``cancelled`` set): :func:`map_document` skips such a
    correction, lowering or raising, which changes nothing that counts. None for any other
    document, and for a correction not itself a sale, or cancelled itself (skipped for
    that). Never raises."""
    kind = (text_of(raw.get("kind")) or "").lower()
    if kind not in CORRECTION_KINDS or not _is_income(raw) or is_cancelled(raw):
        return None
    invoice = raw.get(CORRECTED_INVOICE_KEY)
    corrected = _corrected_id(raw)
    if (not isinstance(invoice, Mapping) or corrected is None
            or text_of(invoice.get("id")) != corrected or not is_cancelled(invoice)):
        return None
    return corrected


def _corrected_invoice(invoice: object, corrected: str) -> Mapping[str, Any] | None:
    """The corrected invoice the connector gave under :data:`CORRECTED_INVOICE_KEY`
    (``invoice``), checked to be the one the correction names (``corrected``); None when it
    gave none."""
    if invoice is None:
        return None
    key = CORRECTED_INVOICE_KEY
    if not isinstance(invoice, Mapping):
        raise DataError(f"{key}: is not an object")
    ident = text_of(invoice.get("id"))
    if ident != corrected:
        raise DataError(f"{key}.id: {ident!r} is not the corrected invoice {corrected}")
    return invoice


def _left_to_correct(invoice: Mapping[str, Any], currency: str) -> Decimal | None:
    """What of the corrected invoice (given under :data:`CORRECTED_INVOICE_KEY`, checked by
    :func:`_corrected_invoice`) a correction may still take: the amount the invoice counts at
    less what was paid on it (``paid``), never below zero. None when the invoice is in
    another currency (the amounts cannot be compared): the whole correction is then applied,
    as it is when the connector did not give the corrected invoice. A cancelled invoice takes
    nothing, and its correction is skipped before this is asked (:func:`_correction`).

    The amount an invoice counts at is its ``price_gross``; for a final invoice given with its
    advances, ``price_gross`` less them, by the rule the final invoice itself is mapped by
    (:func:`_less_advances`), so that a correction never takes more than the ledger's invoice
    holds (nothing, when the advances covered the whole order and the final invoice is left
    out). Whether a final invoice's ``paid`` counts its advances is not documented; reading it
    as paid on the final invoice alone never takes more than is open (if it does count them,
    this takes less, and the rest of the correction is credit the client holds).

    Fakturownia's ``paid`` is what the invoice's payments brought so far. When they all came
    by the correction's date (``paid_date`` on or before it), this is what was open on that
    date. When some came after it, the invoice may have had more open on the correction's
    date, but taking more would make those later payments over-apply the invoice (they are
    allocated up to its gross amount) and the ledger would reject a payment that was really
    received: the correction takes only what the payments leave, and the client holds the
    rest (it paid the invoice in full despite the correction)."""
    key = CORRECTED_INVOICE_KEY
    if (text_of(invoice.get("currency")) or "").upper() != currency:
        return None
    gross = parse_amount(invoice.get("price_gross"), field=f"{key}.price_gross")
    if (text_of(invoice.get("kind")) or "").lower() == "final":
        gross, _ = _less_advances(invoice, gross, field=f"{key}.")
    paid = optional_amount(invoice.get("paid"), field=f"{key}.paid") or ZERO
    return max(gross - paid, ZERO)


# --------------------------------------------------------------------------- payments


@dataclass(frozen=True)
class _Linked:
    """One invoice a payment is tied to: its id, its gross amount in its own currency, and
    the most the payment can pay of it, in the payment's currency (None: not known)."""

    invoice_id: str
    gross: Decimal | None
    cap: Decimal | None
    no_rate: str | None = None
    """Why ``cap`` is not known though ``gross`` is: the invoice is in another currency than
    the payment and gives no rate into it."""
    not_read: str | None = None
    """``cost`` for a cost document (``income`` 0), ``offer`` for a document of a kind not
    read as an invoice (a proforma, an order), ``advanced`` for a final invoice its advances
    cover in full (left out, :func:`map_document`): none is an invoice of the ledger, and the
    payment pays nothing of it. None for an invoice (or a correction)."""


def _cap_in(item: Mapping[str, Any], gross: Decimal, currency: str, where: str) -> (
    tuple[Decimal | None, str | None]
):
    """The gross amount of the invoice ``item`` in the payment's ``currency``, and why not
    when it cannot be told. In its own currency it is ``gross``. In another (a EUR invoice
    paid in złoty), it is ``gross`` at the invoice's own rate into the payment's currency
    (``exchange_currency`` with ``exchange_currency_rate``: units of that currency per one
    unit of the invoice's, as :func:`_fx_rate` reads it), the amount Fakturownia booked the
    invoice at; without such a rate it is not known."""
    theirs = (text_of(item.get("currency")) or currency).upper()
    if theirs == currency:
        return gross, None
    if (text_of(item.get("exchange_currency")) or "").upper() == currency:
        rate = _rate_per_unit(item, f"{where}.")
        if rate is not None:
            return gross * rate, None
    return None, (
        f"invoice {text_of(item.get('id'))} is in {theirs}, the payment in {currency}, and "
        f"the invoice gives no rate into {currency}"
    )


def _not_read(item: Mapping[str, Any], rules: MappingRules) -> str | None:
    """Why a document a payment is tied to is no invoice of the ledger (see
    :attr:`_Linked.not_read`); a document without a ``kind`` is taken for an invoice."""
    if not _is_income(item):
        return "cost"
    kind = (text_of(item.get("kind")) or "").lower()
    if is_cancelled(item) or (
            kind and kind not in rules.invoice_kinds and kind not in CORRECTION_KINDS):
        return "offer"
    return None


def _received(raw: Mapping[str, Any]) -> bool:
    """Whether a banking payment's money came in (``paid`` not false)."""
    paid_flag = raw.get("paid", True)
    return not (paid_flag is False or str(paid_flag).strip().lower() in ("false", "0"))


def offers_paid_by(raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES) -> (
    tuple[str, ...]
):
    """The ids of the documents a banking payment (``include=invoices``) is tied to that are
    of a kind not read as invoices (a proforma, an order): :func:`payment_from_banking` pays
    nothing of them, and the money stays the client's unapplied cash. Never raises."""
    embedded = raw.get("invoices")
    if not isinstance(embedded, list) or not _received(raw):
        return ()
    ids = (
        text_of(item.get("id")) for item in embedded
        if isinstance(item, Mapping) and _not_read(item, rules) == "offer"
    )
    return tuple(i for i in ids if i is not None)


def _linked_invoices(
    raw: Mapping[str, Any], currency: str, rules: MappingRules
) -> list[_Linked]:
    """The documents a payment in ``currency`` is tied to, in Fakturownia's order, with their
    gross amounts where the response includes them (``include=invoices``)."""
    embedded = raw.get("invoices")
    if isinstance(embedded, list) and embedded:
        linked = []
        for index, item in enumerate(embedded):
            where = f"invoices.{index}"
            if not isinstance(item, Mapping):
                raise DataError(f"{where}: is not an object")
            ident = text_of(item.get("id"))
            if ident is None:
                raise DataError(f"{where}.id: is missing")
            gross = optional_amount(item.get("price_gross"), field=where)
            not_read = _not_read(item, rules)
            if gross is not None and not_read is None and gross > 0 and (
                    text_of(item.get("kind")) or "").lower() == "final":
                # The amount the ledger's final invoice counts at: less its advances.
                gross, _ = _less_advances(item, gross, field=f"{where}.")
                if gross == 0:
                    not_read = "advanced"
            cap, no_rate = (None, None) if gross is None else _cap_in(item, gross, currency, where)
            linked.append(_Linked(ident, gross, cap, no_rate, not_read))
        return linked
    ids = raw.get("invoice_ids")
    if isinstance(ids, list) and ids:
        return [_Linked(str(i), None, None) for i in ids if text_of(i) is not None]
    single = text_of(raw.get("invoice_id"))
    return [_Linked(single, None, None)] if single is not None else []


def _payment_customer(raw: Mapping[str, Any]) -> str:
    """The customer who paid: the payment's client card, else that of the first invoice it
    pays with one, else the buyer of the first it pays without a client card (the customer
    ``nip:<NIP>`` that invoice is billed to, :func:`_customer_of`)."""
    client = _client_id(raw.get("client_id"))
    if client is not None:
        return client
    embedded = raw.get("invoices")
    items = [i for i in embedded if isinstance(i, Mapping)] if isinstance(embedded, list) else []
    for item in items:
        client = _client_id(item.get("client_id"))
        if client is not None:
            return client
    for item in items:
        tax_id = _buyer_tax_id(item)
        if tax_id is not None:
            return _buyer_customer_id(tax_id)
    raise DataError(
        "client_id: the payment names no client, and no invoice with a client card or a "
        "buyer_tax_no"
    )


def payment_from_banking(
    raw: Mapping[str, Any], rules: MappingRules = DEFAULT_RULES
) -> Payment | Skip:
    """One payment of ``GET /banking/payments.json?include=invoices``.

    Fakturownia applies a payment to its invoices in the order they are listed, each in full
    before the next; the allocations follow that rule, each capped at the invoice's gross
    amount where the response includes it, in the payment's currency (an invoice in another
    currency at its own rate into the payment's, :func:`_cap_in`). What is left over is
    unapplied cash. The payer is the payment's client card, else its invoices' (a card, or
    the buyer's NIP for an invoice without one, :func:`_payment_customer`).

    A document the payment is tied to that is no invoice of the ledger is not paid by it: a
    proforma (or another kind not in ``rules.invoice_kinds``) was paid before its invoice
    exists, and the money stays the client's unapplied cash (it was allocated to the
    proforma, and the ledger rejected the whole payment); a payment tied only to cost
    documents (``income`` 0) is money paid out, and is skipped.

    A final invoice the payment is tied to is capped at the amount it counts at, its
    ``price_gross`` less the advance invoices given with it (:data:`ADVANCES_KEY`, by the
    rule of :func:`map_document`), not at the whole order: a payment of 10000.00 tied to a
    final invoice of 10000.00 and, after it, its advance of 5000.00 pays 5000.00 of each (all
    of it went to the final invoice, which counts at 5000.00, and the ledger refused the
    payment). One its advances cover in full is left out
    like a proforma: the money goes to the other invoices, or stays unapplied cash.

    A linked document with a gross amount of zero or less (a correction that lowers an
    invoice) is not something the payment pays: the correction is a credit note applied by
    its own record, so it is left out of the allocations (a payment of 1000.00 tied to an
    invoice of 1230.00 and its correction of -230.00 pays 1000.00 of the invoice). A payment
    tied to nothing but such corrections is the refund of a correction, money paid back to
    the client, and is skipped.
    """
    if not _received(raw):
        return Skip("payment not received yet (paid: false)", deleted=True)
    amount = parse_amount(raw.get("price"), field="price")
    if amount < 0:
        raise DataError(f"price: {amount} is negative; a refund is not a payment received")
    day = parse_date(raw.get("paid_date"), field="paid_date")
    if day is None:
        raise DataError("paid_date: the payment has no date")
    currency = _currency(raw)
    tied = _linked_invoices(raw, currency, rules)
    if tied and all(link.not_read == "cost" for link in tied):
        # deleted=True: a store drops what an earlier sync saved of it as money received.
        return Skip("a payment of cost documents (income 0): money paid out to a supplier, "
                    "not received from a client", deleted=True)
    invoices = [link for link in tied if link.not_read is None]
    linked = [link for link in invoices if link.gross is None or link.gross > 0]
    if invoices and not linked and all(link.not_read != "offer" for link in tied):
        return Skip("tied only to corrections that lower invoices: a refund paid back to the "
                    "client, not money received")
    allocations: list[Allocation] = []
    left = amount
    for index, link in enumerate(linked):
        if left <= 0:
            break
        is_last = index == len(linked) - 1
        if link.cap is None and not is_last:
            if link.no_rate is not None:
                raise DataError(
                    f"invoices: {link.no_rate}, so the payment cannot be split between the "
                    "invoices it pays"
                )
            raise DataError(
                "invoices: the payment is tied to several invoices without their amounts, so "
                "it cannot be split (the connector asks for include=invoices)"
            )
        # The cap is in the payment's currency, as the allocation is (the ledger converts).
        share = left if link.cap is None else min(left, link.cap)
        allocations.append(Allocation(invoice_id=link.invoice_id, amount=share))
        left -= share
    return Payment(
        id=_required_text(raw, "id"),
        customer_id=_payment_customer(raw),
        date=day,
        amount=amount,
        currency=currency,
        allocations=tuple(allocations),
        source=SOURCE,
    )
