"""The review as a JSON document: a documented, versioned schema for other programs.

The schema is ``schema.json`` beside this module (JSON Schema, draft 2020-12) and
``docs/report-schema.md`` explains every field. Its version follows two rules: a minor
version (``1.1``) only adds fields, a major version (``2.0``) renames or removes one.

Every amount is a JSON *string* of a decimal number (``"1234.50"``), never a JSON number: a
program that reads it into a float would bring back the rounding errors the library keeps
out. Money is written with the currency's minor unit (two decimals for EUR, none for JPY),
shares with four decimals, days with one, HHI with one, the effective number of clients with
two, hours with two, all rounded half-even; a finding's value and threshold keep up to four
decimals. Counts are JSON integers.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from importlib import resources
from typing import Any

from clientguard import wording
from clientguard._version import __version__
from clientguard.findings import Finding, Signal
from clientguard.forecast import Forecast
from clientguard.i18n import gettext as _
from clientguard.i18n import language
from clientguard.metrics.lateness import Aging, PaymentProfile
from clientguard.money import ZERO, exponent
from clientguard.report.text import decimal_text, fixed, json_text
from clientguard.review import ClientReview, Recommendation, Review
from clientguard.signals import ConcentrationReport

# Internal (shared with the other renderers), left out of __all__: data_warnings, book_aging,
# weighted_days_late, claim_text, claimable_text, claimable_now, financing_now, law_applies,
# time_barred_text.
__all__ = ["SCHEMA_NAME", "SCHEMA_VERSION", "render_json", "review_document", "schema"]

SCHEMA_NAME = "clientguard.review"
"""What the document is; the ``schema`` field of every document."""
SCHEMA_VERSION = "1.10"
"""The version of the document's schema (see the module docstring for the rules)."""

_SHARE_PLACES = 4


def schema() -> dict[str, Any]:
    """The JSON Schema of the document (``clientguard/report/schema.json``)."""
    text = resources.files("clientguard.report").joinpath("schema.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def render_json(review: Review, *, title: str | None = None) -> str:
    """The review as JSON text (UTF-8, two-space indent, ending with a newline)."""
    return json_text(review_document(review, title=title))


def review_document(review: Review, *, title: str | None = None) -> dict[str, Any]:
    """The review as JSON-ready data, in the shape of :func:`schema`.

    ``lang`` is the active language (:func:`clientguard.i18n.language`): render in the same
    :func:`clientguard.i18n.using` block as the review, so that it names the language the
    review's sentences were written in."""
    currency = review.base_currency
    book = review.book
    return {
        "schema": SCHEMA_NAME,
        "schema_version": SCHEMA_VERSION,
        "generator": {"name": "clientguard", "version": __version__},
        "lang": language(),
        "title": title,
        "as_of": review.as_of.isoformat(),
        "base_currency": currency,
        "sources": list(review.sources),
        "summary": book.summary,
        "data_warnings": data_warnings(review),
        "recommendations": {r.value: book.recommendations.get(r.value, 0) for r in Recommendation},
        "book": {
            "financing_cost": _money(book.financing_cost, currency),
            "claimable": _money(book.claimable, currency),
            "claimable_disputed": _money(book.claimable_disputed, currency),
            "claimable_unapplied": _money(book.claimable_unapplied, currency),
            "financing_covered": _money(book.financing_covered, currency),
            "time_barred": _money(book.time_barred, currency),
            "compensation_unpriced": _by_currency(
                {"EUR": book.compensation_unpriced} if book.compensation_unpriced else {}),
            "compensation_unconvertible": _by_currency(book.compensation_unconvertible),
            "time_barred_unconvertible": _by_currency(book.time_barred_unconvertible),
            "aging": _aging(book_aging(review), currency),
            "findings": [_finding(f) for f in book.findings],
            "revenue": _concentration(book.revenue, currency),
            "receivables": _concentration(book.receivables, currency),
            "hours": _concentration(book.hours, currency) if book.hours else None,
        },
        "clients": [_client(c, review) for c in review.clients.values()],
        "data_quality": {
            "rejected": review.data_quality.rejected,
            "rejections": list(review.data_quality.rejections),
            "paid_date_unknown": list(review.data_quality.paid_date_unknown),
            "amount_due_mismatches": list(review.data_quality.amount_due_mismatches),
            "foreign_allocations": list(review.data_quality.foreign_allocations),
            "excess_precision": list(review.data_quality.excess_precision),
            "due_before_issue": list(review.data_quality.due_before_issue),
            "notes": list(review.data_quality.notes),
            "groups": [
                {
                    "kind": group.kind,
                    "title": group.title,
                    "count": group.count,
                    "amount": None if group.amount is None else _money(group.amount, currency),
                    "amount_of": group.amount_of,
                    "examples": list(group.examples),
                }
                for group in review.data_quality.groups
            ],
        },
        "policy": review.policy.model_dump(mode="json"),
        "forecast": _forecast(review.forecast, currency) if review.forecast else None,
    }


def _probability(value: float) -> str:
    return f"{value:.4f}"


def _to_the_cent(parts: list[Decimal], currency: str) -> list[Decimal]:
    """``parts`` rounded to the currency's minor unit so that they add up to their exact sum
    rounded (largest remainder: each down, then a unit more to those that lost the most, the
    earlier first on a tie): the 13 weeks and ``after`` add up to the open invoices' total,
    as they do exactly inside the forecast. Rounded each on its own they could miss it by a
    few cents (3,000.01 for the worked example's 3,000.00)."""
    unit = Decimal(1).scaleb(-exponent(currency))
    floors = [part.quantize(unit, rounding="ROUND_FLOOR") for part in parts]
    short = int(((sum(parts, ZERO).quantize(unit) - sum(floors, ZERO)) / unit).to_integral())
    order = sorted(range(len(parts)), key=lambda k: (-(parts[k] - floors[k]), k))
    for k in order[:max(short, 0)]:
        floors[k] += unit
    return floors


def _forecast(predicted: Forecast, currency: str) -> dict[str, Any]:
    """The forecast (docs/forecast.md): the 13 weeks, the open invoices, the clients."""
    expected = _to_the_cent([*(week.expected for week in predicted.weeks), predicted.after],
                            currency)
    return {
        "history": predicted.history,
        "credibility_k": None if predicted.credibility_k is None
        else f"{predicted.credibility_k:.4f}",
        "weeks": [
            {
                "week": week.week,
                "start": week.start.isoformat(),
                "end": week.end.isoformat(),
                "expected": _money(cents, currency),
                "low": _money(week.low, currency),
                "high": _money(week.high, currency),
            }
            for week, cents in zip(predicted.weeks, expected, strict=False)
        ],
        "after": _money(expected[-1], currency),
        "invoices": [
            {
                "invoice_id": one.invoice_id,
                "customer_id": one.customer_id,
                "due_date": one.due_date.isoformat(),
                "open_balance": _money(one.open_balance_base, currency),
                "days_past_due": one.days_past_due,
                # None (null): not dated, or an interval open-ended (maybe never paid).
                "predicted_on": _day(one.predicted_on),
                "low": _day(one.low),
                "high": _day(one.high),
                "p_late": _probability(one.p_late),
                "p_late_30": _probability(one.p_late_30),
                "client_weight": _probability(one.client_weight),
                "rests_on": one.rests_on,
            }
            for one in predicted.invoices
        ],
        "clients": [
            {
                "customer_id": outlook.customer_id,
                "expected_days_late": f"{outlook.expected_days_late:.1f}",
                "p_late": _probability(outlook.p_late),
                "client_weight": _probability(outlook.client_weight),
                "paid_invoices": outlook.client_invoices,
            }
            for outlook in predicted.clients
        ],
    }


# --------------------------------------------------------------------------- pieces


def _money(amount: Decimal | None, currency: str) -> str | None:
    return None if amount is None else fixed(amount, exponent(currency))


def _by_currency(sums: Mapping[str, Decimal]) -> dict[str, str]:
    """Sums in the currencies they are stated in (not the base), each as :func:`_money`
    writes money, by ISO code in code order; ``{}`` for none."""
    return {code: fixed(amount, exponent(code)) for code, amount in sorted(sums.items())}


def _share(share: Decimal | None) -> str | None:
    return None if share is None else fixed(share, _SHARE_PLACES)


def _days(value: Decimal | None) -> str | None:
    return None if value is None else fixed(value, 1)


def _optional(value: Decimal | None, places: int) -> str | None:
    return None if value is None else fixed(value, places)


def _number(value: Decimal | int | str | None) -> str | int | None:
    if value is None or isinstance(value, int | str):
        return value
    return decimal_text(value, _SHARE_PLACES)


def _amount(amount: Decimal, unit: str) -> str:
    """Money in a currency, or hours to two decimals."""
    return fixed(amount, 2 if unit == "hours" else exponent(unit))


def _period(period: tuple[date, date] | None) -> dict[str, str] | None:
    if period is None:
        return None
    return {"start": period[0].isoformat(), "end": period[1].isoformat()}


def _finding(finding: Finding) -> dict[str, Any]:
    evidence = finding.evidence
    return {
        "customer_id": finding.customer_id,
        "signal": finding.signal.value,
        "severity": finding.severity.value,
        "metric": finding.metric,
        "value": decimal_text(finding.value, _SHARE_PLACES),
        "threshold": decimal_text(finding.threshold, _SHARE_PLACES),
        "message": finding.message,
        "evidence": {
            "record_kind": evidence.record_kind,
            "record_ids": list(evidence.record_ids),
            "numbers": {k: _number(v) for k, v in evidence.numbers.items()},
            "period": _period(evidence.period),
        },
    }


def _concentration(report: ConcentrationReport, currency: str) -> dict[str, Any]:
    unit = "hours" if report.unit == "hours" else currency
    return {
        "basis": report.basis,
        "unit": unit,
        "period": _period(report.period),
        "total": _amount(report.total, unit),
        "client_count": report.client_count,
        "hhi": None if report.hhi is None else fixed(report.hhi, 1),
        "effective_clients": (
            None if report.effective_clients is None else fixed(report.effective_clients, 2)
        ),
        "gini": _share(report.gini),
        "top_shares": {str(k): _share(v) for k, v in report.top_shares.items()},
        "clients": [
            {
                "client_id": client,
                "name": report.names.get(client, client),
                "amount": _amount(amount, unit),
                "share": _share(report.shares[client]),
                "rank": report.ranks[client],
            }
            for client, amount in report.amounts.items()
        ],
        "excluded": [
            {"client_id": client, "name": report.names.get(client, client),
             "amount": _amount(amount, unit)}
            for client, amount in report.excluded.items()
        ],
        "lorenz": [[_share(x), _share(y)] for x, y in report.lorenz],
    }


def _aging(aging: Aging, currency: str) -> dict[str, str | None]:
    return {label: _money(amount, currency) for label, amount in aging.buckets().items()}


def data_warnings(review: Review) -> list[str]:
    """The sentences every format shows first: what the data as a whole may be missing (a
    store whose last sync of a source did not complete: ``data_quality.warnings``), then the
    ``stale_data`` findings (nothing due in the window, or the newest record long before
    ``as_of``)."""
    return [
        *review.data_quality.warnings,
        *(f.message for f in review.book.findings if f.signal is Signal.STALE_DATA),
    ]


def claim_text(review: Review, amount: Decimal, client: ClientReview | None = None) -> str:
    """What the law lets the firm claim, for a person: the amount, or, where the policy names
    no late-payment law for the book (or that client), that none applies: "0.00 USD" would
    read as "nothing is owed"."""
    if not law_applies(review, client) and amount == 0:
        return _("no late-payment law applies (policy jurisdiction: none)")
    return wording.money(amount, review.base_currency)


def law_applies(review: Review, client: ClientReview | None = None) -> bool:
    """Whether the policy names a late-payment law for the book (some client of it) or for
    ``client`` (some member of it): without one nothing is claimable, nor time-barred."""
    policy = review.policy
    if client is None:
        return policy.jurisdiction != "none" or any(
            j != "none" for j in policy.client_jurisdictions.values())
    return any(
        policy.client_jurisdictions.get(m, policy.client_jurisdictions.get(
            client.client_id, policy.jurisdiction)) != "none"
        for m in client.members
    )


def claimable_now(client: ClientReview) -> Decimal:
    """What the advice asks ``client`` for now: ``claimable`` without what is held for its
    disputed invoices and what is on the invoices its unapplied money would pay."""
    return client.claimable - client.claimable_disputed - client.claimable_unapplied


def financing_now(client: ClientReview) -> Decimal:
    """``client``'s financing cost as its summary counts it: none where its unapplied money
    covers its open balance (docs/review.md, "Unapplied money")."""
    return client.financing_cost - client.financing_covered


def claimable_text(review: Review, client: ClientReview) -> str:
    """What the law lets the firm claim from ``client`` now, as a clause: ``1,234.50 EUR
    claimable under late-payment law``, or that no such law applies to it; then, where not
    zero, what is held for disputes and what is covered by unapplied money (of the claim, then
    of the financing cost), each as ``; 1,396.40 EUR held for disputes``."""
    currency = review.base_currency
    now = claimable_now(client)
    amount = wording.money(now, currency)
    text = claim_text(review, now, client)
    if text == amount:
        text = _("{amount} claimable under late-payment law").format(amount=amount)
    if client.claimable_disputed > 0:
        text += _("; {amount} held for disputes").format(
            amount=wording.money(client.claimable_disputed, currency))
    if client.claimable_unapplied > 0:
        text += _("; {amount} covered by unapplied money").format(
            amount=wording.money(client.claimable_unapplied, currency))
    if client.financing_covered > 0:
        text += _("; {amount} of financing covered by unapplied money").format(
            amount=wording.money(client.financing_covered, currency))
    return text


def time_barred_text(review: Review, client: ClientReview) -> str:
    """What of the law's grant to the firm is time-barred as of the review's date and so left
    out of ``claimable``, as a clause: ``366.27 PLN time-barred and left out``
    (docs/claims.md, "Limitation")."""
    return _("{amount} time-barred and left out").format(
        amount=wording.money(client.time_barred, review.base_currency))


def book_aging(review: Review) -> Aging:
    """The open balance of the whole book by days past due (every client's, added up)."""
    totals = [ZERO] * 5
    for client in review.clients.values():
        for profile in client.profiles.values():
            for index, amount in enumerate(profile.aging.buckets().values()):
                totals[index] += amount
    return Aging(
        current=totals[0], days_1_30=totals[1], days_31_60=totals[2], days_61_90=totals[3],
        days_91_plus=totals[4],
    )


def weighted_days_late(client: ClientReview) -> Decimal | None:
    """Amount-weighted days late over a client's members (a group's paying companies), over
    the invoices due in the window; None when none was due."""
    weighted = ZERO
    amount = ZERO
    for profile in client.profiles.values():
        if profile.weighted_days_late is not None and profile.amount_due > 0:
            weighted += profile.weighted_days_late * profile.amount_due
            amount += profile.amount_due
    return weighted / amount if amount > 0 else None


def _profile(profile: PaymentProfile, currency: str) -> dict[str, Any]:
    return {
        "customer_id": profile.customer_id,
        "invoices_due": profile.invoices_due,
        "invoices_late": profile.invoices_late,
        "invoices_open": profile.invoices_open,
        "late_share": _share(profile.late_share),
        "late_amount_share": _share(profile.late_amount_share),
        "mean_days_late": _days(profile.mean_days_late),
        "weighted_days_late": _days(profile.weighted_days_late),
        "weighted_days_beyond_terms": _days(profile.weighted_days_beyond_terms),
        "median_days_late": _days(profile.median_days_late),
        "p90_days_late": _days(profile.p90_days_late),
        "adp": _days(profile.adp),
        "open_balance": _money(profile.open_balance, currency),
        "overdue_balance": _money(profile.overdue_balance, currency),
        "aging": _aging(profile.aging, currency),
        "oldest_open_days_past_due": profile.oldest_open_days_past_due,
        "financing_cost": _money(profile.financing_cost, currency),
        "monthly": [
            {
                "month": point.month.isoformat()[:7],
                "invoices": point.invoices,
                "amount": _money(point.amount, currency),
                "weighted_days_late": _days(point.weighted_days_late),
            }
            for point in profile.monthly
        ],
    }


def _client(client: ClientReview, review: Review) -> dict[str, Any]:
    currency = review.base_currency
    book = review.book
    what_if = client.what_if
    worst = max((f.severity for f in client.findings), default=None)
    return {
        "client_id": client.client_id,
        "name": client.name,
        "members": list(client.members),
        "recommendation": client.recommendation.value,
        "worst_severity": worst.value if worst is not None else None,
        "summary": client.summary,
        "reasons": list(client.reasons),
        "evidence": client.evidence,
        "late_share": _share(client.late_share),
        "disputed": client.disputed,
        "last_invoice_on": client.last_invoice_on.isoformat() if client.last_invoice_on else None,
        "churned": client.churned,
        "changed_by": list(client.changed_by),
        "revenue_share": _share(book.revenue.shares.get(client.client_id)),
        "receivables_share": _share(book.receivables.shares.get(client.client_id)),
        "hours_share": _share(book.hours.shares.get(client.client_id)) if book.hours else None,
        "financing_cost": _money(client.financing_cost, currency),
        "claimable": _money(client.claimable, currency),
        "claimable_disputed": _money(client.claimable_disputed, currency),
        "claimable_unapplied": _money(client.claimable_unapplied, currency),
        "unapplied": _money(client.unapplied, currency),
        "financing_covered": _money(client.financing_covered, currency),
        "time_barred": _money(client.time_barred, currency),
        "compensation_unpriced": _by_currency(
            {"EUR": client.compensation_unpriced} if client.compensation_unpriced else {}),
        "compensation_unconvertible": _by_currency(client.compensation_unconvertible),
        "time_barred_unconvertible": _by_currency(client.time_barred_unconvertible),
        "findings": [_finding(f) for f in client.findings],
        "revisions": [
            {
                "kind": r.kind,
                "because": r.because.value,
                "message": r.message,
                "amount": _money(r.amount, currency),
            }
            for r in client.revisions
        ],
        "what_if": {
            "revenue_lost": _money(what_if.revenue_lost, currency),
            "revenue_share": _share(what_if.revenue_share),
            "hours_freed": fixed(what_if.hours_freed, 2),
            "hours_share": _share(what_if.hours_share),
            "open_credit": _money(what_if.open_credit, currency),
            "top_share_before": _share(what_if.top_share_before),
            "top_share_after": _share(what_if.top_share_after),
            "hhi_before": _optional(what_if.hhi_before, 1),
            "hhi_after": _optional(what_if.hhi_after, 1),
            "effective_clients_before": _optional(what_if.effective_clients_before, 2),
            "effective_clients_after": _optional(what_if.effective_clients_after, 2),
            "message": what_if.message,
        },
        "payment": [_profile(p, currency) for p in client.profiles.values()],
    }


def _day(day: date | None) -> str | None:
    """A forecast's date in ISO form; None where it is not dated (docs/forecast.md)."""
    return day.isoformat() if day is not None else None
