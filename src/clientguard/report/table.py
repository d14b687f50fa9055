"""The review as text for a terminal: 100 columns at most.

The book's concentration comes first (it frames every client's numbers), then one line per
client in the review's order (the most drastic recommendation first, then the most serious
finding), then the details of every client that is not ``ok``, then data quality. Every text
that comes from the data is cleaned of control characters and cut to its column.
"""

from __future__ import annotations

from decimal import Decimal

from clientguard import wording
from clientguard.findings import Severity, Signal
from clientguard.report.document import book_aging, data_warnings, weighted_days_late
from clientguard.report.text import (
    EMPTY,
    MORE_NOTES,
    clip,
    columns,
    fit,
    note_groups,
    one_line,
    pad,
    wrap,
)
from clientguard.review import ClientReview, Recommendation, Review

__all__ = [
    "LISTED_RECORDS",
    "LISTED_REJECTIONS",
    "SIGNAL_WORDS",
    "VERDICTS",
    "WIDTH",
    "render_table",
]

WIDTH = 100
"""The report never writes a line longer than this."""
LISTED_REJECTIONS = 10
"""Rejected records the table lists by name; the rest are counted."""
LISTED_RECORDS = 10
"""Entries of each other data-quality list (foreign allocations, excess precision) the table
names; the rest are counted."""

VERDICTS = {
    Recommendation.CONSIDER_ENDING: "CONSIDER ENDING",
    Recommendation.REVISE_TERMS: "REVISE TERMS",
    Recommendation.MONITOR: "monitor",
    Recommendation.OK: "ok",
}

_MARK = {Severity.CRITICAL: "!!", Severity.WARNING: "! ", Severity.WATCH: "- "}
_SHORT_MARK = {Severity.CRITICAL: "!!", Severity.WARNING: "!", Severity.WATCH: ""}
SIGNAL_WORDS = {
    "chronic_late": "late",
    "worsening_late": "worsening",
    "revenue_concentration": "revenue",
    "receivables_concentration": "receivables",
    "cross_aging": "old debt",
    "capacity": "hours",
    "rush": "rush",
    "book_concentration": "book",
    "dispute": "dispute",
    "expected_late": "late soon",
    "stale_data": "stale",
    "custom": "rule",
}
"""Short names of the signals for the client table's findings column."""


def render_table(review: Review, *, title: str | None = None) -> str:
    """The review as text lines of at most :data:`WIDTH` columns, ending with a newline."""
    lines: list[str] = []
    currency = review.base_currency
    heading = f"clientguard review as of {review.as_of} ({currency})"
    if title:
        heading = f"{one_line(title)}: {heading}"
    lines += [fit(heading, WIDTH), "=" * min(WIDTH, columns(heading))]
    # What the data cannot support comes before any number built on it.
    for warning in data_warnings(review):
        lines += _wrap(warning, indent="", subsequent="   ", bullet="!! ")
    lines += _concentration_lines(review)
    lines += _wrap(review.book.summary)
    for finding in review.book.findings:
        if finding.signal is Signal.STALE_DATA:
            continue
        lines += _wrap(f"{finding.severity.value}: {finding.message}", indent="  ")
    lines.append("")
    lines += _client_table(review)
    details = [c for c in review.clients.values() if c.recommendation is not Recommendation.OK]
    for client in details:
        lines.append("")
        lines += _client_details(client, currency)
    lines.append("")
    lines += _aging_lines(review)
    quality = review.data_quality
    if quality.notes or quality.rejections:
        lines.append("")
        lines.append("Data quality")
        for head, notes, more in note_groups(quality, currency):
            if head is None:
                for note in notes:
                    lines += _wrap(note, indent="  ", subsequent="    ", bullet="- ")
                continue
            lines += _wrap(head, indent="  ", subsequent="    ", bullet="- ")
            for note in notes:
                lines += _wrap(note, indent="    ", subsequent="      ", bullet="e.g. ")
            lines.append(f"    ... and {more:,} more ({MORE_NOTES})")
        shown = quality.rejections[:LISTED_REJECTIONS]
        if shown:
            lines.append("  Records not loaded:")
            for rejection in shown:
                lines += _wrap(rejection, indent="    ", subsequent="      ", bullet="- ")
            if quality.rejected > len(shown):
                lines.append(f"    ... and {quality.rejected - len(shown):,} more (the JSON "
                             "report lists more; clientguard rejections lists every stored one)")
        lines += _listed("Allocations that pay another customer's invoice:",
                         quality.foreign_allocations)
        lines += _listed("Amounts finer than their currency's minor unit:",
                         quality.excess_precision)
        lines += _listed("Invoices due before their issue date:", quality.due_before_issue)
    return "\n".join(line.rstrip() for line in lines) + "\n"


def _listed(heading: str, records: tuple[str, ...]) -> list[str]:
    """The first :data:`LISTED_RECORDS` of a data-quality list under ``heading``; the rest
    counted."""
    if not records:
        return []
    lines = [f"  {heading}"]
    for record in records[:LISTED_RECORDS]:
        lines += _wrap(record, indent="    ", subsequent="      ", bullet="- ")
    if len(records) > LISTED_RECORDS:
        lines.append(f"    ... and {len(records) - LISTED_RECORDS:,} more (the JSON report "
                     "lists every one)")
    return lines


def _concentration_lines(review: Review) -> list[str]:
    revenue = review.book.revenue
    if revenue.is_empty:
        return _wrap("Concentration: no revenue in the window.")
    tops = ", ".join(
        f"top {k} {wording.percent(v)}"
        for k, v in revenue.top_shares.items()
        if k <= revenue.client_count
    )
    effective = wording.number(revenue.effective_clients, 1, missing=EMPTY)
    hhi = wording.number(revenue.hhi, missing=EMPTY)
    text = (
        f"Concentration: {revenue.client_count} clients with revenue, as many as "
        f"{effective} equal ones (HHI {hhi}); {tops}."
    )
    return _wrap(text)


# Columns of the client table: verdict, client, revenue share, late share, weighted days
# late, overdue balance, findings. Their widths add up to WIDTH with the separating spaces.
_COLUMNS = (15, 22, 5, 5, 6, 12, 29)
_NUMERIC = (2, 3, 4, 5)


def _client_table(review: Review) -> list[str]:
    currency = review.base_currency
    head = ("VERDICT", "CLIENT", "REV", "LATE%", "DAYS", f"OVERDUE {currency}", "FINDINGS")
    lines = [_row(head), _row(tuple("-" * w for w in _COLUMNS))]
    if not review.clients:
        lines.append("(no clients in the window)")
    revenue = review.book.revenue.shares
    for client in review.clients.values():
        overdue = sum((p.overdue_balance for p in client.profiles.values()), Decimal(0))
        late = weighted_days_late(client)
        signals: list[str] = []
        seen = set()
        for finding in client.findings:  # most serious first: each signal at its worst
            if finding.signal not in seen:
                seen.add(finding.signal)
                words = SIGNAL_WORDS.get(finding.signal.value, finding.signal.value)
                signals.append(words + _SHORT_MARK[finding.severity])
        lines.append(
            _row(
                (
                    VERDICTS[client.recommendation],
                    client.name,
                    wording.percent(revenue.get(client.client_id), missing=EMPTY),
                    wording.percent(client.late_share, missing=EMPTY),
                    wording.days(late, missing=EMPTY),
                    wording.amount(overdue, currency),
                    ", ".join(signals) or "-",
                )
            )
        )
    lines += _wrap(
        "REV: share of the window's revenue. LATE%: share of the invoices due in the window "
        "paid late or past due and unpaid. DAYS: their days late, weighted by amount. "
        "FINDINGS: !! critical, ! warning, no mark: watch."
    )
    return lines


def _row(cells: tuple[str, ...]) -> str:
    parts = []
    for index, (cell, width) in enumerate(zip(cells, _COLUMNS, strict=True)):
        text = fit(cell, width)
        parts.append(pad(text, width, right=index in _NUMERIC))
    return " ".join(parts)


def _client_details(client: ClientReview, currency: str) -> list[str]:
    verdict = VERDICTS[client.recommendation]
    lines = [fit(f"{client.name}: {verdict}", WIDTH)]
    lines.append("-" * min(WIDTH, columns(lines[0])))
    if len(client.members) > 1:
        lines += _wrap("A group: " + ", ".join(client.members), indent="  ")
    lines += _wrap(f"Evidence: {client.evidence}.", indent="  ", subsequent="    ")
    if client.changed_by:
        lines += _wrap(f"Verdict set by the rule {', then '.join(client.changed_by)}.",
                       indent="  ", subsequent="    ")
    for finding in client.findings:
        lines += _wrap(finding.message, indent="  ", subsequent="     ",
                       bullet=f"{_MARK[finding.severity]} ")
    if client.revisions:
        lines.append("  What to change:")
        for revision in client.revisions:
            lines += _wrap(revision.message, indent="    ", subsequent="      ", bullet="- ")
    lines += _wrap("If it ended: " + client.what_if.message, indent="  ", subsequent="    ")
    if client.financing_cost > 0 or client.claimable > 0:
        lines += _wrap(
            f"Cost of lateness: {wording.money(client.financing_cost, currency)} financing; "
            f"{wording.money(client.claimable, currency)} claimable under late-payment law.",
            indent="  ",
            subsequent="    ",
        )
    return lines


def _aging_lines(review: Review) -> list[str]:
    currency = review.base_currency
    buckets = book_aging(review).buckets()
    total = sum(buckets.values(), Decimal(0))
    parts = [f"{label} {wording.amount(amount, currency)}" for label, amount in buckets.items()]
    return _wrap(
        f"Open balances by days past due ({currency}): " + ", ".join(parts)
        + f"; total {wording.amount(total, currency)}."
    )


def _wrap(
    text: str, *, indent: str = "", subsequent: str | None = None, bullet: str = ""
) -> list[str]:
    return wrap(
        clip(text),  # a text of any length: its first TEXT_LIMIT characters
        WIDTH,
        indent=indent + bullet,
        subsequent=subsequent if subsequent is not None else indent,
    )
