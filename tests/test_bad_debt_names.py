"""The names of the accounts a firm writes bad debts off to, as Xero's and QuickBooks'
connectors both read them (``clientguard.connector.says_bad_debt``): one rule, so that the
same chart of accounts reads the same from either tool."""

from __future__ import annotations

import pytest

from clientguard.connector import says_bad_debt


@pytest.mark.parametrize(("name", "says"), [
    ("Bad Debts", True),                           # Xero's default chart
    ("Bad debt expense", True),
    ("Provision for doubtful debts", True),        # the allowance method
    ("Uncollectible accounts expense", True),      # the US name
    ("Należności nieściągalne", True),             # Polish, with diacritics
    ("NALEZNOSCI NIESCIAGALNE", True),             # and without, in capitals
    ("Należności wątpliwe", True),                 # doubtful receivables: still unpaid
    ("Allowance for doubtful accounts", True),     # the US GAAP allowance
    ("Bad-debt expense", True),                    # hyphenated
    ("Uncollectable accounts", True),              # the other spelling
    ("Odpisy aktualizujące należności", True),     # the Polish allowance
    ("Doubtful debtors", True),
    ("Allowance for doubtful accounts recovered", False),
    ("Bad debts recovered", False),                # income: money that came back
    ("Odzyskane należności nieściągalne", False),  # the same, in Polish
    ("Bank charges", False),                       # a short payment the firm absorbed
    ("Discounts allowed", False),                  # an early-payment discount
    ("Debtors", False),
    ("Badge printing", False),                     # "bad" only as a word
])
def test_an_accounts_name_says_bad_debts_or_not(name: str, says: bool) -> None:
    assert says_bad_debt(name) is says
