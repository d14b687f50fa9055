"""Mapping QuickBooks entities to the model, one quirk a row."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.model import CreditNote, Customer, Invoice, Payment
from clientguard_quickbooks.mapping import (
    APPLICATIONS_KEY,
    MappingRules,
    credit_applications,
    credit_note_from_qbo,
    customer_from_qbo,
    invoice_records,
    payment_from_qbo,
)

D = Decimal


def qbo_invoice(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Id": "130",
        "DocNumber": "1037",
        "TxnDate": "2026-04-08",
        "DueDate": "2026-05-08",
        "TotalAmt": D("362.07"),
        "Balance": D("362.07"),
        "CustomerRef": {"value": "24", "name": "Sonnenschein Family Store"},
        "CurrencyRef": {"value": "USD", "name": "United States Dollar"},
        "MetaData": {"CreateTime": "2026-04-08T13:16:17-07:00",
                     "LastUpdatedTime": "2026-05-05T03:13:29-07:00"},
        "LinkedTxn": [],
    }
    base.update(changes)
    return base


def one_invoice(result: object) -> Invoice:
    assert isinstance(result, Invoice), result
    return result


@pytest.mark.parametrize(
    ("total", "balance", "note", "status", "paid_on", "amount_due"),
    [
        (D("362.07"), D("362.07"), None, "open", None, D("362.07")),
        (D("750"), D("450"), None, "open", None, D("450")),  # part paid
        # Paid: the date comes from the payments' allocations (the ledger replays them).
        (D("387"), D("0"), None, "paid", None, D("0")),
        # QuickBooks voids by zeroing the amounts and noting it.
        (D("0"), D("0"), "Voided - customer cancelled", "void", None, None),
        # Zero owed and not voided: nothing to collect, settled on its date.
        (D("0"), D("0"), None, "paid", date(2026, 4, 8), D("0")),
    ],
)
def test_status_is_derived_from_the_balance(
    total: Decimal,
    balance: Decimal,
    note: str | None,
    status: str,
    paid_on: date | None,
    amount_due: Decimal | None,
) -> None:
    invoice = one_invoice(
        invoice_records(qbo_invoice(TotalAmt=total, Balance=balance, PrivateNote=note))
    )
    assert invoice.status == status
    assert invoice.paid_on == paid_on
    assert invoice.amount_due == amount_due


def test_an_invoice_maps_every_field() -> None:
    invoice = one_invoice(invoice_records(qbo_invoice()))
    assert invoice.id == "130"
    assert invoice.number == "1037"
    assert invoice.customer_id == "24"
    assert invoice.issue_date == date(2026, 4, 8)
    assert invoice.due_date == date(2026, 5, 8)
    assert invoice.total == D("362.07")
    assert invoice.currency == "USD"
    assert invoice.source == "quickbooks"
    assert invoice.updated_at is not None
    assert invoice.updated_at.isoformat() == "2026-05-05T10:13:29+00:00"


def test_an_invoice_without_a_due_date_is_due_on_its_date() -> None:
    invoice = one_invoice(invoice_records(qbo_invoice(DueDate=None)))
    assert invoice.due_date == date(2026, 4, 8)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"Balance": D("400")}, "Balance"),  # more open than the total
        ({"Balance": D("-1")}, "Balance"),
        ({"TotalAmt": D("-5"), "Balance": D("0")}, "TotalAmt"),
        ({"CustomerRef": None}, "CustomerRef"),
        ({"TxnDate": "08/04/2026"}, "TxnDate"),
        ({"TotalAmt": 362.07}, "TotalAmt"),  # a float: decode with parse_float=Decimal
        ({"Balance": None}, "Balance"),
    ],
)
def test_malformed_invoices_are_rejected_naming_the_field(
    changes: dict[str, Any], field: str
) -> None:
    with pytest.raises(DataError, match=field):
        invoice_records(qbo_invoice(**changes))


def test_a_foreign_invoice_keeps_the_exchange_rate_in_the_models_direction() -> None:
    """ExchangeRate: home currency units per one unit of CurrencyRef (home = foreign x rate)."""
    raw = qbo_invoice(CurrencyRef={"value": "EUR"}, ExchangeRate=D("1.0835"),
                      HomeTotalAmt=D("392.30"))
    invoice = one_invoice(invoice_records(raw, MappingRules(home_currency="USD")))
    assert invoice.currency == "EUR"
    assert invoice.fx_rate == D("1.0835")
    # The model converts with it the way QuickBooks does.
    assert (invoice.total * invoice.fx_rate).quantize(D("0.01")) == D("392.30")


@pytest.mark.parametrize(
    ("rules", "raw_rate", "expected"),
    [
        (MappingRules(home_currency="USD"), D("1"), None),  # a home-currency document
        (MappingRules(home_currency="USD", source_rates=False), D("1.08"), None),
        (MappingRules(), D("0"), None),  # QuickBooks' "no rate"
        (MappingRules(), None, None),
    ],
)
def test_rates_that_must_not_be_used(
    rules: MappingRules, raw_rate: Decimal | None, expected: Decimal | None
) -> None:
    invoice = one_invoice(invoice_records(qbo_invoice(ExchangeRate=raw_rate), rules))
    assert invoice.fx_rate == expected


def test_a_company_without_multicurrency_needs_its_home_currency() -> None:
    with pytest.raises(DataError, match="home_currency"):
        invoice_records(qbo_invoice(CurrencyRef=None))
    invoice = one_invoice(
        invoice_records(qbo_invoice(CurrencyRef=None), MappingRules(home_currency="cad"))
    )
    assert invoice.currency == "CAD"


def test_a_deposit_taken_on_the_invoice_is_a_payment_on_its_date() -> None:
    result = invoice_records(qbo_invoice(TotalAmt=D("500"), Balance=D("400"), Deposit=D("100")))
    assert isinstance(result, list)
    invoice, deposit = result
    assert isinstance(invoice, Invoice)
    assert isinstance(deposit, Payment)
    assert deposit.id == "130/deposit"
    assert deposit.date == date(2026, 4, 8)
    assert [(a.invoice_id, a.amount) for a in deposit.allocations] == [("130", D("100"))]


# --------------------------------------------------------------------------- payments


def line(amount: str, txn_id: str, txn_type: str = "Invoice") -> dict[str, Any]:
    return {"Amount": D(amount), "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def qbo_payment(lines: list[dict[str, Any]], total: str, **changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Id": "900",
        "TxnDate": "2026-04-08",
        "TotalAmt": D(total),
        "UnappliedAmt": D("0"),
        "CustomerRef": {"value": "8"},
        "CurrencyRef": {"value": "USD"},
        "Line": lines,
    }
    base.update(changes)
    return base


def test_a_payment_allocates_each_invoice_line() -> None:
    payment = payment_from_qbo(qbo_payment([line("1675.52", "12"), line("694", "13")], "2369.52"))
    assert isinstance(payment, Payment)
    assert payment.date == date(2026, 4, 8)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        ("12", D("1675.52")), ("13", D("694"))]
    assert credit_applications(qbo_payment([line("1", "12")], "1")) == []


def test_what_a_payment_does_not_apply_is_unapplied_cash() -> None:
    payment = payment_from_qbo(
        qbo_payment([line("50", "13")], "80", UnappliedAmt=D("30"))
    )
    assert isinstance(payment, Payment)
    assert sum(a.amount for a in payment.allocations) == D("50")


def test_credit_memo_lines_pay_the_invoices_first_the_rest_is_cash() -> None:
    """Invoice lines 100 + 60, a credit memo of 120: the memo pays 100 of the first invoice
    and 20 of the second; the payment's cash is the other 40 of the second."""
    raw = qbo_payment(
        [line("100", "71"), line("60", "72"), line("120", "73", "CreditMemo")], "40"
    )
    payment = payment_from_qbo(raw)
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("72", D("40"))]
    applications = credit_applications(raw)
    assert [(a.credit_memo_id, a.invoice_id, a.amount, a.date) for a in applications] == [
        ("73", "71", D("100"), date(2026, 4, 8)),
        ("73", "72", D("20"), date(2026, 4, 8)),
    ]


def test_a_payment_that_only_links_a_credit_memo_is_skipped_saying_where_it_went() -> None:
    raw = qbo_payment([line("100", "71"), line("100", "73", "CreditMemo")], "0",
                      PrivateNote="Created by QB Online to link credits to charges.")
    result = payment_from_qbo(raw)
    assert isinstance(result, Skip)
    assert "credit memos' allocations" in result.reason
    assert [a.amount for a in credit_applications(raw)] == [D("100")]


def test_lines_for_other_transactions_are_not_invoices_and_cash_is_capped() -> None:
    """A journal entry line takes cash QuickBooks does not apply to an invoice."""
    raw = qbo_payment([line("30", "5", "JournalEntry"), line("100", "71")], "80")
    payment = payment_from_qbo(raw)
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [("71", D("80"))]


def test_a_line_linked_to_two_transactions_cannot_be_split() -> None:
    raw = qbo_payment(
        [{"Amount": D("10"), "LinkedTxn": [{"TxnId": "1", "TxnType": "Invoice"},
                                            {"TxnId": "2", "TxnType": "Invoice"}]}], "10")
    with pytest.raises(DataError, match="cannot be split"):
        payment_from_qbo(raw)


def test_a_payment_in_a_foreign_currency_keeps_its_rate() -> None:
    raw = qbo_payment([line("10", "1")], "10", CurrencyRef={"value": "GBP"},
                      ExchangeRate=D("1.27"))
    payment = payment_from_qbo(raw, MappingRules(home_currency="USD"))
    assert isinstance(payment, Payment)
    assert payment.currency == "GBP"
    assert payment.fx_rate == D("1.27")


# --------------------------------------------------------------------------- credit memos


def qbo_credit_memo(**changes: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "Id": "73", "DocNumber": "1026", "TxnDate": "2026-03-20", "TotalAmt": D("100"),
        "Balance": D("0"), "RemainingCredit": D("0"), "CustomerRef": {"value": "1"},
        "CurrencyRef": {"value": "USD"},
    }
    base.update(changes)
    return base


def test_a_credit_memo_carries_the_applications_found_in_payments() -> None:
    applications = [
        {"invoice_id": "72", "amount": "40", "date": "2026-04-02", "payment_id": "95"},
        {"invoice_id": "71", "amount": "60", "date": "2026-03-22", "payment_id": "74"},
    ]
    note = credit_note_from_qbo(qbo_credit_memo(**{APPLICATIONS_KEY: applications}))
    assert isinstance(note, CreditNote)
    assert note.total == D("100")
    assert note.issue_date == date(2026, 3, 20)
    # In date order, each dated by the payment that applied it.
    assert [(a.invoice_id, a.amount, a.date) for a in note.allocations] == [
        ("71", D("60"), date(2026, 3, 22)),
        ("72", D("40"), date(2026, 4, 2)),
    ]


def test_an_unused_credit_memo_has_no_allocations() -> None:
    note = credit_note_from_qbo(qbo_credit_memo(Balance=D("100")))
    assert isinstance(note, CreditNote)
    assert note.allocations == ()


def test_applications_larger_than_the_memo_are_rejected_by_the_model() -> None:
    too_much = [{"invoice_id": "71", "amount": "150", "date": "2026-03-22"}]
    with pytest.raises(DataError, match="allocations"):
        credit_note_from_qbo(qbo_credit_memo(**{APPLICATIONS_KEY: too_much}))


def test_a_voided_credit_memo_is_skipped() -> None:
    result = credit_note_from_qbo(
        qbo_credit_memo(TotalAmt=D("0"), Balance=D("0"), PrivateNote="Voided")
    )
    assert isinstance(result, Skip)


# --------------------------------------------------------------------------- customers


def test_a_sub_customer_is_grouped_under_its_parent() -> None:
    customer = customer_from_qbo(
        {"Id": "8", "DisplayName": "0969 Ocean View Road", "Job": True,
         "ParentRef": {"value": "7"}, "PrimaryEmailAddr": {"Address": "Sporting_goods@intuit.com"},
         "Active": True, "MetaData": {"LastUpdatedTime": "2026-04-08T13:15:36-07:00"}}
    )
    assert isinstance(customer, Customer)
    assert customer.group_id == "7"
    assert customer.email == "Sporting_goods@intuit.com"
    assert customer.updated_at is not None


def test_a_customer_without_a_display_name_is_named_from_its_parts() -> None:
    customer = customer_from_qbo({"Id": "4", "GivenName": "Diego", "FamilyName": "Rodriguez"})
    assert customer.name == "Diego Rodriguez"
    assert customer.group_id is None
    with pytest.raises(DataError, match="name"):
        customer_from_qbo({"Id": "5"})


def test_an_invoice_due_before_its_date_keeps_quickbooks_dates_and_the_ledger_moves_it() -> None:
    # Issued after the money came in: QuickBooks lets a DueDate precede the TxnDate.
    invoice = one_invoice(invoice_records(qbo_invoice(TxnDate="2026-04-08", DueDate="2026-04-01")))
    assert (invoice.issue_date, invoice.due_date) == (date(2026, 4, 8), date(2026, 4, 1))
    ledger = Ledger.build([invoice], base_currency=invoice.currency)
    assert ledger.invoice(invoice.id).due_date == date(2026, 4, 8)
    assert [a.field for a in ledger.report.adjusted] == ["due_date"]
