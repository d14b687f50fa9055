"""Interest on a debt partly paid before its main claim was time-barred, the rest left unpaid:
the interest is split by principal (docs/claims.md, "A debt partly paid").

The rule (SN, 7 judges, III CZP 42/04: interest for delay is barred at the latest with the main
claim, but interest on a debt paid before that is a claim of its own, each day's for three years
to a year's end): for each day of delay before the main claim's bar, the part of that day's
principal still unpaid when the bar came (at most the balance outstanding as the bar's first
day began) goes with the main claim; the rest of it, paid before the bar, bears interest that
is barred day by day, as a debt paid in full would. Every day from the bar on goes with the
main claim.

The worked example, by hand: PLN 10,000 due Wednesday 15 December 2021 (due, *wymagalne*, 16
December 2021), PLN 4,000 paid 14 January 2022, PLN 6,000 never paid. Three years: the debt,
the compensation (EUR 70 x 4.6000 = PLN 322.00) and the days of 2021 barred from 1 January
2025, the days of 2022 from 1 January 2026. Two years: the debt from 1 January 2024.

Rates of the packaged table: 2021-H2 10.10%, 2022-H1 11.75%, 2022-H2 16.00%, 2023 16.75%, 2024
15.75%, 2025-H1 15.75%, 2025-H2 15.25%, 2026-H1 14.00%. Interest ``principal x rate x days /
365``; in the comments "x / 365" amounts are ``principal x rate(%) x days / 100``:

- 16 Dec - 31 Dec 2021, 16 days at 10.10% on 10,000: 16,160 = 6,464 (on the 4,000 paid) +
  9,696 (on the 6,000 unpaid);
- 1 Jan - 14 Jan 2022, 14 days at 11.75% on 10,000: 16,450 = 6,580 (paid) + 9,870 (unpaid);
- on 6,000 from 15 Jan 2022: 167 days at 11.75% 117,735; 184 at 16.00% 176,640; 181 and 184
  at 16.75% 181,905 and 184,920; 182 and 184 at 15.75% 171,990 and 173,880; 2025: 1 day at
  15.75% 945, 181 days 171,045; 184 at 15.25% 168,360; 1 January 2026 at 14.00% 840.

Sums: to 31 Dec 2023 693,810 / 365 = 1,900.8493 -> 1,900.85; to 1 Jan 2024 694,755 / 365 =
1,903.4383 -> 1,903.44; to 31 Dec 2024 1,039,680 / 365 = 2,848.4383 -> 2,848.44; to 1 Jan 2025
1,040,625 / 365 = 2,851.0274 -> 2,851.03; to 31 Dec 2025 1,379,085 / 365 = 3,778.3151 ->
3,778.32; to 1 Jan 2026 1,379,925 / 365 = 3,780.6164 -> 3,780.62. The part paid bears 6,464 /
365 = 17.7096 (2021) and 6,580 / 365 = 18.0274 (2022), together 13,044 / 365 = 35.7370.
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from clientguard.claims import claim
from clientguard.ledger import Ledger
from clientguard.metrics.cost import RateTable, lateness_costs, limitation, time_barred_from
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
THREE = Policy(jurisdiction="pl")
TWO = Policy(jurisdiction="pl", pl_limitation_years=2)
FX = fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}})

DEBT = invoice("acme", issued="2021-11-15", due="2021-12-15", total="10000.00",
               currency="PLN", id="F1", number="FV/12/2021")
PART = payment("acme", on="2022-01-14", amount="4000.00", currency="PLN", pays=DEBT, id="P1")


def books(*records: AnyRecord) -> Ledger:
    return ledger(customer("acme", "ACME sp. z o.o."), *records, base_currency="PLN", fx=FX)


PART_PAID = books(DEBT, PART)


@pytest.mark.parametrize(
    ("policy", "as_of", "interest", "claimed", "barred", "compensation_barred"),
    [
        # Three years. The day before the bar: everything is claimed.
        pytest.param(THREE, date(2024, 12, 31), "2848.44", "2848.44", "0.00", False,
                     id="3y-31-dec-2024"),
        # The debt is barred: the 6,000's interest goes with it, and so do the 2021 days of the
        # 4,000 paid (their own three years); the 2022 days of the 4,000 stand: 18.03.
        # (Before: all 2,851.03 barred with the debt.)
        pytest.param(THREE, date(2025, 1, 1), "2851.03", "18.03", "2833.00", True,
                     id="3y-1-jan-2025"),
        pytest.param(THREE, date(2025, 12, 31), "3778.32", "18.03", "3760.29", True,
                     id="3y-31-dec-2025"),
        # The brief's date: the 2022 days of the part paid are barred too (from 1 January
        # 2026, three years to a year's end): nothing is left to claim.
        pytest.param(THREE, date(2026, 1, 1), "3780.62", "0.00", "3780.62", True,
                     id="3y-1-jan-2026"),
        # Two years. The day before the bar: everything.
        pytest.param(TWO, date(2023, 12, 31), "1900.85", "1900.85", "0.00", False,
                     id="2y-31-dec-2023"),
        # The debt barred on 1 January 2024; the part paid keeps all its interest (its days'
        # three years run to 2025 and 2026): 35.74. (Before: all 1,903.44 barred.)
        pytest.param(TWO, date(2024, 1, 1), "1903.44", "35.74", "1867.70", False,
                     id="2y-1-jan-2024"),
        pytest.param(TWO, date(2025, 1, 1), "2851.03", "18.03", "2833.00", True,
                     id="2y-1-jan-2025"),
        pytest.param(TWO, date(2026, 1, 1), "3780.62", "0.00", "3780.62", True,
                     id="2y-1-jan-2026"),
    ],
)
def test_worked_example_interest_on_the_part_paid_is_its_own_claim(
    policy: Policy, as_of: date, interest: str, claimed: str, barred: str,
    compensation_barred: bool,
) -> None:
    note = claim(PART_PAID, "acme", as_of=as_of, policy=policy)
    (line,) = note.invoices
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D(interest), D(claimed), D(barred))
    assert (line.compensation, line.compensation_time_barred) == (D("322.00"),
                                                                   compensation_barred)
    compensation = D(0) if compensation_barred else D("322.00")
    assert note.totals == {"PLN": D(claimed) + compensation}
    time_barred = D(barred) + (D("322.00") if compensation_barred else D(0))
    assert note.time_barred_totals == ({"PLN": time_barred} if time_barred else {})


def test_the_working_splits_each_period_by_the_part_paid_and_the_part_left_unpaid() -> None:
    # As of 1 January 2025, three years. Each period before the payment is two principals: the
    # 4,000 paid (2021's days barred on their own, 2022's claimed) and the 6,000 left unpaid
    # (barred with the debt). 6,464 / 365 = 17.71; 9,696 / 365 = 26.56; 6,580 / 365 = 18.03;
    # 9,870 / 365 = 27.04.
    note = claim(PART_PAID, "acme", as_of=date(2025, 1, 1), policy=THREE)
    (line,) = note.invoices
    early = [(p.start, p.end, p.principal, p.interest, p.time_barred)
             for p in line.periods if p.end <= date(2022, 1, 14)]
    assert sorted(early) == sorted([
        (date(2021, 12, 16), date(2021, 12, 31), D("4000.00"), D("17.71"), True),
        (date(2021, 12, 16), date(2021, 12, 31), D("6000.00"), D("26.56"), True),
        (date(2022, 1, 1), date(2022, 1, 14), D("4000.00"), D("18.03"), False),
        (date(2022, 1, 1), date(2022, 1, 14), D("6000.00"), D("27.04"), True),
    ])
    # Every later day is on the 6,000 left unpaid: barred with the debt.
    later = [p for p in line.periods if p.start > date(2022, 1, 14)]
    assert later
    assert all(p.principal == D("6000.00") and p.time_barred for p in later)
    # The lines claimed add up to what is claimed.
    assert sum(p.interest for p in line.periods if not p.time_barred) == line.interest_claimed


@pytest.mark.parametrize("lookback_days", [365, 2000])  # before the window; in it
def test_the_review_agrees_with_the_claim(lookback_days: int) -> None:
    as_of = date(2025, 1, 1)
    policy = THREE.model_copy(update={"lookback_days": lookback_days})
    result = review(PART_PAID, as_of=as_of, policy=policy)
    acme = result.clients["acme"]
    # As the claim states it, each line rounded once: 6,580 / 365 = 18.027... -> 18.03
    # claimable; 1,040,625 / 365 = 2,851.03 rounded, less 18.03, and 322.00 barred: 3,155.00.
    # (Until 2026-12-07 the review kept them unrounded, 18.0273...)
    assert acme.claimable == D("18.03")
    assert acme.time_barred == D("3155.00")
    note = claim(PART_PAID, "acme", as_of=as_of, policy=policy)
    assert note.totals == {"PLN": D("18.03")}
    assert note.time_barred_totals == {"PLN": D("3155.00")}  # 2,833.00 + 322.00
    if lookback_days == 2000:
        costs = lateness_costs(PART_PAID, as_of=as_of, policy=policy)["acme"]
        assert (costs.claimable, costs.time_barred) == (acme.claimable, acme.time_barred)


def test_the_json_carries_the_split() -> None:
    document = json.loads(render_claim(
        claim(PART_PAID, "acme", as_of=date(2024, 1, 1), policy=TWO), "json"))
    (line,) = document["invoices"]
    assert (line["interest"], line["interest_claimed"], line["interest_time_barred"]) == (
        "1903.44", "35.74", "1867.70")
    claimed = [(p["principal"], p["interest"]) for p in line["periods"] if not p["time_barred"]]
    assert sorted(claimed) == [("4000.00", "17.71"), ("4000.00", "18.03")]
    assert document["totals"] == {"PLN": "357.74"}  # 35.74 + 322.00
    assert document["time_barred_totals"] == {"PLN": "1867.70"}
    # Each line says which part of the balance it runs on, so that a reader summing days or
    # taking ``principal`` for the balance is not misled: schema 1.3 (docs/claims.md, JSON).
    assert document["schema_version"] == "1.3"
    parts = [(p["start"], p["principal"], p["principal_part"]) for p in line["periods"]]
    assert parts[:4] == [
        ("2021-12-16", "4000.00", "paid_before_bar"), ("2021-12-16", "6000.00", "left_unpaid"),
        ("2022-01-01", "4000.00", "paid_before_bar"), ("2022-01-01", "6000.00", "left_unpaid"),
    ]
    # From 15 January 2022 the 6,000 outstanding is the whole balance (no part: null), all of
    # it left unpaid, so time-barred with the debt.
    assert {(p["principal_part"], p["time_barred"]) for p in line["periods"][4:]} == {
        (None, True)}
    # The day before the debt's bar nothing is split: the 1.2 document of two years, as before.
    before = json.loads(render_claim(
        claim(PART_PAID, "acme", as_of=date(2023, 12, 31), policy=TWO), "json"))
    assert before["schema_version"] == "1.2"
    assert all("principal_part" not in p for p in before["invoices"][0]["periods"])


def test_a_part_credited_whose_interest_rounds_to_nothing_claims_none() -> None:
    # 1.00 credited on 14 January 2022, the rest never paid; three years, as of 1 January
    # 2025: the debt and the days of 2021 are barred, the credited 1.00's 14 days of 2022 bear
    # 1 x 11.75 x 14 / 36,500 = 0.0045 -> 0.00 claimed. The note says none of the interest is
    # claimed (it said the part paid keeps its interest "claimed here" over a line of 0.00).
    credit = credit_note("acme", issued="2022-01-14", total="1.00", currency="PLN",
                         applies_to=DEBT, id="K1")
    note = claim(books(DEBT, credit), "acme", as_of=date(2025, 1, 1), policy=THREE)
    (line,) = note.invoices
    assert line.interest_claimed == D("0.00")
    page = " ".join(html.unescape(render_claim(note, "html", lang="en")).split())
    assert "lost its interest with it: none of it is claimed here" in page
    assert "keeps the interest on the part paid" not in page


@pytest.mark.parametrize(
    ("lang", "kept", "lost"),
    [
        ("en", "interest on the part paid before",
         "An invoice left unpaid until its debt was time-barred lost its interest with it"),
        ("pl", "odsetki od tej części nie przedawniły się wraz z nią",
         "Odsetki od faktury niezapłaconej do dnia przedawnienia należności głównej "
         "przedawniły się wraz z nią"),
    ],
)
def test_the_note_says_the_part_paid_keeps_its_interest(lang: str, kept: str,
                                                        lost: str) -> None:
    # The note said "none of it is claimed here" of an open invoice whose debt was barred,
    # while 35.74 of its interest is claimed.
    note = claim(PART_PAID, "acme", as_of=date(2024, 1, 1), policy=TWO)
    page = " ".join(html.unescape(render_claim(note, "html", lang=lang)).split())
    assert kept in page
    assert lost not in page
    # Left unpaid in full, the old sentence stands.
    whole = claim(books(DEBT), "acme", as_of=date(2024, 1, 1), policy=TWO)
    page = " ".join(html.unescape(render_claim(whole, "html", lang=lang)).split())
    assert lost in page
    assert kept not in page


# --- UK -----------------------------------------------------------------------------------------

# GBP 2,000 due 14 February 2019, GBP 800 paid 16 March 2019, 1,200 never paid. One rate for the
# debt: 2019-H1 8.75%. Accrued 15 February 2019: the fixed sum (GBP 70) barred from 16 February
# 2025; each day's interest six years after that day (15 February 2019's from 16 February
# 2025). The payment restarts the debt's six years (Limitation Act 1980 s.29(5)): it accrues
# anew on 16 March 2019, last day to sue 16 March 2025, barred from 17 March 2025. As of 16
# February 2025: 30 days on 2,000 (15 February - 16 March 2019), 2,000 x 8.75 x 30 = 525,000,
# and 2,164 days on 1,200 (17 March 2019 - 16 February 2025), 1,200 x 8.75 x 2,164 =
# 22,722,000: 23,247,000 / 36,500 = 636.9041 -> 636.90. The debt is not barred, so neither is
# the interest on the 1,200 left unpaid: only the first day's own, 2,000 x 8.75 / 36,500 =
# 17,500 / 36,500 = 0.4795, is barred; claimed (23,247,000 - 17,500) / 36,500 = 636.4247 ->
# 636.42, barred 636.90 - 636.42 = 0.48 (and the fixed sum, 70.00). Before s.29(5) was
# applied the debt was barred from 16 February 2025 with the 1,200's interest: 5.56 claimed,
# 631.34 barred, an under-claim of 630.86. tests/test_limitation_uk_part_payment.py has the
# rest of the rule.
def test_uk_part_paid_interest_is_barred_day_by_day() -> None:
    debt = invoice("brit", issued="2019-01-15", due="2019-02-14", total="2000.00",
                   currency="GBP", id="U1")
    book = ledger(customer("brit", "Brit Ltd"), debt,
                  payment("brit", on="2019-03-16", amount="800.00", currency="GBP", pays=debt,
                          id="UP1"),
                  base_currency="GBP")
    note = claim(book, "brit", as_of=date(2025, 2, 16), policy=Policy(jurisdiction="uk"))
    (line,) = note.invoices
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D("636.90"), D("636.42"), D("0.48"))
    assert note.totals == {"GBP": D("636.42")}
    assert note.time_barred_totals == {"GBP": D("70.48")}  # 0.48 + 70.00


# --- the rule, day by day -----------------------------------------------------------------------


def _day(principal: int, rate: Fraction) -> Fraction:
    """One day's interest: ``principal x rate(%) / 100 / 365``."""
    return Fraction(principal) * rate / 100 / 365


def _day_by_day(jurisdiction: Jurisdiction, due: date, total: int, paid: int, paid_on: date,
                as_of: date, years: int) -> tuple[Fraction, Fraction]:
    """The interest and its barred part, one day at a time, from the rule as docs/claims.md
    writes it: no interval arithmetic, Fractions, each day's rate from the table."""
    table = RateTable.packaged(jurisdiction)
    first = due + timedelta(days=1)
    fixed = table.row_for(first).statutory_rate_pct if jurisdiction == "uk" else None
    became_due = first
    main = time_barred_from(jurisdiction, became_due, pl_years=years)
    assert main is not None
    if jurisdiction == "uk" and paid_on < main:
        # Limitation Act 1980 s.29(5): the part payment restarts the debt's six years.
        main = time_barred_from(jurisdiction, paid_on)
        assert main is not None
    unpaid_at_bar = total - paid if paid_on < main else total
    interest = barred = Fraction(0)
    day = first
    while day <= as_of:
        principal = total if day <= paid_on else total - paid
        rate = Fraction(fixed if fixed is not None else table.row_for(day).statutory_rate_pct)
        interest += _day(principal, rate)
        own = time_barred_from(jurisdiction, day)
        assert own is not None
        if main <= as_of:
            left = principal if day >= main else min(principal, unpaid_at_bar)
            barred += _day(left, rate)
            if own <= as_of:
                barred += _day(principal - left, rate)
        elif own <= as_of:  # the main claim not barred (UK, restarted): each day's own
            barred += _day(principal, rate)
        day += timedelta(days=1)
    return interest, barred


@settings(max_examples=40, deadline=None)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    years=st.sampled_from([2, 3]),
    due=st.dates(date(2017, 1, 2), date(2022, 12, 31)),
    paid_after=st.integers(1, 1200),
    share=st.integers(1, 99),
    as_of_after=st.integers(0, 3000),
)
def test_the_barred_interest_is_the_day_by_day_rule(
    jurisdiction: Jurisdiction, years: int, due: date, paid_after: int, share: int,
    as_of_after: int,
) -> None:
    # A due date art. 115 KC does not move (test_limitation has those): the day after it is
    # the first day of delay.
    assume(jurisdiction != "pl" or polish_term_end(due) == due)
    total = 10_000
    paid = total * share // 100
    paid_on = due + timedelta(days=paid_after)
    as_of = min(paid_on + timedelta(days=as_of_after), date(2026, 12, 31))
    if as_of < paid_on:
        return
    book = ledger(customer("c"),
                  debt := invoice("c", issued=str(due - timedelta(days=30)), due=str(due),
                                  total=f"{total}.00", currency="PLN", id="I"),
                  payment("c", on=str(paid_on), amount=f"{paid}.00", currency="PLN",
                          pays=debt),
                  base_currency="PLN")
    policy = Policy(jurisdiction=jurisdiction, pl_limitation_years=years, lookback_days=5000)
    (item,) = lateness_costs(book, as_of=as_of, policy=policy)["c"].invoices
    assert item.statutory_interest is not None
    interest, barred = _day_by_day(jurisdiction, due, total, paid, paid_on, as_of,
                                   years if jurisdiction == "pl" else 3)
    assert abs(Fraction(item.statutory_interest.amount) - interest) < Fraction(1, 10**15)
    assert abs(Fraction(item.interest_time_barred) - barred) < Fraction(1, 10**15)
    bar = limitation(jurisdiction, due_date=due, settled_on=None, as_of=as_of,
                     interest=item.statutory_interest,
                     pl_years=years if jurisdiction == "pl" else 3, payments=(paid_on,))
    assert bar is not None
    assert bar.interest_time_barred == item.interest_time_barred
