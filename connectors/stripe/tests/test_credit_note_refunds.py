"""What of a Stripe credit note was paid back is no longer credit the firm owes; an invoice
marked paid outside Stripe is paid on the day Stripe says.

Stripe's credit note (docs.stripe.com/api/credit_notes/create): its ``pre_payment_amount``
lowers the invoice's amount due; its ``post_payment_amount`` is split into refunds (``refunds``
with ``amount_refunded``, API versions from 2025-03-31.basil; one ``refund`` before), a credit
to the customer's balance (``customer_balance_transaction``) and an amount credited outside
Stripe (``out_of_band_amount``), which add up to it. Refunds and the part credited outside
Stripe are paid back; the balance credit stays owed to the customer.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg
from clientguard.settlement import settle, unapplied_cash
from clientguard_stripe.mapping import credit_note_from_stripe, invoice_records

ISSUED = int(datetime(2026, 4, 1, 10, tzinfo=UTC).timestamp())


def stripe_credit_note(**changes: Any) -> dict[str, Any]:
    """A post-payment credit note of USD 8.00 on in_1, issued on 1 April 2026."""
    raw: dict[str, Any] = {
        "id": "cn_1", "object": "credit_note", "customer": "cus_1", "invoice": "in_1",
        "currency": "usd", "status": "issued", "type": "post_payment", "total": 800,
        "created": ISSUED, "effective_at": ISSUED, "pre_payment_amount": 0,
        "post_payment_amount": 800, "out_of_band_amount": None, "refunds": [],
        "customer_balance_transaction": None,
    }
    raw.update(changes)
    return raw


def owed(raw: dict[str, Any], as_of: date = date(2026, 4, 1)) -> Decimal:
    """The customer's unapplied credit with the credit note and the paid invoice it credits."""
    invoice = cg.Invoice(id="in_1", customer_id="cus_1", number="A-1",
                         issue_date=date(2026, 3, 1), due_date=date(2026, 3, 31),
                         currency="USD", total=Decimal("10.00"), status="paid",
                         paid_on=date(2026, 3, 1), source="stripe")
    note = credit_note_from_stripe(raw)
    assert isinstance(note, cg.CreditNote), note
    book = cg.Ledger.build([cg.Customer(id="cus_1", name="c", source="stripe"), invoice, note],
                           base_currency="USD")
    held = unapplied_cash(book, as_of=as_of).get("cus_1")
    return Decimal(0) if held is None else held.credit


@pytest.mark.parametrize(
    ("changes", "refunded", "expected"),
    [
        pytest.param({"refunds": [{"amount_refunded": 800, "refund": "re_1", "type": "refund"}]},
                     ["8.00"], "0", id="refunded-to-the-card"),
        pytest.param({"refunds": [{"amount_refunded": 500, "refund": "re_1"}],
                      "out_of_band_amount": 300},
                     ["5.00", "3.00"], "0", id="refunded-and-credited-outside-stripe"),
        pytest.param({"customer_balance_transaction": "cbtxn_1"}, [], "8.00",
                     id="credited-to-the-balance-stays-owed"),
        pytest.param({"refunds": [{"amount_refunded": 200, "refund": "re_1"}],
                      "out_of_band_amount": 100, "customer_balance_transaction": "cbtxn_1"},
                     ["2.00", "1.00"], "5.00", id="split-three-ways"),
        # Before 2025-03-31.basil: one `refund`, without its amount.
        pytest.param({"refunds": None, "refund": "re_1", "out_of_band_amount": 300},
                     ["5.00", "3.00"], "0", id="older-refund-the-rest-of-the-post-payment"),
        pytest.param({"refunds": None, "refund": "re_1",
                      "customer_balance_transaction": {"id": "cbtxn_1", "amount": -200}},
                     ["6.00"], "2.00", id="older-refund-beside-an-expanded-balance-credit"),
        pytest.param({"refunds": None, "refund": "re_1",
                      "customer_balance_transaction": "cbtxn_1"},
                     [], "8.00", id="older-refund-beside-an-unknown-balance-credit"),
        pytest.param({"type": "pre_payment", "pre_payment_amount": 800,
                      "post_payment_amount": 0}, [], "0", id="applied-to-the-invoice"),
    ],
)
def test_what_was_paid_back_is_no_unapplied_credit(
    changes: dict[str, Any], refunded: list[str], expected: str
) -> None:
    raw = stripe_credit_note(**changes)
    note = credit_note_from_stripe(raw)
    assert isinstance(note, cg.CreditNote)
    # Neither part has a date of its own: both count from the credit note's date.
    assert [(r.amount, r.date) for r in note.refunds] == [(Decimal(a), None) for a in refunded]
    assert owed(raw) == Decimal(expected)
    assert owed(raw, as_of=date(2026, 3, 31)) == 0  # before the credit note: nothing owed


def test_a_mixed_credit_note_applies_its_pre_payment_part_and_refunds_the_rest() -> None:
    # 10.00: 4.00 lowers the open invoice, 6.00 after payment, of which 5.00 refunded.
    raw = stripe_credit_note(type="mixed", total=1000, pre_payment_amount=400,
                             post_payment_amount=600,
                             refunds=[{"amount_refunded": 500, "refund": "re_1"}],
                             customer_balance_transaction="cbtxn_1")
    note = credit_note_from_stripe(raw)
    assert isinstance(note, cg.CreditNote)
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("in_1", Decimal("4.00"))]
    assert [r.amount for r in note.refunds] == [Decimal("5.00")]
    assert owed(raw) == Decimal("1.00")  # 10.00 - 4.00 - 5.00, the balance credit


def test_an_invoice_marked_paid_outside_stripe_is_paid_on_its_paid_at() -> None:
    # Before 2025-03-31.basil Stripe marks such an invoice paid_out_of_band, with nothing in
    # amount_paid (no charge was made) and the day it was marked paid in paid_at.
    raw = {
        "id": "in_9", "customer": "cus_1", "currency": "usd", "status": "paid",
        "paid_out_of_band": True, "collection_method": "send_invoice", "total": 1000,
        "amount_due": 1000, "amount_paid": 0, "amount_remaining": 0,
        "created": 1700000000, "effective_at": 1700000000, "due_date": 1700600000,
        "status_transitions": {"finalized_at": 1700000000, "paid_at": 1701000000},
    }
    records = invoice_records(raw)
    assert isinstance(records, list)
    (invoice,) = records  # no payment made up for money Stripe never saw
    assert isinstance(invoice, cg.Invoice)
    # 1701000000 is 26 November 2023, 12:00 UTC; due 21 November (1700600000).
    assert (invoice.status, invoice.paid_on) == ("paid", date(2023, 11, 26))
    book = cg.Ledger.build([cg.Customer(id="cus_1", name="c", source="stripe"), invoice],
                           base_currency="USD")
    settled = settle(book, as_of=date(2023, 12, 31))["in_9"]
    assert (settled.settled_on, settled.open_balance, settled.days_late) == (
        date(2023, 11, 26), Decimal(0), 5)
