"""Mapping Stripe invoices, credit notes and customers to the model, one rule a row."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import clientguard as cg
from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.links import suggest_links
from clientguard.model import AnyRecord, CreditNote, Customer, Invoice, Payment
from clientguard.testing import customer
from clientguard_stripe.mapping import (
    approximate_payment_date,
    credit_note_from_stripe,
    customer_from_stripe,
    invoice_records,
)


def ts(text: str) -> int:
    """Unix seconds of an ISO moment in UTC."""
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp())


def stripe_invoice(**changes: Any) -> dict[str, Any]:
    """An open send_invoice invoice of USD 100.00, as /v1/invoices lists it."""
    base: dict[str, Any] = {
        "id": "in_1",
        "object": "invoice",
        "customer": "cus_1",
        "number": "ABC-0001",
        "status": "open",
        "collection_method": "send_invoice",
        "currency": "usd",
        "created": ts("2026-03-01T09:00:00"),
        "effective_at": ts("2026-03-01T10:00:00"),
        "due_date": ts("2026-03-31T10:00:00"),
        "total": 10000,
        "amount_due": 10000,
        "amount_paid": 0,
        "amount_remaining": 10000,
        "starting_balance": 0,
        "ending_balance": 0,
        "status_transitions": {
            "finalized_at": ts("2026-03-01T10:00:00"),
            "paid_at": None,
            "voided_at": None,
            "marked_uncollectible_at": None,
        },
    }
    base.update(changes)
    return base


def split(records: list[AnyRecord] | Skip) -> tuple[Invoice, list[Payment]]:
    assert isinstance(records, list), records
    invoice, *rest = records
    assert isinstance(invoice, Invoice)
    assert all(isinstance(p, Payment) for p in rest)
    return invoice, [p for p in rest if isinstance(p, Payment)]


def test_an_open_invoice_maps_every_field() -> None:
    invoice, payments = split(invoice_records(stripe_invoice()))
    assert invoice.id == "in_1"
    assert invoice.customer_id == "cus_1"
    assert invoice.number == "ABC-0001"
    assert invoice.currency == "USD"
    assert invoice.total == Decimal("100.00")  # 10000 cents
    assert invoice.issue_date == date(2026, 3, 1)
    assert invoice.due_date == date(2026, 3, 31)
    assert invoice.status == "open"
    assert invoice.amount_due == Decimal("100.00")
    assert invoice.source == "stripe"
    assert payments == []


def test_a_charge_automatically_invoice_is_due_when_it_is_finalised() -> None:
    """due_date is null for charge_automatically: Stripe asks for the money at finalisation."""
    invoice, _ = split(
        invoice_records(
            stripe_invoice(
                collection_method="charge_automatically",
                due_date=None,
                effective_at=ts("2026-03-01T10:00:00"),
                status_transitions={"finalized_at": ts("2026-03-02T08:00:00")},
            )
        )
    )
    assert invoice.due_date == date(2026, 3, 2)


def test_a_draft_has_no_due_date_and_is_due_on_its_creation() -> None:
    invoice, _ = split(
        invoice_records(
            stripe_invoice(status="draft", number=None, due_date=None, effective_at=None,
                           status_transitions={"finalized_at": None})
        )
    )
    assert invoice.status == "draft"
    assert invoice.number == "in_1"  # drafts have no number yet
    assert invoice.issue_date == invoice.due_date == date(2026, 3, 1)


@pytest.mark.parametrize(
    ("status", "expected", "amount_due"),
    [
        ("draft", "draft", None),
        ("open", "open", Decimal("100.00")),
        # Written off after failed collection: still owed, still late.
        ("uncollectible", "open", Decimal("100.00")),
        # Stripe keeps amount_remaining on a void invoice; only the status says it is dead.
        ("void", "void", None),
    ],
)
def test_statuses(status: str, expected: str, amount_due: Decimal | None) -> None:
    invoice, payments = split(invoice_records(stripe_invoice(status=status)))
    assert invoice.status == expected
    assert invoice.amount_due == amount_due
    assert payments == []


def test_an_unknown_status_is_rejected() -> None:
    with pytest.raises(DataError, match="status"):
        invoice_records(stripe_invoice(status="deleted"))


def test_a_paid_invoice_is_paid_on_paid_at_by_a_payment_of_what_was_paid() -> None:
    paid_at = ts("2026-04-03T15:00:00")
    invoice, payments = split(
        invoice_records(
            stripe_invoice(
                status="paid",
                amount_paid=10000,
                amount_remaining=0,
                status_transitions={"finalized_at": ts("2026-03-01T10:00:00"),
                                    "paid_at": paid_at},
            )
        )
    )
    assert invoice.status == "paid"
    assert invoice.paid_on == date(2026, 4, 3)
    assert invoice.amount_due == Decimal(0)
    (payment,) = payments
    assert payment.id == "in_1/paid"
    assert payment.date == date(2026, 4, 3)
    assert payment.amount == Decimal("100.00")
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("in_1", Decimal("100.00"))]


def test_an_overpayment_stays_unapplied_cash() -> None:
    _, (payment,) = split(
        invoice_records(
            stripe_invoice(status="paid", amount_paid=12000, amount_remaining=0,
                           status_transitions={"paid_at": ts("2026-04-03T15:00:00")})
        )
    )
    assert payment.amount == Decimal("120.00")
    assert payment.allocations[0].amount == Decimal("100.00")


def test_a_customer_credit_balance_used_at_finalisation_is_a_payment() -> None:
    """total 100, starting_balance -20 (a credit), ending 0: 80 is due, 20 already paid."""
    invoice, (balance,) = split(
        invoice_records(
            stripe_invoice(starting_balance=-2000, ending_balance=0, amount_due=8000,
                           amount_remaining=8000)
        )
    )
    assert invoice.total == Decimal("100.00")
    assert invoice.amount_due == Decimal("80.00")
    assert balance.id == "in_1/customer_balance"
    assert balance.date == date(2026, 3, 1)  # finalisation
    assert balance.allocations[0].amount == Decimal("20.00")


def test_a_credit_balance_larger_than_the_invoice_only_uses_what_it_needs() -> None:
    _, (balance,) = split(
        invoice_records(
            stripe_invoice(total=5000, starting_balance=-8000, ending_balance=-3000,
                           amount_due=0, amount_remaining=0, status="paid",
                           status_transitions={"finalized_at": ts("2026-03-01T10:00:00"),
                                               "paid_at": ts("2026-03-01T10:00:00")})
        )
    )
    assert balance.amount == Decimal("50.00")


def invoice_payment(ident: str, amount: int | None, paid_at: str | None,
                    status: str = "paid") -> dict[str, Any]:
    """An invoice payment as an expanded ``payments`` list holds it (API 2025-03-31.basil+)."""
    return {"id": ident, "object": "invoice_payment", "amount_paid": amount,
            "amount_requested": amount or 0, "created": ts("2026-03-01T10:00:00"),
            "currency": "usd", "invoice": "in_1", "is_default": False, "livemode": False,
            "payment": {"type": "payment_intent", "payment_intent": f"pi_{ident}"},
            "status": status,
            "status_transitions": {"canceled_at": None,
                                   "paid_at": ts(paid_at) if paid_at else None}}


def payments_list(*items: dict[str, Any]) -> dict[str, Any]:
    return {"object": "list", "data": list(items), "has_more": False,
            "url": "/v1/invoices/in_1/payments"}


# The issue's case: total 21.00, amount_paid 10.00, amount_remaining 11.00.
PART_PAID: dict[str, Any] = {"total": 2100, "amount_due": 2100, "amount_paid": 1000,
                             "amount_remaining": 1100}


@pytest.mark.parametrize(
    ("changes", "paid_on", "approximate"),
    [
        pytest.param({}, date(2026, 3, 1), "dated on its finalisation",
                     id="open, no payments listed: the finalisation, approximate"),
        pytest.param({"status": "uncollectible",
                      "status_transitions": {"finalized_at": ts("2026-03-02T10:00:00"),
                                             "paid_at": None,
                                             "marked_uncollectible_at": ts("2026-05-01T00:00:00")}},
                     date(2026, 3, 2), "dated on its finalisation",
                     id="uncollectible, no payments listed"),
        pytest.param({"payments": payments_list(
                         invoice_payment("inpay_default", None, None, status="open"),
                         invoice_payment("inpay_1", 1000, "2026-03-20T12:00:00"))},
                     date(2026, 3, 20), None, id="open, one paid invoice payment: its day"),
        pytest.param({"status": "uncollectible", "payments": payments_list(
                         invoice_payment("inpay_1", 1000, "2026-03-20T12:00:00"))},
                     date(2026, 3, 20), None, id="uncollectible, one paid invoice payment"),
        pytest.param({"amount_paid": 1000, "payments": {**payments_list(
                         invoice_payment("inpay_1", 400, "2026-03-10T12:00:00"),
                         invoice_payment("inpay_2", 600, "2026-03-25T12:00:00")),
                         "has_more": True}},
                     date(2026, 3, 25), "2 part payments, all dated on the latest",
                     id="two parts of a list cut short: the latest, approximate"),
        pytest.param({"amount_paid": 1000, "payments": payments_list(
                         invoice_payment("inpay_1", 400, "2026-03-10T12:00:00"),
                         invoice_payment("inpay_2", 500, "2026-03-25T12:00:00"))},
                     date(2026, 3, 25), "2 part payments, all dated on the latest",
                     id="two parts short of amount_paid: the latest, approximate"),
        pytest.param({"charge": {"id": "ch_1", "object": "charge", "status": "succeeded",
                                 "created": ts("2026-03-18T12:00:00"), "paid": True}},
                     date(2026, 3, 18), None, id="older API: the expanded charge's day"),
        pytest.param({"charge": {"id": "ch_1", "object": "charge", "status": "failed",
                                 "created": ts("2026-03-18T12:00:00"), "paid": False}},
                     date(2026, 3, 1), "dated on its finalisation",
                     id="older API: a failed charge is no date"),
        pytest.param({"charge": "ch_1"}, date(2026, 3, 1), "dated on its finalisation",
                     id="older API: a charge not expanded"),
    ],
)
def test_what_was_paid_on_an_open_or_uncollectible_invoice_is_a_payment(
    changes: dict[str, Any], paid_on: date, approximate: str | None,
) -> None:
    raw = stripe_invoice(**{**PART_PAID, **changes})
    invoice, payments = split(invoice_records(raw))
    assert invoice.status == "open"
    assert invoice.amount_due == Decimal("11.00")  # Stripe's amount_remaining
    (payment,) = payments
    assert (payment.id, payment.amount, payment.date) == ("in_1/paid", Decimal("10.00"), paid_on)
    assert payment.allocations[0].amount == Decimal("10.00")
    why = approximate_payment_date(raw)
    assert (why is None) == (approximate is None)
    if approximate is not None:
        assert why is not None
        assert approximate in why
    # The replay's open balance is Stripe's, and the source's balance agrees with it.
    book = cg.Ledger.build([invoice, *payments], base_currency="USD")
    settled = cg.settle(book, as_of=date(2026, 6, 30))["in_1"]
    assert settled.open_balance == Decimal("11.00")
    assert settled.source_amount_due_mismatch is None


def test_a_paid_invoice_paid_at_once_keeps_paid_at_and_is_never_approximate() -> None:
    raw = stripe_invoice(status="paid", amount_paid=10000, amount_remaining=0,
                         status_transitions={"finalized_at": ts("2026-03-01T10:00:00"),
                                             "paid_at": ts("2026-04-02T08:00:00")},
                         payments=payments_list(
                             invoice_payment("inpay_1", 10000, "2026-04-02T08:00:00")))
    _, payments = split(invoice_records(raw))
    assert [(p.id, p.amount, p.date) for p in payments] == [
        ("in_1/paid", Decimal("100.00"), date(2026, 4, 2))]
    assert approximate_payment_date(raw) is None


# The story of an invoice paid in instalments, as every source tells it: USD 100.00 due
# 31 March, 40.00 paid on 10 March and 60.00 on 2 April. Xero lists two payments, QuickBooks
# two Payment lines, Fakturownia two banking payments; Stripe one invoice whose expanded
# ``payments`` list holds two paid invoice payments. Each part is a payment on its own day,
# so that as of 20 March 60.00 is open (100.00 - 40.00), as in the other sources; before,
# Stripe's one payment of 100.00 on 2 April left the whole 100.00 open until then.
@pytest.mark.parametrize(
    ("changes", "parts", "open_on_20_march", "open_on_30_june"),
    [
        pytest.param(
            {"status": "paid", "amount_paid": 10000, "amount_remaining": 0,
             "status_transitions": {"finalized_at": ts("2026-03-01T10:00:00"),
                                    "paid_at": ts("2026-04-02T08:00:00")},
             "payments": payments_list(
                 invoice_payment("inpay_2", 6000, "2026-04-02T08:00:00"),
                 invoice_payment("inpay_1", 4000, "2026-03-10T12:00:00"))},
            [("in_1/paid/inpay_1", "40.00", date(2026, 3, 10), "40.00"),
             ("in_1/paid/inpay_2", "60.00", date(2026, 4, 2), "60.00")],
            "60.00", "0", id="paid in two instalments, listed newest first"),
        pytest.param(
            {"amount_paid": 1000, "amount_remaining": 9000, "payments": payments_list(
                invoice_payment("inpay_1", 400, "2026-03-10T12:00:00"),
                invoice_payment("inpay_2", 600, "2026-03-25T12:00:00"),
                invoice_payment("inpay_3", 500, "2026-03-26T12:00:00", status="canceled"))},
            [("in_1/paid/inpay_1", "4.00", date(2026, 3, 10), "4.00"),
             ("in_1/paid/inpay_2", "6.00", date(2026, 3, 25), "6.00")],
            "96.00", "90.00", id="open, two parts paid and one canceled (not money)"),
        pytest.param(
            {"status": "paid", "amount_paid": 10000, "amount_remaining": 0,
             "status_transitions": {"finalized_at": ts("2026-03-01T10:00:00"),
                                    "paid_at": ts("2026-04-02T08:00:00")},
             "payments": payments_list(
                 invoice_payment("inpay_1", 4000, "2026-03-10T12:00:00"),
                 invoice_payment("inpay_2", 6000, None))},
            [("in_1/paid", "100.00", date(2026, 4, 2), "100.00")],
            "100.00", "0", id="a part without its day: one payment on paid_at, as before"),
    ],
)
def test_an_invoice_paid_in_parts_is_a_payment_per_part_on_its_day(
    changes: dict[str, Any], parts: list[tuple[str, str, date, str]],
    open_on_20_march: str, open_on_30_june: str,
) -> None:
    raw = stripe_invoice(**changes)
    invoice, payments = split(invoice_records(raw))
    assert [(p.id, p.amount, p.date, p.allocations[0].amount) for p in payments] == [
        (ident, Decimal(amount), day, Decimal(applied)) for ident, amount, day, applied in parts]
    book = cg.Ledger.build([invoice, *payments], base_currency="USD")
    assert cg.settle(book, as_of=date(2026, 3, 20))["in_1"].open_balance == Decimal(
        open_on_20_march)
    settled = cg.settle(book, as_of=date(2026, 6, 30))["in_1"]
    assert settled.open_balance == Decimal(open_on_30_june)
    assert settled.source_amount_due_mismatch is None


def test_parts_that_pay_more_than_the_invoice_asks_leave_the_rest_unapplied() -> None:
    # A customer debit of 10.00 carried into the invoice (starting_balance 1000): Stripe asks
    # 110.00 and is paid 50.00 + 60.00; the invoice's own 100.00 takes 50.00 of the first
    # part and 50.00 of the second, whose other 10.00 paid the old debit (unapplied cash).
    raw = stripe_invoice(status="paid", amount_due=11000, amount_paid=11000,
                         amount_remaining=0, starting_balance=1000, ending_balance=0,
                         status_transitions={"finalized_at": ts("2026-03-01T10:00:00"),
                                             "paid_at": ts("2026-04-02T08:00:00")},
                         payments=payments_list(
                             invoice_payment("inpay_1", 5000, "2026-03-10T12:00:00"),
                             invoice_payment("inpay_2", 6000, "2026-04-02T08:00:00")))
    _, payments = split(invoice_records(raw))
    assert [(p.amount, p.allocations[0].amount) for p in payments] == [
        (Decimal("50.00"), Decimal("50.00")), (Decimal("60.00"), Decimal("50.00"))]


def test_an_invoice_due_before_it_was_issued_is_mapped_as_stripe_has_it() -> None:
    invoice, _ = split(invoice_records(stripe_invoice(due_date=ts("2026-02-20T10:00:00"))))
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 3, 1), date(2026, 2, 20))


def test_dates_are_days_in_the_accounts_time_zone() -> None:
    late_evening = ts("2026-03-31T22:30:00")  # 00:30 on 1 April in Warsaw
    raw = stripe_invoice(created=late_evening, effective_at=late_evening,
                         due_date=ts("2026-04-30T22:30:00"))
    utc_invoice, _ = split(invoice_records(raw))
    warsaw_invoice, _ = split(invoice_records(raw, ZoneInfo("Europe/Warsaw")))
    assert utc_invoice.issue_date == date(2026, 3, 31)
    assert warsaw_invoice.issue_date == date(2026, 4, 1)
    assert warsaw_invoice.due_date == date(2026, 5, 1)


def test_a_zero_decimal_currency_is_not_divided() -> None:
    invoice, _ = split(
        invoice_records(stripe_invoice(currency="jpy", total=5000, amount_due=5000,
                                       amount_remaining=5000))
    )
    assert invoice.currency == "JPY"
    assert invoice.total == Decimal(5000)


def test_an_expanded_customer_is_read_by_its_id() -> None:
    invoice, _ = split(invoice_records(stripe_invoice(customer={"id": "cus_9", "name": "X"})))
    assert invoice.customer_id == "cus_9"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"customer": None}, "customer"),
        ({"currency": "zzz"}, "currency"),
        ({"total": 10.5}, "total"),
        ({"created": "yesterday", "effective_at": None}, "created"),
    ],
)
def test_malformed_invoices_are_rejected_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataError, match=field):
        invoice_records(stripe_invoice(**changes))


def test_a_deleted_draft_is_skipped() -> None:
    result = invoice_records({"id": "in_1", "object": "invoice", "deleted": True})
    assert isinstance(result, Skip)


# --------------------------------------------------------------------------- credit notes


def stripe_credit_note(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "id": "cn_1",
        "object": "credit_note",
        "customer": "cus_1",
        "invoice": "in_1",
        "currency": "usd",
        "created": ts("2026-03-10T12:00:00"),
        "effective_at": ts("2026-03-10T12:00:00"),
        "status": "issued",
        "type": "pre_payment",
        "amount": 2500,
        "total": 2500,
        "pre_payment_amount": 2500,
        "post_payment_amount": 0,
    }
    base.update(changes)
    return base


def test_a_pre_payment_credit_note_is_applied_to_its_invoice() -> None:
    note = credit_note_from_stripe(stripe_credit_note())
    assert isinstance(note, CreditNote)
    assert note.total == Decimal("25.00")
    assert note.issue_date == date(2026, 3, 10)
    assert [(a.invoice_id, a.amount, a.date) for a in note.allocations] == [
        ("in_1", Decimal("25.00"), date(2026, 3, 10))
    ]


def test_a_post_payment_credit_note_only_lowers_revenue() -> None:
    note = credit_note_from_stripe(
        stripe_credit_note(type="post_payment", pre_payment_amount=0, post_payment_amount=2500)
    )
    assert isinstance(note, CreditNote)
    assert note.total == Decimal("25.00")
    assert note.allocations == ()


def test_a_mixed_credit_note_applies_only_its_pre_payment_part() -> None:
    note = credit_note_from_stripe(
        stripe_credit_note(type="mixed", pre_payment_amount=1000, post_payment_amount=1500)
    )
    assert isinstance(note, CreditNote)
    assert note.allocations[0].amount == Decimal("10.00")


@pytest.mark.parametrize(("kind", "applied"), [("pre_payment", "25.00"), ("post_payment", None)])
def test_without_the_split_amounts_the_type_decides(kind: str, applied: str | None) -> None:
    raw = stripe_credit_note(type=kind)
    del raw["pre_payment_amount"], raw["post_payment_amount"]
    note = credit_note_from_stripe(raw)
    assert isinstance(note, CreditNote)
    assert [str(a.amount) for a in note.allocations] == ([applied] if applied else [])


def test_a_mixed_credit_note_without_the_split_amounts_is_rejected() -> None:
    raw = stripe_credit_note(type="mixed")
    del raw["pre_payment_amount"]
    with pytest.raises(DataError, match="type"):
        credit_note_from_stripe(raw)


def test_a_void_credit_note_is_skipped() -> None:
    assert isinstance(credit_note_from_stripe(stripe_credit_note(status="void")), Skip)


# --------------------------------------------------------------------------- customers


def test_a_customer_keeps_its_first_tax_id_in_the_shared_form() -> None:
    customer = customer_from_stripe(
        {
            "id": "cus_1",
            "name": "Klient Sp. z o.o.",
            "email": "ap@klient.pl",
            "tax_ids": {"data": [{"type": "eu_vat", "value": "PL 525-244-57-67"}]},
        }
    )
    assert isinstance(customer, Customer)
    assert customer.tax_id == "5252445767"  # as the Fakturownia connector writes a NIP
    assert customer.email == "ap@klient.pl"


def test_a_customer_without_a_name_is_named_by_email_and_a_deleted_one_skipped() -> None:
    customer = customer_from_stripe({"id": "cus_2", "name": None, "email": "x@y.z"})
    assert isinstance(customer, Customer)
    assert customer.name == "x@y.z"
    assert isinstance(customer_from_stripe({"id": "cus_3", "deleted": True}), Skip)


@pytest.mark.parametrize(
    ("tax_id", "address", "expected"),
    [
        # Stripe's tax id object carries its country (a two-letter ISO code): a number typed
        # without its prefix gets that state's (no_vat values are written without NO).
        ({"type": "no_vat", "value": "974760673MVA", "country": "NO"}, None, "NO974760673MVA"),
        ({"type": "eu_vat", "value": "136695976", "country": "DE"}, None, "DE136695976"),
        # Without the tax id's country, the customer's address says it.
        ({"type": "eu_vat", "value": "136 695 976"}, {"country": "DE"}, "DE136695976"),
    ],
)
def test_a_tax_ids_country_gives_a_bare_number_its_state(
    tax_id: dict[str, str], address: dict[str, str] | None, expected: str
) -> None:
    customer = customer_from_stripe(
        {"id": "cus_3", "name": "Muster Handel GmbH", "address": address,
         "tax_ids": {"data": [tax_id]}})
    assert isinstance(customer, Customer)
    assert customer.tax_id == expected


@pytest.mark.parametrize(
    ("tax_id", "address"),
    [
        # A US EIN as Stripe stores it: us_ein, its value typed with or without the dash.
        ({"type": "us_ein", "value": "97-4760673", "country": "US"}, {"country": "US"}),
        ({"type": "us_ein", "value": "974760673", "country": "US"}, None),
        # No country on the tax id nor an address: the type says the US.
        ({"type": "us_ein", "value": "974760673"}, None),
    ],
)
def test_a_us_ein_is_never_read_as_a_norwegian_number(
    tax_id: dict[str, str], address: dict[str, str] | None
) -> None:
    # 974760673 passes Norway's check digit (Brønnøysundregistrene's own number): before,
    # the EIN was stored 974760673 and compared as NO974760673, so a US firm and a Norwegian
    # one of other names were proposed as one client.
    us = customer_from_stripe({"id": "cus_us", "name": "Fjord Imports Inc.",
                               "address": address, "tax_ids": {"data": [tax_id]}})
    assert isinstance(us, Customer)
    assert us.tax_id == "US974760673"
    norwegian = customer("c9", "Fjordline Shipping AS",
                                    tax_id="NO 974 760 673 MVA", source="xero")
    assert suggest_links([us, norwegian]) == []
