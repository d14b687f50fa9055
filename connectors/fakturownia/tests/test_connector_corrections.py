"""A correction of an invoice already paid, end to end over real HTTP (pytest-httpserver):
the sync hands each correction the invoice it corrects, read in the same sync or by its id,
so that the correction takes from the invoice only what is still open on it and the rest is
credit the client holds.

FV/11/2026: 1230,00 PLN issued 1 July, paid in full on 10 July (a banking payment tied to
it, and the invoice's ``paid`` of 1230,00). FK/12/2026 of 20 July corrects it by -230,00
(``invoice_id`` and ``from_invoice_id`` 11, as Fakturownia's README shows a correction).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import pull
from clientguard.errors import ApiError, AuthError, ConnectorError
from clientguard.ledger import Ledger
from clientguard.metrics.concentration import revenue_by_client
from clientguard.settlement import settle, unapplied_cash
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
AS_OF = date(2026, 8, 31)
TOKEN = "fk-TOKEN-never-shown-123"


def connector(server: HTTPServer) -> FakturowniaConnector:
    return FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"), clock=lambda: NOW,
        sleep=lambda seconds: None,
    )


def paid_invoice(**changes: Any) -> dict[str, Any]:
    """FV/11/2026, paid in full on 10 July."""
    raw: dict[str, Any] = {
        "id": 11, "number": "FV/11/2026", "kind": "vat", "status": "paid",
        "issue_date": "2026-07-01", "payment_to": "2026-07-15", "paid_date": "2026-07-10",
        "price_gross": "1230,00", "paid": "1230,00", "currency": "PLN", "client_id": 7,
        "updated_at": "2026-07-10T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


def correction(**changes: Any) -> dict[str, Any]:
    """FK/12/2026 of 20 July: takes 230,00 off FV/11/2026."""
    raw: dict[str, Any] = {
        "id": 12, "number": "FK/12/2026", "kind": "correction", "status": "issued",
        "issue_date": "2026-07-20", "payment_to": "2026-08-03", "price_gross": "-230,00",
        "paid": "0,00", "currency": "PLN", "client_id": 7, "invoice_id": 11,
        "from_invoice_id": 11, "updated_at": "2026-07-20T10:00:00+02:00",
    }
    raw.update(changes)
    return raw


PAYMENT = {"id": 5, "price": "1230,00", "currency": "PLN", "paid": True,
           "paid_date": "2026-07-10", "client_id": 7,
           "invoices": [{"id": 11, "price_gross": "1230,00"}]}


def serve(server: HTTPServer, *, invoices: list[dict[str, Any]],
          corrections: list[dict[str, Any]], by_id: dict[str, Any] | None = None) -> None:
    """One sync, stream by stream in the connector's order: each list, then (after a list
    that is not empty) the empty page that ends the read. ``by_id``: the answer to
    ``GET /invoices/11.json``, due right after the page of corrections."""
    for path, page in (("/clients.json", [{"id": 7, "name": "Klient"}]),
                       ("/invoices.json", invoices),
                       ("/banking/payments.json", [PAYMENT]),
                       ("/invoices.json", corrections)):
        server.expect_ordered_request(path).respond_with_json(page)
        if page is corrections and by_id is not None:
            server.expect_ordered_request("/invoices/11.json").respond_with_json(by_id)
        if page:
            server.expect_ordered_request(path).respond_with_json([])


def paths(server: HTTPServer) -> list[str]:
    return [req.path for req, _ in server.log]


def assert_the_client_holds_the_correction(ledger: Ledger) -> None:
    """Nothing refused; the invoice settled by its payment; the correction lowers revenue
    by 230,00 and is credit client 7 holds, applied to nothing."""
    assert ledger.report.rejected == ()
    (note,) = ledger.credit_notes
    assert (note.id, note.total, note.allocations) == ("12", Decimal("230.00"), ())
    held = unapplied_cash(ledger, as_of=AS_OF)
    assert set(held) == {"7"}
    assert held["7"].credit == Decimal("230.00")
    assert held["7"].credit_note_ids == ("12",)
    settled = settle(ledger, as_of=AS_OF)["11"]
    assert (settled.settled_on, settled.open_balance) == (date(2026, 7, 10), Decimal(0))
    revenue = revenue_by_client(ledger, first=date(2026, 7, 1), last=AS_OF)
    assert revenue == {"7": Decimal("1000.00")}


def test_a_correction_of_an_invoice_paid_in_full_is_credit_the_client_holds(
    httpserver: HTTPServer,
) -> None:
    serve(httpserver, invoices=[paid_invoice()], corrections=[correction()])
    # strict (the default): a record the ledger refused would fail the build.
    ledger = cg.Ledger.from_connector(connector(httpserver), base_currency="PLN")
    httpserver.check_assertions()
    assert_the_client_holds_the_correction(ledger)
    # The invoice was read in this sync: it is not asked for again.
    assert "/invoices/11.json" not in paths(httpserver)


def test_an_incremental_sync_reads_the_corrected_invoice_by_its_id(
    httpserver: HTTPServer, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "s.db") as store:
        serve(httpserver, invoices=[paid_invoice()], corrections=[])
        store.sync(connector(httpserver))
        httpserver.check_assertions()
        httpserver.clear()
        # The next sync, by a new connector: the invoice did not change since the last one,
        # so the invoices stream does not list it; the correction is new.
        serve(httpserver, invoices=[], corrections=[correction()], by_id=paid_invoice())
        store.sync(connector(httpserver))
        httpserver.check_assertions()
        # Read once, by id, after the page of corrections that needed it, with the token.
        sent = [(req.path, tuple(req.args.getlist("kinds[]"))) for req, _ in httpserver.log]
        at = sent.index(("/invoices/11.json", ()))
        assert sent[at - 1] == ("/invoices.json", ("correction", "canceled"))
        assert paths(httpserver).count("/invoices/11.json") == 1
        by_id = httpserver.log[at][0]
        assert by_id.args.getlist("api_token") == [TOKEN]
        assert_the_client_holds_the_correction(store.load(base_currency="PLN"))


def test_a_corrected_invoice_fakturownia_no_longer_has_is_said_and_the_correction_applied(
    httpserver: HTTPServer,
) -> None:
    # credit_notes alone: the banking payments are read first, for the refunds (none).
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    # Two corrections of one invoice: it is asked for once. It answers 404 (deleted).
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [correction(), correction(id=13, number="FK/13/2026", price_gross="-100,00")])
    httpserver.expect_ordered_request("/invoices/11.json").respond_with_json(
        {"code": "error", "message": "Not Found"}, status=404)
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    pulled = pull(connector(httpserver), streams=["credit_notes"])
    httpserver.check_assertions()
    assert paths(httpserver).count("/invoices/11.json") == 1
    (note,) = pulled.notes
    assert "invoice 11" in note
    assert "404" in note
    assert "in full" in note
    assert TOKEN not in note
    applied = {r.id: [(a.invoice_id, a.amount) for a in r.allocations]
               for r in pulled.records if isinstance(r, cg.CreditNote)}
    assert applied == {"12": [("11", Decimal("230.00"))], "13": [("11", Decimal("100.00"))]}


@pytest.mark.parametrize(
    ("status", "body", "error", "said"),
    [
        pytest.param(401, {"message": f"Invalid api_token {TOKEN}"}, AuthError,
                     "Kod autoryzacyjny API", id="token refused"),
        pytest.param(200, [paid_invoice()], ApiError, "an invoice object was due",
                     id="a list, not an invoice"),
    ],
)
def test_a_corrected_invoice_that_cannot_be_read_fails_the_sync_without_the_token(
    httpserver: HTTPServer, status: int, body: Any, error: type[ConnectorError], said: str
) -> None:
    # credit_notes alone: the banking payments are read first, for the refunds (none).
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([correction()])
    httpserver.expect_ordered_request("/invoices/11.json").respond_with_json(body, status=status)
    with pytest.raises(error) as caught:
        pull(connector(httpserver), streams=["credit_notes"])
    message = str(caught.value)
    assert said in message
    assert "invoices/11.json" in message
    assert TOKEN not in message
