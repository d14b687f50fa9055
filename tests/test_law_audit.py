"""An audit of the law of lateness, to the day: where a Polish payment term really ends.

Art. 115 KC (in force since 1 January 2017 for Saturdays): "Jeżeli koniec terminu do wykonania
czynności przypada na dzień uznany ustawowo za wolny od pracy lub na sobotę, termin upływa
następnego dnia, który nie jest dniem wolnym od pracy ani sobotą" (text quoted at
https://prawolasu.com/termin-zaplaty-w-dniu-wolnym-od-pracy/ and
http://houselex.pl/blog/wiecej-czasu-na-zaplate-czyli-wazna-zmiana-w-kodeksie-cywilnym). The
days free from work are those of the act of 18 January 1951 (Sundays, 1 January, 6 January
from 2011, Easter Sunday and Monday, 1 and 3 May, Pentecost, Corpus Christi, 15 August, 1 and
11 November, 25 and 26 December, and 24 December from 2025). A debtor who pays on the moved
day pays on time, so interest for delay runs from the day after it; the debt falls due (art.
10 ust. 1a of the 2013 Act, art. 120 KC) when that term ends.

Every expected value is worked out by hand in the comment beside it, from the weekday of each
date and the packaged rate rows (PL 2025-H2 15.25%, 2026-H1 14.00%; UK 2025-H2 12.25%; EU
2025-H2 10.15%: docs/metrics/cost.md). Interest is ``principal x rate x days / 365``.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.claims import ClaimError, claim
from clientguard.ledger import Ledger
from clientguard.metrics.cost import (
    Jurisdiction,
    fixed_compensation,
    last_barred_due_date,
    lateness_costs,
    limitation,
    statutory_interest,
    time_barred_from,
)
from clientguard.metrics.cost.polish_calendar import is_polish_day_off, polish_term_end
from clientguard.policy import Policy
from clientguard.testing import customer, invoice, ledger

D = Decimal


# --- art. 115 KC: where the term ends -------------------------------------------------------


@pytest.mark.parametrize(
    ("due", "term_end"),
    [
        # Saturday 1 November 2025, All Saints' Day too; Sunday 2nd: Monday 3 November.
        pytest.param(date(2025, 11, 1), date(2025, 11, 3), id="saturday-holiday"),
        # Easter Sunday 20 April 2025, Easter Monday 21st: Tuesday 22 April.
        pytest.param(date(2025, 4, 20), date(2025, 4, 22), id="easter"),
        # Corpus Christi, Thursday 19 June 2025 (Easter + 60 days): Friday 20 June.
        pytest.param(date(2025, 6, 19), date(2025, 6, 20), id="corpus-christi"),
        # Wednesday 24 December 2025, a day free from work from 2025; 25th, 26th holidays,
        # 27th Saturday, 28th Sunday: Monday 29 December.
        pytest.param(date(2025, 12, 24), date(2025, 12, 29), id="christmas-eve-2025"),
        # Tuesday 24 December 2024: not yet a day free from work; the term ends that day.
        pytest.param(date(2024, 12, 24), date(2024, 12, 24), id="christmas-eve-2024"),
        # Saturday 30 December 2023; Sunday 31st; 1 January a holiday: Tuesday 2 January 2024.
        pytest.param(date(2023, 12, 30), date(2024, 1, 2), id="across-new-year"),
        # Saturday 24 December 2016: before 2017 a Saturday did not move a term.
        pytest.param(date(2016, 12, 24), date(2016, 12, 24), id="saturday-before-2017"),
        # Friday 13 June 2025, a business day: unchanged.
        pytest.param(date(2025, 6, 13), date(2025, 6, 13), id="business-day"),
    ],
)
def test_a_polish_term_ending_on_a_saturday_or_holiday_ends_on_the_next_business_day(
    due: date, term_end: date
) -> None:
    assert polish_term_end(due) == term_end


@given(st.dates(min_value=date(2017, 1, 1), max_value=date(2030, 12, 31)))
def test_the_moved_term_is_the_first_business_day_from_the_due_date(due: date) -> None:
    end = polish_term_end(due)
    # Never earlier, at most five days later (24 December 2025 to 29 December is the longest).
    assert due <= end <= due + timedelta(days=5)
    assert end.weekday() < 5
    assert not is_polish_day_off(end)
    skipped = [due + timedelta(days=n) for n in range((end - due).days)]
    assert all(day.weekday() == 5 or is_polish_day_off(day) for day in skipped)


# --- statutory interest from the day after the moved term ---------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "due", "paid", "principal", "first_day", "days", "rounded"),
    [
        # PLN 10,000 due Saturday 1 November 2025, paid Monday 3 November: on time, no interest.
        pytest.param("pl", date(2025, 11, 1), date(2025, 11, 3), "10000", None, 0, D("0.00"),
                     id="pl-paid-on-the-moved-day"),
        # Paid Monday 10 November: 4-10 November, 7 days at 15.25% (2025-H2):
        # 10000 x 15.25 x 7 / 36500 = 1067500/36500 = 29.2465... -> 29.25 (not 9 days, 37.60).
        pytest.param("pl", date(2025, 11, 1), date(2025, 11, 10), "10000", date(2025, 11, 4),
                     7, D("29.25"), id="pl-a-week-after"),
        # PLN 5,000 due Wednesday 24 December 2025 (term ends Monday 29 December), paid Monday
        # 5 January 2026: 30-31 December, 2 days at 15.25%, and 1-5 January, 5 days at 14.00%:
        # 5000 x (15.25 x 2 + 14.00 x 5) / 36500 = 502500/36500 = 13.7671... -> 13.77.
        pytest.param("pl", date(2025, 12, 24), date(2026, 1, 5), "5000", date(2025, 12, 30),
                     7, D("13.77"), id="pl-christmas-eve"),
        # The UK act runs interest from the day after the due date (s.4(2)), whatever the day:
        # GBP 1,000 due Saturday 1 November 2025, paid 10 November: 2-10 November, 9 days at
        # 12.25% (base 4.25 on 30 June 2025 + 8): 1000 x 12.25 x 9 / 36500 = 3.0205 -> 3.02.
        pytest.param("uk", date(2025, 11, 1), date(2025, 11, 10), "1000", date(2025, 11, 2),
                     9, D("3.02"), id="uk-unmoved"),
        # The EU baseline likewise (national calendars differ): EUR 1,000, 9 days at 10.15%:
        # 1000 x 10.15 x 9 / 36500 = 91350/36500 = 2.5027 -> 2.50.
        pytest.param("eu", date(2025, 11, 1), date(2025, 11, 10), "1000", date(2025, 11, 2),
                     9, D("2.50"), id="eu-unmoved"),
    ],
)
def test_interest_runs_from_the_day_after_the_term_ended(
    jurisdiction: Jurisdiction, due: date, paid: date, principal: str, first_day: date | None,
    days: int, rounded: Decimal,
) -> None:
    result = statutory_interest(
        jurisdiction=jurisdiction, due_date=due,
        balances=[(due, principal), (paid, 0)], until=paid,
    )
    assert (result.periods[0].start if result.periods else None) == first_day
    assert result.days_late == days
    assert sum(p.days for p in result.periods) == days
    assert result.rounded("PLN") == rounded


@given(
    due=st.dates(min_value=date(2017, 1, 1), max_value=date(2026, 11, 30)),
    extra=st.integers(min_value=0, max_value=20),
)
def test_a_polish_debt_bears_interest_only_for_the_days_after_its_term(
    due: date, extra: int
) -> None:
    paid = polish_term_end(due) + timedelta(days=extra)
    # Paid on the due date itself: nothing is outstanding at the end of it.
    balances = [(due, D(1000)), (paid, D(0))] if paid > due else [(due, D(0))]
    result = statutory_interest(jurisdiction="pl", due_date=due, balances=balances, until=paid)
    assert result.days_late == extra
    assert sum(p.days for p in result.periods) == extra
    assert (result.amount == 0) == (extra == 0)


# --- the compensation's exchange-rate day -------------------------------------------------


@pytest.mark.parametrize(
    ("due", "rule_date"),
    [
        # Saturday 31 January 2026: the term ends Monday 2 February, so the debt falls due in
        # February and the rate is that of Friday 30 January 2026 (not Wednesday 31 December).
        pytest.param(date(2026, 1, 31), date(2026, 1, 30), id="saturday-month-end"),
        # Sunday 31 August 2025: Monday 1 September; rate of Friday 29 August (not 31 July).
        pytest.param(date(2025, 8, 31), date(2025, 8, 29), id="sunday-month-end"),
        # Sunday 31 December 2023: Tuesday 2 January 2024; rate of Friday 29 December 2023.
        pytest.param(date(2023, 12, 31), date(2023, 12, 29), id="into-the-new-year"),
        # Saturday 1 November 2025: Monday 3 November, same month: Friday 31 October.
        pytest.param(date(2025, 11, 1), date(2025, 10, 31), id="same-month"),
    ],
)
def test_the_compensation_uses_the_table_before_the_month_the_term_ended(
    due: date, rule_date: date
) -> None:
    result = fixed_compensation(jurisdiction="pl", amount="1000", currency="PLN", due_date=due)
    assert result.rule_date == rule_date


# --- limitation: the claim falls due after the moved term ---------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "due", "as_of", "barred_from", "barred"),
    [
        # Due Saturday 30 December 2023: the term ends Tuesday 2 January 2024, the claim falls
        # due on 3 January 2024, three years to the end of 2027 (art. 118 KC): barred from
        # 1 January 2028, so not yet on 1 June 2027.
        pytest.param("pl", date(2023, 12, 30), date(2027, 6, 1), date(2028, 1, 1), False,
                     id="pl-moved-into-2024"),
        # Due Friday 29 December 2023: falls due 30 December 2023, barred from 1 January 2027.
        pytest.param("pl", date(2023, 12, 29), date(2027, 6, 1), date(2027, 1, 1), True,
                     id="pl-friday"),
        # UK: no move; the cause of action accrues on 31 December 2023, six years end on
        # 31 December 2029, barred from 1 January 2030 (Limitation Act 1980 s.5).
        pytest.param("uk", date(2023, 12, 30), date(2027, 6, 1), date(2030, 1, 1), False,
                     id="uk-unmoved"),
    ],
)
def test_limitation_runs_from_the_day_after_the_term_ended(
    jurisdiction: Jurisdiction, due: date, as_of: date, barred_from: date, barred: bool
) -> None:
    result = limitation(jurisdiction, due_date=due, settled_on=None, as_of=as_of)
    assert result is not None
    assert (result.time_barred_from, result.compensation_time_barred) == (barred_from, barred)


def test_the_last_barred_due_date_skips_terms_moved_into_the_next_year() -> None:
    # As of 1 June 2027 the claims that fell due by 31 December 2023 are barred. Friday 29
    # December 2023 falls due on the 30th: barred. Saturday 30 and Sunday 31 December end
    # their terms on 2 January 2024: not barred.
    assert last_barred_due_date("pl", date(2027, 6, 1)) == date(2023, 12, 29)
    assert time_barred_from("pl", date(2023, 12, 30)) == date(2027, 1, 1)


# --- a review: no compensation for a debt paid on the moved day -----------------------------


def test_a_polish_debt_paid_on_the_moved_day_owes_no_compensation() -> None:
    # PLN 10,000 due Saturday 1 November 2025, paid Monday 3 November: on time by art. 115 KC.
    # No interest and no EUR 70: art. 10 ust. 1 grants it only for a debt paid late.
    books = ledger(
        customer("gdansk"),
        invoice("gdansk", issued="2025-10-02", due="2025-11-01", paid="2025-11-03",
                total="10000.00", currency="PLN", id="FV/1"),
        base_currency="PLN",
    )
    costs = lateness_costs(books, as_of=date(2025, 12, 1), policy=Policy(jurisdiction="pl"))
    items = [item for cost in costs.values() for item in cost.invoices]
    assert all(item.compensation is None for item in items)


# --- a claim: an invoice paid by the moved day is not on it --------------------------------


def _moved() -> Ledger:
    # FV/1: PLN 10,000 due Saturday 1 November 2025 (All Saints' Day too), paid Monday 3
    # November: on time by art. 115 KC. FV/2: PLN 1,000 due Friday 10 October, paid 20
    # October: 10 days late.
    return ledger(
        customer("gdansk"),
        invoice("gdansk", issued="2025-10-02", due="2025-11-01", paid="2025-11-03",
                total="10000.00", currency="PLN", id="FV/1"),
        invoice("gdansk", issued="2025-10-02", due="2025-10-10", paid="2025-10-20",
                total="1000.00", currency="PLN", id="FV/2"),
        base_currency="PLN",
    )


def test_a_claim_leaves_out_an_invoice_paid_by_the_end_of_its_moved_term() -> None:
    made = claim(_moved(), "gdansk", as_of=date(2025, 12, 1), policy=Policy(jurisdiction="pl"))
    assert [line.number for line in made.invoices] == ["FV/2"]


@pytest.mark.parametrize(("as_of", "paid"), [
    (date(2025, 12, 1), ", and it was paid 2025-11-03"),
])
def test_a_claim_on_an_invoice_paid_by_the_end_of_its_moved_term_is_refused(
    as_of: date, paid: str
) -> None:
    with pytest.raises(ClaimError) as caught:
        claim(_moved(), "gdansk", as_of=as_of, policy=Policy(jurisdiction="pl"),
              invoices=["FV/1"])
    assert str(caught.value) == (
        f"invoice FV/1 of Gdansk is not late in law as of {as_of}: due 2025-11-01, a Saturday "
        f"or a day free from work, its term ends 2025-11-03 (art. 115 KC){paid}; there is "
        "nothing to claim on it")


def test_an_open_invoice_is_claimed_only_once_its_moved_term_has_ended() -> None:
    # PLN 1,000 due Saturday 7 March 2026, open: on Sunday 8 March its term (Monday 9 March)
    # has not ended; on Tuesday 10 March it is one day late in law.
    books = ledger(customer("gdansk"),
                   invoice("gdansk", issued="2026-02-05", due="2026-03-07", total="1000.00",
                           currency="PLN", id="FV/3"),
                   base_currency="PLN")
    policy = Policy(jurisdiction="pl")
    early = claim(books, "gdansk", as_of=date(2026, 3, 8), policy=policy)
    assert early.invoices == ()
    with pytest.raises(ClaimError, match="its term ends 2026-03-09"):
        claim(books, "gdansk", as_of=date(2026, 3, 8), policy=policy, invoices=["FV/3"])
    (line,) = claim(books, "gdansk", as_of=date(2026, 3, 10), policy=policy).invoices
    assert line.days_late == 1
