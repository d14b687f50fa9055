"""Open invoices already late are right-censored delays (docs/forecast.md, "Survival").

An invoice open on ``as_of`` and more than ``grace_days`` past due is known late then: its
delay is longer than its age. The forecast learns from it (Kaplan-Meier), so a client whose
every invoice is open and long past due is judged by that, not by the book; and an open
invoice older than any the history saw paid (or than all but a few) is not dated and its
balance is counted after the 13 weeks, never as certain cash within them.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard.forecast import Forecast, InvoiceForecast, forecast
from clientguard.model import AnyRecord
from clientguard.testing import invoice, ledger, payment

AS_OF = date(2025, 6, 30)


def one(result: Forecast, invoice_id: str) -> InvoiceForecast:
    return next(f for f in result.invoices if f.invoice_id == invoice_id)


def week_of(result: Forecast, day: date) -> int:
    return next(w.week for w in result.weeks if w.start <= day <= w.end)


# ------------------------------------------------------------------ the docs' worked example
def worked_example() -> list[AnyRecord]:
    """docs/forecast.md's worked example: twelve invoices paid on ``AS_OF`` (so each weighs
    1), three each 0, 10, 20 and 40 days after their due date; X open 15 days past due
    (1,000) and Y open 50 days past due (2,000)."""
    records: list[AnyRecord] = []
    for n, delay in enumerate([0, 10, 20, 40] * 3):
        due = AS_OF - timedelta(days=delay)
        records.append(invoice("c", issued=due - timedelta(days=30), due=due, total="100",
                               paid=AS_OF, id=f"c-{n}"))
    for ident, age, total in (("X", 15, "1000"), ("Y", 50, "2000")):
        due = AS_OF - timedelta(days=age)
        records.append(invoice("c", issued=due - timedelta(days=30), due=due, total=total,
                               id=ident))
    return records


def test_the_worked_example_by_hand() -> None:
    # Kaplan-Meier over 14 delays (12 paid, X censored at 15, Y at 50), by hand:
    #   0: at risk 14, 3 paid -> S = 11/14;  10: at risk 11, 3 paid -> S = 8/14
    #  20: X has left, at risk 7, 3 paid -> S = 8/14 x 4/7 = 16/49
    #  40: at risk 4 (3 paid, Y), 3 paid -> S = 16/49 x 1/4 = 4/49, which no paid delay
    #      resolves (Y is older than every paid one).
    # X, given unpaid at 15 (S(15) = 28/49): paid at 20 with 12/28 = 3/7, at 40 with 3/7,
    # unresolved 1/7. Median 40 (3/7 < 0.5 <= 6/7), 10th percentile 20, 90th in the
    # unresolved seventh: open-ended. P(> 30 days) = (12 + 4) / 28 = 4/7.
    result = forecast(ledger(*worked_example()), as_of=AS_OF)
    x, y = one(result, "X"), one(result, "Y")
    due_x = AS_OF - timedelta(days=15)
    assert (x.predicted_on, x.low, x.high) == (due_x + timedelta(days=40),
                                              due_x + timedelta(days=20), None)
    assert x.p_late == 1.0
    assert x.p_late_30 == pytest.approx(4 / 7)
    assert not x.beyond_history
    # Y: no invoice was ever paid 50 days late: not dated, wholly after the 13 weeks.
    assert (y.predicted_on, y.low, y.high, y.beyond_history) == (None, None, None, True)
    assert (y.p_late, y.p_late_30) == (1.0, 1.0)
    assert "too few invoices ever paid this late" in y.rests_on
    # The cash: X's 3/7 (0.428571 x 1,000) in the week of day 20 (AS_OF + 5, week 1) and of
    # day 40 (AS_OF + 25, week 4); its 1/7 (0.142857) and all of Y's 2,000 after.
    weeks = {w.week: w.expected for w in result.weeks}
    assert week_of(result, due_x + timedelta(days=20)) == 1
    assert week_of(result, due_x + timedelta(days=40)) == 4
    assert weeks[1] == weeks[4] == Decimal("428.571")
    assert all(amount == 0 for week, amount in weeks.items() if week not in (1, 4))
    assert result.after == Decimal("142.857") + Decimal("2000")
    # Before, X was dated at 20 or 40 with all of it in the weeks, and Y's 2,000 was given
    # a date from the book's tail and counted in a week: after was 0.


# ------------------------------------------------------- F1: dead receivables are not cash
def dead_client_book() -> list[AnyRecord]:
    """Five punctual clients (twelve invoices each, paid 0, 1 or 2 days after the due
    date) and ``bad``: eight invoices of 2,000 never paid, 89 to 299 days past due on
    AS_OF, and its next invoice, due in 10 days."""
    records: list[AnyRecord] = []
    start = date(2024, 6, 1)  # the last paid 2025-06-28, by AS_OF
    for j in range(5):
        for i in range(12):
            inv = invoice(f"ok{j}", issued=start + timedelta(days=30 * i), total="1000.00",
                          id=f"ok{j}-{i}")
            records += [inv, payment(f"ok{j}", on=inv.due_date + timedelta(days=i % 3),
                                     amount="1000.00", pays=inv, id=f"pok{j}-{i}")]
    for i in range(8):
        records.append(invoice("bad", issued=AS_OF - timedelta(days=329 - 30 * i),
                               total="2000.00", id=f"bad-{i}"))
    records.append(invoice("bad", issued=AS_OF - timedelta(days=20), total="2000.00",
                           id="bad-next"))
    return records


def test_invoices_older_than_any_paid_are_after_the_13_weeks() -> None:
    result = forecast(ledger(*dead_client_book()), as_of=AS_OF)
    old = [f for f in result.invoices if f.customer_id == "bad" and f.invoice_id != "bad-next"]
    # Due 30 days after issue: 299, 269, ..., 89 days past due.
    assert sorted(f.days_past_due for f in old) == list(range(89, 300, 30))
    for f in old:
        assert (f.predicted_on, f.low, f.high, f.beyond_history) == (None, None, None, True)
    # Nobody's invoice was ever paid more than 2 days late: the eight (16,000) are after.
    # Before, all eight were certain in week 1 (low = expected = high = 21,000 with the
    # next invoice), and after was 0.
    assert result.after >= Decimal("16000")
    assert result.weeks[0].expected < Decimal("2000")
    open_total = sum((f.open_balance_base for f in result.invoices), Decimal(0))
    cash = sum((w.expected for w in result.weeks), Decimal(0)) + result.after
    assert abs(cash - open_total) <= Decimal("0.01") * len(result.invoices)


@pytest.mark.parametrize(("seed", "as_of", "age"), [
    # Its invoice 256 days past due (926.25 EUR) was predicted paid on 2026-07-11.
    (0, date(2026, 6, 30), 256),
    # 144 days past due; and Marlowe Retail's invoice 31 days late, later than any Marlowe
    # paid, is dated from the book's invoices paid that late (its own history leaves it
    # open), not left undated.
    (7, date(2026, 3, 15), 144),
])
def test_the_sample_firms_churned_client_is_not_forecast_to_pay(
    seed: int, as_of: date, age: int
) -> None:
    from clientguard.sample import SAMPLE_ROLES, sample_records

    churned = SAMPLE_ROLES["churned_unpaid"]
    result = forecast(sample_records(seed).ledger(), as_of=as_of)
    dead = [f for f in result.invoices if f.customer_id == churned]
    # No invoice of the book was ever paid that late: not dated, after the 13 weeks.
    assert [f.days_past_due for f in dead] == [age]
    assert dead[0].predicted_on is None
    assert dead[0].beyond_history
    assert result.after >= dead[0].open_balance_base
    # Every other open invoice, the late ones of the chronic and worsening payers too, is
    # dated within the 13 weeks' reach.
    for f in result.invoices:
        if f.customer_id != churned:
            assert f.predicted_on is not None, f.invoice_id
            assert f.high is not None, f.invoice_id


# --------------------------------------------------- F2: known-late invoices judge a client
def credibility_z(delays: dict[str, list[int]], client: str) -> float:
    """Buhlmann-Straub Z = n / (n + EPV / VHM) from the clients' delays (docs/forecast.md,
    "Shrinkage"), computed here from the formula, not by the model."""
    n_total = sum(len(d) for d in delays.values())
    means = {c: sum(d) / len(d) for c, d in delays.items()}
    grand = sum(sum(d) for d in delays.values()) / n_total
    epv = (sum((x - means[c]) ** 2 for c, d in delays.items() for x in d)
           / sum(len(d) - 1 for d in delays.values()))
    between = sum(len(d) * (means[c] - grand) ** 2 for c, d in delays.items())
    vhm = ((between - (len(delays) - 1) * epv)
           / (n_total - sum(len(d) ** 2 for d in delays.values()) / n_total))
    n = len(delays[client])
    return n / (n + epv / vhm)


def test_a_client_with_only_late_open_invoices_is_judged_by_them() -> None:
    # bad's eight open invoices count at their age (a lower bound of their delay): Z is
    # about 0.98, and bad's part of the mixture is wholly late and not resolved by any paid
    # delay (its restricted mean is the oldest, 299 days). Before: "no paid invoice of the
    # client", Z = 0, the book's 59% late and 0.9 days for its next invoice.
    delays = {f"ok{j}": [i % 3 for i in range(12)] for j in range(5)}
    delays["bad"] = list(range(89, 300, 30))
    z = credibility_z(delays, "bad")
    assert z > 0.98
    result = forecast(ledger(*dead_client_book()), as_of=AS_OF)
    nxt = one(result, "bad-next")
    assert nxt.client_weight == pytest.approx(z)
    assert nxt.p_late >= z
    assert nxt.predicted_on is None  # most of it: later than any paid, maybe never
    assert nxt.client_open_late == 8
    assert "8 open invoices of the client already late" in nxt.rests_on
    outlook = next(c for c in result.clients if c.customer_id == "bad")
    assert outlook.p_late >= z
    assert outlook.expected_days_late >= z * 299


def test_a_punctual_client_is_unchanged() -> None:
    # Two clients that pay every invoice on its due date (twelve each), no invoice open and
    # late: nothing is censored. Every delay is 0, so the next invoice is predicted on its due
    # date, 0% late, all of it in its week.
    records: list[AnyRecord] = []
    for client in ("p", "q"):
        for n in range(12):
            due = date(2024, 7, 1) + timedelta(days=28 * n)
            records.append(invoice(client, issued=due - timedelta(days=30), due=due,
                                   total="500", paid=due, id=f"{client}-{n}"))
    due = AS_OF + timedelta(days=10)
    records.append(invoice("p", issued=due - timedelta(days=30), due=due, total="500",
                           id="p-next"))
    result = forecast(ledger(*records), as_of=AS_OF)
    nxt = one(result, "p-next")
    assert (nxt.predicted_on, nxt.low, nxt.high) == (due, due, due)
    assert (nxt.p_late, nxt.p_late_30, nxt.client_open_late) == (0.0, 0.0, 0)
    assert result.weeks[week_of(result, due) - 1].expected == Decimal("500")
    assert result.after == 0
    outlook = next(c for c in result.clients if c.customer_id == "p")
    assert (outlook.p_late, outlook.expected_days_late) == (0.0, 0.0)


# --------------------------------------------------------------- the cash-in's invariant
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    delays=st.lists(st.integers(-5, 60), min_size=0, max_size=25),
    ages=st.lists(st.integers(-20, 400), min_size=1, max_size=6),
    totals=st.lists(st.integers(1, 10_000), min_size=6, max_size=6),
)
def test_weeks_and_after_add_up_to_the_open_balance(
    delays: list[int], ages: list[int], totals: list[int]
) -> None:
    records: list[AnyRecord] = []
    for n, delay in enumerate(delays):
        due = date(2024, 1, 1) + timedelta(days=11 * n)
        records.append(invoice("c" if n % 2 else "d", issued=due - timedelta(days=30),
                               due=due, total="300", paid=due + timedelta(days=delay),
                               id=f"paid-{n}"))
    for n, age in enumerate(ages):
        due = AS_OF - timedelta(days=age)
        records.append(invoice("c", issued=due - timedelta(days=30), due=due,
                               total=str(totals[n]), id=f"open-{n}"))
    result = forecast(ledger(*records), as_of=AS_OF)
    open_total = sum((f.open_balance_base for f in result.invoices), Decimal(0))
    cash = sum((w.expected for w in result.weeks), Decimal(0)) + result.after
    assert abs(cash - open_total) <= Decimal("0.01") * len(result.invoices)
    undated = sum((f.open_balance_base for f in result.invoices if f.beyond_history),
                  Decimal(0))
    assert result.after >= undated - Decimal("0.01") * len(result.invoices)
    for f in result.invoices:
        # Never a date for an invoice the history does not resolve.
        if f.beyond_history:
            assert (f.predicted_on, f.low, f.high) == (None, None, None)
            assert f.p_late == 1.0
        assert 0 <= f.p_late_30 <= f.p_late <= 1
        if f.predicted_on is not None:
            assert f.low is not None
            assert f.low <= f.predicted_on
            assert f.high is None or f.predicted_on <= f.high
