"""A part payment restarts a UK debt's six years: Limitation Act 1980 s.29(5) and (7)
(docs/claims.md, "UK (uk)" and "A debt partly paid").

The law: s.29(5), where a right of action to recover a debt has accrued and the person liable
"makes any payment in respect of it the right shall be treated as having accrued on and not
before the date of the ... payment"; s.29(7), a current period "may be repeatedly extended
... by further ... payments, but a right of action, once barred by this Act, shall not be
revived by any subsequent ... payment". With s.5 (six years from accrual, the day of accrual
not counted), a debt is barred from the day after the sixth anniversary of the last payment
made before it was barred. Not restarted (clientguard's reading): the fixed sum of the 1998
Act's s.5A and each day's statutory interest (a payment of the debt is not one "in respect
of" them); nothing is restarted by a credit note (the creditor's document, not a payment by
the person liable).

The worked example, by hand: GBP 2,000 due Thursday 14 February 2019, GBP 800 paid Saturday
16 March 2019, GBP 1,200 never paid. The debt and the fixed sum (GBP 70, a debt of
1,000-9,999.99) accrued 15 February 2019: without the payment both barred from 16 February
2025. The payment makes the debt accrue anew on 16 March 2019: its last day to sue is 16 March
2025, barred from 17 March 2025. The fixed sum stays barred from 16 February 2025; each day's
interest from the day after its own sixth anniversary (15 February 2019's from 16 February
2025, 16 March 2019's from 17 March 2025).

One statutory rate for the whole debt (the Act fixes it for the debt: the 2019-H1 row,
0.75% + 8 = 8.75%). Interest ``principal x 8.75 x days / 36,500``; a payment lowers the
principal from the day after it. 30 days on 2,000 (15 February - 16 March 2019): 525,000;
then 10,500 a day on 1,200 from 17 March 2019: 2,163 days to 15 February 2025, 2,164 to 16
February 2025, 2,177 to 1 March 2025, 2,192 to 16 March 2025, 2,193 to 17 March 2025.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.claims import claim
from clientguard.ledger import Ledger
from clientguard.metrics.cost import RateTable, last_barred_due_date, lateness_costs
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.testing import credit_note, customer, invoice, ledger, payment

D = Decimal
UK = Policy(jurisdiction="uk")

DEBT = invoice("brit", issued="2019-01-15", due="2019-02-14", total="2000.00",
               currency="GBP", id="U1", number="INV-1")
PART = payment("brit", on="2019-03-16", amount="800.00", currency="GBP", pays=DEBT, id="UP1")


def books(*records: AnyRecord) -> Ledger:
    return ledger(customer("brit", "Brit Ltd"), DEBT, *records, base_currency="GBP")


PART_PAID = books(PART)


@pytest.mark.parametrize(
    ("as_of", "interest", "claimed", "barred", "compensation_barred"),
    [
        # The day before anything is barred: 525,000 + 10,500 x 2,163 = 23,236,500 / 36,500 =
        # 636.6164 -> 636.62, all claimed, with the fixed sum.
        pytest.param(date(2025, 2, 15), "636.62", "636.62", "0.00", False, id="15-feb-2025"),
        # The fixed sum and 15 February 2019's interest are barred (2,000 x 8.75 / 36,500 =
        # 17,500 / 36,500 = 0.4795); the debt is not (barred from 17 March 2025), so neither is
        # the interest on the 1,200 left unpaid. Total 23,247,000 / 36,500 = 636.9041 ->
        # 636.90; claimed (23,247,000 - 17,500) / 36,500 = 636.4247 -> 636.42; barred 0.48.
        # (Before: the debt barred from 16 February 2025, the 1,200's interest with it: 5.56
        # claimed, 631.34 barred.)
        pytest.param(date(2025, 2, 16), "636.90", "636.42", "0.48", True, id="16-feb-2025"),
        # 14 days barred on their own (15 - 28 February 2019): 14 x 17,500 = 245,000. Total
        # 525,000 + 10,500 x 2,177 = 23,383,500 / 36,500 = 640.6438 -> 640.64; claimed
        # 23,138,500 / 36,500 = 633.9315 -> 633.93; barred 6.71.
        pytest.param(date(2025, 3, 1), "640.64", "633.93", "6.71", True, id="1-mar-2025"),
        # The last day to sue for the debt: 29 days barred (15 February - 15 March 2019),
        # 507,500. Total 525,000 + 10,500 x 2,192 = 23,541,000 / 36,500 = 644.9589 -> 644.96;
        # claimed 23,033,500 / 36,500 = 631.0548 -> 631.05; barred 13.91. (Before: 0.19.)
        pytest.param(date(2025, 3, 16), "644.96", "631.05", "13.91", True, id="16-mar-2025"),
        # The debt is barred: the 1,200's interest goes with it, and the 800's 30 days are
        # each barred on their own (the last, 16 March 2019's, from 17 March 2025). Total
        # 23,551,500 / 36,500 = 645.2466 -> 645.25, all barred.
        pytest.param(date(2025, 3, 17), "645.25", "0.00", "645.25", True, id="17-mar-2025"),
    ],
)
def test_worked_example_the_part_payment_keeps_the_debt_and_its_interest(
    as_of: date, interest: str, claimed: str, barred: str, compensation_barred: bool,
) -> None:
    note = claim(PART_PAID, "brit", as_of=as_of, policy=UK)
    (line,) = note.invoices
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D(interest), D(claimed), D(barred))
    assert line.time_barred_from == date(2025, 2, 16)  # the fixed sum, the first day
    assert line.main_claim_time_barred_from == date(2025, 3, 17)  # the debt
    assert line.compensation_time_barred is compensation_barred
    fixed = D("70.00")
    assert note.totals == {"GBP": D(claimed) + (D(0) if compensation_barred else fixed)}
    time_barred = D(barred) + (fixed if compensation_barred else D(0))
    assert note.time_barred_totals == ({"GBP": time_barred} if time_barred else {})


@pytest.mark.parametrize(
    ("records", "debt_barred_from"),
    [
        # The example: accrued anew 16 March 2019, six years to 16 March 2025.
        pytest.param((PART,), date(2025, 3, 17), id="one-payment"),
        # A second payment before the first bar moves it again (s.29(7): repeatedly).
        pytest.param((PART, payment("brit", on="2025-02-10", amount="200.00", currency="GBP",
                                    pays=DEBT, id="UP2")),
                     date(2031, 2, 11), id="second-payment-before-16-feb-2025"),
        # After the debt's first six years but before its restarted bar: still a payment made
        # while the period runs.
        pytest.param((PART, payment("brit", on="2025-03-10", amount="200.00", currency="GBP",
                                    pays=DEBT, id="UP2")),
                     date(2031, 3, 11), id="second-payment-before-17-mar-2025"),
        # On the last day to sue: the period restarts from it.
        pytest.param((payment("brit", on="2025-02-15", amount="800.00", currency="GBP",
                              pays=DEBT, id="UP3"),),
                     date(2031, 2, 16), id="paid-on-the-last-day"),
        # On the first day of the bar: too late, a barred debt is not revived (s.29(7)).
        pytest.param((payment("brit", on="2025-02-16", amount="800.00", currency="GBP",
                              pays=DEBT, id="UP3"),),
                     None, id="paid-on-the-bar"),
        # A payment after the bar does not revive it, nor does a later one count.
        pytest.param((payment("brit", on="2025-02-20", amount="100.00", currency="GBP",
                              pays=DEBT, id="UP3"),
                      payment("brit", on="2025-03-01", amount="100.00", currency="GBP",
                              pays=DEBT, id="UP4")),
                     None, id="paid-after-the-bar"),
        # A credit note is not a payment by the debtor: it moves nothing.
        pytest.param((credit_note("brit", issued="2019-03-16", total="800.00", currency="GBP",
                                  applies_to=DEBT, id="UC1"),),
                     None, id="credit-note"),
        # Paid before the debt fell due: no right of action had accrued to restart.
        pytest.param((payment("brit", on="2019-02-10", amount="800.00", currency="GBP",
                              pays=DEBT, id="UP5"),),
                     None, id="paid-before-due"),
        # The date of the payment is the day the money came, not a later allocation's: paid
        # 10 February 2025, allocated 20 February 2025 (after the first bar).
        pytest.param((payment("brit", on="2025-02-10", amount="800.00", currency="GBP",
                              pays=DEBT, applied_on="2025-02-20", id="UP6"),),
                     date(2031, 2, 11), id="allocated-later"),
    ],
)
def test_the_debt_is_barred_six_years_after_the_last_payment_before_its_bar(
    records: Sequence[AnyRecord], debt_barred_from: date | None,
) -> None:
    # Hand-computed: the day after the sixth anniversary of the last payment made after 14
    # February 2019 and before the bar then running; None: not moved from 16 February 2025.
    note = claim(books(*records), "brit", as_of=date(2025, 4, 1), policy=UK)
    (line,) = note.invoices
    assert line.time_barred_from == date(2025, 2, 16)
    assert line.main_claim_time_barred_from == debt_barred_from
    debt_barred = debt_barred_from is None or debt_barred_from <= date(2025, 4, 1)
    # The note's sentence on a debt left unpaid until it was barred follows the debt's bar.
    page = render_claim(note, "html", lang="en")
    assert ("lost its interest with it" in page) is (debt_barred and not line.interest_claimed)


def test_poland_is_not_moved_by_a_part_payment() -> None:
    # The same debt, paid the same way, under each law, as of 1 January 2026. UK: the debt
    # runs to 16 March 2025 (barred from 17 March 2025). Poland: due (wymagalne) 15 February
    # 2019, three years to 31 December 2022, barred from 1 January 2023 whatever was paid
    # (art. 123 KC interrupts the period only by an acknowledgement, which a payment may or
    # may not be: the ledger cannot tell).
    pl_debt = DEBT.model_copy(update={"currency": "PLN"})
    pl_part = PART.model_copy(update={"currency": "PLN"})
    pl = ledger(customer("brit", "Brit Ltd"), pl_debt, pl_part, base_currency="PLN")
    (pl_line,) = claim(pl, "brit", as_of=date(2026, 1, 1),
                       policy=Policy(jurisdiction="pl")).invoices
    assert (pl_line.time_barred_from, pl_line.main_claim_time_barred_from) == (
        date(2023, 1, 1), None)
    (uk_line,) = claim(PART_PAID, "brit", as_of=date(2026, 1, 1), policy=UK).invoices
    assert (uk_line.time_barred_from, uk_line.main_claim_time_barred_from) == (
        date(2025, 2, 16), date(2025, 3, 17))


@pytest.mark.parametrize("lookback_days", [365, 4000])  # before the review's window; in it
def test_the_review_and_the_lateness_costs_agree_with_the_claim(lookback_days: int) -> None:
    # As of 16 February 2025: claimable (23,247,000 - 17,500) / 36,500 = 23,229,500 / 36,500
    # = 636.424... -> 636.42, barred the rounded interest 23,247,000 / 36,500 = 636.90 less
    # that, 0.48, and the fixed sum, 70: 70.48, each as the claim states it (until 2026-12-07
    # the review kept them unrounded).
    as_of = date(2025, 2, 16)
    policy = UK.model_copy(update={"lookback_days": lookback_days})
    result = review(PART_PAID, as_of=as_of, policy=policy)
    brit = result.clients["brit"]
    assert brit.claimable == D("636.42")
    assert brit.time_barred == D("70.48")
    if lookback_days == 4000:
        costs = lateness_costs(PART_PAID, as_of=as_of, policy=policy)["brit"]
        assert (costs.claimable, costs.time_barred) == (brit.claimable, brit.time_barred)
    note = claim(PART_PAID, "brit", as_of=as_of, policy=policy)
    assert note.totals == {"GBP": D("636.42")}
    assert note.time_barred_totals == {"GBP": D("70.48")}


def test_the_document_names_the_part_payment_rule() -> None:
    note = claim(PART_PAID, "brit", as_of=date(2025, 2, 16), policy=UK)
    page = " ".join(render_claim(note, "html", lang="en").split())
    assert "section 29(5)" in page
    # The interest line of "Time-barred, not claimed" is dated by the first day's own bar,
    # not by the debt's later one.
    assert "16 Feb 2025" in page
    assert "17 Mar 2025" in page  # the debt's bar, in the note on the part payment
    polish = " ".join(render_claim(note, "html", lang="pl").split())
    assert "sekcja 29 ust. 5" in polish


# --- the rule, day by day -----------------------------------------------------------------------


def _anniversary_bar(day: date) -> date:
    """The first day a claim that accrued on ``day`` is barred: the day after its sixth
    anniversary (Limitation Act 1980 s.5), 29 February's anniversary taken on 28 February."""
    try:
        sixth = day.replace(year=day.year + 6)
    except ValueError:
        sixth = date(day.year + 6, 2, 28)
    return sixth + timedelta(days=1)


def _day_by_day(due: date, total: int, paid: Sequence[tuple[date, int]],
                as_of: date) -> tuple[Fraction, Fraction, bool]:
    """The interest, its barred part and whether the fixed sum is barred, walking the days one
    by one with the rule as docs/claims.md writes it: Fractions, no intervals."""
    rate = Fraction(RateTable.packaged("uk").row_for(due + timedelta(days=1))
                    .statutory_rate_pct)
    first = due + timedelta(days=1)
    # The debt's bar: walk the calendar from the day it accrued; each day a payment comes
    # while the debt runs (and something is owed), the right accrues anew that day.
    bar = _anniversary_bar(first)
    owed = total - sum(amount for day, amount in paid if day <= due)
    day = first
    while day < bar and day <= as_of and owed > 0:
        today = [amount for when, amount in paid if when == day]
        if today:
            bar = _anniversary_bar(day)
            owed -= sum(today)
        day += timedelta(days=1)
    settled = next((d for d in sorted({d for d, _ in paid})
                    if sum(a for w, a in paid if w <= d) >= total), None)
    if settled is not None and settled > as_of:
        settled = None

    def principal_on(day: date) -> int:  # the balance as the day began
        return max(0, total - sum(amount for when, amount in paid if when < day))

    left_at_bar = principal_on(bar)
    debt_barred = bar <= as_of and (settled is None or settled >= bar)
    interest = barred = Fraction(0)
    day = first
    while day <= (settled or as_of):
        principal = principal_on(day)
        one = Fraction(principal) * rate / 100 / 365
        own_barred = _anniversary_bar(day) <= as_of
        interest += one
        if not debt_barred:
            barred += one if own_barred else 0
        elif day >= bar:
            barred += one  # outstanding after the bar: left unpaid, with the debt
        else:
            left = min(principal, left_at_bar)
            barred += Fraction(left) * rate / 100 / 365
            if own_barred:
                barred += Fraction(principal - left) * rate / 100 / 365
        day += timedelta(days=1)
    return interest, barred, _anniversary_bar(first) <= as_of


@settings(max_examples=100, deadline=None)
@given(
    due=st.dates(date(2016, 1, 1), date(2021, 12, 31)),
    offsets=st.lists(st.integers(-20, 3000), min_size=1, max_size=3),
    shares=st.lists(st.integers(1, 33), min_size=3, max_size=3),
    settle_last=st.booleans(),
    as_of_after=st.integers(2000, 4600),  # around the six years of the debt and its payments
)
def test_the_barred_interest_is_the_day_by_day_rule_with_up_to_three_payments(
    due: date, offsets: list[int], shares: list[int], settle_last: bool, as_of_after: int,
) -> None:
    total = 10_000
    days = sorted(due + timedelta(days=offset) for offset in offsets)
    amounts = [total * share // 100 for share in shares[:len(days)]]
    if days and settle_last:
        amounts[-1] = total - sum(amounts[:-1])  # the last payment settles the debt
    paid = list(zip(days, amounts, strict=True))
    as_of = min(due + timedelta(days=as_of_after), date(2034, 12, 31))
    paid = [(day, amount) for day, amount in paid if day <= as_of]
    debt = invoice("c", issued=str(due - timedelta(days=30)), due=str(due),
                   total=f"{total}.00", currency="GBP", id="I")
    book = ledger(customer("c"), debt,
                  *(payment("c", on=str(day), amount=f"{amount}.00", currency="GBP", pays=debt,
                            id=f"P{i}") for i, (day, amount) in enumerate(paid)),
                  base_currency="GBP")
    policy = Policy(jurisdiction="uk", lookback_days=6000)
    found = lateness_costs(book, as_of=as_of, policy=policy).get("c")
    if found is None:  # paid in full by the due date: not late
        return
    (item,) = found.invoices
    assert item.statutory_interest is not None
    interest, barred, fixed_barred = _day_by_day(due, total, paid, as_of)
    assert abs(Fraction(item.statutory_interest.amount) - interest) < Fraction(1, 10**15)
    assert abs(Fraction(item.interest_time_barred) - barred) < Fraction(1, 10**15)
    assert item.compensation_time_barred is fixed_barred
    # The review's fast check stays a bound: an invoice due after last_barred_due_date has
    # nothing barred, payments or not (a payment only moves the debt's bar later); one due
    # on it or before has its fixed sum barred.
    through = last_barred_due_date("uk", as_of)
    assert through is not None
    if due > through:
        assert not item.compensation_time_barred
        assert item.interest_time_barred == 0
    else:
        assert item.compensation_time_barred


def test_the_json_of_a_restarted_debt_names_its_bar() -> None:
    # As of 16 February 2025 the fixed sum and the first day's interest are barred, the debt
    # (restarted by the payment of 16 March 2019) is barred from 17 March 2025: a day a 1.1
    # document has no key for, so the claim is written as 1.2 with it (no period split: no
    # 1.3), pl_limitation_years null (docs/claims.md, JSON).
    document = json.loads(render_claim(
        claim(PART_PAID, "brit", as_of=date(2025, 2, 16), policy=UK), "json"))
    assert document["schema_version"] == "1.2"
    assert document["pl_limitation_years"] is None
    (line,) = document["invoices"]
    assert line["main_claim_time_barred_from"] == "2025-03-17"
    assert line["time_barred_from"] == "2025-02-16"
    # Without the payment nothing restarts: the 1.1 document, as before.
    plain = json.loads(render_claim(claim(books(), "brit", as_of=date(2025, 2, 16), policy=UK),
                                    "json"))
    assert plain["schema_version"] == "1.1"
    assert "main_claim_time_barred_from" not in plain["invoices"][0]


def test_a_payment_by_another_customer_restarts_nothing() -> None:
    # s.29(5): "the person liable ... makes any payment"; the 800.00 of 16 March 2019 paid by
    # another customer of the ledger (not of Brit's group) restarts nothing: as of 16 February
    # 2025 the debt is barred with the fixed sum, from 16 February 2025, and with it the
    # interest on the 1,200 left unpaid. The 800's interest (30 days, 800 x 8.75 x 30 / 36,500
    # = 5.7534) stands but for its first day (800 x 8.75 / 36,500 = 0.1918): 29 days, 203,000
    # / 36,500 = 5.5616 -> 5.56 claimed, as before s.29(5) was followed.
    stranger_paid = payment("stranger", on="2019-03-16", amount="800.00", currency="GBP",
                            pays=DEBT, id="SP1")
    book = ledger(customer("brit", "Brit Ltd"), customer("stranger", "Stranger Ltd"), DEBT,
                  stranger_paid, base_currency="GBP")
    (line,) = claim(book, "brit", as_of=date(2025, 2, 16), policy=UK).invoices
    assert line.main_claim_time_barred_from is None  # the debt's bar is the fixed sum's
    assert line.interest_claimed == D("5.56")
    # Brit's own parent paying is a payment by the person liable (its agent): restarted.
    parent_paid = payment("parent", on="2019-03-16", amount="800.00", currency="GBP",
                          pays=DEBT, id="PP1")
    group = ledger(customer("brit", "Brit Ltd", group="parent"),
                   customer("parent", "Parent plc", group="parent"), DEBT, parent_paid,
                   base_currency="GBP")
    (line,) = claim(group, "brit", as_of=date(2025, 2, 16), policy=UK).invoices
    assert line.main_claim_time_barred_from == date(2025, 3, 17)
    assert line.interest_claimed == D("636.42")
