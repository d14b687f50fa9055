"""Early to warn, and right when it warns: owner scenarios reviewed as of several dates.

Each book is written with :mod:`clientguard.testing`; the expected findings are worked out by
hand from the rules of docs/review.md and docs/metrics/lateness.md (sections 4 and 5), in each
row's comment. tests/test_verdict_scenarios.py covers payment runs, capacity and dominance;
these are about time: how early a change shows, and whether the story holds month to month.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import clientguard as cg
from clientguard.findings import Severity, Signal
from clientguard.metrics.trend import fisher_exact_greater
from clientguard.model import AnyRecord
from clientguard.testing import invoice, ledger, payment, work_request


def _monthly(
    client: str, first: date, months: int, total: str, late_by: Callable[[date], int | None]
) -> list[AnyRecord]:
    """An invoice of ``total`` on the 1st of each month from ``first``, 14 days' terms (due
    the 15th), paid ``late_by(due)`` days after its due date (never, for None)."""
    records: list[AnyRecord] = []
    for k in range(months):
        issued = date(first.year + (first.month - 1 + k) // 12, (first.month - 1 + k) % 12 + 1, 1)
        bill = invoice(client, issued=issued, total=total, terms=14, id=f"{client}-{k:02d}")
        records.append(bill)
        days = late_by(bill.due_date)
        if days is not None:
            records.append(payment(client, on=bill.due_date + timedelta(days=days),
                                   amount=total, pays=bill, id=f"{client}-p{k:02d}"))
    return records


def _on_time(_due: date) -> int:
    return 0


def _others() -> list[AnyRecord]:
    """Three clients billed 5,000 a month from Jan 2024 to Dec 2026, always on time."""
    return [r for c in ("o1", "o2", "o3")
            for r in _monthly(c, date(2024, 1, 1), 36, "5000", _on_time)]


def _turns_late(due: date) -> int:
    """On time for every invoice due before 15 Apr 2026; from it, 20, 25, 30, ... days late."""
    if due < date(2026, 4, 15):
        return 0
    return 20 + 5 * ((due.year - 2026) * 12 + due.month - 4)


def _every_third(due: date) -> int:
    """Late 20 days on the invoices due in Jan, Apr, Jul and Oct; on time otherwise: a
    third of them late, with no change."""
    return 20 if due.month % 3 == 1 else 0


_TURNS_LATE = ledger(*_monthly("a", date(2024, 1, 1), 36, "5000", _turns_late), *_others())


# A client billed monthly, on time for 27 months (invoices due Jan 2024 to Mar 2026), late on
# every invoice from the one due 15 Apr 2026. Its 24-month series is 22 months at 0 days late
# and then the rise, so the Theil-Sen slope (the median pairwise slope: 231 of the 276 pairs
# are two on-time months) is 0 and the trend test cannot fire until about a third of the
# months are late; chronic lateness needs 6 of the 12 invoices due in the year late (30 Sep).
# The recent period (due in the last 90 days: 3 invoices) against the 9 before it says it
# from the second late invoice: one-sided Fisher exact p = C(2,2) C(10,1) / C(12,3) = 10/220
# = 0.045 <= trend_alpha 0.05.
@pytest.mark.parametrize(
    ("as_of", "signals", "severity", "verdict"),
    [
        # Due 15 Feb, 15 Mar on time, 15 Apr open 15 days: 1 of 3 late, 0 of 9 before;
        # p = 3/12 = 0.25. One late invoice after two years is not yet a change.
        (date(2026, 4, 30), set(), None, cg.Recommendation.MONITOR),
        # 15 Apr paid 20 days late, 15 May open 16 days: 2 of 3 against 0 of 9, p = 0.045;
        # recent weighted days late (0 + 20 + 16) / 3 = 12, under the 15-day warning: watch.
        (date(2026, 5, 31), {Signal.WORSENING_LATE}, Severity.WATCH, cg.Recommendation.MONITOR),
        # 3 of 3 (20, 25 and 15 days so far) against 0 of 9, p = 1/220 = 0.0045; (20 + 25 +
        # 15) / 3 = 20 days > 15: a warning, and material (the year's lateness costs 82.19
        # EUR, from 40): revise_terms.
        (date(2026, 6, 30), {Signal.WORSENING_LATE}, Severity.WARNING,
         cg.Recommendation.REVISE_TERMS),
        # 3 of 3 against 1 of 9: p = C(4,3)/C(12,3) = 4/220 = 0.018.
        (date(2026, 7, 31), {Signal.WORSENING_LATE}, Severity.WARNING,
         cg.Recommendation.REVISE_TERMS),
        # 3 of 3 against 2 of 9: p = C(5,3)/220 = 10/220 = 0.045.
        (date(2026, 8, 31), {Signal.WORSENING_LATE}, Severity.WARNING,
         cg.Recommendation.REVISE_TERMS),
        # 6 of the 12 due in the year late: chronic (50%), and the warning stays.
        (date(2026, 9, 30), {Signal.CHRONIC_LATE}, Severity.WARNING,
         cg.Recommendation.REVISE_TERMS),
    ],
)
def test_a_good_client_turning_late_is_warned_from_its_second_late_invoice(
    as_of: date, signals: set[Signal], severity: Severity | None,
    verdict: cg.Recommendation,
) -> None:
    client = cg.review(_TURNS_LATE, as_of=as_of).clients["a"]
    lateness = {f.signal: f for f in client.findings
                if f.signal in (Signal.CHRONIC_LATE, Signal.WORSENING_LATE)}
    assert set(lateness) == signals
    assert client.recommendation is verdict
    if severity is not None:
        assert max(f.severity for f in lateness.values()) is severity


def test_the_early_warning_says_what_changed_and_how_sure() -> None:
    client = cg.review(_TURNS_LATE, as_of=date(2026, 5, 31)).clients["a"]
    (found,) = [f for f in client.findings if f.signal is Signal.WORSENING_LATE]
    assert found.message.startswith(
        "a was late on 2 of its 3 invoices due in the last 90 days (66.7%), against 0 of 9 "
        "in the 275 days before (0%): up 66.7 points")
    assert "Fisher's exact test p = 0.045" in found.message  # 10/220
    numbers = found.evidence.numbers
    assert numbers["p_value_method"] == "fisher_exact"
    assert Decimal(str(numbers["p_value"])).quantize(Decimal("0.0001")) == Decimal("0.0455")
    # The sentence the owner reads names the change.
    assert "2 of its 3 invoices" in client.summary


def test_the_early_warning_in_polish() -> None:
    client = cg.review(_TURNS_LATE, as_of=date(2026, 5, 31), lang="pl").clients["a"]
    (found,) = [f for f in client.findings if f.signal is Signal.WORSENING_LATE]
    assert "dokładny test Fishera p = 0,045" in found.message


# The guard against noise (why the short-history test did not run on long histories before):
# a client late on a third of its invoices, as it always was, is late on 1 of any 3 recent
# invoices here and on 3 of the 9 before; no month of the replay may call it worsening. And
# the same client late on 2 of its last 3 (a rise of 33 points, which the short-history test
# alone would flag) is within chance: p = (C(5,2) C(7,1) + C(5,3)) / C(12,3) = 80/220 = 0.36.
def _two_of_last_three(due: date) -> int:
    if due >= date(2026, 5, 15):
        return 20 if due.month in (5, 7) else 0
    return _every_third(due)


@pytest.mark.parametrize("late_by", [_every_third, _two_of_last_three])
def test_a_steady_share_of_late_invoices_is_not_worsening(
    late_by: Callable[[date], int],
) -> None:
    book = ledger(*_monthly("s", date(2024, 1, 1), 36, "5000", late_by), *_others())
    for month in range(1, 13):
        as_of = date(2026 + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        client = cg.review(book, as_of=as_of).clients["s"]
        assert Signal.WORSENING_LATE not in {f.signal for f in client.findings}, as_of


@pytest.mark.parametrize(
    ("recent_late", "recent", "before_late", "before", "expected"),
    [
        # Worked by hand: C(2,2) C(10,1) / C(12,3) = 10/220.
        (2, 3, 0, 9, 10 / 220),
        (3, 3, 0, 9, 1 / 220),
        (3, 3, 2, 6, 10 / 84),  # C(5,3) / C(9,3)
        (1, 3, 0, 9, 3 / 12),
        (0, 3, 5, 9, 1.0),  # nothing recent late: certain under "no change"
        (0, 0, 0, 0, 1.0),
    ],
)
def test_fisher_exact_greater_by_hand(
    recent_late: int, recent: int, before_late: int, before: int, expected: float
) -> None:
    assert fisher_exact_greater(recent_late, recent, before_late, before) == pytest.approx(
        expected, rel=1e-12)


def test_fisher_exact_greater_refuses_counts_outside_their_period() -> None:
    with pytest.raises(ValueError, match="within their periods"):
        fisher_exact_greater(4, 3, 0, 9)


@settings(deadline=None)  # the first call imports scipy
@given(st.data())
def test_fisher_exact_greater_is_scipys_one_sided_test(data: st.DataObject) -> None:
    """The same p-value as ``scipy.stats.fisher_exact(alternative="greater")`` (the reference
    implementation) on the 2x2 table late / on time by period."""
    stats = pytest.importorskip("scipy.stats", reason="scipy is the reference, not a dependency")
    recent = data.draw(st.integers(0, 12))
    before = data.draw(st.integers(0, 24))
    recent_late = data.draw(st.integers(0, recent))
    before_late = data.draw(st.integers(0, before))
    table = [[recent_late, recent - recent_late], [before_late, before - before_late]]
    expected = stats.fisher_exact(table, alternative="greater")[1]
    assert fisher_exact_greater(recent_late, recent, before_late, before) == pytest.approx(
        expected, rel=1e-9, abs=1e-12)


# A new client with too few invoices to judge (min_invoices, 3) that has been late on one is
# not "no action needed" without a word: the summary says the evidence is thin, with the
# counts, and the verdict stays what the rules give (no finding: ok). Once three are due the
# lateness is judged (1 of 3 late is not chronic) and the sentence goes.
@pytest.mark.parametrize(
    ("delays", "said"),
    [
        # Due 15 Apr on time, 15 May paid 40 days late (24 Jun): 1 of 2 late.
        ([0, 40], "Too few invoices to judge its lateness yet: it was late on 1 of 2 invoices "
                  "due in the last 365 days, and lateness is judged from 3 invoices."),
        ([0, 0], None),  # on time: nothing to say
        ([0, 40, 0], None),  # 3 due (15 Jun on time): judged, and 1 of 3 is not chronic
    ],
)
def test_a_new_client_late_on_too_few_invoices_is_told_so(
    delays: list[int], said: str | None,
) -> None:
    first = date(2026, 4, 1)
    book = ledger(*_monthly("n", first, len(delays), "5000",
                            lambda due: delays[due.month - 4]), *_others())
    client = cg.review(book, as_of=date(2026, 6, 30)).clients["n"]
    assert client.recommendation is cg.Recommendation.OK
    if said is None:
        assert "Too few invoices" not in client.summary
    else:
        assert client.summary.endswith(said)


def test_too_few_invoices_in_polish() -> None:
    book = ledger(*_monthly("n", date(2026, 4, 1), 2, "5000",
                            lambda due: 0 if due.month == 4 else 40), *_others())
    summary = cg.review(book, as_of=date(2026, 6, 30), lang="pl").clients["n"].summary
    assert summary.endswith(
        "Za mało faktur, by ocenić terminowość klienta: spóźnił się z zapłatą 1 z 2 faktur z "
        "terminem płatności w ostatnich 365 dniach, a do oceny potrzeba co najmniej 3 faktur.")


def _worse_then_better(due: date) -> int:
    """On time in 2024; from the invoice due 15 Jan 2025, 5, 10, ... 55 days late (due 15
    Nov 2025); on time again from the invoice due 15 Dec 2025."""
    if date(2025, 1, 15) <= due < date(2025, 12, 15):
        return 5 * due.month
    return 0


_WORSE_THEN_BETTER = ledger(*_monthly("b", date(2024, 1, 1), 36, "5000", _worse_then_better),
                            *_others())


# A late payer getting worse, then on time again. While it worsens it is "consider ending"
# (rule 1). Once its last invoices are paid on time more often than chance allows (the mirror
# of the early warning: late on 1 of the last 3 against 9 of the 9 before, p = C(10,1) C(2,2)
# / C(12,3) = 10/220 = 0.045), it is no longer "paying later and later", although the
# 24-month Theil-Sen line still rises (it ended at 25 days on 30 Apr with five invoices in a
# row paid on time). Its chronic lateness stands (the year's late share is still over 50%):
# revise_terms, and the sentence says it is lately better.
@pytest.mark.parametrize(
    ("as_of", "verdict", "worsening", "better"),
    [
        # Due 15 Oct (50 days, paid 4 Dec) and 15 Nov (open 16 days): nothing better yet.
        (date(2025, 11, 30), cg.Recommendation.CONSIDER_ENDING, True, None),
        # 15 Oct late, 15 Nov open 46 days (paid 9 Jan), 15 Dec on time: 2 of 3 late.
        (date(2025, 12, 31), cg.Recommendation.CONSIDER_ENDING, True, None),
        # Nov late, Dec and Jan on time: 1 of 3 against 9 of 9, p = 0.045.
        (date(2026, 1, 31), cg.Recommendation.REVISE_TERMS, False,
         "lately better: late on 1 of its 3 invoices due in the last 90 days"),
        # Feb to Apr: 0 of 3 against 9, 8 and 7 of 9 (p = 1/220, 4/220, 10/220).
        (date(2026, 2, 28), cg.Recommendation.REVISE_TERMS, False,
         "lately better: late on 0 of its 3 invoices due in the last 90 days"),
        (date(2026, 4, 30), cg.Recommendation.REVISE_TERMS, False,
         "lately better: late on 0 of its 3 invoices due in the last 90 days"),
    ],
)
def test_a_late_payer_back_on_time_is_no_longer_getting_worse(
    as_of: date, verdict: cg.Recommendation, worsening: bool, better: str | None,
) -> None:
    client = cg.review(_WORSE_THEN_BETTER, as_of=as_of).clients["b"]
    signals = {f.signal: f for f in client.findings}
    assert client.recommendation is verdict
    assert (Signal.WORSENING_LATE in signals) is worsening
    chronic = signals[Signal.CHRONIC_LATE]
    if better is None:
        assert "lately better" not in chronic.message
    else:
        assert better in chronic.message
        assert "later and later" not in chronic.message


def test_lately_better_in_polish() -> None:
    client = cg.review(_WORSE_THEN_BETTER, as_of=date(2026, 2, 28), lang="pl").clients["b"]
    (chronic,) = [f for f in client.findings if f.signal is Signal.CHRONIC_LATE]
    assert ("ostatnio lepiej: opóźnienia przy 0 z 3 faktur z terminem płatności w ostatnich "
            "90 dniach") in chronic.message


# A client that wants about six of every seven pieces of work within two days, week after
# week, for two years: its rush share in any 90 days is 11 or 12 of 13, and the period before
# one request more or less. Its rush finding is a warning (rush_fee, revise_terms) every
# month-end; a fall of one request is not "getting better" (one-sided Fisher exact p, the
# period before's upper tail, well above trend_alpha: e.g. 11 of 13 against 12 of 13 is
# p = 0.5), so the verdict does not flip between monitor and revise_terms from one month-end
# to the next, as it did on the sample firm's Quickline Events (Sep 2025 to Mar 2026).
def test_a_steady_rush_client_keeps_its_warning_month_after_month() -> None:
    first = date(2024, 7, 1)
    requests = [
        work_request("r", requested=first + timedelta(weeks=k), lead_days=5 if k % 7 == 3 else 1,
                     id=f"r-{k}")
        for k in range(104)
    ]
    book = ledger(*requests, *_monthly("r", date(2024, 7, 1), 24, "5000", _on_time),
                  *_others())
    seen = set()
    for month in range(7, 19):
        as_of = date(2025 + month // 12, month % 12 + 1, 1) - timedelta(days=1)
        client = cg.review(book, as_of=as_of).clients["r"]
        (rush,) = [f for f in client.findings if f.signal is Signal.RUSH]
        seen.add((rush.severity, client.recommendation))
    assert seen == {(Severity.WARNING, cg.Recommendation.REVISE_TERMS)}
