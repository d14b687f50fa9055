"""A correction's credit paid back to the client in cash: Fakturownia records the refund as a
banking payment tied to the correction (a payment tied to nothing but lowering corrections);
the credit note carries it as a refund from the payment's day, as Xero's credit note carries
its cash refunds (``Payments``), so that the credit is no longer the client's unapplied
credit. Before, the refund payment was skipped and the credit stayed unapplied for ever.

Story (worked by hand): invoice 1/2026 of 1230,00 paid in full on 10 February, corrected by
-230,00 on 20 February (after the payment: the whole 230,00 is credit the client holds),
230,00 paid back on 25 February. From 25 February the client holds no credit.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard.connector import pull
from clientguard.ledger import Ledger
from clientguard.model import CreditNote
from clientguard.settlement import unapplied_cash
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import (
    CORRECTED_INVOICE_KEY,
    REFUNDS_KEY,
    map_document,
    refunds_paid_by,
)

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "fk-TOKEN-refunds-never-shown-5"
INVOICE = {"id": 101, "number": "1/2026", "kind": "vat", "income": 1, "status": "paid",
           "issue_date": "2026-02-01", "payment_to": "2026-02-15", "paid_date": "2026-02-10",
           "price_gross": "1230,00", "paid": "1230,00", "currency": "PLN", "client_id": 9,
           "updated_at": "2026-02-10T10:00:00+01:00"}
PAYMENT = {"id": 900, "price": "1230,00", "paid_date": "2026-02-10", "currency": "PLN",
           "client_id": 9, "updated_at": "2026-02-10T10:00:00+01:00",
           "invoices": [{"id": 101, "kind": "vat", "income": 1, "price_gross": "1230,00",
                         "currency": "PLN", "client_id": 9}]}
CORRECTION = {"id": 102, "number": "FK/1/2026", "kind": "correction", "income": 1,
              "status": "issued", "issue_date": "2026-02-20", "payment_to": "2026-02-20",
              "price_gross": "-230,00", "currency": "PLN", "client_id": 9, "invoice_id": 101,
              "updated_at": "2026-02-20T10:00:00+01:00"}


def tied(ident: int, gross: str) -> dict[str, Any]:
    return {"id": ident, "kind": "correction", "income": 1, "price_gross": gross,
            "currency": "PLN", "client_id": 9}


def refund(ident: int, price: str, day: str, *corrections: dict[str, Any],
           currency: str = "PLN", updated: str = "2026-02-25T10:00:00+01:00") -> dict[str, Any]:
    return {"id": ident, "price": price, "paid_date": day, "currency": currency, "client_id": 9,
            "updated_at": updated, "invoices": list(corrections or (tied(102, "-230,00"),))}


REFUND = refund(901, "230,00", "2026-02-25")


@pytest.mark.parametrize(
    ("payment", "parts"),
    [
        # Tied to one correction: all of it is that correction's refund.
        (REFUND, [("102", "230.00", "2026-02-25")]),
        # Two corrections: in Fakturownia's order, each up to its credit, the last the rest.
        (refund(902, "300,00", "2026-03-01", tied(102, "-230,00"), tied(103, "-100,00")),
         [("102", "230.00", "2026-03-01"), ("103", "70.00", "2026-03-01")]),
        # Tied to an invoice too: a payment received, no refund.
        (refund(903, "1000,00", "2026-03-01", tied(102, "-230,00"),
                {"id": 101, "kind": "vat", "price_gross": "1230,00", "currency": "PLN"}), []),
        # Money received for an invoice.
        (PAYMENT, []),
        # Not received yet (paid: false), or an amount that cannot be read: no refund.
        ({**REFUND, "paid": False}, []),
        ({**REFUND, "price": "dwieście"}, []),
    ],
)
def test_the_refunds_a_payment_makes(payment: dict[str, Any],
                                     parts: list[tuple[str, str, str]]) -> None:
    assert [(c, str(p["amount"]), p["date"]) for c, p in refunds_paid_by(payment)] == parts


def credit_note(refunds: list[dict[str, Any]], **changes: Any) -> CreditNote:
    raw = {**CORRECTION, CORRECTED_INVOICE_KEY: INVOICE, REFUNDS_KEY: refunds, **changes}
    note = map_document(raw)
    assert isinstance(note, CreditNote)
    return note


def part(amount: str, day: str, ident: str = "901", currency: str = "PLN") -> dict[str, Any]:
    return {"id": ident, "amount": amount, "date": day, "currency": currency}


@pytest.mark.parametrize(
    ("refunds", "expected"),
    [
        ([], []),
        ([part("230.00", "2026-02-25")], [("230.00", date(2026, 2, 25))]),
        # Oldest first, each up to what is left of the 230,00 credit.
        ([part("200.00", "2026-03-05", "905"), part("100.00", "2026-02-25")],
         [("100.00", date(2026, 2, 25)), ("130.00", date(2026, 3, 5))]),
        # A refund of more than the credit pays back the credit, no more.
        ([part("500.00", "2026-02-25")], [("230.00", date(2026, 2, 25))]),
        # In another currency than the credit note's: left out.
        ([part("50.00", "2026-02-25", currency="EUR")], []),
    ],
)
def test_a_correction_carries_its_refunds(refunds: list[dict[str, Any]],
                                          expected: list[tuple[str, date]]) -> None:
    note = credit_note(refunds)
    assert note.total == Decimal("230.00")
    assert note.allocations == ()  # the invoice was paid in full: all of it is credit
    assert [(str(r.amount), r.date) for r in note.refunds] == expected


def test_only_the_credit_left_after_the_allocation_is_refunded() -> None:
    # Invoice paid 1100,00 of 1230,00: the correction settles 130,00, 100,00 is credit.
    note = credit_note([part("230.00", "2026-02-25")],
                       **{CORRECTED_INVOICE_KEY: {**INVOICE, "paid": "1100,00"}})
    assert [(a.invoice_id, a.amount) for a in note.allocations] == [("101", Decimal("130.00"))]
    assert [r.amount for r in note.refunds] == [Decimal("100.00")]


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
                                clock=lambda: NOW, sleep=lambda seconds: None)


def serve(server: HTTPServer, *, invoices: list[dict[str, Any]],
          payments: list[dict[str, Any]], corrections: list[dict[str, Any]]) -> None:
    """One sync in the connector's order (clients, invoices, payments, corrections), each
    list then, after one that is not empty, the empty page that ends it."""
    server.clear()
    for path, page in (("/clients.json", [{"id": 9, "name": "Klient"}]),
                       ("/invoices.json", invoices), ("/banking/payments.json", payments),
                       ("/invoices.json", corrections)):
        server.expect_ordered_request(path).respond_with_json(page)
        if page:
            server.expect_ordered_request(path).respond_with_json([])


def credit_held(ledger: Ledger, day: date) -> Decimal:
    held = unapplied_cash(ledger, as_of=day)
    return held["9"].credit if "9" in held else Decimal(0)


def test_a_sync_reads_the_credit_as_paid_back_from_the_refunds_day(
    httpserver: HTTPServer,
) -> None:
    serve(httpserver, invoices=[INVOICE], payments=[PAYMENT, REFUND], corrections=[CORRECTION])
    pulled = pull(connector(httpserver))
    httpserver.check_assertions()
    ledger = Ledger.build(pulled.records, base_currency="PLN")
    assert credit_held(ledger, date(2026, 2, 24)) == Decimal("230.00")
    assert credit_held(ledger, date(2026, 2, 25)) == 0
    assert credit_held(ledger, date(2026, 3, 31)) == 0
    # The refund is no payment received: only 900 is.
    assert [p.id for p in ledger.payments] == ["900"]


def test_an_incremental_sync_gives_an_unchanged_correction_the_refund_made_since(
    httpserver: HTTPServer, tmp_path: Path,
) -> None:
    with Store.open(tmp_path / "cg.db") as store:
        serve(httpserver, invoices=[INVOICE], payments=[PAYMENT], corrections=[CORRECTION])
        store.sync(connector(httpserver))
        assert credit_held(store.load(base_currency="PLN"), date(2026, 3, 31)) == Decimal("230.00")
        # The refund is paid (a payment changed after the corrections' cursor); the correction
        # did not change: the incremental read lists no correction, and reads 102 by its id.
        serve(httpserver, invoices=[], payments=[PAYMENT, refund(
            901, "230,00", "2026-02-25", updated="2026-08-31T10:00:00+02:00")], corrections=[])
        httpserver.expect_ordered_request("/invoices/102.json").respond_with_json(CORRECTION)
        httpserver.expect_ordered_request("/invoices/101.json").respond_with_json(INVOICE)
        store.sync(connector(httpserver))
        httpserver.check_assertions()
        assert credit_held(store.load(base_currency="PLN"), date(2026, 3, 31)) == 0
