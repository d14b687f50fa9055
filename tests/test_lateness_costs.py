"""What lateness costs, per invoice and per client, through the ledger: ``lateness_costs``.

The pure functions (``statutory_interest``, ``fixed_compensation``) have their worked examples
in ``test_cost.py``; here each ledger is written with the ``clientguard.testing`` builders and
goes through the settlement replay, the look-back window, the jurisdiction of each client and
the conversion to the base currency. Every expected number is worked out by hand in the comment
beside it from the packaged table rows (``src/clientguard/data/rates/*.csv``), never copied from
the implementation's output:

- PL 2025-H1 15.75%, 2025-H2 15.25%, 2026-H1 14.00%, 2026-H2 13.75% (marked ``K``); no 2027 row.
- EU 2024-H2 12.25%, 2025-H1 11.15%, 2025-H2 10.15%.
- UK (one rate, from the half-year interest starts to run) 2025-H1 12.75%, 2025-H2 12.25%.

Interest is ``principal x rate% x days / 36,500`` (365-day year); financing is
``balance-days x cost_of_capital / 365`` with the default cost of capital of 10%.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from clientguard.errors import DataError
from clientguard.ledger import Ledger
from clientguard.metrics.cost import (
    BalanceStep,
    ClientLatenessCost,
    InvoiceLatenessCost,
    Jurisdiction,
    RateTable,
    balance_days,
    lateness_costs,
)
from clientguard.metrics.cost.polish_calendar import polish_term_end
from clientguard.metrics.lateness import payment_profiles
from clientguard.model import AnyRecord
from clientguard.policy import Policy
from clientguard.testing import credit_note, customer, fx_table, invoice, ledger, payment

D = Decimal
TINY = Decimal("1e-20")
AS_OF = date(2025, 12, 31)


def close(actual: Decimal | None, expected: Decimal) -> bool:
    """Equal up to the last of Decimal's 28 significant digits (sums of divided parts)."""
    return actual is not None and abs(actual - expected) < TINY


def cent(amount: Decimal | None) -> Decimal:
    assert amount is not None
    return amount.quantize(D("0.01"))


def one_invoice(costs: dict[str, ClientLatenessCost], who: str) -> InvoiceLatenessCost:
    assert list(costs) == [who]
    (item,) = costs[who].invoices
    return item


# --- balance_days: the base of the financing cost ------------------------------------------

DUE = date(2025, 6, 15)


def day(offset: int) -> date:
    return date.fromordinal(DUE.toordinal() + offset)


@pytest.mark.parametrize(
    ("steps", "until", "expected"),
    [
        # Nothing paid: 100 on each of the 10 days 16-25 June.
        pytest.param([(DUE, D(100))], day(10), D(1000), id="unpaid"),
        # 100 on days 1-3 (the payment day bears the old balance), 40 on days 4-5, then 0.
        pytest.param([(DUE, D(100)), (day(3), D(40)), (day(5), D(0))], day(10), D(380),
                     id="two-parts"),
        # Steps before the due date: the balance at the end of the due date is 70; 2 days.
        pytest.param([(day(-5), D(100)), (day(-1), D(70))], day(2), D(140), id="paid-before-due"),
        # Counted only up to ``until``: 3 days of 100.
        pytest.param([(DUE, D(100)), (day(5), D(0))], day(3), D(300), id="cut-at-until"),
        # Not yet a day of delay.
        pytest.param([(DUE, D(100))], DUE, D(0), id="no-delay"),
        # Amounts may be strings, as statutory_interest takes them: 2 days of 50.
        pytest.param([(DUE, "50.00")], day(2), D(100), id="string-amount"),
    ],
)
def test_balance_days(steps: list[BalanceStep], until: date, expected: Decimal) -> None:
    assert balance_days(steps, due_date=DUE, until=until) == expected


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        pytest.param([(day(1), D(100))], "after the due date", id="first-step-after-due"),
        pytest.param([], "empty", id="no-steps"),
        pytest.param([(DUE, 100.0)], "float", id="float"),
        pytest.param([(DUE, D(100)), (day(-1), D(0))], "date order", id="out-of-order"),
    ],
)
def test_balance_days_refuses_steps_it_cannot_read(steps: list[BalanceStep], message: str) -> None:
    with pytest.raises(DataError, match=message):
        balance_days(steps, due_date=DUE, until=day(10))


# --- the Polish worked example: paid in two parts, across 1 July ---------------------------


def polish_two_part_ledger(*, fx: bool) -> Ledger:
    # PLN 10,000.00 due 15 June 2025; 4,000.00 paid 10 July, 6,000.00 paid 20 July.
    inv = invoice("gdansk", issued="2025-05-16", due="2025-06-15", total="10000.00",
                  currency="PLN", id="FV/1")
    records: list[AnyRecord] = [
        customer("gdansk"),
        inv,
        payment("gdansk", on="2025-07-10", amount="4000.00", pays=inv, currency="PLN"),
        payment("gdansk", on="2025-07-20", amount="6000.00", pays=inv, currency="PLN"),
    ]
    # The compensation's rule date: the last Polish business day of May 2025 (31 May is a
    # Saturday) is Friday 30 May; NBP's EUR rate that day, here 4.25 PLN per EUR.
    table = fx_table("PLN", {"EUR": {"2025-05-30": "4.25"}}) if fx else None
    return ledger(*records, base_currency="PLN", fx=table)


# Interest, day by day on the balance when the day began, from 17 June: 15 June 2025 is a
# Sunday, so art. 115 KC ends the term on Monday 16 June.
#   17-30 June, 14 days, 10,000.00 at 15.75% (2025-H1): 10,000 x 15.75 x 14 = 2,205,000
#   1-10 July, 10 days, 10,000.00 at 15.25% (2025-H2):   10,000 x 15.25 x 10 = 1,525,000
#     (10 July, the day 4,000 arrives, still bears interest on 10,000)
#   11-20 July, 10 days, 6,000.00 at 15.25%:              6,000 x 15.25 x 10 =   915,000
#   total 4,645,000 / 36,500 = 127.2602... -> 127.26 PLN
PL_INTEREST = D(4645000) / D(36500)
# Balance-days: 10,000 x 25 (16 June-10 July) + 6,000 x 10 (11-20 July) = 310,000;
# financing 310,000 x 0.10 / 365 = 31,000 / 365 = 84.9315... -> 84.93 PLN.
PL_BALANCE_DAYS = D(310000)
PL_FINANCING = D(31000) / D(365)


def test_polish_interest_across_the_half_year_on_a_debt_paid_in_parts() -> None:
    costs = lateness_costs(polish_two_part_ledger(fx=False), as_of=AS_OF,
                           policy=Policy(jurisdiction="pl"))
    item = one_invoice(costs, "gdansk")
    assert item.days_late == 35  # 15 June -> 20 July
    assert item.still_open is False
    assert item.balance_days == PL_BALANCE_DAYS
    assert close(item.financing_cost, PL_FINANCING)
    assert cent(item.financing_cost) == D("84.93")
    assert item.financing_cost_base == item.financing_cost  # PLN is the base: rate 1

    interest = item.statutory_interest
    assert interest is not None
    assert [(p.start, p.end, p.days, p.principal, p.rate_pct) for p in interest.periods] == [
        (date(2025, 6, 17), date(2025, 6, 30), 14, D("10000.00"), D("15.75")),
        (date(2025, 7, 1), date(2025, 7, 10), 10, D("10000.00"), D("15.25")),
        (date(2025, 7, 11), date(2025, 7, 20), 10, D("6000.00"), D("15.25")),
    ]
    assert close(interest.amount, PL_INTEREST)
    assert interest.rounded("PLN") == D("127.26")
    assert close(item.statutory_interest_base, PL_INTEREST)


def test_polish_compensation_without_fx_stays_in_euro_with_a_note() -> None:
    # 10,000 PLN is above 5,000 and below 50,000: EUR 70. A PLN book without an FxTable
    # cannot convert it: listed under EUR, left out of the claimable sum, and said so.
    cost = lateness_costs(polish_two_part_ledger(fx=False), as_of=AS_OF,
                          policy=Policy(jurisdiction="pl"))["gdansk"]
    (item,) = cost.invoices
    assert item.compensation is not None
    assert (item.compensation.band, item.compensation.amount, item.compensation.currency) == (
        "middle", D(70), "EUR")
    assert item.compensation_base is None
    assert cost.compensation == 0
    assert cost.compensation_unconverted == {"EUR": D(70)}
    # Claimable as the claim states it: the interest rounded once, 127.26.
    assert cost.claimable == D("127.26")
    assert any("no FxTable" in note for note in item.notes)
    assert any("no FxTable" in note for note in cost.notes)
    assert cost.jurisdiction == "pl"


def test_polish_compensation_with_fx_is_owed_in_zloty() -> None:
    # EUR 70 at 4.25 PLN/EUR of 30 May 2025 = 297.50 PLN, in the base currency already.
    cost = lateness_costs(polish_two_part_ledger(fx=True), as_of=AS_OF,
                          policy=Policy(jurisdiction="pl"))["gdansk"]
    (item,) = cost.invoices
    assert item.compensation is not None
    assert item.compensation.rule_date == date(2025, 5, 30)
    assert (item.compensation.amount, item.compensation.currency) == (D("297.50"), "PLN")
    assert item.compensation_base == D("297.50")
    assert cost.compensation_unconverted == {}
    # As the claim states its lines: 127.260... -> 127.26, + 297.50.
    assert cost.claimable == D("424.76")


# --- an invoice in another currency -----------------------------------------------------------

# USD 5,000.00 issued 1 March 2025 at its own rate of 0.90 EUR/USD (the FxTable says 0.91 that
# day, so a wrong rate shows), due 31 March, paid 30 April 2025: 30 days late.
USD_FX = fx_table(
    "EUR",
    {
        "USD": {"2025-02-28": "0.92", "2025-03-01": "0.91", "2025-03-31": "0.92",
                "2025-04-30": "0.93"},
        "GBP": {"2025-03-31": "1.15"},
        "PLN": {"2025-02-28": "0.24"},
    },
)


def usd_ledger() -> Ledger:
    inv = invoice("chicago", issued="2025-03-01", due="2025-03-31", total="5000.00",
                  currency="USD", fx_rate="0.90", id="US-1")
    return ledger(
        customer("chicago"),
        inv,
        payment("chicago", on="2025-04-30", amount="5000.00", pays=inv, currency="USD"),
        fx=USD_FX,
    )


# Financing: 5,000 x 30 = 150,000 USD-days x 0.10 / 365 = 15,000/365 USD; at the invoice's
# 0.90: 13,500/365 = 36.9863... EUR, whatever the jurisdiction.
@pytest.mark.parametrize(
    ("jurisdiction", "interest_usd", "compensation", "compensation_currency", "compensation_base"),
    [
        pytest.param(
            # Interest starts 1 April 2025: the 2025-H1 row, 12.75%, for all 30 days:
            # 5,000 x 12.75 x 30 = 1,912,500 / 36,500 USD.
            # Band: 5,000 USD at 0.92/1.15 of the due date = 4,000 GBP: GBP 70, which is
            # 70 x 1.15 = 80.50 EUR at the due date's rate.
            "uk", D(1912500) / D(36500), D(70), "GBP", D("80.50"), id="uk",
        ),
        pytest.param(
            # 1-30 April 2025 at 11.15% (2025-H1): 5,000 x 11.15 x 30 = 1,672,500 / 36,500.
            # EUR 40, already in the base currency.
            "eu", D(1672500) / D(36500), D(40), "EUR", D(40), id="eu",
        ),
        pytest.param(
            # 1-30 April 2025 at 15.75% (2025-H1): 5,000 x 15.75 x 30 = 2,362,500 / 36,500.
            # Rule date 28 Feb 2025 (last business day of February): 5,000 USD x 0.92/0.24 =
            # 19,166.67 PLN, the middle band, EUR 70 = 70/0.24 = 291.666... PLN, which is
            # 291.666... x 0.24 = 70 EUR again in the base currency.
            "pl", D(2362500) / D(36500), D(70) / D("0.24"), "PLN", D(70), id="pl",
        ),
    ],
)
def test_a_usd_invoice_in_a_euro_book(
    jurisdiction: Jurisdiction,
    interest_usd: Decimal,
    compensation: Decimal,
    compensation_currency: str,
    compensation_base: Decimal,
) -> None:
    cost = lateness_costs(usd_ledger(), as_of=date(2025, 6, 30),
                          policy=Policy(jurisdiction=jurisdiction))["chicago"]
    (item,) = cost.invoices
    assert (item.currency, item.days_late) == ("USD", 30)
    assert item.balance_days == D(150000)
    assert close(item.financing_cost, D(15000) / D(365))
    assert close(item.financing_cost_base, D(13500) / D(365))
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, interest_usd)
    # Converted at the invoice's own rate (0.90), not the FxTable's of any day.
    assert abs(item.statutory_interest_base - interest_usd * D("0.90")) < TINY
    assert item.compensation is not None
    assert item.compensation.currency == compensation_currency
    assert abs(item.compensation.amount - compensation) < TINY
    # Rounded to the cent of the base currency: the PL 70/0.24 x 0.24 is 70.00 EUR, not the
    # 69.99999999999999999999999999 of 28 digits it was until 2026-12-07.
    assert item.compensation_base == compensation_base
    assert item.compensation_base.as_tuple().exponent == -2
    assert cost.compensation_unconverted == {}
    # Claimable: the interest as the claim states it (rounded once in USD), converted at the
    # invoice's rate and rounded to the cent of EUR (a sum of lines, each to the cent), and
    # the compensation in the base currency. EU 45.82 USD x 0.90 = 41.238 -> 41.24 + 40 =
    # 81.24; PL 64.73 x 0.90 = 58.257 -> 58.26 + 70 = 128.26; UK 52.40 x 0.90 = 47.16 +
    # 80.50 = 127.66. Until 2026-12-07 claimable was 81.238 and 128.257, unrounded.
    assert cost.claimable == cent(cent(interest_usd) * D("0.90")) + compensation_base
    assert cost.claimable.as_tuple().exponent == -2
    assert close(cost.financing_cost, D(13500) / D(365))


# --- money in the base currency, to its minor unit ---------------------------------------------


def test_polish_compensation_in_zloty_is_rounded_to_the_grosz() -> None:
    # The two-part ledger's invoice, with NBP's EUR rate of 30 May 2025 (the rule date, see
    # polish_two_part_ledger) at 4.3123: EUR 70 x 4.3123 = 301.861 PLN. The claim's line is
    # 301.86 (half-even to the grosz); so is the compensation in the base currency, which the
    # review shows and adds up (until 2026-12-07 it was 301.8610). Claimable: 127.26 of
    # interest (worked above) + 301.86 = 429.12.
    book = polish_two_part_ledger(fx=False)
    priced = ledger(*book.records(), base_currency="PLN",
                    fx=fx_table("PLN", {"EUR": {"2025-05-30": "4.3123"}}))
    cost = lateness_costs(priced, as_of=AS_OF, policy=Policy(jurisdiction="pl"))["gdansk"]
    (item,) = cost.invoices
    assert item.compensation is not None
    assert item.compensation.amount == D("301.861")
    assert item.compensation_base == D("301.86")
    assert str(item.compensation_base) == "301.86"
    assert cost.compensation == D("301.86")
    assert cost.claimable == D("429.12")


def euro_invoices_in_a_zloty_book() -> Ledger:
    # Three invoices of EUR 1,000.00 at their own rate of 4.3123 PLN/EUR, due 31 March 2025,
    # each paid 1 April; the FxTable's EUR rate of the due date (which converts the EU's EUR
    # 40, owed when the debt fell due) is 4.1839.
    records: list[AnyRecord] = [customer("lyon")]
    for n in range(3):
        sent = invoice("lyon", issued="2025-03-01", due="2025-03-31", total="1000.00",
                       currency="EUR", fx_rate="4.3123", id=f"E{n}")
        records += [sent, payment("lyon", on="2025-04-01", amount="1000.00", currency="EUR",
                                  fx_rate="4.3123", pays=sent, id=f"EP{n}")]
    return ledger(*records, base_currency="PLN",
                  fx=fx_table("PLN", {"EUR": {"2025-03-31": "4.1839"}}))


def test_foreign_lines_are_converted_and_rounded_each_then_added() -> None:
    # EU law, 2025-H1 11.15%: 1 day of interest on EUR 1,000, 1,000 x 11.15 / 36,500 =
    # 0.30547... -> 0.31 EUR a line (the claim's), x 4.3123 = 1.336813 -> 1.34 PLN; EUR 40 x
    # 4.1839 = 167.356 -> 167.36 PLN. A line is 168.70 PLN, three are 506.10 PLN. Until
    # 2026-12-07: 506.078439, each line's 168.692813 added unrounded (506.08 shown, two grosz
    # off the lines).
    cost = lateness_costs(euro_invoices_in_a_zloty_book(), as_of=date(2025, 6, 30),
                          policy=Policy(jurisdiction="eu"))["lyon"]
    assert [i.compensation_base for i in cost.invoices] == [D("167.36")] * 3
    assert cost.compensation == D("502.08")
    assert cost.claimable == D("506.10")
    assert str(cost.claimable) == "506.10"


def test_usd_worked_numbers_to_the_cent() -> None:
    # UK: interest 1,912,500/36,500 = 52.3972... USD x 0.90 = 47.1575... -> 47.16 EUR;
    # claimable 52.40 USD (the claim's line) x 0.90 = 47.16 + 80.50 = 127.66; financing
    # 36.9863... -> 36.99.
    cost = lateness_costs(usd_ledger(), as_of=date(2025, 6, 30),
                          policy=Policy(jurisdiction="uk"))["chicago"]
    assert (cent(cost.statutory_interest), cent(cost.claimable), cent(cost.financing_cost)) == (
        D("47.16"), D("127.66"), D("36.99"))


# --- which law applies to whom ----------------------------------------------------------------


def jurisdictions_ledger() -> Ledger:
    # Each customer: EUR 1,000.00 due 15 June 2025, paid 20 July 2025 (35 days late).
    records: list[AnyRecord] = [
        customer("lyon"),
        customer("gdansk"),
        customer("orbis-uk", group="orbis"),
        customer("orbis-pl", group="orbis"),
    ]
    for who in ("lyon", "gdansk", "orbis-uk", "orbis-pl"):
        inv = invoice(who, issued="2025-05-16", due="2025-06-15", total="1000.00", id=f"{who}-1")
        records += [inv, payment(who, on="2025-07-20", amount="1000.00", pays=inv)]
    fx = fx_table("EUR", {"PLN": {"2025-05-30": "0.25"}, "GBP": {"2025-06-15": "1.25"}})
    return ledger(*records, fx=fx)


@pytest.mark.parametrize(
    ("who", "jurisdiction", "interest", "compensation_base"),
    [
        # The default, EU: 16-30 June 15 days at 11.15%, 1-20 July 20 days at 10.15%:
        # 1,000 x (11.15 x 15 + 10.15 x 20) = 167,250 + 203,000 = 370,250 / 36,500; EUR 40.
        pytest.param("lyon", "eu", D(370250) / D(36500), D(40), id="default-eu"),
        # Overridden by customer id to PL: 15 June 2025 is a Sunday, so the term ends on
        # Monday 16 June (art. 115 KC) and interest runs 17-30 June, 14 days:
        # 1,000 x (15.75 x 14 + 15.25 x 20) = 220,500 + 305,000 = 525,500 / 36,500. Band:
        # 1,000 EUR / 0.25 = 4,000 PLN, not above 5,000: EUR 40 = 160 PLN, 40 EUR again in the
        # base.
        pytest.param("gdansk", "pl", D(525500) / D(36500), D(40), id="customer-pl"),
        # Overridden by its group to UK: interest starts 16 June, 2025-H1 12.75% for all 35
        # days: 1,000 x 12.75 x 35 = 446,250 / 36,500. 1,000 EUR / 1.25 = 800 GBP: GBP 40 =
        # 50 EUR.
        pytest.param("orbis-uk", "uk", D(446250) / D(36500), D(50), id="group-uk"),
        # Its own override beats its group's: PL, as gdansk.
        pytest.param("orbis-pl", "pl", D(525500) / D(36500), D(40), id="customer-beats-group"),
    ],
)
def test_each_client_follows_its_own_law(
    who: str, jurisdiction: Jurisdiction, interest: Decimal, compensation_base: Decimal
) -> None:
    policy = Policy(
        jurisdiction="eu",
        client_jurisdictions={"gdansk": "pl", "orbis": "uk", "orbis-pl": "pl"},
    )
    cost = lateness_costs(jurisdictions_ledger(), as_of=AS_OF, policy=policy)[who]
    assert cost.jurisdiction == jurisdiction
    (item,) = cost.invoices
    assert item.statutory_interest is not None
    assert item.statutory_interest.jurisdiction == jurisdiction
    assert close(item.statutory_interest_base, interest)
    assert item.compensation_base is not None
    assert abs(item.compensation_base - compensation_base) < TINY
    # The financing cost does not depend on the law: 1,000 x 35 x 0.10 / 365 = 3,500/365.
    assert close(cost.financing_cost, D(3500) / D(365))


def test_no_jurisdiction_means_no_statutory_amounts() -> None:
    cost = lateness_costs(jurisdictions_ledger(), as_of=AS_OF,
                          policy=Policy(jurisdiction="none"))["lyon"]
    (item,) = cost.invoices
    assert cost.jurisdiction == "none"
    assert item.statutory_interest is None
    assert item.statutory_interest_base == 0
    assert item.compensation is None
    assert item.compensation_base is None
    assert (cost.statutory_interest, cost.compensation, cost.claimable) == (D(0), D(0), D(0))
    assert cost.compensation_unconverted == {}
    assert close(cost.financing_cost, D(3500) / D(365))  # still a cost to the firm


# --- which invoices count ---------------------------------------------------------------------


def eur_invoice(paid: str | None = None, *, due: str = "2025-06-15", total: str = "1000.00",
                who: str = "acme", id: str = "A-1") -> list[AnyRecord]:
    due_date = date.fromisoformat(due)
    # Issued on 30-day terms.
    inv = invoice(who, issued=date.fromordinal(due_date.toordinal() - 30), due=due_date,
                  total=total, id=id)
    if paid is None:
        return [inv]
    return [inv, payment(who, on=paid, amount=total, pays=inv, id=f"pay-{id}")]


@pytest.mark.parametrize(
    ("paid", "grace_days", "counted"),
    [
        pytest.param("2025-06-14", 0, False, id="paid-early"),
        pytest.param("2025-06-15", 0, False, id="paid-on-the-due-date"),
        pytest.param("2025-06-16", 0, True, id="one-day-late"),
        # Grace decides what counts as late in the findings, not what the days cost.
        pytest.param("2025-06-16", 1, True, id="within-grace-still-costs"),
        pytest.param("2025-06-17", 1, True, id="beyond-grace"),
    ],
)
def test_only_invoices_paid_after_their_due_date_cost_anything(
    paid: str, grace_days: int, counted: bool
) -> None:
    costs = lateness_costs(ledger(*eur_invoice(paid)), as_of=AS_OF,
                           policy=Policy(grace_days=grace_days))
    assert ("acme" in costs) is counted


def test_grace_decides_whether_an_invoice_counts_not_how_many_days_it_costs() -> None:
    # Two days late with one day of grace: both days cost (the law counts from the due date).
    # Financing 1,000 x 2 x 0.10 / 365 = 200/365; EU interest 1,000 x 11.15 x 2 / 36,500.
    item = one_invoice(
        lateness_costs(ledger(*eur_invoice("2025-06-17")), as_of=AS_OF,
                       policy=Policy(grace_days=1)),
        "acme",
    )
    assert item.days_late == 2
    assert close(item.financing_cost, D(200) / D(365))
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(22300) / D(36500))


def test_an_open_invoice_costs_up_to_as_of_and_keeps_counting() -> None:
    # EUR 1,000.00 due 15 June, 400.00 paid 20 June, still open on 25 June.
    # Balance-days 1,000 x 5 (16-20 June) + 600 x 5 (21-25 June) = 8,000; financing 800/365.
    # EU 2025-H1 11.15% on the same base: 8,000 x 11.15 / 36,500 = 89,200/36,500 = 2.4438...
    inv = invoice("acme", issued="2025-05-16", due="2025-06-15", total="1000.00", id="A-1")
    book = ledger(inv, payment("acme", on="2025-06-20", amount="400.00", pays=inv))
    item = one_invoice(lateness_costs(book, as_of=date(2025, 6, 25)), "acme")
    assert item.still_open is True
    assert item.days_late == 10
    assert item.balance_days == D(8000)
    assert close(item.financing_cost, D(800) / D(365))
    assert item.statutory_interest is not None
    assert item.statutory_interest.until == date(2025, 6, 25)
    assert close(item.statutory_interest.amount, D(89200) / D(36500))
    assert item.compensation_base == D(40)


def test_a_payment_after_as_of_is_ignored() -> None:
    # Paid 20 July, but as of 10 July it is open, 25 days late: 1,000 x 25 balance-days;
    # EU interest 1,000 x (11.15 x 15 + 10.15 x 10) = 167,250 + 101,500 = 268,750 / 36,500.
    book = ledger(*eur_invoice("2025-07-20"))
    item = one_invoice(lateness_costs(book, as_of=date(2025, 7, 10)), "acme")
    assert item.still_open is True
    assert item.days_late == 25
    assert item.balance_days == D(25000)
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(268750) / D(36500))
    # As of the day after payment, it is settled and 35 days late.
    later = one_invoice(lateness_costs(book, as_of=date(2025, 7, 21)), "acme")
    assert (later.still_open, later.days_late, later.balance_days) == (False, 35, D(35000))


@pytest.mark.parametrize(
    ("due", "paid", "counted"),
    [
        # As of 30 June 2025 with 365 days of look-back the window is (30 June 2024, 30 June
        # 2025]: an invoice due on 30 June 2024 is outside it, one due on 1 July 2024 inside.
        pytest.param("2024-06-30", "2024-07-10", False, id="due-the-day-before-the-window"),
        pytest.param("2024-07-01", "2024-07-11", True, id="due-on-the-window's-first-day"),
        pytest.param("2025-06-30", None, False, id="due-on-as-of-not-yet-late"),
        pytest.param("2025-07-15", None, False, id="due-after-as-of"),
    ],
)
def test_invoices_due_outside_the_window_are_left_out(
    due: str, paid: str | None, counted: bool
) -> None:
    book = ledger(*eur_invoice(paid, due=due))
    costs = lateness_costs(book, as_of=date(2025, 6, 30))
    assert ("acme" in costs) is counted


def test_the_window_edge_invoice_is_costed_in_full() -> None:
    # Due 1 July 2024, paid 11 July: 10 days at 12.25% (EU 2024-H2): 1,000 x 12.25 x 10 =
    # 122,500 / 36,500 = 3.3561...
    book = ledger(*eur_invoice("2024-07-11", due="2024-07-01"))
    item = one_invoice(lateness_costs(book, as_of=date(2025, 6, 30)), "acme")
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(122500) / D(36500))


def test_a_card_payment_with_only_a_paid_date_costs_to_that_date() -> None:
    # paid_on 20 July, no payment records: 35 days on the full 1,000.
    # EU: 370,250 / 36,500 (as in the jurisdiction table); financing 3,500/365.
    inv = invoice("acme", issued="2025-05-16", due="2025-06-15", total="1000.00",
                  paid="2025-07-20")
    item = one_invoice(lateness_costs(ledger(inv), as_of=AS_OF), "acme")
    assert (item.days_late, item.still_open, item.balance_days) == (35, False, D(35000))
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(370250) / D(36500))
    assert close(item.financing_cost, D(3500) / D(365))


def test_a_paid_date_on_the_day_of_the_last_part_payment_settles_that_day() -> None:
    # EUR 1,000.00 due 15 June; 400.00 paid 20 July; the source says paid on 20 July (the rest
    # came outside the synced data). Both close the same day, one step: 35 days on 1,000.
    # EU: 16-30 June 15 days at 11.15% = 167,250; 1-20 July 20 days at 10.15% = 203,000;
    # 370,250 / 36,500, as with the paid date alone; financing 35,000 balance-days.
    inv = invoice("acme", issued="2025-05-16", due="2025-06-15", total="1000.00",
                  paid="2025-07-20", id="A-1")
    part = payment("acme", on="2025-07-20", amount="400.00", pays=[("A-1", "400.00")])
    item = one_invoice(lateness_costs(ledger(inv, part), as_of=AS_OF), "acme")
    assert (item.days_late, item.still_open, item.balance_days) == (35, False, D(35000))
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(370250) / D(36500))


def test_a_paid_invoice_with_no_date_costs_nothing() -> None:
    # Marked paid with neither payments nor a date: left out of lateness, and so of cost.
    inv = invoice("acme", issued="2025-05-16", due="2025-06-15", total="1000.00",
                  status="paid")
    assert lateness_costs(ledger(inv), as_of=AS_OF) == {}


def test_a_late_credit_note_lowers_the_interest_from_its_date_and_carries_no_financing() -> None:
    # EUR 1,000.00 due 15 June; credit note of 200.00 on 25 June; 800.00 paid 15 July.
    # Interest on what was outstanding each day (EU):
    #   16-25 June 10 days on 1,000 at 11.15% = 111,500
    #   26-30 June  5 days on   800 at 11.15% =  44,600
    #   1-15 July  15 days on   800 at 10.15% = 121,800    -> 277,900 / 36,500 = 7.6136...
    # Financing only on the money the client kept: 800 x 30 days = 24,000 -> 2,400/365,
    # which is also what its payment profile says (docs/metrics/lateness.md: credit notes
    # carry no financing cost).
    inv = invoice("acme", issued="2025-05-16", due="2025-06-15", total="1000.00", id="A-1")
    book = ledger(
        inv,
        credit_note("acme", issued="2025-06-25", total="200.00", applies_to=inv),
        payment("acme", on="2025-07-15", amount="800.00", pays=inv),
    )
    cost = lateness_costs(book, as_of=AS_OF)["acme"]
    (item,) = cost.invoices
    assert item.days_late == 30
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(277900) / D(36500))
    assert item.balance_days == D(24000)
    assert close(cost.financing_cost, D(2400) / D(365))
    profile = payment_profiles(book, as_of=AS_OF)["acme"]
    assert abs(profile.financing_cost - cost.financing_cost) < TINY


# --- compensation bands at their edges, through the ledger ------------------------------------


@pytest.mark.parametrize(
    ("jurisdiction", "currency", "total", "due", "band", "amount"),
    [
        # PL from 2020: EUR 40 up to PLN 5,000 included; 70 above it and below 50,000; 100 from
        # 50,000. In a PLN book without an FxTable the sum stays in EUR.
        pytest.param("pl", "PLN", "5000.00", "2025-06-16", "low", D(40), id="pl-5000.00"),
        pytest.param("pl", "PLN", "5000.01", "2025-06-16", "middle", D(70), id="pl-5000.01"),
        pytest.param("pl", "PLN", "49999.99", "2025-06-16", "middle", D(70), id="pl-49999.99"),
        pytest.param("pl", "PLN", "50000.00", "2025-06-16", "high", D(100), id="pl-50000.00"),
        # Debts due before 2020: EUR 40 whatever the amount; from 1 January 2020 the bands.
        pytest.param("pl", "PLN", "60000.00", "2019-12-31", "flat", D(40), id="pl-due-2019"),
        pytest.param("pl", "PLN", "60000.00", "2020-01-01", "high", D(100), id="pl-due-2020"),
        # UK: GBP 40 below 1,000; 70 from 1,000 to below 10,000; 100 from 10,000.
        pytest.param("uk", "GBP", "999.99", "2025-06-16", "low", D(40), id="uk-999.99"),
        pytest.param("uk", "GBP", "1000.00", "2025-06-16", "middle", D(70), id="uk-1000.00"),
        pytest.param("uk", "GBP", "9999.99", "2025-06-16", "middle", D(70), id="uk-9999.99"),
        pytest.param("uk", "GBP", "10000.00", "2025-06-16", "high", D(100), id="uk-10000.00"),
    ],
)
def test_compensation_bands_at_their_edges_through_the_ledger(
    jurisdiction: Jurisdiction, currency: str, total: str, due: str, band: str, amount: Decimal
) -> None:
    due_date = date.fromisoformat(due)
    # One day late in law: 1 January 2020 is a public holiday, so art. 115 KC ends a Polish
    # term due that day on the 2nd, and a payment on the 2nd is on time (no compensation).
    term_end = polish_term_end(due_date) if jurisdiction == "pl" else due_date
    paid = date.fromordinal(term_end.toordinal() + 1)
    inv = invoice("acme", issued=due_date, due=due_date, total=total, currency=currency)
    book = ledger(inv, payment("acme", on=paid, amount=total, pays=inv, currency=currency),
                  base_currency=currency)
    policy = Policy(jurisdiction=jurisdiction, lookback_days=3650)
    cost = lateness_costs(book, as_of=paid, policy=policy)["acme"]
    (item,) = cost.invoices
    assert item.compensation is not None
    assert (item.compensation.band, item.compensation.statutory_amount) == (band, amount)
    if jurisdiction == "pl":
        # Owed in PLN, but there is no FxTable: listed in EUR, not in the claimable sum.
        assert cost.compensation_unconverted == {"EUR": amount}
        assert cost.compensation == 0
    else:
        # GBP in a GBP book.
        assert item.compensation_base == amount
        assert cost.compensation == amount


# --- the UK rate: chosen by the day the debt fell due ----------------------------------------


@pytest.mark.parametrize(
    ("due", "paid", "rate_pct", "reference", "interest"),
    [
        # Due 29 June 2025: interest starts 30 June, in 2025-H1: 12.75% (base rate of 31 Dec
        # 2024 + 8) for all 30 days, though 29 of them fall in July:
        # 10,000 x 12.75 x 30 = 3,825,000 / 36,500 = 104.7945... -> 104.79 GBP.
        pytest.param("2025-06-29", "2025-07-29", D("12.75"), date(2024, 12, 31),
                     D(3825000) / D(36500), id="starts-in-H1"),
        # Due 30 June 2025: interest starts 1 July, in 2025-H2: 12.25% (base rate of 30 June
        # 2025 + 8): 10,000 x 12.25 x 30 = 3,675,000 / 36,500 = 100.6849... -> 100.68 GBP.
        pytest.param("2025-06-30", "2025-07-30", D("12.25"), date(2025, 6, 30),
                     D(3675000) / D(36500), id="starts-in-H2"),
    ],
)
def test_uk_rate_follows_the_day_the_debt_fell_due(
    due: str, paid: str, rate_pct: Decimal, reference: date, interest: Decimal
) -> None:
    inv = invoice("bath", issued="2025-06-01", due=due, total="10000.00", currency="GBP")
    book = ledger(inv, payment("bath", on=paid, amount="10000.00", pays=inv, currency="GBP"),
                  base_currency="GBP")
    item = one_invoice(lateness_costs(book, as_of=AS_OF, policy=Policy(jurisdiction="uk")),
                       "bath")
    result = item.statutory_interest
    assert result is not None
    assert {p.rate_pct for p in result.periods} == {rate_pct}
    assert result.rate_reference_date == reference
    assert close(result.amount, interest)
    assert item.compensation is not None
    assert item.compensation_base == D(100)  # GBP 10,000 or more


# --- rates the table cannot vouch for, or does not have ---------------------------------------


def test_an_unconfirmed_rate_is_used_and_flagged() -> None:
    # PLN 1,000.00 due Saturday 20 June 2026 (the term ends on Monday 22 June, art. 115 KC),
    # open on 10 July 2026: 23-30 June 8 days at 14.00% (2026-H1) + 1-10 July 10 days at
    # 13.75% (2026-H2, marked K): 1,000 x (14.00 x 8 + 13.75 x 10) = 249,500 / 36,500.
    inv = invoice("gdansk", issued="2026-05-21", due="2026-06-20", total="1000.00",
                  currency="PLN")
    cost = lateness_costs(ledger(inv, base_currency="PLN"), as_of=date(2026, 7, 10),
                          policy=Policy(jurisdiction="pl"))["gdansk"]
    (item,) = cost.invoices
    assert item.statutory_interest is not None
    assert close(item.statutory_interest.amount, D(249500) / D(36500))
    assert item.statutory_interest.unconfirmed_periods == ("2026-H2",)
    assert any("not confirmed" in note and "2026-H2" in note for note in cost.notes)


def test_a_delay_past_the_table_leaves_a_note_not_a_crash() -> None:
    # Due 20 December 2026, open on 10 January 2027: the PL table has no 2027 row. No interest,
    # a note naming the problem; the financing cost is still there: 1,000 x 21 x 0.10 / 365.
    inv = invoice("gdansk", issued="2026-11-20", due="2026-12-20", total="1000.00",
                  currency="PLN")
    cost = lateness_costs(ledger(inv, base_currency="PLN"), as_of=date(2027, 1, 10),
                          policy=Policy(jurisdiction="pl"))["gdansk"]
    (item,) = cost.invoices
    assert item.statutory_interest is None
    assert item.statutory_interest_base == 0
    assert any(note.startswith("no statutory interest") and "2027" in note
               for note in item.notes)
    assert close(cost.financing_cost, D(2100) / D(365))
    assert cost.statutory_interest == 0


def test_a_table_of_ones_own_replaces_the_packaged_one() -> None:
    # 20% all through 2025: 1,000 x 20 x 35 = 700,000 / 36,500 = 19.1780...
    table = RateTable([{"period_start": "2025-01-01", "period_end": "2025-12-31",
                        "statutory_rate_pct": "20"}], name="our contract")
    book = ledger(*eur_invoice("2025-07-20"))
    item = one_invoice(lateness_costs(book, as_of=AS_OF, tables={"eu": table}), "acme")
    assert item.statutory_interest is not None
    assert item.statutory_interest.table == "our contract"
    assert close(item.statutory_interest.amount, D(700000) / D(36500))


# --- a client's sums --------------------------------------------------------------------------


def test_a_clients_sums_add_up_its_invoices() -> None:
    # Two EUR invoices of acme under EU law, as of 31 December 2025:
    #   1,000 due 15 June, paid 20 July: financing 3,500/365, interest 370,250/36,500
    #   500 due 1 December, open: 30 days at 10.15% (2025-H2):
    #        500 x 10.15 x 30 = 152,250 / 36,500; financing 500 x 30 x 0.10 / 365 = 1,500/365
    # compensation EUR 40 each: 80; claimable = both interests as the claim states them
    # (each rounded once) + 80.
    records = [
        *eur_invoice("2025-07-20"),
        *eur_invoice(None, due="2025-12-01", total="500.00", id="A-2"),
    ]
    cost = lateness_costs(ledger(*records), as_of=AS_OF)["acme"]
    assert [i.invoice_id for i in cost.invoices] == ["A-1", "A-2"]
    assert [i.still_open for i in cost.invoices] == [False, True]
    assert close(cost.financing_cost, D(5000) / D(365))
    interest = D(370250) / D(36500) + D(152250) / D(36500)
    assert abs(cost.statutory_interest - interest) < TINY
    assert cost.compensation == D(80)
    # 370,250 / 36,500 = 10.1438... -> 10.14; 152,250 / 36,500 = 4.1712... -> 4.17: 14.31 +
    # 80 = 94.31 EUR, what the claim totals (until 2026-12-07: 14.3150... + 80 -> 94.32).
    assert cost.claimable == D("94.31")
