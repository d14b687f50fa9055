"""Memory: reviews kept in the store, their history, and past reviews computed again.

::

    from clientguard import history
    from clientguard.store import Store

    with Store.open("clientguard.db") as store:
        history.save_review(store, result)                 # a review.Review
        rows = history.client_history(store, "c-7")       # verdicts over time
        saved = history.backfill(store, ledger, since=date(2024, 1, 1), until=date(2026, 6, 30))

A saved review is its JSON report, its date, the digest of its policy, the clientguard version
and one summary per client (:class:`~clientguard.changes.ClientSummary`). A review of the same
date under the same policy replaces the one saved before. :func:`backfill` reviews the ledger
at each month-end with the as-of replay (each review sees only what had happened by its date)
and saves each. ``docs/history.md`` is the guide.
"""

from __future__ import annotations

import hashlib
import json
from calendar import monthrange
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from clientguard._version import __version__
from clientguard.changes import ClientSummary, ReviewSummary, summarize
from clientguard.errors import ClientguardError
from clientguard.i18n import gettext as _
from clientguard.i18n import pgettext
from clientguard.ledger import Ledger
from clientguard.policy import Policy
from clientguard.report.document import render_json
from clientguard.review import Review, VerdictRule, review
from clientguard.signals import SignalFunction
from clientguard.store import SavedReview, Store

__all__ = [
    "CSV_COLUMNS",
    "HistoryRow",
    "backfill",
    "baseline",
    "client_history",
    "csv_headings",
    "month_ends",
    "policy_digest",
    "reviews_to_compare",
    "save_review",
    "saved_summary",
    "verdict_lines",
]


CSV_COLUMNS = (
    "as_of",
    "client_id",
    "name",
    "verdict",
    "severity",
    "late_share",
    "weighted_days_late",
    "overdue",
    "revenue_share",
    "findings",
    "policy_digest",
)
"""The columns of ``clientguard history --format csv`` (and the keys of its JSON): fields of
:class:`HistoryRow`, one row per client and saved review."""


def csv_headings() -> tuple[str, ...]:
    """The header row of the history's CSV in the active language, in the order of
    :data:`CSV_COLUMNS`: in English the column ids themselves, in Polish Polish headings, as
    the review's CSV writes its own (:func:`clientguard.report.spreadsheet.headings`). The
    cells (dates, ids, the verdict and severity codes, numbers) are the same in every
    language."""
    return (
        pgettext("CSV column", "as_of"),
        pgettext("CSV column", "client_id"),
        pgettext("CSV column", "name"),
        pgettext("CSV column", "verdict"),
        pgettext("CSV column", "severity"),
        pgettext("CSV column", "late_share"),
        pgettext("CSV column", "weighted_days_late"),
        pgettext("CSV column", "overdue"),
        pgettext("CSV column", "revenue_share"),
        pgettext("CSV column", "findings"),
        pgettext("CSV column", "policy_digest"),
    )


def policy_digest(policy: Policy) -> str:
    """The first 16 hex digits of the SHA-256 of the policy's thresholds as canonical JSON:
    equal for two reviews under the same thresholds, whatever file they came from."""
    text = json.dumps(policy.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def save_review(store: Store, result: Review) -> SavedReview:
    """Keep ``result`` in ``store`` (replacing a review of the same date and policy)."""
    summary = summarize(result)
    whole = summary.model_dump(mode="json", exclude={"clients"})
    return store.save_review(
        as_of=result.as_of,
        policy_digest=policy_digest(result.policy),
        version=__version__,
        report=render_json(result),
        summary=whole,
        clients=[c.model_dump(mode="json") for c in summary.clients.values()],
    )


def saved_summary(store: Store, saved: SavedReview) -> ReviewSummary:
    """The summary of a saved review, as :func:`~clientguard.changes.summarize` made it."""
    clients = {
        row["client_id"]: ClientSummary.model_validate(row)
        for row in store.review_clients(saved.id)
    }
    return ReviewSummary.model_validate({**store.review_summary(saved.id), "clients": clients})


def baseline(store: Store, as_of: date) -> SavedReview | None:
    """The review a new review as of ``as_of`` is compared with: the newest saved review of
    that date or before (of one date, the last saved); None when there is none."""
    earlier = [s for s in store.saved_reviews() if s.as_of <= as_of]
    return earlier[-1] if earlier else None


def reviews_to_compare(
    store: Store, since: date | None = None
) -> tuple[SavedReview | None, SavedReview]:
    """The two saved reviews ``clientguard changes`` compares: the newest, and the one before
    it (``since`` None: "last") or the newest of ``since`` or before. Raises
    :class:`~clientguard.errors.ClientguardError` when the store has no saved review, or none
    of ``since`` or before."""
    saved = store.saved_reviews()
    if not saved:
        raise ClientguardError(
            _("the store {path} has no saved review: run clientguard review (without "
              "--no-save), or backfill past ones (clientguard review --backfill monthly --since "
              "DATE)").format(path=store.path)
        )
    latest = saved[-1]
    if since is None:
        return (saved[-2] if len(saved) > 1 else None), latest
    earlier = [s for s in saved[:-1] if s.as_of <= since]
    if not earlier:
        raise ClientguardError(
            _("the store {path} has no saved review as of {since} or before (the first is "
              "as of {first}): give a later --since, or backfill").format(
                path=store.path, since=since, first=saved[0].as_of
            )
        )
    return earlier[-1], latest


@dataclass(frozen=True)
class HistoryRow:
    """One client in one saved review."""

    as_of: date
    policy_digest: str
    client_id: str
    name: str
    verdict: str
    severity: str | None
    late_share: Decimal | None
    weighted_days_late: Decimal | None
    overdue: Decimal
    revenue_share: Decimal | None
    findings: int


def client_history(store: Store, client_id: str | None = None) -> list[HistoryRow]:
    """Each saved review's summary of ``client_id`` (every client's when None), oldest first.
    Raises :class:`~clientguard.errors.ClientguardError` for a client no saved review has."""
    rows = []
    for saved, row in store.client_history(client_id):
        summary = ClientSummary.model_validate(row)
        rows.append(HistoryRow(
            as_of=saved.as_of, policy_digest=saved.policy_digest,
            client_id=summary.client_id, name=summary.name, verdict=summary.verdict,
            severity=summary.severity.value if summary.severity else None,
            late_share=summary.late_share, weighted_days_late=summary.weighted_days_late,
            overdue=summary.overdue, revenue_share=summary.revenue_share,
            findings=len(summary.findings),
        ))
    if client_id and not rows and store.saved_reviews():
        raise ClientguardError(
            f"no saved review has a client {client_id!r}: clientguard history lists the "
            "clients' ids"
        )
    return rows


def verdict_lines(store: Store, result: Review) -> dict[str, list[tuple[date, str]]]:
    """Each client's verdicts over time, for the HTML report's strip: the saved reviews
    under ``result``'s policy up to its date, then ``result`` itself, by client id."""
    digest = policy_digest(result.policy)
    lines: dict[str, dict[date, str]] = {}
    for saved, row in store.client_history():
        if saved.policy_digest == digest and saved.as_of <= result.as_of:
            lines.setdefault(str(row["client_id"]), {})[saved.as_of] = str(row["verdict"])
    for cid, client in result.clients.items():
        lines.setdefault(cid, {})[result.as_of] = client.recommendation.value
    return {cid: sorted(days.items()) for cid, days in lines.items()}


def month_ends(since: date, until: date) -> list[date]:
    """The last day of every month from ``since``'s to ``until``'s, from ``since`` to
    ``until`` (both included)."""
    ends: list[date] = []
    year, month = since.year, since.month
    while True:
        end = date(year, month, monthrange(year, month)[1])
        if end > until:
            return ends
        if end >= since:
            ends.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)


def backfill(
    store: Store,
    ledger: Ledger,
    *,
    since: date,
    until: date,
    policy: Policy | None = None,
    signals: Sequence[SignalFunction] = (),
    verdict_rules: Sequence[VerdictRule] = (),
    progress: Callable[[date], None] | None = None,
) -> list[SavedReview]:
    """Review ``ledger`` at each month-end from ``since`` to ``until`` and save each review.

    Each review is the as-of replay of its date: it sees only the invoices, payments and
    credit notes dated by then, so the saved history is what a review on that day would have
    said of the data as it stands now (a record corrected later is seen corrected).
    ``progress`` is called with each date before its review. Raises
    :class:`~clientguard.errors.ClientguardError` when no month ends in the range.
    """
    dates = month_ends(since, until)
    if not dates:
        raise ClientguardError(
            f"no month ends between {since} and {until}: give an earlier --since"
        )
    saved = []
    for day in dates:
        if progress is not None:
            progress(day)
        result = review(ledger, as_of=day, policy=policy, signals=signals,
                        verdict_rules=verdict_rules)
        saved.append(save_review(store, result))
    return saved
