"""A QuickBooks credit memo paid back to the customer leaves only its ``Balance`` as credit.

QuickBooks refunds a customer's credit with a cheque (``Check``) or an expense (``Expense``)
posted to Accounts Receivable, then links the two in a payment with nothing received: a line
linked to the ``CreditMemo`` against a line linked to the ``Check`` (the entity reference's
``Line.LinkedTxn.TxnType`` values, ../shared/reference/apis/NOTES.md §2.2; the credit memo's
``Balance`` is what remains, as the recorded memo 73 shows: TotalAmt 100, Balance 0).
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.settlement import unapplied_cash
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import (
    APPLICATIONS_KEY,
    credit_applications,
    credit_note_from_qbo,
    credit_refunds,
    payment_from_qbo,
)

from .conftest import Clock

REALM = "9341457021722202"
API = f"/v3/company/{REALM}/query"


def line(amount: int, txn_type: str, txn_id: str) -> dict[str, Any]:
    return {"Amount": amount, "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def linking(*lines: dict[str, Any], total: int = 0) -> dict[str, Any]:
    """A payment of 22 March 2026 that links what its lines name."""
    return {"Id": "80", "TxnDate": "2026-03-22", "TotalAmt": total,
            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"}, "Line": list(lines)}


def memo(ident: str = "73", total: int = 100, balance: int = 0, **extra: Any) -> dict[str, Any]:
    return {"Id": ident, "TxnDate": "2026-03-20", "TotalAmt": total, "Balance": balance,
            "CustomerRef": {"value": "1"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-03-20T10:00:00-07:00",
                         "LastUpdatedTime": "2026-03-22T10:00:00-07:00"}, **extra}


@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        pytest.param(linking(line(100, "CreditMemo", "73"), line(100, "Check", "900")),
                     [("73", "100", "Check 900")], id="paid-back-by-cheque"),
        pytest.param(linking(line(30, "Invoice", "71"), line(100, "CreditMemo", "73"),
                             line(70, "Expense", "901")),
                     [("73", "70", "Expense 901")], id="invoices-first-then-the-refund"),
        pytest.param(linking(line(60, "CreditMemo", "73"), line(40, "CreditMemo", "74"),
                             line(80, "Check", "900")),
                     [("73", "60", "Check 900"), ("74", "20", "Check 900")],
                     id="memos-in-line-order"),
        pytest.param(linking(line(100, "CreditMemo", "73"), line(100, "JournalEntry", "5")),
                     [], id="a-journal-is-no-refund"),
        pytest.param(linking(line(100, "Invoice", "71"), total=100), [], id="a-plain-payment"),
    ],
)
def test_a_payment_pays_back_what_its_credit_memos_leave_after_its_invoices(
    payment: dict[str, Any], expected: list[tuple[str, str, str]]
) -> None:
    found = credit_refunds(payment)
    assert [(r.credit_memo_id, str(r.amount), r.paid_by) for r in found] == expected
    assert all((r.date, r.payment_id) == (date(2026, 3, 22), "80") for r in found)


def test_the_invoice_part_stays_an_application_beside_the_refund() -> None:
    payment = linking(line(30, "Invoice", "71"), line(100, "CreditMemo", "73"),
                      line(70, "Check", "900"))
    assert [(a.credit_memo_id, a.invoice_id, a.amount) for a in credit_applications(payment)] \
        == [("73", "71", Decimal(30))]
    # Nothing was received: the payment itself is no money.
    assert isinstance(payment_from_qbo(payment), Skip)


def test_a_credit_memo_paid_back_by_cheque_is_no_unapplied_credit() -> None:
    payment = linking(line(100, "CreditMemo", "73"), line(100, "Check", "900"))
    raw = {**memo(), APPLICATIONS_KEY: [r.to_raw() for r in credit_refunds(payment)]}
    note = credit_note_from_qbo(raw)
    assert isinstance(note, cg.CreditNote)
    assert [(r.date, r.amount) for r in note.refunds] == [(date(2026, 3, 22), Decimal(100))]
    book = cg.Ledger.build([cg.Customer(id="1", name="c", source="quickbooks"), note],
                           base_currency="USD")
    # Owed from the memo's date until the cheque's payment of 22 March; then its Balance, 0.
    assert unapplied_cash(book, as_of=date(2026, 3, 21))["1"].credit == Decimal(100)
    assert "1" not in unapplied_cash(book, as_of=date(2026, 3, 22))


def test_the_connector_finds_a_credit_memos_refund_in_payments(
    httpserver: HTTPServer, clock: Clock
) -> None:
    refunded = memo()
    link = linking(line(100, "CreditMemo", "73"), line(100, "Check", "900"))
    httpserver.expect_ordered_request(API).respond_with_json(
        {"QueryResponse": {"CreditMemo": [refunded], "startPosition": 1, "maxResults": 1}})
    httpserver.expect_ordered_request(API).respond_with_json(
        {"QueryResponse": {"Payment": [link], "startPosition": 1, "maxResults": 1}})
    conn = QuickBooksConnector(
        realm_id=REALM, base_url=httpserver.url_for("/"), access_token="access-token",
        token_url=httpserver.url_for("/token"), clock=lambda: datetime(2026, 6, 1, tzinfo=UTC),
        sleep=clock.sleep, monotonic=clock,
    )
    pulled = pull(conn, streams=["credit_notes"])
    httpserver.check_assertions()
    (note,) = pulled.records
    assert isinstance(note, cg.CreditNote)
    assert (note.allocations, [r.amount for r in note.refunds]) == ((), [Decimal(100)])
