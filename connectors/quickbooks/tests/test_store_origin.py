"""A QuickBooks invoice's deposit (the payment ``<invoice id>/deposit`` its ``Deposit`` makes)
follows the invoice in the store: it leaves when the invoice is deleted (change data capture),
voided, or edited so it takes no deposit any more (schema 8, ``record_origins``).

Before, it stayed: a deposit of 30 edited to 0 in QuickBooks kept paying 30 of invoice 1
(``/tmp/f_repro/test_repro.py``). Responses shaped as Intuit documents them (see
``test_deletions.py`` for the CDC sources); the expected ledgers are worked out by hand: an
invoice of 100 with a deposit of 30 is paid 30 by ``1/deposit``; without it nothing pays it.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector

REALM = "4620816365178199"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
CREATED = "2026-05-01T10:00:00-07:00"
LATER = "2026-05-10T08:00:00-07:00"


def invoice(ident: str, deposit: int, updated: str, *, total: int = 100,
            note: str | None = None) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "Id": ident, "DocNumber": f"10{ident}", "TxnDate": "2026-04-01",
        "DueDate": "2026-05-01", "TotalAmt": total, "Balance": max(total - deposit, 0),
        "Deposit": deposit, "CustomerRef": {"value": "7"}, "CurrencyRef": {"value": "USD"},
        "MetaData": {"CreateTime": "2026-04-01T09:00:00-07:00", "LastUpdatedTime": updated}}
    if note is not None:
        raw["PrivateNote"] = note
    return raw


def serve(server: HTTPServer, entities: dict[str, list[dict[str, Any]]],
          changes: dict[str, list[dict[str, Any]]] | None = None) -> None:
    """Every query answers ``entities`` for its FROM; every CDC call ``changes`` for its
    entity (nothing for the others)."""
    server.clear()

    def query(request: Request) -> Response:
        entity = request.args["query"].split(" FROM ")[1].split()[0]
        items = entities.get(entity, [])
        found = {entity: items, "startPosition": 1, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found}), content_type="application/json")

    def cdc(request: Request) -> Response:
        objects = (changes or {}).get(request.args["entities"], [])
        response: dict[str, Any] = {"startPosition": 1, "maxResults": len(objects)}
        if objects:
            response[request.args["entities"]] = objects
        return Response(json.dumps({"CDCResponse": [{"QueryResponse": [response]}],
                                    "time": "2026-05-20T05:00:00.000-07:00"}),
                        content_type="application/json")

    server.expect_request(QUERY).respond_with_handler(query)
    server.expect_request(CDC).respond_with_handler(cdc)


def quickbooks(server: HTTPServer, now: datetime) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-origin-4411", base_url=server.url_for("/"),
        clock=lambda: now, sleep=lambda seconds: None, home_currency="USD",
        time_activities=False)


DELETED = {"Invoice": [{"status": "Deleted", "domain": "QBO", "Id": "1",
                        "MetaData": {"LastUpdatedTime": LATER}}]}


@pytest.mark.parametrize(
    ("entities", "changes", "full", "invoices", "status"),
    [
        pytest.param({}, DELETED, False, [], None,
                     id="deleted (change data capture): its deposit goes with it"),
        pytest.param({"Invoice": [invoice("1", 0, LATER)]}, None, False, ["1"], "open",
                     id="deposit edited to 0, incremental"),
        pytest.param({"Invoice": [invoice("1", 0, LATER)]}, None, True, ["1"], "open",
                     id="deposit edited to 0, full"),
        pytest.param({"Invoice": [invoice("1", 0, LATER, total=0, note="Voided")]}, None,
                     False, ["1"], "void", id="voided, incremental"),
        pytest.param({"Invoice": [invoice("1", 0, LATER, total=0, note="Voided")]}, None,
                     True, ["1"], "void", id="voided, full"),
    ],
)
def test_an_invoices_deposit_leaves_the_store_with_it(
    httpserver: HTTPServer, tmp_path: Path, entities: dict[str, list[dict[str, Any]]],
    changes: dict[str, list[dict[str, Any]]] | None, full: bool, invoices: list[str],
    status: str | None,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        serve(httpserver, {"Invoice": [invoice("1", 30, CREATED)]})
        store.sync(quickbooks(httpserver, datetime(2026, 5, 2, tzinfo=UTC)))
        before = store.load(base_currency="USD")
        assert [(p.id, p.amount) for p in before.payments] == [("1/deposit", Decimal(30))]
        serve(httpserver, entities, changes)
        result = store.sync(quickbooks(httpserver, datetime(2026, 5, 20, tzinfo=UTC)),
                            full=full)
        after = store.load(base_currency="USD")  # strict: no deposit of a missing invoice
        assert after.payments == ()
        assert [i.id for i in after.invoices] == invoices
        if status is not None:
            assert after.invoice("1").status == status
        # The deposit, and the invoice when deleted: what the report counts as removed.
        assert result.removed == 2 - len(invoices)

