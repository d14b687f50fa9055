"""What a banking payment pays, read the way a Polish firm's Fakturownia holds it.

Two cases a real account has that the mapping got wrong:

* an invoice issued to a buyer **without a client card** (``client_id`` empty, the buyer
  named by ``buyer_tax_no``), paid by a bank transfer: the payment names no client card
  either, and was rejected ("names no client"), so its money was lost from the sync;
* an invoice in **another currency than the payment** (an export invoice in EUR, paid in
  złoty into the PLN account): the allocation is in the payment's currency, but it was
  capped at the invoice's gross amount in EUR, as if 1000 EUR were 1000 PLN. Half of a
  1000 EUR invoice paid with 2150 PLN (at the invoice's 4.30) left 767.44 EUR open, not 500,
  and 1150 PLN of the client's money unapplied.

Expected values are worked out by hand in each row.
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
from clientguard.model import Customer, Invoice, Payment
from clientguard.settlement import settle
from clientguard_fakturownia import FakturowniaConnector
from clientguard_fakturownia.mapping import map_document, offers_paid_by, payment_from_banking
from clientguard_fakturownia.values import parse_amount

TOKEN = "fk-TOKEN-never-shown-456"


def embedded(ident: int, gross: str, currency: str = "PLN", **changes: Any) -> dict[str, Any]:
    """An invoice as ``banking/payments.json?include=invoices`` embeds it."""
    raw: dict[str, Any] = {
        "id": ident,
        "kind": "vat",
        "status": "issued",
        "issue_date": "2026-07-01",
        "payment_to": "2026-07-15",
        "price_gross": gross,
        "paid": "0,00",
        "currency": currency,
        "client_id": 7,
    }
    raw.update(changes)
    return raw


def export_invoice(ident: int = 21, **changes: Any) -> dict[str, Any]:
    """1000 EUR, which Fakturownia converted into złoty at the NBP rate 4.30 (4300 PLN)."""
    return embedded(
        ident, "1000.00", "EUR", kind="export_products", exchange_currency="PLN",
        exchange_kind="nbp", exchange_currency_rate="4.3000", **changes,
    )


def banking(price: str, invoices: list[dict[str, Any]], currency: str = "PLN",
            **changes: Any) -> dict[str, Any]:
    raw: dict[str, Any] = {
        "id": 5, "name": "Przelew", "price": price, "currency": currency, "paid": True,
        "kind": "api", "paid_date": "2026-07-10", "client_id": 7, "invoices": invoices,
    }
    raw.update(changes)
    return raw


def allocations(raw: dict[str, Any]) -> list[tuple[str, Decimal]]:
    payment = payment_from_banking(raw)
    assert isinstance(payment, Payment), payment
    return [(a.invoice_id, a.amount) for a in payment.allocations]


# --------------------------------------------------------------------------- currencies


@pytest.mark.parametrize(
    ("price", "currency", "invoices", "expected"),
    [
        # 2150 PLN of a 1000 EUR invoice booked at 4.30 (4300 PLN): all of it, half the
        # invoice (before: capped at 1000, as if 1000 EUR were 1000 PLN).
        ("2150,00", "PLN", [export_invoice()], [("21", Decimal("2150.00"))]),
        # 5000 PLN: the invoice takes its 1000 x 4.30 = 4300 PLN, 700 PLN is unapplied.
        ("5000,00", "PLN", [export_invoice()], [("21", Decimal("4300.00"))]),
        # In Fakturownia's order, each in full: 4300 PLN for the EUR invoice, then the
        # remaining 5000 - 4300 = 700 PLN of the złoty invoice of 1230.
        ("5000,00", "PLN", [export_invoice(), embedded(22, "1230,00")],
         [("21", Decimal("4300.00")), ("22", Decimal("700.00"))]),
        # A PLN invoice that Fakturownia also shows in EUR (0.2325 EUR per złoty), paid in
        # EUR: 1230 x 0.2325 = 285.975 EUR is what the invoice is in the payment's currency.
        ("300.00", "EUR",
         [embedded(23, "1230,00", exchange_currency="EUR", exchange_currency_rate="0,2325")],
         [("23", Decimal("285.975"))]),
        # No rate into the payment's currency (USD paid on a EUR invoice converted into
        # złoty): 1500 USD and 1000 EUR cannot be compared, and the one invoice takes it all,
        # as a payment tied to one invoice by id does; the ledger converts it and refuses it
        # if it pays more than the invoice (before: 1000 USD, capped as if it were EUR).
        ("1500.00", "USD", [export_invoice()], [("21", Decimal("1500.00"))]),
    ],
    ids=["part-in-pln", "over-in-pln", "eur-then-pln", "pln-paid-in-eur", "no-rate-last"],
)
def test_a_payment_in_another_currency_pays_its_invoice_at_the_invoices_own_rate(
    price: str, currency: str, invoices: list[dict[str, Any]],
    expected: list[tuple[str, Decimal]],
) -> None:
    assert allocations(banking(price, invoices, currency)) == expected


def test_a_payment_split_between_invoices_it_cannot_convert_is_rejected_naming_them() -> None:
    raw = banking("500.00", [export_invoice(), embedded(22, "1230,00")], "USD")
    with pytest.raises(DataError, match=r"invoice 21 is in EUR, the payment in USD.*no rate"):
        payment_from_banking(raw)


def test_half_an_export_invoice_paid_in_zloty_leaves_half_of_it_open() -> None:
    # 1000 EUR at 4.30; 2150 PLN paid: 2150 / 4.30 = 500 EUR applied, 500 EUR open, and
    # none of the client's money left unapplied. Before: 1000 / 4.30 = 232.56 EUR applied,
    # 767.44 EUR open, 1150 PLN unapplied.
    invoice = export_invoice(status="partial", paid="500.00")
    bill = map_document(invoice)
    payment = payment_from_banking(banking("2150,00", [invoice]))
    assert isinstance(bill, Invoice)
    assert isinstance(payment, Payment)
    customer = Customer(id="7", name="Exporter GmbH", source="fakturownia")
    # strict: a payment over-applying the invoice would raise
    ledger = cg.Ledger.build([customer, bill, payment], base_currency="PLN")
    settled = settle(ledger, as_of=date(2026, 9, 1))["21"]
    assert settled.status == "open"
    assert settled.open_balance == Decimal("500.00")
    assert settled.source_amount_due_mismatch is None  # agrees with Fakturownia's "paid"


# --------------------------------------------------------------------------- customers


CARDLESS: dict[str, Any] = {"client_id": None, "buyer_name": "Jan Kowalski Usługi Remontowe",
            "buyer_tax_no": "PL 525-244-57-67"}


@pytest.mark.parametrize(
    ("payment_client", "invoices", "expected"),
    [
        # No card on the payment nor on its invoice: the invoice's buyer, by NIP.
        (None, [embedded(11, "1230,00", **CARDLESS)], "nip:5252445767"),
        # Fakturownia's "no card" ids, 0 and -1, are no card.
        (0, [embedded(11, "1230,00", **{**CARDLESS, "client_id": 0})], "nip:5252445767"),
        ("-1", [embedded(11, "1230,00", **{**CARDLESS, "client_id": -1})], "nip:5252445767"),
        # A NIP written with a space and dashes is the same client.
        (None, [embedded(11, "1230,00", **{**CARDLESS, "buyer_tax_no": "525 244 57-67"})],
         "nip:5252445767"),
    ],
    ids=["no-card", "card-0", "card-minus-1", "nip-spaces"],
)
def test_a_payment_without_a_client_card_is_the_buyers_of_its_invoice(
    payment_client: object, invoices: list[dict[str, Any]], expected: str
) -> None:
    payment = payment_from_banking(banking("1230,00", invoices, client_id=payment_client))
    assert isinstance(payment, Payment)
    assert payment.customer_id == expected


def test_the_payment_and_the_cardless_invoice_it_pays_bill_the_same_customer() -> None:
    invoice = embedded(11, "1230,00", **CARDLESS)
    mapped = map_document(invoice)
    assert isinstance(mapped, list)
    customer, bill = mapped
    assert isinstance(customer, Customer)
    assert isinstance(bill, Invoice)
    payment = payment_from_banking(banking("1230,00", [invoice], client_id=None))
    assert isinstance(payment, Payment)
    assert payment.customer_id == customer.id == bill.customer_id


def test_a_payment_whose_invoices_name_neither_a_card_nor_a_nip_is_rejected() -> None:
    raw = banking("1230,00", [embedded(11, "1230,00", client_id=None)], client_id=None)
    with pytest.raises(DataError, match="no invoice with a client card or a buyer_tax_no"):
        payment_from_banking(raw)


# --------------------------------------------------------------------------- over HTTP


def test_a_sync_keeps_the_transfer_for_an_invoice_without_a_client_card(
    httpserver: HTTPServer,
) -> None:
    cardless = {
        **embedded(11, "1230,00", **CARDLESS), "number": "FV/11/2026", "status": "partial",
        "paid": "1000,00", "updated_at": "2026-07-20T10:00:00+02:00",
    }
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([cardless])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        [banking("1000,00", [cardless], client_id=None)]
    )
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    httpserver.expect_ordered_request("/invoices.json").respond_with_json([])  # corrections
    conn = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=httpserver.url_for("/"),
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda _: None,
    )
    pulled = pull(conn, streams=["invoices", "payments", "credit_notes"])
    httpserver.check_assertions()
    assert pulled.rejected == ()
    ledger = cg.Ledger.build(pulled.records, base_currency="PLN")
    settled = settle(ledger, as_of=date(2026, 9, 1))["11"]
    # 1230 - 1000 paid on 10 July = 230 still owed, as Fakturownia's "paid" says.
    assert settled.open_balance == Decimal("230.00")
    assert settled.source_amount_due_mismatch is None


# --------------------------------------------------------------------------- proformas, costs


PROFORMA: dict[str, Any] = {"kind": "proforma", "status": "paid", "paid": "1230,00"}


@pytest.mark.parametrize(
    ("price", "invoices", "expected"),
    [
        # A proforma paid before its invoice exists: the 1230 stay the client's unapplied
        # cash (before: allocated to the proforma, which the ledger does not hold, and the
        # ledger rejected the whole payment).
        ("1230,00", [embedded(30, "1230,00", **PROFORMA)], []),
        # A proforma and an invoice in one transfer of 1000: the invoice takes its 600, the
        # other 400 are unapplied (before: 1000 to the proforma, listed first).
        ("1000,00", [embedded(30, "1230,00", **PROFORMA), embedded(22, "600,00")],
         [("22", Decimal("600.00"))]),
        # An order (estimate) is no invoice either.
        ("500,00", [embedded(31, "500,00", kind="estimate")], []),
    ],
    ids=["proforma-alone", "proforma-then-invoice", "estimate"],
)
def test_a_payment_pays_nothing_of_a_proforma_and_keeps_its_money(
    price: str, invoices: list[dict[str, Any]], expected: list[tuple[str, Decimal]]
) -> None:
    payment = payment_from_banking(banking(price, invoices))
    assert isinstance(payment, Payment)
    assert payment.amount == parse_amount(price, field="price")
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == expected


def test_a_paid_proforma_is_the_clients_unapplied_cash_in_the_ledger() -> None:
    # 1230 paid on a proforma: the ledger keeps the payment (before: rejected, so the
    # client's money was missing), all of it unapplied.
    payment = payment_from_banking(banking("1230,00", [embedded(30, "1230,00", **PROFORMA)]))
    assert isinstance(payment, Payment)
    customer = Customer(id="7", name="Klient", source="fakturownia")
    ledger = cg.Ledger.build([customer, payment], base_currency="PLN")
    assert [p.id for p in ledger.payments] == ["5"]
    assert ledger.unapplied("5") == Decimal("1230.00")


@pytest.mark.parametrize(
    "invoices",
    [
        [embedded(40, "2460,00", income="0")],
        [embedded(40, "2460,00", income=0), embedded(41, "100,00", income="false")],
    ],
    ids=["one-cost", "two-costs"],
)
def test_a_payment_of_cost_documents_is_money_paid_out_and_is_skipped(
    invoices: list[dict[str, Any]],
) -> None:
    # Before: a Payment "received" from the supplier's card, as if the supplier were a
    # client who paid us 2460.
    result = payment_from_banking(banking("2460,00", invoices))
    assert isinstance(result, Skip)
    assert "cost" in result.reason
    assert result.deleted


def test_a_sync_says_which_payments_are_tied_to_a_proforma(httpserver: HTTPServer) -> None:
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json(
        [banking("1230,00", [embedded(30, "1230,00", **PROFORMA)])]
    )
    httpserver.expect_ordered_request("/banking/payments.json").respond_with_json([])
    conn = FakturowniaConnector(
        subdomain="acme", api_token=TOKEN, base_url=httpserver.url_for("/"),
        clock=lambda: datetime(2026, 9, 1, 12, 0, tzinfo=UTC), sleep=lambda _: None,
    )
    pulled = pull(conn, streams=["payments"])
    httpserver.check_assertions()
    (payment,) = pulled.records
    assert isinstance(payment, Payment)
    assert payment.allocations == ()
    (note,) = pulled.notes
    assert "payment 5 is tied to document 30" in note
    assert "unapplied cash" in note
    assert TOKEN not in note


def test_a_payment_not_received_yet_on_a_proforma_gets_no_note() -> None:
    # It is skipped (paid: false): no money to keep, nothing to say about it.
    raw = banking("1230,00", [embedded(30, "1230,00", **PROFORMA)], paid=False)
    assert offers_paid_by(raw) == ()
    assert offers_paid_by({**raw, "paid": True}) == ("30",)
