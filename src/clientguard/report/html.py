"""The review as one self-contained HTML file, with inline SVG charts.

Self-contained means it loads nothing: no script, no stylesheet or font from elsewhere, no
image by address. The styles are inline, the charts are inline SVG, and a
``Content-Security-Policy`` of ``default-src 'none'`` tells the browser to refuse any load
even if one slipped in. It reads on a phone (one column, tables that scroll sideways) and
prints (no backgrounds needed, no client cut across pages).

Every text that comes from the data (names, ids, messages) is escaped, in the page and in
the charts, and control characters are shown as escapes.

Charts:

* revenue share by client: sorted bars of the largest clients, the rest as one bar;
* open balances by aging bucket, the whole book;
* for each client whose verdict is not ``ok``: its amount-weighted days late by month of due
  date (the series the trend test runs on), when it has one.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from clientguard import wording
from clientguard._version import __version__
from clientguard.forecast import Forecast, InvoiceForecast
from clientguard.report.document import (
    book_aging,
    claim_text,
    data_warnings,
    weighted_days_late,
)
from clientguard.report.strip import verdict_strip
from clientguard.report.text import (
    EMPTY,
    MORE_NOTES,
    clip,
    fit,
    note_groups,
    printable,
)
from clientguard.review import ClientReview, Recommendation, Review

# Internal (helpers of this renderer), left out of __all__: esc, monthly_days_late.
__all__ = ["LISTED_RECORDS", "TOP_CLIENTS", "VERDICT_TEXT", "render_html"]

TOP_CLIENTS = 12
"""Clients drawn as their own bar in the revenue chart; the rest share one bar."""
LISTED_RECORDS = 50
"""Entries of each data-quality list (foreign allocations, excess precision) the page names;
the rest are counted."""

VERDICT_TEXT = {
    Recommendation.CONSIDER_ENDING: "Consider ending",
    Recommendation.REVISE_TERMS: "Revise terms",
    Recommendation.MONITOR: "Monitor",
    Recommendation.OK: "OK",
}

_STYLE = """
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d9dee7;
  --bar: #3f6ea8; --critical: #b42318; --warning: #b54708; --watch: #6b5b00; --ok: #2e7d32; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  color: var(--ink); background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.5rem; margin: 0.5rem 0 0; }
h2 { font-size: 1.2rem; margin: 2rem 0 0.5rem; border-bottom: 1px solid var(--line); }
h3 { font-size: 1.05rem; margin: 0 0 0.25rem; }
p { margin: 0.4rem 0; }
.sub, .muted { color: var(--muted); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(9rem, 1fr));
  gap: 0.5rem; margin: 1rem 0; }
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem; }
.card b { display: block; font-size: 1.25rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
h1, h2, h3, p, li, td, th, figcaption { overflow-wrap: anywhere; word-break: break-word; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
.badge { display: inline-block; padding: 0 0.4rem; border-radius: 4px; font-size: 0.85rem;
  border: 1px solid currentColor; white-space: nowrap; }
.consider_ending, .critical { color: var(--critical); }
.revise_terms, .warning { color: var(--warning); }
.monitor, .watch { color: var(--watch); }
.ok { color: var(--ok); }
.banner { border: 2px solid var(--critical); border-radius: 6px; padding: 0.5rem 0.75rem;
  margin: 1rem 0; color: var(--critical); }
.evidence { font-variant-numeric: tabular-nums; }
article { border: 1px solid var(--line); border-radius: 6px; padding: 0.75rem 1rem;
  margin: 0.75rem 0; }
ul { margin: 0.25rem 0; padding-left: 1.25rem; }
figure { margin: 1rem 0; }
figcaption { font-weight: 600; margin-bottom: 0.25rem; }
svg { width: 100%; height: auto; max-width: 44rem; display: block; }
svg text { font: 12px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; fill: #1d2430; }
svg .bar { fill: var(--bar); } svg .rest { fill: #9fb3cc; } svg .grid { stroke: var(--line); }
svg .line { stroke: var(--bar); fill: none; stroke-width: 2; } svg .dot { fill: var(--bar); }
footer { color: var(--muted); font-size: 0.85rem; margin: 2rem 0 1rem; }
@media (max-width: 40rem) { main { padding: 0.5rem; } h1 { font-size: 1.25rem; }
  th, td { padding: 0.3rem; } }
@media print { body { font-size: 11pt; } main { max-width: none; padding: 0; }
  article, figure, tr { break-inside: avoid; } .scroll { overflow: visible; }
  a { color: inherit; text-decoration: none; } }
"""


def esc(text: object) -> str:
    """Text from anywhere, safe inside HTML and SVG (content and quoted attributes), cut to
    :data:`~clientguard.report.text.TEXT_LIMIT` characters with an ellipsis."""
    return html.escape(printable(clip(str(text))), quote=True)


def render_html(
    review: Review,
    *,
    title: str | None = None,
    history: Mapping[str, Sequence[tuple[date, str]]] | None = None,
) -> str:
    """The review as a complete HTML document (UTF-8 text). ``history``: each client's
    verdicts over the saved reviews, by client id (``clientguard.history.verdict_lines``),
    drawn as a strip in its card."""
    currency = review.base_currency
    heading = title or "Client review"
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{esc(heading)}, {review.as_of}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{esc(heading)}</h1>",
        f'<p class="sub">As of {review.as_of}; amounts in {esc(currency)}.</p>',
        *_warnings(review),
        *_book(review),
        *_clients_table(review),
        *_details(review, history or {}),
        *_data_quality(review),
        f"<footer>Made by clientguard {esc(__version__)}. Every number is as of "
        f"{review.as_of}; the policy's thresholds are in the JSON report "
        "(clientguard review --format json).</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return "\n".join(parts) + "\n"


# --------------------------------------------------------------------------- sections


def _book(review: Review) -> list[str]:
    book = review.book
    revenue = book.revenue
    currency = review.base_currency
    cards = [
        ("Clients", str(len(review.clients))),
        ("Effective clients",
         wording.number(revenue.effective_clients, 1, missing=EMPTY)),
        ("HHI (revenue)", wording.number(revenue.hhi, missing=EMPTY)),
        ("Largest client", wording.percent(revenue.top_shares.get(1), missing=EMPTY)),
        ("Lateness cost", wording.money(book.financing_cost, currency)),
        ("Claimable by law", claim_text(review, book.claimable)),
    ]
    lines = [
        '<section id="book">',
        "<h2>The book</h2>",
        f"<p>{esc(book.summary)}</p>",
        '<div class="cards">',
        *(f'<div class="card"><span class="muted">{esc(k)}</span><b>{esc(v)}</b></div>'
          for k, v in cards),
        "</div>",
    ]
    for finding in book.findings:
        lines.append(f"<p>{_badge(finding.severity.value, finding.severity.value)} "
                     f"{esc(finding.message)}</p>")
    lines.append(_figure("Revenue share by client", _revenue_chart(review)))
    lines.append(_figure(f"Open balances by days past due ({currency})", _aging_chart(review)))
    if review.forecast is not None:
        lines.append(_figure(
            f"Cash expected in from the open invoices, next 13 weeks ({currency}; the whiskers: "
            "80% interval)", _cash_chart(review.forecast, currency)))
    lines.append("</section>")
    return lines


def _warnings(review: Review) -> list[str]:
    """What the data cannot support, before anything built on it."""
    return [
        f'<div class="banner" role="alert"><strong>Warning:</strong> {esc(text)}</div>'
        for text in data_warnings(review)
    ]


def _clients_table(review: Review) -> list[str]:
    currency = review.base_currency
    shares = review.book.revenue.shares
    rows = []
    for client in review.clients.values():
        overdue = sum((p.overdue_balance for p in client.profiles.values()), Decimal(0))
        signals = sorted({f.signal.value.replace("_", " ") for f in client.findings})
        anchor = (
            f'<a href="#{_anchor(client)}">{esc(client.name)}</a>'
            if client.recommendation is not Recommendation.OK
            else esc(client.name)
        )
        rows.append(
            "<tr>"
            f"<td>{_verdict(client.recommendation)}</td>"
            f"<td>{anchor}</td>"
            f'<td class="num">{wording.percent(shares.get(client.client_id), missing=EMPTY)}</td>'
            f'<td class="num">{wording.percent(client.late_share, missing=EMPTY)}</td>'
            f'<td class="num">{wording.days(weighted_days_late(client), missing=EMPTY)}</td>'
            f'<td class="num">{esc(wording.amount(overdue, currency))}</td>'
            f"<td>{esc(', '.join(signals) or '-')}</td>"
            f'<td class="muted">{esc(client.evidence)}</td>'
            "</tr>"
        )
    return [
        '<section id="clients">',
        "<h2>Clients</h2>",
        '<p class="muted">The most drastic verdict first. Revenue share over the look-back '
        "window; late share: the invoices due in it paid late or past due and unpaid; days "
        "late amount-weighted over them; evidence: the numbers that decided the verdict.</p>",
        '<div class="scroll"><table>',
        "<thead><tr><th>Verdict</th><th>Client</th><th class=\"num\">Revenue</th>"
        "<th class=\"num\">Late share</th>"
        f"<th class=\"num\">Days late</th><th class=\"num\">Overdue ({esc(currency)})</th>"
        "<th>Findings</th><th>Evidence</th></tr></thead>",
        "<tbody>",
        *(rows or ['<tr><td colspan="8">No clients in the window.</td></tr>']),
        "</tbody></table></div>",
        "</section>",
    ]


def _details(review: Review, history: Mapping[str, Sequence[tuple[date, str]]]) -> list[str]:
    flagged = [c for c in review.clients.values() if c.recommendation is not Recommendation.OK]
    if not flagged:
        return []
    lines = ['<section id="details">', "<h2>Clients to act on</h2>"]
    for client in flagged:
        lines += _client_article(client, review, _predicted(client, review))
        lines[-1:-1] = verdict_strip(client.name, history.get(client.client_id, ()))
    lines.append("</section>")
    return lines


def _predicted(client: ClientReview, review: Review) -> list[InvoiceForecast]:
    """The client's open invoices as the forecast predicts them, by due date."""
    if review.forecast is None:
        return []
    members = set(client.members) | {client.client_id}
    return sorted((f for f in review.forecast.invoices if f.customer_id in members),
                  key=lambda f: (f.due_date, f.invoice_id))


def _client_article(
    client: ClientReview, review: Review, predicted: Sequence[InvoiceForecast] = ()
) -> list[str]:
    currency = review.base_currency
    lines = [
        f'<article id="{_anchor(client)}">',
        f"<h3>{esc(client.name)} {_verdict(client.recommendation)}</h3>",
    ]
    if len(client.members) > 1:
        lines.append(f'<p class="muted">A group: {esc(", ".join(client.members))}</p>')
    lines.append(f'<p class="evidence">Evidence: {esc(client.evidence)}.</p>')
    if client.changed_by:
        lines.append(f"<p>Verdict set by the rule {esc(', then '.join(client.changed_by))}.</p>")
    if client.findings:
        lines.append("<ul>")
        lines += [
            f"<li>{_badge(f.severity.value, f.severity.value)} {esc(f.message)}</li>"
            for f in client.findings
        ]
        lines.append("</ul>")
    if client.revisions:
        lines.append("<p><b>What to change</b></p><ul>")
        lines += [f"<li>{esc(r.message)}</li>" for r in client.revisions]
        lines.append("</ul>")
    if predicted:
        lines.append("<p><b>When its open invoices will be paid</b> (forecast)</p>")
        lines.append('<div class="scroll"><table><thead><tr><th>Invoice</th><th>Due</th>'
                     f'<th class="num">Open ({esc(currency)})</th><th>Predicted</th>'
                     '<th>80% interval</th><th class="num">P(late)</th></tr></thead><tbody>')
        lines += [
            f"<tr><td>{esc(f.invoice_id)}</td><td>{f.due_date}</td>"
            f'<td class="num">{esc(wording.amount(f.open_balance_base, currency))}</td>'
            f"<td>{f.predicted_on}</td><td>{f.low} to {f.high}</td>"
            f'<td class="num">{f.p_late:.0%}</td></tr>'
            for f in predicted
        ]
        lines.append("</tbody></table></div>")
    lines.append(f"<p><b>If it ended:</b> {esc(client.what_if.message)}</p>")
    if client.financing_cost > 0 or client.claimable > 0:
        lines.append(
            "<p><b>Cost of lateness:</b> "
            f"{esc(wording.money(client.financing_cost, currency))} "
            f"in financing; {esc(_claimable(review, client))}.</p>"
        )
    series = monthly_days_late(client)
    if series:
        lines.append(_figure(f"{client.name}: days late by month due", _trend_chart(series)))
    lines.append("</article>")
    return lines


def _data_quality(review: Review) -> list[str]:
    quality = review.data_quality
    if not quality.notes and not quality.rejections:
        return []
    lines = ['<section id="data-quality">', "<h2>Data quality</h2>", "<ul>"]
    for heading, notes, more in note_groups(quality, review.base_currency):
        if heading is None:
            lines += [f"<li>{esc(note)}</li>" for note in notes]
            continue
        lines.append(f"<li>{esc(heading)}<details><summary>for example</summary><ul>")
        lines += [f"<li>{esc(note)}</li>" for note in notes]
        lines.append(f"<li>... and {more:,} more ({esc(MORE_NOTES)})</li></ul></details></li>")
    lines.append("</ul>")
    if quality.rejections:
        lines.append("<details><summary>Rejected records</summary><ul>")
        lines += [f"<li>{esc(r)}</li>" for r in quality.rejections]
        lines.append("</ul></details>")
    lines += _listed("Allocations that pay another customer's invoice",
                     quality.foreign_allocations)
    lines += _listed("Amounts finer than their currency's minor unit", quality.excess_precision)
    lines += _listed("Invoices due before their issue date", quality.due_before_issue)
    lines.append("</section>")
    return lines


def _listed(summary: str, records: Sequence[str]) -> list[str]:
    """The first :data:`LISTED_RECORDS` of a data-quality list, folded; the rest counted."""
    if not records:
        return []
    lines = [f"<details><summary>{esc(summary)}</summary><ul>"]
    lines += [f"<li>{esc(r)}</li>" for r in records[:LISTED_RECORDS]]
    if len(records) > LISTED_RECORDS:
        more = len(records) - LISTED_RECORDS
        lines.append(f"<li>... and {more:,} more (the JSON report lists every one)</li>")
    lines.append("</ul></details>")
    return lines


# --------------------------------------------------------------------------- small parts


def _badge(css: str, text: str) -> str:
    return f'<span class="badge {esc(css)}">{esc(text)}</span>'


def _verdict(recommendation: Recommendation) -> str:
    return _badge(recommendation.value, VERDICT_TEXT[recommendation])


def _anchor(client: ClientReview) -> str:
    # An id from the data would need its own escaping rules; a hash of it does not.
    return "c-" + hashlib.sha256(client.client_id.encode()).hexdigest()[:12]


def _figure(caption: str, svg: str) -> str:
    return f"<figure><figcaption>{esc(caption)}</figcaption>{svg}</figure>"


def monthly_days_late(client: ClientReview) -> list[tuple[date, Decimal]]:
    """The client's amount-weighted days late per month of due date, its members merged."""
    sums: dict[date, list[Decimal]] = {}
    for profile in client.profiles.values():
        for point in profile.monthly:
            bucket = sums.setdefault(point.month, [Decimal(0), Decimal(0)])
            bucket[0] += point.weighted_days_late * point.amount
            bucket[1] += point.amount
    return [(month, s[0] / s[1]) for month, s in sorted(sums.items()) if s[1] > 0]


# --------------------------------------------------------------------------- charts


def _svg(width: int, height: int, label: str, body: Iterable[str]) -> str:
    return (
        f'<svg viewBox="0 0 {width} {height}" role="img" aria-label="{esc(label)}">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def _text(x: float, y: float, text: str, *, anchor: str = "start") -> str:
    return f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}">{esc(text)}</text>'


def _revenue_chart(review: Review) -> str:
    revenue = review.book.revenue
    if revenue.is_empty:
        return '<p class="muted">No revenue in the window.</p>'
    items: list[tuple[str, Decimal]] = [
        (revenue.names.get(client, client), share)
        for client, share in list(revenue.shares.items())[:TOP_CLIENTS]
    ]
    rest = list(revenue.shares.values())[TOP_CLIENTS:]
    if rest:
        items.append((f"the other {len(rest)} clients together", sum(rest, Decimal(0))))
    return _bars(items, "Revenue share by client", value=wording.percent, last_is_rest=bool(rest))


def _bars(
    items: Sequence[tuple[str, Decimal]],
    label: str,
    *,
    value: Callable[[Decimal], str],
    last_is_rest: bool = False,
) -> str:
    """Horizontal bars, one row each: label, bar, value; the longest bar is full width."""
    width, label_width, row = 640, 210, 24
    bar_space = width - label_width - 70
    top = max((amount for _, amount in items), default=Decimal(0))
    body = []
    for index, (name, amount) in enumerate(items):
        y = index * row
        length = float(amount / top) * bar_space if top > 0 else 0.0
        shown = value(amount)
        body.append(_text(label_width - 8, y + 16, fit(name, 30), anchor="end"))
        css = "bar rest" if last_is_rest and index == len(items) - 1 else "bar"
        body.append(
            f'<rect class="{css}" x="{label_width}" y="{y + 5}" width="{max(length, 1):.1f}" '
            f'height="{row - 8}"></rect>'
        )
        body.append(_text(label_width + length + 6, y + 16, str(shown)))
    return _svg(width, max(len(items), 1) * row + 4, label, body)


def _aging_chart(review: Review) -> str:
    currency = review.base_currency
    buckets = book_aging(review).buckets()
    if not any(buckets.values()):
        return '<p class="muted">Nothing is open.</p>'
    width, height, left, bottom = 640, 220, 10, 40
    slot = (width - left) / len(buckets)
    top = max(buckets.values())
    body = [f'<line class="grid" x1="0" y1="{height - bottom}" x2="{width}" '
            f'y2="{height - bottom}"></line>']
    for index, (label, amount) in enumerate(buckets.items()):
        tall = float(amount / top) * (height - bottom - 30) if top > 0 else 0.0
        x = left + index * slot
        body.append(
            f'<rect class="bar" x="{x + slot * 0.2:.1f}" y="{height - bottom - tall:.1f}" '
            f'width="{slot * 0.6:.1f}" height="{max(tall, 0.5):.1f}"></rect>'
        )
        body.append(_text(x + slot / 2, height - bottom - tall - 6,
                          wording.amount(amount, currency),
                          anchor="middle"))
        name = "not yet due" if label == "current" else f"{label} days"
        body.append(_text(x + slot / 2, height - bottom + 18, name, anchor="middle"))
    return _svg(width, height, f"Open balances by days past due, {currency}", body)


def _trend_chart(series: Sequence[tuple[date, Decimal]]) -> str:
    """A line of days late per month; months without invoices are gaps on the x axis."""
    width, height, left, right, top_pad, bottom = 640, 200, 64, 16, 16, 36
    first = series[0][0].year * 12 + series[0][0].month
    last = series[-1][0].year * 12 + series[-1][0].month
    span = max(last - first, 1)
    peak = max(max(v for _, v in series), Decimal(1))

    def x(month: date) -> float:
        return left + (month.year * 12 + month.month - first) / span * (width - left - right)

    def y(days_late: Decimal) -> float:
        return top_pad + (1 - float(days_late / peak)) * (height - top_pad - bottom)

    body = [
        f'<line class="grid" x1="{left}" y1="{y(Decimal(0)):.1f}" x2="{width - right}" '
        f'y2="{y(Decimal(0)):.1f}"></line>',
        f'<line class="grid" x1="{left}" y1="{y(peak):.1f}" x2="{width - right}" '
        f'y2="{y(peak):.1f}"></line>',
        _text(left - 6, y(Decimal(0)) + 4, "0", anchor="end"),
        _text(left - 6, y(peak) + 4, f"{wording.days(peak, 0)} days", anchor="end"),
    ]
    points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in series)
    if len(series) > 1:
        body.append(f'<polyline class="line" points="{points}"></polyline>')
    for month, value in series:
        body.append(
            f'<circle class="dot" cx="{x(month):.1f}" cy="{y(value):.1f}" r="3">'
            f"<title>{esc(f'{month:%Y-%m}: {wording.days(value)} days late')}</title></circle>"
        )
    body.append(_text(left, height - 10, f"{series[0][0]:%Y-%m}"))
    body.append(_text(width - right, height - 10, f"{series[-1][0]:%Y-%m}", anchor="end"))
    return _svg(width, height, "Amount-weighted days late by month due", body)


def _cash_chart(predicted: Forecast, currency: str) -> str:
    """A bar of expected cash per week, with a whisker from the 80% interval's low to high."""
    weeks = predicted.weeks
    top = max((w.high for w in weeks), default=Decimal(0))
    if top <= 0:
        return '<p class="muted">No open invoice is expected to be paid in the 13 weeks.</p>'
    width, height, left, bottom = 640, 220, 10, 40
    slot = (width - left) / len(weeks)
    space = height - bottom - 30

    def y(amount: Decimal) -> float:
        return height - bottom - float(amount / top) * space

    body = [f'<line class="grid" x1="0" y1="{height - bottom}" x2="{width}" '
            f'y2="{height - bottom}"></line>']
    for index, week in enumerate(weeks):
        x = left + index * slot
        middle = x + slot / 2
        tall = height - bottom - y(week.expected)
        body.append(
            f'<rect class="bar" x="{x + slot * 0.2:.1f}" y="{y(week.expected):.1f}" '
            f'width="{slot * 0.6:.1f}" height="{max(tall, 0.5):.1f}">'
            f"<title>{esc(f'week {week.week}, {week.start} to {week.end}: ')}"
            f"{esc(wording.money(week.expected, currency))} "
            f"({esc(wording.amount(week.low, currency))} to "
            f"{esc(wording.amount(week.high, currency))})"
            "</title></rect>"
        )
        body.append(f'<line class="line" x1="{middle:.1f}" y1="{y(week.low):.1f}" '
                    f'x2="{middle:.1f}" y2="{y(week.high):.1f}"></line>')
        body.append(_text(middle, height - bottom + 16, f"{week.start:%d %b}", anchor="middle"))
    body.append(_text(left, 14, f"up to {wording.money(top, currency)} a week"))
    return _svg(width, height, f"Cash expected in by week, {currency}", body)


def _claimable(review: Review, client: ClientReview) -> str:
    text = claim_text(review, client.claimable, client)
    return text if text.startswith("no ") else f"{text} claimable under late-payment law"
