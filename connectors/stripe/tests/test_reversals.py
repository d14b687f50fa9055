"""Money that went back after a Stripe invoice was paid: a dispute (chargeback) and a refund
made without a credit note. Stripe leaves the invoice ``paid`` in both cases; the connector
reads the disputes and refunds of the invoice's payments (docs/connectors/stripe.md, "A
payment reversed").

The story of every row: invoice A, USD 100.00 issued 1 March 2026, due 31 March, paid by card
(payment intent pi_1) on 10 March; the review is as of 1 May. The reference reading is Xero's:
a payment taken back is a deleted payment, the invoice open and late again from its due date;
a refund is a credit note paid back in cash (lower revenue, nothing owed)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard_stripe import StripeConnector
from clientguard_stripe.mapping import invoice_records
from clientguard_stripe.reversals import REVERSALS_KEY

AS_OF = date(2026, 5, 1)


def ts(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def invoice_a(**changes: Any) -> dict[str, Any]:
    """Invoice A: USD 100.00, due 31 March, paid by card (pi_1) on 10 March."""
    raw: dict[str, Any] = {
        "id": "in_A", "object": "invoice", "customer": "cus_1", "number": "A",
        "status": "paid", "collection_method": "send_invoice", "currency": "usd",
        "created": ts("2026-03-01T10:00:00"), "effective_at": ts("2026-03-01T10:00:00"),
        "due_date": ts("2026-03-31T10:00:00"), "total": 10000, "amount_due": 10000,
        "amount_paid": 10000, "amount_remaining": 0,
        "status_transitions": {"finalized_at": ts("2026-03-01T10:00:00"),
                               "paid_at": ts("2026-03-10T10:00:00")},
        "payments": {"object": "list", "has_more": False, "data": [
            {"id": "inpay_1", "object": "invoice_payment", "amount_paid": 10000,
             "status": "paid", "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
             "status_transitions": {"paid_at": ts("2026-03-10T10:00:00")}}]},
    }
    raw.update(changes)
    return raw


def dispute(status: str, amount: int = 10000, created: str = "2026-03-20T10:00:00",
            ident: str = "du_1", intent: str = "pi_1") -> dict[str, Any]:
    return {"id": ident, "object": "dispute", "amount": amount, "currency": "usd",
            "status": status, "charge": "ch_1", "payment_intent": intent,
            "created": ts(created)}


def refund(amount: int, created: str = "2026-04-12T10:00:00", status: str = "succeeded",
           ident: str = "re_1", intent: str = "pi_1") -> dict[str, Any]:
    return {"id": ident, "object": "refund", "amount": amount, "currency": "usd",
            "status": status, "charge": "ch_1", "payment_intent": intent,
            "created": ts(created)}


def mapped(raw: dict[str, Any]) -> list[AnyRecord]:
    records = invoice_records(raw)
    assert isinstance(records, list)
    return records


D = Decimal
PAID = [("in_A/paid", D("100.00"))]

# Each row: what went back, then by hand: A's status, amount due and dispute day; its
# payments (id, amount); the credit notes made of refunds (id, total, day); A's open
# balance as of 1 May and the day it settled.
ROWS = [
    # A chargeback lost: the 100.00 went back to the client. A is open and late from
    # 31 March again (31 days as of 1 May), its payment gone, as a deleted Xero payment.
    ("dispute lost", {REVERSALS_KEY: [dispute("lost")]},
     ("open", D("100.00"), None), [], [], D("100.00"), None),
    # Won: Stripe gave the funds back; A stays paid on 10 March.
    ("dispute won", {REVERSALS_KEY: [dispute("won")]},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # Open (needs_response): Stripe withdrew the 100.00 on 20 March; A is open and disputed
    # from that day (the outcome is pending).
    ("dispute open", {REVERSALS_KEY: [dispute("needs_response")]},
     ("open", D("100.00"), date(2026, 3, 20)), [], [], D("100.00"), None),
    # Under review, 40.00 of the 100.00 disputed: the payment kept 60.00.
    ("dispute under review, part", {REVERSALS_KEY: [dispute("under_review", 4000)]},
     ("open", D("40.00"), date(2026, 3, 20)), [("in_A/paid", D("60.00"))], [], D("40.00"),
     None),
    # An inquiry (warning_*): no funds move; nothing changes.
    ("inquiry", {REVERSALS_KEY: [dispute("warning_needs_response")]},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # 30.00 refunded on 12 April without a credit note: a credit note of 30.00 that day,
    # refunded in full; A stays settled on 10 March.
    ("partial refund", {REVERSALS_KEY: [refund(3000)]},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("30.00"), date(2026, 4, 12))],
     D("0"), date(2026, 3, 10)),
    ("full refund", {REVERSALS_KEY: [refund(10000)]},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("100.00"), date(2026, 4, 12))],
     D("0"), date(2026, 3, 10)),
    # The 30.00 refund was made with a credit note (post_payment_credit_notes_amount 30.00):
    # the credit note's own refunds say it; no second credit note.
    ("refund made with a credit note",
     {REVERSALS_KEY: [refund(3000)], "post_payment_credit_notes_amount": 3000},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # A credit note of 10.00 and refunds of 30.00 and 5.00: the earliest 10.00 is the
    # credit note's; 20.00 and 5.00 are refunds without one.
    ("refunds beyond the credit notes",
     {REVERSALS_KEY: [refund(500, "2026-04-20T10:00:00", ident="re_2"), refund(3000)],
      "post_payment_credit_notes_amount": 1000},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("20.00"), date(2026, 4, 12)),
                                    ("in_A/refund/re_2", D("5.00"), date(2026, 4, 20))],
     D("0"), date(2026, 3, 10)),
    ("refund failed", {REVERSALS_KEY: [refund(3000, status="failed")]},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # Paid in two parts, 60.00 on 10 March and 40.00 on 2 April; 25.00 charged back: it
    # comes off the latest part (15.00 left of it), 25.00 open.
    ("dispute lost, paid in parts",
     {REVERSALS_KEY: [dispute("lost", 2500)],
      "status_transitions": {"finalized_at": ts("2026-03-01T10:00:00"),
                             "paid_at": ts("2026-04-02T10:00:00")},
      "payments": {"object": "list", "has_more": False, "data": [
          {"id": f"inpay_{n}", "object": "invoice_payment", "amount_paid": amount,
           "status": "paid", "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
           "status_transitions": {"paid_at": ts(at)}}
          for n, amount, at in [(1, 6000, "2026-03-10T10:00:00"),
                                (2, 4000, "2026-04-02T10:00:00")]]}},
     ("open", D("25.00"), None),
     [("in_A/paid/inpay_1", D("60.00")), ("in_A/paid/inpay_2", D("15.00"))], [], D("25.00"),
     None),
]


@pytest.mark.parametrize(
    ("story", "changes", "invoice", "payments", "credit_notes", "open_balance", "settled_on"),
    ROWS, ids=[row[0] for row in ROWS],
)
def test_money_taken_back_reads_as_xero_reads_it(
    story: str, changes: dict[str, Any], invoice: tuple[str, Decimal, date | None],
    payments: list[tuple[str, Decimal]], credit_notes: list[tuple[str, Decimal, date]],
    open_balance: Decimal, settled_on: date | None,
) -> None:
    records = mapped(invoice_a(**changes))
    (inv,) = [r for r in records if isinstance(r, Invoice)]
    assert (inv.status, inv.amount_due, inv.disputed_on) == invoice, story
    assert inv.disputed is (invoice[2] is not None), story
    assert inv.paid_on == settled_on, story
    assert [(p.id, p.amount) for p in records if isinstance(p, Payment)] == payments, story
    notes = [r for r in records if isinstance(r, CreditNote)]
    assert [(c.id, c.total, c.issue_date) for c in notes] == credit_notes, story
    for note in notes:  # paid back in full on its day: nothing owed to the client
        assert [(r.amount, r.date) for r in note.refunds] == [(note.total, note.issue_date)]
    book = cg.Ledger.build(records, base_currency="USD")
    settlement = cg.settle(book, as_of=AS_OF)["in_A"]
    assert (settlement.open_balance, settlement.settled_on) == (open_balance, settled_on), story
    # The replay agrees with what the invoice says is owed (the review's amount-due check).
    assert settlement.open_balance == inv.amount_due, story


def test_a_dispute_in_another_currency_than_the_invoice_is_refused_naming_it() -> None:
    with pytest.raises(cg.DataError, match=r"dispute du_1: currency 'eur' is not the invoice"):
        mapped(invoice_a(**{REVERSALS_KEY: [{**dispute("lost"), "currency": "eur"}]}))


# ----------------------------------------------------------------------------- connector

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)


def listing(items: list[dict[str, Any]], path: str) -> dict[str, Any]:
    return {"object": "list", "url": path, "has_more": False, "data": items}


def connector(server: HTTPServer) -> StripeConnector:
    return StripeConnector(api_key="rk_test_51reversals0000", base_url=server.url_for("/"),
                           clock=lambda: NOW, sleep=lambda seconds: None, timezone="UTC")


def calls(server: HTTPServer) -> list[str]:
    return [request.path for request, _ in server.log]


def test_a_full_read_finds_a_chargeback_and_ignores_a_refund_outside_invoices(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice_a()], "/v1/invoices"))
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        listing([dispute("lost")], "/v1/disputes"))
    # A refund of a charge that paid no invoice (a one-off payment): left out.
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing([refund(2000, intent="pi_shop", ident="re_shop")], "/v1/refunds"))
    httpserver.expect_ordered_request(
        "/v1/invoices/in_A", query_string={"expand[]": "payments"}
    ).respond_with_json(invoice_a())
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    assert calls(httpserver) == ["/v1/invoices", "/v1/disputes", "/v1/refunds",
                                 "/v1/invoices/in_A"]
    (inv,) = [r for r in pulled.records if isinstance(r, Invoice)]
    assert (inv.status, inv.amount_due, inv.paid_on) == ("open", Decimal("100.00"), None)
    assert [r for r in pulled.records if isinstance(r, Payment | CreditNote)] == []
    book = cg.Ledger.build(pulled.records, base_currency="USD")
    assert cg.settle(book, as_of=AS_OF)["in_A"].open_balance == Decimal("100.00")


def test_invoices_paid_outside_a_payment_ask_for_no_disputes(httpserver: HTTPServer) -> None:
    # No invoice names a payment intent or charge (paid out of band, or not paid): no
    # dispute or refund can be on it, and neither list is read.
    raw = {k: v for k, v in invoice_a().items() if k != "payments"}
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([raw], "/v1/invoices"))
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    assert calls(httpserver) == ["/v1/invoices"]
    (inv,) = [r for r in pulled.records if isinstance(r, Invoice)]
    assert inv.status == "paid"


def test_a_key_that_may_not_read_disputes_gets_a_note_saying_what_to_allow(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice_a()], "/v1/invoices"))
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": (
            "The provided key 'rk_test_****0000' does not have the required permissions for "
            "this endpoint on account 'acct_1SECRET'. Having the 'rak_dispute_read' "
            "permission would allow this request to continue.")}}, status=403)
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing([refund(3000)], "/v1/refunds"))
    httpserver.expect_ordered_request("/v1/invoices/in_A").respond_with_json(invoice_a())
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    (note,) = pulled.notes
    assert "disputes not read" in note
    assert "rak_dispute_read" in note
    assert "Read access to Disputes" in note
    assert "acct_1SECRET" not in note
    assert "rk_test" not in note
    # The refunds were still read: the 30.00 refund is a credit note.
    assert [(c.id, c.total) for c in pulled.records if isinstance(c, CreditNote)] == [
        ("in_A/refund/re_1", Decimal("30.00"))]


def test_an_incremental_sync_reads_an_old_invoice_charged_back_since_the_cursor(
    httpserver: HTTPServer,
) -> None:
    cursor = NOW - timedelta(days=1)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([], "/v1/invoices"))
    httpserver.expect_ordered_request(
        "/v1/events", query_string={"limit": "100", "type": "invoice.*",
                                    "created[gte]": str(int(cursor.timestamp()) - 300)},
    ).respond_with_json(listing([], "/v1/events"))
    closed = {"id": "evt_1", "object": "event", "type": "charge.dispute.closed",
              "created": int((NOW - timedelta(hours=2)).timestamp()),
              "data": {"object": dispute("lost")}}
    httpserver.expect_ordered_request(
        "/v1/events", query_string={"limit": "100", "type": "charge.dispute.*",
                                    "created[gte]": str(int(cursor.timestamp()) - 300)},
    ).respond_with_json(listing([closed], "/v1/events"))
    # The invoice of the dispute's payment intent (its invoice payment), the refunded
    # charges' events (none), the lists, then the invoice read again.
    httpserver.expect_ordered_request(
        "/v1/invoice_payments", query_string={"payment[type]": "payment_intent",
                                              "payment[payment_intent]": "pi_1", "limit": "1"},
    ).respond_with_json(listing([{"id": "inpay_1", "object": "invoice_payment",
                                  "invoice": "in_A"}], "/v1/invoice_payments"))
    httpserver.expect_ordered_request(
        "/v1/events", query_string={"limit": "100", "type": "charge.refunded",
                                    "created[gte]": str(int(cursor.timestamp()) - 300)},
    ).respond_with_json(listing([], "/v1/events"))
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        listing([dispute("lost")], "/v1/disputes"))
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing([], "/v1/refunds"))
    httpserver.expect_ordered_request("/v1/invoices/in_A").respond_with_json(invoice_a())
    pulled = pull(connector(httpserver), SyncState({"invoices": cursor}), streams=["invoices"])
    httpserver.check_assertions()
    (inv,) = [r for r in pulled.records if isinstance(r, Invoice)]
    assert (inv.id, inv.status, inv.amount_due) == ("in_A", "open", Decimal("100.00"))
    assert pulled.state.cursor("invoices") == NOW
