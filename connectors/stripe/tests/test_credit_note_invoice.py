"""An invoice a credit note changes, synced incrementally whether or not Stripe sends an
``invoice.*`` event for the change (docs/connectors/stripe.md, "A credit note and its
invoice").

A pre-payment credit note lowers its open invoice's ``amount_remaining`` ("A credit note will
first reduce the invoice's amount_remaining (and amount_due)", docs.stripe.com/api/
credit_notes/create), and its void raises it again. Stripe's reference promises the
``credit_note.created``/``credit_note.voided`` events; it does not say whether the invoice's
change comes as an ``invoice.updated`` too. Each row is synced both ways; the store must end
the same, and the invoice is read at most once.

The story: invoice B, USD 100.00 issued 1 March 2026, due 31 March, open and unpaid; cn_1,
a 30.00 credit note on B (all of it pre-payment), issued 15 April. First sync 13 April
(full), second 20 April (incremental); the review is as of 1 May."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.store import Store

from .test_reversals import (
    ACCOUNT,
    credit_note_of_re_1,
    event,
    events_by_type,
    invoice_a,
    listing,
    refund,
    stored,
    sync_at,
    ts,
)

D = Decimal
FIRST = datetime(2026, 4, 13, 12, tzinfo=UTC)
SECOND = datetime(2026, 4, 20, 12, tzinfo=UTC)


def invoice_b(remaining: int) -> dict[str, Any]:
    """B, open, unpaid, with ``remaining`` (minor units) left to pay; what Stripe says after
    credit notes lowered it (pre_payment_credit_notes_amount)."""
    return invoice_a(id="in_B", number="B", status="open", amount_paid=0,
                     amount_due=remaining, amount_remaining=remaining,
                     pre_payment_credit_notes_amount=10000 - remaining,
                     status_transitions={"finalized_at": ts("2026-03-01T10:00:00"),
                                         "paid_at": None},
                     payments={"object": "list", "has_more": False, "data": []})


def cn_1(status: str = "issued") -> dict[str, Any]:
    """cn_1: 30.00 off B before it is paid (pre-payment), issued 15 April."""
    return {"id": "cn_1", "object": "credit_note", "customer": "cus_1", "invoice": "in_B",
            "currency": "usd", "status": status, "type": "pre_payment", "total": 3000,
            "created": ts("2026-04-15T10:00:00"), "effective_at": ts("2026-04-15T10:00:00"),
            "pre_payment_amount": 3000, "post_payment_amount": 0, "out_of_band_amount": None,
            "refunds": [], "customer_balance_transaction": None}


def since_filtered(objects: list[dict[str, Any]], path: str) -> Any:
    """A list as Stripe answers it: ``created[gte]`` and ``invoice`` filter it."""
    def answer(request: Request) -> Response:
        since = int(request.args.get("created[gte]", "0"))
        chosen = [o for o in objects if o["created"] >= since
                  and request.args.get("invoice", o.get("invoice")) == o.get("invoice")]
        return Response(json.dumps(listing(chosen, path)), content_type="application/json")
    return answer


def serve(server: HTTPServer, b: dict[str, Any], notes: list[dict[str, Any]],
          events: dict[str, list[dict[str, Any]]]) -> None:
    server.expect_request("/v1/account").respond_with_json(ACCOUNT)
    server.expect_request("/v1/invoices").respond_with_handler(
        since_filtered([b], "/v1/invoices"))
    server.expect_request("/v1/invoices/in_B").respond_with_json(b)
    server.expect_request("/v1/credit_notes").respond_with_handler(
        since_filtered(notes, "/v1/credit_notes"))
    server.expect_request("/v1/events").respond_with_handler(events_by_type(events))


def updated(b: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    """The invoice.updated event of B's change, at the credit note's moment."""
    return {"invoice.*": [event("invoice.updated", b, "2026-04-15T10:00:00")]}


# Each row: B and its credit notes at the first sync, the credit note event since, B and its
# credit notes at the second; then by hand: what B asks for and its open balance on 1 May
# (100.00 less cn_1's 30.00 while cn_1 stands; a void credit note counts for nothing).
ROWS = [
    # cn_1 issued since: B asks for 70.00 (Stripe's amount_remaining) and the replay agrees
    # (100.00 less cn_1's 30.00). Without invoice.updated, B kept 100.00 before: the source
    # said 100.00 due, the replay 70.00 (a 30.00 amount-due mismatch) until a full sync.
    ("issued", (invoice_b(10000), []),
     {"credit_notes": [event("credit_note.created", cn_1(), "2026-04-15T10:00:00")]},
     (invoice_b(7000), [cn_1()]), D("70.00"), ["cn_1"]),
    # cn_1 (issued before the first sync) voided on 18 April: B asks for 100.00 again. B was
    # read for the void before, but kept out of the store unless it had a refund: 70.00
    # stayed, against 100.00 replayed.
    ("voided", (invoice_b(7000), [cn_1()]),
     {"credit_notes": [event("credit_note.voided", cn_1("void"), "2026-04-18T10:00:00")]},
     (invoice_b(10000), [cn_1("void")]), D("100.00"), []),
]


@pytest.mark.parametrize("with_invoice_event", [False, True],
                         ids=["credit-note-event-only", "with-invoice.updated"])
@pytest.mark.parametrize(("story", "first", "events", "then", "due", "notes"), ROWS,
                         ids=[row[0] for row in ROWS])
def test_an_invoice_a_credit_note_changed_is_stored_as_it_is_now(
    httpserver: HTTPServer, tmp_path: Path, with_invoice_event: bool, story: str,
    first: tuple[dict[str, Any], list[dict[str, Any]]],
    events: dict[str, list[dict[str, Any]]],
    then: tuple[dict[str, Any], list[dict[str, Any]]], due: Decimal, notes: list[str],
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        serve(httpserver, *first, {})
        sync_at(store, httpserver, FIRST, streams=("invoices", "credit_notes"))
        httpserver.clear()
        b_now = then[0]
        serve(httpserver, *then, {**events, **(updated(b_now) if with_invoice_event else {})})
        sync_at(store, httpserver, SECOND, streams=("invoices", "credit_notes"))
        book = store.load(base_currency="USD")
        (b,) = book.invoices
        assert (b.id, b.status, b.amount_due) == ("in_B", "open", due), story
        assert sorted(c.id for c in book.credit_notes) == notes, story
        settled = cg.settle(book, as_of=date(2026, 5, 1))["in_B"]
        assert settled.open_balance == due, story  # the replay agrees with the source
        assert settled.source_amount_due_mismatch is None, story
        # Read once, by id, for the change (the event's snapshot may predate it).
        assert [r.path for r, _ in httpserver.log].count("/v1/invoices/in_B") <= 1, story


@pytest.mark.parametrize(
    ("story", "first", "events", "then", "after"),
    [
        # re_1 (30.00, 12 April) stored as a refund without a credit note; cn_1 names it on
        # 15 April: cn_1 alone stays (30.00 off A's revenue, counted once).
        ("credit note names the refund", [], "credit_note.created",
         [credit_note_of_re_1()], ["cn_1", "in_A/paid"]),
        # cn_1 voided on 18 April: re_1 is a refund without a credit note again.
        ("credit note voided", [credit_note_of_re_1()], "credit_note.voided",
         [credit_note_of_re_1("void")], ["in_A/paid", "in_A/refund/re_1"]),
    ],
)
def test_a_refunds_credit_note_with_an_invoice_event_too_counts_the_refund_once(
    httpserver: HTTPServer, tmp_path: Path, story: str, first: list[dict[str, Any]],
    events: str, then: list[dict[str, Any]], after: list[str],
) -> None:
    # As test_reversals.py's CREDIT_NOTE_ROWS, with Stripe sending invoice.updated for A at
    # the credit note's moment too: A is read once (for its payments), handed its refund
    # once, and the store ends as a full read says.
    def serve_a(notes: list[dict[str, Any]], found: dict[str, list[dict[str, Any]]]) -> None:
        httpserver.expect_request("/v1/account").respond_with_json(ACCOUNT)
        httpserver.expect_request("/v1/invoices").respond_with_handler(
            since_filtered([invoice_a()], "/v1/invoices"))
        httpserver.expect_request("/v1/invoices/in_A").respond_with_json(invoice_a())
        httpserver.expect_request("/v1/disputes").respond_with_json(listing([], "/v1/disputes"))
        httpserver.expect_request("/v1/refunds").respond_with_json(
            listing([refund(3000)], "/v1/refunds"))
        httpserver.expect_request("/v1/credit_notes").respond_with_handler(
            since_filtered(notes, "/v1/credit_notes"))
        httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(found))

    with Store.open(tmp_path / "cg.db") as store:
        serve_a(first, {})
        sync_at(store, httpserver, FIRST, streams=("invoices", "credit_notes"))
        httpserver.clear()
        snapshot = {k: v for k, v in invoice_a(post_payment_credit_notes_amount=3000).items()
                    if k != "payments"}  # an event's invoice lists no payments
        at = "2026-04-15T10:00:00" if events == "credit_note.created" else "2026-04-18T10:00:00"
        serve_a(then, {"credit_notes": [event(events, then[0], at)],
                       "invoices": [event("invoice.updated", snapshot, at)]})
        sync_at(store, httpserver, SECOND, streams=("invoices", "credit_notes"))
        assert stored(store) == ([("in_A", "paid", D("0"))], after), story
        book = store.load(base_currency="USD")
        assert sum(c.total for c in book.credit_notes) == D("30.00"), story
        assert [r.path for r, _ in httpserver.log].count("/v1/invoices/in_A") == 1, story
