"""Unapplied money is one rule for the review's advice, the claim and the lateness profiles
(docs/review.md, "Unapplied money"; docs/claims.md, "Unapplied money").

What a client's unapplied money would pay of its open invoices (oldest due first, part of the
next one included) enters the replay as part payments on the money's day, beside the books'
allocations; an invoice it pays in full is settled on the later of that day and the books'
last payment. Until 2026-12-08 the money paid whole invoices only and stopped at the first it
did not reach (25,000 left 5,000 unused), and an invoice it completed was paid on the money's
day even where the books paid the rest later; the claim and the advice then moved to part
payments while the profiles kept the old rule (two figures for one client's lateness).

The books are the reviewer's (2026-12-07): client P has four invoices of 10,000.00 EUR due
1 Sep, 1 Oct, 1 Nov and 1 Dec 2025 (issued 30 days before), reviewed as of 31 Dec 2025 beside
a client that pays on time. EU interest is ``balance x 10.15% x days / 365`` (ECB 2.15% + 8
points for the second half of 2025), each line to the cent, plus EUR 40 per late invoice
(Directive 2011/7/EU art. 3, 6). The financing cost is ``amount x days late x 10% / 365``
(the default cost of capital), summed over the invoices, to the cent.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.claims import claim
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.signals.lateness import judged_profiles
from clientguard.testing import credit_note, customer, invoice, ledger, payment

AS_OF = date(2025, 12, 31)
DUES = ["2025-09-01", "2025-10-01", "2025-11-01", "2025-12-01"]


def _on_time() -> list[AnyRecord]:
    """Twelve invoices of 30,000 of another client, each paid on its due date."""
    records: list[AnyRecord] = []
    for k in range(12):
        bill = invoice("o", id=f"O{k}", issued=date(2025, 1, 1 + k), total="30000.00",
                       terms=14)
        records += [bill, payment("o", id=f"PO{k}", on=bill.due_date, amount="30000.00",
                                  pays=bill)]
    return records


def _books(*money: AnyRecord) -> cg.Ledger:
    bills = [invoice("p", id=f"P{k}", issued=date.fromisoformat(due) - timedelta(days=30),
                     due=due, total="10000.00") for k, due in enumerate(DUES)]
    return ledger(customer("p", "P"), *bills, *money, *_on_time())


# (case, money, the claim's total, P's lateness financing, P's weighted days late)
CASES = [
    # A: 25,000 received 15 Oct pays P0 and P1 in full and 5,000 of P2 (due 1 Nov) that day
    # (art. 451 § 3 KC: the oldest debt due first).
    # Interest: P0 2 Sep-15 Oct 44 days, 10,000 x 0.1015 x 44 / 365 = 122.36; P1 2-15 Oct 14
    # days: 38.93; P2 5,000 still owed 2 Nov-31 Dec, 60 days: 5,000 x 0.1015 x 60 / 365 =
    # 83.42 (not 10,000's 166.85); P3 30 days: 83.42. 122.36 + 38.93 + 83.42 + 83.42 + 4 x 40
    # = 488.13.
    # Financing (amount-days): P0 10,000 x 44, P1 10,000 x 14, P2 the 5,000 paid before its
    # due date 0 and the 5,000 open x 60, P3 10,000 x 30 = 1,180,000 x 0.10 / 365 = 323.29
    # (whole invoices paid on the money's day: P2 10,000 x 60, 405.48).
    # Days late: P0 44, P1 14, P2 open 60, P3 open 30: (44 + 14 + 60 + 30) / 4 = 37.
    ("A: 25,000 on 15 Oct", [payment("p", id="PU", on="2025-10-15", amount="25000.00")],
     "488.13", "323.29", Decimal(37)),
    # B: the books apply 4,000 to P0 on 20 Nov; 6,000 unapplied came 15 Oct. The money pays
    # P0's 6,000 on 15 Oct, the books the 4,000 on 20 Nov: P0 is paid on 20 Nov, 80 days late.
    # Interest: 6,000 x 0.1015 x 44 / 365 = 73.41 and 4,000 x 0.1015 x 80 / 365 = 88.99:
    # 162.40 (not 10,000 x 44 days, 122.36, "paid 15 Oct"); P1 91 days 253.05, P2 60 days
    # 166.85, P3 30 days 83.42: 162.40 + 253.05 + 166.85 + 83.42 + 160 = 825.72.
    # Financing: P0 6,000 x 44 + 4,000 x 80 = 584,000, P1 910,000, P2 600,000, P3 300,000 =
    # 2,394,000 x 0.10 / 365 = 655.89.
    # Days late: P0 80 (paid 20 Nov), P1 91, P2 60, P3 30: 261 / 4 = 65.25 (P0 44 days late
    # "paid 15 Oct" made it 56.25).
    ("B: 6,000 unapplied of 15 Oct, the books' 4,000 of 20 Nov",
     [payment("p", id="PA", on="2025-11-20", amount="4000.00", pays="P0"),
      payment("p", id="PU", on="2025-10-15", amount="6000.00")],
     "825.72", "655.89", Decimal("65.25")),
]


@pytest.mark.parametrize(("money", "total", "financing", "days_late"),
                         [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_the_advice_the_claim_and_the_profile_read_one_rule(
    money: list[AnyRecord], total: str, financing: str, days_late: Decimal
) -> None:
    books = _books(*money)
    # The claim document's total.
    document = claim(books, "p", as_of=AS_OF)
    assert document.totals == {"EUR": Decimal(total)}
    # The review's advice for the client: the same sum, to the cent.
    client = cg.review(books, as_of=AS_OF).clients["p"]
    assert client.claimable - client.claimable_disputed - client.claimable_unapplied \
        == Decimal(total)
    # The profile P's lateness is judged on: the same part payments.
    profile = judged_profiles(books, AS_OF, Policy())["p"]
    assert profile.financing_cost.quantize(Decimal("0.01")) == Decimal(financing)
    assert profile.weighted_days_late == days_late
    # And the review's sentence and its financing without the covered part say that figure.
    assert client.financing_cost - client.financing_covered == Decimal(financing)
    assert f"carrying the lateness cost {Decimal(financing):,.2f} EUR" in client.summary


_DAY = st.integers(0, 330).map(lambda n: date(2025, 1, 15) + timedelta(days=n))
_AMOUNT = st.integers(5, 200).map(lambda n: Decimal(n * 100))


@st.composite
def _random_books(draw: st.DrawFn) -> tuple[cg.Ledger, Decimal, Decimal]:
    """Client P's random book: one to four invoices, some money the books apply to the first
    (maybe after the unapplied money came), and one to three unapplied payments or credit
    notes of random amounts and days; with what P owes in the books and the money."""
    records: list[AnyRecord] = [customer("p", "P")]
    owed = money = Decimal(0)
    for k in range(draw(st.integers(1, 4))):
        due, total = draw(_DAY), draw(_AMOUNT)
        records.append(invoice("p", id=f"P{k}", issued=due - timedelta(days=30), due=due,
                               total=total))
        owed += total
    if draw(st.booleans()):
        records.append(payment("p", id="PA", on=draw(_DAY), amount="300.00", pays="P0"))
        owed -= Decimal(300)
    for k in range(draw(st.integers(1, 3))):
        day, amount = draw(_DAY), draw(_AMOUNT)
        records.append(
            credit_note("p", id=f"CU{k}", issued=day, total=amount) if draw(st.booleans())
            else payment("p", id=f"PU{k}", on=day, amount=amount))
        money += amount
    return ledger(*records, *_on_time()), owed, money


@settings(max_examples=80, deadline=None, suppress_health_check=list(HealthCheck))
@given(made=_random_books())
def test_the_advice_is_the_claims_total_for_random_books(
    made: tuple[cg.Ledger, Decimal, Decimal],
) -> None:
    books, owed, money = made
    # Whatever the money pays (whole invoices, part of one, after or before the books' own
    # payment), the advice for the client and the claim's total are the same figure.
    client = cg.review(books, as_of=AS_OF).clients["p"]
    advised = client.claimable - client.claimable_disputed - client.claimable_unapplied
    document = claim(books, "p", as_of=AS_OF)
    assert document.totals.get("EUR", Decimal(0)) == advised
    # And the money is spent to the last cent the open invoices owe (none of it left beside
    # an invoice it could pay): P's lateness is judged on what it still owes after it.
    profile = judged_profiles(books, AS_OF, Policy()).get("p")
    if profile is not None:
        assert profile.open_balance == max(Decimal(0), owed - money)
    # The review's lateness cost is the profile's, to the cent.
    if profile is not None and client.financing_cost:
        assert client.financing_cost - client.financing_covered == \
            profile.financing_cost.quantize(Decimal("0.01"))
