"""Xero records to the model: the spec's examples, the real recorded responses, and the
quirks of NOTES.md §1.9. The reference files are read from ../shared beside the repository."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import Page, Skip, SyncState
from clientguard.errors import DataError
from clientguard_xero import XeroConnector, mapping

Recorded = Callable[[str], Any]
"""The root conftest's ``recorded``: a response in ../shared/reference/apis, or a skip."""


def by_number(records: list[dict[str, Any]], field: str = "InvoiceNumber") -> dict[str, Any]:
    return {r[field]: r for r in records if r.get(field)}


# =============================================================================== values


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/Date(1539993600000+0000)/", datetime(2018, 10, 20, tzinfo=UTC)),
        ("/Date(1552326816230)/", datetime(2019, 3, 11, 17, 53, 36, 230000, tzinfo=UTC)),
        # the offset is informational: the milliseconds are UTC and are not shifted
        ("/Date(1451988985943+1300)/", datetime(2016, 1, 5, 10, 16, 25, 943000, tzinfo=UTC)),
        ("/Date(0+0000)/", datetime(1970, 1, 1, tzinfo=UTC)),
        ("/Date(-86400000)/", datetime(1969, 12, 31, tzinfo=UTC)),
    ],
)
def test_ms_dates_are_utc(value: str, expected: datetime) -> None:
    assert mapping.parse_ms_date(value) == expected


@pytest.mark.parametrize("value", ["2018-10-20", "/Date(abc)/", "/Date(1539993600000+00)/", ""])
def test_a_malformed_ms_date_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match="not a Xero date"):
        mapping.parse_ms_date(value)


def test_a_date_is_taken_without_shifting_into_a_local_zone() -> None:
    # A New Zealand organisation's 1 May 2025 is midnight UTC of 1 May (xero-python #179
    # turned such dates into 30 April by converting to NZ time first).
    raw = {"Date": "/Date(1746057600000+1200)/"}
    assert mapping.xero_date(raw, "Date") == date(2025, 5, 1)


def test_the_iso_companion_is_preferred_when_present() -> None:
    raw = {"Date": "/Date(1539993600000+0000)/", "DateString": "2018-10-21T00:00:00"}
    assert mapping.xero_date(raw, "Date") == date(2018, 10, 21)
    assert mapping.xero_date({}, "DueDate") is None


@pytest.mark.parametrize(
    ("rate", "expected"),
    [
        (Decimal("0.75"), Decimal(1) / Decimal("0.75")),  # 0.75 USD per GBP: 1.333 GBP per USD
        (Decimal("1.547150"), Decimal(1) / Decimal("1.547150")),
        (None, None),  # absent on base-currency invoices
        (0, None),  # Xero writes 0 on base-currency payments
        (Decimal("1.000000"), None),  # base currency
    ],
)
def test_currency_rate_is_inverted_into_the_models_direction(
    rate: Decimal | int | None, expected: Decimal | None
) -> None:
    raw = {} if rate is None else {"CurrencyRate": rate}
    assert mapping.fx_rate(raw) == expected
    assert mapping.fx_rate(raw, use_rates=False) is None


def test_a_foreign_invoice_converts_to_the_organisations_base_currency() -> None:
    # A GBP organisation invoices USD 100 at Xero's CurrencyRate 1.25 (USD per GBP): GBP 80.
    raw = {
        "Type": "ACCREC", "InvoiceID": "i-1", "InvoiceNumber": "INV-1",
        "Contact": {"ContactID": "c-1"}, "Status": "AUTHORISED", "CurrencyCode": "USD",
        "Date": "/Date(1746057600000+0000)/", "DueDate": "/Date(1748736000000+0000)/",
        "Total": Decimal("100.00"), "CurrencyRate": Decimal("1.25"),
    }
    invoice = mapping.invoice_to_model(raw)
    assert isinstance(invoice, cg.Invoice)
    ledger = cg.Ledger.build([invoice], base_currency="GBP")
    assert ledger.base_amount(invoice) == Decimal("80.00")


# =============================================================================== statuses


@pytest.mark.parametrize(
    ("status", "expected"),
    [("DRAFT", "draft"), ("SUBMITTED", "draft"), ("AUTHORISED", "open"), ("PAID", "paid"),
     ("VOIDED", "void"), ("DELETED", "void")],
)
def test_invoice_statuses(status: str, expected: str) -> None:
    raw = {
        "Type": "ACCREC", "InvoiceID": "i-1", "Contact": {"ContactID": "c-1"},
        "Status": status, "CurrencyCode": "NZD", "Total": Decimal("10"),
        "Date": "/Date(1539993600000+0000)/", "DueDate": "/Date(1546128000000+0000)/",
        "FullyPaidOnDate": "/Date(1543449600000+0000)/",
    }
    invoice = mapping.invoice_to_model(raw)
    assert isinstance(invoice, cg.Invoice)
    assert invoice.status == expected
    # FullyPaidOnDate is trusted only on a PAID invoice
    assert invoice.paid_on == (date(2018, 11, 29) if status == "PAID" else None)


# An invoice archived in Xero (listed only with includeArchived=true) is told by its amounts:
# archiving files it away and settles nothing. Issued 2018-10-20, due 2018-12-30, total 100;
# FullyPaidOnDate /Date(1543449600000+0000)/ is 2018-11-29. Expected values by hand.
@pytest.mark.parametrize(
    ("amounts", "status", "amount_due", "paid_on"),
    [
        # 60 paid, 40 still due: owed, and late after 2018-12-30.
        pytest.param({"AmountDue": "40.00", "AmountPaid": "60.00", "AmountCredited": "0"},
                     "open", Decimal("40.00"), None, id="still owed"),
        pytest.param({"AmountDue": "100.00", "AmountPaid": "0", "AmountCredited": "0"},
                     "open", Decimal("100.00"), None, id="nothing paid"),
        pytest.param({"AmountDue": "0.00", "AmountPaid": "100.00", "AmountCredited": "0",
                      "FullyPaidOnDate": "/Date(1543449600000+0000)/"},
                     "paid", Decimal("0.00"), date(2018, 11, 29), id="paid"),
        pytest.param({"AmountDue": "0.00", "AmountPaid": "0", "AmountCredited": "100.00"},
                     "paid", Decimal("0.00"), None, id="credited in full"),
        # Xero's voided and deleted invoices show 0 due, 0 paid, 0 credited (recorded data).
        pytest.param({"AmountDue": "0.00", "AmountPaid": "0.00", "AmountCredited": "0.00"},
                     "void", Decimal("0.00"), None, id="voided before archived"),
    ],
)
def test_an_archived_invoice_is_told_by_its_amounts(
    amounts: dict[str, str], status: str, amount_due: Decimal, paid_on: date | None
) -> None:
    raw = {
        "Type": "ACCREC", "InvoiceID": "i-1", "Contact": {"ContactID": "c-1"},
        "Status": "ARCHIVED", "CurrencyCode": "NZD", "Total": Decimal("100.00"),
        "Date": "/Date(1539993600000+0000)/", "DueDate": "/Date(1546128000000+0000)/",
        **{field: Decimal(value) if field.startswith("Amount") else value
           for field, value in amounts.items()},
    }
    invoice = mapping.invoice_to_model(raw)
    assert isinstance(invoice, cg.Invoice)
    assert (invoice.status, invoice.amount_due, invoice.paid_on) == (status, amount_due, paid_on)


def test_an_archived_invoice_without_amount_due_is_a_data_error_saying_why() -> None:
    raw = {"Type": "ACCREC", "InvoiceID": "i-1", "Status": "ARCHIVED",
           "Contact": {"ContactID": "c-1"}, "Total": Decimal("100.00")}
    with pytest.raises(DataError, match="AmountDue: is missing on an ARCHIVED invoice"):
        mapping.invoice_to_model(raw)


def test_an_unknown_status_is_a_data_error_naming_it() -> None:
    raw = {"Type": "ACCREC", "InvoiceID": "i-1", "Status": "ON_HOLD"}  # no Xero status
    with pytest.raises(DataError, match=r"'ON_HOLD' is not one of .*ARCHIVED"):
        mapping.invoice_to_model(raw)


# =========================================================================== the spec's examples


def test_spec_invoice_examples(recorded: Recorded) -> None:
    invoices = by_number(recorded("xero_invoices_example.json")["Invoices"])
    voided, paid, open_ = (mapping.invoice_to_model(invoices[n]) for n in
                           ("INV-0001", "INV-0002", "INV-0003"))
    assert isinstance(voided, cg.Invoice)
    assert isinstance(paid, cg.Invoice)
    assert isinstance(open_, cg.Invoice)
    assert voided.status == "void"
    assert (paid.status, paid.paid_on) == ("paid", date(2018, 11, 29))
    assert (open_.status, open_.issue_date, open_.due_date) == (
        "open", date(2018, 11, 2), date(2018, 11, 7))
    assert open_.total == Decimal("115.00")
    assert open_.fx_rate is None  # CurrencyRate 1.000000: base currency
    single = recorded("xero_invoice_single_example.json")["Invoices"][0]
    assert isinstance(mapping.invoice_to_model(single), cg.Invoice)


EXAMPLES: list[tuple[str, str, Callable[..., Any]]] = [
    ("xero_invoices_example.json", "Invoices", mapping.invoice_to_model),
    ("xero_invoice_single_example.json", "Invoices", mapping.invoice_to_model),
    ("xero_payments_example.json", "Payments", mapping.payment_to_model),
    ("xero_creditnotes_example.json", "CreditNotes", mapping.credit_note_to_model),
    ("xero_overpayments_example.json", "Overpayments", mapping.overpayment_to_model),
    ("xero_prepayments_example.json", "Prepayments", mapping.prepayment_to_model),
    ("xero_contacts_example.json", "Contacts", mapping.contact_to_customer),
]


@pytest.mark.parametrize(("file", "key", "to_model"), EXAMPLES, ids=[e[0] for e in EXAMPLES])
def test_every_spec_example_maps_or_is_skipped_with_a_reason(
    file: str, key: str, to_model: Callable[..., Any], recorded: Recorded
) -> None:
    outcomes = [to_model(raw) for raw in recorded(file)[key]]
    assert outcomes
    for outcome in outcomes:
        assert isinstance(outcome, cg.Customer | cg.Invoice | cg.Payment | cg.CreditNote | Skip)
        if isinstance(outcome, Skip):
            assert outcome.reason


def test_spec_payment_credit_note_and_prepaid_examples(recorded: Recorded) -> None:
    payments = recorded("xero_payments_example.json")["Payments"]
    kinds = Counter(type(mapping.payment_to_model(p)).__name__ for p in payments)
    assert kinds == {"Payment": 1, "Skip": 1}
    refund = mapping.payment_to_model(payments[1])
    assert isinstance(refund, Skip)
    assert "refund" in refund.reason

    notes = recorded("xero_creditnotes_example.json")["CreditNotes"]
    issued = mapping.credit_note_to_model(notes[0])
    assert isinstance(issued, cg.CreditNote)
    assert issued.total == Decimal("34.50")
    supplier = mapping.credit_note_to_model(notes[1])
    assert isinstance(supplier, Skip)

    overpayments = recorded("xero_overpayments_example.json")["Overpayments"]
    received = [mapping.overpayment_to_model(o) for o in overpayments]
    assert Counter(type(r).__name__ for r in received) == {"Payment": 3, "Skip": 2}
    (raw_prepayment,) = recorded("xero_prepayments_example.json")["Prepayments"]
    prepayment = mapping.prepayment_to_model(raw_prepayment)
    assert isinstance(prepayment, cg.Payment)
    assert prepayment.amount == Decimal("3450.00")
    assert prepayment.allocations == ()  # unapplied cash until allocated


def test_allocations_of_credit_notes_and_overpayments() -> None:
    raw = {
        "OverpaymentID": "o-1", "Type": "RECEIVE-OVERPAYMENT", "Status": "AUTHORISED",
        "Contact": {"ContactID": "c-1"}, "Date": "/Date(1552435200000+0000)/",
        "Total": Decimal("100.00"), "CurrencyCode": "NZD",
        "Allocations": [
            {"Amount": Decimal("60.00"), "Date": "/Date(1552521600000+0000)/",
             "Invoice": {"InvoiceID": "inv-1"}},
            {"Amount": Decimal("40.00"), "IsDeleted": True, "Invoice": {"InvoiceID": "inv-2"}},
        ],
    }
    payment = mapping.overpayment_to_model(raw)
    assert isinstance(payment, cg.Payment)
    assert payment.allocations == (
        cg.Allocation(invoice_id="inv-1", amount=Decimal("60.00"), date=date(2019, 3, 14)),
    )
    voided = mapping.overpayment_to_model({**raw, "Status": "VOIDED"})
    assert isinstance(voided, Skip)
    assert voided.deleted


def test_contact_examples(recorded: Recorded) -> None:
    contacts = recorded("xero_contacts_example.json")["Contacts"]
    first = mapping.contact_to_customer(contacts[0])
    assert isinstance(first, cg.Customer)
    assert (first.name, first.email, first.tax_id) == (
        "Katherine Warren", "kat.warren@clampett.com", None)
    assert first.updated_at == datetime(2017, 8, 21, 20, 49, 4, 227000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        # A NIP as a Polish firm's contact holds it: its ten digits, as Stripe's, Fakturownia's
        # and the CSV connector's are written (docs/concepts.md, Customer.tax_id).
        ("PL 525-244-57-67", "5252445767"),
        ("NIP: 525-244-57-67", "5252445767"),
        ("GB 123 4567 89", "GB123456789"),
        ("VAT Reg. No.: GB 123 4567 89", "GB123456789"),
        ("", None),  # the contacts example's empty TaxNumber
    ],
)
def test_a_contacts_tax_number_is_written_as_every_connector_writes_it(
    recorded: Recorded, typed: str, expected: str | None
) -> None:
    contact = {**recorded("xero_contacts_example.json")["Contacts"][0], "TaxNumber": typed}
    customer = mapping.contact_to_customer(contact)
    assert isinstance(customer, cg.Customer)
    assert customer.tax_id == expected


def test_a_supplier_only_contact_is_skipped_and_a_merged_one_grouped() -> None:
    supplier = {"ContactID": "s-1", "Name": "Paper Co", "IsSupplier": True, "IsCustomer": False}
    assert isinstance(mapping.contact_to_customer(supplier), Skip)
    merged = {"ContactID": "c-old", "Name": "Acme", "MergedToContactID": "c-new"}
    customer = mapping.contact_to_customer(merged, lambda cid: {"c-new": "c-final"}.get(cid, cid))
    assert isinstance(customer, cg.Customer)
    assert customer.group_id == "c-final"


# =============================================================================== recorded responses


#: A chart of accounts for the recorded organisation, written by hand (none was recorded):
#: its Sales account (200, the recorded credit notes' lines), an expense account (453, the
#: recorded supplier credit notes') and a Bad Debts expense account no recorded line uses.
CHART = {"Accounts": [
    {"AccountID": "a-200", "Code": "200", "Name": "Sales", "Type": "REVENUE",
     "Class": "REVENUE", "Status": "ACTIVE"},
    {"AccountID": "a-453", "Code": "453", "Name": "Office Expenses", "Type": "OVERHEADS",
     "Class": "EXPENSE", "Status": "ACTIVE"},
    {"AccountID": "a-820", "Code": "820", "Name": "Bad Debts", "Type": "EXPENSE",
     "Class": "EXPENSE", "Status": "ACTIVE"},
]}


def serve_recorded(server: HTTPServer, reference_file: Callable[[str], Path]) -> None:
    """The recorded responses, in the order a sync asks for them: the invoices; the chart of
    accounts and the credit notes the sales invoices list as applied (read by id: the
    recorded page serves, the connector takes those it asked for); the payments; the credit
    notes, and the chart again (each stream reads it once, when a page needs it)."""
    credit_notes = reference_file("apis/xero_creditnotes_recorded_page1.json").read_bytes()
    for path, body in (
        ("Invoices", reference_file("apis/xero_invoices_recorded_page1.json").read_bytes()),
        ("Accounts", json.dumps(CHART).encode()),
        ("CreditNotes", credit_notes),
        ("Payments", reference_file("apis/xero_payments_recorded_page1.json").read_bytes()),
        ("CreditNotes", credit_notes),
        ("Accounts", json.dumps(CHART).encode()),
    ):
        server.expect_ordered_request(f"/api.xro/2.0/{path}").respond_with_data(
            body, content_type="application/json")


@pytest.fixture
def synced(
    httpserver: HTTPServer, reference_file: Callable[[str], Path]
) -> tuple[list[Page], cg.Ledger]:
    """The recorded responses served over HTTP and synced: the pages, and their ledger."""
    serve_recorded(httpserver, reference_file)
    conn = XeroConnector(tenant_id="t", access_token="a", base_url=httpserver.url_for(
        "/api.xro/2.0"), sleep=lambda s: None, clock=lambda: datetime(2026, 5, 1, tzinfo=UTC))
    pages = list(conn.sync(SyncState(), streams=["invoices", "payments", "credit_notes"]))
    httpserver.check_assertions()
    records = [r for p in pages for r in p.records]
    rejected = [r for p in pages for r in p.rejected]
    ledger = cg.Ledger.build(records, base_currency="USD", strict=False, rejected=rejected)
    return pages, ledger


def counts(pages: list[Page], stream: str) -> tuple[int, dict[str, int], int]:
    mine = [p for p in pages if p.stream == stream]
    skipped: Counter[str] = Counter()
    for p in mine:
        skipped.update(p.skipped)
    return sum(len(p.records) for p in mine), dict(skipped), sum(len(p.rejected) for p in mine)


def test_every_recorded_record_is_mapped_skipped_or_rejected_with_a_reason(
    synced: tuple[list[Page], cg.Ledger], recorded: Recorded,
) -> None:
    pages, ledger = synced
    raw = {
        "invoices": recorded("xero_invoices_recorded_page1.json")["Invoices"],
        "payments": recorded("xero_payments_recorded_page1.json")["Payments"],
        "credit_notes": recorded("xero_creditnotes_recorded_page1.json")["CreditNotes"],
    }
    for stream, records in raw.items():
        mapped, skipped, rejected = counts(pages, stream)
        assert mapped + sum(skipped.values()) + rejected == len(records), stream
    assert counts(pages, "invoices") == (
        36, {"ACCPAY invoice: only sales invoices (ACCREC) are read": 41}, 0)
    assert counts(pages, "payments") == (
        17,
        {"ACCPAYPAYMENT payment: only payments of sales invoices are read": 28,
         "deleted payment": 10},
        0,
    )
    assert counts(pages, "credit_notes") == (
        3,
        {"ACCPAYCREDIT credit note: only sales credit notes are read": 4,
         "draft credit note: not issued yet": 7},
        0,
    )
    # and the ledger takes all of them: every allocation names a loaded invoice
    assert ledger.report.rejected == ()
    assert dict(ledger.report.accepted) == {
        "customers": 0, "invoices": 36, "payments": 17, "credit_notes": 3,
        "time_entries": 0, "work_requests": 0}


def test_recorded_quirks_come_out_right(
    synced: tuple[list[Page], cg.Ledger], recorded: Recorded
) -> None:
    pages, ledger = synced
    raw = by_number(recorded("xero_invoices_recorded_page1.json")["Invoices"])
    by_number_ = {i.number: i for i in ledger.invoices}

    # Deleted payments are dropped, and reported as deleted for a store to remove.
    deleted = [key for p in pages for key in p.deleted]
    payments = recorded("xero_payments_recorded_page1.json")["Payments"]
    deleted_ids = {r["PaymentID"] for r in payments
                   if r["Status"] == "DELETED" and r["PaymentType"] == "ACCRECPAYMENT"}
    assert {k[2] for k in deleted} == deleted_ids
    assert not deleted_ids & {p.id for p in ledger.payments}

    # A stale FullyPaidOnDate on an AUTHORISED invoice (payment removed) is ignored.
    assert raw["INV-0012"]["FullyPaidOnDate"]
    assert (by_number_["INV-0012"].status, by_number_["INV-0012"].paid_on) == ("open", None)

    # An invoice paid by a credit note alone: paid, settled by the note's allocation.
    inv10 = by_number_["INV-0010"]
    assert (inv10.status, inv10.paid_on) == ("paid", date(2026, 3, 8))
    (application,) = ledger.applications(inv10.id)
    assert application.document_kind == "credit_note"
    assert application.amount == Decimal("541.25")

    # CurrencyRate absent or 1 on base-currency invoices, 0 on payments: no rate is invented.
    assert all(i.fx_rate is None for i in ledger.invoices)
    assert all(p.fx_rate is None for p in ledger.payments)

    # Money stays exact; dates are the recorded dates.
    assert by_number_["INV-0022"].total == Decimal("238.2")
    assert by_number_["INV-0016"].amount_due == Decimal("270.63")
    assert by_number_["INV-0001"].issue_date == date(2026, 2, 17)

    # Drafts without a due date are kept as drafts (never measured for lateness).
    assert "DueDate" not in raw["INV-0031"]
    assert (by_number_["INV-0031"].status, by_number_["INV-0031"].due_date) == (
        "draft", date(2026, 4, 20))

    # UpdatedDateUTC from 2008 on a 2026 invoice is taken as it is.
    assert by_number_["INV-0010"].updated_at is not None
    assert by_number_["INV-0010"].updated_at.year == 2008


def test_recorded_cursor_is_the_latest_change_clamped_to_the_sync_start(
    synced: tuple[list[Page], cg.Ledger], recorded: Recorded,
) -> None:
    pages, _ = synced
    invoices = [p for p in pages if p.stream == "invoices"]
    latest = max(
        mapping.parse_ms_date(r["UpdatedDateUTC"])
        for r in recorded("xero_invoices_recorded_page1.json")["Invoices"]
    )
    assert invoices[-1].cursor == min(latest, datetime(2026, 5, 1, tzinfo=UTC))




# =============================================================================== dates and offsets
# Xero writes a date field (x-is-msdate) as local midnight in the organisation's offset
# (older organisations; Xero's docs: /Date(1398600000000+1200)/ is 2014-04-28) or as midnight
# UTC with +0000. Each form, in each offset, must give the date meant, on every date field the
# connector reads. UpdatedDateUTC (x-is-msdate-time) is a moment: its milliseconds are UTC.

OFFSETS = ["+1300", "+1200", "-0500", "+0000"]
MEANT = date(2021, 8, 31)


def local_midnight(day: date, zone: str) -> str:
    """``day`` at midnight in ``zone``, the way Xero writes it."""
    sign = 1 if zone[0] == "+" else -1
    offset = sign * (int(zone[1:3]) * 3600 + int(zone[3:]) * 60)
    seconds = int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) - offset
    return f"/Date({seconds * 1000}{zone})/"


def utc_midnight(day: date, zone: str) -> str:
    """``day`` at midnight UTC, with ``zone`` as an informational offset."""
    return f"/Date({int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp()) * 1000}"\
           f"{zone})/"


def test_xeros_documentation_example_is_the_28th() -> None:
    assert mapping.ms_date("/Date(1398600000000+1200)/") == date(2014, 4, 28)
    assert local_midnight(date(2014, 4, 28), "+1200") == "/Date(1398600000000+1200)/"


def invoice_raw(**dates: str) -> dict[str, Any]:
    base = {"Type": "ACCREC", "InvoiceID": "i-1", "InvoiceNumber": "INV-1", "Status": "PAID",
            "Contact": {"ContactID": "c-1"}, "CurrencyCode": "NZD", "Total": Decimal("10"),
            "Date": utc_midnight(date(2021, 8, 1), "+0000"),
            "DueDate": utc_midnight(date(2021, 9, 30), "+0000")}
    return {**base, **dates}


def prepaid_raw(kind: str, id_field: str, value: str, allocated: str | None = None,
                ) -> dict[str, Any]:
    other = utc_midnight(date(2021, 9, 15), "+0000")
    return {id_field: "o-1", "Type": kind, "Status": "AUTHORISED",
            "Contact": {"ContactID": "c-1"}, "Date": value, "Total": Decimal("10"),
            "CurrencyCode": "NZD",
            "Allocations": [{"Amount": Decimal("10"), "Date": allocated or other,
                             "Invoice": {"InvoiceID": "i-1"}}]}


def credit_note_raw(value: str, allocated: str | None = None) -> dict[str, Any]:
    return {"CreditNoteID": "cn-1", "Type": "ACCRECCREDIT", "Status": "AUTHORISED",
            "Contact": {"ContactID": "c-1"}, "Date": value, "Total": Decimal("10"),
            "CurrencyCode": "NZD",
            "Allocations": [{"Amount": Decimal("10"), "Date": allocated or value,
                             "Invoice": {"InvoiceID": "i-1"}}]}


def payment_raw(value: str) -> dict[str, Any]:
    return {"PaymentID": "p-1", "PaymentType": "ACCRECPAYMENT", "Status": "AUTHORISED",
            "Date": value, "Amount": Decimal("10"),
            "Invoice": {"InvoiceID": "i-1", "CurrencyCode": "NZD",
                        "Contact": {"ContactID": "c-1"}}}


def first_allocation_date(record: object) -> date | None:
    assert isinstance(record, cg.Payment | cg.CreditNote), record
    return record.allocations[0].date


DATE_FIELDS: list[tuple[str, Callable[[str], Any], Callable[[Any], date | None]]] = [
    ("Invoice.Date", lambda v: mapping.invoice_to_model(
        invoice_raw(Date=v, DueDate=v)), lambda r: r.issue_date),
    ("Invoice.DueDate", lambda v: mapping.invoice_to_model(
        invoice_raw(Date=utc_midnight(date(2021, 8, 1), "+0000"), DueDate=v)),
     lambda r: r.due_date),
    ("Invoice.FullyPaidOnDate", lambda v: mapping.invoice_to_model(
        invoice_raw(FullyPaidOnDate=v)), lambda r: r.paid_on),
    ("Payment.Date", lambda v: mapping.payment_to_model(payment_raw(v)), lambda r: r.date),
    ("Payment.Date (its allocation)", lambda v: mapping.payment_to_model(payment_raw(v)),
     first_allocation_date),
    ("CreditNote.Date", lambda v: mapping.credit_note_to_model(credit_note_raw(v)),
     lambda r: r.issue_date),
    ("CreditNote.Allocations.Date", lambda v: mapping.credit_note_to_model(
        credit_note_raw(utc_midnight(date(2021, 8, 1), "+0000"), v)), first_allocation_date),
    ("Overpayment.Date", lambda v: mapping.overpayment_to_model(
        prepaid_raw("RECEIVE-OVERPAYMENT", "OverpaymentID", v)), lambda r: r.date),
    ("Overpayment.Allocations.Date", lambda v: mapping.overpayment_to_model(
        prepaid_raw("RECEIVE-OVERPAYMENT", "OverpaymentID",
                    utc_midnight(date(2021, 8, 1), "+0000"), v)), first_allocation_date),
    ("Prepayment.Date", lambda v: mapping.prepayment_to_model(
        prepaid_raw("RECEIVE-PREPAYMENT", "PrepaymentID", v)), lambda r: r.date),
    ("Prepayment.Allocations.Date", lambda v: mapping.prepayment_to_model(
        prepaid_raw("RECEIVE-PREPAYMENT", "PrepaymentID",
                    utc_midnight(date(2021, 8, 1), "+0000"), v)), first_allocation_date),
]


@pytest.mark.parametrize("form", [local_midnight, utc_midnight], ids=["local", "utc"])
@pytest.mark.parametrize("zone", OFFSETS)
@pytest.mark.parametrize(("field", "make", "read"), DATE_FIELDS, ids=[f[0] for f in DATE_FIELDS])
def test_every_date_field_reads_the_date_meant_in_every_offset(
    field: str, make: Callable[[str], Any], read: Callable[[Any], date | None],
    zone: str, form: Callable[[date, str], str],
) -> None:
    record = make(form(MEANT, zone))
    assert read(record) == MEANT, field


@pytest.mark.parametrize("zone", OFFSETS)
def test_updated_date_utc_is_a_moment_whatever_its_offset(zone: str) -> None:
    # 2016-01-05 10:16:25.943 UTC, written by a +1300 organisation in pyxero #122.
    raw = {"UpdatedDateUTC": f"/Date(1451988985943{zone})/"}
    assert mapping.updated_at(raw) == datetime(2016, 1, 5, 10, 16, 25, 943000, tzinfo=UTC)


@pytest.mark.parametrize("zone", OFFSETS)
def test_a_time_of_day_is_read_as_the_date_in_its_own_offset(zone: str) -> None:
    # 2021-08-31 23:30 in the value's own zone: the organisation's 31 August.
    sign = 1 if zone[0] == "+" else -1
    offset = timedelta(hours=sign * int(zone[1:3]))
    utc = datetime(2021, 8, 31, 23, 30, tzinfo=UTC) - offset
    assert mapping.ms_date(f"/Date({int(utc.timestamp() * 1000)}{zone})/") == MEANT


@pytest.mark.parametrize("zone", OFFSETS)
def test_paid_one_day_late_reads_one_day_late_in_every_offset(zone: str) -> None:
    # The issue's case: a +1200 organisation's paid dates came out a day early, so an invoice
    # paid one day late read as on time.
    raw = invoice_raw(Date=local_midnight(date(2021, 8, 1), zone),
                      DueDate=local_midnight(date(2021, 8, 31), zone),
                      FullyPaidOnDate=local_midnight(date(2021, 9, 1), zone))
    invoice = mapping.invoice_to_model(raw)
    assert isinstance(invoice, cg.Invoice)
    ledger = cg.Ledger.build([invoice], base_currency="NZD")
    assert cg.settle(ledger, as_of=date(2021, 12, 31))["i-1"].days_late == 1


def test_an_invoice_due_before_its_date_is_mapped_with_xeros_dates() -> None:
    # Real data: Date 2021-08-31, DueDate 2021-08-07. Passed on; the ledger moves the due date.
    raw = invoice_raw(Date=local_midnight(date(2021, 8, 31), "+1200"),
                      DueDate=local_midnight(date(2021, 8, 7), "+1200"), Status="AUTHORISED")
    invoice = mapping.invoice_to_model(raw)
    assert isinstance(invoice, cg.Invoice)
    assert (invoice.issue_date, invoice.due_date) == (date(2021, 8, 31), date(2021, 8, 7))
    ledger = cg.Ledger.build([invoice], base_currency="NZD")
    assert ledger.invoice("i-1").due_date == date(2021, 8, 31)
    assert [a.record_id for a in ledger.report.adjusted] == ["i-1"]


@pytest.mark.parametrize("value", ["/Date(1398600000000+9999)/", "/Date(1398600000000+1460)/",
                                   "/Date(1398600000000-1500)/"])
def test_an_offset_that_is_no_time_zone_is_an_error(value: str) -> None:
    with pytest.raises(ValueError, match="is not a time zone offset"):
        mapping.ms_date(value)


# Xero writes some date fields in ISO form rather than /Date(...)/: xero-node PR #334 lists
# '"Date": "2009-03-29"' among the raw forms Xero sends, Xero-OpenAPI #633 a Payment's
# '2024-09-24T00:00:00.000Z', and DateString is '2016-12-16T00:00:00'. Each means the date
# as written (MEANT is 2021-08-31); such a record was rejected ("is not a Xero date").
ISO_FORMS = ["2021-08-31", "2021-08-31T00:00:00", "2021-08-31T00:00:00.000Z",
             "2021-08-31T00:00:00+13:00", "2021-08-31T09:30:00-05:00"]


@pytest.mark.parametrize("value", ISO_FORMS)
@pytest.mark.parametrize(("field", "make", "read"), DATE_FIELDS, ids=[f[0] for f in DATE_FIELDS])
def test_every_date_field_reads_an_iso_date_as_written(
    field: str, make: Callable[[str], Any], read: Callable[[Any], date | None], value: str,
) -> None:
    assert read(make(value)) == MEANT, field


@pytest.mark.parametrize("value", ["2021-02-30", "2021-08-31T25:00:00", "2021-08-31Tnoon"])
def test_an_impossible_iso_date_is_an_error_naming_the_field(value: str) -> None:
    with pytest.raises(ValueError, match=rf"^DueDate: '{value}' is not a date \(YYYY-MM-DD"):
        mapping.invoice_to_model(invoice_raw(DueDate=value))


# Xero writes some booleans as text: its own GET /Payments example (xero_payments_example.json)
# has '"IsReconciled": "false"'. An allocation marked "IsDeleted": "false" was read by its
# truth and dropped: a credit note that paid an invoice in full came out unapplied, and the
# invoice unpaid. (absent: the allocation is live; the spec: "returns true when the
# allocation is succesfully deleted".)
ABSENT = object()
ALLOCATION_HOLDERS: list[tuple[str, Callable[[dict[str, Any]], Any]]] = [
    ("CreditNote", lambda a: mapping.credit_note_to_model(
        {**credit_note_raw(utc_midnight(MEANT, "+0000")), "Allocations": [a]})),
    ("Overpayment", lambda a: mapping.overpayment_to_model(
        {**prepaid_raw("RECEIVE-OVERPAYMENT", "OverpaymentID", utc_midnight(MEANT, "+0000")),
         "Allocations": [a]})),
    ("Prepayment", lambda a: mapping.prepayment_to_model(
        {**prepaid_raw("RECEIVE-PREPAYMENT", "PrepaymentID", utc_midnight(MEANT, "+0000")),
         "Allocations": [a]})),
]


@pytest.mark.parametrize(("flag", "live"), [
    (ABSENT, True), (None, True), ("", True), (False, True), ("false", True), ("False", True),
    (True, False), ("true", False), ("TRUE", False),
])
@pytest.mark.parametrize(("holder", "make"), ALLOCATION_HOLDERS,
                         ids=[h[0] for h in ALLOCATION_HOLDERS])
def test_an_allocation_is_deleted_only_when_xero_says_true(
    holder: str, make: Callable[[dict[str, Any]], Any], flag: object, live: bool
) -> None:
    allocation: dict[str, Any] = {"Amount": Decimal("10"), "Invoice": {"InvoiceID": "i-1"},
                                  "Date": utc_midnight(MEANT, "+0000")}
    if flag is not ABSENT:
        allocation["IsDeleted"] = flag
    record = make(allocation)
    expected = [("i-1", Decimal("10"), MEANT)] if live else []
    assert [(a.invoice_id, a.amount, a.date) for a in record.allocations] == expected, holder


@pytest.mark.parametrize("flag", ["no", 1, {"value": False}])
def test_an_is_deleted_that_is_no_boolean_rejects_the_document_naming_it(flag: object) -> None:
    allocation = {"Amount": Decimal("10"), "Invoice": {"InvoiceID": "i-1"}, "IsDeleted": flag}
    with pytest.raises(DataError, match=r"^Allocations\.0\.IsDeleted: .* is not true or false"):
        mapping.credit_note_to_model(
            {**credit_note_raw(utc_midnight(MEANT, "+0000")), "Allocations": [allocation]})


@pytest.mark.parametrize(("supplier", "customer", "skipped"), [
    (True, False, True), ("true", "false", True), ("True", "False", True),
    ("true", "true", False), (True, None, False), ("false", "false", False),
])
def test_a_supplier_only_contact_is_told_by_its_flags_written_either_way(
    supplier: object, customer: object, skipped: bool
) -> None:
    raw = {"ContactID": "c-9", "Name": "Paper Supplies Ltd", "IsSupplier": supplier,
           "IsCustomer": customer}
    assert isinstance(mapping.contact_to_customer(raw), Skip) is skipped
