"""Stripe Connect: a platform reads a connected account's objects with its own key and the
``Stripe-Account: acct_...`` header (docs.stripe.com/connect/authentication, "Stripe-Account
header"). Before, the connector had no such option (``/tmp/s2/repro_connect.py``: "not an
option of this connector").

The connected account's id is the tenant, like Xero's: never in an error, a log line or a
repr, and part of the connector's identity, so that a store refuses a source whose key is
re-pointed at another connected account before it writes anything.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import ApiError, ConfigError, StoreError
from clientguard.store import Store
from clientguard_stripe import StripeConnector

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
API_KEY = "rk_test_51PLATFORMkeyNeverShown4242"
CONNECTED = "acct_1ConnectedShopAbc"
OTHER = "acct_1OtherShopXyz9"


def invoice(ident: str) -> dict[str, Any]:
    created = int((NOW - timedelta(days=3)).timestamp())
    return {"id": ident, "object": "invoice", "customer": "cus_1", "number": ident.upper(),
            "status": "open", "currency": "eur", "created": created, "effective_at": created,
            "due_date": created + 14 * 86400, "total": 5000, "amount_due": 5000,
            "amount_paid": 0, "amount_remaining": 5000,
            "status_transitions": {"finalized_at": created, "paid_at": None}}


def customer(ident: str) -> dict[str, Any]:
    return {"id": ident, "object": "customer", "name": "Shop client", "email": None,
            "tax_ids": {"object": "list", "data": []}}


def listing(items: list[dict[str, Any]], has_more: bool = False) -> dict[str, Any]:
    return {"object": "list", "has_more": has_more, "data": items}


def stripe(server: HTTPServer, **options: Any) -> StripeConnector:
    return StripeConnector(api_key=API_KEY, base_url=server.url_for("/"), clock=lambda: NOW,
                           sleep=lambda seconds: None, **options)


@pytest.mark.parametrize("incremental", [False, True], ids=["full sync", "incremental sync"])
def test_every_request_carries_the_connected_account(
    httpserver: HTTPServer, incremental: bool
) -> None:
    """The account (its time zone), the lists, their second pages, the events and a
    customer read again by id: each request names the connected account."""
    account = {"id": CONNECTED, "object": "account",
               "settings": {"dashboard": {"timezone": "Europe/Warsaw"}}}
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([customer("cus_1")], has_more=True))
    httpserver.expect_ordered_request("/v1/customers").respond_with_json(
        listing([customer("cus_2")]))
    state = SyncState()
    if incremental:
        state = SyncState({"customers": NOW - timedelta(days=1)})
        httpserver.expect_ordered_request("/v1/events").respond_with_json(listing([
            {"id": "evt_1", "object": "event", "type": "customer.updated",
             "created": int(NOW.timestamp()) - 60, "data": {"object": customer("cus_9")}}]))
        httpserver.expect_ordered_request("/v1/customers/cus_9").respond_with_json(
            customer("cus_9"))
    httpserver.expect_ordered_request("/v1/account").respond_with_json(account)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_1")]))
    pulled = pull(stripe(httpserver, stripe_account=CONNECTED), state,
                  streams=["customers", "invoices"])
    httpserver.check_assertions()
    paths = [request.path for request, _ in httpserver.log]
    expected = ["/v1/customers", "/v1/customers"]
    if incremental:
        expected += ["/v1/events", "/v1/customers/cus_9"]
    expected += ["/v1/account", "/v1/invoices"]
    assert paths == expected
    assert [request.headers.get("Stripe-Account") for request, _ in httpserver.log] == [
        CONNECTED] * len(expected)
    assert [r.id for r in pulled.records if isinstance(r, cg.Invoice)] == ["in_1"]


def test_without_the_option_no_account_is_named(httpserver: HTTPServer) -> None:
    """The platform's own objects: no Stripe-Account header at all."""
    httpserver.expect_request("/v1/invoices").respond_with_json(listing([invoice("in_1")]))
    pull(stripe(httpserver, timezone="UTC"), streams=["invoices"])
    assert [request.headers.get("Stripe-Account") for request, _ in httpserver.log] == [None]


FORM = "acct_ followed by letters and digits"


@pytest.mark.parametrize(
    ("given", "says"),
    [
        ("acct_", FORM), ("acct_12-34", FORM), ("acct_1 2", FORM),
        ("cus_1ConnectedShopAbc", FORM), ("ACCT_1ConnectedShopAbc", FORM),
        ("1ConnectedShopAbc", FORM), ("acct_" + "a" * 300, FORM),
        # The options model's own word on every secret option.
        ("acct_1Connected\nShop", "line break"),
    ],
    ids=["no id", "a dash", "a space", "a customer id", "upper case prefix", "no prefix",
         "too long", "a line break inside"],
)
def test_a_malformed_connected_account_is_refused_without_repeating_it(
    given: str, says: str
) -> None:
    with pytest.raises(ConfigError) as caught:
        StripeConnector(api_key=API_KEY, stripe_account=given)
    message = str(caught.value)
    assert "stripe_account" in message
    assert says in message
    for part in given.split():
        if len(part) > 5:
            assert part not in message


def test_a_connected_account_pasted_with_a_line_break_is_used_without_it(
    httpserver: HTTPServer,
) -> None:
    httpserver.expect_request("/v1/invoices").respond_with_json(listing([]))
    pull(stripe(httpserver, stripe_account=f" {CONNECTED}\n", timezone="UTC"),
         streams=["invoices"])
    assert httpserver.log[0][0].headers["Stripe-Account"] == CONNECTED


def test_the_connected_account_is_in_no_error_log_or_repr(
    httpserver: HTTPServer, caplog: pytest.LogCaptureFixture
) -> None:
    """Stripe's message names the account the request was made on; a 500 is retried (its
    reason logged) before the sync fails."""
    said = {"error": {"type": "api_error",
                      "message": f"Something went wrong on {CONNECTED} ({CONNECTED.upper()})"}}
    httpserver.expect_request("/v1/invoices").respond_with_json(said, status=500)
    caplog.set_level(logging.DEBUG)
    conn = stripe(httpserver, stripe_account=CONNECTED, timezone="UTC", max_attempts=2)
    with pytest.raises(ApiError) as caught:
        pull(conn, streams=["invoices"])
    shown = [str(caught.value), repr(conn), repr(conn.options), str(conn.options),
             *(r.getMessage() for r in caplog.records)]
    assert len(httpserver.log) == 2
    assert not [text for text in shown if CONNECTED in text or CONNECTED.upper() in text]
    assert CONNECTED in conn.secrets()


def test_the_identity_names_the_connected_account(httpserver: HTTPServer) -> None:
    """Even when the key may not read the account (a restricted key: 403), the connected
    account is part of the identity; the platform's own objects are an identity of their
    own."""
    httpserver.expect_request("/v1/account").respond_with_json(
        {"error": {"type": "invalid_request_error", "message": "no permission"}}, status=403)
    assert stripe(httpserver, stripe_account=CONNECTED).identity() == {
        "mode": "test", "connected account": CONNECTED}
    assert stripe(httpserver).identity() == {"mode": "test", "connected account": "none"}


ACCOUNT_403 = {"error": {"type": "invalid_request_error", "message": "no permission"}}


@pytest.mark.parametrize(
    ("first", "second", "refused"),
    [
        (CONNECTED, OTHER, True),
        (None, OTHER, True),
        (CONNECTED, None, True),
        (CONNECTED, CONNECTED, False),
    ],
    ids=["another connected account", "the platform, then a connected account",
         "a connected account, then the platform", "the same connected account"],
)
def test_a_store_refuses_a_source_re_pointed_at_another_connected_account(
    httpserver: HTTPServer, tmp_path: Path, first: str | None, second: str | None,
    refused: bool,
) -> None:
    """The same restricted key (which may not read the account: only its mode is known
    from it), re-pointed: stopped before anything is written, the accounts never named."""
    def options(account: str | None) -> dict[str, Any]:
        return {"timezone": "UTC", **({} if account is None else {"stripe_account": account})}

    httpserver.expect_ordered_request("/v1/account").respond_with_json(ACCOUNT_403, status=403)
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        listing([invoice("in_1")]))
    with Store.open(tmp_path / "cg.db") as store:
        store.sync(stripe(httpserver, **options(first)), streams=["invoices"])
        httpserver.expect_ordered_request("/v1/account").respond_with_json(
            ACCOUNT_403, status=403)
        if refused:
            with pytest.raises(StoreError) as caught:
                store.sync(stripe(httpserver, **options(second)), streams=["invoices"],
                           full=True)
            message = str(caught.value)
            assert "connected account" in message
            assert CONNECTED not in message
            assert OTHER not in message
            # Refused before the list was asked for: one list read in all.
            assert [r.path for r, _ in httpserver.log].count("/v1/invoices") == 1
        else:
            httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
                listing([invoice("in_1"), invoice("in_2")]))
            store.sync(stripe(httpserver, **options(second)), streams=["invoices"],
                       full=True)
        ids = sorted(i.id for i in store.load(base_currency="EUR").invoices)
    assert ids == (["in_1"] if refused else ["in_1", "in_2"])
