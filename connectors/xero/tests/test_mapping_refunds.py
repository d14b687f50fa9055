"""An overpayment or prepayment refunded in cash is no longer money the client left with the
firm: what it leaves unapplied is Xero's ``RemainingCredit``, not its ``Total``.

Xero's Accounting API spec (xero_accounting.yaml, schemas Overpayment and Prepayment):
``Total`` is what was received, ``Allocations`` what was applied to invoices, ``Payments``
the payments made against the document (for a received overpayment or prepayment, its cash
refunds: the AROVERPAYMENTPAYMENT / ARPREPAYMENTPAYMENT payments, which the payments stream
skips), and ``RemainingCredit`` "the remaining credit balance on the overpayment".
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

import pytest

import clientguard as cg
from clientguard.errors import DataError
from clientguard.settlement import unapplied_cash
from clientguard_xero import mapping

CONTACT = {"ContactID": "c-1", "Name": "Client"}
AS_OF = date(2019, 12, 31)
ToModel = Callable[..., Any]


def received(kind: str, **changes: Any) -> dict[str, Any]:
    """A received overpayment or prepayment of 20.00 NZD on 13 March 2019."""
    raw: dict[str, Any] = {
        f"{kind.title()}ID": f"{kind[:2]}-1", "Type": f"RECEIVE-{kind.upper()}",
        "Status": "AUTHORISED", "Contact": CONTACT, "DateString": "2019-03-13T00:00:00",
        "Total": Decimal("20.00"), "RemainingCredit": Decimal("20.00"), "CurrencyCode": "NZD",
        "Allocations": [], "Payments": [],
    }
    raw.update(changes)
    return raw


def refund(amount: str, **changes: Any) -> dict[str, Any]:
    return {"PaymentID": f"rf-{amount}", "Amount": Decimal(amount),
            "Date": "/Date(1552521600000+0000)/", **changes}


KINDS = [
    pytest.param("overpayment", mapping.overpayment_to_model, id="overpayment"),
    pytest.param("prepayment", mapping.prepayment_to_model, id="prepayment"),
]


def held(record: object, *invoices: cg.Invoice) -> Decimal:
    """The client's unapplied cash as of the end of 2019."""
    assert isinstance(record, cg.Payment), record
    ledger = cg.Ledger.build(
        [cg.Customer(id="c-1", name="Client", source="xero"), *invoices, record],
        base_currency="NZD",
    )
    cash = unapplied_cash(ledger, as_of=AS_OF).get("c-1")
    return Decimal(0) if cash is None else cash.payments


@pytest.mark.parametrize(("kind", "to_model"), KINDS)
def test_refunded_in_full_leaves_nothing_unapplied(kind: str, to_model: ToModel) -> None:
    raw = received(kind, Status="PAID", RemainingCredit=Decimal("0"),
                   Payments=[refund("20.00")])
    assert held(to_model(raw)) == raw["RemainingCredit"] == Decimal(0)


@pytest.mark.parametrize(("kind", "to_model"), KINDS)
def test_partly_applied_and_partly_refunded_leaves_the_remaining_credit(
    kind: str, to_model: ToModel
) -> None:
    # 20.00 received: 5.00 applied to INV-1, 10.00 paid back, 5.00 still the client's.
    invoice = cg.Invoice(id="inv-1", customer_id="c-1", number="INV-1",
                         issue_date=date(2019, 3, 1), due_date=date(2019, 3, 31),
                         currency="NZD", total=Decimal("5.00"), status="paid", source="xero")
    raw = received(
        kind, RemainingCredit=Decimal("5.00"),
        Allocations=[{"Amount": Decimal("5.00"), "Date": "/Date(1552521600000+0000)/",
                      "Invoice": {"InvoiceID": "inv-1"}}],
        # A deleted refund gave nothing back.
        Payments=[refund("10.00"), refund("3.00", Status="DELETED")],
    )
    payment = to_model(raw)
    assert isinstance(payment, cg.Payment)
    assert payment.amount == Decimal("10.00")  # the money the client left with the firm
    assert held(payment, invoice) == raw["RemainingCredit"] == Decimal("5.00")


@pytest.mark.parametrize(("kind", "to_model"), KINDS)
def test_refunds_larger_than_what_came_in_are_rejected(kind: str, to_model: ToModel) -> None:
    with pytest.raises(DataError, match=r"refunds of 25\.00 are more than"):
        to_model(received(kind, Payments=[refund("25.00")]))
