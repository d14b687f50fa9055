"""A journal entry that clears an invoice's remainder to an expense account: which expense is
a bad debt written off, and which is a settlement the firm absorbed.

Small firms clear what a client did not pay to expense accounts that are no bad debt: an
early-payment discount the client took, the bank's charges deducted from a foreign transfer
(a short payment), a remainder of a few cents written off as rounding, a goodwill reduction.
The client paid what the firm accepted. Before, a debit to any ``Expense``, ``Other
Expense`` or ``Cost of Goods Sold`` account was a write-off: the invoice stayed open for that
part, late for ever, and a punctual client looked like a defaulter. Now, as the Xero
connector decides (docs/connectors/xero.md, "bad debts"), only a bad-debt account writes off:
its detail type (``AccountSubType``) is ``BadDebts`` or ``AllowanceForBadDebts`` (Intuit's
values: the .NET SDK's ``AccountSubTypeEnum``; Intuit's "Write off bad debt" guide has the
account made with detail type Bad debts), or its name says bad or doubtful debts (Polish:
"nieściągalne"), or the firm lists it in ``bad_debt_accounts``. Any other expense debit is
settled on the journal entry's ``TxnDate``, with no note.

Each expected value is worked out by hand. Invoice 1: 500.00, issued 1 January 2026, due
31 January; as of 1 July. Days late: settled on or before 31 January, 0; settled 15
February, 15; open on 1 July, 28 + 31 + 30 + 31 + 30 + 1 = 151.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import pull
from clientguard.errors import ConfigError
from clientguard.settlement import settle
from clientguard_quickbooks import QuickBooksConnector
from clientguard_quickbooks.journals import account_role

from .conftest import Clock
from .test_journal_settlements import connector, serve
from .test_write_offs import (
    ACCOUNTS,
    AS_OF,
    CUSTOMER,
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

#: Expense accounts a small firm clears remainders to, typed as QuickBooks types them.
BANK_CHARGES = qbo_account("60", "Bank charges", "Expense", "BankCharges", "Expense")
DISCOUNTS = qbo_account("61", "Discounts allowed", "Expense", "OtherBusinessExpenses",
                        "Expense")
ROUNDING = qbo_account("62", "Rounding differences", "Other Expense",
                       "OtherMiscellaneousExpense", "Expense")
GOODWILL = qbo_account("63", "Customer goodwill", "Expense", "OtherMiscellaneousServiceCost",
                       "Expense")
COST_OF_SALES = qbo_account("64", "Cost of sales", "Cost of Goods Sold",
                            "SuppliesMaterialsCogs", "Expense")
UNCOLLECTIBLE = qbo_account("65", "Collection losses", "Expense", "OtherBusinessExpenses",
                            "Expense")
NAMED_BAD_DEBT = qbo_account("66", "Bad debt expense", "Expense", "OtherBusinessExpenses",
                             "Expense")
POLISH_BAD_DEBT = qbo_account("67", "Należności nieściągalne", "Other Expense",
                              "OtherMiscellaneousExpense", "Expense")
DOUBTFUL = qbo_account("68", "Provision for doubtful debts", "Other Current Asset",
                       "OtherCurrentAssets", "Asset")
RECOVERED = qbo_account("69", "Bad debts recovered", "Other Income", "OtherMiscellaneousIncome",
                        "Revenue")
CHART = [*ACCOUNTS, BANK_CHARGES, DISCOUNTS, ROUNDING, GOODWILL, COST_OF_SALES, UNCOLLECTIBLE,
         NAMED_BAD_DEBT, POLISH_BAD_DEBT, DOUBTFUL, RECOVERED]


def short_payment(cash: int, cleared: int, day: str) -> dict[str, Any]:
    """Payment 9 of ``day``: ``cash`` received for invoice 1 (500), and ``cleared`` of it
    cleared by journal entry 7."""
    return qbo_payment(cash, line(500, "Invoice", "1"), line(cleared, "JournalEntry", "7"),
                       TxnDate=day)


SETTLED_ON_TIME = ("settled", date(2026, 1, 30), D(0), 0, False)


@pytest.mark.parametrize(
    ("cash", "account", "day", "options", "expected"),
    [
        # 10.00 early-payment discount: 490.00 paid 20 January, the 10.00 cleared that day.
        pytest.param(490, DISCOUNTS, "2026-01-20", {},
                     ("settled", date(2026, 1, 20), D(0), 0, False), id="discount-expense"),
        # 15.00 of bank charges deducted from a foreign transfer received 30 January.
        pytest.param(485, BANK_CHARGES, "2026-01-30", {}, SETTLED_ON_TIME,
                     id="bank-charges"),
        # 3.00 left, written off as rounding on the day the 497.00 came in.
        pytest.param(497, ROUNDING, "2026-01-30", {}, SETTLED_ON_TIME, id="rounding"),
        # 100.00 goodwill reduction agreed; 400.00 paid 15 February: 15 days late.
        pytest.param(400, GOODWILL, "2026-02-15", {},
                     ("settled", date(2026, 2, 15), D(0), 15, True), id="goodwill"),
        pytest.param(485, COST_OF_SALES, "2026-01-30", {}, SETTLED_ON_TIME,
                     id="cost-of-goods-sold"),
        # An income account of recoveries is no write-off.
        pytest.param(485, RECOVERED, "2026-01-30", {}, SETTLED_ON_TIME, id="bad-debts-recovered"),
        # Bad debts: 300.00 paid 15 February, 200.00 written off: 200.00 open, 151 days late.
        pytest.param(300, ACCOUNTS[2], "2026-02-15", {}, ("open", None, D(200), 151, True),
                     id="bad-debts-expense"),
        pytest.param(300, ACCOUNTS[3], "2026-02-15", {}, ("open", None, D(200), 151, True),
                     id="allowance-for-bad-debts"),
        # A generic detail type, but the name says it.
        pytest.param(300, NAMED_BAD_DEBT, "2026-02-15", {}, ("open", None, D(200), 151, True),
                     id="named-bad-debt-expense"),
        pytest.param(300, POLISH_BAD_DEBT, "2026-02-15", {}, ("open", None, D(200), 151, True),
                     id="named-in-polish"),
        pytest.param(300, DOUBTFUL, "2026-02-15", {}, ("open", None, D(200), 151, True),
                     id="provision-for-doubtful-debts"),
        # Named otherwise: settled, unless the firm lists it (by id, name or number).
        pytest.param(300, UNCOLLECTIBLE, "2026-02-15", {},
                     ("settled", date(2026, 2, 15), D(0), 15, True), id="unlisted-losses"),
        pytest.param(300, UNCOLLECTIBLE, "2026-02-15", {"bad_debt_accounts": ["65"]},
                     ("open", None, D(200), 151, True), id="listed-by-id"),
        pytest.param(300, UNCOLLECTIBLE, "2026-02-15",
                     {"bad_debt_accounts": [" collection LOSSES "]},
                     ("open", None, D(200), 151, True), id="listed-by-name"),
        pytest.param(300, {**UNCOLLECTIBLE, "AcctNum": "6950"}, "2026-02-15",
                     {"bad_debt_accounts": ["6950"]}, ("open", None, D(200), 151, True),
                     id="listed-by-account-number"),
        # Listing one account leaves the others as they were.
        pytest.param(485, BANK_CHARGES, "2026-01-30", {"bad_debt_accounts": ["65"]},
                     SETTLED_ON_TIME, id="another-account-listed"),
    ],
)
def test_an_expense_debit_writes_off_only_when_the_account_is_a_bad_debt_account(
    httpserver: HTTPServer, clock: Clock, cash: int, account: dict[str, Any], day: str,
    options: dict[str, Any], expected: tuple[str, date | None, Decimal, int, bool],
) -> None:
    cleared = 500 - cash
    journal = qbo_journal(cleared, (account["Id"], cleared), day=day)
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [short_payment(cash, cleared, day)], "JournalEntry": [journal],
                       "Account": [*CHART, account]})
    pulled = pull(connector(httpserver, clock, **options), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    assert (found.status, found.settled_on, found.open_balance, found.days_late,
            found.late) == expected
    assert found.source_amount_due_mismatch is None  # the amount due agrees with the replay
    # Told from the account: no note either way.
    assert [n for n in pulled.notes if "invoice 1" in n] == []


def test_a_listed_account_writes_off_even_when_quickbooks_refuses_to_show_it(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # The journal entry names account 65; the app may not read accounts (403). The firm listed
    # 65: 200.00 written off, open, 151 days late, and no note. Not listed: the default
    # (settled on the journal entry's date, 15 February, with a note).
    journal = qbo_journal(200, ("65", 200), day="2026-02-15")
    entities = {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                "Payment": [short_payment(300, 200, "2026-02-15")], "JournalEntry": [journal],
                "Account": CHART}
    serve(httpserver, entities, frozenset({"Account"}))
    pulled = pull(connector(httpserver, clock, bad_debt_accounts=["65"]), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    assert (found.status, found.open_balance, found.days_late) == ("open", D(200), 151)
    assert [n for n in pulled.notes if "invoice 1" in n] == []

    serve(httpserver, entities, frozenset({"Account"}))
    pulled = pull(connector(httpserver, clock), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    assert (found.status, found.settled_on) == ("settled", date(2026, 2, 15))
    (note,) = [n for n in pulled.notes if "invoice 1" in n]
    assert "bad_debt_accounts" in note  # says how to make it a write-off


def test_one_journal_entry_of_bank_charges_and_a_bad_debt_settles_first_then_writes_off(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # 0 received; journal entry 7 of 15 February clears 500.00: 20.00 bank charges and 480.00
    # bad debts. Settlement first: 20.00 settled 15 February, 480.00 open, 151 days late.
    journal = qbo_journal(500, ("60", 20), ("80", 480), day="2026-02-15")
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [short_payment(0, 500, "2026-02-15")],
                       "JournalEntry": [journal], "Account": CHART})
    pulled = pull(connector(httpserver, clock), streams=STREAMS)
    ledger = cg.Ledger.build(list(pulled.records), base_currency="USD")
    assert [(p.id, p.amount, p.date) for p in ledger.payments] == [
        ("1/journal/7/9", D(20), date(2026, 2, 15))]
    found = settle(ledger, as_of=AS_OF)["1"]
    assert (found.status, found.open_balance, found.days_late) == ("open", D(480), 151)


@pytest.mark.parametrize(
    ("account", "listed", "role"),
    [
        pytest.param(BANK_CHARGES, (), "settlement", id="bank-charges"),
        pytest.param(DISCOUNTS, (), "settlement", id="discount"),
        pytest.param(ROUNDING, (), "settlement", id="rounding-other-expense"),
        pytest.param(COST_OF_SALES, (), "settlement", id="cost-of-goods-sold"),
        pytest.param({"Id": "95", "Classification": "Expense"}, (), "settlement",
                     id="expense-classification-only"),
        pytest.param(ACCOUNTS[2], (), "write_off", id="bad-debts-subtype"),
        pytest.param(ACCOUNTS[3], (), "write_off", id="allowance-subtype"),
        pytest.param(NAMED_BAD_DEBT, (), "write_off", id="named-bad-debt"),
        pytest.param({**NAMED_BAD_DEBT, "Name": "Doubtful debts"}, (), "write_off",
                     id="named-doubtful-debts"),
        pytest.param(POLISH_BAD_DEBT, (), "write_off", id="named-nieściągalne"),
        pytest.param({**POLISH_BAD_DEBT, "Name": "Naleznosci niesciagalne"}, (), "write_off",
                     id="named-niesciagalne-without-diacritics"),
        pytest.param(DOUBTFUL, (), "write_off", id="provision-for-doubtful-debts"),
        pytest.param(RECOVERED, (), "settlement", id="recoveries-are-income"),
        pytest.param({**RECOVERED, "AccountType": "Expense", "Classification": "Expense"}, (),
                     "settlement", id="recoveries-whatever-the-type"),
        # A liability named so is no write-off (the name rule asks an expense or an asset).
        pytest.param(qbo_account("70", "Bad debts payable", "Other Current Liability",
                                 "OtherCurrentLiabilities", "Liability"), (), "settlement",
                     id="liability-named-bad-debts"),
        pytest.param(UNCOLLECTIBLE, (), "settlement", id="unlisted"),
        pytest.param(UNCOLLECTIBLE, ("65",), "write_off", id="listed-id"),
        pytest.param(UNCOLLECTIBLE, ("COLLECTION LOSSES",), "write_off", id="listed-name"),
        pytest.param({**UNCOLLECTIBLE, "FullyQualifiedName": "Losses:Collection losses"},
                     ("losses:collection losses",), "write_off", id="listed-full-name"),
        # The US name of the expense says it (clientguard.connector.says_bad_debt).
        pytest.param({**UNCOLLECTIBLE, "Name": "Uncollectible accounts expense"}, (),
                     "write_off", id="named-uncollectible"),
        pytest.param({"Id": "94", "AccountType": "Mystery"}, (), None, id="undocumented"),
        # Fields that are not text say nothing (before: TypeError, the stream failed).
        pytest.param({"Id": "96", "AccountType": ["Expense"], "AccountSubType": {"x": 1},
                      "Classification": ["Expense"], "Name": 5}, (), None, id="not-text"),
        pytest.param({"Id": "94", "AccountType": "Mystery"}, ("94",), "write_off",
                     id="undocumented-but-listed"),
    ],
)
def test_what_a_debit_to_an_account_makes_of_the_receivable(
    account: dict[str, Any], listed: tuple[str, ...], role: str | None
) -> None:
    assert account_role(account, listed) == role


_EXPENSE_SUBTYPES = ["BankCharges", "OtherBusinessExpenses", "OtherMiscellaneousExpense",
                     "OtherMiscellaneousServiceCost", "CommissionsAndFees", "ExchangeGainOrLoss",
                     "LegalProfessionalFees", "SuppliesMaterialsCogs", "FinanceCosts"]


@given(kind=st.sampled_from(["Expense", "Other Expense", "Cost of Goods Sold"]),
       subtype=st.sampled_from(_EXPENSE_SUBTYPES),
       name=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=30))
def test_an_expense_is_a_write_off_only_when_named_or_listed_so(
    kind: str, subtype: str, name: str
) -> None:
    account = qbo_account("77", name, kind, subtype, "Expense")
    named = "debt" in name or "niesciagaln" in name
    if not named:
        assert account_role(account) == "settlement"
    # Listing it always makes it a write-off, by id or by name.
    assert account_role(account, ("77",)) == "write_off"
    if name.strip():
        assert account_role(account, (name.upper(),)) == "write_off"


def test_bad_debt_accounts_must_be_a_list() -> None:
    with pytest.raises(ConfigError, match=r"bad_debt_accounts: .*a list of accounts .*\['65'\]"):
        QuickBooksConnector(realm_id=REALM, access_token="t", bad_debt_accounts="65")


def test_accounts_are_asked_by_digits_only_whatever_is_listed(
    httpserver: HTTPServer, clock: Clock
) -> None:
    # A listed name never reaches a statement.
    journal = qbo_journal(15, ("60", 15), day="2026-01-30")
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [short_payment(485, 15, "2026-01-30")],
                       "JournalEntry": [journal], "Account": CHART})
    pull(connector(httpserver, clock, bad_debt_accounts=["x') OR ('1"]), streams=STREAMS)
    assert all("OR (" not in q for q in queries(httpserver))
