"""A debit the customer owed before an invoice (a positive ``starting_balance``) is collected
with that invoice, but pays no part of it: the payment is applied up to what the invoice
itself asked for, and the rest is kept as unapplied cash, never refused.

Stripe's invoice object: ``starting_balance`` is the customer's balance before the invoice
was finalised, positive when the customer owed money; ``amount_due`` is "the final amount
due", which "if there is a positive starting_balance ... will also take that into account"
(docs.stripe.com/api/invoices/object); ``ending_balance`` is the balance after it. Stripe
moves an amount owed to the balance as a debit, e.g. when an invoice is below the minimum
chargeable amount (docs.stripe.com/billing/customer/balance).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from clientguard.ledger import Ledger
from clientguard.model import AnyRecord, Customer, Invoice, Payment
from clientguard.settlement import settle, unapplied_cash
from clientguard_stripe.mapping import invoice_records

FINALISED = int(datetime(2026, 3, 1, 10, tzinfo=UTC).timestamp())
PAID_AT = int(datetime(2026, 3, 1, 10, 5, tzinfo=UTC).timestamp())
AS_OF = date(2026, 12, 31)


def owed_before(**changes: Any) -> dict[str, Any]:
    """in_C: total 100.00; the customer owed 50.00 before it, so Stripe asks for 150.00."""
    raw: dict[str, Any] = {
        "id": "in_C", "object": "invoice", "customer": "cus_1", "currency": "usd",
        "collection_method": "charge_automatically", "due_date": None,
        "created": FINALISED, "effective_at": FINALISED,
        "total": 10000, "amount_due": 15000, "starting_balance": 5000, "ending_balance": 0,
        "status": "paid", "amount_paid": 15000, "amount_remaining": 0,
        "status_transitions": {"finalized_at": FINALISED, "paid_at": PAID_AT},
    }
    raw.update(changes)
    return raw


def mapped(raw: dict[str, Any]) -> tuple[Invoice, list[Payment]]:
    records = invoice_records(raw)
    assert isinstance(records, list), records
    invoice, *rest = records
    assert isinstance(invoice, Invoice)
    return invoice, [p for p in rest if isinstance(p, Payment)]


def ledger_of(*records: AnyRecord) -> Ledger:
    # strict: a record the ledger refuses fails the build, as it fails a strict load.
    return Ledger.build([Customer(id="cus_1", name="c", source="stripe"), *records],
                        base_currency="USD")


def test_a_payment_that_also_paid_an_old_debit_pays_this_invoice_in_full_and_no_more() -> None:
    invoice, (payment,) = mapped(owed_before())
    assert payment.amount == Decimal("150.00")  # the money received, all of it
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        ("in_C", Decimal("100.00"))
    ]
    ledger = ledger_of(invoice, payment)
    assert ledger.report.rejected == ()
    assert settle(ledger, as_of=AS_OF)["in_C"].settled_on == date(2026, 3, 1)
    # The 50.00 that paid the old debit: which invoice that debit came from, Stripe does not
    # say, so it is kept as the client's unapplied cash.
    held = unapplied_cash(ledger, as_of=AS_OF)["cus_1"]
    assert held.payments == Decimal("50.00")
    assert held.payment_ids == ("in_C/paid",)


def test_an_open_invoice_with_an_old_debit_owes_its_own_total() -> None:
    # Finalised, nothing paid yet: Stripe's amount_remaining (150.00) includes the debit;
    # the invoice itself is owed 100.00, which is what the replay leaves open.
    invoice, payments = mapped(owed_before(status="open", amount_paid=0,
                                           amount_remaining=15000,
                                           status_transitions={"finalized_at": FINALISED}))
    assert payments == []
    assert invoice.amount_due == Decimal("100.00")
    ledger = ledger_of(invoice)
    settlement = settle(ledger, as_of=AS_OF)["in_C"]
    assert settlement.open_balance == Decimal("100.00")
    assert settlement.source_amount_due_mismatch is None

