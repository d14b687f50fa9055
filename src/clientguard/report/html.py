"""The review as one self-contained HTML file, with its charts inline.

Self-contained means it loads nothing: no script, no stylesheet or font from elsewhere, no
image by address. The styles are inline, the charts are HTML bars and inline SVG, and a
``Content-Security-Policy`` of ``default-src 'none'`` tells the browser to refuse any load
even if one slipped in. It reads on every screen (docs/html-report.md): below 60rem the
tables become one card per row, below 40-50rem the charts are laid out anew (a label above
its bar, a row per week), never scaled down; and it prints (the bars' colours kept, no client
cut across pages).

Every text that comes from the data (names, ids, messages) is escaped, in the page and in
the charts, and control characters are shown as escapes.

Charts:

* revenue share by client: sorted bars of the largest clients, the rest as one bar;
* open balances by aging bucket, the whole book: every bucket's amount written, a bar that is
  not zero at least 3px wide, the oldest in the critical colour;
* the cash expected in over the next 13 weeks, with the 80% interval as whiskers;
* for each client whose verdict is not ``ok``: its amount-weighted days late by month of due
  date (the series the trend test runs on), when it has one; a month without invoices due
  breaks the line.
"""

from __future__ import annotations

import hashlib
import html
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date
from decimal import Decimal

from babel.dates import format_date

from clientguard import wording
from clientguard._version import __version__
from clientguard.findings import Finding
from clientguard.forecast import Forecast, InvoiceForecast
from clientguard.i18n import babel_locale, language, ngettext, noop
from clientguard.i18n import gettext as _
from clientguard.report.bidi import has_rtl, isolated, isolated_plain
from clientguard.report.document import (
    book_aging,
    claim_text,
    claimable_text,
    data_warnings,
    financing_now,
    law_applies,
    time_barred_text,
    weighted_days_late,
)
from clientguard.report.strip import verdict_strip
from clientguard.report.text import (
    EMPTY,
    aging_label,
    clip,
    encodable,
    fit,
    more_notes,
    note_groups,
    printable,
    severity_word,
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
    Recommendation.CONSIDER_ENDING: noop("Consider ending"),
    Recommendation.REVISE_TERMS: noop("Revise terms"),
    Recommendation.MONITOR: noop("Monitor"),
    Recommendation.OK: noop("OK"),
}
"""The verdicts as the page writes them (English; shown in the reader's language)."""

_SIGNAL_NAMES = {
    "chronic_late": noop("chronic late"),
    "worsening_late": noop("worsening late"),
    "revenue_concentration": noop("revenue concentration"),
    "receivables_concentration": noop("receivables concentration"),
    "cross_aging": noop("cross aging"),
    "capacity": noop("capacity"),
    "rush": noop("rush"),
    "book_concentration": noop("book concentration"),
    "dispute": noop("dispute"),
    "expected_late": noop("expected late"),
    "stale_data": noop("stale data"),
    "custom": noop("custom"),
}

_STYLE = """
:root { color-scheme: light; --ink: #1d2430; --muted: #5b6575; --line: #d9dee7;
  --bar: #3f6ea8; --rest: #9fb3cc; --critical: #b42318; --warning: #b54708; --watch: #6b5b00;
  --ok: #2e7d32; }
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
.card { border: 1px solid var(--line); border-radius: 6px; padding: 0.5rem 0.75rem;
  min-width: 0; }
.card b { display: block; font-size: 1.25rem; }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 0.35rem 0.5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
h1, h2, h3, p, li, td, th, figcaption, .card b { overflow-wrap: anywhere; word-break: break-word; }
td.num, th.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
th.num { white-space: normal; overflow-wrap: normal; word-break: normal; }
td.client { min-width: 12rem; }
td.words { min-width: 7rem; }
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
.chart { font-size: 0.8rem; line-height: 1.25; font-variant-numeric: tabular-nums;
  max-width: 48rem; }
.chart .bar, .chart .whisker { display: block; background: var(--bar);
  -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.chart .rest { background: var(--rest); }
.chart .critical { background: var(--critical); }
.hbars { display: grid; grid-template-columns: minmax(5rem, 14rem) minmax(4rem, 1fr) max-content;
  gap: 0.15rem 0.5rem; align-items: center; }
.hbars > div { display: contents; }
.hbars .name { text-align: right; overflow-wrap: anywhere; }
.hbars .track { min-width: 0; }
.hbars .bar { height: 0.9rem; }
.hbars .bar.some { min-width: 3px; }
.hbars .val { text-align: right; white-space: nowrap; }
.weeks { display: grid; grid-auto-flow: column; grid-auto-columns: minmax(0, 1fr); gap: 2px; }
.wk { display: flex; flex-direction: column-reverse; min-width: 0; }
.wk .when { text-align: center; white-space: nowrap; padding-top: 0.2rem; }
.wk .val { display: none; }
.wk .track { position: relative; height: 10rem; border-bottom: 1px solid var(--line); }
.wk .bar { position: absolute; bottom: 0; left: 20%; width: 60%; height: var(--v);
  min-height: 1px; }
.wk .whisker { position: absolute; left: calc(50% - 1px); width: 2px; bottom: var(--lo);
  height: calc(var(--hi) - var(--lo)); background: var(--ink); }
.trend { display: grid; grid-template-columns: max-content minmax(0, 1fr); column-gap: 0.4rem; }
.trend .yaxis { display: flex; flex-direction: column; justify-content: space-between;
  text-align: right; height: 10rem; }
.trend .yaxis span, .trend .xaxis span { line-height: 1rem; white-space: nowrap; }
.trend .xaxis { grid-column: 2; display: flex; justify-content: space-between; gap: 0.5rem; }
svg.plot { display: block; width: 100%; height: 10rem; overflow: visible; }
svg .grid { stroke: var(--line); stroke-width: 1; }
svg .line { stroke: var(--bar); fill: none; stroke-width: 2; stroke-linejoin: round; }
svg .dot { stroke: var(--bar); stroke-width: 7; stroke-linecap: round; }
footer { color: var(--muted); font-size: 0.85rem; margin: 2rem 0 1rem; }
@media (max-width: 40rem) { main { padding: 0.5rem; } h1 { font-size: 1.25rem; }
  th, td { padding: 0.3rem; } article { padding: 0.5rem 0.6rem; }
  .hbars { grid-template-columns: minmax(3rem, 1fr) max-content; row-gap: 0; }
  .hbars .name { grid-column: 1 / -1; text-align: left; margin-top: 0.3rem; } }
@media screen and (max-width: 50rem) {
  .weeks { grid-auto-flow: row; grid-template-columns: minmax(0, 1fr); gap: 0.15rem; }
  .wk { flex-direction: row; align-items: center; gap: 0.5rem; }
  .wk .when { flex: 0 0 3.5rem; text-align: left; padding-top: 0; }
  .wk .val { display: block; order: 2; flex: 0 0 auto; min-width: 5rem; text-align: right; }
  .wk .track { order: 1; flex: 1 1 auto; height: 1.1rem; border-bottom: 0;
    border-left: 1px solid var(--line); }
  .wk .bar { top: 0.15rem; bottom: auto; left: 0; height: 0.8rem; width: var(--v);
    min-height: 0; min-width: 1px; }
  .wk .whisker { top: calc(50% - 1px); bottom: auto; left: var(--lo); height: 2px;
    width: calc(var(--hi) - var(--lo)); } }
@media screen and (max-width: 60rem) {
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; }
  table.stack thead { display: none; }
  table.stack tr { border: 1px solid var(--line); border-radius: 6px; margin: 0.5rem 0;
    padding: 0.25rem 0.5rem; }
  table.stack td { border: 0; padding: 0.1rem 0; text-align: left; white-space: normal;
    display: grid; grid-template-columns: minmax(5.5rem, 8.5rem) minmax(0, 1fr); gap: 0.5rem; }
  table.stack td::before { content: attr(data-label); color: var(--muted); }
  table.stack td.head { display: block; font-weight: 600; }
  table.stack td.head::before { content: none; }
  table.stack td.client, table.stack td.words { min-width: 0; } }
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
    heading = title or _("Client review")
    # The right-to-left names a sentence about the whole book may hold (the largest client's).
    names = tuple(c.name for c in review.clients.values() if has_rtl(c.name))
    parts = [
        "<!doctype html>",
        f'<html lang="{language()}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{isolated_plain(heading)}, {review.as_of}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f"<h1>{isolated(heading)}</h1>",
        '<p class="sub">' + esc(_("As of {date}; amounts in {currency}.").format(
            date=review.as_of, currency=currency)) + "</p>",
        *_warnings(review),
        *_book(review, names),
        *_clients_table(review),
        *_details(review, history or {}),
        *_data_quality(review),
        # Element content: quotes need no escaping there (and the page keeps its bytes).
        "<footer>" + html.escape(_(
            "Made by clientguard {version}. Every number is as of {date}; the policy's "
            "thresholds are in the JSON report (clientguard review --format json)."
        ).format(version=printable(__version__), date=review.as_of), quote=False) + "</footer>",
        "</main>",
        "</body>",
        "</html>",
    ]
    return encodable("\n".join(parts) + "\n")


# --------------------------------------------------------------------------- sections


def _book(review: Review, names: Sequence[str] = ()) -> list[str]:
    book = review.book
    revenue = book.revenue
    currency = review.base_currency
    cards = [
        (_("Clients"), wording.number(len(review.clients))),
        (_("Effective clients"),
         wording.number(revenue.effective_clients, 1, missing=EMPTY)),
        (_("HHI (revenue)"), wording.number(revenue.hhi, missing=EMPTY)),
        (_("Largest client"), wording.percent(revenue.top_shares.get(1), missing=EMPTY)),
        # As the book's summary counts them: the financing cost of clients whose unapplied
        # money covers their open balance left out, and the claims the advice holds back
        # shown apart (docs/html-report.md, "The book").
        (_("Lateness cost"),
         wording.money(book.financing_cost - book.financing_covered, currency)),
        (_("Claimable by law"), claim_text(
            review, book.claimable - book.claimable_disputed - book.claimable_unapplied)),
    ]
    if book.claimable_disputed > 0:
        cards.append((_("Held for disputes"), wording.money(book.claimable_disputed, currency)))
    if book.claimable_unapplied > 0:
        cards.append((_("Covered by unapplied money"),
                      wording.money(book.claimable_unapplied, currency)))
    if law_applies(review):
        # Always shown where a law applies, 0.00 included: how much was left out of the card
        # before it (docs/html-report.md, "What is time-barred").
        cards.append((_("Time-barred, left out"), wording.money(book.time_barred, currency)))
    lines = [
        '<section id="book">',
        _element("h2", _("The book")),
        f"<p>{isolated(book.summary, names)}</p>",
        '<div class="cards">',
        *(f'<div class="card"><span class="muted">{esc(k)}</span><b>{esc(v)}</b></div>'
          for k, v in cards),
        "</div>",
    ]
    for finding in book.findings:
        lines.append(f"<p>{_severity(finding)} {isolated(finding.message, names)}</p>")
    lines.append(_figure(_("Revenue share by client"), _revenue_chart(review)))
    lines.append(_figure(_("Open balances by days past due ({currency})").format(
        currency=currency), _aging_chart(review)))
    if review.forecast is not None:
        lines.append(_figure(
            _("Cash expected in from the open invoices, next 13 weeks ({currency}; the "
              "whiskers: 80% interval)").format(currency=currency),
            _cash_chart(review.forecast, currency)))
    lines.append("</section>")
    return lines


def _warnings(review: Review) -> list[str]:
    """What the data cannot support, before anything built on it."""
    return [
        '<div class="banner" role="alert">' + _element("strong", _("Warning:"))
        + f" {isolated(text)}</div>"
        for text in data_warnings(review)
    ]


def _clients_table(review: Review) -> list[str]:
    currency = review.base_currency
    shares = review.book.revenue.shares
    headings = [
        ("", _("Verdict")), ("", _("Client")), ("num", _("Revenue")), ("num", _("Late share")),
        ("num", _("Days late")), ("num", _("Overdue ({currency})").format(currency=currency)),
        ("", _("Findings")), ("", _("Evidence")),
    ]
    rows = []
    for client in review.clients.values():
        overdue = client.overdue  # as judged: after its unapplied money is applied
        signals = sorted({_signal_name(f.signal.value) for f in client.findings})
        name = isolated(client.name, (client.name,))
        anchor = (
            f'<a href="#{_anchor(client)}">{name}</a>'
            if client.recommendation is not Recommendation.OK
            else name
        )
        rows.append(_row(headings, [
            ("head", _verdict(client.recommendation)),
            ("head client", anchor),
            ("num", wording.percent(shares.get(client.client_id), missing=EMPTY)),
            ("num", wording.percent(client.late_share, missing=EMPTY)),
            ("num", wording.days(weighted_days_late(client), missing=EMPTY)),
            ("num", esc(wording.amount(overdue, currency))),
            ("words", esc(', '.join(signals) or '-')),
            ("muted words", isolated(client.evidence, (client.name,))),
        ]))
    return [
        '<section id="clients">',
        _element("h2", _("Clients")),
        '<p class="muted">' + esc(_(
            "The most drastic verdict first. Revenue share over the look-back window; late "
            "share: the invoices due in it paid late or past due and unpaid; days late "
            "amount-weighted over them; evidence: the numbers that decided the verdict."))
        + "</p>",
        '<div class="scroll"><table class="stack">',
        _head(headings),
        "<tbody>",
        *(rows or ['<tr><td class="head" colspan="8">' + esc(_("No clients in the window."))
                   + "</td></tr>"]),
        "</tbody></table></div>",
        "</section>",
    ]


def _details(review: Review, history: Mapping[str, Sequence[tuple[date, str]]]) -> list[str]:
    flagged = [c for c in review.clients.values() if c.recommendation is not Recommendation.OK]
    if not flagged:
        return []
    lines = ['<section id="details">', _element("h2", _("Clients to act on"))]
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
    # The client's own name, isolated whole wherever a sentence holds it; the members' ids
    # each on their own.
    names = (client.name, *client.members)
    lines = [
        f'<article id="{_anchor(client)}">',
        f"<h3>{isolated(client.name, names)} {_verdict(client.recommendation)}</h3>",
    ]
    if len(client.members) > 1:
        lines.append('<p class="muted">' + isolated(_("A group: {members}").format(
            members=", ".join(client.members)), names) + "</p>")
    lines.append('<p class="evidence">' + isolated(_("Evidence: {evidence}.").format(
        evidence=client.evidence), names) + "</p>")
    if client.changed_by:
        lines.append("<p>" + isolated(_("Verdict set by the rule {rules}.").format(
            rules=_(", then ").join(client.changed_by)), client.changed_by) + "</p>")
    if client.findings:
        lines.append("<ul>")
        lines += [f"<li>{_severity(f)} {isolated(f.message, names)}</li>"
                  for f in client.findings]
        lines.append("</ul>")
    if client.revisions:
        lines.append("<p>" + _element("b", _("What to change")) + "</p><ul>")
        lines += [f"<li>{isolated(r.message, names)}</li>" for r in client.revisions]
        lines.append("</ul>")
    if predicted:
        lines.append("<p>" + _element("b", _("When its open invoices will be paid")) + " "
                     + esc(_("(forecast)")) + "</p>")
        headings = [("", _("Invoice")), ("", _("Due")),
                    ("num", _("Open ({currency})").format(currency=currency)),
                    ("", _("Predicted")), ("", _("80% interval")), ("num", _("P(late)"))]
        lines.append(f'<div class="scroll"><table class="stack">{_head(headings)}<tbody>')
        lines += [
            _row(headings, [
                ("head", isolated(f.named, (f.named,))), ("", f"{f.due_date}"),
                ("num", esc(wording.amount(f.open_balance_base, currency))),
                ("", f"{f.predicted_on}" if f.predicted_on else esc(_("not dated"))),
                ("", esc(_("not dated") if f.low is None else
                         _("{low}, or later, maybe never").format(low=f.low) if f.high is None
                         else _("{low} to {high}").format(low=f.low, high=f.high))),
                ("num", f"{f.p_late:.0%}"),
            ])
            for f in predicted
        ]
        lines.append("</tbody></table></div>")
    lines.append("<p>" + _element("b", _("If it ended:"))
                 + f" {isolated(client.what_if.message, names)}</p>")
    if client.financing_cost > 0 or client.claimable > 0 or client.time_barred > 0:
        financing = wording.money(financing_now(client), currency)
        cost = (
            _("{financing} in financing; {claimable}; {time_barred}.").format(
                financing=financing, claimable=claimable_text(review, client),
                time_barred=time_barred_text(review, client))
            if law_applies(review, client)
            else _("{financing} in financing; {claimable}.").format(
                financing=financing, claimable=claimable_text(review, client))
        )
        lines.append("<p>" + _element("b", _("Cost of lateness:")) + " " + esc(cost) + "</p>")
    series = monthly_days_late(client)
    if series:
        lines.append(_figure(_("{client}: days late by month due").format(client=client.name),
                             _trend_chart(series), names))
    lines.append("</article>")
    return lines


def _data_quality(review: Review) -> list[str]:
    quality = review.data_quality
    if not quality.notes and not quality.rejections:
        return []
    lines = ['<section id="data-quality">', _element("h2", _("Data quality")), "<ul>"]
    for heading, notes, more in note_groups(quality, review.base_currency):
        if heading is None:
            lines += [f"<li>{isolated(note)}</li>" for note in notes]
            continue
        lines.append(f"<li>{isolated(heading)}<details>"
                     + _element("summary", _("for example")) + "<ul>")
        lines += [f"<li>{isolated(note)}</li>" for note in notes]
        lines.append("<li>" + esc(_("... and {n} more ({where})").format(
            n=wording.number(more), where=more_notes())) + "</li></ul></details></li>")
    lines.append("</ul>")
    if quality.rejections:
        lines.append("<details>" + _element("summary", _("Rejected records")) + "<ul>")
        lines += [f"<li>{isolated(r)}</li>" for r in quality.rejections]
        lines.append("</ul></details>")
    lines += _listed(_("Allocations that pay another customer's invoice"),
                     quality.foreign_allocations)
    lines += _listed(_("Amounts finer than their currency's minor unit"),
                     quality.excess_precision)
    lines += _listed(_("Invoices due before their issue date"), quality.due_before_issue)
    lines.append("</section>")
    return lines


def _listed(summary: str, records: Sequence[str]) -> list[str]:
    """The first :data:`LISTED_RECORDS` of a data-quality list, folded; the rest counted."""
    if not records:
        return []
    lines = [f"<details><summary>{esc(summary)}</summary><ul>"]
    lines += [f"<li>{isolated(r)}</li>" for r in records[:LISTED_RECORDS]]
    if len(records) > LISTED_RECORDS:
        more = len(records) - LISTED_RECORDS
        lines.append("<li>" + esc(_("... and {n} more (the JSON report lists every one)")
                                  .format(n=wording.number(more))) + "</li>")
    lines.append("</ul></details>")
    return lines


# --------------------------------------------------------------------------- small parts


def _element(tag: str, text: str, css: str | None = None) -> str:
    """``<tag>text</tag>`` with ``text`` escaped (and a class, when given)."""
    attribute = f' class="{css}"' if css else ""
    return f"<{tag}{attribute}>{esc(text)}</{tag}>"


def _badge(css: str, text: str) -> str:
    return f'<span class="badge {esc(css)}">{esc(text)}</span>'


def _verdict(recommendation: Recommendation) -> str:
    return _badge(recommendation.value, _(VERDICT_TEXT[recommendation]))


def _severity(finding: Finding) -> str:
    return _badge(finding.severity.value, severity_word(finding.severity))


def _signal_name(code: str) -> str:
    name = _SIGNAL_NAMES.get(code)
    return _(name) if name is not None else code.replace("_", " ")


def _anchor(client: ClientReview) -> str:
    # An id from the data would need its own escaping rules; a hash of it does not.
    return "c-" + hashlib.sha256(client.client_id.encode()).hexdigest()[:12]


def _figure(caption: str, chart: str, names: Sequence[str] = ()) -> str:
    return f"<figure><figcaption>{isolated(caption, names)}</figcaption>{chart}</figure>"


def _head(headings: Sequence[tuple[str, str]]) -> str:
    """A table's heading row from its ``(css class, heading)`` pairs."""
    cells = "".join(f'<th class="{css}">{esc(text)}</th>' if css else f"<th>{esc(text)}</th>"
                    for css, text in headings)
    return f"<thead><tr>{cells}</tr></thead>"


def _row(headings: Sequence[tuple[str, str]], cells: Sequence[tuple[str, str]]) -> str:
    """A table row of ``(css class, HTML)`` cells, each carrying its column's heading: at
    phone width (``table.stack``) the row becomes a card, each value beside its heading and
    the ``head`` cells (verdict, name) on top without one."""
    tds = []
    for (_css, heading), (css, content) in zip(headings, cells, strict=True):
        css_attr = f' class="{css}"' if css else ""
        tds.append(f'<td{css_attr} data-label="{esc(heading)}">{content}</td>')
    return f"<tr>{''.join(tds)}</tr>"


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


def _chart(css: str, label: str, parts: Iterable[str]) -> str:
    """A chart drawn in HTML: its text keeps the page's size at any width (an SVG scaled to a
    phone shrinks its labels to a few pixels), and the CSS lays it out anew below 40-50rem."""
    return f'<div class="chart {css}" role="group" aria-label="{esc(label)}">{"".join(parts)}</div>'


def _share(part: Decimal, whole: Decimal) -> str:
    """``part`` as a CSS percentage of ``whole`` (0% to 100%)."""
    if whole <= 0:
        return "0%"
    return f"{min(max(part / whole, Decimal(0)), Decimal(1)):.1%}"


def _revenue_chart(review: Review) -> str:
    revenue = review.book.revenue
    if revenue.is_empty:
        return '<p class="muted">' + esc(_("No revenue in the window.")) + "</p>"
    items: list[tuple[str, Decimal]] = [
        (revenue.names.get(client, client), share)
        for client, share in list(revenue.shares.items())[:TOP_CLIENTS]
    ]
    rest = list(revenue.shares.values())[TOP_CLIENTS:]
    if rest:
        together = ngettext("the other {n} client together", "the other {n} clients together",
                            len(rest)).format(n=wording.number(len(rest)))
        items.append((together, sum(rest, Decimal(0))))
    return _bars(items, _("Revenue share by client"), value=wording.percent,
                 last_is_rest=bool(rest))


def _bars(
    items: Sequence[tuple[str, Decimal]],
    label: str,
    *,
    value: Callable[[Decimal], str],
    last_is_rest: bool = False,
    last_is_critical: bool = False,
) -> str:
    """Horizontal bars, one row each: label, bar, value; the longest bar is full width, a bar
    that is not zero is never thinner than 3px, and every bar has its value written beside
    it. The last bar can be the rest (a paler colour) or the critical one (in red). At phone
    width the label goes above its bar."""
    top = max((amount for _, amount in items), default=Decimal(0))
    rows = []
    for index, (name, amount) in enumerate(items):
        css = "bar"
        if index == len(items) - 1:
            css += " rest" if last_is_rest else " critical" if last_is_critical else ""
        if amount > 0:
            css += " some"
        shown = value(amount)
        cut = fit(name, 30)
        rows.append(
            f'<div><span class="name">{isolated(cut, (cut,))}</span>'
            f'<span class="track"><span class="{css}" style="width: {_share(amount, top)}">'
            f'</span></span><span class="val">{esc(shown)}</span></div>'
        )
    return _chart("hbars", label, rows)


def _aging_chart(review: Review) -> str:
    currency = review.base_currency
    buckets = book_aging(review).buckets()
    if not any(buckets.values()):
        return '<p class="muted">' + esc(_("Nothing is open.")) + "</p>"
    items = [(aging_label(label, with_days=True), amount) for label, amount in buckets.items()]
    # Every bucket is labelled with its amount, and the oldest (the critical debt) is drawn
    # in the critical colour, so that a small 91+ bar is never lost beside a large current one.
    return _bars(items, _("Open balances by days past due, {currency}").format(currency=currency),
                 value=lambda amount: wording.amount(amount, currency), last_is_critical=True)


def _trend_chart(series: Sequence[tuple[date, Decimal]]) -> str:
    """A line of days late per month; a month without invoices due breaks the line (a gap on
    the x axis, never a straight line across it). The plot is SVG stretched to the width,
    its strokes and dots keeping their size; the axis labels are HTML beside it."""
    width, height, pad = 600, 100, 5
    first = series[0][0].year * 12 + series[0][0].month
    last = series[-1][0].year * 12 + series[-1][0].month
    span = max(last - first, 1)
    peak = max(max(v for _, v in series), Decimal(1))

    def index(month: date) -> int:
        return month.year * 12 + month.month - first

    def x(month: date) -> float:
        return index(month) / span * width

    def y(days_late: Decimal) -> float:
        return pad + (1 - float(days_late / peak)) * (height - 2 * pad)

    runs: list[list[tuple[date, Decimal]]] = []
    for month, value in series:
        if runs and index(month) == index(runs[-1][-1][0]) + 1:
            runs[-1].append((month, value))
        else:
            runs.append([(month, value)])
    fixed = 'vector-effect="non-scaling-stroke"'
    body = [
        f'<line class="grid" {fixed} x1="0" y1="{y(Decimal(0)):.1f}" x2="{width}" '
        f'y2="{y(Decimal(0)):.1f}"></line>',
        f'<line class="grid" {fixed} x1="0" y1="{y(peak):.1f}" x2="{width}" '
        f'y2="{y(peak):.1f}"></line>',
    ]
    for run in runs:
        if len(run) > 1:
            points = " ".join(f"{x(m):.1f},{y(v):.1f}" for m, v in run)
            body.append(f'<polyline class="line" {fixed} points="{points}"></polyline>')
    for month, value in series:
        body.append(
            f'<path class="dot" {fixed} d="M{x(month):.1f} {y(value):.1f}h0">'
            "<title>" + esc(_("{month}: {days} late").format(
                month=f"{month:%Y-%m}", days=wording.quantity(value, "day"))) + "</title></path>"
        )
    label = _("Amount-weighted days late by month due")
    plot = (
        f'<svg class="plot" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
        f'role="img" aria-label="{esc(label)}"><title>{esc(label)}</title>{"".join(body)}</svg>'
    )
    peak_label = wording.quantity(peak, "day", 0)
    return (
        '<div class="chart trend">'
        f'<div class="yaxis"><span>{esc(peak_label)}</span>'
        "<span>0</span></div>"
        f"{plot}"
        f'<div class="xaxis"><span>{series[0][0]:%Y-%m}</span>'
        f"<span>{series[-1][0]:%Y-%m}</span></div>"
        "</div>"
    )


def _cash_chart(predicted: Forecast, currency: str) -> str:
    """A bar of expected cash per week, with a whisker from the 80% interval's low to high:
    a column per week on a wide screen, a row per week (its amount written) at phone width."""
    weeks = predicted.weeks
    top = max((w.high for w in weeks), default=Decimal(0))
    if top <= 0:
        return '<p class="muted">' + esc(_(
            "No open invoice is expected to be paid in the 13 weeks.")) + "</p>"
    week_max = _("up to {amount} a week").format(amount=wording.money(top, currency))
    parts = [f'<p class="muted">{esc(week_max)}</p>', '<div class="weeks">']
    for week in weeks:
        tip = _("week {week}, {start} to {end}: {expected} ({low} to {high})").format(
            week=week.week, start=week.start, end=week.end,
            expected=wording.money(week.expected, currency),
            low=wording.amount(week.low, currency),
            high=wording.amount(week.high, currency))
        when = format_date(week.start, "dd MMM", locale=babel_locale())
        parts.append(
            f'<div class="wk" title="{esc(tip)}"><span class="when">{esc(when)}</span>'
            f'<span class="val">{esc(wording.amount(week.expected, currency))}</span>'
            f'<span class="track"><span class="bar" style="--v: {_share(week.expected, top)}">'
            f'</span><span class="whisker" style="--lo: {_share(week.low, top)}; '
            f'--hi: {_share(week.high, top)}"></span></span></div>'
        )
    parts.append("</div>")
    return _chart("cash", _("Cash expected in by week, {currency}").format(currency=currency),
                  parts)
