"""Hostile and odd payloads from a fake Fakturownia over real HTTP (pytest-httpserver): a
change time outside the calendar in UTC is an unreadable change time, as a malformed one is,
and no longer stops the sync with an OverflowError; an id of another type (an object, a list)
is no id, never a record under a made-up one.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import DataError
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import map_document
from clientguard_fakturownia.values import parse_timestamp

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token="fk-TOKEN-never-shown-123",
                                base_url=server.url_for("/"), clock=lambda: NOW,
                                sleep=lambda seconds: None)


def invoice(ident: int, updated: str) -> dict[str, Any]:
    return {"id": ident, "number": f"FV/{ident}/2026", "kind": "vat", "status": "issued",
            "issue_date": "2026-07-01", "payment_to": "2026-07-15", "price_gross": "1230,00",
            "paid": "0,00", "currency": "PLN", "client_id": 7, "updated_at": updated}


# 9999-12-31T23:59:59-14:00 is 10000-01-01T13:59:59 in UTC; 0001-01-01T00:00:00+14:00 is
# 0000-12-31T10:00:00; a naive 0001-01-01T00:30:00 is Warsaw time, whose offset then (local
# mean time, +01:24) puts it in the year 0 in UTC too.
OUTSIDE = ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "0001-01-01T00:30:00"]


@pytest.mark.parametrize("updated", OUTSIDE)
def test_a_change_time_outside_the_calendar_in_utc_is_unreadable(updated: str) -> None:
    assert parse_timestamp(updated) is None


@pytest.mark.parametrize("updated", OUTSIDE)
@pytest.mark.parametrize("incremental", [False, True], ids=["full", "incremental"])
def test_an_invoice_changed_outside_the_calendar_does_not_stop_the_sync(
    httpserver: HTTPServer, updated: str, incremental: bool
) -> None:
    """Before: the cursor (and, incremental, the paging's "older than the cursor" check)
    turned it to UTC and the sync died with an OverflowError. Now the invoice is read, and
    the cursor is the latest readable change (2026-07-02T10:00:00+02:00 is 08:00 UTC)."""
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(11, "2026-07-02T10:00:00+02:00"), invoice(12, updated)])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    state = SyncState({"invoices": datetime(2026, 6, 1, tzinfo=UTC)}) if incremental else None
    pulled = pull(connector(httpserver), state, streams=["invoices"])
    httpserver.check_assertions()
    assert [(r.id, r.total) for r in pulled.records if isinstance(r, cg.Invoice)] == [
        ("11", Decimal("1230.00")), ("12", Decimal("1230.00"))]
    assert pulled.state.cursor("invoices") == datetime(2026, 7, 2, 8, 0, tzinfo=UTC)


def _document(**changes: Any) -> dict[str, Any]:
    return {"id": 101, "number": "FV/1/2026", "kind": "vat", "income": "1", "status": "issued",
            "issue_date": "2026-03-02", "payment_to": "2026-03-16", "paid": "0,00",
            "price_gross": "1230,00", "currency": "PLN", "client_id": 7, **changes}


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        # str() of these made the invoice "{'a': 1}" or "[101]": a record under a made-up id.
        ({"id": {"a": 1}}, "id: is missing"),
        ({"id": [101]}, "id: is missing"),
    ],
    ids=["object id", "list id"],
)
def test_an_id_of_another_type_is_a_rejection_naming_it(
    changes: dict[str, Any], reason: str
) -> None:
    with pytest.raises(DataError, match=re.escape(reason)):
        map_document(_document(**changes))


def test_a_client_id_of_another_type_is_no_client_card() -> None:
    """str() of ``[7]`` made the client "[7]"; the document now has no client card, and its
    buyer's tax number makes its client (the rule for a document without a card)."""
    made = map_document(_document(client_id=[7], buyer_name="Klient",
                                  buyer_tax_no="525-244-57-67"))
    assert isinstance(made, list | tuple)
    (customer, invoice) = made
    assert isinstance(customer, cg.Customer)
    assert isinstance(invoice, cg.Invoice)
    assert invoice.customer_id == customer.id
    assert "[" not in invoice.customer_id
