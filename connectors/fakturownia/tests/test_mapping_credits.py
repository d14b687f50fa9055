"""A correction (faktura korygująca) takes from the corrected invoice only what is still open
on it; the rest is credit the client holds. Payments never pay a correction.

Fakturownia's documented correction (README, "Dodanie nowej faktury korygującej") is a
document of ``kind`` ``correction`` naming the corrected invoice in ``invoice_id`` and
``from_invoice_id``, with negative amounts for what it takes off. An invoice's ``paid`` is
the amount paid on it so far (``"paid": "0,00"`` in the README's examples), ``price_gross``
its gross amount.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientguard.connector import Skip
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import revenue_by_client
from clientguard.model import AnyRecord, CreditNote, Customer, Invoice, Payment
from clientguard.settlement import settle, unapplied_cash
from clientguard_fakturownia import mapping
from clientguard_fakturownia.mapping import map_document, payment_from_banking

#: The key under which the connector hands the corrected invoice to the correction's mapping.
CORRECTED = "clientguard:corrected_invoice"

AS_OF = date(2026, 3, 31)


def invoice(**changes: Any) -> dict[str, Any]:
    """FV/1/2026: 1230,00 PLN issued 10 January, due 24 January."""
    raw: dict[str, Any] = {
        "id": 100, "kind": "vat", "number": "FV/1/2026", "status": "issued",
        "issue_date": "2026-01-10", "payment_to": "2026-01-24", "paid_date": None,
        "price_gross": "1230,00", "paid": "0,00", "currency": "PLN", "client_id": 7,
        "income": "1",
    }
    raw.update(changes)
    return raw


def correction(corrected: dict[str, Any] | None, **changes: Any) -> dict[str, Any]:
    """FK/1/2026 of 5 February: takes 230,00 off FV/1/2026."""
    raw: dict[str, Any] = {
        "id": 101, "kind": "correction", "number": "FK/1/2026", "status": "issued",
        "issue_date": "2026-02-05", "payment_to": "2026-02-19", "price_gross": "-230,00",
        "paid": "0,00", "currency": "PLN", "client_id": 7, "invoice_id": 100,
        "from_invoice_id": 100, "income": "1",
    }
    if corrected is not None:
        raw[CORRECTED] = corrected
    raw.update(changes)
    return raw


def banking(ident: int, price: str, paid_date: str, *linked: tuple[int, str]) -> dict[str, Any]:
    """A banking payment with the documents it is tied to (``include=invoices``)."""
    return {
        "id": ident, "price": price, "paid_date": paid_date, "currency": "PLN", "paid": True,
        "client_id": 7,
        "invoices": [{"id": i, "price_gross": gross, "client_id": 7} for i, gross in linked],
    }


def invoice_of(raw: dict[str, Any]) -> Invoice:
    mapped = map_document(raw)
    assert isinstance(mapped, Invoice), mapped
    return mapped


def note_of(raw: dict[str, Any]) -> CreditNote:
    note = map_document(raw)
    assert isinstance(note, CreditNote), note
    return note


def payment_of(raw: dict[str, Any]) -> Payment:
    payment = payment_from_banking(raw)
    assert isinstance(payment, Payment), payment
    return payment


def ledger_of(*records: AnyRecord) -> Ledger:
    # strict: a record the ledger refuses fails the build, as it fails a strict load.
    return Ledger.build([Customer(id="7", name="Klient", source="fakturownia"), *records],
                        base_currency="PLN")


def test_the_connector_hands_the_corrected_invoice_under_the_documented_key() -> None:
    assert mapping.CORRECTED_INVOICE_KEY == CORRECTED


def test_a_correction_after_the_invoice_was_paid_is_credit_the_client_holds() -> None:
    # Client 7 paid FV/1 in full on 20 January (the banking payment, and the invoice's paid
    # 1230,00); the correction of 5 February finds nothing open: 7 is owed 230,00 back.
    # Client 8 got its correction before paying, then paid the corrected 1000,00 on
    # 20 February: the correction and the payment settle its invoice together.
    paid_before = invoice(status="paid", paid="1230,00", paid_date="2026-01-20")
    paid_after = invoice(id=200, number="FV/2/2026", client_id=8, status="paid",
                         paid="1000,00", paid_date="2026-02-20")
    ledger = ledger_of(
        Customer(id="8", name="Drugi", source="fakturownia"),
        invoice_of(paid_before),
        note_of(correction(paid_before)),
        payment_of(banking(900, "1230,00", "2026-01-20", (100, "1230,00"))),
        invoice_of(paid_after),
        note_of(correction(paid_after, id=201, client_id=8, invoice_id=200,
                           from_invoice_id=200)),
        payment_of(banking(901, "1000,00", "2026-02-20", (200, "1230,00")) | {"client_id": 8}),
    )
    assert ledger.report.rejected == ()  # a strict load: nothing refused
    notes = {n.id: n for n in ledger.credit_notes}
    assert notes["101"].total == notes["201"].total == Decimal("230.00")  # both lower revenue
    assert notes["101"].allocations == ()  # nothing of it settles the paid invoice
    assert [(a.invoice_id, a.amount) for a in notes["201"].allocations] == [
        ("200", Decimal("230.00"))
    ]
    held = unapplied_cash(ledger, as_of=AS_OF)
    assert set(held) == {"7"}
    assert held["7"].credit == Decimal("230.00")
    assert held["7"].credit_note_ids == ("101",)
    settlements = settle(ledger, as_of=AS_OF)
    assert settlements["100"].settled_on == date(2026, 1, 20)
    assert settlements["200"].settled_on == date(2026, 2, 20)
    assert settlements["100"].open_balance == settlements["200"].open_balance == 0
    # Net revenue of each client: 1230,00 invoiced less 230,00 corrected.
    revenue = revenue_by_client(ledger, first=date(2026, 1, 1), last=AS_OF)
    assert revenue == {"7": Decimal("1000.00"), "8": Decimal("1000.00")}


@pytest.mark.parametrize(
    ("status", "paid", "paid_date", "applied"),
    [
        # 1100,00 paid before the correction: only 130,00 was open; 100,00 is the client's.
        pytest.param("partial", "1100,00", "2026-01-20", Decimal("130.00"), id="mostly paid"),
        # Paid in full before it: nothing was open.
        pytest.param("paid", "1230,00", "2026-01-20", None, id="paid before"),
        # The client paid the full 1230,00 after the correction anyway: the payment settles
        # the invoice, and the correction is credit the client holds (taking it would make
        # the payment, money really received, over-apply the invoice).
        pytest.param("paid", "1230,00", "2026-02-20", None, id="overpaid after"),
    ],
)
def test_a_correction_takes_only_what_the_payments_leave_open(
    status: str, paid: str, paid_date: str | None, applied: Decimal | None
) -> None:
    corrected = invoice(status=status, paid=paid, paid_date=paid_date)
    note = note_of(correction(corrected))
    assert note.total == Decimal("230.00")
    expected = () if applied is None else (("100", applied, date(2026, 2, 5)),)
    assert tuple((a.invoice_id, a.amount, a.date) for a in note.allocations) == expected


def test_a_payment_tied_to_an_invoice_and_its_correction_pays_the_invoice() -> None:
    # Fakturownia lists the documents a payment is tied to; a correction of -230,00 among
    # them is no debt the payment pays (its credit is the correction's own credit note).
    payment = payment_of(banking(900, "1000,00", "2026-02-20", (101, "-230,00"), (100, "1230,00")))
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("100", Decimal("1000.00"))]
    assert payment.amount == Decimal("1000.00")


def test_a_payment_tied_only_to_a_correction_is_a_refund_not_money_received() -> None:
    refund = payment_from_banking(banking(901, "230,00", "2026-02-25", (101, "-230,00")))
    assert isinstance(refund, Skip)
    assert "refund" in refund.reason


@pytest.mark.parametrize(
    ("changes", "lowered"),
    [
        pytest.param({}, "100", id="a lowering correction: its invoice_id"),
        pytest.param({"invoice_id": None}, "100", id="else from_invoice_id"),
        pytest.param({"price_gross": "230,00"}, None, id="one that raises the amount"),
        pytest.param({"price_gross": "0,00"}, None, id="one that changes none"),
        pytest.param({"status": "rejected"}, None, id="a rejected one"),
        pytest.param({"income": "0"}, None, id="a cost correction"),
        pytest.param({"price_gross": "n/a"}, None, id="an amount the mapping rejects"),
        pytest.param({"kind": "vat", "price_gross": "1230,00"}, None, id="an invoice"),
    ],
)
def test_only_a_lowering_correction_needs_the_invoice_it_corrects(
    changes: dict[str, Any], lowered: str | None
) -> None:
    # What the connector asks: for which documents to hand over (or read) the corrected one.
    assert mapping.invoice_lowered_by(correction(None, **changes)) == lowered
