"""The recorded Stripe responses in ../shared/reference/apis: every invoice is mapped or
rejected with a reason, and the ledger's replay agrees with Stripe's own open amounts
(skipped when the files are absent)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import clientguard as cg
from clientguard.connector import Skip
from clientguard.errors import DataError
from clientguard.model import AnyRecord, Invoice, Payment
from clientguard.settlement import settle
from clientguard_stripe.amounts import from_stripe_minor
from clientguard_stripe.mapping import invoice_records

Recorded = Callable[[str], Any]


def map_all(raws: list[dict[str, Any]]) -> tuple[list[AnyRecord], list[str]]:
    records: list[AnyRecord] = []
    problems: list[str] = []
    for raw in raws:
        try:
            result = invoice_records(raw)
        except DataError as exc:
            problems.append(f"{raw.get('id')}: {exc}")
            continue
        assert not isinstance(result, Skip), result
        records.extend(result)
    return records, problems


def test_every_recorded_invoice_is_mapped_or_rejected_with_a_reason(recorded: Recorded) -> None:
    raws = recorded("stripe_invoices_list_recorded.json")["data"]
    records, problems = map_all(raws)
    invoices = [r for r in records if isinstance(r, Invoice)]
    assert len(invoices) + len(problems) == len(raws) == 32
    assert problems == []
    assert Counter(i.status for i in invoices) == {"paid": 24, "draft": 4, "void": 3, "open": 1}
    # Only invoices with money paid or a credit balance used get a payment record.
    payments = [r for r in records if isinstance(r, Payment)]
    assert len(payments) == 15


def test_the_replay_of_the_recorded_invoices_agrees_with_stripes_amount_remaining(
    recorded: Recorded,
) -> None:
    raws = recorded("stripe_invoices_list_recorded.json")["data"]
    records, _ = map_all(raws)
    ledger = cg.Ledger.build(records, base_currency="USD")
    settlements = settle(ledger, as_of=date(2027, 1, 1))
    for raw in raws:
        if raw["status"] in ("draft", "void"):
            assert raw["id"] not in settlements
            continue
        expected = from_stripe_minor(raw["amount_remaining"], "USD", field="amount_remaining")
        assert settlements[raw["id"]].open_balance == expected, raw["id"]


def test_the_recorded_open_invoice_used_a_credit_balance(recorded: Recorded) -> None:
    raw = recorded("stripe_invoice_object_example.json")
    records = invoice_records(raw)
    assert isinstance(records, list), records
    invoice, balance = records
    assert isinstance(invoice, Invoice)
    assert isinstance(balance, Payment)
    # total 500 cents, starting_balance -100: Stripe asks for 4.00 of the 5.00.
    assert invoice.total == Decimal("5.00")
    assert invoice.amount_due == Decimal("4.00")
    assert balance.amount == Decimal("1.00")
    assert invoice.due_date == date(2026, 6, 25)  # send_invoice: its own due_date
    settlement = settle(cg.Ledger.build([invoice, balance], base_currency="USD"),
                        as_of=date(2026, 7, 1))[invoice.id]
    assert settlement.open_balance == Decimal("4.00")
    assert settlement.days_late == 6


def test_the_recorded_subscription_invoice_is_due_on_finalisation_and_paid(
    recorded: Recorded,
) -> None:
    raw = recorded("stripe_invoice_paid_example.json")
    assert raw["due_date"] is None
    assert raw["collection_method"] == "charge_automatically"
    records = invoice_records(raw)
    assert isinstance(records, list), records
    invoice, paid = records
    assert isinstance(invoice, Invoice)
    assert isinstance(paid, Payment)
    assert invoice.due_date == invoice.issue_date == date(2026, 5, 26)
    assert invoice.paid_on == date(2026, 5, 26)
    assert invoice.total == Decimal("70.00")
    assert paid.amount == Decimal("70.00")
