"""A credit note and a part payment after the due date lower the interest from their own date
and leave the fixed compensation's band where the debt fell due: one worked example a law,
every number computed by hand below (docs/metrics/cost.md, "Balances" and "Fixed
compensation").

Interest is simple interest by the day on the amount outstanding that day: a day of delay
bears interest on the balance outstanding when it began, so the day a credit note or a
payment is dated still bears interest on the balance before it and the next day on the
balance after (Poland: interest "za okres od dnia wymagalności świadczenia pieniężnego do dnia
zapłaty", art. 7 ust. 1 of the act of 8 March 2013; the UK: statutory interest on the debt
outstanding, s.1 and s.4 of the 1998 Act, at one rate per debt). "u" below is principal x rate
(%) x days; the interest is u / 36,500 (a 365-day basis).

The band is read on what was left unpaid when the debt fell due: the invoice less what was
credited and paid by the end of its term (art. 10 ust. 1 of the 2013 act, "wartość
świadczenia pieniężnego"; s.5A(2), "the debt"). Until law2 a part paid before the due date
left the band on the invoice's total: both examples owed the top band (PL EUR 100, UK GBP 100)
where the middle one (EUR 70, GBP 70) is owed.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientguard.claims import claim
from clientguard.metrics.cost import lateness_costs
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
# Due Monday 16 June 2025 (a working day: no art. 115 KC move); the Polish rule date is the
# last business day of May, Friday 30 May, whose NBP EUR rate is here 4.25.
FX = fx_table("PLN", {"EUR": {"2025-05-30": "4.25"}})

# (law, currency, total, documents as (kind, day, amount), the interest's periods as (first
# day, last day, principal, rate %), the interest, the band's debt, the statutory sum, the sum
# owed)
EXAMPLES = [
    pytest.param(
        "pl", "PLN", "52000.00",
        [("payment", "2025-06-10", "4000.00"),    # before the due date: 48,000 fell due
         ("credit", "2025-06-27", "45000.00"),    # after it: 3,000 outstanding from 28 June
         ("payment", "2025-07-15", "1000.00"),    # 2,000 outstanding from 16 July
         ("payment", "2025-07-31", "2000.00")],   # paid in full
        # 17-27 June, 11 days on 48,000 at 15.75% (2025-H1, ref 5.75 + 10): u = 8,316,000
        # 28-30 June, 3 days on 3,000 at 15.75%: u = 141,750
        # 1-15 July, 15 days on 3,000 at 15.25% (2025-H2, ref 5.25 + 10): u = 686,250
        # 16-31 July, 16 days on 2,000 at 15.25%: u = 488,000
        [("2025-06-17", "2025-06-27", "48000.00", "15.75"),
         ("2025-06-28", "2025-06-30", "3000.00", "15.75"),
         ("2025-07-01", "2025-07-15", "3000.00", "15.25"),
         ("2025-07-16", "2025-07-31", "2000.00", "15.25")],
        # 9,632,000 / 36,500 = 263.8904...
        "263.89",
        # 48,000: above PLN 5,000 and below 50,000: EUR 70 x 4.25 = 297.50 PLN (the credit
        # note after the due date does not bring it to 3,000 and EUR 40; the total, 52,000,
        # would be EUR 100 = 425.00 PLN).
        "48000.00", "70", "297.50",
        id="pl",
    ),
    pytest.param(
        "uk", "GBP", "10400.00",
        [("payment", "2025-06-10", "600.00"),     # before the due date: 9,800 fell due
         ("credit", "2025-06-27", "9000.00"),     # after it: 800 outstanding from 28 June
         ("payment", "2025-07-15", "300.00"),     # 500 outstanding from 16 July
         ("payment", "2025-07-31", "500.00")],    # paid in full
        # Interest starts on 17 June 2025, so one rate for the whole debt: the base rate on
        # 31 December 2024 (4.75%) + 8 = 12.75%, July included.
        # 17-27 June, 11 days on 9,800: u = 1,374,450
        # 28 June-15 July, 18 days on 800: u = 183,600
        # 16-31 July, 16 days on 500: u = 102,000
        [("2025-06-17", "2025-06-27", "9800.00", "12.75"),
         ("2025-06-28", "2025-07-15", "800.00", "12.75"),
         ("2025-07-16", "2025-07-31", "500.00", "12.75")],
        # 1,660,050 / 36,500 = 45.4808...
        "45.48",
        # 9,800: from GBP 1,000 to below 10,000: GBP 70 (not 40 on the 800 left after the
        # credit note; the total, 10,400, would be GBP 100).
        "9800.00", "70", "70",
        id="uk",
    ),
]


@pytest.mark.parametrize(
    ("law", "currency", "total", "documents", "periods", "interest", "debt", "statutory",
     "owed"),
    EXAMPLES,
)
def test_documents_after_the_due_date_lower_the_interest_from_their_date_not_the_band(
    law: str, currency: str, total: str, documents: list[tuple[str, str, str]],
    periods: list[tuple[str, str, str, str]], interest: str, debt: str, statutory: str,
    owed: str,
) -> None:
    sent = invoice("acme", issued="2025-05-16", due="2025-06-16", total=total, id="F1",
                   currency=currency)
    records: list[AnyRecord] = [customer("acme"), sent]
    for n, (kind, day, amount) in enumerate(documents):
        if kind == "payment":
            records.append(payment("acme", on=day, amount=amount, pays=[(sent, amount)],
                                   id=f"P{n}", currency=currency))
        else:
            records.append(credit_note("acme", issued=day, total=amount,
                                       applies_to=[(sent, amount)], id=f"K{n}",
                                       currency=currency))
    book = ledger(*records, base_currency=currency, fx=FX if law == "pl" else None)
    policy = Policy(jurisdiction=law)
    as_of = date(2025, 12, 31)
    cost = lateness_costs(book, as_of=as_of, policy=policy)["acme"]
    (item,) = cost.invoices
    assert item.statutory_interest is not None
    assert [(p.start, p.end, p.principal, p.rate_pct)
            for p in item.statutory_interest.periods] == [
        (date.fromisoformat(a), date.fromisoformat(b), D(principal), D(rate))
        for a, b, principal, rate in periods]
    assert item.statutory_interest.rounded(currency) == D(interest)
    assert item.compensation is not None
    assert item.compensation.debt == D(debt)
    assert item.compensation.statutory_amount == D(statutory)
    assert item.compensation.rounded() == D(owed)
    # What the review counts as claimable and the claim asks: the two, to the cent.
    assert cost.claimable == D(interest) + D(owed)
    note = claim(book, "acme", as_of=as_of, policy=policy)
    (line,) = note.invoices
    assert (line.interest, line.compensation) == (D(interest), D(owed))
    assert note.totals == {currency: D(interest) + D(owed)}
