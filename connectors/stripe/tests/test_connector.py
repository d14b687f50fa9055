"""The Stripe connector over real HTTP (pytest-httpserver): cursor paging, incremental sync
through created windows and the events feed, a full re-sync beyond the events' retention,
429s and Stripe-Should-Retry, and an auth failure that says what to do."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, AuthError, ConfigError, RateLimitError
from clientguard_stripe import StripeConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
API_KEY = "rk_test_51SECRETkeyNeverShown9876"
Waits = list[float]


def connector(server: HTTPServer, waits: Waits, **options: Any) -> StripeConnector:
    """A connector on ``server``; its days in UTC unless ``timezone`` is given (without the
    option it reads the account's zone: see test_days.py)."""
    return StripeConnector(
        api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW, sleep=waits.append,
        **{"timezone": "UTC", **options},
    )


def invoice(ident: str, status: str = "open", **changes: Any) -> dict[str, Any]:
    created = int((NOW - timedelta(days=3)).timestamp())
    raw: dict[str, Any] = {
        "id": ident, "object": "invoice", "customer": "cus_1", "number": ident.upper(),
        "status": status, "currency": "eur", "created": created, "effective_at": created,
        "due_date": created + 14 * 86400, "total": 5000, "amount_due": 5000,
        "amount_paid": 0, "amount_remaining": 5000,
        "status_transitions": {"finalized_at": created, "paid_at": None},
    }
    raw.update(changes)
    return raw


def listing(items: list[dict[str, Any]], has_more: bool, path: str = "/v1/invoices") -> Any:
    return {"object": "list", "url": path, "has_more": has_more, "data": items}


def event(kind: str, obj: dict[str, Any], created: datetime) -> dict[str, Any]:
    return {"id": f"evt_{obj['id']}_{kind}", "object": "event", "type": kind,
            "created": int(created.timestamp()), "data": {"object": obj}}


def nothing_taken_back(server: HTTPServer, *, events: bool = False,
                       lists: bool = False) -> None:
    """Serves, in order, an incremental read's reversal and credit note events (``events``:
    one read of :data:`REVERSAL_TYPES`) and the disputes and refunds lists (``lists``: read
    when an invoice names a payment), all empty (test_reversals.py serves them full)."""
    if events:
        server.expect_ordered_request("/v1/events").respond_with_json(
            listing([], has_more=False, path="/v1/events"))
    if lists:
        for path in ("/v1/disputes", "/v1/refunds"):
            server.expect_ordered_request(path).respond_with_json(
                listing([], has_more=False, path=path))


#: The reversal events an incremental read of invoices asks for (docs/connectors/stripe.md,
#: "A payment reversed"; a failed refund: Stripe's 2024-10-28.acacia changelog), then the
#: credit notes' events (a credit note that came to name a refund, was voided, or lowered
#: what its invoice asks for), in one read: ``types[]`` takes exact names only, so each
#: wildcard of the six reads before is written out (the charge.dispute.*, refund.* and
#: credit_note.* names of Stripe's event types list, docs.stripe.com/api/events/types).
REVERSAL_TYPES = (
    "charge.dispute.closed", "charge.dispute.created", "charge.dispute.funds_reinstated",
    "charge.dispute.funds_withdrawn", "charge.dispute.updated",
    "charge.refunded", "charge.refund.updated",
    "refund.created", "refund.failed", "refund.updated",
    "credit_note.created", "credit_note.updated", "credit_note.voided",
)


def args(server: HTTPServer) -> list[tuple[str, dict[str, list[str]]]]:
    return [(req.path, {k: req.args.getlist(k) for k in req.args}) for req, _ in server.log]


def test_pages_follow_starting_after_while_has_more(httpserver: HTTPServer) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_3"), invoice("in_2")], has_more=True))
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_1")], has_more=False))
    pulled = pull(connector(httpserver, waits, page_size=2), streams=["invoices"])
    httpserver.check_assertions()
    assert sorted(r.id for r in pulled.records if isinstance(r, cg.Invoice)) == [
        "in_1", "in_2", "in_3"]
    sent = args(httpserver)
    # A first read has no created filter; invoices list their payments (for part payments).
    assert sent[0][1] == {"limit": ["2"], "expand[]": ["data.payments"]}
    assert sent[1][1] == {"limit": ["2"], "starting_after": ["in_2"],
                          "expand[]": ["data.payments"]}
    for request, _ in httpserver.log:
        assert request.headers["Authorization"] == f"Bearer {API_KEY}"
        assert request.headers["Stripe-Version"] == "2025-07-30.basil"
    # The cursor is the moment the read started (here the fixed clock).
    assert pulled.state.cursor("invoices") == NOW


def test_an_incremental_sync_reads_new_objects_then_the_events_since_the_cursor(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    cursor = NOW - timedelta(days=2)
    since = int((cursor - StripeConnector.lookback).timestamp())
    # Created since the cursor: its current state.
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_new", "paid", amount_paid=5000, amount_remaining=0,
                         status_transitions={"paid_at": int(NOW.timestamp())})],
                has_more=False))
    # Events, newest first: an older invoice paid, then the same invoice finalised earlier,
    # and the new invoice's creation (older than its listed state).
    old = invoice("in_old")
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing(
            [
                event("invoice.paid", {**old, "status": "paid", "amount_paid": 5000,
                                       "amount_remaining": 0,
                                       "status_transitions": {"paid_at": int(NOW.timestamp())}},
                      NOW - timedelta(hours=1)),
                event("invoice.finalized", old, NOW - timedelta(days=1)),
                event("invoice.created", invoice("in_new", "draft"), NOW - timedelta(days=1)),
            ],
            has_more=False,
            path="/v1/events",
        )
    )
    # The old invoice's snapshot lists no payments (events carry no expansions): it is read
    # again with them, as a full read has it (its instalments; the payment intent its
    # disputes and refunds are on), and the disputes and refunds lists are read.
    httpserver.expect_ordered_request(
        "/v1/invoices/in_old", query_string={"expand[]": "payments"}
    ).respond_with_json({**old, "status": "paid", "amount_paid": 5000, "amount_remaining": 0,
                         "status_transitions": {"paid_at": int(NOW.timestamp())},
                         "payments": listing([paid_part("inpay_1", 5000, NOW)],
                                             has_more=False, path="/v1/invoice_payments")})
    nothing_taken_back(httpserver, events=True, lists=True)
    state = SyncState({"invoices": cursor})
    pulled = pull(connector(httpserver, waits), state, streams=["invoices"])
    httpserver.check_assertions()
    # Five calls: the list, its own events, the old invoice, one read of the reversal and
    # credit note events (five reads before, one per type or wildcard), the two lists.
    (list_call, events_call, reread, reversal_events, _, _) = args(httpserver)
    assert reread[0] == "/v1/invoices/in_old"
    assert reversal_events == ("/v1/events", {
        "limit": ["100"], "types[]": list(REVERSAL_TYPES), "created[gte]": [str(since)]})
    assert list_call == ("/v1/invoices", {"limit": ["100"], "created[gte]": [str(since)],
                                          "expand[]": ["data.payments"]})
    assert events_call == (
        "/v1/events", {"limit": ["100"], "type": ["invoice.*"], "created[gte]": [str(since)]})
    invoices = {r.id: r for r in pulled.records if isinstance(r, cg.Invoice)}
    # The newest snapshot of the old invoice wins; the new one keeps its listed state.
    assert invoices["in_old"].status == "paid"
    assert invoices["in_new"].status == "paid"
    assert pulled.state.cursor("invoices") == NOW


def test_a_cursor_older_than_the_events_retention_means_a_full_read(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_1")], has_more=False))
    state = SyncState({"invoices": NOW - timedelta(days=45)})
    pulled = pull(connector(httpserver, waits), state, streams=["invoices"])
    httpserver.check_assertions()
    # No created filter and no events call: everything is read again.
    assert args(httpserver) == [("/v1/invoices", {"limit": ["100"],
                                                   "expand[]": ["data.payments"]})]
    assert len(pulled.records) == 1


def test_a_rate_limit_is_backed_off_then_the_page_is_read(httpserver: HTTPServer) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        {"error": {"type": "rate_limit_error", "message": "Too many requests"}}, status=429,
        headers={"Stripe-Should-Retry": "true"})
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([{"id": "cus_1", "object": "customer", "name": "Acme"}], has_more=False,
                path="/v1/customers"))
    pulled = pull(connector(httpserver, waits), streams=["customers"])
    httpserver.check_assertions()
    (wait,) = waits
    assert 0.5 <= wait <= 1.0  # backoff with jitter: Stripe sends no Retry-After
    assert args(httpserver)[0][1] == {"limit": ["100"], "expand[]": ["data.tax_ids"]}
    assert [r.id for r in pulled.records] == ["cus_1"]


def test_stripe_should_retry_false_fails_at_once(httpserver: HTTPServer) -> None:
    waits: Waits = []
    httpserver.expect_request("/v1/customers").respond_with_json(
        {"error": {"type": "rate_limit_error", "message": "Request rate too high"}},
        status=429, headers={"Stripe-Should-Retry": "false", "Request-Id": "req_123"})
    with pytest.raises(RateLimitError, match="Stripe-Should-Retry: false") as caught:
        pull(connector(httpserver, waits), streams=["customers"])
    assert caught.value.request_id == "req_123"
    assert len(httpserver.log) == 1
    assert waits == []


def customer_object(ident: str) -> dict[str, Any]:
    return {"id": ident, "object": "customer", "name": f"Client {ident}",
            "created": int((NOW - timedelta(days=30)).timestamp())}


@pytest.mark.parametrize(
    ("second", "has_more", "said"),
    [
        # Stripe says more follows, yet the page holds no object: its objects were lost on
        # the way, and there is no last id to ask after. It used to end the list as complete.
        pytest.param([], True, "an empty 'data' list, though Stripe says has_more: true",
                     id="empty page with has_more true"),
        # The same with objects whose last has no id: nothing to ask the next page after.
        pytest.param([{"object": "customer", "name": "No id"}], True,
                     "the page's last object has no id to ask for the next page after, "
                     "though Stripe says has_more: true", id="last object without an id"),
        # An empty last page (has_more false) ends the list, as before.
        pytest.param([], False, None, id="empty page with has_more false"),
    ],
)
def test_a_page_that_says_has_more_but_names_no_next_stops_the_read(
    httpserver: HTTPServer, second: list[dict[str, Any]], has_more: bool, said: str | None
) -> None:
    waits: Waits = []
    path = "/v1/customers"
    httpserver.expect_ordered_request(path).respond_with_json(
        listing([customer_object("cus_1")], has_more=True, path=path))
    httpserver.expect_ordered_request(path).respond_with_json(
        listing(second, has_more=has_more, path=path))
    conn = connector(httpserver, waits, page_size=1)
    if said is None:
        pulled = pull(conn, streams=["customers"])
        assert [r.id for r in pulled.records] == ["cus_1"]
        return
    with pytest.raises(ApiError) as caught:
        pull(conn, streams=["customers"])
    httpserver.check_assertions()
    assert len(httpserver.log) == 2  # no third request: there is no id to ask after
    message = str(caught.value)
    assert "the API answered page 2 of customers without its records" in message
    assert f"{said}; try again" in message
    assert API_KEY not in message


def test_a_refused_key_says_how_to_make_one_and_never_shows_it(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    waits: Waits = []
    httpserver.expect_request("/v1/invoices").respond_with_json(
        {"error": {"type": "invalid_request_error",
                   "message": "Invalid API Key provided: rk_test_****9876"}}, status=401)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits), streams=["invoices"])
    message = str(caught.value)
    assert "restricted key" in message
    assert "api_key" in message
    # Stripe has no refresh: no OAuth advice (it said "use the refresh-token or
    # client-credentials options").
    assert "refresh" not in message
    assert "9876" not in message  # Stripe echoes the key's last digits: scrubbed
    assert API_KEY not in message
    assert all(API_KEY not in r.getMessage() for r in caplog.records)
    assert len(httpserver.log) == 1
    assert waits == []


def test_a_forbidden_stream_never_shows_the_account_id(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """A restricted key without a permission gets a 403 whose message names the account (the
    tenant): the error keeps the permission to grant and drops the account id."""
    waits: Waits = []
    httpserver.expect_request("/v1/invoices").respond_with_json(
        {"error": {"type": "invalid_request_error",
                   "message": "The provided key 'rk_test_****4321' does not have the required "
                              "permissions for this endpoint on account 'acct_1TenantXYZ'. "
                              "Having the 'rak_invoice_read' permission would allow this "
                              "request to continue."}}, status=403)
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits), streams=["invoices"])
    message = str(caught.value)
    assert "rak_invoice_read" in message
    assert "on account '[account]'" in message
    assert "acct_1TenantXYZ" not in message
    assert "4321" not in message
    assert all("acct_1TenantXYZ" not in r.getMessage() for r in caplog.records)


def test_options_are_checked_before_any_call() -> None:
    with pytest.raises(ConfigError, match="restricted"):
        StripeConnector(api_key="pk_test_publishable")
    with pytest.raises(ConfigError, match="timezone"):
        StripeConnector(api_key=API_KEY, timezone="Mars/Olympus")
    assert API_KEY not in repr(StripeConnector(api_key=API_KEY))


def test_credit_notes_and_events_of_their_own_type(httpserver: HTTPServer) -> None:
    waits: Waits = []
    note = {"id": "cn_1", "object": "credit_note", "customer": "cus_1", "invoice": "in_1",
            "currency": "eur", "created": int(NOW.timestamp()), "status": "issued",
            "type": "pre_payment", "total": 1000, "pre_payment_amount": 1000}
    httpserver.expect_ordered_request("/v1/credit_notes").respond_with_json(
        listing([note], has_more=False, path="/v1/credit_notes"))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event("credit_note.voided", {**note, "id": "cn_0", "status": "void"},
                       NOW - timedelta(hours=2))], has_more=False, path="/v1/events"))
    state = SyncState({"credit_notes": NOW - timedelta(days=1)})
    pulled = pull(connector(httpserver, waits), state, streams=["credit_notes"])
    httpserver.check_assertions()
    assert args(httpserver)[1][1]["type"] == ["credit_note.*"]
    assert [r.id for r in pulled.records] == ["cn_1"]
    assert pulled.skipped == {"credit_notes": {"void credit note: it has no effect": 1}}


def test_a_voided_credit_note_is_reported_deleted_so_a_store_drops_it(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    note = {"id": "cn_0", "object": "credit_note", "customer": "cus_1", "invoice": "in_1",
            "currency": "eur", "created": int(NOW.timestamp()), "status": "issued",
            "type": "pre_payment", "total": 1000, "pre_payment_amount": 1000}
    httpserver.expect_ordered_request("/v1/credit_notes").respond_with_json(
        listing([], has_more=False, path="/v1/credit_notes"))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event("credit_note.voided", {**note, "status": "void"}, NOW)],
                has_more=False, path="/v1/events"))
    conn = connector(httpserver, waits)
    pages = list(conn.sync(SyncState({"credit_notes": NOW - timedelta(days=1)}),
                           streams=["credit_notes"]))
    httpserver.check_assertions()
    deleted = [key for p in pages for key in p.deleted]
    assert deleted == [("credit_note", "stripe", "cn_0")]
    # The stream ends once, after the events: the listing's last page was not the last.
    assert [p.last for p in pages].count(True) == 1
    assert pages[-1].last


def test_a_customer_changed_since_the_cursor_is_read_again_with_its_tax_ids(
    httpserver: HTTPServer,
) -> None:
    """An event's customer lacks the expanded tax ids: taking it as is would blank them."""
    waits: Waits = []
    snapshot = {"id": "cus_7", "object": "customer", "name": "Klient", "email": "a@k.pl"}
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([], has_more=False, path="/v1/customers"))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event("customer.updated", snapshot, NOW - timedelta(hours=1)),
                 event("customer.created", snapshot, NOW - timedelta(hours=3))],
                has_more=False, path="/v1/events"))
    httpserver.expect_ordered_request(
        "/v1/customers/cus_7", query_string={"expand[]": "tax_ids"}
    ).respond_with_json({**snapshot, "tax_ids": {"object": "list", "data": [
        {"type": "eu_vat", "value": "PL5252445767"}]}})
    state = SyncState({"customers": NOW - timedelta(days=1)})
    pulled = pull(connector(httpserver, waits), state, streams=["customers"])
    httpserver.check_assertions()
    (customer,) = pulled.records
    assert isinstance(customer, cg.Customer)
    assert customer.tax_id == "5252445767"
    assert len(httpserver.log) == 3  # read once, though two events name it


# ----------------------------------------------------------------------------- part payments


def part_paid(ident: str, **changes: Any) -> dict[str, Any]:
    """An open invoice of EUR 21.00 with EUR 10.00 paid, as Stripe lists it."""
    return invoice(ident, total=2100, amount_due=2100, amount_paid=1000,
                   amount_remaining=1100, **changes)


def paid_part(ident: str, amount: int, paid_at: datetime) -> dict[str, Any]:
    return {"id": ident, "object": "invoice_payment", "amount_paid": amount,
            "amount_requested": amount, "created": int(paid_at.timestamp()), "currency": "eur",
            "is_default": False, "status": "paid",
            "payment": {"type": "payment_intent", "payment_intent": "pi_1"},
            "status_transitions": {"paid_at": int(paid_at.timestamp()), "canceled_at": None}}


def test_a_part_paid_invoice_is_dated_by_its_listed_payment(httpserver: HTTPServer) -> None:
    waits: Waits = []
    paid_at = NOW - timedelta(days=1)
    httpserver.expect_ordered_request(
        "/v1/invoices", query_string={"limit": "100", "expand[]": "data.payments"}
    ).respond_with_json(listing([part_paid("in_1", payments=listing(
        [paid_part("inpay_1", 1000, paid_at)], has_more=False, path="/v1/invoice_payments"))],
        has_more=False))
    nothing_taken_back(httpserver, lists=True)
    pulled = pull(connector(httpserver, waits), streams=["invoices"])
    httpserver.check_assertions()
    (payment,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert (payment.amount, payment.date) == (Decimal("10.00"), paid_at.date())
    assert pulled.notes == ()
    book = cg.Ledger.build(pulled.records, base_currency="EUR")
    assert cg.settle(book, as_of=NOW.date())["in_1"].open_balance == Decimal("11.00")


def test_an_invoice_paid_in_two_parts_reads_as_two_payments_on_their_days(
    httpserver: HTTPServer,
) -> None:
    # EUR 50.00 paid 20.00 two days ago and 30.00 today: as of yesterday 30.00 was open, as
    # two payments of a Xero or QuickBooks invoice say (before: one of 50.00, today).
    waits: Waits = []
    first, second = NOW - timedelta(days=2), NOW - timedelta(hours=1)
    httpserver.expect_ordered_request(
        "/v1/invoices", query_string={"limit": "100", "expand[]": "data.payments"}
    ).respond_with_json(listing([invoice(
        "in_1", status="paid", amount_paid=5000, amount_remaining=0,
        status_transitions={"finalized_at": int((NOW - timedelta(days=3)).timestamp()),
                            "paid_at": int(second.timestamp())},
        payments=listing([paid_part("inpay_1", 2000, first), paid_part("inpay_2", 3000, second)],
                         has_more=False, path="/v1/invoice_payments"))], has_more=False))
    nothing_taken_back(httpserver, lists=True)
    pulled = pull(connector(httpserver, waits), streams=["invoices"])
    httpserver.check_assertions()
    payments = sorted((r for r in pulled.records if isinstance(r, cg.Payment)),
                      key=lambda p: p.date)
    assert [(p.id, p.amount, p.date) for p in payments] == [
        ("in_1/paid/inpay_1", Decimal("20.00"), first.date()),
        ("in_1/paid/inpay_2", Decimal("30.00"), second.date())]
    assert pulled.notes == ()
    book = cg.Ledger.build(pulled.records, base_currency="EUR")
    yesterday = (NOW - timedelta(days=1)).date()
    assert cg.settle(book, as_of=yesterday)["in_1"].open_balance == Decimal("30.00")
    assert cg.settle(book, as_of=NOW.date())["in_1"].open_balance == Decimal("0")


def test_without_listed_payments_the_date_is_approximate_and_noted(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    # The account's default API version (unknown here): nothing is expanded.
    httpserver.expect_ordered_request(
        "/v1/invoices", query_string={"limit": "100"}
    ).respond_with_json(listing([part_paid("in_1", status="uncollectible",
                                           charge="ch_1")], has_more=False))
    nothing_taken_back(httpserver, lists=True)
    pulled = pull(connector(httpserver, waits, api_version=None), streams=["invoices"])
    httpserver.check_assertions()
    (payment,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert payment.amount == Decimal("10.00")
    assert payment.date == (NOW - timedelta(days=3)).date()  # the finalisation
    (note,) = pulled.notes
    assert "invoice in_1" in note
    assert "approximate date" in note


def test_an_events_snapshot_of_a_part_paid_invoice_is_read_again_with_its_payments(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    cursor = NOW - timedelta(days=2)
    paid_at = NOW - timedelta(hours=5)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([], has_more=False))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(listing(
        [event("invoice.updated", part_paid("in_old"), NOW - timedelta(hours=4))],
        has_more=False, path="/v1/events"))
    httpserver.expect_ordered_request(
        "/v1/invoices/in_old", query_string={"expand[]": "payments"}
    ).respond_with_json(part_paid("in_old", payments=listing(
        [paid_part("inpay_1", 1000, paid_at)], has_more=False, path="/v1/invoice_payments")))
    nothing_taken_back(httpserver, events=True, lists=True)
    pulled = pull(connector(httpserver, waits), SyncState({"invoices": cursor}),
                  streams=["invoices"])
    httpserver.check_assertions()
    (payment,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert payment.date == paid_at.date()
    assert pulled.notes == ()


def test_an_older_api_version_dates_a_part_payment_by_its_expanded_charge(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    charged = NOW - timedelta(days=2)
    charge = {"id": "ch_1", "object": "charge", "amount": 1000, "amount_captured": 1000,
              "created": int(charged.timestamp()), "currency": "eur", "paid": True,
              "status": "succeeded"}
    httpserver.expect_ordered_request(
        "/v1/invoices", query_string={"limit": "100", "expand[]": "data.charge"}
    ).respond_with_json(listing([part_paid("in_1", charge=charge)], has_more=False))
    nothing_taken_back(httpserver, lists=True)
    pulled = pull(connector(httpserver, waits, api_version="2024-06-20"), streams=["invoices"])
    httpserver.check_assertions()
    (payment,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert payment.date == charged.date()
    assert pulled.notes == ()


def test_a_list_page_without_its_data_fails_instead_of_ending_the_list(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_3"), invoice("in_2")], has_more=True))
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        {"object": "list", "url": "/v1/invoices", "has_more": False})
    with pytest.raises(ApiError) as caught:
        pull(connector(httpserver, waits, page_size=2), streams=["invoices"])
    httpserver.check_assertions()
    message = str(caught.value)
    assert "the API answered page 2 of invoices without its records" in message
    assert "the body has no 'data' list; try again" in message
    assert API_KEY not in message


# ------------------------------------------------------------------ events of other objects
# The events feed's wildcard types (``customer.*``, ``invoice.*``) also match events that
# carry other objects than the stream's: a subscription, a tax id, a card, a discount under
# ``customer.*``; an upcoming invoice's preview (no id: it is no document) under
# ``invoice.*``. Each is left out, and nothing else changes: before, the sync asked
# ``GET /v1/customers/sub_1`` and failed with Stripe's 404, counted a deleted subscription
# as a deleted customer, and rejected the preview (``id: is missing``).

HOUR = timedelta(hours=1)
SUB = {"id": "sub_1", "object": "subscription", "customer": "cus_1", "status": "active"}
TAX_ID = {"id": "txi_1", "object": "tax_id", "customer": "cus_1", "type": "eu_vat",
          "value": "PL5252445767"}
CARD = {"id": "card_1", "object": "card", "customer": "cus_1", "last4": "4242"}
DISCOUNT = {"id": "di_1", "object": "discount", "customer": "cus_1"}


def upcoming() -> dict[str, Any]:
    """``invoice.upcoming``'s object: a preview of the next invoice, without an id
    (docs.stripe.com/api/events/types: "will not have an invoice ID")."""
    preview = invoice("unused", "draft")
    del preview["id"]
    return preview


@pytest.mark.parametrize(
    ("kind", "obj"),
    [
        ("customer.subscription.updated", SUB),
        ("customer.subscription.created", SUB),
        ("customer.subscription.deleted", SUB),
        ("customer.tax_id.created", TAX_ID),
        ("customer.tax_id.deleted", TAX_ID),
        ("customer.source.updated", CARD),
        ("customer.discount.deleted", DISCOUNT),
    ],
)
def test_a_customer_event_about_another_object_is_not_a_customer(
    httpserver: HTTPServer, kind: str, obj: dict[str, Any]
) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([], has_more=False, path="/v1/customers"))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event(kind, obj, NOW - HOUR)], has_more=False, path="/v1/events"))
    state = SyncState({"customers": NOW - timedelta(days=1)})
    pulled = pull(connector(httpserver, waits), state, streams=["customers"])
    httpserver.check_assertions()
    # No GET /v1/customers/<the object's id>: the list and the events, nothing else.
    assert [request.path for request, _ in httpserver.log] == ["/v1/customers", "/v1/events"]
    assert pulled.records == ()
    assert pulled.rejected == ()
    assert pulled.skipped.get("customers", {}) == {}  # no customer counted deleted


def test_customer_events_keep_the_customers_among_other_objects(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    customer = {"id": "cus_7", "object": "customer", "name": "Klient"}
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([], has_more=False, path="/v1/customers"))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event("customer.subscription.updated", SUB, NOW - HOUR),
                 event("customer.updated", customer, NOW - 2 * HOUR),
                 event("customer.deleted", {**customer, "id": "cus_8"}, NOW - 3 * HOUR)],
                has_more=False, path="/v1/events"))
    httpserver.expect_ordered_request("/v1/customers/cus_7").respond_with_json(customer)
    state = SyncState({"customers": NOW - timedelta(days=1)})
    pulled = pull(connector(httpserver, waits), state, streams=["customers"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records] == ["cus_7"]
    assert pulled.skipped["customers"] == {"deleted customer": 1}  # cus_8, not sub_1


def test_an_upcoming_invoice_preview_is_no_invoice_and_no_rejection(
    httpserver: HTTPServer,
) -> None:
    waits: Waits = []
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([], has_more=False))
    httpserver.expect_ordered_request("/v1/events").respond_with_json(
        listing([event("invoice.upcoming", {**upcoming(), "id": ""}, NOW - HOUR)
                 | {"id": "evt_upcoming"},
                 {"id": "evt_upcoming_2", "object": "event", "type": "invoice.upcoming",
                  "created": int((NOW - HOUR).timestamp()), "data": {"object": upcoming()}},
                 event("invoice.paid", invoice("in_1", "paid", amount_paid=5000,
                                               amount_remaining=0), NOW - 2 * HOUR)],
                has_more=False, path="/v1/events"))
    # The paid invoice's snapshot is read again for its payments (it lists none here).
    httpserver.expect_ordered_request("/v1/invoices/in_1").respond_with_json(
        invoice("in_1", "paid", amount_paid=5000, amount_remaining=0))
    nothing_taken_back(httpserver, events=True)
    state = SyncState({"invoices": NOW - timedelta(days=1)})
    pulled = pull(connector(httpserver, waits), state, streams=["invoices"])
    httpserver.check_assertions()
    assert [r.id for r in pulled.records if isinstance(r, cg.Invoice)] == ["in_1"]
    assert pulled.rejected == ()
