"""Polish claims that run two years (``Policy.pl_limitation_years = 2``): a sale by a business
(art. 554 KC), a contract for work (art. 646 KC) and some services (art. 751 KC) bar the main
claim two years after it became due, and with it the interest on a debt left unpaid until
then (SN III CZP 42/04, exactly such a sale); each day's interest keeps its own three years
(art. 118 KC, a periodic claim) and the fixed compensation its three years (SN III CZP 37/20).
docs/claims.md, "Limitation", has the rules and their sources.

The dates are worked out by hand: art. 118 KC's end-of-year rule holds for a two-year period
("chyba że termin przedawnienia jest krótszy niż dwa lata": two years is not shorter), so a
claim that became due in year Y is barred from 1 January of Y + 3; art. 5 ust. 1 of the act of
13 April 2018: a claim already barred on 9 July 2018 under the old rule (two years to the day
of the same date, art. 112 KC) stays barred.

The amounts use the packaged Polish rate rows: 2021-H2 10.10%, 2022-H1 11.75%, 2022-H2 16.00%,
2023-H1 and 2023-H2 16.75%, 2024-H1 15.75%. Interest is ``principal x rate x days / 365``. The
EUR/PLN rate of the compensation is the test's own (4.6000 on 30 November 2021).
"""

from __future__ import annotations

import html
import json
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from clientguard.claims import Claim, claim
from clientguard.errors import ConfigError
from clientguard.ledger import Ledger
from clientguard.metrics.cost import lateness_costs, limitation, time_barred_from
from clientguard.metrics.cost.limitation import last_barred_due_date
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.report.claim import render_claim
from clientguard.review import review
from clientguard.testing import customer, fx_table, invoice, ledger

D = Decimal
TWO = Policy(jurisdiction="pl", pl_limitation_years=2)
THREE = Policy(jurisdiction="pl")
FX = fx_table("PLN", {"EUR": {"2021-11-30": "4.6000"}})


# --- the day the main claim is barred ---------------------------------------------------------


@pytest.mark.parametrize(
    ("became_due", "years", "barred_from"),
    [
        # Two years to the end of that year: 1 January three years after the year it fell due.
        pytest.param(date(2021, 3, 16), 2, date(2024, 1, 1), id="2y-mid-year"),
        pytest.param(date(2021, 1, 1), 2, date(2024, 1, 1), id="2y-first-day"),
        pytest.param(date(2020, 12, 31), 2, date(2023, 1, 1), id="2y-last-day"),
        pytest.param(date(2021, 12, 16), 2, date(2024, 1, 1), id="2y-worked-example"),
        # Due before 9 July 2018, not barred by it: the new rule (art. 5 ust. 1).
        pytest.param(date(2017, 1, 1), 2, date(2020, 1, 1), id="2y-2017"),
        # The old period (two years to 9 July 2018) ran through that day: to the end of 2018.
        pytest.param(date(2016, 7, 9), 2, date(2019, 1, 1), id="2y-not-yet-barred-9-july"),
        # The old period ended on 8 July 2018: barred from 9 July 2018, and stays so.
        pytest.param(date(2016, 7, 8), 2, date(2018, 7, 9), id="2y-barred-by-9-july"),
        pytest.param(date(2016, 2, 1), 2, date(2018, 2, 2), id="2y-barred-before"),
        # 29 February 2016: the period ended on 28 February 2018 (art. 112 KC).
        pytest.param(date(2016, 2, 29), 2, date(2018, 3, 1), id="2y-29-february"),
        # Three years, the default: as before.
        pytest.param(date(2021, 3, 16), 3, date(2025, 1, 1), id="3y-mid-year"),
        pytest.param(date(2015, 7, 8), 3, date(2018, 7, 9), id="3y-barred-by-9-july"),
    ],
)
def test_the_day_a_polish_main_claim_is_time_barred(
    became_due: date, years: int, barred_from: date
) -> None:
    assert time_barred_from("pl", became_due, pl_years=years) == barred_from


def test_the_polish_period_leaves_uk_and_eu_law_alone() -> None:
    assert time_barred_from("uk", date(2020, 2, 15), pl_years=2) == date(2026, 2, 16)
    assert time_barred_from("eu", date(2020, 2, 15), pl_years=2) is None


@pytest.mark.parametrize("years", [1, 4, 6])
def test_a_polish_period_other_than_two_or_three_years_is_refused(years: int) -> None:
    with pytest.raises(ValueError, match="2 or 3"):
        time_barred_from("pl", date(2021, 3, 16), pl_years=years)


# --- the worked example: PLN 10,000 due 15 December 2021 ---------------------------------------

# Due Wednesday 15 December 2021, so due (wymagalne) 16 December 2021. Two years: the main claim
# is barred from 1 January 2024; the compensation and the interest of the days of 2021 from
# 1 January 2025, those of 2022 from 1 January 2026 (three years each, to a year's end).
# The compensation: EUR 70 (above PLN 5,000, below 50,000) x 4.6000 = PLN 322.00.
#
# Paid 14 January 2022, before the main claim was barred: its interest stands on its own.
# 16 days of 2021: 10,000 x 10.10% x 16 / 365 = 16,160 / 365 = 44.2739...; 14 days of 2022:
# 10,000 x 11.75% x 14 / 365 = 16,450 / 365 = 45.0684...; all: 32,610 / 365 = 89.34.
PAID = invoice("acme", issued="2021-11-15", due="2021-12-15", paid="2022-01-14",
               total="10000.00", currency="PLN", id="F1", number="FV/12/2021")


# Left unpaid. To 31 December 2023: 16 days at 10.10% (16,160), 181 at 11.75% (212,675), 184
# at 16.00% (294,400), 181 at 16.75% (303,175), 184 at 16.75% (308,200): 1,134,610 / 365 =
# 3,108.5205... -> 3,108.52. To 1 January 2024, one day more at 15.75% (1,575): 1,136,185 /
# 365 = 3,112.8356... -> 3,112.84. To 1 January 2025 the interest is all barred whatever it is.
def unpaid(paid: str | None = None) -> AnyRecord:
    return invoice("acme", issued="2021-11-15", due="2021-12-15", paid=paid,
                   total="10000.00", currency="PLN", id="F3", number="FV/13/2021")


def books(*records: AnyRecord) -> Ledger:
    return ledger(customer("acme", "ACME sp. z o.o."), *records, base_currency="PLN", fx=FX)


@pytest.mark.parametrize(
    ("record", "policy", "as_of", "interest_claimed", "interest_barred", "compensation_barred"),
    [
        # Paid before 1 January 2024: two years change nothing, the interest is its own claim.
        pytest.param(PAID, TWO, date(2023, 12, 31), "89.34", "0.00", False, id="paid-2023"),
        pytest.param(PAID, TWO, date(2024, 1, 1), "89.34", "0.00", False, id="paid-2024"),
        pytest.param(PAID, TWO, date(2024, 12, 31), "89.34", "0.00", False, id="paid-end-2024"),
        # From 1 January 2025: 2021's days and the compensation; 89.34 - 45.07 = 44.27.
        pytest.param(PAID, TWO, date(2025, 1, 1), "45.07", "44.27", True, id="paid-2025"),
        pytest.param(PAID, TWO, date(2026, 1, 1), "0.00", "89.34", True, id="paid-2026"),
        # Unpaid: claimed in full the day before the main claim is barred.
        pytest.param(unpaid(), TWO, date(2023, 12, 31), "3108.52", "0.00", False,
                     id="unpaid-2023"),
        # From 1 January 2024 the interest goes with the main claim; the compensation stays.
        pytest.param(unpaid(), TWO, date(2024, 1, 1), "0.00", "3112.84", False,
                     id="unpaid-2024"),
        pytest.param(unpaid(), TWO, date(2025, 1, 1), None, None, True, id="unpaid-2025"),
        # Three years, the default: nothing is barred on 1 January 2024.
        pytest.param(unpaid(), THREE, date(2024, 1, 1), "3112.84", "0.00", False,
                     id="unpaid-three-years"),
        # Paid on 29 December 2023, two days before the bar: 16,160 + 212,675 + 294,400 +
        # 303,175 + 182 x 1,675 = 1,131,260 / 365 = 3,099.3424... -> 3,099.34, all claimed.
        pytest.param(unpaid("2023-12-29"), TWO, date(2024, 1, 1), "3099.34", "0.00", False,
                     id="paid-just-before-the-bar"),
        # Paid on 1 March 2024, after the bar: paying a barred debt does not revive its
        # interest (1,134,610 + 61 x 1,575 = 1,230,685 / 365 = 3,371.7397... -> 3,371.74).
        pytest.param(unpaid("2024-03-01"), TWO, date(2024, 6, 30), "0.00", "3371.74", False,
                     id="paid-after-the-bar"),
    ],
)
def test_two_years_worked_example(
    record: AnyRecord, policy: Policy, as_of: date, interest_claimed: str | None,
    interest_barred: str | None, compensation_barred: bool,
) -> None:
    note = claim(books(record), "acme", as_of=as_of, policy=policy)
    (line,) = note.invoices
    assert line.interest is not None
    assert line.interest_claimed is not None
    assert line.interest_time_barred is not None
    if interest_claimed is None:
        # Everything barred: the interest as a whole, whatever it has grown to.
        assert (line.interest_claimed, line.interest_time_barred) == (D("0.00"), line.interest)
    else:
        assert (line.interest_claimed, line.interest_time_barred) == (D(interest_claimed),
                                                                       D(interest_barred or 0))
        assert line.interest == D(interest_claimed) + D(interest_barred or 0)
    assert (line.compensation, line.compensation_time_barred) == (D("322.00"),
                                                                   compensation_barred)
    compensation = D(0) if compensation_barred else D("322.00")
    assert note.totals == {"PLN": line.interest_claimed + compensation}
    barred = line.interest_time_barred + (D("322.00") if compensation_barred else D(0))
    assert note.time_barred_totals == ({"PLN": barred} if barred else {})
    # The compensation and the first day's interest: three years, whatever the main claim's.
    assert line.time_barred_from == date(2025, 1, 1)
    # The main claim's own day is shown only where the firm set two years.
    assert line.main_claim_time_barred_from == (
        date(2024, 1, 1) if policy is TWO else None)


def test_the_review_leaves_out_interest_barred_with_the_main_claim() -> None:
    as_of = date(2024, 1, 1)
    book = books(unpaid())
    for lookback_days in (365, 2000):  # due before the window; in it
        policy = TWO.model_copy(update={"lookback_days": lookback_days})
        acme = review(book, as_of=as_of, policy=policy).clients["acme"]
        # Claimable: the compensation alone; barred: the interest, rounded once as the
        # claim states it, 1,136,185 / 365 = 3,112.835... -> 3,112.84 (until 2026-12-07
        # unrounded).
        assert acme.claimable == D("322.00"), lookback_days
        assert acme.time_barred == D("3112.84"), lookback_days
    costs = lateness_costs(book, as_of=as_of, policy=TWO.model_copy(
        update={"lookback_days": 2000}))["acme"]
    (item,) = costs.invoices
    assert not item.compensation_time_barred
    assert item.interest_time_barred == item.statutory_interest.amount  # type: ignore[union-attr]
    assert costs.claimable == D("322.00")
    # Three years: nothing is barred on 1 January 2024.
    three = review(book, as_of=as_of, policy=THREE.model_copy(
        update={"lookback_days": 2000})).clients["acme"]
    assert three.time_barred == 0


# --- the documents -------------------------------------------------------------------------------


def barred_with_the_debt(policy: Policy = TWO) -> Claim:
    return claim(books(unpaid()), "acme", as_of=date(2024, 6, 30), policy=policy)


@pytest.mark.parametrize(
    ("lang", "rule", "since"),
    [
        # Art. 646 counts from handing the work over (review of cb05009: the note said
        # every two years ran from the day the debt became due).
        ("en", "These amounts are time-barred (art. 554, 646 and 751 of the Civil Code: the "
               "debt two years from the day it became due, or, for a contract for work, from "
               "the day the work was handed over, and with it the interest on a debt left "
               "unpaid until it was barred; art. 118 and 120: each day's "
               "interest and the compensation for recovery costs three years", "1 Jan 2024"),
        ("pl", "Te kwoty są przedawnione (art. 554, 646 i 751 Kodeksu cywilnego: należność "
               "główna – dwa lata od dnia, w którym stała się wymagalna, a przy umowie o dzieło "
               "od dnia oddania dzieła, a wraz z nią "
               "odsetki od długu niezapłaconego do dnia jej przedawnienia; art. 118 i 120: "
               "odsetki za każdy dzień i rekompensata za koszty odzyskiwania należności – trzy "
               "lata", "01.01.2024"),
    ],
)
def test_the_letter_states_the_two_year_period_and_its_articles(
    lang: str, rule: str, since: str
) -> None:
    page = html.unescape(render_claim(barred_with_the_debt(), "html", lang=lang))
    apart = page.split("<h2>", 4)[-1]  # the section after the summary
    assert " ".join(rule.split()) in " ".join(apart.split())
    assert "three years from the day a claim became due" not in page
    assert "trzy lata od dnia, w którym roszczenie stało się wymagalne," not in page
    # The interest was barred with the main claim, on 1 January 2024.
    assert since in apart


@pytest.mark.parametrize(
    ("lang", "rule"),
    [
        ("en", "(art. 118 and 120 of the Civil Code: three years from the day a claim became "
               "due, ending on the last day of a calendar year)"),
        ("pl", "(art. 118 i 120 Kodeksu cywilnego: trzy lata od dnia, w którym roszczenie "
               "stało się wymagalne, z końcem na ostatni dzień roku kalendarzowego)"),
    ],
)
def test_the_letter_under_three_years_says_what_it_said(lang: str, rule: str) -> None:
    page = render_claim(claim(books(PAID), "acme", as_of=date(2025, 6, 30), policy=THREE),
                        "html", lang=lang)
    assert " ".join(rule.split()) in " ".join(page.split())
    assert "554" not in page


def test_the_json_names_the_two_year_period_only_where_it_applies() -> None:
    two = json.loads(render_claim(barred_with_the_debt(), "json"))
    assert two["schema_version"] == "1.2"
    assert two["pl_limitation_years"] == 2
    (line,) = two["invoices"]
    assert (line["main_claim_time_barred_from"], line["time_barred_from"]) == (
        "2024-01-01", "2025-01-01")
    # Three years: the document is the one clientguard wrote before, key for key.
    three = json.loads(render_claim(barred_with_the_debt(THREE), "json"))
    assert three["schema_version"] == "1.1"
    assert "pl_limitation_years" not in three
    assert "main_claim_time_barred_from" not in three["invoices"][0]


# --- the policy ---------------------------------------------------------------------------------


def test_the_policy_defaults_to_three_years_and_loads_two() -> None:
    assert Policy().pl_limitation_years == 3
    loaded = Policy.from_mapping({"pl_limitation_years": 2})
    assert loaded.pl_limitation_years == 2
    assert Policy.from_mapping({}).to_toml().count("\npl_limitation_years = 3\n") == 1
    assert Policy.from_mapping(loaded.model_dump()) == loaded


@pytest.mark.parametrize("years", [1, 4, 6])
def test_the_policy_refuses_other_periods(years: int) -> None:
    with pytest.raises(ConfigError, match="pl_limitation_years"):
        Policy(pl_limitation_years=years)


# --- invariants ---------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(
    due=st.dates(date(2012, 1, 1), date(2026, 12, 31)),
    as_of=st.dates(date(2016, 1, 1), date(2032, 12, 31)),
)
def test_the_reviews_one_comparison_agrees_with_the_two_year_rule(due: date,
                                                                 as_of: date) -> None:
    # An unpaid debt has something barred (its interest, with the main claim) exactly when its
    # due date is on the review's one date or before.
    through = last_barred_due_date("pl", as_of, pl_years=2)
    assert through is not None
    bar = limitation("pl", due_date=due, settled_on=None, as_of=as_of, pl_years=2)
    assert bar is not None
    assert (bar.main_claim_time_barred_from <= as_of) == (due <= through)


@settings(max_examples=200, deadline=None)
@given(
    due=st.dates(date(2012, 1, 1), date(2026, 12, 31)),
    delay=st.integers(1, 2000),
    after=st.integers(0, 3000),
    paid=st.booleans(),
)
def test_two_years_never_bar_less_than_three(due: date, delay: int, after: int,
                                              paid: bool) -> None:
    settled = due + timedelta(days=delay)
    as_of = settled + timedelta(days=after)
    two = limitation("pl", due_date=due, settled_on=settled if paid else None, as_of=as_of,
                     pl_years=2)
    three = limitation("pl", due_date=due, settled_on=settled if paid else None, as_of=as_of)
    assert two is not None
    assert three is not None
    # The compensation keeps its three years; the main claim is barred no later.
    assert two.time_barred_from == three.time_barred_from
    assert two.compensation_time_barred == three.compensation_time_barred
    assert two.main_claim_time_barred_from <= three.main_claim_time_barred_from
    assert (two.interest_barred_through or date.min) >= (three.interest_barred_through
                                                         or date.min)


@pytest.mark.parametrize(
    ("lang", "runs", "lost"),
    [
        ("en", "interest keeps running until it is paid",
         "An invoice left unpaid until its debt was time-barred lost its interest with it"),
        ("pl", "biegną one dalej aż do dnia zapłaty",
         "Odsetki od faktury niezapłaconej do dnia przedawnienia należności głównej "
         "przedawniły się wraz z nią"),
    ],
)
def test_the_letter_does_not_say_interest_runs_on_a_barred_debt(
    lang: str, runs: str, lost: str
) -> None:
    # Unpaid, its debt barred on 1 January 2024: no interest to claim, none enforceable; the
    # note said "interest keeps running until it is paid" (review of cb05009).
    page = " ".join(html.unescape(render_claim(barred_with_the_debt(), "html", lang=lang))
                    .split())
    assert runs not in page
    assert lost in page
    # Before its bar (as of 30 June 2023) the open debt's interest runs on, as it said.
    before = claim(books(unpaid()), "acme", as_of=date(2023, 6, 30), policy=TWO)
    page = " ".join(html.unescape(render_claim(before, "html", lang=lang)).split())
    assert runs in page
    assert lost not in page
