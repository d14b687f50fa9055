"""Cost of lateness: statutory interest, fixed compensation, financing cost, the rate tables.

Every expected number is worked out by hand in the comment beside it, from the legal rule and
the table row it uses, never copied from the implementation's output.
"""

from __future__ import annotations

import itertools
import json
import pickle
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from clientguard.errors import DataError
from clientguard.metrics.cost import (
    JURISDICTIONS,
    BalanceStep,
    DayCount,
    Jurisdiction,
    RatePeriod,
    RateTable,
    financing_cost,
    fixed_compensation,
    last_polish_business_day_before,
    statutory_interest,
)
from clientguard.money import FxTable

REPO = Path(__file__).resolve().parents[1]
SHARED_VECTORS = REPO.parent / "shared" / "reference" / "metrics" / "test_vectors.json"
TINY = Decimal("1e-20")

D = Decimal


def close(actual: Decimal, expected: Decimal) -> bool:
    """Equal up to the last of Decimal's 28 significant digits (sums of divided parts)."""
    return abs(actual - expected) < TINY


@dataclass
class FakeFx:
    """A minimal FxRates: fixed rates to one base currency, whatever the date; records asks."""

    base: str
    rates: dict[str, Decimal]
    asked: list[tuple[str, date]] = field(default_factory=list)

    def rate(self, currency: str, on: date) -> Decimal:
        self.asked.append((currency, on))
        return D(1) if currency == self.base else self.rates[currency]


# --- statutory interest: the rate steps with the half-year (PL, EU) -------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "due", "until", "principal", "periods", "exact", "rounded"),
    [
        pytest.param(
            # Due Sunday 15 June 2025, paid 20 July 2025, PLN 10,000.00. Art. 115 KC ends the
            # term on Monday 16 June; interest from 17 June.
            # 17-30 June: 14 days at 15.75% (H1 2025: NBP ref 5.75 on 1 Jan + 10)
            #   10000 x 15.75 x 14 / 36500 = 2205000/36500 = 60.4109...
            # 1-20 July: 20 days at 15.25% (H2 2025: ref 5.25 on 1 Jul + 10)
            #   10000 x 15.25 x 20 / 36500 = 3050000/36500 = 83.5616...
            # total 5255000/36500 = 52550/365 = 143.9726... -> 143.97
            "pl",
            date(2025, 6, 15),
            date(2025, 7, 20),
            "10000.00",
            [
                (date(2025, 6, 17), date(2025, 6, 30), 14, D("15.75")),
                (date(2025, 7, 1), date(2025, 7, 20), 20, D("15.25")),
            ],
            D(52550) / D(365),
            D("143.97"),
            id="pl-h1-to-h2-2025",
        ),
        pytest.param(
            # Across a year end: due 20 Dec 2021, until 10 Jan 2022, PLN 20,000.
            # 21-31 Dec: 11 days at 10.10% (ref 0.10 on 1 Jul 2021 + 10; the autumn hikes
            #   do not reach a rate fixed on 1 July): 20000 x 10.10 x 11 / 36500 = 2222000/36500
            # 1-10 Jan: 10 days at 11.75% (ref 1.75 on 1 Jan 2022 + 10)
            #   20000 x 11.75 x 10 / 36500 = 2350000/36500
            # total 4572000/36500 = 125.2602... -> 125.26
            "pl",
            date(2021, 12, 20),
            date(2022, 1, 10),
            20000,
            [
                (date(2021, 12, 21), date(2021, 12, 31), 11, D("10.10")),
                (date(2022, 1, 1), date(2022, 1, 10), 10, D("11.75")),
            ],
            D(4572000) / D(36500),
            D("125.26"),
            id="pl-year-end-2021",
        ),
        pytest.param(
            # EU baseline: due 20 June 2023, until 5 July 2023, EUR 1,000.
            # 21-30 June: 10 days at 10.50% (ECB MRO 2.50 on 1 Jan 2023 + 8): 1050/365
            # 1-5 July: 5 days at 12.00% (ECB MRO 4.00 on 1 Jul 2023 + 8): 600/365
            # total 1650/365 = 4.5205... -> 4.52
            "eu",
            date(2023, 6, 20),
            date(2023, 7, 5),
            "1000",
            [
                (date(2023, 6, 21), date(2023, 6, 30), 10, D("10.50")),
                (date(2023, 7, 1), date(2023, 7, 5), 5, D("12.00")),
            ],
            D(1650) / D(365),
            D("4.52"),
            id="eu-h1-to-h2-2023",
        ),
    ],
)
def test_statutory_interest_steps_with_the_half_year(
    jurisdiction: Jurisdiction,
    due: date,
    until: date,
    principal: str,
    periods: list[tuple[date, date, int, Decimal]],
    exact: Decimal,
    rounded: Decimal,
) -> None:
    result = statutory_interest(
        jurisdiction=jurisdiction, due_date=due, balances=[(due, principal)], until=until
    )
    assert [(p.start, p.end, p.days, p.rate_pct) for p in result.periods] == periods
    assert close(result.amount, exact)
    assert result.rounded("EUR" if jurisdiction == "eu" else "PLN") == rounded
    # The days of delay are those of the periods: from the day after the term ended.
    assert result.days_late == sum(p[2] for p in periods)
    assert result.rate_reference_date is None
    assert result.unconfirmed_periods == ()


# --- statutory interest: an invoice paid in parts ---------------------------------------------


@pytest.mark.parametrize(
    ("due", "balances", "until", "periods", "exact", "rounded"),
    [
        pytest.param(
            # PLN 12,000 due Sunday 10 Mar 2024 (H1 2024: 15.75%); 4,000 paid 25 Mar, 8,000 on
            # 30 Apr. Art. 115 KC ends the term on Monday 11 March; interest from 12 March.
            # 12-25 Mar: 14 days on 12,000 (the payment day still bears the old balance)
            #   12000 x 15.75 x 14 / 36500 = 2646000/36500
            # 26 Mar-30 Apr: 6 + 30 = 36 days on 8,000: 8000 x 15.75 x 36 / 36500 = 4536000/36500
            # total 7182000/36500 = 196.7671... -> 196.77 (a 2024 leap year still divides by 365)
            date(2024, 3, 10),
            [
                (date(2024, 3, 10), "12000.00"),
                (date(2024, 3, 25), "8000.00"),
                (date(2024, 4, 30), 0),
            ],
            date(2024, 4, 30),
            [
                (date(2024, 3, 12), date(2024, 3, 25), 14, D("12000.00"), D("15.75")),
                (date(2024, 3, 26), date(2024, 4, 30), 36, D("8000.00"), D("15.75")),
            ],
            D(7182000) / D(36500),
            D("196.77"),
            id="two-payments",
        ),
        pytest.param(
            # The same debt looked at until 31 May: the days after full payment add nothing.
            date(2024, 3, 10),
            [
                (date(2024, 3, 10), "12000.00"),
                (date(2024, 3, 25), "8000.00"),
                (date(2024, 4, 30), 0),
            ],
            date(2024, 5, 31),
            [
                (date(2024, 3, 12), date(2024, 3, 25), 14, D("12000.00"), D("15.75")),
                (date(2024, 3, 26), date(2024, 4, 30), 36, D("8000.00"), D("15.75")),
            ],
            D(7182000) / D(36500),
            D("196.77"),
            id="until-after-full-payment",
        ),
        pytest.param(
            # PLN 9,000 due 20 Jun 2025; 3,000 paid 30 Jun, the 6,000 left paid 15 Jul.
            # 21-30 Jun: 10 days on 9,000 at 15.75%: 9000 x 15.75 x 10 / 36500 = 1417500/36500
            # 1-15 Jul: 15 days on 6,000 at 15.25%: 6000 x 15.25 x 15 / 36500 = 1372500/36500
            # total 2790000/36500 = 76.4383... -> 76.44
            date(2025, 6, 20),
            [(date(2025, 6, 1), 9000), (date(2025, 6, 30), 6000), (date(2025, 7, 15), 0)],
            date(2025, 7, 15),
            [
                (date(2025, 6, 21), date(2025, 6, 30), 10, D(9000), D("15.75")),
                (date(2025, 7, 1), date(2025, 7, 15), 15, D(6000), D("15.25")),
            ],
            D(2790000) / D(36500),
            D("76.44"),
            id="payment-and-half-year-change",
        ),
    ],
)
def test_statutory_interest_on_an_invoice_paid_in_parts(
    due: date,
    balances: list[BalanceStep],
    until: date,
    periods: list[tuple[date, date, int, Decimal, Decimal]],
    exact: Decimal,
    rounded: Decimal,
) -> None:
    result = statutory_interest(jurisdiction="pl", due_date=due, balances=balances, until=until)
    assert [(p.start, p.end, p.days, p.principal, p.rate_pct) for p in result.periods] == periods
    assert close(result.amount, exact)
    assert result.rounded("PLN") == rounded


# --- statutory interest: UK, one rate fixed by when the debt became overdue -------------------


@pytest.mark.parametrize(
    ("due", "until", "principal", "rate_pct", "reference_date", "exact", "rounded"),
    [
        pytest.param(
            # Overdue in February: interest starts 15 Feb 2023, so the base rate on
            # 31 Dec 2022 (3.50%) + 8 = 11.50%. 15-28 Feb (14) + 1-16 Mar (16) = 30 days.
            # 2000 x 11.50 x 30 / 36500 = 690000/36500 = 18.9041... -> 18.90
            date(2023, 2, 14),
            date(2023, 3, 16),
            "2000.00",
            D("11.50"),
            date(2022, 12, 31),
            D(690000) / D(36500),
            D("18.90"),
            id="overdue-in-february",
        ),
        pytest.param(
            # Overdue in August 2022: base rate on 30 Jun 2022 (1.25%) + 8 = 9.25%, kept into
            # 2023 although H1 2023 has 11.50%. 11-31 Aug (21) + 30 + 31 + 30 + 31 + 20 = 163.
            # 10000 x 9.25 x 163 / 36500 = 15077500/36500 = 413.0821... -> 413.08
            date(2022, 8, 10),
            date(2023, 1, 20),
            "10000.00",
            D("9.25"),
            date(2022, 6, 30),
            D(15077500) / D(36500),
            D("413.08"),
            id="overdue-in-august-runs-into-next-year",
        ),
        pytest.param(
            # Due 31 May 2023, interest starts 1 June (H1 2023, 11.50%) and runs to 31 July
            # through H2 2023 (13.00%) at the one H1 rate: 30 + 31 = 61 days.
            # 5000 x 11.50 x 61 / 36500 = 3507500/36500 = 96.0958... -> 96.10
            date(2023, 5, 31),
            date(2023, 7, 31),
            "5000",
            D("11.50"),
            date(2022, 12, 31),
            D(3507500) / D(36500),
            D("96.10"),
            id="delay-crosses-1-july",
        ),
        pytest.param(
            # Due 30 Jun 2023: interest starts 1 July, so the 30 June rate (5.00% + 8 = 13.00%).
            # 1-10 Jul: 10 days. 1000 x 13.00 x 10 / 36500 = 130000/36500 = 3.5616... -> 3.56
            date(2023, 6, 30),
            date(2023, 7, 10),
            "1000",
            D("13.00"),
            date(2023, 6, 30),
            D(130000) / D(36500),
            D("3.56"),
            id="due-on-30-june",
        ),
    ],
)
def test_uk_rate_is_fixed_by_the_day_interest_starts(
    due: date,
    until: date,
    principal: str,
    rate_pct: Decimal,
    reference_date: date,
    exact: Decimal,
    rounded: Decimal,
) -> None:
    result = statutory_interest(
        jurisdiction="uk", due_date=due, balances=[(due, principal)], until=until
    )
    assert len(result.periods) == 1
    (period,) = result.periods
    assert (period.start, period.end, period.days) == (
        due + timedelta(days=1),
        until,
        (until - due).days,
    )
    assert period.rate_pct == rate_pct
    assert result.rate_reference_date == reference_date
    assert close(result.amount, exact)
    assert result.rounded("GBP") == rounded


def test_uk_partial_payment_keeps_the_one_rate() -> None:
    # GBP 3,000 due 10 Aug 2022 (9.25% for the whole debt); 1,000 paid 9 Sep 2022, rest
    # 31 Jan 2023. 11 Aug-9 Sep: 21 + 9 = 30 days on 3,000; 10 Sep-31 Jan: 21 + 31 + 30 + 31
    # + 31 = 144 days on 2,000, still at 9.25% in 2023.
    # 3000 x 9.25 x 30 / 36500 + 2000 x 9.25 x 144 / 36500 = (832500 + 2664000) / 36500
    # = 3496500/36500 = 95.7945... -> 95.79
    result = statutory_interest(
        jurisdiction="uk",
        due_date=date(2022, 8, 10),
        balances=[(date(2022, 8, 10), 3000), (date(2022, 9, 9), 2000), (date(2023, 1, 31), 0)],
        until=date(2023, 1, 31),
    )
    assert [(p.days, p.principal, p.rate_pct) for p in result.periods] == [
        (30, D(3000), D("9.25")),
        (144, D(2000), D("9.25")),
    ]
    assert close(result.amount, D(3496500) / D(36500))
    assert result.rounded("GBP") == D("95.79")


# --- day count, medical debtor, the working -----------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "due", "until", "principal", "day_count", "exact", "rounded"),
    [
        pytest.param(
            # The first PL case on a 360-day year: 52550/360 = 145.9722... -> 145.97
            "pl",
            date(2025, 6, 15),
            date(2025, 7, 20),
            "10000.00",
            360,
            D(52550) / D(360),
            D("145.97"),
            id="360",
        ),
        pytest.param(
            # "actual": EUR 36,500 due 21 Dec 2023. 22-31 Dec: 10 days at 12.00% / 365
            # = 36500 x 0.12 x 10 / 365 = 120; 1-10 Jan 2024: 10 days at 12.50% / 366 (leap)
            # = 36500 x 0.125 x 10 / 366 = 45625/366 = 124.6584...; total 244.6584... -> 244.66
            "eu",
            date(2023, 12, 21),
            date(2024, 1, 10),
            "36500",
            "actual",
            D(120) + D(45625) / D(366),
            D("244.66"),
            id="actual",
        ),
    ],
)
def test_day_count_is_configurable(
    jurisdiction: Jurisdiction,
    due: date,
    until: date,
    principal: str,
    day_count: DayCount,
    exact: Decimal,
    rounded: Decimal,
) -> None:
    result = statutory_interest(
        jurisdiction=jurisdiction,
        due_date=due,
        balances=[(due, principal)],
        until=until,
        day_count=day_count,
    )
    assert close(result.amount, exact)
    assert result.rounded("EUR") == rounded


def test_medical_public_debtor_rate_in_poland() -> None:
    # 2022 H2: 14% for a public medical debtor (ref 6.00 + 8). PLN 36,500 for 10 days:
    # 36500 x 14 x 10 / 36500 = 140.00
    result = statutory_interest(
        jurisdiction="pl",
        due_date=date(2022, 9, 1),
        balances=[(date(2022, 9, 1), 36500)],
        until=date(2022, 9, 11),
        medical_public_debtor=True,
    )
    assert result.periods[0].rate_pct == D("14.00")
    assert result.rounded("PLN") == D("140.00")


def test_not_late_means_no_interest() -> None:
    result = statutory_interest(
        jurisdiction="pl",
        due_date=date(2025, 3, 31),
        balances=[(date(2025, 3, 31), 1000)],
        until=date(2025, 3, 31),
    )
    assert result.amount == 0
    assert result.periods == ()
    assert result.days_late == 0


def test_the_working_cites_its_rows_and_flags_unconfirmed_rates() -> None:
    # H2 2026 in the Polish table is not confirmed: a result that uses it says so.
    result = statutory_interest(
        jurisdiction="pl",
        due_date=date(2026, 6, 20),
        balances=[(date(2026, 6, 20), 1000)],
        until=date(2026, 7, 10),
    )
    rows = [p.rate_period for p in result.periods]
    assert [row.label for row in rows] == ["2026-H1", "2026-H2"]
    assert [row.evidence for row in rows] == ["derived", "unconfirmed"]
    assert all(row.source for row in rows)
    assert result.unconfirmed_periods == ("2026-H2",)
    dumped = json.loads(result.model_dump_json())
    assert dumped["periods"][1]["rate_period"]["evidence"] == "unconfirmed"


@given(
    due=st.dates(min_value=date(2016, 1, 1), max_value=date(2026, 6, 30)),
    first=st.integers(min_value=0, max_value=200),
    extra=st.integers(min_value=0, max_value=200),
    cents=st.integers(min_value=1, max_value=10**9),
    jurisdiction=st.sampled_from(JURISDICTIONS),
)
def test_interest_never_falls_as_the_delay_grows(
    due: date, first: int, extra: int, cents: int, jurisdiction: Jurisdiction
) -> None:
    principal = D(cents).scaleb(-2)

    def interest(days: int) -> Decimal:
        until = min(due + timedelta(days=days), date(2026, 12, 31))
        return statutory_interest(
            jurisdiction=jurisdiction, due_date=due, balances=[(due, principal)], until=until
        ).amount

    shorter, longer = interest(first), interest(first + extra)
    assert 0 <= shorter <= longer


# --- statutory interest: errors -------------------------------------------------------------


def test_a_period_missing_from_a_user_table_names_the_period() -> None:
    only_h1 = RateTable(
        [{"period_start": "2024-01-01", "period_end": "2024-06-30", "statutory_rate_pct": "15.75"}],
        name="my table",
    )
    with pytest.raises(DataError, match=r"my table: no rate for 2024-07-01 \(period 2024-H2"):
        statutory_interest(
            jurisdiction="pl",
            due_date=date(2024, 6, 20),
            balances=[(date(2024, 6, 20), 1000)],
            until=date(2024, 7, 5),
            table=only_h1,
        )
    # The UK convention needs the row of the half-year interest starts in, here 2024-H2.
    with pytest.raises(DataError, match="2024-H2"):
        statutory_interest(
            jurisdiction="uk",
            due_date=date(2024, 6, 30),
            balances=[(date(2024, 6, 30), 1000)],
            until=date(2024, 7, 5),
            table=only_h1,
        )


def test_a_gap_inside_a_user_table_is_an_error_not_a_zero() -> None:
    table = RateTable(
        [
            {"period_start": "2024-01-01", "period_end": "2024-06-30", "statutory_rate_pct": "10"},
            {"period_start": "2025-01-01", "period_end": "2025-06-30", "statutory_rate_pct": "10"},
        ]
    )
    with pytest.raises(DataError, match=r"no rate for 2024-07-01 .*covers 2024-01-01..2024-06-30"):
        statutory_interest(
            jurisdiction="eu",
            due_date=date(2024, 6, 1),
            balances=[(date(2024, 6, 1), 100)],
            until=date(2025, 2, 1),
            table=table,
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"balances": [(date(2025, 1, 31), 1000.0)]}, "float", id="float-balance"),
        pytest.param({"balances": [(date(2025, 1, 31), -5)]}, "negative", id="negative"),
        pytest.param({"balances": []}, "empty", id="no-balances"),
        pytest.param(
            {"balances": [(date(2025, 1, 31), 10), (date(2025, 1, 20), 5)]},
            "date order",
            id="out-of-order",
        ),
        pytest.param(
            {"balances": [(date(2025, 2, 1), 10)]}, "after the due date", id="starts-late"
        ),
        pytest.param({"jurisdiction": "de"}, "unknown jurisdiction", id="jurisdiction"),
        pytest.param({"day_count": 0}, "day_count", id="day-count"),
        pytest.param(
            {"jurisdiction": "uk", "medical_public_debtor": True}, "only in Polish", id="medical"
        ),
    ],
)
def test_statutory_interest_refuses_bad_input(kwargs: dict[str, Any], message: str) -> None:
    # Any: the rows pass wrong types on purpose, to check the runtime error.
    arguments: dict[str, Any] = {
        "jurisdiction": "pl",
        "due_date": date(2025, 1, 31),
        "balances": [(date(2025, 1, 31), 1000)],
        "until": date(2025, 3, 1),
    } | kwargs
    with pytest.raises(DataError, match=message):
        statutory_interest(**arguments)


# --- fixed compensation -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "amount", "currency", "due", "expected", "band"),
    [
        # Poland from 2020, art. 10 ust. 1: EUR 40 "nie przekracza 5000 zł", EUR 70 "wyższa
        # niż 5000 zł, ale niższa niż 50 000 zł", EUR 100 "równa lub wyższa od 50 000 zł".
        ("pl", "5000.00", "PLN", date(2025, 3, 15), D(40), "low"),
        ("pl", "5000.01", "PLN", date(2025, 3, 15), D(70), "middle"),
        ("pl", "49999.99", "PLN", date(2025, 3, 15), D(70), "middle"),
        ("pl", "50000.00", "PLN", date(2025, 3, 15), D(100), "high"),
        # Due before 2020: EUR 40 whatever the amount.
        ("pl", "50000.00", "PLN", date(2019, 12, 31), D(40), "flat"),
        # UK s.5A: GBP 40 below 1,000; 70 from 1,000 to below 10,000; 100 from 10,000.
        ("uk", "999.99", "GBP", date(2024, 5, 1), D(40), "low"),
        ("uk", "1000", "GBP", date(2024, 5, 1), D(70), "middle"),
        ("uk", "9999.99", "GBP", date(2024, 5, 1), D(70), "middle"),
        ("uk", "10000", "GBP", date(2024, 5, 1), D(100), "high"),
        # EU baseline: EUR 40 for any debt.
        ("eu", "100000", "EUR", date(2024, 5, 1), D(40), "flat"),
    ],
)
def test_compensation_bands_at_their_edges(
    jurisdiction: Jurisdiction, amount: str, currency: str, due: date, expected: Decimal,
    band: str,
) -> None:
    result = fixed_compensation(
        jurisdiction=jurisdiction, amount=amount, currency=currency, due_date=due
    )
    assert result.statutory_amount == expected
    assert result.band == band
    assert result.amount == expected
    assert result.statutory_currency == ("GBP" if jurisdiction == "uk" else "EUR")
    assert result.converted is False


def test_polish_compensation_without_fx_stays_in_eur_and_says_so() -> None:
    result = fixed_compensation(
        jurisdiction="pl", amount="12000", currency="PLN", due_date=date(2025, 3, 15)
    )
    assert (result.amount, result.currency, result.converted) == (D(70), "EUR", False)
    assert result.rule_date == date(2025, 2, 28)  # a Friday, the last business day of February
    assert "not converted" in result.note
    assert "2025-02-28" in result.note


def test_polish_compensation_converted_to_pln_at_the_rule_date() -> None:
    # EUR 70 (PLN 12,000 is in the middle band) at a test rate of 4.1512 PLN/EUR on 28 Feb 2025:
    # 70 x 4.1512 = 290.584 -> PLN 290.58. (The rate is made up for the test.)
    fx = FakeFx(base="PLN", rates={"EUR": D("4.1512")})
    result = fixed_compensation(
        jurisdiction="pl", amount="12000", currency="PLN", due_date=date(2025, 3, 15), fx=fx
    )
    assert (result.currency, result.converted, result.fx_rate) == ("PLN", True, D("4.1512"))
    assert result.amount == D("290.5840")
    assert result.rounded() == D("290.58")
    assert ("EUR", date(2025, 2, 28)) in fx.asked


def test_polish_compensation_bands_a_foreign_debt_in_pln() -> None:
    # EUR 2,000 at 4.1512 = PLN 8,302.40: above 5,000 and below 50,000, so EUR 70.
    # EUR 1,000 = PLN 4,151.20: not above 5,000, so EUR 40.
    fx = FakeFx(base="PLN", rates={"EUR": D("4.1512")})
    middle = fixed_compensation(
        jurisdiction="pl", amount="2000", currency="EUR", due_date=date(2025, 3, 15), fx=fx
    )
    low = fixed_compensation(
        jurisdiction="pl", amount="1000", currency="EUR", due_date=date(2025, 3, 15), fx=fx
    )
    assert (middle.debt, middle.statutory_amount) == (D("8302.4000"), D(70))
    assert (low.debt, low.statutory_amount) == (D("4151.2000"), D(40))


def test_compensation_works_with_the_ledger_fx_table_in_another_base() -> None:
    # A ledger in EUR: FxTable gives EUR per PLN (0.25), so PLN per EUR is 1 / 0.25 = 4.
    # PLN 1,000 is in the low band: EUR 40 x 4 = PLN 160.
    fx = FxTable(base="EUR", rates={"PLN": {date(2025, 2, 28): D("0.25")}})
    result = fixed_compensation(
        jurisdiction="pl", amount="1000", currency="PLN", due_date=date(2025, 3, 3), fx=fx
    )
    assert (result.amount, result.currency, result.fx_rate) == (D(160), "PLN", D(4))


def test_uk_compensation_converts_a_foreign_debt_to_gbp() -> None:
    # USD 1,300 at 0.80 GBP/USD on the due date = GBP 1,040: GBP 70.
    fx = FakeFx(base="GBP", rates={"USD": D("0.80")})
    result = fixed_compensation(
        jurisdiction="uk", amount="1300", currency="USD", due_date=date(2024, 5, 1), fx=fx
    )
    assert (result.debt, result.amount, result.currency) == (D("1040.00"), D(70), "GBP")
    assert fx.asked == [("USD", date(2024, 5, 1)), ("GBP", date(2024, 5, 1))]


@pytest.mark.parametrize(
    ("due", "rule_date"),
    [
        (date(2025, 3, 15), date(2025, 2, 28)),  # Friday
        (date(2025, 6, 10), date(2025, 5, 30)),  # 31 May 2025 is a Saturday
        (date(2018, 6, 5), date(2018, 5, 30)),  # 31 May 2018 was Corpus Christi (Thursday)
        (date(2024, 4, 2), date(2024, 3, 29)),  # 31 Mar 2024 Easter Sunday, 30th a Saturday
        (date(2026, 1, 15), date(2025, 12, 31)),  # a Wednesday, not a holiday
        (date(2025, 11, 20), date(2025, 10, 31)),  # Friday (1 Nov is in the next month)
    ],
)
def test_polish_rule_date_is_the_last_business_day_of_the_month_before(
    due: date, rule_date: date
) -> None:
    assert last_polish_business_day_before(due) == rule_date


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"amount": 1000.0}, "float", id="float"),
        pytest.param({"amount": "0"}, "positive", id="zero"),
        pytest.param({"currency": "pln"}, "unknown currency", id="lower-case"),
        pytest.param({"currency": "EUR"}, "pass fx", id="pl-foreign-debt-needs-fx"),
        pytest.param(
            {"jurisdiction": "uk", "currency": "USD"}, "pass fx", id="uk-foreign-debt-needs-fx"
        ),
    ],
)
def test_fixed_compensation_refuses_bad_input(kwargs: dict[str, Any], message: str) -> None:
    # Any: the rows pass wrong types on purpose, to check the runtime error.
    arguments: dict[str, Any] = {
        "jurisdiction": "pl",
        "amount": "1000",
        "currency": "PLN",
        "due_date": date(2025, 3, 15),
    } | kwargs
    with pytest.raises(DataError, match=message):
        fixed_compensation(**arguments)


# --- financing cost -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("amount", "days", "rate", "day_count", "exact", "rounded"),
    [
        # 10000 x 30 x 0.08 / 365 = 24000/365 = 65.7534... -> 65.75
        ("10000.00", 30, "0.08", 365, D(24000) / D(365), D("65.75")),
        # 10000 x 30 x 0.08 / 360 = 24000/360 = 66.666... -> 66.67
        ("10000.00", 30, "0.08", 360, D(24000) / D(360), D("66.67")),
        # Paid on time: nothing.
        ("10000.00", 0, "0.08", 365, D(0), D("0.00")),
    ],
)
def test_financing_cost(
    amount: str, days: int, rate: str, day_count: int, exact: Decimal, rounded: Decimal
) -> None:
    cost = financing_cost(amount=amount, days_late=days, cost_of_capital=rate, day_count=day_count)
    assert close(cost, exact)
    assert cost.quantize(D("0.01")) == rounded


@pytest.mark.parametrize(
    "kwargs",
    [
        {"amount": 100.0},
        {"cost_of_capital": 0.08},
        {"days_late": -1},
        {"days_late": 1.5},
        {"amount": "-1"},
        {"day_count": "actual"},
    ],
)
def test_financing_cost_refuses_bad_input(kwargs: dict[str, Any]) -> None:
    # Any: the rows pass wrong types on purpose, to check the runtime error.
    arguments: dict[str, Any] = {
        "amount": "100", "days_late": 10, "cost_of_capital": "0.08"
    } | kwargs
    with pytest.raises(DataError):
        financing_cost(**arguments)


# --- rate tables ------------------------------------------------------------------------------


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_packaged_tables_are_contiguous_half_years_from_2016(jurisdiction: Jurisdiction) -> None:
    rows = RateTable.packaged(jurisdiction).rows
    assert rows[0].period_start == date(2016, 1, 1)
    assert rows[-1].period_end >= date(2026, 6, 30)
    for row in rows:
        assert (row.period_start.month, row.period_start.day) in ((1, 1), (7, 1))
        half_end = (6, 30) if row.period_start.month == 1 else (12, 31)
        assert row.period_end == date(row.period_start.year, *half_end)
    for before, after in itertools.pairwise(rows):
        assert after.period_start == before.period_end + timedelta(days=1)


@pytest.mark.parametrize("jurisdiction", JURISDICTIONS)
def test_packaged_rates_are_reference_plus_margin_with_evidence(
    jurisdiction: Jurisdiction,
) -> None:
    for row in RateTable.packaged(jurisdiction).rows:
        assert row.reference_rate_pct is not None
        assert row.margin_pp is not None
        assert row.statutory_rate_pct == row.reference_rate_pct + row.margin_pp, row.label
        assert row.evidence in ("seen", "derived", "unconfirmed"), row.label
        assert row.source, row.label
        # Poland: + 8 pp until 2019, + 10 pp from 2020 (ustawa, art. 4 pkt 3); EU and UK: + 8.
        legal_margin = 10 if jurisdiction == "pl" and row.period_start.year >= 2020 else 8
        assert row.margin_pp == legal_margin, row.label
        if jurisdiction == "pl":
            # The public medical debtor pays ref + 8 pp (before 2020 everyone did).
            assert row.medical_public_debtor_rate_pct == row.reference_rate_pct + 8, row.label


def test_unconfirmed_rows_are_listed_in_the_docs() -> None:
    docs = (REPO / "docs" / "metrics" / "cost.md").read_text(encoding="utf-8")
    for jurisdiction in JURISDICTIONS:
        for row in RateTable.packaged(jurisdiction).rows:
            if row.evidence == "unconfirmed":
                assert f"{jurisdiction.upper()} {row.label}" in docs


def test_packaged_table_outside_its_range_names_the_period() -> None:
    with pytest.raises(DataError, match=r"no rate for 2015-12-31 \(period 2015-H2"):
        RateTable.packaged("pl").rate_for(date(2015, 12, 31))


def test_rate_for_is_a_fraction() -> None:
    # H1 2025 in Poland: 15.75% -> 0.1575; H2 2024 in the UK: 13.25% -> 0.1325.
    assert RateTable.packaged("pl").rate_for(date(2025, 3, 1)) == D("0.1575")
    assert RateTable.packaged("uk").rate_for(date(2024, 12, 31)) == D("0.1325")


def test_user_table_from_csv(tmp_path: Path) -> None:
    path = tmp_path / "belgium.csv"
    path.write_text(
        "period_start,period_end,statutory_rate_pct,evidence,source\n"
        "2024-01-01,2024-06-30,12.5,V,Belgian notice\n"
        "2024-07-01,2024-12-31,12.5,V,Belgian notice\n",
        encoding="utf-8",
    )
    table = RateTable.from_csv(path)
    assert table.name == str(path)
    assert table.rate_for(date(2024, 8, 1)) == D("0.125")
    assert table.row_for(date(2024, 8, 1)).source == "Belgian notice"
    assert pickle.loads(pickle.dumps(table)) == table


@pytest.mark.parametrize(
    ("text", "message"),
    [
        pytest.param("period_start,period_end\n", "missing column", id="missing-column"),
        pytest.param(
            "period_start,period_end,statutory_rate_pct,rate\n2024-01-01,2024-06-30,1,1\n",
            "unknown column",
            id="unknown-column",
        ),
        pytest.param(
            "period_start,period_end,statutory_rate_pct\n2024-13-01,2024-06-30,1\n",
            r"line 2: period_start '2024-13-01' is not an ISO date",
            id="bad-date",
        ),
        pytest.param(
            "period_start,period_end,statutory_rate_pct\n2024-01-01,2024-06-30,abc\n",
            "not a number",
            id="bad-rate",
        ),
        pytest.param(
            "period_start,period_end,statutory_rate_pct\n"
            "2024-01-01,2024-06-30,1\n2024-06-01,2024-12-31,1\n",
            "overlap",
            id="overlap",
        ),
        pytest.param(
            "period_start,period_end,statutory_rate_pct,evidence\n2024-01-01,2024-06-30,1,X\n",
            "evidence",
            id="bad-evidence",
        ),
        pytest.param(
            "period_start,period_end,statutory_rate_pct\n", "at least one row", id="empty"
        ),
    ],
)
def test_user_table_errors_name_the_problem(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=message):
        RateTable.from_csv(path)


def test_rate_period_refuses_a_float_rate() -> None:
    with pytest.raises(ValueError, match="float"):
        RatePeriod(
            period_start=date(2024, 1, 1), period_end=date(2024, 6, 30), statutory_rate_pct=12.5
        )


# --- the shared reference vectors (read from ../shared when it is there) -----------------------


@pytest.fixture(scope="module")
def vectors() -> dict[str, Any]:
    if not SHARED_VECTORS.exists():
        pytest.skip(f"reference vectors not found at {SHARED_VECTORS} (../shared is not here)")
    loaded: dict[str, Any] = json.loads(SHARED_VECTORS.read_text(encoding="utf-8"))
    return loaded


def test_polish_rates_match_the_reference_vectors(vectors: dict[str, Any]) -> None:
    table = RateTable.packaged("pl")
    for case in vectors["pl_commercial_rate"]:
        year, half = case["half_year"].split("H")
        row = table.row_for(date(int(year), 1 if half == "1" else 7, 1))
        assert row.statutory_rate_pct == D(str(case["expected_pct"])), case["half_year"]
        if "expected_medical_pct" in case:
            assert row.medical_public_debtor_rate_pct == D(str(case["expected_medical_pct"]))


def test_eu_rate_matches_the_irish_vector(vectors: dict[str, Any]) -> None:
    case = vectors["eu_statutory_rate_ireland"]
    row = RateTable.packaged("eu").row_for(date(2024, 7, 1))
    assert row.statutory_rate_pct == D(str(case["expected_rate_pct_H2_2024"]))


def test_compensation_matches_the_reference_vectors(vectors: dict[str, Any]) -> None:
    for case in vectors["pl_fixed_compensation_eur"]["cases"]:
        result = fixed_compensation(
            jurisdiction="pl",
            amount=D(str(case["amount_pln"])),
            currency="PLN",
            due_date=date(2025, 3, 15),
        )
        assert result.statutory_amount == case["eur"]
    for case in vectors["uk_fixed_sum_gbp"]["cases"]:
        result = fixed_compensation(
            jurisdiction="uk",
            amount=D(str(case["debt"])),
            currency="GBP",
            due_date=date(2024, 5, 1),
        )
        assert result.statutory_amount == case["gbp"]


@pytest.mark.parametrize(
    ("given", "meant"),
    [("V", "seen"), ("D", "derived"), ("K", "unconfirmed"), ("seen", "seen"), ("", None)],
)
def test_a_users_table_may_flag_rows_by_word_or_by_the_old_letter(
    tmp_path: Path, given: str, meant: str | None
) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        f"period_start,period_end,statutory_rate_pct,evidence\n2025-01-01,2025-06-30,9.5,{given}\n",
        encoding="utf-8",
    )
    (row,) = RateTable.from_csv(path).rows
    assert row.evidence == meant
    assert RatePeriod(
        period_start=date(2025, 1, 1), period_end=date(2025, 6, 30),
        statutory_rate_pct=D("9.5"), evidence=given or None,
    ).evidence == meant


def test_an_unknown_evidence_word_names_the_line_and_the_words(tmp_path: Path) -> None:
    path = tmp_path / "rates.csv"
    path.write_text(
        "period_start,period_end,statutory_rate_pct,evidence\n2025-01-01,2025-06-30,9.5,maybe\n",
        encoding="utf-8",
    )
    with pytest.raises(DataError, match=r"line 2: evidence 'maybe' is not one of seen, derived"):
        RateTable.from_csv(path)


@pytest.mark.parametrize(
    ("due", "rule_day"),
    [
        # Corpus Christi (Easter + 60 days) on the last day of May: 31 May 2018 and 2029.
        (date(2018, 6, 15), date(2018, 5, 30)),
        (date(2029, 6, 15), date(2029, 5, 30)),
        # Easter Monday 2 April 2018 is not the end of a month: 30 March 2018 is a Friday.
        (date(2018, 4, 20), date(2018, 3, 30)),
        # 24 December is a holiday from 2025 (31 December 2025 is a Wednesday, unaffected);
        # 1 November 2025 a Saturday: the last business day of October is Friday the 31st.
        (date(2025, 11, 20), date(2025, 10, 31)),
    ],
)
def test_the_rule_day_skips_movable_polish_holidays(due: date, rule_day: date) -> None:
    assert last_polish_business_day_before(due) == rule_day
