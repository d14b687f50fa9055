"""Shapes of real Fakturownia responses found in public code, through the mapping and a sync.

Each class of problem quotes only the fields it needs of the public payload, and names its
source. What the same sources showed that the connector already read right is listed in
``docs/connectors/fakturownia.md`` ("Checked against public payloads").

* **A cancelled invoice** (``POST /invoices/cancel.json``, Fakturownia's "Anulowanie
  faktury"): read back, its ``kind`` is ``"canceled"`` (sixers/fakturownia-cli,
  ``e2e/25-invoice-cancel.e2e.test.ts``, an end-to-end test run against a live account).
  The invoices stream asked only for the ``kinds[]`` it reads, so an incremental sync never
  saw the cancellation and the stored invoice stayed open and late until a ``--full
  --prune``. Every invoice response also carries ``"cancelled": false``
  (wooyek/fakturownia-python ``tests/fixtures/invoice_created.json``, a response recorded
  from a development account); one that says ``true`` is read as cancelled too.
* **A rate per 100 units.** Every invoice response carries ``exchange_currency_rate_den``
  beside ``exchange_currency_rate`` (``"1.0"`` in wooyek/fakturownia-python
  ``tests/fixtures/invoice_get.json`` and in the VosFactures response quoted by
  briceparent/py_vosfactures' tests). The NBP's table quotes some currencies per 100 units
  (``100 HUF``, ``100 JPY``: its ``przelicznik``), and the rate then means 100 units: the
  mapping used it as the rate of one, a forint invoice 100 times its worth in złoty.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import Invoice, Payment
from clientguard.store import Store
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import map_document, offers_paid_by, payment_from_banking

TOKEN = "fk-TOKEN-public-never-shown-31"


def invoice_response(ident: int, **changes: Any) -> dict[str, Any]:
    """The fields the mapping reads of wooyek/fakturownia-python
    ``tests/fixtures/invoice_created.json`` (``GET /invoices/{id}.json`` of a development
    account, 2018), with its types: ``income`` a JSON boolean, ``paid`` ``"0.0"``, the
    exchange fields null, ``cancelled`` false, ``exchange_currency_rate_den`` ``"1.0"``."""
    raw: dict[str, Any] = {
        "id": ident, "number": f"{ident}/01/2018", "kind": "vat", "income": True,
        "status": "issued", "issue_date": "2018-01-02", "payment_to": "2018-01-09",
        "paid": "0.0", "paid_date": None, "price_gross": "60.23", "currency": "PLN",
        "client_id": 9813789, "buyer_tax_no": "5252445767", "buyer_tax_no_kind": None,
        "exchange_currency": None, "exchange_currency_rate": None,
        "exchange_currency_rate_den": "1.0", "exchange_kind": "nbp", "cancelled": False,
        "invoice_id": None, "from_invoice_id": None,
        "updated_at": "2018-01-03T12:05:09.117+01:00",
    }
    raw.update(changes)
    return raw


# --------------------------------------------------------------------- cancelled invoices


@pytest.mark.parametrize(
    "changes",
    [
        # As sixers/fakturownia-cli's end-to-end test reads it back after the cancel.
        {"kind": "canceled"},
        # The flag every invoice response carries, set.
        {"cancelled": True},
        {"cancelled": "true"},
    ],
    ids=["kind-canceled", "cancelled-flag", "cancelled-flag-text"],
)
def test_a_cancelled_invoice_is_a_deleted_skip_saying_it_was_cancelled(
    changes: dict[str, Any],
) -> None:
    """Before: the flag was not read (an open invoice of 60.23, late from 2018-01-10), and the
    kind was skipped as "not one of the invoice kinds read"."""
    skipped = map_document(invoice_response(21293421, **changes))
    assert isinstance(skipped, Skip)
    assert skipped.deleted  # an earlier sync's open copy leaves the store
    assert "cancelled" in skipped.reason


def test_a_cancelled_correction_is_a_deleted_skip_too() -> None:
    # A correction lowering invoice 21293421 by 10.00, cancelled: it lowers nothing.
    raw = invoice_response(21293500, kind="correction", price_gross="-10.00",
                           invoice_id=21293421, from_invoice_id=21293421, cancelled=True)
    skipped = map_document(raw)
    assert isinstance(skipped, Skip)
    assert skipped.deleted
    assert "cancelled" in skipped.reason


def test_a_payment_tied_to_a_cancelled_invoice_pays_none_of_it() -> None:
    """A transfer of 100.00 tied to a cancelled invoice of 60.23 and then to an open one of
    100.00 (Fakturownia pays them in that order): the cancelled invoice is no invoice of the
    ledger, so all 100.00 go to the open one (before: 60.23 went to the cancelled one, which
    the ledger does not hold, and only 39.77 to the open one)."""
    raw = {"id": 555, "name": "Payment 001", "price": Decimal("100.00"), "paid": True,
           "kind": "api", "paid_date": "2018-01-08", "currency": "PLN", "client_id": 9813789,
           "invoices": [invoice_response(1, cancelled=True),
                        invoice_response(2, price_gross="100.00")]}
    payment = payment_from_banking(raw)
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("2", Decimal("100.00"))]
    # The note a person reads names the cancelled document, as it names a proforma.
    assert offers_paid_by(raw) == ("1",)


def _serve_by_kind(server: HTTPServer, documents: list[dict[str, Any]]) -> None:
    """``GET /invoices.json`` as Fakturownia answers it: only the documents whose ``kind`` is
    one of the ``kinds[]`` asked for, on page 1; page 2 is empty."""

    def handler(request: Request) -> Response:
        if request.args.get("page", "1") != "1":
            return Response("[]", content_type="application/json")
        kinds = request.args.getlist("kinds[]")
        given = [d for d in documents if not kinds or d["kind"] in kinds]
        return Response(json.dumps(given), content_type="application/json")

    server.clear()
    server.expect_request("/invoices.json").respond_with_handler(handler)


def _sync(server: HTTPServer, store: Store, documents: list[dict[str, Any]]) -> None:
    _serve_by_kind(server, documents)
    connector = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=server.url_for("/"),
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda seconds: None)
    store.sync(connector, streams=["invoices"])


def test_an_incremental_sync_removes_an_invoice_cancelled_since_the_last_one(
    httpserver: HTTPServer, tmp_path: Any,
) -> None:
    """Invoice 11 is synced open; it is then cancelled in Fakturownia (its kind becomes
    ``canceled``, its ``updated_at`` moves on). Before: the invoices stream asked for
    ``kinds[]`` vat, bill, ... only, the cancelled invoice never came, and the store kept it
    open (1230.00 owed, late from 2026-07-16) until a full sync with --prune."""
    eleven = invoice_response(11, issue_date="2026-07-01", payment_to="2026-07-15",
                              price_gross="1230.00", client_id=7,
                              updated_at="2026-07-02T10:00:00+02:00")
    twelve = invoice_response(12, issue_date="2026-07-01", payment_to="2026-07-15",
                              price_gross="500.00", client_id=7,
                              updated_at="2026-07-01T10:00:00+02:00")
    with Store.open(tmp_path / "cg.db") as store:
        _sync(httpserver, store, [eleven, twelve])
        assert {r.id for r in store.records() if isinstance(r, Invoice)} == {"11", "12"}
        cancelled = {**eleven, "kind": "canceled", "updated_at": "2026-08-02T10:00:00+02:00"}
        _sync(httpserver, store, [cancelled, twelve])
        assert {r.id for r in store.records() if isinstance(r, Invoice)} == {"12"}


# --------------------------------------------------------------------- rates per 100 units


def _foreign(
    currency: str, gross: str, rate: str, den: str | None, **changes: Any
) -> dict[str, Any]:
    return invoice_response(31, currency=currency, price_gross=gross, exchange_currency="PLN",
                            exchange_currency_rate=rate, exchange_currency_rate_den=den,
                            **changes)


@pytest.mark.parametrize(
    ("currency", "rate", "den", "expected"),
    [
        # NBP table A quotes the forint per 100: "100 HUF = 1.0587 PLN" is 0.010587 a forint.
        ("HUF", "1.0587", "100.0", Decimal("0.010587")),
        # ... and the yen: "100 JPY = 2.6055 PLN" is 0.026055 a yen.
        ("JPY", "2.6055", "100", Decimal("0.026055")),
        # Per unit, as every public response has it ("1.0"): the rate as it is.
        ("EUR", "4.2937", "1.0", Decimal("4.2937")),
        # Without the field (an older response): the rate as it is.
        ("EUR", "4.2937", None, Decimal("4.2937")),
    ],
    ids=["HUF-per-100", "JPY-per-100", "EUR-per-1", "EUR-no-den"],
)
def test_a_rate_is_per_unit_of_the_invoice_currency(
    currency: str, rate: str, den: str | None, expected: Decimal,
) -> None:
    invoice = map_document(_foreign(currency, "100000.00", rate, den))
    assert isinstance(invoice, Invoice)
    assert invoice.fx_rate == expected


@pytest.mark.parametrize("den", ["0", "-100", "sto"], ids=["zero", "negative", "text"])
def test_a_denominator_that_is_no_positive_number_is_rejected_naming_it(den: str) -> None:
    with pytest.raises(DataError, match="exchange_currency_rate_den"):
        map_document(_foreign("HUF", "100000.00", "1.0587", den))


def test_a_payment_in_zloty_caps_a_forint_invoice_at_its_worth_in_zloty() -> None:
    """A transfer of 2000.00 PLN tied to a 100000 HUF invoice (100 HUF = 1.0587 PLN, so
    100000 HUF is 1058.70 PLN) and then to a PLN invoice of 1500.00: 1058.70 pays the forint
    invoice and 941.30 the other. Before: the forint invoice was capped at 100000 x 1.0587
    = 105870 PLN and took all 2000.00."""
    raw = {"id": 777, "price": Decimal("2000.00"), "paid": True, "paid_date": "2018-01-08",
           "currency": "PLN", "client_id": 9813789,
           "invoices": [_foreign("HUF", "100000.00", "1.0587", "100.0"),
                        invoice_response(32, price_gross="1500.00")]}
    payment = payment_from_banking(raw)
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        ("31", Decimal("1058.70")), ("32", Decimal("941.30"))]


def test_the_forint_invoice_counts_at_its_worth_in_zloty_in_the_ledger() -> None:
    """100000 HUF at 0.010587 PLN a forint is 1058.70 PLN of revenue (before: 105870.00, a
    forint client a hundred times its size in the concentration review)."""
    made = map_document(_foreign("HUF", "100000.00", "1.0587", "100.0"))
    assert isinstance(made, Invoice)
    customer = cg.Customer(id="9813789", name="Klient", source="fakturownia")
    ledger = cg.Ledger.build([customer, made], base_currency="PLN")
    assert ledger.base_amount(made) == Decimal("1058.70")
