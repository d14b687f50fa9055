"""What an incremental read of Stripe invoices asks for: the reversal and credit note events
in one paged ``types[]`` read since the stream's cursor, and the boundary between looking
each payment up in the disputes and refunds lists and reading the rest of a list
(``MAX_PAYMENT_LOOKUPS``: docs/connectors/stripe.md, "Cost").

The account of test_reversals.py: invoice A, paid by card, edited since the cursor; its
disputes and refunds beyond the first page of lists of 150 one-off payments' reversals."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import SyncState, pull
from clientguard.model import AnyRecord, CreditNote, Invoice, Payment
from clientguard_stripe import StripeConnector

from .test_reversals import (
    EDITED,
    NOW,
    behind,
    dispute,
    event,
    events_by_type,
    invoice_a,
    listing,
    refund,
    serve_long_lists,
    ts,
)

D = Decimal
CURSOR = NOW - timedelta(days=1)
SINCE = str(int(CURSOR.timestamp()) - 300)  # the connector's 5 minutes of lookback

#: Every type the one reversal and credit note read names, written out from Stripe's event
#: types list (docs.stripe.com/api/events/types): ``types[]`` takes exact names only
#: ("An array of up to 20 strings containing specific event names",
#: docs.stripe.com/api/events/list), so each wildcard of the reads before is spelt out.
EXACT_TYPES = [
    "charge.dispute.closed", "charge.dispute.created", "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn", "charge.dispute.updated",
    "charge.refunded", "charge.refund.updated",
    "refund.created", "refund.failed", "refund.updated",
    "credit_note.created", "credit_note.updated", "credit_note.voided",
]


def connector(server: HTTPServer, **options: Any) -> StripeConnector:
    return StripeConnector(api_key="rk_test_51eventreads000", base_url=server.url_for("/"),
                           clock=lambda: NOW, sleep=lambda seconds: None, timezone="UTC",
                           **options)


def events_reads(server: HTTPServer) -> list[dict[str, list[str]]]:
    return [{k: r.args.getlist(k) for k in r.args} for r, _ in server.log
            if r.path == "/v1/events"]


def test_the_reversal_and_credit_note_events_are_one_paged_read_since_the_cursor(
    httpserver: HTTPServer,
) -> None:
    # Three reversal events and a credit note's since the cursor, two a page: the events
    # feed is read twice for them (a page, then the next after its last id), each time for
    # all 13 types since the same cursor. Before: one read per type or wildcard, five
    # (charge.dispute.*, charge.refunded, charge.refund.updated, refund.*, credit_note.*),
    # each at least one call.
    found = {"all": [
        event("charge.dispute.created", dispute("needs_response", ident="du_9",
                                                intent="pi_shop"), "2026-04-30T12:00:00"),
        event("refund.created", refund(100, ident="re_9", intent="pi_shop"),
              "2026-04-30T11:00:00"),
        event("charge.refund.updated", refund(100, ident="re_8", intent="pi_shop"),
              "2026-04-30T10:00:00"),
        event("credit_note.updated", {"id": "cn_9", "object": "credit_note",
                                      "invoice": None, "status": "issued"},
              "2026-04-30T09:00:00"),
    ]}
    # The ids of the events differ by type; the second page starts after the second.
    for n, item in enumerate(found["all"]):
        item["id"] = f"evt_{n}"
    paged = events_by_type(found)

    def answer(request: Request) -> Response:
        body = json.loads(paged(request).get_data())
        after = request.args.get("starting_after")
        start = next((n + 1 for n, e in enumerate(body["data"]) if e["id"] == after), 0)
        size = int(request.args["limit"])
        body.update(data=body["data"][start:start + size],
                    has_more=start + size < len(body["data"]))
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/v1/invoices").respond_with_json(listing([], "/v1/invoices"))
    httpserver.expect_request("/v1/events").respond_with_handler(answer)
    httpserver.expect_request("/v1/invoice_payments").respond_with_json(
        listing([], "/v1/invoice_payments"))  # the shop's payments are on no invoice
    pulled = pull(connector(httpserver, page_size=2), SyncState({"invoices": CURSOR}),
                  streams=["invoices"])
    own, first, second = events_reads(httpserver)
    assert own == {"type": ["invoice.*"], "limit": ["2"], "created[gte]": [SINCE]}
    assert first == {"limit": ["2"], "types[]": EXACT_TYPES, "created[gte]": [SINCE]}
    assert second == {**first, "starting_after": ["evt_1"]}
    assert len(EXACT_TYPES) <= 20  # Stripe's limit for types[]
    assert [r for r in pulled.records if isinstance(r, Invoice)] == []


def test_the_credit_notes_stream_synced_alone_reads_its_own_events_since_its_own_cursor(
    httpserver: HTTPServer,
) -> None:
    # Each stream keeps its cursor: credit notes synced alone, from a cursor two days old,
    # read their credit_note.* events since then (one wildcard read), not the invoices'.
    cursor = NOW - timedelta(days=2)
    httpserver.expect_request("/v1/credit_notes").respond_with_json(
        listing([], "/v1/credit_notes"))
    httpserver.expect_request("/v1/events").respond_with_handler(events_by_type({}))
    pulled = pull(connector(httpserver), SyncState({"credit_notes": cursor}),
                  streams=["credit_notes"])
    assert events_reads(httpserver) == [{"type": ["credit_note.*"], "limit": ["100"],
                                         "created[gte]": [str(int(cursor.timestamp()) - 300)]}]
    assert pulled.rejected == ()


def parts_paid(count: int) -> dict[str, Any]:
    """A, paid in ``count`` parts of 10.00 on 10 March (pi_1..pi_<count>)."""
    parts = [{"id": f"inpay_{n}", "object": "invoice_payment", "amount_paid": 1000,
              "status": "paid",
              "payment": {"type": "payment_intent", "payment_intent": f"pi_{n}"},
              "status_transitions": {"paid_at": ts("2026-03-10T10:00:00")}}
             for n in range(1, count + 1)]
    return invoice_a(total=1000 * count, amount_due=1000 * count, amount_paid=1000 * count,
                     payments={"object": "list", "has_more": False, "data": parts})


def read_of_a(records: Sequence[AnyRecord]) -> tuple[Any, ...]:
    """What the records say of A: its status and amount due, its payments and its credit
    notes."""
    (inv,) = {r.id: r for r in records if isinstance(r, Invoice)}.values()
    return ((inv.status, inv.amount_due),
            sorted((p.id, p.amount) for p in records if isinstance(p, Payment)),
            sorted((c.id, c.total, c.issue_date) for c in records if isinstance(c, CreditNote)))


@pytest.mark.parametrize(
    ("count", "lookups"),
    [
        # Exactly MAX_PAYMENT_LOOKUPS (10) payments to look up: each is looked up, one call
        # a payment a list (after the list's first page showed it goes on).
        pytest.param(10, True, id="10-looked-up"),
        # One more: the rest of each list is read instead (its second page).
        pytest.param(11, False, id="11-lists-read-on"),
    ],
)
def test_ten_payments_are_looked_up_and_eleven_read_the_lists_on_with_the_same_records(
    httpserver: HTTPServer, count: int, lookups: bool,
) -> None:
    # A paid in `count` parts of 10.00 on 10 March, edited since the cursor (an
    # invoice.updated event): every part is to be looked up (A is older than the cursor).
    # Before the cursor, the last part (pi_<count>) was charged back (10.00, lost) and 5.00
    # of the first refunded on 12 April, both beyond the lists' first page (150 one-off
    # payments' reversals, newest first). By hand: A open for 10.00; the other parts stay,
    # 10.00 each; the refund is a credit note of 5.00 on 12 April.
    raw = parts_paid(count)
    serve_long_lists(
        httpserver,
        behind("dispute", [dispute("lost", 1000, intent=f"pi_{count}")]),
        behind("refund", [{**refund(500, ident="re_old"), "charge": "ch_x1"}]))

    def invoices(request: Request) -> Response:  # created since the cursor: none
        body = listing([] if "created[gte]" in request.args else [raw], "/v1/invoices")
        return Response(json.dumps(body), content_type="application/json")

    httpserver.expect_request("/v1/invoices").respond_with_handler(invoices)
    httpserver.expect_request("/v1/events").respond_with_handler(events_by_type(EDITED))
    httpserver.expect_request("/v1/invoices/in_A").respond_with_json(raw)
    httpserver.expect_request("/v1/credit_notes").respond_with_json(
        listing([], "/v1/credit_notes"))
    expected = (("open", D("10.00")),
                sorted((f"in_A/paid/inpay_{n}", D("10.00")) for n in range(1, count)),
                [("in_A/refund/re_old", D("5.00"), date(2026, 4, 12))])

    pulled = pull(connector(httpserver), SyncState({"invoices": CURSOR}), streams=["invoices"])
    asked = [(r.path, {k: r.args[k] for k in r.args if k != "limit"})
             for r, _ in httpserver.log if r.path in ("/v1/disputes", "/v1/refunds")]
    for path in ("/v1/disputes", "/v1/refunds"):
        of_list = [args for p, args in asked if p == path]
        assert of_list[0] == {}  # the first page
        if lookups:  # then each payment, sorted by id: 10 calls, no second page
            assert of_list[1:] == [{"payment_intent": f"pi_{n}"}
                                   for n in sorted(range(1, count + 1), key=str)]
        else:  # then the second page (after the 100th), no lookup
            assert [set(args) for args in of_list[1:]] == [{"starting_after"}]
    assert read_of_a(pulled.records) == expected

    # A full read of the same account (both lists whole) says the same of A.
    httpserver.clear_log()
    full = pull(connector(httpserver), streams=["invoices"])
    assert read_of_a(full.records) == expected
