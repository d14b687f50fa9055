"""Money that went back after a Stripe invoice was paid: a dispute (chargeback) and a refund
made without a credit note. Stripe leaves the invoice ``paid`` in both cases; the connector
reads the disputes and refunds of the invoice's payments (docs/connectors/stripe.md, "A
payment reversed").

The story of every row: invoice A, USD 100.00 issued 1 March 2026, due 31 March, paid by card
(payment intent pi_1) on 10 March; the review is as of 1 May. The reference reading is Xero's:
a payment taken back is a deleted payment, the invoice open and late again from its due date;
a refund is a credit note paid back in cash (lower revenue, nothing owed)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.http import MissingRecords
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard.store import Store
from clientguard_stripe import StripeConnector
from clientguard_stripe.mapping import invoice_records
from clientguard_stripe.reversals import (
    CREDIT_NOTED_KEY,
    REVERSALS_KEY,
    invoice_of_refund_credit_note,
    lookup_param,
    own_payment_lookups,
    payment_lookups,
)

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


def noted(item: dict[str, Any], credited: int | None) -> dict[str, Any]:
    """A refund as the connector hands it after reading the invoice's credit notes: how
    much of it (minor units; None: all, an older credit note's ``refund``) they name."""
    return {**item, CREDIT_NOTED_KEY: credited}


def in_parts(second_at: str) -> dict[str, Any]:
    """A paid in two parts: 60.00 by pi_1 on 10 March, 40.00 by pi_2 on ``second_at``."""
    return {
        "status_transitions": {"finalized_at": ts("2026-03-01T10:00:00"), "paid_at": ts(second_at)},
        "payments": {"object": "list", "has_more": False, "data": [
            {"id": f"inpay_{n}", "object": "invoice_payment", "amount_paid": amount,
             "status": "paid", "payment": {"type": "payment_intent", "payment_intent": f"pi_{n}"},
             "status_transitions": {"paid_at": ts(at)}}
            for n, amount, at in [(1, 6000, "2026-03-10T10:00:00"), (2, 4000, second_at)]]},
    }


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
    # The 30.00 refund was made with a credit note (the invoice's credit note names re_1 in
    # its refunds, 30.00): the credit note's own refunds say it; no second credit note.
    ("refund made with a credit note",
     {REVERSALS_KEY: [noted(refund(3000), 3000)], "post_payment_credit_notes_amount": 3000},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # An older credit note names its refund without an amount: all of re_1 is its.
    ("refund named by an older credit note",
     {REVERSALS_KEY: [noted(refund(3000), None)], "post_payment_credit_notes_amount": 3000},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # A credit note names 10.00 of re_1 (30.00); re_2 (5.00) is named by none: 20.00 and
    # 5.00 are refunds without a credit note.
    ("refunds beyond the credit notes",
     {REVERSALS_KEY: [noted(refund(500, "2026-04-20T10:00:00", ident="re_2"), 0),
                      noted(refund(3000), 1000)],
      "post_payment_credit_notes_amount": 1000},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("20.00"), date(2026, 4, 12)),
                                    ("in_A/refund/re_2", D("5.00"), date(2026, 4, 20))],
     D("0"), date(2026, 3, 10)),
    # A 30.00 credit note credited to the customer's balance (it names no refund) and a
    # separate 50.00 refund: Stripe's post_payment_credit_notes_amount is 30.00, but the
    # balance credit refunded nothing, so all 50.00 is a refund without a credit note
    # (before: 20.00, the first 30.00 taken for the credit note's).
    ("balance credit note beside a refund",
     {REVERSALS_KEY: [noted(refund(5000), 0)], "post_payment_credit_notes_amount": 3000},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("50.00"), date(2026, 4, 12))],
     D("0"), date(2026, 3, 10)),
    # The same without the connector's word on credit notes (a key that may not read them):
    # the refund is counted whole, never guessed from the amount.
    ("refund, credit notes not read",
     {REVERSALS_KEY: [refund(5000)], "post_payment_credit_notes_amount": 3000},
     ("paid", D("0"), None), PAID, [("in_A/refund/re_1", D("50.00"), date(2026, 4, 12))],
     D("0"), date(2026, 3, 10)),
    ("refund failed", {REVERSALS_KEY: [refund(3000, status="failed")]},
     ("paid", D("0"), None), PAID, [], D("0"), date(2026, 3, 10)),
    # Paid in two parts, 60.00 on 10 March (pi_1) and 40.00 on 2 April (pi_2); 25.00 of
    # the second charged back: it comes off that part (15.00 left of it), 25.00 open.
    ("dispute lost on the later part", {REVERSALS_KEY: [dispute("lost", 2500, intent="pi_2")],
                                        **in_parts("2026-04-02T10:00:00")},
     ("open", D("25.00"), None),
     [("in_A/paid/inpay_1", D("60.00")), ("in_A/paid/inpay_2", D("15.00"))], [], D("25.00"),
     None),
    # The first part (60.00 by pi_1 on 10 March) charged back in full: it comes off that
    # part, not the latest: 40.00 paid on 2 April stays, 60.00 open (before: 40.00 left on
    # 10 March, the 2 April payment gone).
    ("dispute lost on the earlier part", {REVERSALS_KEY: [dispute("lost", 6000)],
                                          **in_parts("2026-04-02T10:00:00")},
     ("open", D("60.00"), None), [("in_A/paid/inpay_2", D("40.00"))], [], D("60.00"), None),
    # 70.00 disputed on pi_1, more than its 60.00 part (a dispute no part can hold): the
    # 10.00 beyond it comes off the latest part: 30.00 left of 2 April's, 70.00 open.
    ("dispute beyond its part", {REVERSALS_KEY: [dispute("lost", 7000)],
                                 **in_parts("2026-04-02T10:00:00")},
     ("open", D("70.00"), None), [("in_A/paid/inpay_2", D("30.00"))], [], D("70.00"), None),
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


def test_a_chargeback_of_the_first_instalment_leaves_the_second_on_its_day() -> None:
    # USD 100.00 due 31 March: 60.00 by pi_1 on 10 March (charged back, lost), 40.00 by
    # pi_2 on 20 April. What the client paid is 40.00 on 20 April, 20 days after the due
    # date; 60.00 is open. Before, the 40.00 stayed on 10 March (on time) and 20 April's
    # payment was taken back instead.
    records = mapped(invoice_a(**{REVERSALS_KEY: [dispute("lost", 6000)],
                                  **in_parts("2026-04-20T10:00:00")}))
    assert [(p.id, p.date, p.amount) for p in records if isinstance(p, Payment)] == [
        ("in_A/paid/inpay_2", date(2026, 4, 20), D("40.00"))]
    book = cg.Ledger.build(records, base_currency="USD")
    settlement = cg.settle(book, as_of=AS_OF)["in_A"]
    assert (settlement.open_balance, settlement.settled_on) == (D("60.00"), None)


@settings(max_examples=150, deadline=None)
@given(first=st.integers(1, 20000), second=st.integers(1, 20000),
       disputed=st.integers(1, 50000), on_first=st.booleans())
def test_a_chargeback_comes_off_its_own_instalment_first(
    first: int, second: int, disputed: int, on_first: bool,
) -> None:
    # Invariants: what the payments keep is what was paid less what the dispute took (never
    # below zero); the part the dispute is not on is untouched while the disputed part can
    # hold the dispute; what is owed again is what the dispute took.
    parts = in_parts("2026-04-02T10:00:00")
    parts["payments"]["data"][0]["amount_paid"] = first
    parts["payments"]["data"][1]["amount_paid"] = second
    total = first + second
    records = mapped(invoice_a(**{
        REVERSALS_KEY: [dispute("lost", disputed, intent="pi_1" if on_first else "pi_2")],
        "total": total, "amount_due": total, "amount_paid": total, **parts}))
    kept = {p.id: p.amount for p in records if isinstance(p, Payment)}
    cents = Decimal("0.01")
    taken = min(disputed, total)
    assert sum(kept.values(), D("0")) == (total - taken) * cents
    own, other = ("inpay_1", "inpay_2") if on_first else ("inpay_2", "inpay_1")
    own_amount, other_amount = (first, second) if on_first else (second, first)
    if disputed <= own_amount:
        assert kept[f"in_A/paid/{other}"] == other_amount * cents
        assert kept.get(f"in_A/paid/{own}", D("0")) == (own_amount - disputed) * cents
    (inv,) = [r for r in records if isinstance(r, Invoice)]
    assert inv.amount_due == taken * cents
    if taken > 1:  # within the policy's settle_tolerance (0.01) an invoice reads settled
        book = cg.Ledger.build(records, base_currency="USD")
        assert cg.settle(book, as_of=AS_OF)["in_A"].open_balance == taken * cents


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
    httpserver.expect_ordered_request(
        "/v1/credit_notes", query_string={"invoice": "in_A", "limit": "100"}
    ).respond_with_json(listing([], "/v1/credit_notes"))
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
    # The reversal and credit note events, in one read (types[]: the dispute's is among
    # them), then the invoice of the dispute's payment intent (its invoice payment), the
    # invoice read again (its payments to look up), then the lists.
    httpserver.expect_ordered_request("/v1/events").respond_with_handler(
        events_by_type({"disputes": [closed]}))
    httpserver.expect_ordered_request(
        "/v1/invoice_payments", query_string={"payment[type]": "payment_intent",
                                              "payment[payment_intent]": "pi_1", "limit": "1"},
    ).respond_with_json(listing([{"id": "inpay_1", "object": "invoice_payment",
                                  "invoice": "in_A"}], "/v1/invoice_payments"))
    httpserver.expect_ordered_request("/v1/invoices/in_A").respond_with_json(invoice_a())
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        listing([dispute("lost")], "/v1/disputes"))
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing([], "/v1/refunds"))
    pulled = pull(connector(httpserver), SyncState({"invoices": cursor}), streams=["invoices"])
    httpserver.check_assertions()
    (reversal_read,) = [r.args for r, _ in httpserver.log
                        if r.path == "/v1/events" and "type" not in r.args]
    assert "charge.dispute.closed" in reversal_read.getlist("types[]")
    assert reversal_read["created[gte]"] == str(int(cursor.timestamp()) - 300)
    (inv,) = [r for r in pulled.records if isinstance(r, Invoice)]
    assert (inv.id, inv.status, inv.amount_due) == ("in_A", "open", Decimal("100.00"))
    assert pulled.state.cursor("invoices") == NOW


@pytest.mark.parametrize(("answer", "said"), [
    pytest.param({}, "the body has no 'data' list", id="no-data"),
    pytest.param({"object": "list", "data": None}, "'data' is null, not a list", id="null"),
    pytest.param({"object": "list", "data": {}}, "'data' is an object, not a list",
                 id="object"),
    pytest.param([], "an object holding the 'data' list was due, the body is a list",
                 id="a-list"),
    pytest.param({"object": "list", "data": ["in_A"]},
                 "item 1 of the 'data' list is a text, not an object", id="a-text-item"),
])
def test_an_invoice_payments_answer_without_its_list_fails_instead_of_dropping_the_dispute(
    httpserver: HTTPServer, answer: Any, said: str,
) -> None:
    # The lost dispute of pi_1 (invoice A's payment) is found by looking its payment intent
    # up in v1/invoice_payments. An answer without the 'data' list was read as "no invoice"
    # (a charge outside Stripe Billing): the chargeback was dropped without a word and A
    # stayed paid; an empty 'data' list is that answer, a body without one is not.
    cursor = NOW - timedelta(days=1)
    closed = {"id": "evt_1", "object": "event", "type": "charge.dispute.closed",
              "created": int((NOW - timedelta(hours=2)).timestamp()),
              "data": {"object": dispute("lost")}}
    httpserver.expect_request("/v1/invoices").respond_with_json(listing([], "/v1/invoices"))
    httpserver.expect_request("/v1/events", query_string={
        "limit": "100", "type": "invoice.*",
        "created[gte]": str(int(cursor.timestamp()) - 300)},
    ).respond_with_json(listing([], "/v1/events"))
    httpserver.expect_request("/v1/events").respond_with_handler(
        events_by_type({"disputes": [closed]}))
    httpserver.expect_request("/v1/invoice_payments").respond_with_json(answer)
    httpserver.expect_request("/v1/disputes").respond_with_json(listing([], "/v1/disputes"))
    httpserver.expect_request("/v1/refunds").respond_with_json(listing([], "/v1/refunds"))
    with pytest.raises(MissingRecords) as caught:
        pull(connector(httpserver), SyncState({"invoices": cursor}), streams=["invoices"])
    message = str(caught.value)
    assert "v1/invoice_payments" in message
    assert said in message
    assert "try again" in message
    assert caught.value.context.stream == "invoices"
    assert "rk_test" not in message


def test_refunds_are_matched_to_the_invoices_credit_notes_by_refund_id(
    httpserver: HTTPServer,
) -> None:
    # A paid 100.00 on 10 March. cn_1 credits 30.00 to the customer's balance (no refund);
    # re_1 refunds 50.00 on 12 April without a credit note; re_2 (20.00, 20 April) is
    # cn_2's refund. Stripe's post_payment_credit_notes_amount is 50.00 (30 + 20), which
    # the amount reading took to cover re_1 whole and counted re_2 (20.00); by refund id,
    # re_1's 50.00 is the refund without a credit note and re_2 is cn_2's.
    refunds = [refund(5000), refund(2000, "2026-04-20T10:00:00", ident="re_2")]
    raw = invoice_a(post_payment_credit_notes_amount=5000)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([raw], "/v1/invoices"))
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        listing([], "/v1/disputes"))
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing(refunds, "/v1/refunds"))
    credit_notes = [
        {"id": "cn_1", "object": "credit_note", "invoice": "in_A", "status": "issued",
         "total": 3000, "post_payment_amount": 3000, "refunds": []},
        {"id": "cn_2", "object": "credit_note", "invoice": "in_A", "status": "issued",
         "total": 2000, "post_payment_amount": 2000,
         "refunds": [{"refund": "re_2", "amount_refunded": 2000, "type": "refund"}]},
    ]
    httpserver.expect_ordered_request(
        "/v1/credit_notes", query_string={"invoice": "in_A", "limit": "100"}
    ).respond_with_json(listing(credit_notes, "/v1/credit_notes"))
    httpserver.expect_ordered_request("/v1/invoices/in_A").respond_with_json(raw)
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    assert [(c.id, c.total, c.issue_date) for c in pulled.records
            if isinstance(c, CreditNote)] == [
        ("in_A/refund/re_1", Decimal("50.00"), date(2026, 4, 12))]


def test_a_key_that_may_not_read_credit_notes_counts_refunds_whole_with_a_note(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice_a()], "/v1/invoices"))
    httpserver.expect_ordered_request("/v1/disputes").respond_with_json(
        listing([], "/v1/disputes"))
    httpserver.expect_ordered_request("/v1/refunds").respond_with_json(
        listing([refund(3000)], "/v1/refunds"))
    httpserver.expect_ordered_request("/v1/credit_notes").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": (
            "The provided key 'rk_test_****0000' does not have the required permissions for "
            "this endpoint on account 'acct_1SECRET'. Having the 'rak_credit_note_read' "
            "permission would allow this request to continue.")}}, status=403)
    httpserver.expect_ordered_request("/v1/invoices/in_A").respond_with_json(invoice_a())
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    (note,) = pulled.notes
    assert "credit notes not read" in note
    assert "rak_credit_note_read" in note
    assert "acct_1SECRET" not in note
    assert [(c.id, c.total) for c in pulled.records if isinstance(c, CreditNote)] == [
        ("in_A/refund/re_1", Decimal("30.00"))]


ACCOUNT = {"id": "acct_1", "object": "account", "settings": {"dashboard": {"timezone": "UTC"}}}


def matches(request: Request, kind: str) -> bool:
    """Whether an events request asks for events of type ``kind`` as Stripe filters them:
    ``type`` is one name or a group with ``*`` (``invoice.*``); ``types[]`` holds exact names
    only (docs.stripe.com/api/events/list)."""
    one = request.args.get("type")
    if one is not None:
        return kind == one or (one.endswith("*") and kind.startswith(one[:-1]))
    return kind in request.args.getlist("types[]")


def events_by_type(found: dict[str, list[dict[str, Any]]]) -> Any:
    """A /v1/events handler answering as Stripe does: the events of ``found`` (grouped by
    any label) of the types asked (:func:`matches`), newest first; a 400 for ``type`` and
    ``types[]`` together or more than 20 types, which Stripe refuses."""
    events = [item for group in found.values() for item in group]

    def answer(request: Request) -> Response:
        many = request.args.getlist("types[]")
        if len(many) > 20 or (many and "type" in request.args):
            error = {"error": {"type": "invalid_request_error", "message": "bad types"}}
            return Response(json.dumps(error), status=400, content_type="application/json")
        chosen = sorted((e for e in events if matches(request, e["type"])),
                        key=lambda e: -int(e["created"]))
        body = listing(chosen, "/v1/events")
        return Response(json.dumps(body), content_type="application/json")
    return answer


def stored(store: Store) -> tuple[list[tuple[str, str, Decimal | None]], list[str]]:
    book = store.load(base_currency="USD")
    return ([(i.id, i.status, i.amount_due) for i in book.invoices],
            sorted([*(p.id for p in book.payments), *(c.id for c in book.credit_notes)]))


def sync_at(store: Store, server: HTTPServer, now: datetime,
            streams: Sequence[str] = ("invoices",)) -> None:
    store.sync(StripeConnector(api_key="rk_test_51reversals0000", base_url=server.url_for("/"),
                               clock=lambda: now, sleep=lambda seconds: None),
               streams=list(streams))


@pytest.mark.parametrize(
    ("story", "first", "events", "then", "after"),
    [
        # Charged back (lost) before the first sync, then an invoice.updated event (its
        # metadata edited): the event's invoice lists no payments, so it was stored paid
        # again (100.00 owed became 0). Read again with its payments, it keeps the
        # chargeback: 100.00 open.
        ("invoice edited after a chargeback",
         ([dispute("lost")], []),
         {"invoice.*": [{"id": "evt_9", "object": "event", "type": "invoice.updated",
                         "created": ts("2026-04-15T10:00:00"),
                         "data": {"object": {**{k: v for k, v in invoice_a().items()
                                                if k != "payments"},
                                             "metadata": {"po": "123"}}}}]},
         ([dispute("lost")], []),
         ([("in_A", "open", Decimal("100.00"))], [])),
        # A 30.00 refund pending at the first sync (a credit note refunded) fails: Stripe
        # says so with refund.failed/refund.updated (charge.refund.updated before
        # 2024-10-28.acacia), never charge.refunded. The invoice is read again and the
        # refund's credit note leaves: 100.00 was received and kept.
        ("pending refund failed",
         ([], [refund(3000, status="pending")]),
         {"refund.*": [{"id": "evt_r", "object": "event", "type": "refund.failed",
                        "created": ts("2026-04-15T10:00:00"),
                        "data": {"object": refund(3000, status="failed")}}]},
         ([], [refund(3000, status="failed")]),
         ([("in_A", "paid", Decimal("0"))], ["in_A/paid"])),
    ],
    ids=["invoice edited after a chargeback", "pending refund failed"],
)
def test_an_incremental_sync_keeps_what_a_full_read_says_was_taken_back(
    httpserver: HTTPServer, tmp_path: Path, story: str,
    first: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    events: dict[str, list[dict[str, Any]]],
    then: tuple[list[dict[str, Any]], list[dict[str, Any]]],
    after: tuple[list[tuple[str, str, Decimal]], list[str]],
) -> None:
    def serve(reversed_: tuple[list[dict[str, Any]], list[dict[str, Any]]],
              listed: list[dict[str, Any]]) -> None:
        httpserver.expect_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_request("/v1/invoices").respond_with_json(
            listing(listed, "/v1/invoices"))
        httpserver.expect_request("/v1/disputes").respond_with_json(
            listing(reversed_[0], "/v1/disputes"))
        httpserver.expect_request("/v1/refunds").respond_with_json(
            listing(reversed_[1], "/v1/refunds"))
        httpserver.expect_request("/v1/credit_notes").respond_with_json(
            listing([], "/v1/credit_notes"))
        httpserver.expect_request("/v1/invoice_payments").respond_with_json(listing(
            [{"id": "inpay_1", "object": "invoice_payment", "invoice": "in_A"}],
            "/v1/invoice_payments"))
        httpserver.expect_request("/v1/invoices/in_A").respond_with_json(invoice_a())

    with Store.open(tmp_path / "cg.db") as store:
        serve(first, [invoice_a()])
        sync_at(store, httpserver, datetime(2026, 4, 13, 12, tzinfo=UTC))
        httpserver.clear()
        httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(events))
        serve(then, [])
        sync_at(store, httpserver, datetime(2026, 4, 20, 12, tzinfo=UTC))
        asked = [r for r, _ in httpserver.log if r.path == "/v1/events"]
        served = [item["type"] for group in events.values() for item in group]
        assert all(any(matches(r, kind) for r in asked) for kind in served), story
        assert stored(store) == after, story


def credit_note_of_re_1(status: str = "issued", **changes: Any) -> dict[str, Any]:
    """cn_1 on A, 30.00 issued 15 April, paid back as the refund re_1 (30.00, 12 April)."""
    raw: dict[str, Any] = {
        "id": "cn_1", "object": "credit_note", "customer": "cus_1", "invoice": "in_A",
        "currency": "usd", "status": status, "type": "post_payment", "total": 3000,
        "created": ts("2026-04-15T10:00:00"), "effective_at": ts("2026-04-15T10:00:00"),
        "pre_payment_amount": 0, "post_payment_amount": 3000, "out_of_band_amount": None,
        "refunds": [{"refund": "re_1", "amount_refunded": 3000, "type": "refund"}],
        "customer_balance_transaction": None,
    }
    raw.update(changes)
    return raw


def event(kind: str, obj: dict[str, Any], at: str = "2026-04-16T10:00:00") -> dict[str, Any]:
    return {"id": f"evt_{kind}", "object": "event", "type": kind, "created": ts(at),
            "data": {"object": obj}}


BALANCE_CREDIT = credit_note_of_re_1(id="cn_2", refunds=[],
                                     customer_balance_transaction="cbtxn_1")

# Each row: the refunds and credit notes at the first sync (13 April); the events since, and
# the refunds and credit notes at the second (20 April); then by hand: A's payments and
# credit notes stored after each sync, what the credit notes total (A's 100.00 less it is
# its revenue: the 30.00 refund counted once), and how often the second sync read A again.
CREDIT_NOTE_ROWS = [
    # re_1 stored as a refund without a credit note; cn_1 names it on 15 April (no
    # invoice.* or refund.* event: A did not change). Before: in_A/refund/re_1 stayed
    # beside cn_1, 60.00 taken off A's revenue for a 30.00 refund.
    ("credit note after the refund's first sync",
     ([refund(3000)], []), ["in_A/paid", "in_A/refund/re_1"],
     {"credit_note.*": [event("credit_note.created", credit_note_of_re_1())]},
     ([refund(3000)], [credit_note_of_re_1()]), ["cn_1", "in_A/paid"], Decimal("30.00"), 1),
    # cn_1 named re_1 already at the first sync; its memo edited since: still cn_1 alone.
    ("credit note before the refund's first sync, edited later",
     ([refund(3000)], [credit_note_of_re_1()]), ["cn_1", "in_A/paid"],
     {"credit_note.*": [event("credit_note.updated", credit_note_of_re_1(memo="x"))]},
     ([refund(3000)], [credit_note_of_re_1(memo="x")]), ["cn_1", "in_A/paid"],
     Decimal("30.00"), 1),
    # The refund and the credit note naming it both since the first sync: the refund's
    # event names A, and A's credit notes are read with it.
    ("refund and its credit note since the first sync",
     ([], []), ["in_A/paid"],
     {"refund.*": [event("refund.created", refund(3000))],
      "credit_note.*": [event("credit_note.created", credit_note_of_re_1())]},
     ([refund(3000)], [credit_note_of_re_1()]), ["cn_1", "in_A/paid"], Decimal("30.00"), 1),
    # cn_1 voided on 18 April: it names no refund any more, so re_1 is a refund without a
    # credit note again (before: neither was stored, A's revenue 100.00).
    ("credit note voided later",
     ([refund(3000)], [credit_note_of_re_1()]), ["cn_1", "in_A/paid"],
     {"credit_note.*": [event("credit_note.voided", credit_note_of_re_1("void"))]},
     ([refund(3000)], [credit_note_of_re_1("void")]), ["in_A/paid", "in_A/refund/re_1"],
     Decimal("30.00"), 1),
    # A 30.00 credit note credited to the customer's balance names no refund: it cannot
    # cover re_1, and A is not read again for it.
    ("balance credit note later",
     ([refund(3000)], []), ["in_A/paid", "in_A/refund/re_1"],
     {"credit_note.*": [event("credit_note.created", BALANCE_CREDIT)]},
     ([refund(3000)], [BALANCE_CREDIT]), ["cn_2", "in_A/paid", "in_A/refund/re_1"],
     Decimal("60.00"), 0),
]


@pytest.mark.parametrize(
    ("story", "first", "first_stored", "events", "then", "after", "credited", "rereads"),
    CREDIT_NOTE_ROWS, ids=[row[0] for row in CREDIT_NOTE_ROWS],
)
def test_a_credit_note_naming_a_stored_refund_or_voided_later_counts_it_once(
    httpserver: HTTPServer, tmp_path: Path, story: str,
    first: tuple[list[dict[str, Any]], list[dict[str, Any]]], first_stored: list[str],
    events: dict[str, list[dict[str, Any]]],
    then: tuple[list[dict[str, Any]], list[dict[str, Any]]], after: list[str],
    credited: Decimal, rereads: int,
) -> None:
    def serve(state: tuple[list[dict[str, Any]], list[dict[str, Any]]],
              listed: list[dict[str, Any]], found: dict[str, list[dict[str, Any]]]) -> None:
        refunds, credit_notes = state
        httpserver.expect_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_request("/v1/invoices").respond_with_json(
            listing(listed, "/v1/invoices"))
        httpserver.expect_request("/v1/disputes").respond_with_json(
            listing([], "/v1/disputes"))
        httpserver.expect_request("/v1/refunds").respond_with_json(
            listing(refunds, "/v1/refunds"))
        # The credit notes created since (the stream's list) and A's (?invoice=in_A).
        httpserver.expect_request("/v1/credit_notes").respond_with_json(
            listing(credit_notes, "/v1/credit_notes"))
        httpserver.expect_request("/v1/invoice_payments").respond_with_json(listing(
            [{"id": "inpay_1", "object": "invoice_payment", "invoice": "in_A"}],
            "/v1/invoice_payments"))
        httpserver.expect_request("/v1/invoices/in_A").respond_with_json(invoice_a())
        httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(found))

    def sync(now: datetime) -> None:
        sync_at(store, httpserver, now, streams=("invoices", "credit_notes"))

    with Store.open(tmp_path / "cg.db") as store:
        serve(first, [invoice_a()], {})
        sync(datetime(2026, 4, 13, 12, tzinfo=UTC))
        assert stored(store) == ([("in_A", "paid", Decimal("0"))], first_stored), story
        httpserver.clear()
        serve(then, [], events)
        sync(datetime(2026, 4, 20, 12, tzinfo=UTC))
        assert stored(store) == ([("in_A", "paid", Decimal("0"))], after), story
        book = store.load(base_currency="USD")
        assert sum(c.total for c in book.credit_notes) == credited, story
        assert [r.path for r, _ in httpserver.log].count("/v1/invoices/in_A") == rereads, story


@pytest.mark.parametrize(
    ("snapshot", "invoice"),
    [
        pytest.param(credit_note_of_re_1(), "in_A", id="names-its-refund"),
        pytest.param(credit_note_of_re_1(invoice={"id": "in_A", "object": "invoice"}),
                     "in_A", id="expanded-invoice"),
        pytest.param(credit_note_of_re_1(refunds=None, refund="re_1"), "in_A",
                     id="older-refund"),
        # Voided: whatever it still lists, the refund it named is without a credit note.
        pytest.param(credit_note_of_re_1("void", refunds=[]), "in_A", id="void"),
        pytest.param(BALANCE_CREDIT, None, id="balance-credit-names-no-refund"),
        pytest.param(credit_note_of_re_1(invoice=None), None, id="no-invoice"),
    ],
)
def test_which_credit_note_changes_make_an_invoice_read_again(
    snapshot: dict[str, Any], invoice: str | None,
) -> None:
    assert invoice_of_refund_credit_note(snapshot) == invoice


# ------------------------------------------------------- an incremental sync's cost (long lists)

def shop_reversals(kind: str, count: int) -> list[dict[str, Any]]:
    """``count`` disputes or refunds of one-off payments (no invoice's), newest first."""
    made = [dispute("lost", 100, ident=f"di_shop{n:05d}", intent=f"pi_shop{n}")
            if kind == "dispute" else refund(100, ident=f"re_shop{n:05d}", intent=f"pi_shop{n}")
            for n in range(count)]
    return [{**item, "charge": f"ch_shop{n}", "created": ts("2026-02-01T10:00:00")}
            for n, item in enumerate(made)]


def reversal_list(objects: list[dict[str, Any]]) -> Any:
    """A /v1/disputes or /v1/refunds handler as Stripe answers it: newest first, filtered by
    ``payment_intent`` or ``charge``, paged by ``limit`` and ``starting_after``."""
    def answer(request: Request) -> Response:
        chosen = [o for o in objects
                  if all(o.get(key) == request.args[key] for key in ("payment_intent", "charge")
                         if key in request.args)]
        after = request.args.get("starting_after")
        start = next((n + 1 for n, o in enumerate(chosen) if o["id"] == after), 0)
        size = int(request.args.get("limit", "10"))
        body = {"object": "list", "url": request.path, "data": chosen[start:start + size],
                "has_more": start + size < len(chosen)}
        return Response(json.dumps(body), content_type="application/json")
    return answer


def serve_long_lists(server: HTTPServer, disputes: list[dict[str, Any]],
                     refunds: list[dict[str, Any]]) -> None:
    server.expect_request("/v1/disputes").respond_with_handler(reversal_list(disputes))
    server.expect_request("/v1/refunds").respond_with_handler(reversal_list(refunds))


def renewal() -> dict[str, Any]:
    """in_N, created since the cursor and paid at once by the payment intent it made itself
    (its default invoice payment, pi_N): a subscription's renewal."""
    at = ts("2026-05-01T09:00:00")
    return invoice_a(id="in_N", number="N", created=at, effective_at=at, due_date=at,
                     status_transitions={"finalized_at": at, "paid_at": at},
                     payments={"object": "list", "has_more": False, "data": [
                         {"id": "inpay_N", "object": "invoice_payment", "amount_paid": 10000,
                          "is_default": True, "status": "paid",
                          "payment": {"type": "payment_intent", "payment_intent": "pi_N"},
                          "status_transitions": {"paid_at": at}}]})


#: How :func:`sent` shows the invoices' own events read (``type=invoice.*``) and the one read
#: of the 13 reversal and credit note event types (``types[]``: 5 charge.dispute.*, 2 charge
#: refund, 3 refund.* and 3 credit_note.* names of Stripe's event types list).
INVOICE_EVENTS = "/v1/events?type=invoice.*"
REVERSAL_EVENTS_READ = "/v1/events?types[]=13"


def sent(server: HTTPServer) -> list[str]:
    """The calls made, each with what it filters by: a list's payment intent or charge, the
    events' type, or how many exact types."""
    shown = []
    for request, _ in server.log:
        args = request.args
        picked = "".join(f"?{k}={args[k]}" for k in ("payment_intent", "charge", "type")
                         if k in args)
        many = args.getlist("types[]")
        shown.append(request.path + picked + (f"?types[]={len(many)}" if many else ""))
    return shown


EDITED = {"invoice.*": [event("invoice.updated",
                              {**{k: v for k, v in invoice_a().items() if k != "payments"},
                               "metadata": {"po": "123"}}, "2026-05-01T08:00:00")]}


@pytest.mark.parametrize(
    ("story", "listed", "events", "asked"),
    [
        # 1,000 disputes and 20,000 refunds, none new; one renewal paid since the cursor.
        # Before: both lists read whole at every sync, 10 + 200 calls for nothing (217).
        # The renewal's payment is younger than the cursor: a dispute or refund of it
        # would be in the events since; neither list is asked. The invoice events, then the
        # 13 reversal and credit note types in one read: 3 calls (7 when each type or
        # wildcard was a read of its own).
        ("a renewal paid since the cursor", [renewal()], {},
         ["/v1/invoices", INVOICE_EVENTS, REVERSAL_EVENTS_READ]),
        # An old invoice edited since (its metadata): read again with its payments; its
        # disputes and refunds may be older than the cursor, so its one payment is looked
        # up in each list, after the first page: 8 calls (218 reading the lists whole, 12
        # with a read per event type).
        ("an old paid invoice edited", [], EDITED,
         ["/v1/invoices", INVOICE_EVENTS, "/v1/invoices/in_A", REVERSAL_EVENTS_READ,
          "/v1/disputes", "/v1/disputes?payment_intent=pi_1",
          "/v1/refunds", "/v1/refunds?payment_intent=pi_1"]),
    ],
    ids=["renewal", "old invoice edited"],
)
def test_an_incremental_sync_reads_no_long_list_of_disputes_or_refunds_whole(
    httpserver: HTTPServer, story: str, listed: list[dict[str, Any]],
    events: dict[str, list[dict[str, Any]]], asked: list[str],
) -> None:
    serve_long_lists(httpserver, shop_reversals("dispute", 1000),
                     shop_reversals("refund", 20000))
    httpserver.expect_request("/v1/invoices").respond_with_json(
        listing(listed, "/v1/invoices"))
    httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(events))
    httpserver.expect_request("/v1/invoices/in_A").respond_with_json(invoice_a())
    pulled = pull(connector(httpserver), SyncState({"invoices": NOW - timedelta(days=1)}),
                  streams=["invoices"])
    assert sent(httpserver) == asked, story
    assert [(i.id, i.status) for i in pulled.records if isinstance(i, Invoice)] == [
        (raw["id"], "paid") for raw in [*listed, *([invoice_a()] if events else [])]], story


def behind(kind: str, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A long list (150 one-off payments' disputes or refunds) with ``items`` beyond its
    first page."""
    return [*shop_reversals(kind, 150), *items]


IN_PARTS = invoice_a(**in_parts("2026-03-20T10:00:00"))
ON_PI_2 = {"payment_intent": "pi_2", "charge": "ch_2"}

# Each row: A as Stripe reads it; the disputes, refunds and credit notes at the first sync
# (13 April, a full read); the events since and the disputes, refunds and credit notes at
# the second (20 April, incremental); then by hand: A (status, amount due, disputed) and
# its payments and credit notes stored after each sync. A's reversals are beyond the
# lists' first page: the second sync looks A's payments up instead of reading on.
LONG_ROWS = [
    # re_1 (30.00, 12 April) stored; re_2 (20.00, 16 April) since: both counted.
    ("a new refund", invoice_a(),
     ([], [refund(3000)], []), (("paid", D("0"), False), ["in_A/paid", "in_A/refund/re_1"]),
     {"refund.*": [event("refund.created",
                         refund(2000, "2026-04-16T10:00:00", ident="re_2"))]},
     ([], [refund(2000, "2026-04-16T10:00:00", ident="re_2"), refund(3000)], []),
     (("paid", D("0"), False), ["in_A/paid", "in_A/refund/re_1", "in_A/refund/re_2"])),
    # Disputed on 20 March (needs_response): open and disputed; lost on 16 April: open,
    # no longer disputed, the debt stays.
    ("a dispute that turns lost", invoice_a(),
     ([dispute("needs_response")], [], []), (("open", D("100.00"), True), []),
     {"charge.dispute.*": [event("charge.dispute.closed", dispute("lost"))]},
     ([dispute("lost")], [], []), (("open", D("100.00"), False), [])),
    # cn_1 made re_1 (30.00) at the first sync; re_2 (20.00) refunded on 16 April without
    # a credit note: re_2 is a refund without one, re_1 stays cn_1's (counted once).
    ("a refund made after the credit note", invoice_a(),
     ([], [refund(3000)], [credit_note_of_re_1()]), (("paid", D("0"), False),
                                                      ["cn_1", "in_A/paid"]),
     {"refund.*": [event("refund.created",
                         refund(2000, "2026-04-16T10:00:00", ident="re_2"))]},
     ([], [refund(2000, "2026-04-16T10:00:00", ident="re_2"), refund(3000)],
      [credit_note_of_re_1()]),
     (("paid", D("0"), False), ["cn_1", "in_A/paid", "in_A/refund/re_2"])),
    # Paid 60.00 by pi_1 (charged back, lost, before the first sync) and 40.00 by pi_2;
    # 10.00 of pi_2 refunded since. The refund's event names pi_2 only: A is read and its
    # pi_1 looked up too, so the chargeback stays (before: the whole list was matched by
    # the event's payment alone, the chargeback dropped and A stored paid, 0 owed).
    ("a part charged back, the other refunded since", IN_PARTS,
     ([dispute("lost", 6000)], [], []),
     (("open", D("60.00"), False), ["in_A/paid/inpay_2"]),
     {"refund.*": [event("refund.created", {
         **refund(1000, "2026-04-16T10:00:00", ident="re_2"), **ON_PI_2})]},
     ([dispute("lost", 6000)], [{**refund(1000, "2026-04-16T10:00:00", ident="re_2"),
                                 **ON_PI_2}], []),
     (("open", D("60.00"), False), ["in_A/paid/inpay_2", "in_A/refund/re_2"])),
]


@pytest.mark.parametrize(
    ("story", "raw", "first", "first_stored", "events", "then", "after"),
    LONG_ROWS, ids=[row[0] for row in LONG_ROWS],
)
def test_an_incremental_sync_of_long_lists_keeps_what_a_full_read_says(
    httpserver: HTTPServer, tmp_path: Path, story: str, raw: dict[str, Any],
    first: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
    first_stored: tuple[tuple[str, Decimal, bool], list[str]],
    events: dict[str, list[dict[str, Any]]],
    then: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
    after: tuple[tuple[str, Decimal, bool], list[str]],
) -> None:
    def serve(state: tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]],
              listed: list[dict[str, Any]], found: dict[str, list[dict[str, Any]]]) -> None:
        disputes, refunds, credit_notes = state
        httpserver.expect_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_request("/v1/invoices").respond_with_json(
            listing(listed, "/v1/invoices"))
        serve_long_lists(httpserver, behind("dispute", disputes), behind("refund", refunds))
        httpserver.expect_request("/v1/credit_notes").respond_with_json(
            listing(credit_notes, "/v1/credit_notes"))
        httpserver.expect_request("/v1/invoice_payments").respond_with_json(listing(
            [{"id": "inpay_1", "object": "invoice_payment", "invoice": "in_A"}],
            "/v1/invoice_payments"))
        httpserver.expect_request("/v1/invoices/in_A").respond_with_json(raw)
        httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(found))

    def sync(now: datetime) -> None:
        sync_at(store, httpserver, now, streams=("invoices", "credit_notes"))

    def a_and_its_records() -> tuple[tuple[str, Decimal | None, bool], list[str]]:
        book = store.load(base_currency="USD")
        (inv,) = book.invoices
        return ((inv.status, inv.amount_due, inv.disputed),
                sorted([*(p.id for p in book.payments), *(c.id for c in book.credit_notes)]))

    with Store.open(tmp_path / "cg.db") as store:
        serve(first, [raw], {})
        sync(datetime(2026, 4, 13, 12, tzinfo=UTC))
        assert a_and_its_records() == first_stored, story
        httpserver.clear()
        serve(then, [], events)
        sync(datetime(2026, 4, 20, 12, tzinfo=UTC))
        assert a_and_its_records() == after, story
        paged = [r.path for r, _ in httpserver.log
                 if r.path in ("/v1/disputes", "/v1/refunds") and "starting_after" in r.args]
        assert paged == [], story  # neither list read on past its first page


def test_past_ten_payments_to_look_up_the_rest_of_the_list_is_read(
    httpserver: HTTPServer,
) -> None:
    # A paid in 11 parts of 10.00 (pi_1..pi_11), edited since the cursor; the last part
    # charged back (lost) before it, beyond the lists' first page. Past ten payments the
    # lists are read on (here one page more each) instead of eleven lookups each, and the
    # chargeback is found all the same.
    parts = [{"id": f"inpay_{n}", "object": "invoice_payment", "amount_paid": 1000,
              "status": "paid", "payment": {"type": "payment_intent", "payment_intent": f"pi_{n}"},
              "status_transitions": {"paid_at": ts("2026-03-10T10:00:00")}}
             for n in range(1, 12)]
    raw = invoice_a(total=11000, amount_due=11000, amount_paid=11000,
                    payments={"object": "list", "has_more": False, "data": parts})
    serve_long_lists(httpserver, behind("dispute", [dispute("lost", 1000, intent="pi_11")]),
                     behind("refund", []))
    httpserver.expect_request("/v1/invoices").respond_with_json(listing([], "/v1/invoices"))
    httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(EDITED))
    httpserver.expect_request("/v1/invoices/in_A").respond_with_json(raw)
    pulled = pull(connector(httpserver), SyncState({"invoices": NOW - timedelta(days=1)}),
                  streams=["invoices"])
    asked = [(r.path, sorted(r.args)) for r, _ in httpserver.log
             if r.path in ("/v1/disputes", "/v1/refunds")]
    assert asked == [("/v1/disputes", ["limit"]), ("/v1/disputes", ["limit", "starting_after"]),
                     ("/v1/refunds", ["limit"]), ("/v1/refunds", ["limit", "starting_after"])]
    (inv, *_) = [r for r in pulled.records if isinstance(r, Invoice)][::-1]
    assert (inv.status, inv.amount_due) == ("open", Decimal("10.00"))


@pytest.mark.parametrize(
    ("raw", "lookups", "own"),
    [
        # The payment intent the invoice made when finalised (is_default): its own.
        pytest.param(renewal(), {"pi_N"}, {"pi_N"}, id="default-invoice-payment"),
        # A payment attached to it (is_default false, or not said): perhaps older.
        pytest.param(invoice_a(), {"pi_1"}, set(), id="attached-payment"),
        # A charge without a payment intent is looked up by the charge.
        pytest.param(invoice_a(payments={"object": "list", "has_more": False, "data": [
            {"id": "inpay_1", "object": "invoice_payment", "is_default": True,
             "payment": {"type": "charge", "charge": "ch_9"}}]}), {"ch_9"}, {"ch_9"},
            id="charge"),
        # An older API version: the invoice's own charge and payment intent, one payment.
        pytest.param({"id": "in_A", "charge": "ch_1", "payment_intent": "pi_1"}, {"pi_1"},
                     {"pi_1"}, id="older-version"),
        pytest.param({"id": "in_A", "charge": {"id": "ch_1", "object": "charge"}},
                     {"ch_1"}, {"ch_1"}, id="older-version-expanded-charge"),
    ],
)
def test_which_payments_an_incremental_read_looks_up(
    raw: dict[str, Any], lookups: set[str], own: set[str],
) -> None:
    assert payment_lookups(raw) == lookups
    assert own_payment_lookups(raw) == own
    assert {lookup_param(key) for key in lookups} <= {"payment_intent", "charge"}


def test_an_invoice_an_event_names_counts_its_payments_toward_reading_the_lists_whole(
    httpserver: HTTPServer,
) -> None:
    # An old invoice paid in 15 parts; one part refunded since the cursor. Its 14 other
    # parts are to be looked up: past MAX_PAYMENT_LOOKUPS (10), each list is read whole (its
    # two pages) instead: 4 calls to the lists. They were 32, a lookup a part a list, when
    # the event's invoice was read after the lists were asked (review of 600f4a9).
    n_parts = 15
    parts = [{"id": f"inpay_{n}", "object": "invoice_payment", "amount_paid": 1000,
              "status": "paid",
              "payment": {"type": "payment_intent", "payment_intent": f"pi_{n}"},
              "status_transitions": {"paid_at": ts("2026-03-10T10:00:00")}}
             for n in range(1, n_parts + 1)]
    raw = invoice_a(total=1000 * n_parts, amount_due=1000 * n_parts,
                    amount_paid=1000 * n_parts,
                    payments={"object": "list", "has_more": False, "data": parts})
    re_new = {**refund(500, "2026-04-30T10:00:00", ident="re_new"),
              "payment_intent": "pi_1", "charge": "ch_x1"}
    serve_long_lists(httpserver, behind("dispute", []), behind("refund", [re_new]))
    httpserver.expect_request("/v1/invoices").respond_with_json(listing([], "/v1/invoices"))
    httpserver.expect_request("/v1/invoice_payments").respond_with_json(listing(
        [{"id": "inpay_1", "object": "invoice_payment", "invoice": "in_A"}],
        "/v1/invoice_payments"))
    httpserver.expect_request("/v1/credit_notes").respond_with_json(
        listing([], "/v1/credit_notes"))
    httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(
        {"refund.*": [event("refund.created", re_new, "2026-04-30T10:00:00")]}))
    httpserver.expect_request("/v1/invoices/in_A").respond_with_json(raw)
    pulled = pull(connector(httpserver), SyncState({"invoices": NOW - timedelta(days=1)}),
                  streams=["invoices"])
    lists = [r for r, _ in httpserver.log if r.path in ("/v1/disputes", "/v1/refunds")]
    assert len(lists) == 4
    assert not any("payment_intent" in r.args or "charge" in r.args for r in lists)
    (inv,) = {r.id: r for r in pulled.records if isinstance(r, Invoice)}.values()
    # 15,000.00 paid, 5.00 of it refunded: still paid (a refund is the credit note's).
    assert inv.status == "paid"
