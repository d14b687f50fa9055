"""A Stripe invoice's payment from the customer's balance (``<invoice id>/customer_balance``,
the credit its ``starting_balance`` applied) follows the invoice in the store: voiding the
invoice gives the credit back to the customer's balance (Stripe's "Void an invoice": a
voided invoice's applied balance is credited back), so the payment leaves (schema 8,
``record_origins``). Before, it stayed and went on paying 3.00 of a void invoice
(``/tmp/f_repro/test_repro.py``). Invoice objects shaped as Stripe's API reference shows them;
amounts in cents, worked out by hand: a 10.00 invoice with 3.00 of balance credit owes 7.00.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.store import Store
from clientguard_stripe import StripeConnector

ACCOUNT = {"id": "acct_1", "object": "account", "settings": {"dashboard": {"timezone": "UTC"}}}


def invoice(status: str, balance_used: int) -> dict[str, Any]:
    return {"id": "in_1", "object": "invoice", "customer": "cus_1", "number": "N1",
            "status": status, "currency": "usd", "created": 1775000000,
            "effective_at": 1775000000, "due_date": 1776000000, "total": 1000,
            "amount_due": 1000 - balance_used, "amount_paid": 0,
            "amount_remaining": 1000 - balance_used if status == "open" else 0,
            "starting_balance": -balance_used, "ending_balance": 0,
            "status_transitions": {"finalized_at": 1775000000}}


def listing(items: list[dict[str, Any]], path: str) -> dict[str, Any]:
    return {"object": "list", "url": path, "has_more": False, "data": items}


def nothing_taken_back(server: HTTPServer, *, events: bool = False,
                       lists: bool = False) -> None:
    """Serves, in order, an incremental read's reversal and credit note events (one read)
    and the disputes and refunds lists (read when an invoice names a payment), all empty."""
    paths = ((["/v1/events"] if events else [])
             + (["/v1/disputes", "/v1/refunds"] if lists else []))
    for path in paths:
        server.expect_ordered_request(path).respond_with_json(listing([], path))


def stripe(server: HTTPServer, now: datetime) -> StripeConnector:
    return StripeConnector(api_key="rk_test_origin0000000001", base_url=server.url_for("/"),
                           clock=lambda: now, sleep=lambda seconds: None)


@pytest.mark.parametrize("full", [False, True], ids=["invoice.voided event", "full read"])
def test_a_voided_invoices_customer_balance_payment_leaves_the_store(
    httpserver: HTTPServer, tmp_path: Path, full: bool,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        httpserver.expect_ordered_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
            listing([invoice("open", 300)], "/v1/invoices"))
        store.sync(stripe(httpserver, datetime(2026, 5, 2, tzinfo=UTC)), streams=["invoices"])
        before = store.load(base_currency="USD")
        assert [(p.id, p.amount) for p in before.payments] == [
            ("in_1/customer_balance", Decimal("3.00"))]
        httpserver.clear()
        httpserver.expect_ordered_request("/v1/account").respond_with_json(ACCOUNT)
        if full:
            httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
                listing([invoice("void", 300)], "/v1/invoices"))
        else:
            httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
                listing([], "/v1/invoices"))
            httpserver.expect_ordered_request("/v1/events").respond_with_json(listing(
                [{"id": "evt_1", "object": "event", "type": "invoice.voided",
                  "created": 1778000000, "data": {"object": invoice("void", 300)}}],
                "/v1/events"))
            nothing_taken_back(httpserver, events=True)
        result = store.sync(stripe(httpserver, datetime(2026, 5, 20, tzinfo=UTC)),
                            streams=["invoices"], full=full)
        after = store.load(base_currency="USD")
        assert [(i.id, i.status) for i in after.invoices] == [("in_1", "void")]
        assert after.payments == ()
        assert result.removed == 1


def part(ident: str, amount: int, paid_at: int) -> dict[str, Any]:
    """A paid invoice payment as the expanded ``payments`` list holds it."""
    return {"id": ident, "object": "invoice_payment", "amount_paid": amount,
            "amount_requested": amount, "created": paid_at, "currency": "usd",
            "is_default": False, "status": "paid",
            "payment": {"type": "payment_intent", "payment_intent": f"pi_{ident}"},
            "status_transitions": {"paid_at": paid_at, "canceled_at": None}}


def paid_in_parts() -> dict[str, Any]:
    """in_1 (10.00) paid 4.00 on 1775100000 and 6.00 on 1775900000, its parts listed."""
    return {**invoice("paid", 0), "amount_paid": 1000, "amount_remaining": 0,
            "status_transitions": {"finalized_at": 1775000000, "paid_at": 1775900000},
            "payments": listing([part("inpay_1", 400, 1775100000),
                                 part("inpay_2", 600, 1775900000)], "/v1/invoice_payments")}


def part_paid() -> dict[str, Any]:
    """in_1 (10.00) open, 4.00 of it paid on 1775100000 (one invoice payment listed)."""
    return {**invoice("open", 0), "amount_paid": 400, "amount_remaining": 600,
            "status_transitions": {"finalized_at": 1775000000, "paid_at": None},
            "payments": listing([part("inpay_1", 400, 1775100000)], "/v1/invoice_payments")}


def test_an_invoices_one_payment_and_its_part_payments_replace_each_other(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    # A full read stores the part-paid invoice's one payment (4.00); the invoice.paid
    # event's snapshot (no payments list: events carry no expansions) is read again with
    # its payments, and the two parts replace the one payment: 10.00 paid, never 14.00.
    # Before, the snapshot was stored as it came: one payment of 10.00 on paid_at, and an
    # earlier full read's parts (and chargebacks) were lost until the next full read.
    with Store.open(tmp_path / "cg.db") as store:
        httpserver.expect_ordered_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
            listing([part_paid()], "/v1/invoices"))
        nothing_taken_back(httpserver, lists=True)
        store.sync(stripe(httpserver, datetime(2026, 5, 2, tzinfo=UTC)), streams=["invoices"])
        assert [(p.id, p.amount) for p in store.load(base_currency="USD").payments] == [
            ("in_1/paid", Decimal("4.00"))]
        httpserver.clear()
        snapshot = {k: v for k, v in paid_in_parts().items() if k != "payments"}
        httpserver.expect_ordered_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
            listing([], "/v1/invoices"))
        httpserver.expect_ordered_request("/v1/events").respond_with_json(listing(
            [{"id": "evt_1", "object": "event", "type": "invoice.paid",
              "created": 1778000000, "data": {"object": snapshot}}], "/v1/events"))
        httpserver.expect_ordered_request(
            "/v1/invoices/in_1", query_string={"expand[]": "payments"}
        ).respond_with_json(paid_in_parts())
        nothing_taken_back(httpserver, events=True, lists=True)
        store.sync(stripe(httpserver, datetime(2026, 5, 20, tzinfo=UTC)), streams=["invoices"])
        httpserver.check_assertions()
        assert sorted((p.id, p.amount) for p in store.load(base_currency="USD").payments) == [
            ("in_1/paid/inpay_1", Decimal("4.00")), ("in_1/paid/inpay_2", Decimal("6.00"))]
