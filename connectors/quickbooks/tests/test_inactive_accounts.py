"""An account made inactive in QuickBooks keeps its postings but changes its name: QuickBooks
appends " (deleted)" to ``Name`` and ``FullyQualifiedName`` and sets ``Active`` false, as a
public QuickBooks Online test fixture of a chart of accounts shows (an inactive expense
account ``{"Name": "Mortgage interest (deleted)", "FullyQualifiedName": "Home office:Mortgage
interest (deleted)", "Active": false}``, found with the code search's exact-string index; only
these three fields are quoted).

A firm that lists its write-off account by name in ``bad_debt_accounts`` ("Write-offs") and
later makes that account inactive (it opened a new one) still has every old write-off posted
to it. Before, the listed name no longer matched "Write-offs (deleted)": each write-off was
read as a settlement, the invoice paid on the journal entry's date, a defaulter a punctual
payer. Now the name is compared with and without QuickBooks' suffix.

Expected values by hand, as in test_expense_debits: invoice 1 of 500.00, issued 1 January
2026, due 31 January, as of 1 July; 300.00 paid 15 February, 200.00 cleared by journal entry
7 the same day. Written off: 200.00 open, 28 + 31 + 30 + 31 + 30 + 1 = 151 days late.
Settled: nothing open, paid 15 February, 15 days late.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from pytest_httpserver import HTTPServer

import clientguard as cg
from clientguard.connector import pull
from clientguard.settlement import settle
from clientguard_quickbooks.journals import is_bad_debt_account

from .conftest import Clock
from .test_expense_debits import CHART, short_payment
from .test_journal_settlements import connector, serve
from .test_write_offs import AS_OF, CUSTOMER, STREAMS, qbo_invoice, qbo_journal

D = Decimal


def inactive(ident: str, name: str, parent: str | None = None) -> dict[str, Any]:
    """An expense account of a generic detail type, made inactive: QuickBooks' renaming."""
    full = f"{parent}:{name}" if parent else name
    return {"Id": ident, "Name": f"{name} (deleted)", "FullyQualifiedName": f"{full} (deleted)",
            "AccountType": "Expense", "AccountSubType": "OtherMiscellaneousServiceCost",
            "Classification": "Expense", "Active": False, "AcctNum": "6960"}


WRITTEN_OFF = ("open", None, D(200), 151, True)
SETTLED = ("settled", date(2026, 2, 15), D(0), 15, True)


@pytest.mark.parametrize(
    ("account", "listed", "expected"),
    [
        pytest.param(inactive("70", "Write-offs"), ["Write-offs"], WRITTEN_OFF,
                     id="listed-by-name"),
        pytest.param(inactive("70", "Write-offs", "Expenses"), ["expenses:write-offs"],
                     WRITTEN_OFF, id="listed-by-full-name"),
        # Listed with the suffix, as the screens show it now: matched as before.
        pytest.param(inactive("70", "Write-offs"), ["Write-offs (deleted)"], WRITTEN_OFF,
                     id="listed-with-the-suffix"),
        # The id and the number never change: matched as before.
        pytest.param(inactive("70", "Write-offs"), ["6960"], WRITTEN_OFF, id="listed-by-number"),
        # Not listed: an inactive expense is a settlement, as an active one is.
        pytest.param(inactive("70", "Write-offs"), [], SETTLED, id="not-listed"),
        # Another account listed: the suffix makes no name match one it is not.
        pytest.param(inactive("70", "Write-offs"), ["Write"], SETTLED, id="other-name-listed"),
    ],
)
def test_a_listed_account_made_inactive_still_writes_off(
    httpserver: HTTPServer, clock: Clock, account: dict[str, Any], listed: list[str],
    expected: tuple[str, date | None, Decimal, int, bool],
) -> None:
    day = "2026-02-15"
    journal = qbo_journal(200, (account["Id"], 200), day=day)
    serve(httpserver, {"Customer": [CUSTOMER], "Invoice": [qbo_invoice(0, "9")],
                       "Payment": [short_payment(300, 200, day)], "JournalEntry": [journal],
                       "Account": [*CHART, account]})
    pulled = pull(connector(httpserver, clock, bad_debt_accounts=listed), streams=STREAMS)
    found = settle(cg.Ledger.build(list(pulled.records), base_currency="USD"), as_of=AS_OF)["1"]
    assert (found.status, found.settled_on, found.open_balance, found.days_late,
            found.late) == expected
    assert found.source_amount_due_mismatch is None


def test_the_suffix_is_only_quickbooks_own() -> None:
    # "(deleted)" inside a name, or a name that is only the suffix, is not stripped into a
    # match: "Deleted" alone lists nothing but an account called so.
    account = inactive("70", "Write-offs")
    assert not is_bad_debt_account({**account, "Name": "(deleted)",
                                    "FullyQualifiedName": "(deleted)"}, ["deleted"])
    assert not is_bad_debt_account({**account, "Name": "Old (deleted) items",
                                    "FullyQualifiedName": "Old (deleted) items"}, ["Old"])
