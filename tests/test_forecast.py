"""The forecast: predicted payment dates, shrinkage, survival, no look-ahead, the cash-in
view, and the backtest's arithmetic checked by hand."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from clientguard import i18n
from clientguard.findings import Severity, Signal
from clientguard.forecast import Forecast, InvoiceForecast, backtest, forecast
from clientguard.forecast.evaluation import Outcome, score
from clientguard.model import AnyRecord, Invoice
from clientguard.policy import Policy
from clientguard.review import Recommendation, Review, recommend, review
from clientguard.sample import sample_ledger
from clientguard.signals import flag_expected_late
from clientguard.testing import invoice, ledger, payment

AS_OF = date(2024, 6, 30)
IBM = Path(__file__).resolve().parents[2] / "shared" / "reference" / "data" / (
    "ibm_accounts_receivable.csv")


def paid_history(client: str, delays: list[int], *, start: date = date(2023, 1, 5),
                 total: str = "1000", terms: int = 30) -> list[Invoice]:
    """One invoice a fortnight, each paid ``delay`` days after its due date."""
    records = []
    for n, delay in enumerate(delays):
        issued = start + timedelta(days=14 * n)
        due = issued + timedelta(days=terms)
        records.append(invoice(client, issued=issued, total=total, due=due,
                               paid=max(issued, due + timedelta(days=delay)),
                               id=f"{client}-{n}"))
    return records


def open_invoice(client: str, due: date, *, total: str = "1000", ident: str | None = None,
                 disputed: bool = False) -> Invoice:
    return invoice(client, issued=due - timedelta(days=30), due=due, total=total,
                   id=ident or f"{client}-open", disputed=disputed)


def one(result: Forecast, invoice_id: str) -> InvoiceForecast:
    return next(f for f in result.invoices if f.invoice_id == invoice_id)


# ------------------------------------------------------------------ the backtest's arithmetic
def test_scores_computed_by_hand() -> None:
    outcomes = [
        Outcome(0.9, True, 10, 12, 5, 15),   # called late, right; |10-12| = 2; inside
        Outcome(0.2, False, 0, -1, -3, 2),   # called on time, right; 1; inside
        Outcome(0.6, False, 3, 0, 1, 5),     # called late, wrong (FP); 3; outside
        Outcome(0.3, True, 2, None, None, None),  # still open and late: FN; no error, no interval
    ]
    scores = score("forecast", outcomes)
    assert scores.predictions == 4
    assert scores.accuracy == pytest.approx(2 / 4)
    # TP 1, FP 1, FN 1: F1 = 2 / (2 + 1 + 1)
    assert scores.f1 == pytest.approx(0.5)
    assert scores.mae_days == pytest.approx((2 + 1 + 3) / 3)
    assert scores.brier == pytest.approx((0.1**2 + 0.2**2 + 0.6**2 + 0.7**2) / 4)
    assert scores.coverage == pytest.approx(2 / 3)


def test_an_interval_without_a_median_still_counts_for_coverage() -> None:
    # The forecast may date an invoice's first day but not its median (more than half of its
    # chance later than any paid delay): its interval is open-ended, and the backtest gives
    # it the end ``end - due`` (every later delay observed). It covers a delay from its
    # start: of these two, the first (paid at 40, interval 20..120) is inside, the second
    # (paid at 10, before its start at 20) outside: coverage 1 / 2. Neither has a median, so
    # neither has an error in days. Before, both were left out of the coverage (None).
    outcomes = [Outcome(1.0, True, None, 40, 20, 120), Outcome(1.0, True, None, 10, 20, 120)]
    scores = score("forecast", outcomes)
    assert scores.coverage == pytest.approx(1 / 2)
    assert scores.mae_days is None
    # An undated prediction (no first day either) still counts for neither.
    assert score("forecast", [Outcome(1.0, True, None, 40, None, None)]).coverage is None


def test_scores_without_intervals_or_positives() -> None:
    scores = score("last_invoice", [Outcome(0.0, False, 0, 0, None, None)])
    assert scores.coverage is None
    assert scores.f1 is None  # no late invoice called or seen: F1 undefined, not 0 or 1
    assert scores.accuracy == 1.0
    assert scores.brier == 0.0
    empty = score("book_mean", [])
    assert (empty.predictions, empty.accuracy, empty.mae_days) == (0, None, None)


# ------------------------------------------------------------------------- the predictions
def test_a_client_that_always_pays_late_is_predicted_late() -> None:
    records = [
        *paid_history("slow", [19, 20, 21] * 4),
        *paid_history("prompt", [0, 1, 0] * 4),
        open_invoice("slow", date(2024, 7, 10)),
        open_invoice("prompt", date(2024, 7, 10)),
    ]
    result = forecast(ledger(*records), as_of=AS_OF)
    slow, prompt = one(result, "slow-open"), one(result, "prompt-open")
    assert slow.predicted_on == date(2024, 7, 30)  # due + 20, the client's median delay
    assert slow.low is not None
    assert slow.high is not None
    assert slow.low >= date(2024, 7, 29)
    assert slow.high <= date(2024, 7, 31)
    assert slow.p_late > 0.95
    assert prompt.p_late < 0.5
    assert prompt.predicted_on in (date(2024, 7, 10), date(2024, 7, 11))
    assert slow.client_weight > 0.9  # the clients differ far beyond their noise
    assert "12 paid invoices of the client" in slow.rests_on
    assert result.invoices[0].invoice_id == "slow-open"  # most likely late first


def test_credibility_k_is_buhlmann_straub() -> None:
    # A: delays 0, 2 (mean 1); B: 10, 12 (mean 11). EPV = 4 / (4 - 2) = 2; grand mean 6;
    # VHM = (2 x 25 + 2 x 25 - (2 - 1) x 2) / (4 - (4 + 4) / 4) = 49; k = 2 / 49.
    records = [*paid_history("A", [0, 2]), *paid_history("B", [10, 12])]
    result = forecast(ledger(*records, open_invoice("A", date(2024, 7, 10))), as_of=AS_OF)
    assert result.credibility_k == pytest.approx(2 / 49)
    assert one(result, "A-open").client_weight == pytest.approx(2 / (2 + 2 / 49))


def test_a_client_with_little_history_is_shrunk_toward_the_book() -> None:
    # The book's clients pay alike on average but each is noisy (0 to 20 days): one invoice
    # 40 days late is weak evidence that a new client differs.
    book = [paid_history(f"c{i}", [0, 20, 5, 15, 10, 0], total="500") for i in range(8)]
    records = [r for history in book for r in history]
    records += paid_history("new", [40])
    result = forecast(ledger(*records, open_invoice("new", date(2024, 7, 10))), as_of=AS_OF)
    new = next(c for c in result.clients if c.customer_id == "new")
    settled = next(c for c in result.clients if c.customer_id == "c0")
    assert new.client_invoices == 1
    assert 0 < new.client_weight < 0.5  # one invoice does not outweigh the book
    assert settled.expected_days_late < new.expected_days_late < 40
    prediction = one(result, "new-open")
    assert prediction.pool_invoices == 49  # the eight clients' 48 invoices and its own one
    assert prediction.predicted_on is not None
    assert prediction.predicted_on < date(2024, 7, 10) + timedelta(days=40)


def test_each_open_invoice_of_a_client_is_judged_by_its_own_amount_band() -> None:
    # The book pays its small invoices on the due date and its large ones 20 days late; a
    # new client's small and large open invoices are judged by their own bands, whichever
    # the model predicts first (it keeps one mixture per client, flag and band).
    records = [r for i in range(8) for r in paid_history(f"s{i}", [0] * 5, total="100")]
    records += [r for i in range(8) for r in paid_history(f"l{i}", [20] * 5, total="10000")]
    due = AS_OF + timedelta(days=10)
    for first, second in (("100", "10000"), ("10000", "100")):
        result = forecast(ledger(*records, open_invoice("n", due, total=first, ident="n-a"),
                                 open_invoice("n", due, total=second, ident="n-b")),
                          as_of=AS_OF)
        small, large = sorted(result.invoices, key=lambda f: f.open_balance_base)
        assert (small.pool, small.p_late, small.predicted_on) == ("not disputed, small", 0.0, due)
        assert (large.pool, large.p_late) == ("not disputed, large", 1.0)
        assert large.predicted_on == due + timedelta(days=20)


@pytest.mark.parametrize("paid", ["0", "5000", "9900"])
def test_a_partly_paid_invoice_is_judged_by_the_band_of_its_total(paid: str) -> None:
    # The book as above: its 40 small invoices (100) paid on the due date, its 40 large ones
    # (10,000) 20 days late; the band's edge is the median paid amount, 100. n owes one of
    # 10,000, 5 days past due, of which ``paid`` came before AS_OF. The band is the
    # invoice's size (its total, as the paid ones and the open ones are learned by): it is
    # judged by the large pool whatever is left. Given unpaid at 5 days, every large invoice
    # was paid at 20: predicted, low and high due + 20 = AS_OF + 15 (week 3), 100% late, the
    # balance all in week 3. Before, its balance decided the band: with 9,900 paid, 100 left
    # was "small", where nothing was paid later than 5 days: not dated, all of it after.
    records: list[AnyRecord] = [
        r for i in range(8) for r in paid_history(f"s{i}", [0] * 5, total="100")]
    records += [r for i in range(8) for r in paid_history(f"l{i}", [20] * 5, total="10000")]
    due = AS_OF - timedelta(days=5)
    big = open_invoice("n", due, total="10000")
    records.append(big)
    if paid != "0":
        records.append(payment("n", on=AS_OF - timedelta(days=10), amount=paid, pays=big,
                               id="n-part"))
    result = forecast(ledger(*records), as_of=AS_OF)
    f = one(result, "n-open")
    left = Decimal("10000") - Decimal(paid)
    assert f.open_balance_base == left
    assert (f.pool, f.pool_invoices) == ("not disputed, large", 40)
    day = due + timedelta(days=20)
    assert (f.predicted_on, f.low, f.high, f.beyond_history) == (day, day, day, False)
    assert f.p_late == 1.0
    assert {w.week: w.expected for w in result.weeks if w.expected} == {3: left}
    assert result.after == 0


def test_an_amount_just_above_the_edge_is_in_the_band_its_whole_units_say() -> None:
    # The same book (edge 100). The model learns each invoice by the whole units of its
    # total, so a paid (or open) invoice of 100.50 is 100, not above the edge: small. An open
    # invoice of 100.50 due in 10 days is predicted from the small pool too: on its due
    # date, 0% late. Before, 100.50 > 100 put it in the large pool: 20 days late, 100%.
    records = [r for i in range(8) for r in paid_history(f"s{i}", [0] * 5, total="100")]
    records += [r for i in range(8) for r in paid_history(f"l{i}", [20] * 5, total="10000")]
    due = AS_OF + timedelta(days=10)
    records.append(open_invoice("n", due, total="100.50"))
    f = one(forecast(ledger(*records), as_of=AS_OF), "n-open")
    assert (f.pool, f.predicted_on, f.p_late) == ("not disputed, small", due, 0.0)


def test_an_invoice_already_overdue_is_predicted_after_today() -> None:
    # Delays 5, 10, 30, 40: an invoice already 25 days past due is one of the slow ones.
    records = [*paid_history("c", [5, 10, 30, 40] * 3),
               *paid_history("d", [5, 10, 30, 40] * 3)]
    due = AS_OF - timedelta(days=25)
    result = forecast(ledger(*records, open_invoice("c", due)), as_of=AS_OF)
    prediction = one(result, "c-open")
    assert prediction.days_past_due == 25
    assert prediction.low is not None
    assert prediction.predicted_on is not None
    assert prediction.low > AS_OF
    assert due + timedelta(days=30) <= prediction.predicted_on <= due + timedelta(days=40)
    assert prediction.p_late == 1.0  # already late beyond the grace days
    assert 0.4 < prediction.p_late_30 <= 1.0  # half of the slow tail is beyond 30 days


def test_older_than_any_delay_seen_is_not_dated_and_not_cash_in_the_weeks() -> None:
    # Paid 0 to 3 days late, never later: an invoice 60 days past due is beyond what the
    # history resolves. It was dated from the book's tail (its age plus the slowest tenth's
    # residual delays: a day or two after as_of) and counted as cash in week 1; now it is not
    # dated and its balance is after the 13 weeks (docs/forecast.md, "Survival").
    records = paid_history("c", [0, 1, 2, 3] * 3)
    due = AS_OF - timedelta(days=60)
    result = forecast(ledger(*records, open_invoice("c", due)), as_of=AS_OF)
    prediction = one(result, "c-open")
    assert prediction.beyond_history
    assert (prediction.predicted_on, prediction.low, prediction.high) == (None, None, None)
    assert prediction.p_late_30 == 1.0
    assert "too few invoices ever paid this late" in prediction.rests_on
    assert all(week.expected == 0 for week in result.weeks)
    assert result.after == Decimal("1000")


def test_no_history_at_all_still_forecasts() -> None:
    result = forecast(ledger(open_invoice("c", date(2024, 7, 10))), as_of=AS_OF)
    assert result.history == 0
    assert one(result, "c-open").pool_invoices == 0


def test_as_of_must_be_a_date() -> None:
    with pytest.raises(TypeError):
        forecast(ledger(), as_of="2024-06-30")  # type: ignore[arg-type]


# ----------------------------------------------------------------------------- the cash-in
def test_cash_in_lands_in_the_week_the_client_pays() -> None:
    records = paid_history("c", [10] * 12)
    due = date(2024, 7, 10)  # + 10 days = July 20: week 3 (July 15-21)
    result = forecast(ledger(*records, open_invoice("c", due, total="1000")), as_of=AS_OF)
    weeks = {w.week: w for w in result.weeks}
    assert len(weeks) == 13
    assert weeks[3].start == date(2024, 7, 15)
    assert weeks[3].end == date(2024, 7, 21)
    assert weeks[3].expected == Decimal("1000")
    assert (weeks[3].low, weeks[3].high) == (Decimal("1000"), Decimal("1000"))
    assert all(w.expected == 0 for n, w in weeks.items() if n != 3)
    assert result.after == 0


def test_cash_in_adds_up_to_the_open_balance() -> None:
    ledger_ = sample_ledger()
    result = forecast(ledger_, as_of=date(2026, 3, 31))
    open_total = sum((f.open_balance_base for f in result.invoices), Decimal(0))
    expected = sum((w.expected for w in result.weeks), Decimal(0)) + result.after
    assert open_total > 0
    assert abs(expected - open_total) <= Decimal("0.01") * len(result.invoices)
    for week in result.weeks:
        assert isinstance(week.expected, Decimal)
        assert 0 <= week.low <= week.expected <= week.high


def test_a_partly_paid_invoice_forecasts_its_open_rest() -> None:
    records = paid_history("c", [3] * 6)
    bill = open_invoice("c", date(2024, 7, 10), total="1000")
    part = payment("c", on=date(2024, 6, 1), amount="400", pays=bill)
    result = forecast(ledger(*records, bill, part), as_of=AS_OF)
    assert one(result, "c-open").open_balance_base == Decimal("600")


# ------------------------------------------------------------------------- no look-ahead
later_day = st.integers(min_value=1, max_value=400).map(lambda d: AS_OF + timedelta(days=d))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(later_day, st.integers(1, 90), st.sampled_from(["a", "b", "z"]),
                          st.booleans()), max_size=8))
def test_records_after_as_of_change_nothing(later: list[tuple[date, int, str, bool]]) -> None:
    base = [*paid_history("a", [2, 5, 9, 4] * 3), *paid_history("b", [20, 25, 31] * 3),
            open_invoice("a", date(2024, 7, 10)), open_invoice("b", AS_OF - timedelta(days=12))]
    before = forecast(ledger(*base), as_of=AS_OF)
    extra: list[AnyRecord] = []
    for n, (day, delay, client, pay_open) in enumerate(later):
        extra.append(invoice(client, issued=day, total="700", paid=day + timedelta(days=delay),
                             id=f"later-{n}"))
        if pay_open and client in ("a", "b"):
            bill = base[-2] if client == "a" else base[-1]
            extra.append(payment(client, on=day, amount="10", pays=bill, id=f"later-pay-{n}"))
    after = forecast(ledger(*base, *extra), as_of=AS_OF)
    assert after.invoices == before.invoices
    assert after.weeks == before.weeks
    assert after.clients == before.clients
    assert after.credibility_k == before.credibility_k


# A dispute raised after ``as_of`` had not happened on ``as_of``: the forecast as of then
# reads the dispute as it stood (``Invoice.disputed_by(as_of)``), never the flag as it is now.
ON_TIME = [r for i in range(8) for r in paid_history(f"c{i}", [0] * 5)]
"""40 invoices of 1,000, never disputed, each paid on its due date (2023)."""


def slow_history(raised: date | None) -> list[Invoice]:
    """30 invoices of 1,000 of five clients, one a week from 2023-01-05, each paid 40 days
    after its due date (the last in October 2023), disputed on ``raised`` (None: never)."""
    records = []
    for n in range(30):
        issued = date(2023, 1, 5) + timedelta(days=7 * n)
        due = issued + timedelta(days=30)
        records.append(invoice(f"d{n % 5}", issued=issued, due=due, total="1000",
                               paid=due + timedelta(days=40), id=f"slow-{n}",
                               disputed_on=raised))
    return records


def new_open_invoice(raised: date | None) -> Invoice:
    """A new client's (no history) invoice of 1,000 due 2024-07-10, disputed on ``raised``."""
    return invoice("n", issued=AS_OF - timedelta(days=20), due=date(2024, 7, 10),
                   total="1000", id="n-open", disputed_on=raised)


def recalibrating_book(raised: date | None) -> list[Invoice]:
    """A book whose interval is calibrated out of time (``recent_days`` 90: from
    2024-04-01): by then 40 invoices of a and b paid 0 to 9 days late and 30 disputed ones
    (raised in 2023) paid 60 days late; since then 40 of four new clients (so the model as of
    2024-04-01 judges them by the book's pools alone) paid 0 to 9 days late, disputed on
    ``raised`` (None: never); a's open invoice due 2024-07-10."""
    delays = list(range(10)) * 2
    records = [*paid_history("a", delays), *paid_history("b", delays)]
    for n in range(30):
        issued = date(2023, 1, 5) + timedelta(days=7 * n)
        records.append(invoice(f"s{n % 5}", issued=issued, due=issued + timedelta(days=30),
                               total="1000", paid=issued + timedelta(days=90), id=f"s-{n}",
                               disputed_on=date(2023, 12, 1)))
    for n in range(40):  # due 2024-04-04 to 2024-05-13, paid by 2024-05-22
        issued = date(2024, 3, 5) + timedelta(days=n)
        due = issued + timedelta(days=30)
        records.append(invoice(f"r{n % 4}", issued=issued, due=due, total="1000",
                               paid=due + timedelta(days=n % 10), id=f"recent-{n}",
                               disputed_on=raised))
    return [*records, open_invoice("a", date(2024, 7, 10))]


@pytest.mark.parametrize("book", [
    # The open invoice's own dispute (its prediction).
    lambda raised: [*ON_TIME, *slow_history(date(2023, 12, 1)), new_open_invoice(raised)],
    # The paid invoices' disputes (the pools the model learns).
    lambda raised: [*ON_TIME, *slow_history(raised), new_open_invoice(None)],
    # The disputes of the invoices the interval is calibrated on.
    recalibrating_book,
], ids=["open invoice", "paid invoices", "calibration"])
def test_a_dispute_raised_after_as_of_changes_nothing(
    book: Callable[[date | None], list[Invoice]],
) -> None:
    never = forecast(ledger(*book(None)), as_of=AS_OF)
    assert forecast(ledger(*book(AS_OF + timedelta(days=1))), as_of=AS_OF) == never
    # Raised by as_of, the same dispute is known, and changes the forecast.
    assert forecast(ledger(*book(AS_OF)), as_of=AS_OF) != never


@pytest.mark.parametrize(("raised", "pool", "pool_invoices", "predicted_on", "p_late"), [
    # Every paid invoice is of 1,000, so the band's edge is 1,000 and 1,000 is "small".
    # Not disputed: the pool of the 40 undisputed invoices, all paid on the due date: paid on
    # 2024-07-10, no chance of lateness.
    (None, "not disputed, small", 40, date(2024, 7, 10), 0.0),
    (date(2024, 7, 5), "not disputed, small", 40, date(2024, 7, 10), 0.0),  # raised later
    # Disputed by as_of: the pool of the 30 disputed ones, all paid 40 days late:
    # 2024-07-10 + 40 = 2024-08-19, late for sure.
    (date(2024, 6, 25), "disputed, small", 30, date(2024, 8, 19), 1.0),
])
def test_an_open_invoice_is_judged_by_its_dispute_as_it_stood_on_as_of(
    raised: date | None, pool: str, pool_invoices: int, predicted_on: date, p_late: float,
) -> None:
    book = ledger(*ON_TIME, *slow_history(date(2023, 12, 1)), new_open_invoice(raised))
    prediction = one(forecast(book, as_of=AS_OF), "n-open")
    assert prediction.disputed is (raised is not None and raised <= AS_OF)
    assert (prediction.pool, prediction.pool_invoices) == (pool, pool_invoices)
    assert (prediction.predicted_on, prediction.p_late) == (predicted_on, p_late)


# ------------------------------------------------------------------------------ backtest
def test_backtest_beats_the_naive_baselines_on_the_sample_firm() -> None:
    result = backtest(sample_ledger(), horizon_days=90)
    model = result.of("forecast")
    assert model.predictions > 500
    for baseline in ("client_mean", "last_invoice", "book_mean"):
        other = result.of(baseline)
        assert other.predictions == model.predictions
        assert model.mae_days is not None
        assert other.mae_days is not None
        assert model.mae_days < other.mae_days, baseline
        assert model.brier is not None
        assert other.brier is not None
        assert model.brier < other.brier, baseline
    assert model.coverage is not None
    assert 0.77 <= model.coverage <= 0.83


def test_backtest_of_a_predictable_client_is_exact() -> None:
    # Every invoice paid exactly 7 days late: the forecast's error is zero, every interval
    # covers, every call is right.
    records = paid_history("c", [7] * 40) + paid_history("d", [7] * 40)
    result = backtest(ledger(*records), origins=[date(2023, 9, 1), date(2023, 12, 1)])
    model = result.of("forecast")
    assert model.predictions > 0
    assert (model.mae_days, model.coverage, model.accuracy, model.brier) == (0, 1, 1, 0)


def test_backtest_checks_the_horizon() -> None:
    with pytest.raises(ValueError, match="horizon_days"):
        backtest(ledger(), origins=[AS_OF], horizon_days=0)


def test_backtest_as_of_a_day_reads_nothing_after_it() -> None:
    # The backtest as of D is the one over what was known by D: the invoices issued by then,
    # those paid after it still open (docs/forecast.md, "The backtest").
    day = date(2024, 3, 31)
    full = [*paid_history("c", [0, 5, 20] * 12), *paid_history("d", [2, 30] * 18)]
    known = [inv.model_copy(update={"paid_on": None, "status": "open"})
             if inv.paid_on is not None and inv.paid_on > day else inv
             for inv in full if inv.issue_date <= day]
    assert len(known) < len(full)
    as_of = backtest(ledger(*full), as_of=day)
    assert as_of == backtest(ledger(*known), as_of=day)
    assert as_of.end <= day
    assert as_of.origins[-1] <= as_of.end - timedelta(days=90)
    assert as_of.origins != backtest(ledger(*full)).origins  # every record: later origins


def test_backtest_refuses_an_origin_after_as_of() -> None:
    with pytest.raises(ValueError, match="origin 2024-07-01 is after as_of 2024-06-30"):
        backtest(ledger(*paid_history("c", [0] * 5)), origins=[date(2024, 7, 1)],
                 as_of=AS_OF)


@pytest.mark.skipif(not IBM.exists(), reason="the IBM sample in ../shared is absent")
def test_backtest_on_the_ibm_sample_meets_the_targets() -> None:
    import clientguard as cg
    from clientguard_csv import CsvConnector

    ledger_ = cg.Ledger.from_connector(CsvConnector(invoices=IBM, preset="ibm-ar"),
                                       base_currency="USD", strict=False)
    result = backtest(ledger_, policy=Policy())
    model = result.of("forecast")
    for baseline in ("client_mean", "last_invoice", "book_mean"):
        assert model.mae_days < result.of(baseline).mae_days  # type: ignore[operator]
        assert model.brier < result.of(baseline).brier  # type: ignore[operator]
    assert 0.77 <= model.coverage <= 0.83  # type: ignore[operator]


# ------------------------------------------------------------------------- expected_late
def slipping_client(total: str) -> list[Invoice]:
    """Twelve invoices paid on time, then the last six paid 20 days late (a late share of a
    third, below the chronic line of half), and one open invoice due in ten days."""
    records = paid_history("slip", [0] * 10 + [20] * 8, start=date(2023, 8, 1), total=total)
    others = [r for n in range(4) for r in paid_history(f"ok{n}", [0, 1, 0, 2] * 4)]
    return [*records, *others, open_invoice("slip", date(2024, 7, 10), total=total)]


@pytest.mark.parametrize(("total", "warning", "severity"), [
    ("5000", "0.55", Severity.WARNING),  # likely enough, and 5,000 reaches material_overdue
    ("100", "0.55", Severity.WATCH),  # likely enough, but 100 is not material
    ("5000", None, Severity.WATCH),  # material, but below the default three in four
])
def test_a_client_whose_last_invoices_slip_is_flagged_before_it_is_chronic(
    total: str, warning: str | None, severity: Severity
) -> None:
    book = ledger(*slipping_client(total))
    policy = Policy(expected_late_warning=Decimal(warning)) if warning else Policy()
    result = review(book, as_of=AS_OF, policy=policy)
    client = result.clients["slip"]
    signals = {f.signal: f for f in client.findings}
    assert Signal.CHRONIC_LATE not in signals
    finding = signals[Signal.EXPECTED_LATE]
    assert finding.severity is severity
    assert finding.evidence.record_ids == ("slip-open",)
    assert Decimal("0.55") <= finding.value < Decimal("0.75")
    assert "slip-open due 2024-07-10" in finding.message
    assert not any(f.signal is Signal.EXPECTED_LATE for c in ("ok0", "ok1")
                   for f in result.clients[c].findings)


def test_expected_late_alone_makes_a_client_monitor_never_more() -> None:
    finding = flag_expected_late(
        forecast(ledger(*slipping_client("5000")), as_of=AS_OF),
        policy=Policy(expected_late_warning=Decimal("0.55")))[0]
    assert finding.severity is Severity.WARNING
    for policy in (Policy(), Policy(dependency_only_verdict="revise_terms")):
        assert recommend([finding], policy) == (Recommendation.MONITOR, [finding])


def test_expected_late_skips_invoices_already_late() -> None:
    # Already late invoices are counted by the lateness findings, not foreseen.
    records = [*paid_history("c", [30] * 8), *paid_history("d", [0] * 8),
               open_invoice("c", AS_OF - timedelta(days=5))]
    predicted = forecast(ledger(*records), as_of=AS_OF)
    assert one(predicted, "c-open").p_late == 1.0
    assert flag_expected_late(predicted, policy=Policy()) == []
    assert flag_expected_late(predicted, policy=Policy(grace_days=7))[0].evidence.record_ids == (
        "c-open",)


# ------------------------------------------------------------------------------ the reports
@pytest.fixture(scope="module")
def sample_review() -> Review:
    return review(sample_ledger(), as_of=date(2026, 6, 30))


def test_the_json_report_carries_the_forecast(sample_review: Review) -> None:
    import json

    import jsonschema  # type: ignore[import-untyped]

    from clientguard.report import render
    from clientguard.report.document import schema

    document = json.loads(render(sample_review, "json"))
    jsonschema.Draft202012Validator(schema()).validate(document)
    assert document["schema_version"] == "1.10"
    predicted = sample_review.forecast
    assert predicted is not None
    block = document["forecast"]
    assert [w["week"] for w in block["weeks"]] == list(range(1, 14))
    assert block["weeks"][0]["start"] == "2026-07-01"
    assert len(block["invoices"]) == len(predicted.invoices) > 0
    first = block["invoices"][0]
    # Not dated (null) where the history never saw an invoice paid that late: the sample's
    # churned client's invoice, 256 days past due, most likely late, is first.
    day = predicted.invoices[0].predicted_on
    assert first["predicted_on"] == (day.isoformat() if day is not None else None)
    assert Decimal(first["p_late"]) == pytest.approx(Decimal(repr(predicted.invoices[0].p_late)),
                                                     abs=Decimal("0.00005"))
    signals = {f["signal"] for c in document["clients"] for f in c["findings"]}
    assert "expected_late" in signals


def test_the_html_report_has_the_cash_in_chart_and_predicted_dates(sample_review: Review) -> None:
    from clientguard.report import render

    html = render(sample_review, "html")
    chart = html.split("Cash expected in from the open invoices", 1)[1].split("</figure>", 1)[0]
    assert chart.count('<div class="wk"') == 13
    predicted = sample_review.forecast
    assert predicted is not None
    flagged = [c for c in sample_review.clients.values()
               if any(f.signal is Signal.EXPECTED_LATE for f in c.findings)]
    assert flagged
    for client in flagged:
        card = html.split(f"<h3>{client.name} ", 1)[1].split("</article>", 1)[0]
        card = re.sub(r"<td [^>]*>", "<td>", card)  # the cells' classes and column headings
        assert "When its open invoices will be paid" in card
        for one in predicted.invoices:
            if one.customer_id in client.members:
                assert f"<td>{one.invoice_id}</td><td>{one.due_date}</td>" in card
                assert f"<td>{one.predicted_on}</td><td>{one.low} to {one.high}</td>" in card


@pytest.mark.parametrize(("lang", "client", "book", "expected"), [
    ("en", 1, 1, ["1 paid invoice of the client", "1 invoice of the book (not disputed)"]),
    ("en", 2515, 48609,
     ["2,515 paid invoices of the client", "48,609 invoices of the book (not disputed)"]),
    ("pl", 2515, 48609,
     ["zapłacone faktury klienta: 2\xa0515 (", "faktury całej firmy: 48\xa0609 ("]),
])
def test_what_a_prediction_rests_on_writes_its_counts_as_numbers_are_written(
    lang: str, client: int, book: int, expected: list[str]
) -> None:
    prediction = InvoiceForecast(
        invoice_id="i", customer_id="c", due_date=date(2024, 7, 1),
        open_balance_base=Decimal("100.00"), days_past_due=0, predicted_on=date(2024, 7, 5),
        low=date(2024, 7, 1), high=date(2024, 7, 20), p_late=0.5, p_late_30=0.1,
        client_weight=0.5, client_invoices=client, client_mean_delay=3.0, client_trend=None,
        pool="not disputed", pool_invoices=book, disputed=False, beyond_history=False,
    )
    with i18n.using(lang):
        sentence = prediction.rests_on
    for part in expected:
        assert part in sentence
