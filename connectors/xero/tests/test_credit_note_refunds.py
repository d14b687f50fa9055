"""A Xero credit note refunded in cash leaves Xero's ``RemainingCredit`` as unapplied credit.

Xero's Accounting API spec (schema CreditNote): ``Payments`` are the payments made against the
credit note, for a sales credit note its cash refunds (the ARCREDITPAYMENT payments the
payments stream skips), each with its ``Date`` and ``Amount``; ``RemainingCredit`` is what
is left after its allocations and those refunds. The spec's own example (CN-0005, in
../shared/reference/apis/xero_creditnotes_example.json) has a Total of 34.50, a refund of 2.00
on 14 March 2019 and a RemainingCredit of 32.50.
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

Recorded = Callable[[str], Any]
CONTACT = {"ContactID": "c-1", "Name": "Client"}


def unapplied_credit(note: object, as_of: date) -> Decimal:
    assert isinstance(note, cg.CreditNote), note
    book = cg.Ledger.build(
        [cg.Customer(id=note.customer_id, name="Client", source="xero"), note],
        base_currency=note.currency,
    )
    held = unapplied_cash(book, as_of=as_of).get(note.customer_id)
    return Decimal(0) if held is None else held.credit


def credit(**changes: Any) -> dict[str, Any]:
    """An authorised sales credit note of 50.00 NZD issued on 5 March 2019."""
    raw: dict[str, Any] = {
        "CreditNoteID": "cn-1", "Type": "ACCRECCREDIT", "Status": "AUTHORISED",
        "Contact": CONTACT, "DateString": "2019-03-05T00:00:00", "Total": Decimal("50.00"),
        "CurrencyCode": "NZD", "Allocations": [], "Payments": [],
    }
    raw.update(changes)
    return raw


def test_the_specs_example_leaves_its_remaining_credit_from_the_day_of_the_refund(
    recorded: Recorded,
) -> None:
    (raw, _) = recorded("xero_creditnotes_example.json")["CreditNotes"]
    note = mapping.credit_note_to_model(raw)
    assert isinstance(note, cg.CreditNote)
    # /Date(1552521600000+0000)/ is midnight UTC of 14 March 2019.
    assert [(r.date, r.amount) for r in note.refunds] == [(date(2019, 3, 14), Decimal("2.00"))]
    # Before the refund the whole credit is owed; from it on, Xero's RemainingCredit.
    assert unapplied_credit(note, date(2019, 3, 13)) == raw["Total"] == Decimal("34.50")
    assert unapplied_credit(note, date(2019, 3, 14)) == raw["RemainingCredit"] == Decimal("32.50")


def test_every_recorded_credit_note_leaves_its_remaining_credit(recorded: Recorded) -> None:
    mapped = 0
    for raw in recorded("xero_creditnotes_recorded_page1.json")["CreditNotes"]:
        note = mapping.credit_note_to_model(raw)
        if not isinstance(note, cg.CreditNote):
            continue
        mapped += 1
        assert note.refunds == ()  # the demo company refunded none of them
        used = sum((a.amount for a in note.allocations), Decimal(0))
        assert note.total - used == raw["RemainingCredit"], note.id
    assert mapped == 3  # the ACCRECCREDIT ones that are not drafts


@pytest.mark.parametrize(
    ("payments", "expected"),
    [
        pytest.param([{"Amount": Decimal("20.00"), "Date": "/Date(1552521600000+0000)/"}],
                     "30.00", id="one-refund"),
        pytest.param([{"Amount": Decimal("20.00"), "Date": "/Date(1552521600000+0000)/"},
                      {"Amount": Decimal("30.00"), "DateString": "2019-03-20T00:00:00"}],
                     "0", id="refunded-in-full"),
        pytest.param([{"Amount": Decimal("20.00"), "Date": "/Date(1552521600000+0000)/",
                       "Status": "DELETED"}],
                     "50.00", id="a-deleted-refund-pays-nothing-back"),
        pytest.param([{"Amount": Decimal("5.00")}], "45.00", id="undated-on-the-notes-date"),
    ],
)
def test_cash_refunds_are_taken_off_the_credit(payments: list[Any], expected: str) -> None:
    note = mapping.credit_note_to_model(credit(Payments=payments))
    assert unapplied_credit(note, date(2019, 12, 31)) == Decimal(expected)


def test_a_refund_dated_after_as_of_is_still_owed() -> None:
    note = mapping.credit_note_to_model(credit(Payments=[
        {"Amount": Decimal("20.00"), "DateString": "2019-04-01T00:00:00"}]))
    assert unapplied_credit(note, date(2019, 3, 31)) == Decimal("50.00")
    assert unapplied_credit(note, date(2019, 4, 1)) == Decimal("30.00")


@pytest.mark.parametrize(
    ("payments", "allocations", "field"),
    [
        pytest.param([{"Amount": Decimal("60.00")}], [], "refunds", id="more-than-the-total"),
        pytest.param([{"Amount": Decimal("30.00")}],
                     [{"Invoice": {"InvoiceID": "inv-1"}, "Amount": Decimal("30.00")}],
                     "refunds", id="applied-and-refunded-past-the-total"),
        pytest.param([{"Amount": Decimal("-1.00")}], [], "refunds.0.amount", id="negative"),
    ],
)
def test_refunds_the_credit_cannot_hold_are_rejected_naming_them(
    payments: list[Any], allocations: list[Any], field: str
) -> None:
    with pytest.raises(DataError) as caught:
        mapping.credit_note_to_model(credit(Payments=payments, Allocations=allocations))
    assert [p.field for p in caught.value.problems] == [field]


def test_a_refund_that_is_not_an_object_is_named() -> None:
    with pytest.raises(DataError, match=r"Payments\.0: is not an object"):
        mapping.credit_note_to_model(credit(Payments=["20.00"]))
