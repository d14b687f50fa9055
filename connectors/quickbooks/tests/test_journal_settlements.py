"""A journal entry's credit on an invoice: a bad debt written off, or a settlement by netting.

Both have one shape in the payment that links them (an invoice line, a journal entry line,
nothing received): what tells them apart is the account the journal entry debits against the
receivable it credits (``Line[].JournalEntryLineDetail.PostingType`` ``Debit``, its
``AccountRef``; the account's ``AccountType``, ``AccountSubType``, ``Classification``):

* netting a client's receivable against what the firm owes the same company as a supplier
  debits Accounts Payable: settled, paid on the journal entry's ``TxnDate``;
* a bad debt written off debits a bad debts expense: open, and late.

Before, every such credit was a write-off: a netted invoice was open, 500.00 owed, 151 days
late, feeding interest claims against a client who had settled. Each expected value below is
worked out by hand. Invoice 1: 500.00, issued 1 January 2026, due 31 January; journal entry 7
dated 10 March; payment 9 dated 1 June; as of 1 July. Days late: settled 10 March, 28 + 10 =
38; settled 1 June, 28 + 31 + 30 + 31 + 1 = 121; open on 1 July, 151.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import pull
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.journals import account_role

from .conftest import Clock
from .test_write_offs import (
    ACCOUNTS,
    AS_OF,
    CUSTOMER,
    QUERY,
    REALM,
    STREAMS,
    line,
    qbo_account,
    qbo_invoice,
    qbo_journal,
    qbo_payment,
    queries,
)

D = Decimal
JOURNAL_DAY = "2026-03-10"
ZERO_PAYMENT = qbo_payment(0, line(500, "Invoice", "1"), line(500, "JournalEntry", "7"))


def serve(server: HTTPServer, entities: dict[str, list[dict[str, Any]]],
          refused: frozenset[str] = frozenset()) -> None:
    """Answers every query with ``entities`` for its FROM (only the ids asked for, for an
    ``Id IN`` query), a page at a time; a query of an entity in ``refused`` gets QuickBooks'
    403."""
    server.clear()

    def query(request: Request) -> Response:
        statement = request.args["query"]
        entity = statement.split(" FROM ")[1].split()[0]
        if entity in refused:
            fault = {"Fault": {"Error": [{"Message": "Permission Denied Error", "code": "5020"}],
                               "type": "AuthorizationFault"}}
            return Response(json.dumps(fault), status=403, content_type="application/json")
        items = entities.get(entity, [])
        if " Id IN (" in statement:
            asked = statement.split(" Id IN (")[1].split(")")[0].split(", ")
            items = [i for i in items if f"'{i['Id']}'" in asked]
        start, size = (int(n) for n in statement.split(" STARTPOSITION ")[1].split(" MAXRESULTS "))
        items = items[start - 1:start - 1 + size]
        found = {entity: items, "startPosition": start, "maxResults": len(items)} if items else {}
        return Response(json.dumps({"QueryResponse": found}, default=str),
                        content_type="application/json")

    server.expect_request(QUERY).respond_with_handler(query)


def connector(server: HTTPServer, clock: Clock, **options: Any) -> QuickBooksConnector:
    return QuickBooksConnector(
        realm_id=REALM, access_token="access-token-je", base_url=server.url_for("/"),
        clock=lambda: datetime(2026, 7, 1, tzinfo=UTC), sleep=clock.sleep, monotonic=clock,
        home_currency="USD", time_activities=False, **options,
    )


def journal(*debits: tuple[str, int]) -> dict[str, Any]:
    return qbo_journal(500, *debits, day=JOURNAL_DAY)


@pytest.mark.parametrize(
    ("payment", "journals", "accounts", "refused", "expected", "noted"),
    [
        # Netting: 500.00 moved from A/R (the customer) to A/P (the same company, a vendor).
        pytest.param(ZERO_PAYMENT, [journal(("33", 500))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 3, 10), D(0), 38), False, id="netting-against-ap"),
        # Bad debts expense: the client never paid; open, 151 days late.
        pytest.param(ZERO_PAYMENT, [journal(("80", 500))], ACCOUNTS, frozenset(),
                     ("open", None, D(500), 151), False, id="bad-debt-expense"),
        # The allowance method writes off against the allowance (a contra-asset): written off.
        pytest.param(ZERO_PAYMENT, [journal(("81", 500))], ACCOUNTS, frozenset(),
                     ("open", None, D(500), 151), False, id="allowance-for-bad-debts"),
        # Both lines on balance-sheet accounts (the bank, or another customer's A/R): settled.
        pytest.param(ZERO_PAYMENT, [journal(("35", 500))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 3, 10), D(0), 38), False, id="bank-and-receivable"),
        pytest.param(ZERO_PAYMENT, [journal(("84", 500))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 3, 10), D(0), 38), False,
                     id="receivable-to-receivable"),
        # 300 netted, 200 written off in one journal entry: 200 open.
        pytest.param(ZERO_PAYMENT, [journal(("33", 300), ("80", 200))], ACCOUNTS, frozenset(),
                     ("open", None, D(200), 151), False, id="netted-and-written-off"),
        # 300 cash on 1 June, 200 netted on 10 March: settled by the cash, 121 days late.
        pytest.param(qbo_payment(300, line(500, "Invoice", "1"), line(200, "JournalEntry", "7")),
                     [journal(("33", 200))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 6, 1), D(0), 121), False, id="cash-and-netting"),
        # The accounts cannot be read: the default, settled on the journal entry's date.
        pytest.param(ZERO_PAYMENT, [journal(("80", 500))], ACCOUNTS, frozenset({"Account"}),
                     ("settled", date(2026, 3, 10), D(0), 38), True, id="accounts-refused-403"),
        pytest.param(ZERO_PAYMENT, [journal(("80", 500))], [], frozenset(),
                     ("settled", date(2026, 3, 10), D(0), 38), True, id="account-not-returned"),
        pytest.param(ZERO_PAYMENT, [journal(("90", 500))],
                     [qbo_account("90", "Suspense", "Mystery", "Mystery", "Mystery")],
                     frozenset(), ("settled", date(2026, 3, 10), D(0), 38), True,
                     id="account-of-an-undocumented-type"),
        # The journal entry cannot be read: settled on the payment's date, 1 June.
        pytest.param(ZERO_PAYMENT, [journal(("80", 500))], ACCOUNTS,
                     frozenset({"JournalEntry"}), ("settled", date(2026, 6, 1), D(0), 121), True,
                     id="journal-refused-403"),
        pytest.param(ZERO_PAYMENT, [], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 6, 1), D(0), 121), True, id="journal-not-returned"),
        # Hostile ids never reach a query: unclassified, the default.
        pytest.param(qbo_payment(0, line(500, "Invoice", "1"),
                                 line(500, "JournalEntry", "7') OR ('1")),
                     [journal(("80", 500))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 6, 1), D(0), 121), True, id="hostile-journal-id"),
        pytest.param(ZERO_PAYMENT, [journal(("80') OR ('1", 500))], ACCOUNTS, frozenset(),
                     ("settled", date(2026, 3, 10), D(0), 38), True, id="hostile-account-id"),
    ],
)
def test_a_journal_credit_is_written_off_or_settled_by_the_account_it_debits(
    httpserver: HTTPServer, clock: Clock, payment: dict[str, Any],
    journals: list[dict[str, Any]], accounts: list[dict[str, Any]], refused: frozenset[str],
    expected: tuple[str, date | None, Decimal, int], noted: bool,
) -> None:
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [payment], "JournalEntry": journals, "Account": accounts},
          refused)
    pulled = pull(connector(httpserver, clock), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    assert (found.status, found.settled_on, found.open_balance, found.days_late) == expected
    assert found.source_amount_due_mismatch is None  # the invoice's amount due agrees
    notes = [n for n in pulled.notes if "invoice 1" in n]
    assert bool(notes) == noted
    if noted:
        assert "whether it was a bad debt written off or a settlement (netting)" in notes[0]
    # Nothing but digits ever reaches a statement.
    assert all("OR (" not in q for q in queries(httpserver))


def test_a_settlement_is_a_payment_on_the_journal_entrys_date(
    httpserver: HTTPServer, clock: Clock
) -> None:
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [ZERO_PAYMENT], "JournalEntry": [journal(("33", 500))],
                       "Account": ACCOUNTS})
    pulled = pull(connector(httpserver, clock), streams=STREAMS)
    (invoice,) = [r for r in pulled.records if isinstance(r, cg.Invoice)]
    (netted,) = [r for r in pulled.records if isinstance(r, cg.Payment)]
    assert (invoice.status, invoice.amount_due) == ("paid", D(0))
    assert (netted.id, netted.date, netted.amount, netted.allocations) == (
        "1/journal/7/9", date(2026, 3, 10), D(500), (cg.Allocation(invoice_id="1", amount=D(500)),))


def test_a_netting_reversed_leaves_the_store_with_the_invoice_open(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                           "Payment": [ZERO_PAYMENT], "JournalEntry": [journal(("33", 500))],
                           "Account": ACCOUNTS})
        store.sync(connector(httpserver, clock, change_data_capture=False))
        found = settle(store.load(base_currency="USD"), as_of=AS_OF)["1"]
        assert (found.status, found.settled_on) == ("settled", date(2026, 3, 10))
        # The journal entry deleted: QuickBooks puts the Balance back to 500, and the
        # invoice read again no longer carries its settlement payment.
        serve(httpserver, {"Invoice": [qbo_invoice(500, updated="2026-06-10T10:00:00-07:00")]})
        store.sync(connector(httpserver, clock, change_data_capture=False))
        ledger = store.load(base_currency="USD")
        found = settle(ledger, as_of=AS_OF)["1"]
        assert (found.status, found.open_balance, ledger.payments) == ("open", D(500), ())


def test_accounts_are_read_once_a_sync(httpserver: HTTPServer, clock: Clock) -> None:
    # Two invoices on two pages (page_size 1), each netted by its own journal entry against
    # the same A/P account 33: account 33 is asked once.
    invoices = [qbo_invoice(0, "9"), qbo_invoice(0, "10", ident="2")]
    payments = [ZERO_PAYMENT, qbo_payment(0, line(500, "Invoice", "2"),
                                          line(500, "JournalEntry", "8"), ident="10")]
    journals = [journal(("33", 500)), {**journal(("33", 500)), "Id": "8"}]
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": invoices, "Payment": payments,
                       "JournalEntry": journals, "Account": ACCOUNTS})
    pulled = pull(connector(httpserver, clock, page_size=1), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)
    assert [(found[i].status, found[i].settled_on) for i in ("1", "2")] == [
        ("settled", date(2026, 3, 10))] * 2
    # (With a page of 1, each read also asks its page 2: STARTPOSITION 1 is each lookup.)
    assert [q for q in queries(httpserver) if "FROM Account" in q and "STARTPOSITION 1 " in q] == [
        "SELECT * FROM Account WHERE Active IN (true, false) AND Id IN ('33') ORDERBY Id "
        "STARTPOSITION 1 MAXRESULTS 1"]


@pytest.mark.parametrize(
    ("account", "role"),
    [
        pytest.param(ACCOUNTS[0], "settlement", id="accounts-payable"),
        pytest.param(ACCOUNTS[1], "settlement", id="bank"),
        pytest.param(ACCOUNTS[2], "write_off", id="bad-debts-expense"),
        pytest.param(ACCOUNTS[3], "write_off", id="allowance-for-bad-debts"),
        pytest.param(qbo_account("91", "Collection losses", "Other Expense", "OtherMiscellaneous"
                                 "Expense", "Expense"), "write_off", id="other-expense"),
        pytest.param(qbo_account("92", "Discounts given", "Income", "DiscountsRefundsGiven",
                                 "Revenue"), "settlement", id="discount-given"),
        pytest.param({"Id": "93", "Classification": "Liability"}, "settlement",
                     id="classification-only"),
        pytest.param({"Id": "94", "AccountType": "Mystery"}, None, id="undocumented"),
    ],
)
def test_what_a_debit_to_an_account_makes_of_the_receivable(
    account: dict[str, Any], role: str | None
) -> None:
    assert account_role(account) == role
