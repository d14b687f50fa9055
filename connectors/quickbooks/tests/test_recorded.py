"""The recorded QuickBooks query responses in ../shared/reference/apis: every entity is
mapped or left out with a reason, and the ledger's replay of payments and credit memos agrees
with QuickBooks' own Balance on every invoice (skipped when the files are absent)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg
from clientguard.connector import Skip
from clientguard.model import AnyRecord, CreditNote, Customer, Invoice, Payment
from clientguard.settlement import settle
from clientguard_quickbooks.mapping import (
    APPLICATIONS_KEY,
    credit_applications,
    credit_note_from_qbo,
    customer_from_qbo,
    invoice_records,
    payment_from_qbo,
)

Recorded = Callable[[str], Any]


def entities(recorded: Recorded, name: str, entity: str) -> list[dict[str, Any]]:
    body = recorded(f"qbo_{name}_query_recorded.json")
    found: list[dict[str, Any]] = body["QueryResponse"][entity]
    return found


def map_company(recorded: Recorded) -> tuple[list[AnyRecord], dict[str, str]]:
    """All four recordings mapped as the connector maps them; skips by id with the reason."""
    records: list[AnyRecord] = []
    skipped: dict[str, str] = {}
    records.extend(customer_from_qbo(c) for c in entities(recorded, "customers", "Customer"))
    for raw in entities(recorded, "invoices", "Invoice"):
        result = invoice_records(raw)
        records.extend(result if isinstance(result, list) else [result])
    applications: dict[str, list[dict[str, str]]] = {}
    for raw in entities(recorded, "payments", "Payment"):
        payment = payment_from_qbo(raw)
        if isinstance(payment, Skip):
            skipped[f"payment {raw['Id']}"] = payment.reason
        else:
            records.append(payment)
        for found in credit_applications(raw):
            applications.setdefault(found.credit_memo_id, []).append(found.to_raw())
    for raw in entities(recorded, "creditmemos", "CreditMemo"):
        note = credit_note_from_qbo({**raw, APPLICATIONS_KEY: applications.get(raw["Id"], [])})
        if isinstance(note, Skip):
            skipped[f"credit memo {raw['Id']}"] = note.reason
        else:
            records.append(note)
    return records, skipped


def test_every_recorded_entity_is_mapped_or_skipped_with_a_reason(recorded: Recorded) -> None:
    records, skipped = map_company(recorded)
    counts = {kind: sum(isinstance(r, kind) for r in records)
              for kind in (Customer, Invoice, Payment, CreditNote)}
    assert counts == {Customer: 33, Invoice: 37, Payment: 15, CreditNote: 9}
    # QuickBooks' zero-amount "link credits to charges" payment: its content moved to the memo.
    assert list(skipped) == ["payment 74"]
    assert "credit memos' allocations" in skipped["payment 74"]
    ledger = cg.Ledger.build(records, base_currency="USD")  # strict: no rule broken
    assert ledger.report.ok


def test_the_replay_agrees_with_quickbooks_balance_on_every_invoice(recorded: Recorded) -> None:
    records, _ = map_company(recorded)
    ledger = cg.Ledger.build(records, base_currency="USD")
    settlements = settle(ledger, as_of=date(2030, 1, 1))
    invoices = entities(recorded, "invoices", "Invoice")
    assert len(invoices) == 37
    for raw in invoices:
        assert settlements[raw["Id"]].open_balance == raw["Balance"], raw["Id"]


@pytest.mark.parametrize(
    ("invoice_id", "settled_on"),
    [
        ("96", date(2026, 4, 8)),  # one payment
        ("12", date(2026, 4, 8)),  # two payments: the second settles it
        ("95", date(2026, 1, 12)),
    ],
)
def test_paid_dates_come_from_the_linked_payments(
    recorded: Recorded, invoice_id: str, settled_on: date
) -> None:
    records, _ = map_company(recorded)
    ledger = cg.Ledger.build(records, base_currency="USD")
    invoice = ledger.invoice(invoice_id)
    assert invoice.status == "paid"
    assert invoice.paid_on is None  # QuickBooks has no paid date
    assert settle(ledger, as_of=date(2030, 1, 1))[invoice_id].settled_on == settled_on


def test_the_credit_memo_applied_through_a_payment_pays_its_invoice(recorded: Recorded) -> None:
    records, _ = map_company(recorded)
    memo = next(r for r in records if isinstance(r, CreditNote) and r.id == "73")
    assert [(a.invoice_id, a.amount, a.date) for a in memo.allocations] == [
        ("71", Decimal(100), date(2026, 3, 22))
    ]
    invoice_71 = next(r for r in records if isinstance(r, Invoice) and r.id == "71")
    payment_72 = next(r for r in records if isinstance(r, Payment) and r.id == "72")
    assert invoice_71.total == sum(a.amount for a in payment_72.allocations) + Decimal(100)


def test_sub_customers_are_grouped_under_their_parents(recorded: Recorded) -> None:
    records, _ = map_company(recorded)
    groups = {r.id: r.group_id for r in records if isinstance(r, Customer) and r.group_id}
    assert groups == {"8": "7", "9": "7", "23": "22"}
