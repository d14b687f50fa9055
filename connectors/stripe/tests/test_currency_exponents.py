"""Stripe's own decimals for each currency, row by row from Stripe's documentation, and a
UGX invoice read over HTTP.

Source: docs.stripe.com/currencies ("Minor units in API amounts", "Zero-decimal currencies",
"Special cases"); the three-decimal rule from the same page as archived on 2022-12-31
(web.archive.org/web/20221231002856/https://stripe.com/docs/currencies). Each expected value
is the page's own example, or the page's rule applied by hand.
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import pull
from clientguard_stripe import StripeConnector
from clientguard_stripe.amounts import STRIPE_ZERO_DECIMAL, from_stripe_minor, stripe_exponent
from clientguard_stripe.mapping import invoice_records

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("units", "currency", "expected", "said"),
    [
        (1000, "USD", Decimal("10.00"), "1000 to charge 10 USD"),
        (500, "JPY", Decimal("500"), "to charge 500 JPY, provide an amount value of 500"),
        # Special cases: zero-decimal in fact, two-decimal on the wire.
        (500, "ISK", Decimal("5.00"), "to charge 5 ISK, provide an amount value of 500"),
        (500, "UGX", Decimal("5.00"), "to charge 5 UGX, provide an amount value of 500"),
        # Zero-decimal for payouts only: charges (and invoices) carry two decimals.
        (1045, "HUF", Decimal("10.45"), "an available balance of HUF 10.45 ... 1045"),
        (80045, "TWD", Decimal("800.45"), "TWD 800.45 ... the amount value of 80045"),
        # Three-decimal, last digit 0: "5.124 KWD must be rounded to 5120 or 5130".
        (5120, "KWD", Decimal("5.120"), "5120 is 5.120 KWD"),
        (5130, "BHD", Decimal("5.130"), "three-decimal: BHD"),
        (1250, "JOD", Decimal("1.250"), "three-decimal: JOD"),
        (990, "OMR", Decimal("0.990"), "three-decimal: OMR"),
        (100000, "TND", Decimal("100.000"), "three-decimal: TND"),
    ],
)
def test_an_amount_is_what_stripes_documentation_says_it_charges(
    units: int, currency: str, expected: Decimal, said: str
) -> None:
    assert from_stripe_minor(units, currency, field="total") == expected, said


def test_only_currencies_stripe_sends_without_decimals_have_exponent_zero() -> None:
    # UGX is on Stripe's zero-decimal list and in its Special cases, which govern the API:
    # "backwards compatibility requires you to represent it as a two-decimal value".
    assert "UGX" not in STRIPE_ZERO_DECIMAL
    assert stripe_exponent("UGX") == stripe_exponent("ISK") == 2


def ugx_invoice(total: int, paid: int) -> dict[str, object]:
    created = int(NOW.timestamp()) - 3 * 86400
    return {
        "id": "in_ug", "object": "invoice", "customer": "cus_kampala", "number": "UG-0001",
        "status": "paid" if paid == total else "open", "collection_method": "send_invoice",
        "currency": "ugx", "created": created, "effective_at": created,
        "due_date": created + 14 * 86400, "total": total, "amount_due": total,
        "amount_paid": paid, "amount_remaining": total - paid,
        "status_transitions": {"finalized_at": created,
                               "paid_at": created + 86400 if paid == total else None},
    }


def test_a_ugx_invoice_is_not_read_a_hundred_times_too_large() -> None:
    # UGX 37,000 (about 10 USD) is amount 3700000 in Stripe's API.
    records = invoice_records(ugx_invoice(3_700_000, 3_700_000))
    assert isinstance(records, list), records
    invoice, payment = records
    assert isinstance(invoice, cg.Invoice)
    assert isinstance(payment, cg.Payment)
    assert invoice.total == Decimal("37000")
    assert payment.amount == Decimal("37000")


def test_a_ugx_invoice_over_http_keeps_its_open_balance_in_shillings(
    httpserver: HTTPServer,
) -> None:
    # Total UGX 50,000, UGX 20,000 paid: UGX 30,000 open (Stripe's amount_remaining 3000000).
    httpserver.expect_ordered_request("/v1/invoices").respond_with_json(
        {"object": "list", "url": "/v1/invoices", "has_more": False,
         "data": [ugx_invoice(5_000_000, 2_000_000)]})
    conn = StripeConnector(api_key="rk_test_51ugx", base_url=httpserver.url_for("/"),
                           clock=lambda: NOW, sleep=lambda _: None, timezone="UTC")
    pulled = pull(conn, streams=["invoices"])
    httpserver.check_assertions()
    (invoice,) = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    assert invoice.currency == "UGX"
    assert invoice.total == Decimal("50000")
    assert invoice.amount_due == Decimal("30000")
    (payment,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert payment.amount == Decimal("20000")
