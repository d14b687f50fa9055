"""A payment deleted in Fakturownia (a bounced transfer, one entered by mistake) leaves the
store at the next sync: the banking payments are read whole on every sync (no change
filter), so a payment the read does not give is gone at the source. Before, it stayed until
``sync --full --prune`` and kept paying its invoice.

Shapes as Fakturownia's API gives them (``GET /banking/payments.json?include=invoices``, see
``test_connector.py``). Each row's expected store is worked out by hand: the first sync
stores payments 900 and 901, both paying invoice 101 (1230,00: 1000,00 and 230,00); in the
second, Fakturownia lists only 900.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.http import SourceChanged
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "fk-TOKEN-deleted-payments-41"
INVOICE = {"id": 101, "number": "1/2026", "kind": "vat", "income": 1, "status": "partial",
           "issue_date": "2026-02-01", "payment_to": "2026-02-15", "price_gross": "1230,00",
           "paid": "1000,00", "currency": "PLN", "client_id": 9,
           "updated_at": "2026-02-12T10:00:00+01:00"}


def payment(ident: int, price: str, day: str) -> dict[str, Any]:
    return {"id": ident, "price": price, "paid_date": day, "currency": "PLN", "client_id": 9,
            "invoices": [{"id": 101, "kind": "vat", "income": 1, "price_gross": "1230,00",
                          "currency": "PLN", "client_id": 9}]}


PAID = payment(900, "1000,00", "2026-02-10")
BOUNCED = payment(901, "230,00", "2026-02-11")


def connector(server: HTTPServer, **options: Any) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None, **options)


def serve_payments(server: HTTPServer, *pages: list[dict[str, Any]]) -> None:
    server.clear()
    for page in pages:
        server.expect_ordered_request("/banking/payments.json").respond_with_json(page)


def payment_ids(store: Store) -> list[str]:
    return sorted(str(getattr(r, "id", None)) for r in store.records() if r.kind == "payment")


def first_sync(server: HTTPServer, store: Store) -> None:
    server.expect_ordered_request("/invoices.json").respond_with_json([INVOICE])
    server.expect_ordered_request("/invoices.json").respond_with_json([])
    store.sync(connector(server), streams=["invoices"])
    serve_payments(server, [PAID, BOUNCED], [])
    store.sync(connector(server), streams=["payments"])
    assert payment_ids(store) == ["900", "901"]


def test_a_deleted_payment_leaves_the_store_and_the_invoice_is_open_again(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        first_sync(httpserver, store)
        assert settle(store.load(base_currency="PLN", strict=False),
                      as_of=date(2026, 3, 31))["101"].status == "settled"
        # 901 bounced and was deleted in Fakturownia; a plain sync, no --full --prune.
        serve_payments(httpserver, [PAID], [])
        result = store.sync(connector(httpserver), streams=["payments"])
        httpserver.check_assertions()
        assert payment_ids(store) == ["900"]
        assert result.removed == 1
        assert not [n for n in store.notes() if "not in this full read" in n]
        # 1230,00 less the 1000,00 of payment 900: 230,00 still owed.
        settled = settle(store.load(base_currency="PLN", strict=False), as_of=date(2026, 3, 31))
        assert settled["101"].status == "open"
        assert settled["101"].open_balance == 230


def boundary_moved(server: HTTPServer) -> None:
    """Two a page: page 1 gives 900 and 901; by the time page 2 is asked, the list moved
    (the boundary check at place 2 finds 902, not 901): the read stops, unfinished."""
    serve_payments(server, [PAID, BOUNCED])
    server.expect_ordered_request("/banking/payments.json").respond_with_json(
        [payment(902, "10,00", "2026-02-12")])
    server.expect_ordered_request("/banking/payments.json").respond_with_json(
        [payment(902, "10,00", "2026-02-12")])


def no_banking(server: HTTPServer) -> None:
    server.clear()
    server.expect_ordered_request("/banking/payments.json").respond_with_json(
        {"code": "error", "message": "Not Found"}, status=404)


@pytest.mark.parametrize(
    ("serve", "options", "error"),
    [
        # The account lost its banking module (404): nothing was read, nothing is removed.
        (no_banking, {}, None),
        # payments = false: not read, nothing removed.
        (lambda server: server.clear(), {"payments": False}, None),
        # A read that stopped before its last page: what it did not reach may still be there.
        (boundary_moved, {"page_size": 2}, SourceChanged),
    ],
)
def test_a_read_of_payments_that_is_not_whole_removes_nothing(
    httpserver: HTTPServer, tmp_path: Path, serve: Any, options: dict[str, Any],
    error: type[Exception] | None,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        first_sync(httpserver, store)
        serve(httpserver)
        if error is None:
            result = store.sync(connector(httpserver, **options), streams=["payments"])
            assert result.removed == 0
        else:
            with pytest.raises(error):
                store.sync(connector(httpserver, **options), streams=["payments"])
        assert payment_ids(store) == ["900", "901"]
