"""A bank transfer that pays a final invoice (faktura końcowa) pays at most what the final
invoice counts at, its ``price_gross`` less its advance invoices, not the whole order.

The order of ``test_final_invoices.py`` (worked by hand there): 10 000,00 PLN in all,
advances FZ/1 of 3 000,00 and FZ/2 of 2 000,00, and the final invoice FK/3 of 10 000,00
naming both, which counts at 10 000 - 3 000 - 2 000 = 5 000,00. Fakturownia applies a
payment to its invoices in the order it lists them, each in full before the next; the rest is
unapplied cash. Capped at the whole 10 000,00, a transfer listing the final invoice first put
all its money on an invoice of 5 000,00, and the ledger refused the payment.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.model import Payment
from clientguard.settlement import settle
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import ADVANCES_KEY, payment_from_banking

TOKEN = "fk-TOKEN-final-paid-never-shown-5"
AS_OF = date(2026, 8, 31)


def advance(ident: int, gross: str, issued: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FZ/{ident}/2026", "kind": "advance", "status": "paid",
        "issue_date": issued, "payment_to": issued, "paid_date": issued, "price_gross": gross,
        "paid": gross, "currency": "PLN", "client_id": 7,
        "updated_at": f"{issued}T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


FZ1 = advance(1, "3000,00", "2026-05-04")
# FZ/2 not paid yet: the transfer below pays it.
FZ2 = advance(2, "2000,00", "2026-06-01", status="issued", paid="0,00", paid_date=None)


def final(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": 3, "number": "FK/3/2026", "kind": "final", "status": "issued",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "paid_date": None,
        "price_gross": "10 000,00", "paid": "0,00", "currency": "PLN", "client_id": 7,
        "invoice_ids": [1, 2], "updated_at": "2026-07-01T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def given(raw: dict[str, Any], *advances: dict[str, Any]) -> dict[str, Any]:
    """``raw`` with its advances as the connector gives them (``ADVANCES_KEY``)."""
    fields = ("id", "kind", "status", "currency", "price_gross")
    return {**raw, ADVANCES_KEY: [{k: a.get(k) for k in fields} for a in advances]}


def vat(ident: int, gross: str) -> dict[str, Any]:
    return {"id": ident, "kind": "vat", "status": "issued", "issue_date": "2026-07-01",
            "payment_to": "2026-07-15", "price_gross": gross, "paid": "0,00",
            "currency": "PLN", "client_id": 7}


def transfer(price: str, invoices: list[dict[str, Any]]) -> dict[str, Any]:
    return {"id": 50, "name": "Przelew", "price": price, "currency": "PLN", "paid": True,
            "kind": "api", "paid_date": "2026-07-10", "client_id": 7, "invoices": invoices}


@pytest.mark.parametrize(
    ("invoices", "price", "paid"),
    [
        # 7 000,00 listing the final invoice before FZ/2: 5 000,00 to FK/3 (all it counts
        # at), then 2 000,00 to FZ/2 (before: 7 000,00 to FK/3, refused).
        pytest.param([given(final(), FZ1, FZ2), FZ2], "7000,00",
                     [("3", Decimal("5000.00")), ("2", Decimal("2000.00"))],
                     id="final-before-its-advance"),
        # 5 500,00 for FK/3 alone: 5 000,00 pays it, 500,00 is unapplied cash (before: all
        # 5 500,00 to an invoice of 5 000,00, refused).
        pytest.param([given(final(), FZ1, FZ2)], "5500,00", [("3", Decimal("5000.00"))],
                     id="overpaid"),
        # Its advances not given (the connector could not read them): as Fakturownia states
        # it, 10 000,00, as the final invoice itself then counts.
        pytest.param([final()], "7000,00", [("3", Decimal("7000.00"))], id="advances-unknown"),
        # Advances that add up to more than price_gross: it states only what is left, and
        # counts as it is (4 000,00).
        pytest.param([given(final(price_gross="4000,00"), FZ1, FZ2)], "4500,00",
                     [("3", Decimal("4000.00"))], id="already-net"),
        # The advances cover the whole order (5 000,00): the final invoice is left out of the
        # ledger, and the payment pays the invoice after it.
        pytest.param([given(final(price_gross="5000,00"), FZ1, FZ2), vat(11, "1230,00")],
                     "1230,00", [("11", Decimal("1230.00"))], id="covered-then-another"),
        pytest.param([given(final(price_gross="5000,00"), FZ1, FZ2)], "500,00", [],
                     id="covered-alone"),
    ],
)
def test_a_payment_pays_a_final_invoice_no_more_than_it_counts_at(
    invoices: list[dict[str, Any]], price: str, paid: list[tuple[str, Decimal]],
) -> None:
    payment = payment_from_banking(transfer(price, invoices))
    assert isinstance(payment, Payment), payment  # never skipped: money came in
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == paid


def listing(request: Request, records: list[dict[str, Any]]) -> Response:
    """One page of ``records`` (every record on page 1)."""
    body = records if request.args.get("page") == "1" else []
    return Response(json.dumps(body), content_type="application/json")


def test_a_sync_settles_the_final_invoice_and_its_advance_from_one_transfer(
    httpserver: HTTPServer,
) -> None:
    # The payment embeds the final invoice without invoice_ids: it is read by its id, and
    # its advances with it (the invoices stream's advances are not kept for the payments).
    paying = transfer("7000,00", [{k: v for k, v in final().items() if k != "invoice_ids"},
                                  FZ2])
    by_id = {1: FZ1, 2: FZ2, 3: final()}
    httpserver.expect_request("/clients.json").respond_with_handler(
        lambda r: listing(r, [{"id": 7, "name": "Klient"}]))
    httpserver.expect_request("/invoices.json").respond_with_handler(
        lambda r: listing(r, [] if "correction" in r.args.getlist("kinds[]")
                          else [final(), FZ2, FZ1]))
    httpserver.expect_request("/banking/payments.json").respond_with_handler(
        lambda r: listing(r, [paying]))
    for ident, raw in by_id.items():
        httpserver.expect_request(f"/invoices/{ident}.json").respond_with_json(raw)
    connector = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=httpserver.url_for("/"),
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda seconds: None)
    ledger = cg.Ledger.from_connector(connector, base_currency="PLN")
    assert ledger.report.rejected == ()
    settled = settle(ledger, as_of=AS_OF)
    # FK/3 counts 5 000,00 and the transfer paid it; FZ/2's 2 000,00 too; FZ/1 was paid.
    assert {i: settled[i].open_balance for i in ("1", "2", "3")} == {
        "1": Decimal(0), "2": Decimal(0), "3": Decimal(0)}
    read = [req.path for req, _ in httpserver.log if req.path.startswith("/invoices/")]
    assert read.count("/invoices/3.json") == 1
