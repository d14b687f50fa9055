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
from clientguard.i18n import gettext as _
from clientguard.i18n import ngettext, noop
from clientguard.report.document import (
    book_aging,
    claimable_text,
    data_warnings,
    financing_now,
    time_barred_text,
    weighted_days_late,
)
from clientguard.report.text import (
    EMPTY,
    clip,
    columns,
    encodable,
    fit,
    more_notes,
    note_groups,
    pad,
    severity_word,
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
    Recommendation.CONSIDER_ENDING: noop("CONSIDER ENDING"),
    Recommendation.REVISE_TERMS: noop("REVISE TERMS"),
    Recommendation.MONITOR: noop("monitor"),
    Recommendation.OK: noop("ok"),
}
"""The verdicts as the table writes them (English; shown in the reader's language)."""

_MARK = {Severity.CRITICAL: "!!", Severity.WARNING: "! ", Severity.WATCH: "- "}
_SHORT_MARK = {Severity.CRITICAL: "!!", Severity.WARNING: "!", Severity.WATCH: ""}
SIGNAL_WORDS = {
    "chronic_late": noop("late"),
    "worsening_late": noop("worsening"),
    "revenue_concentration": noop("revenue"),
    "receivables_concentration": noop("receivables"),
    "cross_aging": noop("old debt"),
    "capacity": noop("hours"),
    "rush": noop("rush"),
    "book_concentration": noop("book"),
    "dispute": noop("dispute"),
    "expected_late": noop("late soon"),
    "stale_data": noop("stale"),
    "custom": noop("rule"),
}
"""Short names of the signals for the client table's findings column (English; shown in the
reader's language)."""


def _verdict(recommendation: Recommendation) -> str:
    return _(VERDICTS[recommendation])


def render_table(review: Review, *, title: str | None = None) -> str:
    """The review as text lines of at most :data:`WIDTH` columns, ending with a newline."""
    lines: list[str] = []
    currency = review.base_currency
    if title:
        # The title's own words, then the date and currency: a title too long is cut in its
        # words, never the date or the currency (docs/cli.md, "--title").
        titled = _("{title}, as of {date} ({currency})")
        room = WIDTH - columns(titled.format(title="", date=review.as_of, currency=currency))
        heading = titled.format(title=fit(title, max(room, 1)), date=review.as_of,
                                currency=currency)
    else:
        heading = _("clientguard review as of {date} ({currency})").format(
            date=review.as_of, currency=currency)
    lines += [fit(heading, WIDTH), "=" * min(WIDTH, columns(heading))]
    # What the data cannot support comes before any number built on it.
    for warning in data_warnings(review):
        lines += _wrap(warning, indent="", subsequent="   ", bullet="!! ")
    lines += _concentration_lines(review)
    lines += _wrap(review.book.summary)
    for finding in review.book.findings:
        if finding.signal is Signal.STALE_DATA:
            continue
        lines += _wrap(_("{severity}: {message}").format(
            severity=severity_word(finding.severity), message=finding.message), indent="  ")
    lines.append("")
    lines += _client_table(review)
    details = [c for c in review.clients.values() if c.recommendation is not Recommendation.OK]
    for client in details:
        lines.append("")
        lines += _client_details(client, currency, review)
    lines.append("")
    lines += _aging_lines(review)
    quality = review.data_quality
    if quality.notes or quality.rejections:
        lines.append("")
        lines.append(_("Data quality"))
        for head, notes, more in note_groups(quality, currency):
            if head is None:
                for note in notes:
                    lines += _wrap(note, indent="  ", subsequent="    ", bullet="- ")
                continue
            lines += _wrap(head, indent="  ", subsequent="    ", bullet="- ")
            for note in notes:
                lines += _wrap(note, indent="    ", subsequent="      ",
                               bullet=_("e.g.") + " ")
            lines.append("    " + _("... and {n} more ({where})").format(
                n=wording.number(more), where=more_notes()))
        shown = quality.rejections[:LISTED_REJECTIONS]
        if shown:
            lines.append("  " + _("Records not loaded:"))
            for rejection in shown:
                lines += _wrap(rejection, indent="    ", subsequent="      ", bullet="- ")
            if quality.rejected > len(shown):
                lines.append("    " + _(
                    "... and {n} more (the JSON report lists more; clientguard rejections "
                    "lists every stored one)").format(
                        n=wording.number(quality.rejected - len(shown))))
        lines += _listed(_("Allocations that pay another customer's invoice:"),
                         quality.foreign_allocations)
        lines += _listed(_("Amounts finer than their currency's minor unit:"),
                         quality.excess_precision)
        lines += _listed(_("Invoices due before their issue date:"), quality.due_before_issue)
    return encodable("\n".join(line.rstrip() for line in lines) + "\n")


def _listed(heading: str, records: tuple[str, ...]) -> list[str]:
    """The first :data:`LISTED_RECORDS` of a data-quality list under ``heading``; the rest
    counted."""
    if not records:
        return []
    lines = [f"  {heading}"]
    for record in records[:LISTED_RECORDS]:
        lines += _wrap(record, indent="    ", subsequent="      ", bullet="- ")
    if len(records) > LISTED_RECORDS:
        lines.append("    " + _("... and {n} more (the JSON report lists every one)").format(
            n=wording.number(len(records) - LISTED_RECORDS)))
    return lines


def _concentration_lines(review: Review) -> list[str]:
    revenue = review.book.revenue
    if revenue.is_empty:
        return _wrap(_("Concentration: no revenue in the window."))
    tops = ", ".join(
        _("top {k} {share}").format(k=k, share=wording.percent(v))
        for k, v in revenue.top_shares.items()
        if k <= revenue.client_count
    )
    effective = wording.number(revenue.effective_clients, 1, missing=EMPTY)
    hhi = wording.number(revenue.hhi, missing=EMPTY)
    text = ngettext(
        "Concentration: {n} client with revenue, as many as {effective} equal ones "
        "(HHI {hhi}); {tops}.",
        "Concentration: {n} clients with revenue, as many as {effective} equal ones "
        "(HHI {hhi}); {tops}.",
        revenue.client_count,
    ).format(n=revenue.client_count, effective=effective, hhi=hhi, tops=tops)
    return _wrap(text)


# Columns of the client table: verdict, client, revenue share, late share, weighted days
# late, overdue balance, findings. Their widths add up to WIDTH with the separating spaces.
_COLUMNS = (15, 22, 5, 5, 6, 12, 29)
_NUMERIC = (2, 3, 4, 5)


def _client_table(review: Review) -> list[str]:
    currency = review.base_currency
    head = (_("VERDICT"), _("CLIENT"), _("REV"), _("LATE%"), _("DAYS"),
            _("OVERDUE {currency}").format(currency=currency), _("FINDINGS"))
    lines = [_row(head), _row(tuple("-" * w for w in _COLUMNS))]
    if not review.clients:
        lines.append(_("(no clients in the window)"))
    revenue = review.book.revenue.shares
    for client in review.clients.values():
        overdue = client.overdue  # as judged: after its unapplied money is applied
        late = weighted_days_late(client)
        signals: list[str] = []
        seen = set()
        for finding in client.findings:  # most serious first: each signal at its worst
            if finding.signal not in seen:
                seen.add(finding.signal)
                word = SIGNAL_WORDS.get(finding.signal.value)
                words = _(word) if word is not None else finding.signal.value
                signals.append(words + _SHORT_MARK[finding.severity])
        lines.append(
            _row(
                (
                    _verdict(client.recommendation),
                    client.name,
                    wording.percent(revenue.get(client.client_id), missing=EMPTY),
                    wording.percent(client.late_share, missing=EMPTY),
                    wording.days(late, missing=EMPTY),
                    wording.amount(overdue, currency),
                    ", ".join(signals) or "-",
                )
            )
        )
    lines += _wrap(_(
        "REV: share of the window's revenue. LATE%: share of the invoices due in the window "
        "paid late or past due and unpaid. DAYS: their days late, weighted by amount. "
        "FINDINGS: !! critical, ! warning, no mark: watch."
    ))
    return lines


def _row(cells: tuple[str, ...]) -> str:
    parts = []
    for index, (cell, width) in enumerate(zip(cells, _COLUMNS, strict=True)):
        text = fit(cell, width)
        parts.append(pad(text, width, right=index in _NUMERIC))
    return " ".join(parts)


def _client_details(client: ClientReview, currency: str, review: Review) -> list[str]:
    verdict = _verdict(client.recommendation)
    lines = [fit(_("{client}: {verdict}").format(client=client.name, verdict=verdict), WIDTH)]
    lines.append("-" * min(WIDTH, columns(lines[0])))
    if len(client.members) > 1:
        lines += _wrap(_("A group: {members}").format(members=", ".join(client.members)),
                       indent="  ")
    lines += _wrap(_("Evidence: {evidence}.").format(evidence=client.evidence), indent="  ",
                   subsequent="    ")
    if client.changed_by:
        lines += _wrap(_("Verdict set by the rule {rules}.").format(
            rules=_(", then ").join(client.changed_by)), indent="  ", subsequent="    ")
    for finding in client.findings:
        lines += _wrap(finding.message, indent="  ", subsequent="     ",
                       bullet=f"{_MARK[finding.severity]} ")
    if client.revisions:
        lines.append("  " + _("What to change:"))
        for revision in client.revisions:
            lines += _wrap(revision.message, indent="    ", subsequent="      ", bullet="- ")
    lines += _wrap(_("If it ended: {what_if}").format(what_if=client.what_if.message),
                   indent="  ", subsequent="    ")
    if client.financing_cost > 0 or client.claimable > 0 or client.time_barred > 0:
        financing = wording.money(financing_now(client), currency)
        # What is time-barred only where there is some: the line as it was otherwise.
        cost = (
            _("Cost of lateness: {financing} financing; {claimable}; {time_barred}.").format(
                financing=financing, claimable=claimable_text(review, client),
                time_barred=time_barred_text(review, client))
            if client.time_barred > 0
            else _("Cost of lateness: {financing} financing; {claimable}.").format(
                financing=financing, claimable=claimable_text(review, client))
        )
        lines += _wrap(cost, indent="  ", subsequent="    ")
    return lines


def _aging_lines(review: Review) -> list[str]:
    currency = review.base_currency
    buckets = book_aging(review).buckets()
    total = sum(buckets.values(), Decimal(0))
    parts = [
        _("{bucket} {amount}").format(
            bucket=_("current") if label == "current" else label,
            amount=wording.amount(amount, currency))
        for label, amount in buckets.items()
    ]
    return _wrap(_("Open balances by days past due ({currency}): {buckets}; total {total}.")
                 .format(currency=currency, buckets=", ".join(parts),
                         total=wording.amount(total, currency)))


def _wrap(
    text: str, *, indent: str = "", subsequent: str | None = None, bullet: str = ""
) -> list[str]:
    return wrap(
        clip(text),  # a text of any length: its first TEXT_LIMIT characters
        WIDTH,
        indent=indent + bullet,
        subsequent=subsequent if subsequent is not None else indent,
    )

