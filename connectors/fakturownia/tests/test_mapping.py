"""Mapping Fakturownia documents, clients and payments to the model, one rule a row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import CreditNote, Customer, Invoice, Payment
from clientguard.tax_id import comparable_tax_id
from clientguard_fakturownia.mapping import (
    MappingRules,
    customer_from_client,
    map_document,
    payment_from_banking,
)


def document(**changes: Any) -> dict[str, Any]:
    """A sales invoice as invoices.json lists it, amounts as strings."""
    base: dict[str, Any] = {
        "id": 101,
        "number": "FV/1/2026",
        "kind": "vat",
        "income": "1",
        "status": "issued",
        "issue_date": "2026-03-02",
        "sell_date": "2026-03-02",
        "payment_to": "2026-03-16",
        "paid_date": None,
        "paid": "0,00",
        "price_gross": "1230,00",
        "currency": "PLN",
        "client_id": 7,
        "buyer_name": "Klient Sp. z o.o.",
        "buyer_tax_no": "525-244-57-67",
        "updated_at": "2026-03-02T10:00:00.000+01:00",
    }
    base.update(changes)
    return base


def only_invoice(result: object) -> Invoice:
    assert isinstance(result, Invoice), result
    return result


@pytest.mark.parametrize(
    ("status", "paid", "paid_date", "expected_status", "paid_on", "amount_due"),
    [
        ("issued", "0,00", None, "open", None, Decimal("1230.00")),
        ("sent", "0,00", None, "open", None, Decimal("1230.00")),
        ("partial", "230,00", None, "open", None, Decimal("1000.00")),
        ("paid", "1230,00", "2026-03-20", "paid", date(2026, 3, 20), Decimal(0)),
        ("paid", "1230,00", "", "paid", None, Decimal(0)),  # paid, date unknown
        ("rejected", "0,00", None, "void", None, None),
        # A partial invoice's paid_date is the last part payment, not a paid date.
        ("partial", "100,00", "2026-03-10", "open", None, Decimal("1130.00")),
    ],
)
def test_status_values_map_to_the_model(
    status: str,
    paid: str,
    paid_date: str | None,
    expected_status: str,
    paid_on: date | None,
    amount_due: Decimal | None,
) -> None:
    invoice = only_invoice(map_document(document(status=status, paid=paid, paid_date=paid_date)))
    assert invoice.status == expected_status
    assert invoice.paid_on == paid_on
    assert invoice.amount_due == amount_due


def test_an_invoice_maps_every_field() -> None:
    invoice = only_invoice(map_document(document()))
    assert invoice.id == "101"
    assert invoice.customer_id == "7"
    assert invoice.number == "FV/1/2026"
    assert invoice.issue_date == date(2026, 3, 2)
    assert invoice.due_date == date(2026, 3, 16)  # payment_to
    assert invoice.total == Decimal("1230.00")  # "1230,00": decimal comma
    assert invoice.currency == "PLN"
    assert invoice.fx_rate is None
    assert invoice.source == "fakturownia"
    assert invoice.updated_at is not None
    assert invoice.updated_at.isoformat() == "2026-03-02T09:00:00+00:00"


def test_an_unknown_status_is_rejected_with_the_values_it_knows() -> None:
    with pytest.raises(DataError, match="issued, sent, paid, partial, rejected"):
        map_document(document(status="draft"))


@pytest.mark.parametrize(
    ("kind", "reason"),
    [
        ("proforma", "proforma"),
        ("receipt", "receipt"),
        ("kp", "KP"),
        ("estimate", "order"),
        ("something_new", "not one of the invoice kinds read"),
    ],
)
def test_documents_that_are_not_sales_invoices_are_skipped_with_a_reason(
    kind: str, reason: str
) -> None:
    result = map_document(document(kind=kind))
    assert isinstance(result, Skip)
    assert reason in result.reason


def test_a_cost_document_is_skipped() -> None:
    result = map_document(document(income="0"))
    assert isinstance(result, Skip)
    assert "cost" in result.reason


def test_the_invoice_kinds_are_configurable() -> None:
    rules = MappingRules(invoice_kinds=("vat", "receipt"))
    assert isinstance(map_document(document(kind="receipt"), rules), Invoice)
    assert isinstance(map_document(document(kind="bill"), rules), Skip)


def test_a_missing_payment_term_is_rejected_unless_default_terms_are_given() -> None:
    with pytest.raises(DataError, match=r"payment_to.*default_terms_days"):
        map_document(document(payment_to=""))
    invoice = only_invoice(
        map_document(document(payment_to=None), MappingRules(default_terms_days=14))
    )
    assert invoice.due_date == date(2026, 3, 16)


def test_a_paid_invoice_due_before_its_issue_date_keeps_the_sources_dates() -> None:
    # Real data: a paid invoice issued 2018-02-03 with payment_to 2018-01-25 (issued after
    # the money came in). The connector passes it on unchanged; the ledger moves the due date.
    invoice = only_invoice(map_document(document(
        status="paid", issue_date="2018-02-03", sell_date="2018-01-25", payment_to="2018-01-25",
        paid="1230,00", paid_date="2018-01-25")))
    assert (invoice.issue_date, invoice.due_date, invoice.paid_on) == (
        date(2018, 2, 3), date(2018, 1, 25), date(2018, 1, 25))
    assert invoice.status == "paid"


def test_a_foreign_invoice_keeps_the_rate_fakturownia_converted_it_at() -> None:
    invoice = only_invoice(
        map_document(
            document(
                currency="EUR",
                price_gross="1 000,00",
                exchange_currency="PLN",
                exchange_kind="nbp",
                exchange_currency_rate="4,2718",
            )
        )
    )
    assert invoice.currency == "EUR"
    assert invoice.total == Decimal("1000.00")
    # PLN per one EUR: the model's direction (units of base per unit of document currency).
    assert invoice.fx_rate == Decimal("4.2718")


@pytest.mark.parametrize(
    "changes",
    [
        {"exchange_currency": "", "exchange_currency_rate": "4,27"},  # not converted
        {"exchange_currency": "USD", "exchange_currency_rate": "1,08"},  # not into PLN
        {"exchange_currency": "PLN", "exchange_currency_rate": "0"},  # no rate
    ],
)
def test_a_rate_into_another_currency_or_no_rate_is_not_used(changes: dict[str, str]) -> None:
    invoice = only_invoice(map_document(document(currency="EUR", **changes)))
    assert invoice.fx_rate is None


def test_a_document_without_a_client_card_bills_the_buyer_by_nip() -> None:
    result = map_document(document(client_id=None, buyer_tax_no="PL 525-244-57-67"))
    assert isinstance(result, list)
    customer, invoice = result
    assert isinstance(customer, Customer)
    assert isinstance(invoice, Invoice)
    assert customer.id == invoice.customer_id == "nip:5252445767"
    assert customer.tax_id == "5252445767"
    assert customer.name == "Klient Sp. z o.o."


def test_a_document_with_neither_client_card_nor_nip_is_rejected() -> None:
    with pytest.raises(DataError, match="client_id"):
        map_document(document(client_id=-1, buyer_tax_no=""))


def test_a_negative_amount_on_an_invoice_is_rejected() -> None:
    with pytest.raises(DataError, match="only a correction"):
        map_document(document(price_gross="-5,00"))


# --------------------------------------------------------------------------- corrections


def correction(**changes: Any) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "id": 202,
        "kind": "correction",
        "number": "FK/1/2026",
        "issue_date": "2026-03-10",
        "payment_to": "2026-03-24",
        "price_gross": "-230,00",
        "invoice_id": 101,
        "from_invoice_id": 101,
    }
    return document(**{**fields, **changes})


def test_a_correction_lowering_the_amount_is_a_credit_note_against_the_invoice() -> None:
    note = map_document(correction())
    assert isinstance(note, CreditNote)
    assert note.total == Decimal("230.00")
    assert note.issue_date == date(2026, 3, 10)
    assert [(a.invoice_id, a.amount, a.date) for a in note.allocations] == [
        ("101", Decimal("230.00"), date(2026, 3, 10))
    ]


def test_a_correction_raising_the_amount_is_an_extra_invoice() -> None:
    invoice = only_invoice(map_document(correction(price_gross="50,00")))
    assert invoice.total == Decimal("50.00")
    assert invoice.due_date == date(2026, 3, 24)


def test_a_correction_of_nothing_or_a_rejected_one_is_skipped() -> None:
    assert isinstance(map_document(correction(price_gross="0,00")), Skip)
    assert isinstance(map_document(correction(status="rejected")), Skip)


# --------------------------------------------------------------------------- clients


def test_a_client_card_keeps_its_nip_as_the_tax_id() -> None:
    customer = customer_from_client(
        {"id": 7, "name": "Klient Sp. z o.o.", "tax_no": "525-244-57-67", "email": "a@b.pl",
         "updated_at": "2026-01-02T03:04:05+01:00"}
    )
    assert customer.id == "7"
    assert customer.tax_id == "5252445767"
    assert customer.email == "a@b.pl"


def test_a_private_client_is_named_by_first_and_last_name() -> None:
    customer = customer_from_client(
        {"id": 8, "name": "", "first_name": "Jan", "last_name": "Kowalski", "company": False}
    )
    assert customer.name == "Jan Kowalski"
    assert customer.tax_id is None


def test_a_client_without_any_name_is_rejected() -> None:
    with pytest.raises(DataError, match="name"):
        customer_from_client({"id": 9})


# --------------------------------------------------------------------------- payments


def banking_payment(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": 77,
        "name": "Przelew",
        "price": "1000,00",
        "currency": "PLN",
        "paid": True,
        "kind": "api",
        "paid_date": "2026-03-20",
        "client_id": 7,
        "invoices": [
            {"id": 101, "price_gross": "600,00", "client_id": 7},
            {"id": 102, "price_gross": "600,00", "client_id": 7},
        ],
    }
    base.update(changes)
    return base


def test_a_payment_pays_its_invoices_in_order_each_in_full_before_the_next() -> None:
    payment = payment_from_banking(banking_payment())
    assert isinstance(payment, Payment)
    assert payment.amount == Decimal("1000.00")
    assert payment.date == date(2026, 3, 20)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        ("101", Decimal("600.00")),
        ("102", Decimal("400.00")),
    ]


def test_what_a_payment_leaves_over_is_unapplied_cash() -> None:
    payment = payment_from_banking(banking_payment(price="1500,00"))
    assert isinstance(payment, Payment)
    assert sum(a.amount for a in payment.allocations) == Decimal("1200.00")


def test_a_payment_tied_to_one_invoice_by_id_takes_it_all() -> None:
    payment = payment_from_banking(banking_payment(invoices=None, invoice_id=101))
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("101", Decimal("1000.00"))]


def test_a_payment_on_several_invoices_without_their_amounts_is_rejected() -> None:
    with pytest.raises(DataError, match="cannot be split"):
        payment_from_banking(banking_payment(invoices=None, invoice_ids=[101, 102]))


def test_a_payment_not_received_yet_is_skipped() -> None:
    assert isinstance(payment_from_banking(banking_payment(paid=False)), Skip)


def test_a_payment_without_a_date_is_rejected() -> None:
    with pytest.raises(DataError, match="paid_date"):
        payment_from_banking(banking_payment(paid_date=""))


def test_a_payment_without_a_client_takes_its_invoices_client() -> None:
    payment = payment_from_banking(banking_payment(client_id=None))
    assert isinstance(payment, Payment)
    assert payment.customer_id == "7"


@pytest.mark.parametrize(
    ("tax_no", "country", "tax_id"),
    [
        # A foreign client's number typed without its VAT prefix: the card's country gives
        # it (VIES: Germany's are 9 digits, Austria's U and 8, Denmark's 8).
        ("136695976", "DE", "DE136695976"),
        ("U12345678", "AT", "ATU12345678"),
        ("12 34 56 78", "DK", "DK12345678"),
    ],
)
def test_a_client_cards_country_gives_a_bare_tax_number_its_state(
    tax_no: str, country: str | None, tax_id: str
) -> None:
    customer = customer_from_client(
        {"id": 7, "name": "Muster Handel GmbH", "tax_no": tax_no, "country": country})
    assert customer.tax_id == tax_id


def test_a_buyer_without_a_card_keeps_its_id_and_gets_its_states_number() -> None:
    # The id stays the number as typed (earlier pulls stored nip:136695976); the tax id is
    # Germany's, so that the buyer matches its DE136695976 in another source.
    result = map_document(document(client_id=None, buyer_tax_no="136695976",
                                   buyer_name="Muster Handel GmbH", buyer_country="DE"))
    assert isinstance(result, list)
    customer, invoice = result
    assert isinstance(customer, Customer)
    assert isinstance(invoice, Invoice)
    assert customer.id == invoice.customer_id == "nip:136695976"
    assert customer.tax_id == "DE136695976"


@pytest.mark.parametrize(
    ("tax_no", "country", "comparable"),
    [
        # A Szczecin landline typed in the tax field of a Polish client's card: 914345502
        # passes Norway's check digit (9*3 + 1*2 + 4*7 + 3*6 + 4*5 + 5*4 + 5*3 + 0*2 = 130 =
        # 11*11 + 9, 11 - 9 = 2, its ninth digit) but the card says Poland: no one's number.
        ("91 434 55 02", "PL", None),
        ("914345502", "Polska", None),
        # The same digits on a Norwegian client's card are its organisation number.
        ("914345502", "NO", "NO914345502"),
        ("914345502", "Norwegia", "NO914345502"),
    ],
)
def test_nine_digits_on_a_card_are_norwegian_only_on_a_norwegian_clients(
    tax_no: str, country: str, comparable: str | None
) -> None:
    customer = customer_from_client(
        {"id": 7, "name": "Kowalski Sp. z o.o.", "tax_no": tax_no, "country": country})
    assert comparable_tax_id(customer.tax_id) == comparable


@pytest.mark.parametrize("country", ["Niemcy", "Germany", " de "])
def test_a_buyers_country_typed_as_a_name_gives_its_state(country: str) -> None:
    # Fakturownia's buyer_country as typed on a document: a name in Polish or English.
    result = map_document(document(client_id=None, buyer_tax_no="136695976",
                                   buyer_name="Muster Handel GmbH", buyer_country=country))
    assert isinstance(result, list)
    customer = result[0]
    assert isinstance(customer, Customer)
    assert customer.tax_id == "DE136695976"
