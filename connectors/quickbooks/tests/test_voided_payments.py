"""A payment voided in QuickBooks after an earlier sync leaves the store, and the invoice it
paid is open again.

Intuit's Payment reference, "Void a payment": "The transaction remains active but all amounts
and quantities are zeroed and the string, Voided, is injected into Payment.PrivateNote,
prepended to existing text if present" (quoted in Wish-Org/QuickBooksSharp #8). So the voided
payment keeps coming back from the query, with TotalAmt 0: it must be reported deleted, or a
store keeps the copy an earlier sync saved and the client looks paid.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.connector import Skip
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import (
    credit_applications,
    credit_refunds,
    payment_from_qbo,
)

from .conftest import Clock

REALM = "4620816365178102"
API = f"/v3/company/{REALM}/query"


def payment(
    amount: int, *, note: str | None = None, lines: list[dict[str, Any]] | None = None,
    updated: str = "2026-04-20T10:00:00-07:00",
) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "Id": "10", "TxnDate": "2026-04-20", "TotalAmt": amount, "UnappliedAmt": 0,
        "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
        "Line": lines if lines is not None else [
            {"Amount": amount, "LinkedTxn": [{"TxnId": "1", "TxnType": "Invoice"}]}],
        "MetaData": {"CreateTime": "2026-04-20T10:00:00-07:00", "LastUpdatedTime": updated},
    }
    if note is not None:
        raw["PrivateNote"] = note
    return raw


def line(amount: int, kind: str, ident: str) -> dict[str, Any]:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": ident, "TxnType": kind}]}


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        # Voided: amounts zeroed, "Voided" prepended to the note (Intuit's reference).
        (payment(0, note="Voided"), "voided payment"),
        (payment(0, note="Voided - cheque bounced"), "voided payment"),
        # Voided with its lines removed rather than zeroed: still voided.
        (payment(0, note="Voided", lines=[]), "voided payment"),
        # Voided, and a line still carrying its old amounts: the payment has no effect.
        (payment(0, note="Voided", lines=[line(100, "Invoice", "1")]), "voided payment"),
        # Not voided, but nothing in it any more (edited down to 0): no effect either.
        (payment(0), "zero-amount payment with nothing applied"),
    ],
)
def test_a_payment_with_no_effect_is_reported_deleted(raw: dict[str, Any], reason: str) -> None:
    mapped = payment_from_qbo(raw)
    assert isinstance(mapped, Skip)
    assert mapped.reason.startswith(reason)
    # deleted: a store removes the copy of the payment an earlier sync saved
    assert mapped.deleted


def test_a_zero_payment_linking_credits_is_reported_deleted_and_keeps_its_applications(
) -> None:
    # QuickBooks' "link credits to charges" payment: the credit memo's allocation is what it
    # carries; there is no Payment, so none may stay in a store either.
    raw = payment(0, lines=[line(100, "Invoice", "1"), line(100, "CreditMemo", "73")])
    mapped = payment_from_qbo(raw)
    assert isinstance(mapped, Skip)
    assert mapped.deleted
    assert [(a.credit_memo_id, a.invoice_id, a.amount) for a in credit_applications(raw)] == [
        ("73", "1", Decimal(100))]


@pytest.mark.parametrize(
    "lines",
    [
        [line(100, "Invoice", "1"), line(100, "CreditMemo", "73")],
        [line(100, "CreditMemo", "73"), line(100, "Check", "900")],
    ],
)
def test_a_voided_payment_applies_no_credit_memo_and_refunds_none(
    lines: list[dict[str, Any]],
) -> None:
    # A voided link of a credit memo to an invoice (or to a cheque) no longer uses the memo:
    # its credit is unapplied again, whatever amounts the lines still carry.
    raw = payment(0, note="Voided", lines=lines)
    assert credit_applications(raw) == []
    assert credit_refunds(raw) == []


def test_a_voided_payment_with_cash_is_not_read_as_voided_by_its_note() -> None:
    # "voided" in a note of a payment that still has money (a memo about another document)
    # is not a void: Intuit zeroes a voided payment's amounts.
    mapped = payment_from_qbo(payment(100, note="replaces the voided cheque 12"))
    assert not isinstance(mapped, Skip)
    assert mapped.amount == 100


# ------------------------------------------------------------------ over HTTP, into a store


def invoice(balance: int, updated: str) -> dict[str, Any]:
    return {"Id": "1", "DocNumber": "1001", "TxnDate": "2026-04-01", "DueDate": "2026-05-01",
            "TotalAmt": 100, "Balance": balance, "CustomerRef": {"value": "7"},
            "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-04-01T09:00:00-07:00", "LastUpdatedTime": updated}}


def serve(server: HTTPServer, entities: dict[str, list[dict[str, Any]]]) -> None:
    """Answers every query with the entities given for its FROM (none for the others)."""
    server.clear()

    def answer(request: Request) -> Response:
        entity = request.args["query"].split(" FROM ")[1].split()[0]
        items = entities.get(entity, [])
        found = {entity: items, "startPosition": 1, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found}), content_type="application/json")

    server.expect_request(API).respond_with_handler(answer)
    # An incremental sync asks the change data capture for deletions: none here.
    server.expect_request(API.removesuffix("query") + "cdc").respond_with_json(
        {"CDCResponse": [{"QueryResponse": [{}]}]})


def connector(server: HTTPServer, clock: Clock, now: datetime) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-1", base_url=server.url_for("/"),
        clock=lambda: now, sleep=clock.sleep, monotonic=clock, home_currency="USD",
    )


def test_a_payment_voided_after_a_sync_leaves_the_store_and_the_invoice_is_open_again(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Invoice": [invoice(0, "2026-04-20T10:00:00-07:00")],
                           "Payment": [payment(100)]})
        store.sync(connector(httpserver, clock, datetime(2026, 4, 21, tzinfo=UTC)))
        ledger = store.load(base_currency="USD")
        assert settle(ledger, as_of=date(2026, 6, 1))["1"].open_balance == 0

        # Voided on 2 May: QuickBooks zeroes it and the invoice's Balance is 100 again. The
        # next (incremental) sync reads both, changed since the cursor.
        changed = "2026-05-02T10:00:00-07:00"
        serve(httpserver, {"Invoice": [invoice(100, changed)],
                           "Payment": [payment(0, note="Voided", updated=changed)]})
        result = store.sync(connector(httpserver, clock, datetime(2026, 5, 3, tzinfo=UTC)))
        queries = [req.args["query"] for req, _ in httpserver.log if req.path == API]
        assert any("FROM Payment WHERE MetaData.LastUpdatedTime >=" in q for q in queries)

        ledger = store.load(base_currency="USD")
        assert [p.id for p in ledger.payments] == []
        assert settle(ledger, as_of=date(2026, 6, 1))["1"].open_balance == 100
        (payments,) = [s for s in result.streams if s.stream == "payments"]
        assert (payments.full_read, payments.removed) == (False, 1)
