"""An invoice whose total is below zero: a credit to the customer, not a malformed invoice.

Stripe's own example (support.stripe.com/questions/refunding-credit-balance-to-customer-after-
subscription-downgrade-or-cancellation): a customer moved from a USD 100.00/month price to a
10.00/month one in the middle of the cycle is owed 50.00 for the first price and owes 5.00 for
the new one; "a total of $45.00 is now owed to the customer ... and that credit ends up being
added to their credit balance". Invoiced at once (``proration_behavior=always_invoice``), that
is an invoice of total -4500 cents, nothing due, paid on finalisation, its ``ending_balance``
the -4500 credit (docs.stripe.com/billing/customer/balance: "Prorations from downgrading a
subscription can indirectly create credits"). The fields below are the recorded reference
invoice's (``../shared/reference/apis/stripe_invoice_paid_example.json``) with those amounts.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.model import CreditNote, Invoice, Payment
from clientguard.settlement import settle
from clientguard_stripe import StripeConnector
from clientguard_stripe.mapping import invoice_records

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
FINALIZED = int(datetime(2026, 5, 12, 10, 0, tzinfo=UTC).timestamp())


def downgrade(status: str = "paid", **changes: Any) -> dict[str, Any]:
    """The mid-cycle downgrade invoice: total -45.00, nothing due, the credit on the
    customer's balance."""
    raw: dict[str, Any] = {
        "id": "in_downgrade", "object": "invoice", "customer": "cus_1",
        "number": "DG-0002", "status": status, "collection_method": "charge_automatically",
        "billing_reason": "subscription_update", "currency": "usd",
        "created": FINALIZED, "effective_at": FINALIZED, "due_date": None,
        "subtotal": -4500, "total": -4500, "amount_due": 0, "amount_paid": 0,
        "amount_remaining": 0, "starting_balance": 0, "ending_balance": -4500,
        "status_transitions": {"finalized_at": FINALIZED, "paid_at": FINALIZED,
                               "voided_at": None, "marked_uncollectible_at": None},
    }
    raw.update(changes)
    return raw


def test_a_negative_invoice_is_a_credit_to_the_customer() -> None:
    records = invoice_records(downgrade())
    assert isinstance(records, list), records
    # Before, a DataError ("total: -45.00 is negative"): the sync rejected the invoice, and a
    # strict ledger failed on it.
    [credit] = records
    assert isinstance(credit, CreditNote)
    assert credit.id == "in_downgrade/credit"
    assert credit.customer_id == "cus_1"
    assert credit.total == Decimal("45.00")  # -4500 cents, the 45.00 owed to the customer
    assert credit.currency == "USD"
    assert credit.issue_date == date(2026, 5, 12)  # effective_at
    # Stripe puts it on the customer's balance for a later invoice: no invoice named, no
    # refund (the same as a credit note's part credited to the balance).
    assert credit.allocations == ()
    assert credit.refunds == ()


@pytest.mark.parametrize("status", ["draft", "void"])
def test_a_negative_draft_or_void_invoice_credits_nothing(status: str) -> None:
    result = invoice_records(downgrade(status, ending_balance=None,
                                       status_transitions={"finalized_at": None}))
    # A draft has not credited the balance yet and a void one credits nothing: left out,
    # and a copy an earlier sync stored (a draft before its lines turned it negative) goes.
    assert isinstance(result, Skip)
    assert result.deleted
    assert "negative total" in result.reason


def test_a_sync_with_a_downgrade_keeps_every_invoice_and_the_credit_pays_the_next(
    httpserver: HTTPServer,
) -> None:
    # The next renewal (10.00/month, 2026-05-20) uses 10.00 of the 45.00 balance:
    # starting_balance -4500, ending_balance -3500, nothing to charge.
    renewal_at = int(datetime(2026, 5, 20, 10, 0, tzinfo=UTC).timestamp())
    renewal = {
        "id": "in_renewal", "object": "invoice", "customer": "cus_1", "number": "DG-0003",
        "status": "paid", "collection_method": "charge_automatically", "currency": "usd",
        "created": renewal_at, "effective_at": renewal_at, "due_date": None,
        "total": 1000, "amount_due": 0, "amount_paid": 0, "amount_remaining": 0,
        "starting_balance": -4500, "ending_balance": -3500,
        "status_transitions": {"finalized_at": renewal_at, "paid_at": renewal_at},
    }
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        {"object": "list", "url": "/v1/invoices", "has_more": False,
         "data": [renewal, downgrade()]})
    conn = StripeConnector(api_key="rk_test_51SECRETkeyNeverShown9876",
                           base_url=httpserver.url_for("/"), clock=lambda: NOW,
                           sleep=lambda seconds: None, timezone="UTC")
    pulled = pull(conn, streams=["invoices"])
    httpserver.check_assertions()
    assert pulled.rejected == ()  # before: in_downgrade, "total: -45.00 is negative"
    kinds = sorted((type(r).__name__, r.id) for r in pulled.records)
    assert kinds == [("CreditNote", "in_downgrade/credit"), ("Invoice", "in_renewal"),
                     ("Payment", "in_renewal/customer_balance")]
    ledger = cg.Ledger.build(pulled.records, base_currency="USD")
    renewal_record = next(r for r in pulled.records if isinstance(r, Invoice))
    # The renewal is settled by the balance on its finalisation, as Stripe says (0 remaining).
    assert settle(ledger, as_of=NOW.date() + timedelta(days=1))[
        renewal_record.id].open_balance == Decimal("0.00")
    balance = next(r for r in pulled.records if isinstance(r, Payment))
    assert balance.amount == Decimal("10.00")
