"""The rolling-origin backtest of the forecast, beside naive baselines in the same run.

For each origin (by default the first day of each month), the model learns from what had
happened by the origin, and predicts every invoice open at the origin and due in the next
``horizon_days``; the predictions are then compared with what happened (the replay as of the
ledger's end). An invoice still open at the end is censored: it counts for late/on time when
it is already late beyond the grace days, and not for the error in days nor the coverage.

The baselines, each from the same history as of the same origin: the client's average delay
so far (``client_mean``: its late share for the probability, its 10th-90th percentiles for
the interval), its last paid invoice's delay (``last_invoice``: late or not for the
probability, no interval), and the book's average (``book_mean``). A client without history
takes the book's. Every delay is at least the invoice's age plus one (it was unpaid at the
origin), for the baselines too. Only invoices the client paid are history or outcomes
(:func:`~clientguard.forecast.model.paid_by_client`): one of nothing, or cancelled by credit
notes alone, says nothing of when the client pays.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict

from clientguard.forecast.model import learn, paid_by_client
from clientguard.ledger import Ledger
from clientguard.model import LAST_DATE
from clientguard.policy import Policy
from clientguard.settlement import Replay, check_as_of, is_late, replay

__all__ = ["METHODS", "Backtest", "Outcome", "Scores", "backtest", "monthly_origins", "score"]

METHODS = ("forecast", "client_mean", "last_invoice", "book_mean")
"""The forecast and the naive baselines, in the order reports show them."""


class Outcome(NamedTuple):
    """One prediction beside what happened."""

    p_late: float
    """The predicted probability of being paid late (beyond the grace days)."""
    late: bool
    """Whether it was paid late (or is still open and already late)."""
    predicted_delay: int | None
    """Predicted days after the due date (the median); None where the forecast does not date
    the invoice (later than any delay its history resolves: docs/forecast.md)."""
    delay: int | None
    """Actual days after the due date; None while still open at the end (censored)."""
    low: int | None
    """The 80% interval (delays), None for a method without one."""
    high: int | None


class Scores(BaseModel):
    """The scores of one method over a backtest."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    method: str
    predictions: int
    accuracy: float | None
    """Share of late/on-time calls right (late called at ``p_late >= 0.5``)."""
    f1: float | None
    """F1 of "late" (the positive class): 2 TP / (2 TP + FP + FN)."""
    mae_days: float | None
    """Mean absolute error of the predicted payment date, in days (settled invoices with a
    predicted date only)."""
    brier: float | None
    """Mean of ``(p_late - late)^2``."""
    coverage: float | None
    """Share of settled invoices paid inside their 80% interval (an interval with a first day,
    with or without a median; one without an end covers every later delay); None without
    intervals."""


class Backtest(BaseModel):
    """A rolling-origin backtest: its origins and each method's scores."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    origins: tuple[date, ...]
    horizon_days: int
    end: date
    """The day the outcomes are read as of (the ledger's last record)."""
    censored: int
    """Predictions whose invoice was still open at ``end``."""
    scores: tuple[Scores, ...]
    """One per method of :data:`METHODS`, in that order."""

    def of(self, method: str) -> Scores:
        """The scores of one method."""
        for scores in self.scores:
            if scores.method == method:
                return scores
        raise KeyError(method)


def score(method: str, outcomes: Iterable[Outcome]) -> Scores:
    """The scores of a list of outcomes (the backtest's arithmetic, public to be checked)."""
    outcomes = list(outcomes)
    if not outcomes:
        return Scores(method=method, predictions=0, accuracy=None, f1=None, mae_days=None,
                      brier=None, coverage=None)
    tp = fp = fn = right = 0
    brier = 0.0
    errors: list[int] = []
    inside = with_interval = 0
    for o in outcomes:
        called = o.p_late >= 0.5
        right += called == o.late
        tp += called and o.late
        fp += called and not o.late
        fn += (not called) and o.late
        brier += (o.p_late - o.late) ** 2
        if o.delay is None:
            continue
        if o.predicted_delay is not None:
            errors.append(abs(o.predicted_delay - o.delay))
        # An interval with a first day counts whether or not it has a median: one without
        # an end (the backtest gives it the last delay observed) covers every later delay.
        if o.low is not None and o.high is not None:
            with_interval += 1
            inside += o.low <= o.delay <= o.high
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
    return Scores(
        method=method,
        predictions=len(outcomes),
        accuracy=right / len(outcomes),
        f1=f1,
        mae_days=sum(errors) / len(errors) if errors else None,
        brier=brier / len(outcomes),
        coverage=inside / with_interval if with_interval else None,
    )


def _last_day(rows: Sequence[Replay]) -> date:
    days = [r.settled_on or r.invoice.issue_date for r in rows]
    return max(days) if days else date(1970, 1, 1)


def monthly_origins(ledger: Ledger, *, horizon_days: int = 90, warm_up_months: int = 6,
                    policy: Policy | None = None,
                    as_of: date | None = None) -> tuple[date, ...]:
    """The first day of each month from ``warm_up_months`` after the first invoice to
    ``horizon_days`` before the ledger's last record (so most outcomes are known): its last
    record by ``as_of`` where given (the records after it are not read)."""
    rows = replay(ledger, as_of=LAST_DATE if as_of is None else check_as_of(as_of),
                  policy=policy)
    if not rows:
        return ()
    first = min(r.invoice.issue_date for r in rows)
    last = _last_day(rows) - timedelta(days=horizon_days)
    month = first.year * 12 + first.month - 1 + warm_up_months
    origins = []
    while True:
        origin = date(month // 12, month % 12 + 1, 1)
        if origin > last:
            break
        origins.append(origin)
        month += 1
    return tuple(origins)


def _quantile(ordered: Sequence[int], q: float) -> int:
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def backtest(
    ledger: Ledger,
    *,
    origins: Sequence[date] | None = None,
    horizon_days: int = 90,
    policy: Policy | None = None,
    as_of: date | None = None,
) -> Backtest:
    """Rolling-origin backtest of :func:`clientguard.forecast.forecast` and the naive
    baselines (module docstring). ``origins`` default to :func:`monthly_origins`.

    ``as_of``: the backtest as it could have been run that day: the outcomes are read from
    the replay as of ``as_of`` (a payment after it has not happened), and the default
    origins end ``horizon_days`` before the last record by then. None: every record (the
    ledger's end). Raises ValueError for an origin after ``as_of``."""
    policy = policy or Policy()
    if horizon_days < 1:
        raise ValueError(f"horizon_days must be at least 1, not {horizon_days}")
    if as_of is not None:
        as_of = check_as_of(as_of)
    truth_rows = replay(ledger, as_of=LAST_DATE if as_of is None else as_of, policy=policy)
    end = _last_day(truth_rows)
    truth = {r.invoice.id: r for r in truth_rows}
    # An invoice the client never paid (of nothing, or cancelled by credit notes alone) is
    # neither history nor an outcome: its "delay" says nothing of when the client pays.
    client_paid = paid_by_client(ledger)
    if origins is None:
        origins = monthly_origins(ledger, horizon_days=horizon_days, policy=policy,
                                  as_of=as_of)
    late_origins = [o for o in origins if as_of is not None and o > as_of]
    if late_origins:
        raise ValueError(
            f"backtest origin {late_origins[0]} is after as_of {as_of}: an origin must be on "
            f"or before the day the backtest is run as of (drop it, or pass a later as_of)")
    grace = policy.grace_days
    results: dict[str, list[Outcome]] = {m: [] for m in METHODS}
    censored = 0
    for origin in origins:
        rows = replay(ledger, as_of=origin, policy=policy)
        model = learn(ledger, as_of=origin, policy=policy, rows=rows)
        history: dict[str, list[tuple[date, int]]] = defaultdict(list)
        book: list[int] = []
        for r in rows:
            paid, past_delay = r.settled_on, r.days_beyond_terms
            if (r.status == "settled" and paid is not None and past_delay is not None
                    and client_paid(r)):
                history[r.invoice.customer_id].append((paid, past_delay))
                book.append(past_delay)
        book.sort()
        book_mean = round(sum(book) / len(book)) if book else 0
        book_late = sum(d > grace for d in book) / len(book) if book else 0.0
        book_interval = (_quantile(book, 0.1), _quantile(book, 0.9)) if book else (None, None)
        horizon = origin + timedelta(days=horizon_days)
        for r in rows:
            due = r.invoice.due_date
            if r.status != "open" or not origin < due <= horizon:
                continue
            actual = truth.get(r.invoice.id)
            if actual is None:
                continue
            if actual.status == "settled" and not client_paid(actual):
                continue
            if actual.status == "settled" and actual.days_beyond_terms is not None:
                delay: int | None = actual.days_beyond_terms
                late = is_late(max(0, actual.days_beyond_terms), grace)
            elif actual.status == "open" and (end - due).days > grace:
                delay, late = None, True
                censored += 1
            else:
                continue
            age = (origin - due).days
            balance = r.open_balance * ledger.rate_to_base(r.invoice)
            one = model.predict(r, balance)
            # Not dated (later than any delay the history resolves): no error in days nor
            # coverage. An interval without an end covers every delay from its start, each
            # at most ``end - due`` here.
            low = (one.low - due).days if one.low is not None else None
            high = (one.high - due).days if one.high is not None else (end - due).days
            results["forecast"].append(Outcome(
                one.p_late, late,
                (one.predicted_on - due).days if one.predicted_on is not None else None,
                delay, low, high if low is not None else None,
            ))
            past = sorted(history.get(r.invoice.customer_id, []))
            delays = sorted(d for _, d in past)
            if delays:
                mean = round(sum(delays) / len(delays))
                p_client = sum(d > grace for d in delays) / len(delays)
                interval: tuple[int | None, int | None] = (
                    _quantile(delays, 0.1), _quantile(delays, 0.9))
                last = past[-1][1]
                p_last = 1.0 if last > grace else 0.0
            else:
                mean, p_client, interval = book_mean, book_late, book_interval
                last, p_last = book_mean, book_late
            results["client_mean"].append(Outcome(
                p_client, late, max(mean, age + 1), delay, *interval))
            results["last_invoice"].append(Outcome(
                p_last, late, max(last, age + 1), delay, None, None))
            results["book_mean"].append(Outcome(
                book_late, late, max(book_mean, age + 1), delay, *book_interval))
    return Backtest(
        origins=tuple(origins),
        horizon_days=horizon_days,
        end=end,
        censored=censored,
        scores=tuple(score(m, results[m]) for m in METHODS),
    )

