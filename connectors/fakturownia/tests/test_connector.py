"""The Fakturownia connector over real HTTP (pytest-httpserver): paging until an empty page,
incremental sync, a rate limit then success, an auth failure that says what to do."""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import SyncState, pull
from clientguard.errors import AuthError, ConfigError, ConnectorError
from clientguard.review import review
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector

NOW = datetime(2026, 9, 1, 12, 0, tzinfo=UTC)
TOKEN = "fk-TOKEN-never-shown-123"
Waits = list[float]


@pytest.fixture
def waits() -> Waits:
    """The injected sleep's record: ``waits.append`` is the sleep, it never waits."""
    return []


def connector(server: HTTPServer, waits: Waits, **options: Any) -> FakturowniaConnector:
    return FakturowniaConnector(
        subdomain="acme",
        api_token=TOKEN,
        base_url=server.url_for("/"),
        clock=lambda: NOW,
        sleep=waits.append,
        **options,
    )


def client(ident: int, name: str) -> dict[str, Any]:
    return {"id": ident, "name": name, "tax_no": f"525244576{ident % 10}"}


def invoice(ident: int, updated: str, **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": ident,
        "number": f"FV/{ident}/2026",
        "kind": "vat",
        "status": "issued",
        "issue_date": "2026-07-01",
        "payment_to": "2026-07-15",
        "price_gross": "1230,00",
        "paid": "0,00",
        "currency": "PLN",
        "client_id": 7,
        "updated_at": updated,
    }
    raw.update(changes)
    return raw


def args(server: HTTPServer) -> list[dict[str, list[str]]]:
    """The query parameters of every request the server saw, in order."""
    return [{k: req.args.getlist(k) for k in req.args} for req, _ in server.log]


def test_clients_are_paged_until_an_empty_page_not_a_short_one(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # After page 2, place 2 (per_page=1) must still hold client 2, the last of page 1: the
    # list did not move. The empty page after the short one needs no check.
    pages = [[client(1, "A"), client(2, "B")], [client(3, "C")], [client(2, "B")], []]
    for page in pages:
        httpserver.expect_ordered_request("/clients.json", method="GET").respond_with_json(page)
    pulled = pull(connector(httpserver, waits, page_size=2), streams=["customers"])
    httpserver.check_assertions()
    assert [c.id for c in pulled.records] == ["1", "2", "3"]
    sent = args(httpserver)
    assert [(a["page"], a["per_page"]) for a in sent] == [
        (["1"], ["2"]), (["2"], ["2"]), (["2"], ["1"]), (["3"], ["2"])]
    assert all(a["api_token"] == [TOKEN] for a in sent)
    assert all(req.headers["Accept"] == "application/json" for req, _ in httpserver.log)


def test_invoices_are_read_for_all_periods_newest_change_first_of_the_configured_kinds(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(11, "2026-07-02T10:00:00+02:00")]
    )
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    conn = connector(httpserver, waits, invoice_kinds=("vat", "bill"))
    pulled = pull(conn, streams=["invoices"])
    httpserver.check_assertions()
    first = args(httpserver)[0]
    assert first["period"] == ["all"]
    assert first["order"] == ["updated_at.desc"]
    # The kinds read, and "canceled": an invoice cancelled since the last sync comes back,
    # and is dropped (tests/test_public_payloads.py).
    assert first["kinds[]"] == ["vat", "bill", "canceled"]
    assert "kind" not in first
    (record,) = pulled.records
    assert isinstance(record, cg.Invoice)
    assert record.total == Decimal("1230.00")
    # The cursor is the latest change seen, in UTC.
    assert pulled.state.cursor("invoices") == datetime(2026, 7, 2, 8, 0, tzinfo=UTC)


def test_an_incremental_sync_stops_at_the_first_page_older_than_the_cursor(
    httpserver: HTTPServer, waits: Waits
) -> None:
    cursor = datetime(2026, 8, 1, tzinfo=UTC)
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(30, "2026-08-20T09:00:00+02:00"), invoice(29, "2026-08-10T09:00:00+02:00")]
    )
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(28, "2026-08-05T09:00:00+02:00"), invoice(27, "2026-07-20T09:00:00+02:00")]
    )
    # The boundary of page 1: place 2 still holds invoice 29.
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(29, "2026-08-10T09:00:00+02:00")]
    )
    # No third page is served: asking for it would be an unexpected request.
    state = SyncState({"invoices": cursor})
    pulled = pull(connector(httpserver, waits, page_size=2), state, streams=["invoices"])
    httpserver.check_assertions()
    assert [(a["page"], a["per_page"]) for a in args(httpserver)] == [
        (["1"], ["2"]), (["2"], ["2"]), (["2"], ["1"])]
    assert len(pulled.records) == 4
    assert sorted(r.id for r in pulled.records if isinstance(r, cg.Invoice)) == [
        "27", "28", "29", "30"]
    assert pulled.state.cursor("invoices") == datetime(2026, 8, 20, 7, 0, tzinfo=UTC)


def test_a_full_sync_ignores_the_cursor(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(2, "2025-01-01T00:00:00+01:00"), invoice(1, "2024-01-01T00:00:00+01:00")]
    )
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    # Page 1 was full: the empty page 2 is checked (place 2 still holds invoice 1).
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(1, "2024-01-01T00:00:00+01:00")]
    )
    conn = connector(httpserver, waits, page_size=2)
    state = SyncState({"invoices": datetime(2026, 8, 1, tzinfo=UTC)})
    pulled = pull(conn, state, streams=["invoices"], full=True)
    httpserver.check_assertions()
    assert len(pulled.records) == 2


def test_a_rate_limit_is_waited_out_then_the_page_is_read(
    httpserver: HTTPServer, waits: Waits
) -> None:
    httpserver.expect_ordered_request("/clients.json").respond_with_json(
        {"code": "error", "message": "Too many requests"}, status=429, headers={"Retry-After": "2"}
    )
    httpserver.expect_ordered_request("/clients.json").respond_with_json([client(1, "A")])
    httpserver.expect_ordered_request("/clients.json").respond_with_json([])
    pulled = pull(connector(httpserver, waits), streams=["customers"])
    httpserver.check_assertions()
    assert waits == [2.0]
    assert [a["page"] for a in args(httpserver)] == [["1"], ["1"], ["2"]]
    assert len(pulled.records) == 1


def test_a_refused_token_says_where_to_get_one_and_never_shows_it(
    httpserver: HTTPServer, waits: Waits, caplog: pytest.LogCaptureFixture
) -> None:
    httpserver.expect_request("/clients.json").respond_with_json(
        {"code": "error", "message": f"Invalid api_token {TOKEN}"}, status=401
    )
    caplog.set_level(logging.DEBUG)
    with pytest.raises(AuthError) as caught:
        pull(connector(httpserver, waits), streams=["customers"])
    message = str(caught.value)
    assert "Kod autoryzacyjny API" in message
    assert "api_token" in message
    assert caught.value.status == 401
    assert TOKEN not in message
    # Our side's log lines (urllib3's request line included); werkzeug is the test server.
    ours = [r for r in caplog.records if not r.name.startswith("werkzeug")]
    assert any("/clients.json" in r.getMessage() for r in ours)
    assert all(TOKEN not in r.getMessage() for r in ours)
    assert TOKEN not in repr(connector(httpserver, waits))
    assert len(httpserver.log) == 1  # an API token cannot be refreshed: no retry
    assert waits == []


def test_payments_are_read_with_their_invoices(httpserver: HTTPServer, waits: Waits) -> None:
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        [{"id": 5, "price": "100,00", "currency": "PLN", "paid": True,
          "paid_date": "2026-07-10", "client_id": 7,
          "invoices": [{"id": 11, "price_gross": "1230,00"}]}]
    )
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    pulled = pull(connector(httpserver, waits), streams=["payments"])
    httpserver.check_assertions()
    assert args(httpserver)[0]["include"] == ["invoices"]
    (payment,) = pulled.records
    assert isinstance(payment, cg.Payment)
    assert payment.allocations[0].invoice_id == "11"


def test_payments_can_be_turned_off(httpserver: HTTPServer, waits: Waits) -> None:
    pulled = pull(connector(httpserver, waits, payments=False), streams=["payments"])
    assert pulled.records == ()
    assert len(httpserver.log) == 0


def serve_account_without_banking(server: HTTPServer) -> None:
    """Clients and invoices as Fakturownia lists them; 404 on banking payments, as for an
    account without the banking module."""
    server.expect_ordered_request("/clients.json").respond_with_json([client(7, "Klient")])
    server.expect_ordered_request("/clients.json").respond_with_json([])
    server.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(11, "2026-07-20T10:00:00+02:00", status="paid", paid="1230,00",
                 paid_date="2026-07-20"),
         invoice(12, "2026-07-02T10:00:00+02:00")]
    )
    server.expect_ordered_request("/invoices.json").respond_with_json([])
    server.expect_ordered_request("/banking/payments.json").respond_with_json(
        {"code": "error", "message": "Not Found"}, status=404
    )
    server.expect_ordered_request("/invoices.json").respond_with_json([])  # corrections


def test_an_account_without_banking_skips_payments_with_a_note_and_settles_by_paid_dates(
    httpserver: HTTPServer, waits: Waits
) -> None:
    serve_account_without_banking(httpserver)
    pulled = pull(connector(httpserver, waits))
    httpserver.check_assertions()
    assert sorted(r.kind for r in pulled.records) == ["customer", "invoice", "invoice"]
    (note,) = pulled.notes
    assert "no banking module" in note
    assert "paid_date" in note
    assert "payments = false" in note
    assert len([r for r, _ in httpserver.log if r.path == "/banking/payments.json"]) == 1
    ledger = cg.Ledger.build(pulled.records, base_currency="PLN")
    settled = settle(ledger, as_of=date(2026, 8, 31))
    assert (settled["11"].settled_on, settled["11"].days_late) == (date(2026, 7, 20), 5)
    assert settled["12"].status == "open"


def test_a_store_sync_keeps_the_note_of_a_skipped_payments_stream(
    httpserver: HTTPServer, waits: Waits, tmp_path: Path
) -> None:
    serve_account_without_banking(httpserver)
    with Store.open(tmp_path / "s.db") as store:
        result = store.sync(connector(httpserver, waits))
        assert [n for n in result.notes if "no banking module" in n]
        ledger = store.load(base_currency="PLN")
        assert ledger.invoice("11").paid_on == date(2026, 7, 20)
        # Kept with the store, so that a review later says it too.
        (note,) = ledger.report.notes
        assert note.startswith("fakturownia: payments: not read, the account has no banking")
        quality = review(ledger, as_of=date(2026, 8, 31)).data_quality
        assert note in quality.notes
        # The account gets the module: the next read of payments replaces the note.
        httpserver.clear()
        httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
        store.sync(connector(httpserver, waits), streams=["payments"])
        assert store.notes() == ()
        assert store.load(base_currency="PLN").report.notes == ()


@pytest.mark.parametrize(("stream", "path"), [("customers", "/clients.json"),
                                             ("invoices", "/invoices.json"),
                                             ("credit_notes", "/invoices.json")])
def test_a_404_on_any_other_stream_fails_loudly(
    httpserver: HTTPServer, waits: Waits, stream: str, path: str
) -> None:
    httpserver.expect_request(path).respond_with_json({"message": "Not Found"}, status=404)
    # (credit_notes alone reads the banking payments first, for the refunds.)
    httpserver.expect_request("/banking/payments.json").respond_with_json([])
    with pytest.raises(ConnectorError) as caught:
        pull(connector(httpserver, waits), streams=[stream])
    assert caught.value.status == 404
    assert path.lstrip("/") in str(caught.value)


def test_a_404_on_a_later_page_of_payments_fails_loudly(
    httpserver: HTTPServer, waits: Waits
) -> None:
    # The first page came: the account has the module, so a 404 after it is something else.
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        [{"id": 5, "price": "100,00", "currency": "PLN", "paid": True,
          "paid_date": "2026-07-10", "client_id": 7,
          "invoices": [{"id": 11, "price_gross": "1230,00"}]}]
    )
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        {"message": "Not Found"}, status=404
    )
    with pytest.raises(ConnectorError) as caught:
        pull(connector(httpserver, waits), streams=["payments"])
    assert caught.value.status == 404


def test_options_are_checked_before_any_call() -> None:
    with pytest.raises(ConfigError, match="subdomain"):
        FakturowniaConnector(subdomain="not a domain!", api_token=TOKEN)
    with pytest.raises(ConfigError, match="api_token"):
        FakturowniaConnector(subdomain="acme")
    with pytest.raises(ConfigError, match="page_size"):
        FakturowniaConnector(subdomain="acme", api_token=TOKEN, page_size=500)
    with pytest.raises(ConfigError, match="default_terms_days"):  # would overflow a date
        FakturowniaConnector(subdomain="acme", api_token=TOKEN, default_terms_days=10**9)
    # A full host is accepted and trimmed to the subdomain.
    conn = FakturowniaConnector(subdomain="https://acme.fakturownia.pl/", api_token=TOKEN)
    assert conn.client.base_url == "https://acme.fakturownia.pl/"


def test_a_whole_account_builds_a_ledger_that_settles(
    httpserver: HTTPServer, waits: Waits
) -> None:
    """Clients, an invoice, its correction and the payment of the rest, end to end."""
    httpserver.expect_ordered_request("/clients.json").respond_with_json([client(7, "Klient")])
    httpserver.expect_ordered_request("/clients.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(11, "2026-07-20T10:00:00+02:00", status="paid", paid="1000,00",
                 paid_date="2026-07-20")]
    )
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        [{"id": 5, "price": "1000,00", "currency": "PLN", "paid": True,
          "paid_date": "2026-07-20", "client_id": 7,
          "invoices": [{"id": 11, "price_gross": "1230,00"}]}]
    )
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json(
        [invoice(12, "2026-07-05T10:00:00+02:00", kind="correction", price_gross="-230,00",
                 issue_date="2026-07-05", payment_to="2026-07-19", invoice_id=11)]
    )
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    ledger = cg.Ledger.from_connector(connector(httpserver, waits), base_currency="PLN")
    httpserver.check_assertions()
    kinds = [a.get("kinds[]") for a in args(httpserver)]
    # The credit_notes stream asks for corrections, and for cancelled documents (a cancelled
    # correction reads back as kind "canceled").
    assert kinds.count(["correction", "canceled"]) == 2
    buyer = ledger.customer("7")
    assert buyer is not None
    assert buyer.tax_id == "5252445767"
    settlement = settle(ledger, as_of=date(2026, 8, 31))["11"]
    # 1230 owed; the correction takes 230 off on 5 July, the payment of 1000 settles it.
    assert settlement.settled_on == date(2026, 7, 20)
    assert settlement.days_late == 5


@pytest.mark.parametrize(
    ("bad", "said"),
    [
        pytest.param("", "an empty body", id="empty body"),
        pytest.param("null", "a list was due, the body is null", id="null"),
        pytest.param('{"code": "error", "message": "Przerwa techniczna"}',
                     "a list was due, the body is an object", id="an error object"),
    ],
)
def test_a_page_that_is_no_list_fails_instead_of_ending_the_paging(
    httpserver: HTTPServer, waits: Waits, bad: str, said: str
) -> None:
    # Paged until an empty page: an empty list ends the read, an empty body must not.
    httpserver.expect_ordered_request("/clients.json").respond_with_json(
        [client(1, "A"), client(2, "B")])
    httpserver.expect_ordered_request("/clients.json").respond_with_data(
        bad, content_type="application/json")
    with pytest.raises(ConnectorError) as caught:
        pull(connector(httpserver, waits, page_size=2), streams=["customers"])
    httpserver.check_assertions()
    message = str(caught.value)
    assert "page 2 of customers" in message
    assert said in message
    assert "try again" in message
    assert "Przerwa" not in message
    assert TOKEN not in message


@pytest.mark.parametrize("with_country_first", [True, False])
def test_a_buyer_without_a_card_keeps_its_prefixed_number_whichever_document_is_read_last(
    httpserver: HTTPServer, waits: Waits, with_country_first: bool
) -> None:
    # Two documents of one buyer without a client card (nip:136695976): one typed with
    # buyer_country DE, one without. Before, the customer's tax id was the last document's
    # (DE136695976 or 136695976, which identifies no one); now DE136695976 either way.
    buyer = {"client_id": None, "buyer_tax_no": "136695976",
             "buyer_name": "Muster Handel GmbH"}
    documents = [invoice(11, "2026-07-20T10:00:00+02:00", **buyer, buyer_country="DE"),
                 invoice(12, "2026-07-19T10:00:00+02:00", **buyer, buyer_country="")]
    if not with_country_first:
        documents.reverse()

    def documents_of(request: Request) -> Response:
        first = request.args.get("page", "1") == "1"
        sales = "correction" not in request.args.getlist("kinds[]")
        return Response(json.dumps(documents if first and sales else []),
                        content_type="application/json")

    httpserver.expect_request("/clients.json").respond_with_json([])
    httpserver.expect_request("/invoices.json").respond_with_handler(documents_of)
    httpserver.expect_request("/banking/payments.json").respond_with_json([])
    ledger = cg.Ledger.from_connector(connector(httpserver, waits), base_currency="PLN")
    customer = ledger.customer("nip:136695976")
    assert customer is not None
    assert customer.tax_id == "DE136695976"
