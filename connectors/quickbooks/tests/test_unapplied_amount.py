"""A QuickBooks payment's unapplied cash is its ``UnappliedAmt``, not what its invoice lines
leave.

A payment's lines can pay charges that are not invoices: a journal entry posted to Accounts
Receivable (the opening balances of a company moved to QuickBooks are often entered so), or a
cheque or expense that paid back an overpayment (``Line.LinkedTxn.TxnType`` ``JournalEntry``,
``Check``, ``Expense``: ../shared/reference/apis/NOTES.md §2.2). That money is applied, and
QuickBooks says so: ``UnappliedAmt`` (sent on every payment, 0 on all 16 recorded ones) is
what it holds as the customer's credit. Before, everything the invoice lines left became
unapplied cash in the ledger, and unapplied cash that covers a client's open balance clears
its receivables findings (docs/metrics/concentration.md).

Each expected value is worked out by hand from the payment's arithmetic: the cash applied is
``TotalAmt - UnappliedAmt``; it pays the invoice lines (after the credit memos), in line
order; what it leaves paid the other lines.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

from clientguard import testing as t
from clientguard.connector import Skip, pull
from clientguard.errors import DataError
from clientguard.model import Payment
from clientguard.settlement import unapplied_cash
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import payment_from_qbo

from .conftest import Clock

REALM = "9341457021722202"
API = f"/v3/company/{REALM}/query"
D = Decimal


def line(amount: str, txn_type: str, txn_id: str) -> dict[str, Any]:
    return {"Amount": D(amount), "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def qbo_payment(total: str, unapplied: str | None, *lines: dict[str, Any]) -> dict[str, Any]:
    """A payment of 2 March 2026 by customer 5; ``unapplied`` None leaves UnappliedAmt out."""
    raw: dict[str, Any] = {
        "Id": "9", "TxnDate": "2026-03-02", "TotalAmt": D(total), "CustomerRef": {"value": "5"},
        "CurrencyRef": {"value": "USD"}, "Line": list(lines),
        "MetaData": {"LastUpdatedTime": "2026-03-02T10:00:00-08:00"},
    }
    if unapplied is not None:
        raw["UnappliedAmt"] = D(unapplied)
    return raw


@pytest.mark.parametrize(
    ("raw", "allocations", "amount"),
    [
        # 100 received: 60 pays invoice 1, 40 the journal entry's opening balance; 0 unapplied.
        pytest.param(qbo_payment("100", "0", line("60", "Invoice", "1"),
                                 line("40", "JournalEntry", "7")),
                     [("1", "60")], "60", id="opening-balance-journal-takes-cash"),
        # 100 received: 60 pays invoice 1, 40 was paid back by cheque 8 (an overpayment).
        pytest.param(qbo_payment("100", "0", line("60", "Invoice", "1"), line("40", "Check", "8")),
                     [("1", "60")], "60", id="overpayment-paid-back-by-cheque"),
        pytest.param(qbo_payment("100", "0", line("60", "Invoice", "1"),
                                 line("40", "Expense", "8")),
                     [("1", "60")], "60", id="overpayment-paid-back-by-expense"),
        # 100 received, 20 unapplied: 80 applied, 60 to the invoice and 20 to the journal.
        pytest.param(qbo_payment("100", "20", line("60", "Invoice", "1"),
                                 line("20", "JournalEntry", "7")),
                     [("1", "60")], "80", id="journal-charge-and-unapplied-cash"),
        # QuickBooks holds 40 as credit: it stays unapplied cash.
        pytest.param(qbo_payment("100", "40", line("60", "Invoice", "1")),
                     [("1", "60")], "100", id="true-unapplied-cash-stays"),
        # A journal credit (a write-off of 200): the 300 received all pay the invoice.
        pytest.param(qbo_payment("300", "0", line("500", "Invoice", "1"),
                                 line("200", "JournalEntry", "7")),
                     [("1", "300")], "300", id="journal-credit-pays-the-rest"),
        # 100 received, 50 unapplied: 50 applied; invoice 1's 60 is 50 of it and 10 of the
        # journal's credit. The 50 unapplied stay.
        pytest.param(qbo_payment("100", "50", line("60", "Invoice", "1"),
                                 line("10", "JournalEntry", "7")),
                     [("1", "50")], "100", id="journal-credit-and-unapplied-cash"),
        # Without UnappliedAmt the payment cannot say where the rest went: it stays unapplied.
        pytest.param(qbo_payment("100", None, line("60", "Invoice", "1"),
                                 line("40", "JournalEntry", "7")),
                     [("1", "60")], "100", id="no-unapplied-amount-keeps-the-rest"),
        # No line says the rest went elsewhere: it stays the customer's (a payment with no
        # lines at all included).
        pytest.param(qbo_payment("100", "0", line("60", "Invoice", "1")),
                     [("1", "60")], "100", id="no-other-line-keeps-the-rest"),
        pytest.param(qbo_payment("100", "100"), [], "100", id="no-lines-all-unapplied"),
    ],
)
def test_a_payment_is_what_it_applies_to_invoices_and_what_quickbooks_holds_unapplied(
    raw: dict[str, Any], allocations: list[tuple[str, str]], amount: str
) -> None:
    payment = payment_from_qbo(raw)
    assert isinstance(payment, Payment)
    assert [(a.invoice_id, a.amount) for a in payment.allocations] == [
        (i, D(a)) for i, a in allocations]
    assert payment.amount == D(amount)


@pytest.mark.parametrize(
    "raw",
    [
        # The whole 40 paid a journal entry's opening balance.
        pytest.param(qbo_payment("40", "0", line("40", "JournalEntry", "7")), id="journal-only"),
        # Credit memo 3 pays invoice 1 (30) and 70 of cheque 8; the 50 received pay the
        # cheque's other 50.
        pytest.param(qbo_payment("50", "0", line("30", "Invoice", "1"),
                                 line("100", "CreditMemo", "3"), line("120", "Check", "8")),
                     id="cash-and-credit-paid-back-by-cheque"),
    ],
)
def test_a_payment_that_pays_nothing_the_ledger_holds_is_skipped_as_deleted(
    raw: dict[str, Any]
) -> None:
    result = payment_from_qbo(raw)
    assert isinstance(result, Skip)
    assert result.deleted  # a copy stored by an earlier sync, all unapplied, must go
    assert "outside the ledger" in result.reason


@pytest.mark.parametrize(
    ("unapplied", "message"),
    [("150", r"UnappliedAmt: 150 is outside 0..TotalAmt \(100\)"),
     ("-1", r"UnappliedAmt: -1 is outside 0..TotalAmt \(100\)")],
)
def test_an_impossible_unapplied_amount_rejects_the_payment_naming_the_field(
    unapplied: str, message: str
) -> None:
    with pytest.raises(DataError, match=message):
        payment_from_qbo(qbo_payment("100", unapplied, line("60", "Invoice", "1")))


def test_money_paid_to_an_opening_balance_is_no_credit_of_the_client(
    httpserver: HTTPServer, clock: Clock
) -> None:
    """Through the connector and the ledger: the client paid invoice 1 and its opening
    balance; it has no unapplied cash (before: 40, enough to cover a 40 open invoice)."""
    # The JSON QuickBooks sends: numbers, as in the recorded payments.
    httpserver.expect_ordered_request(API).respond_with_data(
        '{"QueryResponse": {"Payment": [{"Id": "9", "TxnDate": "2026-03-02", "TotalAmt": 100,'
        ' "UnappliedAmt": 0, "CustomerRef": {"value": "5"}, "CurrencyRef": {"value": "USD"},'
        ' "Line": [{"Amount": 60, "LinkedTxn": [{"TxnId": "1", "TxnType": "Invoice"}]},'
        ' {"Amount": 40, "LinkedTxn": [{"TxnId": "7", "TxnType": "JournalEntry"}]}]}],'
        ' "startPosition": 1, "maxResults": 1}}',
        content_type="application/json")
    conn = QuickBooksConnector(
        realm_id=REALM, base_url=httpserver.url_for("/"), access_token="access-token",
        token_url=httpserver.url_for("/token"), clock=lambda: datetime(2026, 6, 1, tzinfo=UTC),
        sleep=clock.sleep, monotonic=clock, home_currency="USD",
    )
    pulled = pull(conn, streams=["payments"])
    httpserver.check_assertions()
    book = t.ledger(
        t.customer("5", source="quickbooks"),
        t.invoice("5", id="1", issued="2026-02-01", total="60", currency="USD",
                  status="paid", source="quickbooks"),
        t.invoice("5", id="2", issued="2026-02-15", total="40", currency="USD",
                  source="quickbooks"),
        *pulled.records,
        base_currency="USD",
    )
    assert "5" not in unapplied_cash(book, as_of=date(2026, 3, 31))
