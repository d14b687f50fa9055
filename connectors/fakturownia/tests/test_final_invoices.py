"""A final invoice (faktura końcowa) after advance invoices (faktury zaliczkowe): each złoty of
the order counted once, as revenue and as what is owed and late.

The order (worked by hand): 10 000,00 PLN in all. Advance FZ/1 of 3 000,00 issued 4 May,
paid 5 May; advance FZ/2 of 2 000,00 issued 1 June, paid 2 June. The final invoice FK/3 of
1 July states the whole order, 10 000,00 (as Polish VAT law has it: ustawa o VAT, art. 106f
ust. 3, the final invoice gives the whole value and takes off the advances), names its
advances in ``invoice_ids`` (the list Fakturownia's README passes to make a final invoice
from its advances) and is due 15 July. What is left to pay on it: 10 000 - 3 000 - 2 000 =
5 000,00. Revenue over the year: 3 000 + 2 000 + 5 000 = 10 000,00, not 15 000,00.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.errors import DataError
from clientguard.metrics.concentration import revenue_by_client
from clientguard.model import Invoice
from clientguard.settlement import settle
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import ADVANCES_KEY, advances_named_by, map_document

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 8, 31)
TOKEN = "fk-TOKEN-never-shown-456"


def advance(ident: int, gross: str, issued: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident, "number": f"FZ/{ident}/2026", "kind": "advance", "status": "paid",
        "issue_date": issued, "payment_to": issued, "paid_date": issued,
        "price_gross": gross, "paid": gross, "currency": "PLN", "client_id": 7,
        "invoice_id": 90, "updated_at": f"{issued}T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


FZ1 = advance(1, "3000,00", "2026-05-04")
FZ2 = advance(2, "2000,00", "2026-06-01")


def final(**changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": 3, "number": "FK/3/2026", "kind": "final", "status": "issued",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "paid_date": None,
        "price_gross": "10 000,00", "paid": "0,00", "currency": "PLN", "client_id": 7,
        "invoice_id": 90, "from_invoice_id": 90, "invoice_ids": [1, 2],
        "updated_at": "2026-07-01T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def with_advances(raw: dict[str, Any], *advances: dict[str, Any]) -> dict[str, Any]:
    fields = ("id", "kind", "status", "currency", "price_gross")
    return {**raw, ADVANCES_KEY: [{k: a.get(k) for k in fields} for a in advances]}


# --------------------------------------------------------------------------- the mapping


@pytest.mark.parametrize(
    ("raw", "total"),
    [
        pytest.param(with_advances(final(), FZ1, FZ2), Decimal("5000.00"), id="both advances"),
        pytest.param(with_advances(final(), FZ1), Decimal("7000.00"),
                     id="one advance read (the other gone)"),
        pytest.param(with_advances(final(), FZ1, {**FZ2, "status": "rejected"}),
                     Decimal("7000.00"), id="a rejected advance takes nothing off"),
        # The advances add up to more than price_gross: the final invoice states only what
        # is left (5 000 < 3 000 + 2 000 + ...): counted as it is, never below zero.
        pytest.param(with_advances(final(price_gross="4000,00"), FZ1, FZ2),
                     Decimal("4000.00"), id="already net of its advances"),
        # Read without the advances (the connector gave none): as Fakturownia states it.
        pytest.param(final(), Decimal("10000.00"), id="advances not given"),
        pytest.param(with_advances(final(kind="vat")), Decimal("10000.00"),
                     id="not a final invoice"),
    ],
)
def test_a_final_invoice_counts_what_the_order_adds_to_its_advances(
    raw: dict[str, Any], total: Decimal
) -> None:
    invoice = map_document(raw)
    assert isinstance(invoice, Invoice)
    assert (invoice.id, invoice.total, invoice.due_date) == ("3", total, date(2026, 7, 15))


def test_a_final_invoice_less_its_advances_claims_no_amount_due_it_cannot_know() -> None:
    # Whether Fakturownia's ``paid`` on a final invoice counts the advances is not
    # documented: the consistency check is left out rather than guessed.
    invoice = map_document(with_advances(final(paid="1000,00", status="partial"), FZ1, FZ2))
    assert isinstance(invoice, Invoice)
    assert (invoice.status, invoice.amount_due) == ("open", None)
    paid = map_document(with_advances(final(status="paid", paid_date="2026-07-10",
                                             paid="10000,00"), FZ1, FZ2))
    assert isinstance(paid, Invoice)
    assert (paid.total, paid.paid_on, paid.amount_due) == (
        Decimal("5000.00"), date(2026, 7, 10), Decimal(0))


def test_a_final_invoice_its_advances_cover_is_skipped_as_deleted() -> None:
    result = map_document(with_advances(final(price_gross="5000,00"), FZ1, FZ2))
    assert isinstance(result, Skip)
    assert result.deleted
    assert "advance" in result.reason


def test_an_advance_in_another_currency_is_refused_naming_it() -> None:
    with pytest.raises(DataError, match="advance invoice 2 is in EUR"):
        map_document(with_advances(final(), FZ1, {**FZ2, "currency": "EUR"}))


@pytest.mark.parametrize(
    ("raw", "named"),
    [
        (final(), ("1", "2")),
        (final(invoice_ids="1, 2,2"), ("1", "2")),
        (final(invoice_ids=[]), ()),
        (final(invoice_ids=None), ()),
        (final(invoice_ids=[{"id": 1}]), ()),
        (final(kind="vat"), ()),
        (final(income="0"), ()),
    ],
)
def test_the_advances_a_final_invoice_names(raw: dict[str, Any], named: tuple[str, ...]) -> None:
    assert advances_named_by(raw) == named


# --------------------------------------------------------------------------- over HTTP


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"), clock=lambda: NOW,
        sleep=lambda seconds: None,
    )


def serve_invoices(server: HTTPServer, *pages: list[dict[str, Any]],
                   batch: tuple[list[int], list[dict[str, Any]]] | None = None,
                   by_id: dict[int, Any] | None = None) -> None:
    """The invoices stream: each page (newest change first), then the empty page; after the
    first page, the answer to the batch ``GET /invoices.json?invoice_ids=...`` of the ids in
    ``batch`` (the invoices it gives), then those to ``GET /invoices/{id}.json`` in ``by_id``
    (body, or a status). After each page but the first, the check of its boundary
    (``per_page=1``): the last invoice of the page before, still in its place."""
    for number, page in enumerate(pages):
        server.expect_ordered_request("/invoices.json").respond_with_json(page)
        if number > 0:
            server.expect_ordered_request("/invoices.json").respond_with_json(
                [pages[number - 1][-1]])
        if number == 0 and batch is not None:
            idents, given = batch
            server.expect_ordered_request("/invoices.json", query_string={
                "invoice_ids": ",".join(map(str, idents)), "period": "all", "page": "1",
                "per_page": str(len(idents)), "api_token": TOKEN}).respond_with_json(given)
        if number == 0:
            for ident, body in (by_id or {}).items():
                if isinstance(body, int):
                    server.expect_ordered_request(f"/invoices/{ident}.json").respond_with_json(
                        {"code": "error", "message": "Not Found"}, status=body)
                else:
                    server.expect_ordered_request(f"/invoices/{ident}.json").respond_with_json(
                        body)
    server.expect_ordered_request("/invoices.json").respond_with_json([])


def invoices_of(pulled: Any) -> dict[str, Decimal]:
    return {r.id: r.total for r in pulled.records if isinstance(r, Invoice)}


def test_a_sync_counts_each_zloty_of_the_order_once(httpserver: HTTPServer) -> None:
    for path, page in (("/clients.json", [{"id": 7, "name": "Klient"}]), ("/clients.json", [])):
        httpserver.expect_ordered_request(path).respond_with_json(page)
    serve_invoices(httpserver, [final(), FZ2, FZ1])
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])  # corrections
    ledger = cg.Ledger.from_connector(connector(httpserver), base_currency="PLN")
    httpserver.check_assertions()
    assert ledger.report.rejected == ()
    revenue = revenue_by_client(ledger, first=date(2026, 1, 1), last=AS_OF)
    assert revenue == {"7": Decimal("10000.00")}
    settled = settle(ledger, as_of=AS_OF)["3"]
    assert settled.open_balance == Decimal("5000.00")
    # The advances were on the same page: nothing is read by id.
    assert not any(req.path.startswith("/invoices/") for req, _ in httpserver.log)


def test_advances_read_later_or_gone_are_read_once(httpserver: HTTPServer) -> None:
    # Two final invoices name FZ/1 (asked for once); FZ/2 comes on a later page, after the
    # final invoice needed it (read ahead, and again in its place); FZ/9 is gone. The page's
    # advances are asked for together, in one batch (one by one before the batches), which
    # gives FZ/1 and FZ/2; FZ/9, which it does not give, is read by its id, and its 404 says
    # it is gone.
    other = final(id=4, number="FK/4/2026", price_gross="3500,00", invoice_ids=[1])
    serve_invoices(httpserver, [final(invoice_ids=[1, 2, 9]), other], [FZ2], [FZ1],
                   batch=([1, 2, 9], [FZ2, FZ1]), by_id={9: 404})
    pulled = pull(connector(httpserver), streams=["invoices"])
    httpserver.check_assertions()
    read = [req.path for req, _ in httpserver.log if req.path.startswith("/invoices/")]
    assert read == ["/invoices/9.json"]
    assert all(req.args.getlist("api_token") == [TOKEN] for req, _ in httpserver.log)
    assert invoices_of(pulled) == {
        "3": Decimal("5000.00"), "4": Decimal("500.00"),
        "1": Decimal("3000.00"), "2": Decimal("2000.00"),
    }
    (note,) = pulled.notes
    assert "advance invoice 9" in note
    assert "404" in note
    assert TOKEN not in note


def test_a_final_invoice_naming_no_advances_is_said(httpserver: HTTPServer) -> None:
    serve_invoices(httpserver, [final(invoice_ids=None)])
    pulled = pull(connector(httpserver), streams=["invoices"])
    assert invoices_of(pulled) == {"3": Decimal("10000.00")}
    (note,) = pulled.notes
    assert "final invoice FK/3/2026 names no advance invoices" in note
    assert "counts twice" in note
