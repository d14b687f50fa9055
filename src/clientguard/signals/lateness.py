"""Signals: the thresholds of a :class:`~clientguard.policy.Policy` applied to the metrics,
giving :class:`~clientguard.findings.Finding` objects.

Organised by signal, one section each. Every section has a public entry point over a ledger
and pure ``flag_*`` functions over metrics a caller may already hold, so a user can apply their
own policy to numbers they computed once.

Late payment (docs/metrics/lateness.md, sections 4 and 5):

``chronic_late``
    At least ``min_invoices`` invoices due in the look-back window, and late on at least
    ``chronic_late_share`` of them (paid late, or past due and unpaid). Severity by the
    amount-weighted days late: ``watch`` up to ``late_days_warning``, ``warning`` above it,
    ``critical`` above ``late_days_critical``, and ``critical`` too when an open invoice is more
    than ``open_days_past_due_critical`` days past due.
``worsening_late``
    With at least ``trend_min_months`` months of invoices due over ``trend_history_days``, the
    monthly amount-weighted days late has a Mann-Kendall p-value at most ``trend_alpha`` for an
    upward trend and a Theil-Sen slope of at least ``trend_min_slope`` days a month. With a
    shorter history, the late share of the last ``recent_days`` beats that of the rest of the
    window by at least ``recent_late_share_rise``, each period with at least
    ``recent_min_invoices`` invoices. Severity by how late the client is now (the trend line at
    its last month, or the recent period's weighted days late) on the same bands as above.

Messages round at output only (days to whole days or one decimal, money half-even to the
currency's minor unit); the findings' values and evidence keep full precision.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import ROUND_HALF_EVEN, Decimal

from clientguard.findings import Evidence, Finding, Severity, Signal, by_severity
from clientguard.ledger import Ledger
from clientguard.metrics.lateness import PaymentProfile, payment_profiles
from clientguard.metrics.trend import LatenessTrend, lateness_trend
from clientguard.money import round_money
from clientguard.policy import Policy
from clientguard.settlement import check_as_of

_ZERO = Decimal(0)


# ================================================================================ late payment
def late_payers(
    ledger: Ledger, *, as_of: date, policy: Policy | None = None
) -> list[Finding]:
    """Chronic and worsening late payers as of ``as_of``, most serious first.

    Per customer (never per group: lateness is a habit of the company that pays). At most one
    finding of each signal per customer. Raises TypeError when ``as_of`` is not a date.
    """
    check_as_of(as_of)
    policy = policy or Policy()
    profiles = payment_profiles(ledger, as_of=as_of, policy=policy)
    names = {customer: ledger.name_of(customer) for customer in profiles}
    return late_payer_findings(profiles, policy=policy, names=names)


def late_payer_findings(
    profiles: Mapping[str, PaymentProfile],
    *,
    policy: Policy,
    names: Mapping[str, str] | None = None,
) -> list[Finding]:
    """The late-payment findings for profiles already computed, most serious first."""
    names = names or {}
    findings = []
    for customer, profile in profiles.items():
        name = names.get(customer, customer)
        for finding in (
            flag_chronic_late(profile, policy, name=name),
            flag_worsening_late(profile, policy, name=name),
        ):
            if finding is not None:
                findings.append(finding)
    return by_severity(findings)


def lateness_severity(days_late: Decimal, policy: Policy) -> tuple[Severity, Decimal | None]:
    """The severity band of an amount-weighted days late, and the band's threshold crossed.

    More than ``late_days_critical`` is critical, more than ``late_days_warning`` a warning,
    else watch (threshold None). "More than", as in Tesorio's bands: up to 15 days is its best
    grade, so exactly 15 is not yet a warning.
    """
    if days_late > policy.late_days_critical:
        return Severity.CRITICAL, policy.late_days_critical
    if days_late > policy.late_days_warning:
        return Severity.WARNING, policy.late_days_warning
    return Severity.WATCH, None


def flag_chronic_late(
    profile: PaymentProfile, policy: Policy, *, name: str | None = None
) -> Finding | None:
    """A ``chronic_late`` finding when the profile crosses ``chronic_late_share``, else None.

    Too few invoices due in the window (under ``min_invoices``) is never chronic: one or two
    slips do not make a habit.
    """
    share = profile.late_share
    if share is None or profile.invoices_due < policy.min_invoices:
        return None
    if share < policy.chronic_late_share:
        return None
    weighted = profile.weighted_days_late or _ZERO
    severity, band = lateness_severity(weighted, policy)
    oldest = profile.oldest_open_days_past_due
    open_critical = oldest is not None and oldest > policy.open_days_past_due_critical
    severity_metric, severity_threshold = "weighted_days_late", band
    if open_critical and severity is not Severity.CRITICAL:
        severity = Severity.CRITICAL
        severity_metric = "oldest_open_days_past_due"
        severity_threshold = Decimal(policy.open_days_past_due_critical)
    who = name or profile.customer_id
    days = (profile.period[1] - profile.period[0]).days + 1
    late, due, still_open = profile.invoices_late, profile.invoices_due, profile.invoices_open_late
    if still_open == late:
        counted = (
            f"{who} has {late} of the {due} invoices due in the last {days} days past due and "
            "still unpaid"
        )
    elif still_open:
        counted = (
            f"{who} paid {late - still_open} of the {due} invoices due in the last {days} days "
            f"late and {still_open} more {'is' if still_open == 1 else 'are'} past due and "
            "unpaid"
        )
    else:
        counted = f"{who} paid {late} of the {due} invoices due in the last {days} days late"
    sentence = (
        f"{counted}, on average {_days(weighted)} days late weighted by amount "
        f"(late share {_pct(share)}, chronic from {_pct(policy.chronic_late_share)})"
    )
    if open_critical:
        sentence += (
            f"; invoice {profile.oldest_open_invoice_id} is {oldest} days past due and unpaid"
        )
    if profile.financing_cost > 0:
        sentence += (
            f"; carrying the lateness cost {_money(profile.financing_cost, profile.currency)} "
            f"at {_pct(policy.cost_of_capital)} a year"
        )
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.CHRONIC_LATE,
        severity=severity,
        metric="late_share",
        value=share,
        threshold=policy.chronic_late_share,
        message=sentence + ".",
        evidence=Evidence(
            record_kind="invoice",
            record_ids=profile.late_invoice_ids,
            numbers={
                "invoices_due": due,
                "invoices_late": late,
                "invoices_open_late": still_open,
                "late_share": share,
                "late_amount_share": profile.late_amount_share,
                "weighted_days_late": profile.weighted_days_late,
                "mean_days_late": profile.mean_days_late,
                "median_days_late": profile.median_days_late,
                "p90_days_late": profile.p90_days_late,
                "weighted_days_beyond_terms": profile.weighted_days_beyond_terms,
                "severity_metric": severity_metric,
                "severity_threshold": severity_threshold,
                "oldest_open_days_past_due": oldest,
                "oldest_open_invoice_id": profile.oldest_open_invoice_id,
                "financing_cost": profile.financing_cost,
                "currency": profile.currency,
                "min_invoices": policy.min_invoices,
            },
            period=profile.period,
        ),
    )


def flag_worsening_late(
    profile: PaymentProfile, policy: Policy, *, name: str | None = None
) -> Finding | None:
    """A ``worsening_late`` finding when lateness is rising, else None.

    The trend test when the monthly series is long enough (``trend_min_months``); otherwise
    the short-history test, recent period against the rest of the window.
    """
    if len(profile.monthly) >= policy.trend_min_months:
        trend = lateness_trend(profile.monthly)
        if trend is None:
            return None
        return _flag_trend(profile, trend, policy, name or profile.customer_id)
    return _flag_recent_rise(profile, policy, name or profile.customer_id)


def _flag_trend(
    profile: PaymentProfile, trend: LatenessTrend, policy: Policy, who: str
) -> Finding | None:
    p_value = Decimal(repr(trend.test.p_value))
    slope = trend.line.slope
    if p_value > policy.trend_alpha or slope < policy.trend_min_slope:
        return None
    now = max(trend.end_days_late, _ZERO)
    severity, band = lateness_severity(now, policy)
    start = max(trend.start_days_late, _ZERO)
    sentence = (
        f"{who}'s days late rose from {_days(start)} to {_days(now)} over "
        f"{trend.months} months with invoices due, {trend.first_month:%b %Y} to "
        f"{trend.last_month:%b %Y} (+{_one_decimal(slope)} days a month, Mann-Kendall "
        f"{_p(trend.test.p_value)})."
    )
    ids = tuple(i for point in profile.monthly for i in point.invoice_ids)
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.WORSENING_LATE,
        severity=severity,
        metric="days_late_trend_slope",
        value=slope,
        threshold=policy.trend_min_slope,
        message=sentence,
        evidence=Evidence(
            record_kind="invoice",
            record_ids=ids,
            numbers={
                "test": "mann_kendall",
                "months": trend.months,
                "slope_days_per_month": slope,
                "p_value": p_value,
                "alpha": policy.trend_alpha,
                "mann_kendall_s": trend.test.s,
                "mann_kendall_z": Decimal(repr(trend.test.z)),
                "p_value_method": trend.test.method,
                "start_days_late": trend.start_days_late,
                "end_days_late": trend.end_days_late,
                "severity_metric": "end_days_late",
                "severity_threshold": band,
            },
            period=(trend.first_month, profile.as_of),
        ),
    )


def _flag_recent_rise(profile: PaymentProfile, policy: Policy, who: str) -> Finding | None:
    recent, before = profile.recent, profile.before
    enough = policy.recent_min_invoices
    if recent.invoices < enough or before.invoices < enough:
        return None
    if recent.late_share is None or before.late_share is None:  # only without invoices
        return None
    rise = recent.late_share - before.late_share
    if rise < policy.recent_late_share_rise:
        return None
    severity, band = lateness_severity(recent.weighted_days_late or _ZERO, policy)
    before_days = (before.end - before.start).days + 1
    sentence = (
        f"{who} was late on {recent.invoices_late} of its {recent.invoices} invoices due in "
        f"the last {policy.recent_days} days ({_pct(recent.late_share)}), against "
        f"{before.invoices_late} of {before.invoices} in the {before_days} days before "
        f"({_pct(before.late_share)}): up {_points(rise)} points, on average "
        f"{_days(recent.weighted_days_late or _ZERO)} days late weighted by amount lately."
    )
    return Finding(
        customer_id=profile.customer_id,
        signal=Signal.WORSENING_LATE,
        severity=severity,
        metric="late_share_rise",
        value=rise,
        threshold=policy.recent_late_share_rise,
        message=sentence,
        evidence=Evidence(
            record_kind="invoice",
            record_ids=before.invoice_ids + recent.invoice_ids,
            numbers={
                "test": "recent_vs_before",
                "months": len(profile.monthly),
                "recent_invoices": recent.invoices,
                "recent_late": recent.invoices_late,
                "recent_late_share": recent.late_share,
                "recent_weighted_days_late": recent.weighted_days_late,
                "before_invoices": before.invoices,
                "before_late": before.invoices_late,
                "before_late_share": before.late_share,
                "before_weighted_days_late": before.weighted_days_late,
                "severity_metric": "recent_weighted_days_late",
                "severity_threshold": band,
            },
            period=(before.start, recent.end),
        ),
    )


# ================================================================================ formatting
def _days(value: Decimal) -> str:
    """Days as a person reads them: whole days from 10 up, one decimal below (so that half a
    day late does not read "0 days late"); half-even."""
    if abs(value) >= 10:
        return str(value.quantize(Decimal(1), rounding=ROUND_HALF_EVEN))
    return _one_decimal(value).removesuffix(".0")


def _one_decimal(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN))


def _pct(share: Decimal) -> str:
    """A share as a whole percentage (one decimal when it is not whole)."""
    percent = (share * 100).quantize(Decimal("0.1"), rounding=ROUND_HALF_EVEN)
    text = str(percent)
    return f"{text.removesuffix('.0')}%"


def _points(share: Decimal) -> str:
    return _pct(share).removesuffix("%")


def _money(amount: Decimal, currency: str) -> str:
    return f"{round_money(amount, currency):,} {currency}"


def _p(p_value: float) -> str:
    """A p-value as a person reads it: ``p = 0.03``, ``p = 0.0042``, ``p < 0.001``."""
    if p_value < 0.001:
        return "p < 0.001"
    return f"p = {p_value:.2g}" if p_value < 0.01 else f"p = {p_value:.2f}"
