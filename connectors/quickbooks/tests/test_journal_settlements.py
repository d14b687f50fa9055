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
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

import clientguard as cg
from clientguard.connector import Skip, pull
from clientguard.settlement import settle
from clientguard.store import Store
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.journals import JournalSides, account_role, read_credits
from clientguard_quickbooks.mapping import (
    SETTLEMENTS_KEY,
    WRITE_OFFS_KEY,
    credit_applications,
    invoice_records,
    journal_credits,
    payment_from_qbo,
)

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
    # One lookup: with a page of 1 it asks its page 1 ([33]), then its page 2 from the place
    # of account 33, two records ([33] alone: the end); a second lookup would repeat both.
    lookup = "SELECT * FROM Account WHERE Active IN (true, false) AND Id IN ('33') ORDERBY Id "
    assert [q for q in queries(httpserver) if "FROM Account" in q] == [
        f"{lookup}STARTPOSITION 1 MAXRESULTS {size}" for size in (1, 2)]


@pytest.mark.parametrize(
    ("account", "role"),
    [
        pytest.param(ACCOUNTS[0], "settlement", id="accounts-payable"),
        pytest.param(ACCOUNTS[1], "settlement", id="bank"),
        pytest.param(ACCOUNTS[2], "write_off", id="bad-debts-expense"),
        pytest.param(ACCOUNTS[3], "write_off", id="allowance-for-bad-debts"),
        # An expense that is no bad-debt account (neither its detail type nor its name says
        # so, and not listed in bad_debt_accounts): the firm absorbed it, the invoice is
        # settled (test_expense_debits.py).
        pytest.param(qbo_account("91", "Collection losses", "Other Expense", "OtherMiscellaneous"
                                 "Expense", "Expense"), "settlement", id="other-expense"),
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


# ------------------------------------------- one invoice, two lines of one journal entry

# Journal entry 7 (10 March) credits A/R in two lines, 300 and 200; payment 9 (0, 1 June)
# links it, a line for each, to invoices 1 and 2 of 250 each. In line order invoice 1 takes
# 250 of the 300 line; invoice 2 takes the 50 left of it and 200 of the 200 line. Before,
# invoice 2 got two credits, so two settlement payments "2/journal/7/9" (50 and 200): the
# ledger kept the first and refused the second as a duplicate id, and invoice 2 read paid
# with 50 of its 250 applied. Now the credits of one invoice on one journal entry in one
# payment are added up: 250 each.
TWO_LINES = qbo_payment(0, line(250, "Invoice", "1"), line(250, "Invoice", "2"),
                        line(300, "JournalEntry", "7"), line(200, "JournalEntry", "7"))


def two_line_journal(*debits: tuple[str, int]) -> dict[str, Any]:
    """Journal entry 7 of 10 March: A/R (84) credited 300 and 200 for customer 5, against
    ``debits``."""
    raw = journal(*debits)
    credit = raw["Line"][-1]
    raw["Line"] = [*raw["Line"][:-1], {**credit, "Amount": D(300)}, {**credit, "Amount": D(200)}]
    return raw


@pytest.mark.parametrize(
    ("debits", "payments", "expected"),
    [
        # All netted against A/P: 250 + 250 settled on 10 March (38 days late each).
        pytest.param([("33", 500)], [("1/journal/7/9", D(250)), ("2/journal/7/9", D(250))],
                     {"1": ("settled", date(2026, 3, 10), D(0), 38),
                      "2": ("settled", date(2026, 3, 10), D(0), 38)}, id="netted"),
        # All to bad debts: both open for 250, 151 days late; no payment made.
        pytest.param([("80", 500)], [],
                     {"1": ("open", None, D(250), 151), "2": ("open", None, D(250), 151)},
                     id="written-off"),
        # 400 netted, 100 written off; settlement first, in credit order: invoice 1 is
        # settled 250 (150 of the netting left); invoice 2's 250 is settled 150 and written
        # off 100. Before: settled 50, then 100 under the same id (refused), written off 100.
        pytest.param([("33", 400), ("80", 100)],
                     [("1/journal/7/9", D(250)), ("2/journal/7/9", D(150))],
                     {"1": ("settled", date(2026, 3, 10), D(0), 38),
                      "2": ("open", None, D(100), 151)}, id="netted-and-written-off"),
    ],
)
def test_one_invoice_on_two_lines_of_one_journal_entry_is_one_payment(
    httpserver: HTTPServer, clock: Clock, debits: list[tuple[str, int]],
    payments: list[tuple[str, Decimal]], expected: dict[str, tuple[str, date | None, Decimal, int]],
) -> None:
    invoices = [qbo_invoice(0, "9", total=250), qbo_invoice(0, "9", ident="2", total=250)]
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": invoices, "Payment": [TWO_LINES],
                       "JournalEntry": [two_line_journal(*debits)], "Account": ACCOUNTS})
    pulled = pull(connector(httpserver, clock), streams=STREAMS)
    ledger = cg.Ledger.build(list(pulled.records), base_currency="USD")  # strict: no duplicate
    made = [(p.id, p.amount) for p in ledger.payments if "/journal/" in p.id]
    assert sorted(made) == payments
    assert all(p.date == date(2026, 3, 10) for p in ledger.payments if "/journal/" in p.id)
    found = settle(ledger, as_of=AS_OF)
    assert {i: (f.status, f.settled_on, f.open_balance, f.days_late)
            for i, f in found.items()} == expected
    assert all(f.source_amount_due_mismatch is None for f in found.values())


def test_the_reviewers_case_one_invoice_two_lines_is_one_payment_of_all_of_it() -> None:
    # Invoice 55 of 500 (due 31 Jan 2025), payment 90 (0, 10 March 2025): 300 and 200 from two
    # lines of journal entry 7, which nets all 500 (settled 500). Before: payments 300 and 200
    # both "55/journal/7/90"; the ledger kept the 300.
    payment = {"Id": "90", "TxnDate": "2025-03-10", "TotalAmt": 0, "CustomerRef": {"value": "1"},
               "Line": [line(500, "Invoice", "55"), line(300, "JournalEntry", "7"),
                        line(200, "JournalEntry", "7")]}
    sides = {"7": JournalSides("7", date(2025, 3, 10), D(0), D(500), D(0))}
    reading = read_credits(journal_credits(payment), sides)
    assert (reading.write_offs, reading.notes) == ((), ())
    invoice = {"Id": "55", "CustomerRef": {"value": "1"}, "TxnDate": "2025-01-01",
               "DueDate": "2025-01-31", "TotalAmt": 500, "Balance": 0,
               "CurrencyRef": {"value": "USD"},
               SETTLEMENTS_KEY: [s.to_raw() for s in reading.settlements]}
    records = invoice_records(invoice)
    assert isinstance(records, list)
    made = [r for r in records if isinstance(r, cg.Payment)]
    assert [(p.id, p.amount, p.date) for p in made] == [
        ("55/journal/7/90", D(500), date(2025, 3, 10))]
    ledger = cg.Ledger.build([cg.Customer(id="1", name="Acme", source="quickbooks"), *records],
                             base_currency="USD")
    assert [(p.id, p.amount) for p in ledger.payments] == [("55/journal/7/90", D(500))]


def test_settlements_attached_under_one_id_make_one_payment() -> None:
    # Two attached under journal 7 / payment 9 (as a journal entry 7 and a credit card credit
    # 7 linked in one payment would be): one payment of 300 + 200, on the earlier date.
    raw = {**qbo_invoice(0, "9"), SETTLEMENTS_KEY: [
        {"amount": "300", "date": "2026-06-01", "payment_id": "9", "journal_id": "7"},
        {"amount": "200", "date": "2026-03-10", "payment_id": "9", "journal_id": "7"}]}
    records = invoice_records(raw)
    assert isinstance(records, list)
    assert [(p.id, p.amount, p.date) for p in records if isinstance(p, cg.Payment)] == [
        ("1/journal/7/9", D(500), date(2026, 3, 10))]


_KINDS = ["Invoice", "CreditMemo", "JournalEntry", "CreditCardCredit", "Check"]
_PAY_LINES = st.lists(
    st.tuples(st.sampled_from(_KINDS), st.sampled_from(["1", "2", "7", "8"]),
              st.integers(0, 600)),
    max_size=8,
)
_SIDES = st.one_of(
    st.just("QuickBooks did not return the journal entry"),
    st.builds(lambda w, s, u: JournalSides("7", date(2026, 3, 10), D(w), D(s), D(u)),
              st.integers(0, 600), st.integers(0, 600), st.integers(0, 600)),
)


@given(lines=_PAY_LINES, total=st.integers(0, 1000), unapplied=st.integers(0, 1000),
       seven=_SIDES, eight=_SIDES)
def test_made_payments_are_unique_and_never_settle_beyond_the_invoice_lines(
    lines: list[tuple[str, str, int]], total: int, unapplied: int,
    seven: JournalSides | str, eight: JournalSides | str,
) -> None:
    raw = qbo_payment(total, *(line(a, kind, i) for kind, i, a in lines),
                      unapplied=min(unapplied, total))
    sides = {"7": seven, "8": eight if isinstance(eight, str) else
             JournalSides("8", date(2026, 3, 11), eight.written_off, eight.settled,
                          eight.unclassified)}
    reading = read_credits(journal_credits(raw), sides)
    mapped = payment_from_qbo(raw)
    cash = {} if isinstance(mapped, Skip) else {a.invoice_id: a.amount for a in mapped.allocations}
    for invoice_id in {i for kind, i, _ in lines if kind == "Invoice"}:
        billed = sum(a for kind, i, a in lines if kind == "Invoice" and i == invoice_id)
        settled = [s for s in reading.settlements if s.invoice_id == invoice_id]
        written = [w for w in reading.write_offs if w.invoice_id == invoice_id]
        memos = sum(c.amount for c in credit_applications(raw) if c.invoice_id == invoice_id)
        assert (sum(s.amount for s in settled) + sum(w.amount for w in written)
                + cash.get(invoice_id, 0) + memos) <= billed
        invoice = {**qbo_invoice(0, "9", ident=invoice_id, total=billed),
                   SETTLEMENTS_KEY: [s.to_raw() for s in settled],
                   WRITE_OFFS_KEY: [w.to_raw() for w in written]}
        records = invoice_records(invoice)
        made = [r for r in (records if isinstance(records, list) else [records])
                if isinstance(r, cg.Payment)]
        assert len({p.id for p in made}) == len(made)
        assert sum(p.amount for p in made) == sum(s.amount for s in settled)


# ------------------------------------------- one journal entry, invoices on two pages

# Journal entry 7 (10 March) credits A/R 500 and debits A/P 250 + Bad debts 250; payment 9
# (0, 1 June) links it to invoices 1 and 2 of 250 each. Settlement first, in the order of the
# payment's invoice lines: the first line's invoice takes the 250 netted (settled 10 March, 28
# + 10 = 38 days late), the second's the 250 written off (open, 250.00 owed, 151 days late on
# 1 July). Before, each page of invoices drew on the journal entry's full amounts again: with a
# page of 1, both invoices were settled (500 settled by a journal that nets 250).
SETTLED = ("settled", date(2026, 3, 10), D(0), 38)
WRITTEN_OFF = ("open", None, D(250), 151)


def split_journal() -> dict[str, Any]:
    return journal(("33", 250), ("80", 250))


def two_invoices(first: str = "1", second: str = "2") -> dict[str, Any]:
    """Payment 9 of 0: invoice ``first``'s line, then ``second``'s, then journal entry 7."""
    return qbo_payment(0, line(250, "Invoice", first), line(250, "Invoice", second),
                       line(500, "JournalEntry", "7"))


def invoice_of_250(ident: str) -> dict[str, Any]:
    return qbo_invoice(0, "9", ident=ident, total=250)


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        pytest.param(two_invoices("1", "2"), {"1": SETTLED, "2": WRITTEN_OFF},
                     id="invoice-1-first-in-the-payment"),
        # The payment's line order decides, not the invoices' (pages are ordered by Id).
        pytest.param(two_invoices("2", "1"), {"1": WRITTEN_OFF, "2": SETTLED},
                     id="invoice-2-first-in-the-payment"),
    ],
)
def test_a_journal_entry_split_across_pages_settles_no_more_than_its_settled_side(
    httpserver: HTTPServer, clock: Clock, page_size: int, payment: dict[str, Any],
    expected: dict[str, tuple[str, date | None, Decimal, int]],
) -> None:
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [invoice_of_250("1"),
                                                           invoice_of_250("2")],
                       "Payment": [payment], "JournalEntry": [split_journal()],
                       "Account": ACCOUNTS})
    pulled = pull(connector(httpserver, clock, page_size=page_size), streams=STREAMS)
    ledger = cg.Ledger.build(list(pulled.records), base_currency="USD")
    settled = next(i for i, e in expected.items() if e == SETTLED)
    assert [(p.id, p.amount, p.date) for p in ledger.payments if "/journal/" in p.id] == [
        (f"{settled}/journal/7/9", D(250), date(2026, 3, 10))]
    found = settle(ledger, as_of=AS_OF)
    assert {i: (f.status, f.settled_on, f.open_balance, f.days_late)
            for i, f in found.items()} == expected
    assert all(f.source_amount_due_mismatch is None for f in found.values())
    assert not [n for n in pulled.notes if "settled by" in n]
    # Payment 9 and journal entry 7 are read once a sync, whatever the pages. (With a page
    # of 1, each read asks STARTPOSITION 1 twice: its page 1, then its page 2 from the place
    # of the one record read; a second read would ask it four times.)
    firsts = [q for q in queries(httpserver) if "STARTPOSITION 1 " in q]
    asked = 2 if page_size == 1 else 1
    assert [q.split(" FROM ")[1].split()[0] for q in firsts if "Id IN" in q] == [
        entity for entity in ("Payment", "JournalEntry", "Account") for _ in range(asked)]


@pytest.mark.parametrize("page_size", [1, 100])
@pytest.mark.parametrize(
    ("payment", "expected"),
    [
        pytest.param(two_invoices("1", "2"), {"1": SETTLED, "2": WRITTEN_OFF},
                     id="invoice-1-first-in-the-payment"),
        pytest.param(two_invoices("2", "1"), {"1": WRITTEN_OFF, "2": SETTLED},
                     id="invoice-2-first-in-the-payment"),
    ],
)
def test_an_incremental_sync_of_one_of_the_invoices_reads_it_as_the_full_sync_did(
    httpserver: HTTPServer, clock: Clock, tmp_path: Path, page_size: int,
    payment: dict[str, Any], expected: dict[str, tuple[str, date | None, Decimal, int]],
) -> None:
    with Store.open(tmp_path / "qbo.db") as store:
        serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [invoice_of_250("1"),
                                                               invoice_of_250("2")],
                           "Payment": [payment], "JournalEntry": [split_journal()],
                           "Account": ACCOUNTS})
        store.sync(connector(httpserver, clock, change_data_capture=False, page_size=page_size))
        found = settle(store.load(base_currency="USD"), as_of=AS_OF)
        assert {i: (f.status, f.settled_on, f.open_balance, f.days_late)
                for i, f in found.items()} == expected
        for ident in ("1", "2"):
            # One invoice changed since (its memo edited): the next sync reads it alone.
            # Payment 9 is read whole: the invoice whose line comes first takes the netting,
            # whether the sync reads it or not.
            changed = {**invoice_of_250(ident), "PrivateNote": "edited",
                       "MetaData": {"CreateTime": "2026-01-01T09:00:00-08:00",
                                    "LastUpdatedTime": "2026-06-10T10:00:00-07:00"}}
            serve(httpserver, {"Invoice": [changed], "Payment": [payment],
                               "JournalEntry": [split_journal()], "Account": ACCOUNTS})
            store.sync(connector(httpserver, clock, change_data_capture=False,
                                 page_size=page_size))
            assert any("MetaData.LastUpdatedTime >=" in q for q in queries(httpserver)
                       if "FROM Invoice" in q)
            found = settle(store.load(base_currency="USD"), as_of=AS_OF)
            assert {i: (f.status, f.settled_on, f.open_balance, f.days_late)
                    for i, f in found.items()} == expected


@pytest.mark.parametrize("page_size", [1, 100])
def test_what_one_payment_leaves_of_a_journal_entry_is_left_for_the_next_in_the_sync(
    httpserver: HTTPServer, clock: Clock, page_size: int
) -> None:
    # Journal entry 7 (A/P 250, Bad debts 250) linked in two payments: 9 to invoice 1, 10 to
    # invoice 2. Payment 9, read first (invoice 1's page), takes the 250 netted; payment 10
    # the 250 written off.
    payments = [qbo_payment(0, line(250, "Invoice", "1"), line(250, "JournalEntry", "7")),
                qbo_payment(0, line(250, "Invoice", "2"), line(250, "JournalEntry", "7"),
                            ident="10")]
    serve(httpserver, {"Customer": [CUSTOMER],
                       "Invoice": [invoice_of_250("1"), qbo_invoice(0, "10", ident="2",
                                                                    total=250)],
                       "Payment": payments, "JournalEntry": [split_journal()],
                       "Account": ACCOUNTS})
    pulled = pull(connector(httpserver, clock, page_size=page_size), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)
    assert {i: (f.status, f.settled_on, f.open_balance, f.days_late)
            for i, f in found.items()} == {"1": SETTLED, "2": WRITTEN_OFF}
