"""A buyer without a client card (the customer ``nip:<tax id>`` made from a document's buyer
fields) stays in the store while a document still names it, and leaves with the last one
(schema 8, ``record_origins``): before, it stayed for good, a client with no document.

Documents shaped as Fakturownia's API shows them (``GET /invoices.json``, see
``test_connector.py``); which documents name the buyer is worked out by hand for each step.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

TOKEN = "fk-TOKEN-origin-never-shown-77"
NIP = "5252445767"
BUYER = f"customer:nip:{NIP}"


def document(ident: int, updated: str, *, card: bool = False) -> dict[str, Any]:
    """A VAT invoice; without a card, billed to the buyer of tax id ``NIP``."""
    raw: dict[str, Any] = {
        "id": ident, "number": f"FV/{ident}/2026", "kind": "vat", "status": "issued",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "price_gross": "1230,00",
        "paid": "0,00", "currency": "PLN", "updated_at": updated}
    if card:
        raw["client_id"] = 7
    else:
        raw.update(client_id=None, buyer_name="Kowalski Sp. z o.o.", buyer_tax_no=NIP)
    return raw


def sync(server: HTTPServer, store: Store, documents: list[dict[str, Any]], *,
         full: bool = False) -> int:
    """One sync of the invoices stream reading ``documents``; how many records it removed."""
    server.clear()
    server.expect_ordered_request("/invoices.json").respond_with_json(documents)
    server.expect_ordered_request("/invoices.json").respond_with_json([])
    connector = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda seconds: None)
    result = store.sync(connector, streams=["invoices"], full=full)
    server.check_assertions()
    return result.removed


def keys(store: Store) -> set[str]:
    return {f"{r.kind}:{getattr(r, 'id', None)}" for r in store.records()}


@pytest.mark.parametrize("full", [False, True])
def test_a_buyer_stays_while_a_document_names_it_and_leaves_with_the_last(
    httpserver: HTTPServer, tmp_path: Path, full: bool,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, [document(12, "2026-07-03T10:00:00+02:00"),
                                 document(11, "2026-07-02T10:00:00+02:00")])
        assert keys(store) == {"invoice:11", "invoice:12", BUYER}
        # Invoice 11 is given a client card: invoice 12 still names the buyer.
        eleven = document(11, "2026-08-02T10:00:00+02:00", card=True)
        # A full read lists every document; an incremental one those changed since.
        unchanged = [document(12, "2026-07-03T10:00:00+02:00")] if full else []
        removed = sync(httpserver, store, [eleven, *unchanged], full=full)
        assert keys(store) == {"invoice:11", "invoice:12", BUYER}
        assert removed == 0
        # Invoice 12 too: no document names the buyer any more.
        twelve = document(12, "2026-08-03T10:00:00+02:00", card=True)
        removed = sync(httpserver, store, [twelve, eleven] if full else [twelve], full=full)
        assert keys(store) == {"invoice:11", "invoice:12"}
        assert removed == 1


@pytest.mark.parametrize(
    ("edit", "gone"),
    [
        # Made a cost document (income 0): only sales are read, so the stored invoice and the
        # buyer only it named leave (they stayed, counted as revenue and owed).
        ({"income": "0"}, {"invoice:11", BUYER}),
        # (A sale made a proforma, a kind not read, never comes back: the stream asks only for
        # the kinds it reads, kinds[]. It stays until a full read with --prune.)
    ],
    ids=["cost-document"],
)
def test_a_sale_edited_into_a_document_that_is_not_read_leaves_the_store(
    httpserver: HTTPServer, tmp_path: Path, edit: dict[str, str], gone: set[str],
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        sync(httpserver, store, [document(11, "2026-07-02T10:00:00+02:00")])
        assert keys(store) == {"invoice:11", BUYER}
        edited = {**document(11, "2026-08-02T10:00:00+02:00"), **edit}
        removed = sync(httpserver, store, [edited])
        assert keys(store) == {"invoice:11", BUYER} - gone
        assert removed == len(gone)


@pytest.mark.parametrize("edit", [{"price_gross": "0,00"}, {"status": "rejected"}],
                         ids=["changes-nothing", "rejected"])
def test_a_correction_that_no_longer_lowers_the_invoice_takes_its_credit_note_away(
    httpserver: HTTPServer, tmp_path: Path, edit: dict[str, str],
) -> None:
    # Correction 202 lowers invoice 11 by 230.00: a credit note. Edited to change nothing,
    # or rejected, it lowers nothing: the credit note leaves (it stayed, and kept 230.00 off
    # what the client owes).
    with Store.open(tmp_path / "cg.db") as store:
        fix = {**document(202, "2026-07-05T10:00:00+02:00", card=True), "kind": "correction",
               "number": "FK/1/2026", "price_gross": "-230,00", "invoice_id": 11,
               "from_invoice_id": 11}
        sync(httpserver, store, [fix, document(11, "2026-07-02T10:00:00+02:00", card=True)])
        assert keys(store) == {"invoice:11", "credit_note:202"}
        removed = sync(httpserver, store, [{**fix, "updated_at": "2026-08-05T10:00:00+02:00",
                                            **edit}])
        assert keys(store) == {"invoice:11"}
        assert removed == 1
