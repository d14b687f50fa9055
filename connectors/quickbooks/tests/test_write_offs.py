"""A bad debt written off in QuickBooks keeps its invoice open: the client never paid it.

QuickBooks' usual write-off (Intuit's "Write off bad debts in QuickBooks Online"): a journal
entry debits a bad debts expense account and credits Accounts Receivable for the customer,
then a "receive payment" of 0 links the invoice to that journal entry. The invoice's
``Balance`` drops to 0 and its ``LinkedTxn`` names the payment (as the recorded invoices name
theirs: invoice 96 links payment 128, ../shared/reference/apis/qbo_invoices_query_recorded.json);
the payment's lines are ``{Amount: 500, LinkedTxn: [Invoice 1]}`` and ``{Amount: 500,
LinkedTxn: [JournalEntry 7]}`` (``Line.LinkedTxn.TxnType`` values, NOTES.md §2.2).

Before, such an invoice was ``paid`` with no payment: "paid, date unknown", out of every
lateness measure, for the clearest bad client of all. Now, as Stripe's ``uncollectible``
invoice (docs/connectors/stripe.md, "Status"), it is open for what was written off. Each
expected value is worked out by hand from the payment's arithmetic: cash applied is
``TotalAmt - UnappliedAmt``; credit memos, then cash, pay the invoice lines in line order;
what is left is settled by the journal lines' credit, up to what those lines carry.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.errors import DataError
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.mapping import (
    WRITE_OFFS_KEY,
    credit_applications,
    invoice_records,
    journal_credits,
    payment_from_qbo,
)

from .conftest import Clock

REALM = "4620816365178277"
QUERY = f"/v3/company/{REALM}/query"
CDC = f"/v3/company/{REALM}/cdc"
D = Decimal
AS_OF = date(2026, 7, 1)


def line(amount: int, txn_type: str, txn_id: str) -> dict[str, Any]:
    return {"Amount": D(amount), "LinkedTxn": [{"TxnId": txn_id, "TxnType": txn_type}]}


def qbo_payment(total: int, *lines: dict[str, Any], ident: str = "9", unapplied: int | None = 0,
                updated: str = "2026-06-01T10:00:00-07:00", **extra: Any) -> dict[str, Any]:
    """A payment of 1 June 2026 by customer 5."""
    raw: dict[str, Any] = {
        "Id": ident, "TxnDate": "2026-06-01", "TotalAmt": D(total),
        "CustomerRef": {"value": "5"}, "CurrencyRef": {"value": "USD"}, "Line": list(lines),
        "MetaData": {"CreateTime": updated, "LastUpdatedTime": updated}, **extra,
    }
    if unapplied is not None:
        raw["UnappliedAmt"] = D(unapplied)
    return raw


def qbo_invoice(balance: int, *payments: str, ident: str = "1", total: int = 500,
                updated: str = "2026-01-01T09:00:00-08:00") -> dict[str, Any]:
    """Invoice 1 of 500.00 to customer 5, issued 1 January 2026, due 31 January; it links
    ``payments`` (as QuickBooks lists the payments applied to an invoice)."""
    return {
        "Id": ident, "DocNumber": f"100{ident}", "TxnDate": "2026-01-01", "DueDate": "2026-01-31",
        "TotalAmt": D(total), "Balance": D(balance), "CustomerRef": {"value": "5"},
        "CurrencyRef": {"value": "USD"},
        "LinkedTxn": [{"TxnId": p, "TxnType": "Payment"} for p in payments],
        "MetaData": {"CreateTime": "2026-01-01T09:00:00-08:00", "LastUpdatedTime": updated},
    }


def qbo_journal(amount: int, *debits: tuple[str, int], ident: str = "7",
                day: str = "2026-06-01") -> dict[str, Any]:
    """Journal entry ``ident``: ``amount`` credited to Accounts Receivable (account 84) for
    customer 5, balanced by ``debits``, (account id, amount) each (all of it to account 80,
    Bad debts, when none are given)."""
    def posting(kind: str, account: str, value: int, **entity: Any) -> dict[str, Any]:
        detail = {"PostingType": kind, "AccountRef": {"value": account}, **entity}
        return {"Amount": D(value), "DetailType": "JournalEntryLineDetail",
                "JournalEntryLineDetail": detail}
    moment = f"{day}T09:00:00-07:00"
    return {
        "Id": ident, "TxnDate": day,
        "Line": [*(posting("Debit", a, v) for a, v in (debits or (("80", amount),))),
                 posting("Credit", "84", amount,
                         Entity={"Type": "Customer", "EntityRef": {"value": "5"}})],
        "MetaData": {"CreateTime": moment, "LastUpdatedTime": moment},
    }


def qbo_account(ident: str, name: str, kind: str, subtype: str,
                classification: str) -> dict[str, Any]:
    return {"Id": ident, "Name": name, "AccountType": kind, "AccountSubType": subtype,
            "Classification": classification, "Active": True}


#: The company's chart of accounts, as QuickBooks types them (Account.AccountType,
#: AccountSubType and Classification).
ACCOUNTS = [
    qbo_account("33", "Accounts Payable (A/P)", "Accounts Payable", "AccountsPayable",
                "Liability"),
    qbo_account("35", "Checking", "Bank", "Checking", "Asset"),
    qbo_account("80", "Bad debts", "Expense", "BadDebts", "Expense"),
    qbo_account("81", "Allowance for bad debts", "Other Current Asset", "AllowanceForBadDebts",
                "Asset"),
    qbo_account("84", "Accounts Receivable (A/R)", "Accounts Receivable", "AccountsReceivable",
                "Asset"),
]

#: Journal entry 7 writing off 500.00 of customer 5's receivable to Bad debts.
WRITTEN_OFF = {"JournalEntry": [qbo_journal(500)], "Account": ACCOUNTS}


# ------------------------------------------------------------------- the payment's arithmetic


@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7")),
                     [("1", "500")], id="full-write-off"),
        pytest.param(qbo_payment(300, line(500, "Invoice", "1"), line(200, "JournalEntry", "7")),
                     [("1", "200")], id="300-cash-200-written-off"),
        # Cash pays the lines in order: 50 to invoice 1, then 50 + 100 left for the journal.
        pytest.param(qbo_payment(50, line(100, "Invoice", "1"), line(100, "Invoice", "2"),
                                 line(150, "JournalEntry", "7")),
                     [("1", "50"), ("2", "100")], id="two-invoices-in-line-order"),
        # The credit memo pays 100 of the 500, the journal the other 400.
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"), line(100, "CreditMemo", "73"),
                                 line(400, "JournalEntry", "7")),
                     [("1", "400")], id="credit-memo-first-then-the-journal"),
        # No more than the journal lines carry: 200, though 500 is unpaid.
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"), line(200, "JournalEntry", "7")),
                     [("1", "200")], id="capped-at-the-journal"),
        # 100 received pays invoice 1 (60) and an opening-balance journal (40): a charge,
        # paid in cash; nothing written off.
        pytest.param(qbo_payment(100, line(60, "Invoice", "1"), line(40, "JournalEntry", "7")),
                     [], id="cash-pays-an-opening-balance-journal"),
        pytest.param(qbo_payment(0, line(100, "Invoice", "1"), line(100, "CreditMemo", "73")),
                     [], id="zero-payment-linking-a-credit-memo"),
        pytest.param(qbo_payment(500, line(500, "Invoice", "1")), [], id="plain-payment"),
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7"),
                                 PrivateNote="Voided"),
                     [], id="voided-payment-settles-nothing"),
    ],
)
def test_what_a_payment_settles_with_a_journal_credit_is_written_off(
    payment: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    found = journal_credits(payment)
    assert [(w.invoice_id, str(w.amount)) for w in found] == expected
    assert all((w.date, w.payment_id) == (date(2026, 6, 1), "9") for w in found)


_LINES = st.lists(
    st.tuples(st.sampled_from(["Invoice", "CreditMemo", "JournalEntry", "Check"]),
              st.sampled_from(["1", "2", "3"]), st.integers(0, 1000)),
    max_size=6,
)


@given(lines=_LINES, total=st.integers(0, 1000), unapplied=st.integers(0, 1000))
def test_an_invoice_is_never_settled_beyond_its_lines_nor_written_off_beyond_the_journals(
    lines: list[tuple[str, str, int]], total: int, unapplied: int
) -> None:
    raw = qbo_payment(total, *(line(a, kind, i) for kind, i, a in lines),
                      unapplied=min(unapplied, total))
    found = journal_credits(raw)
    journals = sum(a for kind, _, a in lines if kind == "JournalEntry")
    assert sum(w.amount for w in found) <= journals
    mapped = payment_from_qbo(raw)
    paid = {} if isinstance(mapped, Skip) else {a.invoice_id: a.amount for a in mapped.allocations}
    for invoice_id in {i for kind, i, _ in lines if kind == "Invoice"}:
        billed = sum(a for kind, i, a in lines if kind == "Invoice" and i == invoice_id)
        settled = (paid.get(invoice_id, 0)
                   + sum(c.amount for c in credit_applications(raw) if c.invoice_id == invoice_id)
                   + sum(w.amount for w in found if w.invoice_id == invoice_id))
        assert settled <= billed


def test_a_malformed_payment_is_refused_naming_the_field() -> None:
    raw = qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7"), unapplied=9)
    with pytest.raises(DataError, match="UnappliedAmt"):
        journal_credits(raw)


# ------------------------------------------------------------------- the invoice's status


@pytest.mark.parametrize(
    ("balance", "written", "status", "amount_due"),
    [
        pytest.param(0, ["500"], "open", "500", id="full-write-off-is-open"),
        pytest.param(0, ["200"], "open", "200", id="part-write-off-owes-the-part"),
        pytest.param(100, ["100"], "open", "200", id="written-off-beside-a-balance"),
        pytest.param(0, ["300", "200"], "open", "500", id="two-write-offs-add-up"),
        pytest.param(0, ["900"], "open", "500", id="never-more-than-the-total"),
        pytest.param(0, [], "paid", "0", id="paid-is-still-paid"),
    ],
)
def test_an_invoice_written_off_stays_open_for_what_was_written_off(
    balance: int, written: list[str], status: str, amount_due: str
) -> None:
    raw = {**qbo_invoice(balance, "9"),
           WRITE_OFFS_KEY: [{"amount": a, "date": "2026-06-01", "payment_id": "9"}
                            for a in written]}
    invoice = invoice_records(raw)
    assert isinstance(invoice, cg.Invoice)
    assert (invoice.status, invoice.amount_due) == (status, D(amount_due))


def test_a_bad_write_off_rejects_the_invoice_naming_it() -> None:
    raw = {**qbo_invoice(0, "9"), WRITE_OFFS_KEY: [{"amount": "-5", "payment_id": "9"}]}
    with pytest.raises(DataError, match=r"clientguard:written_off\.0\.amount: -5 is negative"):
        invoice_records(raw)


# ------------------------------------------------------------------- over HTTP, into a ledger


def serve(server: HTTPServer, entities: dict[str, list[dict[str, Any]]]) -> None:
    """Answers every query with ``entities`` for its FROM (only the ids asked for, for an
    ``Id IN`` query), and every CDC call with nothing deleted."""
    server.clear()

    def query(request: Request) -> Response:
        statement = request.args["query"]
        entity = statement.split(" FROM ")[1].split()[0]
        items = entities.get(entity, [])
        if " Id IN (" in statement:
            asked = statement.split(" Id IN (")[1].split(")")[0]
            items = [i for i in items if f"'{i['Id']}'" in asked.split(", ")]
        found = {entity: items, "startPosition": 1, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found}, default=str),
                        content_type="application/json")

    def cdc(request: Request) -> Response:
        return Response(json.dumps({"CDCResponse": [{"QueryResponse": [{}]}]}),
                        content_type="application/json")

    server.expect_request(QUERY).respond_with_handler(query)
    server.expect_request(CDC).respond_with_handler(cdc)


def connector(server: HTTPServer, clock: Clock, now: datetime) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-wo", base_url=server.url_for("/"),
        clock=lambda: now, sleep=clock.sleep, monotonic=clock, home_currency="USD",
        time_activities=False,
    )


def queries(server: HTTPServer) -> list[str]:
    return [request.args["query"] for request, _ in server.log if request.path == QUERY]


CUSTOMER = {"Id": "5", "DisplayName": "Bad Debt Ltd",
            "MetaData": {"LastUpdatedTime": "2026-01-01T09:00:00-08:00"}}
STREAMS = ["customers", "invoices", "payments", "credit_notes"]


@pytest.mark.parametrize(
    ("payment", "open_balance"),
    [
        # Nothing paid: 500.00 open, 151 days past the 31 January due date on 1 July.
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7")),
                     D(500), id="full-write-off"),
        # 300.00 paid on 1 June, 200.00 written off: 200.00 open.
        pytest.param(qbo_payment(300, line(500, "Invoice", "1"), line(200, "JournalEntry", "7")),
                     D(200), id="part-write-off"),
    ],
)
def test_a_written_off_invoice_is_open_and_late_not_paid_date_unknown(
    httpserver: HTTPServer, clock: Clock, payment: dict[str, Any], open_balance: Decimal
) -> None:
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [payment], **WRITTEN_OFF})
    pulled = pull(connector(httpserver, clock, datetime(2026, 7, 1, tzinfo=UTC)),
                  streams=STREAMS)
    ledger = cg.Ledger.build(list(pulled.records), base_currency="USD")
    found = settle(ledger, as_of=AS_OF)["1"]
    assert (found.status, found.open_balance, found.paid_date_unknown) == (
        "open", open_balance, False)
    assert (found.days_late, found.late) == (151, True)
    assert found.source_amount_due_mismatch is None  # the amount due agrees with the replay
    # The invoice's payment was read by its id, once; then the journal entry it links, and
    # the account that entry debits.
    assert [q for q in queries(httpserver) if "Id IN" in q] == [
        "SELECT * FROM Payment WHERE Id IN ('9') ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        "SELECT * FROM JournalEntry WHERE Id IN ('7') ORDERBY Id STARTPOSITION 1 MAXRESULTS 1000",
        "SELECT * FROM Account WHERE Active IN (true, false) AND Id IN ('80') ORDERBY Id "
        "STARTPOSITION 1 MAXRESULTS 1000"]


def test_a_zero_payment_linking_a_credit_memo_still_settles_the_invoice(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # Recorded payment 74's shape: invoice 1 (100.00) paid by credit memo 73, nothing received.
    memo = {"Id": "73", "TxnDate": "2026-01-20", "TotalAmt": D(100), "Balance": D(0),
            "CustomerRef": {"value": "5"}, "CurrencyRef": {"value": "USD"},
            "MetaData": {"CreateTime": "2026-01-20T09:00:00-08:00",
                         "LastUpdatedTime": "2026-06-01T10:00:00-07:00"}}
    link = qbo_payment(0, line(100, "Invoice", "1"), line(100, "CreditMemo", "73"), ident="74")
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "74", total=100)],
                       "Payment": [link], "CreditMemo": [memo]})
    pulled = pull(connector(httpserver, clock, datetime(2026, 7, 1, tzinfo=UTC)),
                  streams=STREAMS)
    (invoice,) = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    assert (invoice.status, invoice.amount_due) == ("paid", D(0))
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    # Settled by the credit memo on the payment's date, 1 June.
    assert (found.status, found.settled_on, found.open_balance) == ("settled", date(2026, 6, 1),
                                                                    D(0))


def test_an_id_that_is_not_digits_never_reaches_a_query(
    httpserver: HTTPServer, clock: Clock
) -> None:
    hostile = qbo_invoice(0, "9') OR ('1")
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [hostile]})
    pull(connector(httpserver, clock, datetime(2026, 7, 1, tzinfo=UTC)), streams=["invoices"])
    assert [q for q in queries(httpserver) if "Payment" in q] == []


def test_write_offs_hold_across_incremental_syncs_and_a_reversal(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    written_off = qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7"))

    def open_balance(store: Store) -> tuple[str, Decimal]:
        found = settle(store.load(base_currency="USD"), as_of=AS_OF)["1"]
        return found.status, found.open_balance

    with Store.open(tmp_path / "qbo.db") as store:
        # 1. May: invoice 1 unpaid.
        serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(500)]})
        store.sync(connector(httpserver, clock, datetime(2026, 5, 1, tzinfo=UTC)))
        assert open_balance(store) == ("open", D(500))

        # 2. The write-off's payment arrives first, the invoice unchanged in this read: the
        # stored invoice stays open, and the payment (nothing received) is no payment.
        assert isinstance(payment_from_qbo(written_off), Skip)
        serve(httpserver, {"Payment": [written_off]})
        store.sync(connector(httpserver, clock, datetime(2026, 6, 2, tzinfo=UTC)))
        assert open_balance(store) == ("open", D(500))

        # 3. The invoice comes in a later sync, Balance 0 and linking payment 9, which the
        # payments query of this sync no longer returns: read by its id, it is written off.
        invoice = qbo_invoice(0, "9", updated="2026-06-03T10:00:00-07:00")
        serve(httpserver, {"Invoice": [invoice], "Payment": [written_off], **WRITTEN_OFF})
        store.sync(connector(httpserver, clock, datetime(2026, 6, 4, tzinfo=UTC)))
        assert open_balance(store) == ("open", D(500))
        (stored,) = store.load(base_currency="USD").invoices
        assert (stored.status, stored.amount_due) == ("open", D(500))

        # 4. The journal entry deleted: QuickBooks puts the Balance back to 500. No payment
        # is read for an invoice nothing settles; it is open, and owes what it did.
        reversed_ = qbo_invoice(500, updated="2026-06-10T10:00:00-07:00")
        serve(httpserver, {"Invoice": [reversed_]})
        store.sync(connector(httpserver, clock, datetime(2026, 6, 11, tzinfo=UTC)))
        assert open_balance(store) == ("open", D(500))
        assert [q for q in queries(httpserver) if "Id IN" in q] == []
