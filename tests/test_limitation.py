"""The limitation period of late-payment claims (``metrics.cost.limitation``), and what the
claim letter and the review make of it: a time-barred claim is shown apart and never counted
in what the firm is told it can claim.

The dates are worked out by hand from the statutes (docs/claims.md, "Limitation"):

- PL, art. 118 KC since 9 July 2018: three years, the period ending on the last day of the
  calendar year; art. 120 § 1: from the day the claim became due, the day after the payment
  deadline (``wymagalne``). Before 9 July 2018 the period ended on the day of the same date
  (art. 112 KC; 29 February -> 28 February); art. 5 ust. 1 of the act of 13 April 2018: the
  new rule for every claim not yet barred on 9 July 2018. Interest for delay: each day's on its
  own (periodic), at the latest with the main claim (SN III CZP 42/04); the compensation of
  art. 10 on its own, from the day it became due (SN III CZP 37/20).
- UK, Limitation Act 1980 s.5: six years; the day of accrual excluded, so the sixth
  anniversary is the last day to sue.

The amounts use the packaged rate rows (``src/clientguard/data/rates/*.csv``): PL 2020-H2,
2021-H1, 2021-H2 10.10%, 2022-H1 11.75%, 2022-H2 16.00%, 2023-H1 and 2023-H2 16.75%; UK 2019-H1
8.75%. Interest is ``principal x rate x days / 365``. The EUR/PLN rates are the test's own.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.claims import Claim, claim
from clientguard.ledger import Ledger
from clientguard.metrics.cost import lateness_costs, limitation, time_barred_from
from clientguard.metrics.cost.limitation import last_barred_due_date
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.cost.rates import Jurisdiction
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.testing import customer, fx_table, invoice, ledger

D = Decimal
ZERO = D(0)


# --- the day a claim is time-barred -----------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "became_due", "barred_from"),
    [
        # PL: three years, to the end of that year, so 1 January of the fourth year after.
        ("pl", date(2021, 3, 16), date(2025, 1, 1)),  # 16.03.2024 -> end of 2024
        ("pl", date(2021, 1, 1), date(2025, 1, 1)),  # 01.01.2024 -> end of 2024
        ("pl", date(2020, 12, 31), date(2024, 1, 1)),  # 31.12.2023 is already the year's end
        ("pl", date(2018, 6, 12), date(2022, 1, 1)),  # due before 9.07.2018, barred after
        ("pl", date(2016, 2, 29), date(2020, 1, 1)),
        # Not yet barred on 9 July 2018 (the old period ran through that day): the new rule.
        ("pl", date(2015, 7, 9), date(2019, 1, 1)),
        # Barred on 9 July 2018 already (the old period ended on 8 July): stays barred.
        ("pl", date(2015, 7, 8), date(2018, 7, 9)),
        ("pl", date(2015, 2, 1), date(2018, 2, 2)),
        ("pl", date(2012, 2, 29), date(2015, 3, 1)),  # ends 28.02.2015 (art. 112 KC)
        # UK: the sixth anniversary is the last day to sue.
        ("uk", date(2020, 2, 15), date(2026, 2, 16)),
        ("uk", date(2019, 12, 31), date(2026, 1, 1)),
        ("uk", date(2024, 2, 29), date(2030, 3, 1)),  # 28.02.2030 taken as the anniversary
        # The EU baseline: no harmonised period, nothing checked.
        ("eu", date(2015, 1, 1), None),
    ],
)
def test_the_day_a_claim_is_time_barred(
    jurisdiction: Jurisdiction, became_due: date, barred_from: date | None
) -> None:
    assert time_barred_from(jurisdiction, became_due) == barred_from


@settings(max_examples=300, deadline=None)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    first=st.dates(date(2010, 1, 1), date(2030, 12, 31)),
    later=st.integers(0, 4000),
)
def test_a_later_claim_is_never_barred_earlier(
    jurisdiction: Jurisdiction, first: date, later: int
) -> None:
    # The rule the per-day interest relies on: the barred days are the first ones.
    second = first + timedelta(days=later)
    one, two = time_barred_from(jurisdiction, first), time_barred_from(jurisdiction, second)
    assert one is not None
    assert two is not None
    assert one <= two
    # And a claim is never barred before its period has run: 3 (PL) or 6 (UK) years.
    assert (one - first).days >= (3 if jurisdiction == "pl" else 6) * 365


# --- the claim letter ---------------------------------------------------------------------------

PL = Policy(jurisdiction="pl")
# EUR in PLN on the days art. 10 ust. 1a names: Tuesday 30 November 2021 (a debt due in
# December 2021), Friday 29 May 2020 (due in June 2020).
FX = fx_table("PLN", {"EUR": {"2021-11-30": "4.6000", "2020-05-29": "4.4000"}})

# PLN 10,000 due 15 December 2021, paid 14 January 2022: due (wymagalne) 16 December 2021, so
# time-barred from 1 January 2025. Its 16 days of 2021 bear 10,000 x 10.10% x 16 / 365 =
# 16,160 / 365 = 44.2739...; its 14 days of 2022 10,000 x 11.75% x 14 / 365 = 16,450 / 365 =
# 45.0684...; the invoice's interest 32,610 / 365 = 89.3424... -> 89.34. The compensation is
# EUR 70 (above PLN 5,000, below 50,000) x 4.6000 = PLN 322.00.
ACROSS_NEW_YEAR = invoice("acme", issued="2021-11-15", due="2021-12-15", paid="2022-01-14",
                          total="10000.00", currency="PLN", id="F1", number="FV/12/2021")


def books(*records: AnyRecord) -> Ledger:
    return ledger(customer("acme", "ACME sp. z o.o."), *records, base_currency="PLN", fx=FX)


@pytest.mark.parametrize(
    ("as_of", "claimed", "barred", "compensation_barred", "barred_periods"),
    [
        # The day before 1 January 2025: nothing is barred yet.
        (date(2024, 12, 31), D("89.34"), D("0.00"), False, []),
        # From 1 January 2025 the compensation and the interest of the days of 2021 are barred
        # (each day's interest is its own claim, due that day: 2021's are barred with the
        # year); the days of 2022 are barred from 1 January 2026. Claimed: 45.07; barred:
        # 89.34 - 45.07 = 44.27 (the page adds up; 44.2739... rounds to the same).
        (date(2025, 1, 1), D("45.07"), D("44.27"), True, [True, False]),
        (date(2025, 12, 31), D("45.07"), D("44.27"), True, [True, False]),
        (date(2026, 1, 1), D("0.00"), D("89.34"), True, [True]),
    ],
)
def test_a_paid_invoices_interest_is_barred_day_by_day(
    as_of: date, claimed: Decimal, barred: Decimal, compensation_barred: bool,
    barred_periods: list[bool],
) -> None:
    note = claim(books(ACROSS_NEW_YEAR), "acme", as_of=as_of, policy=PL)
    (line,) = note.invoices
    assert line.time_barred_from == date(2025, 1, 1)
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D("89.34"), claimed, barred)
    assert (line.compensation, line.compensation_time_barred) == (D("322.00"),
                                                                   compensation_barred)
    # The working keeps every day, each period barred or not: 2021-H2, then 2022-H1.
    assert [(p.start, p.end) for p in line.periods] == [
        (date(2021, 12, 16), date(2021, 12, 31)), (date(2022, 1, 1), date(2022, 1, 14))]
    if barred_periods:
        assert [p.time_barred for p in line.periods][: len(barred_periods)] == barred_periods
    compensation = ZERO if compensation_barred else D("322.00")
    assert note.totals == {"PLN": claimed + compensation}
    assert note.time_barred_totals == (
        {"PLN": barred + D("322.00")} if compensation_barred else {})


# PLN 1,000 due 30 June 2020: due (wymagalne) 1 July 2020, barred from 1 January 2024. Its
# days of 2020 (1 July - 31 December, 184 at 10.10%) bear 1,000 x 10.10% x 184 / 365 =
# 18,584 / 365 = 50.9150...
def old_invoice(paid: str | None) -> AnyRecord:
    return invoice("acme", issued="2020-05-31", due="2020-06-30", paid=paid, total="1000.00",
                   currency="PLN", id="F2", number="FV/6/2020")


def test_interest_paid_before_the_main_claim_was_barred_is_barred_day_by_day() -> None:
    # Paid on Friday 29 December 2023, two days before the main claim was barred: the
    # interest stands on its own (III CZP 42/04), each day's for three years to a year's end.
    # As of 30 June 2024 the days of 2020 are barred, those of 2021 to 2023 not:
    # 2021: 365 days at 10.10% = 3,686.5; 2022-H1: 181 at 11.75% = 2,126.75; 2022-H2: 184 at
    # 16.00% = 2,944; 2023-H1: 181 at 16.75% = 3,031.75; 2023-H2 to 29 December: 182 at
    # 16.75% = 3,048.5; sum 14,837.5 x 1,000 / 100 / 365 = 148,375 / 365 = 406.5068... ->
    # 406.51 claimed. All of it: (148,375 + 18,584) / 365 = 166,959 / 365 = 457.4219... ->
    # 457.42, so 457.42 - 406.51 = 50.91 shown as barred.
    note = claim(books(old_invoice("2023-12-29")), "acme",
                 as_of=date(2024, 6, 30), policy=PL)
    (line,) = note.invoices
    assert (line.interest, line.interest_claimed, line.interest_time_barred) == (
        D("457.42"), D("406.51"), D("50.91"))
    assert [p.time_barred for p in line.periods if p.start.year == 2020] == [True]
    assert not any(p.time_barred for p in line.periods if p.start.year > 2020)
    # The compensation (EUR 40 for a debt not above PLN 5,000, x 4.4000 = PLN 176.00) is
    # barred with the main claim's period, on its own (III CZP 37/20).
    assert (line.compensation, line.compensation_time_barred) == (D("176.00"), True)
    assert note.totals == {"PLN": D("406.51")}
    assert note.time_barred_totals == {"PLN": D("50.91") + D("176.00")}


@pytest.mark.parametrize("paid", ["2024-03-01", None])
def test_interest_on_a_debt_left_unpaid_until_it_was_barred_goes_with_it(
    paid: str | None
) -> None:
    # The main claim was barred on 1 January 2024 while unpaid: its interest, every day of it,
    # 2024's too, is barred "at the latest with the main claim" (III CZP 42/04). Paying the
    # barred debt later does not revive it.
    note = claim(books(old_invoice(paid)), "acme", as_of=date(2024, 6, 30),
                 policy=PL)
    (line,) = note.invoices
    assert line.interest is not None
    assert line.interest > 0
    assert (line.interest_claimed, line.interest_time_barred) == (D("0.00"), line.interest)
    assert all(p.time_barred for p in line.periods)
    assert note.totals == {"PLN": D("0.00")}
    assert note.time_barred_totals == {"PLN": line.interest + D("176.00")}


@pytest.mark.parametrize(
    ("as_of", "totals", "barred"),
    [
        # GBP 2,000 due 14 February 2019, paid 16 March 2019: 30 days at 8.75% (2019-H1),
        # 2,000 x 8.75% x 30 / 365 = 5,250 / 365 = 14.3835... -> 14.38; the fixed sum GBP 70.
        (date(2025, 2, 15), {"GBP": D("84.38")}, {}),
        # The debt and the fixed sum accrued on 15 February 2019: barred from 16 February 2025,
        # with the first day's interest (15 February: 175 / 365 = 0.4794...). The other 29
        # days: 5,075 / 365 = 13.9041... -> 13.90; so 14.38 - 13.90 = 0.48 barred.
        (date(2025, 2, 16), {"GBP": D("13.90")}, {"GBP": D("70.48")}),
    ],
)
def test_uk_claims_are_barred_six_years_after_they_accrued(
    as_of: date, totals: dict[str, Decimal], barred: dict[str, Decimal]
) -> None:
    book = ledger(customer("brit", "Brit Ltd"),
                  invoice("brit", issued="2019-01-15", due="2019-02-14", paid="2019-03-16",
                          total="2000.00", currency="GBP", id="U1"),
                  base_currency="GBP")
    note = claim(book, "brit", as_of=as_of, policy=Policy(jurisdiction="uk"))
    (line,) = note.invoices
    assert line.time_barred_from == date(2025, 2, 16)
    assert (note.totals, note.time_barred_totals) == (totals, barred)


def test_the_eu_baseline_checks_no_limitation_period_and_says_so() -> None:
    book = ledger(customer("eu", "Euro GmbH"),
                  invoice("eu", issued="2016-01-01", due="2016-01-31", paid="2016-03-01",
                          total="1000.00", currency="EUR", id="E1"),
                  base_currency="EUR")
    note = claim(book, "eu", as_of=date(2026, 6, 30), policy=Policy(jurisdiction="eu"))
    (line,) = note.invoices
    assert not note.limitation_checked
    assert (line.time_barred_from, line.compensation_time_barred) == (None, False)
    assert line.interest_claimed == line.interest
    assert note.time_barred_totals == {}
    page = render_claim(note, "html")
    assert "The limitation period is not checked: Directive 2011/7/EU sets none" in page


# --- what the document shows ----------------------------------------------------------------


def partly_barred(number: str = "FV/12/2021") -> Claim:
    return claim(books(ACROSS_NEW_YEAR.model_copy(update={"number": number})), "acme",
                 as_of=date(2025, 6, 30), policy=PL)


def test_the_letter_lists_time_barred_lines_apart_and_does_not_demand_them() -> None:
    page = render_claim(partly_barred(), "html", lang="en")
    apart = page.split("Time-barred, not claimed", 1)[1]
    # The summary demands 45.07 of interest and no compensation.
    summary = page.split("Summary", 1)[1].split("Time-barred, not claimed", 1)[0]
    assert "<strong>45.07 PLN</strong>" in summary
    # The barred lines, with the day they were barred and the law.
    assert "44.27 PLN" in apart
    assert "322.00 PLN" in apart
    assert "1 Jan 2025" in apart
    assert "Limitation Act" not in apart
    assert "art. 118 and 120 of the Civil Code" in apart
    assert "366.27 PLN" in apart  # 44.27 + 322.00
    assert "(time-barred)" in page.split("Summary", 1)[0]


def test_the_polish_letter_says_przedawnione_and_escapes_the_invoice_number() -> None:
    page = render_claim(partly_barred("FV/<b>1</b>"), "html")
    assert "Roszczenia przedawnione, nieobjęte żądaniem" in page
    assert "(przedawnione)" in page
    assert "<b>1</b>" not in page
    assert "FV/&lt;b&gt;1&lt;/b&gt;" in page


def test_the_json_document_carries_the_limitation() -> None:
    document = json.loads(render_claim(partly_barred(), "json"))
    assert document["schema_version"] == "1.1"
    (line,) = document["invoices"]
    assert (line["time_barred_from"], line["interest_claimed"], line["interest_time_barred"],
            line["compensation_time_barred"]) == ("2025-01-01", "45.07", "44.27", True)
    assert document["time_barred_totals"] == {"PLN": "366.27"}
    assert document["totals"] == {"PLN": "45.07"}


# --- the review -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    # 365 days: the invoice fell due before the window (the review's sum of what is owed
    # before it); 2,000 days: in the window (the lateness costs).
    "lookback_days", [365, 2000],
)
def test_the_reviews_claimable_leaves_out_what_is_time_barred(lookback_days: int) -> None:
    as_of = date(2025, 6, 30)
    book = books(ACROSS_NEW_YEAR)
    policy = Policy(jurisdiction="pl", lookback_days=lookback_days)
    result = review(book, as_of=as_of, policy=policy)
    acme = result.clients["acme"]
    # As the claim states it, each line rounded once: 16,450 / 365 = 45.068... -> 45.07
    # claimable; the rounded interest (16,450 + 16,160) / 365 = 89.34 less 45.07, and the
    # 322.00, barred: 366.27. (Until 2026-12-07 the review kept them unrounded, 45.0684...)
    assert acme.claimable == D("45.07")
    assert acme.time_barred == D("366.27")
    assert (result.book.claimable, result.book.time_barred) == (acme.claimable,
                                                                acme.time_barred)
    # What a claim asks for: the same, to the cent.
    note = claim(book, "acme", as_of=as_of, policy=policy)
    assert note.totals == {"PLN": D("45.07")}
    assert note.time_barred_totals == {"PLN": D("366.27")}
    if lookback_days == 2000:
        assert "(366.27 PLN more is time-barred)" in result.book.summary
        costs = lateness_costs(book, as_of=as_of, policy=policy)["acme"]
        assert (costs.claimable, costs.time_barred) == (acme.claimable, acme.time_barred)
        (item,) = costs.invoices
        assert item.compensation_time_barred
        assert abs(item.interest_time_barred - D(16160) / D(365)) < D("1e-20")


def test_a_review_with_nothing_time_barred_says_nothing_of_it() -> None:
    result = review(books(ACROSS_NEW_YEAR), as_of=date(2024, 12, 31),
                    policy=Policy(jurisdiction="pl", lookback_days=2000))
    assert result.clients["acme"].time_barred == 0
    assert "time-barred" not in result.book.summary


# --- invariants -----------------------------------------------------------------------------


@settings(max_examples=80, deadline=None)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    due=st.dates(date(2016, 1, 1), date(2024, 12, 31)),
    delay=st.integers(1, 1500),
    paid=st.booleans(),
    after=st.integers(0, 3000),
    total=st.integers(1, 200_000),
)
def test_what_is_claimed_and_what_is_barred_make_up_what_the_law_granted(
    jurisdiction: Jurisdiction, due: date, delay: int, paid: bool, after: int, total: int
) -> None:
    paid_on = due + timedelta(days=delay)
    as_of = min(paid_on + timedelta(days=after), date(2026, 12, 31))
    if paid_on > as_of:
        paid_on = as_of
    currency = "PLN" if jurisdiction == "pl" else "GBP"
    book = ledger(customer("c"), invoice("c", issued=str(due - timedelta(days=30)),
                                         due=str(due), total=f"{total}.00", currency=currency,
                                         id="I", paid=str(paid_on) if paid else None),
                  base_currency=currency)
    note = claim(book, "c", as_of=as_of, policy=Policy(jurisdiction=jurisdiction))
    if jurisdiction == "pl" and (paid_on if paid else as_of) <= polish_term_end(due):
        # Paid (or looked at) by the end of its term as art. 115 KC moves it: not late in
        # law, so not on the claim.
        assert note.invoices == ()
        return
    (line,) = note.invoices
    assert line.interest is not None
    assert line.interest_claimed is not None
    assert line.interest_time_barred is not None
    assert line.interest_claimed + line.interest_time_barred == line.interest
    assert line.interest_claimed >= 0
    assert line.interest_time_barred >= 0
    # Barred periods come first, and none is barred before the claim's bar.
    flags = [p.time_barred for p in line.periods]
    assert flags == sorted(flags, reverse=True)
    barred_from = line.time_barred_from
    assert barred_from is not None
    if as_of < barred_from:
        assert not any(flags)
        assert not line.compensation_time_barred
    bar = limitation(jurisdiction, due_date=due, settled_on=paid_on if paid else None,
                     as_of=as_of)
    assert bar is not None
    assert bar.time_barred_from == barred_from


@settings(max_examples=200, deadline=None)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    due=st.dates(date(2012, 1, 1), date(2026, 12, 31)),
    as_of=st.dates(date(2016, 1, 1), date(2032, 12, 31)),
)
def test_the_reviews_one_comparison_agrees_with_the_rule(
    jurisdiction: Jurisdiction, due: date, as_of: date
) -> None:
    # The review compares each due date with one date found once (issue 21's speed); an
    # invoice's claim is barred exactly when its due date is on it or before.
    through = last_barred_due_date(jurisdiction, as_of)
    assert through is not None
    bar = limitation(jurisdiction, due_date=due, settled_on=None, as_of=as_of)
    assert bar is not None
    assert bar.compensation_time_barred == (due <= through)


@settings(max_examples=300, deadline=None)
@given(
    jurisdiction=st.sampled_from(["pl", "uk"]),
    due=st.dates(date(2012, 1, 1), date(2026, 12, 31)),
    delay=st.integers(1, 3000),
    as_of=st.dates(date(2016, 1, 1), date(2034, 12, 31)),
)
def test_each_barred_day_of_interest_is_barred_by_its_own_rule(
    jurisdiction: Jurisdiction, due: date, delay: int, as_of: date
) -> None:
    # A debt paid before its main claim was barred: each day's interest is barred by the
    # rule of that day, checked here day by day against the (faster) answer of limitation().
    paid = due + timedelta(days=delay)
    bar = limitation(jurisdiction, due_date=due, settled_on=paid, as_of=max(as_of, paid))
    as_of = max(as_of, paid)
    assert bar is not None
    if not bar.compensation_time_barred or paid >= bar.time_barred_from:
        return
    through = bar.interest_barred_through
    assert through is not None
    days = [due + timedelta(days=1), through, paid]
    if through < paid:
        days.append(through + timedelta(days=1))  # the first day not barred
    for day in days:
        own = time_barred_from(jurisdiction, day)
        assert own is not None
        assert (own <= as_of) == (day <= through), day
