"""A :class:`~clientguard.claims.Claim` as a document to send: printable HTML and JSON.

The HTML is one self-contained page (no script, nothing loaded from elsewhere) that prints on
A4: ``@page`` A4 with margins, the table's header repeated on every page, and no row (nor, where
it fits, an invoice's group of rows) cut across a page break. In Polish it is a *nota
odsetkowa*; in English (EU and UK law) a statement of statutory interest. The language follows
the jurisdiction (``pl`` Polish, else English) unless ``lang`` is given.

Every text from the data or the config is escaped; a detail that is missing (the debtor's
address, the creditor's bank account, the document's number) is a dotted field to fill in by
hand, never a guess. Numbers and dates are written in the document's language with Babel's
CLDR data (``1 234,56`` and ``05.03.2026`` in Polish, ``1,234.56`` and ``5 Mar 2026`` in
English); money is rounded once per invoice, half-even, as :mod:`clientguard.claims` rounds it.
"""

from __future__ import annotations

import html
from datetime import date
from decimal import Decimal
from typing import Any

from babel.dates import format_date
from babel.lists import format_list
from babel.numbers import format_decimal

from clientguard._version import __version__
from clientguard.claims import Claim, ClaimedInvoice, Party, UnappliedPaidPart
from clientguard.i18n import babel_locale, ngettext, noop, pgettext, using
from clientguard.i18n import gettext as _
from clientguard.money import exponent
from clientguard.report.bidi import isolated, isolated_plain
from clientguard.report.text import encodable, json_text, printable

__all__ = [
    "CLAIM_SCHEMA_NAME",
    "CLAIM_SCHEMA_VERSION",
    "claim_document",
    "claim_language",
    "claim_title",
    "render_claim",
    "render_claim_html",
    "render_claim_json",
]

CLAIM_SCHEMA_NAME = "clientguard.claim"
"""What the JSON document is: its ``schema`` field."""
CLAIM_SCHEMA_VERSION = "1.8"
"""The JSON document's newest version: a minor version only adds fields (1.1: the limitation
period, ``time_barred_from``, ``interest_time_barred``, ``interest_claimed``,
``compensation_time_barred``, a period's ``time_barred``, ``time_barred_totals`` and
``limitation_checked``; 1.2: ``pl_limitation_years`` and each invoice's
``main_claim_time_barred_from``; 1.3: each period's ``principal_part``; 1.4: each invoice's
``acknowledged_on`` and ``acknowledgement_note``; 1.5: each invoice's ``compensation_debt``
and ``compensation_debt_currency``; 1.6: the claim's ``unapplied`` and each invoice's
``unapplied_paid_on`` and ``unapplied_paid_by``; 1.7: the claim's ``disputed_totals``, each
invoice's ``disputed``, ``disputed_on`` and ``unapplied_paid``; 1.8: each invoice's
``unapplied_parts``, and ``unapplied_paid_on`` and ``unapplied_paid_by`` again only on a line
the money pays in full, as in 1.6: 1.7 also set them on a line it pays in part). A document
is written in the oldest version that holds what it says: 1.8 where the client's unapplied
money pays (in full or in part) an invoice on a line, else 1.7 where an invoice of the claim
is disputed, else 1.6 where the claim names unapplied money (which
paid its invoices by their due dates: on no line), else 1.5 where a compensation's band was
read on another debt than the invoice's total, else 1.4 where the debtor's acknowledgement
moved a debt's bar, else 1.3 where a period is split by the part of the debt paid before its
bar, else 1.2 for a Polish claim of two years or one with a debt barred on another day than
its interest (a UK debt a part payment restarted), else the 1.1 document clientguard wrote
before, byte for byte."""
_DISPUTED_SCHEMA_VERSION = "1.7"
_UNAPPLIED_SCHEMA_VERSION = "1.6"
_BAND_DEBT_SCHEMA_VERSION = "1.5"
_ACKNOWLEDGEMENT_SCHEMA_VERSION = "1.4"
_PARTS_SCHEMA_VERSION = "1.3"
_TWO_YEARS_SCHEMA_VERSION = "1.2"
_GENERAL_PERIOD_SCHEMA_VERSION = "1.1"
_PAID_PARTS_LEFT_OUT: dict[str, Any] = {
    "invoices": {"__all__": {"unapplied_parts"}},
}
"""The field of schema 1.8, left out of a claim with no line the client's unapplied money
pays (empty there)."""
_DISPUTED_LEFT_OUT: dict[str, Any] = {
    "disputed_totals": True,
    "invoices": {"__all__": {"disputed", "disputed_on", "unapplied_paid", "unapplied_parts"}},
}
"""The fields of schemas 1.7 and 1.8, left out of a claim with no disputed line and no line
the client's unapplied money pays (false, None and empty there)."""
_UNAPPLIED_LEFT_OUT: dict[str, Any] = {
    "unapplied": True,
    "disputed_totals": True,
    "invoices": {"__all__": {"unapplied_paid_on", "unapplied_paid_by",
                             "unapplied_paid", "unapplied_parts",
                             "disputed", "disputed_on"}},
}
"""The fields of schemas 1.6 and 1.7, left out of a claim that names no unapplied money and
has no disputed line (empty, false and None there)."""
_BAND_DEBT_LEFT_OUT: dict[str, Any] = {
    "unapplied": True,
    "disputed_totals": True,
    "invoices": {"__all__": {"compensation_debt", "compensation_debt_currency",
                             "unapplied_paid_on", "unapplied_paid_by", "unapplied_paid",
                             "unapplied_parts",
                             "disputed", "disputed_on"}},
}
"""The fields of schemas 1.5 and 1.6, left out of a claim whose every band was read on the invoice's
total (they are None there)."""
_ACKNOWLEDGEMENT_LEFT_OUT: dict[str, Any] = {
    "unapplied": True,
    "disputed_totals": True,
    "invoices": {"__all__": {"compensation_debt", "compensation_debt_currency",
                             "acknowledged_on", "acknowledgement_note",
                             "unapplied_paid_on", "unapplied_paid_by", "unapplied_paid",
                             "unapplied_parts",
                             "disputed", "disputed_on"}},
}
"""The fields of schemas 1.4 and 1.5, left out of a claim where no acknowledgement moved a bar
and no band was read on another debt than the total."""
_PARTS_LEFT_OUT: dict[str, Any] = {
    "unapplied": True,
    "disputed_totals": True,
    "invoices": {"__all__": {"compensation_debt": True, "compensation_debt_currency": True,
                             "acknowledged_on": True, "acknowledgement_note": True,
                             "unapplied_paid_on": True, "unapplied_paid_by": True,
                             "unapplied_paid": True, "unapplied_parts": True, "disputed": True,
                             "disputed_on": True,
                             "periods": {"__all__": {"principal_part"}}}},
}
"""The fields of schemas 1.3 to 1.5, left out of a claim with no period split by principal,
no acknowledgement and no band read on another debt than the total."""
_GENERAL_PERIOD_LEAVES_OUT: dict[str, Any] = {
    "pl_limitation_years": True,
    "unapplied": True,
    "disputed_totals": True,
    "invoices": {"__all__": {"main_claim_time_barred_from": True, "acknowledged_on": True,
                             "acknowledgement_note": True, "compensation_debt": True,
                             "compensation_debt_currency": True,
                             "unapplied_paid_on": True, "unapplied_paid_by": True,
                             "unapplied_paid": True, "unapplied_parts": True, "disputed": True,
                             "disputed_on": True,
                             "periods": {"__all__": {"principal_part"}}}},
}
"""The fields of schemas 1.2 to 1.5, left out of a claim under the law's general period with
no period split by principal (they are None there): such a document stays the 1.1 document
clientguard wrote before them."""

_FILL = "\u2026" * 12
_STYLE = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm; }
* { box-sizing: border-box; }
body { font: 10.5pt/1.4 "DejaVu Sans", "Segoe UI", Roboto, Arial, sans-serif; color: #111;
  margin: 0; }
main { max-width: 178mm; margin: 0 auto; padding: 8mm 0; }
h1 { font-size: 15pt; margin: 4mm 0 2mm; } h2 { font-size: 11pt; margin: 6mm 0 2mm; }
.issued { text-align: right; } .parties { display: flex; gap: 8mm; margin: 4mm 0; }
.party { flex: 1; border: 0.3mm solid #999; padding: 2mm 3mm; break-inside: avoid; }
.party h2 { margin: 0 0 1mm; } .party p { margin: 0; }
.fill { color: #555; letter-spacing: 0.05em; }
table { width: 100%; border-collapse: collapse; margin: 2mm 0; }
thead { display: table-header-group; } tfoot { display: table-footer-group; }
tr, .invoice { break-inside: avoid; page-break-inside: avoid; }
th, td { border: 0.2mm solid #999; padding: 1mm 1.5mm; vertical-align: top; }
th { background: #eee; text-align: left; } td.num, th.num { text-align: right;
  white-space: nowrap; font-variant-numeric: tabular-nums; }
td.period { white-space: nowrap; }
tr.head td { background: #f6f6f6; font-weight: 600; } tr.sub td { font-weight: 600; }
tr.barred td { color: #666; font-style: italic; }
.note { font-size: 9pt; color: #333; } .sign { margin-top: 16mm; text-align: right; }
.party, h1, p, tr.head td, td.note { overflow-wrap: anywhere; }
.pay { break-inside: avoid; }
@media print { main { padding: 0; max-width: none; } th, tr.head td { background: none; } }
"""


def claim_language(claim: Claim, lang: str | None = None) -> str:
    """The document's language: ``lang`` if given, else Polish for Polish law, else English."""
    if lang is not None:
        with using(lang) as code:
            return code
    return "pl" if claim.jurisdiction == "pl" else "en"


def claim_title(claim: Claim) -> str:
    """The document's title in the active language, with its number or a field to fill."""
    number = claim.number or _FILL
    if claim.jurisdiction == "pl":
        return _("Interest note no. {number}").format(number=number)
    return _("Statement of statutory interest no. {number}").format(number=number)


def render_claim(claim: Claim, format: str, *, lang: str | None = None) -> str:
    """The claim as ``html`` or ``json`` text, in ``lang`` (default: :func:`claim_language`).

    Raises ``ValueError`` for another format or a language clientguard does not write.
    """
    if format == "html":
        return render_claim_html(claim, lang=lang)
    if format == "json":
        return render_claim_json(claim, lang=lang)
    raise ValueError(f"a claim is written as html or json, not {format!r}")


# --------------------------------------------------------------------------- JSON


def render_claim_json(claim: Claim, *, lang: str | None = None) -> str:
    """The claim as JSON text (amounts as decimal strings), ending with a newline."""
    return json_text(claim_document(claim, lang=lang))


def claim_document(claim: Claim, *, lang: str | None = None) -> dict[str, Any]:
    """The claim as a JSON-ready dict: the :class:`Claim`'s fields (amounts as strings), with
    ``schema``, ``schema_version``, ``generator``, ``lang``, ``title`` and ``legal_basis`` (the
    last two in the document's language)."""
    code = claim_language(claim, lang)
    with using(code):
        title = claim_title(claim)
        basis = _legal_basis(claim)
    if any(i.unapplied_parts for i in claim.invoices):
        # A line the client's unapplied money pays, in full or in part: what each document
        # pays of it (unapplied_parts) and what they pay (unapplied_paid).
        version, fields = CLAIM_SCHEMA_VERSION, claim.model_dump(mode="json")
    elif any(i.disputed for i in claim.invoices):
        # A disputed line, held: its amounts in disputed_totals, not in totals.
        version = _DISPUTED_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_PAID_PARTS_LEFT_OUT)
    elif claim.unapplied:
        # The client's unapplied money paid invoices of the claim by their due dates (on no
        # line): the claim names it.
        version = _UNAPPLIED_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_DISPUTED_LEFT_OUT)
    elif any(invoice.compensation_debt is not None for invoice in claim.invoices):
        # A band read on the debt that fell due (credited or part paid by the due date) or
        # converted.
        version = _BAND_DEBT_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_UNAPPLIED_LEFT_OUT)
    elif any(invoice.acknowledged_on is not None for invoice in claim.invoices):
        # The debtor's acknowledgement moved a debt's bar (art. 124 § 1 KC, s.29(5)(a)).
        version = _ACKNOWLEDGEMENT_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_BAND_DEBT_LEFT_OUT)
    elif any(period.principal_part is not None
             for invoice in claim.invoices for period in invoice.periods):
        version = _PARTS_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_ACKNOWLEDGEMENT_LEFT_OUT)
    elif claim.pl_limitation_years is not None or any(
            invoice.main_claim_time_barred_from is not None for invoice in claim.invoices):
        # A debt barred on another day than its first day's interest: a Polish claim of two
        # years, or a UK debt whose six years a part payment restarted (s.29(5)).
        version = _TWO_YEARS_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_PARTS_LEFT_OUT)
    else:
        version = _GENERAL_PERIOD_SCHEMA_VERSION
        fields = claim.model_dump(mode="json", exclude=_GENERAL_PERIOD_LEAVES_OUT)
    return {
        "schema": CLAIM_SCHEMA_NAME,
        "schema_version": version,
        "generator": {"name": "clientguard", "version": __version__},
        "lang": code,
        "title": title,
        "legal_basis": basis,
        **fields,
    }


# --------------------------------------------------------------------------- HTML


def render_claim_html(claim: Claim, *, lang: str | None = None) -> str:
    """The claim as one self-contained HTML page that prints on A4."""
    code = claim_language(claim, lang)
    with using(code):
        return _page(claim, code)


def _page(claim: Claim, code: str) -> str:
    title = claim_title(claim)
    # The names a sentence of the letter may hold, isolated whole where they are
    # right-to-left (docs/html-report.md, "Right-to-left names").
    names = _names(claim)
    place = claim.creditor.place
    issued = _("{place}, {date}").format(
        place=_text(place, names) if place else _blank(), date=_esc(_date(claim.issued_on))
    )
    made = _("Prepared with clientguard {version}.").format(version=__version__)
    signature = _("(signature of the creditor)")
    parts = [
        "<!doctype html>",
        f'<html lang="{code}">',
        "<head>",
        '<meta charset="utf-8">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
        "style-src 'unsafe-inline'\">",
        '<meta name="referrer" content="no-referrer">',
        f"<title>{isolated_plain(title, names, limit=None)}</title>",
        f"<style>{_STYLE}</style>",
        "</head>",
        "<body>",
        "<main>",
        f'<p class="issued">{issued}</p>',
        '<div class="parties">',
        _party(pgettext("claim", "Creditor"), claim.creditor, creditor=True),
        _party(pgettext("claim", "Debtor"), claim.debtor, creditor=False),
        "</div>",
        f"<h1>{_text(title, names)}</h1>",
        f"<p>{_text(_legal_basis(claim), names)}</p>",
        *_invoices_table(claim),
        *_totals(claim),
        *_time_barred(claim),
        *_payment(claim),
        *_notes(claim),
        f'<p class="sign">{_FILL}{_FILL}<br>{_esc(signature)}</p>',
        f'<p class="note">{_esc(made)}</p>',
        "</main>",
        "</body>",
        "</html>",
    ]
    return encodable("\n".join(parts) + "\n")


def _party(heading: str, party: Party, *, creditor: bool) -> str:
    rows = [f"<h2>{_esc(heading)}</h2>"]
    name = party.name
    rows.append(f"<p><strong>{_text(name, (name,))}</strong></p>" if name
                else f"<p>{_blank()}</p>")
    if party.address:
        rows.extend(f"<p>{_text(line, (line.strip(),))}</p>"
                    for line in party.address.splitlines() if line.strip())
    else:
        rows.append(_detail(pgettext("claim", "Address"), None))
    rows.append(_detail(pgettext("claim", "Tax ID"), party.tax_id))
    if party.email:
        rows.append(_detail(pgettext("claim", "E-mail"), party.email))
    if party.phone:
        rows.append(_detail(pgettext("claim", "Phone"), party.phone))
    if creditor:
        account = _iban(party.iban) if party.iban else None
        rows.append(_detail(pgettext("claim", "Bank account"), account))
    return f'<div class="party">{"".join(rows)}</div>'


def _detail(label: str, value: str | None) -> str:
    return f"<p>{_esc(label)}: {_text(value, (value,)) if value else _blank()}</p>"


def _invoices_table(claim: Claim) -> list[str]:
    if not claim.invoices:
        return [f"<p>{_esc(_no_late_invoices(claim))}</p>"]
    head = [
        pgettext("claim", "Period of delay"),
        pgettext("claim", "Days"),
        pgettext("claim", "Principal"),
        pgettext("claim", "Rate (% a year)"),
        pgettext("claim", "Interest"),
    ]
    lines = [
        "<table>",
        "<thead><tr>" + "".join(
            (f"<th>{_esc(h)}</th>" if i == 0 else f'<th class="num">{_esc(h)}</th>')
            for i, h in enumerate(head)
        ) + "</tr></thead>",
    ]
    for item in claim.invoices:
        lines.append('<tbody class="invoice">')
        lines.append(f'<tr class="head"><td colspan="5">'
                     f"{_text(_invoice_heading(item), (item.number,))}</td></tr>")
        for period in item.periods:
            rate = _number(period.rate_pct, 2) + ("" if period.rate_confirmed else " *")
            barred = (" " + _esc(pgettext("claim", "(time-barred)"))) if period.time_barred else ""
            lines.append(
                ('<tr class="barred">' if period.time_barred else "<tr>")
                + f'<td class="period">{_esc(_date(period.start))} \u2013 '
                f"{_esc(_date(period.end))}{barred}</td>"
                f'<td class="num">{period.days}</td>'
                f'<td class="num">{_esc(_money(period.principal, item.currency))}</td>'
                f'<td class="num">{_esc(rate)}</td>'
                f'<td class="num">{_esc(_money(period.interest, item.currency))}</td>'
                "</tr>"
            )
        if item.interest_time_barred:
            # The working shows every day; the barred days' interest is set apart, not claimed.
            barred_text = _(
                "Interest on the days marked time-barred, not claimed (see below)"
            )
            lines.append(
                f'<tr class="barred"><td colspan="4">{_esc(barred_text)}</td>'
                f'<td class="num">{_esc(_money(item.interest_time_barred, item.currency))}'
                "</td></tr>"
            )
        claimed = item.interest_claimed if item.interest_claimed is not None else item.interest
        interest = (
            _money(claimed, item.currency)
            if claimed is not None
            else pgettext("claim", "not computed")
        )
        label = _("Statutory interest for delay")
        lines.append(
            f'<tr class="sub"><td colspan="4">{_esc(label)}</td>'
            f'<td class="num">{_esc(interest)}</td></tr>'
        )
        compensation = _compensation_text(claim, item)
        if item.compensation_time_barred and item.time_barred_from is not None:
            compensation = _(
                "{compensation}: time-barred since {date}, not claimed (see below)"
            ).format(compensation=compensation, date=_date(item.time_barred_from))
        lines.append(
            ('<tr class="barred">' if item.compensation_time_barred else "<tr>")
            + f'<td colspan="4">{_esc(compensation)}</td>'
            f'<td class="num">{_compensation_cell(item)}</td></tr>'
        )
        if item.unapplied_parts:
            lines.append(f'<tr><td colspan="5" class="note">{_esc(_paid_by_unapplied(item))}'
                         "</td></tr>")
        if item.disputed:
            lines.append(f'<tr><td colspan="5" class="note">{_esc(_disputed(item))}'
                         "</td></tr>")
        # Why an amount is missing; an unconfirmed rate is starred instead, and a compensation
        # not converted says so on its own line (the JSON keeps every note).
        if item.interest is None or item.compensation is None:
            for note in item.notes:
                lines.append(f'<tr><td colspan="5" class="note">{_text(note, (item.number,))}'
                             "</td></tr>")
        lines.append("</tbody>")
    lines.append("</table>")
    return lines


def _invoice_heading(item: ClaimedInvoice) -> str:
    values = {
        "number": item.number,
        "issued": _date(item.issue_date),
        "due": _date(item.due_date),
        "total": _money(item.total, item.currency),
        "days": item.days_late,
        "paid": _date(item.paid_on) if item.paid_on else "",
        "until": _date(item.interest_until),
    }
    if item.still_open:
        return ngettext(
            "Invoice {number} of {issued}, {total}, due {due}, unpaid: {days} day of delay "
            "up to {until}",
            "Invoice {number} of {issued}, {total}, due {due}, unpaid: {days} days of delay "
            "up to {until}",
            item.days_late,
        ).format(**values)
    return ngettext(
        "Invoice {number} of {issued}, {total}, due {due}, paid {paid}: {days} day of delay",
        "Invoice {number} of {issued}, {total}, due {due}, paid {paid}: {days} days of delay",
        item.days_late,
    ).format(**values)


def _compensation_text(claim: Claim, item: ClaimedInvoice) -> str:
    if item.compensation is None or item.compensation_statutory is None:
        return _("Fixed compensation: not computed")
    statutory = _money(item.compensation_statutory, item.compensation_statutory_currency or "")
    band = _band(claim, item)
    if claim.jurisdiction != "pl":
        return _("Fixed compensation ({band}): {amount}").format(band=band, amount=statutory)
    rule_date = _date(item.compensation_rule_date) if item.compensation_rule_date else _FILL
    if item.compensation_converted and item.compensation_fx_rate is not None:
        return _(
            "Compensation for recovery costs ({band}): {amount} at the NBP average EUR rate of "
            "{rule_date}, {rate} PLN"
        ).format(band=band, amount=statutory, rule_date=rule_date,
                 rate=_number(item.compensation_fx_rate, 4))
    return _(
        "Compensation for recovery costs ({band}): {amount}, to be converted to PLN at the NBP "
        "average EUR rate of {rule_date}"
    ).format(band=band, amount=statutory, rule_date=rule_date)


# The bands of each law's fixed sum, in words (metrics.cost.compensation has the rules).
_BANDS = {
    ("pl", "flat"): noop("EUR 40 whatever the amount, for a debt due before 2020"),
    ("pl", "low"): noop("debt not above PLN 5,000"),
    ("pl", "middle"): noop("debt above PLN 5,000 and below PLN 50,000"),
    ("pl", "high"): noop("debt of PLN 50,000 or more"),
    ("uk", "low"): noop("debt below GBP 1,000"),
    ("uk", "middle"): noop("debt of GBP 1,000 or more and below GBP 10,000"),
    ("uk", "high"): noop("debt of GBP 10,000 or more"),
    ("eu", "flat"): noop("EUR 40 whatever the amount"),
}


def _band(claim: Claim, item: ClaimedInvoice) -> str:
    """The band in words and, where the band was read on another debt than the invoice's total
    printed above it (credited or part paid by its due date, or converted), that debt: "debt
    not above PLN 5,000; the debt that fell due: 4,000.00 PLN"."""
    text = _BANDS.get((claim.jurisdiction, item.compensation_band or ""))
    band = _(text) if text else item.compensation_band_rule or ""
    if item.compensation_debt is None or item.compensation_debt_currency is None:
        return band
    return _("{band}; the debt that fell due: {debt}").format(
        band=band, debt=_money(item.compensation_debt, item.compensation_debt_currency))


def _compensation_cell(item: ClaimedInvoice) -> str:
    if item.compensation_time_barred:
        return "\u2014"
    if item.compensation is None or not item.compensation_converted:
        return _blank()
    return _esc(_money(item.compensation, item.compensation_currency or ""))


def _totals(claim: Claim) -> list[str]:
    if not claim.invoices:
        return []
    currencies = sorted(set(claim.totals) | set(claim.interest_totals))
    head = [
        pgettext("claim", "Currency"),
        pgettext("claim", "Interest"),
        pgettext("claim", "Compensation"),
        pgettext("claim", "Total to pay"),
    ]
    rows = [
        "<h2>{}</h2>".format(_esc(pgettext("claim", "Summary"))),
        "<table>",
        "<thead><tr>" + "".join(
            (f"<th>{_esc(h)}</th>" if i == 0 else f'<th class="num">{_esc(h)}</th>')
            for i, h in enumerate(head)
        ) + "</tr></thead>",
        "<tbody>",
    ]
    missing = any(not i.compensation_converted and not i.compensation_time_barred
                  for i in claim.invoices)
    for currency in currencies:
        interest = claim.interest_totals.get(currency, Decimal(0))
        compensation = claim.compensation_totals.get(currency, Decimal(0))
        total = claim.totals.get(currency, Decimal(0))
        rows.append(
            f"<tr><td>{_esc(currency)}</td>"
            f'<td class="num">{_esc(_money(interest, currency))}</td>'
            f'<td class="num">{_esc(_money(compensation, currency))}</td>'
            f'<td class="num"><strong>{_esc(_money(total, currency))}</strong></td></tr>'
        )
    rows += ["</tbody>", "</table>"]
    if claim.disputed_totals:
        held = _("Held until the disputes are settled, not in the totals: {amounts}.").format(
            amounts=", ".join(_money(amount, currency)
                              for currency, amount in claim.disputed_totals.items()))
        rows.append(f'<p class="note">{_esc(held)}</p>')
    if missing:
        blank = _("The compensation of the lines left blank is not in the totals: fill in its "
                  "amount at the rate named on its line and add it.")
        rows.append(f'<p class="note">{_esc(blank)}</p>')
    return rows


def _time_barred(claim: Claim) -> list[str]:
    """The lines time-barred as of the claim's date, apart from what it demands: each
    invoice's barred interest and compensation, the law, and the sums by currency."""
    lines: list[tuple[ClaimedInvoice, str, Decimal, str, date | None]] = []
    for item in claim.invoices:
        if item.interest_time_barred:
            # Barred with the main claim (a debt left unpaid under two years), or day by day.
            lines.append((item, pgettext("claim", "Statutory interest"),
                          item.interest_time_barred, item.currency,
                          item.interest_time_barred_from))
        if (item.compensation_time_barred and item.compensation is not None
                and item.compensation_converted):
            lines.append((item, pgettext("claim", "Compensation"), item.compensation,
                          item.compensation_currency or "", item.time_barred_from))
    if not lines:
        return []
    head = [
        pgettext("claim", "Invoice"),
        pgettext("claim", "Claim"),
        pgettext("claim", "Time-barred since"),
        pgettext("claim", "Amount"),
    ]
    rows = [
        "<h2>{}</h2>".format(_esc(pgettext("claim", "Time-barred, not claimed"))),
        f'<p class="note">{_esc(_limitation_rule(claim))}</p>',
        "<table>",
        "<thead><tr>" + "".join(
            (f'<th class="num">{_esc(h)}</th>' if i == 3 else f"<th>{_esc(h)}</th>")
            for i, h in enumerate(head)
        ) + "</tr></thead>",
        "<tbody>",
    ]
    for item, what, amount, currency, barred_from in lines:
        since = _date(barred_from) if barred_from else ""
        rows.append(
            f"<tr><td>{_text(item.number, (item.number,))}</td><td>{_esc(what)}</td>"
            f"<td>{_esc(since)}</td>"
            f'<td class="num">{_esc(_money(amount, currency))}</td></tr>'
        )
    for currency, amount in claim.time_barred_totals.items():
        label = pgettext("claim", "Total time-barred")
        rows.append(
            f'<tr class="sub"><td colspan="3">{_esc(label)}</td>'
            f'<td class="num">{_esc(_money(amount, currency))}</td></tr>'
        )
    rows += ["</tbody>", "</table>"]
    return rows


def _limitation_rule(claim: Claim) -> str:
    if claim.jurisdiction == "pl" and claim.pl_limitation_years == 2:
        return _(
            "These amounts are time-barred (art. 554, 646 and 751 of the Civil Code: the debt "
            "two years from the day it became due, or, for a contract for work, from the day "
            "the work was handed over, and with it the interest on a debt left unpaid until it "
            "was barred; art. 118 and 120: each day's interest and the "
            "compensation for recovery costs three years from the day each became due; every "
            "period ending on the last day of a calendar year). The debtor may still pay them "
            "of its own will; they are not part of the total to pay."
        )
    if claim.jurisdiction == "pl":
        return _(
            "These amounts are time-barred (art. 118 and 120 of the Civil Code: three years "
            "from the day a claim became due, ending on the last day of a calendar year). The "
            "debtor may still pay them of its own will; they are not part of the total to pay."
        )
    return _(
        "These amounts are time-barred (Limitation Act 1980, section 5: six years from the day "
        "the claim accrued; a debt's from the last payment towards it made before it was "
        "barred, section 29(5)). The debtor may still pay them of its own will; they are not "
        "part of the total to pay."
    )


def _payment(claim: Claim) -> list[str]:
    if not claim.invoices:
        return []
    account = _esc(_iban(claim.creditor.iban)) if claim.creditor.iban else _blank()
    text = ngettext(
        "Please pay the total within {days} day of receiving this document to the bank account:",
        "Please pay the total within {days} days of receiving this document to the bank "
        "account:",
        claim.pay_within_days,
    ).format(days=claim.pay_within_days)
    return [f'<p class="pay">{_esc(text)} <strong>{account}</strong></p>']


def _debt_barred(item: ClaimedInvoice, as_of: date) -> bool:
    """Whether the debt of an invoice of the claim is itself time-barred as of ``as_of``
    (with it, the interest on a debt left unpaid: docs/claims.md, "Limitation")."""
    barred_from = item.main_claim_time_barred_from or item.time_barred_from
    return barred_from is not None and barred_from <= as_of


def _interest_kept(item: ClaimedInvoice) -> bool:
    """Whether some of an invoice's interest is claimed: for one whose debt is time-barred,
    the interest on a part paid (or credited) before the bar (docs/claims.md, "A debt partly
    paid"). An amount, not a line: a line not barred may round to nothing."""
    return bool(item.interest_claimed)


def _restarted_debts(claim: Claim) -> list[tuple[ClaimedInvoice, date]]:
    """The UK invoices with something time-barred whose debt a payment kept from being barred
    with it (Limitation Act 1980 s.29(5): the debt's bar, later than the fixed sum's), and the
    day each debt is barred from: what the note on part payments names. One whose bar an
    acknowledgement set is the acknowledgements' note's (:func:`_acknowledged_debts`)."""
    if claim.jurisdiction != "uk":
        return []
    return [
        (item, item.main_claim_time_barred_from) for item in claim.invoices
        if item.main_claim_time_barred_from is not None and item.time_barred_from is not None
        and item.acknowledged_on is None
        and item.main_claim_time_barred_from > item.time_barred_from
        and (item.interest_time_barred or item.compensation_time_barred)
    ]


def _acknowledged_debts(claim: Claim) -> str:
    """Each invoice whose debt's bar the debtor's acknowledgement set, as the note lists them
    (``FV/1: acknowledged 01.03.2024 (letter), time-barred from 01.01.2028``); empty with
    none."""
    return "; ".join(
        _("{number}: acknowledged {day}{note}, time-barred from {bar}").format(
            number=item.number, day=_date(item.acknowledged_on),
            note=f" ({item.acknowledgement_note})" if item.acknowledgement_note else "",
            bar=_date(item.main_claim_time_barred_from))
        for item in claim.invoices
        if item.acknowledged_on is not None and item.main_claim_time_barred_from is not None)


def _notes(claim: Claim) -> list[str]:
    notes = [_rule(claim)]
    still_open = [i for i in claim.invoices if i.still_open]
    if any(not _debt_barred(i, claim.as_of) for i in still_open):
        notes.append(_(
            "An invoice still unpaid bears interest up to the date of this statement, and "
            "interest keeps running until it is paid; its unpaid amount is not part of this "
            "document."
        ))
    barred_open = [i for i in still_open if _debt_barred(i, claim.as_of)]
    if any(not _interest_kept(i) for i in barred_open):
        notes.append(_(
            "An invoice left unpaid until its debt was time-barred lost its interest with it: "
            "none of it is claimed here, and none can be enforced while it stays unpaid."
        ))
    if any(_interest_kept(i) for i in barred_open):
        notes.append(_(
            "An invoice partly paid or credited before its debt was time-barred keeps the "
            "interest on the part paid before then, each day's until that day's own period "
            "ends: the days not yet barred are claimed here. The interest on the part left "
            "unpaid went with the debt and is not claimed."
        ))
    restarted = _restarted_debts(claim)
    if restarted:
        notes.append(_(
            "A payment towards a debt made before it was time-barred restarts the debt's six "
            "years from the day of the payment (Limitation Act 1980, section 29(5)): the debt, "
            "and the interest on the part of it still unpaid, can be claimed for six years from "
            "the last such payment; the fixed sum and each day's interest keep their own six "
            "years. The debt of each such invoice is time-barred from (invoice: day): {debts}."
        ).format(debts="; ".join(f"{item.number}: {_date(barred_from)}"
                                 for item, barred_from in restarted)))
    acknowledged = _acknowledged_debts(claim)
    if acknowledged:
        if claim.jurisdiction == "pl":
            notes.append(_(
                "The debtor acknowledged the debt before it was time-barred, which interrupted "
                "the limitation period (art. 123 § 1 pkt 2 of the Civil Code); the period ran "
                "anew (art. 124 § 1), its years counted from the day of the acknowledgement "
                "(art. 112) to the end of a calendar year (art. 118): the debt, and the "
                "interest on the part of it still unpaid, can be claimed until then; the "
                "compensation and each day's interest keep their own periods. Invoices "
                "(acknowledgement, bar): {debts}."
            ).format(debts=acknowledged))
        else:
            notes.append(_(
                "The debtor acknowledged the debt in writing before it was time-barred, which "
                "restarts its six years from the day of the acknowledgement (Limitation Act "
                "1980, section 29(5)): the debt, and the interest on the part of it still "
                "unpaid, can be claimed until then; the fixed sum and each day's interest keep "
                "their own six years. Invoices (acknowledgement, bar): {debts}."
            ).format(debts=acknowledged))
    # The client's unapplied money is the firm's to apply, not the debtor's to read: the lines
    # it pays say "Paid by the payment of <day>."; the command says which money it is, on
    # stderr (and the JSON lists it in "unapplied").
    if claim.invoices and not claim.limitation_checked:
        notes.append(_(
            "The limitation period is not checked: Directive 2011/7/EU sets none, the "
            "debtor's national law does; check that no amount above is time-barred under it."
        ))
    if claim.unconfirmed_periods:
        notes.append(_(
            "* The rate of {periods} is not confirmed by a published notice: check it before "
            "sending."
        ).format(periods=", ".join(claim.unconfirmed_periods)))
    notes.append(_("Amounts as of {date}.").format(date=_date(claim.as_of)))
    return [f'<p class="note">{_text(note, _names(claim))}</p>' for note in notes]


def _rule(claim: Claim) -> str:
    if claim.jurisdiction == "pl":
        return _(
            "Interest is counted for each day of delay on the amount then unpaid: principal x "
            "rate x days / 365. The rate is the NBP reference rate plus 10 percentage points, "
            "fixed for each half-year (the rate in force on 1 January or 1 July), as announced "
            "in Monitor Polski."
        )
    if claim.jurisdiction == "uk":
        return _(
            "Interest is simple, on the amount unpaid each day: principal x rate x days / 365. "
            "The rate is the Bank of England base rate plus 8 percentage points, the base rate "
            "being the one in force on 31 December or 30 June before the debt became overdue."
        )
    return _(
        "Interest is counted for each day of delay on the amount then unpaid: principal x "
        "rate x days / 365. The rate is the European Central Bank's main refinancing rate "
        "plus 8 percentage points, the one in force on 1 January or 1 July of each half-year."
    )


def _legal_basis(claim: Claim) -> str:
    if claim.jurisdiction == "pl":
        return _(
            "Under art. 7 sec. 1 and art. 10 sec. 1 of the Polish Act of 8 March 2013 on "
            "counteracting excessive delays in commercial transactions (consolidated text: "
            "Journal of Laws 2023 item 1790), we charge statutory interest for delay in "
            "commercial transactions and compensation for the costs of recovering the debt "
            "on the invoices below, which were paid, or are still unpaid, after their due dates."
        )
    if claim.jurisdiction == "uk":
        return _(
            "Under the Late Payment of Commercial Debts (Interest) Act 1998 (section 1, "
            "statutory interest, and section 5A, the fixed sum for each late debt), we claim "
            "statutory interest and the fixed sums on the invoices below, which were paid, or "
            "are still unpaid, after their due dates."
        )
    return _(
        "Under Directive 2011/7/EU on combating late payment in commercial transactions "
        "(article 3, interest for late payment, and article 6, compensation for recovery costs) "
        "as implemented in national law, we claim statutory interest and the fixed "
        "compensation on the invoices below, which were paid, or are still unpaid, after their "
        "due dates."
    )


def _disputed(item: ClaimedInvoice) -> str:
    """The line's words for a disputed invoice: held, not in the totals."""
    if item.disputed_on is not None:
        return _("Disputed since {date}: held until the dispute is settled, not in the "
                 "totals.").format(date=_date(item.disputed_on))
    return _("Disputed: held until the dispute is settled, not in the totals.")


def _paid_by_unapplied(item: ClaimedInvoice) -> str:
    """The line's words for an invoice the client's unapplied money pays: each document that
    pays part of it, with its day and what it pays, in the order the money came ("Paid in
    part by ..." where they pay less than its total: the rest is still owed, or the books
    paid it). One document that pays its whole total is named by its day alone."""
    parts = item.unapplied_parts
    whole = sum((part.amount for part in parts), Decimal(0)) >= item.total
    if whole and len(parts) == 1:
        # The one document paid the invoice: its day says it all.
        if parts[0].kind == "credit_note":
            return _("Paid by the credit note of {date}.").format(date=_date(parts[0].came_on))
        return _("Paid by the payment of {date}.").format(date=_date(parts[0].came_on))
    documents = format_list([_paid_part(item, part) for part in parts], locale=babel_locale())
    if whole:
        return _("Paid by {documents}.").format(documents=documents)
    return _("Paid in part by {documents}.").format(documents=documents)


def _paid_part(item: ClaimedInvoice, part: UnappliedPaidPart) -> str:
    """One document of :func:`_paid_by_unapplied`: "the payment of <day> (<amount>)"."""
    amount = _money(part.amount, item.currency)
    if part.kind == "credit_note":
        return _("the credit note of {date} ({amount})").format(
            date=_date(part.came_on), amount=amount)
    return _("the payment of {date} ({amount})").format(date=_date(part.came_on), amount=amount)


def _no_late_invoices(claim: Claim) -> str:
    return _("No invoice of this client was paid, or is unpaid, after its due date as of "
             "{date}: there is nothing to claim.").format(date=_date(claim.as_of))


# --------------------------------------------------------------------------- writing numbers


def _esc(text: object) -> str:
    """Text from anywhere, safe in HTML content and quoted attributes; control characters
    shown as escapes."""
    return html.escape(printable(str(text)), quote=True)


def _text(text: str, names: tuple[str, ...] = ()) -> str:
    """Text from the data, or a sentence holding it, for element content: as :func:`_esc`,
    with ``names`` and any other right-to-left run isolated (never cut: a letter keeps every
    character of a name)."""
    return isolated(text, names, limit=None)


def _names(claim: Claim) -> tuple[str, ...]:
    """The parties' names and the invoices' numbers: the texts of the data the letter's
    sentences hold."""
    parties = (claim.creditor.name, claim.debtor.name)
    return (*(name for name in parties if name), *(item.number for item in claim.invoices),
            *(money.document_id for money in claim.unapplied))


def _blank() -> str:
    return f'<span class="fill">{_FILL}</span>'


def _number(value: Decimal, places: int) -> str:
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return str(format_decimal(value, format=pattern, locale=babel_locale()))


def _money(value: Decimal, currency: str) -> str:
    if not currency:
        return _number(value, 2)
    return f"{_number(value, exponent(currency))} {currency}"


def _date(day: date) -> str:
    return str(format_date(day, format=pgettext("date pattern", "d MMM y"), locale=babel_locale()))


def _iban(iban: str) -> str:
    """An IBAN in groups of four, as banks print it."""
    return " ".join(iban[i:i + 4] for i in range(0, len(iban), 4))
